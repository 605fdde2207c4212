#![doc = include_str!("../../../rules/container-missing-memory-request.md")]

use super::check;
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::limitrange::Bound;

pub use super::Settings;

pub static META: RuleMeta = RuleMeta {
    id: "container-missing-memory-request",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container has no memory request (nor a limit it would default to), so the scheduler packs it blind",
    lesson: "Seed 000 (2021): nodes were over-scheduled until memory pressure broke the load balancer's view of them; the scheduler can only avoid that for memory it knows about.",
};

const HELP: &str = "set `resources.requests.memory` to what the container needs at steady state, e.g.\n  resources:\n    requests:\n      memory: 256Mi";

pub struct ContainerMissingMemoryRequest {
    settings: Settings,
}

pub fn new(settings: Settings) -> ContainerMissingMemoryRequest {
    ContainerMissingMemoryRequest { settings }
}

impl Rule for ContainerMissingMemoryRequest {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        check(index, sink, &self.settings, "memory", Bound::Request, HELP);
    }
}
