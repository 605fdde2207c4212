//! Go's `fmt` package as Helm templates see it: `%v` printing of `interface{}` values, the
//! spacing rules of `Sprint`/`Sprintln`, and `Sprintf` with its verbs, flags, width, precision,
//! explicit argument indexes and its in-band error strings (`%!d(string=x)`, `%!v(MISSING)`,
//! `%!(EXTRA int=1)`).
//!
//! Type names in error strings follow the Go types a Helm render holds: `int` for [`Kind::Int`]
//! (template literals are Go `int`; Sprig results are `int64`, which the value model does not
//! distinguish), `float64`, `string`, `bool`, `[]interface {}`, `map[string]interface {}`.
//!
//! Not implemented: precision on the binary float verbs (`%.3x` of a float64 prints the shortest
//! form), and `%T`/`%#v` print Go type names and Go-syntax literals only for the basic kinds,
//! lists and maps.

use super::super::value::{Kind, Value};
use std::fmt::Write as _;

/// The Go type name of a value as `%T` and the bad-verb strings print it.
pub fn type_name(v: &Value) -> String {
    match &v.kind {
        Kind::Nil => "<nil>".to_string(),
        Kind::Bool(_) => "bool".to_string(),
        Kind::Int(_) => "int".to_string(),
        Kind::Float(_) => "float64".to_string(),
        Kind::Str(_) => "string".to_string(),
        Kind::List(_) => "[]interface {}".to_string(),
        Kind::Map(_) => "map[string]interface {}".to_string(),
        Kind::Native(n) => n.type_name().to_string(),
    }
}

/// Go's `fmt.Sprint("%v", v)` of an `interface{}` value.
pub fn display(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, 'v', &Flags::default(), 0);
    out
}

/// `fmt.Sprint`: operands printed with `%v`, a space between two operands when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a.kind, Kind::Str(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        write_value(&mut out, a, 'v', &Flags::default(), 0);
        prev_string = is_string;
    }
    out
}

/// `fmt.Sprintln`: operands printed with `%v`, always separated by a space, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_value(&mut out, a, 'v', &Flags::default(), 0);
    }
    out.push('\n');
    out
}

#[derive(Clone, Copy, Default, Debug)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
    /// `%+v`: Go moves the `+` flag aside for `v` (it only names struct fields), so `%+v` of a
    /// number prints no sign.
    plus_v: bool,
    sharp_v: bool,
}

/// Nesting bound for printing values (containers are finite, this only bounds work on cycles
/// that cannot occur with `Arc` trees; kept as a guard against deep recursion).
const MAX_DEPTH: usize = 200;

/// `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let bytes = format.as_bytes();
    let mut i = 0;
    let mut argnum = 0usize;
    let mut reordered = false;
    let mut after_index;
    while i < bytes.len() {
        // Literal text up to the next '%'.
        let start = i;
        while i < bytes.len() && bytes[i] != b'%' {
            i += 1;
        }
        out.push_str(&format[start..i]);
        if i >= bytes.len() {
            break;
        }
        i += 1; // skip '%'
        let mut f = Flags::default();
        after_index = false;
        // Flags.
        while i < bytes.len() {
            match bytes[i] {
                b'#' => f.sharp = true,
                b'0' => f.zero = !f.minus,
                b'+' => f.plus = true,
                b'-' => {
                    f.minus = true;
                    f.zero = false;
                }
                b' ' => f.space = true,
                _ => break,
            }
            i += 1;
        }
        // Argument index, then width.
        let (n, ni, ok, found) = arg_number(format, i, argnum, args.len());
        if found {
            reordered = true;
            after_index = true;
        }
        i = ni;
        argnum = n;
        let mut bad_index = !ok;
        if i < bytes.len() && bytes[i] == b'*' {
            i += 1;
            match int_from_arg(args, argnum) {
                Some(w) => {
                    argnum += 1;
                    if w < 0 {
                        f.minus = true;
                        f.zero = false;
                        f.width = Some(w.unsigned_abs() as usize);
                    } else {
                        f.width = Some(w as usize);
                    }
                    if f.width.is_some_and(|w| w > 1_000_000) {
                        out.push_str("%!(BADWIDTH)");
                        f.width = None;
                    }
                }
                None => {
                    argnum += 1;
                    out.push_str("%!(BADWIDTH)");
                }
            }
            after_index = false;
        } else {
            let (w, ni) = parse_num(format, i);
            if let Some(w) = w {
                if after_index {
                    // "%[3]2d" is bad.
                    bad_index = true;
                }
                f.width = Some(w);
            }
            i = ni;
        }
        // Precision.
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            if after_index {
                bad_index = true;
            }
            let (n, ni, ok, found) = arg_number(format, i, argnum, args.len());
            if found {
                reordered = true;
            }
            i = ni;
            argnum = n;
            if !ok {
                bad_index = true;
            }
            if i < bytes.len() && bytes[i] == b'*' {
                i += 1;
                match int_from_arg(args, argnum) {
                    Some(p) if p >= 0 => {
                        f.prec = Some(p as usize);
                    }
                    Some(_) => {
                        f.prec = None;
                    }
                    None => {
                        out.push_str("%!(BADPREC)");
                    }
                }
                argnum += 1;
                after_index = false;
            } else {
                let (p, ni) = parse_num(format, i);
                f.prec = Some(p.unwrap_or(0));
                i = ni;
            }
        }
        if !after_index {
            let (n, ni, ok, found) = arg_number(format, i, argnum, args.len());
            if found {
                reordered = true;
            }
            i = ni;
            argnum = n;
            if !ok {
                bad_index = true;
            }
        }
        if i >= bytes.len() {
            out.push_str("%!(NOVERB)");
            break;
        }
        let verb = match format[i..].chars().next() {
            Some(c) => c,
            None => break,
        };
        i += verb.len_utf8();
        if f.width.is_some_and(|w| w > 1_000_000) || f.prec.is_some_and(|p| p > 1_000_000) {
            out.push_str("%!(BADWIDTH)");
            f.width = None;
            f.prec = None;
        }
        if verb == '%' {
            out.push('%');
            continue;
        }
        if bad_index {
            let _ = write!(out, "%!{verb}(BADINDEX)");
            continue;
        }
        if argnum >= args.len() {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        }
        if verb == 'v' {
            if f.sharp {
                f.sharp = false;
                f.sharp_v = true;
            }
            if f.plus {
                f.plus = false;
                f.plus_v = true;
            }
        }
        if verb == 'w' {
            // Sprintf does not support %w.
            let _ = write!(out, "%!w(");
            let mut tmp = String::new();
            write_value(&mut tmp, &args[argnum], 'v', &Flags::default(), 0);
            let _ = write!(out, "{}={tmp})", type_name(&args[argnum]));
            argnum += 1;
            continue;
        }
        write_value(&mut out, &args[argnum], verb, &f, 0);
        argnum += 1;
    }
    if !reordered && argnum < args.len() {
        out.push_str("%!(EXTRA ");
        for (k, a) in args[argnum..].iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            if a.is_nil() {
                out.push_str("<nil>");
            } else {
                out.push_str(&type_name(a));
                out.push('=');
                write_value(&mut out, a, 'v', &Flags::default(), 0);
            }
        }
        out.push(')');
    }
    out
}

/// Parses a decimal number at `i`; returns it (if any digits) and the index after it.
fn parse_num(s: &str, mut i: usize) -> (Option<usize>, usize) {
    let b = s.as_bytes();
    let start = i;
    let mut n: usize = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        n = n.saturating_mul(10).saturating_add((b[i] - b'0') as usize);
        i += 1;
    }
    if i == start { (None, i) } else { (Some(n), i) }
}

/// Parses an explicit argument index `[n]` at `i`. Returns (argnum, new index, ok, found).
fn arg_number(s: &str, i: usize, argnum: usize, nargs: usize) -> (usize, usize, bool, bool) {
    let b = s.as_bytes();
    if i >= b.len() || b[i] != b'[' {
        return (argnum, i, true, false);
    }
    // Find the closing bracket.
    let mut j = i + 1;
    while j < b.len() && b[j] != b']' {
        j += 1;
    }
    if j >= b.len() {
        // No closing bracket: bad index, consume the rest of the opening.
        return (argnum, i + 1, false, true);
    }
    let inner = &s[i + 1..j];
    match inner.parse::<usize>() {
        Ok(n) if n >= 1 && n <= nargs => (n - 1, j + 1, true, true),
        _ => (argnum, j + 1, false, true),
    }
}

fn int_from_arg(args: &[Value], n: usize) -> Option<i64> {
    match args.get(n).map(|a| &a.kind) {
        Some(Kind::Int(i)) => Some(*i),
        _ => None,
    }
}

fn write_value(out: &mut String, v: &Value, verb: char, f: &Flags, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("...");
        return;
    }
    if verb == 'T' {
        pad(out, &type_name(v), f);
        return;
    }
    match &v.kind {
        Kind::Nil => match verb {
            'v' => pad(out, "<nil>", f),
            _ => bad_verb(out, v, verb, f),
        },
        Kind::Bool(b) => match verb {
            't' | 'v' => pad(out, if *b { "true" } else { "false" }, f),
            _ => bad_verb(out, v, verb, f),
        },
        Kind::Int(i) => fmt_int(out, v, *i, verb, f),
        Kind::Float(x) => fmt_float_verb(out, v, *x, verb, f),
        Kind::Str(s) => fmt_str(out, v, s, verb, f),
        Kind::List(items) => {
            if f.sharp_v {
                out.push_str("[]interface {}{");
                for (k, it) in items.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    write_elem(out, it, verb, f, depth + 1);
                }
                out.push('}');
                return;
            }
            out.push('[');
            for (k, it) in items.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                write_elem(out, it, verb, f, depth + 1);
            }
            out.push(']');
        }
        Kind::Map(m) => {
            if f.sharp_v {
                out.push_str("map[string]interface {}{");
                for (k, (key, val)) in m.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&go_quote(key, false));
                    out.push(':');
                    write_elem(out, val, verb, f, depth + 1);
                }
                out.push('}');
                return;
            }
            out.push_str("map[");
            for (k, (key, val)) in m.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                fmt_str(out, &Value::str(key.as_str()), key, verb, f);
                out.push(':');
                write_elem(out, val, verb, f, depth + 1);
            }
            out.push(']');
        }
        Kind::Native(n) => pad(out, &n.display(), f),
    }
}

/// `%!verb(type=value)`: the value printed with `%v` and the verb's flags, width and precision.
fn bad_verb(out: &mut String, v: &Value, verb: char, f: &Flags) {
    out.push_str("%!");
    out.push(verb);
    out.push('(');
    if v.is_nil() {
        out.push_str("<nil>");
    } else {
        out.push_str(&type_name(v));
        out.push('=');
        write_value(out, v, 'v', f, 0);
    }
    out.push(')');
}

/// An element of a list or map: a nil interface prints `<nil>` whatever the verb.
fn write_elem(out: &mut String, v: &Value, verb: char, f: &Flags, depth: usize) {
    if v.is_nil() {
        pad(out, "<nil>", f);
    } else {
        write_value(out, v, verb, f, depth);
    }
}

/// Pads `s` to the width with spaces (or zeros with the `0` flag), left or right.
fn pad(out: &mut String, s: &str, f: &Flags) {
    let Some(w) = f.width else {
        out.push_str(s);
        return;
    };
    let n = s.chars().count();
    if n >= w {
        out.push_str(s);
        return;
    }
    let fill = if f.zero && !f.minus { '0' } else { ' ' };
    if f.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', w - n));
    } else {
        out.extend(std::iter::repeat_n(fill, w - n));
        out.push_str(s);
    }
}

fn fmt_int(out: &mut String, v: &Value, i: i64, verb: char, f: &Flags) {
    match verb {
        'v' if f.sharp_v => fmt_integer(out, i, 10, false, 'd', f),
        'v' | 'd' => fmt_integer(out, i, 10, false, 'd', f),
        'b' => fmt_integer(out, i, 2, false, 'b', f),
        'o' | 'O' => fmt_integer(out, i, 8, false, verb, f),
        'x' => fmt_integer(out, i, 16, false, 'x', f),
        'X' => fmt_integer(out, i, 16, true, 'X', f),
        'c' => {
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            pad(out, c.encode_utf8(&mut [0; 4]), f);
        }
        'q' => {
            let c = u32::try_from(i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            pad(out, &quote_rune(c, f.plus), f);
        }
        'U' => {
            let mut s = if i < 0 {
                // Go formats the uint64 bit pattern.
                format!("U+{:04X}", i as u64)
            } else {
                format!("U+{:04X}", i)
            };
            if let Some(p) = f.prec {
                let digits = s.len() - 2;
                if p > digits {
                    s = format!("U+{}{}", "0".repeat(p - digits), &s[2..]);
                }
            }
            if f.sharp
                && let Some(c) = u32::try_from(i).ok().and_then(char::from_u32)
                && is_print(c)
            {
                s.push_str(" '");
                s.push(c);
                s.push('\'');
            }
            let f2 = Flags { zero: false, ..*f };
            pad(out, &s, &f2);
        }
        _ => bad_verb(out, v, verb, f),
    }
}

/// Go's `fmtInteger`: precision is a minimum number of digits, `0` pads to the width after the
/// sign, `#` adds a base prefix, `+`/space force a sign.
fn fmt_integer(out: &mut String, i: i64, base: u32, upper: bool, verb: char, f: &Flags) {
    let neg = i < 0;
    let u = i.unsigned_abs();
    let mut digits = match base {
        2 => format!("{u:b}"),
        8 => format!("{u:o}"),
        16 if upper => format!("{u:X}"),
        16 => format!("{u:x}"),
        _ => u.to_string(),
    };
    let mut prec_digits: Option<usize> = None;
    if let Some(p) = f.prec {
        if p == 0 && u == 0 {
            // Precision 0 and value 0 print nothing but padding.
            let f2 = Flags { zero: false, ..*f };
            pad(out, "", &f2);
            return;
        }
        prec_digits = Some(p);
    } else if f.zero
        && !f.minus
        && let Some(w) = f.width
    {
        let mut p = w;
        if neg || f.plus || f.space {
            p = p.saturating_sub(1);
        }
        prec_digits = Some(p);
    }
    if let Some(p) = prec_digits
        && digits.len() < p
    {
        digits = format!("{}{}", "0".repeat(p - digits.len()), digits);
    }
    let mut prefix = String::new();
    if f.sharp {
        match base {
            2 => prefix.push_str("0b"),
            8 if !digits.starts_with('0') => prefix.push('0'),
            16 => prefix.push_str(if upper { "0X" } else { "0x" }),
            _ => {}
        }
    }
    if verb == 'O' {
        prefix = "0o".to_string();
    }
    let sign = if neg {
        "-"
    } else if f.plus {
        "+"
    } else if f.space {
        " "
    } else {
        ""
    };
    let s = format!("{sign}{prefix}{digits}");
    // Zero padding was already applied as precision; pad the rest with spaces.
    let f2 = Flags { zero: false, ..*f };
    pad(out, &s, &f2);
}

fn fmt_float_verb(out: &mut String, v: &Value, x: f64, verb: char, f: &Flags) {
    let (sverb, default_prec) = match verb {
        'v' => ('g', None),
        'g' | 'G' | 'b' | 'x' | 'X' => (verb, None),
        'e' | 'E' | 'f' => (verb, Some(6)),
        'F' => ('f', Some(6)),
        _ => {
            bad_verb(out, v, verb, f);
            return;
        }
    };
    let prec = f.prec.or(default_prec);
    let mut num = format_float(x, sverb, prec);
    if f.sharp && !matches!(verb, 'v' | 'b' | 'x' | 'X') {
        num = sharp_float(&num, sverb, prec);
    }
    // Sign handling as Go's fmt.fmtFloat.
    let (sign, body) = match num.as_bytes().first() {
        Some(b'-') => ('-', num[1..].to_string()),
        Some(b'+') => ('+', num[1..].to_string()),
        _ => ('+', num.clone()),
    };
    let mut sign = sign;
    if f.space && sign == '+' && !f.plus {
        sign = ' ';
    }
    if body == "Inf" || body == "NaN" {
        let f2 = Flags { zero: false, ..*f };
        let s = if body == "NaN" && !f.space && !f.plus {
            body
        } else {
            format!("{sign}{body}")
        };
        pad(out, &s, &f2);
        return;
    }
    if f.plus || sign != '+' {
        let full = format!("{sign}{body}");
        if f.zero
            && !f.minus
            && let Some(w) = f.width
            && w > full.len()
        {
            out.push(sign);
            out.extend(std::iter::repeat_n('0', w - full.len()));
            out.push_str(&body);
            return;
        }
        pad(out, &full, f);
        return;
    }
    pad(out, &body, f);
}

/// The `#` flag on floats: always a decimal point; `%g` keeps trailing zeros.
fn sharp_float(num: &str, verb: char, prec: Option<usize>) -> String {
    let (mantissa, exp) = match num.find(['e', 'E']) {
        Some(p) => (&num[..p], &num[p..]),
        None => (num, ""),
    };
    if mantissa.contains("Inf") || mantissa.contains("NaN") {
        return num.to_string();
    }
    let mut m = mantissa.to_string();
    if !m.contains('.') {
        m.push('.');
    }
    if matches!(verb, 'g' | 'G') {
        let p = match prec {
            Some(0) => 1,
            Some(p) => p,
            None => 6,
        };
        let digits = m.chars().filter(|c| c.is_ascii_digit()).collect::<String>();
        let sig = digits.trim_start_matches('0').len();
        let sig = if sig == 0 { 1 } else { sig };
        if sig < p {
            m.extend(std::iter::repeat_n('0', p - sig));
        }
    }
    format!("{m}{exp}")
}

/// Decimal digits of a float: `d` without trailing zeros, decimal point position `dp`.
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

/// Digits from Rust's scientific formatting (`1.2345e-7`), shortest when `sig` is `None`, else
/// rounded to `sig` significant digits.
fn digits_of(x: f64, sig: Option<usize>) -> Digits {
    let x = x.abs();
    let s = match sig {
        None => format!("{x:e}"),
        Some(n) => format!("{:.*e}", n.saturating_sub(1), x),
    };
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = e.parse().unwrap_or(0);
    let mut d: Vec<u8> = m.bytes().filter(u8::is_ascii_digit).collect();
    while d.last() == Some(&b'0') {
        d.pop();
    }
    if d.is_empty() {
        return Digits { d, dp: 0 };
    }
    Digits { d, dp: exp + 1 }
}

fn fmt_e(out: &mut String, digs: &Digits, prec: usize, e: char) {
    out.push(digs.d.first().map(|&c| c as char).unwrap_or('0'));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(digs.d.get(i).map(|&c| c as char).unwrap_or('0'));
        }
    }
    out.push(e);
    let exp = if digs.d.is_empty() { 0 } else { digs.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    let _ = write!(out, "{a}");
}

fn fmt_f(out: &mut String, digs: &Digits, prec: usize) {
    if digs.dp > 0 {
        let dp = digs.dp as usize;
        for i in 0..dp {
            out.push(digs.d.get(i).map(|&c| c as char).unwrap_or('0'));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec as i64 {
            let j = digs.dp as i64 + i - 1;
            let c = if j >= 0 {
                digs.d.get(j as usize).map(|&c| c as char).unwrap_or('0')
            } else {
                '0'
            };
            out.push(c);
        }
    }
}

/// strconv's `%b` (`4503599627370496p-49`) and shortest `%x` (`0x1.8p+00`) of a finite float64.
fn binary_float(out: &mut String, x: f64, verb: char) {
    let bits = x.to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        exp = 1;
    } else {
        mant |= 1u64 << 52;
    }
    exp -= 1023;
    if verb == 'b' {
        let e = exp - 52;
        let _ = write!(out, "{mant}p{}{}", if e >= 0 { "+" } else { "-" }, e.abs());
        return;
    }
    if mant == 0 {
        exp = 0;
    }
    // Leading 1 at bit 60.
    mant <<= 8;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    let upper = verb == 'X';
    out.push('0');
    out.push(verb);
    out.push(if (mant >> 60) & 1 == 1 { '1' } else { '0' });
    mant <<= 4;
    if mant != 0 {
        out.push('.');
        while mant != 0 {
            let d = ((mant >> 60) & 15) as u32;
            let c = char::from_digit(d, 16).unwrap_or('0');
            out.push(if upper { c.to_ascii_uppercase() } else { c });
            mant <<= 4;
        }
    }
    out.push(if upper { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    let _ = write!(out, "{:02}", exp.abs());
}

/// Go's `strconv.FormatFloat(x, verb, prec, 64)` for verbs e, E, f, g, G (`prec` `None` = -1,
/// the shortest representation that reads back exactly).
pub fn format_float(x: f64, verb: char, prec: Option<usize>) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let mut out = String::new();
    if x.is_sign_negative() {
        out.push('-');
    }
    if matches!(verb, 'b' | 'x' | 'X') {
        binary_float(&mut out, x, verb);
        return out;
    }
    match verb {
        'f' => match prec {
            Some(p) => {
                let _ = write!(out, "{:.*}", p, x.abs());
            }
            None => {
                let digs = digits_of(x, None);
                let p = (digs.d.len() as i32 - digs.dp).max(0) as usize;
                fmt_f(&mut out, &digs, p);
            }
        },
        'e' | 'E' => {
            let (digs, p) = match prec {
                Some(p) => (digits_of(x, Some(p + 1)), p),
                None => {
                    let d = digits_of(x, None);
                    let p = d.d.len().saturating_sub(1);
                    (d, p)
                }
            };
            fmt_e(&mut out, &digs, p, verb);
        }
        _ => {
            // 'g' / 'G'
            let e = if verb == 'G' { 'E' } else { 'e' };
            let shortest = prec.is_none();
            let (digs, mut p) = match prec {
                Some(p) => {
                    let p = p.max(1);
                    (digits_of(x, Some(p)), p)
                }
                None => {
                    let d = digits_of(x, None);
                    let n = d.d.len();
                    (d, n)
                }
            };
            let nd = digs.d.len() as i32;
            let mut eprec = p as i32;
            if eprec > nd && nd >= digs.dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = digs.dp - 1;
            if exp < -4 || exp >= eprec {
                if p as i32 > nd {
                    p = nd.max(0) as usize;
                }
                fmt_e(&mut out, &digs, p.saturating_sub(1), e);
            } else {
                if p as i32 > digs.dp {
                    p = nd.max(0) as usize;
                }
                fmt_f(&mut out, &digs, (p as i32 - digs.dp).max(0) as usize);
            }
        }
    }
    out
}

fn fmt_str(out: &mut String, v: &Value, s: &str, verb: char, f: &Flags) {
    match verb {
        'v' if f.sharp_v => pad(out, &go_quote(s, false), f),
        'v' | 's' => {
            let t = truncate(s, f.prec);
            pad(out, t, f)
        }
        'q' => {
            let t = truncate(s, f.prec);
            let q = if f.sharp && can_backquote(t) {
                format!("`{t}`")
            } else {
                go_quote(t, f.plus)
            };
            pad(out, &q, f)
        }
        'x' | 'X' => {
            let b = s.as_bytes();
            let b = match f.prec {
                Some(p) if p < b.len() => &b[..p],
                _ => b,
            };
            let mut h = String::new();
            for (k, byte) in b.iter().enumerate() {
                if f.space && k > 0 {
                    h.push(' ');
                }
                if f.sharp && (f.space || k == 0) {
                    h.push_str(if verb == 'X' { "0X" } else { "0x" });
                }
                if verb == 'X' {
                    let _ = write!(h, "{byte:02X}");
                } else {
                    let _ = write!(h, "{byte:02x}");
                }
            }
            pad(out, &h, f)
        }
        _ => bad_verb(out, v, verb, f),
    }
}

fn truncate(s: &str, prec: Option<usize>) -> &str {
    match prec {
        Some(p) => match s.char_indices().nth(p) {
            Some((i, _)) => &s[..i],
            None => s,
        },
        None => s,
    }
}

fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !(c < ' ' || c == '\u{7f}')))
}

/// Whether Go's `strconv.IsPrint` would keep the rune unescaped (approximation: not a control
/// character, not a line/paragraph separator, not an unassigned private/surrogate code point).
pub fn is_print(c: char) -> bool {
    !(c.is_control()
        || c == '\u{2028}'
        || c == '\u{2029}'
        || c == '\u{FEFF}'
        || c == '\u{AD}'
        || ('\u{E000}'..='\u{F8FF}').contains(&c)
        || ('\u{F0000}'..).contains(&c)
        || (c.is_whitespace() && c != ' ')
        || ('\u{200B}'..='\u{200F}').contains(&c)
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2060}'..='\u{206F}').contains(&c))
}

/// Go's `strconv.Quote` (`ascii_only`: `QuoteToASCII`).
pub fn go_quote(s: &str, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        escape_rune(&mut out, c, '"', ascii_only);
    }
    out.push('"');
    out
}

fn quote_rune(c: char, ascii_only: bool) -> String {
    let mut out = String::from("'");
    escape_rune(&mut out, c, '\'', ascii_only);
    out.push('\'');
    out
}

fn escape_rune(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii_only {
        if c.is_ascii() && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\u{7f}' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn s(x: &str) -> Value {
        Value::str(x)
    }
    fn i(x: i64) -> Value {
        Value::int(x)
    }
    fn fl(x: f64) -> Value {
        Value::float(x)
    }

    #[test]
    fn display_values() {
        let mut m = BTreeMap::new();
        m.insert("b".to_string(), Value::list(vec![s("x"), s("y")]));
        m.insert("a".to_string(), i(1));
        m.insert("c".to_string(), Value::NIL);
        assert_eq!(display(&Value::map(m)), "map[a:1 b:[x y] c:<nil>]");
        assert_eq!(display(&Value::list(vec![i(1), i(2)])), "[1 2]");
        assert_eq!(display(&Value::NIL), "<nil>");
        assert_eq!(display(&fl(1e6)), "1e+06");
        assert_eq!(display(&fl(3.0)), "3");
        assert_eq!(display(&fl(0.5)), "0.5");
        assert_eq!(display(&fl(12345678.0)), "1.2345678e+07");
        assert_eq!(display(&fl(123456.0)), "123456");
        assert_eq!(display(&fl(0.0001)), "0.0001");
        assert_eq!(display(&fl(0.00001)), "1e-05");
        assert_eq!(display(&fl(-2.5)), "-2.5");
        assert_eq!(display(&fl(f64::INFINITY)), "+Inf");
        assert_eq!(display(&fl(1e21)), "1e+21");
        assert_eq!(display(&fl(1e100)), "1e+100");
        assert_eq!(display(&fl(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(display(&Value::bool(true)), "true");
    }

    #[test]
    fn sprint_spacing() {
        assert_eq!(sprint(&[s("a"), s("b")]), "ab");
        assert_eq!(sprint(&[i(1), i(2)]), "1 2");
        assert_eq!(sprint(&[s("a"), i(1), i(2), s("b")]), "a1 2b");
        assert_eq!(sprint(&[Value::NIL, Value::NIL]), "<nil> <nil>");
        assert_eq!(sprintln(&[s("a"), s("b")]), "a b\n");
    }

    #[test]
    fn sprintf_verbs() {
        assert_eq!(sprintf("%d", &[i(42)]), "42");
        assert_eq!(
            sprintf("%5d|%-5d|%05d", &[i(42), i(42), i(-42)]),
            "   42|42   |-0042"
        );
        assert_eq!(sprintf("%+d % d", &[i(5), i(5)]), "+5  5");
        assert_eq!(
            sprintf(
                "%x %X %o %b %#x %#o",
                &[i(255), i(255), i(8), i(5), i(255), i(8)]
            ),
            "ff FF 10 101 0xff 010"
        );
        assert_eq!(sprintf("%.3d", &[i(7)]), "007");
        assert_eq!(
            sprintf("%c %q %U %#U", &[i(65), i(65), i(0x1F600), i(65)]),
            "A 'A' U+1F600 U+0041 'A'"
        );
        assert_eq!(sprintf("%s", &[s("hi")]), "hi");
        assert_eq!(sprintf("%q", &[s("a\"b\n")]), "\"a\\\"b\\n\"");
        assert_eq!(sprintf("%#q", &[s("ab")]), "`ab`");
        assert_eq!(sprintf("%x % X", &[s("hi"), s("hi")]), "6869 68 69");
        assert_eq!(
            sprintf("%.2s|%6s|%-6s|", &[s("hello"), s("ab"), s("ab")]),
            "he|    ab|ab    |"
        );
        assert_eq!(
            sprintf(
                "%f %.2f %e %g",
                &[fl(3.25159), fl(3.25159), fl(1234.5678), fl(1e7)]
            ),
            "3.251590 3.25 1.234568e+03 1e+07"
        );
        assert_eq!(
            sprintf("%8.3f|%-8.2f|%08.3f", &[fl(3.25159), fl(2.5), fl(-3.25159)]),
            "   3.252|2.50    |-003.252"
        );
        assert_eq!(
            sprintf(
                "%.3g %.10g %g",
                &[fl(1234.5678), fl(1234.5678), fl(100000.0)]
            ),
            "1.23e+03 1234.5678 100000"
        );
        assert_eq!(
            sprintf("%t %v", &[Value::bool(true), Value::bool(false)]),
            "true false"
        );
        assert_eq!(
            sprintf("%v %v", &[Value::list(vec![s("a"), i(1)]), Value::NIL]),
            "[a 1] <nil>"
        );
        assert_eq!(sprintf("100%%", &[]), "100%");
        assert_eq!(sprintf("%*d|%-*d", &[i(4), i(1), i(3), i(2)]), "   1|2  ");
        assert_eq!(sprintf("%[2]s %[1]s", &[s("a"), s("b")]), "b a");
        assert_eq!(
            sprintf("%T %T %T", &[s("a"), fl(1.0), Value::list(vec![])]),
            "string float64 []interface {}"
        );
    }

    #[test]
    fn sprintf_errors() {
        assert_eq!(sprintf("%d", &[s("x")]), "%!d(string=x)");
        assert_eq!(sprintf("%s", &[i(5)]), "%!s(int=5)");
        assert_eq!(sprintf("%d", &[fl(1.5)]), "%!d(float64=1.5)");
        assert_eq!(sprintf("%d", &[Value::NIL]), "%!d(<nil>)");
        assert_eq!(sprintf("%d %d", &[i(1)]), "1 %!d(MISSING)");
        assert_eq!(
            sprintf("%d", &[i(1), s("a"), i(2)]),
            "1%!(EXTRA string=a, int=2)"
        );
        assert_eq!(sprintf("%", &[]), "%!(NOVERB)");
        assert_eq!(sprintf("%z", &[i(1)]), "%!z(int=1)");
        assert_eq!(sprintf("%[3]d", &[i(1)]), "%!d(BADINDEX)");
        assert_eq!(
            sprintf("%s", &[Value::list(vec![s("a"), i(1)])]),
            "[a %!s(int=1)]"
        );
    }

    /// Random format strings over the directive alphabet never panic.
    #[test]
    fn sprintf_survives_random_formats() {
        let alphabet: Vec<char> = "%%%-+# 0123456789.*[]vdsqxXfeEgGtcbUoTwé\\"
            .chars()
            .collect();
        let args = [
            i(-7),
            fl(2.5),
            s("é"),
            Value::NIL,
            Value::list(vec![i(1), Value::NIL]),
            i(i64::MAX),
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut f = String::new();
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let len = (seed >> 59) as usize;
            for _ in 0..len {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                f.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            let n = (seed >> 20) as usize % (args.len() + 1);
            let _ = sprintf(&f, &args[..n]);
        }
    }

    #[test]
    fn format_float_matches_strconv() {
        assert_eq!(format_float(0.0, 'g', None), "0");
        assert_eq!(format_float(-0.0, 'g', None), "-0");
        assert_eq!(format_float(1.0, 'e', None), "1e+00");
        assert_eq!(format_float(0.000123, 'g', Some(2)), "0.00012");
        assert_eq!(format_float(123456789.0, 'f', None), "123456789");
        assert_eq!(format_float(1.5, 'f', Some(0)), "2");
        assert_eq!(format_float(2.5, 'f', Some(0)), "2");
        assert_eq!(format_float(1e-7, 'g', None), "1e-07");
        assert_eq!(format_float(100.0, 'g', Some(2)), "1e+02");
        assert_eq!(format_float(f64::NAN, 'g', None), "NaN");
    }
}
