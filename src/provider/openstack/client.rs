//! An authenticated Neutron session: the token (renewed shortly before it
//! expires, and once more when Neutron answers 401), the versioned network
//! endpoint, and one GET of a JSON document (a collection page, or one
//! object shown by id) with OpenStack's error bodies classified. Requests
//! take `&self`, so several may be in flight at once on one session (the
//! token is shared, and whichever request renews it renews it for all).

use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use reqwest::header::{ACCEPT, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::de::IgnoredAny;
use serde_json::Value;

use super::errors::{ErrorBody, request_id};
use super::keystone::{self, Token};
use super::settings::{Auth, Settings};
use crate::http::{self, Client, FetchError, RetryPolicy, display_url};
use crate::provider::FetchContext;

/// A token is renewed this long before it expires, or after three quarters
/// of its lifetime when it was issued for less than four times this.
const RENEW_BEFORE_EXPIRY: chrono::Duration = chrono::Duration::seconds(60);

/// The token a session sends, and when to renew it.
struct Session {
    token: SecretString,
    /// Renew before any request from this instant on; `None`: never early.
    renew_at: Option<DateTime<Utc>>,
}

impl Session {
    fn from_token(token: &Token) -> Session {
        Session {
            token: token.value.clone(),
            renew_at: renew_at(token.expires_at, token.issued_for),
        }
    }

    fn needs_renewal(&self, now: DateTime<Utc>) -> bool {
        self.renew_at.is_some_and(|renew_at| now >= renew_at)
    }
}

/// When a token expiring at `expires_at`, issued for `issued_for`, should be
/// replaced: a minute before it expires, or at three quarters of a short
/// lifetime, so that a short-lived token is not renewed before every request.
fn renew_at(
    expires_at: Option<DateTime<Utc>>,
    issued_for: Option<chrono::Duration>,
) -> Option<DateTime<Utc>> {
    let expires_at = expires_at?;
    let margin = match issued_for {
        Some(lifetime) if lifetime > chrono::Duration::zero() => {
            RENEW_BEFORE_EXPIRY.min(lifetime / 4)
        }
        _ => chrono::Duration::zero(),
    };
    Some(expires_at - margin)
}

/// What one GET came back with.
enum Reply {
    /// A success whose body is JSON (checked, not parsed into a tree).
    Body(String),
    /// 401: the token was refused.
    Unauthorized(ErrorBody),
    /// 404: no such collection (a wrong endpoint) or no such object.
    NotFound(ErrorBody),
}

/// What showing one object by id came back with.
#[derive(Debug)]
pub enum Shown {
    /// The object's document, e.g. `{"ikepolicy": {...}}`.
    Object(Value),
    /// Neutron answered 404: the object does not exist (any more), or is
    /// not visible to this project.
    Gone(ErrorBody),
}

/// A logged-in Neutron client for one source.
pub struct Neutron<'a> {
    client: &'a Client,
    retry: RetryPolicy,
    settings: &'a Settings,
    /// Never held across an await.
    session: Mutex<Session>,
    /// The network endpoint, ending in `/v2.0` (no trailing slash).
    base: reqwest::Url,
    /// Who logged in, for messages.
    who: String,
}

impl<'a> Neutron<'a> {
    /// Logs in (unless the source gives a token) and finds the network
    /// endpoint: the configured `endpoint`, else the catalog's.
    pub async fn connect(
        context: &'a FetchContext<'a>,
        settings: &'a Settings,
    ) -> Result<Neutron<'a>, FetchError> {
        let source = context.source;
        let who = keystone::principal(&settings.auth);
        let (session, endpoint) = match &settings.auth {
            Auth::Token { auth_token } => {
                let endpoint = source.endpoint.clone().ok_or_else(|| {
                    FetchError::Config("auth_token needs endpoint (the Neutron URL)".to_string())
                })?;
                let session = Session {
                    token: auth_token.expose_secret().into(),
                    renew_at: None,
                };
                (session, endpoint)
            }
            auth => {
                let auth_url = settings.auth_url.as_deref().ok_or_else(|| {
                    FetchError::Config("auth_url (the Keystone v3 URL) is not set".to_string())
                })?;
                let token =
                    keystone::authenticate(&context.client, &context.retry, auth_url, auth).await?;
                let endpoint = match &source.endpoint {
                    Some(endpoint) => endpoint.clone(),
                    None => keystone::network_endpoint(
                        &token.catalog,
                        settings.interface,
                        &source.region,
                    )?,
                };
                (Session::from_token(&token), endpoint)
            }
        };
        let versioned = keystone::versioned(&endpoint);
        let base = reqwest::Url::parse(&versioned).map_err(|error| {
            FetchError::Config(format!("network endpoint {versioned:?}: {error}"))
        })?;
        tracing::debug!("source {}: Neutron at {}", source.name, display_url(&base));
        Ok(Neutron {
            client: &context.client,
            retry: context.retry,
            settings,
            session: Mutex::new(session),
            base,
            who,
        })
    }

    /// The endpoint, ending in `/v2.0`.
    pub fn base(&self) -> &reqwest::Url {
        &self.base
    }

    /// `{endpoint}/v2.0/{path}`.
    pub fn url(&self, path: &str) -> Result<reqwest::Url, FetchError> {
        let text = format!("{}/{path}", self.base.as_str().trim_end_matches('/'));
        reqwest::Url::parse(&text)
            .map_err(|error| FetchError::Config(format!("network endpoint {text:?}: {error}")))
    }

    /// `{endpoint}/v2.0/{collection}/{id}` (e.g. `vpn/ikepolicies/{id}`),
    /// the id escaped as one path segment.
    pub fn object_url(&self, collection: &str, id: &str) -> Result<reqwest::Url, FetchError> {
        let mut url = self.url(collection)?;
        url.path_segments_mut()
            .map_err(|()| {
                FetchError::Config(format!(
                    "network endpoint {}: not a URL with a path",
                    display_url(&self.base)
                ))
            })?
            .push(id);
        Ok(url)
    }

    /// GETs a collection page at `url`, as its JSON text (checked to be
    /// JSON, not parsed: a large page is never held as a tree). Retryable
    /// failures are retried under the source's policy; a token about to
    /// expire is renewed first, and a 401 renews it once and repeats the
    /// request. A 404 is a configuration error: the collection is not there.
    pub async fn get_text(&self, url: &reqwest::Url) -> Result<String, FetchError> {
        match self.request(url).await? {
            Fetched::Body(text) => Ok(text),
            Fetched::Gone(error) => Err(FetchError::Config(format!(
                "GET {}: {error}; is this the Neutron endpoint, with the VPNaaS extension enabled?",
                display_url(url)
            ))),
        }
    }

    /// GETs one object at `url` (`.../{collection}/{id}`) as JSON, like
    /// [`Neutron::get_text`], except that a 404 is an answer, not a failure: the
    /// object is gone.
    pub async fn show(&self, url: &reqwest::Url) -> Result<Shown, FetchError> {
        Ok(match self.request(url).await? {
            Fetched::Body(text) => Shown::Object(parse(&text, &display_url(url))?),
            Fetched::Gone(error) => Shown::Gone(error),
        })
    }

    /// GETs `url` (see [`Neutron::get_text`]); a 404 is [`Fetched::Gone`].
    async fn request(&self, url: &reqwest::Url) -> Result<Fetched, FetchError> {
        let shown = display_url(url);
        let renewable = !matches!(self.settings.auth, Auth::Token { .. });
        let mut renewed = false;
        loop {
            if renewable && !renewed && self.session().needs_renewal(Utc::now()) {
                tracing::debug!(
                    "the token of {} is about to expire; logging in again",
                    self.who
                );
                self.renew().await?;
                renewed = true;
            }
            match self.attempt(url, &shown).await? {
                Reply::Body(text) => return Ok(Fetched::Body(text)),
                Reply::NotFound(error) => return Ok(Fetched::Gone(error)),
                Reply::Unauthorized(error) if renewable && !renewed => {
                    tracing::info!("GET {shown}: {error}; logging in again");
                    self.renew().await?;
                    renewed = true;
                }
                Reply::Unauthorized(error) => {
                    let why = if renewable {
                        "even with a token just issued"
                    } else {
                        "the auth_token may have expired"
                    };
                    return Err(FetchError::Auth(format!(
                        "Neutron refused the token of {} at GET {shown} ({why}): {error}",
                        self.who
                    )));
                }
            }
        }
    }

    fn session(&self) -> MutexGuard<'_, Session> {
        // A session is replaced whole: a panic elsewhere leaves it usable.
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn renew(&self) -> Result<(), FetchError> {
        let auth_url = self.settings.auth_url.as_deref().ok_or_else(|| {
            FetchError::Config("auth_url (the Keystone v3 URL) is not set".to_string())
        })?;
        let token =
            keystone::authenticate(self.client, &self.retry, auth_url, &self.settings.auth).await?;
        *self.session() = Session::from_token(&token);
        Ok(())
    }

    async fn attempt(&self, url: &reqwest::Url, shown: &str) -> Result<Reply, FetchError> {
        let token = HeaderValue::from_str(self.session().token.expose_secret());
        let mut token = token
            .map_err(|_| FetchError::Auth("the token is not a valid header value".to_string()))?;
        token.set_sensitive(true);
        let who = &self.who;
        self.retry
            .run(&format!("GET {shown}"), || {
                let request = self
                    .client
                    .get(url.clone())
                    .header("x-auth-token", token.clone())
                    .header(ACCEPT, "application/json");
                async move {
                    let reply = self.client.send(request, shown).await?;
                    read_reply(reply, shown, who)
                }
            })
            .await
            // The issued token, wherever Neutron echoed it.
            .map_err(|error| {
                let session = self.session();
                let token = session.token.expose_secret();
                error.map_text(|text| crate::provider::scrub(text, &[token]))
            })
    }
}

/// What a GET that Neutron answered came back with.
enum Fetched {
    Body(String),
    Gone(ErrorBody),
}

/// A body already checked to be JSON, parsed.
pub(super) fn parse(text: &str, shown: &str) -> Result<Value, FetchError> {
    serde_json::from_str(text).map_err(|error| {
        FetchError::Decode(format!("GET {shown}: a body that is not JSON: {error}"))
    })
}

/// Classifies a Neutron response read whole.
fn read_reply(reply: http::Reply, shown: &str, who: &str) -> Result<Reply, FetchError> {
    let status = reply.status;
    let text = reply.text();
    let headers = reply.headers;
    if status.is_success() {
        return match serde_json::from_str::<IgnoredAny>(&text) {
            Ok(_) => Ok(Reply::Body(text)),
            Err(error) => Err(FetchError::Decode(format!(
                "GET {shown}: HTTP {status} with a body that is not JSON: {error}{}",
                request_id(&headers)
            ))),
        };
    }
    let error = ErrorBody::read(status, &headers, &text);
    match status.as_u16() {
        401 => Ok(Reply::Unauthorized(error)),
        403 => Err(FetchError::Auth(format!(
            "Neutron refused {who} at GET {shown}: {error}; the user needs a role that may \
             list VPNaaS objects in this project"
        ))),
        404 => Ok(Reply::NotFound(error)),
        _ => Err(error.into_fetch_error(&format!("GET {shown}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn tokens_are_renewed_a_minute_early_or_at_three_quarters_of_a_short_life() {
        let hour = chrono::Duration::hours(1);
        assert_eq!(renew_at(Some(at(3600)), Some(hour)), Some(at(3540)));
        let short = chrono::Duration::seconds(40);
        assert_eq!(renew_at(Some(at(40)), Some(short)), Some(at(30)));
        assert_eq!(renew_at(Some(at(10)), None), Some(at(10)));
        assert_eq!(renew_at(None, Some(hour)), None);

        let session = Session {
            token: "t".into(),
            renew_at: renew_at(Some(at(3600)), Some(hour)),
        };
        assert!(!session.needs_renewal(at(3539)));
        assert!(session.needs_renewal(at(3540)));
        assert!(session.needs_renewal(at(4000)));
    }
}
