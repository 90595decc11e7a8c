//! The footer's visitor counter ("Đang truy cập / Hôm nay / Tổng lượt truy cập"), counted
//! without cookies and without storing IP addresses.
//!
//! Pages embed a 1×1 image (`/luot-truy-cap.gif`, never cached): each request for it is a
//! visitor, named by HMAC-SHA256 of its IP and user agent keyed with today's random salt.
//! The salt lives only in the database (one per Vietnam day, shared by every instance, deleted
//! once the day is over); the hashes are kept in memory and written in batches, like article
//! views. The numbers the footer shows are read back at every flush, so a page shows counts
//! at most a flush interval old (plus the page cache's time to live).

use std::{collections::HashMap, sync::Mutex};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::PgPool;
use time::{Date, OffsetDateTime};

use crate::db::{self, visitors::VisitorCounts};

type Visitor = (Date, [u8; 32]);

#[derive(Debug, Default)]
pub struct VisitorCounter {
    /// Today's salt, once read from the database.
    salt: tokio::sync::Mutex<Option<(Date, Vec<u8>)>>,
    /// Visitors seen since the last flush, and when.
    pending: Mutex<HashMap<Visitor, OffsetDateTime>>,
    /// What the footer shows.
    counts: Mutex<VisitorCounts>,
}

/// Vietnam's day now.
fn today() -> Date {
    OffsetDateTime::now_utc()
        .to_offset(crate::web::format::VIETNAM)
        .date()
}

impl VisitorCounter {
    /// Counts a request for the counter's image from `ip` with `agent`.
    pub async fn record(&self, db: &PgPool, ip: &str, agent: &str) -> sqlx::Result<()> {
        let day = today();
        let visitor = {
            let mut salt = self.salt.lock().await;
            let key = match &*salt {
                Some((salt_day, key)) if *salt_day == day => key.clone(),
                _ => {
                    let fresh: [u8; 32] = rand::random();
                    let key = db::visitors::salt_of(db, day, &fresh).await?;
                    *salt = Some((day, key.clone()));
                    key
                }
            };
            visitor_hash(&key, ip, agent)
        };
        self.pending
            .lock()
            .expect("visitor counter lock poisoned")
            .insert((day, visitor), OffsetDateTime::now_utc());
        Ok(())
    }

    /// Writes the visitors seen since the last flush (on failure they wait for the next one),
    /// forgets the days that are over, and reads back the counts the footer shows.
    pub async fn flush(&self, db: &PgPool) -> sqlx::Result<()> {
        let batch = std::mem::take(&mut *self.pending.lock().expect("not poisoned"));
        if !batch.is_empty() {
            let mut days = Vec::with_capacity(batch.len());
            let mut visitors = Vec::with_capacity(batch.len());
            let mut seen = Vec::with_capacity(batch.len());
            for ((day, visitor), at) in &batch {
                days.push(*day);
                visitors.push(visitor.to_vec());
                seen.push(*at);
            }
            if let Err(error) = db::visitors::record(db, &days, &visitors, &seen).await {
                let mut pending = self.pending.lock().expect("not poisoned");
                for (visitor, at) in batch {
                    let last = pending.entry(visitor).or_insert(at);
                    *last = (*last).max(at);
                }
                return Err(error);
            }
        }
        let today = today();
        db::visitors::forget_before(db, today).await?;
        let counts = db::visitors::counts(db, today).await?;
        *self.counts.lock().expect("not poisoned") = counts;
        Ok(())
    }

    /// The counts as of the last flush.
    pub fn counts(&self) -> VisitorCounts {
        *self.counts.lock().expect("not poisoned")
    }
}

/// HMAC-SHA256(`key`, IP, NUL, user agent).
fn visitor_hash(key: &[u8], ip: &str, agent: &str) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(ip.as_bytes());
    mac.update(b"\0");
    mac.update(agent.as_bytes());
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_browser_is_one_visitor_per_salt() {
        let a = visitor_hash(b"salt of today", "203.0.113.5", "Firefox");
        assert_eq!(a, visitor_hash(b"salt of today", "203.0.113.5", "Firefox"));
        assert_ne!(a, visitor_hash(b"salt of today", "203.0.113.5", "Chrome"));
        assert_ne!(a, visitor_hash(b"salt of today", "203.0.113.6", "Firefox"));
        assert_ne!(
            a,
            visitor_hash(b"salt of tomorrow", "203.0.113.5", "Firefox")
        );
        // The separator keeps "1.2.3.4" + "5x" apart from "1.2.3.45" + "x".
        assert_ne!(
            visitor_hash(b"k", "1.2.3.4", "5x"),
            visitor_hash(b"k", "1.2.3.45", "x")
        );
    }
}
