//! Rules about the input itself: YAML that does not parse, text that is not text.

pub mod helm_render_error;
pub mod yaml_syntax;
