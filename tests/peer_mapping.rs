//! `docs/peer-mapping.md` stays honest: every kpolicy rule id it names is registered, or is listed
//! in [`PENDING`] with the branch or issue that brings it; rows without a rule say why; the summary
//! counts match the tables; and every kube-linter built-in check of the peer corpus has a row.
//!
//! When a pending rule lands, this test prints a note asking to drop it from [`PENDING`].

#[path = "support/shared.rs"]
mod shared;

use std::collections::BTreeSet;

use kpolicy::rules::registry;

const TABLE: &str = include_str!("../docs/peer-mapping.md");

/// Rule ids the table names that are not in the registry yet, with what brings them.
const PENDING: &[(&str, &str)] = &[
    // Security context and hygiene, issue 5 (branch `parity`).
    ("privileged-container", "issue 5, branch parity"),
    ("privilege-escalation-allowed", "issue 5, branch parity"),
    ("container-runs-as-root", "issue 5, branch parity"),
    ("writable-root-filesystem", "issue 5, branch parity"),
    ("dangerous-capability-added", "issue 5, branch parity"),
    ("net-raw-not-dropped", "issue 5, branch parity"),
    ("seccomp-profile-unset", "issue 5, branch parity"),
    ("host-network-enabled", "issue 5, branch parity"),
    ("host-pid-enabled", "issue 5, branch parity"),
    ("host-ipc-enabled", "issue 5, branch parity"),
    ("host-port-set", "issue 5, branch parity"),
    ("sensitive-host-path-mount", "issue 5, branch parity"),
    ("writable-host-path-mount", "issue 5, branch parity"),
    ("proc-mount-unmasked", "issue 5, branch parity"),
    ("secret-in-env-literal", "issue 5, branch parity"),
    ("default-service-account-used", "issue 5, branch parity"),
    (
        "service-account-token-automounted",
        "issue 5, branch parity",
    ),
    ("object-in-default-namespace", "issue 5, branch parity"),
    ("image-pull-policy-not-always", "issue 5, branch parity"),
    ("selector-mismatch", "issue 5, branch parity"),
    ("duplicate-object", "issue 5, branch parity"),
    // API versions and images (branch `versions`).
    ("deprecated-api-version", "branch versions"),
    ("removed-api-version", "branch versions"),
    ("outdated-ingress-controller", "branch versions"),
    ("image-tag-latest", "branch versions"),
    ("image-tag-missing", "branch versions"),
    ("image-tag-floating", "branch versions"),
    ("image-not-pinned-by-digest", "branch versions"),
    // Schema validation, issue 10.
    ("schema-unknown-field", "issue 10"),
    ("schema-type-mismatch", "issue 10"),
    ("schema-missing-required-field", "issue 10"),
    ("schema-invalid-enum", "issue 10"),
    ("schema-duplicate-key", "issue 10"),
];

/// The sections of the table that map one peer each.
const PEERS: [&str; 4] = [
    "kube-linter",
    "kube-score",
    "Polaris",
    "Checkov (workload checks)",
];

/// The text of the section `## <title>`, up to the next `## `.
fn section(title: &str) -> &'static str {
    let start = TABLE
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("docs/peer-mapping.md: no section `## {title}`"));
    let body = &TABLE[start + title.len() + 5..];
    &body[..body.find("\n## ").unwrap_or(body.len())]
}

/// One row of a peer's table: check, default, kpolicy, notes.
struct Row {
    check: String,
    default: String,
    kpolicy: String,
    notes: String,
}

fn rows(title: &str) -> Vec<Row> {
    section(title)
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|line| {
            let cols: Vec<&str> = line.trim().trim_matches('|').split(" | ").collect();
            assert_eq!(
                cols.len(),
                4,
                "docs/peer-mapping.md: malformed row `{line}`"
            );
            Row {
                check: cols[0].trim().to_string(),
                default: cols[1].trim().to_string(),
                kpolicy: cols[2].trim().to_string(),
                notes: cols[3].trim().to_string(),
            }
        })
        .collect()
}

/// The `code` spans of a piece of Markdown.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn is_rule_id(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[test]
fn every_rule_in_the_table_is_registered_or_pending() {
    let registered: BTreeSet<&str> = registry().iter().map(|r| r.meta.id).collect();
    let pending: BTreeSet<&str> = PENDING.iter().map(|(id, _)| *id).collect();
    let mut named = BTreeSet::new();
    for peer in PEERS {
        for row in rows(peer) {
            for id in code_spans(&row.kpolicy) {
                assert!(
                    is_rule_id(id),
                    "docs/peer-mapping.md ({peer}, {}): `{id}` is not a rule id",
                    row.check
                );
                named.insert(id.to_string());
            }
        }
    }
    named.extend(
        code_spans(section("Rules without a peer"))
            .into_iter()
            .map(str::to_string),
    );
    let unknown: Vec<&String> = named
        .iter()
        .filter(|id| !registered.contains(id.as_str()) && !pending.contains(id.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/peer-mapping.md names rules that are neither registered nor pending: {unknown:?}"
    );
    for (id, from) in PENDING {
        if registered.contains(id) {
            eprintln!(
                "note: `{id}` ({from}) is registered now; drop it from PENDING in {}",
                file!()
            );
        }
    }
}

#[test]
fn rows_without_a_rule_say_why() {
    for peer in PEERS {
        for row in rows(peer) {
            assert!(
                matches!(row.default.as_str(), "yes" | "no"),
                "docs/peer-mapping.md ({peer}, {}): default must be yes or no",
                row.check
            );
            if row.kpolicy == "—" {
                assert!(
                    row.notes.starts_with("gap") || row.notes.starts_with("n/a"),
                    "docs/peer-mapping.md ({peer}, {}): a row without a rule needs a note starting with `gap` or `n/a`",
                    row.check
                );
            } else {
                assert!(
                    !row.notes.starts_with("gap"),
                    "docs/peer-mapping.md ({peer}, {}): a row with a rule is not a gap",
                    row.check
                );
            }
        }
    }
}

/// How many checks a row stands for: `` `CKV_K8S_1` to `CKV_K8S_7`, `CKV_K8S_24` `` stands for eight;
/// the control-plane row (`CKV_K8S_68` to `CKV_K8S_151`) is counted apart, as the notes say.
fn weight(check: &str) -> usize {
    if check.starts_with("`CKV_K8S_68` to") {
        return 0;
    }
    let number = |id: &str| -> usize {
        id.rsplit('_')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("docs/peer-mapping.md: cannot count `{check}`"))
    };
    let parts: Vec<&str> = check.split('`').collect();
    // parts: text, id, text, id, … ; a range is `id` " to " `id`.
    let mut count = 0;
    let mut i = 1;
    while i < parts.len() {
        if parts.get(i + 1) == Some(&" to ") && i + 2 < parts.len() {
            count += number(parts[i + 2]) - number(parts[i]) + 1;
            i += 4;
        } else {
            count += usize::from(parts[i].starts_with("CKV"));
            i += 2;
        }
    }
    if check.starts_with("`CKV") { count } else { 1 }
}

#[test]
fn summary_counts_match_the_tables() {
    let summary = section("Coverage summary");
    for (peer, label) in PEERS.iter().zip([
        "kube-linter",
        "kube-score",
        "Polaris",
        "Checkov (workload checks)",
    ]) {
        let (mut total, mut default, mut covered, mut gaps, mut na) = (0, 0, 0, 0, 0);
        for row in rows(peer) {
            let n = weight(&row.check);
            total += n;
            if row.default != "yes" {
                continue;
            }
            default += n;
            if row.kpolicy != "—" {
                covered += n;
            } else if row.notes.starts_with("gap") {
                gaps += n;
            } else {
                na += n;
            }
        }
        let expected = format!("| {label} | {total} | {default} | {covered} | {gaps} | {na} |");
        assert!(
            summary.contains(&expected),
            "docs/peer-mapping.md: the summary row for {label} should read `{expected}`"
        );
    }
}

#[test]
fn every_kube_linter_check_has_a_row() {
    let Some(dir) = shared::path("corpus/peer-kube-linter/pkg/builtinchecks/yamls") else {
        return;
    };
    let listed: BTreeSet<String> = rows("kube-linter")
        .into_iter()
        .map(|r| r.check.trim_matches('`').to_string())
        .collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let Some(name) = text
            .lines()
            .find_map(|l| l.strip_prefix("name:"))
            .map(|n| n.trim().trim_matches('"').to_string())
        else {
            continue;
        };
        assert!(
            listed.contains(&name),
            "docs/peer-mapping.md: kube-linter check `{name}` has no row"
        );
    }
}
