//! Tencent Cloud legacy VPC API v2 (`DescribeVpnConn`): body shapes,
//! normalization, settings, the HmacSHA1/HmacSHA256 signature and the
//! collector.

mod client;
mod normalize;
pub mod settings;
pub mod sign;

pub use client::{ACTION, fetch};
pub use normalize::{decode_page, normalize};
pub use settings::Settings;
