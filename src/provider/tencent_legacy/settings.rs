//! The `[[source]]` keys of `kind = "tencent-legacy"` (legacy API v2): the
//! API key pair, the signature method, the optional filters and the page size.

use crate::keys::{ConfigError, Identifier, Secret, SourceKeys, describe};

/// The legacy API's endpoint; the region is a request parameter.
pub const DEFAULT_ENDPOINT: &str = "https://vpc.api.qcloud.com/v2/index.php";
/// Connections asked for per page unless `page_size` says otherwise (the API's maximum).
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The largest `limit` the API accepts.
pub const MAX_PAGE_SIZE: u32 = 50;

/// The resolved keys of a Tencent Cloud legacy (API v2) source.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `secret_id`: the SecretId.
    pub secret_id: Identifier,
    /// `secret_key`: the SecretKey.
    pub secret_key: Secret,
    /// `signature_method`: how requests are signed.
    pub signature_method: SignatureMethod,
    /// `vpc_id`: list only this VPC's connections.
    pub vpc_id: Option<String>,
    /// `vpn_gateway_id`: list only this gateway's connections.
    pub vpn_gateway_id: Option<String>,
    /// `page_size`: the `limit` of each request, 1 to 50.
    pub page_size: u32,
}

/// The `SignatureMethod` request parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureMethod {
    #[default]
    HmacSha256,
    HmacSha1,
}

impl SignatureMethod {
    /// The name in the config and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureMethod::HmacSha256 => "HmacSHA256",
            SignatureMethod::HmacSha1 => "HmacSHA1",
        }
    }
}

/// The default endpoint; the same for every region.
pub fn default_endpoint(_region: &str) -> String {
    DEFAULT_ENDPOINT.to_string()
}

/// Reads the Tencent Cloud legacy keys of a source.
pub fn read(keys: &mut SourceKeys<'_>) -> Result<Settings, ConfigError> {
    let methods = [SignatureMethod::HmacSha256, SignatureMethod::HmacSha1]
        .map(|method| (method.as_str(), method));
    Ok(Settings {
        secret_id: keys.identifier("secret_id")?,
        secret_key: keys.secret("secret_key")?,
        signature_method: keys
            .optional_choice("signature_method", &methods)?
            .unwrap_or_default(),
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
        describe::text_or_default(
            out,
            "signature_method",
            self.signature_method.as_str(),
            self.signature_method == SignatureMethod::default(),
        );
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
