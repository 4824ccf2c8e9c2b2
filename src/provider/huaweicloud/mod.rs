//! Huawei Cloud VPN, API v5: body shapes, normalization and settings.

mod normalize;
pub mod settings;

pub use normalize::{decode_page, normalize};
pub use settings::Settings;
