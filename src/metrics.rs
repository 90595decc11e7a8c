//! What the server counts for operators, in Prometheus' text format (`/metrics`, see
//! `web::metrics`): every metric's name is here, and each place that counts something calls one
//! of the functions below in one line. The recorder (`metrics-exporter-prometheus`) is global to
//! the process; it is installed by the first [`AppState`](crate::AppState) and rendered on a
//! scrape, when the gauges (pool, page cache, database, listener) are read.

use std::{sync::OnceLock, time::Duration};

use ::metrics::{
    Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;

const HTTP_REQUESTS: &str = "toasoan_http_requests_total";
const HTTP_DURATION: &str = "toasoan_http_request_duration_seconds";
const PAGE_CACHE_HITS: &str = "toasoan_page_cache_hits_total";
const PAGE_CACHE_MISSES: &str = "toasoan_page_cache_misses_total";
const PAGE_CACHE_EVICTIONS: &str = "toasoan_page_cache_evictions_total";
const PAGE_CACHE_BYTES: &str = "toasoan_page_cache_bytes";
const PAGE_CACHE_ENTRIES: &str = "toasoan_page_cache_entries";
const POOL_CONNECTIONS: &str = "toasoan_db_pool_connections";
const POOL_MAX: &str = "toasoan_db_pool_max_connections";
const POOL_TIMEOUTS: &str = "toasoan_db_pool_acquire_timeouts_total";
const DATABASE_UP: &str = "toasoan_database_up";
const LISTENER_CONNECTED: &str = "toasoan_change_listener_connected";
const INVALIDATIONS: &str = "toasoan_invalidations_received_total";
const SCHEDULER_RUNS: &str = "toasoan_scheduler_runs_total";
const VIEWS_FLUSHED: &str = "toasoan_views_flushed_total";
const LOGIN_FAILURES: &str = "toasoan_login_failures_total";
const LOGIN_LOCKOUTS: &str = "toasoan_login_lockouts_total";
const COMMENTS: &str = "toasoan_comments_total";
const COMMENTS_MODERATED: &str = "toasoan_comments_moderated_total";

/// Buckets of the request latency histogram, in seconds: a cached page takes well under a
/// millisecond, a rendered one a few, a search tens; 30 s is the request timeout.
const LATENCY_BUCKETS: [f64; 14] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 30.0,
];

/// How often histograms are drained into their buckets between scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The process's recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.to_owned()), &LATENCY_BUCKETS)
            .expect("the buckets are not empty")
            .install_recorder()
            .expect("no other metrics recorder is installed");
        describe();
        handle
    })
}

fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "Requests answered, by method, route template and status"
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to the response's headers, by route template"
    );
    describe_counter!(PAGE_CACHE_HITS, "Public pages sent from the page cache");
    describe_counter!(
        PAGE_CACHE_MISSES,
        "Public pages looked for in the page cache and not found"
    );
    describe_counter!(
        PAGE_CACHE_EVICTIONS,
        "Pages leaving the page cache, by cause (size, expired, explicit: a change was heard)"
    );
    describe_gauge!(
        PAGE_CACHE_BYTES,
        Unit::Bytes,
        "Memory held by the page cache"
    );
    describe_gauge!(PAGE_CACHE_ENTRIES, "Pages in the page cache");
    describe_gauge!(
        POOL_CONNECTIONS,
        "Database pool connections, by state (in_use, idle)"
    );
    describe_gauge!(POOL_MAX, "Largest number of database pool connections");
    describe_counter!(
        POOL_TIMEOUTS,
        "Requests that waited in vain for a database connection"
    );
    describe_gauge!(
        DATABASE_UP,
        "1 while the database watch hears the database answer"
    );
    describe_gauge!(
        LISTENER_CONNECTED,
        "1 while the change listener is connected (the page cache is in use)"
    );
    describe_counter!(
        INVALIDATIONS,
        "Change notices heard on the toasoan_changes channel"
    );
    describe_counter!(
        SCHEDULER_RUNS,
        "Runs of the background jobs, by job and result"
    );
    describe_counter!(VIEWS_FLUSHED, "Article views written to the database");
    describe_counter!(LOGIN_FAILURES, "Wrong passwords or two-factor codes");
    describe_counter!(
        LOGIN_LOCKOUTS,
        "Password or code checks refused by the brute-force limits"
    );
    describe_counter!(COMMENTS, "Readers' comments sent, by outcome");
    describe_counter!(
        COMMENTS_MODERATED,
        "Comments moderated, by the status given (deleted: removed)"
    );
    // Counters without labels are shown from the start, so that their rate is known at once.
    for name in [
        PAGE_CACHE_HITS,
        PAGE_CACHE_MISSES,
        POOL_TIMEOUTS,
        INVALIDATIONS,
        VIEWS_FLUSHED,
        LOGIN_FAILURES,
        LOGIN_LOCKOUTS,
    ] {
        counter!(name).absolute(0);
    }
}

/// Keeps the histograms drained between scrapes (a background task of the server).
pub async fn run_upkeep() {
    let mut tick = tokio::time::interval(UPKEEP_EVERY);
    loop {
        tick.tick().await;
        handle().run_upkeep();
    }
}

/// The Prometheus text of a scrape: the gauges are read now.
pub async fn render(state: &AppState) -> String {
    let (entries, bytes) = state.page_cache.size().await;
    gauge!(PAGE_CACHE_ENTRIES).set(entries as f64);
    gauge!(PAGE_CACHE_BYTES).set(bytes as f64);
    let (size, idle) = (state.db.size(), state.db.num_idle() as u32);
    gauge!(POOL_CONNECTIONS, "state" => "in_use").set(f64::from(size.saturating_sub(idle)));
    gauge!(POOL_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    gauge!(POOL_MAX).set(f64::from(state.db.options().get_max_connections()));
    gauge!(DATABASE_UP).set(if state.database.is_down() { 0.0 } else { 1.0 });
    gauge!(LISTENER_CONNECTED).set(if state.page_cache.is_trusted() {
        1.0
    } else {
        0.0
    });
    handle().render()
}

/// A request answered: `route` is the route template (never the path readers typed).
pub fn request(method: &'static str, route: &str, status: u16, took: Duration) {
    let status = status.to_string();
    counter!(HTTP_REQUESTS, "method" => method, "route" => route.to_owned(), "status" => status)
        .increment(1);
    histogram!(HTTP_DURATION, "route" => route.to_owned()).record(took.as_secs_f64());
}

pub fn page_cache_hit() {
    counter!(PAGE_CACHE_HITS).increment(1);
}

pub fn page_cache_miss() {
    counter!(PAGE_CACHE_MISSES).increment(1);
}

/// A page left the cache: `size`, `expired`, `explicit` (cleared after a change), `replaced`.
pub fn page_cache_eviction(cause: &'static str) {
    counter!(PAGE_CACHE_EVICTIONS, "cause" => cause).increment(1);
}

pub fn pool_timeout() {
    counter!(POOL_TIMEOUTS).increment(1);
}

pub fn invalidation_received() {
    counter!(INVALIDATIONS).increment(1);
}

/// A run of a job of `crate::scheduler` (`publish`, `cleanup`).
pub fn scheduler_run(job: &'static str, ok: bool) {
    counter!(SCHEDULER_RUNS, "job" => job, "result" => if ok { "ok" } else { "error" })
        .increment(1);
}

pub fn views_flushed(views: u64) {
    counter!(VIEWS_FLUSHED).increment(views);
}

pub fn login_failure() {
    counter!(LOGIN_FAILURES).increment(1);
}

pub fn login_lockout() {
    counter!(LOGIN_LOCKOUTS).increment(1);
}

/// What became of a reader's comment: `pending`, `spam` (stored as spam), `honeypot`
/// (dropped), `invalid` (the form came back with errors), `duplicate`, `limited` (429).
pub fn comment(outcome: &'static str) {
    counter!(COMMENTS, "outcome" => outcome).increment(1);
}

/// `count` comments given `status` (`approved`, `rejected`, `spam`, or `deleted`).
pub fn comments_moderated(status: &'static str, count: usize) {
    counter!(COMMENTS_MODERATED, "status" => status).increment(count as u64);
}
