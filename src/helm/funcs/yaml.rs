//! Helm's YAML and TOML functions: `toYaml mustToYaml toYamlPretty fromYaml fromYamlArray toToml
//! fromToml`.
//!
//! `toYaml` reproduces `sigs.k8s.io/yaml.Marshal` byte for byte: the value goes through JSON (so
//! whole floats print as integers: `3`, `1000000`, but `1e+21`), then go-yaml v2 emits it: keys in
//! go-yaml's natural order (`a2` before `a10`), two-space indentation, sequences not indented under
//! their key, strings quoted when they would read back as another type (`"true"`, `"1"`, `"yes"`,
//! `"~"`, `""`, `"2001-12-14"`, `"1:20"`), single-quoted when they start with an indicator
//! (`'- a'`, `'*x'`) or contain `: ` / ` #`, double-quoted when they hold characters YAML cannot
//! print plainly (tabs, control characters, a space before a line break), multi-line strings as
//! literal blocks (`|`, `|-`, `|+`, `|2-` when the text starts with a space), and long plain or
//! quoted strings folded at spaces past column 80. Helm trims the final newline.
//!
//! `toYamlPretty` is go-yaml v3 with two-space indentation: no JSON round trip (floats print as
//! Go's `%g`: `1.2345678e+07`), sequences indented under their key, no folding.
//!
//! `fromYaml`/`fromYamlArray` parse with serde-saphyr (YAML 1.2 scalars: `yes`/`on` stay strings,
//! where Helm's YAML 1.1 parser reads them as booleans); numbers become float64 as Helm's
//! YAML→JSON conversion makes them.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::super::value::{Kind, Value};
use super::encoding::{from_serde, json_float};
use super::gofmt::format_float;
use super::{MAX_OUTPUT, Result, arg_str, arity, call_err};

/// Which go-yaml: v2 through sigs.k8s.io/yaml (`toYaml`) or v3 with indent 2 (`toYamlPretty`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    V2,
    V3,
}

/// A value as the YAML encoder sees it.
enum Node<'a> {
    Null,
    Scalar(String),
    Str(&'a str),
    Owned(String),
    List(Vec<Node<'a>>),
    Map(Vec<(String, Node<'a>)>),
}

/// Converts a value for the encoder; for v2 applies the JSON round trip.
fn to_node(v: &Value, flavor: Flavor, depth: usize) -> std::result::Result<Node<'_>, String> {
    if depth > 1000 {
        return Err("yaml: nesting too deep".to_string());
    }
    Ok(match &v.kind {
        Kind::Nil => Node::Null,
        Kind::Bool(b) => Node::Scalar(b.to_string()),
        Kind::Int(i) => Node::Scalar(i.to_string()),
        Kind::Float(f) => Node::Scalar(match flavor {
            Flavor::V2 => {
                let t = json_float(*f)?;
                if t.contains(['.', 'e']) {
                    format_float(*f, 'g', None)
                } else if t.parse::<i64>().is_ok() || t.parse::<u64>().is_ok() {
                    t
                } else {
                    format_float(*f, 'g', None)
                }
            }
            Flavor::V3 => {
                if f.is_nan() {
                    ".nan".to_string()
                } else if f.is_infinite() {
                    if *f > 0.0 { ".inf" } else { "-.inf" }.to_string()
                } else {
                    format_float(*f, 'g', None)
                }
            }
        }),
        // JSON leaves U+0085 unescaped and go-yaml's parser folds that line break into a space.
        Kind::Str(s) if flavor == Flavor::V2 && s.contains('\u{85}') => {
            Node::Owned(s.replace('\u{85}', " "))
        }
        Kind::Str(s) => Node::Str(s),
        Kind::List(l) => Node::List(
            l.iter()
                .map(|x| to_node(x, flavor, depth + 1))
                .collect::<std::result::Result<_, _>>()?,
        ),
        Kind::Map(m) => {
            let mut entries: Vec<(String, Node<'_>)> = m
                .iter()
                .map(|(k, x)| Ok((k.clone(), to_node(x, flavor, depth + 1)?)))
                .collect::<std::result::Result<_, String>>()?;
            entries.sort_by(|a, b| key_order(&a.0, &b.0));
            Node::Map(entries)
        }
        Kind::Native(n) => match n.to_data() {
            Some(d) if !matches!(d.kind, Kind::Native(_)) => to_node_owned(d, flavor, depth + 1)?,
            _ => Node::Owned(n.display()),
        },
    })
}

/// [`to_node`] for a value computed on the fly (a native object's data form).
fn to_node_owned(
    v: Value,
    flavor: Flavor,
    depth: usize,
) -> std::result::Result<Node<'static>, String> {
    if depth > 1000 {
        return Err("yaml: nesting too deep".to_string());
    }
    Ok(match v.kind {
        Kind::Str(s) => Node::Owned(s.to_string()),
        Kind::List(l) => Node::List(
            l.iter()
                .map(|x| to_node_owned(x.clone(), flavor, depth + 1))
                .collect::<std::result::Result<_, _>>()?,
        ),
        Kind::Map(m) => {
            let mut entries: Vec<(String, Node<'static>)> = m
                .iter()
                .map(|(k, x)| Ok((k.clone(), to_node_owned(x.clone(), flavor, depth + 1)?)))
                .collect::<std::result::Result<_, String>>()?;
            entries.sort_by(|a, b| key_order(&a.0, &b.0));
            Node::Map(entries)
        }
        Kind::Native(n) => Node::Owned(n.display()),
        other => {
            let v = Value::new(other);
            match to_node(&v, flavor, depth)? {
                Node::Null => Node::Null,
                Node::Scalar(s) => Node::Scalar(s),
                Node::Owned(s) => Node::Owned(s),
                // Strings, lists and maps are handled above.
                _ => Node::Null,
            }
        }
    })
}

/// go-yaml's map key order: runs of digits compare as numbers, letters after other characters.
pub fn key_order(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if key_less(a, b) {
        Ordering::Less
    } else if key_less(b, a) {
        Ordering::Greater
    } else {
        a.cmp(b)
    }
}

fn key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut digits = false;
    let n = ar.len().min(br.len());
    for i in 0..n {
        if ar[i] == br[i] {
            digits = ar[i].is_ascii_digit();
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return if digits { al } else { bl };
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

// ---------------------------------------------------------------------------------------------
// Scalar resolution (would a plain scalar read back as a string?).

fn is_yaml_float(s: &str) -> bool {
    // ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let start = i;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let d = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == d {
            return false;
        }
    } else {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let d = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == d {
            return false;
        }
    }
    i == b.len()
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let d = i;
        while i < b.len() && b[i].is_ascii_digit() && i - d < 2 {
            i += 1;
        }
        let g = &s[d..i];
        let ok = match g.len() {
            1 => true,
            2 => g.as_bytes()[0] <= b'5',
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml's timestamp forms: `2006-1-2`, optionally with `T`/`t`/space and a time.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    // At least "YYYY-M-D": four digits and a dash.
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let date_end = s[5..]
        .find(['T', 't', ' '])
        .map(|i| i + 5)
        .unwrap_or(s.len());
    let date = &s[5..date_end];
    let mut parts = date.split('-');
    let (Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let num = |x: &str, max: u32| {
        !x.is_empty()
            && x.len() <= 2
            && x.chars().all(|c| c.is_ascii_digit())
            && x.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n))
    };
    if !num(m, 12) || !num(d, 31) {
        return false;
    }
    if date_end == s.len() {
        return true;
    }
    // A time part: h:m:s with optional fraction and zone.
    let t = &s[date_end + 1..];
    let mut it = t.splitn(3, ':');
    let (Some(h), Some(mi), Some(rest)) = (it.next(), it.next(), it.next()) else {
        return false;
    };
    let digits = |x: &str| !x.is_empty() && x.len() <= 2 && x.chars().all(|c| c.is_ascii_digit());
    if !digits(h) || !digits(mi) {
        return false;
    }
    let sec_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if !digits(&rest[..sec_end]) {
        return false;
    }
    let mut tail = &rest[sec_end..];
    if let Some(f) = tail.strip_prefix('.') {
        let e = f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len());
        if e == 0 {
            return false;
        }
        tail = &f[e..];
    }
    if tail.is_empty() {
        return date_end < s.len() && s.as_bytes()[date_end] == b' ';
    }
    if s.as_bytes()[date_end] == b' ' {
        return false;
    }
    if tail == "Z" {
        return true;
    }
    let z = tail.as_bytes();
    (z[0] == b'+' || z[0] == b'-')
        && tail.len() == 6
        && z[3] == b':'
        && tail[1..3].chars().all(|c| c.is_ascii_digit())
        && tail[4..6].chars().all(|c| c.is_ascii_digit())
}

/// Would go-yaml read this plain scalar as something other than a string?
fn resolves_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return false;
    }
    if first == b'.' {
        return is_yaml_float(s);
    }
    if is_timestamp(s) {
        return true;
    }
    let plain = s.replace('_', "");
    if super::conv::parse_int_base0(&plain).is_some() || parse_uint_base0(&plain) {
        return true;
    }
    if is_yaml_float(&plain) {
        return true;
    }
    let bin = plain
        .strip_prefix("0b")
        .or_else(|| plain.strip_prefix("-0b"));
    if let Some(d) = bin {
        return !d.is_empty() && d.chars().all(|c| c == '0' || c == '1') && d.len() <= 64;
    }
    false
}

fn parse_uint_base0(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let (radix, d) = if let Some(r) = lower.strip_prefix("0x") {
        (16, r)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (8, r)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (2, r)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    !d.is_empty() && u64::from_str_radix(d, radix).is_ok()
}

// ---------------------------------------------------------------------------------------------
// Scalar analysis and style selection (libyaml's emitter rules).

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// go-yaml's `is_printable`, which (unlike the YAML spec) rejects U+0085 and every character
/// outside the Basic Multilingual Plane, so those strings are double-quoted with escapes.
fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn choose_style(s: &str, is_key: bool, flavor: Flavor) -> Style {
    let requested = if s.contains('\n') {
        Style::Literal
    } else if !resolves_non_string(s) && !is_base60_float(s) {
        Style::Plain
    } else {
        Style::Double
    };
    // Analysis.
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let (mut flow_plain, mut block_plain, mut single, mut block) = (true, true, true, true);
    let multiline;
    if n == 0 {
        multiline = false;
        flow_plain = false;
        block = false;
    } else {
        let mut block_ind = false;
        let mut flow_ind = false;
        let mut line_breaks = false;
        let mut special = false;
        let mut tabs = false;
        let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
            (false, false, false, false);
        let (mut break_space, mut space_break) = (false, false);
        let (mut prev_space, mut prev_break) = (false, false);
        if s.starts_with("---") || s.starts_with("...") {
            block_ind = true;
            flow_ind = true;
        }
        let mut preceded_by_ws = true;
        for i in 0..n {
            let c = chars[i];
            let followed_by_ws =
                i + 1 >= n || matches!(chars[i + 1], ' ' | '\t') || is_break(chars[i + 1]);
            if i == 0 {
                match c {
                    '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\''
                    | '"' | '%' | '@' | '`' => {
                        flow_ind = true;
                        block_ind = true;
                    }
                    '?' | ':' => {
                        flow_ind = true;
                        if followed_by_ws {
                            block_ind = true;
                        }
                    }
                    '-' if followed_by_ws => {
                        flow_ind = true;
                        block_ind = true;
                    }
                    _ => {}
                }
            } else {
                match c {
                    ',' | '?' | '[' | ']' | '{' | '}' => flow_ind = true,
                    ':' => {
                        flow_ind = true;
                        if followed_by_ws {
                            block_ind = true;
                        }
                    }
                    '#' if preceded_by_ws => {
                        flow_ind = true;
                        block_ind = true;
                    }
                    _ => {}
                }
            }
            if c == '\t' && flavor == Flavor::V3 {
                // go-yaml v3 allows tabs in block scalars only.
                tabs = true;
            } else if !is_printable(c) {
                special = true;
            }
            if c == ' ' {
                if i == 0 {
                    leading_space = true;
                }
                if i + 1 == n {
                    trailing_space = true;
                }
                if prev_break {
                    break_space = true;
                }
                prev_space = true;
                prev_break = false;
            } else if is_break(c) {
                line_breaks = true;
                if i == 0 {
                    leading_break = true;
                }
                if i + 1 == n {
                    trailing_break = true;
                }
                if prev_space {
                    space_break = true;
                }
                prev_space = false;
                prev_break = true;
            } else {
                prev_space = false;
                prev_break = false;
            }
            preceded_by_ws = matches!(c, ' ' | '\t') || is_break(c);
        }
        multiline = line_breaks;
        if leading_space || leading_break || trailing_space || trailing_break {
            flow_plain = false;
            block_plain = false;
        }
        if trailing_space {
            block = false;
        }
        if break_space {
            flow_plain = false;
            block_plain = false;
            single = false;
        }
        if space_break || special {
            flow_plain = false;
            block_plain = false;
            single = false;
            block = false;
        }
        if tabs {
            flow_plain = false;
            block_plain = false;
            single = false;
        }
        if line_breaks {
            flow_plain = false;
            block_plain = false;
        }
        if flow_ind {
            flow_plain = false;
        }
        if block_ind {
            block_plain = false;
        }
    }
    let _ = flow_plain;
    let mut style = requested;
    if is_key && multiline {
        style = Style::Double;
    }
    if style == Style::Plain && (!block_plain || (n == 0 && is_key)) {
        style = Style::Single;
    }
    if style == Style::Single && !single {
        style = Style::Double;
    }
    if style == Style::Literal && (!block || is_key) {
        style = Style::Double;
    }
    style
}

// ---------------------------------------------------------------------------------------------
// The emitter.

struct Emitter {
    out: String,
    column: usize,
    /// Fold long scalars at spaces past this column (go-yaml v2: 80), or never.
    best_width: Option<usize>,
    flavor: Flavor,
}

impl Emitter {
    fn push(&mut self, c: char) {
        self.out.push(c);
        if c == '\n' {
            self.column = 0;
        } else {
            self.column += 1;
        }
    }

    fn push_str(&mut self, s: &str) {
        for c in s.chars() {
            self.push(c);
        }
    }

    /// Starts a line at `indent` unless already there at the start of a line.
    fn write_indent(&mut self, indent: usize) {
        if !(self.column == 0 && (self.out.is_empty() || self.out.ends_with('\n'))) {
            self.push('\n');
        }
        while self.column < indent {
            self.push(' ');
        }
    }

    fn too_big(&self) -> bool {
        self.out.len() > MAX_OUTPUT
    }

    fn fold_here(&self) -> bool {
        self.best_width.is_some_and(|w| self.column > w)
    }

    /// A string scalar in `style` at `indent` (the indentation of continuation lines).
    fn string(&mut self, s: &str, indent: usize, is_key: bool) {
        let allow_breaks = !is_key;
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        match choose_style(s, is_key, self.flavor) {
            Style::Plain => {
                let mut spaces = false;
                for i in 0..n {
                    let c = chars[i];
                    if c == ' ' {
                        if allow_breaks
                            && !spaces
                            && self.fold_here()
                            && !(i + 1 < n && chars[i + 1] == ' ')
                        {
                            self.push('\n');
                            self.write_indent(indent);
                        } else {
                            self.push(c);
                        }
                        spaces = true;
                    } else {
                        self.push(c);
                        spaces = false;
                    }
                }
            }
            Style::Single => {
                self.push('\'');
                let mut spaces = false;
                for i in 0..n {
                    let c = chars[i];
                    if c == ' ' {
                        if allow_breaks
                            && !spaces
                            && self.fold_here()
                            && i != 0
                            && i != n - 1
                            && !(i + 1 < n && chars[i + 1] == ' ')
                        {
                            self.push('\n');
                            self.write_indent(indent);
                        } else {
                            self.push(c);
                        }
                        spaces = true;
                    } else {
                        if c == '\'' {
                            self.push('\'');
                        }
                        self.push(c);
                        spaces = false;
                    }
                }
                self.push('\'');
            }
            Style::Double => {
                self.push('"');
                let mut spaces = false;
                // go-yaml's `is_bom` looks at the start of the string, not at the current
                // character: after a leading BOM every character is escaped.
                let all = chars.first() == Some(&'\u{FEFF}');
                for i in 0..n {
                    let c = chars[i];
                    if all
                        || !is_printable(c)
                        || c == '\u{FEFF}'
                        || is_break(c)
                        || c == '"'
                        || c == '\\'
                    {
                        self.push('\\');
                        match c {
                            '\0' => self.push('0'),
                            '\u{7}' => self.push('a'),
                            '\u{8}' => self.push('b'),
                            '\t' => self.push('t'),
                            '\n' => self.push('n'),
                            '\u{b}' => self.push('v'),
                            '\u{c}' => self.push('f'),
                            '\r' => self.push('r'),
                            '\u{1b}' => self.push('e'),
                            '"' => self.push('"'),
                            '\\' => self.push('\\'),
                            '\u{85}' => self.push('N'),
                            '\u{A0}' => self.push('_'),
                            '\u{2028}' => self.push('L'),
                            '\u{2029}' => self.push('P'),
                            c => {
                                let u = c as u32;
                                let s = if u <= 0xFF {
                                    format!("x{u:02X}")
                                } else if u <= 0xFFFF {
                                    format!("u{u:04X}")
                                } else {
                                    format!("U{u:08X}")
                                };
                                self.push_str(&s);
                            }
                        }
                        spaces = false;
                    } else if c == ' ' {
                        if allow_breaks && !spaces && self.fold_here() && i != 0 && i != n - 1 {
                            self.push('\n');
                            self.write_indent(indent);
                            if i + 1 < n && chars[i + 1] == ' ' {
                                self.push('\\');
                            }
                        } else {
                            self.push(c);
                        }
                        spaces = true;
                    } else {
                        self.push(c);
                        spaces = false;
                    }
                }
                self.push('"');
            }
            Style::Literal => {
                self.push('|');
                if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
                    self.push('2');
                }
                let chomp = match chars.last() {
                    None => Some('-'),
                    Some(&c) if !is_break(c) => Some('-'),
                    Some(_) if n == 1 => Some('+'),
                    Some(_) if is_break(chars[n - 2]) => Some('+'),
                    Some(_) => None,
                };
                if let Some(c) = chomp {
                    self.push(c);
                }
                self.push('\n');
                let mut breaks = true;
                for &c in &chars {
                    if is_break(c) {
                        self.push('\n');
                        breaks = true;
                    } else {
                        if breaks {
                            while self.column < indent {
                                self.push(' ');
                            }
                            breaks = false;
                        }
                        self.push(c);
                    }
                }
            }
        }
    }

    /// A scalar after `key:` or `- ` (or at the top level).
    fn scalar_node(&mut self, node: &Node<'_>, indent: usize) {
        match node {
            Node::Null => self.push_str("null"),
            Node::Scalar(s) => self.push_str(s),
            Node::Str(s) => self.string(s, indent, false),
            Node::Owned(s) => self.string(s, indent, false),
            Node::List(_) => self.push_str("[]"),
            Node::Map(_) => self.push_str("{}"),
        }
    }

    fn is_block(node: &Node<'_>) -> bool {
        match node {
            Node::List(l) => !l.is_empty(),
            Node::Map(m) => !m.is_empty(),
            _ => false,
        }
    }

    /// A block mapping whose keys sit at `indent`; `inline_first`: the first key follows `- `.
    fn map(&mut self, entries: &[(String, Node<'_>)], indent: usize, inline_first: bool) {
        for (i, (k, v)) in entries.iter().enumerate() {
            if self.too_big() {
                return;
            }
            if !(i == 0 && inline_first) {
                self.write_indent(indent);
            }
            if k.len() > 128 || k.chars().any(is_break) {
                // Not a simple key: `? key` then `: value` on its own line.
                self.push_str("? ");
                self.string(k, indent + 2, false);
                self.write_indent(indent);
            } else {
                self.string(k, indent, true);
            }
            self.push(':');
            match v {
                Node::Map(m) if !m.is_empty() => self.map(m, indent + 2, false),
                Node::List(l) if !l.is_empty() => {
                    let seq_indent = match self.flavor {
                        Flavor::V2 => indent,
                        Flavor::V3 => indent + 2,
                    };
                    self.seq(l, seq_indent, false)
                }
                _ => {
                    self.push(' ');
                    self.scalar_node(v, indent + 2);
                }
            }
        }
    }

    /// A block sequence whose dashes sit at `indent`.
    fn seq(&mut self, items: &[Node<'_>], indent: usize, inline_first: bool) {
        for (i, v) in items.iter().enumerate() {
            if self.too_big() {
                return;
            }
            if !(i == 0 && inline_first) {
                self.write_indent(indent);
            }
            self.push('-');
            self.push(' ');
            match v {
                Node::Map(m) if Self::is_block(v) => self.map(m, indent + 2, true),
                Node::List(l) if Self::is_block(v) => self.seq(l, indent + 2, true),
                _ => self.scalar_node(v, indent + 2),
            }
        }
    }
}

fn encode(v: &Value, flavor: Flavor) -> std::result::Result<String, String> {
    let node = to_node(v, flavor, 0)?;
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        best_width: match flavor {
            Flavor::V2 => Some(80),
            Flavor::V3 => None,
        },
        flavor,
    };
    match &node {
        Node::Map(m) if !m.is_empty() => e.map(m, 0, false),
        Node::List(l) if !l.is_empty() => e.seq(l, 0, false),
        other => e.scalar_node(other, 2),
    }
    if e.too_big() {
        return Err(format!("yaml: output exceeds {MAX_OUTPUT} bytes"));
    }
    // go-yaml ends the document with a newline (unless a block scalar already did), which Helm
    // trims.
    if e.out.ends_with('\n') {
        e.out.pop();
    }
    Ok(e.out)
}

/// The origin of the argument (toYaml keeps the origin of what it rendered).
fn string_out(s: String, args: &[Value]) -> Result {
    Ok(Value::str(s).with_origin(args.last().and_then(|v| v.origin)))
}

pub fn to_yaml(args: &[Value]) -> Result {
    arity("toYaml", args, 1)?;
    string_out(encode(&args[0], Flavor::V2).unwrap_or_default(), args)
}

pub fn must_to_yaml(args: &[Value]) -> Result {
    arity("mustToYaml", args, 1)?;
    let s = encode(&args[0], Flavor::V2).map_err(|e| call_err("mustToYaml", &e))?;
    string_out(s, args)
}

pub fn to_yaml_pretty(args: &[Value]) -> Result {
    arity("toYamlPretty", args, 1)?;
    string_out(encode(&args[0], Flavor::V3).unwrap_or_default(), args)
}

/// Parses one YAML document into a JSON-like value, with YAML 1.1 scalars as Helm's parser
/// reads them (`yes`/`on` booleans, `010` octal, boolean words as keys become "true"/"false").
fn parse_yaml(s: &str) -> std::result::Result<serde_json::Value, String> {
    if s.trim().is_empty() {
        return Ok(serde_json::Value::Null);
    }
    let options = serde_saphyr::options! {
        legacy_octal_numbers: true,
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::LastWins,
    };
    let docs: Vec<serde_json::Value> = serde_saphyr::from_str_multiple_with_options(s, options)
        .map_err(|e| yaml_error(&e.to_string()))?;
    // Helm reads the first document only.
    let first = docs.into_iter().next().unwrap_or(serde_json::Value::Null);
    Ok(yaml11_keys(first, 0))
}

/// Helm's wording around the first line of serde-saphyr's report ("error: line 1 column 4:
/// unclosed bracket '['").
fn yaml_error(text: &str) -> String {
    let first = text
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ");
    if let Some(rest) = first.split("non-finite float `").nth(1) {
        // Helm's YAML→JSON step fails on the float instead.
        let token = rest.split('`').next().unwrap_or("").to_ascii_lowercase();
        let shown = if token.contains("nan") {
            "NaN"
        } else if token.starts_with('-') {
            "-Inf"
        } else {
            "+Inf"
        };
        return format!("error converting YAML to JSON: json: unsupported value: {shown}");
    }
    let msg = match first.split_once(": ") {
        Some((pos, rest)) if pos.starts_with("line ") => {
            let line = pos.split_whitespace().nth(1).unwrap_or("1");
            format!("line {line}: {rest}")
        }
        _ => first.to_string(),
    };
    format!("error converting YAML to JSON: yaml: {msg}")
}

/// Map keys that YAML 1.1 reads as booleans become "true"/"false" (Helm's YAML→JSON step).
fn yaml11_keys(v: serde_json::Value, depth: usize) -> serde_json::Value {
    if depth > 1000 {
        return v;
    }
    match v {
        serde_json::Value::Object(o) => serde_json::Value::Object(
            o.into_iter()
                .map(|(k, x)| {
                    let key = match k.as_str() {
                        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "True"
                        | "TRUE" => "true".to_string(),
                        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "False"
                        | "FALSE" => "false".to_string(),
                        _ => k,
                    };
                    (key, yaml11_keys(x, depth + 1))
                })
                .collect(),
        ),
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(|x| yaml11_keys(x, depth + 1)).collect())
        }
        other => other,
    }
}

fn error_map(msg: String) -> Value {
    let mut m = BTreeMap::new();
    m.insert("Error".to_string(), Value::str(msg));
    Value::map(m)
}

/// Helm's `fromYaml`: a map; on error a map with the message under `Error`.
pub fn from_yaml(args: &[Value]) -> Result {
    arity("fromYaml", args, 1)?;
    let s = arg_str(args, 0)?;
    Ok(match parse_yaml(s) {
        Ok(v @ serde_json::Value::Object(_)) => from_serde(&v, 0),
        Ok(serde_json::Value::Null) => Value::map(BTreeMap::new()),
        Ok(other) => error_map(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_type(&other)
        )),
        Err(e) => error_map(e),
    })
}

/// Helm's `fromYamlArray`: a list; on error a list holding the message.
pub fn from_yaml_array(args: &[Value]) -> Result {
    arity("fromYamlArray", args, 1)?;
    let s = arg_str(args, 0)?;
    Ok(match parse_yaml(s) {
        Ok(v @ serde_json::Value::Array(_)) => from_serde(&v, 0),
        Ok(serde_json::Value::Null) => Value::list(Vec::new()),
        Ok(other) => Value::list(vec![Value::str(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_type(&other)
        ))]),
        Err(e) => Value::list(vec![Value::str(e)]),
    })
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

// ---------------------------------------------------------------------------------------------
// TOML (BurntSushi/toml's encoder layout).

fn toml_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn toml_key(out: &mut String, k: &str) {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        out.push_str(k);
    } else {
        toml_string(out, k);
    }
}

fn is_table(v: &Value) -> bool {
    matches!(v.kind, Kind::Map(_))
}

fn is_table_array(v: &Value) -> bool {
    match &v.kind {
        Kind::List(l) => !l.is_empty() && l.iter().all(is_table),
        _ => false,
    }
}

fn toml_value(out: &mut String, v: &Value, depth: usize) -> std::result::Result<(), String> {
    if depth > 200 {
        return Err("toml: nesting too deep".to_string());
    }
    match &v.kind {
        Kind::Nil => {}
        Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Kind::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Kind::Float(f) => {
            if f.is_nan() {
                out.push_str("nan");
            } else if f.is_infinite() {
                out.push_str(if *f > 0.0 { "inf" } else { "-inf" });
            } else {
                let s = format_float(*f, 'g', None);
                out.push_str(&s);
                if !s.contains(['.', 'e', 'E']) {
                    out.push_str(".0");
                }
            }
        }
        Kind::Str(s) => toml_string(out, s),
        Kind::List(l) => {
            out.push('[');
            let mut first = true;
            for x in l.iter() {
                if x.is_nil() {
                    continue;
                }
                if !first {
                    out.push_str(", ");
                }
                first = false;
                toml_value(out, x, depth + 1)?;
            }
            out.push(']');
        }
        Kind::Map(m) => {
            out.push('{');
            let mut first = true;
            for (k, x) in m.iter() {
                if x.is_nil() {
                    continue;
                }
                if !first {
                    out.push_str(", ");
                }
                first = false;
                toml_key(out, k);
                out.push_str(" = ");
                toml_value(out, x, depth + 1)?;
            }
            out.push('}');
        }
        Kind::Native(n) => toml_string(out, &n.display()),
    }
    Ok(())
}

fn toml_path(path: &[&str]) -> String {
    let mut s = String::new();
    for (i, p) in path.iter().enumerate() {
        if i > 0 {
            s.push('.');
        }
        toml_key(&mut s, p);
    }
    s
}

fn toml_newline(out: &mut String) {
    if !out.is_empty() {
        out.push('\n');
    }
}

fn toml_table(
    out: &mut String,
    path: &mut Vec<String>,
    m: &BTreeMap<String, Value>,
    depth: usize,
) -> std::result::Result<(), String> {
    if depth > 200 {
        return Err("toml: nesting too deep".to_string());
    }
    let indent = "  ".repeat(path.len());
    for (k, v) in m {
        if v.is_nil() || is_table(v) || is_table_array(v) {
            continue;
        }
        out.push_str(&indent);
        toml_key(out, k);
        out.push_str(" = ");
        toml_value(out, v, depth + 1)?;
        out.push('\n');
    }
    for (k, v) in m {
        path.push(k.clone());
        let header = {
            let refs: Vec<&str> = path.iter().map(String::as_str).collect();
            toml_path(&refs)
        };
        let header_indent = "  ".repeat(path.len() - 1);
        if let Kind::Map(sub) = &v.kind {
            if path.len() == 1 {
                toml_newline(out);
            }
            let _ = writeln!(out, "{header_indent}[{header}]");
            toml_table(out, path, sub, depth + 1)?;
        } else if is_table_array(v)
            && let Kind::List(items) = &v.kind
        {
            for item in items.iter() {
                if let Kind::Map(sub) = &item.kind {
                    toml_newline(out);
                    let _ = writeln!(out, "{header_indent}[[{header}]]");
                    toml_table(out, path, sub, depth + 1)?;
                }
            }
        }
        path.pop();
        if out.len() > MAX_OUTPUT {
            return Err(format!("toml: output exceeds {MAX_OUTPUT} bytes"));
        }
    }
    Ok(())
}

fn toml_text(v: &Value) -> std::result::Result<String, String> {
    let mut out = String::new();
    match &v.kind {
        Kind::Map(m) => toml_table(&mut out, &mut Vec::new(), m, 0).map(|_| out),
        Kind::Nil => Err("toml: cannot encode a nil value".to_string()),
        _ => Err("toml: top-level values must be Go maps or structs".to_string()),
    }
}

/// Helm's `toToml`: the TOML text, or the encoder's error message as the result.
pub fn to_toml(args: &[Value]) -> Result {
    arity("toToml", args, 1)?;
    string_out(toml_text(&args[0]).unwrap_or_else(|e| e), args)
}

pub fn must_to_toml(args: &[Value]) -> Result {
    arity("mustToToml", args, 1)?;
    let s = toml_text(&args[0]).map_err(|e| call_err("mustToToml", &e))?;
    string_out(s, args)
}

fn from_toml_value(v: &toml::Value, depth: usize) -> Value {
    if depth > 1000 {
        return Value::NIL;
    }
    match v {
        toml::Value::String(s) => Value::str(s.as_str()),
        toml::Value::Integer(i) => Value::int(*i),
        toml::Value::Float(f) => Value::float(*f),
        toml::Value::Boolean(b) => Value::bool(*b),
        toml::Value::Datetime(d) => super::nondet::time_from_rfc3339(&d.to_string())
            .unwrap_or_else(|| Value::str(d.to_string())),
        toml::Value::Array(a) => {
            Value::list(a.iter().map(|x| from_toml_value(x, depth + 1)).collect())
        }
        toml::Value::Table(t) => Value::map(
            t.iter()
                .map(|(k, x)| (k.clone(), from_toml_value(x, depth + 1)))
                .collect(),
        ),
    }
}

/// Helm's `fromToml`: a map (integers stay integers, dates become times); on error a map with
/// the message under `Error` (the `toml` crate's wording, not BurntSushi's).
pub fn from_toml(args: &[Value]) -> Result {
    arity("fromToml", args, 1)?;
    let s = arg_str(args, 0)?;
    Ok(match s.parse::<toml::Table>() {
        Ok(t) => from_toml_value(&toml::Value::Table(t), 0),
        Err(e) => {
            let msg = e.to_string();
            let first = msg.lines().next().unwrap_or("").trim();
            error_map(format!("toml: {first}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// go-yaml's output: what toYaml returns plus the newline Helm trims.
    fn y(v: Value) -> String {
        format!("{}\n", to_yaml(&[v]).unwrap().as_str().unwrap_or(""))
    }
    fn s(x: &str) -> Value {
        Value::str(x)
    }
    fn d(pairs: &[(&str, Value)]) -> Value {
        Value::map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn yaml_scalars() {
        assert_eq!(y(s("a\nb")), "|-\n  a\n  b\n");
        assert_eq!(y(s("")), "\"\"\n");
        assert_eq!(y(Value::NIL), "null\n");
        assert_eq!(y(Value::list(vec![])), "[]\n");
        assert_eq!(y(s("x: y")), "'x: y'\n");
        assert_eq!(y(s("a\n")), "|\n  a\n");
        assert_eq!(y(s(" a\nb")), "|2-\n   a\n  b\n");
        assert_eq!(y(s("a \nb")), "\"a \\nb\"\n");
        assert_eq!(y(s("t\tx")), "\"t\\tx\"\n");
        for q in [
            "true",
            "1",
            "1.0",
            "null",
            "~",
            "yes",
            "on",
            "0x1F",
            "1e3",
            "1:20",
            "2001-12-14",
            "-1",
            ".5",
        ] {
            assert_eq!(y(s(q)), format!("\"{q}\"\n"), "{q}");
        }
        for p in [
            "abc", "a b", "1.2.3", "v1", "-a", "a-b", "http://x", "1 2", "08x",
        ] {
            assert_eq!(y(s(p)), format!("{p}\n"), "{p}");
        }
        assert_eq!(y(s("- a")), "'- a'\n");
        assert_eq!(y(s("*x")), "'*x'\n");
        assert_eq!(y(s("it's")), "it's\n");
        assert_eq!(y(s("'q")), "'''q'\n");
    }

    #[test]
    fn yaml_structure() {
        let v = d(&[
            ("a", Value::float(3.0)),
            ("b", Value::float(1e21)),
            ("c", Value::float(0.000001)),
            ("d", Value::NIL),
            ("e", Value::list(vec![])),
            ("f", d(&[])),
            ("g", Value::float(12345678.0)),
            ("h", Value::float(1e20)),
            ("i", Value::float(1e19)),
        ]);
        assert_eq!(
            y(v.clone()),
            "a: 3\nb: 1e+21\nc: 1e-06\nd: null\ne: []\nf: {}\ng: 12345678\nh: 1e+20\ni: 10000000000000000000\n"
        );
        let n = d(&[(
            "n",
            Value::list(vec![
                Value::list(vec![Value::int(1), Value::int(2)]),
                d(&[("a", Value::int(1)), ("b", Value::int(2))]),
            ]),
        )]);
        assert_eq!(y(n.clone()), "\"n\":\n- - 1\n  - 2\n- a: 1\n  b: 2\n");
        assert_eq!(
            to_yaml_pretty(&[n]).unwrap().as_str(),
            Some("\"n\":\n  - - 1\n    - 2\n  - a: 1\n    b: 2")
        );
        let long = d(&[(
            "k",
            s(
                "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss tttt",
            ),
        )]);
        assert_eq!(
            y(long),
            "k: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp\n  qqqq rrrr ssss tttt\n"
        );
        let nested = d(&[("x", d(&[("yy", d(&[("z", s("multi\nline"))]))]))]);
        assert_eq!(y(nested), "x:\n  yy:\n    z: |-\n      multi\n      line\n");
    }

    #[test]
    fn key_order_is_natural() {
        // The order go-yaml v2 gives (checked with Helm's toYaml).
        let want = vec![
            "_x", "~a", "1", "9", "10", "A", "a_b", "a~", "a1", "a01", "a2", "a10", "ab", "b", "é",
        ];
        let mut keys = want.clone();
        keys.reverse();
        keys.sort_by(|a, b| key_order(a, b));
        assert_eq!(keys, want);
    }

    #[test]
    fn toml() {
        let v = d(&[
            ("x", Value::int(1)),
            ("s", s("a\"b")),
            (
                "a",
                d(&[
                    ("y", Value::float(2.5)),
                    (
                        "b",
                        d(&[("z", Value::list(vec![Value::int(1), Value::int(2)]))]),
                    ),
                ]),
            ),
            ("l", Value::list(vec![d(&[("q", Value::int(1))])])),
        ]);
        assert_eq!(
            to_toml(&[v]).unwrap().as_str(),
            Some(
                "s = \"a\\\"b\"\nx = 1\n\n[a]\n  y = 2.5\n  [a.b]\n    z = [1, 2]\n\n[[l]]\n  q = 1\n"
            )
        );
        let f = d(&[
            ("a", Value::float(3.0)),
            ("b", Value::float(1e21)),
            ("c", Value::float(0.000001)),
            ("d", Value::NIL),
            ("e", Value::list(vec![])),
            (
                "f",
                Value::list(vec![d(&[("x", Value::int(1))]), Value::int(2)]),
            ),
            ("g h", s("t\tx")),
            ("i", Value::bool(true)),
        ]);
        assert_eq!(
            to_toml(&[f]).unwrap().as_str(),
            Some(
                "a = 3.0\nb = 1e+21\nc = 1e-06\ne = []\nf = [{x = 1}, 2]\n\"g h\" = \"t\\tx\"\ni = true\n"
            )
        );
    }

    #[test]
    fn from_yaml_maps_and_errors() {
        let v = from_yaml(&[s("a: 1\nb: [x, true]\n")]).unwrap();
        assert_eq!(super::super::gofmt::display(&v), "map[a:1 b:[x true]]");
        let e = from_yaml(&[s("- 1")]).unwrap();
        assert!(e.get("Error").is_some());
        let l = from_yaml_array(&[s("- 1\n- b")]).unwrap();
        assert_eq!(super::super::gofmt::display(&l), "[1 b]");
    }
}
