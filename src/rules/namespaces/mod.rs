//! Namespace guardrails: objects a namespace should have in the same set (seed 002).
//!
//! "The set" is every input of one run. A namespace is in scope when the set defines it (a
//! `Namespace` object) or when a workload of the set lands in it (its own `metadata.namespace`,
//! else the run's default namespace).

pub mod namespace_missing_limitrange;
pub mod namespace_missing_resourcequota;

use std::collections::BTreeMap;

use crate::index::Index;
use crate::object::Object;
use crate::rules::{Reported, Sink};
use crate::source::Span;

/// Namespaces Kubernetes itself runs: guardrails there can break the control plane's own pods.
pub const SYSTEM_NAMESPACES: [&str; 3] = ["kube-system", "kube-public", "kube-node-lease"];

/// How many affected workloads get a label of their own.
const MAX_LABELS: usize = 8;

/// A namespace in scope, with where to point and which workloads it holds.
pub struct Scope<'a> {
    pub name: &'a str,
    /// The `Namespace` object, when the set defines it.
    pub namespace: Option<&'a Object<'a>>,
    /// Workloads that land in it, in input order.
    pub workloads: Vec<&'a Object<'a>>,
}

/// Every namespace in scope, sorted by name, skipping `ignored`.
pub fn scopes<'a>(index: &Index<'a>, ignored: &[String]) -> Vec<Scope<'a>> {
    let mut scopes: BTreeMap<&'a str, Scope<'a>> = BTreeMap::new();
    for object in index.of_kind("Namespace").filter(|o| o.group.is_empty()) {
        if let Some(name) = object.name {
            scopes
                .entry(name)
                .or_insert_with(|| Scope {
                    name,
                    namespace: None,
                    workloads: Vec::new(),
                })
                .namespace
                .get_or_insert(object);
        }
    }
    for (object, _) in index.workloads() {
        let name = index.namespace_of(object);
        scopes
            .entry(name)
            .or_insert_with(|| Scope {
                name,
                namespace: None,
                workloads: Vec::new(),
            })
            .workloads
            .push(object);
    }
    scopes
        .into_values()
        .filter(|s| !ignored.iter().any(|i| i == s.name))
        .collect()
}

/// Where a finding about the namespace goes: the Namespace's `name:`, else the first workload's
/// `namespace:`, else (a workload without a namespace) its `metadata:` key.
fn anchor<'a>(scope: &Scope<'a>) -> Option<(&'a Object<'a>, Span, Option<String>)> {
    if let Some(ns) = scope.namespace {
        let span = ns
            .metadata()
            .and_then(|m| m.entry("name"))
            .map_or_else(|| ns.anchor_span(), |e| e.head_span());
        return Some((ns, span, None));
    }
    let first = scope.workloads.first()?;
    let metadata = first.root.entry("metadata");
    match metadata.and_then(|m| m.value.entry("namespace")) {
        Some(entry) => Some((first, entry.head_span(), None)),
        None => Some((
            first,
            metadata.map_or_else(|| first.anchor_span(), |m| m.key.span()),
            Some(format!(
                "no `namespace` here: this object lands in `{}`",
                scope.name
            )),
        )),
    }
}

/// Reports `message` on the namespace, with a label on each affected workload.
pub fn report<'s>(
    sink: &'s mut Sink<'_>,
    scope: &Scope<'_>,
    message: String,
    label: &str,
    help: &str,
) -> Option<Reported<'s>> {
    let (object, span, anchor_label) = anchor(scope)?;
    let count = scope.workloads.len();
    let message = match count {
        0 => message,
        1 => format!("{message} (1 workload runs there)"),
        n => format!("{message} ({n} workloads run there)"),
    };
    let mut reported = sink
        .report(object, span, message)
        .label(anchor_label.unwrap_or_else(|| label.to_string()))
        .help(help);
    for workload in scope
        .workloads
        .iter()
        .filter(|w| !std::ptr::eq(**w, object))
        .take(MAX_LABELS)
    {
        let span = workload
            .metadata()
            .and_then(|m| m.entry("name"))
            .map_or_else(|| workload.anchor_span(), |e| e.head_span());
        reported = reported.secondary(
            workload.doc.file,
            span,
            format!("{} runs in this namespace", workload.kind),
        );
    }
    Some(reported)
}
