//! `semver` and `semverCompare` with Masterminds/semver v3 semantics (written here: the `semver`
//! crate implements Cargo's constraint language, not Masterminds').
//!
//! Versions are parsed leniently as Masterminds' `NewVersion`: an optional `v`, one to three
//! numeric parts (missing ones are 0), `-prerelease` and `+metadata`. Constraints: `||`-separated
//! alternatives of comma- or space-separated comparisons with the operators `= != > < >= => <= =<
//! ~ ~> ^`, wildcards `x X *` and missing parts (`1.2` is `1.2.x` for `~`, `^`, `=`, `!=` and `>`),
//! and hyphen ranges `1.2 - 1.4.5`. As in Masterminds, a version with a prerelease only satisfies
//! a conjunction in which some comparison has a prerelease (`>=1.19-0` admits `1.30.0-eks-1`,
//! `>=1.19` does not, `>=1.0.0-0 <=2.0.0` admits `1.5.0-rc`).

use std::cmp::Ordering;
use std::sync::Arc;

use super::super::value::{Kind, Native, Value};
use super::{Result, arg_str, arity, call_err};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub metadata: String,
    pub original: String,
}

const INVALID: &str = "invalid semantic version";

fn valid_ident(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl Version {
    pub fn parse(s: &str) -> std::result::Result<Version, String> {
        let original = s.to_string();
        let body = s.strip_prefix('v').unwrap_or(s);
        let (body, metadata) = match body.split_once('+') {
            Some((b, m)) => (b, m.to_string()),
            None => (body, String::new()),
        };
        let (core, pre) = match body.split_once('-') {
            Some((c, p)) => (c, p.to_string()),
            None => (body, String::new()),
        };
        if !metadata.is_empty() && !metadata.split('.').all(valid_ident) {
            return Err("Invalid Metadata string".to_string());
        }
        if body.contains('+') || s.ends_with('+') && metadata.is_empty() {
            return Err(INVALID.to_string());
        }
        if !pre.is_empty() || body.ends_with('-') {
            for part in pre.split('.') {
                if !valid_ident(part) {
                    return Err("Invalid Prerelease string".to_string());
                }
                if part.len() > 1
                    && part.starts_with('0')
                    && part.chars().all(|c| c.is_ascii_digit())
                {
                    return Err("Version segment starts with 0".to_string());
                }
            }
        }
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return Err(INVALID.to_string());
        }
        let mut nums = [0u64; 3];
        for (i, p) in parts.iter().enumerate() {
            if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
                return Err(INVALID.to_string());
            }
            nums[i] = p.parse().map_err(|_| INVALID.to_string())?;
        }
        Ok(Version {
            major: nums[0],
            minor: nums[1],
            patch: nums[2],
            pre,
            metadata,
            original,
        })
    }

    pub fn compare(&self, o: &Version) -> Ordering {
        self.major
            .cmp(&o.major)
            .then(self.minor.cmp(&o.minor))
            .then(self.patch.cmp(&o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let ap: Vec<&str> = a.split('.').collect();
    let bp: Vec<&str> = b.split('.').collect();
    for i in 0..ap.len().max(bp.len()) {
        let x = ap.get(i).copied().unwrap_or("");
        let y = bp.get(i).copied().unwrap_or("");
        let d = compare_pre_part(x, y);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(x), Ok(y)) => {
            if x > y {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Tilde,
    Caret,
}

#[derive(Clone, Debug)]
struct Constraint {
    op: Op,
    con: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// One comparison such as `>=1.2.x-0`.
fn parse_constraint(c: &str) -> std::result::Result<Constraint, String> {
    let t = c.trim();
    let bad = || format!("improper constraint: {}", super::gofmt::go_quote(c, false));
    let ops = [
        ("!=", Op::Ne),
        (">=", Op::Ge),
        ("=>", Op::Ge),
        ("<=", Op::Le),
        ("=<", Op::Le),
        ("~>", Op::Tilde),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("=", Op::Eq),
        ("~", Op::Tilde),
        ("^", Op::Caret),
    ];
    let (op, rest) = ops
        .iter()
        .find_map(|(p, op)| t.strip_prefix(p).map(|r| (*op, r)))
        .unwrap_or((Op::Eq, t));
    let v = rest.trim();
    if v.is_empty() {
        return Err(bad());
    }
    let v = v.strip_prefix('v').unwrap_or(v);
    let (core, tail) = match v.find(['-', '+']) {
        Some(i) => (&v[..i], &v[i..]),
        None => (v, ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !(p.chars().all(|c| c.is_ascii_digit()) || is_x(p)))
    {
        return Err(bad());
    }
    // The prerelease of the constraint (metadata is dropped).
    let pre_tail = tail.split('+').next().unwrap_or("");
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    let ver = if is_x(parts[0]) {
        dirty = true;
        format!("0.0.0{pre_tail}")
    } else if parts.len() < 2 || is_x(parts[1]) {
        dirty = true;
        minor_dirty = true;
        format!("{}.0.0{pre_tail}", parts[0])
    } else if parts.len() < 3 || is_x(parts[2]) {
        dirty = true;
        patch_dirty = true;
        format!("{}.{}.0{pre_tail}", parts[0], parts[1])
    } else {
        format!("{core}{tail}")
    };
    let con = Version::parse(&ver).map_err(|_| bad())?;
    Ok(Constraint {
        op,
        con,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

impl Constraint {
    /// `include_pre`: another comparison of the same conjunction names a prerelease, which lets
    /// prerelease versions through all of them.
    fn check(&self, v: &Version, include_pre: bool) -> bool {
        let c = &self.con;
        if !include_pre && !v.pre.is_empty() && c.pre.is_empty() {
            return false;
        }
        match self.op {
            Op::Eq => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            Op::Ne => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                        }
                        return false;
                    }
                }
                v.compare(c) != Ordering::Equal
            }
            Op::Gt => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major > c.major {
                    true
                } else if v.major < c.major || self.minor_dirty {
                    false
                } else if self.patch_dirty {
                    v.minor > c.minor
                } else {
                    v.compare(c) == Ordering::Greater
                }
            }
            Op::Lt => v.compare(c) == Ordering::Less,
            Op::Ge => v.compare(c) != Ordering::Less,
            Op::Le => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                if v.major > c.major {
                    false
                } else {
                    !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
                }
            }
            Op::Tilde => self.tilde(v),
            Op::Caret => {
                if v.compare(c) == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if v.minor > 0 {
                    return false;
                }
                c.patch == v.patch
            }
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        if v.minor != c.minor && !self.minor_dirty {
            return false;
        }
        true
    }
}

/// A parsed constraint: alternatives of conjunctions.
pub struct Constraints(Vec<Vec<Constraint>>);

impl Constraints {
    pub fn parse(s: &str) -> std::result::Result<Constraints, String> {
        let mut ors = Vec::new();
        for alt in s.split("||") {
            let tokens = tokenize(alt).ok_or_else(|| {
                format!(
                    "improper constraint: {}",
                    super::gofmt::go_quote(alt, false)
                )
            })?;
            let mut ands = Vec::new();
            for t in tokens {
                ands.push(parse_constraint(&t)?);
            }
            ors.push(ands);
        }
        Ok(Constraints(ors))
    }

    pub fn check(&self, v: &Version) -> bool {
        self.0.iter().any(|ands| {
            let include_pre = ands.iter().any(|c| !c.con.pre.is_empty());
            ands.iter().all(|c| c.check(v, include_pre))
        })
    }
}

/// Splits one alternative into comparisons: on commas and white space, an operator glued to the
/// version that follows it, hyphen ranges rewritten to `>= a` and `<= b`. An empty alternative is
/// `*`.
fn tokenize(alt: &str) -> Option<Vec<String>> {
    let words: Vec<&str> = alt
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if i + 2 < words.len() && words[i + 1] == "-" {
            out.push(format!(">={w}"));
            out.push(format!("<={}", words[i + 2]));
            i += 3;
            continue;
        }
        if w.chars().all(|c| "<>=!~^".contains(c)) {
            // An operator separated from its version by spaces.
            let next = words.get(i + 1)?;
            out.push(format!("{w}{next}"));
            i += 2;
            continue;
        }
        out.push(w.to_string());
        i += 1;
    }
    Some(out)
}

/// `semverCompare constraint version`.
pub fn semver_compare(args: &[Value]) -> Result {
    arity("semverCompare", args, 2)?;
    let c = arg_str(args, 0)?;
    let v = arg_str(args, 1)?;
    let cons = Constraints::parse(c).map_err(|e| call_err("semverCompare", &e))?;
    let ver = Version::parse(v).map_err(|e| call_err("semverCompare", &e))?;
    Ok(Value::bool(cons.check(&ver)))
}

/// `semver "1.2.3"`: a version object with `Major Minor Patch Prerelease Metadata Original` and
/// `Compare LessThan GreaterThan Equal`, printing as its normalised string.
pub fn semver(args: &[Value]) -> Result {
    arity("semver", args, 1)?;
    let v = Version::parse(arg_str(args, 0)?).map_err(|e| call_err("semver", &e))?;
    Ok(Value::new(Kind::Native(Arc::new(v))).with_origin(args[0].origin))
}

impl Native for Version {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }

    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "Major" => Value::int(self.major as i64),
            "Minor" => Value::int(self.minor as i64),
            "Patch" => Value::int(self.patch as i64),
            "Prerelease" => Value::str(self.pre.as_str()),
            "Metadata" => Value::str(self.metadata.as_str()),
            "Original" => Value::str(self.original.as_str()),
            "String" => Value::str(self.to_string()),
            _ => return None,
        })
    }

    fn call(&self, method: &str, args: &[Value]) -> Option<Result> {
        if args.is_empty()
            && let Some(v) = self.field(method)
        {
            return Some(Ok(v));
        }
        let other = || -> std::result::Result<Version, String> {
            match args {
                [v] => match &v.kind {
                    Kind::Native(n) if n.type_name() == "*semver.Version" => {
                        Version::parse(&n.display())
                    }
                    Kind::Str(s) => Version::parse(s),
                    _ => Err("wrong type for value; expected *semver.Version".to_string()),
                },
                _ => Err(format!(
                    "wrong number of args for {method}: want 1 got {}",
                    args.len()
                )),
            }
        };
        let r = match method {
            "Compare" => other().map(|o| Value::int(self.compare(&o) as i64)),
            "LessThan" => other().map(|o| Value::bool(self.compare(&o) == Ordering::Less)),
            "GreaterThan" => other().map(|o| Value::bool(self.compare(&o) == Ordering::Greater)),
            "Equal" => other().map(|o| Value::bool(self.compare(&o) == Ordering::Equal)),
            _ => return None,
        };
        Some(r)
    }

    fn display(&self) -> String {
        self.to_string()
    }
    fn to_data(&self) -> Option<Value> {
        Some(Value::str(self.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(c: &str, v: &str) -> bool {
        let r = semver_compare(&[Value::str(c), Value::str(v)]).unwrap();
        r.truthy()
    }

    #[test]
    fn kube_version_checks() {
        assert!(cmp(">=1.19-0", "v1.30.0"));
        assert!(cmp(">=1.19-0", "v1.30.0-eks-1"));
        assert!(!cmp(">=1.19", "v1.30.0-eks-1"));
        assert!(cmp(">=1.19", "v1.30.0"));
        assert!(!cmp("<1.19-0", "v1.30.0"));
        assert!(cmp(">=1.16.0-0, <1.25.0-0", "1.20.3"));
        assert!(cmp(">=1.16.0-0 <1.25.0-0", "1.20.3"));
        assert!(!cmp(">=1.16.0-0 <1.25.0-0", "1.25.0"));
        assert!(cmp("<1.14 || >=1.20", "1.21.0"));
        assert!(cmp("1.2 - 1.4.5", "1.4.5"));
        assert!(!cmp("1.2 - 1.4.5", "1.4.6"));
        assert!(cmp("~1", "1.5.0"));
        assert!(cmp("~1.2", "1.2.9"));
        assert!(!cmp("~1.2", "1.3.0"));
        assert!(cmp("^0", "0.5.0"));
        assert!(cmp("^1.2", "1.9.0"));
        assert!(!cmp("^1.2", "2.0.0"));
        assert!(!cmp("^0.2.3", "0.3.0"));
        assert!(cmp("1", "1.5.0"));
        assert!(cmp("1.2.x", "1.2.7"));
        assert!(cmp("*", "3.0.0"));
        assert!(!cmp(">1.2", "1.2.5"));
        assert!(cmp(">1.2", "1.3.0"));
        assert!(cmp("!=1.2.3", "1.2.4"));
        assert!(cmp("> 1.2.3", "1.2.4"));
        assert!(semver_compare(&[Value::str(">=x.y"), Value::str("1.0.0")]).is_err());
        assert!(semver_compare(&[Value::str(">=1.0"), Value::str("one")]).is_err());
    }

    #[test]
    fn version_object() {
        let v = semver(&[Value::str("v1.2.3-rc.1+b")]).unwrap();
        let Kind::Native(n) = &v.kind else { panic!() };
        assert_eq!(n.display(), "1.2.3-rc.1+b");
        assert!(n.field("Minor").unwrap().truthy());
        assert_eq!(n.field("Original").unwrap().as_str(), Some("v1.2.3-rc.1+b"));
        assert!(Version::parse("1.2.3.4").is_err());
        assert_eq!(Version::parse("1.2").unwrap().to_string(), "1.2.0");
    }
}
