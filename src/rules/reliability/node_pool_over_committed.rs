#![doc = include_str!("../../../rules/node-pool-over-committed.md")]

use serde::{Deserialize, Serialize};

use super::node_pools::{Classifier, PoolSettings, describe, is_daemon_set, may_run_on, sort_key};
use crate::config::NodePool;
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::quantity::Quantity;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::source::Span;
use crate::view::ContainerKind;
use crate::view::placement::{PlacementSite, PoolKeys, placement_site};
use crate::yaml::NodeRef;

pub static META: RuleMeta = RuleMeta {
    id: "node-pool-over-committed",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "The pods pinned to a declared node pool request more CPU or memory than the pool's nodes can allocate",
    lesson: "Seed 000 (2021): over-scheduled nodes came under memory and CPU pressure until the load balancer lost them; capacity that is planned in the manifests can be checked before it runs out.",
};

/// How many secondary labels name the largest contributors.
const MAX_CONTRIBUTORS: usize = 5;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// More node label keys that name a pool (a trailing `*` makes a prefix).
    pub pool_label_keys: Vec<String>,
}

pub struct NodePoolOverCommitted {
    classifier: Classifier,
}

pub fn new(settings: Settings) -> NodePoolOverCommitted {
    NodePoolOverCommitted {
        classifier: Classifier::new(&PoolSettings {
            pool_label_keys: settings.pool_label_keys,
            ..PoolSettings::default()
        }),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Resource {
    Cpu,
    Memory,
}

impl Resource {
    fn key(self) -> &'static str {
        match self {
            Resource::Cpu => "cpu",
            Resource::Memory => "memory",
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Resource::Cpu => "CPU",
            Resource::Memory => "memory",
        }
    }
    fn show(self, q: Quantity) -> String {
        match self {
            Resource::Cpu => format!("{} CPU", q.display_cpu()),
            Resource::Memory => q.display_bytes(),
        }
    }
}

/// A container's request for a resource (its limit when the request is unset, as Kubernetes
/// defaults it) and the entry it was read from. Unparseable values count as nothing.
fn container_request<'a>(container: NodeRef<'a>, resource: Resource) -> Option<(Quantity, Span)> {
    let resources = container.get("resources")?;
    for field in ["requests", "limits"] {
        if let Some(entry) = resources.get(field).and_then(|m| m.entry(resource.key())) {
            let quantity = entry
                .value
                .as_str()
                .and_then(|t| Quantity::from_manifest(t).ok())
                .filter(|q| !q.is_negative())?;
            return Some((quantity, entry.head_span()));
        }
    }
    None
}

/// The pod's effective request, as the scheduler computes it: the app containers and sidecars
/// (init containers with `restartPolicy: Always`) add up; each other init container runs alone
/// beside the sidecars started before it; the pod needs the larger of the two. Also the entry of
/// the largest container value, to point at.
fn pod_request(
    site: &PlacementSite<'_>,
    object: &Object<'_>,
    resource: Resource,
) -> (Quantity, Option<Span>) {
    let mut app = Quantity::ZERO;
    let mut sidecars = Quantity::ZERO;
    let mut init_peak = Quantity::ZERO;
    let mut largest: Option<(Quantity, Span)> = None;
    let mut note = |q: Quantity, span: Span| {
        if largest.is_none_or(|(l, _)| q > l) {
            largest = Some((q, span));
        }
    };
    // Prometheus-operator resources: `spec.resources` is the main container's.
    if crate::view::pod_spec(object).is_none()
        && let Some((q, span)) = container_request(site.pod.node, resource)
    {
        app = app.saturating_add(q);
        note(q, span);
    }
    for container in site.pod.containers() {
        let Some((q, span)) = container_request(container.node, resource) else {
            continue;
        };
        note(q, span);
        match container.kind {
            ContainerKind::Container => app = app.saturating_add(q),
            ContainerKind::Init if container.node.get_str("restartPolicy") == Some("Always") => {
                sidecars = sidecars.saturating_add(q)
            }
            ContainerKind::Init => init_peak = init_peak.max(q.saturating_add(sidecars)),
            ContainerKind::Ephemeral => {}
        }
    }
    (
        app.saturating_add(sidecars).max(init_peak),
        largest.map(|(_, s)| s),
    )
}

fn integer(node: Option<NodeRef<'_>>) -> Option<u64> {
    node?.as_str()?.trim().parse().ok()
}

/// Replicas of a non-DaemonSet workload: an HPA's `minReplicas` when one targets it, else
/// `spec.replicas` (default 1); `None` for kinds whose pods come and go (Jobs, Knative).
fn replicas(object: &Object<'_>, index: &Index<'_>) -> Option<u64> {
    match object.kind {
        "Pod" => return Some(1),
        "Job" | "CronJob" | "PodTemplate" => return None,
        _ => {}
    }
    if object.group == "serving.knative.dev" {
        return None;
    }
    let namespace = index.namespace_of(object);
    let name = object.name?;
    let hpa = index.of_kind("HorizontalPodAutoscaler").find(|hpa| {
        index.namespace_of(hpa) == namespace
            && hpa
                .spec()
                .and_then(|s| s.get("scaleTargetRef"))
                .is_some_and(|t| {
                    t.get_str("kind") == Some(object.kind) && t.get_str("name") == Some(name)
                })
    });
    if let Some(hpa) = hpa {
        return Some(integer(hpa.spec().and_then(|s| s.get("minReplicas"))).unwrap_or(1));
    }
    let spec = object.spec();
    let replicas = integer(spec.and_then(|s| s.get("replicas"))).unwrap_or(1);
    // A Prometheus resource runs replicas × shards pods.
    let shards = if object.kind == "Prometheus" {
        integer(spec.and_then(|s| s.get("shards")))
            .unwrap_or(1)
            .max(1)
    } else {
        1
    };
    Some(replicas.saturating_mul(shards))
}

struct Contribution<'a> {
    object: &'a Object<'a>,
    replicas: u64,
    per_pod: Quantity,
    total: Quantity,
    span: Option<Span>,
}

impl NodePoolOverCommitted {
    fn check_pool(
        &self,
        pool_index: usize,
        pools: &[NodePool],
        index: &Index<'_>,
        keys: &PoolKeys,
        config_file: crate::source::FileId,
        sink: &mut Sink<'_>,
    ) {
        let pool = &pools[pool_index];
        let Some(nodes) = pool.spec.nodes else {
            return;
        };
        for resource in [Resource::Cpu, Resource::Memory] {
            let allocatable = match resource {
                Resource::Cpu => pool.spec.allocatable.cpu.as_deref(),
                Resource::Memory => pool.spec.allocatable.memory.as_deref(),
            };
            let Some(per_node) = allocatable.and_then(|a| Quantity::from_manifest(a).ok()) else {
                continue;
            };
            let capacity = per_node.saturating_mul(u64::from(nodes));
            let mut contributions: Vec<Contribution<'_>> = Vec::new();
            for object in index.objects() {
                let Some(site) = placement_site(object) else {
                    continue;
                };
                let placement = site.placement();
                if !may_run_on(&placement, pool, keys) {
                    continue;
                }
                let replicas = if is_daemon_set(object) {
                    u64::from(nodes)
                } else {
                    // Counted only when this is the one declared pool its pods can run on.
                    let elsewhere = pools
                        .iter()
                        .enumerate()
                        .any(|(i, other)| i != pool_index && may_run_on(&placement, other, keys));
                    if elsewhere {
                        continue;
                    }
                    match replicas(object, index) {
                        Some(r) => r,
                        None => continue,
                    }
                };
                let (per_pod, span) = pod_request(&site, object, resource);
                if per_pod.is_zero() || replicas == 0 {
                    continue;
                }
                contributions.push(Contribution {
                    object,
                    replicas,
                    per_pod,
                    total: per_pod.saturating_mul(replicas),
                    span,
                });
            }
            let requested = contributions
                .iter()
                .fold(Quantity::ZERO, |acc, c| acc.saturating_add(c.total));
            if requested <= capacity {
                continue;
            }
            contributions.sort_by(|a, b| {
                b.total
                    .cmp(&a.total)
                    .then_with(|| sort_key(a.object).cmp(&sort_key(b.object)))
            });
            let noun = resource.noun();
            let mut reported = sink
                .report_at(
                    config_file,
                    pool.span,
                    format!(
                        "node pool \"{}\" is over-committed on {noun}: the workloads pinned to it request {}, more than the {} its {} node{} can allocate",
                        pool.spec.name,
                        resource.show(requested),
                        resource.show(capacity),
                        nodes,
                        if nodes == 1 { "" } else { "s" }
                    ),
                )
                .label(format!(
                    "{nodes} node{} × {} allocatable",
                    if nodes == 1 { "" } else { "s" },
                    resource.show(per_node)
                ))
                .help(format!(
                    "the scheduler leaves pods Pending once requests fill the pool: add nodes (or larger ones), lower replicas or requests, or move workloads to another pool; {} workload{} counted",
                    contributions.len(),
                    if contributions.len() == 1 { "" } else { "s" }
                ));
            for c in contributions.iter().take(MAX_CONTRIBUTORS) {
                let Some(span) = c.span else { continue };
                let what = if c.replicas == 1 {
                    format!(
                        "{}: requests {}",
                        describe(c.object),
                        resource.show(c.total)
                    )
                } else {
                    format!(
                        "{}: {} {} × {} = {}",
                        describe(c.object),
                        c.replicas,
                        if is_daemon_set(c.object) {
                            "nodes"
                        } else {
                            "replicas"
                        },
                        resource.show(c.per_pod),
                        resource.show(c.total)
                    )
                };
                reported = reported.secondary(c.object.doc.file, span, what);
            }
        }
    }
}

impl Rule for NodePoolOverCommitted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        let Some(config_file) = ctx.config_file else {
            return;
        };
        let keys = self.classifier.pool_keys_with(&ctx.node_pools);
        for i in 0..ctx.node_pools.len() {
            self.check_pool(i, &ctx.node_pools, index, &keys, config_file, sink);
        }
    }
}
