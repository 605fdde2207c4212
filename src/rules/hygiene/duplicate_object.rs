#![doc = include_str!("../../../rules/duplicate-object.md")]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::name_span;
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::source::{FileId, Origin};
use crate::view::scope::{is_cluster_scoped, is_local_config};

pub static META: RuleMeta = RuleMeta {
    id: "duplicate-object",
    category: Category::Correctness,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "The same object (kind, namespace and name) is defined more than once in the set",
    lesson: "Practice: when a set defines an object twice, the last one applied silently replaces the first, so which definition runs depends on file order; one of the two is a copy that went stale or a name that collided.",
};

/// Which definitions are compared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Objects of one file (or of stdin): one `kubectl apply -f`, one `helm template` output.
    #[default]
    File,
    /// Objects of files in one directory, as `kubectl apply -f <dir>` applies them.
    Directory,
    /// Every object of the run.
    Set,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// `file` (default), `directory` or `set`: how far apart two definitions may be.
    pub scope: Scope,
}

pub struct DuplicateObject {
    settings: Settings,
}

pub fn new(settings: Settings) -> DuplicateObject {
    DuplicateObject { settings }
}

/// Where (file or directory, per the scope), group, kind, namespace, name.
/// (place: an interned file or directory, or none for the whole set; group; kind; namespace; name)
type Key<'a> = (Option<u32>, &'a str, &'a str, &'a str, &'a str);

/// The file an object comes from, lexically normalised (none for stdin).
fn file_of(object: &Object<'_>) -> Option<PathBuf> {
    match &object.doc.source.origin {
        Origin::Path(path) => Some(crate::source::normalize_relative(path)),
        Origin::Stdin => None,
    }
}

/// Files and directories that the Kustomizations (and Components) of the set name as resources,
/// bases, components or patches: kustomize's inputs, which restate objects on purpose (an
/// overlay's patch repeats the name of the base's object; two overlays define the same object
/// for different clusters). Only kustomize's output is ever applied.
fn kustomize_inputs(index: &Index<'_>) -> BTreeSet<PathBuf> {
    let mut inputs = BTreeSet::new();
    for kustomization in index
        .objects()
        .iter()
        .filter(|o| o.group == "kustomize.config.k8s.io")
    {
        let Some(file) = file_of(kustomization) else {
            continue;
        };
        let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
        let root = kustomization.root;
        let mut names: Vec<&str> = Vec::new();
        for field in [
            "resources",
            "bases",
            "components",
            "patchesStrategicMerge",
            "crds",
        ] {
            names.extend(
                root.get(field)
                    .into_iter()
                    .flat_map(|list| list.items())
                    .filter_map(|item| item.as_str()),
            );
        }
        for field in ["patches", "patchesJson6902"] {
            names.extend(
                root.get(field)
                    .into_iter()
                    .flat_map(|list| list.items())
                    .filter_map(|item| item.get_str("path")),
            );
        }
        for name in names {
            let name = name.trim();
            if name.is_empty() || name.contains("://") || name.contains('\n') {
                continue;
            }
            inputs.insert(crate::source::normalize_relative(&dir.join(name)));
        }
    }
    inputs
}

impl Rule for DuplicateObject {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let inputs = kustomize_inputs(index);
        // Whether each file is an input, decided once per file.
        let mut input_files: HashMap<FileId, bool> = HashMap::new();
        let mut is_input = |object: &Object<'_>| {
            !inputs.is_empty()
                && *input_files.entry(object.doc.file).or_insert_with(|| {
                    file_of(object).is_some_and(|file| {
                        inputs.contains(&file)
                            || file.parent().is_some_and(|dir| inputs.contains(dir))
                    })
                })
        };
        let mut seen: BTreeMap<Key<'_>, Vec<&Object<'_>>> = BTreeMap::new();
        // Places are computed once per file and compared as numbers.
        let mut place_of_file: HashMap<FileId, u32> = HashMap::new();
        let mut places: HashMap<PathBuf, u32> = HashMap::new();
        for object in index.objects() {
            let Some(name) = object.name.filter(|n| !n.trim().is_empty()) else {
                continue;
            };
            if is_local_config(object) || is_input(object) {
                continue;
            }
            let namespace = if is_cluster_scoped(object) {
                ""
            } else {
                index.namespace_of(object)
            };
            let place = match self.settings.scope {
                Scope::Set => None,
                scope => Some(*place_of_file.entry(object.doc.file).or_insert_with(|| {
                    let path = match scope {
                        // Stdin has no path; it counts as one file of its own.
                        Scope::File => file_of(object).unwrap_or_default(),
                        _ => file_of(object)
                            .and_then(|f| f.parent().map(Path::to_path_buf))
                            .unwrap_or_else(|| PathBuf::from("<stdin>")),
                    };
                    let next = places.len() as u32;
                    *places.entry(path).or_insert(next)
                })),
            };
            seen.entry((place, object.group, object.kind, namespace, name))
                .or_default()
                .push(object);
        }
        for ((_, _, _, namespace, name), objects) in seen {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::availability::run_rule;

    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";

    fn run(scope: Scope, files: &[(&str, &str)]) -> Vec<String> {
        run_rule(Box::new(new(Settings { scope })), files)
    }

    #[test]
    fn scopes() {
        let files = [("k8s/a.yaml", CM), ("k8s/b.yaml", CM), ("other/c.yaml", CM)];
        assert!(run(Scope::File, &files).is_empty());
        assert_eq!(
            run(Scope::Directory, &files),
            ["k8s/b.yaml:4: ConfigMap \"c\" in namespace `default` is defined twice"]
        );
        assert_eq!(run(Scope::Set, &files).len(), 2);
    }

    #[test]
    fn kustomize_inputs_are_not_compared() {
        let base = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n";
        let overlay = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\n  - ./extra.yaml\npatches:\n  - path: replicas.yaml\npatchesStrategicMerge:\n  - more.yaml\n";
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n";
        let files = [
            ("app/base/kustomization.yaml", base),
            ("app/base/deployment.yaml", deployment),
            ("app/overlays/prod/kustomization.yaml", overlay),
            ("app/overlays/prod/replicas.yaml", deployment),
            ("app/overlays/prod/extra.yaml", deployment),
            ("app/overlays/prod/more.yaml", deployment),
        ];
        assert!(run(Scope::Set, &files).is_empty());
        // Files no kustomization names are compared as usual.
        let mut with_stray = files.to_vec();
        with_stray.push(("app/stray.yaml", deployment));
        with_stray.push(("app/stray-copy.yaml", deployment));
        assert_eq!(run(Scope::Set, &with_stray).len(), 1);
    }

    #[test]
    fn paths_normalise_lexically() {
        assert_eq!(
            crate::source::normalize_relative(Path::new("a/./b/../c/d.yaml")),
            PathBuf::from("a/c/d.yaml")
        );
        assert_eq!(
            crate::source::normalize_relative(Path::new("../x")),
            PathBuf::from("../x")
        );
    }
}
