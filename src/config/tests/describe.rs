//! `Config::describe` and `Debug`: resolved values shown, secrets never.

use super::*;

// ---- describe and Debug ----

fn config_with_every_secret() -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("hw.sk"), "file-secret-value\n").unwrap();
    let text = r#"schedule = "0 */15 * * * *"
fingerprint_key = { env = "VPNSNAP_FINGERPRINT_KEY" }

[[source]]
name = "hw"
kind = "huaweicloud"
region = "cn-north-4"
project_id = "0a1b2c3d"
access_key = { env = "HW_ACCESS_KEY" }
secret_key = { file = "hw.sk" }
security_token = { env = "HW_TOKEN" }

[[source]]
name = "os"
kind = "openstack"
region = "RegionOne"
auth_url = "https://keystone.example:5000/v3"
username = "vpnsnap"
password = { env = "OS_PASSWORD" }
project_name = "network"

[[source]]
name = "os-token"
kind = "openstack"
region = "RegionOne"
endpoint = "https://neutron.example:9696"
tls_roots = "builtin"  # default
auth_token = { env = "OS_TOKEN" }
page_size = 50

[[source]]
name = "os-app"
kind = "openstack"
region = "RegionOne"
auth_url = "https://keystone.example:5000/v3"
application_credential_id = "21dced0f"
application_credential_secret = { env = "OS_APP_SECRET" }

[[source]]
name = "tc"
kind = "tencent"
region = "ap-guangzhou"
secret_id = { env = "TC_SECRET_ID" }
secret_key = { env = "TC_SECRET_KEY" }
token = { env = "TC_TOKEN" }

[[source]]
name = "tcl"
kind = "tencent-legacy"
region = "gz"
secret_id = "AKIDLEGACY"
secret_key = { env = "TC_SECRET_KEY" }
"#;
    let config = load_at(text, &dir.path().join("vpnsnap.toml"));
    (dir, config)
}

#[test]
fn describe_shows_resolved_values_and_masks_every_secret() {
    let (dir, config) = config_with_every_secret();
    let dir = dir.path().display();
    let expected = format!(
        r#"# vpnsnap configuration, resolved from {dir}/vpnsnap.toml
database = "{dir}/vpnsnap.db"
schedule = "0 */15 * * * *"
fingerprint_key = "***"  # from env VPNSNAP_FINGERPRINT_KEY
max_concurrency = 8  # default
max_retries = 4  # default
timeout_seconds = 30  # default
source_deadline_seconds = 600  # default
max_response_bytes = 67108864  # default
max_pages = 20000  # default
max_objects = 100000  # default
max_referenced_bytes = 134217728  # default
# metrics_file not set

[[source]]
name = "hw"
kind = "huaweicloud"
region = "cn-north-4"
endpoint = "https://vpn.cn-north-4.myhuaweicloud.com"  # default
tls_roots = "builtin"  # default
project_id = "0a1b2c3d"
access_key = "AKIDHUAWEI"  # from env HW_ACCESS_KEY
secret_key = "***"  # from file {dir}/hw.sk
security_token = "***"  # from env HW_TOKEN
page_size = 200  # default
resolve_gateways = true  # default

[[source]]
name = "os"
kind = "openstack"
region = "RegionOne"
# endpoint not set; openstack has no default
tls_roots = "builtin"  # default
auth_url = "https://keystone.example:5000/v3"
username = "vpnsnap"
password = "***"  # from env OS_PASSWORD
user_domain_name = "Default"
project_name = "network"
project_domain_name = "Default"
interface = "public"  # default
# page_size not set: requests send no limit

[[source]]
name = "os-token"
kind = "openstack"
region = "RegionOne"
endpoint = "https://neutron.example:9696"
tls_roots = "builtin"  # default
auth_token = "***"  # from env OS_TOKEN
interface = "public"  # default
page_size = 50

[[source]]
name = "os-app"
kind = "openstack"
region = "RegionOne"
# endpoint not set; openstack has no default
tls_roots = "builtin"  # default
auth_url = "https://keystone.example:5000/v3"
application_credential_id = "21dced0f"
application_credential_secret = "***"  # from env OS_APP_SECRET
interface = "public"  # default
# page_size not set: requests send no limit

[[source]]
name = "tc"
kind = "tencent"
region = "ap-guangzhou"
endpoint = "https://vpc.tencentcloudapi.com/"  # default
tls_roots = "builtin"  # default
secret_id = "AKIDTENCENT"  # from env TC_SECRET_ID
secret_key = "***"  # from env TC_SECRET_KEY
token = "***"  # from env TC_TOKEN
page_size = 100  # default

[[source]]
name = "tcl"
kind = "tencent-legacy"
region = "gz"
endpoint = "https://vpc.api.qcloud.com/v2/index.php"  # default
tls_roots = "builtin"  # default
secret_id = "AKIDLEGACY"
secret_key = "***"  # from env TC_SECRET_KEY
signature_method = "HmacSHA256"  # default
page_size = 50  # default
"#
    );
    let described = config.describe();
    assert_eq!(described, expected);
    for secret in SECRET_VALUES {
        assert!(
            !described.contains(secret),
            "{secret} shown in:\n{described}"
        );
    }
}

#[test]
fn describe_names_the_key_file_when_no_fingerprint_key_is_set() {
    let described = load_ok("database = \"v.db\"").describe();
    assert_eq!(
        described,
        "# vpnsnap configuration, resolved from /etc/vpnsnap/vpnsnap.toml\n\
         database = \"/etc/vpnsnap/v.db\"\n\
         # schedule not set\n\
         # fingerprint_key not set: the key file beside the database is used, /etc/vpnsnap/v.db.fingerprint-key\n\
         max_concurrency = 8  # default\n\
         max_retries = 4  # default\n\
         timeout_seconds = 30  # default\n\
         source_deadline_seconds = 600  # default\nmax_response_bytes = 67108864  # default\nmax_pages = 20000  # default\nmax_objects = 100000  # default\nmax_referenced_bytes = 134217728  # default\n\
         # metrics_file not set\n"
    );
}

#[test]
fn debug_output_never_shows_a_secret() {
    let (_dir, config) = config_with_every_secret();
    let debug = format!("{config:?}");
    for secret in SECRET_VALUES {
        assert!(!debug.contains(secret), "{secret} shown in:\n{debug}");
    }
    assert_contains(&debug, "Secret(***, from env TC_SECRET_KEY)");
    assert_contains(&debug, "AKIDTENCENT");
}
