//! PLACEHOLDER: the config loader.
