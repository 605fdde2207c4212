//! What a rule reports: a message on a span, with labels and help.

use serde::{Deserialize, Serialize};

use crate::source::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}` (expected error, warning or info)"
            )),
        }
    }
}

/// A secondary span with its own message ("the LimitRange that would default this").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// The object a finding is about, for JSON and the other machine formats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl ObjectRef {
    pub fn of(object: &crate::object::Object<'_>) -> ObjectRef {
        ObjectRef {
            api_version: object.api_version.to_string(),
            kind: object.kind.to_string(),
            namespace: object.namespace.map(str::to_string),
            name: object.name.map(str::to_string),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: FileId,
    /// The offending node; for a missing field, the key of the nearest parent that exists.
    pub span: Span,
    /// Short text under the primary span.
    pub label: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub object: Option<ObjectRef>,
    /// The template that rendered the object, from a `# Source:` comment of `helm template` output.
    pub helm_source: Option<String>,
    /// The object the finding is about, as (file, document index, node): how suppressions in its
    /// annotations find it.
    pub subject: Option<Subject>,
}

/// Identifies an object of the run: its file, its document, and its mapping's node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subject {
    pub file: FileId,
    pub document: u32,
    pub node: u32,
}

impl Subject {
    pub fn of(object: &crate::object::Object<'_>) -> Subject {
        Subject {
            file: object.doc.file,
            document: object.doc.index as u32,
            node: object.root.id.0,
        }
    }
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            file,
            span,
            label: None,
            labels: Vec::new(),
            help: None,
            object: None,
            helm_source: None,
            subject: None,
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_object(mut self, object: &crate::object::Object<'_>) -> Self {
        self.object = Some(ObjectRef::of(object));
        self.helm_source = object
            .doc
            .helm_source
            .as_ref()
            .map(|(path, _)| path.to_string());
        self.subject = Some(Subject::of(object));
        self
    }
}
