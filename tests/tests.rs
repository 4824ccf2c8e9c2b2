//! The integration tests: one test binary (see STYLE.md), one module per area.

mod support;

mod architecture;
mod config;
mod demo;
mod history;
mod history_raw;
mod huaweicloud_collect;
mod import;
mod openstack_collect;
mod query;
mod query_cli;
mod runtime;
mod tencent_collect;
mod tls;
