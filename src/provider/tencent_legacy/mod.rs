//! Tencent Cloud legacy VPC API v2 (`DescribeVpnConn`): body shapes,
//! normalization and settings.

mod normalize;
pub mod settings;

pub use normalize::{decode_page, normalize};
pub use settings::Settings;
