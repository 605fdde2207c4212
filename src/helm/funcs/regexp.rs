//! Sprig's regular expressions, on the `regex` crate. Both implement RE2 syntax with the same
//! replacement templates (`$1`, `${name}`, `$name` taking the longest word). Known differences:
//! Go's `\d`, `\w`, `\s`, `\b` are ASCII-only while the crate's are Unicode-aware (`\d` also
//! matches other scripts' digits, `\s` also `\v` and Unicode spaces); the crate rejects a few
//! patterns Go accepts (look-around is rejected by both) and its error messages differ after the
//! shared `error parsing regexp: ` prefix.
//!
//! Compiled patterns are cached per thread (charts call the same pattern on every item of a list).

use std::cell::RefCell;
use std::collections::HashMap;

use super::super::value::Value;
use super::{MAX_ITEMS, Result, arg_int, arg_str, arity, call_err};
use regex::Regex;

thread_local! {
    static CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

/// Patterns longer than this are refused (a guard on compile time and memory).
const MAX_PATTERN: usize = 64 * 1024;

/// Compiles with Go's wording for errors: `regexp.MustCompile`'s panic for the plain variants
/// (`regexp: Compile(`…`): error parsing regexp: …`), `regexp.Compile`'s error for the `must`
/// ones.
fn compile(name: &str, pattern: &str) -> std::result::Result<Regex, String> {
    if let Some(r) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(r);
    }
    if pattern.len() > MAX_PATTERN {
        return Err(call_err(name, "error parsing regexp: expression too large"));
    }
    let r = regex::RegexBuilder::new(pattern)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| {
            let msg = match e {
                regex::Error::Syntax(s) => {
                    // The crate's message spans several lines; keep the last, the description.
                    s.lines()
                        .rev()
                        .find(|l| l.starts_with("error:"))
                        .map(|l| l.trim_start_matches("error:").trim().to_string())
                        .unwrap_or(s)
                }
                other => other.to_string(),
            };
            let msg = go_regex_message(&msg);
            let prefix = if name.starts_with("must") {
                String::new()
            } else {
                format!("regexp: Compile(`{pattern}`): ")
            };
            call_err(
                name,
                &format!("{prefix}error parsing regexp: {msg}: `{pattern}`"),
            )
        })?;
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 256 {
            c.clear();
        }
        c.insert(pattern.to_string(), r.clone());
    });
    Ok(r)
}

/// Go's wording for the commonest syntax errors.
fn go_regex_message(msg: &str) -> String {
    match msg {
        "unclosed group" => "missing closing )".to_string(),
        "unopened group" => "unexpected )".to_string(),
        "unclosed character class" => "missing closing ]".to_string(),
        "repetition operator missing expression" => {
            "missing argument to repetition operator".to_string()
        }
        other => other.to_string(),
    }
}

/// Go's match iteration: an empty match right after the previous match is skipped.
fn find_all(re: &Regex, s: &str, n: i64) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut prev_end: Option<usize> = None;
    for m in re.find_iter(s) {
        if n >= 0 && out.len() as i64 >= n {
            break;
        }
        if m.start() == m.end() && prev_end == Some(m.start()) {
            continue;
        }
        out.push((m.start(), m.end()));
        prev_end = Some(m.end());
        if out.len() >= MAX_ITEMS {
            break;
        }
    }
    out
}

fn regex_match_impl(name: &str, args: &[Value]) -> Result {
    arity(name, args, 2)?;
    let re = compile(name, arg_str(args, 0)?)?;
    Ok(Value::bool(re.is_match(arg_str(args, 1)?)))
}

/// `regexMatch`: an invalid pattern does not match (Sprig ignores the error).
pub fn regex_match(args: &[Value]) -> Result {
    arity("regexMatch", args, 2)?;
    let pattern = arg_str(args, 0)?;
    let s = arg_str(args, 1)?;
    Ok(Value::bool(
        compile("regexMatch", pattern).is_ok_and(|re| re.is_match(s)),
    ))
}
pub fn must_regex_match(args: &[Value]) -> Result {
    regex_match_impl("mustRegexMatch", args)
}

fn find_all_impl(name: &str, args: &[Value]) -> Result {
    arity(name, args, 3)?;
    let re = compile(name, arg_str(args, 0)?)?;
    let s = arg_str(args, 1)?;
    let n = arg_int(args, 2)?;
    let origin = args[1].origin;
    Ok(Value::list(
        find_all(&re, s, n)
            .into_iter()
            .map(|(a, b)| Value::str(&s[a..b]).with_origin(origin))
            .collect(),
    ))
}

pub fn regex_find_all(args: &[Value]) -> Result {
    find_all_impl("regexFindAll", args)
}
pub fn must_regex_find_all(args: &[Value]) -> Result {
    find_all_impl("mustRegexFindAll", args)
}

fn find_impl(name: &str, args: &[Value]) -> Result {
    arity(name, args, 2)?;
    let re = compile(name, arg_str(args, 0)?)?;
    let s = arg_str(args, 1)?;
    let found = re.find(s).map(|m| m.as_str()).unwrap_or("");
    Ok(Value::str(found).with_origin(args[1].origin))
}

pub fn regex_find(args: &[Value]) -> Result {
    find_impl("regexFind", args)
}
pub fn must_regex_find(args: &[Value]) -> Result {
    find_impl("mustRegexFind", args)
}

fn replace_impl(name: &str, args: &[Value], literal: bool) -> Result {
    arity(name, args, 3)?;
    let re = compile(name, arg_str(args, 0)?)?;
    let s = arg_str(args, 1)?;
    let repl = arg_str(args, 2)?;
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (a, b) in find_all(&re, s, -1) {
        out.push_str(&s[last..a]);
        if literal {
            out.push_str(repl);
        } else if let Some(caps) = re.captures_at(s, a) {
            caps.expand(repl, &mut out);
        }
        last = b;
        if out.len() > super::MAX_OUTPUT {
            return Err(call_err(name, "output too large"));
        }
    }
    out.push_str(&s[last..]);
    Ok(Value::str(out).with_origin(args[1].origin))
}

pub fn regex_replace_all(args: &[Value]) -> Result {
    replace_impl("regexReplaceAll", args, false)
}
pub fn must_regex_replace_all(args: &[Value]) -> Result {
    replace_impl("mustRegexReplaceAll", args, false)
}
pub fn regex_replace_all_literal(args: &[Value]) -> Result {
    replace_impl("regexReplaceAllLiteral", args, true)
}
pub fn must_regex_replace_all_literal(args: &[Value]) -> Result {
    replace_impl("mustRegexReplaceAllLiteral", args, true)
}

/// Go's `Regexp.Split(s, n)`.
fn split_impl(name: &str, args: &[Value]) -> Result {
    arity(name, args, 3)?;
    let pattern = arg_str(args, 0)?;
    let re = compile(name, pattern)?;
    let s = arg_str(args, 1)?;
    let n = arg_int(args, 2)?;
    let origin = args[1].origin;
    if n == 0 {
        return Ok(Value::NIL);
    }
    if !pattern.is_empty() && s.is_empty() {
        return Ok(Value::list(vec![Value::str("").with_origin(origin)]));
    }
    let mut parts: Vec<&str> = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for (a, b) in find_all(&re, s, n) {
        if n > 0 && parts.len() as i64 == n - 1 {
            break;
        }
        end = a;
        if b != 0 {
            parts.push(&s[beg..end]);
        }
        beg = b;
    }
    if end != s.len() {
        parts.push(&s[beg..]);
    }
    Ok(Value::list(
        parts
            .into_iter()
            .map(|p| Value::str(p).with_origin(origin))
            .collect(),
    ))
}

pub fn regex_split(args: &[Value]) -> Result {
    split_impl("regexSplit", args)
}
pub fn must_regex_split(args: &[Value]) -> Result {
    split_impl("mustRegexSplit", args)
}

/// Go's `regexp.QuoteMeta`: backslashes before `\.+*?()|[]{}^$`.
pub fn regex_quote_meta(args: &[Value]) -> Result {
    arity("regexQuoteMeta", args, 1)?;
    let s = arg_str(args, 0)?;
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(Value::str(out).with_origin(args[0].origin))
}

#[cfg(test)]
mod tests {
    use super::super::gofmt::display;
    use super::*;

    fn call(f: super::super::Func, args: &[Value]) -> String {
        match f(args) {
            Ok(v) => display(&v),
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
    fn regexes() {
        assert_eq!(call(regex_match, &[s("^[a-z]+$"), s("abc")]), "true");
        assert_eq!(
            call(regex_find_all, &[s("a.?"), s("abacad"), i(-1)]),
            "[ab ac ad]"
        );
        assert_eq!(
            call(regex_find_all, &[s("a.?"), s("abacad"), i(2)]),
            "[ab ac]"
        );
        assert_eq!(
            call(regex_find_all, &[s("a*"), s("baaac"), i(-1)]),
            "[ aaa ]"
        );
        assert_eq!(call(regex_find, &[s("[0-9]+"), s("ab12cd34")]), "12");
        assert_eq!(
            call(
                regex_replace_all,
                &[s("a(x*)b"), s("-ab-axxb-"), s("${1}W")]
            ),
            "-W-xxW-"
        );
        assert_eq!(
            call(regex_replace_all, &[s("a(x*)b"), s("-ab-axxb-"), s("$1W")]),
            "---"
        );
        assert_eq!(
            call(
                regex_replace_all_literal,
                &[s("a(x*)b"), s("-ab-axxb-"), s("$1")]
            ),
            "-$1-$1-"
        );
        assert_eq!(call(regex_split, &[s("z+"), s("pizza"), i(-1)]), "[pi a]");
        assert_eq!(call(regex_split, &[s("z+"), s("pizza"), i(1)]), "[pizza]");
        assert_eq!(call(regex_split, &[s(""), s("abc"), i(-1)]), "[a b c]");
        assert_eq!(call(regex_quote_meta, &[s("1.2.3+x")]), "1\\.2\\.3\\+x");
        assert_eq!(call(regex_match, &[s("("), s("x")]), "false");
        assert_eq!(
            call(regex_find, &[s("("), s("x")]),
            "ERR error calling regexFind: regexp: Compile(`(`): error parsing regexp: missing closing ): `(`"
        );
    }
}
