//! Stopping on SIGINT/SIGTERM: [`Shutdown`], the request that every
//! collection run, the scheduler and `simulate` watch, and the signal
//! handlers behind it. From the crate it imports only the exit codes.

use std::sync::Arc;

use tokio::sync::watch;

use crate::exit::Exit;

/// A shutdown request (SIGINT/SIGTERM) that every run and the scheduler
/// watch.
#[derive(Debug, Clone)]
pub struct Shutdown {
    requested: watch::Receiver<bool>,
    /// Keeps the channel open when nothing else sends on it.
    _sender: Option<Arc<watch::Sender<bool>>>,
}

impl Shutdown {
    /// Listens for SIGINT and SIGTERM on `runtime`; a second signal exits
    /// the process at once ([`Exit::Aborted`]). The handlers are in place
    /// when this returns, so no signal that comes later meets the default
    /// action.
    pub fn on_signals(runtime: &tokio::runtime::Runtime) -> Shutdown {
        let (request, requested) = watch::channel(false);
        let mut signals = {
            let _context = runtime.enter();
            Signals::listen()
        };
        runtime.spawn(async move {
            let signal = signals.next().await;
            // Normal operation (systemd stops services with SIGTERM): news
            // at -v, not a warning.
            tracing::info!("{signal} received: stopping (a second signal exits at once)");
            let _ = request.send(true);
            signals.next().await;
            // Safe at any point: SQLite rolls back a transaction that did
            // not commit, so the database stays as before the run.
            eprintln!("second signal: exiting now; nothing of this run is stored");
            std::process::exit(i32::from(Exit::Aborted.code()));
        });
        Shutdown {
            requested,
            _sender: None,
        }
    }

    /// A shutdown that never comes, for library callers and tests.
    pub fn never() -> Shutdown {
        let (request, requested) = watch::channel(false);
        Shutdown {
            requested,
            _sender: Some(Arc::new(request)),
        }
    }

    /// A shutdown the caller triggers by sending `true` (tests).
    pub fn manual() -> (watch::Sender<bool>, Shutdown) {
        let (request, requested) = watch::channel(false);
        let shutdown = Shutdown {
            requested,
            _sender: None,
        };
        (request, shutdown)
    }

    pub fn is_requested(&self) -> bool {
        *self.requested.borrow()
    }

    /// Resolves once a shutdown has been requested.
    pub async fn requested(&self) {
        let mut requested = self.requested.clone();
        // An error means the sender is gone: no shutdown can come any more.
        if requested.wait_for(|requested| *requested).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// SIGINT and SIGTERM, listened for from the moment of [`Signals::listen`].
struct Signals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Installs the handlers; must run inside the runtime's context.
    #[cfg(unix)]
    fn listen() -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind: SignalKind, name: &str| match signal(kind) {
            Ok(listener) => Some(listener),
            Err(error) => {
                tracing::warn!("cannot listen for {name}: {error}");
                None
            }
        };
        Signals {
            interrupt: listen(SignalKind::interrupt(), "SIGINT"),
            terminate: listen(SignalKind::terminate(), "SIGTERM"),
        }
    }

    #[cfg(not(unix))]
    fn listen() -> Signals {
        Signals {}
    }

    /// Resolves at the next signal, naming it.
    #[cfg(unix)]
    async fn next(&mut self) -> &'static str {
        async fn received(listener: &mut Option<tokio::signal::unix::Signal>) {
            match listener {
                Some(listener) => {
                    listener.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        tokio::select! {
            () = received(&mut self.interrupt) => "SIGINT",
            () = received(&mut self.terminate) => "SIGTERM",
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
