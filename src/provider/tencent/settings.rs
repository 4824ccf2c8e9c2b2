//! The `[[source]]` keys of `kind = "tencent"` (VPC API 3.0): the API key
//! pair, an optional session token, the optional filters and the page size.

use crate::keys::{ConfigError, Identifier, Secret, SourceKeys, describe};

/// The API's endpoint; the region travels in the `X-TC-Region` header.
pub const DEFAULT_ENDPOINT: &str = "https://vpc.tencentcloudapi.com/";
/// Connections asked for per page unless `page_size` says otherwise (the API's maximum).
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// The largest `Limit` the API accepts.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The resolved keys of a Tencent Cloud (API 3.0) source.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `secret_id`: the SecretId.
    pub secret_id: Identifier,
    /// `secret_key`: the SecretKey.
    pub secret_key: Secret,
    /// `token`: the session token of temporary credentials.
    pub token: Option<Secret>,
    /// `vpc_id`: list only this VPC's connections.
    pub vpc_id: Option<String>,
    /// `vpn_gateway_id`: list only this gateway's connections.
    pub vpn_gateway_id: Option<String>,
    /// `page_size`: the `Limit` of each request, 1 to 100.
    pub page_size: u32,
}

/// The default endpoint; the same for every region.
pub fn default_endpoint(_region: &str) -> String {
    DEFAULT_ENDPOINT.to_string()
}

/// Reads the Tencent Cloud keys of a source.
pub fn read(keys: &mut SourceKeys<'_>) -> Result<Settings, ConfigError> {
    Ok(Settings {
        secret_id: keys.identifier("secret_id")?,
        secret_key: keys.secret("secret_key")?,
        token: keys.optional_secret("token")?,
        vpc_id: keys.optional_text("vpc_id")?,
        vpn_gateway_id: keys.optional_text("vpn_gateway_id")?,
        page_size: keys
            .optional_integer_in("page_size", 1..=MAX_PAGE_SIZE)?
            .unwrap_or(DEFAULT_PAGE_SIZE),
    })
}

impl Settings {
    /// Tencent sources have no account key.
    pub fn account(&self) -> Option<&str> {
        None
    }

    /// Writes the keys for `vpnsnap config check`, secrets masked.
    pub fn describe(&self, out: &mut String) {
        describe::identifier(out, "secret_id", &self.secret_id);
        describe::secret(out, "secret_key", &self.secret_key);
        describe::optional_secret(out, "token", self.token.as_ref());
        describe::optional_text(out, "vpc_id", self.vpc_id.as_deref());
        describe::optional_text(out, "vpn_gateway_id", self.vpn_gateway_id.as_deref());
        describe::integer(
            out,
            "page_size",
            self.page_size,
            self.page_size == DEFAULT_PAGE_SIZE,
        );
    }
}
