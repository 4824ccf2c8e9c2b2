//! The `[[source]]` keys of `kind = "huaweicloud"`: the project, AK/SK
//! signing or an IAM token, the optional listing filters and the page size.

use std::net::IpAddr;

use crate::keys::{ConfigError, Identifier, Secret, SourceKeys, describe};

/// Connections asked for per page unless `page_size` says otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 200;
/// The largest `limit` the API accepts.
pub const MAX_PAGE_SIZE: u32 = 2000;

/// The resolved keys of a Huawei Cloud source.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `project_id`: the project whose connections are listed (also the
    /// source's account).
    pub project_id: String,
    pub auth: Auth,
    /// `vgw_id`: list only this VPN gateway's connections.
    pub vgw_id: Option<String>,
    /// `vgw_ip`: list only connections on this gateway IP, given as the
    /// address or as its EIP id (the API takes both).
    pub vgw_ip: Option<String>,
    /// `enterprise_project_id`: list only these enterprise projects (empty: all).
    pub enterprise_project_ids: Vec<String>,
    /// `page_size`: the `limit` of each request, 1 to 2000.
    pub page_size: u32,
    /// `resolve_gateways` (default true): list the project's customer
    /// gateways and VPN gateways too, so that each connection gets its
    /// peer's address and its gateway's IP (needs `vpn:customerGateways:list`
    /// and `vpn:vpnGateways:list`).
    pub resolve_gateways: bool,
}

/// How requests are authenticated: exactly one of the two forms.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `access_key` + `secret_key` (+ `security_token` for temporary
    /// credentials): `SDK-HMAC-SHA256` request signing.
    AccessKey {
        access_key: Identifier,
        secret_key: Secret,
        security_token: Option<Secret>,
    },
    /// `auth_token`: an IAM token sent as `X-Auth-Token`.
    Token { auth_token: Secret },
}

impl Auth {
    /// The secret values, for taking out of error texts.
    pub fn secrets(&self) -> Vec<&Secret> {
        match self {
            Auth::AccessKey {
                secret_key,
                security_token,
                ..
            } => std::iter::once(secret_key).chain(security_token).collect(),
            Auth::Token { auth_token } => vec![auth_token],
        }
    }
}

/// `https://vpn.{region}.myhuaweicloud.com`.
pub fn default_endpoint(region: &str) -> String {
    format!("https://vpn.{region}.myhuaweicloud.com")
}

/// Reads the Huawei Cloud keys of a source.
pub fn read(keys: &mut SourceKeys<'_>) -> Result<Settings, ConfigError> {
    let project_id = keys.required_text("project_id")?;
    let auth = read_auth(keys)?;
    let vgw_id = keys.optional_text("vgw_id")?;
    let vgw_ip = read_vgw_ip(keys)?;
    let enterprise_project_ids = keys.string_list("enterprise_project_id")?;
    let page_size = keys
        .optional_integer_in("page_size", 1..=MAX_PAGE_SIZE)?
        .unwrap_or(DEFAULT_PAGE_SIZE);
    let resolve_gateways = keys.optional_bool("resolve_gateways")?.unwrap_or(true);
    Ok(Settings {
        project_id,
        auth,
        vgw_id,
        vgw_ip,
        enterprise_project_ids,
        page_size,
        resolve_gateways,
    })
}

/// `vgw_ip`: an IP address, or an EIP id (a UUID: 32 hex digits in the
/// 8-4-4-4-12 groups).
fn read_vgw_ip(keys: &mut SourceKeys<'_>) -> Result<Option<String>, ConfigError> {
    let Some(text) = keys.optional_text("vgw_ip")? else {
        return Ok(None);
    };
    if text.parse::<IpAddr>().is_ok() || is_uuid(&text) {
        Ok(Some(text))
    } else {
        Err(keys.error(
            "vgw_ip",
            format!("must be an IP address or an EIP id (a UUID), not {text:?}"),
        ))
    }
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|group| group.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|group| group.bytes().all(|byte| byte.is_ascii_hexdigit()))
}

fn read_auth(keys: &mut SourceKeys<'_>) -> Result<Auth, ConfigError> {
    let signing = keys.any_of(&["access_key", "secret_key", "security_token"]);
    let token = keys.has("auth_token");
    match (signing, token) {
        (true, true) => Err(keys.error(
            "auth_token",
            "give either access_key + secret_key (AK/SK signing) or auth_token, not both",
        )),
        (false, false) => Err(keys.table_error(
            "no credentials: give access_key + secret_key (optionally security_token), or auth_token",
        )),
        (true, false) => Ok(Auth::AccessKey {
            access_key: keys.identifier("access_key")?,
            secret_key: keys.secret("secret_key")?,
            security_token: keys.optional_secret("security_token")?,
        }),
        (false, true) => Ok(Auth::Token {
            auth_token: keys.secret("auth_token")?,
        }),
    }
}

impl Settings {
    /// The source's account: the project id.
    pub fn account(&self) -> Option<&str> {
        Some(&self.project_id)
    }

    /// Writes the keys for `vpnsnap config check`, secrets masked.
    pub fn describe(&self, out: &mut String) {
        describe::text(out, "project_id", &self.project_id);
        match &self.auth {
            Auth::AccessKey {
                access_key,
                secret_key,
                security_token,
            } => {
                describe::identifier(out, "access_key", access_key);
                describe::secret(out, "secret_key", secret_key);
                describe::optional_secret(out, "security_token", security_token.as_ref());
            }
            Auth::Token { auth_token } => describe::secret(out, "auth_token", auth_token),
        }
        describe::optional_text(out, "vgw_id", self.vgw_id.as_deref());
        describe::optional_text(out, "vgw_ip", self.vgw_ip.as_deref());
        describe::list(out, "enterprise_project_id", &self.enterprise_project_ids);
        describe::integer(
            out,
            "page_size",
            self.page_size,
            self.page_size == DEFAULT_PAGE_SIZE,
        );
        describe::boolean(
            out,
            "resolve_gateways",
            self.resolve_gateways,
            self.resolve_gateways,
        );
    }
}
