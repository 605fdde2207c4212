#![doc = include_str!("../../../rules/helm-render-error.md")]
//!
//! The check itself runs while rendering a chart (`crate::helm::render`, reported by
//! `crate::helm::lint`); this module declares the rule so it can be listed, explained,
//! configured and suppressed like any other.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::rules::{Category, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "helm-render-error",
    category: Category::Correctness,
    default_severity: Severity::Error,
    default_enabled: true,
    summary: "A Helm chart does not render: a template fails (`required`, `fail`, a parse or execution error), the values break its schema, or a dependency is missing",
    lesson: "A chart that `helm template` cannot render fails the deploy at install time; finding it at review time, at the template line, is cheaper.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {}

pub struct HelmRenderError;

pub fn new(_settings: Settings) -> HelmRenderError {
    HelmRenderError
}

impl Rule for HelmRenderError {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
