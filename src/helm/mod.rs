//! Native Helm rendering: chart loading, values merging and a Go `text/template` engine with the
//! Sprig and Helm function libraries, recording where every rendered byte came from.

pub mod chart;
pub mod coalesce;
pub mod coverage;
pub mod funcs;
pub mod lint;
pub mod manifest;
pub mod objects;
pub mod render;
pub mod schema;
pub mod strvals;
pub mod template;
pub mod value;
pub mod values;
