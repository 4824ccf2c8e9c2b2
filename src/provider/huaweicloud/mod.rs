//! Huawei Cloud VPN, API v5: body shapes, normalization, settings, request
//! signing and the paged listing.

mod client;
mod errors;
pub mod gateways;
mod list;
mod normalize;
pub mod settings;
mod show;
pub mod sign;

pub use client::{Call, Client, Endpoint};
pub use list::fetch;
pub use normalize::{
    CONNECTIONS_KEY, SINGLE_OBJECT_KEY, decode_page, is_connection_body, normalize,
};
pub use settings::Settings;
