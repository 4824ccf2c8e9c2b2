//! Neutron's error responses, shared by the VPNaaS and subnets routes and
//! by the paging of their list requests: the `NeutronError` document, a
//! planned fault rendered in it, and the router's 404.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::keystone::with_request_id;
use crate::sim::Fault;

/// Neutron's error document.
pub(super) fn neutron_error(status: StatusCode, kind: &str, message: &str) -> Response {
    let body = json!({"NeutronError": {"type": kind, "message": message, "detail": ""}});
    with_request_id(status, body.to_string())
}

/// A planned fault as Neutron would answer it.
pub(super) fn fault_response(fault: Fault) -> Response {
    match fault {
        Fault::Common(common) => common.response(),
        Fault::Throttle {
            retry_after_seconds,
        } => {
            let mut response = neutron_error(
                StatusCode::TOO_MANY_REQUESTS,
                "OverQuota",
                "Too many requests; slow down.",
            );
            if let Ok(value) = retry_after_seconds.to_string().parse() {
                response.headers_mut().insert("retry-after", value);
            }
            response
        }
        Fault::MalformedBody => {
            with_request_id(StatusCode::OK, "{\"ipsec_site_connections\": [".into())
        }
        Fault::ServerError | Fault::Hang => neutron_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "HTTPInternalServerError",
            "Request Failed: internal server error while processing your request.",
        ),
    }
}

/// The 404 of a path no route serves (or an unknown region or interface).
pub(super) fn resource_not_found() -> Response {
    neutron_error(
        StatusCode::NOT_FOUND,
        "HTTPNotFound",
        "The resource could not be found.",
    )
}
