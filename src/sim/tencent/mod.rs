//! A simulated Tencent Cloud VPC API 3.0 endpoint (`POST /`,
//! `DescribeVpnConnections`) on 127.0.0.1. It checks what the real one
//! checks (TC3-HMAC-SHA256 signature recomputed from the request received,
//! timestamp within 5 minutes, token, action, version, region, `Limit` at
//! most 100, known parameters and filters), pages by `Offset`/`Limit`,
//! filters, and answers errors as `Response.Error` with HTTP 200.
//!
//! Injected faults: [`Fault::Throttle`] is `RequestLimitExceeded` (HTTP 200,
//! with `Retry-After`), [`Fault::ServerError`] an HTTP 500 with
//! `InternalError`, [`Fault::MalformedBody`] a truncated body.
//!
//! The submodules hold what the legacy simulator shares ([`shared`]), the
//! signature check ([`verify`]) and estate generation ([`generate`]).

pub mod generate;
pub mod shared;
pub mod verify;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::sim::{Fault, SimServer};
pub use generate::generate_estate;
use shared::Core;
pub use shared::Estate;

/// The SecretId the simulator accepts unless configured otherwise.
pub const DEMO_SECRET_ID: &str = "AKIDvpnsnapDemoSecretId0000000000000";
/// The SecretKey the simulator accepts unless configured otherwise.
pub const DEMO_SECRET_KEY: &str = "vpnsnapDemoSecretKey00000000000000";
/// The region the simulator serves unless configured otherwise.
pub const DEMO_REGION: &str = "ap-guangzhou";
/// The largest `Limit` accepted.
pub const MAX_LIMIT: u64 = 100;
/// The `Limit` when none is given.
pub const DEFAULT_LIMIT: u64 = 20;

/// What the simulator accepts and serves.
#[derive(Debug, Clone)]
pub struct TencentSimConfig {
    pub secret_id: String,
    pub secret_key: String,
    /// When set, every request must carry it as `X-TC-Token`; when not,
    /// none may.
    pub token: Option<String>,
    pub region: String,
    pub estate: Estate,
}

impl Default for TencentSimConfig {
    fn default() -> TencentSimConfig {
        TencentSimConfig {
            secret_id: DEMO_SECRET_ID.to_string(),
            secret_key: DEMO_SECRET_KEY.to_string(),
            token: None,
            region: DEMO_REGION.to_string(),
            estate: Estate::default(),
        }
    }
}

/// A refusal, rendered as `Response.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &str, message: &str) -> ApiError {
        ApiError {
            code: code.to_string(),
            message: message.to_string(),
        }
    }
}

struct Sim {
    config: TencentSimConfig,
    core: Core,
}

/// A running simulator; dropping it stops it.
pub struct TencentSim {
    sim: Arc<Sim>,
    server: SimServer,
}

impl TencentSim {
    /// Starts serving `config.estate` on a free port of 127.0.0.1.
    pub fn start(mut config: TencentSimConfig) -> std::io::Result<TencentSim> {
        let estate = std::mem::take(&mut config.estate);
        let sim = Arc::new(Sim {
            config,
            core: Core::new(estate),
        });
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&sim));
        Ok(TencentSim {
            sim,
            server: SimServer::start(router)?,
        })
    }

    /// The endpoint to configure: `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("{}/", self.server.url())
    }

    shared::core_handle_methods!();
}

async fn handle(
    State(sim): State<Arc<Sim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = sim.core.request_id();
    if let Some(fault) = sim.core.faults.on_request().await {
        return fault_response(fault, &request_id);
    }
    if method != Method::POST {
        return (StatusCode::METHOD_NOT_ALLOWED, "POST only").into_response();
    }
    let answer = verify::check(
        &verify::Expected {
            secret_id: &sim.config.secret_id,
            secret_key: &sim.config.secret_key,
            token: sim.config.token.as_deref(),
            region: &sim.config.region,
            now: sim.core.now(),
        },
        uri.path(),
        &headers,
        &body,
    )
    .and_then(|()| describe(&sim.core, &body));
    let response = match answer {
        Ok(mut response) => {
            response.insert("RequestId".into(), Value::from(request_id));
            response
        }
        Err(error) => error_response(&error, &request_id),
    };
    axum::Json(json!({ "Response": response })).into_response()
}

fn error_response(error: &ApiError, request_id: &str) -> Map<String, Value> {
    let body = json!({
        "Error": {"Code": error.code, "Message": error.message},
        "RequestId": request_id,
    });
    match body {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn fault_response(fault: Fault, request_id: &str) -> Response {
    match fault {
        Fault::Common(common) => common.response(),
        Fault::Throttle {
            retry_after_seconds,
        } => {
            let error = ApiError::new(
                "RequestLimitExceeded",
                "Your current request times exceeds the limit, please try again later.",
            );
            let body = json!({ "Response": error_response(&error, request_id) });
            (
                [("retry-after", retry_after_seconds.to_string())],
                axum::Json(body),
            )
                .into_response()
        }
        Fault::ServerError => {
            let error = ApiError::new("InternalError", "An internal error has occurred.");
            let body = json!({ "Response": error_response(&error, request_id) });
            (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
        }
        Fault::MalformedBody | Fault::Hang => (
            [("content-type", "application/json")],
            "{\"Response\": {\"TotalCount\": 3, \"VpnConnectionSet\": [{\"VpnConn",
        )
            .into_response(),
    }
}

/// The filters `DescribeVpnConnections` knows, and the field each matches.
const FILTERS: [(&str, &str); 5] = [
    ("vpc-id", "VpcId"),
    ("vpn-gateway-id", "VpnGatewayId"),
    ("customer-gateway-id", "CustomerGatewayId"),
    ("vpn-connection-name", "VpnConnectionName"),
    ("vpn-connection-id", "VpnConnectionId"),
];

/// The parameters `DescribeVpnConnections` knows.
const PARAMETERS: [&str; 5] = ["Offset", "Limit", "Filters", "VpcId", "VpnGatewayId"];

/// Answers a verified `DescribeVpnConnections` request.
fn describe(core: &Core, body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let invalid = |message: &str| ApiError::new("InvalidParameterValue", message);
    let request: Map<String, Value> = if body.is_empty() {
        Map::new()
    } else {
        serde_json::from_slice(body)
            .map_err(|_| ApiError::new("InvalidParameter", "The body is not a JSON object."))?
    };
    if let Some(unknown) = request
        .keys()
        .find(|key| !PARAMETERS.contains(&key.as_str()))
    {
        return Err(ApiError::new(
            "UnknownParameter",
            &format!("The parameter `{unknown}` is not recognized."),
        ));
    }
    let number = |key: &str, default: u64| match request.get(key) {
        None => Ok(default),
        Some(value) => value.as_u64().ok_or_else(|| {
            invalid(&format!(
                "The value of `{key}` is not a non-negative integer."
            ))
        }),
    };
    let offset = number("Offset", 0)?;
    let limit = number("Limit", DEFAULT_LIMIT)?;
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(invalid(&format!(
            "The value of `Limit` must be between 1 and {MAX_LIMIT}, not {limit}."
        )));
    }
    let mut wanted: Vec<(&str, Vec<String>)> = Vec::new();
    for (key, field) in [("VpcId", "VpcId"), ("VpnGatewayId", "VpnGatewayId")] {
        if let Some(value) = request.get(key) {
            let value = value
                .as_str()
                .ok_or_else(|| invalid(&format!("The value of `{key}` is not a string.")))?;
            wanted.push((field, vec![value.to_string()]));
        }
    }
    let filters = match request.get("Filters") {
        None => &Vec::new(),
        Some(Value::Array(filters)) => filters,
        Some(_) => return Err(invalid("`Filters` is not a list.")),
    };
    for filter in filters {
        let name = filter.get("Name").and_then(Value::as_str).unwrap_or("");
        let field = FILTERS
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, field)| *field)
            .ok_or_else(|| {
                ApiError::new(
                    "InvalidParameter.FilterInvalidKey",
                    &format!("The filter name `{name}` is not supported."),
                )
            })?;
        let values = filter
            .get("Values")
            .and_then(Value::as_array)
            .and_then(|values| {
                values
                    .iter()
                    .map(|value| value.as_str().map(str::to_string))
                    .collect::<Option<Vec<String>>>()
            })
            .ok_or_else(|| {
                invalid(&format!(
                    "The filter `{name}` has no list of string Values."
                ))
            })?;
        wanted.push((field, values));
    }
    let matches = |object: &Value| {
        wanted.iter().all(|(field, values)| {
            object
                .get(*field)
                .and_then(Value::as_str)
                .is_some_and(|value| values.iter().any(|wanted| wanted == value))
        })
    };
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let (total, items) = core.page(matches, offset, limit);
    let mut response = Map::new();
    response.insert("TotalCount".into(), Value::from(total));
    response.insert("VpnConnectionSet".into(), Value::from(items));
    Ok(response)
}
