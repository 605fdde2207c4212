//! The lexer: splits a template into text and action tokens exactly as Go's `text/template/parse`
//! does, including trim markers (`{{- ` / ` -}}`, the space is required) and comments
//! (`{{/* … */}}`, which produce no token). A lexical error ends the stream with a [`Tok::Error`]
//! token, so the parser reports it only when it gets there (as Go does).

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Text,
    LeftDelim,
    RightDelim,
    Space,
    /// A function name (`printf`, `include`).
    Ident,
    /// `.name`: the span includes the dot.
    Field,
    /// `$` or `$name`: the span includes the dollar.
    Variable,
    Dot,
    Str,
    RawStr,
    Char,
    Number,
    Bool,
    Nil,
    Pipe,
    LParen,
    RParen,
    Assign,
    Declare,
    /// Printable ASCII punctuation such as `,`.
    Punct,
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Template,
    With,
    Eof,
    /// A lexical error; its message is in [`Token::message`].
    Error,
}

impl Tok {
    pub(crate) fn is_keyword(self) -> bool {
        matches!(
            self,
            Tok::Block
                | Tok::Break
                | Tok::Continue
                | Tok::Define
                | Tok::Else
                | Tok::End
                | Tok::If
                | Tok::Range
                | Tok::Template
                | Tok::With
        )
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub kind: Tok,
    pub span: Span,
    /// The error message of a [`Tok::Error`] token.
    pub message: Option<String>,
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
/// A trim marker and the one space that must go with it.
const TRIM_LEN: usize = 2;

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim(s: &[u8]) -> bool {
    s.len() >= 2 && s[0] == b'-' && is_space(s[1])
}

fn has_right_trim(s: &[u8]) -> bool {
    s.len() >= 2 && is_space(s[0]) && s[1] == b'-'
}

fn keyword(word: &str) -> Option<Tok> {
    Some(match word {
        "block" => Tok::Block,
        "break" => Tok::Break,
        "continue" => Tok::Continue,
        "define" => Tok::Define,
        "else" => Tok::Else,
        "end" => Tok::End,
        "if" => Tok::If,
        "range" => Tok::Range,
        "template" => Tok::Template,
        "with" => Tok::With,
        "nil" => Tok::Nil,
        "true" | "false" => Tok::Bool,
        _ => return None,
    })
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    paren_depth: i32,
    out: Vec<Token>,
}

/// Lexes the whole input; the last token is [`Tok::Eof`] or [`Tok::Error`].
pub(crate) fn lex(src: &str) -> Vec<Token> {
    let mut lx = Lexer {
        src,
        b: src.as_bytes(),
        pos: 0,
        paren_depth: 0,
        out: Vec::new(),
    };
    match lx.run() {
        Ok(()) => lx.push(Tok::Eof, lx.b.len(), lx.b.len()),
        Err((start, message)) => {
            let end = lx.pos.max(start).min(lx.b.len());
            lx.out.push(Token {
                kind: Tok::Error,
                span: Span::new(start, end),
                message: Some(message),
            });
        }
    }
    lx.out
}

type LexResult = Result<(), (usize, String)>;

impl<'a> Lexer<'a> {
    fn push(&mut self, kind: Tok, start: usize, end: usize) {
        self.out.push(Token {
            kind,
            span: Span::new(start, end),
            message: None,
        });
    }

    fn rest(&self) -> &'a [u8] {
        &self.b[self.pos.min(self.b.len())..]
    }

    fn peek_char(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn run(&mut self) -> LexResult {
        loop {
            // Text up to the next left delimiter.
            let start = self.pos;
            let Some(off) = memchr::memmem::find(self.rest(), LEFT.as_bytes()) else {
                if start < self.b.len() {
                    self.push(Tok::Text, start, self.b.len());
                }
                self.pos = self.b.len();
                return Ok(());
            };
            let delim = start + off;
            let trim = has_left_trim(&self.b[delim + LEFT.len()..]);
            let mut text_end = delim;
            if trim {
                while text_end > start && is_space(self.b[text_end - 1]) {
                    text_end -= 1;
                }
            }
            if text_end > start {
                self.push(Tok::Text, start, text_end);
            }
            self.pos = delim + LEFT.len();
            let after_marker = if trim { TRIM_LEN } else { 0 };
            if self.b[self.pos + after_marker..].starts_with(b"/*") {
                self.pos += after_marker;
                self.comment(delim)?;
                continue;
            }
            self.push(Tok::LeftDelim, delim, self.pos);
            self.pos += after_marker;
            self.paren_depth = 0;
            self.inside_action(delim)?;
        }
    }

    /// `(is right delimiter, with trim marker)` at the current position.
    fn at_right_delim(&self) -> (bool, bool) {
        let r = self.rest();
        if has_right_trim(r) && r[TRIM_LEN..].starts_with(RIGHT.as_bytes()) {
            return (true, true);
        }
        (r.starts_with(RIGHT.as_bytes()), false)
    }

    fn skip_left_trim(&mut self) {
        while self.pos < self.b.len() && is_space(self.b[self.pos]) {
            self.pos += 1;
        }
    }

    fn comment(&mut self, delim: usize) -> LexResult {
        self.pos += 2;
        let Some(x) = memchr::memmem::find(self.rest(), b"*/") else {
            return Err((delim, "unclosed comment".into()));
        };
        self.pos += x + 2;
        let (is_delim, trim) = self.at_right_delim();
        if !is_delim {
            return Err((delim, "comment ends before closing delimiter".into()));
        }
        if trim {
            self.pos += TRIM_LEN;
        }
        self.pos += RIGHT.len();
        if trim {
            self.skip_left_trim();
        }
        Ok(())
    }

    fn inside_action(&mut self, delim: usize) -> LexResult {
        loop {
            let (is_delim, trim) = self.at_right_delim();
            if is_delim {
                if self.paren_depth != 0 {
                    return Err((self.pos, "unclosed left paren".into()));
                }
                let start = self.pos;
                if trim {
                    self.pos += TRIM_LEN;
                }
                self.pos += RIGHT.len();
                self.push(Tok::RightDelim, start, self.pos);
                if trim {
                    self.skip_left_trim();
                }
                return Ok(());
            }
            let start = self.pos;
            let Some(c) = self.peek_char() else {
                return Err((delim, "unclosed action".into()));
            };
            match c {
                ' ' | '\t' | '\r' | '\n' => {
                    let mut n = 0;
                    while self.pos < self.b.len() && is_space(self.b[self.pos]) {
                        self.pos += 1;
                        n += 1;
                    }
                    // A single space before `-}}` belongs to the trim marker.
                    let back = self.pos - 1;
                    if has_right_trim(&self.b[back..])
                        && self.b[back + TRIM_LEN..].starts_with(RIGHT.as_bytes())
                    {
                        self.pos = back;
                        if n == 1 {
                            continue;
                        }
                    }
                    self.push(Tok::Space, start, self.pos);
                }
                '=' => {
                    self.pos += 1;
                    self.push(Tok::Assign, start, self.pos);
                }
                ':' => {
                    if self.b.get(self.pos + 1) != Some(&b'=') {
                        self.pos += 1;
                        return Err((start, "expected :=".into()));
                    }
                    self.pos += 2;
                    self.push(Tok::Declare, start, self.pos);
                }
                '|' => {
                    self.pos += 1;
                    self.push(Tok::Pipe, start, self.pos);
                }
                '"' => self.quote(start)?,
                '`' => self.raw_quote(start)?,
                '$' => {
                    self.pos += 1;
                    self.field_or_variable(start, Tok::Variable)?;
                }
                '\'' => self.char_const(start)?,
                '.' if !matches!(self.b.get(self.pos + 1), Some(b'0'..=b'9')) => {
                    self.pos += 1;
                    self.field_or_variable(start, Tok::Field)?;
                }
                '.' | '+' | '-' | '0'..='9' => self.number(start)?,
                c if is_alnum(c) => self.identifier(start)?,
                '(' => {
                    self.pos += 1;
                    self.paren_depth += 1;
                    self.push(Tok::LParen, start, self.pos);
                }
                ')' => {
                    self.pos += 1;
                    self.paren_depth -= 1;
                    if self.paren_depth < 0 {
                        return Err((start, "unexpected right paren".into()));
                    }
                    self.push(Tok::RParen, start, self.pos);
                }
                c if c.is_ascii() && !c.is_ascii_control() => {
                    self.pos += 1;
                    self.push(Tok::Punct, start, self.pos);
                }
                c => {
                    self.pos += c.len_utf8();
                    return Err((
                        start,
                        format!("unrecognized character in action: {}", go_unicode(c)),
                    ));
                }
            }
        }
    }

    /// Whether the next character ends an operand.
    fn at_terminator(&self) -> bool {
        let Some(c) = self.peek_char() else {
            return true;
        };
        if matches!(
            c,
            ' ' | '\t' | '\r' | '\n' | '.' | ',' | '|' | ':' | ')' | '('
        ) {
            return true;
        }
        self.rest().starts_with(RIGHT.as_bytes())
    }

    fn field_or_variable(&mut self, start: usize, kind: Tok) -> LexResult {
        if self.at_terminator() {
            self.push(
                if kind == Tok::Variable {
                    Tok::Variable
                } else {
                    Tok::Dot
                },
                start,
                self.pos,
            );
            return Ok(());
        }
        self.alnum_run()?;
        self.push(kind, start, self.pos);
        Ok(())
    }

    /// Skips letters, digits and `_`, which must end at an operand's terminator (Go's `bad
    /// character` error otherwise).
    fn alnum_run(&mut self) -> LexResult {
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek_char().unwrap_or('\0');
            return Err((self.pos, format!("bad character {}", go_unicode(c))));
        }
        Ok(())
    }

    fn identifier(&mut self, start: usize) -> LexResult {
        self.alnum_run()?;
        let word = &self.src[start..self.pos];
        let kind = keyword(word).unwrap_or(Tok::Ident);
        self.push(kind, start, self.pos);
        Ok(())
    }

    fn quote(&mut self, start: usize) -> LexResult {
        self.delimited(start, b'"', "unterminated quoted string", Tok::Str)
    }

    /// A quoted string or character constant from its opening `close` to the closing one, with
    /// backslash escapes skipped; neither may span lines.
    fn delimited(&mut self, start: usize, close: u8, unterminated: &str, tok: Tok) -> LexResult {
        self.pos += 1;
        loop {
            match self.b.get(self.pos) {
                None | Some(b'\n') => return Err((start, unterminated.into())),
                Some(b'\\') => {
                    self.pos += 1;
                    match self.b.get(self.pos) {
                        None | Some(b'\n') => return Err((start, unterminated.into())),
                        Some(_) => self.pos += 1,
                    }
                }
                Some(&c) if c == close => {
                    self.pos += 1;
                    break;
                }
                Some(_) => self.pos += 1,
            }
        }
        self.push(tok, start, self.pos);
        Ok(())
    }

    fn raw_quote(&mut self, start: usize) -> LexResult {
        self.pos += 1;
        let Some(x) = memchr::memchr(b'`', self.rest()) else {
            self.pos = self.b.len();
            return Err((start, "unterminated raw quoted string".into()));
        };
        self.pos += x + 1;
        self.push(Tok::RawStr, start, self.pos);
        Ok(())
    }

    fn char_const(&mut self, start: usize) -> LexResult {
        self.delimited(start, b'\'', "unterminated character constant", Tok::Char)
    }

    fn accept(&mut self, set: &[u8]) -> bool {
        match self.b.get(self.pos) {
            Some(c) if set.contains(c) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, set: &[u8]) {
        while self.accept(set) {}
    }

    fn number(&mut self, start: usize) -> LexResult {
        self.accept(b"+-");
        let mut digits: &[u8] = b"0123456789_";
        if self.accept(b"0") {
            if self.accept(b"xX") {
                digits = b"0123456789abcdefABCDEF_";
            } else if self.accept(b"oO") {
                digits = b"01234567_";
            } else if self.accept(b"bB") {
                digits = b"01_";
            }
        }
        self.accept_run(digits);
        if self.accept(b".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept(b"eE") {
            self.accept(b"+-");
            self.accept_run(b"0123456789_");
        }
        if digits.len() == 23 && self.accept(b"pP") {
            self.accept(b"+-");
            self.accept_run(b"0123456789_");
        }
        self.accept(b"i");
        if let Some(c) = self.peek_char()
            && is_alnum(c)
        {
            self.pos += c.len_utf8();
            return Err((
                start,
                format!("bad number syntax: {:?}", &self.src[start..self.pos]),
            ));
        }
        self.push(Tok::Number, start, self.pos);
        Ok(())
    }
}

/// Go's `%#U` of a rune: `U+0023 '#'`.
pub(crate) fn go_unicode(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{c}'", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Tok, String)> {
        lex(src)
            .into_iter()
            .map(|t| {
                let text = t
                    .message
                    .clone()
                    .unwrap_or_else(|| src[t.span.range()].to_string());
                (t.kind, text)
            })
            .collect()
    }

    #[test]
    fn trim_markers_need_a_space() {
        let toks = kinds("a  {{- 3 -}}  b");
        assert_eq!(toks[0], (Tok::Text, "a".into()));
        assert_eq!(toks[2], (Tok::Number, "3".into()));
        assert_eq!(toks[4], (Tok::Text, "b".into()));
        // `{{-3}}` is the number -3, no trimming.
        let toks = kinds("a {{-3}} b");
        assert_eq!(toks[0], (Tok::Text, "a ".into()));
        assert_eq!(toks[2], (Tok::Number, "-3".into()));
        assert_eq!(toks[4], (Tok::Text, " b".into()));
    }

    #[test]
    fn comments_vanish_and_trim() {
        let toks = kinds("a \n{{- /* x */ -}}\n b");
        assert_eq!(
            toks,
            vec![
                (Tok::Text, "a".into()),
                (Tok::Text, "b".into()),
                (Tok::Eof, "".into())
            ]
        );
        let toks = kinds("{{/* x */ }}");
        assert_eq!(
            toks.last().unwrap(),
            &(Tok::Error, "comment ends before closing delimiter".into())
        );
        let toks = kinds("{{/* x ");
        assert_eq!(
            toks.last().unwrap(),
            &(Tok::Error, "unclosed comment".into())
        );
    }

    #[test]
    fn fields_variables_and_chains() {
        let toks = kinds("{{$x.a.b .c $ .}}");
        let got: Vec<Tok> = toks.iter().map(|t| t.0).collect();
        assert_eq!(
            got,
            vec![
                Tok::LeftDelim,
                Tok::Variable,
                Tok::Field,
                Tok::Field,
                Tok::Space,
                Tok::Field,
                Tok::Space,
                Tok::Variable,
                Tok::Space,
                Tok::Dot,
                Tok::RightDelim,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn numbers_and_errors() {
        for n in ["0x1F", "1_000", "0o17", "0b101", "1.5e3", ".5", "-7", "'a'"] {
            let toks = kinds(&format!("{{{{{n}}}}}"));
            assert!(
                matches!(toks[1].0, Tok::Number | Tok::Char),
                "{n}: {toks:?}"
            );
        }
        let toks = kinds("{{3x}}");
        assert_eq!(
            toks.last().unwrap(),
            &(Tok::Error, "bad number syntax: \"3x\"".into())
        );
        let toks = kinds("{{ \"abc }}");
        assert_eq!(
            toks.last().unwrap(),
            &(Tok::Error, "unterminated quoted string".into())
        );
        let toks = kinds("{{ .a ");
        assert_eq!(
            toks.last().unwrap(),
            &(Tok::Error, "unclosed action".into())
        );
    }
}
