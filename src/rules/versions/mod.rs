//! Version-aware rules: API versions a target Kubernetes release deprecates or no longer serves,
//! and ingress controllers too old (or too new) for it. The knowledge lives in data files
//! (`rules/data/kubernetes-apis.yaml`, `rules/data/ingress-controllers.yaml`), embedded and
//! extended from rule settings; the target is `Context::kube_version`.

pub mod apis;
pub mod controllers;
pub mod deprecated_api_version;
pub mod outdated_ingress_controller;
pub mod removed_api_version;

use crate::object::Object;
use crate::rules::{Context, Sink};
use apis::{ApiTable, Status};

/// Reports `object` when its apiVersion has `wanted` status at the target release, at the
/// `apiVersion:` value.
pub(crate) fn check_api(
    table: &ApiTable,
    object: &Object<'_>,
    ctx: &Context,
    sink: &mut Sink<'_>,
    wanted: Status,
) {
    let Some(entry) = table.get(object.api_version, object.kind) else {
        return;
    };
    let target = ctx.kube_version;
    if entry.status(target) != wanted {
        return;
    }
    let Some(value) = object.root.entry("apiVersion").map(|e| e.value) else {
        return;
    };
    let who = object.display_name();
    let api = object.api_version;
    let (message, label) = match wanted {
        Status::Removed => {
            let removed = entry.removed_in.map(|r| r.to_string()).unwrap_or_default();
            (
                format!(
                    "{who} uses {api} {}, which Kubernetes {target} no longer serves (removed in {removed})",
                    object.kind
                ),
                format!("removed in Kubernetes {removed}"),
            )
        }
        Status::Deprecated => {
            let since = entry
                .deprecated_in
                .map(|d| d.to_string())
                .unwrap_or_default();
            let until = match entry.removed_in {
                Some(r) => format!("; Kubernetes {r} no longer serves it"),
                None => String::new(),
            };
            (
                format!(
                    "{who} uses {api} {}, deprecated since Kubernetes {since}{until}",
                    object.kind
                ),
                format!("deprecated in Kubernetes {since}"),
            )
        }
        Status::Served => return,
    };
    sink.report(object, value.span(), message)
        .label(label)
        .help(apis::help(table, entry, target));
}
