//! Hearing about changes made anywhere (this instance, another one, the scheduler, the command
//! line, an operator's SQL): triggers in the database `NOTIFY` the channel [`CHANNEL`] with the
//! changed table's name (see the migration `notify_reader_changes`); each instance listens on
//! a connection of its own, re-reads the menu and settings when they changed, and drops its
//! cached pages. While the listener is not connected the page cache is emptied and unused, so
//! no instance serves a page it could not have heard was stale. Each change heard also sends
//! the readers' pages back to the primary until the read replica has replayed it (see
//! `crate::replica`): told before the cache is emptied, so no page rendered afterwards comes
//! from a replica that is still behind.

use std::time::Duration;

use sqlx::postgres::PgListener;

use crate::{AppState, metrics};

pub const CHANNEL: &str = "toasoan_changes";

/// Tables whose change alters the menu or the site settings (the cached `Site`).
const SITE_TABLES: [&str; 4] = ["category", "site_setting", "menu_item", "page"];

/// How long to wait before listening again after the connection failed.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Listens for ever (a background task of the server).
pub async fn listen(state: AppState) {
    loop {
        match PgListener::connect_with(&state.db).await {
            Ok(mut listener) => {
                if let Err(error) = listener.listen(CHANNEL).await {
                    tracing::warn!(%error, "cannot listen for changes; will retry");
                } else {
                    // Whatever changed while nobody listened is read afresh.
                    refresh_site(&state).await;
                    heard_change(&state);
                    state.page_cache.clear();
                    state.page_cache.set_trusted(true);
                    hear(&state, &mut listener).await;
                }
            }
            Err(error) => tracing::debug!(%error, "cannot connect to listen for changes"),
        }
        state.page_cache.set_trusted(false);
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

/// Applies notifications until the connection is lost.
async fn hear(state: &AppState, listener: &mut PgListener) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                metrics::invalidation_received();
                if SITE_TABLES.contains(&notification.payload()) {
                    refresh_site(state).await;
                }
                heard_change(state);
                state.page_cache.clear();
            }
            Ok(None) => {
                tracing::warn!("lost the connection that hears about changes; reconnecting");
                return;
            }
            Err(error) => {
                tracing::warn!(%error, "lost the connection that hears about changes; reconnecting");
                return;
            }
        }
    }
}

fn heard_change(state: &AppState) {
    if let Some(replica) = &state.replica {
        replica.heard_change();
    }
}

async fn refresh_site(state: &AppState) {
    if let Err(error) = state.site.refresh(&state.db).await {
        tracing::warn!(%error, "could not re-read the menu and settings");
    }
}
