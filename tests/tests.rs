//! The integration tests: one test binary (see STYLE.md), one module per area.

mod support;

mod history;
mod import;
