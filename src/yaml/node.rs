//! Tree nodes and the read-only cursor ([`NodeRef`]) rules navigate with.

use std::sync::Arc;

use crate::source::{FileId, SourceFile, Span};

/// How deep merge keys (`<<`) may chain before lookups stop following them. go-yaml has no such
/// limit, but real manifests never chain more than two or three; the bound stops cycles.
const MAX_MERGE_DEPTH: u32 = 16;

/// How many merge sources one lookup may visit in all: merge keys fan out (`<<: [*a, *b]`), so a
/// crafted file could make lookups exponential in the depth without a total budget.
const MERGE_VISIT_BUDGET: u32 = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl From<granit_parser::ScalarStyle> for ScalarStyle {
    fn from(style: granit_parser::ScalarStyle) -> Self {
        use granit_parser::ScalarStyle as G;
        match style {
            G::Plain => ScalarStyle::Plain,
            G::SingleQuoted => ScalarStyle::SingleQuoted,
            G::DoubleQuoted => ScalarStyle::DoubleQuoted,
            G::Literal => ScalarStyle::Literal,
            G::Folded => ScalarStyle::Folded,
        }
    }
}

/// The text of a scalar: usually just its source span, owned only when escapes or folding changed it.
#[derive(Debug, Clone)]
pub enum Text {
    Source,
    Owned(Box<str>),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: NodeId,
    pub value: NodeId,
}

#[derive(Debug, Clone)]
pub enum NodeKind {
    Scalar {
        text: Text,
        style: ScalarStyle,
    },
    Seq(Vec<NodeId>),
    Map(Vec<Entry>),
    /// An alias; `None` when its anchor is undefined.
    Alias(Option<NodeId>),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub span: Span,
    /// The tag as written resolved to its full form (`tag:yaml.org,2002:merge`), when present.
    pub tag: Option<Box<str>>,
    pub kind: NodeKind,
}

/// A comment with its span (from `#` to the end of the line).
#[derive(Debug, Clone)]
pub struct Comment {
    pub span: Span,
    /// The text after `#`.
    pub text: Box<str>,
}

/// One YAML document of a stream.
#[derive(Debug)]
pub struct Document {
    pub file: FileId,
    pub source: Arc<SourceFile>,
    /// 0-based position in the stream (counting documents that failed to parse).
    pub index: usize,
    pub nodes: Vec<Node>,
    pub root: Option<NodeId>,
    /// The `# Source: path` comment of `helm template` output that introduces this document.
    pub helm_source: Option<(Box<str>, Span)>,
}

impl Document {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    pub fn root(&self) -> Option<NodeRef<'_>> {
        self.root.map(|id| NodeRef::new(self, id))
    }

    pub fn text(&self) -> &str {
        &self.source.text
    }
}

/// A cursor on a node. Aliases are followed transparently for content, while [`NodeRef::span`]
/// stays at the place the node appears (the `*alias` token), which is what a user should look at.
#[derive(Clone, Copy)]
pub struct NodeRef<'a> {
    pub doc: &'a Document,
    /// The node whose content this is (an alias's target).
    pub id: NodeId,
    /// The node where it appears in the text.
    pub site: NodeId,
}

impl std::fmt::Debug for NodeRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeRef({:?} @ {:?})", self.id, self.span())
    }
}

/// A mapping entry as seen through a [`NodeRef`].
#[derive(Clone, Copy, Debug)]
pub struct EntryRef<'a> {
    pub key: NodeRef<'a>,
    pub value: NodeRef<'a>,
}

impl<'a> EntryRef<'a> {
    /// From the start of the key to the end of the value: the `name: web` of a container.
    pub fn span(&self) -> Span {
        let value = self.value.span();
        // An empty value (`resources:`) has an empty span somewhere after the key; do not stretch to it.
        if value.start == value.end {
            self.key.span()
        } else {
            self.key.span().cover(value)
        }
    }
}

impl<'a> EntryRef<'a> {
    /// The key, plus the value when it ends on the key's line (`resources: {}`); for a value
    /// that spans lines, only the key. This is what a finding about the entry underlines.
    pub fn head_span(&self) -> Span {
        let span = self.span();
        if self.key.doc.text()[span.range()].contains('\n') {
            self.key.span()
        } else {
            span
        }
    }
}

impl<'a> NodeRef<'a> {
    pub fn new(doc: &'a Document, id: NodeId) -> NodeRef<'a> {
        let target = match doc.node(id).kind {
            NodeKind::Alias(Some(target)) => target,
            _ => id,
        };
        NodeRef {
            doc,
            id: target,
            site: id,
        }
    }

    pub fn node(&self) -> &'a Node {
        self.doc.node(self.id)
    }

    pub fn kind(&self) -> &'a NodeKind {
        &self.node().kind
    }

    pub fn span(&self) -> Span {
        self.doc.node(self.site).span
    }

    pub fn file(&self) -> FileId {
        self.doc.file
    }

    /// The scalar's value, for any scalar (including quoted ones).
    pub fn scalar(&self) -> Option<&'a str> {
        match &self.node().kind {
            NodeKind::Scalar { text, .. } => Some(match text {
                Text::Source => self.doc.source.slice(self.node().span),
                Text::Owned(s) => s,
            }),
            _ => None,
        }
    }

    /// The length in bytes of [`NodeRef::scalar`], known without reading the text.
    pub fn scalar_len(&self) -> Option<usize> {
        let node = self.node();
        match &node.kind {
            NodeKind::Scalar {
                text: Text::Source, ..
            } => Some((node.span.end - node.span.start) as usize),
            NodeKind::Scalar {
                text: Text::Owned(s),
                ..
            } => Some(s.len()),
            _ => None,
        }
    }

    /// The scalar's value unless it is null.
    pub fn as_str(&self) -> Option<&'a str> {
        if self.is_null() { None } else { self.scalar() }
    }

    pub fn style(&self) -> Option<ScalarStyle> {
        match &self.node().kind {
            NodeKind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// A null in the YAML core schema: an empty value, `~` or `null` (plain, untagged); also an
    /// alias whose anchor is undefined.
    pub fn is_null(&self) -> bool {
        match &self.node().kind {
            NodeKind::Scalar {
                style: ScalarStyle::Plain,
                ..
            } => {
                self.node().tag.is_none()
                    && matches!(self.scalar(), Some("" | "~" | "null" | "Null" | "NULL"))
            }
            NodeKind::Alias(None) => true,
            _ => false,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.node().kind, NodeKind::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.node().kind, NodeKind::Seq(_))
    }

    /// True for null, `{}` and `[]`: a field present in the text but carrying nothing.
    pub fn is_empty_value(&self) -> bool {
        match &self.node().kind {
            NodeKind::Map(entries) => entries.is_empty(),
            NodeKind::Seq(items) => items.is_empty(),
            _ => self.is_null(),
        }
    }

    /// Items of a sequence (empty for anything else).
    pub fn items(self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        let doc = self.doc;
        let items: &'a [NodeId] = match &self.node().kind {
            NodeKind::Seq(items) => items,
            _ => &[],
        };
        items.iter().map(move |&id| NodeRef::new(doc, id))
    }

    /// The raw entries of a mapping as written, duplicates and merge keys included.
    pub fn raw_entries(self) -> impl Iterator<Item = EntryRef<'a>> + 'a {
        let doc = self.doc;
        let entries: &'a [Entry] = match &self.node().kind {
            NodeKind::Map(entries) => entries,
            _ => &[],
        };
        entries.iter().map(move |e| EntryRef {
            key: NodeRef::new(doc, e.key),
            value: NodeRef::new(doc, e.value),
        })
    }

    /// The effective entries of a mapping as Kubernetes reads it: merge keys expanded (explicit keys
    /// win, earlier merge sources win over later ones), and for duplicate keys only the last one.
    pub fn entries(&self) -> Vec<EntryRef<'a>> {
        let mut out = Vec::new();
        self.entries_into(&mut out);
        out
    }

    /// [`NodeRef::entries`] into `out` (cleared first), for callers that reuse one buffer.
    pub fn entries_into(&self, out: &mut Vec<EntryRef<'a>>) {
        out.clear();
        // Most mappings have a few keys and no merge key: their entries as written, but for the
        // earlier of duplicate keys (keys of equal text have equal lengths, compared first).
        let mut merges = false;
        for entry in self.raw_entries() {
            merges |= entry.is_merge();
            out.push(entry);
        }
        if !merges && out.len() <= 32 {
            let mut kept = 0;
            for i in 0..out.len() {
                let key = out[i].key.scalar();
                if key.is_some() && out[i + 1..].iter().any(|later| later.key.scalar() == key) {
                    continue;
                }
                out[kept] = out[i];
                kept += 1;
            }
            out.truncate(kept);
            return;
        }
        out.clear();
        let mut seen = std::collections::HashSet::new();
        let mut budget = MERGE_VISIT_BUDGET;
        self.collect_entries(out, &mut seen, 0, &mut budget);
    }

    /// Appends the entries whose keys are not in `seen` yet: own keys first (the last duplicate
    /// wins, in document order), then each merge source in order.
    fn collect_entries(
        &self,
        out: &mut Vec<EntryRef<'a>>,
        seen: &mut std::collections::HashSet<&'a str>,
        depth: u32,
        budget: &mut u32,
    ) {
        let first = out.len();
        let mut merges = Vec::new();
        let entries: Vec<EntryRef<'a>> = self.raw_entries().collect();
        for entry in entries.iter().rev() {
            if entry.is_merge() {
                merges.push(*entry);
                continue;
            }
            // Complex keys (a mapping as a key) never collide with a string lookup; keep them all.
            if entry.key.scalar().is_none_or(|key| seen.insert(key)) {
                out.push(*entry);
            }
        }
        out[first..].reverse();
        if depth >= MAX_MERGE_DEPTH {
            return;
        }
        for entry in merges.iter().rev() {
            for source in entry.merge_sources() {
                if *budget == 0 {
                    return;
                }
                *budget -= 1;
                source.collect_entries(out, seen, depth + 1, budget);
            }
        }
    }

    /// The entry for `key`, honouring duplicates (last wins) and merge keys.
    pub fn entry(&self, key: &str) -> Option<EntryRef<'a>> {
        let mut budget = MERGE_VISIT_BUDGET;
        self.entry_at_depth(key, 0, &mut budget)
    }

    fn entry_at_depth(&self, key: &str, depth: u32, budget: &mut u32) -> Option<EntryRef<'a>> {
        let NodeKind::Map(entries) = &self.node().kind else {
            return None;
        };
        let mut has_merge = false;
        for e in entries.iter().rev() {
            let key_ref = NodeRef::new(self.doc, e.key);
            // An untagged key of another length than `key` (and than `<<`) is neither the key nor
            // a merge key: its text need not be read.
            if key_ref.node().tag.is_none()
                && key_ref
                    .scalar_len()
                    .is_some_and(|len| len != key.len() && len != 2)
            {
                continue;
            }
            let Some(k) = key_ref.scalar() else { continue };
            // `is_merge_key` only where it can matter: a key equal to the one sought, `<<`, or a
            // tagged key (`!!merge`).
            if k == key {
                if !is_merge_key(&key_ref) {
                    return Some(EntryRef {
                        key: key_ref,
                        value: NodeRef::new(self.doc, e.value),
                    });
                }
                has_merge = true;
            } else if (k == "<<" || key_ref.node().tag.is_some()) && is_merge_key(&key_ref) {
                has_merge = true;
            }
        }
        if !has_merge || depth >= MAX_MERGE_DEPTH {
            return None;
        }
        for e in self.raw_entries().filter(|e| e.is_merge()) {
            for source in e.merge_sources() {
                if *budget == 0 {
                    return None;
                }
                *budget -= 1;
                if let Some(found) = source.entry_at_depth(key, depth + 1, budget) {
                    return Some(found);
                }
            }
        }
        None
    }

    /// The node's span cut to its first line (an entry or a block spans many).
    pub fn first_line_span(&self) -> Span {
        let span = self.span();
        let text = self.doc.text();
        let start = (span.start as usize).min(text.len());
        let end = (span.end as usize).min(text.len()).max(start);
        let cut = text[start..end]
            .find(['\n', '\r'])
            .map_or(end, |i| start + i);
        Span::new(start, cut.max(start))
    }

    pub fn get(&self, key: &str) -> Option<NodeRef<'a>> {
        self.entry(key).map(|e| e.value)
    }

    /// Follows a path of keys.
    pub fn path(&self, keys: &[&str]) -> Option<NodeRef<'a>> {
        let mut node = *self;
        for key in keys {
            node = node.get(key)?;
        }
        Some(node)
    }

    /// `get(key)` as a non-null string.
    pub fn get_str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(|v| v.as_str())
    }
}

fn is_merge_key(key: &NodeRef<'_>) -> bool {
    let node = key.node();
    match &node.tag {
        Some(tag) => tag.ends_with(":merge"),
        None => {
            matches!(
                node.kind,
                NodeKind::Scalar {
                    style: ScalarStyle::Plain,
                    ..
                }
            ) && key.scalar_len() == Some(2)
                && key.scalar() == Some("<<")
        }
    }
}

impl<'a> EntryRef<'a> {
    pub fn is_merge(&self) -> bool {
        is_merge_key(&self.key)
    }

    /// The mappings a merge key pulls in: one mapping, or a sequence of them (earlier wins).
    fn merge_sources(&self) -> Vec<NodeRef<'a>> {
        if self.value.is_map() {
            vec![self.value]
        } else {
            self.value.items().filter(|n| n.is_map()).collect()
        }
    }
}
