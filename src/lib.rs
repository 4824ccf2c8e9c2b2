//! vpnsnap keeps the history of an organisation's cloud VPN (IPsec)
//! connections: providers' listings are normalized into one model and stored
//! as versioned rows in SQLite, with field-level change records.
//!
//! The binary (`src/main.rs`) is a thin layer over this library; `tests/`
//! drive both.

/// mimalloc rather than the system allocator, with the feature `mimalloc`
/// (off by default): normalizing allocates and frees many small JSON values
/// per connection, but since unchanged connections are passed over it gains
/// little and holds more memory (see README, Performance). Set here, not in
/// `main.rs`, so that the tests and benchmarks run as the binary does.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod cli;
pub mod cmd;
pub mod collector;
pub mod color;
pub mod config;
pub mod demo;
pub mod exit;
pub mod fingerprint;
pub mod http;
pub mod import;
pub mod keys;
pub mod listing;
pub mod lock;
pub mod mac;
pub mod metrics;
pub mod model;
pub mod progress;
pub mod provider;
pub mod query;
pub mod runner;
pub mod scheduler;
pub mod shutdown;
pub mod sim;
pub mod store;
pub mod time;
pub mod timeline;
