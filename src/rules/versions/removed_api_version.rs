#![doc = include_str!("../../../rules/removed-api-version.md")]

use serde::{Deserialize, Serialize};

use super::apis::{ApiEntry, ApiTable, Status};
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "removed-api-version",
    category: Category::Correctness,
    default_severity: Severity::Error,
    default_enabled: true,
    summary: "An object uses an apiVersion that the target Kubernetes release no longer serves",
    lesson: "Seed 004 (BloomRemit, 2021): software that could not read the API objects of its cluster took every site down; an apiVersion the cluster no longer serves fails the same way, at deploy time or when an upgrade lands.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Entries added to `rules/data/kubernetes-apis.yaml`; one with the same apiVersion and kind
    /// replaces the built-in entry.
    pub extra_apis: Vec<ApiEntry>,
}

pub struct RemovedApiVersion {
    table: ApiTable,
}

pub fn new(settings: Settings) -> RemovedApiVersion {
    RemovedApiVersion {
        table: ApiTable::new(&settings.extra_apis),
    }
}

impl Rule for RemovedApiVersion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        super::check_api(&self.table, object, ctx, sink, Status::Removed);
    }
}
