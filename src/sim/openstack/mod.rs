//! A simulated OpenStack cloud on 127.0.0.1: Keystone v3 (tokens for the
//! configured password or application credential only, with a service
//! catalog holding a network endpoint per region and interface) and Neutron
//! VPNaaS v2.0 (tokens checked on every request, `limit` / `marker` paging
//! with `*_links` as Neutron emulates it, or paging disabled, and each
//! object shown by id) with the networking API's subnets (filtered by id,
//! fields selected), over an [`Estate`] that scripts can edit in place,
//! between two listings or between two requests of one.
//!
//! One server holds both: Keystone under `/identity` (so `auth_url` is
//! `{url}/identity` or `{url}/identity/v3`) and each region's Neutron under
//! `/network/{region}/{interface}`, the catalog's unversioned URLs.

mod error;
mod estate;
mod generate;
mod keystone;
mod neutron;
mod paging;
mod subnets;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};

use super::{Faults, SimServer};

pub use estate::{DEMO_PROJECT_ID, Estate, sample, subnet};
pub use generate::generate_estate;

/// The user the simulator accepts by default.
pub const DEMO_USERNAME: &str = "demo";
/// The password of [`DEMO_USERNAME`].
pub const DEMO_PASSWORD: &str = "demo-Passw0rd";
/// The user's and the project's domain.
pub const DEMO_DOMAIN: &str = "Default";
/// The project [`DEMO_USERNAME`] is a member of (id [`DEMO_PROJECT_ID`]).
pub const DEMO_PROJECT_NAME: &str = "demo";
/// An application credential of the demo project.
pub const DEMO_APPLICATION_CREDENTIAL_ID: &str = "3f1e5b2a9c8d4e7f8a6b5c4d3e2f1a0b";
/// Its secret.
pub const DEMO_APPLICATION_CREDENTIAL_SECRET: &str = "demo-AppCred-Secret";
/// The region of the default catalog.
pub const DEMO_REGION: &str = "RegionOne";

/// How the simulated Neutron pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paging {
    /// `limit` / `marker` with `next` / `previous` links, as Neutron
    /// emulates paging for VPNaaS: every full page has a next link.
    #[default]
    Native,
    /// `allow_pagination = False`: parameters ignored, everything at once,
    /// no links.
    Disabled,
    /// A broken server: honours `limit` but ignores `marker`, so its next
    /// link never advances.
    IgnoresMarker,
    /// A hostile or broken server whose VPNaaS collections never end:
    /// every page is full (`limit` objects, 100 without one) of objects
    /// made from the collection's first (ids `endless-{n}`, the marker's
    /// `n` plus one on), each with `padding` bytes of description, and
    /// links to the next.
    Endless { padding: usize },
}

/// What the simulator accepts and serves.
#[derive(Debug, Clone)]
pub struct OpenStackSimConfig {
    pub username: String,
    pub password: String,
    pub user_domain_name: String,
    pub project_name: String,
    pub project_id: String,
    pub project_domain_name: String,
    pub application_credential_id: String,
    pub application_credential_secret: String,
    /// The catalog's regions; each has a public, internal and admin
    /// network endpoint.
    pub regions: Vec<String>,
    /// How long an issued token is valid.
    pub token_lifetime: Duration,
    pub paging: Paging,
    /// Neutron's `pagination_max_limit`: larger limits are cut to it.
    pub max_limit: Option<usize>,
    pub estate: Estate,
}

impl Default for OpenStackSimConfig {
    fn default() -> OpenStackSimConfig {
        OpenStackSimConfig {
            username: DEMO_USERNAME.into(),
            password: DEMO_PASSWORD.into(),
            user_domain_name: DEMO_DOMAIN.into(),
            project_name: DEMO_PROJECT_NAME.into(),
            project_id: DEMO_PROJECT_ID.into(),
            project_domain_name: DEMO_DOMAIN.into(),
            application_credential_id: DEMO_APPLICATION_CREDENTIAL_ID.into(),
            application_credential_secret: DEMO_APPLICATION_CREDENTIAL_SECRET.into(),
            regions: vec![DEMO_REGION.into()],
            token_lifetime: Duration::from_secs(3600),
            paging: Paging::Native,
            max_limit: None,
            estate: Estate::sample(),
        }
    }
}

/// A change made to the estate when a given request arrives.
type EstateEdit = Box<dyn FnOnce(&mut Estate) + Send>;

/// What the handlers share.
struct State {
    config: OpenStackSimConfig,
    estate: Mutex<Estate>,
    /// Whether Neutron's policy refuses the listings (a user without a role).
    denied: std::sync::atomic::AtomicBool,
    /// Whether the subnets routes answer 500.
    subnets_failing: std::sync::atomic::AtomicBool,
    /// Issued tokens and when they expire.
    tokens: Mutex<HashMap<String, DateTime<Utc>>>,
    /// Request numbers on which every token issued so far expires.
    expire_on: Mutex<BTreeSet<u64>>,
    /// Edits to make to the estate when a request number arrives.
    edits: Mutex<BTreeMap<u64, Vec<EstateEdit>>>,
    /// Request numbers answered with an error quoting their token.
    echo_token_on: Mutex<BTreeSet<u64>>,
    /// `METHOD /path?query` of every request, in order.
    log: Mutex<Vec<String>>,
    faults: Arc<Faults>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The simulator's state stays consistent across a panicking handler.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    /// Counts and logs a request, applies a planned token expiry and the
    /// estate edits planned for it, and returns the fault planned for it
    /// (an error echoing the request's token, if one was planned).
    async fn on_request(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &axum::http::HeaderMap,
    ) -> Option<super::Fault> {
        lock(&self.log).push(format!("{method} {path_and_query}"));
        let fault = self.faults.on_request().await;
        let number = self.faults.request_count();
        if lock(&self.expire_on).remove(&number) {
            self.expire_tokens();
        }
        let edits = lock(&self.edits).remove(&number).unwrap_or_default();
        if !edits.is_empty() {
            let mut estate = lock(&self.estate);
            edits.into_iter().for_each(|edit| edit(&mut estate));
        }
        if lock(&self.echo_token_on).remove(&number) {
            let token = headers
                .get("x-auth-token")
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            let message = format!("Invalid input for operation: token {token} is not valid here.");
            let body = serde_json::json!({"NeutronError": {
                "type": "InvalidInput", "message": message, "detail": ""}});
            return Some(super::Fault::Common(super::CommonFault::Body {
                status: 400,
                body: body.to_string(),
            }));
        }
        fault
    }

    fn expire_tokens(&self) {
        let past = Utc::now() - chrono::Duration::seconds(1);
        lock(&self.tokens)
            .values_mut()
            .for_each(|expires_at| *expires_at = past);
    }
}

/// A running simulated cloud; dropping it stops it.
pub struct OpenStackSim {
    server: SimServer,
    state: Arc<State>,
}

impl OpenStackSim {
    /// Starts serving `config` on a free port of 127.0.0.1.
    pub fn start(config: OpenStackSimConfig) -> std::io::Result<OpenStackSim> {
        let state = Arc::new(State {
            estate: Mutex::new(config.estate.clone()),
            denied: Default::default(),
            subnets_failing: Default::default(),
            config,
            tokens: Mutex::default(),
            expire_on: Mutex::default(),
            edits: Mutex::default(),
            echo_token_on: Mutex::default(),
            log: Mutex::default(),
            faults: Arc::default(),
        });
        let router = Router::new()
            .route("/identity/v3/auth/tokens", post(keystone::issue_token))
            .route(
                "/network/{region}/{interface}/v2.0/vpn/{collection}",
                get(neutron::list),
            )
            .route(
                "/network/{region}/{interface}/v2.0/vpn/{collection}/{id}",
                get(neutron::show),
            )
            .route(
                "/network/{region}/{interface}/v2.0/subnets",
                get(subnets::list),
            )
            .route(
                "/network/{region}/{interface}/v2.0/subnets/{id}",
                get(subnets::show),
            )
            .fallback(neutron::not_found)
            .with_state(Arc::clone(&state));
        let server = SimServer::start(router)?;
        Ok(OpenStackSim { server, state })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The `auth_url` to configure: `{url}/identity/v3`.
    pub fn auth_url(&self) -> String {
        format!("{}/identity/v3", self.url())
    }

    /// The catalog's network URL of `region` for `interface` (unversioned).
    pub fn network_url(&self, region: &str, interface: &str) -> String {
        format!("{}/network/{region}/{interface}", self.url())
    }

    /// The request counter and planned failures (every request counts,
    /// Keystone's included).
    pub fn faults(&self) -> &Faults {
        &self.state.faults
    }

    /// Reads or edits the estate (set a status, edit a policy in place,
    /// add or delete objects); later requests see the change.
    pub fn with_estate<R>(&self, f: impl FnOnce(&mut Estate) -> R) -> R {
        f(&mut lock(&self.state.estate))
    }

    /// Runs `edit` on the estate once, when request number `nth` (counted
    /// as [`Faults`] counts them, Keystone's included) arrives, before it is
    /// served: how a script changes the estate between two requests of one
    /// listing, e.g. creates a connection and its policy after the policies
    /// were listed. Several edits for one request run in the order given.
    pub fn edit_estate_on_request(
        &self,
        nth: u64,
        edit: impl FnOnce(&mut Estate) + Send + 'static,
    ) {
        lock(&self.state.edits)
            .entry(nth)
            .or_default()
            .push(Box::new(edit));
    }

    /// Makes Neutron's policy refuse (403 `PolicyNotAuthorized`) or allow
    /// the listings, as for a user whose role was taken away.
    pub fn set_denied(&self, denied: bool) {
        self.state
            .denied
            .store(denied, std::sync::atomic::Ordering::SeqCst);
    }

    /// Makes the subnets routes answer 500 `HTTPInternalServerError` (a
    /// failing networking API) or serve again, for later requests.
    pub fn set_subnets_failing(&self, failing: bool) {
        self.state
            .subnets_failing
            .store(failing, std::sync::atomic::Ordering::SeqCst);
    }

    /// Expires every token issued so far: their next use gets a 401.
    pub fn expire_tokens(&self) {
        self.state.expire_tokens();
    }

    /// Expires every token issued so far when request number `nth`
    /// (counted as [`Faults`] counts them) arrives, before it is checked.
    pub fn expire_tokens_on_request(&self, nth: u64) {
        lock(&self.state.expire_on).insert(nth);
    }

    /// `METHOD /path?query` of every request so far, in order.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state.log).clone()
    }

    /// Tokens issued so far.
    pub fn tokens_issued(&self) -> usize {
        lock(&self.state.tokens).len()
    }

    /// The tokens issued so far, in no particular order.
    pub fn issued_tokens(&self) -> Vec<String> {
        lock(&self.state.tokens).keys().cloned().collect()
    }

    /// Answers request number `nth` (counted as [`Faults`] counts them)
    /// with a 400 `InvalidInput` whose message quotes the `X-Auth-Token` it
    /// was sent: a server (or a proxy's error page) that echoes the issued
    /// Keystone token.
    pub fn echo_token_on_request(&self, nth: u64) {
        lock(&self.state.echo_token_on).insert(nth);
    }
}
