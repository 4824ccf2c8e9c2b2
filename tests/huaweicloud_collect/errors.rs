//! Every error class of a Huawei Cloud listing, against the simulator: what
//! is retried, what is not, and what the message tells the user.

use std::time::Duration;

use chrono::TimeDelta;
use serde_json::json;
use vpnsnap::config::{Origin, Secret};
use vpnsnap::provider::huaweicloud::settings::Auth;
use vpnsnap::sim::huaweicloud::DEMO_PROJECT_ID;
use vpnsnap::sim::{CommonFault, Fault};

use super::*;

fn list_url(sim: &HuaweiSim, query: &str) -> String {
    format!("{}/v5/{DEMO_PROJECT_ID}/vpn-connection?{query}", sim.url())
}

#[test]
fn a_wrong_secret_key_fails_once_and_names_the_credentials_to_check() {
    let sim = sim(3);
    let mut wrong = source(&sim, 200);
    settings(&mut wrong).auth = Auth::AccessKey {
        access_key: Identifier::new(DEMO_ACCESS_KEY, Origin::Literal),
        secret_key: Secret::new("wrong-secret-value", Origin::Env("HW_SK".to_string())),
        security_token: None,
    };
    let (error, class) = failure(&collect(&wrong));
    assert_eq!(class, "auth");
    assert_eq!(
        error,
        format!(
            "authentication failed: {}: HTTP 401 APIGW.0301: Incorrect IAM authentication \
             information: verify aksk signature fail (request id 5e1d0000-0000-4000-8000-000000000001); \
             check access_key (from the config) and secret_key (from env HW_SK), and that this \
             machine's clock is within 15 minutes of UTC",
            list_url(&sim, "limit=200")
        )
    );
    // Not retried.
    assert_eq!(sim.faults().request_count(), 1);
}

#[test]
fn an_unknown_access_key_or_token_is_an_auth_error() {
    let sim = sim(3);
    let mut unknown = source(&sim, 200);
    settings(&mut unknown).auth = Auth::AccessKey {
        access_key: Identifier::new("NOSUCHKEY", Origin::Literal),
        secret_key: Secret::new("whatever", Origin::Env("HW_SK".to_string())),
        security_token: None,
    };
    let (error, class) = failure(&collect(&unknown));
    assert_eq!(class, "auth");
    assert!(error.contains("APIGW.0301: Incorrect IAM authentication information: access key NOSUCHKEY does not exist"), "{error}");

    let mut token = source(&sim, 200);
    settings(&mut token).auth = Auth::Token {
        auth_token: Secret::new("stale-token-value", Origin::Env("HW_TOKEN".to_string())),
    };
    let (error, class) = failure(&collect(&token));
    assert_eq!(class, "auth");
    assert!(
        error.ends_with("check auth_token (from env HW_TOKEN); IAM tokens expire after 24 hours"),
        "{error}"
    );
    assert!(error.contains("HTTP 401 APIGW.0307"), "{error}");
    assert!(!error.contains("stale-token-value"), "{error}");
}

#[test]
fn a_clock_more_than_15_minutes_off_is_refused() {
    let sim = sim(3);
    sim.set_clock_offset(TimeDelta::minutes(14));
    assert_eq!(complete_ids(&collect(&source(&sim, 200))).len(), 3);
    sim.set_clock_offset(TimeDelta::minutes(-16));
    let (error, class) = failure(&collect(&source(&sim, 200)));
    assert_eq!(class, "auth");
    assert!(
        error.contains("is more than 15 minutes from the gateway's time"),
        "{error}"
    );
}

#[test]
fn a_wrong_project_or_endpoint_is_a_configuration_error() {
    let sim = sim(3);
    let mut wrong = source(&sim, 200);
    settings(&mut wrong).project_id = "ffffffffffffffffffffffffffffffff".to_string();
    let (error, class) = failure(&collect(&wrong));
    assert_eq!(class, "config");
    assert_eq!(
        error,
        format!(
            "configuration error: {url}/v5/ffffffffffffffffffffffffffffffff/vpn-connection?limit=200: \
             HTTP 404 VPN.0004: project ffffffffffffffffffffffffffffffff not found (request id \
             5e1d0000-0000-4000-8000-000000000001); check project_id \"ffffffffffffffffffffffffffffffff\" \
             and endpoint {url}/: no VPN connection API for that project there",
            url = sim.url()
        )
    );

    let mut prefixed = source(&sim, 200);
    prefixed.endpoint = Some(format!("{}/vpn/", sim.url()));
    let (error, class) = failure(&collect(&prefixed));
    assert_eq!(class, "config");
    assert!(
        error.contains(&format!(
            "{}/vpn/v5/{DEMO_PROJECT_ID}/vpn-connection?limit=200: HTTP 404 APIGW.0101",
            sim.url()
        )),
        "{error}"
    );
    assert_eq!(sim.faults().request_count(), 2);
}

#[test]
fn throttling_and_server_errors_are_retried() {
    let sim = sim(5);
    sim.faults().inject(
        2,
        Fault::Throttle {
            retry_after_seconds: 0,
        },
    );
    sim.faults().inject(4, Fault::ServerError);
    assert_eq!(complete_ids(&collect(&source(&sim, 2))), sorted_ids(&sim));
    // Three pages and two retries.
    assert_eq!(sim.faults().request_count(), 5);

    sim.faults().inject_next(Fault::Throttle {
        retry_after_seconds: 0,
    });
    let (error, class) = failure(&collect_with(&source(&sim, 2), &options(0)));
    assert_eq!(class, "throttled");
    assert!(
        error.starts_with(&format!(
            "throttled: {}: HTTP 429 VPN.0429: Too many requests",
            list_url(&sim, "limit=2")
        )),
        "{error}"
    );

    for nth in 1..=3 {
        sim.faults()
            .inject(sim.faults().request_count() + nth, Fault::ServerError);
    }
    let (error, class) = failure(&collect_with(&source(&sim, 2), &options(2)));
    assert_eq!(class, "server");
    assert!(
        error.contains("HTTP 500 VPN.0002: Internal server error"),
        "{error}"
    );
}

#[test]
fn a_hanging_request_times_out_and_is_retried() {
    let sim = sim(3);
    let mut options = options(0);
    options.request_timeout = Duration::from_millis(300);
    sim.faults().inject_next(Fault::Hang);
    let (error, class) = failure(&collect_with(&source(&sim, 200), &options));
    assert_eq!(class, "transport");
    assert!(
        error.starts_with(&format!(
            "transport error: {}: timed out",
            list_url(&sim, "limit=200")
        )),
        "{error}"
    );

    options.retry.max_retries = 1;
    sim.faults().inject_next(Fault::Hang);
    assert_eq!(
        complete_ids(&collect_with(&source(&sim, 200), &options)).len(),
        3
    );

    options.source_deadline = Duration::from_millis(200);
    options.request_timeout = Duration::from_secs(10);
    sim.faults().inject_next(Fault::Hang);
    let (error, class) = failure(&collect_with(&source(&sim, 200), &options));
    assert_eq!(class, "deadline");
    assert!(error.starts_with("cut off after 200ms"), "{error}");
}

#[test]
fn bodies_of_the_wrong_shape_name_the_url_and_the_path() {
    let sim = sim(3);
    sim.faults().inject_next(Fault::MalformedBody);
    let (error, class) = failure(&collect(&source(&sim, 200)));
    assert_eq!(class, "decode");
    assert!(
        error.starts_with(&format!(
            "undecodable response: {}: HTTP 200 OK with a body that is not JSON: EOF while parsing",
            list_url(&sim, "limit=200")
        )),
        "{error}"
    );

    sim.with_estate(|estate| {
        estate.insert(json!({"id": {"not": "a string"}, "name": "broken", "created_at": "2099-01-01T00:00:00.000Z"}));
    });
    let (error, class) = failure(&collect(&source(&sim, 2)));
    assert_eq!(class, "decode");
    assert_eq!(
        error,
        format!(
            "{}: not a huaweicloud response body: $.vpn_connections[0].id: missing connection id (a non-empty string)",
            list_url(&sim, "limit=2")
        )
    );
}

#[test]
fn a_limit_above_the_server_maximum_is_refused() {
    let sim = sim(3);
    let (error, class) = failure(&collect(&source(&sim, 500)));
    assert_eq!(class, "rejected");
    assert!(
        error.contains(
            "HTTP 400 VPN.0001: Invalid request: limit \"500\" must be an integer from 0 to 200"
        ),
        "{error}"
    );
}

#[test]
fn a_redirect_fails_the_source_and_the_signed_request_goes_nowhere_else() {
    let sim = sim(3);
    let (port, elsewhere) = crate::support::counting_listener();
    sim.faults()
        .inject(1, Fault::Common(CommonFault::Redirect { port }));
    let (error, class) = failure(&collect(&source(&sim, 200)));
    assert_eq!(class, "redirect");
    assert_eq!(
        error,
        crate::support::redirect_error(&list_url(&sim, "limit=200"), port)
    );
    assert_eq!(elsewhere.load(std::sync::atomic::Ordering::SeqCst), 0);
    // Not retried.
    assert_eq!(sim.faults().request_count(), 1);
}

#[test]
fn a_body_over_max_response_bytes_fails_the_source_and_says_so() {
    let sim = sim(3);
    sim.faults()
        .inject(1, Fault::Common(CommonFault::HugeBody { bytes: 2 << 20 }));
    let mut options = options(2);
    options.max_response_bytes = 1 << 20;
    let (error, class) = failure(&collect_with(&source(&sim, 200), &options));
    assert_eq!(class, "too_large");
    assert_eq!(
        error,
        format!(
            "response too large: {}: HTTP 200 OK announces a body of 2097154 bytes, more than \
             max_response_bytes = 1048576",
            list_url(&sim, "limit=200")
        )
    );
}

#[test]
fn an_error_body_never_carries_a_psk_or_the_sources_own_secret_into_the_error() {
    let sim = sim(3);
    let echoing = format!(
        "{{\"error_code\": \"VPN.0001\", \"error_msg\": \"signature of {DEMO_SECRET_KEY} refused\", \
         \"vpn_connection\": {{\"psk\": \"TopSecretPsk-1\"}}}}"
    );
    let cut_short =
        "{\"vpn_connection\": {\"id\": \"c1\", \"psk\": \"TopSecretPsk-2\", \"name\": \"a"
            .to_string();
    for (body, shown) in [
        (
            echoing,
            format!(
                "request refused: {}: HTTP 400 VPN.0001: signature of [redacted] refused",
                list_url(&sim, "limit=200")
            ),
        ),
        (
            cut_short,
            format!(
                "request refused: {}: HTTP 400: {{\"vpn_connection\": {{\"id\": \"c1\", \"psk\": \
                 \"[redacted]\", \"name\": \"a",
                list_url(&sim, "limit=200")
            ),
        ),
    ] {
        let before = sim.faults().request_count();
        sim.faults().inject(
            before + 1,
            Fault::Common(CommonFault::Body { status: 400, body }),
        );
        let (error, class) = failure(&collect(&source(&sim, 200)));
        assert_eq!(class, "rejected");
        assert_eq!(error, shown);
        assert!(!error.contains("TopSecretPsk") && !error.contains(DEMO_SECRET_KEY));
    }
}
