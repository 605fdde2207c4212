#![doc = include_str!("../../../rules/container-missing-cpu-request.md")]

use super::check;
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::limitrange::Bound;

pub use super::Settings;

pub static META: RuleMeta = RuleMeta {
    id: "container-missing-cpu-request",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container has no CPU request (nor a limit it would default to), so it gets no guaranteed CPU share",
    lesson: "Seeds 000 and 001: CPU pressure on over-scheduled nodes throttled every service on them; a CPU request reserves a share and keeps the scheduler from overcommitting the node.",
};

const HELP: &str =
    "set `resources.requests.cpu`, e.g.\n  resources:\n    requests:\n      cpu: 100m";

pub struct ContainerMissingCpuRequest {
    settings: Settings,
}

pub fn new(settings: Settings) -> ContainerMissingCpuRequest {
    ContainerMissingCpuRequest { settings }
}

impl Rule for ContainerMissingCpuRequest {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        check(index, sink, &self.settings, "cpu", Bound::Request, HELP);
    }
}
