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

use std::cell::RefCell;
use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::index::Index;
use crate::object::Object;
use crate::rules::{Context, Sink};
use crate::schema::builtin::builtin;
use crate::schema::{Class, Finding, crd, validate_all, validate_field_all};
use crate::source::{FileId, Span};

fn emit(object: &Object<'_>, sink: &mut Sink<'_>, finding: Finding) {
    let mut reported = sink.report(object, finding.span, finding.message);
    if let Some(label) = finding.label {
        reported = reported.label(label);
    }
    if let Some(help) = finding.help {
        reported.help(help);
    }
}

thread_local! {
    /// The findings of every class for the object phase one is on in this thread, keyed by its
    /// generation ([`crate::rules::object_generation`]): the first schema rule walks the object
    /// once for all four classes, the others take their share.
    static LAST_WALK: RefCell<Option<(u64, Vec<Finding>)>> = const { RefCell::new(None) };
}

/// Phase one: a built-in object against its kind's schema in the target version.
pub(crate) fn check_builtin(object: &Object<'_>, ctx: &Context, sink: &mut Sink<'_>, class: Class) {
    let Some((schema, root)) =
        builtin().lookup(object.group, object.version, object.kind, ctx.kube_version)
    else {
        return;
    };
    let name = || object.display_name();
    let generation = crate::rules::object_generation();
    let all = || validate_all(schema, root, object.root, object.anchor_span(), true, &name);
    let findings: Vec<Finding> = if generation == 0 {
        // Outside the engine's per-object loop: no sharing.
        all().into_iter().filter(|f| f.class == class).collect()
    } else {
        LAST_WALK.with(|cell| {
            let mut cell = cell.borrow_mut();
            if cell.as_ref().is_none_or(|(g, _)| *g != generation) {
                *cell = Some((generation, all()));
            }
            cell.as_ref()
                .map(|(_, all)| all.iter().filter(|f| f.class == class).cloned().collect())
                .unwrap_or_default()
        })
    };
    for finding in findings {
        emit(object, sink, finding);
    }
}

/// One finding of the custom-resource check, ready to report.
struct CustomFinding {
    /// Index of the object in the set.
    object: usize,
    finding: Finding,
    /// Where the schema came from, for findings against a CRD's schema (`None` for `metadata`,
    /// which the API server validates as any object's).
    origin: Option<Origin>,
}

struct Origin {
    file: FileId,
    /// The CRD's `name:`.
    span: Span,
    label: String,
    /// The help when the finding brings none.
    help: String,
}

/// Every class of finding for the custom resources of the set: computed once per run, shared by
/// the four schema rules through [`Index::memo`].
struct CustomFindings(Vec<CustomFinding>);

/// Validates the custom resources of the set once for the four schema rules, in parallel
/// (from [`crate::rules::Rule::prepare_set`], where the memo may use the thread pool).
pub(crate) fn prepare_custom(index: &Index<'_>, ctx: &Context) {
    custom(index, ctx);
}

/// The custom-resource findings of the run, computed on first use.
fn custom(index: &Index<'_>, ctx: &Context) -> std::sync::Arc<CustomFindings> {
    index.memo(|| CustomFindings(custom_findings(index, ctx)))
}

/// Phase two: custom resources against the CRDs of the set. Objects whose kind no CRD of the
/// set defines are skipped (see `schema-unknown-field`'s `unknown-kinds` setting). When several
/// CRDs of the set define the kind (two releases of an operator), only what every one of their
/// schemas finds is reported.
pub(crate) fn check_custom(index: &Index<'_>, ctx: &Context, sink: &mut Sink<'_>, class: Class) {
    let all = custom(index, ctx);
    let objects = index.objects();
    for found in all.0.iter().filter(|f| f.finding.class == class) {
        let object = &objects[found.object];
        let finding = found.finding.clone();
        let Some(origin) = &found.origin else {
            emit(object, sink, finding);
            continue;
        };
        let mut reported = sink
            .report(object, finding.span, finding.message)
            .secondary(origin.file, origin.span, origin.label.clone());
        if let Some(label) = finding.label {
            reported = reported.label(label);
        }
        reported.help(finding.help.unwrap_or_else(|| origin.help.clone()));
    }
}

fn custom_findings(index: &Index<'_>, ctx: &Context) -> Vec<CustomFinding> {
    let served = crd::served(index);
    if served.is_empty() {
        return Vec::new();
    }
    let builtin = builtin();
    // The custom resources of each served kind, in set order; kinds in a fixed order.
    let mut by_kind: BTreeMap<(&str, &str, &str), Vec<usize>> = BTreeMap::new();
    for (at, object) in index.objects().iter().enumerate() {
        let key = (object.group, object.version, object.kind);
        if !builtin.is_builtin_group(object.group) && served.contains_key(&key) {
            by_kind.entry(key).or_default().push(at);
        }
    }
    // Kinds, and each kind's objects, in parallel: this runs from `prepare_set` (see
    // `Index::memo` for why only there).
    let mut out: Vec<CustomFinding> = by_kind
        .par_iter()
        .flat_map_iter(|(key, objects)| match served.get(key) {
            Some(candidates) => check_kind(index, ctx, candidates, objects),
            None => Vec::new(),
        })
        .collect();
    // One object's findings stay in the order they were found.
    out.sort_by_key(|f| f.object);
    out
}

/// The custom resources `objects` (indexes into the set) of one kind, against the schemas of the
/// CRDs of the set that serve it.
fn check_kind(
    index: &Index<'_>,
    ctx: &Context,
    candidates: &[crd::Served<'_>],
    objects: &[usize],
) -> Vec<CustomFinding> {
    // A set often repeats one CRD (each install bundle of an operator carries it): a schema
    // identical to an earlier candidate's is compiled and checked once (`None` here), since the
    // findings every candidate agrees on are then the same.
    let mut seen: Vec<((usize, &str), bool)> = Vec::new();
    let schemas: Vec<Option<crd::CrdSchema<'_>>> = candidates
        .iter()
        .map(|c| {
            let schema = c.schema?;
            if let Some(text) = crd::schema_text(schema) {
                if seen.contains(&(text, c.keep_unknown)) {
                    return None;
                }
                seen.push((text, c.keep_unknown));
            }
            Some(crd::compile(schema, c.keep_unknown))
        })
        .collect();
    objects
        .par_iter()
        .flat_map_iter(|&at| check_one(index, ctx, candidates, &schemas, at))
        .collect()
}

/// Custom resource `at` (an index into the set) against the compiled `schemas` of its kind's
/// `candidates` (`None` for a repeat of an earlier candidate's schema).
fn check_one(
    index: &Index<'_>,
    ctx: &Context,
    candidates: &[crd::Served<'_>],
    schemas: &[Option<crd::CrdSchema<'_>>],
    at: usize,
) -> Vec<CustomFinding> {
    let builtin = builtin();
    let mut out = Vec::new();
    let object = &index.objects()[at];
    let name = || object.display_name();
    let mut agreed: Option<Vec<Finding>> = None;
    let mut first = None;
    for (candidate, schema) in candidates.iter().zip(schemas.iter()) {
        let Some(schema) = schema else {
            if candidate.schema.is_none() {
                // A version without a schema accepts anything.
                agreed = Some(Vec::new());
                break;
            }
            // The same schema as an earlier candidate's.
            continue;
        };
        let findings = validate_all(
            schema.schema(),
            schema.root,
            object.root,
            object.anchor_span(),
            false,
            &name,
        );
        agreed = Some(match agreed {
            None => {
                first = Some(candidate);
                findings
            }
            Some(previous) => previous
                .into_iter()
                .filter(|p| {
                    findings
                        .iter()
                        .any(|f| f.class == p.class && f.span == p.span && f.message == p.message)
                })
                .collect(),
        });
    }
    // The API server validates a custom resource's `metadata` as any object's.
    if let (Some((meta_schema, meta_root)), Some(metadata)) = (
        builtin.object_meta(ctx.kube_version),
        object.root.entry("metadata"),
    ) {
        for finding in validate_field_all(
            meta_schema,
            meta_root,
            metadata.value,
            "metadata",
            metadata.key.span(),
            &name,
        ) {
            out.push(CustomFinding {
                object: at,
                finding,
                origin: None,
            });
        }
    }
    let (Some(findings), Some(found)) = (agreed, first) else {
        return out;
    };
    let crd_name = found.crd.name.unwrap_or("(unnamed)");
    let crd_span = found
        .crd
        .metadata()
        .and_then(|m| m.entry("name"))
        .map_or_else(|| found.crd.anchor_span(), |e| e.head_span());
    let others = match candidates.len() {
        1 => String::new(),
        2 => " (and so does the other definition in the set)".to_string(),
        n => format!(" (and so do the other {} definitions in the set)", n - 1),
    };
    for finding in findings {
        out.push(CustomFinding {
            object: at,
            finding,
            origin: Some(Origin {
                file: found.crd.doc.file,
                span: crd_span,
                label: format!(
                    "the schema of `{}` ({}) comes from this CustomResourceDefinition{others}",
                    object.kind, object.version
                ),
                help: format!(
                    "see the `{}` schema of CustomResourceDefinition {crd_name}",
                    object.version
                ),
            }),
        });
    }
    out
}
