//! The legacy simulator's checks, driven by hand-made requests.

use serde_json::Value;

use super::*;

/// A signed query for `params` (plus the common ones, `nonce` as given).
fn signed_url(sim: &TencentLegacySim, nonce: &str, params: &[(&str, &str)]) -> reqwest::Url {
    signed_url_with(
        sim,
        nonce,
        (Some("HmacSHA256"), verify::Hash::Sha256),
        DEMO_SECRET_KEY,
        params,
    )
}

/// [`signed_url`] with the `SignatureMethod` parameter sent (if any), the
/// hash really used and the key signed with as given.
fn signed_url_with(
    sim: &TencentLegacySim,
    nonce: &str,
    (method, hash): (Option<&str>, verify::Hash),
    secret_key: &str,
    params: &[(&str, &str)],
) -> reqwest::Url {
    let mut url = reqwest::Url::parse(&sim.url()).unwrap();
    let host = format!("127.0.0.1:{}", url.port().unwrap());
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let mut all: Vec<(&str, &str)> = vec![
        ("Action", "DescribeVpnConn"),
        ("Region", "gz"),
        ("Timestamp", &timestamp),
        ("Nonce", nonce),
        ("SecretId", DEMO_SECRET_ID),
    ];
    if let Some(method) = method {
        all.push(("SignatureMethod", method));
    }
    all.extend_from_slice(params);
    let owned: Vec<(String, String)> = all
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    let source = verify::string_to_sign("GET", &host, PATH, &owned);
    let signature = verify::sign(hash, secret_key, &source);
    url.query_pairs_mut()
        .extend_pairs(all)
        .append_pair("Signature", &signature);
    url
}

fn get(url: reqwest::Url) -> Value {
    shared::answer(|client| client.get(url))
}

#[test]
fn pages_filters_and_refuses_a_reused_nonce() {
    let sim = TencentLegacySim::start(TencentLegacySimConfig {
        estate: generate_estate(60, 3),
        ..TencentLegacySimConfig::default()
    })
    .unwrap();
    let url = signed_url(&sim, "17", &[("offset", "50"), ("limit", "50")]);
    let answer = get(url.clone());
    assert_eq!(answer["code"], 0);
    assert_eq!(answer["totalCount"], 60);
    assert_eq!(answer["data"].as_array().unwrap().len(), 10);
    let again = get(url);
    assert_eq!(again["code"], 4500);
    assert_eq!(again["codeDesc"], "InvalidParameter.NonceReused");

    let vpc = sim.with_estate(|estate| estate.connections[0]["unVpcId"].clone());
    let expected = sim.with_estate(|estate| {
        estate
            .connections
            .iter()
            .filter(|c| c["unVpcId"] == vpc)
            .count()
    });
    let answer = get(signed_url(&sim, "18", &[("vpcId", vpc.as_str().unwrap())]));
    assert_eq!(answer["totalCount"], expected);
}

#[test]
fn refuses_what_the_api_refuses() {
    let sim = TencentLegacySim::start(TencentLegacySimConfig::default()).unwrap();
    let cases: [(&[(&str, &str)], i64); 4] = [
        (&[("limit", "51")], 4000),
        (&[("Limit", "50")], 4000),
        (&[("offset", "-1")], 4000),
        (&[("vpnConnName", "a b+c/d=")], 0),
    ];
    for (index, (params, code)) in cases.iter().enumerate() {
        let answer = get(signed_url(&sim, &format!("{}", 100 + index), params));
        assert_eq!(answer["code"], *code, "{params:?}: {answer}");
    }
    // A value changed after signing.
    let mut url = signed_url(&sim, "200", &[("limit", "10")]);
    let tampered: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let value = if k == "limit" {
                "11".to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), value)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(tampered);
    assert_eq!(get(url)["code"], 4100);
    sim.set_clock_skew(7201);
    assert_eq!(get(signed_url(&sim, "201", &[]))["code"], 4500);
}

#[test]
fn checks_the_secret_and_the_signature_method() {
    let sim = TencentLegacySim::start(TencentLegacySimConfig::default()).unwrap();
    let sha256 = (Some("HmacSHA256"), verify::Hash::Sha256);
    let answer = get(signed_url_with(&sim, "300", sha256, "not-the-secret", &[]));
    assert_eq!(answer["code"], 4100);
    assert_eq!(answer["codeDesc"], "AuthFailure.SignatureFailure");
    // Without SignatureMethod the signature is HMAC-SHA1.
    let sha1 = (None, verify::Hash::Sha1);
    assert_eq!(
        get(signed_url_with(&sim, "301", sha1, DEMO_SECRET_KEY, &[]))["code"],
        0
    );
    let mislabelled = (Some("HmacSHA256"), verify::Hash::Sha1);
    let answer = get(signed_url_with(
        &sim,
        "302",
        mislabelled,
        DEMO_SECRET_KEY,
        &[],
    ));
    assert_eq!(answer["code"], 4100);
    let unknown = (Some("HmacMD5"), verify::Hash::Sha1);
    let answer = get(signed_url_with(&sim, "303", unknown, DEMO_SECRET_KEY, &[]));
    assert_eq!(answer["code"], 4000);
    assert_eq!(answer["codeDesc"], "InvalidParameter");
}
