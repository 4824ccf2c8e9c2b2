//! The vocabulary for reading a config file's tables, below both the
//! config loader and the providers' settings: [`SourceKeys`] (typed,
//! located access to one TOML table's keys), [`ConfigError`] (every
//! problem with its file, line, source and key), credentials
//! ([`Identifier`], [`Secret`]) and [`describe`] (writing settings back
//! for `vpnsnap config check`).
//!
//! It knows no provider and no config key: `config/` says which keys the
//! file has, each `provider::<kind>::settings` which keys its sources
//! take.

mod credentials;
pub mod describe;
mod error;
mod locations;
mod table;

pub use credentials::{Identifier, Origin, Secret, warn_if_exposed};
pub(crate) use error::line_of;
pub use error::{ConfigError, Problem};
pub(crate) use table::Context;
pub use table::SourceKeys;
