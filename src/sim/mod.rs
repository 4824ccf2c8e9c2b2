//! Simulated provider endpoints on 127.0.0.1, shared by the tests, the demo
//! and the benchmarks. Each simulator speaks its provider's real protocol
//! (signature checks, paging, error bodies) over a mutable estate; this file
//! holds what they share: serving a router on its own thread, failures
//! injected on the Nth request, and ([`rng`]) the seeded generator behind
//! every generated estate.

pub mod huaweicloud;
pub mod openstack;
mod rng;
pub mod tencent;
pub mod tencent_legacy;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

/// A server running a router on 127.0.0.1 (a free port) on a thread of its
/// own, so that synchronous tests, the async collector and the demo can all
/// use it. Dropping it stops the server and every request in flight,
/// hanging ones included.
#[derive(Debug)]
pub struct SimServer {
    address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl SimServer {
    /// Binds 127.0.0.1 on a free port and starts serving `router`.
    pub fn start(router: axum::Router) -> std::io::Result<SimServer> {
        SimServer::start_on(router, 0)
    }

    /// Binds 127.0.0.1:`port` (0 for any free port) and starts serving.
    pub fn start_on(router: axum::Router, port: u16) -> std::io::Result<SimServer> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("sim-{}", address.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => listener,
                        Err(error) => {
                            tracing::error!("simulator on {address}: {error}");
                            return;
                        }
                    };
                    tokio::select! {
                        served = axum::serve(listener, router) => {
                            if let Err(error) = served {
                                tracing::error!("simulator on {address}: {error}");
                            }
                        }
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime here cancels the connections still
                // being served.
            })?;
        Ok(SimServer {
            address,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A failure a simulator can be told to produce instead of its answer;
/// each simulator renders it in its provider's own format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Throttled, asking to retry after this many seconds.
    Throttle { retry_after_seconds: u64 },
    /// An internal server error (HTTP 500).
    ServerError,
    /// No answer at all: the request hangs until the client gives up.
    Hang,
    /// HTTP 200 with a body that is not the documented shape.
    MalformedBody,
    /// A fault every simulator answers alike, whatever its provider.
    Common(CommonFault),
}

/// The faults of a hostile server, answered the same by every simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommonFault {
    /// HTTP 307 to `http://127.0.0.1:{port}/stolen`: a server handing the
    /// request (its token headers, its body) to another host.
    Redirect { port: u16 },
    /// HTTP 200 with a body of `bytes` spaces and then `{}`.
    HugeBody { bytes: usize },
    /// HTTP `status` with `body` as it is (an error page that echoes what
    /// it should not).
    Body { status: u16, body: String },
}

impl CommonFault {
    /// The answer: a redirect, a huge body, or the body given.
    pub fn response(&self) -> axum::response::Response {
        use axum::response::IntoResponse;
        match self {
            CommonFault::Redirect { port } => (
                axum::http::StatusCode::TEMPORARY_REDIRECT,
                [("location", format!("http://127.0.0.1:{port}/stolen"))],
            )
                .into_response(),
            CommonFault::HugeBody { bytes } => {
                let mut body = " ".repeat(*bytes);
                body.push_str("{}");
                ([("content-type", "application/json")], body).into_response()
            }
            CommonFault::Body { status, body } => (
                axum::http::StatusCode::from_u16(*status)
                    .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
                body.clone(),
            )
                .into_response(),
        }
    }
}

/// Counts a simulator's requests and holds the faults planned for some of
/// them. Request numbers start at 1 and count every request the simulator
/// receives, rejected ones included.
#[derive(Debug, Default)]
pub struct Faults {
    requests: AtomicU64,
    planned: Mutex<BTreeMap<u64, Fault>>,
    latency_ms: AtomicU64,
}

impl Faults {
    /// Plans `fault` for request number `nth` (1-based).
    pub fn inject(&self, nth: u64, fault: Fault) {
        self.lock().insert(nth, fault);
    }

    /// Plans `fault` for the request after the ones received so far.
    pub fn inject_next(&self, fault: Fault) {
        let next = self.request_count() + 1;
        self.inject(next, fault);
    }

    /// Forgets every planned fault.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Requests received so far.
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// Adds `latency` before every answer (benchmarks, `simulate --latency`).
    pub fn set_latency(&self, latency: Duration) {
        let millis = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.latency_ms.store(millis, Ordering::Relaxed);
    }

    /// Counts a new request, waits the configured latency, and returns the
    /// fault planned for it, if any. A [`Fault::Hang`] never returns.
    pub async fn on_request(&self) -> Option<Fault> {
        let number = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        let fault = self.lock().remove(&number);
        let latency = self.latency_ms.load(Ordering::Relaxed);
        if latency > 0 {
            // The runtime's timer rounds a sleep up to its next millisecond
            // tick (measured: 20 ms became 21.2 to 21.5); a thread's sleep
            // is accurate to tens of microseconds, which keeps benchmark
            // figures about the client rather than the simulator.
            let latency = Duration::from_millis(latency);
            let slept = tokio::task::spawn_blocking(move || std::thread::sleep(latency)).await;
            if slept.is_err() {
                tokio::time::sleep(latency).await;
            }
        }
        if fault == Some(Fault::Hang) {
            // Until the client gives up or the server is dropped.
            std::future::pending::<()>().await;
        }
        fault
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Fault>> {
        // A panic while holding this lock cannot leave the map inconsistent.
        self.planned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn faults_fire_on_their_request_only() {
        let faults = Faults::default();
        faults.inject(2, Fault::ServerError);
        faults.inject(3, Fault::MalformedBody);
        assert_eq!(faults.on_request().await, None);
        assert_eq!(faults.on_request().await, Some(Fault::ServerError));
        assert_eq!(faults.on_request().await, Some(Fault::MalformedBody));
        assert_eq!(faults.on_request().await, None);
        assert_eq!(faults.request_count(), 4);
        faults.inject_next(Fault::ServerError);
        assert_eq!(faults.on_request().await, Some(Fault::ServerError));
    }

    #[test]
    fn serves_on_loopback_and_stops_when_dropped() {
        let router = axum::Router::new().route("/", axum::routing::get(|| async { "hello" }));
        let server = SimServer::start(router).unwrap();
        assert!(server.address().ip().is_loopback());
        let address = server.address();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let body = runtime.block_on(async {
            reqwest::get(server.url())
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        });
        assert_eq!(body, "hello");
        drop(server);
        assert!(std::net::TcpStream::connect(address).is_err());
    }
}
