//! Article views, counted in memory and written to the database in batches, so that reading
//! an article never costs a database write on the request path; and the "Đọc nhiều" ranking
//! read from them, kept for a little while so that the home page does not add up days of
//! views on every render.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use sqlx::PgPool;

/// How long a "Đọc nhiều" ranking is used before it is read again.
pub const RANKING_LIFETIME: Duration = Duration::from_secs(60);
/// Articles kept in a ranking: more than the home page shows, in case some are taken down.
const RANKED: i64 = 30;

#[derive(Debug, Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<i64, i64>>,
    /// The last ranking: when it was read, over how many days, the article ids.
    ranking: Mutex<Option<(Instant, i32, Vec<i64>)>>,
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
            Ok(()) => {
                crate::metrics::views_flushed(counts.iter().sum::<i64>().unsigned_abs());
                Ok(batch.len())
            }
            Err(error) => {
                let mut pending = self.lock();
                for (id, n) in batch {
                    *pending.entry(id).or_default() += n;
                }
                Err(error)
            }
        }
    }

    /// The ids of the articles most read over `days` days, most first (whatever their status:
    /// the caller shows the published ones, so a takedown is seen at once). Read from the
    /// database at most every [`RANKING_LIFETIME`].
    pub async fn most_read(&self, db: &PgPool, days: i32) -> sqlx::Result<Vec<i64>> {
        if let Some((at, of_days, ids)) = &*self.ranking.lock().expect("not poisoned")
            && *of_days == days
            && at.elapsed() < RANKING_LIFETIME
        {
            return Ok(ids.clone());
        }
        let ids = crate::db::articles::list_most_read_ids(db, days, RANKED).await?;
        *self.ranking.lock().expect("not poisoned") = Some((Instant::now(), days, ids.clone()));
        Ok(ids)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, i64>> {
        self.pending.lock().expect("view counter lock poisoned")
    }
}
