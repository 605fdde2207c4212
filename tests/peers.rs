//! The peers' own test data, linted with every kpolicy rule: what kube-linter, kube-score, Polaris
//! and Checkov flag in their fixtures, kpolicy flags with the corresponding rule.
//!
//! `testdata/peers/expected.tsv` lists, per fixture (a path under `../shared/corpus`, linted as one
//! run), the object, the peer check, the kpolicy rule and a verdict:
//!
//! - `fail`: the peer flags the object, and so must kpolicy;
//! - `pass`: the peer passes the object, and kpolicy must not report it with this rule (only listed
//!   for rules kpolicy has, so the verdict has been checked);
//! - `silent`: the peer flags the object and kpolicy deliberately does not; the note says why;
//! - `reports`: the peer passes the object and kpolicy deliberately reports it; the note says why.
//!
//! Every verdict is asserted, so a change of behaviour shows up here and the row gets updated.
//!
//! Rows whose rule is not registered yet (it lands from another branch) are skipped with a printed
//! note naming the rules, so the file can be complete before they land. The whole test is skipped
//! with a printed reason when `../shared` is absent, unless `KPOLICY_REQUIRE_SHARED=1`.

#[path = "support/shared.rs"]
mod shared;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

use kpolicy::discover::Input;
use kpolicy::engine::{Options, lint_inputs, select_rules};
use kpolicy::rules::registry;

const EXPECTED: &str = include_str!("../testdata/peers/expected.tsv");

fn corpus() -> Option<PathBuf> {
    shared::path("corpus")
}

#[derive(Debug)]
struct Row {
    line: usize,
    path: String,
    kind: String,
    name: String,
    peer: String,
    check: String,
    rule: String,
    verdict: String,
    note: String,
}

fn rows() -> Vec<Row> {
    EXPECTED
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(
                cols.len() >= 6,
                "testdata/peers/expected.tsv:{}: expected at least 6 tab-separated columns",
                i + 1
            );
            let (kind, name) = cols[1].split_once('/').unwrap_or_else(|| {
                panic!(
                    "testdata/peers/expected.tsv:{}: object must be Kind/name",
                    i + 1
                )
            });
            let row = Row {
                line: i + 1,
                path: cols[0].to_string(),
                kind: kind.to_string(),
                name: name.to_string(),
                peer: cols[2].to_string(),
                check: cols[3].to_string(),
                rule: cols[4].to_string(),
                verdict: cols[5].to_string(),
                note: cols.get(6).unwrap_or(&"").to_string(),
            };
            assert!(
                matches!(
                    row.verdict.as_str(),
                    "fail" | "pass" | "silent" | "reports"
                ),
                "testdata/peers/expected.tsv:{}: verdict must be fail, pass, silent or reports",
                row.line
            );
            assert!(
                matches!(row.verdict.as_str(), "fail" | "pass") || !row.note.is_empty(),
                "testdata/peers/expected.tsv:{}: a `silent` or `reports` row needs a note saying why",
                row.line
            );
            row
        })
        .collect()
}

#[test]
fn expected_file_is_well_formed() {
    let rows = rows();
    assert!(!rows.is_empty());
    let mut seen = HashSet::new();
    for row in &rows {
        assert!(
            seen.insert((&row.path, &row.kind, &row.name, &row.check, &row.rule)),
            "testdata/peers/expected.tsv:{}: duplicate row",
            row.line
        );
        assert!(
            ["kube-linter", "kube-score", "polaris", "checkov"].contains(&row.peer.as_str()),
            "testdata/peers/expected.tsv:{}: unknown peer `{}`",
            row.line,
            row.peer
        );
    }
}

#[test]
fn peers_fixtures_are_flagged_like_the_peers_flag_them() {
    let Some(corpus) = corpus() else { return };
    let registered: BTreeSet<&str> = registry().iter().map(|r| r.meta.id).collect();
    let rows = rows();
    let options = Options {
        no_ignore: true,
        enable: vec!["all".to_string()],
        ..Options::default()
    };
    let rules = select_rules(&options).unwrap();

    // One run per fixture path: (rule, kind, name) of every finding.
    let mut found: BTreeMap<&str, HashSet<(String, String, String)>> = BTreeMap::new();
    for row in &rows {
        if found.contains_key(row.path.as_str()) {
            continue;
        }
        let path = corpus.join(&row.path);
        assert!(
            path.exists(),
            "testdata/peers/expected.tsv:{}: {} does not exist",
            row.line,
            path.display()
        );
        let report = lint_inputs(&[Input::Path(path)], &options, &rules);
        let findings = report
            .diagnostics
            .iter()
            .filter_map(|d| {
                let object = d.object.as_ref()?;
                Some((
                    d.rule.to_string(),
                    object.kind.clone(),
                    object.name.clone().unwrap_or_default(),
                ))
            })
            .collect();
        found.insert(row.path.as_str(), findings);
    }

    let mut failures = Vec::new();
    let mut pending: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut checked, mut differs) = (0, 0);
    for row in &rows {
        if !registered.contains(row.rule.as_str()) {
            *pending.entry(row.rule.as_str()).or_default() += 1;
            continue;
        }
        let got = found[row.path.as_str()].contains(&(
            row.rule.clone(),
            row.kind.clone(),
            row.name.clone(),
        ));
        let what = format!(
            "{} {}/{} ({} `{}` → `{}`)",
            row.path, row.kind, row.name, row.peer, row.check, row.rule
        );
        let want = matches!(row.verdict.as_str(), "fail" | "reports");
        if got != want {
            let did = if got { "reported" } else { "not reported" };
            failures.push(format!(
                "line {}: {did}, expected `{}`: {what}",
                row.line, row.verdict
            ));
        } else if matches!(row.verdict.as_str(), "silent" | "reports") {
            differs += 1;
        } else {
            checked += 1;
        }
    }
    if !pending.is_empty() {
        let list: Vec<String> = pending
            .iter()
            .map(|(rule, n)| format!("{rule} ({n})"))
            .collect();
        eprintln!(
            "note: skipped rows for rules not registered yet: {}",
            list.join(", ")
        );
    }
    eprintln!(
        "peers: {checked} rows agree with the peer, {differs} differ on purpose, {} skipped",
        pending.values().sum::<usize>()
    );
    assert!(
        failures.is_empty(),
        "kpolicy disagrees with testdata/peers/expected.tsv:\n{}",
        failures.join("\n")
    );
}
