#![doc = include_str!("../../../rules/duplicate-object.md")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::name_span;
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::source::Origin;
use crate::view::scope::{is_cluster_scoped, is_local_config};

pub static META: RuleMeta = RuleMeta {
    id: "duplicate-object",
    category: Category::Correctness,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "The same object (kind, namespace and name) is defined more than once in the set",
    lesson: "Practice: when a set defines an object twice, the last one applied silently replaces the first, so which definition runs depends on file order; one of the two is a copy that went stale or a name that collided.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct DuplicateObject;

pub fn new(_settings: Settings) -> DuplicateObject {
    DuplicateObject
}

/// The directory of the file an object comes from (none for stdin).
fn directory(object: &Object<'_>) -> Option<PathBuf> {
    match &object.doc.source.origin {
        Origin::Path(path) => Some(path.parent().unwrap_or(Path::new("")).to_path_buf()),
        Origin::Stdin => None,
    }
}

impl Rule for DuplicateObject {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        // Files in a kustomization's directory tree are kustomize inputs (bases, overlays,
        // patches), which restate objects on purpose: they are not applied as they are.
        let kustomize_dirs: BTreeSet<PathBuf> = index
            .objects()
            .iter()
            .filter(|o| o.group == "kustomize.config.k8s.io")
            .filter_map(directory)
            .collect();
        let in_kustomize_tree = |object: &Object<'_>| {
            directory(object).is_some_and(|dir| dir.ancestors().any(|a| kustomize_dirs.contains(a)))
        };
        let mut seen: BTreeMap<(&str, &str, &str, &str), Vec<&Object<'_>>> = BTreeMap::new();
        for object in index.objects() {
            let Some(name) = object.name.filter(|n| !n.trim().is_empty()) else {
                continue;
            };
            if is_local_config(object) || in_kustomize_tree(object) {
                continue;
            }
            let namespace = if is_cluster_scoped(object) {
                ""
            } else {
                index.namespace_of(object)
            };
            seen.entry((object.group, object.kind, namespace, name))
                .or_default()
                .push(object);
        }
        for ((_, _, namespace, name), objects) in seen {
            let Some((first, repeats)) = objects.split_first() else {
                continue;
            };
            for object in repeats {
                let what = if namespace.is_empty() {
                    format!("{} \"{name}\"", object.kind)
                } else {
                    format!("{} \"{name}\" in namespace `{namespace}`", object.kind)
                };
                sink.report(object, name_span(object), format!("{what} is defined twice"))
                    .label("this definition replaces the earlier one when both are applied")
                    .secondary(first.doc.file, name_span(first), "first defined here")
                    .help("keep one definition; if both are needed, give them different names or namespaces");
            }
        }
    }
}
