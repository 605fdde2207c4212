//! The table of deprecated and removed Kubernetes API versions (`rules/data/kubernetes-apis.yaml`)
//! and what it says about an apiVersion/kind at a target release.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::kube_version::KubeVersion;

/// One apiVersion/kind that is deprecated or no longer served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ApiEntry {
    pub api_version: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated_in: Option<KubeVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_in: Option<KubeVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// When the kind changes too (`Endpoints` → `EndpointSlice`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement_kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement_available_in: Option<KubeVersion>,
    /// What changes besides the apiVersion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    apis: Vec<ApiEntry>,
}

/// The embedded table, parsed once.
pub static BUILTIN: LazyLock<Vec<ApiEntry>> = LazyLock::new(|| {
    crate::rules::data::read::<File>(
        "kubernetes-apis",
        crate::rules::data::json!("kubernetes-apis"),
    )
    .apis
});

/// What an apiVersion/kind is at the target release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Served,
    Deprecated,
    Removed,
}

impl ApiEntry {
    pub fn status(&self, target: KubeVersion) -> Status {
        if self.removed_in.is_some_and(|r| target >= r) {
            Status::Removed
        } else if self.deprecated_in.is_some_and(|d| target >= d) {
            Status::Deprecated
        } else {
            Status::Served
        }
    }

    fn replacement_kind(&self) -> &str {
        self.replacement_kind.as_deref().unwrap_or(&self.kind)
    }
}

/// What to move to: the apiVersion and kind, the release that first serves it, and every schema
/// change on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub api_version: String,
    pub kind: String,
    pub available_in: Option<KubeVersion>,
    pub changes: Vec<String>,
}

/// The built-in table with the configured entries on top (same apiVersion and kind: replaced).
#[derive(Debug, Clone)]
pub struct ApiTable {
    entries: Vec<ApiEntry>,
    by_key: HashMap<(String, String), usize>,
}

impl ApiTable {
    pub fn new(extra: &[ApiEntry]) -> ApiTable {
        let mut entries: Vec<ApiEntry> = BUILTIN.clone();
        let mut by_key: HashMap<(String, String), usize> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| ((e.api_version.clone(), e.kind.clone()), i))
            .collect();
        for entry in extra {
            let key = (entry.api_version.clone(), entry.kind.clone());
            match by_key.get(&key) {
                Some(&i) => entries[i] = entry.clone(),
                None => {
                    by_key.insert(key, entries.len());
                    entries.push(entry.clone());
                }
            }
        }
        ApiTable { entries, by_key }
    }

    pub fn get(&self, api_version: &str, kind: &str) -> Option<&ApiEntry> {
        // Keys are owned; the table is small and lookups are one per object.
        self.by_key
            .get(&(api_version.to_string(), kind.to_string()))
            .map(|&i| &self.entries[i])
    }

    /// The apiVersion to move to at `target`: the entry's replacement, followed while that is
    /// itself deprecated or removed at `target` and its own replacement is served there
    /// (`flowcontrol…/v1beta1` → `v1beta2` → `v1beta3` → `v1`). `None` when nothing replaces it.
    pub fn suggestion(&self, entry: &ApiEntry, target: KubeVersion) -> Option<Suggestion> {
        let mut changes: Vec<String> = entry.changes.iter().cloned().collect();
        let mut current = Suggestion {
            api_version: entry.replacement.clone()?,
            kind: entry.replacement_kind().to_string(),
            available_in: entry.replacement_available_in,
            changes: Vec::new(),
        };
        for _ in 0..8 {
            let Some(next) = self.get(&current.api_version, &current.kind) else {
                break;
            };
            if next.status(target) == Status::Served {
                break;
            }
            let Some(api_version) = next.replacement.clone() else {
                if next.status(target) == Status::Removed {
                    // The replacement is gone too and nothing replaces it (PodSecurityPolicy):
                    // see `dead_end_note`.
                    return None;
                }
                break;
            };
            if next.replacement_available_in.is_some_and(|a| a > target) {
                break;
            }
            changes.extend(next.changes.iter().cloned());
            current = Suggestion {
                api_version,
                kind: next.replacement_kind().to_string(),
                available_in: next.replacement_available_in,
                changes: Vec::new(),
            };
        }
        changes.dedup();
        current.changes = changes;
        Some(current)
    }

    /// Why nothing replaces `entry` at `target`: its own note, or that of the dead end its
    /// replacement chain reaches (extensions/v1beta1 PodSecurityPolicy → policy/v1beta1, gone).
    pub fn dead_end_note(&self, entry: &ApiEntry, target: KubeVersion) -> Option<String> {
        let mut current = entry;
        for _ in 0..8 {
            let Some(replacement) = &current.replacement else {
                return current.changes.clone();
            };
            let next = self.get(replacement, current.replacement_kind())?;
            if next.status(target) != Status::Removed {
                return None;
            }
            current = next;
        }
        None
    }
}

/// Shared text for both rules: the help that names the replacement and the schema changes.
pub fn help(table: &ApiTable, entry: &ApiEntry, target: KubeVersion) -> String {
    match table.suggestion(entry, target) {
        Some(s) => {
            let kind_change = if s.kind != entry.kind {
                format!(" with `kind: {}`", s.kind)
            } else {
                String::new()
            };
            let served = match s.available_in {
                Some(a) if a > target => {
                    format!(", which Kubernetes serves from {a} on (not yet in {target})")
                }
                Some(a) => format!(", served since Kubernetes {a}"),
                None => String::new(),
            };
            let mut help = format!("use `apiVersion: {}`{kind_change}{served}", s.api_version);
            if s.changes.is_empty() && s.kind == entry.kind {
                help.push_str("; the schema is the same, only the apiVersion changes");
            } else {
                for change in &s.changes {
                    help.push_str("\nnot just a rename: ");
                    help.push_str(change);
                }
            }
            help
        }
        None => {
            let note = table
                .dead_end_note(entry, target)
                .unwrap_or_else(|| "nothing replaces it".to_string());
            match &entry.replacement {
                Some(replacement) => format!(
                    "its replacement {replacement} is not served by Kubernetes {target} either: {note}"
                ),
                None => format!("no apiVersion replaces it: {note}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(minor: u32) -> KubeVersion {
        KubeVersion::new(1, minor)
    }

    #[test]
    fn embedded_table_parses_is_sorted_and_consistent() {
        let table = &*BUILTIN;
        assert!(table.len() > 80);
        let keys: Vec<(&str, &str)> = table
            .iter()
            .map(|e| (e.api_version.as_str(), e.kind.as_str()))
            .collect();
        for pair in keys.windows(2) {
            assert!(
                pair[0] < pair[1],
                "rules/data/kubernetes-apis.yaml: {:?} must sort before {:?} (and appear once)",
                pair[0],
                pair[1]
            );
        }
        for e in table {
            let name = format!("{} {}", e.api_version, e.kind);
            assert!(
                e.deprecated_in.is_some() || e.removed_in.is_some(),
                "{name}: neither deprecated nor removed"
            );
            if let (Some(d), Some(r)) = (e.deprecated_in, e.removed_in) {
                assert!(d <= r, "{name}: deprecated-in {d} after removed-in {r}");
            }
            if e.replacement.is_some() {
                assert!(
                    e.replacement_available_in.is_some(),
                    "{name}: replacement without replacement-available-in"
                );
            } else {
                assert!(
                    e.changes.is_some(),
                    "{name}: no replacement, so `changes` must say what to do"
                );
            }
            assert!(
                e.api_version.contains('/') || e.api_version == "v1",
                "{name}"
            );
        }
    }

    #[test]
    fn status_at_the_boundaries() {
        let table = ApiTable::new(&[]);
        let cronjob = table.get("batch/v1beta1", "CronJob").unwrap();
        assert_eq!(cronjob.status(v(20)), Status::Served);
        assert_eq!(cronjob.status(v(21)), Status::Deprecated);
        assert_eq!(cronjob.status(v(24)), Status::Deprecated);
        assert_eq!(cronjob.status(v(25)), Status::Removed);
        assert!(table.get("apps/v1", "Deployment").is_none());
    }

    #[test]
    fn suggestions_follow_the_chain_to_what_the_target_serves() {
        let table = ApiTable::new(&[]);
        let fs = table
            .get("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema")
            .unwrap();
        let at = |minor| table.suggestion(fs, v(minor)).unwrap().api_version;
        assert_eq!(at(23), "flowcontrol.apiserver.k8s.io/v1beta2");
        assert_eq!(at(26), "flowcontrol.apiserver.k8s.io/v1beta3");
        assert_eq!(at(29), "flowcontrol.apiserver.k8s.io/v1");
        assert_eq!(at(35), "flowcontrol.apiserver.k8s.io/v1");
        let plc = table
            .get(
                "flowcontrol.apiserver.k8s.io/v1beta2",
                "PriorityLevelConfiguration",
            )
            .unwrap();
        let s = table.suggestion(plc, v(35)).unwrap();
        assert_eq!(s.api_version, "flowcontrol.apiserver.k8s.io/v1");
        assert_eq!(s.changes.len(), 2, "{:?}", s.changes);

        let ext_psp = table
            .get("extensions/v1beta1", "PodSecurityPolicy")
            .unwrap();
        assert_eq!(
            table.suggestion(ext_psp, v(20)).unwrap().api_version,
            "policy/v1beta1"
        );
        assert_eq!(table.suggestion(ext_psp, v(25)), None);
        let help = help(&table, ext_psp, v(25));
        assert!(help.contains("Pod Security Admission"), "{help}");

        let endpoints = table.get("v1", "Endpoints").unwrap();
        let s = table.suggestion(endpoints, v(35)).unwrap();
        assert_eq!(
            (s.api_version.as_str(), s.kind.as_str()),
            ("discovery.k8s.io/v1", "EndpointSlice")
        );
    }

    #[test]
    fn configured_entries_replace_or_extend() {
        let extra = [
            ApiEntry {
                api_version: "batch/v1beta1".into(),
                kind: "CronJob".into(),
                deprecated_in: None,
                removed_in: Some(v(30)),
                replacement: Some("batch/v1".into()),
                replacement_kind: None,
                replacement_available_in: Some(v(21)),
                changes: None,
            },
            ApiEntry {
                api_version: "example.com/v1beta1".into(),
                kind: "Widget".into(),
                deprecated_in: Some(v(28)),
                removed_in: Some(v(30)),
                replacement: Some("example.com/v1".into()),
                replacement_kind: None,
                replacement_available_in: Some(v(27)),
                changes: None,
            },
        ];
        let table = ApiTable::new(&extra);
        assert_eq!(
            table.get("batch/v1beta1", "CronJob").unwrap().status(v(26)),
            Status::Served
        );
        assert_eq!(
            table
                .get("example.com/v1beta1", "Widget")
                .unwrap()
                .status(v(29)),
            Status::Deprecated
        );
    }
}
