//! The single list of providers ([`ProviderKind`]) and what the layers
//! above need to know of a kind without reading its bodies: its name, and
//! the fields of its connection objects that change on every call
//! ([`volatile_paths`]).

use std::fmt;
use std::str::FromStr;

/// The kinds of source vpnsnap can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProviderKind {
    /// Huawei Cloud VPN, API v5.
    HuaweiCloud,
    /// OpenStack Neutron VPNaaS v2.0.
    OpenStack,
    /// Tencent Cloud VPC API 3.0 (`DescribeVpnConnections`).
    Tencent,
    /// Tencent Cloud legacy VPC API v2 (`DescribeVpnConn`).
    TencentLegacy,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 4] = [
        ProviderKind::HuaweiCloud,
        ProviderKind::OpenStack,
        ProviderKind::Tencent,
        ProviderKind::TencentLegacy,
    ];

    /// The name used in the config (`kind = "..."`), the CLI and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::HuaweiCloud => "huaweicloud",
            ProviderKind::OpenStack => "openstack",
            ProviderKind::Tencent => "tencent",
            ProviderKind::TencentLegacy => "tencent-legacy",
        }
    }

    /// The kinds' names joined for messages: `huaweicloud | openstack | ...`.
    pub fn names() -> String {
        ProviderKind::ALL.map(ProviderKind::as_str).join(" | ")
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProviderKind {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ProviderKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| format!("unknown kind {name:?} (expected {})", ProviderKind::names()))
    }
}

/// Fields of a connection object that change on every call without anything
/// having changed (session durations, message counters, request ids): they
/// are kept in the stored raw JSON of a version but never make a new one.
pub fn volatile_paths(kind: ProviderKind) -> &'static [&'static str] {
    match kind {
        // The one list: the normalizer drops the same paths from its
        // unmapped remainder. Both spellings of the BGP message counters
        // are listed (`num_message_*` as the API sends them).
        ProviderKind::HuaweiCloud => &[
            "request_id",
            "bgp_peer.state_duration",
            "bgp_peer.num_message_received",
            "bgp_peer.num_message_sent",
            "bgp_peer.received_messages",
            "bgp_peer.sent_messages",
            "bgp_peer.received_updates",
            "bgp_peer.sent_updates",
        ],
        ProviderKind::OpenStack => &[],
        ProviderKind::Tencent => &["RequestId"],
        ProviderKind::TencentLegacy => &[],
    }
}
