//! The parser: tokens to trees with Go's `text/template/parse` grammar and error messages.
//!
//! One template text yields its own tree (named after the file) and one tree per `define` /
//! `block`. Variables are checked at parse time (`undefined variable "$x"`), functions too
//! (`function "foo" not defined`), as Go does.

use std::sync::Arc;

use super::lex::{Tok, Token, lex};
use crate::source::{FileId, Span};

/// How deeply control structures and parenthesised pipelines may nest.
pub(crate) const MAX_PARSE_DEPTH: usize = 1000;

/// A parsed template body.
#[derive(Debug)]
pub(crate) struct Tree {
    pub name: String,
    pub file: FileId,
    pub text: Arc<str>,
    pub root: Vec<Node>,
    /// For text parsed by `tpl`: the call site every span of this tree is reported at.
    pub site: Option<(FileId, Span)>,
}

impl Tree {
    pub(crate) fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// Go's `parse.IsEmptyTree`: only whitespace text (and comments).
    pub(crate) fn is_empty(&self) -> bool {
        self.root.iter().all(|n| match n {
            Node::Text(span) => self.slice(*span).trim().is_empty(),
            _ => false,
        })
    }
}

#[derive(Debug)]
pub(crate) enum Node {
    Text(Span),
    Action {
        span: Span,
        pipe: Pipe,
    },
    If(Control),
    With(Control),
    Range(Control),
    /// `{{template "name" pipeline}}` (and the call half of `{{block}}`).
    Template {
        span: Span,
        name: String,
        pipe: Option<Pipe>,
    },
    Break(Span),
    Continue(Span),
}

#[derive(Debug)]
pub(crate) struct Control {
    /// The opening action `{{if …}}`.
    pub span: Span,
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

#[derive(Debug)]
pub(crate) struct Pipe {
    pub span: Span,
    /// `$x = …` rather than `$x := …`.
    pub is_assign: bool,
    pub decl: Vec<String>,
    pub cmds: Vec<Cmd>,
}

#[derive(Debug)]
pub(crate) struct Cmd {
    pub span: Span,
    pub args: Vec<Arg>,
}

#[derive(Debug)]
pub(crate) struct Arg {
    pub span: Span,
    pub kind: ArgKind,
}

#[derive(Debug)]
pub(crate) enum ArgKind {
    Dot,
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// An integer constant that does not fit in Go's `int`.
    Overflow,
    Str(Arc<str>),
    /// `.a.b`
    Field(Vec<String>),
    /// `$x.a.b` (the name includes the `$`).
    Variable(String, Vec<String>),
    /// A function name.
    Ident(String),
    Pipe(Box<Pipe>),
    /// `(pipeline).a.b`
    Chain(Box<Arg>, Vec<String>),
}

#[derive(Debug, Clone)]
pub(crate) struct ParseError {
    pub span: Span,
    pub message: String,
}

/// Everything one text produced: its own tree and its definitions, in source order.
pub(crate) struct Parsed {
    pub main: Tree,
    pub defines: Vec<Tree>,
}

/// Parses `text` (the template `name` in `file`). `is_func` says whether a function name exists.
pub(crate) fn parse(
    name: &str,
    file: FileId,
    text: Arc<str>,
    is_func: &dyn Fn(&str) -> bool,
    site: Option<(FileId, Span)>,
) -> Result<Parsed, ParseError> {
    let toks = lex(&text);
    let mut p = Parser {
        text: text.clone(),
        toks,
        i: 0,
        vars: vec!["$".to_string()],
        range_depth: 0,
        depth: 0,
        is_func,
        file,
        site,
        defines: Vec::new(),
    };
    let root = p.parse_top()?;
    let main = Tree {
        name: name.to_string(),
        file,
        text,
        root,
        site,
    };
    let mut defines = p.defines;
    // Go's Tree.add: a second non-empty definition of one name in one text is an error.
    let mut all: Vec<&Tree> = Vec::with_capacity(defines.len() + 1);
    all.extend(defines.iter());
    all.push(&main);
    for (k, t) in all.iter().enumerate() {
        if t.is_empty() {
            continue;
        }
        if all[..k].iter().any(|o| o.name == t.name && !o.is_empty()) {
            let span = t.root.first().map(node_span).unwrap_or_default();
            return Err(ParseError {
                span,
                message: format!("multiple definition of template {:?}", t.name),
            });
        }
    }
    // Keep only the effective definition of a name within this text: the first non-empty one,
    // or the last if all are empty (Go keeps the non-empty tree).
    let mut kept: Vec<Tree> = Vec::with_capacity(defines.len());
    for t in defines.drain(..) {
        if let Some(pos) = kept.iter().position(|o| o.name == t.name) {
            if kept[pos].is_empty() {
                kept[pos] = t;
            }
        } else {
            kept.push(t);
        }
    }
    Ok(Parsed {
        main,
        defines: kept,
    })
}

pub(crate) fn node_span(n: &Node) -> Span {
    match n {
        Node::Text(s) | Node::Break(s) | Node::Continue(s) => *s,
        Node::Action { span, .. } | Node::Template { span, .. } => *span,
        Node::If(c) | Node::With(c) | Node::Range(c) => c.span,
    }
}

struct Parser<'a> {
    text: Arc<str>,
    toks: Vec<Token>,
    i: usize,
    vars: Vec<String>,
    range_depth: usize,
    depth: usize,
    is_func: &'a dyn Fn(&str) -> bool,
    file: FileId,
    site: Option<(FileId, Span)>,
    defines: Vec<Tree>,
}

/// What one `{{…}}` or text produced inside a list.
enum Item {
    Node(Node),
    End(Span),
    /// `{{else}}`; for `{{else if …}}` / `{{else with …}}` the keyword is left pending.
    Else(Span),
}

type PResult<T> = Result<T, ParseError>;

impl Parser<'_> {
    fn tok(&self, i: usize) -> &Token {
        // The stream always ends with Eof or Error; never read past it.
        &self.toks[i.min(self.toks.len() - 1)]
    }

    fn peek(&self) -> &Token {
        self.tok(self.i)
    }

    fn next(&mut self) -> Token {
        let t = self.tok(self.i).clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        } else {
            self.i = self.toks.len();
        }
        t
    }

    fn backup(&mut self) {
        self.i = self.i.saturating_sub(1);
    }

    fn next_non_space(&mut self) -> Token {
        loop {
            let t = self.next();
            if t.kind != Tok::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Token {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn src(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    fn err<T>(&self, span: Span, message: impl Into<String>) -> PResult<T> {
        Err(ParseError {
            span,
            message: message.into(),
        })
    }

    /// Go's `item.String()` for error messages.
    fn describe(&self, t: &Token) -> String {
        match t.kind {
            Tok::Eof => "EOF".to_string(),
            Tok::Error => t.message.clone().unwrap_or_default(),
            k if k.is_keyword() => format!("<{}>", self.src(t.span)),
            _ => {
                let v = self.src(t.span);
                if v.chars().count() > 10 {
                    let head: String = v.chars().take(10).collect();
                    format!("{}...", go_quote(&head))
                } else {
                    go_quote(v)
                }
            }
        }
    }

    fn unexpected<T>(&self, t: &Token, context: &str) -> PResult<T> {
        if t.kind == Tok::Error {
            return self.err(t.span, self.describe(t));
        }
        self.err(
            t.span,
            format!("unexpected {} in {}", self.describe(t), context),
        )
    }

    fn enter(&mut self, span: Span) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH {
            return self.err(
                span,
                format!("template nesting deeper than {MAX_PARSE_DEPTH} levels"),
            );
        }
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().kind != Tok::Eof {
            if self.peek().kind == Tok::LeftDelim {
                let save = self.i;
                self.next();
                if self.next_non_space().kind == Tok::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.i = save;
            }
            match self.text_or_action()? {
                Item::Node(n) => root.push(n),
                Item::End(span) => return self.err(span, "unexpected {{end}}"),
                Item::Else(span) => return self.err(span, "unexpected {{else}}"),
            }
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let name_tok = self.next_non_space();
        let name = match name_tok.kind {
            Tok::Str | Tok::RawStr => self.unquote(&name_tok)?,
            _ => return self.unexpected(&name_tok, context),
        };
        let close = self.next_non_space();
        if close.kind != Tok::RightDelim {
            return self.unexpected(&close, context);
        }
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        match end {
            Item::End(_) => {}
            Item::Else(span) => {
                return self.err(span, format!("unexpected {{{{else}}}} in {context}"));
            }
            Item::Node(_) => {}
        }
        self.defines.push(Tree {
            name,
            file: self.file,
            text: self.text.clone(),
            root: list,
            site: self.site,
        });
        Ok(())
    }

    /// Nodes up to `{{end}}` or `{{else}}`.
    fn item_list(&mut self) -> PResult<(Vec<Node>, Item)> {
        let mut list = Vec::new();
        while self.peek_non_space().kind != Tok::Eof {
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                end => return Ok((list, end)),
            }
        }
        let eof = self.peek_non_space();
        self.err(eof.span, "unexpected EOF")
    }

    fn text_or_action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.kind {
            Tok::Text => Ok(Item::Node(Node::Text(t.span))),
            Tok::LeftDelim => self.action(t.span.start as usize),
            _ => self.unexpected(&t, "input"),
        }
    }

    /// Span from the `{{` at `start` to the token just consumed (the `}}`).
    fn span_from(&self, start: usize) -> Span {
        let end = self.tok(self.i.saturating_sub(1)).span.end as usize;
        Span::new(start, end.max(start))
    }

    fn action(&mut self, start: usize) -> PResult<Item> {
        let t = self.next_non_space();
        match t.kind {
            Tok::Block => return self.block_control(start).map(Item::Node),
            Tok::Break | Tok::Continue => {
                let close = self.next_non_space();
                let what = if t.kind == Tok::Break {
                    "{{break}}"
                } else {
                    "{{continue}}"
                };
                if close.kind != Tok::RightDelim {
                    return self.unexpected(&close, what);
                }
                let span = self.span_from(start);
                if self.range_depth == 0 {
                    return self.err(span, format!("{what} outside {{{{range}}}}"));
                }
                return Ok(Item::Node(if t.kind == Tok::Break {
                    Node::Break(span)
                } else {
                    Node::Continue(span)
                }));
            }
            Tok::Else => {
                let peek = self.peek_non_space();
                if matches!(peek.kind, Tok::If | Tok::With) {
                    return Ok(Item::Else(Span::new(start, peek.span.start as usize)));
                }
                let close = self.next_non_space();
                if close.kind != Tok::RightDelim {
                    return self.unexpected(&close, "else");
                }
                return Ok(Item::Else(self.span_from(start)));
            }
            Tok::End => {
                let close = self.next_non_space();
                if close.kind != Tok::RightDelim {
                    return self.unexpected(&close, "end");
                }
                return Ok(Item::End(self.span_from(start)));
            }
            Tok::If => return self.control(start, Tok::If).map(Item::Node),
            Tok::Range => return self.control(start, Tok::Range).map(Item::Node),
            Tok::With => return self.control(start, Tok::With).map(Item::Node),
            Tok::Template => return self.template_control(start).map(Item::Node),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", Tok::RightDelim)?;
        Ok(Item::Node(Node::Action {
            span: self.span_from(start),
            pipe,
        }))
    }

    fn control(&mut self, start: usize, kind: Tok) -> PResult<Node> {
        let context = match kind {
            Tok::If => "if",
            Tok::Range => "range",
            _ => "with",
        };
        self.enter(Span::new(start, start + 2))?;
        let vars_len = self.vars.len();
        let pipe = self.pipeline(context, Tok::RightDelim)?;
        let span = self.span_from(start);
        if kind == Tok::Range {
            self.range_depth += 1;
        }
        let (list, next) = self.item_list()?;
        if kind == Tok::Range {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        if let Item::Else(else_span) = next {
            let pending = self.peek_non_space();
            if kind == Tok::If && pending.kind == Tok::If {
                self.next_non_space();
                let inner = self.control(else_span.start as usize, Tok::If)?;
                else_list = Some(vec![inner]);
            } else if kind == Tok::With && pending.kind == Tok::With {
                self.next_non_space();
                let inner = self.control(else_span.start as usize, Tok::With)?;
                else_list = Some(vec![inner]);
            } else {
                let (list, next) = self.item_list()?;
                match next {
                    Item::End(_) => {}
                    Item::Else(span) => {
                        return self.err(span, "expected end; found {{else}}");
                    }
                    Item::Node(_) => {}
                }
                else_list = Some(list);
            }
        }
        self.vars.truncate(vars_len);
        self.depth -= 1;
        let c = Control {
            span,
            pipe,
            list,
            else_list,
        };
        Ok(match kind {
            Tok::If => Node::If(c),
            Tok::Range => Node::Range(c),
            _ => Node::With(c),
        })
    }

    fn template_name(&mut self, context: &str) -> PResult<String> {
        let t = self.next_non_space();
        match t.kind {
            Tok::Str | Tok::RawStr => self.unquote(&t),
            _ => self.unexpected(&t, context),
        }
    }

    fn template_control(&mut self, start: usize) -> PResult<Node> {
        let context = "template clause";
        let name = self.template_name(context)?;
        let pipe = if self.next_non_space().kind != Tok::RightDelim {
            self.backup();
            Some(self.pipeline(context, Tok::RightDelim)?)
        } else {
            None
        };
        Ok(Node::Template {
            span: self.span_from(start),
            name,
            pipe,
        })
    }

    fn block_control(&mut self, start: usize) -> PResult<Node> {
        let context = "block clause";
        self.enter(Span::new(start, start + 2))?;
        let name = self.template_name(context)?;
        let pipe = self.pipeline(context, Tok::RightDelim)?;
        let span = self.span_from(start);
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_range;
        if let Item::Else(span) = end {
            return self.err(span, format!("unexpected {{{{else}}}} in {context}"));
        }
        self.defines.push(Tree {
            name: name.clone(),
            file: self.file,
            text: self.text.clone(),
            root: list,
            site: self.site,
        });
        self.depth -= 1;
        Ok(Node::Template {
            span,
            name,
            pipe: Some(pipe),
        })
    }

    fn pipeline(&mut self, context: &str, end: Tok) -> PResult<Pipe> {
        let first = self.peek_non_space();
        let start = first.span.start as usize;
        let mut pipe = Pipe {
            span: first.span,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // Declarations or assignments.
        loop {
            let v = self.peek_non_space();
            if v.kind != Tok::Variable {
                break;
            }
            let save = self.i;
            self.next_non_space();
            let next = self.peek_non_space();
            let name = self.src(v.span).to_string();
            match next.kind {
                Tok::Assign | Tok::Declare => {
                    pipe.is_assign = next.kind == Tok::Assign;
                    self.next_non_space();
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    break;
                }
                Tok::Punct if self.src(next.span) == "," => {
                    self.next_non_space();
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    if context == "range" && pipe.decl.len() < 2 {
                        let after = self.peek_non_space();
                        match after.kind {
                            Tok::Variable | Tok::RightDelim | Tok::RParen => continue,
                            _ => {
                                return self.err(after.span, "range can only initialize variables");
                            }
                        }
                    }
                    return self.err(v.span, format!("too many declarations in {context}"));
                }
                _ => {
                    self.i = save;
                    break;
                }
            }
        }
        loop {
            let t = self.next_non_space();
            if t.kind == end {
                let end_at = t.span.start as usize;
                pipe.span = Span::new(start, end_at.max(start));
                self.check_pipeline(&pipe, context, t.span)?;
                return Ok(pipe);
            }
            match t.kind {
                Tok::Bool
                | Tok::Char
                | Tok::Dot
                | Tok::Field
                | Tok::Ident
                | Tok::Number
                | Tok::Nil
                | Tok::RawStr
                | Tok::Str
                | Tok::Variable
                | Tok::LParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return self.unexpected(&t, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str, at: Span) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.err(at, format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if let Some(first) = c.args.first()
                && matches!(
                    first.kind,
                    ArgKind::Bool(_)
                        | ArgKind::Dot
                        | ArgKind::Nil
                        | ArgKind::Int(_)
                        | ArgKind::Float(_)
                        | ArgKind::Overflow
                        | ArgKind::Str(_)
                )
            {
                return self.err(
                    c.span,
                    format!("non executable command in pipeline stage {}", i + 1),
                );
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Cmd> {
        let start = self.peek_non_space().span.start as usize;
        let mut args = Vec::new();
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                args.push(op);
            }
            let t = self.next();
            match t.kind {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RParen => self.backup(),
                Tok::Pipe => {}
                _ => return self.unexpected(&t, "operand"),
            }
            break;
        }
        let end = args.last().map_or(start, |a: &Arg| a.span.end as usize);
        let span = Span::new(start, end.max(start));
        if args.is_empty() {
            return self.err(span, "empty command");
        }
        Ok(Cmd { span, args })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != Tok::Field {
            return Ok(Some(node));
        }
        let mut fields = Vec::new();
        let mut end = node.span.end as usize;
        while self.peek().kind == Tok::Field {
            let f = self.next();
            fields.push(self.src(f.span)[1..].to_string());
            end = f.span.end as usize;
        }
        let span = Span::new(node.span.start as usize, end);
        let kind = match node.kind {
            ArgKind::Field(mut base) => {
                base.extend(fields);
                ArgKind::Field(base)
            }
            ArgKind::Variable(name, mut base) => {
                base.extend(fields);
                ArgKind::Variable(name, base)
            }
            ArgKind::Bool(_)
            | ArgKind::Str(_)
            | ArgKind::Int(_)
            | ArgKind::Float(_)
            | ArgKind::Overflow
            | ArgKind::Nil
            | ArgKind::Dot => {
                return self.err(
                    span,
                    format!("unexpected . after term {}", go_quote(self.src(node.span))),
                );
            }
            _ => ArgKind::Chain(Box::new(node), fields),
        };
        Ok(Some(Arg { span, kind }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let t = self.next_non_space();
        let span = t.span;
        let kind = match t.kind {
            Tok::Ident => {
                let name = self.src(span).to_string();
                if !(self.is_func)(&name) {
                    return self.err(span, format!("function {name:?} not defined"));
                }
                ArgKind::Ident(name)
            }
            Tok::Dot => ArgKind::Dot,
            Tok::Nil => ArgKind::Nil,
            Tok::Variable => {
                let name = self.src(span).to_string();
                if !self.vars.contains(&name) {
                    return self.err(span, format!("undefined variable {name:?}"));
                }
                ArgKind::Variable(name, Vec::new())
            }
            Tok::Field => ArgKind::Field(vec![self.src(span)[1..].to_string()]),
            Tok::Bool => ArgKind::Bool(self.src(span) == "true"),
            Tok::Char => match go_unquote(self.src(span)) {
                Some(s) => {
                    let mut chars = s.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => ArgKind::Int(c as i64),
                        _ => return self.err(span, "invalid syntax"),
                    }
                }
                None => return self.err(span, "invalid syntax"),
            },
            Tok::Number => match parse_number(self.src(span)) {
                Ok(k) => k,
                Err(m) => return self.err(span, m),
            },
            Tok::LParen => {
                self.enter(span)?;
                let pipe = self.pipeline("parenthesized pipeline", Tok::RParen)?;
                self.depth -= 1;
                let end = self.tok(self.i.saturating_sub(1)).span.end as usize;
                let span = Span::new(span.start as usize, end);
                return Ok(Some(Arg {
                    span,
                    kind: ArgKind::Pipe(Box::new(pipe)),
                }));
            }
            Tok::Str | Tok::RawStr => ArgKind::Str(self.unquote(&t)?.into()),
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(Arg { span, kind }))
    }

    fn unquote(&self, t: &Token) -> PResult<String> {
        match go_unquote(self.src(t.span)) {
            Some(s) => Ok(s),
            None => self.err(t.span, "invalid syntax"),
        }
    }
}

/// Go's `strconv.Unquote` for `"…"`, `` `…` `` and `'…'` (invalid UTF-8 from `\x` escapes is
/// replaced, as Rust strings must be valid).
pub(crate) fn go_unquote(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 2 {
        return None;
    }
    let (q, last) = (b[0], b[b.len() - 1]);
    if q != last {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    match q {
        b'`' => {
            if inner.contains('`') {
                return None;
            }
            Some(inner.replace('\r', ""))
        }
        b'"' | b'\'' => {
            let mut out: Vec<u8> = Vec::with_capacity(inner.len());
            let mut chars = inner.char_indices().peekable();
            while let Some((_, c)) = chars.next() {
                if c == q as char {
                    return None;
                }
                if c == '\n' {
                    return None;
                }
                if c != '\\' {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    continue;
                }
                let (_, e) = chars.next()?;
                let simple = match e {
                    'a' => Some(7u8),
                    'b' => Some(8),
                    'f' => Some(12),
                    'n' => Some(b'\n'),
                    'r' => Some(b'\r'),
                    't' => Some(b'\t'),
                    'v' => Some(11),
                    '\\' => Some(b'\\'),
                    '"' if q == b'"' => Some(b'"'),
                    '\'' if q == b'\'' => Some(b'\''),
                    _ => None,
                };
                if let Some(v) = simple {
                    out.push(v);
                    continue;
                }
                let mut take = |n: usize, radix: u32| -> Option<u32> {
                    let mut v: u32 = 0;
                    for _ in 0..n {
                        let (_, d) = chars.next()?;
                        v = v.checked_mul(radix)?.checked_add(d.to_digit(radix)?)?;
                    }
                    Some(v)
                };
                match e {
                    'x' => out.push(u8::try_from(take(2, 16)?).ok()?),
                    '0'..='7' => {
                        let rest = take(2, 8)?;
                        let v = e.to_digit(8)? * 64 + rest;
                        out.push(u8::try_from(v).ok()?);
                    }
                    'u' | 'U' => {
                        let v = take(if e == 'u' { 4 } else { 8 }, 16)?;
                        let c = char::from_u32(v)?;
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                    _ => return None,
                }
            }
            let s = String::from_utf8_lossy(&out).into_owned();
            if q == b'\'' && s.chars().count() != 1 {
                return None;
            }
            Some(s)
        }
        _ => None,
    }
}

/// Go's `%q` of a string (the subset the error messages need).
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn is_hex_int(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') && !s.contains(['p', 'P'])
}

/// A number constant as Go's `idealConstant` sees it: ints stay `int`, anything with `.eEpP`
/// (except hex integers) is a float64.
fn parse_number(text: &str) -> Result<ArgKind, String> {
    let bad = || format!("illegal number syntax: {}", go_quote(text));
    if text.ends_with('i') {
        return Err(format!(
            "complex constant {} is not supported",
            go_quote(text)
        ));
    }
    let floaty = !is_hex_int(text) && text.contains(['.', 'e', 'E', 'p', 'P']);
    if floaty {
        let cleaned = text.replace('_', "");
        let body = cleaned.trim_start_matches('+');
        if body.contains(['x', 'X']) {
            return parse_hex_float(body).map(ArgKind::Float).ok_or_else(bad);
        }
        return body.parse::<f64>().map(ArgKind::Float).map_err(|_| bad());
    }
    let (neg, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(d) = rest.strip_prefix("0x").or(rest.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = rest.strip_prefix("0o").or(rest.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = rest.strip_prefix("0b").or(rest.strip_prefix("0B")) {
        (2, d)
    } else if rest.len() > 1 && rest.starts_with('0') {
        (8, &rest[1..])
    } else {
        (10, rest)
    };
    let digits = digits.replace('_', "");
    if digits.is_empty() {
        return Err(bad());
    }
    // Go: ParseInt/ParseUint, then ParseFloat; an integer that fits neither int64 nor uint64 is
    // the parse error "integer overflow", one that fits only uint64 fails at execution.
    let overflow = || format!("integer overflow: {}", go_quote(text));
    match u128::from_str_radix(&digits, radix) {
        Ok(v) => {
            if v > u64::MAX as u128 {
                return Err(overflow());
            }
            let signed = if neg { -(v as i128) } else { v as i128 };
            match i64::try_from(signed) {
                Ok(i) => Ok(ArgKind::Int(i)),
                Err(_) if neg => Err(overflow()),
                Err(_) => Ok(ArgKind::Overflow),
            }
        }
        Err(_) if radix == 8 && !rest.starts_with("0o") && !rest.starts_with("0O") => {
            // "08" is not octal, but Go's ParseFloat accepts it as a decimal integer value.
            let f: f64 = rest.replace('_', "").parse().map_err(|_| bad())?;
            let f = if neg { -f } else { f };
            if f.fract() == 0.0 && f.abs() < 9.2e18 {
                Ok(ArgKind::Int(f as i64))
            } else {
                Err(overflow())
            }
        }
        Err(_) => {
            if digits.chars().all(|c| c.is_digit(radix)) {
                Err(overflow())
            } else {
                Err(bad())
            }
        }
    }
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let s = s.strip_prefix("0x").or(s.strip_prefix("0X"))?;
    let (mant, exp) = s.split_once(['p', 'P'])?;
    let exp: i32 = exp.parse().ok()?;
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let mut v = 0f64;
    for c in int.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    let v = v * 2f64.powi(exp);
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Result<Parsed, ParseError> {
        let src = src.to_string();
        super::super::with_big_stack(move || {
            let funcs = |n: &str| matches!(n, "printf" | "len" | "eq" | "not");
            parse("t", FileId(0), Arc::from(src), &funcs, None)
        })
        .expect("thread")
    }

    fn perr(src: &str) -> (String, String) {
        match p(src) {
            Ok(_) => panic!("{src:?} parsed"),
            Err(e) => (e.message, src[e.span.range()].to_string()),
        }
    }

    #[test]
    fn numbers_follow_go() {
        assert!(matches!(parse_number("0755"), Ok(ArgKind::Int(493))));
        assert!(matches!(parse_number("0x1F"), Ok(ArgKind::Int(31))));
        assert!(matches!(parse_number("0x1e"), Ok(ArgKind::Int(30))));
        assert!(matches!(parse_number("1_000"), Ok(ArgKind::Int(1000))));
        assert!(matches!(parse_number("-7"), Ok(ArgKind::Int(-7))));
        assert!(matches!(parse_number("08"), Ok(ArgKind::Int(8))));
        assert!(matches!(parse_number("1e3"), Ok(ArgKind::Float(f)) if f == 1000.0));
        assert!(matches!(parse_number(".5"), Ok(ArgKind::Float(f)) if f == 0.5));
        assert!(matches!(parse_number("0x1p-2"), Ok(ArgKind::Float(f)) if f == 0.25));
        assert!(matches!(
            parse_number("18446744073709551615"),
            Ok(ArgKind::Overflow)
        ));
        assert_eq!(
            parse_number("99999999999999999999").err().unwrap(),
            "integer overflow: \"99999999999999999999\""
        );
    }

    #[test]
    fn unquote_follows_go() {
        assert_eq!(go_unquote(r#""a\tb\x41\101\u00e9""#).unwrap(), "a\tbAAé");
        assert_eq!(go_unquote("`a\\n`").unwrap(), "a\\n");
        assert_eq!(go_unquote("'x'").unwrap(), "x");
        assert!(go_unquote(r#""\'""#).is_none());
        assert!(go_unquote(r#""\q""#).is_none());
    }

    #[test]
    fn parse_errors_have_go_messages_and_spans() {
        assert_eq!(
            perr("a {{ foo }}"),
            ("function \"foo\" not defined".into(), "foo".into())
        );
        assert_eq!(
            perr("{{ $x }}"),
            ("undefined variable \"$x\"".into(), "$x".into())
        );
        assert_eq!(perr("{{ end }}").0, "unexpected {{end}}");
        assert_eq!(perr("{{ if .a }}x").0, "unexpected EOF");
        assert_eq!(perr("{{ }}").0, "missing value for command");
        assert_eq!(perr("{{ if }}{{ end }}").0, "missing value for if");
        assert_eq!(
            perr("{{ .a | 3 }}").0,
            "non executable command in pipeline stage 2"
        );
        assert_eq!(perr("{{ break }}").0, "{{break}} outside {{range}}");
        assert_eq!(
            perr("{{ range .a }}{{ else }}{{ continue }}{{ end }}").0,
            "{{continue}} outside {{range}}"
        );
        assert_eq!(perr("{{ 3.a }}").0, "bad number syntax: \"3.a\"");
        assert_eq!(
            perr("{{ \"x\".a }}").0,
            "unexpected . after term \"\\\"x\\\"\""
        );
        assert_eq!(perr("{{ .a ) }}").0, "unexpected right paren");
        assert_eq!(perr("{{ ( .a }}").0, "unclosed left paren");
        assert_eq!(
            perr("{{ .a }}{{ .b \n\n").0,
            "unclosed action",
            "lexer errors surface when the parser reaches them"
        );
        assert_eq!(
            perr("{{define \"a\"}}1{{end}}{{define \"a\"}}2{{end}}").0,
            "multiple definition of template \"a\""
        );
        assert_eq!(
            perr("{{ range $i, $v, $w := .a }}{{end}}").0,
            "too many declarations in range"
        );
        assert_eq!(
            perr("{{ if $a, $b := .a }}{{end}}").0,
            "too many declarations in if"
        );
    }

    #[test]
    fn variables_are_scoped_to_control_structures() {
        assert!(p("{{ if true }}{{ $x := 1 }}{{ $x }}{{ end }}").is_ok());
        assert_eq!(
            perr("{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}").0,
            "undefined variable \"$x\""
        );
        assert!(p("{{ with $x := 1 }}{{ else }}{{ $x }}{{ end }}").is_ok());
        assert_eq!(
            perr("{{ $x := 1 }}{{ define \"a\" }}{{ $x }}{{ end }}").0,
            "undefined variable \"$x\""
        );
        assert!(p("{{ range $i, $v := .a }}{{ $i }}{{ $v }}{{ end }}").is_ok());
    }

    #[test]
    fn else_if_chains_nest() {
        let parsed = p("{{if .a}}A{{else if .b}}B{{else}}C{{end}}").unwrap();
        let Node::If(c) = &parsed.main.root[0] else {
            panic!()
        };
        let els = c.else_list.as_ref().unwrap();
        assert_eq!(els.len(), 1);
        assert!(matches!(&els[0], Node::If(inner) if inner.else_list.is_some()));
    }

    #[test]
    fn defines_and_blocks_become_trees() {
        let parsed = p("a{{define \"x\"}}X{{end}}b{{block \"y\" .}}Y{{end}}").unwrap();
        let names: Vec<&str> = parsed.defines.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["x", "y"]);
        assert_eq!(parsed.main.root.len(), 3);
        assert!(!parsed.main.is_empty());
        let only_defs = p(" {{define \"x\"}}X{{end}}\n").unwrap();
        assert!(only_defs.main.is_empty());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "{{ if 1 }}".repeat(MAX_PARSE_DEPTH + 1);
        assert!(perr(&src).0.contains("nesting"));
        let src = format!("{{{{ {}1{} }}}}", "(".repeat(2000), ")".repeat(2000));
        assert!(perr(&src).0.contains("nesting"));
    }
}
