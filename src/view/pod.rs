//! The pod-spec view over workloads and their containers.

use crate::object::Object;
use crate::source::Span;
use crate::yaml::{EntryRef, NodeRef};

/// Where the pod spec sits in a workload, by API group and kind. Workload CRDs that embed a
/// standard pod template (Argo Rollouts, OpenKruise, Knative) are included because their
/// containers run on the same nodes and fail the same way.
fn pod_spec_path(group: &str, kind: &str) -> Option<&'static [&'static str]> {
    const TEMPLATE: &[&str] = &["spec", "template", "spec"];
    Some(match (group, kind) {
        ("", "Pod") => &["spec"],
        ("", "PodTemplate") => &["template", "spec"],
        ("", "ReplicationController") => TEMPLATE,
        ("apps" | "extensions", "Deployment" | "DaemonSet" | "ReplicaSet") => TEMPLATE,
        ("apps", "StatefulSet") => TEMPLATE,
        ("batch", "Job") => TEMPLATE,
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template", "spec"],
        ("argoproj.io", "Rollout") => TEMPLATE,
        ("apps.kruise.io", "CloneSet" | "StatefulSet" | "DaemonSet") => TEMPLATE,
        ("serving.knative.dev", "Service" | "Configuration") => TEMPLATE,
        _ => return None,
    })
}

/// The pod spec of a workload.
#[derive(Clone, Copy, Debug)]
pub struct PodSpec<'a> {
    /// The pod spec mapping (`spec.template.spec` of a Deployment).
    pub node: NodeRef<'a>,
    /// The entry that holds it (`spec:` under `template:`), for findings about a missing field.
    pub entry: Option<EntryRef<'a>>,
}

/// The pod spec of `object`, when it is a workload and its spec is a mapping.
pub fn pod_spec<'a>(object: &Object<'a>) -> Option<PodSpec<'a>> {
    let path = pod_spec_path(object.group, object.kind)?;
    let (last, parents) = path.split_last()?;
    let parent = object.root.path(parents)?;
    let entry = parent.entry(last)?;
    entry.value.is_map().then_some(PodSpec {
        node: entry.value,
        entry: Some(entry),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ContainerKind {
    Container,
    Init,
    Ephemeral,
}

impl ContainerKind {
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Container => "containers",
            ContainerKind::Init => "initContainers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }

    /// "container", "init container", "ephemeral container", for messages.
    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Container => "container",
            ContainerKind::Init => "init container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

/// One container of a pod spec.
#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    pub kind: ContainerKind,
    /// 0-based position in its list.
    pub index: usize,
    pub node: NodeRef<'a>,
    pub name: Option<&'a str>,
}

impl<'a> Container<'a> {
    /// Where to point at the container as a whole: its `name: web` entry, else its first line.
    pub fn anchor_span(&self) -> Span {
        match self.node.entry("name") {
            Some(entry) => entry.head_span(),
            None => {
                let span = self.node.span();
                let text = self.node.doc.text();
                let line_end = text[span.range()]
                    .find('\n')
                    .map_or(span.end as usize, |i| span.start as usize + i);
                Span::new(span.start as usize, line_end)
            }
        }
    }

    /// `container "web"`, `init container "setup"`, or `container #2` when it has no name.
    pub fn describe(&self) -> String {
        match self.name {
            Some(name) => format!("{} \"{}\"", self.kind.noun(), name),
            None => format!("{} #{}", self.kind.noun(), self.index + 1),
        }
    }
}

impl<'a> PodSpec<'a> {
    /// Containers, then init containers, then ephemeral containers, each in list order.
    pub fn all_containers(&self) -> impl Iterator<Item = Container<'a>> + 'a {
        let node = self.node;
        [
            ContainerKind::Container,
            ContainerKind::Init,
            ContainerKind::Ephemeral,
        ]
        .into_iter()
        .flat_map(move |kind| {
            node.get(kind.field())
                .into_iter()
                .flat_map(|list| list.items())
                .enumerate()
                .filter(|(_, item)| item.is_map())
                .map(move |(index, item)| Container {
                    kind,
                    index,
                    node: item,
                    name: item.get_str("name"),
                })
        })
    }

    /// Containers and init containers: the ones that get resources and run the workload.
    pub fn containers(&self) -> impl Iterator<Item = Container<'a>> + 'a {
        self.all_containers()
            .filter(|c| c.kind != ContainerKind::Ephemeral)
    }
}
