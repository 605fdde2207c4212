#![doc = include_str!("../../../rules/yaml-syntax.md")]
//!
//! The check itself runs while loading (`crate::engine`), since a document that does not parse never
//! becomes an object; this module declares the rule so it can be listed, explained, configured and
//! suppressed like any other.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::rules::{Category, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "yaml-syntax",
    category: Category::Correctness,
    default_severity: Severity::Error,
    default_enabled: true,
    summary: "The file is not valid YAML (or not text), so nothing in the broken document is applied or checked",
    lesson: "Seed 004 (2021): a controller that could not parse the objects it was given took every site down; a manifest that does not parse fails the deploy, or worse, half of it applies.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {}

pub struct YamlSyntax;

pub fn new(_settings: Settings) -> YamlSyntax {
    YamlSyntax
}

impl Rule for YamlSyntax {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
