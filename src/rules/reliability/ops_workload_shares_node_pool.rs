#![doc = include_str!("../../../rules/ops-workload-shares-node-pool.md")]

use super::node_pools::{
    Classifier, Role, Workload, describe, is_daemon_set, is_long_running, may_run_on, pin_help,
    purpose_name, selection_of, workloads,
};
use crate::config::{NodePool, PoolPurpose};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::source::Span;
use crate::view::placement::PoolKeys;

pub use super::node_pools::PoolSettings as Settings;

pub static META: RuleMeta = RuleMeta {
    id: "ops-workload-shares-node-pool",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "Ops tooling (monitoring, logging, alerting, CI/CD) can be scheduled on the nodes of customer workloads",
    lesson: "Seed 002 (NU.nl, 2019): ElastAlert, Grafana and Prometheus shared nodes with customer services; when ElastAlert exhausted the nodes' memory, customer traffic and the dashboards needed to diagnose it failed together.",
};

pub struct OpsWorkloadSharesNodePool {
    classifier: Classifier,
}

pub fn new(settings: Settings) -> OpsWorkloadSharesNodePool {
    OpsWorkloadSharesNodePool {
        classifier: Classifier::new(&settings),
    }
}

/// Where to point at a customer workload: its pool selection, else its pod spec.
fn customer_span(customer: &Workload<'_>, pool: Option<&NodePool>, keys: &PoolKeys) -> Span {
    let selection = match pool {
        Some(pool) => selection_of(&customer.placement, pool, keys),
        None => customer
            .placement
            .pool_selections(keys)
            .first()
            .map(|s| s.span),
    };
    selection.unwrap_or_else(|| customer.site.anchor_span())
}

impl OpsWorkloadSharesNodePool {
    /// No pools declared: pool label keys and pool names are all there is to go by.
    fn without_pools(
        &self,
        ops: &Workload<'_>,
        reason: &str,
        customers: &[&Workload<'_>],
        keys: &PoolKeys,
        sink: &mut Sink<'_>,
    ) {
        if ops.placement.selects_pool(keys) {
            // Kept to a pool: a finding only when a customer workload chooses the same one.
            for selection in ops.placement.pool_selections(keys) {
                for value in &selection.values {
                    if self.classifier.is_ops_pool_name(value) {
                        continue;
                    }
                    for customer in customers {
                        let shared = customer
                            .placement
                            .pool_selections(keys)
                            .into_iter()
                            .find(|c| c.pool_key == selection.pool_key && c.values.contains(value));
                        if let Some(shared) = shared {
                            sink.report(
                                ops.object,
                                selection.span,
                                format!(
                                    "{} is ops tooling ({reason}) but selects the same node pool as customer workload {}",
                                    describe(ops.object),
                                    describe(customer.object)
                                ),
                            )
                            .label(format!("pool `{value}` also runs customer workloads"))
                            .secondary(
                                customer.object.doc.file,
                                shared.span,
                                format!("customer workload {} selects the same pool", describe(customer.object)),
                            )
                            .help(pin_help(&[]));
                            return;
                        }
                    }
                }
            }
            return;
        }
        // A DaemonSet that must run on every node (log shipper, node exporter) is exempt.
        if is_daemon_set(ops.object) {
            return;
        }
        let reported = sink
            .report(
                ops.object,
                ops.site.anchor_span(),
                format!(
                    "{} is ops tooling ({reason}) but nothing keeps it off the nodes of customer workloads",
                    describe(ops.object)
                ),
            )
            .label(if ops.preferred_pool(keys) {
                "only a preferred node affinity: the scheduler may still place it anywhere"
            } else {
                "no nodeSelector or required node affinity on a node-pool label"
            })
            .help(pin_help(&[]));
        let customer = customers
            .iter()
            .find(|c| !c.placement.selects_pool(keys))
            .or_else(|| customers.first());
        if let Some(customer) = customer {
            reported.secondary(
                customer.object.doc.file,
                customer_span(customer, None, keys),
                format!(
                    "customer workload {} can be scheduled on the same nodes",
                    describe(customer.object)
                ),
            );
        }
    }

    /// Pools declared: ops tooling must not be able to run on a customer pool, nor share a
    /// general pool with customer workloads.
    fn with_pools(
        &self,
        ops: &Workload<'_>,
        reason: &str,
        customers: &[&Workload<'_>],
        pools: &[NodePool],
        keys: &PoolKeys,
        sink: &mut Sink<'_>,
    ) {
        if is_daemon_set(ops.object) && !ops.placement.selects_pool(keys) {
            return;
        }
        let admitted: Vec<&NodePool> = pools
            .iter()
            .filter(|pool| may_run_on(&ops.placement, pool, keys))
            .collect();
        let customer_pool = admitted
            .iter()
            .find(|p| p.spec.purpose == PoolPurpose::Customer);
        let shared_pool = || {
            admitted
                .iter()
                .filter(|p| p.spec.purpose == PoolPurpose::General)
                .find_map(|pool| {
                    customers
                        .iter()
                        .find(|c| may_run_on(&c.placement, pool, keys))
                        .map(|c| (*pool, Some(*c)))
                })
        };
        let Some((pool, customer)) = customer_pool
            .map(|pool| {
                let customer = customers
                    .iter()
                    .find(|c| may_run_on(&c.placement, pool, keys))
                    .copied();
                (*pool, customer)
            })
            .or_else(shared_pool)
        else {
            return;
        };
        let selection = selection_of(&ops.placement, pool, keys);
        let message = match (pool.spec.purpose, customer) {
            (PoolPurpose::Customer, _) => format!(
                "{} is ops tooling ({reason}) but can be scheduled on customer node pool \"{}\"",
                describe(ops.object),
                pool.spec.name
            ),
            (_, Some(customer)) => format!(
                "{} is ops tooling ({reason}) but shares {} node pool \"{}\" with customer workload {}",
                describe(ops.object),
                purpose_name(pool.spec.purpose),
                pool.spec.name,
                describe(customer.object)
            ),
            (_, None) => return,
        };
        let label = match selection {
            Some(_) => format!("selects node pool \"{}\"", pool.spec.name),
            None => format!(
                "nothing keeps these pods off node pool \"{}\"",
                pool.spec.name
            ),
        };
        let reported = sink
            .report(
                ops.object,
                selection.unwrap_or_else(|| ops.site.anchor_span()),
                message,
            )
            .label(label)
            .help(pin_help(pools));
        if let Some(customer) = customer {
            reported.secondary(
                customer.object.doc.file,
                customer_span(customer, Some(pool), keys),
                format!(
                    "customer workload {} can run on node pool \"{}\"",
                    describe(customer.object),
                    pool.spec.name
                ),
            );
        }
    }
}

impl Rule for OpsWorkloadSharesNodePool {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        let all = workloads(index, &self.classifier);
        let customers: Vec<&Workload<'_>> = all
            .iter()
            .filter(|w| w.role == Role::Customer && is_long_running(w.object))
            .collect();
        let keys = self.classifier.pool_keys_with(&ctx.node_pools);
        for workload in &all {
            let Role::Ops(reason) = &workload.role else {
                continue;
            };
            let reason = reason.describe();
            if ctx.node_pools.is_empty() {
                self.without_pools(workload, &reason, &customers, &keys, sink);
            } else {
                self.with_pools(workload, &reason, &customers, &ctx.node_pools, &keys, sink);
            }
        }
    }
}
