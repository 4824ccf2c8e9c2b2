//! A simulated Tencent Cloud legacy VPC API endpoint (`GET
//! /v2/index.php?Action=DescribeVpnConn&...`) on 127.0.0.1. It recomputes
//! the HmacSHA1/HmacSHA256 signature from the query and `Host` received
//! (wrong: code 4100), refuses a `Timestamp` more than 2 hours off and a
//! `Nonce` it has seen before from the same SecretId (code 4500), knows its
//! parameters, pages by `offset`/`limit` (at most 50, else code 4000),
//! and filters by `vpcId`, `vpnGwId`, `vpnConnId` and `vpnConnName`. The
//! signature check (verify.rs) is written from the protocol, apart from the
//! client's signer, so that a bug in one is not mirrored by the other.
//!
//! Injected faults: [`Fault::Throttle`] is code 4400 (request quota
//! exceeded, HTTP 200, with `Retry-After`), [`Fault::ServerError`] an HTTP
//! 500 with code 6000, [`Fault::MalformedBody`] a truncated body.

pub mod generate;
mod verify;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::sim::tencent::Estate;
use crate::sim::tencent::shared::{self, Core};
use crate::sim::{Fault, SimServer};
pub use generate::generate_estate;
pub use verify::MAX_SKEW_SECONDS;

/// The SecretId the simulator accepts unless configured otherwise.
pub const DEMO_SECRET_ID: &str = "AKIDvpnsnapLegacyDemo000000000000000";
/// The SecretKey the simulator accepts unless configured otherwise.
pub const DEMO_SECRET_KEY: &str = "vpnsnapLegacyDemoSecretKey000000";
/// The path served, as on `vpc.api.qcloud.com`.
pub const PATH: &str = "/v2/index.php";
/// The largest `limit` accepted.
pub const MAX_LIMIT: u64 = 50;
/// The `limit` when none is given.
pub const DEFAULT_LIMIT: u64 = 20;

/// What the simulator accepts and serves.
#[derive(Debug, Clone)]
pub struct TencentLegacySimConfig {
    pub secret_id: String,
    pub secret_key: String,
    /// The `Region` values accepted (short and long names of one region).
    pub regions: Vec<String>,
    pub estate: Estate,
}

impl Default for TencentLegacySimConfig {
    fn default() -> TencentLegacySimConfig {
        TencentLegacySimConfig {
            secret_id: DEMO_SECRET_ID.to_string(),
            secret_key: DEMO_SECRET_KEY.to_string(),
            regions: vec!["gz".to_string(), "ap-guangzhou".to_string()],
            estate: Estate::default(),
        }
    }
}

struct Sim {
    config: TencentLegacySimConfig,
    core: Core,
    /// `(SecretId, Nonce)` seen, with the request's timestamp.
    nonces: Mutex<HashMap<(String, u64), i64>>,
}

/// A running simulator; dropping it stops it.
pub struct TencentLegacySim {
    sim: Arc<Sim>,
    server: SimServer,
}

impl TencentLegacySim {
    /// Starts serving `config.estate` on a free port of 127.0.0.1.
    pub fn start(mut config: TencentLegacySimConfig) -> std::io::Result<TencentLegacySim> {
        let estate = std::mem::take(&mut config.estate);
        let sim = Arc::new(Sim {
            config,
            core: Core::new(estate),
            nonces: Mutex::new(HashMap::new()),
        });
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&sim));
        Ok(TencentLegacySim {
            sim,
            server: SimServer::start(router)?,
        })
    }

    /// The endpoint to configure: `http://127.0.0.1:PORT/v2/index.php`.
    pub fn url(&self) -> String {
        format!("{}{PATH}", self.server.url())
    }

    shared::core_handle_methods!();
}

/// A refusal: the legacy `code`, its `codeDesc` and a message.
struct Refusal(i64, &'static str, String);

fn refuse(code: i64, desc: &'static str, message: impl Into<String>) -> Refusal {
    Refusal(code, desc, message.into())
}

async fn handle(
    State(sim): State<Arc<Sim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    if let Some(fault) = sim.core.faults.on_request().await {
        return fault_response(fault);
    }
    if uri.path() != PATH {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    if method != Method::GET {
        return (StatusCode::METHOD_NOT_ALLOWED, "GET only").into_response();
    }
    let answer = match query {
        Ok(Query(params)) => answer(&sim, &headers, &params),
        Err(_) => Err(refuse(
            4000,
            "InvalidParameter",
            "the query cannot be decoded",
        )),
    };
    let body = match answer {
        Ok(body) => body,
        Err(Refusal(code, desc, message)) => {
            json!({"code": code, "message": message, "codeDesc": desc})
        }
    };
    axum::Json(body).into_response()
}

fn fault_response(fault: Fault) -> Response {
    match fault {
        Fault::Common(common) => common.response(),
        Fault::Throttle {
            retry_after_seconds,
        } => (
            [("retry-after", retry_after_seconds.to_string())],
            axum::Json(json!({"code": 4400, "message": "request quota exceeded",
                              "codeDesc": "RequestLimitExceeded"})),
        )
            .into_response(),
        Fault::ServerError => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(json!({"code": 6000, "message": "internal server error",
                              "codeDesc": "InternalError"})),
        )
            .into_response(),
        Fault::MalformedBody | Fault::Hang => (
            [("content-type", "application/json")],
            "{\"code\": 0, \"totalCount\": 3, \"data\": [{\"unVpnConnId",
        )
            .into_response(),
    }
}

/// The parameters `DescribeVpnConn` knows (common ones included).
const PARAMETERS: [&str; 16] = [
    "Action",
    "Region",
    "Timestamp",
    "Nonce",
    "SecretId",
    "SignatureMethod",
    "Signature",
    "Token",
    "vpcId",
    "vpnGwId",
    "vpnConnId",
    "vpnConnName",
    "offset",
    "limit",
    "orderField",
    "orderDirection",
];

fn answer(sim: &Sim, headers: &HeaderMap, params: &[(String, String)]) -> Result<Value, Refusal> {
    let mut by_key: HashMap<&str, &str> = HashMap::new();
    for (key, value) in params {
        if !PARAMETERS.contains(&key.as_str()) {
            return Err(refuse(
                4000,
                "UnknownParameter",
                format!("unknown parameter {key}"),
            ));
        }
        if by_key.insert(key, value).is_some() {
            return Err(refuse(
                4000,
                "InvalidParameter",
                format!("{key} given twice"),
            ));
        }
    }
    let get = |key: &str| by_key.get(key).copied();
    let require = |key: &str| {
        get(key).ok_or_else(|| refuse(4000, "MissingParameter", format!("{key} is missing")))
    };
    let secret_id = require("SecretId")?;
    if secret_id != sim.config.secret_id {
        return Err(refuse(4100, "AuthFailure", "SecretId not found"));
    }
    let timestamp: i64 = require("Timestamp")?
        .parse()
        .map_err(|_| refuse(4000, "InvalidParameter", "Timestamp is not a number"))?;
    let nonce: u64 = require("Nonce")?
        .parse()
        .ok()
        .filter(|nonce| *nonce > 0)
        .ok_or_else(|| refuse(4000, "InvalidParameter", "Nonce is not a positive integer"))?;
    let now = sim.core.now();
    if !verify::fresh(timestamp, now) {
        return Err(refuse(
            4500,
            "RequestExpired",
            format!("Timestamp {timestamp} is more than 2 hours from the server time {now}"),
        ));
    }
    let hash = verify::Hash::named(get("SignatureMethod")).ok_or_else(|| {
        refuse(
            4000,
            "InvalidParameter",
            "SignatureMethod is not HmacSHA1 or HmacSHA256",
        )
    })?;
    let host = headers
        .get("host")
        .and_then(|host| host.to_str().ok())
        .unwrap_or_default();
    let source = verify::string_to_sign("GET", host, PATH, params);
    let signed = get("Signature").is_some_and(|claimed| {
        verify::signature_matches(hash, &sim.config.secret_key, &source, claimed)
    });
    if !signed {
        return Err(refuse(
            4100,
            "AuthFailure.SignatureFailure",
            "signature verification failed",
        ));
    }
    remember_nonce(sim, secret_id, nonce, timestamp, now)?;
    if require("Action")? != crate::provider::tencent_legacy::ACTION {
        return Err(refuse(4000, "InvalidAction", "action not found"));
    }
    let region = require("Region")?;
    if !sim.config.regions.iter().any(|known| known == region) {
        return Err(refuse(
            4000,
            "InvalidRegion",
            format!("region {region} does not exist"),
        ));
    }
    let number = |key: &str, default: u64| match get(key) {
        None => Ok(default),
        Some(value) => value.parse::<u64>().map_err(|_| {
            refuse(
                4000,
                "InvalidParameterValue",
                format!("{key} is not a non-negative integer"),
            )
        }),
    };
    let offset = number("offset", 0)?;
    let limit = number("limit", DEFAULT_LIMIT)?;
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(refuse(
            4000,
            "InvalidParameterValue",
            format!("limit must be between 1 and {MAX_LIMIT}, not {limit}"),
        ));
    }
    let either = |object: &Value, keys: [&str; 2], wanted: &str| {
        keys.iter().any(|key| match object.get(*key) {
            Some(Value::String(value)) => value == wanted,
            Some(Value::Number(value)) => value.to_string() == wanted,
            _ => false,
        })
    };
    let matches = |object: &Value| {
        get("vpcId").is_none_or(|id| either(object, ["unVpcId", "vpcId"], id))
            && get("vpnGwId").is_none_or(|id| either(object, ["unVpnGwId", "vpnGwId"], id))
            && get("vpnConnId").is_none_or(|id| either(object, ["unVpnConnId", "vpnConnId"], id))
            && get("vpnConnName").is_none_or(|name| {
                object
                    .get("vpnConnName")
                    .and_then(Value::as_str)
                    .is_some_and(|value| value.contains(name))
            })
    };
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let (total, data) = sim.core.page(matches, offset, limit);
    Ok(json!({"code": 0, "message": "", "codeDesc": "Success", "totalCount": total, "data": data}))
}

/// Refuses a `(SecretId, Nonce)` seen before; forgets those whose
/// timestamps have left the replay window.
fn remember_nonce(
    sim: &Sim,
    secret_id: &str,
    nonce: u64,
    timestamp: i64,
    now: i64,
) -> Result<(), Refusal> {
    let mut nonces = sim.nonces.lock().unwrap_or_else(PoisonError::into_inner);
    if nonces.len() >= 100_000 {
        nonces.retain(|_, seen| verify::fresh(*seen, now));
    }
    if nonces
        .insert((secret_id.to_string(), nonce), timestamp)
        .is_some()
    {
        return Err(refuse(
            4500,
            "InvalidParameter.NonceReused",
            format!("Nonce {nonce} was already used: replay refused"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
