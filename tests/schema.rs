//! Schema validation end to end: the "done when" cases, the target version, the
//! `unknown-kinds` setting, the generated schema table against its generator, and a differential
//! run against kubernetes-validate (`../shared/peers.md`) on objects with one deliberate error each.
//!
//! The last two need the PyPI package kubernetes-validate 1.37.0 (the generator's input and the
//! peer); without it they skip with a printed reason, and fail under `KPOLICY_REQUIRE_TOOLS=1`.

#[path = "../xtask/src/gen_schemas.rs"]
mod gen_schemas;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use kpolicy::discover::Input;
use kpolicy::engine::{Options, lint_inputs, select_rules};
use kpolicy::kube_version::KubeVersion;

const SCHEMA_RULES: &str = "schema-unknown-field,schema-type-mismatch,schema-missing-required-field,schema-invalid-enum,schema-duplicate-key";

fn lint(path: &Path, options: &Options) -> Vec<(String, u32, String)> {
    let rules = select_rules(options).unwrap();
    let report = lint_inputs(&[Input::Path(path.to_path_buf())], options, &rules);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
        .diagnostics
        .iter()
        .map(|d| {
            let source = report.sources.get(d.file);
            (
                d.rule.to_string(),
                source.line_col(d.span.start as usize).line,
                d.message.clone(),
            )
        })
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Skips (or fails under `KPOLICY_REQUIRE_TOOLS=1`) when a tool is missing.
fn missing_tool(what: &str) -> bool {
    if std::env::var_os("KPOLICY_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
        panic!("{what} is required (KPOLICY_REQUIRE_TOOLS=1)");
    }
    eprintln!(
        "skipping: {what} not found (pip install kubernetes-validate==1.37.0; set KPOLICY_REQUIRE_TOOLS=1 to make this a failure)"
    );
    true
}

const TYPO: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: elastalert
  namespace: monitoring
spec:
  selector:
    matchLabels: {app: elastalert}
  template:
    metadata:
      labels: {app: elastalert}
    spec:
      containers:
        - name: elastalert
          image: registry.example.com/elastalert:1.4.2
          resource:
            limits:
              memory: 512Mi
";

#[test]
fn a_resources_typo_is_an_unknown_field_and_leaves_the_container_without_a_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "deploy.yaml", TYPO);
    // The default rule set: both rules are on by default.
    let found = lint(&path, &Options::default());
    assert!(
        found
            .iter()
            .any(|(rule, line, message)| rule == "schema-unknown-field"
                && *line == 16
                && message.contains("did you mean `resources`")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|(rule, line, _)| rule == "container-missing-memory-limit" && *line == 14),
        "{found:#?}"
    );
}

#[test]
fn the_target_version_selects_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    // Sidecar containers (`restartPolicy` on a container) arrived in Kubernetes 1.28.
    let path = write(
        dir.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  initContainers:\n    - name: proxy\n      image: registry.example.com/proxy:1.0.0\n      restartPolicy: Always\n  containers:\n    - name: app\n      image: registry.example.com/app:1.0.0\n",
    );
    let unknown = |minor| {
        let options = Options {
            enable: vec!["schema-unknown-field".to_string()],
            kube_version: KubeVersion::new(1, minor),
            ..Options::default()
        };
        lint(&path, &options)
            .into_iter()
            .filter(|(rule, _, _)| rule == "schema-unknown-field")
            .map(|(_, line, _)| line)
            .collect::<Vec<_>>()
    };
    assert_eq!(unknown(27), vec![9]);
    assert_eq!(unknown(28), Vec::<u32>::new());
    assert_eq!(unknown(35), Vec::<u32>::new());
    // Older than the table: the oldest schemas (1.25) apply.
    assert_eq!(unknown(20), vec![9]);
}

#[test]
fn unknown_kinds_are_quiet_unless_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "objects.yaml",
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: old\n",
    );
    let only = |options: &Options| {
        lint(&path, options)
            .into_iter()
            .filter(|(rule, _, _)| rule == "schema-unknown-field")
            .collect::<Vec<_>>()
    };
    assert!(only(&Options::default()).is_empty());
    let config = write(
        dir.path(),
        ".kpolicy.yaml",
        "rules:\n  schema-unknown-field:\n    unknown-kinds: warn\n",
    );
    let options = Options {
        config: Some(std::sync::Arc::new(
            kpolicy::config::LoadedConfig::read(&config).unwrap(),
        )),
        ..Options::default()
    };
    let found = only(&options);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].1, 2);
    assert!(
        found[0]
            .2
            .contains("no schema for `example.com/v1` `Gadget`")
    );
}

/// Where kubernetes-validate's JSON schemas are: `KPOLICY_SCHEMA_SOURCE`, or the package python3
/// imports.
fn schema_source() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KPOLICY_SCHEMA_SOURCE") {
        return Some(PathBuf::from(dir));
    }
    let output = Command::new("python3")
        .args([
            "-c",
            "import os, kubernetes_validate; print(os.path.dirname(kubernetes_validate.__file__))",
        ])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let dir = String::from_utf8_lossy(&output.stdout).trim().to_string();
    Some(Path::new(&dir).join("kubernetes-json-schema"))
}

/// `rules/data/kubernetes-schemas.txt` is what `cargo xtask schemas` makes of kubernetes-validate
/// 1.37.0. Regenerate with `cargo xtask schemas`.
#[test]
fn the_schema_table_is_what_the_generator_makes() {
    let Some(source) = schema_source() else {
        missing_tool("kubernetes-validate (python3 -c 'import kubernetes_validate')");
        return;
    };
    let version = Command::new("python3")
        .args([
            "-c",
            "import kubernetes_validate.version as v; print(v.__version__)",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if std::env::var_os("KPOLICY_SCHEMA_SOURCE").is_none() && version != "1.37.0" {
        missing_tool(&format!(
            "kubernetes-validate 1.37.0 (version {version} is installed)"
        ));
        return;
    }
    let generated = gen_schemas::generate(&source).unwrap();
    let committed = include_str!("../rules/data/kubernetes-schemas.txt");
    assert!(
        generated == committed,
        "rules/data/kubernetes-schemas.txt is out of date: run `cargo xtask schemas`"
    );
}

/// One deliberate error per file under `testdata/schema/differential/`; the first line says what
/// kpolicy reports (`none` or a rule id), what kubernetes-validate --strict says (`pass`/`fail`)
/// for Kubernetes 1.35, and why they differ when they do.
struct Case {
    path: PathBuf,
    kpolicy: String,
    peer: String,
    note: String,
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/schema/differential");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let header = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("# kpolicy: "))
                .unwrap_or_else(|| panic!("{}: no `# kpolicy:` header", path.display()));
            let parts: Vec<&str> = header.splitn(3, " | ").collect();
            let peer = parts
                .get(1)
                .and_then(|p| p.strip_prefix("kubernetes-validate: "))
                .unwrap_or_else(|| panic!("{}: no kubernetes-validate verdict", path.display()));
            Case {
                kpolicy: parts[0].trim().to_string(),
                peer: peer.trim().to_string(),
                note: parts.get(2).unwrap_or(&"").trim().to_string(),
                path,
            }
        })
        .collect()
}

#[test]
fn differential_cases_are_reported_as_their_headers_say() {
    let options = Options {
        enable: vec![SCHEMA_RULES.to_string()],
        ..Options::default()
    };
    let cases = cases();
    assert!(cases.len() >= 20);
    for case in &cases {
        let found: BTreeSet<String> = lint(&case.path, &options)
            .into_iter()
            .map(|(rule, _, _)| rule)
            .filter(|rule| rule.starts_with("schema-"))
            .collect();
        let want: BTreeSet<String> = match case.kpolicy.as_str() {
            "none" => BTreeSet::new(),
            rule => BTreeSet::from([rule.to_string()]),
        };
        assert_eq!(found, want, "{}", case.path.display());
        let agrees = (case.kpolicy == "none") == (case.peer == "pass");
        assert!(
            agrees || !case.note.is_empty(),
            "{}: kpolicy and kubernetes-validate disagree, so the header needs a note saying why",
            case.path.display()
        );
    }
}

#[test]
fn differential_cases_match_kubernetes_validate() {
    let version = Command::new("kubernetes-validate")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match version {
        None => {
            missing_tool("kubernetes-validate on PATH");
            return;
        }
        // The verdicts were recorded with 1.37.0 (`kubernetes-validate --version` prints it).
        Some(v) if !v.contains("1.37.0") => {
            missing_tool(&format!("kubernetes-validate 1.37.0 (found `{v}`)"));
            return;
        }
        Some(_) => {}
    }
    let mut disagreements = Vec::new();
    for case in cases() {
        let status = Command::new("kubernetes-validate")
            .args(["-k", "1.35.0", "--strict", "--quiet"])
            .arg(&case.path)
            .output()
            .unwrap();
        let verdict = if status.status.success() {
            "pass"
        } else {
            "fail"
        };
        assert_eq!(
            verdict,
            case.peer,
            "{}: kubernetes-validate says {verdict}: {}",
            case.path.display(),
            String::from_utf8_lossy(&status.stdout)
        );
        if (case.kpolicy == "none") != (verdict == "pass") {
            disagreements.push(format!(
                "{}: {}",
                case.path.file_name().unwrap().to_string_lossy(),
                case.note
            ));
        }
    }
    eprintln!(
        "kubernetes-validate disagrees on {} cases:\n  {}",
        disagreements.len(),
        disagreements.join("\n  ")
    );
}

/// Lints `text`, written to a file `name`, with the schema rules, and checks that this took less
/// than 20 seconds: a loose bound for input crafted to blow up, which takes well under one.
fn lint_bounded(name: &str, text: &str) -> Vec<(String, u32, String)> {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), name, text);
    let options = Options {
        enable: vec![SCHEMA_RULES.to_string()],
        ..Options::default()
    };
    let started = std::time::Instant::now();
    let found = lint(&path, &options);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    found
}

#[test]
fn alias_fan_out_in_a_schema_and_its_resource_is_bounded() {
    // Schemas compile as a walk reaches them, one node and its properties at a time. Here each
    // level of the schema has 500 properties and each level of the resource two of them, both
    // aliases of the level below: the walk's 250,000 visits each reach a new part of the schema,
    // 501 nodes to compile, over 100 million in all unless the walk's budget of compiled nodes
    // stops it.
    let (wide, deep) = (500, 18);
    let mut schema = String::from("s0: &s0 {type: string}\n");
    let mut resource = String::from("r0: &r0 x\n");
    for i in 1..deep {
        let props: Vec<String> = (0..wide).map(|k| format!("f{k}: *s{}", i - 1)).collect();
        schema.push_str(&format!(
            "s{i}: &s{i} {{type: object, properties: {{{}}}}}\n",
            props.join(", ")
        ));
        resource.push_str(&format!(
            "r{i}: &r{i} {{f0: *r{j}, f1: *r{j}}}\n",
            j = i - 1
        ));
    }
    let last = deep - 1;
    let text = format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: fans.example.com\nx-anchors:\n  {}\nspec:\n  group: example.com\n  names: {{kind: Fan, plural: fans}}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema: {{type: object, properties: {{spec: *s{last}}}}}\n---\napiVersion: example.com/v1\nkind: Fan\nmetadata:\n  name: f\nx-anchors:\n  {}\nspec: *r{last}\n",
        schema.replace('\n', "\n  "),
        resource.replace('\n', "\n  "),
    );
    let found = lint_bounded("fan.yaml", &text);
    // The stray key is still reported in both objects.
    assert_eq!(
        found
            .iter()
            .filter(|(rule, _, m)| rule == "schema-unknown-field" && m.contains("`x-anchors`"))
            .count(),
        2,
        "{found:#?}"
    );
}

#[test]
fn alias_fan_out_in_a_schema_is_bounded() {
    // A CRD whose schema nests aliases ten wide and twenty deep: 10^20 nodes if followed fully,
    // both when the CRD itself is validated (JSONSchemaProps is recursive) and when its schema is
    // compiled for the custom resource.
    let mut text = String::from("p0: &p0 {type: string}\n");
    for i in 1..20 {
        let props: Vec<String> = (0..10).map(|k| format!("f{k}: *p{}", i - 1)).collect();
        text.push_str(&format!(
            "p{i}: &p{i} {{type: object, properties: {{{}}}}}\n",
            props.join(", ")
        ));
    }
    let defs = text.replace('\n', "\n  ");
    let crd = format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: bombs.example.com\nx-anchors:\n  {defs}\nspec:\n  group: example.com\n  names: {{kind: Bomb, plural: bombs}}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema: *p19\n---\napiVersion: example.com/v1\nkind: Bomb\nmetadata:\n  name: b\nf0:\n  f0: {{f0: {{nope: 1}}}}\n"
    );
    let found = lint_bounded("bomb.yaml", &crd);
    // The stray `x-anchors` key of the CRD is reported; the custom resource's unknown key too.
    assert!(
        found
            .iter()
            .any(|(rule, _, m)| rule == "schema-unknown-field" && m.contains("`x-anchors`")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|(rule, _, m)| rule == "schema-unknown-field" && m.contains("`nope`")),
        "{found:#?}"
    );
}
