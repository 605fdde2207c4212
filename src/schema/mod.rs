//! Schema validation with spans: the built-in kinds of every supported Kubernetes minor
//! ([`builtin`], from an embedded table) and the custom resources of CustomResourceDefinitions
//! found in the linted set ([`crd`]), checked by one walk over the span tree ([`validate`]).
//!
//! Values are typed as the API server receives them: kubectl and Helm turn YAML into JSON with
//! go-yaml v2 (YAML 1.1 scalars, so `yes` and `on` are booleans, `0x1F` is an integer, a
//! timestamp stays a string), and the server decodes that JSON into typed fields. A quoted `"3"`
//! is a string and fails in an integer field; `3` fails in a string field; a `null` counts as the
//! field being absent (Go decodes it to the zero value, and CRD validation prunes it).

pub mod builtin;
pub mod crd;

use std::fmt::Write as _;

use crate::quantity::Quantity;
use crate::source::Span;
use crate::yaml::{EntryRef, NodeKind, NodeRef, ScalarStyle};

/// Index of a node in a schema arena.
pub type NodeIx = u32;

/// How deep a value may nest before the walk stops (real objects nest about 20 levels).
const MAX_DEPTH: u32 = 64;

/// How many values one object's walk may visit. Aliases are followed, so a crafted file could
/// otherwise make the walk exponential in its size; the largest real objects visit a few thousand.
const VISIT_BUDGET: u32 = 250_000;

/// One schema node.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub kind: Kind<'a>,
    /// `null` is allowed (it always is for built-in kinds: Go decodes it to the zero value).
    pub nullable: bool,
    /// Allowed values, as scalar text (`enum` of a CRD, or the built-in enum table).
    pub enumeration: Option<Vec<&'a str>>,
}

impl<'a> Node<'a> {
    pub fn new(kind: Kind<'a>) -> Node<'a> {
        Node {
            kind,
            nullable: true,
            enumeration: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrFormat {
    Plain,
    /// base64 (`Secret.data`, `caBundle`): Go decodes it with the standard alphabet.
    Byte,
    /// A resource quantity in a CRD string (its pattern is the quantity pattern).
    Quantity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntFormat {
    Any,
    Int32,
    Int64,
}

#[derive(Debug, Clone)]
pub enum Kind<'a> {
    /// Anything goes (`RawExtension`, `JSON`, a CRD field with `x-kubernetes-preserve-unknown-fields`).
    Any,
    String(StrFormat),
    Integer(IntFormat),
    Number,
    Boolean,
    /// `resource.Quantity`: a number, or a string `ParseQuantity` accepts; with `pattern`, a string
    /// must also match the OpenAPI quantity pattern (CRD schemas say so).
    Quantity {
        pattern: bool,
    },
    /// `intstr.IntOrString` (`x-kubernetes-int-or-string`).
    IntOrString,
    Array(NodeIx),
    /// A mapping whose keys are free and whose values follow the node.
    Map(NodeIx),
    Object(Object<'a>),
    /// A built-in definition, by name index, resolved for the target version.
    Ref(u32),
    /// A part of a CRD's schema, compiled when first visited (see [`crd`]).
    Lazy(Box<crd::Lazy<'a>>),
}

#[derive(Debug, Clone)]
pub struct Object<'a> {
    /// Sorted by name.
    pub props: Vec<Prop<'a>>,
    pub additional: Additional,
    /// `x-kubernetes-embedded-resource`: `apiVersion`, `kind` and `metadata` are allowed.
    pub embedded: bool,
    /// What to call the object in messages (`Container`), when known.
    pub title: Option<&'a str>,
}

impl<'a> Object<'a> {
    pub fn prop(&self, name: &str) -> Option<&Prop<'a>> {
        self.props
            .binary_search_by(|p| p.name.cmp(name))
            .ok()
            .map(|i| &self.props[i])
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Prop<'a> {
    pub name: &'a str,
    pub node: NodeIx,
    pub required: bool,
}

/// What keys other than the properties may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Additional {
    /// None: another key is an unknown field.
    Closed,
    /// Anything (`x-kubernetes-preserve-unknown-fields`, `additionalProperties: true`).
    Open,
    Schema(NodeIx),
}

/// A schema arena and, for built-in kinds, the definitions of the target version.
#[derive(Clone, Copy)]
pub struct Schema<'s, 'a> {
    pub nodes: &'s [Node<'a>],
    /// Definition name index → node, for [`Kind::Ref`].
    pub defs: &'s [Option<NodeIx>],
    /// Definition names, for titles of referenced objects.
    pub names: &'s [&'a str],
}

impl<'s, 'a> Schema<'s, 'a> {
    fn node(&self, mut ix: NodeIx) -> Option<(&'s Node<'a>, Option<&'a str>)> {
        let mut title = None;
        // A ref points at a definition, which is never itself a bare ref; bound it anyway.
        for _ in 0..8 {
            let node = self.nodes.get(ix as usize)?;
            match node.kind {
                Kind::Ref(name) => {
                    title = self.names.get(name as usize).copied();
                    ix = (*self.defs.get(name as usize)?)?;
                }
                _ => return Some((node, title)),
            }
        }
        None
    }
}

/// The four classes of finding the walk produces, one per rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    UnknownField,
    TypeMismatch,
    MissingRequired,
    InvalidEnum,
}

#[derive(Debug, Clone)]
pub struct Finding {
    /// Which rule's finding this is.
    pub class: Class,
    pub span: Span,
    pub message: String,
    pub label: Option<String>,
    pub help: Option<String>,
}

/// The YAML type of a value as go-yaml v2 resolves it (kubectl's and Helm's reading).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlType {
    Null,
    Bool,
    Int,
    Float,
    String,
    Map,
    Seq,
}

impl YamlType {
    pub fn noun(self) -> &'static str {
        match self {
            YamlType::Null => "null",
            YamlType::Bool => "a boolean",
            YamlType::Int => "an integer",
            YamlType::Float => "a number",
            YamlType::String => "a string",
            YamlType::Map => "a mapping",
            YamlType::Seq => "a list",
        }
    }
}

/// Resolves a node's type as go-yaml v2 does: explicit tags first, quoted and block scalars are
/// strings, plain scalars by the YAML 1.1 rules (`yes`/`no`/`on`/`off`/`y`/`n` are booleans,
/// `0x`, `0o`, `0b` and leading-zero octal integers, `_` separators, `.inf`/`.nan` floats).
pub fn yaml_type(node: &NodeRef<'_>) -> YamlType {
    match node.kind() {
        NodeKind::Map(_) => return YamlType::Map,
        NodeKind::Seq(_) => return YamlType::Seq,
        NodeKind::Alias(None) => return YamlType::Null,
        _ => {}
    }
    if let Some(tag) = node.node().tag.as_deref() {
        let short = tag.rsplit(':').next().unwrap_or(tag);
        return match short {
            "null" => YamlType::Null,
            "bool" => YamlType::Bool,
            "int" => YamlType::Int,
            "float" => YamlType::Float,
            _ => YamlType::String,
        };
    }
    if node.style() != Some(ScalarStyle::Plain) {
        return YamlType::String;
    }
    plain_type(node.scalar().unwrap_or_default())
}

/// The type of a plain scalar's text under go-yaml v2's resolver.
pub fn plain_type(text: &str) -> YamlType {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return YamlType::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" | "n"
        | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return YamlType::Bool;
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return YamlType::Float,
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return YamlType::String;
    }
    let plain: std::borrow::Cow<'_, str> = if text.contains('_') {
        text.chars()
            .filter(|&c| c != '_')
            .collect::<String>()
            .into()
    } else {
        text.into()
    };
    if go_parse_int(&plain) {
        return YamlType::Int;
    }
    if yaml_style_float(&plain) {
        return YamlType::Float;
    }
    YamlType::String
}

/// Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint` acceptance: sign, then `0x`/`0o`/`0b` prefixes,
/// a leading `0` for octal, else decimal (range ignored: an over-long integer is still a number).
fn go_parse_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    let (digits, radix) = match body {
        [b'0', b'x' | b'X', rest @ ..] => (rest, 16),
        [b'0', b'o' | b'O', rest @ ..] => (rest, 8),
        [b'0', b'b' | b'B', rest @ ..] => (rest, 2),
        [b'0', rest @ ..] if !rest.is_empty() => (rest, 8),
        _ => (body, 10),
    };
    !digits.is_empty() && digits.iter().all(|&c| char::from(c).is_digit(radix))
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The integer value of an integer scalar, when it fits in an i128.
fn int_value(text: &str) -> Option<i128> {
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, body) = match plain.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, plain.strip_prefix('+').unwrap_or(&plain)),
    };
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
        (d.to_string(), 16)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (d.to_string(), 8)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (d.to_string(), 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (lower[1..].to_string(), 8)
    } else {
        (lower, 10)
    };
    let v = i128::from_str_radix(&digits, radix).ok()?;
    Some(if negative { -v } else { v })
}

/// True when `text` is base64 as Go's `encoding/json` decodes `[]byte` (standard alphabet, padded;
/// line breaks are ignored).
pub fn is_base64(text: &str) -> bool {
    let bytes: Vec<u8> = text.bytes().filter(|&b| b != b'\n' && b != b'\r').collect();
    if !bytes.len().is_multiple_of(4) {
        return false;
    }
    let pad = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    if pad > 2 {
        return false;
    }
    bytes[..bytes.len() - pad]
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// One step of the path to a value, for messages.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

struct Walk<'s, 'a, 'd, 'n> {
    schema: Schema<'s, 'a>,
    /// The object's name, for messages about its root (`RoleBinding/read`); made only for them.
    root_name: &'n dyn Fn() -> String,
    /// Built-in schemas: `""` is the zero value of an enum field and always accepted.
    empty_enum_ok: bool,
    path: Vec<Step<'d>>,
    out: Vec<Finding>,
    budget: u32,
    /// How many more lazily compiled schema nodes the walk may use (see [`crd::MAX_SCHEMA_NODES`]).
    schema_budget: usize,
    /// The effective entries of the mapping being checked at each depth: buffers reused from one
    /// mapping to the next (one depth holds one mapping at a time).
    entries: Vec<Vec<EntryRef<'d>>>,
}

/// Where the walk is: the value, and where to point for a field missing from it.
#[derive(Clone, Copy)]
struct At<'d> {
    value: NodeRef<'d>,
    /// The key of the entry holding the value (or the object's anchor, or the item's first line).
    anchor: Span,
}

impl<'s, 'a, 'd, 'n> Walk<'s, 'a, 'd, 'n> {
    fn path(&self) -> String {
        let mut out = String::new();
        for step in &self.path {
            match step {
                Step::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Step::Index(i) => {
                    let _ = write!(out, "[{i}]");
                }
            }
        }
        out
    }

    /// The name of the field being checked (its key), for messages.
    fn field(&self) -> String {
        match self.path.last() {
            Some(Step::Key(k)) => format!("`{k}`"),
            Some(Step::Index(_)) => format!("`{}`", self.path()),
            None => "the object".to_string(),
        }
    }

    fn push(
        &mut self,
        class: Class,
        span: Span,
        message: String,
        label: Option<String>,
        help: Option<String>,
    ) {
        self.out.push(Finding {
            class,
            span,
            message,
            label,
            help,
        });
    }

    fn visit(&mut self, at: At<'d>, ix: NodeIx, depth: u32) {
        if depth > MAX_DEPTH || self.budget == 0 {
            return;
        }
        self.budget -= 1;
        let Some((node, title)) = self.schema.node(ix) else {
            return;
        };
        if let Kind::Lazy(lazy) = &node.kind {
            // Its own small arena: walk it, then come back to this one.
            if self.schema_budget == 0 {
                return;
            }
            let (nodes, root) = lazy.compiled();
            self.schema_budget = self.schema_budget.saturating_sub(nodes.len());
            let outer = std::mem::replace(
                &mut self.schema,
                Schema {
                    nodes,
                    defs: &[],
                    names: &[],
                },
            );
            self.budget += 1;
            self.visit(at, root, depth);
            self.schema = outer;
            return;
        }
        let ty = yaml_type(&at.value);
        if ty == YamlType::Null || is_template_expression(&at.value) {
            return;
        }
        match &node.kind {
            Kind::Any => {}
            Kind::String(format) => {
                if ty != YamlType::String {
                    self.mismatch(at, ty, "a string", None);
                    return;
                }
                let text = at.value.scalar().unwrap_or_default();
                match format {
                    StrFormat::Byte if !is_base64(text) => self.mismatch(at,
                        ty,
                        "base64 data",
                        Some("encode the value with `base64 -w0`, or use `stringData` for plain text in a Secret".to_string()),
                    ),
                    StrFormat::Quantity if !Quantity::is_well_formed(text.trim()) => {
                        self.bad_quantity(at.value, text)
                    }
                    _ => self.check_enum(at.value, node),
                }
            }
            Kind::Integer(format) => match ty {
                YamlType::Int => {
                    let fits = match (format, int_value(at.value.scalar().unwrap_or_default())) {
                        (IntFormat::Int32, Some(v)) => i32::try_from(v).is_ok(),
                        (IntFormat::Int64, Some(v)) => i64::try_from(v).is_ok(),
                        (_, v) => v.is_some() || *format == IntFormat::Any,
                    };
                    if fits {
                        self.check_enum(at.value, node);
                    } else {
                        let bits = if *format == IntFormat::Int32 { 32 } else { 64 };
                        self.push(
                            Class::TypeMismatch,
                            at.value.span(),
                            format!("{} does not fit in a {bits}-bit integer", self.field()),
                            Some("out of range".to_string()),
                            None,
                        );
                    }
                }
                YamlType::Float if integral_float(at.value.scalar().unwrap_or_default()) => {}
                _ => self.mismatch(at, ty, "an integer", None),
            },
            Kind::Number => {
                if !matches!(ty, YamlType::Int | YamlType::Float) {
                    self.mismatch(at, ty, "a number", None);
                } else {
                    self.check_enum(at.value, node);
                }
            }
            Kind::Boolean => {
                if ty != YamlType::Bool {
                    self.mismatch(at, ty, "a boolean (`true` or `false`)", None);
                }
            }
            Kind::Quantity { pattern } => match ty {
                YamlType::Int | YamlType::Float => {}
                YamlType::String => {
                    let text = at.value.scalar().unwrap_or_default();
                    let ok = if *pattern {
                        Quantity::is_well_formed(text)
                    } else {
                        Quantity::from_manifest(text).is_ok()
                    };
                    if !ok {
                        self.bad_quantity(at.value, text);
                    }
                }
                _ => self.mismatch(at, ty, "a quantity (`250m`, `512Mi`)", None),
            },
            Kind::IntOrString => match ty {
                YamlType::Int | YamlType::String => self.check_enum(at.value, node),
                YamlType::Float if integral_float(at.value.scalar().unwrap_or_default()) => {}
                _ => self.mismatch(at, ty, "an integer or a string", None),
            },
            Kind::Array(items) => {
                if ty != YamlType::Seq {
                    self.mismatch(at, ty, "a list", None);
                    return;
                }
                for (i, item) in at.value.items().enumerate() {
                    let anchor = item_anchor(&item);
                    self.path.push(Step::Index(i));
                    self.visit(
                        At {
                            value: item,
                            anchor,
                        },
                        *items,
                        depth + 1,
                    );
                    self.path.pop();
                }
            }
            Kind::Map(values) => {
                if ty != YamlType::Map {
                    self.mismatch(at, ty, "a mapping", None);
                    return;
                }
                let entries = self.take_entries(at.value, depth);
                for entry in &entries {
                    let Some(key) = entry.key.scalar() else {
                        continue;
                    };
                    self.path.push(Step::Key(key));
                    self.visit(
                        At {
                            value: entry.value,
                            anchor: entry.key.span(),
                        },
                        *values,
                        depth + 1,
                    );
                    self.path.pop();
                }
                self.entries[depth as usize] = entries;
            }
            Kind::Object(object) => {
                if ty != YamlType::Map {
                    self.mismatch(at, ty, "a mapping", None);
                    return;
                }
                self.object(at, object, title.or(object.title), depth);
            }
            Kind::Ref(_) | Kind::Lazy(_) => {}
        }
    }

    /// The effective entries of mapping `map` (`NodeRef::entries`) in the buffer of `depth`,
    /// which the caller gives back when done with them.
    fn take_entries(&mut self, map: NodeRef<'d>, depth: u32) -> Vec<EntryRef<'d>> {
        let level = depth as usize;
        if self.entries.len() <= level {
            self.entries.resize_with(level + 1, Vec::new);
        }
        let mut entries = std::mem::take(&mut self.entries[level]);
        map.entries_into(&mut entries);
        entries
    }

    fn object(&mut self, at: At<'d>, object: &Object<'a>, title: Option<&'a str>, depth: u32) {
        let entries = self.take_entries(at.value, depth);
        let at_root = self.path.is_empty();
        for prop in object
            .props
            .iter()
            .filter(|p| p.required && !(at_root && p.name == "status"))
        {
            let present = entries.iter().any(|e| {
                e.key.scalar() == Some(prop.name) && yaml_type(&e.value) != YamlType::Null
            });
            if !present {
                let what = match (title, self.path.is_empty()) {
                    (_, true) => (self.root_name)(),
                    (Some(t), false) => format!("`{}` ({})", self.path(), short_title(t)),
                    (None, false) => format!("`{}`", self.path()),
                };
                let null = entries.iter().any(|e| e.key.scalar() == Some(prop.name));
                let span = match entries.iter().find(|e| e.key.scalar() == Some(prop.name)) {
                    Some(e) => e.head_span(),
                    None => at.anchor,
                };
                self.push(
                    Class::MissingRequired,
                    span,
                    format!("{what} is missing the required field `{}`", prop.name),
                    Some(if null {
                        format!("`{}` is null", prop.name)
                    } else {
                        format!("no `{}` here", prop.name)
                    }),
                    Some(format!(
                        "add `{}:`; the API server rejects the object without it",
                        prop.name
                    )),
                );
            }
        }
        for entry in &entries {
            let Some(key) = entry.key.scalar() else {
                continue;
            };
            // A manifest's `status` is the controllers' to write; the API server discards it.
            // `$patch`, `$retainKeys`, `$setElementOrder/…` are strategic-merge-patch directives
            // of kustomize patches, not fields.
            if (self.path.is_empty() && key == "status") || key.starts_with('$') {
                continue;
            }
            let next = match object.prop(key) {
                Some(prop) => Some(prop.node),
                None => match object.additional {
                    Additional::Schema(ix) => Some(ix),
                    Additional::Open => None,
                    Additional::Closed => {
                        let embedded =
                            object.embedded && matches!(key, "apiVersion" | "kind" | "metadata");
                        if !embedded {
                            self.unknown(entry.key.span(), key, object, title);
                        }
                        None
                    }
                },
            };
            if let Some(next) = next {
                self.path.push(Step::Key(key));
                self.visit(
                    At {
                        value: entry.value,
                        anchor: entry.key.span(),
                    },
                    next,
                    depth + 1,
                );
                self.path.pop();
            }
        }
        self.entries[depth as usize] = entries;
    }

    fn unknown(&mut self, span: Span, key: &str, object: &Object<'a>, title: Option<&'a str>) {
        let where_ = match (self.path.is_empty(), title) {
            (true, Some(t)) => format!("a {}", short_title(t)),
            (true, None) => "the object".to_string(),
            (false, Some(t)) => format!("`{}` ({})", self.path(), short_title(t)),
            (false, None) => format!("`{}`", self.path()),
        };
        let suggestion = did_you_mean(key, object.props.iter().map(|p| p.name));
        let message = match suggestion {
            Some(s) => format!("unknown field `{key}` in {where_}: did you mean `{s}`?"),
            None => format!("unknown field `{key}` in {where_}"),
        };
        let label = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => "not a field here".to_string(),
        };
        let fields: Vec<&str> = object.props.iter().map(|p| p.name).collect();
        let help = match suggestion {
            Some(s) => format!(
                "the API server drops or rejects unknown fields, so this setting never takes effect; rename it to `{s}`"
            ),
            None if fields.len() <= 12 => format!(
                "the API server drops or rejects unknown fields; the fields here are {}",
                fields
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "the API server drops or rejects unknown fields: remove it, or move it where it belongs".to_string(),
        };
        self.push(Class::UnknownField, span, message, Some(label), Some(help));
    }

    fn mismatch(&mut self, at: At<'d>, ty: YamlType, want: &str, help: Option<String>) {
        let value = at.value;
        // A mapping or list where a scalar goes: point at its key, not at its first line.
        let span = if matches!(ty, YamlType::Map | YamlType::Seq) {
            at.anchor
        } else {
            value.span()
        };
        let text = value.scalar();
        let shown = match (ty, text) {
            (YamlType::Map | YamlType::Seq, _) | (_, None) => ty.noun().to_string(),
            (_, Some(t)) if value.style() == Some(ScalarStyle::Plain) => {
                format!("`{}` ({})", clip(t), ty.noun())
            }
            (_, Some(t)) => format!("`{}` ({})", clip(&quote(t)), ty.noun()),
        };
        let key = match self.path.last() {
            Some(Step::Key(k)) => *k,
            _ => "",
        };
        let help = help.or_else(|| suggest_fix(value, ty, want, key));
        self.push(
            Class::TypeMismatch,
            span,
            format!("{} must be {want}, but is {shown}", self.field()),
            Some(format!("{} here", ty.noun())),
            help,
        );
    }

    fn bad_quantity(&mut self, value: NodeRef<'d>, text: &str) {
        let help = quantity_fix(text.trim()).map_or_else(
            || "write a number with a Kubernetes suffix: `250m`, `1.5`, `512Mi`, `2Gi`, `1e3`".to_string(),
            |fix| format!("Kubernetes quantities take `{fix}` here (binary: Ki Mi Gi Ti; decimal: k M G T)"),
        );
        self.push(
            Class::TypeMismatch,
            value.span(),
            format!("{} is not a valid quantity: `{}`", self.field(), clip(text)),
            Some("Kubernetes cannot parse this".to_string()),
            Some(help),
        );
    }

    fn check_enum(&mut self, value: NodeRef<'d>, node: &Node<'a>) {
        let Some(allowed) = &node.enumeration else {
            return;
        };
        let Some(text) = value.scalar() else { return };
        if allowed.contains(&text) || (self.empty_enum_ok && text.is_empty()) {
            return;
        }
        let list = allowed
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let close = allowed
            .iter()
            .find(|v| v.eq_ignore_ascii_case(text))
            .copied()
            .or_else(|| did_you_mean(text, allowed.iter().copied()));
        let (label, help) = match close {
            Some(c) => (
                format!("did you mean `{c}`?"),
                format!("values are case-sensitive; write `{c}`"),
            ),
            None => (
                "not an allowed value".to_string(),
                format!("use one of {list}"),
            ),
        };
        self.push(
            Class::InvalidEnum,
            value.span(),
            format!(
                "{} must be one of {list}, not `{}`",
                self.field(),
                clip(text)
            ),
            Some(label),
            Some(help),
        );
    }
}

/// An unrendered Go template expression (`name: {{ .Name }}`), which YAML reads as a flow mapping:
/// the file is a template, not a manifest, and its value is not known.
fn is_template_expression(value: &NodeRef<'_>) -> bool {
    value.is_map() && value.doc.text()[value.span().range()].starts_with("{{")
}

/// Where to point for a field missing from a list item: its first entry, or the item.
fn item_anchor(item: &NodeRef<'_>) -> Span {
    match item.raw_entries().next() {
        Some(first) => first.head_span(),
        None => item.span(),
    }
}

fn integral_float(text: &str) -> bool {
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    plain
        .parse::<f64>()
        .is_ok_and(|v| v.is_finite() && v.fract() == 0.0)
}

fn short_title(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

fn clip(text: &str) -> String {
    let first_line = text.lines().next().unwrap_or_default();
    if first_line.chars().count() > 40 || first_line.len() != text.len() {
        let cut: String = first_line.chars().take(40).collect();
        format!("{cut}…")
    } else {
        first_line.to_string()
    }
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The closest candidate by edit distance (Damerau-Levenshtein, case-insensitive), if close enough.
pub fn did_you_mean<'c>(word: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &'c str)> = None;
    for candidate in candidates {
        let distance = strsim::damerau_levenshtein(&lower, &candidate.to_ascii_lowercase());
        let limit = match candidate.chars().count().max(word.chars().count()) {
            0..=3 => 1,
            4..=8 => 2,
            _ => 3,
        };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// A concrete fix for a mismatched scalar: unquote a number or boolean, quote a string.
fn suggest_fix(value: NodeRef<'_>, ty: YamlType, want: &str, key: &str) -> Option<String> {
    let text = value.scalar()?;
    let numeric = matches!(plain_type(text.trim()), YamlType::Int | YamlType::Float);
    match ty {
        YamlType::String if (want.starts_with("an integer") || want == "a number") && numeric => {
            Some(format!(
                "write the number without quotes: `{}`",
                text.trim()
            ))
        }
        YamlType::String if want.starts_with("an integer") => {
            Some(if key.to_ascii_lowercase().ends_with("port") {
                "write the port number here; a port's name goes in its `name:` field".to_string()
            } else {
                "write a whole number here".to_string()
            })
        }
        YamlType::String if want.starts_with("a boolean") => {
            matches!(text.trim(), "true" | "false")
                .then(|| format!("write the boolean without quotes: `{}`", text.trim()))
        }
        YamlType::Int | YamlType::Float | YamlType::Bool if want == "a string" => Some(format!(
            "quote the value so YAML reads it as a string: `\"{text}\"`"
        )),
        _ => None,
    }
}

/// `512MB` → `512M` or `512Mi`; `1gb` → `1G`…: the suffixes people write for the ones Kubernetes knows.
fn quantity_fix(text: &str) -> Option<String> {
    let digits_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(digits_end);
    if number.is_empty() {
        return None;
    }
    let unit = match suffix.to_ascii_lowercase().as_str() {
        "kb" | "k" => "k",
        "mb" => "M",
        "gb" | "g" => "G",
        "tb" | "t" => "T",
        "kib" | "ki" => "Ki",
        "mib" | "mi" => "Mi",
        "gib" | "gi" => "Gi",
        "tib" | "ti" => "Ti",
        _ => return None,
    };
    let binary = if unit.ends_with('i') {
        String::new()
    } else {
        format!("` or `{number}{}i", unit.to_ascii_uppercase())
    };
    Some(format!("{number}{unit}{binary}"))
}

/// Validates `root` (an object) against schema node `ix` once for every class of finding (each
/// finding says its [`Class`]): the four schema rules share this walk per object. `anchor` is
/// where to point for a field missing from the object itself (its `kind:` line).
pub fn validate_all<'d>(
    schema: Schema<'_, '_>,
    ix: NodeIx,
    root: NodeRef<'d>,
    anchor: Span,
    builtin: bool,
    root_name: &dyn Fn() -> String,
) -> Vec<Finding> {
    walk(schema, ix, root, anchor, builtin, root_name, None)
}

/// Validates one field of an object (`metadata` of a custom resource) against schema node `ix`
/// for every class of finding; messages name it by `key`, and `anchor` is its key.
pub fn validate_field_all<'d>(
    schema: Schema<'_, '_>,
    ix: NodeIx,
    value: NodeRef<'d>,
    key: &'d str,
    anchor: Span,
    root_name: &dyn Fn() -> String,
) -> Vec<Finding> {
    walk(schema, ix, value, anchor, true, root_name, Some(key))
}

#[allow(clippy::too_many_arguments)]
fn walk<'d>(
    schema: Schema<'_, '_>,
    ix: NodeIx,
    value: NodeRef<'d>,
    anchor: Span,
    builtin: bool,
    root_name: &dyn Fn() -> String,
    key: Option<&'d str>,
) -> Vec<Finding> {
    let mut walk = Walk {
        schema,
        root_name,
        empty_enum_ok: builtin,
        path: key.map(Step::Key).into_iter().collect(),
        out: Vec::new(),
        budget: VISIT_BUDGET,
        schema_budget: crd::MAX_SCHEMA_NODES,
        entries: Vec::new(),
    };
    walk.visit(At { value, anchor }, ix, 0);
    walk.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_resolve_like_go_yaml_v2() {
        use YamlType::*;
        for (text, want) in [
            ("3", Int),
            ("-3", Int),
            ("+3", Int),
            ("0x1F", Int),
            ("0o17", Int),
            ("017", Int),
            ("0b101", Int),
            ("1_000", Int),
            ("99999999999999999999", Int),
            ("1.5", Float),
            ("1.", Float),
            (".5", Float),
            ("1e3", Float),
            ("-1.5E-3", Float),
            (".inf", Float),
            (".nan", Float),
            ("yes", Bool),
            ("On", Bool),
            ("n", Bool),
            ("FALSE", Bool),
            ("~", Null),
            ("", Null),
            ("http", String),
            ("512MB", String),
            ("1.2.3", String),
            ("2001-12-14", String),
            ("08", Float),
            ("0x", String),
            ("1e", String),
            ("-", String),
            ("true_", String),
            ("nO", String),
        ] {
            assert_eq!(plain_type(text), want, "{text:?}");
        }
    }

    #[test]
    fn base64_as_go_decodes_it() {
        assert!(is_base64("aGVsbG8="));
        assert!(is_base64(""));
        assert!(is_base64("aGVs\nbG8h"));
        assert!(!is_base64("hello"));
        assert!(!is_base64("aGVsbG8"));
        assert!(!is_base64("aGV sbG8="));
        assert!(!is_base64("a==="));
    }

    #[test]
    fn suggestions() {
        let fields = ["resources", "readinessProbe", "restartPolicy"];
        assert_eq!(
            did_you_mean("resource", fields.iter().copied()),
            Some("resources")
        );
        assert_eq!(
            did_you_mean("Resources", fields.iter().copied()),
            Some("resources")
        );
        assert_eq!(did_you_mean("image", fields.iter().copied()), None);
        assert_eq!(quantity_fix("512MB").as_deref(), Some("512M` or `512Mi"));
        assert_eq!(quantity_fix("2GiB").as_deref(), Some("2Gi"));
        assert_eq!(quantity_fix("abc"), None);
    }

    #[test]
    fn integers() {
        assert_eq!(int_value("0x10"), Some(16));
        assert_eq!(int_value("-017"), Some(-15));
        assert_eq!(int_value("1_000"), Some(1000));
        assert!(integral_float("3.0"));
        assert!(integral_float("1e3"));
        assert!(!integral_float("1.5"));
    }
}
