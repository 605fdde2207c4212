//! kpolicy: a static analyzer for Kubernetes manifests that points at the exact field.
//!
//! The pipeline (see `engine`): discover → load → parse (span tree) → objects → index → rules →
//! sort → report. Everything a rule sees keeps its byte span, so every finding can be shown as
//! `file:line:col` with a code frame.

pub mod baseline;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod fingerprint;
pub mod helm;
pub mod index;
pub mod kube_version;
pub mod kustomize;
pub mod load;
pub mod object;
pub mod quantity;
pub mod report;
pub mod rules;
pub mod schema;
pub mod source;
pub mod suppress;
pub mod view;
pub mod yaml;
