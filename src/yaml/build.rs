//! Folds the granit-parser event stream of one file into [`Document`] trees.

use std::collections::HashMap;
use std::sync::Arc;

use granit_parser::{Event, Parser, options};

use super::node::{Comment, Document, Entry, Node, NodeId, NodeKind, Text};
use crate::source::{FileId, SourceFile, Span};

/// A YAML syntax error: where it is and what the parser said.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    /// 0-based index of the document that failed.
    pub document: usize,
}

/// Everything parsed from one file.
#[derive(Debug)]
pub struct ParsedFile {
    pub documents: Vec<Document>,
    pub errors: Vec<SyntaxError>,
    /// The comments that may be suppressions (`# kpolicy: …`, see [`is_directive`]).
    pub comments: Vec<Comment>,
}

/// Whether a comment's text (after `#`) is a kpolicy directive, such as an inline suppression.
fn is_directive(text: &str) -> bool {
    text.trim_start().starts_with(DIRECTIVE)
}

/// What a kpolicy comment starts with: `# kpolicy: ignore[rule] reason`.
pub const DIRECTIVE: &str = "kpolicy:";

/// Parses every document of a stream. A syntax error abandons only the document it is in; parsing
/// resumes at the next `---`.
pub fn parse_file(file: FileId, source: &Arc<SourceFile>) -> ParsedFile {
    let text = source.text.as_str();
    let mut parser = Parser::new_from_str_with_options(
        text,
        options! {
            emit_unresolved_aliases: true,
        },
    );
    let mut builder = Builder {
        file,
        source: source.clone(),
        out: ParsedFile {
            documents: Vec::new(),
            errors: Vec::new(),
            comments: Vec::new(),
        },
        doc: None,
        doc_index: 0,
        stack: Vec::new(),
        anchors: HashMap::new(),
        pending_source: None,
    };
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => {
                let span = match span.byte_range() {
                    Some(r) => Span::new(r.start.min(text.len()), r.end.min(text.len())),
                    None => Span::default(),
                };
                if matches!(event, Event::StreamEnd) {
                    break;
                }
                builder.event(event, span);
            }
            Some(Err(error)) => {
                let at = error
                    .marker()
                    .byte_offset()
                    .unwrap_or(text.len())
                    .min(text.len());
                builder.error(at, error.kind().to_string());
                match parser.proceed_next_document() {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(error) => {
                        let at = error
                            .marker()
                            .byte_offset()
                            .unwrap_or(text.len())
                            .min(text.len());
                        builder.error(at, error.kind().to_string());
                        break;
                    }
                }
            }
        }
    }
    builder.out
}

struct Open {
    id: NodeId,
    pending_key: Option<NodeId>,
}

struct Builder {
    file: FileId,
    source: Arc<SourceFile>,
    out: ParsedFile,
    doc: Option<Document>,
    doc_index: usize,
    stack: Vec<Open>,
    anchors: HashMap<usize, NodeId>,
    pending_source: Option<(Box<str>, Span)>,
}

impl Builder {
    fn doc(&mut self) -> &mut Document {
        if self.doc.is_none() {
            self.doc = Some(Document {
                file: self.file,
                source: self.source.clone(),
                index: self.doc_index,
                nodes: Vec::new(),
                root: None,
                helm_source: None,
            });
        }
        self.doc.as_mut().expect("document was just created")
    }

    fn event(&mut self, event: Event<'_>, span: Span) {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Anchor(..) => {}
            Event::DocumentStart(..) => {
                self.doc();
            }
            Event::DocumentEnd => self.finish_document(),
            Event::Comment(text, _) => {
                if let Some(path) = text.trim().strip_prefix("Source:") {
                    let before_root = self.doc.as_ref().is_none_or(|d| d.nodes.is_empty());
                    if before_root {
                        self.pending_source = Some((path.trim().into(), span));
                    }
                }
                // Only suppression comments are kept: the rest are never read again.
                if is_directive(&text) {
                    self.out.comments.push(Comment {
                        span,
                        text: text.as_ref().into(),
                    });
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let text = if self.source.slice(span) == value.as_ref() {
                    Text::Source
                } else {
                    Text::Owned(value.as_ref().into())
                };
                let kind = NodeKind::Scalar {
                    text,
                    style: style.into(),
                };
                let id = self.push(span, tag.map(|t| t.to_string().into()), kind, anchor);
                self.attach(id);
            }
            Event::SequenceStart(_, anchor, tag) => {
                let id = self.push(
                    span,
                    tag.map(|t| t.to_string().into()),
                    NodeKind::Seq(Vec::new()),
                    anchor,
                );
                self.stack.push(Open {
                    id,
                    pending_key: None,
                });
            }
            Event::MappingStart(_, anchor, tag) => {
                let id = self.push(
                    span,
                    tag.map(|t| t.to_string().into()),
                    NodeKind::Map(Vec::new()),
                    anchor,
                );
                self.stack.push(Open {
                    id,
                    pending_key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(open) = self.stack.pop() {
                    let doc = self.doc();
                    let last_child_end = match &doc.nodes[open.id.0 as usize].kind {
                        NodeKind::Seq(items) => {
                            items.last().map(|c| doc.nodes[c.0 as usize].span.end)
                        }
                        NodeKind::Map(entries) => entries.last().map(|e| {
                            doc.nodes[e.value.0 as usize]
                                .span
                                .end
                                .max(doc.nodes[e.key.0 as usize].span.end)
                        }),
                        _ => None,
                    };
                    let node = &mut doc.nodes[open.id.0 as usize];
                    // Flow collections end at their closing bracket; block ones at their last child.
                    let end = if span.end > span.start {
                        span.end
                    } else {
                        last_child_end.unwrap_or(node.span.end)
                    };
                    node.span.end = end.max(node.span.start);
                    self.attach(open.id);
                }
            }
            Event::Alias(anchor) => {
                let target = self.anchors.get(&anchor).copied();
                let id = self.push(span, None, NodeKind::Alias(target), 0);
                self.attach(id);
            }
            Event::UnresolvedAlias(_) => {
                let id = self.push(span, None, NodeKind::Alias(None), 0);
                self.attach(id);
            }
            _ => {}
        }
    }

    fn push(&mut self, span: Span, tag: Option<Box<str>>, kind: NodeKind, anchor: usize) -> NodeId {
        let pending_source = self.pending_source.take();
        let doc = self.doc();
        if doc.nodes.is_empty() && pending_source.is_some() {
            doc.helm_source = pending_source;
        }
        let id = NodeId(doc.nodes.len() as u32);
        doc.nodes.push(Node { span, tag, kind });
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
        id
    }

    /// Hands a finished node to its parent (or makes it the document root).
    fn attach(&mut self, id: NodeId) {
        let Some(parent) = self.stack.last_mut() else {
            let doc = self.doc();
            if doc.root.is_none() {
                doc.root = Some(id);
            }
            return;
        };
        let parent_id = parent.id;
        let key = if matches!(
            self.doc
                .as_ref()
                .map(|d| &d.nodes[parent_id.0 as usize].kind),
            Some(NodeKind::Map(_))
        ) {
            match parent.pending_key.take() {
                None => {
                    parent.pending_key = Some(id);
                    return;
                }
                Some(key) => Some(key),
            }
        } else {
            None
        };
        let doc = self.doc();
        match (&mut doc.nodes[parent_id.0 as usize].kind, key) {
            (NodeKind::Map(entries), Some(key)) => entries.push(Entry { key, value: id }),
            (NodeKind::Seq(items), None) => items.push(id),
            _ => {}
        }
    }

    fn finish_document(&mut self) {
        if let Some(doc) = self.doc.take() {
            self.out.documents.push(doc);
        }
        self.doc_index += 1;
        self.stack.clear();
        self.anchors.clear();
    }

    fn error(&mut self, at: usize, message: String) {
        let text = &self.source.text;
        let mut end = at;
        if end < text.len() {
            end += text[at..].chars().next().map_or(0, char::len_utf8);
        }
        self.out.errors.push(SyntaxError {
            span: Span::new(at, end),
            message,
            document: self.doc_index,
        });
        // The broken document is dropped whole: a half-built object would give false findings.
        self.doc = None;
        self.doc_index += 1;
        self.stack.clear();
        self.anchors.clear();
        self.pending_source = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Origin;

    fn parse(text: &str) -> ParsedFile {
        let source = Arc::new(SourceFile::new(Origin::Stdin, text.to_string()));
        parse_file(FileId(0), &source)
    }

    #[test]
    fn keeps_spans_of_keys_and_values() {
        let parsed = parse("a: 1\nb:\n  c: [x, 'y']\n");
        let doc = &parsed.documents[0];
        let root = doc.root().unwrap();
        let b = root.entry("b").unwrap();
        assert_eq!(doc.source.slice(b.key.span()), "b");
        let c = b.value.get("c").unwrap();
        assert_eq!(doc.source.slice(c.span()), "[x, 'y']");
        let y = c.items().nth(1).unwrap();
        assert_eq!(y.scalar(), Some("y"));
        assert_eq!(doc.source.slice(y.span()), "'y'");
    }

    #[test]
    fn merge_keys_and_aliases_resolve_on_lookup() {
        let parsed = parse("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n");
        let root = parsed.documents[0].root().unwrap();
        let d = root.get("d").unwrap();
        assert_eq!(d.get_str("x"), Some("1"));
        assert_eq!(d.get_str("y"), Some("3"));
        let keys: Vec<_> = d
            .entries()
            .iter()
            .map(|e| e.key.scalar().unwrap())
            .collect();
        assert_eq!(keys, ["y", "x"]);
    }

    #[test]
    fn broken_document_does_not_hide_the_next() {
        let parsed = parse("a: [1,\n---\nb: 2\n");
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].document, 0);
        assert_eq!(parsed.documents.len(), 1);
        assert_eq!(parsed.documents[0].index, 1);
        assert_eq!(parsed.documents[0].root().unwrap().get_str("b"), Some("2"));
    }

    #[test]
    fn records_helm_source_comments() {
        let parsed = parse(
            "---\n# Source: chart/templates/a.yaml\nkind: A\n---\n# Source: chart/templates/b.yaml\nkind: B\n",
        );
        let sources: Vec<_> = parsed
            .documents
            .iter()
            .map(|d| d.helm_source.as_ref().unwrap().0.to_string())
            .collect();
        assert_eq!(
            sources,
            ["chart/templates/a.yaml", "chart/templates/b.yaml"]
        );
    }

    #[test]
    fn self_referencing_alias_does_not_loop() {
        let parsed = parse("a: &a\n  b: *a\n  <<: *a\n");
        let root = parsed.documents[0].root().unwrap();
        let a = root.get("a").unwrap();
        assert!(a.get("zzz").is_none());
        assert_eq!(a.entries().len(), 1);
    }
}
