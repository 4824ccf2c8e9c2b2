//! One Huawei Cloud VPN v5 request: the URL, the headers, AK/SK signing or
//! the IAM token, and what the response amounts to. A failed response is
//! read in full (the `error_code`/`error_msg` or `code`/`message` body and the
//! `X-Request-Id`) before it is classified.

use chrono::Utc;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};
use secrecy::ExposeSecret;
use serde_json::Value;

use super::errors::error_detail;
use super::settings::{Auth, Settings};
use super::sign;
use crate::http::{self, FetchError, display_url, retry_after};

/// Which call a request is: a 404 means a wrong project or endpoint for a
/// list, a missing connection for a show; a 403 on a gateway list names the
/// IAM action it lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    List,
    Show,
    /// `GET /v5/{project_id}/customer-gateways`.
    ListCustomerGateways,
    /// `GET /v5/{project_id}/vpn-gateways`.
    ListVpnGateways,
    /// `GET /v5/{project_id}/customer-gateways/{id}`.
    ShowCustomerGateway,
    /// `GET /v5/{project_id}/vpn-gateways/{id}`.
    ShowVpnGateway,
}

impl Call {
    /// The collection's path segment under `/v5/{project_id}/`.
    pub fn collection(self) -> &'static str {
        match self {
            Call::List | Call::Show => "vpn-connection",
            Call::ListCustomerGateways | Call::ShowCustomerGateway => "customer-gateways",
            Call::ListVpnGateways | Call::ShowVpnGateway => "vpn-gateways",
        }
    }

    /// Whether the call shows one object (a 404 means it is gone).
    fn is_show(self) -> bool {
        matches!(
            self,
            Call::Show | Call::ShowCustomerGateway | Call::ShowVpnGateway
        )
    }

    /// The IAM action a list call needs.
    fn action(self) -> &'static str {
        match self {
            Call::List | Call::Show => "vpn:vpnConnections:list",
            Call::ListCustomerGateways => "vpn:customerGateways:list",
            Call::ListVpnGateways => "vpn:vpnGateways:list",
            Call::ShowCustomerGateway => "vpn:customerGateways:get",
            Call::ShowVpnGateway => "vpn:vpnGateways:get",
        }
    }
}

/// The parsed endpoint of a source, e.g. `https://vpn.ap-southeast-1.myhuaweicloud.com`.
#[derive(Debug, Clone)]
pub struct Endpoint(Url);

impl Endpoint {
    /// Parses an `http(s)` base URL; any path is kept as a prefix.
    pub fn parse(endpoint: &str) -> Result<Endpoint, FetchError> {
        let url = Url::parse(endpoint.trim_end_matches('/')).map_err(|error| {
            FetchError::Config(format!("endpoint {endpoint:?} is not a URL: {error}"))
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(FetchError::Config(format!(
                "endpoint {endpoint:?} is not an http(s) URL with a host"
            )));
        }
        Ok(Endpoint(url))
    }

    /// The endpoint for messages.
    pub fn display(&self) -> String {
        display_url(&self.0)
    }
}

/// Sends the requests of one Huawei Cloud source.
#[derive(Debug)]
pub struct Client<'a> {
    http: http::Client,
    endpoint: Endpoint,
    settings: &'a Settings,
}

impl<'a> Client<'a> {
    pub fn new(http: http::Client, endpoint: Endpoint, settings: &'a Settings) -> Client<'a> {
        Client {
            http,
            endpoint,
            settings,
        }
    }

    /// The source's settings.
    pub fn settings(&self) -> &Settings {
        self.settings
    }

    /// `GET /v5/{project_id}/vpn-connection?limit=&marker=&...filters`.
    pub fn list_url(&self, limit: u32, marker: Option<&str>) -> Url {
        let mut pairs = vec![("limit", limit.to_string())];
        if let Some(marker) = marker {
            pairs.push(("marker", marker.to_string()));
        }
        if let Some(vgw_id) = &self.settings.vgw_id {
            pairs.push(("vgw_id", vgw_id.clone()));
        }
        if let Some(vgw_ip) = &self.settings.vgw_ip {
            pairs.push(("vgw_ip", vgw_ip.clone()));
        }
        for id in &self.settings.enterprise_project_ids {
            pairs.push(("enterprise_project_id", id.clone()));
        }
        self.with_query(Call::List, &pairs)
    }

    /// `GET /v5/{project_id}/customer-gateways?limit=&marker=` (every
    /// customer gateway of the project: the source's filters are for
    /// connections).
    pub fn customer_gateways_url(&self, limit: u32, marker: Option<&str>) -> Url {
        let mut pairs = vec![("limit", limit.to_string())];
        if let Some(marker) = marker {
            pairs.push(("marker", marker.to_string()));
        }
        self.with_query(Call::ListCustomerGateways, &pairs)
    }

    /// `GET /v5/{project_id}/vpn-gateways` (not paged), narrowed to the
    /// source's enterprise projects as the connections are (credentials
    /// scoped to enterprise projects may list only theirs; a gateway of
    /// another that a connection names is shown on its own).
    pub fn vpn_gateways_url(&self) -> Url {
        let pairs: Vec<(&str, String)> = self
            .settings
            .enterprise_project_ids
            .iter()
            .map(|id| ("enterprise_project_id", id.clone()))
            .collect();
        match pairs.is_empty() {
            true => self.url(Call::ListVpnGateways, &[]),
            false => self.with_query(Call::ListVpnGateways, &pairs),
        }
    }

    /// `GET /v5/{project_id}/vpn-connection/{id}`.
    pub fn show_url(&self, connection_id: &str) -> Url {
        self.url(Call::Show, &[connection_id])
    }

    /// `GET /v5/{project_id}/{customer-gateways|vpn-gateways}/{id}` for a
    /// show `call`.
    pub fn object_url(&self, call: Call, id: &str) -> Url {
        self.url(call, &[id])
    }

    fn with_query(&self, call: Call, pairs: &[(&str, String)]) -> Url {
        let query = pairs
            .iter()
            .map(|(key, value)| format!("{key}={}", sign::encode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let mut url = self.url(call, &[]);
        url.set_query(Some(&query));
        url
    }

    fn url(&self, call: Call, extra: &[&str]) -> Url {
        let mut url = self.endpoint.0.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .extend(["v5", self.settings.project_id.as_str(), call.collection()])
                .extend(extra);
        }
        url
    }

    /// One attempt at `GET url`: signed anew (a retry gets a fresh
    /// `X-Sdk-Date`), its body read and classified.
    pub async fn get(&self, url: &Url, call: Call) -> Result<Value, FetchError> {
        self.attempt(url, call, false)
            .await?
            .ok_or_else(|| FetchError::Decode(format!("{}: gone", display_url(url))))
    }

    /// Like [`Client::get`] for a show call, `None` when the object is gone
    /// (HTTP 404).
    pub async fn get_object(&self, url: &Url, call: Call) -> Result<Option<Value>, FetchError> {
        self.attempt(url, call, true).await
    }

    async fn attempt(
        &self,
        url: &Url,
        call: Call,
        gone_is_none: bool,
    ) -> Result<Option<Value>, FetchError> {
        let shown = display_url(url);
        let headers = self.headers(url)?;
        let reply = self
            .http
            .send(self.http.get(url.clone()).headers(headers), &shown)
            .await?;
        let (status, response_headers, body) = (reply.status, reply.headers, reply.body);
        if status.is_success() {
            return serde_json::from_slice(&body).map(Some).map_err(|error| {
                FetchError::Decode(format!(
                    "{shown}: HTTP {status} with a body that is not JSON: {error}"
                ))
            });
        }
        if gone_is_none && status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        Err(self.classify(call, &shown, status, &response_headers, &body))
    }

    /// The request headers: `Content-Type`, `X-Project-Id`, and either the
    /// signature (`X-Sdk-Date`, `Authorization`, `X-Security-Token`) or `X-Auth-Token`.
    fn headers(&self, url: &Url) -> Result<HeaderMap, FetchError> {
        let mut headers: Vec<(&str, String)> = vec![
            ("content-type", "application/json".to_string()),
            ("x-project-id", self.settings.project_id.clone()),
        ];
        match &self.settings.auth {
            Auth::AccessKey {
                access_key,
                secret_key,
                security_token,
            } => {
                let date = sign::sdk_date(Utc::now());
                headers.push((sign::DATE_HEADER, date.clone()));
                if let Some(token) = security_token {
                    headers.push(("x-security-token", token.expose_secret().to_string()));
                }
                // The Host header reqwest sends: the port only when it is not
                // the scheme's default, as `Url::port` gives it.
                let host = match (url.host_str(), url.port()) {
                    (Some(host), Some(port)) => format!("{host}:{port}"),
                    (Some(host), None) => host.to_string(),
                    (None, _) => String::new(),
                };
                let mut signed: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(name, value)| (*name, value.as_str()))
                    .collect();
                signed.push(("host", &host));
                let parts = sign::RequestParts {
                    method: "GET",
                    path: url.path(),
                    query: url.query(),
                    headers: &signed,
                    body: b"",
                };
                let authorization = sign::authorization(
                    access_key.as_str(),
                    secret_key.expose_secret(),
                    &date,
                    &parts,
                );
                headers.push(("authorization", authorization));
            }
            Auth::Token { auth_token } => {
                headers.push(("x-auth-token", auth_token.expose_secret().to_string()));
            }
        }
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let mut value = HeaderValue::from_str(&value).map_err(|_| {
                // Never show the value: it may be a credential.
                FetchError::Config(format!(
                    "the {name} header value is not valid in HTTP (control characters?); \
                     check the source's credentials and project_id"
                ))
            })?;
            value.set_sensitive(matches!(
                name,
                "authorization" | "x-auth-token" | "x-security-token"
            ));
            map.insert(name, value);
        }
        Ok(map)
    }

    /// What a non-2xx response means.
    fn classify(
        &self,
        call: Call,
        shown: &str,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> FetchError {
        let detail = format!(
            "{shown}: HTTP {}{}",
            status.as_u16(),
            error_detail(headers, body)
        );
        match status.as_u16() {
            401 => FetchError::Auth(format!("{detail}; {}", self.credential_hint())),
            403 if matches!(call, Call::List | Call::Show) => FetchError::Auth(format!(
                "{detail}; check that {} may read the VPN connections of project {}",
                self.credential_hint_short(),
                self.settings.project_id
            )),
            403 => FetchError::Auth(format!(
                "{detail}; {} lacks the IAM permission {} for project {}, which resolving \
                 connections' gateways needs (customer gateways cannot be granted per enterprise \
                 project): grant it, or set resolve_gateways = false on the source (peer_address \
                 stays empty, gateway_ip holds vgw_ip as given)",
                self.credential_hint_short(),
                call.action(),
                self.settings.project_id
            )),
            404 if !call.is_show() => FetchError::Config(format!(
                "{detail}; check project_id {:?} and endpoint {}: no VPN connection API for \
                 that project there",
                self.settings.project_id,
                self.endpoint.display()
            )),
            429 => FetchError::Throttled {
                message: detail,
                retry_after: retry_after(headers),
            },
            500..=599 => FetchError::Server(detail),
            _ => FetchError::Rejected(detail),
        }
    }

    fn credential_hint(&self) -> String {
        match &self.settings.auth {
            Auth::AccessKey {
                access_key,
                secret_key,
                security_token,
            } => {
                let mut hint = format!(
                    "check access_key (from {}) and secret_key (from {})",
                    access_key.origin(),
                    secret_key.origin()
                );
                if let Some(token) = security_token {
                    hint.push_str(&format!(
                        " and security_token (from {}; temporary credentials expire)",
                        token.origin()
                    ));
                }
                hint.push_str(", and that this machine's clock is within 15 minutes of UTC");
                hint
            }
            Auth::Token { auth_token } => format!(
                "check auth_token (from {}); IAM tokens expire after 24 hours",
                auth_token.origin()
            ),
        }
    }

    fn credential_hint_short(&self) -> String {
        match &self.settings.auth {
            Auth::AccessKey { access_key, .. } => format!("access key {access_key}"),
            Auth::Token { auth_token } => format!("the auth_token (from {})", auth_token.origin()),
        }
    }
}
