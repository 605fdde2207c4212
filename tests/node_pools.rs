//! The node-pool rules with a `Context` built by hand (no configuration loader): declared pools
//! change what `ops-workload-shares-node-pool` reports, and `node-pool-over-committed` adds up
//! requests per pool, including a Prometheus resource's.

use std::collections::BTreeMap;

use kpolicy::config::{Allocatable, NodePool, NodePoolSpec, PoolPurpose, TaintSpec};
use kpolicy::engine::{Report, select_only};
use kpolicy::lint_with_context::lint_texts_with_context;
use kpolicy::rules::Context;
use kpolicy::source::{FileId, Span};

const POOLS_TEXT: &str = "\
nodePools:
  - name: ops
  - name: apps
";

fn pool(
    name: &str,
    purpose: PoolPurpose,
    label: &str,
    nodes: u32,
    cpu: &str,
    memory: &str,
) -> NodePool {
    let start = POOLS_TEXT.find(&format!("name: {name}")).unwrap();
    NodePool {
        spec: NodePoolSpec {
            name: name.to_string(),
            purpose,
            labels: BTreeMap::from([("node-pool".to_string(), label.to_string())]),
            taints: if purpose == PoolPurpose::Ops {
                vec![TaintSpec {
                    key: "dedicated".to_string(),
                    value: Some("ops".to_string()),
                    effect: "NoSchedule".to_string(),
                }]
            } else {
                Vec::new()
            },
            nodes: Some(nodes),
            allocatable: Allocatable {
                cpu: Some(cpu.to_string()),
                memory: Some(memory.to_string()),
            },
        },
        span: Span::new(start, start + "name: ".len() + name.len()),
    }
}

fn context(apps_nodes: u32) -> Context {
    Context {
        node_pools: vec![
            pool("ops", PoolPurpose::Ops, "ops", 2, "4", "16Gi"),
            pool(
                "apps",
                PoolPurpose::Customer,
                "apps",
                apps_nodes,
                "500m",
                "1Gi",
            ),
        ],
        config_file: Some(FileId(0)),
        ..Context::default()
    }
}

fn run(rule: &str, ctx: &Context, manifests: &[(&str, &str)]) -> Report {
    let mut texts = vec![(".kpolicy.yaml".to_string(), POOLS_TEXT.to_string())];
    texts.extend(
        manifests
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string())),
    );
    lint_texts_with_context(texts, ctx, &select_only(&[rule]).unwrap())
}

fn example() -> String {
    std::fs::read_to_string("examples/elastalert.yaml").unwrap()
}

const PROMETHEUS: &str = "\
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata:
  name: k8s
  namespace: monitoring
spec:
  replicas: 2
  shards: 2
  nodeSelector:
    node-pool: apps
  resources:
    requests:
      memory: 400Mi
";

#[test]
fn the_elastalert_example_can_land_on_the_customer_pool() {
    let example = example();
    let report = run(
        "ops-workload-shares-node-pool",
        &context(3),
        &[("examples/elastalert.yaml", &example)],
    );
    assert_eq!(report.diagnostics.len(), 1, "{:?}", report.diagnostics);
    let d = &report.diagnostics[0];
    assert_eq!(
        d.message,
        "Deployment \"elastalert\" is ops tooling (image \"jertel/elastalert2:2.19.0\", alerting) but can be scheduled on customer node pool \"apps\""
    );
    let source = report.sources.get(d.file);
    assert_eq!(source.slice(d.span), "spec");
    // The shop is labelled as the customer workload on that pool.
    assert_eq!(d.labels.len(), 1);
    assert!(d.labels[0].message.contains("Deployment \"shop\""));
    assert!(d.help.as_deref().unwrap().contains("dedicated"));
}

#[test]
fn pinned_to_the_ops_pool_is_fine() {
    let pinned = example().replace(
        "      containers:\n        - name: elastalert",
        "      nodeSelector:\n        node-pool: ops\n      tolerations:\n        - {key: dedicated, operator: Exists}\n      containers:\n        - name: elastalert",
    );
    let report = run(
        "ops-workload-shares-node-pool",
        &context(3),
        &[("elastalert.yaml", &pinned)],
    );
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
}

#[test]
fn over_committed_pool_names_its_largest_contributors() {
    let example = example();
    // apps: 1 node × 500m / 1Gi. The shop: 3 × 250m / 256Mi = 750m / 768Mi (the migrate init
    // container has no resources). Prometheus: 2 replicas × 2 shards × 400Mi = 1600Mi.
    let report = run(
        "node-pool-over-committed",
        &context(1),
        &[
            ("elastalert.yaml", &example),
            ("prometheus.yaml", PROMETHEUS),
        ],
    );
    let messages: Vec<&str> = report
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "node pool \"apps\" is over-committed on CPU: the workloads pinned to it request 750m CPU, more than the 500m CPU its 1 node can allocate",
            "node pool \"apps\" is over-committed on memory: the workloads pinned to it request 2.31Gi, more than the 1Gi its 1 node can allocate",
        ]
    );
    let memory = &report.diagnostics[1];
    assert_eq!(
        report.sources.get(memory.file).slice(memory.span),
        "name: apps"
    );
    let contributors: Vec<&str> = memory.labels.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(
        contributors,
        [
            "Prometheus \"k8s\": 4 replicas × 400Mi = 1.56Gi",
            "Deployment \"shop\": 3 replicas × 256Mi = 768Mi",
        ]
    );
    let shop = &memory.labels[1];
    assert_eq!(
        report.sources.get(shop.file).slice(shop.span),
        "memory: 256Mi"
    );
}

#[test]
fn enough_room_or_no_config_file_means_no_finding() {
    let example = example();
    let roomy = run(
        "node-pool-over-committed",
        &context(4),
        &[("elastalert.yaml", &example)],
    );
    assert!(roomy.diagnostics.is_empty(), "{:?}", roomy.diagnostics);
    let nowhere = Context {
        config_file: None,
        ..context(1)
    };
    let report = run(
        "node-pool-over-committed",
        &nowhere,
        &[("elastalert.yaml", &example)],
    );
    assert!(report.diagnostics.is_empty());
}
