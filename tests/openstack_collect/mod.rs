//! Collecting from OpenStack against the simulated Keystone + Neutron:
//! both logins, catalog regions, paging (one by one, disabled, broken),
//! token expiry, a policy edited in place, failures that must not delete,
//! subnets resolved to CIDRs, and `vpnsnap collect` end to end. This file holds the shared helpers.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use vpnsnap::collector::{CollectOptions, Collected, collect_source};
use vpnsnap::config::{SourceConfig, load_from_str};
use vpnsnap::http::RetryPolicy;
use vpnsnap::listing::SourceOutcome;
use vpnsnap::provider::Normalized;
use vpnsnap::provider::SourceProgress;
use vpnsnap::sim::openstack::{
    DEMO_APPLICATION_CREDENTIAL_ID, DEMO_APPLICATION_CREDENTIAL_SECRET, DEMO_PASSWORD,
    OpenStackSim, OpenStackSimConfig, Paging, sample,
};
use vpnsnap::sim::{CommonFault, Fault};
use vpnsnap::store::Store;

use crate::support::*;

mod auth;
mod hostile;
mod listing;
mod references;
mod subnets;

const PASSWORD_ENV: &str = "VPNSNAP_TEST_OS_PASSWORD";
const SECRET_ENV: &str = "VPNSNAP_TEST_OS_AC_SECRET";
const TOKEN_ENV: &str = "VPNSNAP_TEST_OS_TOKEN";

fn password_keys(sim: &OpenStackSim) -> String {
    format!(
        "auth_url = \"{}\"\nusername = \"demo\"\npassword = {{ env = \"{PASSWORD_ENV}\" }}\nproject_name = \"demo\"\n",
        sim.auth_url()
    )
}

/// The one `[[source]]` of a config made of `keys`; the password env
/// variable holds `password`.
fn source_with(keys: &str, password: &str, token: &str) -> SourceConfig {
    let text = format!("[[source]]\nname = \"os\"\nkind = \"openstack\"\n{keys}");
    let env = |name: &str| match name {
        PASSWORD_ENV => Some(password.to_string()),
        SECRET_ENV => Some(DEMO_APPLICATION_CREDENTIAL_SECRET.to_string()),
        TOKEN_ENV => Some(token.to_string()),
        _ => None,
    };
    let config = load_from_str(&text, Path::new("/nonexistent/vpnsnap.toml"), &env).unwrap();
    config.sources.into_iter().next().unwrap()
}

fn source(sim: &OpenStackSim, extra: &str) -> SourceConfig {
    source_with(&format!("{}{extra}", password_keys(sim)), DEMO_PASSWORD, "")
}

fn options() -> CollectOptions {
    CollectOptions {
        max_concurrency: 1,
        retry: RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        },
        request_timeout: Duration::from_secs(10),
        source_deadline: Duration::from_secs(60),
        max_response_bytes: vpnsnap::http::DEFAULT_MAX_RESPONSE_BYTES,
        limits: vpnsnap::listing::ListingLimits::default(),
    }
}

fn collect(source: &SourceConfig) -> Collected {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(collect_source(
        source,
        &options(),
        &fingerprinter(),
        &SourceProgress::default(),
    ))
}

fn complete(collected: &Collected) -> Vec<Normalized> {
    match &collected.result.outcome {
        SourceOutcome::Complete(items) => items.to_vec().expect("the listing reads back"),
        other => panic!("expected a complete listing, got {other:?}"),
    }
}

/// The error of a failed collection, with its class.
fn failure(collected: &Collected) -> (&str, &str) {
    match &collected.result.outcome {
        SourceOutcome::Failed { error, .. } => (error, collected.error_class.unwrap_or("none")),
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn ids(items: &[Normalized]) -> Vec<&str> {
    let mut ids: Vec<&str> = items
        .iter()
        .map(|item| item.connection.connection_id.as_str())
        .collect();
    ids.sort_unstable();
    ids
}

fn item<'a>(items: &'a [Normalized], id: &str) -> &'a Normalized {
    items
        .iter()
        .find(|item| item.connection.connection_id == id)
        .unwrap()
}

const CONNECTIONS: &str = "/network/RegionOne/public/v2.0/vpn/ipsec-site-connections";
const IKEPOLICIES: &str = "/network/RegionOne/public/v2.0/vpn/ikepolicies";

fn neutron(path: &str) -> String {
    format!("GET /network/RegionOne/public/v2.0/vpn/{path}")
}

/// A plain HTTP client of the simulator's Neutron, logged in with the demo
/// application credential: for tests of the simulator's own routes.
struct RawNeutron {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    /// `{network endpoint}/v2.0`.
    base: String,
    token: String,
}

impl RawNeutron {
    fn login(sim: &OpenStackSim) -> RawNeutron {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = reqwest::Client::new();
        let body = serde_json::json!({"auth": {"identity": {"methods": ["application_credential"],
            "application_credential": {"id": DEMO_APPLICATION_CREDENTIAL_ID, "secret": DEMO_APPLICATION_CREDENTIAL_SECRET}}}});
        let token = runtime.block_on(async {
            let response = client
                .post(format!("{}/auth/tokens", sim.auth_url()))
                .json(&body)
                .send()
                .await
                .unwrap();
            response.headers()["x-subject-token"]
                .to_str()
                .unwrap()
                .to_string()
        });
        RawNeutron {
            runtime,
            client,
            base: format!("{}/v2.0", sim.network_url("RegionOne", "public")),
            token,
        }
    }

    /// GETs `{base}/{path}`, with the token or without: the status and the
    /// JSON body.
    fn get(&self, path: &str, with_token: bool) -> (u16, Value) {
        let mut request = self.client.get(format!("{}/{path}", self.base));
        if with_token {
            request = request.header("x-auth-token", &self.token);
        }
        self.runtime.block_on(async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        })
    }
}

/// The request for the subnets `ids`, as the collector batches them.
fn subnets_request(ids: &[&str]) -> String {
    let filters: String = ids.iter().map(|id| format!("id={id}&")).collect();
    format!("GET /network/RegionOne/public/v2.0/subnets?{filters}fields=id&fields=cidr")
}
