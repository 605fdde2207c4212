#![doc = include_str!("../../../rules/object-in-default-namespace.md")]

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use std::collections::BTreeSet;

use crate::index::Index;
use crate::object::Object;
use crate::rules::availability::owned_by_controller;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::scope::{is_cluster_scoped, is_local_config};

pub static META: RuleMeta = RuleMeta {
    id: "object-in-default-namespace",
    category: Category::BestPractice,
    default_severity: Severity::Warning,
    default_enabled: false,
    summary: "An object lands in the `default` namespace",
    lesson: "Practice (Checkov CKV_K8S_21, kube-linter `use-namespace`, CIS 5.7.4): the `default` namespace is where everything without a home ends up, so its quotas, policies and RBAC fit nothing in particular.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct ObjectInDefaultNamespace;

pub fn new(_settings: Settings) -> ObjectInDefaultNamespace {
    ObjectInDefaultNamespace
}

const HELP: &str = "give the application its own namespace:\n  metadata:\n    namespace: <app>";

impl Rule for ObjectInDefaultNamespace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        // Custom resources are cluster-scoped when the set's CustomResourceDefinition says so.
        let cluster_crds: BTreeSet<(&str, &str)> = index
            .of_kind("CustomResourceDefinition")
            .filter_map(|crd| {
                let spec = crd.spec()?;
                (spec.get_str("scope")? == "Cluster")
                    .then(|| {
                        Some((
                            spec.get_str("group")?,
                            spec.path(&["names", "kind"])?.as_str()?,
                        ))
                    })
                    .flatten()
            })
            .collect();
        for object in index.objects() {
            if cluster_crds.contains(&(object.group, object.kind)) {
                continue;
            }
            check(object, ctx, sink);
        }
    }
}

/// Objects Kubernetes itself creates: every namespace's `default` ServiceAccount and
/// `kube-root-ca.crt` ConfigMap, and the `kubernetes` Service of the `default` namespace (they
/// appear in cluster dumps, and nobody can move them).
fn built_in(object: &Object<'_>) -> bool {
    matches!(
        (object.group, object.kind, object.name),
        ("", "ServiceAccount", Some("default"))
            | ("", "ConfigMap", Some("kube-root-ca.crt"))
            | ("", "Service" | "Endpoints", Some("kubernetes"))
            | ("discovery.k8s.io", "EndpointSlice", Some("kubernetes"))
    )
}

fn check(object: &Object<'_>, ctx: &Context, sink: &mut Sink<'_>) {
    if is_local_config(object)
        || is_cluster_scoped(object)
        || owned_by_controller(object)
        || built_in(object)
    {
        return;
    }
    let written = object
        .metadata()
        .and_then(|m| m.entry("namespace"))
        .filter(|e| e.value.as_str().is_some());
    match written {
        Some(entry) => {
            if object.namespace.map(str::trim) != Some("default") {
                return;
            }
            sink.report(
                object,
                entry.head_span(),
                format!("{} is in the `default` namespace", object.display_name()),
            )
            .label("shared by everything that names no namespace")
            .help(HELP);
        }
        None => {
            // `helm install -n` and `kubectl apply -n` choose the namespace of rendered charts
            // and namespace-less files; only the run's own default says where they land.
            if ctx.default_namespace != "default" || object.doc.helm_source.is_some() {
                return;
            }
            let span = object
                .root
                .entry("metadata")
                .map_or_else(|| object.anchor_span(), |e| e.key.span());
            sink.report(
                object,
                span,
                format!("{} lands in the `default` namespace", object.display_name()),
            )
            .label("no `namespace` here, and the run's default namespace is `default`")
            .help(HELP);
        }
    }
}
