//! The simulated Keystone: `POST /identity/v3/auth/tokens` with a password
//! (scoped to the configured project by name and domain, or by id) or an
//! application credential. Anything else is refused with Keystone's 401.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

use super::{State, lock};
use crate::sim::Fault;

/// Keystone's error document.
pub fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({"error": {
        "code": status.as_u16(),
        "title": status.canonical_reason().unwrap_or("Error"),
        "message": message,
    }});
    with_request_id(status, body.to_string())
}

/// A JSON response carrying an `x-openstack-request-id`.
pub fn with_request_id(status: StatusCode, body: String) -> Response {
    let id = format!("req-{}", random_hex(16));
    (
        status,
        [
            ("content-type", "application/json".to_string()),
            ("x-openstack-request-id", id),
        ],
        body,
    )
        .into_response()
}

/// `bytes` random bytes as hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    // Without randomness the tokens are still unique by their position.
    if getrandom::fill(&mut buffer).is_err() {
        buffer
            .iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = i as u8);
    }
    hex::encode(buffer)
}

/// The host the client called, for absolute catalog URLs.
pub fn host(headers: &HeaderMap) -> String {
    headers
        .get("host")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string()
}

/// Renders a planned fault in Keystone's format.
fn fault_response(fault: Fault) -> Response {
    match fault {
        Fault::Common(common) => common.response(),
        Fault::Throttle {
            retry_after_seconds,
        } => {
            let mut response = error(StatusCode::TOO_MANY_REQUESTS, "Too many requests");
            if let Ok(value) = retry_after_seconds.to_string().parse() {
                response.headers_mut().insert("retry-after", value);
            }
            response
        }
        Fault::MalformedBody => with_request_id(StatusCode::CREATED, "{\"token\": {".into()),
        Fault::ServerError | Fault::Hang => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An unexpected error prevented the server from fulfilling your request.",
        ),
    }
}

/// `POST /identity/v3/auth/tokens`.
pub async fn issue_token(
    Extract(state): Extract<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(fault) = state
        .on_request("POST", "/identity/v3/auth/tokens", &headers)
        .await
    {
        return fault_response(fault);
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "Malformed JSON in request body.");
    };
    let config = &state.config;
    let identity = &body["auth"]["identity"];
    let methods: Vec<&str> = identity["methods"]
        .as_array()
        .map(|methods| methods.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let accepted = match methods.as_slice() {
        ["password"] => {
            let user = &identity["password"]["user"];
            let scope = &body["auth"]["scope"]["project"];
            let scoped = match (scope["id"].as_str(), scope["name"].as_str()) {
                (Some(id), _) => id == config.project_id,
                (None, Some(name)) => {
                    name == config.project_name
                        && scope["domain"]["name"].as_str() == Some(&config.project_domain_name)
                }
                (None, None) => false,
            };
            user["name"].as_str() == Some(&config.username)
                && user["domain"]["name"].as_str() == Some(&config.user_domain_name)
                && user["password"].as_str() == Some(&config.password)
                && scoped
        }
        ["application_credential"] => {
            let credential = &identity["application_credential"];
            credential["id"].as_str() == Some(&config.application_credential_id)
                && credential["secret"].as_str() == Some(&config.application_credential_secret)
        }
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "Expecting to find identity methods in auth.",
            );
        }
    };
    if !accepted {
        return error(
            StatusCode::UNAUTHORIZED,
            "The request you have made requires authentication.",
        );
    }

    let token = format!("gAAAAA{}", random_hex(32));
    let issued_at = Utc::now();
    let lifetime = chrono::Duration::from_std(config.token_lifetime)
        .unwrap_or_else(|_| chrono::Duration::hours(1));
    let expires_at = issued_at + lifetime;
    lock(&state.tokens).insert(token.clone(), expires_at);

    let base = format!("http://{}", host(&headers));
    let endpoints: Vec<Value> = config
        .regions
        .iter()
        .flat_map(|region| {
            ["public", "internal", "admin"].map(|interface| {
                json!({
                    "id": random_hex(16), "interface": interface, "region": region, "region_id": region,
                    "url": format!("{base}/network/{region}/{interface}"),
                })
            })
        })
        .collect();
    let identity_endpoints: Vec<Value> = config
        .regions
        .iter()
        .map(|region| {
            json!({"id": random_hex(16), "interface": "public", "region": region,
                              "region_id": region, "url": format!("{base}/identity")})
        })
        .collect();
    let time = |at: chrono::DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let domain = json!({"id": "default", "name": config.project_domain_name});
    let body = json!({"token": {
        "methods": methods,
        "user": {"id": "b8a1d3c5e7f94b2d8c6a4e2f0d1b3c5a", "name": config.username,
                 "domain": {"id": "default", "name": config.user_domain_name}},
        "project": {"id": config.project_id, "name": config.project_name, "domain": domain},
        "roles": [{"id": "9fe2ff9ee4384b1894a90878d3e92bab", "name": "member"}],
        "issued_at": time(issued_at),
        "expires_at": time(expires_at),
        "catalog": [
            {"type": "identity", "name": "keystone", "id": random_hex(16), "endpoints": identity_endpoints},
            {"type": "network", "name": "neutron", "id": random_hex(16), "endpoints": endpoints},
        ],
    }});
    let mut response = with_request_id(StatusCode::CREATED, body.to_string());
    if let Ok(value) = token.parse() {
        response.headers_mut().insert("x-subject-token", value);
    }
    response
}
