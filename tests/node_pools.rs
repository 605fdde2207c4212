//! The node-pool rules with a `Context` built by hand (no configuration loader): declared pools
//! change what `ops-workload-shares-node-pool` reports, and `node-pool-over-committed` adds up
//! requests per pool, including a Prometheus resource's.

use std::sync::Arc;

use kpolicy::config::LoadedConfig;
use kpolicy::engine::{Options, Report, lint_texts, select_only};

/// A `.kpolicy.yaml` with an ops pool (2 × 4 CPU / 16Gi) and a customer pool of `apps_nodes`
/// nodes (500m / 1Gi each), read through the real configuration loader.
fn config(apps_nodes: u32) -> Arc<LoadedConfig> {
    let text = format!(
        "nodePools:\n  - name: ops\n    purpose: ops\n    labels: {{node-pool: ops}}\n    taints: [{{key: dedicated, value: ops, effect: NoSchedule}}]\n    nodes: 2\n    allocatable: {{cpu: \"4\", memory: 16Gi}}\n  - name: apps\n    purpose: customer\n    labels: {{node-pool: apps}}\n    nodes: {apps_nodes}\n    allocatable: {{cpu: 500m, memory: 1Gi}}\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".kpolicy.yaml");
    std::fs::write(&path, text).unwrap();
    Arc::new(LoadedConfig::read(&path).unwrap())
}

fn run(rule: &str, config: Option<Arc<LoadedConfig>>, manifests: &[(&str, &str)]) -> Report {
    let options = Options {
        config,
        ..Options::default()
    };
    let texts = manifests
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    lint_texts(texts, &options, &select_only(&[rule]).unwrap())
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
        Some(config(3)),
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
        Some(config(3)),
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
        Some(config(1)),
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
        Some(config(4)),
        &[("elastalert.yaml", &example)],
    );
    assert!(roomy.diagnostics.is_empty(), "{:?}", roomy.diagnostics);
    let report = run(
        "node-pool-over-committed",
        None,
        &[("elastalert.yaml", &example)],
    );
    assert!(report.diagnostics.is_empty());
}
