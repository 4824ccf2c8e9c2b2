//! Tencent Cloud VPC API 3.0 (`DescribeVpnConnections`): body shapes,
//! normalization, settings, the TC3-HMAC-SHA256 signature and the collector.

mod client;
mod normalize;
pub mod settings;
pub mod sign;

pub use client::{ACTION, JSON, VERSION, fetch};
pub use normalize::{decode_page, normalize};
pub use settings::Settings;
