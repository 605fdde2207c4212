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
//! Results derived from one principal value keep its [`Origin`](super::value::Origin): string
//! transforms keep the origin
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
//! The value model has one integer kind. Go distinguishes `int` (template literals, `len`) from
//! `int64` (Sprig arithmetic, `--set`); here [`Kind::Int`] prints as `int` in `typeOf`, `kindOf`
//! and `%T`, and Sprig's `duration`, which ignores `int`, treats it so. Sprig arithmetic wraps on
//! overflow as Go's int64 does (`wrapping_*`); division or modulo by zero is an error, as Go's
//! runtime panic becomes one in `text/template`. A parameter of Go type `int` accepts only
//! [`Kind::Int`]: Go also accepts an integral float *literal* there (`until 3.0`), which only the
//! engine can recognise.
//!
//! # The functions (230)
//! - Go built-ins (`builtins`): `eq ne lt le gt ge not len index print printf println html js
//!   urlquery` (`slice` is Sprig's, which shadows Go's in Helm). Formatting is [`gofmt`].
//! - Strings (`strings`): `abbrev abbrevboth camelcase cat contains hasPrefix hasSuffix hello
//!   indent initials join kebabcase lower nindent nospace plural quote repeat replace snakecase
//!   sortAlpha split splitList splitn squote substr swapcase title trim trimAll trimall trimPrefix
//!   trimSuffix trunc untitle upper wrap wrapWith`, paths `base dir clean ext isAbs osBase osClean
//!   osDir osExt osIsAbs`, URLs `urlParse urlJoin`.
//! - Conversions, defaults, reflection (`conv`): `atoi int int64 float64 toDecimal toString
//!   toStrings default empty coalesce all any ternary typeOf typeIs typeIsLike kindOf kindIs
//!   deepEqual deepCopy mustDeepCopy`.
//! - Math (`math`): `add add1 sub div mod mul max biggest min addf add1f subf mulf divf maxf minf
//!   floor ceil round until untilStep seq`.
//! - Lists and dicts (`lists`): `list tuple first last rest initial append push prepend concat
//!   reverse uniq without has compact slice chunk` and their `must…` variants, `dict get set unset
//!   hasKey pluck dig keys values pick omit merge mergeOverwrite mustMerge mustMergeOverwrite`.
//! - Regular expressions (`regexp`): `regexMatch regexFind regexFindAll regexReplaceAll
//!   regexReplaceAllLiteral regexSplit` with `must…` variants, `regexQuoteMeta`.
//! - Semantic versions (`semver`): `semver semverCompare` (Masterminds v3 constraints).
//! - Encodings and JSON (`encoding`): `b64enc b64dec b32enc b32dec sha1sum sha256sum sha512sum
//!   adler32sum toJson mustToJson toPrettyJson mustToPrettyJson toRawJson mustToRawJson fromJson
//!   fromJsonArray mustFromJson`.
//! - YAML and TOML (`yaml`): `toYaml mustToYaml toYamlPretty fromYaml fromYamlArray toToml
//!   mustToToml fromToml`.
//! - Clock, randomness, keys, network (`nondet`, deterministic stand-ins described there): `now
//!   date dateInZone date_in_zone htmlDate htmlDateInZone dateModify date_modify mustDateModify
//!   must_date_modify toDate mustToDate unixEpoch ago duration durationRound randAlphaNum
//!   randAlpha randNumeric randAscii randInt randBytes shuffle uuidv4 genPrivateKey genCA
//!   genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey
//!   buildCustomCert bcrypt htpasswd derivePassword encryptAES decryptAES getHostByName`.
//!
//! `tests/helm_funcs_sdk.rs` checks 580 calls against Helm v4's Go SDK and `toYaml`,
//! `toYamlPretty`, `toJson` of every values file of the shared corpus byte for byte.

pub mod builtins;
pub mod conv;
pub mod encoding;
pub mod gofmt;
pub mod lists;
pub mod math;
pub mod nondet;
pub mod regexp;
pub mod semver;
pub mod strings;
pub mod yaml;

use super::value::{Kind, Value};

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

/// Functions that, in Go, modify the map given as their first argument and return it (`set`,
/// `unset`, `merge`, `mergeOverwrite`, `mustMerge`, `mustMergeOverwrite`). Here they return the
/// updated map and the engine stores it back where the first argument came from.
pub fn mutates_first_arg(name: &str) -> bool {
    matches!(
        name,
        "set" | "unset" | "merge" | "mergeOverwrite" | "mustMerge" | "mustMergeOverwrite"
    )
}

/// Every function name, sorted (for diagnostics such as "function not defined" suggestions).
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(n, _)| *n)
}

/// Sorted by name (checked by a test).
static TABLE: &[(&str, Func)] = &[
    ("abbrev", strings::abbrev),
    ("abbrevboth", strings::abbrevboth),
    ("add", math::add),
    ("add1", math::add1),
    ("add1f", math::add1f),
    ("addf", math::addf),
    ("adler32sum", encoding::adler32sum),
    ("ago", nondet::ago),
    ("all", conv::all),
    ("any", conv::any),
    ("append", lists::append),
    ("atoi", conv::atoi),
    ("b32dec", encoding::b32dec),
    ("b32enc", encoding::b32enc),
    ("b64dec", encoding::b64dec),
    ("b64enc", encoding::b64enc),
    ("base", strings::base),
    ("bcrypt", nondet::bcrypt),
    ("biggest", math::biggest),
    ("buildCustomCert", nondet::build_custom_cert),
    ("camelcase", strings::camelcase),
    ("cat", strings::cat),
    ("ceil", math::ceil),
    ("chunk", lists::chunk),
    ("clean", strings::clean),
    ("coalesce", conv::coalesce),
    ("compact", lists::compact),
    ("concat", lists::concat),
    ("contains", strings::contains),
    ("date", nondet::date),
    ("dateInZone", nondet::date_in_zone),
    ("dateModify", nondet::date_modify),
    ("date_in_zone", nondet::date_in_zone),
    ("date_modify", nondet::date_modify),
    ("decryptAES", nondet::decrypt_aes),
    ("deepCopy", conv::deep_copy),
    ("deepEqual", conv::deep_equal),
    ("default", conv::default),
    ("derivePassword", nondet::derive_password),
    ("dict", lists::dict),
    ("dig", lists::dig),
    ("dir", strings::dir),
    ("div", math::div),
    ("divf", math::divf),
    ("duration", nondet::duration),
    ("durationRound", nondet::duration_round),
    ("empty", conv::empty),
    ("encryptAES", nondet::encrypt_aes),
    ("eq", builtins::eq),
    ("ext", strings::ext),
    ("first", lists::first),
    ("float64", conv::float64),
    ("floor", math::floor),
    ("fromJson", encoding::from_json),
    ("fromJsonArray", encoding::from_json_array),
    ("fromToml", yaml::from_toml),
    ("fromYaml", yaml::from_yaml),
    ("fromYamlArray", yaml::from_yaml_array),
    ("ge", builtins::ge),
    ("genCA", nondet::gen_ca),
    ("genCAWithKey", nondet::gen_ca_with_key),
    ("genPrivateKey", nondet::gen_private_key),
    ("genSelfSignedCert", nondet::gen_self_signed_cert),
    (
        "genSelfSignedCertWithKey",
        nondet::gen_self_signed_cert_with_key,
    ),
    ("genSignedCert", nondet::gen_signed_cert),
    ("genSignedCertWithKey", nondet::gen_signed_cert_with_key),
    ("get", lists::get),
    ("getHostByName", nondet::get_host_by_name),
    ("gt", builtins::gt),
    ("has", lists::has),
    ("hasKey", lists::has_key),
    ("hasPrefix", strings::has_prefix),
    ("hasSuffix", strings::has_suffix),
    ("hello", strings::hello),
    ("html", builtins::html),
    ("htmlDate", nondet::html_date),
    ("htmlDateInZone", nondet::html_date_in_zone),
    ("htpasswd", nondet::htpasswd),
    ("indent", strings::indent),
    ("index", builtins::index),
    ("initial", lists::initial),
    ("initials", strings::initials),
    ("int", conv::int),
    ("int64", conv::int64),
    ("isAbs", strings::is_abs),
    ("join", strings::join),
    ("js", builtins::js),
    ("kebabcase", strings::kebabcase),
    ("keys", lists::keys),
    ("kindIs", conv::kind_is),
    ("kindOf", conv::kind_of),
    ("last", lists::last),
    ("le", builtins::le),
    ("len", builtins::len),
    ("list", lists::list),
    ("lower", strings::lower),
    ("lt", builtins::lt),
    ("max", math::max),
    ("maxf", math::maxf),
    ("merge", lists::merge),
    ("mergeOverwrite", lists::merge_overwrite),
    ("min", math::min),
    ("minf", math::minf),
    ("mod", math::modulo),
    ("mul", math::mul),
    ("mulf", math::mulf),
    ("mustAppend", lists::must_append),
    ("mustChunk", lists::must_chunk),
    ("mustCompact", lists::must_compact),
    ("mustDateModify", nondet::must_date_modify),
    ("mustDeepCopy", conv::must_deep_copy),
    ("mustFirst", lists::must_first),
    ("mustFromJson", encoding::must_from_json),
    ("mustHas", lists::must_has),
    ("mustInitial", lists::must_initial),
    ("mustLast", lists::must_last),
    ("mustMerge", lists::must_merge),
    ("mustMergeOverwrite", lists::must_merge_overwrite),
    ("mustPrepend", lists::must_prepend),
    ("mustPush", lists::must_push),
    ("mustRegexFind", regexp::must_regex_find),
    ("mustRegexFindAll", regexp::must_regex_find_all),
    ("mustRegexMatch", regexp::must_regex_match),
    ("mustRegexReplaceAll", regexp::must_regex_replace_all),
    (
        "mustRegexReplaceAllLiteral",
        regexp::must_regex_replace_all_literal,
    ),
    ("mustRegexSplit", regexp::must_regex_split),
    ("mustRest", lists::must_rest),
    ("mustReverse", lists::must_reverse),
    ("mustSlice", lists::must_slice),
    ("mustToDate", nondet::must_to_date),
    ("mustToJson", encoding::must_to_json),
    ("mustToPrettyJson", encoding::must_to_pretty_json),
    ("mustToRawJson", encoding::must_to_raw_json),
    ("mustToToml", yaml::must_to_toml),
    ("mustToYaml", yaml::must_to_yaml),
    ("mustUniq", lists::must_uniq),
    ("mustWithout", lists::must_without),
    ("must_date_modify", nondet::must_date_modify),
    ("ne", builtins::ne),
    ("nindent", strings::nindent),
    ("nospace", strings::nospace),
    ("not", builtins::not),
    ("now", nondet::now),
    ("omit", lists::omit),
    ("osBase", strings::base),
    ("osClean", strings::clean),
    ("osDir", strings::dir),
    ("osExt", strings::ext),
    ("osIsAbs", strings::is_abs),
    ("pick", lists::pick),
    ("pluck", lists::pluck),
    ("plural", strings::plural),
    ("prepend", lists::prepend),
    ("print", builtins::print),
    ("printf", builtins::printf),
    ("println", builtins::println),
    ("push", lists::push),
    ("quote", strings::quote),
    ("randAlpha", nondet::rand_alpha),
    ("randAlphaNum", nondet::rand_alpha_num),
    ("randAscii", nondet::rand_ascii),
    ("randBytes", nondet::rand_bytes),
    ("randInt", nondet::rand_int),
    ("randNumeric", nondet::rand_numeric),
    ("regexFind", regexp::regex_find),
    ("regexFindAll", regexp::regex_find_all),
    ("regexMatch", regexp::regex_match),
    ("regexQuoteMeta", regexp::regex_quote_meta),
    ("regexReplaceAll", regexp::regex_replace_all),
    ("regexReplaceAllLiteral", regexp::regex_replace_all_literal),
    ("regexSplit", regexp::regex_split),
    ("repeat", strings::repeat),
    ("replace", strings::replace),
    ("rest", lists::rest),
    ("reverse", lists::reverse),
    ("round", math::round),
    ("semver", semver::semver),
    ("semverCompare", semver::semver_compare),
    ("seq", math::seq),
    ("set", lists::set),
    ("sha1sum", encoding::sha1sum),
    ("sha256sum", encoding::sha256sum),
    ("sha512sum", encoding::sha512sum),
    ("shuffle", nondet::shuffle),
    ("slice", lists::slice),
    ("snakecase", strings::snakecase),
    ("sortAlpha", strings::sort_alpha),
    ("split", strings::split),
    ("splitList", strings::split_list),
    ("splitn", strings::splitn),
    ("squote", strings::squote),
    ("sub", math::sub),
    ("subf", math::subf),
    ("substr", strings::substr),
    ("swapcase", strings::swapcase),
    ("ternary", conv::ternary),
    ("title", strings::title),
    ("toDate", nondet::to_date),
    ("toDecimal", conv::to_decimal),
    ("toJson", encoding::to_json),
    ("toPrettyJson", encoding::to_pretty_json),
    ("toRawJson", encoding::to_raw_json),
    ("toString", conv::to_string),
    ("toStrings", conv::to_strings),
    ("toToml", yaml::to_toml),
    ("toYaml", yaml::to_yaml),
    ("toYamlPretty", yaml::to_yaml_pretty),
    ("trim", strings::trim),
    ("trimAll", strings::trim_all),
    ("trimPrefix", strings::trim_prefix),
    ("trimSuffix", strings::trim_suffix),
    ("trimall", strings::trim_all),
    ("trunc", strings::trunc),
    ("tuple", lists::list),
    ("typeIs", conv::type_is),
    ("typeIsLike", conv::type_is_like),
    ("typeOf", conv::type_of),
    ("uniq", lists::uniq),
    ("unixEpoch", nondet::unix_epoch),
    ("unset", lists::unset),
    ("until", math::until),
    ("untilStep", math::until_step),
    ("untitle", strings::untitle),
    ("upper", strings::upper),
    ("urlJoin", strings::url_join),
    ("urlParse", strings::url_parse),
    ("urlquery", builtins::urlquery),
    ("uuidv4", nondet::uuidv4),
    ("values", lists::values),
    ("without", lists::without),
    ("wrap", strings::wrap),
    ("wrapWith", strings::wrap_with),
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

    /// Derived values keep the origin of their principal argument; stored values keep their own.
    #[test]
    fn provenance_follows_the_principal_value() {
        use super::super::value::Origin;
        use crate::source::{FileId, Span};
        use std::collections::BTreeMap;
        let o = Some(Origin {
            file: FileId(7),
            span: Span { start: 3, end: 9 },
        });
        let p = Value::str("Some text\nline").with_origin(o);
        let n = Value::float(2.0).with_origin(o);
        let s = Value::str;
        let i = Value::int;
        let derived: Vec<(&str, Vec<Value>)> = vec![
            ("upper", vec![p.clone()]),
            ("lower", vec![p.clone()]),
            ("title", vec![p.clone()]),
            ("trim", vec![p.clone()]),
            ("trimSuffix", vec![s("x"), p.clone()]),
            ("quote", vec![p.clone()]),
            ("squote", vec![p.clone()]),
            ("indent", vec![i(2), p.clone()]),
            ("nindent", vec![i(2), p.clone()]),
            ("replace", vec![s("a"), s("b"), p.clone()]),
            ("trunc", vec![i(3), p.clone()]),
            ("b64enc", vec![p.clone()]),
            ("sha256sum", vec![p.clone()]),
            ("toYaml", vec![p.clone()]),
            ("toJson", vec![p.clone()]),
            ("toString", vec![n.clone()]),
            ("int", vec![n.clone()]),
            ("float64", vec![n.clone()]),
            ("printf", vec![s("%s!"), p.clone()]),
            ("print", vec![p.clone()]),
            ("regexReplaceAll", vec![s("e"), p.clone(), s("E")]),
            ("snakecase", vec![p.clone()]),
            ("join", vec![s(","), Value::list(vec![]).with_origin(o)]),
        ];
        for (name, args) in derived {
            let r = lookup(name).unwrap()(&args).unwrap();
            assert_eq!(
                r.origin, o,
                "{name} should keep the origin of its principal argument"
            );
        }
        let stored: Vec<(&str, Vec<Value>)> = vec![
            ("default", vec![s("d"), p.clone()]),
            ("coalesce", vec![Value::NIL, p.clone()]),
            ("ternary", vec![p.clone(), s("no"), Value::bool(true)]),
            ("first", vec![Value::list(vec![p.clone()])]),
            ("last", vec![Value::list(vec![s("x"), p.clone()])]),
            ("index", vec![Value::list(vec![p.clone()]), i(0)]),
            (
                "get",
                vec![
                    Value::map(BTreeMap::from([("k".to_string(), p.clone())])),
                    s("k"),
                ],
            ),
            (
                "dig",
                vec![
                    s("k"),
                    s("d"),
                    Value::map(BTreeMap::from([("k".to_string(), p.clone())])),
                ],
            ),
        ];
        for (name, args) in stored {
            let r = lookup(name).unwrap()(&args).unwrap();
            assert_eq!(
                r.origin, o,
                "{name} should return the stored value with its origin"
            );
        }
        for (name, args) in [("dict", vec![s("k"), p.clone()]), ("list", vec![p.clone()])] {
            let r = lookup(name).unwrap()(&args).unwrap();
            assert_eq!(r.origin, None, "{name} is a constructor");
        }
    }

    /// Every function, called with every combination of awkward arguments up to arity 3, returns
    /// (a value or an error) without panicking.
    #[test]
    fn no_function_panics_on_odd_arguments() {
        use std::collections::BTreeMap;
        let samples = vec![
            Value::NIL,
            Value::int(-1),
            Value::int(0),
            Value::int(3),
            Value::int(5),
            Value::int(i64::MAX),
            Value::int(i64::MIN),
            Value::float(f64::NAN),
            Value::float(-1e300),
            Value::float(2.5),
            Value::str(""),
            Value::str("é\u{85}\n x"),
            Value::str("(["),
            Value::str("abcdefghij klmnopqrstuvwxyz 0123456789"),
            Value::str("2006-01-02T15:04:05Z07:00"),
            Value::list(vec![Value::NIL, Value::int(1), Value::str("a")]),
            Value::map(BTreeMap::from([
                ("a".to_string(), Value::map(BTreeMap::new())),
                ("b".to_string(), Value::list(vec![])),
            ])),
        ];
        let mut calls = 0usize;
        for (name, f) in TABLE {
            let mut args: Vec<Value> = Vec::new();
            let run = |args: &[Value]| {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(args)));
                assert!(r.is_ok(), "{name} panicked on {args:?}");
            };
            run(&args);
            for a in &samples {
                args.push(a.clone());
                run(&args);
                for b in &samples {
                    args.push(b.clone());
                    run(&args);
                    for c in &samples {
                        args.push(c.clone());
                        run(&args);
                        args.pop();
                        calls += 1;
                    }
                    args.pop();
                }
                args.pop();
            }
        }
        assert!(calls > 100_000);
    }
}
