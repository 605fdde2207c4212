#![doc = include_str!("../../../rules/schema-missing-required-field.md")]

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::schema::Class;

pub static META: RuleMeta = RuleMeta {
    id: "schema-missing-required-field",
    category: Category::Correctness,
    default_severity: Severity::Error,
    default_enabled: false,
    summary: "A field the schema requires is missing (a container without `name`, a port without `containerPort`), so the API server rejects the object",
    lesson: "Seed 004 (2021): objects that cannot be applied or read fail the rollout; off by default because partial manifests (kustomize patches, overlays) legitimately omit required fields.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct SchemaMissingRequiredField;

pub fn new(_settings: Settings) -> SchemaMissingRequiredField {
    SchemaMissingRequiredField
}

impl Rule for SchemaMissingRequiredField {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        super::check_builtin(object, ctx, sink, Class::MissingRequired);
    }

    fn prepare_set(&self, index: &Index<'_>, ctx: &Context) {
        super::prepare_custom(index, ctx);
    }

    fn prepares_set(&self) -> bool {
        true
    }

    fn check_set(&self, index: &Index<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        super::check_custom(index, ctx, sink, Class::MissingRequired);
    }
}
