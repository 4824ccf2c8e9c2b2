//! The integration tests: one test binary (see STYLE.md), one module per area.

mod support;

mod analysts_db;
mod architecture;
mod config;
mod contrib;
mod demo;
mod docs;
mod history;
mod history_raw;
mod huaweicloud_collect;
mod import;
mod listing_keys;
mod listing_threads;
mod messages;
mod openstack_collect;
mod query;
mod query_args;
mod query_cli;
mod report;
mod report_browser;
mod report_html;
mod runtime;
mod shell;
mod tencent_collect;
mod tls;
