//! Sprig's math: int64 arithmetic (`add add1 sub div mod mul max biggest min`), float64
//! arithmetic through exact decimals (`addf add1f subf divf mulf`, as Sprig's shopspring/decimal:
//! `addf 0.1 0.2` is 0.3), `maxf minf floor ceil round`, and the integer sequences `until
//! untilStep seq`.
//!
//! int64 arithmetic wraps on overflow as Go's does; division and modulo by zero are errors
//! (Go's runtime panic, which `text/template` turns into an error).

use super::super::value::Value;
use super::conv::{to_float64, to_int64};
use super::{MAX_ITEMS, Result, arg_int, arity, arity_min, call_err};

pub fn add(args: &[Value]) -> Result {
    Ok(Value::int(
        args.iter().fold(0i64, |a, v| a.wrapping_add(to_int64(v))),
    ))
}

pub fn add1(args: &[Value]) -> Result {
    arity("add1", args, 1)?;
    Ok(Value::int(to_int64(&args[0]).wrapping_add(1)))
}

pub fn sub(args: &[Value]) -> Result {
    arity("sub", args, 2)?;
    Ok(Value::int(
        to_int64(&args[0]).wrapping_sub(to_int64(&args[1])),
    ))
}

pub fn div(args: &[Value]) -> Result {
    arity("div", args, 2)?;
    let b = to_int64(&args[1]);
    if b == 0 {
        return Err(call_err("div", "runtime error: integer divide by zero"));
    }
    Ok(Value::int(to_int64(&args[0]).wrapping_div(b)))
}

pub fn modulo(args: &[Value]) -> Result {
    arity("mod", args, 2)?;
    let b = to_int64(&args[1]);
    if b == 0 {
        return Err(call_err("mod", "runtime error: integer divide by zero"));
    }
    Ok(Value::int(to_int64(&args[0]).wrapping_rem(b)))
}

pub fn mul(args: &[Value]) -> Result {
    arity_min("mul", args, 1)?;
    Ok(Value::int(
        args.iter().fold(1i64, |a, v| a.wrapping_mul(to_int64(v))),
    ))
}

pub fn max(args: &[Value]) -> Result {
    arity_min("max", args, 1)?;
    Ok(Value::int(args.iter().map(to_int64).max().unwrap_or(0)))
}

pub fn biggest(args: &[Value]) -> Result {
    arity_min("biggest", args, 1)?;
    max(args)
}

pub fn min(args: &[Value]) -> Result {
    arity_min("min", args, 1)?;
    Ok(Value::int(args.iter().map(to_int64).min().unwrap_or(0)))
}

pub fn maxf(args: &[Value]) -> Result {
    arity_min("maxf", args, 1)?;
    let mut a = to_float64(&args[0]);
    for v in &args[1..] {
        a = go_max(a, to_float64(v));
    }
    Ok(Value::float(a))
}

pub fn minf(args: &[Value]) -> Result {
    arity_min("minf", args, 1)?;
    let mut a = to_float64(&args[0]);
    for v in &args[1..] {
        a = go_min(a, to_float64(v));
    }
    Ok(Value::float(a))
}

/// Go's `math.Max` (NaN wins).
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

pub fn floor(args: &[Value]) -> Result {
    arity("floor", args, 1)?;
    Ok(Value::float(to_float64(&args[0]).floor()))
}

pub fn ceil(args: &[Value]) -> Result {
    arity("ceil", args, 1)?;
    Ok(Value::float(to_float64(&args[0]).ceil()))
}

/// `round x places [roundOn]`: rounds up when the fraction at `places` is ≥ roundOn (0.5).
pub fn round(args: &[Value]) -> Result {
    arity_min("round", args, 2)?;
    if args.len() > 3 {
        return Err(format!(
            "wrong number of args for round: want at most 3 got {}",
            args.len()
        ));
    }
    let places = arg_int(args, 1)?;
    let round_on = match args.get(2).map(|v| &v.kind) {
        None => 0.5,
        Some(super::super::value::Kind::Float(f)) => *f,
        Some(_) => {
            return Err(format!(
                "wrong type for value; expected float64; got {}",
                super::type_name(&args[2])
            ));
        }
    };
    let val = to_float64(&args[0]);
    let pow = 10f64.powi(places.clamp(-400, 400) as i32);
    let digit = pow * val;
    let frac = digit - digit.trunc();
    let r = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::float(r / pow))
}

// ---------------------------------------------------------------------------------------------
// Decimal arithmetic for the `*f` functions.

/// `m × 10^e`, built from the shortest decimal form of a float64.
#[derive(Clone, Copy, Debug)]
struct Dec {
    m: i128,
    e: i32,
}

impl Dec {
    fn from_f64(x: f64) -> Option<Dec> {
        if !x.is_finite() {
            return None;
        }
        let s = format!("{x:e}");
        let (mant, exp) = s.split_once('e')?;
        let exp: i32 = exp.parse().ok()?;
        let neg = mant.starts_with('-');
        let mant = mant.trim_start_matches('-');
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        let digits = format!("{int}{frac}");
        let m: i128 = digits.parse().ok()?;
        Some(Dec {
            m: if neg { -m } else { m },
            e: exp - frac.len() as i32,
        })
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.m, self.e).parse().unwrap_or(f64::NAN)
    }

    fn scale(m: i128, by: i32) -> Option<i128> {
        if by < 0 {
            return None;
        }
        10i128.checked_pow(by as u32)?.checked_mul(m)
    }

    fn add(self, o: Dec) -> Option<Dec> {
        let e = self.e.min(o.e);
        let a = Dec::scale(self.m, self.e - e)?;
        let b = Dec::scale(o.m, o.e - e)?;
        Some(Dec {
            m: a.checked_add(b)?,
            e,
        })
    }

    fn neg(self) -> Dec {
        Dec {
            m: -self.m,
            e: self.e,
        }
    }

    fn mul(self, o: Dec) -> Option<Dec> {
        Some(Dec {
            m: self.m.checked_mul(o.m)?,
            e: self.e.checked_add(o.e)?,
        })
    }

    /// Division rounded half away from zero to 16 fractional digits (decimal's `Div`).
    fn div(self, o: Dec) -> Option<Dec> {
        if o.m == 0 {
            return None;
        }
        // q = self.m * 10^(self.e - o.e + 16) / o.m, in units of 10^-16.
        let shift = self.e - o.e + 16;
        let (num, den) = if shift >= 0 {
            (Dec::scale(self.m, shift)?, o.m)
        } else {
            (self.m, Dec::scale(o.m, -shift)?)
        };
        let q = num / den;
        let r = num % den;
        let q = if r.checked_mul(2)?.abs() >= den.abs() {
            if (num < 0) != (den < 0) { q - 1 } else { q + 1 }
        } else {
            q
        };
        Some(Dec { m: q, e: -16 })
    }
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

fn decimal_op(name: &str, first: f64, rest: &[f64], op: Op) -> Result {
    if matches!(op, Op::Div) && rest.contains(&0.0) {
        return Err(call_err(name, "decimal division by zero"));
    }
    let exact = (|| {
        let mut acc = Dec::from_f64(first)?;
        for &x in rest {
            let d = Dec::from_f64(x)?;
            acc = match op {
                Op::Add => acc.add(d)?,
                Op::Sub => acc.add(d.neg())?,
                Op::Mul => acc.mul(d)?,
                Op::Div => acc.div(d)?,
            };
        }
        Some(acc.to_f64())
    })();
    let r = match exact {
        Some(r) => r,
        // Out of the exact range: plain float64 arithmetic.
        None => rest.iter().fold(first, |a, &x| match op {
            Op::Add => a + x,
            Op::Sub => a - x,
            Op::Mul => a * x,
            Op::Div => a / x,
        }),
    };
    Ok(Value::float(r))
}

pub fn addf(args: &[Value]) -> Result {
    let xs: Vec<f64> = args.iter().map(to_float64).collect();
    decimal_op("addf", 0.0, &xs, Op::Add)
}

pub fn add1f(args: &[Value]) -> Result {
    arity("add1f", args, 1)?;
    decimal_op("add1f", to_float64(&args[0]), &[1.0], Op::Add)
}

pub fn subf(args: &[Value]) -> Result {
    arity_min("subf", args, 1)?;
    let xs: Vec<f64> = args[1..].iter().map(to_float64).collect();
    decimal_op("subf", to_float64(&args[0]), &xs, Op::Sub)
}

pub fn mulf(args: &[Value]) -> Result {
    arity_min("mulf", args, 1)?;
    let xs: Vec<f64> = args[1..].iter().map(to_float64).collect();
    decimal_op("mulf", to_float64(&args[0]), &xs, Op::Mul)
}

pub fn divf(args: &[Value]) -> Result {
    arity_min("divf", args, 1)?;
    let xs: Vec<f64> = args[1..].iter().map(to_float64).collect();
    decimal_op("divf", to_float64(&args[0]), &xs, Op::Div)
}

// ---------------------------------------------------------------------------------------------
// Sequences.

/// Sprig's `untilStep`: start, start+step, … up to (excluding) stop; empty when the step goes the
/// wrong way.
fn until_step_vec(start: i64, stop: i64, step: i64) -> std::result::Result<Vec<i64>, String> {
    let count = if stop < start {
        if step >= 0 {
            return Ok(Vec::new());
        }
        ((start as i128 - stop as i128) + (-(step as i128)) - 1) / -(step as i128)
    } else {
        if step <= 0 {
            return Ok(Vec::new());
        }
        ((stop as i128 - start as i128) + step as i128 - 1) / step as i128
    };
    if count > MAX_ITEMS as i128 {
        return Err(format!(
            "sequence of {count} items exceeds the {MAX_ITEMS}-item limit"
        ));
    }
    let mut v = Vec::with_capacity(count as usize);
    let mut i = start as i128;
    for _ in 0..count {
        v.push(i as i64);
        i += step as i128;
    }
    Ok(v)
}

fn int_list(v: Vec<i64>) -> Value {
    Value::list(v.into_iter().map(Value::int).collect())
}

pub fn until(args: &[Value]) -> Result {
    arity("until", args, 1)?;
    let n = arg_int(args, 0)?;
    let step = if n < 0 { -1 } else { 1 };
    Ok(int_list(
        until_step_vec(0, n, step).map_err(|e| call_err("until", &e))?,
    ))
}

pub fn until_step(args: &[Value]) -> Result {
    arity("untilStep", args, 3)?;
    let (a, b, c) = (arg_int(args, 0)?, arg_int(args, 1)?, arg_int(args, 2)?);
    Ok(int_list(
        until_step_vec(a, b, c).map_err(|e| call_err("untilStep", &e))?,
    ))
}

/// `seq [first [step]] last`, as GNU seq: the numbers joined by spaces.
pub fn seq(args: &[Value]) -> Result {
    let p: Vec<i64> = (0..args.len())
        .map(|i| arg_int(args, i))
        .collect::<std::result::Result<_, _>>()?;
    let v = match p.as_slice() {
        [end] => {
            let inc = if *end < 1 { -1 } else { 1 };
            until_step_vec(1, end.wrapping_add(inc), inc)
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step_vec(*start, end.wrapping_add(step), step)
        }
        [start, step, end] => {
            let inc = if end < start {
                if *step > 0 {
                    return Ok(Value::str(""));
                }
                -1
            } else {
                1
            };
            until_step_vec(*start, end.wrapping_add(inc), *step)
        }
        _ => return Ok(Value::str("")),
    }
    .map_err(|e| call_err("seq", &e))?;
    let parts: Vec<String> = v.iter().map(i64::to_string).collect();
    Ok(Value::str(parts.join(" ")))
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
    fn i(x: i64) -> Value {
        Value::int(x)
    }
    fn f(x: f64) -> Value {
        Value::float(x)
    }

    #[test]
    fn integers() {
        assert_eq!(call(add, &[i(1), f(2.7), Value::str("3")]), "6");
        assert_eq!(call(add1, &[i(1)]), "2");
        assert_eq!(call(sub, &[i(1), i(3)]), "-2");
        assert_eq!(call(div, &[i(7), i(2)]), "3");
        assert_eq!(
            call(div, &[i(7), i(0)]),
            "ERR error calling div: runtime error: integer divide by zero"
        );
        assert_eq!(call(modulo, &[i(-7), i(3)]), "-1");
        assert_eq!(call(mul, &[i(2), i(3), i(4)]), "24");
        assert_eq!(call(max, &[i(2), i(9), i(4)]), "9");
        assert_eq!(call(min, &[i(2), i(9), i(-4)]), "-4");
        assert_eq!(call(add, &[i(i64::MAX), i(1)]), i64::MIN.to_string());
    }

    #[test]
    fn floats() {
        assert_eq!(call(addf, &[f(0.1), f(0.2)]), "0.3");
        assert_eq!(call(subf, &[f(1.0), f(0.9)]), "0.1");
        assert_eq!(call(mulf, &[f(1.1), f(3.0)]), "3.3");
        assert_eq!(call(divf, &[f(1.0), f(3.0)]), "0.3333333333333333");
        assert_eq!(call(divf, &[f(2.0), f(3.0)]), "0.6666666666666667");
        assert!(call(divf, &[f(1.0), f(0.0)]).starts_with("ERR"));
        assert_eq!(call(add1f, &[f(1.5)]), "2.5");
        assert_eq!(call(floor, &[f(1.5)]), "1");
        assert_eq!(call(ceil, &[f(1.2)]), "2");
        assert_eq!(call(round, &[f(3.25159), i(2)]), "3.25");
        assert_eq!(call(round, &[f(2.5), i(0)]), "3");
        assert_eq!(call(maxf, &[f(1.5), i(3)]), "3");
        assert_eq!(call(minf, &[f(1.5), i(3)]), "1.5");
    }

    #[test]
    fn sequences() {
        assert_eq!(call(until, &[i(3)]), "[0 1 2]");
        assert_eq!(call(until, &[i(-2)]), "[0 -1]");
        assert_eq!(call(until_step, &[i(0), i(10), i(4)]), "[0 4 8]");
        assert_eq!(call(until_step, &[i(0), i(10), i(-1)]), "[]");
        assert_eq!(call(seq, &[i(3)]), "1 2 3");
        assert_eq!(call(seq, &[i(0)]), "1 0");
        assert_eq!(call(seq, &[i(2), i(-2)]), "2 1 0 -1 -2");
        assert_eq!(call(seq, &[i(0), i(3), i(9)]), "0 3 6 9");
        assert_eq!(call(seq, &[i(9), i(3), i(0)]), "");
        assert!(call(until, &[i(1 << 40)]).starts_with("ERR"));
    }
}
