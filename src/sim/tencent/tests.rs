//! The API 3.0 simulator's checks, driven by hand-made requests.

use serde_json::{Value, json};

use super::*;

/// Sends `sent` as the body of a request signed over `signed`, with
/// `edit` applied to the headers after signing.
fn send(
    sim: &TencentSim,
    signed: &str,
    sent: &str,
    edit: impl FnOnce(&mut reqwest::header::HeaderMap),
) -> Value {
    let host = sim
        .url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let timestamp = chrono::Utc::now().timestamp();
    let authorization = verify::authorization(
        DEMO_SECRET_ID,
        DEMO_SECRET_KEY,
        timestamp,
        &[
            ("content-type", "application/json"),
            ("host", &host),
            ("x-tc-action", "DescribeVpnConnections"),
        ],
        signed.as_bytes(),
    );
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in [
        ("content-type", "application/json".to_string()),
        ("x-tc-action", "DescribeVpnConnections".to_string()),
        ("x-tc-version", "2017-03-12".to_string()),
        ("x-tc-timestamp", timestamp.to_string()),
        ("x-tc-region", DEMO_REGION.to_string()),
        ("authorization", authorization),
    ] {
        headers.insert(name, value.parse().unwrap());
    }
    edit(&mut headers);
    shared::answer(|client| {
        client
            .post(sim.url())
            .headers(headers)
            .body(sent.to_string())
    })
}

fn code(answer: &Value) -> &str {
    answer["Response"]["Error"]["Code"]
        .as_str()
        .unwrap_or("none")
}

#[test]
fn checks_what_was_received_not_what_was_signed() {
    let sim = TencentSim::start(TencentSimConfig {
        estate: generate_estate(7, 1),
        ..TencentSimConfig::default()
    })
    .unwrap();
    let body = r#"{"Offset": 5, "Limit": 100}"#;
    let answer = send(&sim, body, body, |_| {});
    assert_eq!(answer["Response"]["TotalCount"], json!(7));
    assert_eq!(
        answer["Response"]["VpnConnectionSet"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let answer = send(&sim, body, r#"{"Offset": 0, "Limit": 100}"#, |_| {});
    assert_eq!(code(&answer), "AuthFailure.SignatureFailure");
    let answer = send(&sim, body, body, |headers| {
        headers.insert(
            "content-type",
            "application/json; charset=utf-8".parse().unwrap(),
        );
    });
    assert_eq!(code(&answer), "AuthFailure.SignatureFailure");
    let answer = send(&sim, body, body, |headers| {
        headers.insert("x-tc-action", "DescribeVpnGateways".parse().unwrap());
    });
    assert_eq!(code(&answer), "AuthFailure.SignatureFailure");
    let answer = send(&sim, body, body, |headers| {
        headers.remove("authorization");
    });
    assert_eq!(code(&answer), "AuthFailure.InvalidAuthorization");
    let answer = send(&sim, body, body, |headers| {
        headers.insert("x-tc-version", "2020-01-01".parse().unwrap());
    });
    assert_eq!(code(&answer), "NoSuchVersion");
}

#[test]
fn refuses_parameters_it_does_not_know() {
    let sim = TencentSim::start(TencentSimConfig::default()).unwrap();
    for (body, expected) in [
        (r#"{"offset": 0}"#, "UnknownParameter"),
        (r#"{"Limit": 0}"#, "InvalidParameterValue"),
        (r#"{"Limit": 101}"#, "InvalidParameterValue"),
        (r#"{"Offset": -1}"#, "InvalidParameterValue"),
        (
            r#"{"Filters": [{"Name": "state", "Values": ["x"]}]}"#,
            "InvalidParameter.FilterInvalidKey",
        ),
        (
            r#"{"Filters": [{"Name": "vpc-id", "Values": "vpc-1"}]}"#,
            "InvalidParameterValue",
        ),
        ("[]", "InvalidParameter"),
        ("{}", "none"),
    ] {
        assert_eq!(code(&send(&sim, body, body, |_| {})), expected, "{body}");
    }
}
