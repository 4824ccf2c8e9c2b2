//! The simulator's gateway checks, driven by hand-built requests: a request
//! changed after signing, a stale date, the project header, and the show call.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use vpnsnap::provider::huaweicloud::{Client, Endpoint, sign};
use vpnsnap::sim::huaweicloud::DEMO_PROJECT_ID;

use super::*;

/// What a request looks like after signing, and how it is then sent.
struct Signed<'a> {
    /// Path and query that are signed.
    signed: &'a str,
    /// Path and query that are sent (a tampered request differs).
    sent: &'a str,
    project_header: Option<&'a str>,
    signed_at: chrono::DateTime<Utc>,
    /// Sent instead of the signed date when set.
    sent_date: Option<&'a str>,
}

impl Default for Signed<'_> {
    fn default() -> Self {
        Signed {
            signed: "",
            sent: "",
            project_header: Some(DEMO_PROJECT_ID),
            signed_at: Utc::now(),
            sent_date: None,
        }
    }
}

fn send(sim: &HuaweiSim, request: Signed<'_>) -> (StatusCode, Value) {
    let host = sim.url().trim_start_matches("http://").to_string();
    let date = sign::sdk_date(request.signed_at);
    let mut headers = vec![("host", host.as_str()), ("x-sdk-date", date.as_str())];
    if let Some(project) = request.project_header {
        headers.push(("x-project-id", project));
    }
    let (path, query) = request
        .signed
        .split_once('?')
        .unwrap_or((request.signed, ""));
    let parts = sign::RequestParts {
        method: "GET",
        path,
        query: Some(query),
        headers: &headers,
        body: b"",
    };
    let authorization = sign::authorization(DEMO_ACCESS_KEY, DEMO_SECRET_KEY, &date, &parts);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = vpnsnap::http::build_client(&vpnsnap::http::HttpOptions::default()).unwrap();
        let mut builder = client
            .get(format!("{}{}", sim.url(), request.sent))
            .header("authorization", authorization)
            .header("x-sdk-date", request.sent_date.unwrap_or(&date));
        if let Some(project) = request.project_header {
            builder = builder.header("x-project-id", project);
        }
        let reply = client.send(builder, "test").await.unwrap();
        (reply.status, serde_json::from_slice(&reply.body).unwrap())
    })
}

fn code(body: &Value) -> (&str, &str) {
    (
        body["error_code"].as_str().unwrap(),
        body["error_msg"].as_str().unwrap(),
    )
}

#[test]
fn the_gateway_accepts_a_signed_request_and_rejects_a_tampered_one() {
    let sim = sim(3);
    let list = format!("/v5/{DEMO_PROJECT_ID}/vpn-connection");
    let query = format!("{list}?marker=2999-01-01T00%3A00%3A00.000Z&limit=1");
    let (status, body) = send(
        &sim,
        Signed {
            signed: &query,
            sent: &query,
            ..Signed::default()
        },
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["page_info"]["current_count"], 1);

    let fail = (
        "APIGW.0301",
        "Incorrect IAM authentication information: verify aksk signature fail",
    );
    let tampered = format!("{list}?marker=2999-01-01T00%3A00%3A00.000Z&limit=2");
    let (status, body) = send(
        &sim,
        Signed {
            signed: &query,
            sent: &tampered,
            ..Signed::default()
        },
    );
    assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, fail));

    let later = sign::sdk_date(Utc::now() + TimeDelta::seconds(1));
    let (status, body) = send(
        &sim,
        Signed {
            signed: &query,
            sent: &query,
            sent_date: Some(&later),
            ..Signed::default()
        },
    );
    assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, fail));

    let (status, body) = send(
        &sim,
        Signed {
            signed: &query,
            sent: &query,
            signed_at: Utc::now() - TimeDelta::minutes(20),
            ..Signed::default()
        },
    );
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(code(&body).1.contains("more than 15 minutes"), "{body}");
}

#[test]
fn the_project_header_is_required_and_must_match() {
    let sim = sim(3);
    let list = format!("/v5/{DEMO_PROJECT_ID}/vpn-connection");
    let (status, body) = send(
        &sim,
        Signed {
            signed: &list,
            sent: &list,
            project_header: None,
            ..Signed::default()
        },
    );
    assert_eq!(
        (status, code(&body)),
        (
            StatusCode::FORBIDDEN,
            (
                "VPN.0003",
                "Forbidden: the X-Project-Id header is required with AK/SK authentication"
            )
        )
    );
    let (status, body) = send(
        &sim,
        Signed {
            signed: &list,
            sent: &list,
            project_header: Some("0123"),
            ..Signed::default()
        },
    );
    assert_eq!(
        (status, code(&body)),
        (
            StatusCode::FORBIDDEN,
            (
                "VPN.0007",
                "Forbidden: X-Project-Id 0123 does not match the project of the request"
            )
        )
    );
}

#[test]
fn the_show_call_serves_one_connection() {
    let sim = sim(3);
    let source = source(&sim, 200);
    let SourceSettings::HuaweiCloud(settings) = &source.settings else {
        unreachable!()
    };
    let client = Client::new(
        vpnsnap::http::build_client(&vpnsnap::http::HttpOptions::default()).unwrap(),
        Endpoint::parse(&sim.url()).unwrap(),
        settings,
    );
    let id = sim.with_estate(|estate| estate.ids()[1].clone());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = runtime
        .block_on(client.get(
            &client.show_url(&id),
            vpnsnap::provider::huaweicloud::Call::Show,
        ))
        .unwrap();
    assert_eq!(
        body["vpn_connection"],
        sim.with_estate(|estate| estate.get(&id).unwrap().clone())
    );
    let missing = runtime
        .block_on(client.get(
            &client.show_url("nope"),
            vpnsnap::provider::huaweicloud::Call::Show,
        ))
        .unwrap_err();
    assert_eq!(missing.class(), "rejected");
    assert!(
        missing
            .to_string()
            .contains("HTTP 404 VPN.0004: vpn connection nope not found"),
        "{missing}"
    );
}
