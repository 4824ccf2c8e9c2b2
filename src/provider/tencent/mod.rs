//! Tencent Cloud VPC API 3.0 (`DescribeVpnConnections`): body shapes,
//! normalization and settings.

mod normalize;
pub mod settings;

pub use normalize::{decode_page, normalize};
pub use settings::Settings;
