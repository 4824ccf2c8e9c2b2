//! PLACEHOLDER: replaced by the real normalizer.

use serde_json::Value;

use crate::provider::{DecodeError, NormalizeContext, Page, ProviderOutput};

pub fn decode_page(_body: Value) -> Result<Page, DecodeError> {
    Err(DecodeError::new("$", "not implemented yet"))
}

pub fn normalize(
    path: &str,
    _object: &Value,
    _context: &NormalizeContext<'_>,
) -> Result<ProviderOutput, DecodeError> {
    Err(DecodeError::new(path, "not implemented yet"))
}
