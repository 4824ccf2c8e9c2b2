//! Logins, tokens and the catalog: password and application credential,
//! a pre-issued token, renewal on expiry and on 401, refusals.

use super::*;

#[test]
fn application_credential_with_paging_disabled_takes_one_page_per_collection() {
    let sim = OpenStackSim::start(OpenStackSimConfig {
        paging: Paging::Disabled,
        ..OpenStackSimConfig::default()
    })
    .unwrap();
    let keys = format!(
        "region = \"RegionOne\"\nauth_url = \"{}/identity\"\napplication_credential_id = \"{DEMO_APPLICATION_CREDENTIAL_ID}\"\n\
         application_credential_secret = {{ env = \"{SECRET_ENV}\" }}\npage_size = 2\n",
        sim.url()
    );
    let collected = collect(&source_with(&keys, "", ""));
    assert_eq!(complete(&collected).len(), 3);
    let mut expected = vec!["POST /identity/v3/auth/tokens".to_string()];
    for path in [
        "ikepolicies",
        "ipsecpolicies",
        "vpnservices",
        "endpoint-groups",
        "ipsec-site-connections",
    ] {
        if path == "ipsec-site-connections" {
            expected.push(subnets_request(&[sample::LOCAL_SUBNET]));
        }
        expected.push(neutron(&format!("{path}?limit=2")));
    }
    assert_eq!(sim.requests(), expected);
    assert_eq!(collected.pages, 6);
}

#[test]
fn the_catalog_gives_the_configured_region_and_interface_or_a_configuration_error() {
    let sim = OpenStackSim::start(OpenStackSimConfig {
        regions: vec!["RegionOne".into(), "RegionTwo".into()],
        ..OpenStackSimConfig::default()
    })
    .unwrap();
    let collected = collect(&source(
        &sim,
        "region = \"RegionTwo\"\ninterface = \"internal\"\n",
    ));
    assert_eq!(complete(&collected).len(), 3);
    let requests = sim.requests();
    assert_eq!(requests.len(), 7);
    for request in &requests[1..] {
        assert!(
            request.starts_with("GET /network/RegionTwo/internal/v2.0/"),
            "{request}"
        );
    }

    let before = sim.faults().request_count();
    let collected = collect(&source(&sim, "region = \"RegionThree\"\n"));
    let (error, class) = failure(&collected);
    assert_eq!(class, "config");
    assert_eq!(
        error,
        "configuration error: the service catalog has no public network endpoint in region \
         \"RegionThree\" (regions with a public network endpoint: RegionOne, RegionTwo); \
         check region and interface"
    );
    // The login only: nothing was listed.
    assert_eq!(sim.faults().request_count(), before + 1);
}

#[test]
fn a_refused_login_is_an_authentication_error_naming_user_and_project() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let keys = format!("region = \"RegionOne\"\n{}", password_keys(&sim));
    let collected = collect(&source_with(&keys, "Wrong-Passw0rd-41", ""));
    let (error, class) = failure(&collected);
    assert_eq!(class, "auth");
    let expected_start = format!(
        "authentication failed: Keystone refused the login of user \"demo\" (domain \"Default\") in \
         project \"demo\" (domain \"Default\") at POST {}/auth/tokens: HTTP 401 Unauthorized: \
         Unauthorized: The request you have made requires authentication. (request id req-",
        sim.auth_url()
    );
    assert!(error.starts_with(&expected_start), "{error}");
    assert!(!error.contains("Wrong-Passw0rd-41"));
    // Not retried.
    assert_eq!(sim.requests(), ["POST /identity/v3/auth/tokens"]);
}

#[test]
fn a_listing_refused_by_policy_is_an_authentication_error_with_the_request_id() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    sim.set_denied(true);
    let collected = collect(&source(&sim, "region = \"RegionOne\"\n"));
    let (error, class) = failure(&collected);
    assert_eq!(class, "auth");
    let expected_start = format!(
        "authentication failed: Neutron refused user \"demo\" (domain \"Default\") in project \"demo\" \
         (domain \"Default\") at GET {}{IKEPOLICIES}: HTTP 403 Forbidden: PolicyNotAuthorized: \
         rule:get_ikepolicy is disallowed by policy (request id req-",
        sim.url()
    );
    assert!(error.starts_with(&expected_start), "{error}");
    assert!(
        error.ends_with("); the user needs a role that may list VPNaaS objects in this project"),
        "{error}"
    );
    // Not retried, no second login.
    assert_eq!(sim.requests().len(), 2);
}

#[test]
fn a_token_expiring_mid_listing_is_renewed_once_and_the_listing_completes() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    // Request 3 is the second page of IKE policies.
    sim.expire_tokens_on_request(3);
    let collected = collect(&source(&sim, "region = \"RegionOne\"\npage_size = 1\n"));
    assert_eq!(complete(&collected).len(), 3);
    let second_page = format!(
        "GET {IKEPOLICIES}?limit=1&marker={}",
        sample::SHARED_IKEPOLICY
    );
    assert_eq!(
        sim.requests()[..6],
        [
            "POST /identity/v3/auth/tokens".to_string(),
            format!("GET {IKEPOLICIES}?limit=1"),
            second_page.clone(),
            "POST /identity/v3/auth/tokens".to_string(),
            second_page,
            format!(
                "GET {IKEPOLICIES}?limit=1&marker={}",
                sample::LEGACY_IKEPOLICY
            ),
        ]
    );
    assert_eq!(sim.tokens_issued(), 2);

    // Refused again with the new token: an authentication error, not a loop.
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    sim.expire_tokens_on_request(3);
    sim.expire_tokens_on_request(5);
    let collected = collect(&source(&sim, "region = \"RegionOne\"\npage_size = 1\n"));
    let (error, class) = failure(&collected);
    assert_eq!(class, "auth");
    assert!(
        error.starts_with(
            "authentication failed: Neutron refused the token of user \"demo\" (domain \"Default\") \
             in project \"demo\" (domain \"Default\") at GET "
        ),
        "{error}"
    );
    assert!(
        error.contains("(even with a token just issued): HTTP 401 Unauthorized"),
        "{error}"
    );
    assert_eq!(sim.requests().len(), 5);
}

#[test]
fn a_pre_issued_token_is_used_as_is_with_the_configured_endpoint() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = serde_json::json!({"auth": {"identity": {"methods": ["application_credential"],
        "application_credential": {"id": DEMO_APPLICATION_CREDENTIAL_ID, "secret": DEMO_APPLICATION_CREDENTIAL_SECRET}}}});
    let token = runtime.block_on(async {
        let response = reqwest::Client::new()
            .post(format!("{}/auth/tokens", sim.auth_url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        response.headers()["x-subject-token"]
            .to_str()
            .unwrap()
            .to_string()
    });
    let keys = format!(
        "region = \"RegionOne\"\nendpoint = \"{}\"\nauth_token = {{ env = \"{TOKEN_ENV}\" }}\n",
        sim.network_url("RegionOne", "public")
    );
    let source = source_with(&keys, "", &token);
    let collected = collect(&source);
    assert_eq!(complete(&collected).len(), 3);
    assert_eq!(sim.requests().len(), 7, "{:?}", sim.requests());

    sim.expire_tokens();
    let collected = collect(&source);
    let (error, class) = failure(&collected);
    assert_eq!(class, "auth");
    assert!(
        error.contains("Neutron refused the token of the configured auth_token at GET"),
        "{error}"
    );
    assert!(
        error.contains("(the auth_token may have expired)"),
        "{error}"
    );
    assert!(!error.contains(&token));
}

#[test]
fn a_token_about_to_expire_is_renewed_before_it_is_used() {
    // Tokens that expire as they are issued: the collector renews before
    // its first request, and the renewed token is refused too.
    let sim = OpenStackSim::start(OpenStackSimConfig {
        token_lifetime: Duration::ZERO,
        ..OpenStackSimConfig::default()
    })
    .unwrap();
    let collected = collect(&source(&sim, "region = \"RegionOne\"\n"));
    let (error, class) = failure(&collected);
    assert_eq!(class, "auth");
    assert!(error.contains("(even with a token just issued)"), "{error}");
    assert_eq!(
        sim.requests(),
        [
            "POST /identity/v3/auth/tokens".to_string(),
            "POST /identity/v3/auth/tokens".to_string(),
            format!("GET {IKEPOLICIES}"),
        ]
    );
}

#[test]
fn a_redirected_login_does_not_post_the_password_elsewhere() {
    let sim = OpenStackSim::start(OpenStackSimConfig::default()).unwrap();
    let (port, elsewhere) = crate::support::counting_listener();
    sim.faults()
        .inject(1, Fault::Common(CommonFault::Redirect { port }));
    let keys = format!("region = \"RegionOne\"\n{}", password_keys(&sim));
    let collected = collect(&source_with(&keys, DEMO_PASSWORD, ""));
    let (error, class) = failure(&collected);
    assert_eq!(class, "redirect");
    assert_eq!(
        error,
        crate::support::redirect_error(&format!("{}/auth/tokens", sim.auth_url()), port)
    );
    assert_eq!(elsewhere.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert_eq!(sim.requests(), ["POST /identity/v3/auth/tokens"]);
}
