//! Output formats. A reporter only formats; it never decides what is reported.

pub mod human;
pub mod json;
