//! Schema rules: the objects of the set checked against the schemas of their kinds (built-in
//! kinds for the target Kubernetes version, custom resources against the CustomResourceDefinitions
//! of the set), with the findings at the exact key or value. See `crate::schema` for the walk.
//!
//! Four rules share one walk, each keeping its own class of finding; built-in kinds are checked
//! per object (phase one, in parallel), custom resources in phase two, once the set's CRDs are
//! known. `schema-duplicate-key` needs no schema.

pub mod schema_duplicate_key;
pub mod schema_invalid_enum;
pub mod schema_missing_required_field;
pub mod schema_type_mismatch;
pub mod schema_unknown_field;

use std::collections::HashMap;

use crate::index::Index;
use crate::object::Object;
use crate::rules::{Context, Sink};
use crate::schema::builtin::builtin;
use crate::schema::{Class, Finding, crd, validate};

fn emit(object: &Object<'_>, sink: &mut Sink<'_>, finding: Finding) {
    let mut reported = sink.report(object, finding.span, finding.message);
    if let Some(label) = finding.label {
        reported = reported.label(label);
    }
    if let Some(help) = finding.help {
        reported.help(help);
    }
}

/// Phase one: a built-in object against its kind's schema in the target version.
pub(crate) fn check_builtin(object: &Object<'_>, ctx: &Context, sink: &mut Sink<'_>, class: Class) {
    let Some((schema, root)) =
        builtin().lookup(object.group, object.version, object.kind, ctx.kube_version)
    else {
        return;
    };
    for finding in validate(schema, root, object.root, object.anchor_span(), class, true) {
        emit(object, sink, finding);
    }
}

/// Phase two: custom resources against the CRDs of the set. Objects whose kind no CRD of the
/// set defines are skipped (see `schema-unknown-field`'s `unknown-kinds` setting).
pub(crate) fn check_custom(index: &Index<'_>, sink: &mut Sink<'_>, class: Class) {
    let served = crd::served(index);
    if served.is_empty() {
        return;
    }
    let builtin = builtin();
    let mut compiled = HashMap::new();
    for object in index.objects() {
        if builtin.is_builtin_group(object.group) {
            continue;
        }
        let key = (object.group, object.version, object.kind);
        let Some(found) = served.get(&key) else {
            continue;
        };
        let Some(schema_node) = found.schema else {
            continue;
        };
        let schema = compiled
            .entry(key)
            .or_insert_with(|| crd::compile(schema_node, found.keep_unknown));
        let crd_name = found.crd.name.unwrap_or("(unnamed)");
        let crd_span = found
            .crd
            .metadata()
            .and_then(|m| m.entry("name"))
            .map_or_else(|| found.crd.anchor_span(), |e| e.head_span());
        for finding in validate(
            schema.schema(),
            schema.root,
            object.root,
            object.anchor_span(),
            class,
            false,
        ) {
            let mut reported = sink
                .report(object, finding.span, finding.message)
                .secondary(
                    found.crd.doc.file,
                    crd_span,
                    format!(
                        "the schema of `{}` ({}) comes from this CustomResourceDefinition",
                        object.kind, object.version
                    ),
                );
            if let Some(label) = finding.label {
                reported = reported.label(label);
            }
            let help = finding.help.unwrap_or_default();
            reported.help(if help.is_empty() {
                format!(
                    "see the `{}` schema of CustomResourceDefinition {crd_name}",
                    object.version
                )
            } else {
                help
            });
        }
    }
}
