//! A streaming replica for the readers' pages (`DATABASE_READ_URL`), and when it may be read.
//!
//! A replica replays the primary's write-ahead log a little late, so right after a change it
//! may still hold the previous version. Pages are read from it only while it answers and has
//! replayed every change this instance has heard of: when `changes` hears a notification, the
//! watch takes the primary's flushed log position at that moment, and until the replica's
//! replay position reaches it, pages are read from the primary. So a page rendered after a
//! change was heard (and stored in the page cache, which that change emptied) is never older
//! than the change. While the replica does not answer, or a page failed on it, pages are read
//! from the primary too (see `web::readers`).

use std::{
    sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering},
    time::Duration,
};

use sqlx::PgPool;
use tokio::sync::Notify;

use crate::{db::replication, server};

/// How often a replica that is up to date is checked.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// How often a replica that is behind is checked, to return to it soon after it caught up.
const CATCH_UP_EVERY: Duration = Duration::from_millis(25);
/// How often a replica (or primary) that does not answer is tried again.
const RETRY_EVERY: Duration = Duration::from_secs(1);
/// Longest a check may take before the server checked counts as not answering.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct Replica {
    pool: PgPool,
    /// The last check reached the replica, and no page failed on it since.
    up: AtomicBool,
    /// How far the replica had replayed the log at the last check.
    replayed: AtomicI64,
    /// How far it must have replayed before pages are read from it: the primary's flushed
    /// position when the latest change accounted for was heard.
    wanted: AtomicI64,
    /// Changes heard so far, and how many of them `wanted` accounts for.
    heard: AtomicU64,
    accounted: AtomicU64,
    wake: Notify,
}

impl Replica {
    /// The replica at `url`; nothing is connected until the watch runs, so a replica that is
    /// down at start only means reading from the primary.
    pub fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let options = server::connect_options(url)?.application_name("toasoan-reader");
        Ok(Self {
            pool: server::pool_options().connect_lazy_with(options),
            up: AtomicBool::new(false),
            replayed: AtomicI64::new(0),
            wanted: AtomicI64::new(0),
            // What the primary holds at start must be replayed too.
            heard: AtomicU64::new(1),
            accounted: AtomicU64::new(0),
            wake: Notify::new(),
        })
    }

    /// The replica's pool when pages may be read from it now.
    pub fn pool(&self) -> Option<&PgPool> {
        self.is_current().then_some(&self.pool)
    }

    /// Whether the replica answers and has replayed every change heard of.
    pub fn is_current(&self) -> bool {
        self.up.load(Ordering::SeqCst)
            && self.accounted.load(Ordering::SeqCst) == self.heard.load(Ordering::SeqCst)
            && self.replayed.load(Ordering::SeqCst) >= self.wanted.load(Ordering::SeqCst)
    }

    /// A change was heard of: read from the primary until the replica has replayed it.
    pub fn heard_change(&self) {
        self.heard.fetch_add(1, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// A page failed on the replica: read from the primary until a check reaches it again.
    pub fn failed(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Checks for ever (a background task of the server); `primary` tells how far the log
    /// goes.
    pub async fn watch(&self, primary: PgPool) {
        loop {
            let pause = self.check(&primary).await;
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = self.wake.notified() => {}
            }
        }
    }

    /// One check; answers how long to wait before the next.
    async fn check(&self, primary: &PgPool) -> Duration {
        let heard = self.heard.load(Ordering::SeqCst);
        if heard != self.accounted.load(Ordering::SeqCst) {
            let flushed =
                tokio::time::timeout(CHECK_TIMEOUT, replication::flushed_position(primary)).await;
            let Ok(Ok(position)) = flushed else {
                // Stays on the primary until the position is known.
                return RETRY_EVERY;
            };
            self.wanted.fetch_max(position, Ordering::SeqCst);
            self.accounted.store(heard, Ordering::SeqCst);
        }
        let replayed =
            tokio::time::timeout(CHECK_TIMEOUT, replication::replayed_position(&self.pool)).await;
        match replayed {
            Ok(Ok(position)) => {
                self.replayed.store(position, Ordering::SeqCst);
                if !self.up.swap(true, Ordering::SeqCst) {
                    tracing::info!("the read replica answers: public pages read from it");
                }
            }
            Ok(Err(error)) => return self.down(&error.to_string()),
            Err(_) => return self.down("timed out"),
        }
        if self.is_current() {
            CHECK_EVERY
        } else {
            CATCH_UP_EVERY
        }
    }

    fn down(&self, error: &str) -> Duration {
        if self.up.swap(false, Ordering::SeqCst) {
            tracing::warn!(%error, "the read replica does not answer: public pages read from the primary");
        }
        RETRY_EVERY
    }
}
