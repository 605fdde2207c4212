//! The function library of the native Helm renderer: Go `text/template`'s pure built-ins, Sprig v3
//! as Helm ships it (minus `env` and `expandenv`), and Helm's own data functions.
//!
//! The engine owns the functions that need its state: `and`, `or`, `call`, `include`, `tpl`,
//! `required`, `fail`, `lookup`.
//!
//! # Calling convention
//! A [`Func`] receives its arguments already evaluated (for a pipeline the piped value is the last
//! argument) and returns a value or a complete error message, worded as Go's `text/template` would
//! print it after `executing "…" at <…>: `: errors raised by the function itself start with
//! `error calling NAME: ` (`error calling index: index out of range: 3`), while argument
//! conversion errors are bare (`wrong type for value; expected string; got int`,
//! `wrong number of args for upper: want 1 got 2`), as in Go. Functions never panic; sizes are
//! capped ([`MAX_ITEMS`], [`MAX_OUTPUT`]).
//!
//! # Provenance
//! Results derived from one principal value keep its [`Origin`]: string transforms keep the origin
//! of the string they transformed (the last argument for piped calls); `default`, `coalesce`,
//! `ternary`, `get`, `index`, `dig`, `pluck`, `first`, `last` return stored values with their own
//! origins; constructors (`dict`, `list`, …) carry none.
//!
//! # Mutation
//! In Go, `set`, `unset`, `merge`, `mergeOverwrite`, `mustMerge` and `mustMergeOverwrite` modify
//! the map passed as their first argument in place (and return it). Values here are immutable, so
//! these functions return the updated map; the engine writes the result back where the first
//! argument came from (a variable or a field path) to reproduce Go's aliasing.
//!
//! # Integers
//! Sprig arithmetic on `int64` wraps on overflow as Go does (`wrapping_*`); division or modulo by
//! zero is an error, as Go's runtime panic becomes one in `text/template`.

pub mod builtins;
pub mod gofmt;

use super::value::{Kind, Origin, Value};

/// A template function: evaluated arguments in, a value or an error message out.
pub type Func = fn(&[Value]) -> Result;

pub type Result = std::result::Result<Value, String>;

/// The largest list a function builds (`until`, `seq`, `repeat`-like expansions).
pub const MAX_ITEMS: usize = 1_000_000;
/// The largest string a function builds (10 MiB).
pub const MAX_OUTPUT: usize = 10 << 20;

/// Finds a function by its template name.
pub fn lookup(name: &str) -> Option<Func> {
    TABLE
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| TABLE[i].1)
}

/// Every function name, sorted (for diagnostics such as "function not defined" suggestions).
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(n, _)| *n)
}

/// Sorted by name (checked by a test).
static TABLE: &[(&str, Func)] = &[
    ("eq", builtins::eq),
    ("ge", builtins::ge),
    ("gt", builtins::gt),
    ("html", builtins::html),
    ("index", builtins::index),
    ("js", builtins::js),
    ("le", builtins::le),
    ("len", builtins::len),
    ("lt", builtins::lt),
    ("ne", builtins::ne),
    ("not", builtins::not),
    ("print", builtins::print),
    ("printf", builtins::printf),
    ("println", builtins::println),
    ("urlquery", builtins::urlquery),
];

// ---------------------------------------------------------------------------------------------
// Helpers shared by the families.

pub(crate) fn type_name(v: &Value) -> String {
    gofmt::type_name(v)
}

/// `error calling NAME: MSG`, the wording of `text/template` for an error a function returned.
pub(crate) fn call_err(name: &str, msg: &str) -> String {
    format!("error calling {name}: {msg}")
}

pub(crate) fn arity(name: &str, args: &[Value], n: usize) -> std::result::Result<(), String> {
    if args.len() != n {
        return Err(format!(
            "wrong number of args for {name}: want {n} got {}",
            args.len()
        ));
    }
    Ok(())
}

pub(crate) fn arity_min(name: &str, args: &[Value], n: usize) -> std::result::Result<(), String> {
    if args.len() < n {
        return Err(format!(
            "wrong number of args for {name}: want at least {n} got {}",
            args.len()
        ));
    }
    Ok(())
}

/// A `string` parameter.
pub(crate) fn arg_str(args: &[Value], i: usize) -> std::result::Result<&str, String> {
    match args.get(i).map(|v| &v.kind) {
        Some(Kind::Str(s)) => Ok(s),
        Some(Kind::Nil) | None => Err("invalid value; expected string".to_string()),
        Some(_) => Err(format!(
            "wrong type for value; expected string; got {}",
            type_name(&args[i])
        )),
    }
}

/// An `int` parameter (Go converts no other kind to `int`).
pub(crate) fn arg_int(args: &[Value], i: usize) -> std::result::Result<i64, String> {
    match args.get(i).map(|v| &v.kind) {
        Some(Kind::Int(n)) => Ok(*n),
        Some(Kind::Nil) | None => Err("invalid value; expected int".to_string()),
        Some(_) => Err(format!(
            "wrong type for value; expected int; got {}",
            type_name(&args[i])
        )),
    }
}

/// The origin of argument `i`.
pub(crate) fn origin_of(args: &[Value], i: usize) -> Option<Origin> {
    args.get(i).and_then(|v| v.origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for w in TABLE.windows(2) {
            assert!(w[0].0 < w[1].0, "{} before {}", w[0].0, w[1].0);
        }
        assert!(lookup("printf").is_some());
        assert!(lookup("nope").is_none());
        assert!(lookup("and").is_none(), "and/or are the engine's");
    }
}
