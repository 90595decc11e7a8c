//! One fresh database per test, on the server named by `TOASOAN_TEST_DATABASE_URL` (never the
//! application's `DATABASE_URL`, which a developer may have exported for `cargo run`).
//!
//! `#[db_test]` (crate `toasoan-test-macros`) turns `async fn name(db: PgPool)` into a test
//! that calls [`run`]. Databases are named `toasoan_test_{run}_{n}`: `run` is random per test
//! process, which holds a session advisory lock on it for as long as it lives. A database is
//! dropped when its test passes and kept (named on stderr) when it fails; at start, each run
//! drops the databases of runs whose lock is gone (ended or killed), never a live run's.

use std::{
    future::Future,
    panic::AssertUnwindSafe,
    sync::{
        OnceLock,
        atomic::{AtomicU32, Ordering},
        mpsc,
    },
    time::Duration,
};

use futures_util::FutureExt;
use sqlx::{
    AssertSqlSafe, Connection, Executor, PgConnection, PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};

/// The variable naming the PostgreSQL server the tests create their databases on.
pub const VARIABLE: &str = "TOASOAN_TEST_DATABASE_URL";
const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const PREFIX: &str = "toasoan_test_";
/// First key of the advisory lock each run holds ("toas"); the second is the run's id.
const LOCK_CLASS: i32 = 0x746f_6173;

/// The maintenance database URL the test databases are created from.
pub fn server_url() -> String {
    std::env::var(VARIABLE).unwrap_or_else(|_| DEFAULT_URL.into())
}

fn server_options() -> PgConnectOptions {
    server_url()
        .parse()
        .unwrap_or_else(|error| panic!("{VARIABLE}: {error}"))
}

/// `url` with its database replaced by `database` (credentials and parameters kept).
pub fn url_of(database: &str) -> String {
    let mut url = url::Url::parse(&server_url()).unwrap_or_else(|e| panic!("{VARIABLE}: {e}"));
    url.set_path(database);
    url.into()
}

/// A database name no other run, live or past, uses.
pub fn unique_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!("{PREFIX}{:08x}_{}", run_id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

async fn connect_server() -> PgConnection {
    PgConnection::connect_with(&server_options())
        .await
        .unwrap_or_else(|error| {
            panic!(
                "cannot connect to the test database server {} ({VARIABLE}): {error}",
                server_url()
            )
        })
}

/// Creates database `name`, empty.
pub async fn create_database(name: &str) {
    let mut server = connect_server().await;
    server
        .execute(AssertSqlSafe(format!(r#"create database "{name}""#)))
        .await
        .unwrap_or_else(|error| panic!("create database {name}: {error}"));
}

/// Drops database `name`, closing whatever still uses it.
pub async fn drop_database(name: &str) {
    let mut server = connect_server().await;
    server
        .execute(AssertSqlSafe(format!(r#"drop database if exists "{name}" with (force)"#)))
        .await
        .unwrap_or_else(|error| panic!("drop database {name}: {error}"));
}

/// Runs `test` on a fresh database (migrated with `toasoan::MIGRATOR` when `migrations`).
pub fn run<F, Fut>(migrations: bool, test: F)
where
    F: FnOnce(PgPool) -> Fut,
    Fut: Future<Output = ()>,
{
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime")
        .block_on(async {
            let name = unique_name();
            create_database(&name).await;
            let pool = PgPoolOptions::new()
                .max_connections(5)
                .idle_timeout(Some(Duration::from_secs(1)))
                .connect_with(server_options().database(&name))
                .await
                .unwrap_or_else(|error| panic!("connect to {name}: {error}"));
            if migrations {
                toasoan::MIGRATOR.run(&pool).await.expect("migrations");
            }
            let outcome = AssertUnwindSafe(test(pool.clone())).catch_unwind().await;
            if tokio::time::timeout(Duration::from_secs(10), pool.close())
                .await
                .is_err()
            {
                eprintln!("the test held on to its database connections for 10 s");
            }
            match outcome {
                Ok(()) => drop_database(&name).await,
                Err(panic) => {
                    eprintln!("kept the failed test's database {name} (the next run drops it)");
                    std::panic::resume_unwind(panic);
                }
            }
        });
}

/// This process's run id, locked on the server for the process's lifetime; the first call
/// also drops the databases of ended runs.
fn run_id() -> i32 {
    static RUN: OnceLock<i32> = OnceLock::new();
    *RUN.get_or_init(|| {
        let id = fastrand::i32(1..);
        let (ready, started) = mpsc::channel();
        // The lock lives as long as its connection, held by this thread until the process ends.
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a Tokio runtime")
                .block_on(async {
                    let mut server = connect_server().await;
                    sqlx::query("select pg_advisory_lock($1, $2)")
                        .bind(LOCK_CLASS)
                        .bind(id)
                        .execute(&mut server)
                        .await
                        .expect("the run's advisory lock");
                    drop_ended_runs(&mut server).await;
                    ready.send(()).unwrap();
                    std::future::pending::<()>().await;
                });
        });
        started
            .recv()
            .unwrap_or_else(|_| panic!("could not start a test run on {}", server_url()));
        id
    })
}

/// Drops the test databases whose run no longer holds its lock. Databases are listed before
/// the locks: a run takes its lock before creating any database, so a database of a live run
/// always finds its lock.
async fn drop_ended_runs(server: &mut PgConnection) {
    let names: Vec<String> = sqlx::query_scalar(
        "select datname::text from pg_database where starts_with(datname::text, $1)",
    )
    .bind(PREFIX)
    .fetch_all(&mut *server)
    .await
    .expect("list test databases");
    let live: Vec<i64> = sqlx::query_scalar(
        "select objid::int8 from pg_locks
         where locktype = 'advisory' and classid = $1::int8::oid and objsubid = 2 and granted",
    )
    .bind(LOCK_CLASS)
    .fetch_all(&mut *server)
    .await
    .expect("list live test runs");
    for name in names {
        let run = name[PREFIX.len()..]
            .split('_')
            .next()
            .and_then(|run| i64::from_str_radix(run, 16).ok());
        if run.is_some_and(|run| live.contains(&run)) {
            continue;
        }
        let sql = format!(r#"drop database if exists "{name}" with (force)"#);
        // Another run may be dropping it at the same time: that is its business.
        if let Err(error) = server.execute(AssertSqlSafe(sql)).await {
            eprintln!("could not drop {name}, left by an ended test run: {error}");
        }
    }
}
