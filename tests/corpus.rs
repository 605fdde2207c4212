//! Real-world input from `../shared/corpus`: no crash, no input error, every span inside its file,
//! and the benchmark set read exactly as its manifest says (object counts per file, no syntax errors).
//!
//! Skipped with a printed reason when `../shared` is absent (a user's clone); `.ci/run` sets
//! `KPOLICY_REQUIRE_SHARED=1`, which turns its absence into a failure.

#[path = "support/sarif.rs"]
mod sarif_check;

#[path = "support/shared.rs"]
mod shared;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use kpolicy::discover::Input;
use kpolicy::engine::{Options, Report, lint_inputs, select_rules};
use kpolicy::report::{human, json};

fn corpus() -> Option<PathBuf> {
    shared::path("corpus")
}

fn all_rules_options() -> Options {
    Options {
        no_ignore: true,
        enable: vec!["all".to_string()],
        ..Options::default()
    }
}

fn assert_spans_inside(report: &Report) {
    for d in &report.diagnostics {
        let spans =
            std::iter::once((d.file, d.span)).chain(d.labels.iter().map(|l| (l.file, l.span)));
        for (file, span) in spans {
            let source = report.sources.get(file);
            let text = &source.text;
            assert!(
                span.start <= span.end,
                "{}: inverted span {span:?} for {}",
                source.name,
                d.rule
            );
            assert!(
                (span.end as usize) <= text.len(),
                "{}: span {span:?} of {} ends past the file ({} bytes)",
                source.name,
                d.rule,
                text.len()
            );
            assert!(
                text.is_char_boundary(span.start as usize)
                    && text.is_char_boundary(span.end as usize),
                "{}: span {span:?} of {} splits a character",
                source.name,
                d.rule
            );
            let at = source.line_col(span.start as usize);
            assert!(at.line >= 1 && at.col >= 1);
        }
    }
}

#[test]
fn whole_corpus_lints_without_crash_or_input_error() {
    let Some(corpus) = corpus() else { return };
    let options = all_rules_options();
    let rules = select_rules(&options).unwrap();
    let report = lint_inputs(&[Input::Path(corpus)], &options, &rules);
    assert!(
        report.errors.is_empty(),
        "input errors: {:?}",
        report.errors
    );
    assert!(report.files() > 5000, "only {} files found", report.files());
    assert_spans_inside(&report);
    // Rendering every finding exercises the code-frame windows on real files.
    let text = human::render(&report, false);
    assert!(text.len() > 1000);
    let parsed: serde_json::Value = serde_json::from_str(&json::render(&report)).unwrap();
    assert_eq!(
        parsed["diagnostics"].as_array().unwrap().len(),
        report.diagnostics.len()
    );
    // Syntax errors are only where the corpus has unrendered Go templates or invalid YAML as shipped.
    for d in report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "yaml-syntax")
    {
        let source = report.sources.get(d.file);
        let known_bad = source.text.contains("{{") || source.text.contains("{%")
            || source.name.ends_with("ingress-nginx__controller-v1.0.0/deploy/static/provider/aws/deploy-tls-termination.yaml");
        assert!(
            known_bad,
            "{}: unexpected yaml-syntax finding: {}",
            source.name, d.message
        );
    }
}

#[test]
fn bench_objects_match_the_manifest() {
    let Some(corpus) = corpus() else { return };
    let manifest = std::fs::read_to_string(corpus.join("BENCH_MANIFEST.tsv")).unwrap();
    let mut expected: HashMap<String, usize> = HashMap::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        expected.insert(cols[0].to_string(), cols[4].parse().unwrap());
    }
    let options = all_rules_options();
    let rules = select_rules(&options).unwrap();
    let bench = corpus.join("bench");
    let report = lint_inputs(&[Input::Path(bench.clone())], &options, &rules);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.files(), expected.len());
    assert_eq!(report.objects, expected.values().sum::<usize>());
    assert!(
        report.diagnostics.iter().all(|d| d.rule != "yaml-syntax"),
        "every bench file parses: {:?}",
        report.diagnostics.iter().find(|d| d.rule == "yaml-syntax")
    );
    // Per file, through the library: the object model finds what the manifest counted.
    for (id, source) in report.sources.iter() {
        let name = Path::new(&source.name)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let parsed = kpolicy::yaml::parse_file(
            id,
            &std::sync::Arc::new(kpolicy::source::SourceFile::new(
                source.origin.clone(),
                source.text.clone(),
            )),
        );
        let objects: usize = parsed
            .documents
            .iter()
            .map(|d| kpolicy::object::objects_of(d).len())
            .sum();
        assert_eq!(Some(&objects), expected.get(&name), "{name}");
    }
    assert_spans_inside(&report);
}

/// Decodes a workflow command property value (`%25`, `%0D`, `%0A`, `%3A`, `%2C`).
fn unescape_property(value: &str) -> String {
    value
        .replace("%2C", ",")
        .replace("%3A", ":")
        .replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
}

/// The whole benchmark set with every rule on, through the binary as CI runs it: the SARIF log
/// validates against the SARIF 2.1.0 schema and meets GitHub code scanning's constraints, and
/// every GitHub annotation names a file and a region inside it.
#[test]
fn bench_sarif_and_github_annotations_are_valid() {
    let Some(corpus) = corpus() else { return };
    let bench = corpus.join("bench");
    let out_dir = tempfile::tempdir().unwrap();
    let sarif_path = out_dir.path().join("bench.sarif");
    let github_path = out_dir.path().join("bench.github");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kpolicy"))
        .args(["lint", ".", "--enable", "all", "--no-ignore", "--no-config"])
        .arg("--format")
        .arg(format!("sarif={}", sarif_path.display()))
        .arg("--format")
        .arg(format!("github={}", github_path.display()))
        .current_dir(&bench)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap().len();
    assert!(results > 500, "only {results} results");
    let errors = sarif_check::schema_errors(&log);
    assert!(errors.is_empty(), "schema: {errors:#?}");
    let root = kpolicy::report::repo_root(&bench.canonicalize().unwrap());
    let errors = sarif_check::github_errors(&log, &root);
    assert!(errors.is_empty(), "GitHub constraints: {errors:#?}");

    let annotations = std::fs::read_to_string(&github_path).unwrap();
    let mut lines_of: HashMap<String, Vec<usize>> = HashMap::new();
    let mut count = 0;
    for line in annotations.lines() {
        count += 1;
        let rest = ["::error ", "::warning ", "::notice "]
            .iter()
            .find_map(|p| line.strip_prefix(p))
            .unwrap_or_else(|| panic!("not a workflow command: {line}"));
        let (properties, message) = rest.split_once("::").expect("properties::message");
        assert!(!message.is_empty() && !message.contains('\n'));
        let props: HashMap<&str, &str> = properties
            .split(',')
            .map(|p| p.split_once('=').expect("key=value"))
            .collect();
        let file = unescape_property(props["file"]);
        let widths = lines_of.entry(file.clone()).or_insert_with(|| {
            let text = std::fs::read(root.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
            String::from_utf8_lossy(&text)
                .lines()
                .map(|l| l.chars().count())
                .collect()
        });
        let number = |key: &str| props.get(key).map(|v| v.parse::<usize>().unwrap());
        let (line_no, end_line) = (number("line").unwrap(), number("endLine").unwrap());
        assert!(
            line_no >= 1 && end_line >= line_no && end_line <= widths.len().max(1),
            "{line}"
        );
        if let (Some(col), Some(end_col)) = (number("col"), number("endColumn")) {
            assert_eq!(line_no, end_line, "columns only on one line: {line}");
            assert!(col >= 1 && end_col >= col, "{line}");
            assert!(
                end_col <= widths.get(line_no - 1).copied().unwrap_or(0) + 1,
                "{line}"
            );
        }
    }
    assert_eq!(count, results, "one annotation per SARIF result");
}

/// The whole bench, every rule on, every output format: five runs with 1, 2, 3, 4 and 8 rayon
/// threads give byte-identical output (the engine sorts after the parallel phases).
#[test]
fn bench_output_is_identical_across_thread_counts() {
    let Some(bench) = shared::path("corpus/bench") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let run = |threads: &str| {
        let out = tmp.path().join(format!("t{threads}"));
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_kpolicy"))
            .args([
                "lint", "--enable", "all", "--format", "human", "--color", "never",
            ])
            .arg("--format")
            .arg(format!("json={}", out.with_extension("json").display()))
            .arg("--format")
            .arg(format!("sarif={}", out.with_extension("sarif").display()))
            .arg(&bench)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "threads={threads}");
        let json = std::fs::read(out.with_extension("json")).unwrap();
        let sarif = std::fs::read(out.with_extension("sarif")).unwrap();
        (output.stdout, json, sarif)
    };
    let first = run("1");
    assert!(first.0.len() > 100_000 && first.1.len() > 100_000);
    for threads in ["2", "3", "4", "8"] {
        let other = run(threads);
        assert!(
            first.0 == other.0,
            "human output differs with {threads} threads"
        );
        assert!(
            first.1 == other.1,
            "JSON output differs with {threads} threads"
        );
        assert!(
            first.2 == other.2,
            "SARIF output differs with {threads} threads"
        );
    }
}
