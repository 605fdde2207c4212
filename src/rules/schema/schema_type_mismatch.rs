#![doc = include_str!("../../../rules/schema-type-mismatch.md")]

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::schema::Class;

pub static META: RuleMeta = RuleMeta {
    id: "schema-type-mismatch",
    category: Category::Correctness,
    default_severity: Severity::Error,
    default_enabled: true,
    summary: "A value has the wrong type for its field (`replicas: \"3\"`, `containerPort: http`, `memory: 512MB`), so the API server rejects the object",
    lesson: "Seed 002 (NU.nl 2019) and seed 004 (2021): a limit the cluster cannot read is no limit, and an object the API server or a controller cannot parse fails the rollout; catch the value before it ships.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct SchemaTypeMismatch;

pub fn new(_settings: Settings) -> SchemaTypeMismatch {
    SchemaTypeMismatch
}

impl Rule for SchemaTypeMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        super::check_builtin(object, ctx, sink, Class::TypeMismatch);
    }

    fn prepare_set(&self, index: &Index<'_>, ctx: &Context) {
        super::prepare_custom(index, ctx);
    }

    fn prepares_set(&self) -> bool {
        true
    }

    fn check_set(&self, index: &Index<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        super::check_custom(index, ctx, sink, Class::TypeMismatch);
    }
}
