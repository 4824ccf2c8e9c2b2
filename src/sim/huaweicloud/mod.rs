//! A simulated Huawei Cloud VPN v5 endpoint: the list and show calls over a
//! mutable [`Estate`], behind the checks the API gateway makes (AK/SK
//! signature and its 15-minute window, security token, IAM token, project
//! header and path), with the documented error bodies and injected faults.
//! It also serves the VPN gateways and customer gateways connections name
//! (`vpn-gateways`, `customer-gateways`), and can refuse either list as IAM
//! does when the permission is missing ([`HuaweiSim::deny`]).

mod answer;
mod connections;
mod estate;
mod gateways;
mod serve;
mod verify;

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::TimeDelta;

pub use estate::{Estate, generate_estate};
pub use verify::KeyPair;

use super::{Faults, SimServer};
use serve::{Shared, handle};

/// The access key the simulator accepts by default.
pub const DEMO_ACCESS_KEY: &str = "VPNSNAPDEMOACCESSKEY";
/// The secret key of [`DEMO_ACCESS_KEY`].
pub const DEMO_SECRET_KEY: &str = "vpnsnap-demo-secret-key-for-the-simulator";
/// The project the simulator serves by default.
pub const DEMO_PROJECT_ID: &str = "0605767b5a80d5762fc7c0001d0b2f10";
/// The IAM token the simulator accepts by default (`X-Auth-Token`).
pub const DEMO_AUTH_TOKEN: &str = "MIIDemoVpnsnapSimulatorToken";
/// The default and largest `limit` of the standard edition.
pub const DEFAULT_LIMIT: u32 = 200;

/// What the simulated endpoint serves and accepts.
#[derive(Clone)]
pub struct HuaweiSimConfig {
    pub project_id: String,
    /// The AK/SK pair (and security token, for temporary credentials).
    pub keys: KeyPair,
    /// The IAM token accepted as `X-Auth-Token`; `None` refuses tokens.
    pub auth_token: Option<String>,
    /// The largest `limit` accepted (200, or 2000 in some editions).
    pub max_limit: u32,
    pub estate: Estate,
}

impl std::fmt::Debug for HuaweiSimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HuaweiSimConfig")
            .field("project_id", &self.project_id)
            .field("keys", &self.keys)
            .field("auth_token", &self.auth_token.as_ref().map(|_| "***"))
            .field("max_limit", &self.max_limit)
            .field("connections", &self.estate.len())
            .finish()
    }
}

impl Default for HuaweiSimConfig {
    fn default() -> HuaweiSimConfig {
        HuaweiSimConfig {
            project_id: DEMO_PROJECT_ID.to_string(),
            keys: KeyPair {
                access_key: DEMO_ACCESS_KEY.to_string(),
                secret_key: DEMO_SECRET_KEY.to_string(),
                security_token: None,
            },
            auth_token: Some(DEMO_AUTH_TOKEN.to_string()),
            max_limit: DEFAULT_LIMIT,
            estate: Estate::default(),
        }
    }
}

/// The running simulator; dropping it stops the server.
#[derive(Debug)]
pub struct HuaweiSim {
    server: SimServer,
    shared: Arc<Shared>,
}

impl HuaweiSim {
    /// Serves `config` on 127.0.0.1 (a free port).
    pub fn start(config: HuaweiSimConfig) -> std::io::Result<HuaweiSim> {
        HuaweiSim::start_on(config, 0)
    }

    /// Serves `config` on 127.0.0.1:`port` (0 for any free port).
    pub fn start_on(config: HuaweiSimConfig, port: u16) -> std::io::Result<HuaweiSim> {
        let mut estate = config.estate;
        estate.order();
        let shared = Arc::new(Shared {
            project_id: config.project_id,
            keys: config.keys,
            auth_token: config.auth_token,
            max_limit: config.max_limit,
            estate: RwLock::new(estate),
            faults: Faults::default(),
            clock_offset: AtomicI64::new(0),
            denied: Mutex::new(Vec::new()),
            answered: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
        });
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        Ok(HuaweiSim {
            server: SimServer::start_on(router, port)?,
            shared,
        })
    }

    /// `http://127.0.0.1:PORT`: the source's `endpoint`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The request counter and planned failures.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Runs `f` over the connections (edit, add, delete) and restores the
    /// API's order afterwards.
    pub fn with_estate<R>(&self, f: impl FnOnce(&mut Estate) -> R) -> R {
        let mut estate = self
            .shared
            .estate
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let result = f(&mut estate);
        estate.order();
        result
    }

    /// Makes the gateway's clock run `offset` ahead of (or behind) this
    /// machine's, to exercise the `X-Sdk-Date` window.
    pub fn set_clock_offset(&self, offset: TimeDelta) {
        self.shared
            .clock_offset
            .store(offset.num_seconds(), Ordering::Relaxed);
    }

    /// Refuses every request for `collection` (`vpn-gateways`,
    /// `customer-gateways` or `vpn-connection`) with 403, as IAM does for a
    /// user without the permission to list it.
    pub fn deny(&self, collection: &str) {
        self.shared.lock_denied().push(collection.to_string());
    }

    /// The last requests received (up to 1000), as `METHOD path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.shared.lock_log().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_secrets() {
        let text = format!("{:?}", HuaweiSimConfig::default());
        assert!(text.contains(DEMO_ACCESS_KEY), "{text}");
        assert!(!text.contains(DEMO_SECRET_KEY), "{text}");
        assert!(!text.contains(DEMO_AUTH_TOKEN), "{text}");
    }
}
