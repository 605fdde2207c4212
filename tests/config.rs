//! The configuration file: its JSON Schema (committed, in step with the types), its documentation
//! (every key the schema knows is in docs/configuration.md, and nothing else), the starter that
//! `kpolicy init` writes, configuration errors as users see them, and custom rules (fixtures
//! under testdata/custom-rules/, each a directory with a `.kpolicy.yaml`).

#[path = "support/sarif.rs"]
mod sarif;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kpolicy::config::{LoadedConfig, SCHEMA_PATH, STARTER, schema, schema_text};

fn kpolicy_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpolicy"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run kpolicy")
}

/// `schema/kpolicy.schema.json` is generated from the types; regenerate it with
/// `KPOLICY_BLESS=1 cargo test --test config schema`.
#[test]
fn schema_file_is_current() {
    let text = schema_text();
    if std::env::var_os("KPOLICY_BLESS").is_some() {
        std::fs::create_dir_all("schema").unwrap();
        std::fs::write(SCHEMA_PATH, &text).unwrap();
    }
    let committed = std::fs::read_to_string(SCHEMA_PATH).unwrap_or_default();
    assert!(
        committed == text,
        "{SCHEMA_PATH} is stale: run `KPOLICY_BLESS=1 cargo test --test config schema`"
    );
}

/// Key paths of the schema (`nodePools[].name`, `customRules[].match.kinds`), following `$ref`s;
/// `rules` is one key (its entries are the rules' own, documented in rules/<id>.md).
fn schema_keys() -> BTreeSet<String> {
    let root = schema();
    let mut out = BTreeSet::new();
    walk(&root, &root, "", &mut out, 0);
    out
}

fn resolve<'a>(root: &'a serde_json::Value, node: &'a serde_json::Value) -> &'a serde_json::Value {
    match node.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => root.pointer(r.trim_start_matches('#')).unwrap_or(node),
        None => node,
    }
}

fn walk(
    root: &serde_json::Value,
    node: &serde_json::Value,
    prefix: &str,
    out: &mut BTreeSet<String>,
    depth: u32,
) {
    assert!(depth < 16, "schema nests too deep at {prefix}");
    let node = resolve(root, node);
    for alternative in ["anyOf", "oneOf", "allOf"] {
        for option in node
            .get(alternative)
            .and_then(|a| a.as_array())
            .into_iter()
            .flatten()
        {
            walk(root, option, prefix, out, depth + 1);
        }
    }
    if let Some(items) = node.get("items") {
        walk(root, items, &format!("{prefix}[]"), out, depth + 1);
    }
    if prefix == "rules" {
        // Each rule's own settings are documented on its page; the entry's common keys here.
        if let Some(extra) = node.get("additionalProperties") {
            walk(root, extra, "rules.<id>", out, depth + 1);
        }
        return;
    }
    if let Some(properties) = node.get("properties").and_then(|p| p.as_object()) {
        for (key, value) in properties {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            out.insert(path.clone());
            walk(root, value, &path, out, depth + 1);
        }
    }
}

/// Key paths in the reference tables of docs/configuration.md: rows whose first cell is a
/// backquoted key path.
fn documented_keys() -> BTreeSet<String> {
    let text = std::fs::read_to_string("docs/configuration.md").unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`'))
        .map(|(key, _)| key.to_string())
        .collect()
}

#[test]
fn every_schema_key_is_documented_and_nothing_else() {
    let schema = schema_keys();
    let docs = documented_keys();
    let missing: Vec<_> = schema.difference(&docs).collect();
    let extra: Vec<_> = docs.difference(&schema).collect();
    assert!(
        missing.is_empty(),
        "keys missing from docs/configuration.md: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "docs/configuration.md documents keys the schema does not have: {extra:?}"
    );
}

/// Each rule's settings are documented on its own page (rules/<id>.md, Options).
#[test]
fn every_rule_setting_is_documented_on_its_page() {
    for entry in kpolicy::rules::registry() {
        let serde_json::Value::Object(settings) = (entry.default_settings)() else {
            continue;
        };
        let options = entry.doc.split("## Options").nth(1).unwrap_or("");
        for name in settings.keys() {
            assert!(
                options.contains(name.as_str()),
                "rules/{}.md: setting `{name}` is not in its Options section",
                entry.meta.id
            );
        }
    }
}

#[test]
fn the_starter_loads_and_names_the_schema() {
    let first = STARTER.lines().next().unwrap();
    assert_eq!(
        first,
        format!(
            "# yaml-language-server: $schema={}",
            kpolicy::config::SCHEMA_URL
        )
    );
    let loaded = LoadedConfig::from_text(Path::new(".kpolicy.yaml"), STARTER.to_string())
        .unwrap_or_else(|e| panic!("the starter does not load:\n{}", e.render(false)));
    assert_eq!(loaded.config.default_namespace.as_deref(), Some("default"));
    // Every top-level key of the schema appears in the starter, set or commented.
    for key in schema_keys().iter().filter(|k| !k.contains(['.', '['])) {
        assert!(
            STARTER.contains(&format!("{key}:")),
            "the starter does not mention `{key}`"
        );
    }
}

#[test]
fn init_writes_refuses_to_overwrite_and_prints() {
    let dir = tempfile::tempdir().unwrap();
    let out = kpolicy_in(dir.path(), &["init"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".kpolicy.yaml")).unwrap(),
        STARTER
    );
    std::fs::write(dir.path().join(".kpolicy.yaml"), "rules: {}\n").unwrap();
    let out = kpolicy_in(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".kpolicy.yaml")).unwrap(),
        "rules: {}\n"
    );
    let out = kpolicy_in(dir.path(), &["init", "--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".kpolicy.yaml")).unwrap(),
        STARTER
    );
    let out = kpolicy_in(dir.path(), &["init", "--stdout"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), STARTER);
    // The written starter is what `lint` then reads.
    std::fs::write(
        dir.path().join("a.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    )
    .unwrap();
    let out = kpolicy_in(dir.path(), &["lint", "a.yaml"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Configuration errors as `kpolicy lint` prints them: testdata/config-errors/<name>.yaml is the
/// configuration, the snapshot next to it the standard error; the exit status is 2.
#[test]
fn configuration_errors_point_into_the_file() {
    let dir = Path::new("testdata/config-errors");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml") && !p.to_string_lossy().contains(".rules.")
        })
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for case in cases {
        let name = case.file_stem().unwrap().to_string_lossy().to_string();
        let shown = format!("testdata/config-errors/{name}.yaml");
        let out = kpolicy_in(
            root,
            &["lint", "--config", &shown, "--color", "never", "examples/"],
        );
        assert_eq!(out.status.code(), Some(2), "{shown}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        insta::with_settings!({ snapshot_path => "../testdata/config-errors", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(name, stderr);
        });
    }
}

/// The YAML files of a fixture: the file, or every file of a fixture directory.
fn yaml_files(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| kpolicy::discover::is_yaml_name(p))
        .collect();
    files.sort();
    files
}

/// Custom rules: each directory under testdata/custom-rules/ holds a `.kpolicy.yaml` and
/// `fail*`/`pass*` manifests (files, or directories linted as one run); every line of a fail
/// fixture (or of the configuration) that carries `# expect: <rule-id>` is reported by that rule
/// and no other line is; the human output is the snapshot. The custom rules run with
/// `unused-suppression` and `invalid-suppression`, nothing else.
#[test]
fn custom_rule_fixtures() {
    let base = Path::new("testdata/custom-rules");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(base)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let config = std::sync::Arc::new(
            LoadedConfig::read(&dir.join(".kpolicy.yaml"))
                .unwrap_or_else(|e| panic!("{}: {}", dir.display(), e.render(false))),
        );
        let ids: Vec<&str> = config.custom_rules.iter().map(|r| r.meta.id).collect();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                (name.starts_with("fail") || name.starts_with("pass")) && !name.ends_with(".snap")
            })
            .collect();
        files.sort();
        for file in files {
            let options = kpolicy::engine::Options {
                config: Some(config.clone()),
                selectors: vec![
                    (false, "all".into()),
                    (true, ids.join(",")),
                    (true, "unused-suppression,invalid-suppression".into()),
                ],
                ..Default::default()
            };
            let rules = kpolicy::engine::select_rules(&options).unwrap();
            let inputs = vec![kpolicy::discover::Input::Path(file.clone())];
            let report = kpolicy::engine::lint_inputs(&inputs, &options, &rules);
            assert!(
                report.errors.is_empty(),
                "{}: {:?}",
                file.display(),
                report.errors
            );
            let mut want = BTreeSet::new();
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            // Findings about the configuration itself (an unused `ignores` entry) count for
            // the fail fixtures.
            let mut marked = yaml_files(&file);
            if name.starts_with("fail") {
                marked.push(dir.join(".kpolicy.yaml"));
            }
            for path in marked {
                let text = std::fs::read_to_string(&path).unwrap();
                for (i, line) in text.lines().enumerate() {
                    for marker in line.split("# expect: ").skip(1) {
                        let id = marker.split_whitespace().next().unwrap_or("");
                        want.insert((
                            kpolicy::source::display_path(&path),
                            i as u32 + 1,
                            id.to_string(),
                        ));
                    }
                }
            }
            let got: BTreeSet<(String, u32, String)> = report
                .diagnostics
                .iter()
                .map(|d| {
                    let source = report.sources.get(d.file);
                    (
                        source.name.clone(),
                        source.line_col(d.span.start as usize).line,
                        d.rule.to_string(),
                    )
                })
                .collect();
            assert_eq!(got, want, "{}", file.display());
            if name.starts_with("pass") {
                assert!(
                    want.is_empty(),
                    "{}: a pass fixture with markers",
                    file.display()
                );
                continue;
            }
            assert!(
                !want.is_empty(),
                "{}: a fail fixture without markers",
                file.display()
            );
            let rendered = kpolicy::report::human::render(&report, false);
            let snapshot = name.trim_end_matches(".yaml").to_string();
            let snapshot_dir = format!("../{}", dir.display());
            insta::with_settings!({ snapshot_path => snapshot_dir, prepend_module_to_snapshot => false, omit_expression => true }, {
                insta::assert_snapshot!(snapshot, rendered);
            });
        }
    }
}

/// Custom rules are reported in every format like built-in ones: SARIF describes them (the
/// result's `ruleIndex` names the right descriptor), and the other formats carry their id.
#[test]
fn custom_rules_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::copy(
        "testdata/custom-rules/payments-min-replicas/.kpolicy.yaml",
        root.join(".kpolicy.yaml"),
    )
    .unwrap();
    std::fs::copy(
        "testdata/custom-rules/payments-min-replicas/fail.yaml",
        root.join("fail.yaml"),
    )
    .unwrap();
    let args = [
        "lint",
        "fail.yaml",
        "--disable",
        "all",
        "--enable",
        "payments-min-replicas",
        "--format",
        "json=out.json",
        "--format",
        "sarif=out.sarif",
        "--format",
        "junit=out.xml",
        "--format",
        "codeclimate=out.cc.json",
        "--format",
        "github",
    ];
    let out = kpolicy_in(root, &args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let github = String::from_utf8(out.stdout).unwrap();
    assert!(
        github.contains("::error file=fail.yaml,line=7,"),
        "{github}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("out.json")).unwrap()).unwrap();
    assert_eq!(json["diagnostics"][0]["rule"], "payments-min-replicas");
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("out.sarif")).unwrap()).unwrap();
    assert_eq!(sarif::schema_errors(&log), Vec::<String>::new());
    assert_eq!(sarif::github_errors(&log, root), Vec::<String>::new());
    let run = &log["runs"][0];
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "payments-min-replicas");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(
        run["tool"]["driver"]["rules"][index]["id"],
        "payments-min-replicas"
    );
    assert_eq!(
        run["tool"]["driver"]["rules"][index]["defaultConfiguration"]["level"],
        "error"
    );
    let junit = std::fs::read_to_string(root.join("out.xml")).unwrap();
    assert!(junit.contains("payments-min-replicas"), "{junit}");
    let cc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("out.cc.json")).unwrap()).unwrap();
    assert_eq!(cc[0]["check_name"], "payments-min-replicas");
    // --statistics shows the custom rule's summary.
    let out = kpolicy_in(
        root,
        &[
            "lint",
            "fail.yaml",
            "--disable",
            "all",
            "--enable",
            "payments-min-replicas",
            "--statistics",
        ],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2  payments-min-replicas  error    Deployment … in payments runs … replica(s); it needs at least 3"), "{text}");
}

/// `kpolicy rules` lists the custom rules of the configuration found, and `kpolicy explain`
/// shows one.
#[test]
fn rules_and_explain_know_custom_rules() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/custom-rules/payments-min-replicas");
    let out = kpolicy_in(&dir, &["rules"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("payments-min-replicas")
            && l.contains("error")
            && l.contains("on")),
        "{text}"
    );
    let out = kpolicy_in(&dir, &["rules", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "payments-min-replicas" && r["custom"] == true)
    );
    let out = kpolicy_in(&dir, &["explain", "payments-min-replicas"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("expression: has(object.spec.replicas) && object.spec.replicas >= 3"),
        "{text}"
    );
}

/// Custom rules give the same output whatever the thread count.
#[test]
fn custom_rules_output_does_not_depend_on_threads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/custom-rules/cross-object");
    let mut outputs = Vec::new();
    for threads in ["1", "2", "4", "8"] {
        let out = Command::new(env!("CARGO_BIN_EXE_kpolicy"))
            .args(["lint", ".", "--format", "json", "--disable", "all"])
            .args([
                "--enable",
                "acme-deployment-has-pdb,acme-service-has-workload",
            ])
            .current_dir(&dir)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        outputs.push(out.stdout);
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
    let json: serde_json::Value = serde_json::from_slice(&outputs[0]).unwrap();
    let custom = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"].as_str().unwrap().starts_with("acme-"))
        .count();
    // One Service per run without its Deployment (all fixture files are one run here).
    assert_eq!(custom, 2, "{json}");
}

/// `failOn`, `include`/`exclude` and category entries under `rules:`, and the command line
/// winning over them.
#[test]
fn fail_on_paths_and_categories() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: apps}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n";
    for file in [
        "k8s/app.yaml",
        "k8s/vendor/chart.yaml",
        "other/x.yaml",
        "k8s/app.test.yaml",
    ] {
        std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
        std::fs::write(root.join(file), pod).unwrap();
    }
    std::fs::write(
        root.join(".kpolicy.yaml"),
        "failOn: error\ninclude: [k8s]\nexclude: [k8s/vendor, \"**/*.test.yaml\"]\nrules:\n  all: {enabled: false}\n  security: {enabled: true, severity: info}\n  privileged-container: {severity: error}\n",
    )
    .unwrap();
    let files = |out: &Output| -> BTreeSet<String> {
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["file"].as_str().unwrap().to_string())
            .collect()
    };
    let out = kpolicy_in(root, &["lint", "--format", "json"]);
    // Only k8s/app.yaml is linted (include, then exclude); security findings at info do not fail.
    assert_eq!(files(&out), BTreeSet::from(["k8s/app.yaml".to_string()]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for d in json["diagnostics"].as_array().unwrap() {
        assert_eq!(d["severity"], "info", "{d}");
        let rule = kpolicy::rules::find(d["rule"].as_str().unwrap()).unwrap();
        assert_eq!(
            rule.meta.category,
            kpolicy::rules::Category::Security,
            "{d}"
        );
    }
    // Named on the command line, an excluded file is still skipped (pre-commit passes names).
    let out = kpolicy_in(
        root,
        &[
            "lint",
            "--format",
            "json",
            "k8s/vendor/chart.yaml",
            "other/x.yaml",
        ],
    );
    assert!(files(&out).is_empty());
    // --fail-on beats failOn.
    let out = kpolicy_in(root, &["lint", "--format", "json", "--fail-on", "info"]);
    assert_eq!(out.status.code(), Some(1));
    // --enable beats `rules:`.
    let out = kpolicy_in(
        root,
        &[
            "lint",
            "--format",
            "json",
            "--enable",
            "container-missing-memory-limit",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["rule"] == "container-missing-memory-limit")
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Loading never panics: arbitrary text, and the fixtures' configurations with a byte changed.
    #[test]
    fn loading_never_panics(text in ".{0,200}", at in 0usize..2000, byte in 0u8..128) {
        let _ = LoadedConfig::from_text(Path::new(".kpolicy.yaml"), text);
        for source in [STARTER, include_str!("../testdata/custom-rules/cross-object/.kpolicy.yaml"), include_str!("../testdata/config-errors/bad-cel.yaml")] {
            let mut bytes = source.as_bytes().to_vec();
            let i = at % bytes.len();
            bytes[i] = byte;
            if let Ok(mutated) = String::from_utf8(bytes)
                && let Ok(config) = LoadedConfig::from_text(Path::new(".kpolicy.yaml"), mutated)
            {
                // And the rules it compiled run on a manifest without panicking.
                let options = kpolicy::engine::Options { config: Some(std::sync::Arc::new(config)), ..Default::default() };
                if let Ok(rules) = kpolicy::engine::select_rules(&options) {
                    let manifest = include_str!("../testdata/custom-rules/cross-object/fail.yaml");
                    let _ = kpolicy::engine::lint_texts(vec![("m.yaml".into(), manifest.into())], &options, &rules);
                }
            }
        }
    }
}

/// A custom rule's severity is overridden by a `rules:` entry, and categories select it.
#[test]
fn custom_rules_take_severity_overrides_and_categories() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let base = std::fs::read_to_string("testdata/custom-rules/cross-object/.kpolicy.yaml").unwrap();
    std::fs::copy(
        "testdata/custom-rules/cross-object/fail.yaml",
        root.join("fail.yaml"),
    )
    .unwrap();
    let run = |config: &str, args: &[&str]| -> Vec<(String, String)> {
        std::fs::write(root.join(".kpolicy.yaml"), config).unwrap();
        let mut all = vec!["lint", "fail.yaml", "--format", "json", "--disable", "all"];
        all.extend_from_slice(args);
        let out = kpolicy_in(root, &all);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["rule"].as_str().unwrap().to_string(),
                    d["severity"].as_str().unwrap().to_string(),
                )
            })
            .filter(|(rule, _)| rule.starts_with("acme-"))
            .collect()
    };
    // acme-deployment-has-pdb is in `reliability`; acme-service-has-workload in `best-practice`.
    let found = run(&base, &["--enable", "reliability"]);
    assert_eq!(
        found,
        vec![("acme-deployment-has-pdb".to_string(), "warning".to_string())]
    );
    let found = run(
        &format!("{base}rules:\n  acme-deployment-has-pdb: {{severity: error}}\n"),
        &["--enable", "acme-deployment-has-pdb"],
    );
    assert_eq!(
        found,
        vec![("acme-deployment-has-pdb".to_string(), "error".to_string())]
    );
    let found = run(
        &format!("{base}rules:\n  best-practice: {{severity: info}}\n"),
        &[
            "--enable",
            "all",
            "--disable",
            "correctness,reliability,security,style,nursery",
        ],
    );
    assert!(
        found.contains(&("acme-service-has-workload".to_string(), "info".to_string())),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(r, _)| r == "acme-deployment-has-pdb"),
        "{found:?}"
    );
}
