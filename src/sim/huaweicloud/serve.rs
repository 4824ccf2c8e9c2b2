//! The simulated gateway and API: every request counted and checked for an
//! injected fault, routed, authenticated (AK/SK signature, security token or
//! IAM token), checked for its project, then answered by the list or show
//! call with the documented bodies and error codes.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{TimeDelta, Utc};
use serde_json::json;

use super::answer::{Answer, json_answer};
use super::estate::Estate;
use super::verify::{self, KeyPair};
use crate::sim::{Fault, Faults};

/// What the handlers share with [`super::HuaweiSim`].
pub(super) struct Shared {
    pub(super) project_id: String,
    pub(super) keys: KeyPair,
    pub(super) auth_token: Option<String>,
    pub(super) max_limit: u32,
    pub(super) estate: RwLock<Estate>,
    pub(super) faults: Faults,
    /// Added to the wall clock before checking `X-Sdk-Date`, in seconds.
    pub(super) clock_offset: AtomicI64,
    /// Collections answered with 403 (see [`super::HuaweiSim::deny`]).
    pub(super) denied: Mutex<Vec<String>>,
    pub(super) answered: AtomicU64,
    pub(super) log: Mutex<Vec<String>>,
}

/// Requests kept in [`super::HuaweiSim::requests`].
const LOG_LIMIT: usize = 1000;

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("project_id", &self.project_id)
            .field("keys", &self.keys)
            .field("max_limit", &self.max_limit)
            .field("requests", &self.faults.request_count())
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(super) fn lock_log(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn lock_denied(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.denied
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn read_estate(&self) -> std::sync::RwLockReadGuard<'_, Estate> {
        self.estate
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub(super) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let number = shared.answered.fetch_add(1, Ordering::Relaxed) + 1;
    let request_id = format!("5e1d0000-0000-4000-8000-{number:012x}");
    let answer = match shared.faults.on_request().await {
        Some(Fault::Common(common)) => return common.response(),
        Some(fault) => fault_answer(&fault, &request_id),
        None => answer(&shared, request, &request_id).await,
    };
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = request_id.parse() {
        headers.insert("x-request-id", value);
    }
    if let Some(seconds) = answer.retry_after {
        headers.insert(header::RETRY_AFTER, seconds.into());
    }
    response.into_response()
}

fn fault_answer(fault: &Fault, request_id: &str) -> Answer {
    match fault {
        Fault::Throttle {
            retry_after_seconds,
        } => Answer {
            retry_after: Some(*retry_after_seconds),
            ..Answer::error(
                StatusCode::TOO_MANY_REQUESTS,
                "VPN.0429",
                "Too many requests, please try again later",
                request_id,
            )
        },
        // A common fault is answered by `handle` before it gets here.
        Fault::ServerError | Fault::Hang | Fault::Common(_) => Answer::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "VPN.0002",
            "Internal server error",
            request_id,
        ),
        Fault::MalformedBody => Answer {
            status: StatusCode::OK,
            body: br#"{"vpn_connections": [{"id": "3f0c"#.to_vec(),
            retry_after: None,
        },
    }
}

/// Which call a path is.
enum Route {
    List {
        project: String,
    },
    Show {
        project: String,
        id: String,
    },
    CustomerGateways {
        project: String,
    },
    VpnGateways {
        project: String,
    },
    /// One customer gateway (`true`) or VPN gateway (`false`).
    ShowGateway {
        project: String,
        id: String,
        customer: bool,
    },
}

impl Route {
    fn project(&self) -> &str {
        match self {
            Route::List { project }
            | Route::Show { project, .. }
            | Route::CustomerGateways { project }
            | Route::VpnGateways { project }
            | Route::ShowGateway { project, .. } => project,
        }
    }

    /// The collection's path segment, and the IAM action listing it needs.
    fn collection(&self) -> (&'static str, &'static str) {
        match self {
            Route::List { .. } | Route::Show { .. } => {
                ("vpn-connection", "vpn:vpnConnections:list")
            }
            Route::CustomerGateways { .. } => ("customer-gateways", "vpn:customerGateways:list"),
            Route::VpnGateways { .. } => ("vpn-gateways", "vpn:vpnGateways:list"),
            Route::ShowGateway { customer: true, .. } => {
                ("customer-gateways", "vpn:customerGateways:get")
            }
            Route::ShowGateway { .. } => ("vpn-gateways", "vpn:vpnGateways:get"),
        }
    }
}

fn route(path: &str) -> Option<Route> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let project = |project: &&str| project.to_string();
    match segments.as_slice() {
        ["v5", id, "vpn-connection"] => Some(Route::List {
            project: project(id),
        }),
        ["v5", p, "vpn-connection", id] if !id.is_empty() => Some(Route::Show {
            project: project(p),
            id: id.to_string(),
        }),
        ["v5", p, "customer-gateways"] => Some(Route::CustomerGateways {
            project: project(p),
        }),
        ["v5", p, "vpn-gateways"] => Some(Route::VpnGateways {
            project: project(p),
        }),
        [
            "v5",
            p,
            collection @ ("customer-gateways" | "vpn-gateways"),
            id,
        ] if !id.is_empty() => Some(Route::ShowGateway {
            project: project(p),
            id: id.to_string(),
            customer: *collection == "customer-gateways",
        }),
        _ => None,
    }
}

async fn answer(shared: &Shared, request: Request, request_id: &str) -> Answer {
    let (parts, body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", |target| target.as_str());
    {
        let mut log = shared.lock_log();
        if log.len() == LOG_LIMIT {
            log.remove(0);
        }
        log.push(format!("{} {target}", parts.method));
    }
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        return Answer::error(
            StatusCode::BAD_REQUEST,
            "VPN.0001",
            "body too large",
            request_id,
        );
    };
    let route = match route(parts.uri.path()) {
        Some(route) if parts.method == axum::http::Method::GET => route,
        _ => {
            return Answer::error(
                StatusCode::NOT_FOUND,
                "APIGW.0101",
                "The API does not exist or has not been published in the environment",
                request_id,
            );
        }
    };
    let unauthorized =
        |message: &str| Answer::error(StatusCode::UNAUTHORIZED, "APIGW.0301", message, request_id);
    let signed = parts.headers.contains_key(header::AUTHORIZATION);
    if let Some(token) = header_text(&parts.headers, "x-auth-token") {
        if shared.auth_token.as_deref() != Some(token) {
            return Answer::error(
                StatusCode::UNAUTHORIZED,
                "APIGW.0307",
                "The token must be updated: the X-Auth-Token is not valid",
                request_id,
            );
        }
    } else if signed {
        let now = Utc::now() + TimeDelta::seconds(shared.clock_offset.load(Ordering::Relaxed));
        if let Err(message) = verify::verify(
            &parts.method,
            &parts.uri,
            &parts.headers,
            &body,
            &shared.keys,
            now,
        ) {
            return unauthorized(&message);
        }
    } else {
        return unauthorized(
            "Incorrect IAM authentication information: no Authorization or X-Auth-Token",
        );
    }
    let project = route.project();
    if project != shared.project_id {
        return Answer::error(
            StatusCode::NOT_FOUND,
            "VPN.0004",
            &format!("project {project} not found"),
            request_id,
        );
    }
    match header_text(&parts.headers, "x-project-id") {
        None if signed => {
            return Answer::error(
                StatusCode::FORBIDDEN,
                "VPN.0003",
                "Forbidden: the X-Project-Id header is required with AK/SK authentication",
                request_id,
            );
        }
        Some(header) if header != shared.project_id => {
            return Answer::error(
                StatusCode::FORBIDDEN,
                "VPN.0007",
                &format!(
                    "Forbidden: X-Project-Id {header} does not match the project of the request"
                ),
                request_id,
            );
        }
        _ => {}
    }
    let (collection, action) = route.collection();
    if shared
        .lock_denied()
        .iter()
        .any(|denied| denied == collection)
    {
        return Answer::error(
            StatusCode::FORBIDDEN,
            "VPN.0003",
            &format!("Forbidden: policy doesn't allow {action} to be performed"),
            request_id,
        );
    }
    let query = parts.uri.query().unwrap_or("");
    match route {
        Route::List { .. } => {
            let estate = shared.read_estate();
            super::connections::list(&estate, shared.max_limit, query, request_id)
        }
        Route::Show { id, .. } => {
            let estate = shared.read_estate();
            super::connections::show(&estate, &id, request_id)
        }
        Route::CustomerGateways { .. } => {
            let estate = shared.read_estate();
            super::gateways::answer_page(&estate.customer_gateways, query, request_id)
        }
        Route::ShowGateway { id, customer, .. } => {
            let estate = shared.read_estate();
            let objects = match customer {
                true => &estate.customer_gateways,
                false => &estate.vpn_gateways,
            };
            super::gateways::answer_show(objects, &id, customer, request_id)
        }
        Route::VpnGateways { .. } => {
            let estate = shared.read_estate();
            json_answer(
                &json!({"vpn_gateways": estate.vpn_gateways, "request_id": request_id}),
                request_id,
            )
        }
    }
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}
