//! Rules about the input itself: YAML that does not parse, text that is not text.

pub mod yaml_syntax;
