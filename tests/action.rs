//! The GitHub Action (action.yml) run locally through tests/action/run-local.sh, which executes
//! the action's own steps with the GITHUB_* variables set. The test binary stands in for the
//! cached kpolicy build (KPOLICY_ACTION_PREBUILT); `.ci/run` also runs the real install (tests/action/install-and-cache.sh).
//!
//! Needs bash and python3 with PyYAML; skipped with a printed reason when they are missing,
//! unless KPOLICY_REQUIRE_TOOLS=1 (set by `.ci/run`).

#[path = "support/sarif.rs"]
mod sarif_check;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tools_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success())
        && Command::new("bash")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var_os("KPOLICY_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
            panic!("bash and python3 with PyYAML are required (KPOLICY_REQUIRE_TOOLS=1)");
        }
        eprintln!(
            "skipping: bash or python3 with PyYAML not found (set KPOLICY_REQUIRE_TOOLS=1 to make this a failure)"
        );
    }
    ok
}

struct Run {
    output: Output,
    summary: String,
    outputs: HashMap<String, String>,
}

fn run_action(workspace: &Path, inputs: &[&str]) -> Run {
    let state = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/action/run-local.sh");
    let output = Command::new("bash")
        .arg(script)
        .arg(workspace)
        .args(inputs)
        .env("KPOLICY_ACTION_STATE", state.path())
        .env("KPOLICY_ACTION_PREBUILT", env!("CARGO_BIN_EXE_kpolicy"))
        .env_remove("KPOLICY_ACTION_CACHE")
        .output()
        .expect("run tests/action/run-local.sh");
    let summary = std::fs::read_to_string(state.path().join("step-summary.md")).unwrap();
    let outputs = std::fs::read_to_string(state.path().join("outputs"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Run {
        output,
        summary,
        outputs,
    }
}

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n";

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("deploy/k8s")).unwrap();
    std::fs::write(root.join("deploy/k8s/app.yaml"), DEPLOYMENT).unwrap();
    std::fs::write(
        root.join("deploy/k8s/config.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
    )
    .unwrap();
    (dir, root)
}

#[test]
fn action_annotates_writes_sarif_and_the_step_summary_and_fails_on_warnings() {
    if !tools_available() {
        return;
    }
    let (_dir, root) = workspace();
    let run = run_action(
        &root,
        &[
            "working-directory=deploy",
            "paths=k8s",
            "sarif-file=kpolicy.sarif",
            "format=junit=kpolicy.xml",
            "args=--disable all --enable container-missing-cpu-request,container-missing-memory-limit,container-missing-memory-request",
        ],
    );
    let stdout = String::from_utf8_lossy(&run.output.stdout);
    let stderr = String::from_utf8_lossy(&run.output.stderr);
    assert_eq!(run.output.status.code(), Some(1), "{stdout}\n{stderr}");
    // Annotations, with paths relative to the repository root (not the working directory).
    let annotations: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::warning file="))
        .collect();
    assert_eq!(annotations.len(), 3, "{stdout}");
    assert!(
        annotations[0].starts_with("::warning file=deploy/k8s/app.yaml,line=10,endLine=10,col=9,endColumn=18,title=kpolicy (container-missing-cpu-request)::"),
        "{stdout}"
    );
    // SARIF for upload-sarif, valid and GitHub-acceptable.
    let sarif_path = root.join("deploy/kpolicy.sarif");
    assert_eq!(
        run.outputs.get("sarif-file").map(String::as_str),
        Some(sarif_path.to_str().unwrap())
    );
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    assert!(sarif_check::schema_errors(&log).is_empty());
    assert!(sarif_check::github_errors(&log, &root).is_empty());
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 3);
    assert!(root.join("deploy/kpolicy.xml").is_file(), "extra formats");
    // The job summary and the outputs.
    assert!(run.summary.starts_with("### kpolicy\n"), "{}", run.summary);
    assert!(
        run.summary
            .contains("Found 3 problems (3 warnings) in 2 files (2 objects)."),
        "{}",
        run.summary
    );
    assert!(
        run.summary
            .contains("| [`container-missing-memory-limit`]("),
        "{}",
        run.summary
    );
    assert_eq!(run.outputs.get("exit-code").map(String::as_str), Some("1"));
    // The steps really came from action.yml, the cached binary was used and not rebuilt.
    assert!(stdout.contains("::group::Install kpolicy"), "{stdout}");
    assert!(!stderr.contains("Compiling"), "{stderr}");
}

#[test]
fn action_fail_on_and_errors() {
    if !tools_available() {
        return;
    }
    let (_dir, root) = workspace();
    let never = run_action(&root, &["paths=deploy", "fail-on=never"]);
    assert_eq!(never.output.status.code(), Some(0));
    assert_eq!(
        never.outputs.get("exit-code").map(String::as_str),
        Some("1")
    );
    let error = run_action(&root, &["paths=deploy", "fail-on=error"]);
    assert_eq!(error.output.status.code(), Some(0), "warnings only");
    assert_eq!(
        error.outputs.get("exit-code").map(String::as_str),
        Some("0")
    );
    let bad = run_action(&root, &["paths=deploy", "fail-on=sometimes"]);
    assert_eq!(bad.output.status.code(), Some(2));
    let missing = run_action(&root, &["paths=deploy nowhere", "config=none.yaml"]);
    assert_eq!(missing.output.status.code(), Some(2));
    let pinned = run_action(&root, &["version=9.9.9"]);
    assert_eq!(pinned.output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&pinned.output.stdout)
            .contains("the version input is 9.9.9, but this ref of the action builds kpolicy"),
    );
    let matching = run_action(
        &root,
        &[
            concat!("version=", env!("CARGO_PKG_VERSION")),
            "paths=deploy/k8s/config.yaml",
        ],
    );
    assert_eq!(matching.output.status.code(), Some(0));
}
