//! Public pages from a real streaming replica (`DATABASE_READ_URL`): a throwaway primary
//! cluster and a replica made from it with `pg_basebackup -R`, on free ports (never the
//! machine's own cluster), the `toasoan` binary over both. The replica is made visibly
//! different by pausing its replay and changing a row on the primary without notifying.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use sqlx::{PgPool, postgres::PgPoolOptions};
use toasoan::{auth::Role, db::replication};

use crate::{
    process::Server,
    support::{self, ArticleFixture},
};

/// A primary cluster and its streaming replica, dropped (stopped and removed) with the value,
/// also when the test fails.
struct Clusters {
    version: String,
    primary: String,
    replica: String,
    primary_port: u16,
    replica_port: u16,
}

impl Clusters {
    fn create() -> Self {
        let version = std::fs::read_dir("/etc/postgresql")
            .expect("PostgreSQL's clusters under /etc/postgresql")
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .max()
            .expect("a PostgreSQL version");
        let primary_port = support::free_port();
        let replica_port = loop {
            let port = support::free_port();
            if port != primary_port {
                break port;
            }
        };
        let id = std::process::id();
        let clusters = Self {
            primary: format!("toasoan-test-{id}-primary"),
            replica: format!("toasoan-test-{id}-replica"),
            version,
            primary_port,
            replica_port,
        };
        clusters.create_cluster(&clusters.primary, primary_port);
        clusters.ctl(&clusters.primary, "start");
        clusters.create_cluster(&clusters.replica, replica_port);
        // The replica's data is a base backup of the primary, set to stream from it (-R).
        let data = format!("/var/lib/postgresql/{}/{}", clusters.version, clusters.replica);
        for entry in std::fs::read_dir(&data).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                std::fs::remove_dir_all(path).unwrap();
            } else {
                std::fs::remove_file(path).unwrap();
            }
        }
        let basebackup = format!("/usr/lib/postgresql/{}/bin/pg_basebackup", clusters.version);
        let port = primary_port.to_string();
        run(&[
            "runuser",
            "-u",
            "postgres",
            "--",
            &basebackup,
            "-h",
            "127.0.0.1",
            "-p",
            &port,
            "-U",
            "postgres",
            "-D",
            &data,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ]);
        clusters.ctl(&clusters.replica, "start");
        clusters
    }

    /// A cluster owned by `postgres` that trusts local connections (the test's and the
    /// replica's).
    fn create_cluster(&self, name: &str, port: u16) {
        run(&[
            "pg_createcluster",
            &self.version,
            name,
            "-p",
            &port.to_string(),
        ]);
        std::fs::write(
            format!("/etc/postgresql/{}/{name}/pg_hba.conf", self.version),
            "local all all trust\nlocal replication all trust\n\
             host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n",
        )
        .unwrap();
    }

    fn ctl(&self, name: &str, action: &str) {
        run(&[
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            &self.version,
            name,
            action,
        ]);
    }

    fn url(port: u16) -> String {
        format!("postgres://postgres@127.0.0.1:{port}/toasoan")
    }
}

impl Drop for Clusters {
    fn drop(&mut self) {
        for name in [&self.replica, &self.primary] {
            let _ = Command::new("pg_dropcluster")
                .args(["--stop", &self.version, name])
                .output();
        }
    }
}

fn run(command: &[&str]) {
    let output = Command::new(command[0])
        .args(&command[1..])
        .output()
        .unwrap_or_else(|error| panic!("{}: {error}", command[0]));
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Waits (at most 5 s) until `condition` holds.
async fn eventually<F: Future<Output = bool>>(what: &str, mut condition: impl FnMut() -> F) {
    let started = Instant::now();
    while !condition().await {
        assert!(started.elapsed() < Duration::from_secs(5), "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn page(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn title_on(db: &PgPool, article_id: i64) -> String {
    sqlx::query_scalar("select title from article where article_id = $1")
        .bind(article_id)
        .fetch_one(db)
        .await
        .unwrap()
}

/// Waits until the replica has replayed everything the primary flushed, then pauses its
/// replay and gives the article `title` on the primary alone, without telling anyone (as no
/// application change would: the notifying triggers are off in this transaction).
async fn diverge(primary: &PgPool, replica: &PgPool, article_id: i64, title: &str) {
    let flushed = replication::flushed_position(primary).await.unwrap();
    eventually("the replica replays the primary's log", || async {
        replication::replayed_position(replica).await.unwrap() >= flushed
    })
    .await;
    sqlx::query("select pg_wal_replay_pause()")
        .execute(replica)
        .await
        .unwrap();
    let mut tx = primary.begin().await.unwrap();
    sqlx::query("set local session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("update article set title = $1 where article_id = $2")
        .bind(title)
        .bind(article_id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn public_pages_read_from_the_replica_while_it_is_current_and_from_the_primary_otherwise() {
    let clusters = Clusters::create();
    let primary = PgPool::connect_lazy(&Clusters::url(clusters.primary_port)).unwrap();
    let replica_url = Clusters::url(clusters.replica_port);
    let server = Server::start(
        &primary,
        &[
            ("DATABASE_READ_URL", replica_url.as_str()),
            ("TOASOAN_PAGE_CACHE_MB", "0"),
        ],
    )
    .await;
    let site = &server.base;
    // The server created and migrated the database: the replica has it once it replayed that.
    let replica = PgPoolOptions::new().connect_lazy(&replica_url).unwrap();
    eventually("the replica has the database", || async {
        sqlx::query("select 1 from article")
            .execute(&replica)
            .await
            .is_ok()
    })
    .await;

    let category = support::category(&primary, "Thời sự", None).await;
    let article_id = ArticleFixture::new("Bản tin gốc", category)
        .insert(&primary)
        .await;
    let article = format!("{site}/bai-viet/ban-tin-goc");
    let editor = support::log_in(&primary, Role::Editor).await;
    let back_office = || async {
        let response = reqwest::Client::new()
            .get(format!("{site}/admin/articles/{article_id}"))
            .header("cookie", &editor.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    };

    // The public page is read from the replica, the back office from the primary.
    diverge(&primary, &replica, article_id, "Chỉ có trên máy chính").await;
    eventually("the article page is read from the replica", || async {
        page(&article).await.1.contains("Bản tin gốc")
    })
    .await;
    assert!(back_office().await.contains("Chỉ có trên máy chính"));
    // Home and category listings too.
    assert!(page(&format!("{site}/")).await.1.contains("Bản tin gốc"));
    let (status, listing) = page(&format!("{site}/chuyen-muc/thoi-su")).await;
    assert_eq!(status, 200);
    assert!(listing.contains("Bản tin gốc"), "{listing}");

    // Writes from the public side still go to the primary: a captcha is stored there.
    let captchas = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from captcha")
            .fetch_one(&primary)
            .await
            .unwrap()
    };
    let before = captchas().await;
    let (status, _) = page(&format!("{site}/bai-viet/ban-tin-goc/binh-luan")).await;
    assert_eq!(status, 200);
    assert_eq!(captchas().await, before + 1);

    // A change the instance hears of sends the pages to the primary until the replica (still
    // paused) has replayed it: readers see the new version at once.
    sqlx::query("update article set title = 'Bản tin mới' where article_id = $1")
        .bind(article_id)
        .execute(&primary)
        .await
        .unwrap();
    eventually("the changed article is read from the primary", || async {
        page(&article).await.1.contains("Bản tin mới")
    })
    .await;
    assert_eq!(title_on(&replica, article_id).await, "Bản tin gốc");

    // Once the replica has caught up, the pages are read from it again.
    sqlx::query("select pg_wal_replay_resume()")
        .execute(&replica)
        .await
        .unwrap();
    diverge(&primary, &replica, article_id, "Lại chỉ có trên máy chính").await;
    eventually("the article page is read from the replica again", || async {
        page(&article).await.1.contains("Bản tin mới")
    })
    .await;

    // The replica stops: the very next request (which tries the replica before the watch
    // notices) and the ones after it are served from the primary.
    clusters.ctl(&clusters.replica, "stop");
    for _ in 0..10 {
        let (status, body) = page(&article).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("Lại chỉ có trên máy chính"), "{body}");
        let (status, _) = page(&format!("{site}/tim-kiem?q=tin")).await;
        assert_eq!(status, 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = server.log();
    assert!(log.contains("from the primary"), "{log}");
}
