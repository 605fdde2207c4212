//! The data model shared by the Helm template engine and the chart loader.
//!
//! A [`Value`] is what Go's `interface{}` holds in a Helm render: nil, bool, int64, float64, string,
//! `[]interface{}`, `map[string]interface{}` (iterated and printed in sorted key order, as Go's
//! `text/template` and `fmt` do), or a native object with fields and methods (`.Files`,
//! `.Capabilities`, `.Chart`, `.Release`, `.Template`). Every value may carry an [`Origin`]: the
//! span of the values-file node that supplied it (after merging), so a finding on rendered output
//! can say "set here".

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::source::{FileId, Span};

/// Where a value came from: a node of a values file (for a map child, the whole `key: value` entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    pub file: FileId,
    pub span: Span,
}

pub type Map = BTreeMap<String, Value>;

/// A value with an optional origin. Cloning is cheap: containers are behind `Arc`.
#[derive(Clone, Debug)]
pub struct Value {
    pub kind: Kind,
    pub origin: Option<Origin>,
}

#[derive(Clone)]
pub enum Kind {
    /// Go's untyped nil (a missing map key under `missingkey=zero`, a YAML `null`).
    Nil,
    Bool(bool),
    /// int / int64 (template literals, `--set` integers, results of integer functions).
    Int(i64),
    /// float64 (every number that came through YAML→JSON in values files, as in Helm).
    Float(f64),
    Str(Arc<str>),
    List(Arc<Vec<Value>>),
    Map(Arc<Map>),
    /// A Go struct or object with fields and methods (`.Files.Get`, `.Capabilities.APIVersions.Has`).
    Native(Arc<dyn Native>),
}

/// Fields and methods of a native object, looked up by their Go names.
pub trait Native: Send + Sync {
    /// Go type name, used in error messages and `typeOf`/`kindOf`.
    fn type_name(&self) -> &str;
    /// A field such as `.Chart.Name`; `None` when the type has no such field.
    fn field(&self, name: &str) -> Option<Value>;
    /// A method call such as `.Files.Get "x"`; `None` when the type has no such method.
    fn call(&self, method: &str, args: &[Value]) -> Option<Result<Value, String>>;
    /// How `fmt` prints it with `%v` (Go prints structs as `{field1 field2}`).
    fn display(&self) -> String {
        format!("{{{}}}", self.type_name())
    }
    /// What `encoding/json` marshals it to, for `toJson`/`toYaml`: a map of its exported fields,
    /// or a string for types with their own JSON form (`time.Time`, `*semver.Version`). `None`
    /// encodes the `display()` text as a string.
    fn to_data(&self) -> Option<Value> {
        None
    }
    /// For an object whose Go type is a map or slice with methods (`.Files` is a
    /// `map[string][]byte`, `.Capabilities.APIVersions` a `[]string`): that map or list, which
    /// `range` iterates and truthiness judges (an empty one is false). `None` for structs.
    fn as_value(&self) -> Option<Value> {
        None
    }
}

impl fmt::Debug for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::Nil => f.write_str("Nil"),
            Kind::Bool(b) => write!(f, "Bool({b})"),
            Kind::Int(i) => write!(f, "Int({i})"),
            Kind::Float(x) => write!(f, "Float({x})"),
            Kind::Str(s) => write!(f, "Str({s:?})"),
            Kind::List(l) => f.debug_tuple("List").field(l).finish(),
            Kind::Map(m) => f.debug_tuple("Map").field(m).finish(),
            Kind::Native(n) => write!(f, "Native({})", n.type_name()),
        }
    }
}

impl Value {
    pub const NIL: Value = Value {
        kind: Kind::Nil,
        origin: None,
    };

    pub fn new(kind: Kind) -> Value {
        Value { kind, origin: None }
    }

    pub fn with_origin(mut self, origin: Option<Origin>) -> Value {
        self.origin = origin;
        self
    }

    pub fn str(s: impl Into<Arc<str>>) -> Value {
        Value::new(Kind::Str(s.into()))
    }

    pub fn int(i: i64) -> Value {
        Value::new(Kind::Int(i))
    }

    pub fn float(x: f64) -> Value {
        Value::new(Kind::Float(x))
    }

    pub fn bool(b: bool) -> Value {
        Value::new(Kind::Bool(b))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::new(Kind::List(Arc::new(items)))
    }

    pub fn map(map: Map) -> Value {
        Value::new(Kind::Map(Arc::new(map)))
    }

    pub fn is_nil(&self) -> bool {
        matches!(self.kind, Kind::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::List(l) => Some(l),
            _ => None,
        }
    }

    /// Go's truthiness as `if`, `and`, `or`, `not` and `default` see it: false, 0, nil, and empty
    /// strings, lists and maps are false.
    pub fn truthy(&self) -> bool {
        match &self.kind {
            Kind::Nil => false,
            Kind::Bool(b) => *b,
            Kind::Int(i) => *i != 0,
            Kind::Float(x) => *x != 0.0,
            Kind::Str(s) => !s.is_empty(),
            Kind::List(l) => !l.is_empty(),
            Kind::Map(m) => !m.is_empty(),
            Kind::Native(n) => n.as_value().is_none_or(|v| v.truthy()),
        }
    }

    /// A map lookup by key (no error for a missing key or a non-map).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(key))
    }
}
