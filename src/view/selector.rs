//! Label selectors and the label maps they match: which pods a PodDisruptionBudget, Service,
//! NetworkPolicy or affinity term selects.
//!
//! Two selector shapes exist in Kubernetes and they disagree about emptiness:
//!
//! - `metav1.LabelSelector` (`matchLabels` + `matchExpressions`), used by PodDisruptionBudgets
//!   (`policy/v1`), NetworkPolicies, workloads and affinity terms: `{}` selects everything, a missing
//!   or null selector selects nothing. [`LabelSelector::from_node`].
//! - The plain map of a Service's `spec.selector`: missing or empty selects nothing (the Service's
//!   endpoints are managed by hand). [`LabelSelector::from_map`].
//!
//! `policy/v1beta1` PodDisruptionBudgets read `{}` as "nothing"; [`LabelSelector::of_pdb`] knows.
//!
//! A selector the API server would reject (an unknown operator, `In` without values, a value that
//! is not a scalar) selects nothing here: the object never gets applied, and schema rules report it.

use crate::object::Object;
use crate::view::pod_spec;
use crate::yaml::NodeRef;

/// A label map as written (`metadata.labels` of a pod template): keys and values as text.
#[derive(Clone, Debug, Default)]
pub struct Labels<'a> {
    entries: Vec<(&'a str, &'a str)>,
}

impl<'a> Labels<'a> {
    /// Reads a mapping of labels. Entries whose key or value is not a scalar are skipped; a null
    /// value reads as the empty string, as the API server stores it.
    pub fn from_node(node: Option<NodeRef<'a>>) -> Labels<'a> {
        let entries = node
            .filter(|n| n.is_map())
            .map(|n| {
                n.entries()
                    .into_iter()
                    .filter_map(|e| {
                        let key = e.key.scalar()?;
                        let value = if e.value.is_null() {
                            ""
                        } else {
                            e.value.scalar()?
                        };
                        Some((key, value))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Labels { entries }
    }

    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.entries.iter().copied()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// One requirement: `matchLabels` entries become `key In (value)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement<'a> {
    pub key: &'a str,
    pub operator: Operator,
    pub values: Vec<&'a str>,
}

impl Requirement<'_> {
    fn matches(&self, labels: &Labels<'_>) -> bool {
        let value = labels.get(self.key);
        match self.operator {
            Operator::In => value.is_some_and(|v| self.values.contains(&v)),
            Operator::NotIn => value.is_none_or(|v| !self.values.contains(&v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
        }
    }
}

/// A parsed label selector.
#[derive(Clone, Debug)]
pub struct LabelSelector<'a> {
    /// The selector's node, to point at.
    pub node: Option<NodeRef<'a>>,
    requirements: Vec<Requirement<'a>>,
    /// Selects no object at all (missing, null, or invalid).
    nothing: bool,
}

impl<'a> LabelSelector<'a> {
    /// A selector that selects nothing.
    pub fn nothing(node: Option<NodeRef<'a>>) -> LabelSelector<'a> {
        LabelSelector {
            node,
            requirements: Vec::new(),
            nothing: true,
        }
    }

    /// A `metav1.LabelSelector`: `{}` selects everything; missing or null selects nothing.
    pub fn from_node(node: Option<NodeRef<'a>>) -> LabelSelector<'a> {
        let Some(selector) = node.filter(|n| !n.is_null()) else {
            return LabelSelector::nothing(node);
        };
        Self::parse(selector).unwrap_or_else(|| LabelSelector::nothing(node))
    }

    /// A Service's `spec.selector` (a plain map): missing or empty selects nothing.
    pub fn from_map(node: Option<NodeRef<'a>>) -> LabelSelector<'a> {
        let Some(map) = node.filter(|n| n.is_map()) else {
            return LabelSelector::nothing(node);
        };
        match match_labels(map) {
            Some(requirements) if !requirements.is_empty() => LabelSelector {
                node,
                requirements,
                nothing: false,
            },
            _ => LabelSelector::nothing(node),
        }
    }

    /// The `spec.selector` of a PodDisruptionBudget: in `policy/v1beta1` an empty selector
    /// selects nothing; in `policy/v1` it selects every pod of the namespace.
    pub fn of_pdb(pdb: &Object<'a>) -> LabelSelector<'a> {
        let node = pdb.spec().and_then(|s| s.get("selector"));
        let selector = LabelSelector::from_node(node);
        if pdb.version == "v1beta1" && selector.matches_everything() {
            return LabelSelector::nothing(node);
        }
        selector
    }

    fn parse(node: NodeRef<'a>) -> Option<LabelSelector<'a>> {
        if !node.is_map() {
            return None;
        }
        let mut requirements = match node.get("matchLabels") {
            Some(labels) if !labels.is_null() => match_labels(labels)?,
            _ => Vec::new(),
        };
        if let Some(expressions) = node.get("matchExpressions").filter(|n| !n.is_null()) {
            if !expressions.is_seq() {
                return None;
            }
            for expression in expressions.items() {
                requirements.push(requirement(expression)?);
            }
        }
        Some(LabelSelector {
            node: Some(node),
            requirements,
            nothing: false,
        })
    }

    pub fn matches(&self, labels: &Labels<'_>) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }

    /// `{}`: every pod (of the namespace).
    pub fn matches_everything(&self) -> bool {
        !self.nothing && self.requirements.is_empty()
    }

    /// Missing, null, invalid, or an empty Service selector.
    pub fn is_nothing(&self) -> bool {
        self.nothing
    }

    pub fn requirements(&self) -> &[Requirement<'a>] {
        &self.requirements
    }

    /// `app=web,tier in (a,b)`, `<everything>` or `<nothing>`, for messages.
    pub fn describe(&self) -> String {
        if self.nothing {
            return "<nothing>".to_string();
        }
        if self.requirements.is_empty() {
            return "<everything>".to_string();
        }
        self.requirements
            .iter()
            .map(|r| match r.operator {
                Operator::In if r.values.len() == 1 => format!("{}={}", r.key, r.values[0]),
                Operator::In => format!("{} in ({})", r.key, r.values.join(",")),
                Operator::NotIn => format!("{} notin ({})", r.key, r.values.join(",")),
                Operator::Exists => r.key.to_string(),
                Operator::DoesNotExist => format!("!{}", r.key),
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// `matchLabels` (or a Service selector) as requirements; `None` when a value is not a scalar.
fn match_labels<'a>(map: NodeRef<'a>) -> Option<Vec<Requirement<'a>>> {
    if !map.is_map() {
        return None;
    }
    map.entries()
        .into_iter()
        .map(|e| {
            let key = e.key.scalar()?;
            let value = if e.value.is_null() {
                ""
            } else {
                e.value.scalar()?
            };
            Some(Requirement {
                key,
                operator: Operator::In,
                values: vec![value],
            })
        })
        .collect()
}

/// One `matchExpressions` item; `None` when the API server would reject it.
fn requirement<'a>(node: NodeRef<'a>) -> Option<Requirement<'a>> {
    let key = node.get_str("key")?;
    let operator = match node.get_str("operator")? {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        _ => return None,
    };
    let values: Vec<&'a str> = match node.get("values").filter(|v| !v.is_null()) {
        None => Vec::new(),
        Some(list) if list.is_seq() => list
            .items()
            .map(|v| v.scalar())
            .collect::<Option<Vec<_>>>()?,
        Some(_) => return None,
    };
    let needs_values = matches!(operator, Operator::In | Operator::NotIn);
    if needs_values == values.is_empty() {
        return None;
    }
    Some(Requirement {
        key,
        operator,
        values,
    })
}

/// The labels node of a workload's pods: `spec.template.metadata.labels`, a CronJob's
/// `spec.jobTemplate.spec.template.metadata.labels`, a Pod's own `metadata.labels`. `None` when
/// the object is not a workload or its pods carry no labels.
pub fn pod_template_labels_node<'a>(object: &Object<'a>) -> Option<NodeRef<'a>> {
    pod_spec(object)?;
    let path: &[&str] = match (object.group, object.kind) {
        ("", "Pod") => &["metadata", "labels"],
        ("", "PodTemplate") => &["template", "metadata", "labels"],
        ("batch", "CronJob") => &[
            "spec",
            "jobTemplate",
            "spec",
            "template",
            "metadata",
            "labels",
        ],
        _ => &["spec", "template", "metadata", "labels"],
    };
    object.root.path(path)
}

/// The labels of a workload's pods; `None` when the object is not a workload.
pub fn pod_template_labels<'a>(object: &Object<'a>) -> Option<Labels<'a>> {
    pod_spec(object)?;
    Some(Labels::from_node(pod_template_labels_node(object)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::object::objects_of;
    use crate::source::{FileId, Origin, SourceFile};
    use crate::yaml::{ParsedFile, parse_file};

    fn parse(text: &str) -> ParsedFile {
        let source = Arc::new(SourceFile::new(Origin::Stdin, text.to_string()));
        parse_file(FileId(0), &source)
    }

    /// Whether the selector under `selector:` matches the labels under `labels:`.
    fn check(text: &str) -> bool {
        let parsed = parse(text);
        let root = parsed.documents[0].root().unwrap();
        let selector = LabelSelector::from_node(root.get("selector"));
        selector.matches(&Labels::from_node(root.get("labels")))
    }

    #[test]
    fn match_labels_need_every_pair() {
        assert!(check(
            "selector: {matchLabels: {app: web}}\nlabels: {app: web, tier: fe}"
        ));
        assert!(!check(
            "selector: {matchLabels: {app: web, tier: be}}\nlabels: {app: web, tier: fe}"
        ));
        assert!(!check("selector: {matchLabels: {app: web}}\nlabels: {}"));
        assert!(!check("selector: {matchLabels: {app: web}}\n"));
    }

    #[test]
    fn empty_selects_everything_missing_or_null_selects_nothing() {
        assert!(check("selector: {}\nlabels: {app: web}"));
        assert!(check("selector: {}\n"));
        assert!(check("selector: {matchLabels: {}}\nlabels: {app: web}"));
        assert!(check(
            "selector: {matchLabels: , matchExpressions: }\nlabels: {a: b}"
        ));
        assert!(!check("selector:\nlabels: {app: web}"));
        assert!(!check("selector: null\nlabels: {app: web}"));
        assert!(!check("labels: {app: web}"));
    }

    #[test]
    fn expressions() {
        let labels = "labels: {app: web, tier: fe}";
        let with = |expr: &str| {
            check(&format!(
                "selector: {{matchExpressions: [{expr}]}}\n{labels}"
            ))
        };
        assert!(with("{key: tier, operator: In, values: [fe, be]}"));
        assert!(!with("{key: tier, operator: In, values: [be]}"));
        assert!(!with("{key: zone, operator: In, values: [a]}"));
        assert!(with("{key: tier, operator: NotIn, values: [be]}"));
        assert!(!with("{key: tier, operator: NotIn, values: [fe]}"));
        assert!(with("{key: zone, operator: NotIn, values: [a]}"));
        assert!(with("{key: app, operator: Exists}"));
        assert!(!with("{key: zone, operator: Exists}"));
        assert!(with("{key: zone, operator: DoesNotExist}"));
        assert!(!with("{key: app, operator: DoesNotExist}"));
        // Every requirement must hold, matchLabels included.
        assert!(!check(&format!(
            "selector: {{matchLabels: {{app: web}}, matchExpressions: [{{key: tier, operator: In, values: [be]}}]}}\n{labels}"
        )));
    }

    #[test]
    fn invalid_selectors_select_nothing() {
        let labels = "labels: {app: web}";
        let with = |expr: &str| {
            check(&format!(
                "selector: {{matchExpressions: [{expr}]}}\n{labels}"
            ))
        };
        assert!(!with("{key: app, operator: Matches, values: [web]}"));
        assert!(!with("{key: app, operator: In}"));
        assert!(!with("{key: app, operator: In, values: []}"));
        assert!(!with("{key: app, operator: Exists, values: [web]}"));
        assert!(!with("{operator: Exists}"));
        assert!(!with("{key: app, operator: In, values: web}"));
        assert!(!check(&format!(
            "selector: {{matchLabels: {{app: [web]}}}}\n{labels}"
        )));
        assert!(!check(&format!(
            "selector: {{matchExpressions: {{}}}}\n{labels}"
        )));
        assert!(!check(&format!("selector: [app]\n{labels}")));
    }

    #[test]
    fn scalars_compare_as_text() {
        assert!(check(
            "selector: {matchLabels: {v: \"1\", on: true}}\nlabels: {v: 1, on: \"true\"}"
        ));
        assert!(check("selector: {matchLabels: {x: \"\"}}\nlabels: {x: }"));
    }

    #[test]
    fn merge_keys_in_labels_count() {
        assert!(check(
            "base: &b {app: web}\nselector: {matchLabels: {app: web}}\nlabels: {<<: *b, tier: fe}"
        ));
    }

    #[test]
    fn service_selectors_are_plain_maps() {
        let parsed = parse("a: {app: web}\nb: {}\nc:\nlabels: {app: web}");
        let root = parsed.documents[0].root().unwrap();
        let labels = Labels::from_node(root.get("labels"));
        assert!(LabelSelector::from_map(root.get("a")).matches(&labels));
        assert!(!LabelSelector::from_map(root.get("b")).matches(&labels));
        assert!(!LabelSelector::from_map(root.get("c")).matches(&labels));
        assert!(!LabelSelector::from_map(None).matches(&labels));
    }

    #[test]
    fn describe() {
        let parsed = parse(
            "s: {matchLabels: {app: web}, matchExpressions: [{key: t, operator: In, values: [a, b]}, {key: x, operator: DoesNotExist}]}",
        );
        let root = parsed.documents[0].root().unwrap();
        let selector = LabelSelector::from_node(root.get("s"));
        assert_eq!(selector.describe(), "app=web,t in (a,b),!x");
        assert_eq!(LabelSelector::from_node(None).describe(), "<nothing>");
    }

    #[test]
    fn pdb_v1beta1_empty_selects_nothing() {
        let parsed = parse(
            "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nspec: {selector: {}}\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nspec: {selector: {}}\n",
        );
        let labels = Labels::default();
        let v1beta1 = objects_of(&parsed.documents[0]);
        let v1 = objects_of(&parsed.documents[1]);
        assert!(!LabelSelector::of_pdb(&v1beta1[0]).matches(&labels));
        assert!(LabelSelector::of_pdb(&v1[0]).matches(&labels));
    }

    #[test]
    fn pod_template_labels_per_kind() {
        let parsed = parse(concat!(
            "apiVersion: apps/v1\nkind: Deployment\nspec: {template: {metadata: {labels: {app: d}}, spec: {containers: []}}}\n---\n",
            "apiVersion: batch/v1\nkind: CronJob\nspec: {jobTemplate: {spec: {template: {metadata: {labels: {app: c}}, spec: {containers: []}}}}}\n---\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {labels: {app: p}}\nspec: {containers: []}\n---\n",
            "apiVersion: v1\nkind: Service\nmetadata: {labels: {app: s}}\nspec: {}\n---\n",
            "apiVersion: apps/v1\nkind: StatefulSet\nspec: {template: {spec: {containers: []}}}\n",
        ));
        let app = |i: usize| {
            let objects = objects_of(&parsed.documents[i]);
            pod_template_labels(&objects[0]).map(|l| l.get("app").unwrap_or("-").to_string())
        };
        assert_eq!(app(0).as_deref(), Some("d"));
        assert_eq!(app(1).as_deref(), Some("c"));
        assert_eq!(app(2).as_deref(), Some("p"));
        assert_eq!(app(3), None);
        assert_eq!(app(4).as_deref(), Some("-"));
    }
}
