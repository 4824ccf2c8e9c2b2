//! OpenStack Neutron VPNaaS v2.0: body shapes, normalization (with the
//! referenced policies, vpnservices, endpoint groups and subnets), settings,
//! and collecting over the API (Keystone v3 login, catalog, paged listings,
//! referenced objects first).

mod client;
mod endpoints;
mod errors;
mod fetch;
mod keystone;
mod normalize;
mod paging;
pub mod settings;
mod subnets;

pub use fetch::fetch;
pub use normalize::{
    CONNECTION_KEY as SINGLE_OBJECT_KEY, CONNECTIONS_KEY, decode_page, is_connection_body,
    normalize,
};
pub use settings::Settings;
pub use subnets::{BATCH as SUBNET_BATCH, LANES as SUBNET_CONCURRENCY};
