#![doc = include_str!("../../../rules/invalid-suppression.md")]
//!
//! The check runs in the filter stage (`crate::suppress`), after every other rule.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::rules::{Category, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "invalid-suppression",
    category: Category::Correctness,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A suppression is malformed, has no reason, names an unknown rule or an enforced one",
    lesson: "Practice: every silenced finding must say why (kube-linter #128 asked for ignores that cannot bypass policy); a suppression that cannot work must not look like it does.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {}

pub struct InvalidSuppression;

pub fn new(_settings: Settings) -> InvalidSuppression {
    InvalidSuppression
}

impl Rule for InvalidSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
