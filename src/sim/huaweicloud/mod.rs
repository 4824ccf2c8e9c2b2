//! A simulated Huawei Cloud VPN v5 endpoint: the list and show calls over a
//! mutable [`Estate`], behind the checks the API gateway makes (AK/SK
//! signature and its 15-minute window, security token, IAM token, project
//! header and path), with the documented error bodies and injected faults.

mod estate;
mod verify;

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{TimeDelta, Utc};
use serde::Serialize;
use serde_json::{Value, json};

pub use estate::{Estate, generate_estate};
pub use verify::{KeyPair, MAX_SKEW};

use super::{Fault, Faults, SimServer};
use estate::ListQuery;

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
#[derive(Debug, Clone)]
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

#[derive(Debug)]
struct Shared {
    project_id: String,
    keys: KeyPair,
    auth_token: Option<String>,
    max_limit: u32,
    estate: RwLock<Estate>,
    faults: Faults,
    /// Added to the wall clock before checking `X-Sdk-Date`, in seconds.
    clock_offset: AtomicI64,
    answered: AtomicU64,
    log: Mutex<Vec<String>>,
}

/// Requests kept in [`HuaweiSim::requests`].
const LOG_LIMIT: usize = 1000;

impl HuaweiSim {
    /// Serves `config` on 127.0.0.1 (a free port).
    pub fn start(config: HuaweiSimConfig) -> std::io::Result<HuaweiSim> {
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
            answered: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
        });
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        Ok(HuaweiSim {
            server: SimServer::start(router)?,
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

    /// The last requests received (up to 1000), as `METHOD path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.shared.lock_log().clone()
    }
}

impl Shared {
    fn lock_log(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn read_estate(&self) -> std::sync::RwLockReadGuard<'_, Estate> {
        self.estate
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// An answer before it gets its request id.
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
    retry_after: Option<u64>,
}

impl Answer {
    fn error(status: StatusCode, code: &str, message: &str, request_id: &str) -> Answer {
        let body = json!({"error_code": code, "error_msg": message, "request_id": request_id});
        Answer {
            status,
            body: body.to_string().into_bytes(),
            retry_after: None,
        }
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let number = shared.answered.fetch_add(1, Ordering::Relaxed) + 1;
    let request_id = format!("5e1d0000-0000-4000-8000-{number:012x}");
    let answer = match shared.faults.on_request().await {
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
        Fault::ServerError | Fault::Hang => Answer::error(
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
    List { project: String },
    Show { project: String, id: String },
}

fn route(path: &str) -> Option<Route> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["v5", project, "vpn-connection"] => Some(Route::List {
            project: project.to_string(),
        }),
        ["v5", project, "vpn-connection", id] if !id.is_empty() => Some(Route::Show {
            project: project.to_string(),
            id: id.to_string(),
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
    let project = match &route {
        Route::List { project } | Route::Show { project, .. } => project,
    };
    if *project != shared.project_id {
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
    match route {
        Route::List { .. } => list(shared, parts.uri.query().unwrap_or(""), request_id),
        Route::Show { id, .. } => show(shared, &id, request_id),
    }
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

#[derive(Serialize)]
struct ListBody<'a> {
    vpn_connections: Vec<&'a Value>,
    page_info: PageInfo<'a>,
    request_id: &'a str,
    total_count: usize,
}

#[derive(Serialize)]
struct PageInfo<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    next_marker: Option<&'a str>,
    current_count: usize,
}

fn list(shared: &Shared, query: &str, request_id: &str) -> Answer {
    let mut list_query = ListQuery {
        limit: shared.max_limit.min(DEFAULT_LIMIT) as usize,
        ..ListQuery::default()
    };
    for (key, value) in verify::query_pairs(query) {
        let value = String::from_utf8_lossy(&value).into_owned();
        match key.as_slice() {
            b"limit" => match value.parse::<u32>() {
                Ok(0) => {}
                Ok(limit) if limit <= shared.max_limit => list_query.limit = limit as usize,
                _ => {
                    return Answer::error(
                        StatusCode::BAD_REQUEST,
                        "VPN.0001",
                        &format!(
                            "Invalid request: limit {value:?} must be an integer from 0 to {}",
                            shared.max_limit
                        ),
                        request_id,
                    );
                }
            },
            b"marker" => list_query.marker = Some(value),
            b"vgw_id" => list_query.vgw_id = Some(value),
            b"vgw_ip" => list_query.vgw_ip = Some(value),
            b"enterprise_project_id" => list_query.enterprise_project_ids.push(value),
            _ => {}
        }
    }
    let estate = shared.read_estate();
    let page = estate.page(&list_query);
    let next_marker = page
        .last()
        .and_then(|last| last.get("created_at"))
        .and_then(Value::as_str);
    let body = ListBody {
        page_info: PageInfo {
            next_marker,
            current_count: page.len(),
        },
        vpn_connections: page,
        request_id,
        total_count: estate.len(),
    };
    match serde_json::to_vec(&body) {
        Ok(body) => Answer {
            status: StatusCode::OK,
            body,
            retry_after: None,
        },
        Err(error) => Answer::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "VPN.0002",
            &format!("serializing the page: {error}"),
            request_id,
        ),
    }
}

fn show(shared: &Shared, id: &str, request_id: &str) -> Answer {
    let estate = shared.read_estate();
    match estate.get(id) {
        Some(connection) => Answer {
            status: StatusCode::OK,
            body: json!({"vpn_connection": connection, "request_id": request_id})
                .to_string()
                .into_bytes(),
            retry_after: None,
        },
        None => Answer::error(
            StatusCode::NOT_FOUND,
            "VPN.0004",
            &format!("vpn connection {id} not found"),
            request_id,
        ),
    }
}
