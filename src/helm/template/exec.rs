//! The executor: walks parsed trees with Go `text/template` semantics (as Helm configures it:
//! `missingkey=zero`) and writes [`Rendered`] output with provenance.
//!
//! Go distinguishes an *invalid* value (no value at all: the result of a pipeline that produced nil,
//! the dot of `{{template "x"}}`) from a *nil interface* (a map entry that is missing or null, a
//! nil list element). A field of the first is silently nothing; a field of the second is the
//! error `nil pointer evaluating interface {}.x`. [`Ev::boxed`] keeps that distinction.

use std::collections::HashMap;
use std::sync::Arc;

use super::parse::{Arg, ArgKind, Cmd, Control, Node, Pipe, Tree, go_quote};
use super::{
    ErrorKind, MAX_CALL_DEPTH, MAX_INCLUDE_PER_NAME, MAX_ITERATIONS, MAX_OUTPUT, Rendered, Skipped,
    TemplateError,
};
use crate::helm::value::{Kind, Map, Origin, Value};
use crate::source::Span;

/// Functions the engine implements itself because they need its state.
pub(crate) const ENGINE_FUNCS: &[&str] = &[
    "and", "call", "fail", "include", "lookup", "or", "required", "tpl",
];

/// Functions that modify their first argument (a map) in place in Go; here they return the new
/// map and the engine rebinds every alias of the old one.
const MUTATORS: &[&str] = &[
    "merge",
    "mergeOverwrite",
    "mustMerge",
    "mustMergeOverwrite",
    "set",
    "unset",
];

/// An evaluated value and whether it sits in an `interface{}` slot (a map entry or list
/// element), which makes a nil one an error to take a field of.
#[derive(Clone, Debug)]
pub(crate) struct Ev {
    pub v: Value,
    pub boxed: bool,
}

impl Ev {
    fn plain(v: Value) -> Ev {
        Ev { v, boxed: false }
    }
}

enum Flow {
    Normal,
    Break,
    Continue,
}

type R<T> = Result<T, TemplateError>;

/// One template invocation: its tree and its variables (`$` first).
struct Frame {
    tree: Arc<Tree>,
    vars: Vec<(String, Ev)>,
}

pub(crate) struct Exec<'s> {
    trees: &'s HashMap<String, Arc<Tree>>,
    /// Definitions made by `tpl` texts being executed (innermost last).
    overlays: Vec<HashMap<String, Arc<Tree>>>,
    include_counts: HashMap<String, u32>,
    depth: usize,
    /// The action being executed (`{{ … }}`, or the opening action of a control structure):
    /// execution errors are reported at it.
    action: Option<Span>,
    written: usize,
    iterations: u64,
    /// Skipped blocks of `include`d text, waiting for the action that prints it.
    pending_skipped: Vec<Skipped>,
    /// Maps replaced by a mutating function: old map (kept alive) → new map.
    rebound: HashMap<usize, (Value, Value)>,
    /// Memo of [`Exec::resolve`], cleared when `rebound` changes.
    resolved: HashMap<usize, (Value, Value)>,
}

fn map_ptr(v: &Value) -> Option<usize> {
    match &v.kind {
        Kind::Map(m) => Some(Arc::as_ptr(m) as *const u8 as usize),
        Kind::List(l) => Some(Arc::as_ptr(l) as *const u8 as usize),
        _ => None,
    }
}

/// Go's type name of a value as `can't evaluate field` reports it.
fn go_type(ev: &Ev) -> String {
    if ev.boxed {
        return "interface {}".to_string();
    }
    match &ev.v.kind {
        Kind::Nil => "interface {}".into(),
        Kind::Bool(_) => "bool".into(),
        Kind::Int(_) => "int".into(),
        Kind::Float(_) => "float64".into(),
        Kind::Str(_) => "string".into(),
        Kind::List(_) => "[]interface {}".into(),
        Kind::Map(_) => "map[string]interface {}".into(),
        Kind::Native(n) => n.type_name().to_string(),
    }
}

pub(crate) fn display(v: &Value) -> String {
    crate::helm::funcs::gofmt::display(v)
}

fn lookup_func(name: &str) -> Option<crate::helm::funcs::Func> {
    crate::helm::funcs::lookup(name)
}

impl<'s> Exec<'s> {
    pub(crate) fn new(trees: &'s HashMap<String, Arc<Tree>>) -> Exec<'s> {
        Exec {
            trees,
            overlays: Vec::new(),
            include_counts: HashMap::new(),
            depth: 0,
            action: None,
            pending_skipped: Vec::new(),
            written: 0,
            iterations: 0,
            rebound: HashMap::new(),
            resolved: HashMap::new(),
        }
    }

    /// Renders `tree` with `dot` as `.` and `$`.
    pub(crate) fn run(&mut self, tree: &Arc<Tree>, dot: &Value) -> R<Rendered> {
        // Limits are per rendered file; map replacements carry over (see `render_all`).
        self.include_counts.clear();
        self.overlays.clear();
        self.pending_skipped.clear();
        self.depth = 0;
        self.written = 0;
        self.iterations = 0;
        let mut out = Rendered::default();
        let dot = Ev::plain(dot.clone());
        self.call_tree(tree, dot, &mut out, None)?;
        Ok(out)
    }

    fn find(&self, name: &str) -> Option<Arc<Tree>> {
        for layer in self.overlays.iter().rev() {
            if let Some(t) = layer.get(name) {
                return Some(t.clone());
            }
        }
        self.trees.get(name).cloned()
    }

    /// An error at `span` of `tree` (at the `tpl` call site for trees parsed by `tpl`).
    fn error(&self, tree: &Tree, span: Span, message: impl Into<String>) -> TemplateError {
        let (file, span) = self.at(tree, span);
        TemplateError {
            file,
            span,
            message: message.into(),
            kind: ErrorKind::Exec,
        }
    }

    /// Where an error about `span` of `tree` is reported: the `tpl` call site for text parsed by
    /// `tpl`, else the current action.
    fn at(&self, tree: &Tree, span: Span) -> (crate::source::FileId, Span) {
        tree.site
            .unwrap_or((tree.file, self.action.unwrap_or(span)))
    }

    fn emit(
        &mut self,
        out: &mut Rendered,
        tree: &Tree,
        span: Span,
        text: &str,
        value: Option<Origin>,
    ) -> R<()> {
        self.written += text.len();
        if self.written > MAX_OUTPUT {
            return Err(self.error(
                tree,
                span,
                format!("rendered output exceeds {} MiB", MAX_OUTPUT >> 20),
            ));
        }
        let (file, span) = tree.site.unwrap_or((tree.file, span));
        out.push(text, file, span, value);
        Ok(())
    }

    /// Executes a whole tree in a fresh frame (no variables inherited, `$` = dot).
    /// `caller` is the calling tree and call span (`None` for the top level).
    fn call_tree(
        &mut self,
        tree: &Arc<Tree>,
        dot: Ev,
        out: &mut Rendered,
        caller: Option<(&Tree, Span)>,
    ) -> R<()> {
        if self.depth >= MAX_CALL_DEPTH {
            let (at_tree, at_span) = caller.unwrap_or((tree, Span::default()));
            return Err(self.error(
                at_tree,
                at_span,
                format!("exceeded maximum template depth ({MAX_CALL_DEPTH})"),
            ));
        }
        self.depth += 1;
        let saved = self.action.take();
        let mut frame = Frame {
            tree: tree.clone(),
            vars: vec![("$".to_string(), dot.clone())],
        };
        let r = self.walk_list(&mut frame, &tree.root, &dot, out);
        self.action = saved;
        self.depth -= 1;
        r.map(|_| ())
    }

    fn walk_list(
        &mut self,
        fr: &mut Frame,
        nodes: &[Node],
        dot: &Ev,
        out: &mut Rendered,
    ) -> R<Flow> {
        for n in nodes {
            match self.walk(fr, n, dot, out)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, fr: &mut Frame, node: &Node, dot: &Ev, out: &mut Rendered) -> R<Flow> {
        let saved = self.action;
        if !matches!(node, Node::Text(_)) {
            self.action = Some(super::parse::node_span(node));
        }
        let r = self.walk_node(fr, node, dot, out);
        self.action = saved;
        r
    }

    fn walk_node(&mut self, fr: &mut Frame, node: &Node, dot: &Ev, out: &mut Rendered) -> R<Flow> {
        let tree = fr.tree.clone();
        match node {
            Node::Text(span) => {
                let text = tree.slice(*span);
                self.emit(out, &tree, *span, text, None)?;
            }
            Node::Action { span, pipe } => {
                let mark = self.pending_skipped.len();
                let v = self.eval_pipeline(fr, dot, pipe);
                let at = out.text.len() as u32;
                let mut skipped = self
                    .pending_skipped
                    .split_off(mark.min(self.pending_skipped.len()));
                let v = v?;
                if pipe.decl.is_empty() {
                    self.print(out, &tree, *span, &v.v)?;
                    for s in &mut skipped {
                        s.at = at;
                    }
                    out.skipped.append(&mut skipped);
                }
            }
            Node::If(c) => return self.walk_if_with(fr, c, dot, out, false),
            Node::With(c) => return self.walk_if_with(fr, c, dot, out, true),
            Node::Range(c) => return self.walk_range(fr, c, dot, out),
            Node::Template { span, name, pipe } => {
                let Some(target) = self.find(name) else {
                    return Err(self.error(&tree, *span, format!("template {name:?} not defined")));
                };
                let mut new_dot = match pipe {
                    Some(p) => self.eval_pipeline(fr, dot, p)?,
                    None => Ev::plain(Value::NIL),
                };
                new_dot.boxed = false;
                self.call_tree(&target, new_dot, out, Some((&tree, *span)))?;
            }
            Node::Break(_) => return Ok(Flow::Break),
            Node::Continue(_) => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn print(&mut self, out: &mut Rendered, tree: &Tree, span: Span, v: &Value) -> R<()> {
        let v = self.resolve(v);
        let text = match &v.kind {
            Kind::Nil => "<no value>".to_string(),
            _ => display(&v),
        };
        self.emit(out, tree, span, &text, v.origin)
    }

    fn walk_if_with(
        &mut self,
        fr: &mut Frame,
        c: &Control,
        dot: &Ev,
        out: &mut Rendered,
        with: bool,
    ) -> R<Flow> {
        let mark = fr.vars.len();
        let r = (|| {
            let mut v = self.eval_pipeline(fr, dot, &c.pipe)?;
            v.v = self.current(&v.v);
            if !v.v.truthy() {
                self.note_skipped(fr, c, &v.v, out);
            }
            if v.v.truthy() {
                if with {
                    self.walk_list(fr, &c.list, &v, out)
                } else {
                    self.walk_list(fr, &c.list, dot, out)
                }
            } else if let Some(e) = &c.else_list {
                self.walk_list(fr, e, dot, out)
            } else {
                Ok(Flow::Normal)
            }
        })();
        fr.vars.truncate(mark);
        r
    }

    fn note_skipped(&mut self, fr: &Frame, c: &Control, v: &Value, out: &mut Rendered) {
        if let Some(value) = v.origin
            && fr.tree.site.is_none()
        {
            out.skipped.push(Skipped {
                at: out.text.len() as u32,
                file: fr.tree.file,
                span: c.span,
                value,
            });
        }
    }

    fn walk_range(&mut self, fr: &mut Frame, c: &Control, dot: &Ev, out: &mut Rendered) -> R<Flow> {
        let mark0 = fr.vars.len();
        let r = self.walk_range_inner(fr, c, dot, out);
        fr.vars.truncate(mark0);
        r.map(|_| Flow::Normal)
    }

    fn walk_range_inner(
        &mut self,
        fr: &mut Frame,
        c: &Control,
        dot: &Ev,
        out: &mut Rendered,
    ) -> R<()> {
        let tree = fr.tree.clone();
        let val = self.eval_pipeline(fr, dot, &c.pipe)?;
        let mut val = self.current(&val.v);
        // A native map or slice type (`.Files.Glob`) ranges like the map or list it is.
        if let Kind::Native(n) = &val.kind
            && let Some(v) = n.as_value()
        {
            let origin = val.origin;
            val = v;
            if val.origin.is_none() {
                val.origin = origin;
            }
        }
        let mark = fr.vars.len();
        let container_origin = val.origin;
        let with_origin = |mut v: Value| {
            if v.origin.is_none() {
                v.origin = container_origin;
            }
            v
        };
        let mut ran = false;
        match &val.kind {
            Kind::List(items) => {
                for (i, elem) in items.iter().enumerate() {
                    ran = true;
                    let elem = Ev {
                        v: with_origin(elem.clone()),
                        boxed: true,
                    };
                    if self.one_iteration(
                        fr,
                        c,
                        mark,
                        Ev::plain(Value::int(i as i64)),
                        elem,
                        out,
                    )? {
                        break;
                    }
                }
            }
            Kind::Map(m) => {
                for (k, elem) in m.iter() {
                    ran = true;
                    let elem = Ev {
                        v: with_origin(elem.clone()),
                        boxed: true,
                    };
                    // A map entry's origin is the whole `key: value` entry: it serves the key too.
                    let key = Ev::plain(Value::str(k.as_str()).with_origin(elem.v.origin));
                    if self.one_iteration(fr, c, mark, key, elem, out)? {
                        break;
                    }
                }
            }
            Kind::Int(n) => {
                if c.pipe.decl.len() > 1 {
                    return Err(self.error(
                        &tree,
                        c.pipe.span,
                        format!("can't use {n} to iterate over more than one variable"),
                    ));
                }
                for i in 0..*n {
                    ran = true;
                    let v = Ev::plain(Value::int(i));
                    if self.one_iteration(fr, c, mark, v.clone(), v, out)? {
                        break;
                    }
                }
            }
            Kind::Nil => {}
            _ => {
                return Err(self.error(
                    &tree,
                    c.pipe.span,
                    format!("range can't iterate over {}", display(&val)),
                ));
            }
        }
        if !ran {
            self.note_skipped(fr, c, &val, out);
        }
        if !ran && let Some(e) = &c.else_list {
            // `break`/`continue` in the else branch belong to an enclosing range, which the
            // parser rules out; the flow is dropped here.
            self.walk_list(fr, e, dot, out)?;
        }
        Ok(())
    }

    /// One iteration of a range body; `true` means `break`.
    fn one_iteration(
        &mut self,
        fr: &mut Frame,
        c: &Control,
        mark: usize,
        index: Ev,
        elem: Ev,
        out: &mut Rendered,
    ) -> R<bool> {
        let tree = fr.tree.clone();
        self.iterations += 1;
        if self.iterations > MAX_ITERATIONS {
            return Err(self.error(
                &tree,
                c.span,
                format!("more than {MAX_ITERATIONS} range iterations"),
            ));
        }
        let decl = &c.pipe.decl;
        if !decl.is_empty() {
            if c.pipe.is_assign {
                let first = if decl.len() > 1 {
                    index.clone()
                } else {
                    elem.clone()
                };
                self.set_var(fr, &decl[0], first, c.pipe.span)?;
            } else if let Some(top) = fr.vars.get_mut(mark.wrapping_sub(1)) {
                top.1 = elem.clone();
            }
        }
        if decl.len() > 1 {
            if c.pipe.is_assign {
                self.set_var(fr, &decl[1], elem.clone(), c.pipe.span)?;
            } else if let Some(second) = fr.vars.get_mut(mark.wrapping_sub(2)) {
                second.1 = index;
            }
        }
        let flow = self.walk_list(fr, &c.list, &elem, out);
        fr.vars.truncate(mark);
        Ok(matches!(flow?, Flow::Break))
    }

    fn set_var(&mut self, fr: &mut Frame, name: &str, v: Ev, span: Span) -> R<()> {
        match fr.vars.iter_mut().rev().find(|(n, _)| n == name) {
            Some(slot) => {
                slot.1 = v;
                Ok(())
            }
            None => Err(self.error(&fr.tree, span, format!("undefined variable: {name}"))),
        }
    }

    fn var(&self, fr: &Frame, name: &str, span: Span) -> R<Ev> {
        match fr.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => Err(self.error(&fr.tree, span, format!("undefined variable: {name}"))),
        }
    }

    fn eval_pipeline(&mut self, fr: &mut Frame, dot: &Ev, pipe: &Pipe) -> R<Ev> {
        let mut value: Option<Ev> = None;
        for cmd in &pipe.cmds {
            let mut v = self.eval_command(fr, dot, cmd, value.take())?;
            v.boxed = false;
            value = Some(v);
        }
        let value = value.unwrap_or_else(|| Ev::plain(Value::NIL));
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(fr, name, value.clone(), pipe.span)?;
            } else {
                fr.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, fr: &Frame, cmd: &Cmd, fin: &Option<Ev>) -> R<()> {
        if cmd.args.len() > 1 || fin.is_some() {
            let first = &cmd.args[0];
            return Err(self.error(
                &fr.tree,
                first.span,
                format!(
                    "can't give argument to non-function {}",
                    fr.tree.slice(first.span)
                ),
            ));
        }
        Ok(())
    }

    fn eval_command(&mut self, fr: &mut Frame, dot: &Ev, cmd: &Cmd, fin: Option<Ev>) -> R<Ev> {
        let first = &cmd.args[0];
        let rest = &cmd.args[1..];
        match &first.kind {
            ArgKind::Field(names) => {
                self.eval_field_chain(fr, dot, dot.clone(), names, rest, fin, first.span)
            }
            ArgKind::Chain(node, names) => {
                let recv = self.eval_chain_receiver(fr, dot, node, first)?;
                self.eval_field_chain(fr, dot, recv, names, rest, fin, first.span)
            }
            ArgKind::Ident(name) => self.eval_function(fr, dot, name, first.span, rest, fin),
            ArgKind::Pipe(p) => {
                self.not_a_function(fr, cmd, &fin)?;
                self.eval_pipeline(fr, dot, p)
            }
            ArgKind::Variable(name, fields) => {
                let v = self.var(fr, name, first.span)?;
                if fields.is_empty() {
                    self.not_a_function(fr, cmd, &fin)?;
                    return Ok(v);
                }
                self.eval_field_chain(fr, dot, v, fields, rest, fin, first.span)
            }
            _ => {
                self.not_a_function(fr, cmd, &fin)?;
                if matches!(first.kind, ArgKind::Nil) {
                    return Err(self.error(&fr.tree, first.span, "nil is not a command"));
                }
                self.eval_arg(fr, dot, first)
            }
        }
    }

    fn eval_chain_receiver(&mut self, fr: &mut Frame, dot: &Ev, node: &Arg, whole: &Arg) -> R<Ev> {
        if matches!(node.kind, ArgKind::Nil) {
            return Err(self.error(
                &fr.tree,
                whole.span,
                format!(
                    "indirection through explicit nil in {}",
                    fr.tree.slice(whole.span)
                ),
            ));
        }
        let mut v = self.eval_arg(fr, dot, node)?;
        v.boxed = false;
        Ok(v)
    }

    /// An argument of a function (Go's `evalArg` with an `interface{}` parameter).
    fn eval_arg(&mut self, fr: &mut Frame, dot: &Ev, arg: &Arg) -> R<Ev> {
        Ok(match &arg.kind {
            ArgKind::Dot => dot.clone(),
            ArgKind::Nil => Ev::plain(Value::NIL),
            ArgKind::Bool(b) => Ev::plain(Value::bool(*b)),
            ArgKind::Int(i) => Ev::plain(Value::int(*i)),
            ArgKind::Float(f) => Ev::plain(Value::float(*f)),
            ArgKind::Overflow => {
                return Err(self.error(
                    &fr.tree,
                    arg.span,
                    format!("{} overflows int", fr.tree.slice(arg.span)),
                ));
            }
            ArgKind::Str(s) => Ev::plain(Value::str(s.clone())),
            ArgKind::Field(names) => {
                self.eval_field_chain(fr, dot, dot.clone(), names, &[], None, arg.span)?
            }
            ArgKind::Variable(name, fields) => {
                let v = self.var(fr, name, arg.span)?;
                if fields.is_empty() {
                    v
                } else {
                    self.eval_field_chain(fr, dot, v, fields, &[], None, arg.span)?
                }
            }
            ArgKind::Pipe(p) => {
                let mut v = self.eval_pipeline(fr, dot, p)?;
                v.boxed = false;
                v
            }
            ArgKind::Ident(name) => self.eval_function(fr, dot, name, arg.span, &[], None)?,
            ArgKind::Chain(node, names) => {
                let recv = self.eval_chain_receiver(fr, dot, node, arg)?;
                self.eval_field_chain(fr, dot, recv, names, &[], None, arg.span)?
            }
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        fr: &mut Frame,
        dot: &Ev,
        mut recv: Ev,
        names: &[String],
        args: &[Arg],
        fin: Option<Ev>,
        span: Span,
    ) -> R<Ev> {
        let Some((last, init)) = names.split_last() else {
            return Ok(recv);
        };
        for name in init {
            recv = self.eval_field(fr, dot, recv, name, &[], None, span)?;
        }
        self.eval_field(fr, dot, recv, last, args, fin, span)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        fr: &mut Frame,
        dot: &Ev,
        recv: Ev,
        name: &str,
        args: &[Arg],
        fin: Option<Ev>,
        span: Span,
    ) -> R<Ev> {
        let has_args = !args.is_empty() || fin.is_some();
        let recv = Ev {
            v: self.current(&recv.v),
            boxed: recv.boxed,
        };
        match &recv.v.kind {
            Kind::Nil => {
                if recv.boxed {
                    return Err(self.error(
                        &fr.tree,
                        span,
                        format!("nil pointer evaluating interface {{}}.{name}"),
                    ));
                }
                Ok(Ev::plain(Value::NIL.with_origin(recv.v.origin)))
            }
            Kind::Map(m) => {
                if has_args {
                    return Err(self.error(
                        &fr.tree,
                        span,
                        format!("{name} is not a method but has arguments"),
                    ));
                }
                let v = match m.get(name) {
                    Some(v) => v.clone(),
                    None => Value::NIL.with_origin(recv.v.origin),
                };
                Ok(Ev { v, boxed: true })
            }
            Kind::Native(n) => {
                let n = n.clone();
                let mut vals = Vec::with_capacity(args.len() + 1);
                for a in args {
                    let v = self.eval_arg(fr, dot, a)?;
                    vals.push(self.resolve(&v.v));
                }
                if let Some(f) = fin {
                    vals.push(self.resolve(&f.v));
                }
                match n.call(name, &vals) {
                    Some(Ok(v)) => Ok(Ev::plain(v)),
                    // Like funcs, natives return complete Go messages.
                    Some(Err(e)) => Err(self.error(&fr.tree, span, e)),
                    None => match n.field(name) {
                        Some(v) => {
                            if has_args {
                                return Err(self.error(
                                    &fr.tree,
                                    span,
                                    format!(
                                        "{name} has arguments but cannot be invoked as function"
                                    ),
                                ));
                            }
                            Ok(Ev::plain(v))
                        }
                        None => Err(self.error(
                            &fr.tree,
                            span,
                            format!("can't evaluate field {name} in type {}", n.type_name()),
                        )),
                    },
                }
            }
            _ => Err(self.error(
                &fr.tree,
                span,
                format!("can't evaluate field {name} in type {}", go_type(&recv)),
            )),
        }
    }

    fn eval_function(
        &mut self,
        fr: &mut Frame,
        dot: &Ev,
        name: &str,
        span: Span,
        args: &[Arg],
        fin: Option<Ev>,
    ) -> R<Ev> {
        if name == "and" || name == "or" {
            let n = args.len() + usize::from(fin.is_some());
            if n == 0 {
                return Err(self.error(
                    &fr.tree,
                    span,
                    format!("wrong number of args for {name}: want at least 1 got 0"),
                ));
            }
            let mut last = Ev::plain(Value::NIL);
            for a in args {
                let mut v = self.eval_arg(fr, dot, a)?;
                v.boxed = false;
                v.v = self.current(&v.v);
                if v.v.truthy() == (name == "or") {
                    return Ok(v);
                }
                last = v;
            }
            if let Some(f) = fin {
                last = f;
            }
            return Ok(last);
        }
        let mut vals = Vec::with_capacity(args.len() + 1);
        let mut first_raw: Option<Value> = None;
        for a in args {
            let v = self.eval_arg(fr, dot, a)?;
            if first_raw.is_none() {
                first_raw = Some(v.v.clone());
            }
            vals.push(self.resolve(&v.v));
        }
        if let Some(f) = fin {
            if first_raw.is_none() {
                first_raw = Some(f.v.clone());
            }
            vals.push(self.resolve(&f.v));
        }
        let tree = fr.tree.clone();
        match name {
            "include" => return self.include(&tree, span, &vals),
            "tpl" => return self.tpl(&tree, span, &vals),
            "required" => {
                arity(&tree, self, span, name, &vals, 2)?;
                let warn = str_arg(&tree, self, span, &vals[0])?;
                let empty = match &vals[1].kind {
                    Kind::Nil => true,
                    Kind::Str(s) => s.is_empty(),
                    _ => false,
                };
                if empty {
                    let (file, span) = self.at(&tree, span);
                    return Err(TemplateError {
                        file,
                        span,
                        message: warn.to_string(),
                        kind: ErrorKind::Required,
                    });
                }
                return Ok(Ev::plain(vals[1].clone()));
            }
            "fail" => {
                arity(&tree, self, span, name, &vals, 1)?;
                let msg = str_arg(&tree, self, span, &vals[0])?;
                let (file, span) = self.at(&tree, span);
                return Err(TemplateError {
                    file,
                    span,
                    message: msg.to_string(),
                    kind: ErrorKind::Fail,
                });
            }
            "lookup" => {
                arity(&tree, self, span, name, &vals, 4)?;
                for v in &vals {
                    str_arg(&tree, self, span, v)?;
                }
                return Ok(Ev::plain(Value::map(Map::new())));
            }
            "call" => {
                if vals.is_empty() {
                    return Err(self.error(
                        &tree,
                        span,
                        "wrong number of args for call: want at least 1 got 0",
                    ));
                }
                let msg = match &vals[0].kind {
                    Kind::Nil => "error calling call: call of nil".to_string(),
                    _ => format!(
                        "error calling call: non-function {} of type {}",
                        args.first().map_or("", |a| tree.slice(a.span)),
                        go_type(&Ev::plain(vals[0].clone()))
                    ),
                };
                return Err(self.error(&tree, span, msg));
            }
            _ => {}
        }
        let Some(f) = lookup_func(name) else {
            return Err(self.error(&tree, span, format!("{name:?} is not a defined function")));
        };
        let result = f(&vals).map_err(|e| self.error(&tree, span, e))?;
        if MUTATORS.contains(&name)
            && let Some(old) = vals.first()
        {
            // Every alias of the map as it was before resolution, and as resolved, now sees
            // the result.
            if let Some(raw) = &first_raw {
                let raw = self.current(raw);
                self.rebind(&raw, &result);
            }
            self.rebind(old, &result);
        }
        Ok(Ev::plain(result))
    }

    fn include(&mut self, tree: &Arc<Tree>, span: Span, vals: &[Value]) -> R<Ev> {
        arity(tree, self, span, "include", vals, 2)?;
        let name = str_arg(tree, self, span, &vals[0])?.to_string();
        let count = self.include_counts.entry(name.clone()).or_insert(0);
        if *count > MAX_INCLUDE_PER_NAME {
            return Err(self.error(
                tree,
                span,
                format!(
                    "error calling include: rendering template has a nested reference name: {name}: unable to execute template"
                ),
            ));
        }
        *count += 1;
        let r = match self.find(&name) {
            Some(target) => {
                let mut sub = Rendered::default();
                self.call_tree(
                    &target,
                    Ev::plain(vals[1].clone()),
                    &mut sub,
                    Some((tree, span)),
                )
                .map(|_| sub)
            }
            None => Err(self.error(
                tree,
                span,
                format!(
                    "error calling include: template: no template {name:?} associated with template \"gotpl\""
                ),
            )),
        };
        if let Some(c) = self.include_counts.get_mut(&name) {
            *c = c.saturating_sub(1);
        }
        let mut sub = r?;
        self.pending_skipped.append(&mut sub.skipped);
        let origin = single_origin(&sub);
        Ok(Ev::plain(Value::str(sub.text).with_origin(origin)))
    }

    fn tpl(&mut self, tree: &Arc<Tree>, span: Span, vals: &[Value]) -> R<Ev> {
        arity(tree, self, span, "tpl", vals, 2)?;
        let text: Arc<str> = Arc::from(str_arg(tree, self, span, &vals[0])?);
        let site = self.at(tree, span);
        let parsed = match super::parse::parse(
            "gotpl",
            site.0,
            text.clone(),
            &super::is_func,
            Some(site),
        ) {
            Ok(p) => p,
            Err(e) => {
                let line = text
                    .get(..e.span.start as usize)
                    .map_or(0, |t| t.matches('\n').count())
                    + 1;
                return Err(TemplateError {
                    file: site.0,
                    span: site.1,
                    message: format!(
                        "error calling tpl: cannot parse template {}: template: gotpl:{line}: {}",
                        go_quote(&text),
                        e.message
                    ),
                    kind: ErrorKind::Parse,
                });
            }
        };
        let mut layer: HashMap<String, Arc<Tree>> = HashMap::new();
        for t in parsed.defines {
            if t.is_empty() && self.find(&t.name).is_some() {
                continue;
            }
            layer.insert(t.name.clone(), Arc::new(t));
        }
        let main = Arc::new(parsed.main);
        self.overlays.push(layer);
        let mut sub = Rendered::default();
        let r = self.call_tree(
            &main,
            Ev::plain(vals[1].clone()),
            &mut sub,
            Some((tree, span)),
        );
        self.overlays.pop();
        if let Err(mut e) = r {
            // An execution error of the text itself (reported at this call site) gets Helm's
            // wording; errors inside definitions keep their own location.
            if e.kind == ErrorKind::Exec && (e.file, e.span) == site {
                e.message = format!(
                    "error calling tpl: error during tpl function execution for {}: {}",
                    go_quote(&text),
                    e.message
                );
            }
            return Err(e);
        }
        sub.remove_all("<no value>");
        let origin = single_origin(&sub);
        Ok(Ev::plain(Value::str(sub.text).with_origin(origin)))
    }

    /// `dot` (as modified so far) with `.Template` set for the template `name`; the modified dot
    /// replaces the old one, so later renders of the same dot see this file's changes, as Helm
    /// mutates one shared map per chart.
    pub(crate) fn with_template_object(&mut self, dot: &Value, name: &str) -> Value {
        let cur = self.current(dot);
        let Kind::Map(m) = &cur.kind else {
            return cur;
        };
        let mut t = Map::new();
        t.insert("Name".to_string(), Value::str(name));
        t.insert("BasePath".to_string(), Value::str(super::base_path(name)));
        let mut m = (**m).clone();
        m.insert("Template".to_string(), Value::map(t));
        let new = Value::map(m).with_origin(cur.origin);
        self.rebind(&cur, &new);
        new
    }

    /// Records that the map `old` was replaced by `new` (Go mutated it in place).
    fn rebind(&mut self, old: &Value, new: &Value) {
        let (Some(p), Some(q)) = (map_ptr(old), map_ptr(new)) else {
            return;
        };
        if p == q {
            return;
        }
        self.rebound.insert(p, (old.clone(), new.clone()));
        self.resolved.clear();
    }

    /// The current version of `v` itself (its children are resolved when they are reached).
    fn current(&self, v: &Value) -> Value {
        if self.rebound.is_empty() {
            return v.clone();
        }
        let mut cur = v.clone();
        let mut hops = 0;
        while let Some(q) = map_ptr(&cur)
            && let Some((_, next)) = self.rebound.get(&q)
        {
            cur = next.clone();
            hops += 1;
            if hops > self.rebound.len() {
                break;
            }
        }
        if cur.origin.is_none() {
            cur.origin = v.origin;
        }
        cur
    }

    /// The current version of a value whose maps (at any depth) may have been replaced by
    /// mutating functions.
    pub(crate) fn resolve(&mut self, v: &Value) -> Value {
        if self.rebound.is_empty() {
            return v.clone();
        }
        let mut active = Vec::new();
        self.resolve_at(v, &mut active, 0)
    }

    fn resolve_at(&mut self, v: &Value, active: &mut Vec<usize>, depth: usize) -> Value {
        let Some(p) = map_ptr(v) else {
            return v.clone();
        };
        if depth > 10_000 || active.contains(&p) {
            return v.clone();
        }
        if let Some((_, r)) = self.resolved.get(&p) {
            // The memo is per map; the origin belongs to this value.
            if map_ptr(r) == Some(p) {
                return v.clone();
            }
            let mut r = r.clone();
            if r.origin.is_none() {
                r.origin = v.origin;
            }
            return r;
        }
        // Follow the chain of replacements.
        let cur = self.current(v);
        active.push(p);
        let result = match &cur.kind {
            Kind::Map(m) => {
                let mut changed: Option<Map> = None;
                for (k, child) in m.iter() {
                    let r = self.resolve_at(child, active, depth + 1);
                    if map_ptr(&r) != map_ptr(child) {
                        changed
                            .get_or_insert_with(|| (**m).clone())
                            .insert(k.clone(), r);
                    }
                }
                match changed {
                    Some(m) => Value::map(m).with_origin(cur.origin),
                    None => cur.clone(),
                }
            }
            Kind::List(l) => {
                let mut changed: Option<Vec<Value>> = None;
                for (i, child) in l.iter().enumerate() {
                    let r = self.resolve_at(child, active, depth + 1);
                    if map_ptr(&r) != map_ptr(child) {
                        changed.get_or_insert_with(|| (**l).clone())[i] = r;
                    }
                }
                match changed {
                    Some(l) => Value::list(l).with_origin(cur.origin),
                    None => cur.clone(),
                }
            }
            _ => cur.clone(),
        };
        active.pop();
        self.resolved.insert(p, (v.clone(), result.clone()));
        result
    }
}

fn arity(tree: &Tree, ex: &Exec, span: Span, name: &str, vals: &[Value], n: usize) -> R<()> {
    if vals.len() != n {
        return Err(ex.error(
            tree,
            span,
            format!(
                "wrong number of args for {name}: want {n} got {}",
                vals.len()
            ),
        ));
    }
    Ok(())
}

fn str_arg<'v>(tree: &Tree, ex: &Exec, span: Span, v: &'v Value) -> R<&'v str> {
    match &v.kind {
        Kind::Str(s) => Ok(s),
        Kind::Nil => Err(ex.error(tree, span, "invalid value; expected string")),
        _ => Err(ex.error(
            tree,
            span,
            format!(
                "wrong type for value; expected string; got {}",
                go_type(&Ev::plain(v.clone()))
            ),
        )),
    }
}

/// The origin shared by every value printed into `r`, if there is exactly one.
fn single_origin(r: &Rendered) -> Option<Origin> {
    let mut it = r.segments.iter().filter_map(|s| s.value);
    let first = it.next()?;
    it.all(|o| o == first).then_some(first)
}
