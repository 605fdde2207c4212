//! The span-preserving YAML model: granit-parser events folded into an arena tree per document.
//!
//! Every node keeps its byte span; every mapping entry keeps its key node, so a diagnostic can point
//! at `resources:` as well as at its value. Aliases are kept as references (never copied), so a
//! "billion laughs" file costs as much memory as its text; merge keys (`<<`) and aliases resolve
//! on lookup, under a depth bound. Duplicate keys are kept (the last one wins on lookup, as with
//! the API server), and scalars keep their raw style so YAML 1.1 readings can be judged later.

mod build;
mod node;

pub use build::{DIRECTIVE, ParsedFile, SyntaxError, parse_file};
pub use node::{Comment, Document, Entry, EntryRef, Node, NodeId, NodeKind, NodeRef, ScalarStyle};
