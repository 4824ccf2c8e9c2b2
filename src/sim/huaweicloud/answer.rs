//! What the simulated API answers, before the request id header is added:
//! a status, a body and an optional `Retry-After`; error bodies in the
//! documented `error_code`/`error_msg` shape.

use axum::http::StatusCode;
use serde_json::{Value, json};

/// An answer before it gets its request id.
pub(super) struct Answer {
    pub(super) status: StatusCode,
    pub(super) body: Vec<u8>,
    pub(super) retry_after: Option<u64>,
}

impl Answer {
    pub(super) fn error(status: StatusCode, code: &str, message: &str, request_id: &str) -> Answer {
        let body = json!({"error_code": code, "error_msg": message, "request_id": request_id});
        Answer {
            status,
            body: body.to_string().into_bytes(),
            retry_after: None,
        }
    }
}

/// HTTP 200 with `body`.
pub(super) fn json_answer(body: &Value, request_id: &str) -> Answer {
    match serde_json::to_vec(body) {
        Ok(body) => Answer {
            status: StatusCode::OK,
            body,
            retry_after: None,
        },
        Err(error) => Answer::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "VPN.0002",
            &format!("serializing the body: {error}"),
            request_id,
        ),
    }
}

/// A list call's `limit` (0, the default: `None`), or the documented error
/// for one outside 0 to `max`.
pub(super) fn read_limit(value: &str, max: u32, request_id: &str) -> Result<Option<usize>, Answer> {
    match value.parse::<u32>() {
        Ok(0) => Ok(None),
        Ok(limit) if limit <= max => Ok(Some(limit as usize)),
        _ => Err(Answer::error(
            StatusCode::BAD_REQUEST,
            "VPN.0001",
            &format!("Invalid request: limit {value:?} must be an integer from 0 to {max}"),
            request_id,
        )),
    }
}
