#![doc = include_str!("../../../rules/schema-invalid-enum.md")]

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::schema::Class;

pub static META: RuleMeta = RuleMeta {
    id: "schema-invalid-enum",
    category: Category::Correctness,
    default_severity: Severity::Error,
    default_enabled: true,
    summary: "A field holds a value outside its fixed list (`imagePullPolicy: always`, `protocol: tcp`), so the API server rejects the object",
    lesson: "Seed 004 (2021): an object the API server refuses fails the rollout halfway; the allowed values are case-sensitive and easy to get wrong by hand.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct SchemaInvalidEnum;

pub fn new(_settings: Settings) -> SchemaInvalidEnum {
    SchemaInvalidEnum
}

impl Rule for SchemaInvalidEnum {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        super::check_builtin(object, ctx, sink, Class::InvalidEnum);
    }

    fn prepare_set(&self, index: &Index<'_>, ctx: &Context) {
        super::prepare_custom(index, ctx);
    }

    fn prepares_set(&self) -> bool {
        true
    }

    fn check_set(&self, index: &Index<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        super::check_custom(index, ctx, sink, Class::InvalidEnum);
    }
}
