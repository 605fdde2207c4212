#![doc = include_str!("../../../rules/container-missing-memory-limit.md")]

use super::check;
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::limitrange::Bound;

pub use super::Settings;

pub static META: RuleMeta = RuleMeta {
    id: "container-missing-memory-limit",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container has no memory limit, so it can take all of its node's memory",
    lesson: "Seed 002 (NU.nl, 2019): an ElastAlert pod with no memory limit grew until the kernel OOM-killed processes on every node it was scheduled to, taking customer workloads with it.",
};

const HELP: &str =
    "set `resources.limits.memory`, e.g.\n  resources:\n    limits:\n      memory: 512Mi";

pub struct ContainerMissingMemoryLimit {
    settings: Settings,
}

pub fn new(settings: Settings) -> ContainerMissingMemoryLimit {
    ContainerMissingMemoryLimit { settings }
}

impl Rule for ContainerMissingMemoryLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        check(index, sink, &self.settings, "memory", Bound::Limit, HELP);
    }
}
