#![doc = include_str!("../../../rules/customer-workload-on-ops-pool.md")]

use super::node_pools::{
    Classifier, PoolLabels, Role, describe, is_daemon_set, pool_taints, selection_of,
};
use crate::config::PoolPurpose;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::placement::placement_site;

pub use super::node_pools::PoolSettings as Settings;

pub static META: RuleMeta = RuleMeta {
    id: "customer-workload-on-ops-pool",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A customer workload selects the node pool kept for ops tooling, or tolerates its taint",
    lesson: "Seed 002 (NU.nl, 2019): the fix for ops tooling that took customer services down with it was a dedicated node group for logging, monitoring and CI/CD; that isolation only holds while customer workloads stay off it.",
};

const HELP: &str = "keep customer workloads off the ops pool: drop the selector or toleration, or choose a customer pool, e.g.\n  nodeSelector:\n    node-pool: apps";

pub struct CustomerWorkloadOnOpsPool {
    classifier: Classifier,
}

pub fn new(settings: Settings) -> CustomerWorkloadOnOpsPool {
    CustomerWorkloadOnOpsPool {
        classifier: Classifier::new(&settings),
    }
}

impl Rule for CustomerWorkloadOnOpsPool {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        let Some(site) = placement_site(object) else {
            return;
        };
        let namespace = object.namespace_or(&ctx.default_namespace);
        if self.classifier.role(object, &site, namespace) != Role::Customer {
            return;
        }
        let placement = site.placement();
        let who = describe(object);
        // A DaemonSet tolerates taints to run on every node; only its selection counts.
        let check_tolerations = !is_daemon_set(object);
        let keys = self.classifier.pool_keys_with(&ctx.node_pools);

        if !ctx.node_pools.is_empty() {
            for pool in ctx
                .node_pools
                .iter()
                .filter(|p| p.spec.purpose == PoolPurpose::Ops)
            {
                let admitted = placement
                    .admits(&PoolLabels { pool, keys: &keys })
                    .possible();
                if !admitted {
                    continue;
                }
                if let Some(span) = selection_of(&placement, pool, &keys) {
                    sink.report(
                        object,
                        span,
                        format!(
                            "{who} is a customer workload but selects ops node pool \"{}\"",
                            pool.spec.name
                        ),
                    )
                    .label("pins the pods to the ops pool")
                    .help(HELP);
                    return;
                }
                let taints: Vec<_> = pool_taints(pool)
                    .into_iter()
                    .filter(|t| t.is_hard())
                    .collect();
                if !check_tolerations || taints.is_empty() || !placement.tolerates_all(&taints) {
                    continue;
                }
                let taint = taints[0];
                let Some(toleration) = placement.toleration_for(&taint) else {
                    continue;
                };
                let shown = if taint.value.is_empty() {
                    format!("{}:{}", taint.key, taint.effect)
                } else {
                    format!("{}={}:{}", taint.key, taint.value, taint.effect)
                };
                sink.report(
                    object,
                    toleration.span(),
                    format!(
                        "{who} is a customer workload but tolerates the taint of ops node pool \"{}\" ({shown})",
                        pool.spec.name
                    ),
                )
                .label(if toleration.tolerates_everything() {
                    "tolerates every taint, the ops pool's included"
                } else {
                    "lets the pods onto the ops pool"
                })
                .help(HELP);
                return;
            }
            return;
        }

        // No pools declared: go by pool label keys, dedicated taints and pool names.
        let selected = placement.pool_selections(&keys).into_iter().find_map(|s| {
            s.values
                .iter()
                .find(|v| self.classifier.is_ops_pool_name(v))
                .map(|v| (s.clone(), *v))
        });
        if let Some((selection, name)) = selected {
            sink.report(
                object,
                selection.span,
                format!("{who} is a customer workload but selects node pool `{name}`, which by its name is for ops tooling"),
            )
            .label("pins the pods to an ops pool")
            .help(HELP);
        }
        if !check_tolerations {
            return;
        }
        let tolerated = placement.tolerations.iter().find_map(|t| {
            let key = t.key.filter(|k| !k.is_empty())?;
            if matches!(t.operator, Some(op) if op != "Equal" && op != "Exists") {
                return None;
            }
            let value = if t.operator == Some("Exists") {
                None
            } else {
                t.value
            };
            self.classifier.ops_taint(key, value).map(|name| (t, name))
        });
        if let Some((toleration, name)) = tolerated {
            sink.report(
                object,
                toleration.span(),
                format!("{who} is a customer workload but tolerates `{name}`, the taint of an ops node pool"),
            )
            .label("lets the pods onto the ops pool")
            .help(HELP);
        }
    }
}
