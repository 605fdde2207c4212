//! Every registered rule: its documentation has the required sections, and its fixtures under
//! `testdata/rules/<id>/` produce exactly the findings their `# expect: <id>` markers name, rendered
//! as the snapshot shows. `fail*.yaml` files must produce findings; `pass*.yaml` files none.
//! A `fail*` or `pass*` directory is one run over all its files (for rules that look across
//! objects in different files); its markers are collected from every file, by (file, line).
//!
//! A fixture may set run options on its first line (in a directory: the first line of its first
//! file): `# kpolicy-test: --kube-version 1.21` lints it against Kubernetes 1.21 instead of the
//! default target; `--enable a,b` also runs other rules (only the tested rule's findings count).
//! A directory may hold a `.kpolicy.yaml`, which is the run's configuration (node pools, settings).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kpolicy::discover::Input;
use kpolicy::engine::{Options, lint_inputs, select_only};
use kpolicy::report::human;
use kpolicy::rules::registry;

const SECTIONS: [&str; 7] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Options",
    "## Equivalent checks",
    "## References",
];

/// The fixtures of a rule: `fail*`/`pass*` YAML files, and `fail*`/`pass*` directories whose files
/// are linted together as one run (for rules that relate objects across files).
fn fixtures(id: &str) -> Vec<PathBuf> {
    let dir = Path::new("testdata/rules").join(id);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            if p.is_dir() {
                name.starts_with("fail") || name.starts_with("pass")
            } else {
                kpolicy::discover::is_yaml_name(p)
            }
        })
        .collect();
    files.sort();
    files
}

/// The YAML files of a fixture: the file itself, or every file under a fixture directory.
fn fixture_files(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut files = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if kpolicy::discover::is_yaml_name(&p) {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// (file as displayed, 1-based line) of every line that carries `# expect: <id>`.
fn expected_lines(path: &Path, id: &str) -> BTreeSet<(String, u32)> {
    let marker = format!("# expect: {id}");
    let mut out = BTreeSet::new();
    for file in fixture_files(path) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let name = kpolicy::source::display_path(&file);
        out.extend(
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.contains(&marker))
                .map(|(i, _)| (name.clone(), i as u32 + 1)),
        );
    }
    out
}

/// Options a fixture asks for in a first-line comment: `# kpolicy-test: --enable a,b --kube-version 1.21`
/// (in a directory fixture, in its first file).
#[derive(Default)]
struct FixtureHeader {
    enable: Vec<String>,
    kube_version: Option<kpolicy::kube_version::KubeVersion>,
}

impl FixtureHeader {
    fn read(path: &Path) -> FixtureHeader {
        let first = fixture_files(path)
            .into_iter()
            .find(|f| !f.file_name().unwrap().to_string_lossy().starts_with('.'));
        let text = first
            .map(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned())
            .unwrap_or_default();
        let mut header = FixtureHeader::default();
        let Some(args) = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# kpolicy-test:"))
        else {
            return header;
        };
        let mut words = args.split_whitespace();
        while let Some(flag) = words.next() {
            let value = words
                .next()
                .unwrap_or_else(|| panic!("{}: `{flag}` needs a value", path.display()));
            match flag {
                "--enable" => header.enable.extend(value.split(',').map(str::to_string)),
                "--kube-version" => header.kube_version = Some(value.parse().unwrap()),
                other => panic!("{}: unknown fixture option `{other}`", path.display()),
            }
        }
        header
    }

    /// A fixture directory may hold a `.kpolicy.yaml` (node pools, settings): it is the run's configuration.
    fn options(&self, fixture: &Path) -> Options {
        let config = fixture.join(".kpolicy.yaml");
        Options {
            config: config.is_file().then(|| {
                std::sync::Arc::new(kpolicy::config::LoadedConfig::read(&config).unwrap())
            }),
            kube_version: self
                .kube_version
                .unwrap_or(kpolicy::kube_version::KubeVersion::DEFAULT),
            ..Options::default()
        }
    }
}

#[test]
fn every_rule_has_a_complete_doc() {
    for entry in registry() {
        let doc = entry.doc;
        let mut at = 0;
        for section in SECTIONS {
            let found = doc[at..].find(section).unwrap_or_else(|| {
                panic!(
                    "rules/{}.md: missing or out-of-order section `{section}`",
                    entry.meta.id
                )
            });
            at += found + section.len();
        }
        assert!(
            !doc.trim_start().starts_with("# "),
            "rules/{}.md: no title line; `kpolicy explain` prints the id",
            entry.meta.id
        );
        assert!(
            doc.contains("```yaml"),
            "rules/{}.md: needs YAML examples",
            entry.meta.id
        );
        assert!(!entry.meta.lesson.is_empty() && !entry.meta.summary.is_empty());
    }
}

#[test]
fn rule_ids_are_kebab_case_and_unique() {
    let mut seen = BTreeSet::new();
    for entry in registry() {
        let id = entry.meta.id;
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !id.starts_with('-'),
            "{id} is not kebab-case"
        );
        assert!(seen.insert(id), "{id} registered twice");
        let settings = (entry.default_settings)();
        assert!(
            settings.is_object(),
            "{id}: settings must serialize to an object"
        );
        (entry.build)(&settings)
            .unwrap_or_else(|e| panic!("{id}: its own default settings do not load: {e}"));
    }
}

#[test]
fn every_rule_has_failing_and_passing_fixtures() {
    for entry in registry() {
        let id = entry.meta.id;
        let files = fixtures(id);
        let name = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            files.iter().any(|p| name(p).starts_with("fail")),
            "{id}: no fail* fixture"
        );
        assert!(
            files.iter().any(|p| name(p).starts_with("pass")),
            "{id}: no pass* fixture"
        );
    }
}

#[test]
fn fixtures_match_markers_and_snapshots() {
    for entry in registry() {
        let id = entry.meta.id;
        for path in fixtures(id) {
            let header = FixtureHeader::read(&path);
            let mut ids = vec![id];
            ids.extend(header.enable.iter().map(String::as_str));
            let rules = select_only(&ids).unwrap();
            let mut report =
                lint_inputs(&[Input::Path(path.clone())], &header.options(&path), &rules);
            // Other rules may run to give this one something to work on; only its findings count.
            report.diagnostics.retain(|d| d.rule == id);
            assert!(
                report.errors.is_empty(),
                "{}: {:?}",
                path.display(),
                report.errors
            );
            let got: BTreeSet<(String, u32)> = report
                .diagnostics
                .iter()
                .map(|d| {
                    let source = report.sources.get(d.file);
                    (
                        source.name.clone(),
                        source.line_col(d.span.start as usize).line,
                    )
                })
                .collect();
            let want = expected_lines(&path, id);
            let file_name = path.file_name().unwrap().to_string_lossy().to_string();
            if file_name.starts_with("pass") {
                assert!(
                    want.is_empty(),
                    "{}: a pass fixture has expect markers",
                    path.display()
                );
            } else {
                assert!(
                    !want.is_empty(),
                    "{}: a fail fixture has no expect markers",
                    path.display()
                );
            }
            assert_eq!(
                got,
                want,
                "{}: reported lines differ from `# expect: {id}` markers",
                path.display()
            );
            assert!(report.diagnostics.iter().all(|d| d.rule == id));
            if !report.diagnostics.is_empty() {
                let rendered = human::render(&report, false);
                let snapshot = file_name.trim_end_matches(".yaml").to_string();
                let dir = format!("../testdata/rules/{id}");
                insta::with_settings!({ snapshot_path => dir, prepend_module_to_snapshot => false, omit_expression => true }, {
                    insta::assert_snapshot!(snapshot, rendered);
                });
            }
        }
    }
}

/// `docs/rules.md`, the full rule list, is generated from the registry; this keeps it current.
/// Regenerate with `KPOLICY_BLESS=1 cargo test --test rules docs_rules_md`.
#[test]
fn docs_rules_md_is_current() {
    let mut text = String::from(
        "<!-- Generated from the rule registry by tests/rules.rs (KPOLICY_BLESS=1 cargo test --test rules docs_rules_md). -->\n\n# Rules\n\nEvery rule kpolicy has, as `kpolicy rules` lists them. Each page says what the rule checks, the\nincident or practice behind it, how to fix it, its options, and the equivalent checks of\nkube-linter, kube-score, Polaris and Checkov ([mapping](peer-mapping.md)).\n\n| rule | category | severity | default | summary |\n|---|---|---|---|---|\n",
    );
    let mut entries: Vec<_> = registry().iter().collect();
    entries.sort_by_key(|e| (e.meta.category, e.meta.id));
    for e in entries {
        text.push_str(&format!(
            "| [`{id}`](../rules/{id}.md) | {} | {} | {} | {} |\n",
            e.meta.category.as_str(),
            e.meta.default_severity,
            if e.meta.default_enabled { "on" } else { "off" },
            e.meta.summary.replace('|', "\\|"),
            id = e.meta.id,
        ));
    }
    let path = Path::new("docs/rules.md");
    if std::env::var_os("KPOLICY_BLESS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current == text,
        "docs/rules.md is stale: run `KPOLICY_BLESS=1 cargo test --test rules docs_rules_md`"
    );
}
