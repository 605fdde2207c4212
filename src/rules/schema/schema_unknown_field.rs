#![doc = include_str!("../../../rules/schema-unknown-field.md")]

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::schema::builtin::builtin;
use crate::schema::{Class, crd};

pub static META: RuleMeta = RuleMeta {
    id: "schema-unknown-field",
    category: Category::Correctness,
    default_severity: Severity::Error,
    default_enabled: true,
    summary: "A key is not a field of its object (`resource:` for `resources:`), so the API server drops or rejects it and the setting never takes effect",
    lesson: "Seed 002 (NU.nl 2019): a container with no memory limit OOM-killed its nodes; a misspelled `resources:` or `limits:` key is silently dropped and leaves the container with no limit at all.",
};

/// What to do with objects whose kind has no schema (not built in, no CRD in the set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnknownKinds {
    /// Skip them quietly.
    #[default]
    Ignore,
    /// Report each such object once, as a warning on its `kind:`.
    Warn,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// `ignore` (default) or `warn`: objects of a kind that is neither built in nor defined by a
    /// CustomResourceDefinition of the set.
    pub unknown_kinds: UnknownKinds,
}

pub struct SchemaUnknownField {
    settings: Settings,
}

pub fn new(settings: Settings) -> SchemaUnknownField {
    SchemaUnknownField { settings }
}

impl Rule for SchemaUnknownField {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        super::check_builtin(object, ctx, sink, Class::UnknownField);
    }

    fn prepare_set(&self, index: &Index<'_>, ctx: &Context) {
        super::prepare_custom(index, ctx);
    }

    fn prepares_set(&self) -> bool {
        true
    }

    fn check_set(&self, index: &Index<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        super::check_custom(index, ctx, sink, Class::UnknownField);
        if self.settings.unknown_kinds == UnknownKinds::Warn {
            unknown_kinds(index, ctx, sink);
        }
    }
}

/// Reports the objects no schema covers: custom resources without a CRD in the set.
fn unknown_kinds(index: &Index<'_>, ctx: &Context, sink: &mut Sink<'_>) {
    let builtin = builtin();
    let served = crd::served(index);
    for object in index.objects() {
        // Kinds of Kubernetes' own groups that the target does not serve are the API-version
        // rules' business (`removed-api-version`).
        if builtin.is_builtin_group(object.group)
            || served.contains_key(&(object.group, object.version, object.kind))
        {
            continue;
        }
        sink.report(
            object,
            object.anchor_span(),
            format!(
                "no schema for `{}` `{}`: not a built-in kind of Kubernetes {} and no CustomResourceDefinition of the set defines it",
                object.api_version, object.kind, ctx.kube_version
            ),
        )
        .severity(Severity::Warning)
        .label("not validated")
        .help("lint the CustomResourceDefinition together with its custom resources (add its file or directory to the run)");
    }
}
