//! Start-up: reach the database (creating it if needed), migrate, seed, serve, shut down.

use std::{str::FromStr, time::Duration};

use anyhow::Context;
use sqlx::{
    ConnectOptions, Connection, PgPool, Postgres,
    migrate::MigrateDatabase,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use tokio::{net::TcpListener, task::JoinHandle};

use crate::{
    AppState, MIGRATOR,
    config::{Config, redact_url},
    demo, http, web,
};

/// How long a request waits for a database connection before the page answers 503 (busy, or
/// under maintenance when the database does not answer).
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_millis(900);
/// Database connections of one instance.
pub const POOL_SIZE: u32 = 16;

/// How often counted views and visitors are written (and the visitor counts read back).
const VIEW_FLUSH_EVERY: Duration = Duration::from_secs(5);

/// A pool that fails fast when the database is gone and recovers when it is back.
pub fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(POOL_SIZE)
        .min_connections(0)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(true)
}

/// Connect options from a URL, with a statement timeout so no query holds a request forever.
pub fn connect_options(database_url: &str) -> Result<PgConnectOptions, sqlx::Error> {
    Ok(PgConnectOptions::from_str(database_url)?
        .options([("statement_timeout", "15s")])
        .application_name("toasoan")
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500)))
}

/// Creates the database if it does not exist and opens a pool; the error is one line naming
/// the URL with its password hidden.
pub async fn connect(config: &Config) -> anyhow::Result<PgPool> {
    let shown = redact_url(&config.database_url);
    let unreachable = |e: sqlx::Error| anyhow::anyhow!("cannot reach PostgreSQL at {shown}: {e}");
    let exists = tokio::time::timeout(
        Duration::from_secs(10),
        Postgres::database_exists(&config.database_url),
    )
    .await
    .map_err(|_| anyhow::anyhow!("cannot reach PostgreSQL at {shown}: timed out"))?
    .map_err(unreachable)?;
    if !exists {
        tracing::info!(database = %shown, "creating the database");
        Postgres::create_database(&config.database_url)
            .await
            .map_err(unreachable)?;
    }
    let options = connect_options(&config.database_url).map_err(unreachable)?;
    pool_options()
        .connect_with(options)
        .await
        .map_err(unreachable)
}

/// Connect options for applying migrations: no statement timeout, since rewriting a large
/// table (a new generated column over 100,000 articles, say) takes longer than any request may.
pub fn migration_options(database_url: &str) -> Result<PgConnectOptions, sqlx::Error> {
    Ok(connect_options(database_url)?.options([("statement_timeout", "0")]))
}

/// `toasoan migrate`: connects, creates the database if needed, applies migrations (on a
/// connection of their own, see [`migration_options`]).
pub async fn migrate(config: &Config) -> anyhow::Result<PgPool> {
    let db = connect(config).await?;
    let mut connection = migration_options(&config.database_url)?
        .connect()
        .await
        .context("connecting to apply migrations")?;
    MIGRATOR
        .run(&mut connection)
        .await
        .context("applying migrations")?;
    connection.close().await.ok();
    tracing::info!("migrations applied");
    Ok(db)
}

/// `toasoan serve`
pub async fn serve(config: Config) -> anyhow::Result<()> {
    if config.insecure_captcha.is_some() {
        tracing::warn!(
            "!!! TOASOAN_INSECURE_CAPTCHA is set: every captcha accepts a fixed answer. \
             This is for automated tests only; never run a public site like this. !!!"
        );
    }
    let db = migrate(&config).await?;
    if config.demo {
        let store = crate::media::configured_store(&config)?;
        demo::seed(&db, &*store)
            .await
            .context("seeding demo content")?;
    }
    let state = AppState::new(db, config).await?;
    // Images stored before the library existed (or by the demo) become visible in it.
    match crate::media::library::import(&state.db, &*state.media).await {
        Ok(0) => {}
        Ok(added) => tracing::info!(added, "images registered in the media library"),
        Err(error) => {
            tracing::warn!(error = %format!("{error:#}"), "cannot import stored images into the media library")
        }
    }
    if crate::db::users::count_active_admins(&state.db).await? == 0 {
        tracing::warn!("{}", crate::cli::NO_ADMIN_HINT);
    }
    let mut background = spawn_background(&state);

    let listener = TcpListener::bind(state.config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", state.config.addr))?;
    tracing::info!(addr = %state.config.addr, base_url = %state.config.base_url, "serving");
    if let Some(url) = &state.config.database_read_url {
        tracing::info!(replica = %redact_url(url), "public pages read from the replica when it is current");
    }
    let limits = http::Limits {
        header_timeout: state.config.header_timeout,
        max_connections: state.config.max_connections,
        shutdown_grace: state.config.shutdown_grace,
    };
    if let Some(addr) = state.config.metrics_addr {
        let metrics = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} (TOASOAN_METRICS_ADDR)"))?;
        tracing::info!(%addr, "serving /metrics");
        let router = web::metrics_router(state.clone());
        background.push(tokio::spawn(http::serve(
            metrics,
            router,
            limits,
            std::future::pending(),
        )));
    }
    http::serve(
        listener,
        web::router(state.clone()),
        limits,
        shutdown_signal(),
    )
    .await;

    for task in background {
        task.abort();
    }
    if let Err(error) = state.views.flush(&state.db).await {
        tracing::warn!(%error, "could not write the last view counts");
    }
    if let Err(error) = state.visitors.flush(&state.db).await {
        tracing::warn!(%error, "could not write the last visitors");
    }
    tracing::info!("stopped");
    Ok(())
}

/// The periodic jobs of a running server.
pub fn spawn_background(state: &AppState) -> Vec<JoinHandle<()>> {
    let views = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(VIEW_FLUSH_EVERY);
            loop {
                tick.tick().await;
                if let Err(error) = state.views.flush(&state.db).await {
                    tracing::warn!(%error, "could not write view counts; will retry");
                }
            }
        })
    };
    let visitors = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(VIEW_FLUSH_EVERY);
            loop {
                tick.tick().await;
                if let Err(error) = state.visitors.flush(&state.db).await {
                    tracing::warn!(%error, "could not write visitor counts; will retry");
                }
            }
        })
    };
    let watch = {
        let database = state.database.clone();
        let options = state.db.connect_options().as_ref().clone();
        tokio::spawn(async move { database.run(options).await })
    };
    let publisher = tokio::spawn(crate::scheduler::run_publisher(state.clone()));
    let cleanup = tokio::spawn(crate::scheduler::run_cleanup(state.clone()));
    let mail = tokio::spawn(crate::mail::run(state.clone()));
    let metrics = tokio::spawn(crate::metrics::run_upkeep());
    // No cached page is served until the listener hears about changes.
    state.page_cache.set_trusted(false);
    let changes = tokio::spawn(crate::changes::listen(state.clone()));
    let mut tasks = vec![
        views, visitors, changes, watch, publisher, cleanup, mail, metrics,
    ];
    if let Some(replica) = state.replica.clone() {
        let primary = state.db.clone();
        tasks.push(tokio::spawn(async move { replica.watch(primary).await }));
    }
    tasks
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
