//! The HTTP server loop: bounds on what clients can hold. A client gets `header_timeout` to
//! send a request's headers (the first one, and each next one on a kept-alive connection, so
//! the same bound closes idle connections); at most `max_connections` are open at once (more
//! wait in the kernel's queue, and the log says so); at shutdown, requests in flight get
//! `shutdown_grace` to finish, then the remaining connections are dropped.

use std::{
    future::Future,
    pin::pin,
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{Router, body::Body, extract::ConnectInfo, http::Request};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::{
    net::TcpListener,
    sync::{OwnedSemaphorePermit, Semaphore},
};
use tower::ServiceExt;

/// The bounds of [`serve`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    pub max_connections: usize,
    pub shutdown_grace: Duration,
}

/// How often "connection limit reached" is logged while it lasts.
const FULL_LOG_EVERY: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `shutdown` completes, then drains (see the module).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    // HTTP/1.1 only: a reverse proxy in front speaks HTTP/2 to browsers if wanted. (Guessing
    // the version would wait for a client's first bytes with no timeout.)
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    let mut last_full_log: Option<Instant> = None;

    loop {
        let permit = tokio::select! {
            permit = connection_permit(&permits, limits.max_connections, &mut last_full_log) => permit,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, mostly: wait a little rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Responses go out at once, not held back to be merged with a next one (Nagle).
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%peer, %error, "cannot turn off Nagle's algorithm");
        }
        let router = router.clone();
        let service = tower::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(Body::new))
        });
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
            drop(permit);
        });
    }

    drop(listener);
    let open = graceful.count();
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!(
                connections = open,
                "requests still in flight after {:?}: closing their connections",
                limits.shutdown_grace
            );
        }
    }
}

/// A place for one more connection; waits (logging it) while all are taken.
async fn connection_permit(
    permits: &Arc<Semaphore>,
    max: usize,
    last_log: &mut Option<Instant>,
) -> OwnedSemaphorePermit {
    if let Ok(permit) = permits.clone().try_acquire_owned() {
        return permit;
    }
    if last_log.is_none_or(|at| at.elapsed() >= FULL_LOG_EVERY) {
        tracing::warn!(
            max_connections = max,
            "connection limit reached: new connections wait until one closes \
             (TOASOAN_MAX_CONNECTIONS)"
        );
        *last_log = Some(Instant::now());
    }
    permits
        .clone()
        .acquire_owned()
        .await
        .expect("the semaphore is never closed")
}
