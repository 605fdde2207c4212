#![doc = include_str!("../../../rules/deprecated-api-version.md")]

use serde::{Deserialize, Serialize};

use super::apis::{ApiEntry, ApiTable, Status};
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "deprecated-api-version",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "An object uses an apiVersion that the target Kubernetes release deprecates",
    lesson: "Seed 004 (BloomRemit, 2021): a component that lagged behind the cluster's API stopped working without any change on the team's side; a deprecated apiVersion is the warning before that happens.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Entries added to `rules/data/kubernetes-apis.yaml`; one with the same apiVersion and kind
    /// replaces the built-in entry.
    pub extra_apis: Vec<ApiEntry>,
}

pub struct DeprecatedApiVersion {
    table: ApiTable,
}

pub fn new(settings: Settings) -> DeprecatedApiVersion {
    DeprecatedApiVersion {
        table: ApiTable::new(&settings.extra_apis),
    }
}

impl Rule for DeprecatedApiVersion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        super::check_api(&self.table, object, ctx, sink, Status::Deprecated);
    }
}
