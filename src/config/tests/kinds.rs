//! The openstack, tencent and tencent-legacy kinds.

use super::*;

// ---- openstack ----

#[test]
fn openstack_password_login_fills_the_domains() {
    let config = load_ok(&format!("{OPENSTACK}project_name = \"network\"\n"));
    let source = &config.sources[0];
    assert_eq!(source.account, None);
    assert_eq!(source.endpoint_or_default(), None);
    let settings = openstack(source);
    assert_eq!(
        settings.auth_url.as_deref(),
        Some("https://keystone.example:5000/v3")
    );
    assert_eq!(settings.interface, openstack::Interface::Public);
    assert_eq!(settings.page_size, None);
    assert_eq!(
        config.sources[0].tls,
        crate::provider::TlsSettings::default()
    );
    let openstack::Auth::Password {
        username,
        password,
        user_domain_name,
        project,
    } = &settings.auth
    else {
        panic!("expected a password login, got {:?}", settings.auth);
    };
    assert_eq!(username.as_str(), "vpnsnap");
    assert_eq!(password.expose_secret(), "os-password-value");
    assert_eq!(user_domain_name, "Default");
    assert_eq!(
        project,
        &openstack::Project::Name {
            name: "network".to_string(),
            domain_name: "Default".to_string()
        }
    );
}

#[test]
fn openstack_project_id_is_the_account() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ca.pem"), TEST_CA).unwrap();
    let text = format!(
        "{OPENSTACK}project_id = \"7f3e\"\nuser_domain_name = \"corp\"\ninterface = \"internal\"\n\
         page_size = 500\nca_file = \"ca.pem\"\n"
    );
    let config = load_at(&text, &dir.path().join("vpnsnap.toml"));
    let source = &config.sources[0];
    assert_eq!(source.account.as_deref(), Some("7f3e"));
    let settings = openstack(source);
    assert_eq!(settings.interface, openstack::Interface::Internal);
    assert_eq!(settings.page_size, Some(500));
    assert_eq!(source.tls.ca_file, Some(dir.path().join("ca.pem")));
    let openstack::Auth::Password {
        user_domain_name,
        project,
        ..
    } = &settings.auth
    else {
        panic!("expected a password login");
    };
    assert_eq!(user_domain_name, "corp");
    assert_eq!(project, &openstack::Project::Id("7f3e".to_string()));
}

#[test]
fn openstack_application_credentials_and_tokens() {
    let credential = load_ok(
        r#"
[[source]]
name = "os"
kind = "openstack"
region = "RegionOne"
auth_url = "https://keystone.example:5000/v3"
application_credential_id = "21dced0f"
application_credential_secret = { env = "OS_APP_SECRET" }
"#,
    );
    let openstack::Auth::ApplicationCredential { id, secret } =
        &openstack(&credential.sources[0]).auth
    else {
        panic!("expected an application credential");
    };
    assert_eq!(id.as_str(), "21dced0f");
    assert_eq!(secret.expose_secret(), "os-app-secret-value");

    let token = load_ok(
        r#"
[[source]]
name = "os"
kind = "openstack"
region = "RegionOne"
endpoint = "https://neutron.example:9696"
auth_token = { env = "OS_TOKEN" }
"#,
    );
    let settings = openstack(&token.sources[0]);
    assert_eq!(settings.auth_url, None);
    assert_eq!(
        token.sources[0].endpoint.as_deref(),
        Some("https://neutron.example:9696")
    );
    let openstack::Auth::Token { auth_token } = &settings.auth else {
        panic!("expected a token");
    };
    assert_eq!(auth_token.expose_secret(), "os-token-value");
}

#[test]
fn openstack_forms_and_scopes_are_checked() {
    let token_without_endpoint = load_err(
        "[[source]]\nname = \"os\"\nkind = \"openstack\"\nregion = \"R\"\nauth_token = { env = \"OS_TOKEN\" }\n",
    );
    assert_eq!(
        token_without_endpoint,
        "vpnsnap.toml:5: source \"os\": \"auth_token\": needs \"endpoint\" (the Neutron URL): \
         a token alone does not give the service catalog"
    );
    let two_forms = load_err(&format!(
        "{OPENSTACK}project_name = \"n\"\nauth_token = {{ env = \"OS_TOKEN\" }}\n"
    ));
    assert_eq!(
        two_forms,
        "vpnsnap.toml:10: source \"os\": \"auth_token\": give only one of username + password, \
         application_credential_id + application_credential_secret, or auth_token"
    );
    let no_project = load_err(OPENSTACK);
    assert_eq!(
        no_project,
        "vpnsnap.toml:2: source \"os\": missing the project: give project_name or project_id"
    );
    let both_projects = load_err(&format!(
        "{OPENSTACK}project_name = \"n\"\nproject_id = \"i\"\n"
    ));
    assert_eq!(
        both_projects,
        "vpnsnap.toml:10: source \"os\": \"project_id\": give project_name or project_id, not both"
    );
    let stray_scope = load_err(
        "[[source]]\nname = \"os\"\nkind = \"openstack\"\nregion = \"R\"\nauth_url = \"https://k/v3\"\n\
         application_credential_id = \"a\"\napplication_credential_secret = { env = \"OS_APP_SECRET\" }\n\
         project_name = \"n\"\n",
    );
    assert_eq!(
        stray_scope,
        "vpnsnap.toml:8: source \"os\": \"project_name\": is only used with username + password; remove it"
    );
    let no_auth_url = load_err(&format!(
        "{}project_name = \"n\"\n",
        OPENSTACK.replace("auth_url = \"https://keystone.example:5000/v3\"\n", "")
    ));
    assert_eq!(
        no_auth_url,
        "vpnsnap.toml:2: source \"os\": missing required key \"auth_url\""
    );
    let interface = load_err(&format!(
        "{OPENSTACK}project_name = \"n\"\ninterface = \"private\"\n"
    ));
    assert_eq!(
        interface,
        "vpnsnap.toml:10: source \"os\": \"interface\": must be one of public | internal | admin, not \"private\""
    );
    let text = format!("{OPENSTACK}project_name = \"n\"\nca_file = \"no-such-ca.pem\"\n");
    let ca_file = load_from_str(&text, Path::new(PATH), &env)
        .unwrap_err()
        .to_string();
    assert_eq!(
        ca_file,
        "/etc/vpnsnap/vpnsnap.toml:10: source \"os\": \"ca_file\": \
         cannot read /etc/vpnsnap/no-such-ca.pem: No such file or directory (os error 2)",
    );
    let page_size = load_err(&format!("{OPENSTACK}project_name = \"n\"\npage_size = 0\n"));
    assert_eq!(
        page_size,
        "vpnsnap.toml:10: source \"os\": \"page_size\": must be an integer of at least 1, not 0"
    );
}

#[test]
fn a_second_credential_form_is_named_where_it_starts() {
    let message = load_err(&format!(
        "{OPENSTACK}project_name = \"n\"\napplication_credential_secret = {{ env = \"OS_APP_SECRET\" }}\n"
    ));
    assert_eq!(
        message,
        "vpnsnap.toml:10: source \"os\": \"application_credential_secret\": give only one of username + password, \
         application_credential_id + application_credential_secret, or auth_token"
    );
}

// ---- tencent ----

#[test]
fn tencent_loads_with_defaults() {
    let config = load_ok(&format!(
        "{TENCENT}token = {{ env = \"TC_TOKEN\" }}\nvpn_gateway_id = \"vpngw-1\"\n"
    ));
    let source = &config.sources[0];
    assert_eq!(source.account, None);
    assert_eq!(
        source.endpoint_or_default().as_deref(),
        Some("https://vpc.tencentcloudapi.com/")
    );
    let settings = tencent(source);
    assert_eq!(settings.secret_id.as_str(), "AKIDTENCENT");
    assert_eq!(settings.secret_key.expose_secret(), "tc-secret-key-value");
    assert_eq!(
        settings.token.as_ref().map(|token| token.expose_secret()),
        Some("tc-token-value")
    );
    assert_eq!(settings.vpc_id, None);
    assert_eq!(settings.vpn_gateway_id.as_deref(), Some("vpngw-1"));
    assert_eq!(settings.page_size, 100);

    let too_big = load_err(&format!("{TENCENT}page_size = 101\n"));
    assert_eq!(
        too_big,
        "vpnsnap.toml:8: source \"tc\": \"page_size\": must be an integer from 1 to 100, not 101"
    );
}

#[test]
fn tencent_legacy_loads_with_defaults() {
    let text = TENCENT.replace("\"tencent\"", "\"tencent-legacy\"");
    let config = load_ok(&text);
    let source = &config.sources[0];
    assert_eq!(
        source.endpoint_or_default().as_deref(),
        Some("https://vpc.api.qcloud.com/v2/index.php")
    );
    let settings = tencent_legacy(source);
    assert_eq!(
        settings.signature_method,
        tencent_legacy::SignatureMethod::HmacSha256
    );
    assert_eq!(settings.page_size, 50);

    let sha1 = load_ok(&format!(
        "{text}signature_method = \"HmacSHA1\"\npage_size = 20\n"
    ));
    let settings = tencent_legacy(&sha1.sources[0]);
    assert_eq!(
        settings.signature_method,
        tencent_legacy::SignatureMethod::HmacSha1
    );
    assert_eq!(settings.page_size, 20);

    let method = load_err(&format!("{text}signature_method = \"HmacMD5\"\n"));
    assert_eq!(
        method,
        "vpnsnap.toml:8: source \"tc\": \"signature_method\": must be one of HmacSHA256 | HmacSHA1, not \"HmacMD5\""
    );
    let page_size = load_err(&format!("{text}page_size = 51\n"));
    assert_contains(
        &page_size,
        "\"page_size\": must be an integer from 1 to 50, not 51",
    );
    let token = load_err(&format!("{text}token = {{ env = \"TC_TOKEN\" }}\n"));
    assert_contains(
        &token,
        "vpnsnap.toml:8: source \"tc\": unknown key \"token\" (keys for tencent-legacy: ",
    );
}

/// A self-signed CA certificate (tests/fixtures/tls/ca.pem).
const TEST_CA: &str = include_str!("../../../tests/fixtures/tls/ca.pem");

#[test]
fn every_kind_takes_a_ca_file_checked_at_load_and_tls_roots() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ca.pem"), TEST_CA).unwrap();
    fs::write(dir.path().join("empty.pem"), "# no certificate here\n").unwrap();
    fs::write(dir.path().join("cut.pem"), "-----BEGIN CERTIFICATE-----\n").unwrap();
    let huawei = "[[source]]\nname = \"hw\"\nkind = \"huaweicloud\"\nregion = \"cn-north-4\"\n\
                  project_id = \"p\"\nauth_token = { env = \"T\" }\n";
    let env = |name: &str| (name == "T").then(|| "token".to_string());
    let load = |extra: &str| {
        load_from_str(
            &format!("{huawei}{extra}"),
            &dir.path().join("vpnsnap.toml"),
            &env,
        )
    };
    let config = load("ca_file = \"ca.pem\"\ntls_roots = \"system\"\n").unwrap();
    assert_eq!(
        config.sources[0].tls,
        crate::provider::TlsSettings {
            ca_file: Some(dir.path().join("ca.pem")),
            roots: crate::provider::TlsRoots::System,
        }
    );
    let error = load("ca_file = \"empty.pem\"\n").unwrap_err().to_string();
    assert!(
        error.ends_with(&format!(
            "source \"hw\": \"ca_file\": {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            dir.path().join("empty.pem").display()
        )),
        "{error}"
    );
    let error = load("ca_file = \"cut.pem\"\n").unwrap_err().to_string();
    assert!(error.contains("\"ca_file\": "), "{error}");
    assert!(error.contains("cut.pem"), "{error}");
    let error = load("tls_roots = \"os\"\n").unwrap_err().to_string();
    assert!(
        error.ends_with("\"tls_roots\": must be one of builtin | system, not \"os\""),
        "{error}"
    );
}
