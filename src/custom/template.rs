//! Message templates: text with `{{ expression }}` parts, each a CEL expression evaluated against
//! the same variables as the rule's expression (`{{object.metadata.name}}`,
//! `{{size(object.spec.template.spec.containers)}}`).

use std::fmt::Write as _;

use cel::{Context, ExecutionError, Program, Value};

enum Part {
    Text(String),
    Expr(Box<Program>),
}

pub struct Template {
    parts: Vec<Part>,
}

/// Where a template failed to compile: message, and (line, column, length) in the template.
pub struct TemplateError {
    pub message: String,
    pub at: (usize, usize, usize),
}

/// The template's text with `…` for each `{{ }}` part: a summary that fits every object.
pub fn placeholders(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        match rest[open + 2..].find("}}") {
            Some(close) => {
                out.push('…');
                rest = &rest[open + 2 + close + 2..];
            }
            None => {
                rest = &rest[open..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// 0-based (line, column in characters) of byte `offset` of `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count();
    let col = before.rsplit('\n').next().unwrap_or("").chars().count();
    (line, col)
}

impl Template {
    /// Parses `text`, compiling each `{{ … }}` with `compile` (which returns the program or the
    /// error message with the byte offset of the error inside the expression).
    pub fn parse(
        text: &str,
        compile: impl Fn(&str) -> Result<Program, (String, usize)>,
    ) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = text;
        let mut at = 0;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let body_start = at + open + 2;
            let Some(close) = rest[open + 2..].find("}}") else {
                let (line, col) = line_col(text, at + open);
                return Err(TemplateError {
                    message: "`{{` without a closing `}}` in the message".to_string(),
                    at: (line, col, 2),
                });
            };
            let body = &rest[open + 2..open + 2 + close];
            if body.trim().is_empty() {
                let (line, col) = line_col(text, at + open);
                return Err(TemplateError {
                    message: "empty `{{ }}` in the message".to_string(),
                    at: (line, col, close + 4),
                });
            }
            match compile(body) {
                Ok(program) => parts.push(Part::Expr(Box::new(program))),
                Err((message, offset)) => {
                    let (line, col) = line_col(text, body_start + offset.min(body.len()));
                    return Err(TemplateError {
                        message,
                        at: (line, col, 1),
                    });
                }
            }
            let consumed = open + 2 + close + 2;
            rest = &rest[consumed..];
            at += consumed;
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Template { parts })
    }

    /// The programs of the template, for checks over their identifiers.
    pub fn programs(&self) -> impl Iterator<Item = &Program> {
        self.parts.iter().filter_map(|p| match p {
            Part::Expr(program) => Some(program.as_ref()),
            Part::Text(_) => None,
        })
    }

    /// The message for one object: each expression's value as text; a field that is not set
    /// reads `<unset>`, another error `<error>`.
    pub fn render(&self, ctx: &Context<'_, '_>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Expr(program) => match program.execute(ctx) {
                    Ok(value) => write_value(&mut out, &value, 0),
                    Err(ExecutionError::NoSuchKey(_)) => out.push_str("<unset>"),
                    Err(_) => out.push_str("<error>"),
                },
            }
        }
        out
    }
}

/// A value as text: strings bare, maps with sorted keys (output must not depend on hashing).
pub fn write_value(out: &mut String, value: &Value, depth: u32) {
    if depth > 16 {
        out.push('…');
        return;
    }
    match value {
        Value::String(s) => out.push_str(s),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::UInt(u) => {
            let _ = write!(out, "{u}");
        }
        Value::Float(f) => {
            let _ = write!(out, "{f}");
        }
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Null => out.push_str("null"),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item, depth + 1);
            }
            out.push(']');
        }
        Value::Map(map) => {
            let mut entries: Vec<(String, &Value)> = map
                .map
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        cel::objects::Key::String(s) => s.to_string(),
                        cel::objects::Key::Int(i) => i.to_string(),
                        cel::objects::Key::Uint(u) => u.to_string(),
                        cel::objects::Key::Bool(b) => b.to_string(),
                    };
                    (key, v)
                })
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (key, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push_str(": ");
                write_value(out, v, depth + 1);
            }
            out.push('}');
        }
        other => {
            let _ = write!(out, "{other:?}");
        }
    }
}
