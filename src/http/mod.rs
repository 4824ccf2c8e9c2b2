//! HTTP plumbing every collector shares: the one client ([`Client`]:
//! timeouts, User-Agent, TLS, no redirects, every body read within a cap),
//! what a failed request amounts to ([`FetchError`]), and the retry loop
//! (exponential backoff with jitter, honouring `Retry-After`).
//!
//! Providers read the body of every response before classifying it; this
//! module only knows the classes, never a provider's error format.

mod client;

use std::future::Future;
use std::time::Duration;

pub use client::{
    Client, DEFAULT_MAX_RESPONSE_BYTES, HttpOptions, Reply, USER_AGENT, build_client,
};

/// An error of the layer a fetch emits its bodies into, carried whole in
/// [`FetchError::Listing`]: this module knows its class, not its type.
pub trait SinkError: std::error::Error + Send + Sync + 'static {
    fn class(&self) -> SinkClass;
}

/// What kind of failure a [`SinkError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkClass {
    /// The bodies do not make a listing (class `decode`, as a body that
    /// does not decode).
    Decode,
    /// A failure on this machine: the spool, the normalizer thread
    /// (class `local`).
    Local,
    /// More pages or objects than a listing may hold (class `paging`).
    Paging,
    /// More memory than a listing may hold (class `too_large`, as a body
    /// past `max_response_bytes`).
    TooLarge,
}

/// Why a source could not be listed. Each message names what failed and
/// where (a URL without secrets, the provider's error code and message, its
/// request id) so that it can stand alone in a run summary.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Credentials refused; retrying will not help.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The configuration points at something that does not exist (a
    /// project, an endpoint, a region); retrying will not help.
    #[error("configuration error: {0}")]
    Config(String),
    /// The provider asked us to slow down; retried.
    #[error("throttled: {message}")]
    Throttled {
        message: String,
        retry_after: Option<Duration>,
    },
    /// A server-side failure (5xx); retried.
    #[error("server error: {0}")]
    Server(String),
    /// No response: connection refused or reset, or the request timed out;
    /// retried.
    #[error("transport error: {0}")]
    Transport(String),
    /// The TLS handshake refused the server (its certificate, most often):
    /// trying again cannot change that, so it is not retried.
    #[error("TLS handshake refused: {0}")]
    Tls(String),
    /// Any other refusal (4xx): the request itself is wrong.
    #[error("request refused: {0}")]
    Rejected(String),
    /// A body that is not the documented shape.
    #[error("undecodable response: {0}")]
    Decode(String),
    /// Paging that would not end or does not add up (a marker that does not
    /// advance, more pages than the total allows, a count that changed).
    #[error("inconsistent paging: {0}")]
    Paging(String),
    /// What the fetch emitted its bodies into refused them (the bodies
    /// did not make one listing); it names its own class.
    #[error("{0}")]
    Listing(Box<dyn SinkError>),
    /// A 3xx answer: redirects are never followed, so that credentials
    /// and signed requests stay with the endpoint they were made for.
    #[error("redirect not followed: {0}")]
    Redirect(String),
    /// A body larger than `max_response_bytes`.
    #[error("response too large: {0}")]
    TooLarge(String),
    /// The source's deadline passed before its listing was complete.
    #[error("cut off after {0:?}: the source took longer than source_deadline_seconds")]
    Deadline(Duration),
}

impl FetchError {
    /// The same error with its text passed through `edit` (to take out
    /// what must not be shown); the class and the retry advice stay.
    pub fn map_text(self, edit: impl Fn(&str) -> String) -> FetchError {
        match self {
            FetchError::Auth(text) => FetchError::Auth(edit(&text)),
            FetchError::Config(text) => FetchError::Config(edit(&text)),
            FetchError::Throttled {
                message,
                retry_after,
            } => FetchError::Throttled {
                message: edit(&message),
                retry_after,
            },
            FetchError::Server(text) => FetchError::Server(edit(&text)),
            FetchError::Transport(text) => FetchError::Transport(edit(&text)),
            FetchError::Tls(text) => FetchError::Tls(edit(&text)),
            FetchError::Rejected(text) => FetchError::Rejected(edit(&text)),
            FetchError::Decode(text) => FetchError::Decode(edit(&text)),
            FetchError::Paging(text) => FetchError::Paging(edit(&text)),
            FetchError::Redirect(text) => FetchError::Redirect(edit(&text)),
            FetchError::TooLarge(text) => FetchError::TooLarge(edit(&text)),
            // Listing errors name files and JSON paths, not server text.
            other @ (FetchError::Listing(_) | FetchError::Deadline(_)) => other,
        }
    }

    /// Whether trying the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            FetchError::Throttled { .. } | FetchError::Server(_) | FetchError::Transport(_)
        )
    }

    /// How long the provider asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Throttled { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A short name of the class, for summaries and metrics.
    pub fn class(&self) -> &'static str {
        match self {
            FetchError::Auth(_) => "auth",
            FetchError::Config(_) => "config",
            FetchError::Throttled { .. } => "throttled",
            FetchError::Server(_) => "server",
            FetchError::Transport(_) => "transport",
            FetchError::Tls(_) => "tls",
            FetchError::Rejected(_) => "rejected",
            FetchError::Listing(error) => match error.class() {
                SinkClass::Decode => "decode",
                SinkClass::Local => "local",
                SinkClass::Paging => "paging",
                SinkClass::TooLarge => "too_large",
            },
            FetchError::Decode(_) => "decode",
            FetchError::Paging(_) => "paging",
            FetchError::Redirect(_) => "redirect",
            FetchError::TooLarge(_) => "too_large",
            FetchError::Deadline(_) => "deadline",
        }
    }

    /// A request that got no response; `url` must already be safe to show
    /// (see [`display_url`]). A refusal by the TLS handshake is [`FetchError::Tls`].
    pub fn transport(url: &str, error: &reqwest::Error) -> FetchError {
        let what = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "could not connect"
        } else {
            "request failed"
        };
        // reqwest's own message can repeat the URL with its query string;
        // name only the innermost cause.
        let mut cause: &dyn std::error::Error = error;
        let mut tls = tls_error(cause);
        while let Some(inner) = cause.source() {
            cause = inner;
            tls = tls.or_else(|| tls_error(cause));
        }
        // Only a handshake that refused the server is final; a TLS error
        // on an established connection (a damaged record, say) is retried
        // as any lost connection is.
        match tls.filter(|tls| error.is_connect() && is_refusal(tls)) {
            Some(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)) => {
                FetchError::Tls(format!(
                    "{url}: {cause} (a server certificate of a private CA needs the source's \
                     ca_file, or tls_roots = \"system\" where the operating system trusts that CA)"
                ))
            }
            Some(_) => FetchError::Tls(format!("{url}: {cause}")),
            None => FetchError::Transport(format!("{url}: {what}: {cause}")),
        }
    }
}

/// Whether a TLS error during the handshake says that this server will not
/// be accepted (or will not accept us) however often it is tried.
fn is_refusal(tls: &rustls::Error) -> bool {
    use rustls::AlertDescription as Alert;
    match tls {
        rustls::Error::InvalidCertificate(_)
        | rustls::Error::NoCertificatesPresented
        | rustls::Error::PeerIncompatible(_) => true,
        rustls::Error::AlertReceived(alert) => matches!(
            alert,
            Alert::HandshakeFailure
                | Alert::BadCertificate
                | Alert::UnsupportedCertificate
                | Alert::CertificateRevoked
                | Alert::CertificateExpired
                | Alert::CertificateUnknown
                | Alert::UnknownCA
                | Alert::ProtocolVersion
                | Alert::InsufficientSecurity
        ),
        _ => false,
    }
}

/// The rustls error `cause` is or carries (the TLS stream reports it as an
/// `io::Error` around it, which the connector wraps in another).
fn tls_error<'a>(cause: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cause = cause;
    loop {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let inner = cause.downcast_ref::<std::io::Error>()?.get_ref()?;
        cause = inner;
    }
}

/// Reads a `Retry-After` header given in seconds (the form the providers
/// use); an HTTP date is ignored and the backoff applies instead.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Query keys whose values are credentials or signatures.
const SECRET_QUERY_KEYS: [&str; 6] = [
    "signature",
    "secretid",
    "token",
    "x-amz-signature",
    "password",
    "secret",
];

/// `url` with the values of credential-bearing query keys replaced by
/// `***`, for errors and logs.
pub fn display_url(url: &reqwest::Url) -> String {
    let Some(query) = url.query() else {
        return url.to_string();
    };
    let mut shown = url.clone();
    let masked: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_secret_query_key(key) => format!("{key}=***"),
            _ => pair.to_string(),
        })
        .collect();
    shown.set_query(Some(&masked.join("&")));
    shown.to_string()
}

fn is_secret_query_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_QUERY_KEYS.iter().any(|secret| key == *secret)
}

/// When and how often a retryable failure is tried again.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff; each retry doubles it.
    pub base_delay: Duration,
    /// No backoff (or `Retry-After`) waits longer than this.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Runs `attempt` until it succeeds, fails for good, or the retries are
    /// used up. `attempt` builds (and signs) the request anew each time.
    /// `what` names the request in the log line of each retry.
    pub async fn run<T, F, Fut>(&self, what: &str, mut attempt: F) -> Result<T, FetchError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, FetchError>>,
    {
        let mut retries = 0;
        loop {
            match attempt().await {
                Ok(value) => return Ok(value),
                Err(error) if error.is_retryable() && retries < self.max_retries => {
                    let delay = self.delay(retries, error.retry_after());
                    retries += 1;
                    // The class only: the error's text quotes the server,
                    // which may echo a credential; the text that ends the
                    // source (if the retries run out) is scrubbed by the
                    // collector.
                    tracing::warn!(
                        "{what}: {} failure; retry {retries} of {} in {:.1}s",
                        error.class(),
                        self.max_retries,
                        delay.as_secs_f64()
                    );
                    tokio::time::sleep(delay).await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// The wait before retry number `retries + 1`: the provider's
    /// `Retry-After` when given, else `base * 2^retries` scaled by a random
    /// factor in [0.5, 1) so that sources throttled together do not retry
    /// together; never more than `max_delay`.
    pub fn delay(&self, retries: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_delay);
        }
        let backoff = self
            .base_delay
            .saturating_mul(1u32 << retries.min(16))
            .min(self.max_delay);
        backoff.mul_f64(0.5 + jitter() / 2.0)
    }
}

/// A random number in [0, 1).
fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_credential_query_values_only() {
        let url = reqwest::Url::parse(
            "https://vpc.api.qcloud.com/v2/index.php?Action=DescribeVpnConn&SecretId=AKID&Signature=abc%3D&Nonce=7",
        )
        .unwrap();
        assert_eq!(
            display_url(&url),
            "https://vpc.api.qcloud.com/v2/index.php?Action=DescribeVpnConn&SecretId=***&Signature=***&Nonce=7"
        );
        let plain = reqwest::Url::parse("https://vpn.example/v5/p/vpn-connection?limit=2").unwrap();
        assert_eq!(
            display_url(&plain),
            "https://vpn.example/v5/p/vpn-connection?limit=2"
        );
    }

    #[test]
    fn backoff_doubles_within_jitter_and_honours_retry_after() {
        let policy = RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for retries in 0..3 {
            let full = Duration::from_millis(100 << retries);
            let delay = policy.delay(retries, None);
            assert!(delay >= full / 2 && delay < full, "{retries}: {delay:?}");
        }
        assert!(policy.delay(10, None) < Duration::from_secs(1));
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(3))),
            Duration::from_secs(1)
        );
        assert_eq!(
            policy.delay(0, Some(Duration::from_millis(200))),
            Duration::from_millis(200)
        );
    }

    #[test]
    fn map_text_edits_the_text_and_keeps_the_class() {
        let error = FetchError::Throttled {
            message: "token gAAAAAsecret echoed".into(),
            retry_after: Some(Duration::from_secs(3)),
        }
        .map_text(|text| text.replace("gAAAAAsecret", "[redacted]"));
        assert_eq!(error.to_string(), "throttled: token [redacted] echoed");
        assert_eq!(error.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(
            FetchError::Server("x".into())
                .map_text(|_| "y".into())
                .class(),
            "server"
        );
    }

    #[tokio::test]
    async fn retries_only_retryable_errors() {
        let policy = RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        };
        let mut calls = 0;
        let result: Result<(), FetchError> = policy
            .run("test", || {
                calls += 1;
                async { Err(FetchError::Server("500".into())) }
            })
            .await;
        assert!(matches!(result, Err(FetchError::Server(_))));
        assert_eq!(calls, 3);

        let mut calls = 0;
        let result: Result<(), FetchError> = policy
            .run("test", || {
                calls += 1;
                async { Err(FetchError::Auth("401".into())) }
            })
            .await;
        assert!(matches!(result, Err(FetchError::Auth(_))));
        assert_eq!(calls, 1);

        let mut calls = 0;
        let result = policy
            .run("test", || {
                calls += 1;
                let attempt = calls;
                async move {
                    if attempt < 2 {
                        Err(FetchError::Throttled {
                            message: "429".into(),
                            retry_after: Some(Duration::from_millis(1)),
                        })
                    } else {
                        Ok(attempt)
                    }
                }
            })
            .await;
        assert_eq!(result.unwrap(), 2);
    }
}
