//! Rules about suppressions themselves; the checks run in the filter stage (`crate::suppress`).

pub mod invalid_suppression;
pub mod unused_suppression;
