//! The integration tests: one test binary (see STYLE.md), one module per area.

mod support;

mod config;
mod history;
mod import;
mod query;
mod query_cli;
