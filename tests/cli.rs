//! The binary as users run it: inputs, exit codes, formats.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn kpolicy(args: &[&str]) -> Output {
    kpolicy_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, None)
}

fn kpolicy_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kpolicy"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kpolicy");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

const NO_RESOURCES: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n";
const CLEAN: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  automountServiceAccountToken: false\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: app\n    securityContext:\n      allowPrivilegeEscalation: false\n      readOnlyRootFilesystem: true\n      capabilities: {drop: [ALL]}\n    resources:\n      requests: {cpu: 100m}\n      limits: {memory: 128Mi}\n---\napiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\nspec:\n  limits:\n  - type: Container\n    default: {memory: 256Mi}\n";

#[test]
fn example_in_the_readme_reports_and_exits_1() {
    let out = kpolicy(&["lint", "examples/"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("examples/elastalert.yaml:"), "{text}");
    assert!(
        text.contains("warning[container-missing-memory-limit]"),
        "{text}"
    );
    assert!(text.lines().last().unwrap().starts_with("Found "), "{text}");
}

#[test]
fn stdin_is_linted_with_spans() {
    let out = kpolicy_in(
        Path::new("."),
        &[
            "lint",
            "-",
            "--color",
            "never",
            "--disable",
            "namespace-missing-limitrange",
        ],
        Some(NO_RESOURCES.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    // Other default rules (e.g. workload-single-replica) may report on the same object first.
    assert!(
        text.contains("<stdin>:9:9: warning[container-missing-"),
        "{text}"
    );
    assert!(
        text.contains("9 |       - name: web\n  |         ^^^^^^^^^ `resources` is not set"),
        "{text}"
    );
}

#[test]
fn clean_input_exits_0_and_says_so() {
    let out = kpolicy_in(Path::new("."), &["lint", "-"], Some(CLEAN.as_bytes()));
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "No problems found in 1 file (2 objects).\n");
}

#[test]
fn fail_on_sets_the_threshold() {
    let out = kpolicy_in(
        Path::new("."),
        &["lint", "-", "--fail-on", "error"],
        Some(NO_RESOURCES.as_bytes()),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "warnings do not fail with --fail-on error"
    );
    let out = kpolicy_in(
        Path::new("."),
        &["lint", "-", "--fail-on", "error"],
        Some(b"a: [1,\n"),
    );
    assert_eq!(out.status.code(), Some(1), "yaml-syntax is an error");
    let out = kpolicy_in(
        Path::new("."),
        &[
            "lint",
            "-",
            "--fail-on",
            "info",
            "--enable",
            "container-missing-cpu-limit",
            "--disable",
            "reliability",
            "--enable",
            "yaml-syntax",
        ],
        Some(CLEAN.as_bytes()),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "--disable applies after --enable: {}",
        stdout(&out)
    );
}

#[test]
fn enable_turns_on_an_off_by_default_rule() {
    let out = kpolicy_in(
        Path::new("."),
        &[
            "lint",
            "-",
            "--enable",
            "container-missing-cpu-limit",
            "--fail-on",
            "info",
        ],
        Some(CLEAN.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out)
            .contains("info[container-missing-cpu-limit]: container \"app\" has no cpu limit")
    );
}

#[test]
fn unknown_rule_is_a_usage_error() {
    let out = kpolicy(&["lint", "--disable", "no-such-rule", "examples"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown rule or category `no-such-rule`"));
    let out = kpolicy(&["lint", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2), "clap usage errors exit 2");
}

#[test]
fn missing_and_unreadable_paths_exit_2_but_the_rest_is_linted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.yaml"), NO_RESOURCES).unwrap();
    let out = kpolicy_in(dir.path(), &["lint", "good.yaml", "missing.yaml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("good.yaml:9:9: warning[container-missing-memory-limit]"));
    assert!(
        stderr(&out).contains("kpolicy: error: missing.yaml: no such file or directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn directories_are_walked_for_yaml_and_respect_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("a/b")).unwrap();
    std::fs::create_dir_all(root.join("rendered")).unwrap();
    std::fs::write(root.join("a/b/deep.yml"), NO_RESOURCES).unwrap();
    std::fs::write(root.join("a/notes.txt"), NO_RESOURCES).unwrap();
    std::fs::write(root.join("rendered/out.yaml"), NO_RESOURCES).unwrap();
    std::fs::write(root.join(".gitignore"), "rendered/\n").unwrap();
    // A chart's templates are Go templates, not YAML: the chart is rendered instead.
    std::fs::create_dir_all(root.join("chart/templates")).unwrap();
    std::fs::write(
        root.join("chart/Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        root.join("chart/templates/d.yaml"),
        "{{ if .Values.x }}\nkind: {{ .Values.kind }}\n{{ end }}\n",
    )
    .unwrap();

    let out = kpolicy_in(root, &["lint", ".", "--format", "json"], None);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: std::collections::BTreeSet<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files.into_iter().collect::<Vec<_>>(), ["a/b/deep.yml"]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    let out = kpolicy_in(root, &["lint", "--no-ignore", "--format", "json"], None);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["summary"]["files"], 5,
        "deep.yml, rendered/out.yaml, chart/Chart.yaml, and the chart's Chart.yaml and template"
    );

    // An explicit file of any name is linted.
    let out = kpolicy_in(
        root,
        &[
            "lint",
            "a/notes.txt",
            "--disable",
            "namespace-missing-limitrange",
        ],
        None,
    );
    assert!(
        stdout(&out).contains("a/notes.txt:9:9:"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn json_output_follows_the_documented_schema() {
    let out = kpolicy_in(
        Path::new("."),
        &[
            "lint",
            "-",
            "--format",
            "json",
            "--disable",
            "namespace-missing-limitrange",
        ],
        Some(NO_RESOURCES.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"]["name"], "kpolicy");
    // The first resource finding; other default rules may report on the object too.
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let first = diagnostics
        .iter()
        .find(|d| d["rule"] == "container-missing-cpu-request")
        .unwrap();
    assert_eq!(first["severity"], "warning");
    assert_eq!(first["file"], "<stdin>");
    assert_eq!(first["start"]["line"], 9);
    assert_eq!(first["start"]["column"], 9);
    assert_eq!(first["end"]["column"], 18);
    assert_eq!(first["object"]["kind"], "Deployment");
    assert_eq!(first["object"]["name"], "web");
    let warnings = diagnostics
        .iter()
        .filter(|d| d["severity"] == "warning")
        .count();
    assert_eq!(json["summary"]["warnings"], warnings);
    let resource_findings = diagnostics
        .iter()
        .filter(|d| {
            d["rule"]
                .as_str()
                .unwrap()
                .starts_with("container-missing-")
        })
        .count();
    assert_eq!(resource_findings, 3);
}

#[test]
fn binary_and_non_utf8_files_are_findings_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bin.yaml"), b"\x7fELF\x00\x00\x01").unwrap();
    std::fs::write(
        dir.path().join("latin1.yaml"),
        b"kind: ConfigMap\nname: M\xfcnchen\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("ok.yaml"), NO_RESOURCES).unwrap();
    let out = kpolicy_in(dir.path(), &["lint", "."], None);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(
            "bin.yaml:1:1: error[yaml-syntax]: file is binary (NUL byte at offset 4), not YAML"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "latin1.yaml:2:8: error[yaml-syntax]: file is not valid UTF-8: invalid byte 0xfc"
        ),
        "{text}"
    );
    assert!(
        text.contains("ok.yaml:9:9: warning[container-missing-memory-limit]"),
        "{text}"
    );
}

#[test]
fn too_large_files_are_input_errors() {
    let out = kpolicy_in(
        Path::new("."),
        &["lint", "-", "--max-file-size", "10"],
        Some(NO_RESOURCES.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("file is larger than the maximum of 10 bytes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn color_is_off_when_piped_and_on_when_forced() {
    let plain = kpolicy_in(
        Path::new("."),
        &["lint", "-"],
        Some(NO_RESOURCES.as_bytes()),
    );
    assert!(!stdout(&plain).contains('\x1b'));
    let forced = kpolicy_in(
        Path::new("."),
        &["lint", "-", "--color", "always"],
        Some(NO_RESOURCES.as_bytes()),
    );
    assert!(stdout(&forced).contains('\x1b'));
}

#[test]
fn rules_and_explain() {
    let out = kpolicy(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("container-missing-cpu-limit"));
    assert!(
        text.lines()
            .any(|l| l.starts_with("container-missing-cpu-limit") && l.contains(" off ")),
        "{text}"
    );
    let out = kpolicy(&["rules", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "yaml-syntax" && r["defaultSeverity"] == "error")
    );

    let out = kpolicy(&["explain", "container-missing-memory-limit"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("## Why is this bad?"));
    let out = kpolicy(&["explain", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn output_is_identical_across_thread_counts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = |threads: &str| {
        Command::new(env!("CARGO_BIN_EXE_kpolicy"))
            .args(["lint", "testdata", "--format", "json"])
            .current_dir(dir)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    for threads in ["2", "4", "8"] {
        assert_eq!(one, run(threads), "output differs with {threads} threads");
    }
}

#[test]
fn broken_document_is_reported_and_the_others_are_still_linted() {
    let input = format!(
        "{NO_RESOURCES}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: broken\n---\n{NO_RESOURCES}"
    );
    let out = kpolicy_in(
        Path::new("."),
        &["lint", "-", "--format", "json"],
        Some(input.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "yaml-syntax" || d["rule"] == "container-missing-memory-limit")
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("container-missing-memory-limit".to_string(), 9),
            ("yaml-syntax".to_string(), 14),
            ("container-missing-memory-limit".to_string(), 24),
        ]
    );
}

#[test]
fn configuration_file_sets_rules_severity_settings_and_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("sub/app.yaml"), NO_RESOURCES).unwrap();
    std::fs::write(
        root.join(".kpolicy.yaml"),
        "defaultNamespace: shop\nrules:\n  container-missing-memory-limit:\n    severity: error\n  container-missing-cpu-request:\n    enabled: false\n  namespace-missing-limitrange:\n    required-defaults: [memory, cpu]\n",
    )
    .unwrap();
    // Found from a subdirectory, upward.
    let out = kpolicy_in(
        &root.join("sub"),
        &["lint", "app.yaml", "--format", "json"],
        None,
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<(&str, &str)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["rule"].as_str().unwrap(), d["severity"].as_str().unwrap()))
        .collect();
    assert!(
        rules.contains(&("container-missing-memory-limit", "error")),
        "{rules:?}"
    );
    assert!(
        !rules
            .iter()
            .any(|(r, _)| *r == "container-missing-cpu-request"),
        "{rules:?}"
    );
    let ns = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "namespace-missing-limitrange")
        .unwrap();
    assert!(ns["message"].as_str().unwrap().contains("`shop`"), "{ns}");
    assert!(
        ns["message"].as_str().unwrap().contains("memory and cpu"),
        "{ns}"
    );

    // --no-config ignores it; --namespace overrides it.
    let out = kpolicy_in(
        &root.join("sub"),
        &["lint", "app.yaml", "--no-config", "--format", "json"],
        None,
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["rule"] == "container-missing-cpu-request")
    );
    let out = kpolicy_in(
        &root.join("sub"),
        &["lint", "app.yaml", "-n", "other", "--format", "json"],
        None,
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("namespace `other`"));

    // Errors are usage errors, with a position for YAML-level mistakes.
    std::fs::write(
        root.join("bad.yaml"),
        "rules:\n  container-missing-memory-limit:\n    skip-init: true\n",
    )
    .unwrap();
    let out = kpolicy_in(root, &["lint", "--config", "bad.yaml", "sub"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.yaml:3:5: error[config]: unknown setting `skip-init`"),
        "{}",
        stderr(&out)
    );
    std::fs::write(root.join("bad.yaml"), "rulez: {}\n").unwrap();
    let out = kpolicy_in(root, &["lint", "--config", "bad.yaml", "sub"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.yaml:1:1: error[config]: unknown key `rulez`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("did you mean `rules`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn configuration_ignores_and_enforce() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("vendor/chart")).unwrap();
    std::fs::write(root.join("vendor/chart/app.yaml"), NO_RESOURCES).unwrap();
    std::fs::write(
        root.join("mine.yaml"),
        NO_RESOURCES.replace("name: web\nspec", "name: mine\nspec"),
    )
    .unwrap();
    std::fs::write(
        root.join(".kpolicy.yaml"),
        "ignores:\n  - rules: [reliability]\n    path: \"vendor/**\"\n    reason: third-party chart, tracked upstream\n  - rules: [container-missing-cpu-request]\n    kind: StatefulSet\n    reason: no StatefulSet here\nenforce: [container-missing-memory-limit]\n",
    )
    .unwrap();
    let out = kpolicy_in(root, &["lint", "--format", "json"], None);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Enforced: the vendored chart still gets the memory-limit finding; the rest of it is ignored.
    assert!(
        found.contains(&(
            "vendor/chart/app.yaml".into(),
            "container-missing-memory-limit".into()
        )),
        "{found:?}"
    );
    assert!(
        !found.contains(&(
            "vendor/chart/app.yaml".into(),
            "container-missing-cpu-request".into()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&("mine.yaml".into(), "container-missing-cpu-request".into())),
        "{found:?}"
    );
    // The StatefulSet entry matched nothing: reported on the config file.
    assert!(
        found.contains(&(".kpolicy.yaml".into(), "unused-suppression".into())),
        "{found:?}"
    );
    // An annotation cannot silence an enforced rule.
    std::fs::write(
        root.join("mine.yaml"),
        NO_RESOURCES.replace("name: web\nspec", "name: mine\n  annotations:\n    kpolicy.io/ignore: \"container-missing-memory-limit: no\"\nspec"),
    )
    .unwrap();
    let out = kpolicy_in(root, &["lint", "mine.yaml", "--format", "json"], None);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"container-missing-memory-limit") && rules.contains(&"invalid-suppression"),
        "{rules:?}"
    );
}

#[test]
fn chart_templates_named_explicitly_render_their_chart() {
    // pre-commit passes changed files by name; a chart's templates are Go templates, not YAML:
    // the chart they belong to is rendered and linted.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("chart/templates")).unwrap();
    std::fs::write(
        root.join("chart/Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        root.join("chart/templates/d.yaml"),
        "{{ if .Values.x }}\nkind: {{ .Values.kind }}\n{{ end }}\n",
    )
    .unwrap();
    std::fs::write(root.join("app.yaml"), CLEAN).unwrap();
    let out = kpolicy_in(
        root,
        &[
            "lint",
            "chart/templates/d.yaml",
            "chart/Chart.yaml",
            "app.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Chart.yaml and app.yaml as named, and the chart's Chart.yaml and template.
    assert_eq!(stdout(&out), "No problems found in 4 files (2 objects).\n");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}
