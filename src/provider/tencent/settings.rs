//! PLACEHOLDER: replaced by the real settings.

/// This kind's resolved `[[source]]` settings.
#[derive(Debug)]
pub struct Settings {}
