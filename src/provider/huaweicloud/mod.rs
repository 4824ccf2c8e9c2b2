//! Huawei Cloud VPN, API v5: body shapes, normalization, settings, request
//! signing and the paged listing.

mod client;
mod list;
mod normalize;
pub mod settings;
pub mod sign;

pub use client::{Call, Client, Endpoint};
pub use list::fetch;
pub use normalize::{decode_page, is_single_object_body, normalize};
pub use settings::Settings;
