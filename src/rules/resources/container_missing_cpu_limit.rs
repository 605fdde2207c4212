#![doc = include_str!("../../../rules/container-missing-cpu-limit.md")]

use super::check;
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::limitrange::Bound;

pub use super::Settings;

pub static META: RuleMeta = RuleMeta {
    id: "container-missing-cpu-limit",
    category: Category::Reliability,
    default_severity: Severity::Info,
    default_enabled: false,
    summary: "A container has no CPU limit (off by default: CPU limits throttle even on idle nodes)",
    lesson: "Practice (Polaris cpuLimitsMissing, Checkov CKV_K8S_11): a hard CPU cap is policy in some clusters; elsewhere CFS-quota throttling makes limits cause more latency incidents than they prevent, so the rule is opt-in.",
};

const HELP: &str = "set `resources.limits.cpu`, e.g.\n  resources:\n    limits:\n      cpu: \"1\"";

pub struct ContainerMissingCpuLimit {
    settings: Settings,
}

pub fn new(settings: Settings) -> ContainerMissingCpuLimit {
    ContainerMissingCpuLimit { settings }
}

impl Rule for ContainerMissingCpuLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        check(index, sink, &self.settings, "cpu", Bound::Limit, HELP);
    }
}
