//! The CI formats as users run them: SARIF (schema-valid, GitHub-acceptable), GitHub workflow
//! commands and step summary, JUnit, Code Climate, several formats in one run, `--statistics`,
//! and baselines that survive unrelated edits.

#[path = "support/sarif.rs"]
mod sarif_check;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The rules these format tests count on; newer default rules must not change their numbers.
/// `run` starts every `lint` with `--disable all --enable RESOURCE_RULES` (later flags still apply).
const RESOURCE_RULES: &str =
    "container-missing-cpu-request,container-missing-memory-limit,container-missing-memory-request";

fn run(dir: &Path, args: &[&str], env: &[(&str, &Path)], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kpolicy"));
    let mut args = args.to_vec();
    if args.first() == Some(&"lint") {
        args.splice(1..1, ["--disable", "all", "--enable", RESOURCE_RULES]);
    }
    command
        .args(&args)
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("run kpolicy");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A throwaway repository: a `.git` directory marks its root.
fn git_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

fn write(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n";

#[test]
fn sarif_is_schema_valid_with_rules_regions_related_locations_and_fingerprints() {
    let out = run(
        repo(),
        &[
            "lint",
            "examples",
            "testdata/rules/namespace-missing-limitrange/fail-split",
            "testdata/rules/container-missing-memory-limit/fail-limitrange",
            "--enable",
            "all",
            "--format",
            "sarif",
        ],
        &[],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = sarif_check::schema_errors(&log);
    assert!(errors.is_empty(), "schema: {errors:#?}");
    let errors = sarif_check::github_errors(&log, repo());
    assert!(errors.is_empty(), "GitHub constraints: {errors:#?}");

    assert_eq!(log["version"], "2.1.0");
    // The validator is not vacuous: a line 0 or an unknown level is rejected.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    broken["runs"][0]["results"][1]["level"] = "fatal".into();
    assert_eq!(
        sarif_check::schema_errors(&broken).len(),
        2,
        "{:#?}",
        sarif_check::schema_errors(&broken)
    );
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let listed: Value = serde_json::from_slice(
        &Command::new(env!("CARGO_BIN_EXE_kpolicy"))
            .args(["rules", "--format", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        rules.len(),
        listed.as_array().unwrap().len(),
        "every registered rule"
    );
    let memory = rules
        .iter()
        .find(|r| r["id"] == "container-missing-memory-limit")
        .unwrap();
    assert_eq!(
        memory["helpUri"],
        format!(
            "{}container-missing-memory-limit.md",
            kpolicy::report::RULE_DOCS_BASE_URL
        )
    );
    assert_eq!(memory["defaultConfiguration"]["level"], "warning");
    assert!(
        memory["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why is this bad?")
    );
    assert!(
        memory["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Reports a container")
    );
    let cpu_limit = rules
        .iter()
        .find(|r| r["id"] == "container-missing-cpu-limit")
        .unwrap();
    assert_eq!(cpu_limit["defaultConfiguration"]["level"], "note");
    assert_eq!(cpu_limit["defaultConfiguration"]["enabled"], false);

    let results = run["results"].as_array().unwrap();
    let first = results
        .iter()
        .find(|r| r["ruleId"] == "container-missing-memory-limit")
        .unwrap();
    let location = &first["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "examples/elastalert.yaml"
    );
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 27, "startColumn": 11, "endLine": 27, "endColumn": 24})
    );
    // Secondary labels, here in another file of the set, are related locations with a message.
    let related = results
        .iter()
        .flat_map(|r| {
            r["relatedLocations"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .find(|l| {
            l["physicalLocation"]["artifactLocation"]["uri"]
                == "testdata/rules/namespace-missing-limitrange/fail-split/workloads.yaml"
        })
        .expect("a cross-file related location");
    assert_eq!(
        related["message"]["text"],
        "Deployment runs in this namespace"
    );
    assert!(related["id"].as_u64().is_some_and(|id| id >= 1));
    assert!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("file:///")
    );
}

#[test]
fn sarif_paths_are_relative_to_the_git_root_encoded_and_columns_utf16() {
    let dir = git_dir();
    let root = dir.path();
    // An emoji before the span: 2 UTF-16 code units, 1 character.
    let manifest = DEPLOYMENT.replace(
        "      - name: web\n        image: nginx:1.25\n",
        "      - {image: \"😀\", name: web}\n",
    );
    write(&root.join("apps/my app/ü.yaml"), &manifest);
    let sub = root.join("apps");
    let sarif = run(&sub, &["lint", "my app", "--format", "sarif"], &[], None);
    let json = run(&sub, &["lint", "my app", "--format", "json"], &[], None);
    let log: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert!(
        sarif_check::schema_errors(&log).is_empty(),
        "{:#?}",
        sarif_check::schema_errors(&log)
    );
    let errors = sarif_check::github_errors(&log, root);
    assert!(errors.is_empty(), "{errors:#?}");
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "container-missing-memory-limit")
        .unwrap();
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "apps/my%20app/%C3%BC.yaml"
    );
    let finding = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "container-missing-memory-limit")
        .unwrap();
    // JSON counts characters and keeps the path as given; SARIF counts UTF-16 code units.
    assert_eq!(finding["file"], "my app/ü.yaml");
    assert_eq!(
        location["region"]["startColumn"].as_u64().unwrap(),
        finding["start"]["column"].as_u64().unwrap() + 1
    );
}

#[test]
fn github_annotations_are_escaped_and_the_step_summary_is_appended() {
    let dir = git_dir();
    let root = dir.path();
    let manifest = DEPLOYMENT.replace("- name: web", "- name: \"web%1,a:b\"");
    write(&root.join("k8s/a,b:c.yaml"), &manifest);
    let summary = root.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = run(
        &root.join("k8s"),
        &[
            "lint",
            ".",
            "--format",
            "github",
            "--enable",
            "container-missing-cpu-limit",
            "--disable",
            "namespace-missing-limitrange",
        ],
        &[("GITHUB_STEP_SUMMARY", &summary)],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert!(
        lines.contains(&"::warning file=k8s/a%2Cb%3Ac.yaml,line=10,endLine=10,col=9,endColumn=26,title=kpolicy (container-missing-memory-limit)::container \"web%251,a:b\" has no memory limit%0A%0Ahelp: set `resources.limits.memory`, e.g.%0A  resources:%0A    limits:%0A      memory: 512Mi"),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::notice file=k8s/a%2Cb%3Ac.yaml,")
                && l.contains("title=kpolicy (container-missing-cpu-limit)::")),
        "info is a notice: {stdout}"
    );
    assert!(lines.iter().all(|l| !l.contains('\r')));
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("earlier step\n### kpolicy\n"),
        "{summary}"
    );
    assert!(
        summary.contains("| Rule | Severity | Count | Summary |"),
        "{summary}"
    );
    assert!(
        summary.contains(&format!(
            "| [`container-missing-memory-limit`]({}container-missing-memory-limit.md) | warning | 1 |",
            kpolicy::report::RULE_DOCS_BASE_URL
        )),
        "{summary}"
    );
    assert!(
        summary.contains("Found 4 problems (3 warnings, 1 info) in 1 file"),
        "{summary}"
    );
}

#[test]
fn github_annotations_for_stdin_and_input_errors() {
    let out = run(
        repo(),
        &["lint", "-", "missing.yaml", "--format", "github"],
        &[],
        Some(DEPLOYMENT.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("::warning title=kpolicy (container-missing-memory-limit)::")),
        "no file for stdin: {stdout}"
    );
    assert!(
        stdout.contains(
            "::error title=kpolicy%3A input error::missing.yaml: no such file or directory"
        ),
        "{stdout}"
    );
}

#[test]
fn junit_is_well_formed_and_escapes_markup() {
    use quick_xml::events::Event;

    let dir = git_dir();
    let root = dir.path();
    write(
        &root.join("bad.yaml"),
        &DEPLOYMENT.replace("- name: web", "- name: 'a<b&\"c]]>'"),
    );
    write(
        &root.join("clean.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    );
    let out = run(
        root,
        &[
            "lint",
            ".",
            "--format",
            "junit",
            "--disable",
            "namespace-missing-limitrange",
        ],
        &[],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let xml = text(&out.stdout);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut stack: Vec<String> = Vec::new();
    let mut suites = Vec::new();
    let mut failures = Vec::new();
    let mut cases = 0;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (e, opens) = match &event {
            Event::Eof => break,
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(_) => {
                stack.pop();
                continue;
            }
            _ => continue,
        };
        let name = e.name().as_ref().to_string();
        let attr = |key: &str| {
            e.try_get_attribute(key).unwrap().map(|a| {
                a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                    .unwrap()
                    .to_string()
            })
        };
        match name.as_str() {
            "testsuite" => suites.push((attr("name").unwrap(), attr("failures").unwrap())),
            "testcase" => cases += 1,
            "failure" => {
                assert_eq!(stack.last().map(String::as_str), Some("testcase"));
                failures.push(attr("message").unwrap());
            }
            _ => {}
        }
        if opens {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unbalanced: {stack:?}");
    assert_eq!(
        suites,
        [
            ("bad.yaml".to_string(), "3".to_string()),
            ("clean.yaml".to_string(), "0".to_string())
        ]
    );
    assert_eq!(cases, 4, "3 failures and the clean file's passing case");
    assert!(
        failures.contains(&"container \"a<b&\"c]]>\" has no memory limit".to_string()),
        "{failures:?}"
    );
}

#[test]
fn codeclimate_has_the_fields_gitlab_reads() {
    let dir = git_dir();
    let root = dir.path();
    write(&root.join("deploy/app.yaml"), DEPLOYMENT);
    let out = run(
        &root.join("deploy"),
        &["lint", "app.yaml", "--format", "codeclimate"],
        &[],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let issues: Value = serde_json::from_slice(&out.stdout).unwrap();
    let issues = issues.as_array().unwrap();
    assert!(issues.len() >= 3);
    let mut fingerprints = std::collections::HashSet::new();
    for issue in issues {
        assert_eq!(issue["type"], "issue");
        assert!(issue["description"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(issue["check_name"].as_str().is_some());
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&issue["severity"].as_str().unwrap())
        );
        assert!(fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_string()));
        assert_eq!(
            issue["location"]["path"], "deploy/app.yaml",
            "relative to the repository root"
        );
        let begin = issue["location"]["lines"]["begin"].as_u64().unwrap();
        assert!(begin >= 1 && issue["location"]["lines"]["end"].as_u64().unwrap() >= begin);
        assert!(issue["categories"].as_array().is_some_and(|c| c.len() == 1));
    }
    let memory = issues
        .iter()
        .find(|i| i["check_name"] == "container-missing-memory-limit")
        .unwrap();
    assert_eq!(memory["severity"], "minor");
    assert_eq!(memory["location"]["lines"]["begin"], 10);
    assert!(
        memory["content"]["body"]
            .as_str()
            .unwrap()
            .contains("resources.limits.memory")
    );
}

#[test]
fn several_formats_and_outputs_in_one_run() {
    let dir = git_dir();
    let root = dir.path();
    write(&root.join("app.yaml"), DEPLOYMENT);
    let all_formats = || {
        let args = [
            "lint",
            "app.yaml",
            "--format",
            "human",
            "--format",
            "sarif=out/kpolicy.sarif",
            "--format",
            "json",
            "--output",
            "out/kpolicy.json",
            "--format",
            "junit",
            "-o",
            "out/junit.xml",
            "--format=codeclimate=out/cc.json",
        ];
        run(root, &args, &[], None)
    };
    // out/ does not exist: files cannot be written, which is an error after everything else.
    let out = all_formats();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("cannot write out/kpolicy.sarif"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).starts_with("app.yaml:"),
        "stdout still written"
    );
    std::fs::create_dir(root.join("out")).unwrap();
    let out = all_formats();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let human = text(&out.stdout);
    assert!(human.starts_with("app.yaml:"), "human on stdout: {human}");
    assert!(!human.contains('\x1b'), "no color when piped");
    let read = |name: &str| std::fs::read_to_string(root.join("out").join(name)).unwrap();
    let sarif: Value = serde_json::from_str(&read("kpolicy.sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let json: Value = serde_json::from_str(&read("kpolicy.json")).unwrap();
    assert_eq!(json["version"], 1);
    assert!(read("junit.xml").contains("<testsuites name=\"kpolicy\""));
    let cc: Value = serde_json::from_str(&read("cc.json")).unwrap();
    assert_eq!(
        cc.as_array().unwrap().len(),
        json["diagnostics"].as_array().unwrap().len()
    );
    // The same fingerprints in SARIF and Code Climate.
    let sarif_fps: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["partialFingerprints"]["kpolicy/v1"])
        .collect();
    let cc_fps: Vec<&Value> = cc
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["fingerprint"])
        .collect();
    assert_eq!(sarif_fps, cc_fps);

    // A single format pairs with an --output anywhere; `FORMAT=-` is stdout.
    let out = run(
        root,
        &[
            "lint",
            "--output",
            "out/one.json",
            "app.yaml",
            "--format",
            "json",
        ],
        &[],
        None,
    );
    assert!(out.stdout.is_empty());
    assert!(read("one.json").contains("\"version\": 1"));
    let out = run(
        root,
        &[
            "lint",
            "app.yaml",
            "--format",
            "sarif=-",
            "--format",
            "json=out/j.json",
        ],
        &[],
        None,
    );
    assert!(text(&out.stdout).contains("\"2.1.0\""));
    // Usage errors: two formats on stdout, an --output that follows no format, two outputs for one.
    for args in [
        &["lint", "app.yaml", "--format", "json", "--format", "sarif"][..],
        &[
            "lint", "app.yaml", "-o", "x", "--format", "json", "--format", "sarif=y",
        ][..],
        &[
            "lint", "app.yaml", "--format", "json=a", "-o", "b", "--format", "human",
        ][..],
        &[
            "lint", "app.yaml", "--format", "json=a", "--format", "sarif=a",
        ][..],
        &["lint", "app.yaml", "--format", "xml"][..],
        &["lint", "app.yaml", "--format", "json="][..],
    ] {
        let out = run(root, args, &[], None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing linted");
    }
}

#[test]
fn statistics_count_by_rule_and_keep_the_summary() {
    let out = run(repo(), &["lint", "examples", "--statistics"], &[], None);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "2  container-missing-cpu-request     warning  A container has no CPU request (nor a limit it would default to), so it gets no guaranteed CPU share",
            "2  container-missing-memory-limit    warning  A container has no memory limit, so it can take all of its node's memory",
            "2  container-missing-memory-request  warning  A container has no memory request (nor a limit it would default to), so the scheduler packs it blind",
            "Found 6 problems (6 warnings) in 1 file (2 objects).",
        ],
        "{stdout}"
    );
    let quiet = run(
        repo(),
        &["lint", "examples", "--statistics", "-q"],
        &[],
        None,
    );
    assert_eq!(text(&quiet.stdout).lines().count(), 3);
}

#[test]
fn baseline_matches_findings_moved_by_unrelated_edits() {
    let dir = git_dir();
    let root = dir.path();
    let second = DEPLOYMENT.replace("name: web\n  namespace", "name: api\n  namespace");
    // The same object twice: equal fingerprints, told apart by the occurrence counter.
    let original = format!("{DEPLOYMENT}---\n{second}---\n{DEPLOYMENT}");
    write(&root.join("k8s/app.yaml"), &original);
    let baseline_args = [
        "lint",
        "k8s",
        "--disable",
        "all",
        "--enable",
        RESOURCE_RULES,
    ];

    let mut args = baseline_args.to_vec();
    args.extend(["--write-baseline", ".kpolicy-baseline.json"]);
    let out = run(root, &args, &[], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("wrote a baseline of 9 finding(s) to .kpolicy-baseline.json"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        text(&out.stdout),
        "No problems found in 1 file (3 objects); 9 baselined.\n"
    );
    let baseline: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(".kpolicy-baseline.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(baseline["version"], 1);
    let entries = baseline["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 9);
    assert_eq!(entries[0]["file"], "k8s/app.yaml");
    assert_eq!(entries[0]["line"], 10);
    let fps: Vec<&str> = entries
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap())
        .collect();
    assert!(
        fps.iter().any(|f| f.ends_with(":2")),
        "duplicates are counted: {fps:?}"
    );
    // The baseline's fingerprints are SARIF's.
    let sarif = run(
        root,
        &[
            "lint",
            "k8s",
            "--disable",
            "namespace-missing-limitrange",
            "--format",
            "sarif",
        ],
        &[],
        None,
    );
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let sarif_fps: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"]["kpolicy/v1"].as_str().unwrap())
        .collect();
    assert_eq!(sarif_fps, fps);

    let with_baseline = |dir: &Path, path: &str| {
        let mut args = baseline_args.to_vec();
        args.extend(["--baseline", path]);
        if dir != root {
            args[1] = "../k8s";
        }
        run(dir, &args, &[], None)
    };
    // An unrelated edit moves every finding down 10 lines: all still baselined.
    let padding: String = (0..10).map(|i| format!("# note {i}\n")).collect();
    write(&root.join("k8s/app.yaml"), &format!("{padding}{original}"));
    let out = with_baseline(root, ".kpolicy-baseline.json");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(
        text(&out.stdout),
        "No problems found in 1 file (3 objects); 9 baselined.\n"
    );
    // From another directory of the repository, too (paths are relative to the root).
    std::fs::create_dir(root.join("other")).unwrap();
    let out = with_baseline(&root.join("other"), "../.kpolicy-baseline.json");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    // A new finding is reported; a third copy of a duplicated object is new as well.
    let added = DEPLOYMENT.replace("name: web\n  namespace", "name: new\n  namespace");
    write(
        &root.join("k8s/app.yaml"),
        &format!("{padding}{original}---\n{added}---\n{DEPLOYMENT}"),
    );
    let mut args = baseline_args.to_vec();
    args.extend(["--baseline", ".kpolicy-baseline.json", "--format", "json"]);
    let out = run(root, &args, &[], None);
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["object"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["new", "new", "new", "web", "web", "web"]);
    assert_eq!(json["summary"]["baselined"], 9);

    // A fixed finding simply drops out; an unreadable baseline is a usage error.
    let mut args = baseline_args.to_vec();
    args.extend(["--baseline", "missing.json"]);
    let out = run(root, &args, &[], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read baseline missing.json"));
}

#[test]
fn ci_formats_are_byte_identical_across_runs_and_thread_counts() {
    for format in ["sarif", "github", "junit", "codeclimate"] {
        let run_with = |threads: &str| {
            Command::new(env!("CARGO_BIN_EXE_kpolicy"))
                .args([
                    "lint", "testdata", "examples", "--enable", "all", "--format", format,
                ])
                .current_dir(repo())
                .env("RAYON_NUM_THREADS", threads)
                .env_remove("GITHUB_STEP_SUMMARY")
                .output()
                .unwrap()
                .stdout
        };
        let one = run_with("1");
        assert!(!one.is_empty());
        assert_eq!(one, run_with("4"), "{format} differs between runs");
    }
}
