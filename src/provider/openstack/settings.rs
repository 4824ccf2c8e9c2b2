//! The `[[source]]` keys of `kind = "openstack"`: Keystone v3 (password,
//! application credential) or a ready token, the catalog interface, the
//! page size and a CA bundle. `region` is the catalog region.
//!
//! `user_domain_name` and `project_domain_name` default to `"Default"`, the
//! domain Keystone creates at installation.

use crate::keys::{ConfigError, Identifier, Secret, SourceKeys, describe};

/// The domain assumed when `user_domain_name` / `project_domain_name` are absent.
pub const DEFAULT_DOMAIN: &str = "Default";

/// The keys that scope a password login; no other form uses them.
const PASSWORD_SCOPE_KEYS: [&str; 4] = [
    "user_domain_name",
    "project_name",
    "project_id",
    "project_domain_name",
];

/// The resolved keys of an OpenStack source.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `auth_url`: the Keystone v3 URL; absent only with `auth_token` +
    /// `endpoint`, where no catalog is needed.
    pub auth_url: Option<String>,
    pub auth: Auth,
    /// `interface`: which catalog endpoint to use.
    pub interface: Interface,
    /// `page_size`: the `limit` of each request; `None` sends no limit.
    pub page_size: Option<u32>,
}

/// How the source authenticates: exactly one of the three forms.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `username` + `password`, scoped to a project.
    Password {
        username: Identifier,
        password: Secret,
        /// `user_domain_name`, default `"Default"`.
        user_domain_name: String,
        project: Project,
    },
    /// `application_credential_id` + `application_credential_secret`
    /// (the credential carries its project).
    ApplicationCredential { id: Identifier, secret: Secret },
    /// `auth_token`: a token sent as is to `endpoint`.
    Token { auth_token: Secret },
}

impl Auth {
    /// The secret values, for taking out of error texts.
    pub fn secrets(&self) -> Vec<&Secret> {
        match self {
            Auth::Password { password, .. } => vec![password],
            Auth::ApplicationCredential { secret, .. } => vec![secret],
            Auth::Token { auth_token } => vec![auth_token],
        }
    }
}

/// The project a password login is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Project {
    /// `project_name` in `project_domain_name` (default `"Default"`).
    Name { name: String, domain_name: String },
    /// `project_id`.
    Id(String),
}

/// The catalog interface (`interface`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interface {
    #[default]
    Public,
    Internal,
    Admin,
}

impl Interface {
    /// Every interface, in the order messages list them.
    pub const ALL: [Interface; 3] = [Interface::Public, Interface::Internal, Interface::Admin];

    /// The name in the config and in the catalog.
    pub fn as_str(self) -> &'static str {
        match self {
            Interface::Public => "public",
            Interface::Internal => "internal",
            Interface::Admin => "admin",
        }
    }
}

/// Reads the OpenStack keys of a source.
pub fn read(keys: &mut SourceKeys<'_>) -> Result<Settings, ConfigError> {
    let auth = read_auth(keys)?;
    let auth_url = match auth {
        Auth::Token { .. } => keys.optional_url("auth_url")?,
        _ => Some(keys.required_url("auth_url")?),
    };
    let interfaces = Interface::ALL.map(|interface| (interface.as_str(), interface));
    let interface = keys
        .optional_choice("interface", &interfaces)?
        .unwrap_or_default();
    let page_size = keys.optional_integer_in("page_size", 1..=u32::MAX)?;
    Ok(Settings {
        auth_url,
        auth,
        interface,
        page_size,
    })
}

fn read_auth(keys: &mut SourceKeys<'_>) -> Result<Auth, ConfigError> {
    let forms: [&[&'static str]; 3] = [
        &["username", "password"],
        &["application_credential_id", "application_credential_secret"],
        &["auth_token"],
    ];
    // The first key present of each form given (every key is asked, so all join the vocabulary).
    let given: Vec<&'static str> = forms
        .iter()
        .filter_map(|form| {
            form.iter()
                .copied()
                .filter(|key| keys.has(key))
                .collect::<Vec<_>>()
                .first()
                .copied()
        })
        .collect();
    let password = match given.as_slice() {
        ["username" | "password"] => true,
        [_] => false,
        [] => {
            return Err(keys.table_error(
                "no credentials: give username + password (with project_name or project_id), \
                 application_credential_id + application_credential_secret, or auth_token + endpoint",
            ));
        }
        [_, second, ..] => {
            return Err(keys.error(
                second,
                "give only one of username + password, application_credential_id + \
                 application_credential_secret, or auth_token",
            ));
        }
    };
    if password {
        return read_password(keys);
    }
    if let Some(key) = PASSWORD_SCOPE_KEYS.into_iter().find(|key| keys.has(key)) {
        return Err(keys.error(key, "is only used with username + password; remove it"));
    }
    if keys.has("auth_token") {
        if !keys.has("endpoint") {
            return Err(keys.error(
                "auth_token",
                "needs \"endpoint\" (the Neutron URL): a token alone does not give the service catalog",
            ));
        }
        return Ok(Auth::Token {
            auth_token: keys.secret("auth_token")?,
        });
    }
    Ok(Auth::ApplicationCredential {
        id: keys.identifier("application_credential_id")?,
        secret: keys.secret("application_credential_secret")?,
    })
}

fn read_password(keys: &mut SourceKeys<'_>) -> Result<Auth, ConfigError> {
    let username = keys.identifier("username")?;
    let password = keys.secret("password")?;
    let user_domain_name = keys
        .optional_text("user_domain_name")?
        .unwrap_or_else(|| DEFAULT_DOMAIN.to_string());
    let project_name = keys.optional_text("project_name")?;
    let project_id = keys.optional_text("project_id")?;
    let project = match (project_name, project_id) {
        (Some(_), Some(_)) => {
            return Err(keys.error("project_id", "give project_name or project_id, not both"));
        }
        (None, None) => {
            return Err(keys.table_error("missing the project: give project_name or project_id"));
        }
        (Some(name), None) => Project::Name {
            name,
            domain_name: keys
                .optional_text("project_domain_name")?
                .unwrap_or_else(|| DEFAULT_DOMAIN.to_string()),
        },
        (None, Some(id)) => {
            if keys.has("project_domain_name") {
                return Err(keys.error(
                    "project_domain_name",
                    "is only used with project_name (a project id needs no domain); remove it",
                ));
            }
            Project::Id(id)
        }
    };
    Ok(Auth::Password {
        username,
        password,
        user_domain_name,
        project,
    })
}

impl Settings {
    /// The source's account: the project id, when the login names one.
    pub fn account(&self) -> Option<&str> {
        match &self.auth {
            Auth::Password {
                project: Project::Id(id),
                ..
            } => Some(id),
            _ => None,
        }
    }

    /// Writes the keys for `vpnsnap config check`, secrets masked.
    pub fn describe(&self, out: &mut String) {
        describe::optional_text(out, "auth_url", self.auth_url.as_deref());
        match &self.auth {
            Auth::Password {
                username,
                password,
                user_domain_name,
                project,
            } => {
                describe::identifier(out, "username", username);
                describe::secret(out, "password", password);
                describe::text(out, "user_domain_name", user_domain_name);
                match project {
                    Project::Name { name, domain_name } => {
                        describe::text(out, "project_name", name);
                        describe::text(out, "project_domain_name", domain_name);
                    }
                    Project::Id(id) => describe::text(out, "project_id", id),
                }
            }
            Auth::ApplicationCredential { id, secret } => {
                describe::identifier(out, "application_credential_id", id);
                describe::secret(out, "application_credential_secret", secret);
            }
            Auth::Token { auth_token } => describe::secret(out, "auth_token", auth_token),
        }
        describe::text_or_default(
            out,
            "interface",
            self.interface.as_str(),
            self.interface == Interface::default(),
        );
        match self.page_size {
            Some(page_size) => describe::integer(out, "page_size", page_size, false),
            None => describe::comment(out, "page_size not set: requests send no limit"),
        }
    }
}
