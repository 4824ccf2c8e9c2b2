//! The connection calls of the simulated API: the list (`limit`, `marker`
//! and the filters, `page_info` and `total_count` as documented) and the show.

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};

use super::DEFAULT_LIMIT;
use super::answer::{Answer, read_limit};
use super::estate::{Estate, ListQuery};
use super::verify;

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

pub(super) fn list(estate: &Estate, max_limit: u32, query: &str, request_id: &str) -> Answer {
    let mut list_query = ListQuery {
        limit: max_limit.min(DEFAULT_LIMIT) as usize,
        ..ListQuery::default()
    };
    for (key, value) in verify::query_pairs(query) {
        let value = String::from_utf8_lossy(&value).into_owned();
        match key.as_slice() {
            b"limit" => match read_limit(&value, max_limit, request_id) {
                Ok(asked) => list_query.limit = asked.unwrap_or(list_query.limit),
                Err(answer) => return answer,
            },
            b"marker" => list_query.marker = Some(value),
            b"vgw_id" => list_query.vgw_id = Some(value),
            b"vgw_ip" => list_query.vgw_ip = Some(value),
            b"enterprise_project_id" => list_query.enterprise_project_ids.push(value),
            _ => {}
        }
    }
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

pub(super) fn show(estate: &Estate, id: &str, request_id: &str) -> Answer {
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
