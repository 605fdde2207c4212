//! The commented starter `.kpolicy.yaml` that `kpolicy init` writes.

/// The starter configuration: every section, commented, with the defaults spelled out. A test
/// checks that it loads with the current types.
pub const STARTER: &str = r#"# yaml-language-server: $schema=https://raw.githubusercontent.com/kpolicy/kpolicy/main/schema/kpolicy.schema.json
#
# kpolicy configuration. Every key is optional; docs/configuration.md describes them all.
# Command-line flags win over this file (--namespace, --kube-version, --fail-on, --enable/--disable).

# Namespace of objects that do not set metadata.namespace.
defaultNamespace: default

# Target Kubernetes version for version-aware rules (deprecated and removed APIs).
kubeVersion: "1.35"

# Lowest severity that makes `kpolicy lint` exit with status 1: error, warning or info.
failOn: warning

# Which files to lint, as globs relative to this file (`*` stays in a directory, `**` crosses).
# include: ["k8s/**", "rendered/**"]
exclude: []

# Rules by id or category (correctness, reliability, security, best-practice, style, nursery,
# all): `enabled`, `severity`, and a rule's own settings (`kpolicy explain <id>`, Options).
rules:
  # nursery:
  #   enabled: true
  # container-missing-cpu-limit:
  #   enabled: true
  #   severity: info
  # namespace-missing-limitrange:
  #   required-defaults: [memory]

# Node pools of the target cluster, for the placement and capacity rules.
nodePools: []
# - name: ops
#   purpose: ops            # ops, customer or general
#   labels: {node-pool: ops}
#   taints: [{key: dedicated, value: ops, effect: NoSchedule}]
#   nodes: 3
#   allocatable: {cpu: 3920m, memory: 15Gi}

# Findings to drop for objects nobody here can edit (vendored charts); each needs a reason.
ignores: []
# - rules: [reliability]
#   path: "vendor/**"
#   reason: third-party chart, tracked upstream

# Rules no suppression can silence (annotations, comments or `ignores`).
enforce: []

# Rules of your own (docs/custom-rules.md): a match, and a CEL expression that must hold.
customRules: []
# - id: payments-min-replicas
#   severity: error
#   match:
#     kinds: [Deployment]
#     namespaces: [payments]
#   expression: has(object.spec.replicas) && object.spec.replicas >= 3
#   message: "Deployment {{object.metadata.name}} in payments runs fewer than 3 replicas"

# More files of custom rules, relative to this file (each with a `customRules:` list).
customRuleFiles: []

# Helm charts are rendered with their own values.yaml; render one with more values, or several
# times (a values matrix, each render linted and labelled):
helm: []
# helm:
#   - chart: charts/shop
#     values: [charts/shop/values-base.yaml]
#     renders:
#       - name: prod
#         values: [charts/shop/values-prod.yaml]
#       - name: staging
#         values: [charts/shop/values-staging.yaml]
"#;
