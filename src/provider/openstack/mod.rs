//! OpenStack Neutron VPNaaS v2.0: body shapes, normalization (with the
//! referenced policies, vpnservices and endpoint groups) and settings.

mod normalize;
pub mod settings;

pub use normalize::{decode_page, normalize};
pub use settings::Settings;
