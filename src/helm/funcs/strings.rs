//! Sprig's string functions, its `path` functions and `urlParse`/`urlJoin`.
//!
//! Go strings are byte strings: `trunc`, `substr`, `abbrev` count bytes, as in Sprig. A cut inside
//! a multi-byte character yields U+FFFD for the broken part (Go would keep the raw bytes).

use std::collections::BTreeMap;

use super::super::value::{Kind, Value};
use super::conv::{strslice, strval};
use super::{MAX_OUTPUT, Result, arg_int, arg_str, arity, call_err, gofmt, type_name};

/// A string result with the origin of argument `i` (the principal, usually the last).
fn out(s: impl Into<std::sync::Arc<str>>, args: &[Value], i: usize) -> Result {
    Ok(Value::str(s).with_origin(args.get(i).and_then(|v| v.origin)))
}

/// A `string` parameter that is the last argument, with its index.
fn last_str<'a>(name: &str, args: &'a [Value], n: usize) -> std::result::Result<&'a str, String> {
    arity(name, args, n)?;
    arg_str(args, n - 1)
}

/// `s[a..b]` on bytes, as Go slices strings.
fn byte_slice(s: &str, a: usize, b: usize) -> String {
    let b = b.min(s.len());
    let a = a.min(b);
    String::from_utf8_lossy(&s.as_bytes()[a..b]).into_owned()
}

pub fn hello(args: &[Value]) -> Result {
    arity("hello", args, 0)?;
    Ok(Value::str("Hello!"))
}

/// Go's `strings.ToUpper`: the simple (one-rune) case mapping of each rune, so `ß` stays.
pub fn upper(args: &[Value]) -> Result {
    let s = last_str("upper", args, 1)?;
    out(s.chars().map(to_upper_one).collect::<String>(), args, 0)
}

/// Go's `strings.ToLower`: the simple case mapping of each rune (no final-sigma rule).
pub fn lower(args: &[Value]) -> Result {
    let s = last_str("lower", args, 1)?;
    out(s.chars().map(to_lower_one).collect::<String>(), args, 0)
}

/// Go's `strings.Title`: the first letter of each word upper-cased.
pub fn title(args: &[Value]) -> Result {
    let s = last_str("title", args, 1)?;
    let mut prev = ' ';
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if is_title_separator(prev) {
            o.push(to_title_one(c));
        } else {
            o.push(c);
        }
        prev = c;
    }
    out(o, args, 0)
}

fn is_title_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphabetic() || c.is_numeric() {
        return false;
    }
    c.is_whitespace()
}

/// Go's one-rune `unicode.ToUpper` (keeps the rune when the mapping is not one rune).
fn to_upper_one(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Title-case letters (Unicode category Lt): the Latin digraphs and the Greek letters with
/// prosgegrammeni.
fn is_title_case(c: char) -> bool {
    matches!(c as u32, 0x1C5 | 0x1C8 | 0x1CB | 0x1F2 | 0x1F88..=0x1F8F | 0x1F98..=0x1F9F
        | 0x1FA8..=0x1FAF | 0x1FBC | 0x1FCC | 0x1FFC)
}

/// Go's `unicode.ToTitle`: as upper case except for the Latin digraphs (`ǆ` → `ǅ`).
fn to_title_one(c: char) -> char {
    let title = match c as u32 {
        0x1C4..=0x1C6 => 0x1C5,
        0x1C7..=0x1C9 => 0x1C8,
        0x1CA..=0x1CC => 0x1CB,
        0x1F1..=0x1F3 => 0x1F2,
        _ => return to_upper_one(c),
    };
    char::from_u32(title).unwrap_or(c)
}

fn to_lower_one(c: char) -> char {
    if c == '\u{130}' {
        // İ: Unicode's simple lower-case mapping is i; the full one adds a combining dot.
        return 'i';
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// `untitle`: the first letter of each whitespace-separated word lower-cased.
pub fn untitle(args: &[Value]) -> Result {
    let s = last_str("untitle", args, 1)?;
    let mut next = true;
    let o: String = s
        .chars()
        .map(|c| {
            if c.is_whitespace() {
                next = true;
                c
            } else if next {
                next = false;
                to_lower_one(c)
            } else {
                c
            }
        })
        .collect();
    out(o, args, 0)
}

pub fn trim(args: &[Value]) -> Result {
    let s = last_str("trim", args, 1)?;
    out(s.trim(), args, 0)
}

/// `trimAll cutset s`: Go's `strings.Trim(s, cutset)`.
pub fn trim_all(args: &[Value]) -> Result {
    let s = last_str("trimAll", args, 2)?;
    let cut = arg_str(args, 0)?;
    out(s.trim_matches(|c| cut.contains(c)), args, 1)
}

pub fn trim_suffix(args: &[Value]) -> Result {
    let s = last_str("trimSuffix", args, 2)?;
    let suf = arg_str(args, 0)?;
    out(s.strip_suffix(suf).unwrap_or(s), args, 1)
}

pub fn trim_prefix(args: &[Value]) -> Result {
    let s = last_str("trimPrefix", args, 2)?;
    let pre = arg_str(args, 0)?;
    out(s.strip_prefix(pre).unwrap_or(s), args, 1)
}

/// `trunc n s`: the first n bytes, or for negative n the last -n bytes.
pub fn trunc(args: &[Value]) -> Result {
    let s = last_str("trunc", args, 2)?;
    let c = arg_int(args, 0)?;
    let len = s.len() as i64;
    let r = if c < 0 && len + c > 0 {
        byte_slice(s, (len + c) as usize, s.len())
    } else if c >= 0 && len > c {
        byte_slice(s, 0, c as usize)
    } else {
        s.to_string()
    };
    out(r, args, 1)
}

/// `substr start end s` on bytes; a negative start means 0, a negative or too large end means the
/// end of the string.
pub fn substr(args: &[Value]) -> Result {
    let s = last_str("substr", args, 3)?;
    let start = arg_int(args, 0)?;
    let end = arg_int(args, 1)?;
    let len = s.len() as i64;
    let r = if start < 0 {
        if end < 0 || end > len {
            return Err(call_err(
                "substr",
                &format!("runtime error: slice bounds out of range [:{end}] with length {len}"),
            ));
        }
        byte_slice(s, 0, end as usize)
    } else if end < 0 || end > len {
        if start > len {
            return Err(call_err(
                "substr",
                &format!("runtime error: slice bounds out of range [{start}:{len}]"),
            ));
        }
        byte_slice(s, start as usize, s.len())
    } else {
        if start > end {
            return Err(call_err(
                "substr",
                &format!("runtime error: slice bounds out of range [{start}:{end}]"),
            ));
        }
        byte_slice(s, start as usize, end as usize)
    };
    out(r, args, 2)
}

pub fn repeat(args: &[Value]) -> Result {
    let s = last_str("repeat", args, 2)?;
    let n = arg_int(args, 0)?;
    if n < 0 {
        return Err(call_err("repeat", "strings: negative Repeat count"));
    }
    if (s.len() as u128) * (n as u128) > MAX_OUTPUT as u128 {
        return Err(call_err(
            "repeat",
            &format!("output of {n} repetitions exceeds the {MAX_OUTPUT}-byte limit"),
        ));
    }
    out(s.repeat(n as usize), args, 1)
}

pub fn nospace(args: &[Value]) -> Result {
    let s = last_str("nospace", args, 1)?;
    out(
        s.chars().filter(|c| !c.is_whitespace()).collect::<String>(),
        args,
        0,
    )
}

pub fn initials(args: &[Value]) -> Result {
    let s = last_str("initials", args, 1)?;
    let mut gap = true;
    let mut o = String::new();
    for c in s.chars() {
        if c.is_whitespace() {
            gap = true;
        } else if gap {
            o.push(c);
            gap = false;
        }
    }
    out(o, args, 0)
}

pub fn swapcase(args: &[Value]) -> Result {
    let s = last_str("swapcase", args, 1)?;
    let o: String = s
        .chars()
        .map(|c| {
            if c.is_uppercase() || is_title_case(c) {
                to_lower_one(c)
            } else if c.is_lowercase() {
                to_upper_one(c)
            } else {
                c
            }
        })
        .collect();
    out(o, args, 0)
}

/// Separator characters of the case conversions: `-`, `_` and white space.
fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// `camelcase`: words separated by `-`, `_` or white space joined, each starting upper-case
/// (`http_server` → `HttpServer`). A word that starts with two upper-case letters is lower-cased
/// first (`HTTP_SERVER` → `HttpServer`), other words keep their case (`fooBAR` → `FooBAR`).
/// Leading separators stay, a run of n separators inside keeps n-1, trailing ones stay.
pub fn camelcase(args: &[Value]) -> Result {
    let s = last_str("camelcase", args, 1)?;
    let chars: Vec<char> = s.chars().collect();
    let mut o = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() && is_connector(chars[i]) {
        o.push(chars[i]);
        i += 1;
    }
    while i < chars.len() {
        let start = i;
        while i < chars.len() && !is_connector(chars[i]) {
            i += 1;
        }
        let word = &chars[start..i];
        let lower_all = word.len() > 1 && word[0].is_uppercase() && word[1].is_uppercase();
        for (k, &c) in word.iter().enumerate() {
            if k == 0 {
                o.push(to_upper_one(c));
            } else if lower_all {
                o.push(to_lower_one(c));
            } else {
                o.push(c);
            }
        }
        let run = i;
        while i < chars.len() && is_connector(chars[i]) {
            i += 1;
        }
        let keep = if i == chars.len() {
            i - run
        } else {
            (i - run).saturating_sub(1)
        };
        o.extend(&chars[run..run + keep]);
    }
    out(o, args, 0)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Number,
    Upper,
    Alpha,
    Connector,
    Punct,
    Other,
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~')
        || (!c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control())
}

/// The next word of `s[i..]` as xstrings splits camel case: its type and end index.
fn next_word(s: &[char], start: usize) -> (Word, usize) {
    let r = s[start];
    let mut i = start + 1;
    let n = s.len();
    let wt;
    if is_connector(r) {
        wt = Word::Connector;
        while i < n && is_connector(s[i]) {
            i += 1;
        }
    } else if is_punct(r) {
        wt = Word::Punct;
        while i < n && is_punct(s[i]) {
            i += 1;
        }
    } else if r.is_uppercase() {
        wt = Word::Upper;
        if i < n {
            if s[i].is_uppercase() {
                while i < n && s[i].is_uppercase() {
                    i += 1;
                }
                // "HTTPStatus" splits into "HTTP" and "Status".
                if i < n && s[i].is_alphabetic() {
                    i -= 1;
                }
            } else if s[i].is_alphabetic() {
                while i < n && s[i].is_alphabetic() && !s[i].is_uppercase() {
                    i += 1;
                }
            }
        }
    } else if r.is_alphabetic() {
        wt = Word::Alpha;
        while i < n && s[i].is_alphabetic() && !s[i].is_uppercase() {
            i += 1;
        }
    } else if r.is_numeric() {
        wt = Word::Number;
        while i < n && s[i].is_numeric() {
            i += 1;
        }
    } else {
        wt = Word::Other;
        while i < n
            && !(is_connector(s[i]) || s[i].is_alphabetic() || s[i].is_numeric() || is_punct(s[i]))
        {
            i += 1;
        }
    }
    (wt, i)
}

fn push_lower(o: &mut String, wt: Word, word: &[char], connector: char) {
    if wt != Word::Upper && wt != Word::Connector {
        o.extend(word.iter());
        return;
    }
    for &c in word {
        if is_connector(c) {
            o.push(connector);
        } else if c.is_uppercase() {
            o.push(to_lower_one(c));
        } else {
            o.push(c);
        }
    }
}

/// xstrings' camel-case splitting joined with `connector` and lower-cased (`snakecase`,
/// `kebabcase`).
fn camel_to_lower(s: &str, connector: char) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut o = String::with_capacity(s.len() + 4);
    if chars.is_empty() {
        return o;
    }
    // Each word as (type, start, end).
    let mut words = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (wt, e) = next_word(&chars, i);
        words.push((wt, i, e));
        i = e;
    }
    let w = |k: usize| words.get(k).copied();
    let mut k = 0;
    let (mut wt, mut ws, mut we) = words[0];
    let nwords = words.len();
    let has_more = |k: usize| k + 1 < nwords;
    while has_more(k) {
        if wt != Word::Connector {
            push_lower(&mut o, wt, &chars[ws..we], connector);
        }
        let prev = wt;
        let (last_s, last_e) = (ws, we);
        k += 1;
        (wt, ws, we) = w(k).unwrap_or((Word::Other, 0, 0));
        match prev {
            Word::Number => {
                while matches!(wt, Word::Alpha | Word::Number) {
                    push_lower(&mut o, wt, &chars[ws..we], connector);
                    k += 1;
                    match w(k) {
                        Some(x) => (wt, ws, we) = x,
                        None => {
                            // Nothing remains: the final push below writes nothing.
                            return o;
                        }
                    }
                }
                if wt != Word::Punct && wt != Word::Connector {
                    o.push(connector);
                }
            }
            Word::Connector => push_lower(&mut o, prev, &chars[last_s..last_e], connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        o.push(connector);
                    }
                } else if has_more(k) {
                    let (num_s, num_e) = (ws, we);
                    k += 1;
                    (wt, ws, we) = words[k];
                    if wt != Word::Alpha {
                        // "Bld4Floor": the number belongs to the previous word.
                        push_lower(&mut o, Word::Number, &chars[num_s..num_e], connector);
                        if wt != Word::Connector && wt != Word::Punct {
                            o.push(connector);
                        }
                    } else {
                        // "HTTP2xx": lower-case letters follow, the number starts the next word.
                        o.push(connector);
                        push_lower(&mut o, Word::Number, &chars[num_s..num_e], connector);
                        while matches!(wt, Word::Alpha | Word::Number) {
                            push_lower(&mut o, wt, &chars[ws..we], connector);
                            k += 1;
                            match w(k) {
                                Some(x) => (wt, ws, we) = x,
                                None => return o,
                            }
                        }
                        if wt != Word::Connector && wt != Word::Punct {
                            o.push(connector);
                        }
                    }
                }
            }
        }
    }
    push_lower(&mut o, wt, &chars[ws..we], connector);
    o
}

pub fn snakecase(args: &[Value]) -> Result {
    let s = last_str("snakecase", args, 1)?;
    out(camel_to_lower(s, '_'), args, 0)
}

pub fn kebabcase(args: &[Value]) -> Result {
    let s = last_str("kebabcase", args, 1)?;
    out(camel_to_lower(s, '-'), args, 0)
}

/// goutils' `WrapCustom`: wraps at spaces to lines of at most `width` bytes.
fn wrap_custom(s: &str, width: i64, newline: &str, wrap_long: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut offset = 0;
    let mut o: Vec<u8> = Vec::with_capacity(len + len / width.max(1) + 1);
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        let space = b[offset..end].iter().rposition(|&c| c == b' ');
        if let Some(p) = space {
            let at = offset + p;
            o.extend_from_slice(&b[offset..at]);
            o.extend_from_slice(newline.as_bytes());
            offset = at + 1;
        } else if wrap_long {
            o.extend_from_slice(&b[offset..offset + width]);
            o.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match b[end..].iter().position(|&c| c == b' ') {
                None => {
                    o.extend_from_slice(&b[offset..]);
                    offset = len;
                }
                Some(p) => {
                    let at = p + end;
                    o.extend_from_slice(&b[offset..at]);
                    o.extend_from_slice(newline.as_bytes());
                    offset = at + 1;
                }
            }
        }
        if o.len() > MAX_OUTPUT {
            break;
        }
    }
    o.extend_from_slice(&b[offset.min(len)..]);
    String::from_utf8_lossy(&o).into_owned()
}

pub fn wrap(args: &[Value]) -> Result {
    let s = last_str("wrap", args, 2)?;
    let n = arg_int(args, 0)?;
    out(wrap_custom(s, n, "\n", false), args, 1)
}

pub fn wrap_with(args: &[Value]) -> Result {
    let s = last_str("wrapWith", args, 3)?;
    let n = arg_int(args, 0)?;
    let sep = arg_str(args, 1)?;
    if sep.len() > 1024 {
        return Err(call_err("wrapWith", "separator too long"));
    }
    out(wrap_custom(s, n, sep, true), args, 2)
}

/// goutils' `AbbreviateFull` (on bytes; i128 so that extreme arguments cannot overflow).
fn abbreviate_full(s: &str, offset: i64, width: i64) -> std::result::Result<String, String> {
    if s.is_empty() {
        return Ok(String::new());
    }
    let (offset, width) = (i128::from(offset), i128::from(width));
    if width < 4 {
        return Err("stringutils illegal argument: Minimum abbreviation width is 4".to_string());
    }
    let len = s.len() as i128;
    if len <= width {
        return Ok(s.to_string());
    }
    let mut offset = offset.min(len);
    if len - offset < width - 3 {
        offset = len - (width - 3);
    }
    if offset <= 4 {
        return Ok(format!("{}...", byte_slice(s, 0, (width - 3) as usize)));
    }
    if width < 7 {
        return Err(
            "stringutils illegal argument: Minimum abbreviation width with offset is 7".to_string(),
        );
    }
    if offset + width - 3 < len {
        let rest = byte_slice(s, offset as usize, s.len());
        let inner = abbreviate_full(&rest, 0, (width - 3) as i64)?;
        return Ok(format!("...{inner}"));
    }
    Ok(format!(
        "...{}",
        byte_slice(s, (len - (width - 3)) as usize, s.len())
    ))
}

pub fn abbrev(args: &[Value]) -> Result {
    let s = last_str("abbrev", args, 2)?;
    let w = arg_int(args, 0)?;
    if w < 4 {
        return out(s, args, 1);
    }
    out(abbreviate_full(s, 0, w).unwrap_or_default(), args, 1)
}

pub fn abbrevboth(args: &[Value]) -> Result {
    let s = last_str("abbrevboth", args, 3)?;
    let left = arg_int(args, 0)?;
    let right = arg_int(args, 1)?;
    if right < 4 || (left > 0 && right < 7) {
        return out(s, args, 2);
    }
    out(abbreviate_full(s, left, right).unwrap_or_default(), args, 2)
}

pub fn contains(args: &[Value]) -> Result {
    let s = last_str("contains", args, 2)?;
    Ok(Value::bool(s.contains(arg_str(args, 0)?)))
}

pub fn has_prefix(args: &[Value]) -> Result {
    let s = last_str("hasPrefix", args, 2)?;
    Ok(Value::bool(s.starts_with(arg_str(args, 0)?)))
}

pub fn has_suffix(args: &[Value]) -> Result {
    let s = last_str("hasSuffix", args, 2)?;
    Ok(Value::bool(s.ends_with(arg_str(args, 0)?)))
}

/// `quote a b …`: each non-nil operand as a Go double-quoted string, joined by spaces.
pub fn quote(args: &[Value]) -> Result {
    let parts: Vec<String> = args
        .iter()
        .filter(|v| !v.is_nil())
        .map(|v| gofmt::go_quote(&strval(v), false))
        .collect();
    out(parts.join(" "), args, args.len().saturating_sub(1))
}

pub fn squote(args: &[Value]) -> Result {
    let parts: Vec<String> = args
        .iter()
        .filter(|v| !v.is_nil())
        .map(|v| format!("'{}'", strval(v)))
        .collect();
    out(parts.join(" "), args, args.len().saturating_sub(1))
}

/// `cat a b …`: non-nil operands printed with `%v`, separated by spaces.
pub fn cat(args: &[Value]) -> Result {
    let parts: Vec<String> = args
        .iter()
        .filter(|v| !v.is_nil())
        .map(gofmt::display)
        .collect();
    out(parts.join(" "), args, args.len().saturating_sub(1))
}

fn indent_str(n: i64, s: &str) -> std::result::Result<String, String> {
    if n < 0 {
        return Err("strings: negative Repeat count".to_string());
    }
    let lines = s.matches('\n').count() as u128 + 1;
    if (n as u128) * lines + s.len() as u128 > MAX_OUTPUT as u128 {
        return Err(format!(
            "indented output exceeds the {MAX_OUTPUT}-byte limit"
        ));
    }
    let pad = " ".repeat(n as usize);
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

pub fn indent(args: &[Value]) -> Result {
    let s = last_str("indent", args, 2)?;
    let n = arg_int(args, 0)?;
    out(
        indent_str(n, s).map_err(|e| call_err("indent", &e))?,
        args,
        1,
    )
}

pub fn nindent(args: &[Value]) -> Result {
    let s = last_str("nindent", args, 2)?;
    let n = arg_int(args, 0)?;
    let r = indent_str(n, s).map_err(|e| call_err("nindent", &e))?;
    out(format!("\n{r}"), args, 1)
}

pub fn replace(args: &[Value]) -> Result {
    let s = last_str("replace", args, 3)?;
    let old = arg_str(args, 0)?;
    let new = arg_str(args, 1)?;
    if old.is_empty() {
        // Go inserts `new` before every rune and at the end.
        let n = s.chars().count() + 1;
        if (n as u128) * (new.len() as u128) + s.len() as u128 > MAX_OUTPUT as u128 {
            return Err(call_err("replace", "output too large"));
        }
        let mut o = String::new();
        for c in s.chars() {
            o.push_str(new);
            o.push(c);
        }
        o.push_str(new);
        return out(o, args, 2);
    }
    let count = s.matches(old).count() as u128;
    if new.len() > old.len()
        && count * ((new.len() - old.len()) as u128) + s.len() as u128 > MAX_OUTPUT as u128
    {
        return Err(call_err("replace", "output too large"));
    }
    out(s.replace(old, new), args, 2)
}

pub fn plural(args: &[Value]) -> Result {
    arity("plural", args, 3)?;
    let one = arg_str(args, 0)?;
    let many = arg_str(args, 1)?;
    let n = arg_int(args, 2)?;
    Ok(Value::str(if n == 1 { one } else { many }))
}

/// `split sep s`: a map `_0`, `_1`, … of the parts.
pub fn split(args: &[Value]) -> Result {
    let s = last_str("split", args, 2)?;
    let sep = arg_str(args, 0)?;
    let parts = go_split(s, sep, None)?;
    Ok(parts_map(parts))
}

pub fn splitn(args: &[Value]) -> Result {
    let s = last_str("splitn", args, 3)?;
    let sep = arg_str(args, 0)?;
    let n = arg_int(args, 1)?;
    let parts = if n == 0 {
        Vec::new()
    } else {
        go_split(s, sep, if n < 0 { None } else { Some(n as usize) })?
    };
    Ok(parts_map(parts))
}

fn parts_map(parts: Vec<String>) -> Value {
    let mut m = BTreeMap::new();
    for (i, p) in parts.into_iter().enumerate() {
        m.insert(format!("_{i}"), Value::str(p));
    }
    Value::map(m)
}

/// Go's `strings.Split`/`SplitN`: an empty separator splits into runes.
fn go_split(s: &str, sep: &str, n: Option<usize>) -> std::result::Result<Vec<String>, String> {
    let parts: Vec<String> = if sep.is_empty() {
        let chars: Vec<char> = s.chars().collect();
        match n {
            Some(n) if n < chars.len() && n > 0 => {
                let mut v: Vec<String> = chars[..n - 1].iter().map(|c| c.to_string()).collect();
                v.push(chars[n - 1..].iter().collect());
                v
            }
            _ => chars.iter().map(|c| c.to_string()).collect(),
        }
    } else {
        match n {
            Some(n) => s.splitn(n, sep).map(str::to_string).collect(),
            None => s.split(sep).map(str::to_string).collect(),
        }
    };
    if parts.len() > super::MAX_ITEMS {
        return Err(call_err("split", "too many parts"));
    }
    Ok(parts)
}

pub fn split_list(args: &[Value]) -> Result {
    let s = last_str("splitList", args, 2)?;
    let sep = arg_str(args, 0)?;
    let origin = args[1].origin;
    Ok(Value::list(
        go_split(s, sep, None)?
            .into_iter()
            .map(|p| Value::str(p).with_origin(origin))
            .collect(),
    ))
}

/// `join sep list`: the list's non-nil items as strings joined with sep.
pub fn join(args: &[Value]) -> Result {
    arity("join", args, 2)?;
    let sep = arg_str(args, 0)?;
    out(strslice(&args[1]).join(sep), args, 1)
}

pub fn sort_alpha(args: &[Value]) -> Result {
    arity("sortAlpha", args, 1)?;
    match &args[0].kind {
        Kind::List(l) => {
            let mut items: Vec<Value> = l
                .iter()
                .filter(|v| !v.is_nil())
                .map(|v| Value::str(strval(v)).with_origin(v.origin))
                .collect();
            items.sort_by(|a, b| {
                a.as_str()
                    .unwrap_or("")
                    .as_bytes()
                    .cmp(b.as_str().unwrap_or("").as_bytes())
            });
            Ok(Value::list(items))
        }
        _ => Ok(Value::list(vec![
            Value::str(strval(&args[0])).with_origin(args[0].origin),
        ])),
    }
}

// ---------------------------------------------------------------------------------------------
// Paths (Go's `path` package; the `os*` variants use `path/filepath`, identical on Unix).

/// Go's `path.Clean`.
pub fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    if rooted {
        format!("/{body}")
    } else if body.is_empty() {
        ".".to_string()
    } else {
        body
    }
}

fn base_path(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".to_string();
    }
    match t.rfind('/') {
        Some(i) => t[i + 1..].to_string(),
        None => t.to_string(),
    }
}

fn dir_path(p: &str) -> String {
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    clean_path(dir)
}

fn ext_path(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[i..].to_string();
        }
    }
    String::new()
}

pub fn base(args: &[Value]) -> Result {
    let s = last_str("base", args, 1)?;
    out(base_path(s), args, 0)
}

pub fn dir(args: &[Value]) -> Result {
    let s = last_str("dir", args, 1)?;
    out(dir_path(s), args, 0)
}

pub fn clean(args: &[Value]) -> Result {
    let s = last_str("clean", args, 1)?;
    out(clean_path(s), args, 0)
}

pub fn ext(args: &[Value]) -> Result {
    let s = last_str("ext", args, 1)?;
    out(ext_path(s), args, 0)
}

pub fn is_abs(args: &[Value]) -> Result {
    let s = last_str("isAbs", args, 1)?;
    Ok(Value::bool(s.starts_with('/')))
}

// ---------------------------------------------------------------------------------------------
// URLs.

/// `urlParse`: the parts of a URL as Sprig returns them (`scheme host hostname path query opaque
/// fragment userinfo`).
pub fn url_parse(args: &[Value]) -> Result {
    let s = last_str("urlParse", args, 1)?;
    let mut rest = s;
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        m.insert(k.to_string(), Value::str(v));
    };
    let (r, fragment) = match rest.split_once('#') {
        Some((a, f)) => (a, f),
        None => (rest, ""),
    };
    rest = r;
    let mut scheme = "";
    if let Some(i) = rest.find(':') {
        let cand = &rest[..i];
        if !cand.is_empty()
            && cand.starts_with(|c: char| c.is_ascii_alphabetic())
            && cand
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            scheme = cand;
            rest = &rest[i + 1..];
        } else if cand.is_empty() {
            return Err(call_err(
                "urlParse",
                &format!(
                    "unable to parse url: parse {:?}: missing protocol scheme",
                    s
                ),
            ));
        }
    }
    let (r, query) = match rest.split_once('?') {
        Some((a, q)) => (a, q),
        None => (rest, ""),
    };
    rest = r;
    let mut opaque = "";
    let mut host = "";
    let mut userinfo = "";
    let mut path = rest;
    if !scheme.is_empty() && !rest.starts_with('/') {
        opaque = rest;
        path = "";
    } else if let Some(r) = rest.strip_prefix("//") {
        let (auth, p) = match r.find('/') {
            Some(i) => (&r[..i], &r[i..]),
            None => (r, ""),
        };
        path = p;
        match auth.rsplit_once('@') {
            Some((u, h)) => {
                userinfo = u;
                host = h;
            }
            None => host = auth,
        }
    }
    let hostname = if let Some(h) = host.strip_prefix('[') {
        h.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
    };
    put("scheme", &scheme.to_ascii_lowercase());
    put("host", host);
    put("hostname", hostname);
    put("path", &percent_decode(path));
    put("query", query);
    put("opaque", opaque);
    put("fragment", &percent_decode(fragment));
    put("userinfo", userinfo);
    Ok(Value::map(m))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut o = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (
                (b[i + 1] as char).to_digit(16),
                (b[i + 2] as char).to_digit(16),
            )
        {
            o.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        o.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&o).into_owned()
}

/// `urlJoin`: a URL from the parts `urlParse` returns.
pub fn url_join(args: &[Value]) -> Result {
    arity("urlJoin", args, 1)?;
    let m = match &args[0].kind {
        Kind::Map(m) => m.clone(),
        Kind::Nil => Default::default(),
        _ => {
            return Err(format!(
                "wrong type for value; expected map[string]interface {{}}; got {}",
                type_name(&args[0])
            ));
        }
    };
    let get = |k: &str| m.get(k).map(strval).unwrap_or_default();
    let mut o = String::new();
    let scheme = get("scheme");
    if !scheme.is_empty() {
        o.push_str(&scheme);
        o.push(':');
    }
    let opaque = get("opaque");
    if !opaque.is_empty() {
        o.push_str(&opaque);
    } else {
        let host = get("host");
        let user = get("userinfo");
        if !scheme.is_empty() || !host.is_empty() || !user.is_empty() {
            if !host.is_empty() || !get("path").is_empty() || !user.is_empty() {
                o.push_str("//");
            }
            if !user.is_empty() {
                o.push_str(&user);
                o.push('@');
            }
            o.push_str(&host);
        }
        let path = get("path");
        if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
            o.push('/');
        }
        o.push_str(&path);
    }
    let q = get("query");
    if !q.is_empty() {
        o.push('?');
        o.push_str(&q);
    }
    let f = get("fragment");
    if !f.is_empty() {
        o.push('#');
        o.push_str(&f);
    }
    Ok(Value::str(o))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: super::super::Func, args: &[Value]) -> String {
        match f(args) {
            Ok(v) => gofmt::display(&v),
            Err(e) => format!("ERR {e}"),
        }
    }
    fn s(x: &str) -> Value {
        Value::str(x)
    }
    fn i(x: i64) -> Value {
        Value::int(x)
    }

    #[test]
    fn basics() {
        assert_eq!(call(upper, &[s("abc")]), "ABC");
        assert_eq!(call(title, &[s("hello wORLD-x_y")]), "Hello WORLD-X_y");
        assert_eq!(call(untitle, &[s("Hello World")]), "hello world");
        assert_eq!(call(trunc, &[i(3), s("abcdef")]), "abc");
        assert_eq!(call(trunc, &[i(-2), s("abcdef")]), "ef");
        assert_eq!(call(trunc, &[i(63), s("abc")]), "abc");
        assert_eq!(call(substr, &[i(1), i(3), s("abcdef")]), "bc");
        assert_eq!(call(substr, &[i(2), i(-1), s("abcdef")]), "cdef");
        assert_eq!(call(trim_all, &[s("$"), s("$5.00$")]), "5.00");
        assert_eq!(call(trim_suffix, &[s("-"), s("a-")]), "a");
        assert_eq!(
            call(quote, &[s("a\"b"), Value::NIL, i(1)]),
            "\"a\\\"b\" \"1\""
        );
        assert_eq!(call(squote, &[s("a")]), "'a'");
        assert_eq!(call(cat, &[s("a"), i(1), Value::NIL, s("b")]), "a 1 b");
        assert_eq!(call(indent, &[i(2), s("a\nb")]), "  a\n  b");
        assert_eq!(call(nindent, &[i(2), s("a")]), "\n  a");
        assert_eq!(call(replace, &[s("a"), s("b"), s("aaa")]), "bbb");
        assert_eq!(call(nospace, &[s(" a b\tc ")]), "abc");
        assert_eq!(call(initials, &[s("first try")]), "ft");
        assert_eq!(call(swapcase, &[s("This Is")]), "tHIS iS");
        assert_eq!(call(repeat, &[i(3), s("ab")]), "ababab");
        assert!(call(repeat, &[i(1 << 40), s("ab")]).starts_with("ERR"));
        assert_eq!(
            call(upper, &[i(1)]),
            "ERR wrong type for value; expected string; got int"
        );
        assert_eq!(call(abbrev, &[i(5), s("hello world")]), "he...");
        assert_eq!(
            call(abbrevboth, &[i(5), i(10), s("1234 5678 9123")]),
            "...5678..."
        );
        assert_eq!(call(wrap, &[i(5), s("Hello World")]), "Hello\nWorld");
        assert_eq!(
            call(wrap_with, &[i(5), s("\t"), s("Hello World")]),
            "Hello\tWorld"
        );
        assert_eq!(call(plural, &[s("one"), s("many"), i(2)]), "many");
    }

    #[test]
    fn case_conversions() {
        assert_eq!(call(snakecase, &[s("FirstName")]), "first_name");
        assert_eq!(call(snakecase, &[s("HTTPServer")]), "http_server");
        assert_eq!(call(snakecase, &[s("NoHTTPS")]), "no_https");
        assert_eq!(call(snakecase, &[s("GO_PATH")]), "go_path");
        assert_eq!(call(snakecase, &[s("GO PATH")]), "go_path");
        assert_eq!(call(kebabcase, &[s("FirstName")]), "first-name");
        assert_eq!(call(camelcase, &[s("http_server")]), "HttpServer");
        assert_eq!(call(camelcase, &[s("_a")]), "_A");
    }

    #[test]
    fn splitting_and_paths() {
        assert_eq!(
            call(split, &[s("$"), s("foo$bar$baz")]),
            "map[_0:foo _1:bar _2:baz]"
        );
        assert_eq!(
            call(splitn, &[s("$"), i(2), s("foo$bar$baz")]),
            "map[_0:foo _1:bar$baz]"
        );
        assert_eq!(call(split_list, &[s(","), s("a,b")]), "[a b]");
        assert_eq!(
            call(join, &[s("-"), Value::list(vec![s("a"), i(1), Value::NIL])]),
            "a-1"
        );
        assert_eq!(
            call(sort_alpha, &[Value::list(vec![s("b"), s("a"), s("C")])]),
            "[C a b]"
        );
        assert_eq!(call(base, &[s("/a/b.txt")]), "b.txt");
        assert_eq!(call(dir, &[s("/a/b.txt")]), "/a");
        assert_eq!(call(dir, &[s("b.txt")]), ".");
        assert_eq!(call(clean, &[s("a//b/../c/.")]), "a/c");
        assert_eq!(call(clean, &[s("/../a")]), "/a");
        assert_eq!(call(ext, &[s("a/b.tar.gz")]), ".gz");
        assert_eq!(call(is_abs, &[s("/x")]), "true");
        assert_eq!(
            call(url_parse, &[s("https://u:p@host.com:80/p/x?q=1#f")]),
            "map[fragment:f host:host.com:80 hostname:host.com opaque: path:/p/x query:q=1 scheme:https userinfo:u:p]"
        );
    }
}
