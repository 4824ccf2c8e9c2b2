//! Keystone v3: getting a token (password or application credential),
//! reading its expiry and service catalog, and finding the network (Neutron)
//! endpoint in that catalog by type, interface and region.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::errors::{ErrorBody, request_id};
use super::settings::{Auth, Interface, Project};
use crate::http::{Client, FetchError, Reply, RetryPolicy, display_url};

/// The token response header.
const SUBJECT_TOKEN: &str = "x-subject-token";

/// What a successful login gave: the token, when it expires, and the
/// catalog's network endpoint when one was asked for.
pub struct Token {
    pub value: SecretString,
    /// `token.expires_at`; `None` when Keystone did not say.
    pub expires_at: Option<DateTime<Utc>>,
    /// The lifetime the token had when it was received (for deciding when
    /// to renew it early).
    pub issued_for: Option<chrono::Duration>,
    /// `token.catalog`, empty when absent.
    pub catalog: Vec<Value>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("value", &"***")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// `POST {auth_url}/v3/auth/tokens`, accepting `auth_url` with or without
/// its trailing `/v3` (clouds.yaml has both).
pub fn tokens_url(auth_url: &str) -> Result<reqwest::Url, FetchError> {
    let trimmed = auth_url.trim_end_matches('/');
    let text = if trimmed.ends_with("/v3") {
        format!("{trimmed}/auth/tokens")
    } else {
        format!("{trimmed}/v3/auth/tokens")
    };
    reqwest::Url::parse(&text)
        .map_err(|error| FetchError::Config(format!("auth_url {auth_url:?}: {error}")))
}

/// Who logs in, for error messages: the user and project, or the
/// application credential id. Never a secret.
pub fn principal(auth: &Auth) -> String {
    match auth {
        Auth::Password {
            username,
            user_domain_name,
            project,
            ..
        } => {
            let project = match project {
                Project::Name { name, domain_name } => {
                    format!("project {name:?} (domain {domain_name:?})")
                }
                Project::Id(id) => format!("project id {id:?}"),
            };
            format!(
                "user {:?} (domain {user_domain_name:?}) in {project}",
                username.as_str()
            )
        }
        Auth::ApplicationCredential { id, .. } => {
            format!("application credential {:?}", id.as_str())
        }
        Auth::Token { .. } => "the configured auth_token".to_string(),
    }
}

/// The request body of a login; it holds the password or secret, so it is
/// built just before sending and never logged.
pub fn auth_body(auth: &Auth) -> Option<Value> {
    match auth {
        Auth::Password {
            username,
            password,
            user_domain_name,
            project,
        } => {
            let project = match project {
                Project::Name { name, domain_name } => {
                    json!({"name": name, "domain": {"name": domain_name}})
                }
                Project::Id(id) => json!({"id": id}),
            };
            Some(json!({"auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {
                        "name": username.as_str(),
                        "domain": {"name": user_domain_name},
                        "password": password.expose_secret(),
                    }},
                },
                "scope": {"project": project},
            }}))
        }
        Auth::ApplicationCredential { id, secret } => Some(json!({"auth": {
            "identity": {
                "methods": ["application_credential"],
                "application_credential": {"id": id.as_str(), "secret": secret.expose_secret()},
            },
        }})),
        Auth::Token { .. } => None,
    }
}

/// Logs in, retrying server errors under `retry`. A refusal is
/// [`FetchError::Auth`] naming the principal, Keystone's message and the
/// request id.
pub async fn authenticate(
    client: &Client,
    retry: &RetryPolicy,
    auth_url: &str,
    auth: &Auth,
) -> Result<Token, FetchError> {
    let url = tokens_url(auth_url)?;
    let shown = display_url(&url);
    let who = principal(auth);
    let Some(body) = auth_body(auth) else {
        return Err(FetchError::Config(
            "an auth_token source does not log in to Keystone".to_string(),
        ));
    };
    retry
        .run(&format!("POST {shown}"), || {
            let request = client.post(url.clone()).json(&body);
            let shown = shown.clone();
            let who = who.clone();
            async move {
                let reply = client.send(request, &shown).await?;
                read_token(reply, &shown, &who)
            }
        })
        .await
}

fn read_token(reply: Reply, shown: &str, who: &str) -> Result<Token, FetchError> {
    let status = reply.status;
    let text = reply.text();
    let headers = reply.headers;
    if !status.is_success() {
        let error = ErrorBody::read(status, &headers, &text);
        return Err(match status.as_u16() {
            401 | 403 => FetchError::Auth(format!(
                "Keystone refused the login of {who} at POST {shown}: {error}"
            )),
            404 => FetchError::Config(format!(
                "POST {shown}: {error}; is auth_url the Keystone v3 URL?"
            )),
            _ => error.into_fetch_error(&format!("POST {shown}")),
        });
    }
    let token = headers
        .get(SUBJECT_TOKEN)
        .and_then(|value| value.to_str().ok())
        .filter(|value| !value.is_empty())
        .ok_or_else(|| {
            FetchError::Decode(format!(
                "POST {shown}: HTTP {status} without an X-Subject-Token header{}",
                request_id(&headers)
            ))
        })?;
    let body: Value = serde_json::from_str(&text).map_err(|error| {
        FetchError::Decode(format!(
            "POST {shown}: the token body is not JSON: {error}{}",
            request_id(&headers)
        ))
    })?;
    let expires_at = match body.pointer("/token/expires_at") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(
            DateTime::parse_from_rfc3339(text)
                .map_err(|error| {
                    FetchError::Decode(format!(
                        "POST {shown}: $.token.expires_at {text:?} is not an RFC3339 time: {error}"
                    ))
                })?
                .with_timezone(&Utc),
        ),
        Some(_) => {
            return Err(FetchError::Decode(format!(
                "POST {shown}: $.token.expires_at is not a string"
            )));
        }
    };
    let catalog = match body.pointer("/token/catalog") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(entries)) => entries.clone(),
        Some(_) => {
            return Err(FetchError::Decode(format!(
                "POST {shown}: $.token.catalog is not an array"
            )));
        }
    };
    Ok(Token {
        value: SecretString::from(token.to_string()),
        expires_at,
        issued_for: expires_at.map(|expires_at| expires_at - Utc::now()),
        catalog,
    })
}

/// The Neutron URL of the catalog: the `network` service's endpoint with
/// `interface` in `region` (by `region_id` or `region`). Without one, a
/// configuration error naming the regions that do have a network endpoint.
pub fn network_endpoint(
    catalog: &[Value],
    interface: Interface,
    region: &str,
) -> Result<String, FetchError> {
    let endpoints: Vec<&Value> = catalog
        .iter()
        .filter(|service| service.get("type").and_then(Value::as_str) == Some("network"))
        .filter_map(|service| service.get("endpoints").and_then(Value::as_array))
        .flatten()
        .collect();
    if endpoints.is_empty() {
        return Err(FetchError::Config(
            "the service catalog has no network (Neutron) service; \
             set endpoint to the Neutron URL"
                .to_string(),
        ));
    }
    let region_of = |endpoint: &Value| -> Option<String> {
        ["region_id", "region"]
            .iter()
            .find_map(|key| endpoint.get(*key).and_then(Value::as_str))
            .map(str::to_string)
    };
    let interface_of = |endpoint: &Value| {
        endpoint.get("interface").and_then(Value::as_str) == Some(interface.as_str())
    };
    let found = endpoints.iter().find(|endpoint| {
        interface_of(endpoint)
            && ["region_id", "region"]
                .iter()
                .any(|key| endpoint.get(*key).and_then(Value::as_str) == Some(region))
    });
    if let Some(url) = found.and_then(|endpoint| endpoint.get("url").and_then(Value::as_str)) {
        return Ok(url.to_string());
    }
    let mut regions: Vec<String> = endpoints
        .iter()
        .filter(|endpoint| interface_of(endpoint))
        .filter_map(|endpoint| region_of(endpoint))
        .collect();
    regions.sort();
    regions.dedup();
    let have = if regions.is_empty() {
        format!("none has interface {:?}", interface.as_str())
    } else {
        format!(
            "regions with a {} network endpoint: {}",
            interface.as_str(),
            regions.join(", ")
        )
    };
    Err(FetchError::Config(format!(
        "the service catalog has no {} network endpoint in region {region:?} ({have}); \
         check region and interface",
        interface.as_str()
    )))
}

/// `url` with `/v2.0` appended unless its path already ends in it
/// (catalog URLs are usually unversioned).
pub fn versioned(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    if trimmed.ends_with("/v2.0") {
        trimmed.to_string()
    } else {
        format!("{trimmed}/v2.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{Identifier, Origin, Secret};

    fn password(project: Project) -> Auth {
        Auth::Password {
            username: Identifier::new("alice", Origin::Literal),
            password: Secret::new("Pw-123", Origin::Env("PW".into())),
            user_domain_name: "Users".into(),
            project,
        }
    }

    #[test]
    fn tokens_url_takes_auth_url_with_or_without_v3() {
        for auth_url in [
            "https://keystone.example:5000",
            "https://keystone.example:5000/",
            "https://keystone.example:5000/v3",
            "https://keystone.example:5000/v3/",
        ] {
            assert_eq!(
                tokens_url(auth_url).unwrap().as_str(),
                "https://keystone.example:5000/v3/auth/tokens",
                "{auth_url}"
            );
        }
        assert_eq!(
            tokens_url("https://cloud.example/identity")
                .unwrap()
                .as_str(),
            "https://cloud.example/identity/v3/auth/tokens"
        );
    }

    #[test]
    fn password_and_application_credential_bodies() {
        let body = auth_body(&password(Project::Name {
            name: "ops".into(),
            domain_name: "Projects".into(),
        }))
        .unwrap();
        assert_eq!(
            body,
            json!({"auth": {
                "identity": {"methods": ["password"], "password": {"user": {
                    "name": "alice", "domain": {"name": "Users"}, "password": "Pw-123"}}},
                "scope": {"project": {"name": "ops", "domain": {"name": "Projects"}}}
            }})
        );
        let body = auth_body(&password(Project::Id("p-1".into()))).unwrap();
        assert_eq!(body["auth"]["scope"], json!({"project": {"id": "p-1"}}));
        let body = auth_body(&Auth::ApplicationCredential {
            id: Identifier::new("ac-1", Origin::Literal),
            secret: Secret::new("Ac-Secret", Origin::Env("AC".into())),
        })
        .unwrap();
        assert_eq!(
            body,
            json!({"auth": {"identity": {"methods": ["application_credential"],
                "application_credential": {"id": "ac-1", "secret": "Ac-Secret"}}}})
        );
        assert_eq!(
            principal(&password(Project::Id("p-1".into()))),
            "user \"alice\" (domain \"Users\") in project id \"p-1\""
        );
    }

    fn catalog() -> Vec<Value> {
        serde_json::from_value(json!([
            {"type": "identity", "endpoints": [
                {"interface": "public", "region": "RegionOne", "url": "http://ks:5000"}]},
            {"type": "network", "name": "neutron", "endpoints": [
                {"interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": "http://n1:9696"},
                {"interface": "internal", "region_id": "RegionOne", "url": "http://n1-int:9696/"},
                {"interface": "public", "region": "RegionTwo", "url": "http://n2:9696/v2.0"}]}
        ]))
        .unwrap()
    }

    #[test]
    fn network_endpoint_by_interface_and_region() {
        let catalog = catalog();
        let pick = |interface, region| network_endpoint(&catalog, interface, region).unwrap();
        assert_eq!(pick(Interface::Public, "RegionOne"), "http://n1:9696");
        assert_eq!(
            pick(Interface::Internal, "RegionOne"),
            "http://n1-int:9696/"
        );
        assert_eq!(pick(Interface::Public, "RegionTwo"), "http://n2:9696/v2.0");
        assert_eq!(versioned("http://n1:9696"), "http://n1:9696/v2.0");
        assert_eq!(versioned("http://n1-int:9696/"), "http://n1-int:9696/v2.0");
        assert_eq!(versioned("http://n2:9696/v2.0"), "http://n2:9696/v2.0");
        assert_eq!(
            versioned("http://n2/network/v2.0/"),
            "http://n2/network/v2.0"
        );

        let error = network_endpoint(&catalog, Interface::Public, "RegionThree").unwrap_err();
        assert_eq!(
            error.to_string(),
            "configuration error: the service catalog has no public network endpoint in region \
             \"RegionThree\" (regions with a public network endpoint: RegionOne, RegionTwo); \
             check region and interface"
        );
        let error = network_endpoint(&catalog, Interface::Admin, "RegionOne").unwrap_err();
        assert!(
            error.to_string().contains("(none has interface \"admin\")"),
            "{error}"
        );
        let error = network_endpoint(&catalog[..1], Interface::Public, "RegionOne").unwrap_err();
        assert!(matches!(error, FetchError::Config(_)));
        assert!(error.to_string().contains("no network (Neutron) service"));
    }
}
