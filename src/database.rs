//! Whether PostgreSQL answers right now, watched over a connection of its own: while it does
//! not, requests fail at once with the maintenance page instead of each waiting for a pool
//! connection, and `/healthz` says so without asking.

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use sqlx::{Connection, PgConnection, postgres::PgConnectOptions};
use tokio::sync::Notify;

use crate::db;

/// How often a reachable database is checked (a request that times out asks for a check at
/// once).
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// How often an unreachable one is tried again.
const RETRY_EVERY: Duration = Duration::from_millis(200);
/// Longest a check may take before the database counts as unreachable.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub struct DatabaseWatch {
    down: AtomicBool,
    wake: Notify,
}

impl DatabaseWatch {
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    /// A request waited too long for a connection: check now rather than at the next tick.
    pub fn suspect(&self) {
        self.wake.notify_one();
    }

    /// Checks for ever (a background task of the server).
    pub async fn run(&self, options: PgConnectOptions) {
        let mut connection: Option<PgConnection> = None;
        loop {
            let up = self.check(&mut connection, &options).await;
            if self.down.swap(!up, Ordering::Relaxed) == up {
                if up {
                    tracing::info!("the database answers again");
                } else {
                    tracing::warn!("the database does not answer: pages say so until it is back");
                }
            }
            if up {
                tokio::select! {
                    () = tokio::time::sleep(CHECK_EVERY) => {}
                    () = self.wake.notified() => {}
                }
            } else {
                tokio::time::sleep(RETRY_EVERY).await;
            }
        }
    }

    /// One check: a query over the watch's connection, opened again when it broke.
    async fn check(
        &self,
        connection: &mut Option<PgConnection>,
        options: &PgConnectOptions,
    ) -> bool {
        if connection.is_none() {
            let opened = tokio::time::timeout(CHECK_TIMEOUT, PgConnection::connect_with(options));
            *connection = opened.await.ok().and_then(Result::ok);
        }
        let Some(open) = connection.as_mut() else {
            return false;
        };
        let answered = tokio::time::timeout(CHECK_TIMEOUT, db::ping(&mut *open))
            .await
            .is_ok_and(|result| result.is_ok());
        if !answered {
            *connection = None;
        }
        answered
    }
}
