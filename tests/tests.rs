//! The integration tests: one test binary (see STYLE.md), one module per area.

mod support;

mod config;
mod demo;
mod history;
mod huaweicloud_collect;
mod import;
mod openstack_collect;
mod runtime;
mod tencent_collect;
