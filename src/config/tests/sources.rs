//! The keys every source has, and the huaweicloud kind.

use super::*;

// ---- common source keys ----

#[test]
fn endpoints_must_be_http_urls() {
    let with_endpoint = |endpoint: &str| {
        load_err(&HUAWEI.replace("region =", &format!("endpoint = {endpoint}\nregion =")))
    };
    assert_eq!(
        with_endpoint("\"ftp://vpn.example\""),
        "vpnsnap.toml:5: source \"hw\": \"endpoint\": must be an http:// or https:// URL, not \"ftp://vpn.example\""
    );
    assert_contains(
        &with_endpoint("\"vpn.example\""),
        "vpnsnap.toml:5: source \"hw\": \"endpoint\": must be an http:// or https:// URL (relative URL without a base)",
    );
    let credentials = with_endpoint("\"https://user:hunter2@vpn.example\"");
    assert_eq!(
        credentials,
        "vpnsnap.toml:5: source \"hw\": \"endpoint\": must not contain a user name or password; \
         credentials have their own keys"
    );
    assert!(!with_endpoint("\"ftp://user:hunter2@x\"").contains("hunter2"));
}

#[test]
fn an_unknown_kind_lists_the_kinds() {
    let message = load_err("[[source]]\nname = \"aws\"\nkind = \"aws\"\nregion = \"us-east-1\"\n");
    assert_eq!(
        message,
        "vpnsnap.toml:3: source \"aws\": \"kind\": unknown kind \"aws\" \
         (expected huaweicloud | openstack | tencent | tencent-legacy)"
    );
}

#[test]
fn missing_common_keys_are_named_at_the_source() {
    let no_region = load_err("\n[[source]]\nname = \"hw\"\nkind = \"huaweicloud\"\n");
    assert_eq!(
        no_region,
        "vpnsnap.toml:2: source \"hw\": missing required key \"region\""
    );
    let no_name = load_err(&format!("{HUAWEI}\n[[source]]\nkind = \"tencent\"\n"));
    assert_eq!(
        no_name,
        "vpnsnap.toml:10: [[source]] #2: missing required key \"name\""
    );
    let bad_region = load_err(&HUAWEI.replace("\"cn-north-4\"", "\"cn north/4\""));
    assert_eq!(
        bad_region,
        "vpnsnap.toml:5: source \"hw\": \"region\": \"cn north/4\" is not a region name \
         (letters, digits, \"-\", \"_\" and \".\")"
    );
}

#[test]
fn source_names_are_checked() {
    assert_eq!(validate_source_name("hw-cn_north-4"), Ok(()));
    assert_eq!(validate_source_name(&"a".repeat(64)), Ok(()));
    for bad in ["", "HW", "hw north", "hw.north", "hé", &"a".repeat(65)] {
        let message = validate_source_name(bad).unwrap_err();
        assert_eq!(
            message,
            format!(
                "invalid source name {bad:?}: use 1 to 64 characters from a-z, 0-9, \"_\" and \"-\""
            )
        );
    }
    let message = load_err(&HUAWEI.replace("name = \"hw\"", "name = \"HW\""));
    assert_eq!(
        message,
        "vpnsnap.toml:3: [[source]] #1: \"name\": invalid source name \"HW\": \
         use 1 to 64 characters from a-z, 0-9, \"_\" and \"-\""
    );
}

#[test]
fn duplicate_source_names_name_both_lines() {
    let message = load_err(&format!("{HUAWEI}{HUAWEI}"));
    assert_eq!(
        message,
        "vpnsnap.toml:11: source \"hw\": \"name\": the [[source]] on line 3 has this name already; \
         source names must be unique"
    );
}

// ---- huaweicloud ----

#[test]
fn huaweicloud_loads_with_env_and_file_credentials_and_defaults() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("secrets")).unwrap();
    fs::write(dir.path().join("secrets/hw.sk"), "  file-secret-value\n\n").unwrap();
    let text = r#"
[[source]]
name = "hw-cn-north-4"
kind = "huaweicloud"
region = "cn-north-4"
project_id = "0a1b2c3d"
access_key = { env = "HW_ACCESS_KEY" }
secret_key = { file = "secrets/hw.sk" }
security_token = { env = "HW_TOKEN" }
vgw_ip = "203.0.113.7"
enterprise_project_id = ["0", "ep-1"]
"#;
    let config = load_at(text, &dir.path().join("vpnsnap.toml"));
    let source = config.source("hw-cn-north-4").unwrap();
    assert_eq!(source.kind, ProviderKind::HuaweiCloud);
    assert_eq!(source.region, "cn-north-4");
    assert_eq!(source.account.as_deref(), Some("0a1b2c3d"));
    assert_eq!(source.endpoint, None);
    assert_eq!(
        source.endpoint_or_default().as_deref(),
        Some("https://vpn.cn-north-4.myhuaweicloud.com")
    );
    let settings = huawei(source);
    assert_eq!(settings.project_id, "0a1b2c3d");
    assert_eq!(settings.page_size, 200);
    assert_eq!(settings.vgw_id, None);
    assert_eq!(settings.vgw_ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(settings.enterprise_project_ids, ["0", "ep-1"]);
    assert!(settings.resolve_gateways, "resolution is on by default");
    let huaweicloud::Auth::AccessKey {
        access_key,
        secret_key,
        security_token,
    } = &settings.auth
    else {
        panic!("expected AK/SK, got {:?}", settings.auth);
    };
    assert_eq!(access_key.as_str(), "AKIDHUAWEI");
    assert_eq!(
        access_key.origin(),
        &Origin::Env("HW_ACCESS_KEY".to_string())
    );
    assert_eq!(secret_key.expose_secret(), "file-secret-value");
    assert_eq!(
        secret_key.origin(),
        &Origin::File(dir.path().join("secrets/hw.sk"))
    );
    assert_eq!(
        security_token.as_ref().unwrap().expose_secret(),
        "hw-token-value"
    );
}

#[test]
fn huaweicloud_takes_a_token_a_literal_identifier_and_an_endpoint() {
    let config = load_ok(
        r#"
[[source]]
name = "hw"
kind = "huaweicloud"
region = "cn-north-4"
endpoint = "http://127.0.0.1:8080"
project_id = "p1"
auth_token = { env = "HW_TOKEN" }
page_size = 2000
"#,
    );
    let source = &config.sources[0];
    assert_eq!(source.endpoint.as_deref(), Some("http://127.0.0.1:8080"));
    assert_eq!(
        source.endpoint_or_default().as_deref(),
        Some("http://127.0.0.1:8080")
    );
    let settings = huawei(source);
    assert_eq!(settings.page_size, 2000);
    let huaweicloud::Auth::Token { auth_token } = &settings.auth else {
        panic!("expected a token, got {:?}", settings.auth);
    };
    assert_eq!(auth_token.expose_secret(), "hw-token-value");

    let literal = load_ok(&HUAWEI.replace("{ env = \"HW_ACCESS_KEY\" }", "\"AKIDLITERAL\""));
    let huaweicloud::Auth::AccessKey { access_key, .. } = &huawei(&literal.sources[0]).auth else {
        panic!("expected AK/SK");
    };
    assert_eq!(access_key, &Identifier::new("AKIDLITERAL", Origin::Literal));
}

#[test]
fn huaweicloud_needs_exactly_one_form_of_credentials() {
    let both = load_err(&format!("{HUAWEI}auth_token = {{ env = \"HW_TOKEN\" }}\n"));
    assert_eq!(
        both,
        "vpnsnap.toml:9: source \"hw\": \"auth_token\": give either access_key + secret_key (AK/SK signing) \
         or auth_token, not both"
    );
    let none = load_err(
        "[[source]]\nname = \"hw\"\nkind = \"huaweicloud\"\nregion = \"r\"\nproject_id = \"p\"\n",
    );
    assert_eq!(
        none,
        "vpnsnap.toml:1: source \"hw\": no credentials: give access_key + secret_key (optionally security_token), \
         or auth_token"
    );
    let half = load_err(&HUAWEI.replace("secret_key = { env = \"HW_SECRET_KEY\" }\n", ""));
    assert_eq!(
        half,
        "vpnsnap.toml:2: source \"hw\": missing required key \"secret_key\""
    );
}

#[test]
fn a_typo_of_a_required_key_is_named_as_unknown_with_the_fix() {
    let message = load_err(&HUAWEI.replace("access_key =", "acess_key ="));
    assert_eq!(
        message,
        "vpnsnap.toml:7: source \"hw\": unknown key \"acess_key\" (did you mean \"access_key\"? it is required here)"
    );
}

#[test]
fn an_unknown_optional_key_lists_the_kinds_keys() {
    let message = load_err(&format!("{HUAWEI}pagesize = 10\n"));
    assert_eq!(
        message,
        "vpnsnap.toml:9: source \"hw\": unknown key \"pagesize\" (did you mean \"page_size\"? keys for huaweicloud: \
         name, kind, region, endpoint, project_id, access_key, secret_key, security_token, auth_token, vgw_id, \
         vgw_ip, enterprise_project_id, page_size, resolve_gateways, ca_file, tls_roots)"
    );
}

#[test]
fn values_of_the_wrong_type_or_range_are_refused() {
    let cases = [
        (
            "page_size = \"10\"",
            "\"page_size\": must be an integer from 1 to 2000, not a string",
        ),
        (
            "page_size = 5000",
            "\"page_size\": must be an integer from 1 to 2000, not 5000",
        ),
        (
            "page_size = 0",
            "\"page_size\": must be an integer from 1 to 2000, not 0",
        ),
        (
            "page_size = -3",
            "\"page_size\": must be an integer from 1 to 2000, not -3",
        ),
        (
            "page_size = 99999999999999999999999",
            "\"page_size\": must be an integer from 1 to 2000, not 99999999999999999999999",
        ),
        (
            "page_size = 1.5",
            "\"page_size\": must be an integer from 1 to 2000, not a float",
        ),
        ("vgw_id = 7", "\"vgw_id\": must be a string, not an integer"),
        ("vgw_id = \"\"", "\"vgw_id\": must not be empty"),
        (
            "vgw_ip = \"gateway\"",
            "\"vgw_ip\": must be an IP address or an EIP id (a UUID), not \"gateway\"",
        ),
        (
            "enterprise_project_id = \"0\"",
            "\"enterprise_project_id\": must be an array of strings, not a string",
        ),
        (
            "enterprise_project_id = [0]",
            "\"enterprise_project_id\": must be an array of strings, not an integer",
        ),
        (
            "resolve_gateways = \"no\"",
            "\"resolve_gateways\": must be true or false, not a string",
        ),
    ];
    for (line, expected) in cases {
        let message = load_err(&format!("{HUAWEI}{line}\n"));
        assert_eq!(
            message,
            format!("vpnsnap.toml:9: source \"hw\": {expected}"),
            "for {line}"
        );
    }
}

#[test]
fn huawei_gateway_resolution_can_be_turned_off() {
    let text = "[[source]]\nname = \"hw\"\nkind = \"huaweicloud\"\nregion = \"cn-north-4\"\n\
                project_id = \"p\"\nauth_token = { env = \"HW_TOKEN\" }\n\
                resolve_gateways = false\n";
    let config = load_ok(text);
    assert!(!huawei(config.source("hw").unwrap()).resolve_gateways);
}

#[test]
fn huawei_vgw_ip_may_be_an_eip_id() {
    let text = "[[source]]\nname = \"hw\"\nkind = \"huaweicloud\"\nregion = \"cn-north-4\"\n\
                project_id = \"p\"\nauth_token = { env = \"HW_TOKEN\" }\n\
                vgw_ip = \"0c464dad-6b34-4a8f-a8df-8a86e2c1ef2b\"\n";
    let config = load_ok(text);
    let settings = huawei(config.source("hw").unwrap());
    assert_eq!(
        settings.vgw_ip.as_deref(),
        Some("0c464dad-6b34-4a8f-a8df-8a86e2c1ef2b")
    );
}
