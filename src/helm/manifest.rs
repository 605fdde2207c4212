//! What Helm does with rendered template text before printing it: split it into documents
//! (Helm's own `---` splitting, not YAML's), read each document's head (kind, name, hook
//! annotations), drop empty files and partials, sort by kind in install order, and print
//! `---\n# Source: <template>\n<document>\n` for each, hooks last.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::source::{FileId, Origin as SourceOrigin, SourceFile};
use crate::yaml::{NodeRef, parse_file};

/// Helm's install order of kinds; unknown kinds come after, alphabetically.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Hook events Helm knows (an unknown one makes Helm skip the document).
const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// Helm's `SplitManifests`: the text after leading white space is cut at every match of
/// `(?:^|\s*\n)---\s*` (so `---` at the start of any line separates, whatever follows it on the
/// line); empty pieces are dropped and leading white space is trimmed. Ranges index `text`.
pub fn split_manifests(text: &str) -> Vec<Range<usize>> {
    let start = text.len() - text.trim_start_matches(|c: char| c.is_whitespace()).len();
    let b = text.as_bytes();
    let mut pieces = Vec::new();
    let mut piece_start = start;
    let mut i = start;
    // A separator at the very start (`^---`).
    let mut matches: Vec<(usize, usize)> = Vec::new();
    if text[start..].starts_with("---") {
        let mut end = start + 3;
        while end < b.len() && is_space(b[end] as char) {
            end += 1;
        }
        matches.push((start, end));
        i = end;
    }
    while i < b.len() {
        // Leftmost match of `\s*\n---\s*` starting at i: a run of white space containing a
        // newline that is directly followed by `---`.
        if is_space(b[i] as char) {
            let run_start = i;
            let mut j = i;
            while j < b.len() && is_space(b[j] as char) {
                j += 1;
            }
            // The last newline of the run must be followed by `---` (greedy `\s*` backs off to
            // the last `\n` that works, which is the run's last newline when `---` follows it).
            if b[run_start..j].contains(&b'\n') && text[j..].starts_with("---") {
                let last_newline = run_start
                    + b[run_start..j]
                        .iter()
                        .rposition(|&c| c == b'\n')
                        .unwrap_or(0);
                if last_newline + 1 == j {
                    let mut end = j + 3;
                    while end < b.len() && is_space(b[end] as char) {
                        end += 1;
                    }
                    matches.push((run_start, end));
                    i = end;
                    continue;
                }
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    for (m_start, m_end) in matches {
        pieces.push(piece_start..m_start);
        piece_start = m_end;
    }
    pieces.push(piece_start..b.len());
    pieces
        .into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| {
            let trimmed = text[r.clone()].len()
                - text[r.clone()]
                    .trim_start_matches(|c: char| c.is_whitespace())
                    .len();
            r.start + trimmed..r.end
        })
        .collect()
}

/// What Helm reads of a document before sorting it (`SimpleHead`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub annotations: BTreeMap<String, String>,
}

impl Head {
    /// The hook events of a hook document; `Some(vec![])` never happens: a document with an
    /// unknown event is `Err` (Helm skips it).
    pub fn hook_events(&self) -> Option<Result<Vec<String>, ()>> {
        let hooks = self.annotations.get("helm.sh/hook")?;
        let mut events = Vec::new();
        for event in hooks.split(',') {
            let event = event.trim().to_ascii_lowercase();
            if !HOOK_EVENTS.contains(&event.as_str()) {
                return Some(Err(()));
            }
            events.push(event);
        }
        Some(Ok(events))
    }
}

fn scalar_string(node: NodeRef<'_>) -> Option<String> {
    if node.is_null() {
        return Some(String::new());
    }
    node.scalar()
        .map(|s| match crate::helm::values::resolve_plain(s) {
            crate::helm::values::Scalar::Float(f)
                if node.style() == Some(crate::yaml::ScalarStyle::Plain) =>
            {
                crate::helm::values::format_float32_g(f)
            }
            _ => s.to_string(),
        })
}

/// Reads a document's head as Helm does (sigs.k8s.io/yaml into `SimpleHead`); the error is
/// Helm's `YAML parse error on <template>: …`.
pub fn read_head(text: &str, template: &str) -> Result<Head, String> {
    let source = Arc::new(SourceFile::new(SourceOrigin::Stdin, text.to_string()));
    let parsed = parse_file(FileId(0), &source);
    let fail = |m: &str| Err(format!("YAML parse error on {template}: {m}"));
    if let Some(e) = parsed.errors.first() {
        return fail(&e.message);
    }
    let Some(doc) = parsed.documents.first() else {
        return Ok(Head::default());
    };
    let Some(root) = doc.root() else {
        return Ok(Head::default());
    };
    if root.is_null() {
        return Ok(Head::default());
    }
    if !root.is_map() {
        let what = if root.is_seq() { "array" } else { "string" };
        return fail(&format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {what} into Go value of type util.SimpleHead"
        ));
    }
    let mut head = Head::default();
    let field = |key: &str| -> Result<String, String> {
        match root.get(key) {
            None => Ok(String::new()),
            Some(n) => scalar_string(n).ok_or_else(|| {
                format!("YAML parse error on {template}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go struct field SimpleHead.{key} of type string")
            }),
        }
    };
    head.api_version = field("apiVersion")?;
    head.kind = field("kind")?;
    if let Some(meta) = root.get("metadata").filter(|m| !m.is_null()) {
        if !meta.is_map() {
            return fail(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal into Go struct field SimpleHead.metadata",
            );
        }
        if let Some(name) = meta.get("name") {
            head.name = scalar_string(name).unwrap_or_default();
        }
        if let Some(annotations) = meta.get("annotations").filter(|a| !a.is_null()) {
            if !annotations.is_map() {
                return fail(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal into Go struct field .metadata.annotations of type map[string]string",
                );
            }
            for entry in annotations.entries() {
                let (Some(k), Some(v)) = (entry.key.scalar(), scalar_string(entry.value)) else {
                    return fail(
                        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go struct field .metadata.annotations of type string",
                    );
                };
                head.annotations.insert(k.to_string(), v);
            }
        }
    }
    Ok(head)
}

/// One document of the rendered chart.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// Index of the rendered template it came from (in the caller's list).
    pub template: usize,
    /// The template's name (`chart/templates/x.yaml`), as `# Source:` shows it.
    pub name: String,
    /// Byte range of the document in the template's rendered text.
    pub range: Range<usize>,
    pub head: Head,
    /// Hook events; empty for an ordinary manifest.
    pub hooks: Vec<String>,
}

impl Manifest {
    pub fn is_test_hook(&self) -> bool {
        self.hooks
            .iter()
            .any(|h| h == "test" || h == "test-success")
    }
}

fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

fn less_by_kind(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (kind_rank(a), kind_rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Less,
        (None, Some(_)) => Greater,
        (None, None) => a.cmp(b),
    }
}

/// Helm's `SortManifests`: templates in path order (partials and empty files skipped), documents
/// in file order, then a stable sort by kind; hooks apart (unknown hook events dropped).
/// `rendered` is `(template name, text)`. When `strict`, the first error is Helm's, and stops the
/// render; otherwise a document whose head cannot be read sorts as one without a kind.
pub fn sort_manifests(
    rendered: &[(String, String)],
    strict: bool,
) -> Result<(Vec<Manifest>, Vec<Manifest>), String> {
    let mut order: Vec<usize> = (0..rendered.len()).collect();
    order.sort_by(|&a, &b| rendered[a].0.cmp(&rendered[b].0));
    let mut generic = Vec::new();
    let mut hooks = Vec::new();
    for i in order {
        let (name, text) = &rendered[i];
        let base = name.rsplit('/').next().unwrap_or(name);
        if base.starts_with('_') || text.trim().is_empty() {
            continue;
        }
        for range in split_manifests(text) {
            let head = match read_head(&text[range.clone()], name) {
                Ok(head) => head,
                Err(e) if strict => return Err(e),
                Err(_) => Head::default(),
            };
            let manifest = Manifest {
                template: i,
                name: name.clone(),
                range,
                hooks: Vec::new(),
                head,
            };
            match manifest.head.hook_events() {
                None => generic.push(manifest),
                Some(Err(())) => {}
                Some(Ok(events)) => hooks.push(Manifest {
                    hooks: events,
                    ..manifest
                }),
            }
        }
    }
    generic.sort_by(|a, b| less_by_kind(&a.head.kind, &b.head.kind));
    hooks.sort_by(|a, b| less_by_kind(&a.head.kind, &b.head.kind));
    Ok((generic, hooks))
}

/// A piece of the printed output and where its bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Range in the printed text.
    pub out: Range<usize>,
    /// Index of the rendered template, and the range in its text.
    pub template: usize,
    pub source: Range<usize>,
}

/// Prints manifests and hooks as `helm template` does (hooks of tests left out, as with
/// `--skip-tests`), and records which bytes are whose.
pub fn print(
    rendered: &[(String, String)],
    generic: &[Manifest],
    hooks: &[Manifest],
) -> (String, Vec<Piece>) {
    let mut out = String::new();
    let mut pieces = Vec::new();
    let emit = |out: &mut String, pieces: &mut Vec<Piece>, m: &Manifest| {
        out.push_str("---\n# Source: ");
        out.push_str(&m.name);
        out.push('\n');
        let start = out.len();
        out.push_str(&rendered[m.template].1[m.range.clone()]);
        pieces.push(Piece {
            out: start..out.len(),
            template: m.template,
            source: m.range.clone(),
        });
        out.push('\n');
    };
    for m in generic {
        emit(&mut out, &mut pieces, m);
    }
    // `fmt.Fprintln(strings.TrimSpace(manifest))`: only trailing white space can go here, and
    // pieces never end in it beyond their own text (trimmed ranges are kept consistent below).
    let trimmed_len = out.trim_end().len();
    out.truncate(trimmed_len);
    for piece in pieces.iter_mut() {
        if piece.out.end > trimmed_len {
            let cut = piece.out.end - trimmed_len;
            piece.out.end = trimmed_len;
            piece.source.end -= cut.min(piece.source.len());
        }
    }
    pieces.retain(|p| !p.out.is_empty());
    out.push('\n');
    for m in hooks.iter().filter(|m| !m.is_test_hook()) {
        emit(&mut out, &mut pieces, m);
    }
    (out, pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(text: &str) -> Vec<&str> {
        split_manifests(text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn splits_like_helm() {
        // Observed with the Helm SDK (v4.2.3) in `helm template` output.
        assert_eq!(
            docs("\n\n---\n# lead\nkind: A\n---   \n\n---\n  \nkind: B\ndata: |\n  x\n\n\n"),
            ["# lead\nkind: A", "---\n  \nkind: B\ndata: |\n  x\n\n\n"]
        );
        assert_eq!(docs("kind: A\n---\nkind: B\n"), ["kind: A", "kind: B\n"]);
        assert_eq!(docs("a: 1\n---inline\n  y\n"), ["a: 1", "inline\n  y\n"]);
        assert_eq!(docs("  \n"), Vec::<&str>::new());
        assert_eq!(docs("---\n"), Vec::<&str>::new());
        assert_eq!(docs("x: |\n  ---\n"), ["x: |\n  ---\n"]);
    }

    #[test]
    fn sorts_and_prints_like_helm_template() {
        // The c2 probe chart, rendered by the Helm SDK (v4.2.3) as a client dry-run.
        let rendered = vec![
            (
                "c2/templates/a.yaml".to_string(),
                "\n\n---\n# lead\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---   \n\n---\n  \napiVersion: v1\nkind: Foo\nmetadata:\n  name: f\ndata: |\n  x\n\n\n".to_string(),
            ),
            (
                "c2/templates/b.yaml".to_string(),
                "apiVersion: v1\nkind: Aaa\nmetadata:\n  name: aaa\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\nkind: \"\"\n---\nfoo: bar\n".to_string(),
            ),
            (
                "c2/templates/hooks.yaml".to_string(),
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: tp\n  annotations:\n    helm.sh/hook: test\n".to_string(),
            ),
            ("c2/templates/ws.yaml".to_string(), "   \n\n".to_string()),
        ];
        let (generic, hooks) = sort_manifests(&rendered, true).unwrap();
        let (text, pieces) = print(&rendered, &generic, &hooks);
        let want = "---\n# Source: c2/templates/b.yaml\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\n# Source: c2/templates/a.yaml\n# lead\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# Source: c2/templates/b.yaml\nkind: \"\"\n---\n# Source: c2/templates/b.yaml\nfoo: bar\n\n---\n# Source: c2/templates/b.yaml\napiVersion: v1\nkind: Aaa\nmetadata:\n  name: aaa\n---\n# Source: c2/templates/a.yaml\n---\n  \napiVersion: v1\nkind: Foo\nmetadata:\n  name: f\ndata: |\n  x\n";
        assert_eq!(text, want);
        for p in &pieces {
            assert_eq!(
                &text[p.out.clone()],
                &rendered[p.template].1[p.source.clone()]
            );
        }
        assert_eq!(hooks.len(), 1);
        assert!(hooks[0].is_test_hook());
    }

    #[test]
    fn heads_fail_like_helm() {
        let err = read_head("just a string", "c/templates/x.yaml").unwrap_err();
        assert!(
            err.starts_with("YAML parse error on c/templates/x.yaml"),
            "{err}"
        );
        let head = read_head(
            "kind: 5\nmetadata:\n  annotations:\n    helm.sh/hook-weight: 5\n",
            "x",
        )
        .unwrap();
        assert_eq!(head.kind, "5");
        assert_eq!(head.annotations["helm.sh/hook-weight"], "5");
    }
}
