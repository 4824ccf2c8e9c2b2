//! PLACEHOLDER: the shared algorithm vocabulary.
