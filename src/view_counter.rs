//! Article views, counted in memory and written to the database in batches, so that reading
//! an article never costs a database write on the request path.

use std::{collections::HashMap, sync::Mutex};

use sqlx::PgPool;

#[derive(Debug, Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<i64, i64>>,
}

impl ViewCounter {
    /// Counts one view of an article.
    pub fn record(&self, article_id: i64) {
        *self.lock().entry(article_id).or_default() += 1;
    }

    /// Views counted but not yet written.
    pub fn pending(&self, article_id: i64) -> i64 {
        self.lock().get(&article_id).copied().unwrap_or(0)
    }

    /// Writes the pending counts in one statement. On failure the counts are put back, to be
    /// written by the next flush.
    pub async fn flush(&self, db: &PgPool) -> Result<usize, sqlx::Error> {
        let batch = std::mem::take(&mut *self.lock());
        if batch.is_empty() {
            return Ok(0);
        }
        let (ids, counts): (Vec<i64>, Vec<i64>) = batch.iter().map(|(id, n)| (*id, *n)).unzip();
        match crate::db::articles::add_views(db, &ids, &counts).await {
            Ok(()) => Ok(batch.len()),
            Err(error) => {
                let mut pending = self.lock();
                for (id, n) in batch {
                    *pending.entry(id).or_default() += n;
                }
                Err(error)
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, i64>> {
        self.pending.lock().expect("view counter lock poisoned")
    }
}
