#![doc = include_str!("../../../rules/unused-suppression.md")]
//!
//! The check runs in the filter stage (`crate::suppress`), after every other rule.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::rules::{Category, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "unused-suppression",
    category: Category::Style,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A suppression (comment, annotation or config ignore) silences no finding",
    lesson: "Practice (ruff RUF100): a suppression that matches nothing is stale, and a stale suppression hides the next real finding on that line or object.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {}

pub struct UnusedSuppression;

pub fn new(_settings: Settings) -> UnusedSuppression {
    UnusedSuppression
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
