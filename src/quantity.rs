//! Kubernetes resource quantities (`250m`, `1.5Gi`, `1e3`), parsed exactly as the API server does.
//!
//! The grammar and the arithmetic follow `resource.ParseQuantity` of k8s.io/apimachinery:
//!
//! ```text
//! <quantity>        ::= <signedNumber><suffix>
//! <signedNumber>    ::= <number> | <sign><number>
//! <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//! <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
//! <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
//! <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
//! <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>   (an integer exponent)
//! ```
//!
//! The value is kept exactly, as an integer number of nano-units (`1` is 10⁹, `1m` is 10⁶), which
//! is the finest precision Kubernetes keeps: a finer non-zero value is rounded away from zero
//! (`0.5n` is `1n`). Like Kubernetes, a binary-suffixed quantity is capped at 2⁶³−1 units (`8Ei`),
//! and a decimal one is not; values beyond ±1.7·10²⁹ units, far past any real resource, saturate
//! here instead of growing without bound.
//!
//! The Go scanner accepts a few inputs that are surely mistakes, and so does [`Quantity::parse`],
//! because the API server stores them: a number part without digits is zero (`Mi`, `-`, `.`, `e3`
//! all parse as 0), and `1.G` is 1G. [`Quantity::is_well_formed`] tells them apart: it is the
//! pattern of the published OpenAPI schema (`^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))…$`), which
//! CRD validation and schema validators apply, on top of parsing.
//!
//! Manifests reach `ParseQuantity` through JSON, whose decoder trims surrounding white space
//! first: [`Quantity::from_manifest`] does the same, [`Quantity::parse`] does not (`" 1"` is an
//! error there, as in Go). YAML numbers (`cpu: 0.5`) are read from their text; go-yaml would turn
//! `0x10` or `010` into 16 and 8 before the quantity parser sees them, which this module does not
//! model.

use std::cmp::Ordering;
use std::fmt;

const NANOS_PER_UNIT: i128 = 1_000_000_000;

/// A resource quantity as an exact number of nano-units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity {
    nanos: i128,
}

/// Why a string is not a quantity; the variants follow apimachinery's errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantityError {
    /// The empty string.
    Empty,
    /// Characters that fit no part of the grammar (`512MB`, `1.2.3`, `1 `).
    Format,
    /// A suffix that is not one of the known ones (`1K`, `1i`, `1e`, `1kM`).
    Suffix,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QuantityError::Empty => "the quantity is empty",
            QuantityError::Format => {
                "not a quantity: expected a number with an optional suffix, like `250m`, `1.5Gi` or `1e3`"
            }
            QuantityError::Suffix => {
                "unknown quantity suffix: expected one of n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or e<exponent>"
            }
        })
    }
}

impl std::error::Error for QuantityError {}

/// What the suffix scales by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scale {
    /// × 10^n (decimal SI suffixes and `e` exponents).
    Decimal(i64),
    /// × 2^n (`Ki` … `Ei`).
    Binary(u32),
}

/// The pieces `parseQuantityString` extracts.
struct Scanned<'s> {
    negative: bool,
    /// Integer digits with leading zeros stripped (may be empty: zero).
    num: &'s str,
    /// Fraction digits (may be empty).
    denom: &'s str,
    suffix: &'s str,
}

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

/// The scanner of apimachinery's `parseQuantityString`, byte for byte.
fn scan(s: &str) -> Result<Scanned<'_>, QuantityError> {
    let bytes = s.as_bytes();
    let end = bytes.len();
    let mut pos = 0;
    let mut negative = false;
    match bytes.first() {
        Some(b'-') => {
            negative = true;
            pos = 1;
        }
        Some(b'+') => pos = 1,
        _ => {}
    }
    while pos < end && bytes[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        return Ok(Scanned {
            negative,
            num: "",
            denom: "",
            suffix: "",
        });
    }
    let num_start = pos;
    while pos < end && is_digit(bytes[pos]) {
        pos += 1;
    }
    let num = &s[num_start..pos];
    let mut denom = "";
    if pos < end && bytes[pos] == b'.' {
        pos += 1;
        let denom_start = pos;
        while pos < end && is_digit(bytes[pos]) {
            pos += 1;
        }
        denom = &s[denom_start..pos];
    }
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&bytes[pos]) {
        pos += 1;
    }
    if pos < end && (bytes[pos] == b'-' || bytes[pos] == b'+') {
        pos += 1;
    }
    while pos < end && is_digit(bytes[pos]) {
        pos += 1;
    }
    if pos < end {
        return Err(QuantityError::Format);
    }
    Ok(Scanned {
        negative,
        num,
        denom,
        suffix: &s[suffix_start..],
    })
}

/// `quantitySuffixer.interpret`: decimal SI first (so `E` is exa), then binary, then `e<int>`.
fn interpret(suffix: &str) -> Option<Scale> {
    let decimal = match suffix {
        "n" => Some(-9),
        "u" => Some(-6),
        "m" => Some(-3),
        "" => Some(0),
        "k" => Some(3),
        "M" => Some(6),
        "G" => Some(9),
        "T" => Some(12),
        "P" => Some(15),
        "E" => Some(18),
        _ => None,
    };
    if let Some(exponent) = decimal {
        return Some(Scale::Decimal(exponent));
    }
    let binary = match suffix {
        "Ki" => Some(10),
        "Mi" => Some(20),
        "Gi" => Some(30),
        "Ti" => Some(40),
        "Pi" => Some(50),
        "Ei" => Some(60),
        _ => None,
    };
    if let Some(exponent) = binary {
        return Some(Scale::Binary(exponent));
    }
    let rest = suffix
        .strip_prefix('e')
        .or_else(|| suffix.strip_prefix('E'))?;
    if rest.is_empty() {
        return None;
    }
    // Go parses the exponent as an int64 (`+5` allowed) and then converts it to int32, wrapping.
    let rest_digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    if rest_digits.is_empty() || !rest_digits.bytes().all(is_digit) {
        return None;
    }
    let wide: i64 = rest.parse().ok()?;
    Some(Scale::Decimal(i64::from(wide as i32)))
}

/// Multiplies a big-endian decimal digit vector by `m`.
fn mul_small(digits: &mut Vec<u8>, m: u32) {
    let mut carry: u64 = 0;
    for d in digits.iter_mut().rev() {
        let v = u64::from(*d) * u64::from(m) + carry;
        *d = (v % 10) as u8;
        carry = v / 10;
    }
    let mut head = Vec::new();
    while carry > 0 {
        head.push((carry % 10) as u8);
        carry /= 10;
    }
    if !head.is_empty() {
        head.reverse();
        head.append(digits);
        *digits = head;
    }
}

/// `digits × 10^shift`, rounded away from zero to an integer; `None` when it does not fit in u128.
fn scaled(digits: &[u8], shift: i64) -> Option<u128> {
    let first = digits.iter().position(|&d| d != 0);
    let Some(first) = first else {
        return Some(0);
    };
    let digits = &digits[first..];
    let to_u128 = |ds: &[u8]| -> Option<u128> {
        ds.iter().try_fold(0u128, |acc, &d| {
            acc.checked_mul(10)?.checked_add(u128::from(d))
        })
    };
    if shift >= 0 {
        // More than 39 significant digits never fit.
        if digits.len() as i64 + shift > 39 {
            return None;
        }
        let mut value = to_u128(digits)?;
        for _ in 0..shift {
            value = value.checked_mul(10)?;
        }
        Some(value)
    } else {
        let drop = shift.unsigned_abs();
        if drop >= digits.len() as u64 {
            // Non-zero but below the precision: rounds up to one.
            return Some(1);
        }
        let keep = digits.len() - drop as usize;
        let (head, tail) = digits.split_at(keep);
        let value = to_u128(head)?;
        if tail.iter().any(|&d| d != 0) {
            value.checked_add(1)
        } else {
            Some(value)
        }
    }
}

impl Quantity {
    pub const ZERO: Quantity = Quantity { nanos: 0 };

    /// Parses like `resource.ParseQuantity`: no surrounding white space allowed.
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        if s.is_empty() {
            return Err(QuantityError::Empty);
        }
        let scanned = scan(s)?;
        let scale = interpret(scanned.suffix).ok_or(QuantityError::Suffix)?;
        let mut digits: Vec<u8> = scanned
            .num
            .bytes()
            .chain(scanned.denom.bytes())
            .map(|b| b - b'0')
            .collect();
        let frac = scanned.denom.len() as i64;
        let magnitude = match scale {
            Scale::Decimal(exponent) => scaled(&digits, exponent + 9 - frac),
            Scale::Binary(exponent) => {
                let mut left = exponent;
                while left > 0 {
                    let step = left.min(30);
                    mul_small(&mut digits, 1 << step);
                    left -= step;
                }
                // Kubernetes caps a binary quantity at 2^63-1 units.
                let cap = (i64::MAX as u128) * NANOS_PER_UNIT as u128;
                Some(scaled(&digits, 9 - frac).map_or(cap, |v| v.min(cap)))
            }
        };
        let magnitude = magnitude.map_or(i128::MAX, |v| i128::try_from(v).unwrap_or(i128::MAX));
        Ok(Quantity {
            nanos: if scanned.negative {
                -magnitude
            } else {
                magnitude
            },
        })
    }

    /// Parses a value as written in a manifest: surrounding white space is dropped first, as the
    /// API server's JSON decoding of a quantity does (`strings.TrimSpace`).
    pub fn from_manifest(s: &str) -> Result<Quantity, QuantityError> {
        Quantity::parse(s.trim())
    }

    /// True when `s` matches the OpenAPI pattern of a quantity and parses: a sign, digits with an
    /// optional fraction (at least one digit), and an optional suffix. `Mi`, `-`, `.` and `1e`
    /// fail here; `1.`, `.5`, `+1e-3` pass.
    pub fn is_well_formed(s: &str) -> bool {
        fn number(b: &[u8], mut i: usize) -> Option<usize> {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let int_digits = i - start;
            if i < b.len() && b[i] == b'.' {
                i += 1;
                let frac_start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if int_digits == 0 && i == frac_start {
                    return None;
                }
            } else if int_digits == 0 {
                return None;
            }
            Some(i)
        }
        let b = s.as_bytes();
        let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
        let Some(after) = number(b, i) else {
            return false;
        };
        i = after;
        let suffix = &s[i..];
        let suffix_ok = match suffix.as_bytes() {
            [] => true,
            [b'K' | b'M' | b'G' | b'T' | b'P' | b'E', b'i'] => true,
            [b'n' | b'u' | b'm' | b'k' | b'M' | b'G' | b'T' | b'P' | b'E'] => true,
            [b'e' | b'E', ..] => {
                let mut j = i + 1;
                if matches!(b.get(j), Some(b'+' | b'-')) {
                    j += 1;
                }
                number(b, j) == Some(b.len())
            }
            _ => false,
        };
        suffix_ok && Quantity::parse(s).is_ok()
    }

    pub const fn from_nanos(nanos: i128) -> Quantity {
        Quantity { nanos }
    }

    pub fn from_millis(millis: i128) -> Quantity {
        Quantity {
            nanos: millis.saturating_mul(1_000_000),
        }
    }

    pub fn from_units(units: i128) -> Quantity {
        Quantity {
            nanos: units.saturating_mul(NANOS_PER_UNIT),
        }
    }

    pub const fn nanos(self) -> i128 {
        self.nanos
    }

    /// The value in thousandths, rounded away from zero as Kubernetes' `MilliValue` does:
    /// CPU in millicores.
    pub fn as_millis(self) -> i128 {
        div_away(self.nanos, 1_000_000)
    }

    /// The value in whole units, rounded away from zero as Kubernetes' `Value` does: memory in bytes.
    pub fn as_units(self) -> i128 {
        div_away(self.nanos, NANOS_PER_UNIT)
    }

    /// Bytes, for memory and storage.
    pub fn as_bytes(self) -> i128 {
        self.as_units()
    }

    pub fn is_zero(self) -> bool {
        self.nanos == 0
    }

    pub fn is_negative(self) -> bool {
        self.nanos < 0
    }

    pub fn saturating_add(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_add(other.nanos),
        }
    }

    pub fn saturating_mul(self, factor: u64) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_mul(i128::from(factor)),
        }
    }

    /// `self / other` as a float, for messages and thresholds; `None` when `other` is zero.
    pub fn ratio(self, other: Quantity) -> Option<f64> {
        (other.nanos != 0).then(|| self.nanos as f64 / other.nanos as f64)
    }

    /// True when `self > other × factor`, computed exactly for factors given in thousandths.
    pub fn exceeds_times(self, other: Quantity, factor_millis: u64) -> bool {
        let lhs = self.nanos.checked_mul(1000);
        let rhs = other.nanos.checked_mul(i128::from(factor_millis));
        match (lhs, rhs) {
            (Some(l), Some(r)) => l > r,
            _ => self.nanos as f64 > other.nanos as f64 * factor_millis as f64 / 1000.0,
        }
    }

    /// A CPU amount for messages: `250m`, `2`, `1.5`.
    pub fn display_cpu(self) -> String {
        if self.nanos % 1_000_000 != 0 {
            return format!("{}n", self.nanos);
        }
        let millis = self.nanos / 1_000_000;
        if millis % 1000 == 0 {
            format!("{}", millis / 1000)
        } else if millis.abs() >= 1000 {
            trim_decimal(format!("{}.{:03}", millis / 1000, (millis % 1000).abs()))
        } else {
            format!("{millis}m")
        }
    }

    /// A byte amount for messages, in the largest binary unit it reaches, with at most two
    /// decimals: `512Mi`, `1.5Gi`, `100` (bytes).
    pub fn display_bytes(self) -> String {
        let bytes = self.as_units();
        const UNITS: [(&str, u32); 6] = [
            ("Ei", 60),
            ("Pi", 50),
            ("Ti", 40),
            ("Gi", 30),
            ("Mi", 20),
            ("Ki", 10),
        ];
        let magnitude = bytes.unsigned_abs();
        for (suffix, shift) in UNITS {
            let unit = 1u128 << shift;
            if magnitude >= unit {
                let sign = if bytes < 0 { "-" } else { "" };
                let whole = magnitude / unit;
                let hundredths = ((magnitude % unit) * 100 + unit / 2) / unit;
                let (whole, hundredths) = if hundredths == 100 {
                    (whole + 1, 0)
                } else {
                    (whole, hundredths)
                };
                let text = trim_decimal(format!("{whole}.{hundredths:02}"));
                return format!("{sign}{text}{suffix}");
            }
        }
        format!("{bytes}")
    }
}

fn trim_decimal(text: String) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Division rounding away from zero.
fn div_away(value: i128, by: i128) -> i128 {
    let q = value / by;
    if value % by == 0 {
        q
    } else if value > 0 {
        q + 1
    } else {
        q - 1
    }
}

impl std::str::FromStr for Quantity {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Quantity, QuantityError> {
        Quantity::parse(s)
    }
}

impl PartialOrd<i128> for Quantity {
    fn partial_cmp(&self, other: &i128) -> Option<Ordering> {
        Some(self.nanos.cmp(&other.saturating_mul(NANOS_PER_UNIT)))
    }
}

impl PartialEq<i128> for Quantity {
    fn eq(&self, other: &i128) -> bool {
        self.nanos == other.saturating_mul(NANOS_PER_UNIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn nanos(s: &str) -> i128 {
        q(s).nanos()
    }

    const G: i128 = 1_000_000_000;

    #[test]
    fn plain_numbers_and_zero() {
        assert_eq!(nanos("0"), 0);
        assert_eq!(nanos("1"), G);
        assert_eq!(nanos("9"), 9 * G);
        assert_eq!(nanos("000012"), 12 * G);
        assert_eq!(nanos("-0"), 0);
        assert_eq!(nanos("+0"), 0);
        assert_eq!(nanos("0.0"), 0);
    }

    #[test]
    fn decimal_si_suffixes() {
        assert_eq!(nanos("5n"), 5);
        assert_eq!(nanos("4u"), 4_000);
        assert_eq!(nanos("3m"), 3_000_000);
        assert_eq!(nanos("250m"), G / 4);
        assert_eq!(q("8k").as_units(), 8_000);
        assert_eq!(q("50k").as_units(), 50_000);
        assert_eq!(q("7M").as_units(), 7_000_000);
        assert_eq!(q("6G").as_units(), 6_000_000_000);
        assert_eq!(q("5T").as_units(), 5_000_000_000_000);
        assert_eq!(q("2P").as_units(), 2_000_000_000_000_000);
        // `E` alone is exa, not an exponent.
        assert_eq!(q("1E").as_units(), 1_000_000_000_000_000_000);
        // Decimal quantities are not capped at 2^63-1.
        assert_eq!(q("12E").as_units(), 12_000_000_000_000_000_000);
    }

    #[test]
    fn binary_si_suffixes() {
        assert_eq!(q("1Ki").as_bytes(), 1024);
        assert_eq!(q("8Ki").as_bytes(), 8 * 1024);
        assert_eq!(q("7Mi").as_bytes(), 7 << 20);
        assert_eq!(q("6Gi").as_bytes(), 6 << 30);
        assert_eq!(q("5Ti").as_bytes(), 5 << 40);
        assert_eq!(q("4Pi").as_bytes(), 4 << 50);
        assert_eq!(q("3Ei").as_bytes(), 3 << 60);
        assert_eq!(q("100Ti").as_bytes(), 100 << 40);
        assert_eq!(q("1.5Gi").as_bytes(), 1536 << 20);
        assert_eq!(q("0.5Mi").as_bytes(), 512 * 1024);
        assert_eq!(q("100.035Ki").as_units(), 102436); // 102435.84 rounds up
        assert_eq!(nanos("100.035Ki"), 102_435_840_000_000);
        assert_eq!(nanos("0.05Gi"), 53_687_091_200_000_000);
    }

    #[test]
    fn binary_quantities_cap_at_int64_max() {
        let max = i64::MAX as i128;
        assert_eq!(q("8Ei").as_units(), max);
        assert_eq!(q("9Ei").as_units(), max);
        assert_eq!(q("9223372036854775807Ki").as_units(), max);
        assert_eq!(q("-9Ei").as_units(), -max);
        assert_eq!(q("7Ei").as_units(), 7 << 60);
    }

    #[test]
    fn decimal_exponents() {
        assert_eq!(q("1e3").as_units(), 1000);
        assert_eq!(q("1E6").as_units(), 1_000_000);
        assert_eq!(q("1E-3").as_millis(), 1);
        assert_eq!(q("1e+3").as_units(), 1000);
        assert_eq!(q("1.2e3").as_units(), 1200);
        assert_eq!(q("1.3E+6").as_units(), 1_300_000);
        assert_eq!(q("1.53E12").as_units(), 1_530_000_000_000);
        assert_eq!(nanos("0.5e0"), G / 2);
        assert_eq!(nanos("0.5e-2"), 5_000_000);
        assert_eq!(q("1.7E18").as_units(), 1_700_000_000_000_000_000);
        // Go converts the int64 exponent to int32: 2^32 wraps to 0.
        assert_eq!(q("1e4294967296").as_units(), 1);
    }

    #[test]
    fn fractions() {
        assert_eq!(q("0.5").as_millis(), 500);
        assert_eq!(q(".5").as_millis(), 500);
        assert_eq!(q(".001").as_millis(), 1);
        assert_eq!(q("1.").as_units(), 1);
        assert_eq!(q("1.G").as_units(), 1_000_000_000);
        assert_eq!(q("0.0005k").as_millis(), 500);
        assert_eq!(q(".0001k").as_millis(), 100);
        assert_eq!(q("10.035M").as_units(), 10_035_000);
        assert_eq!(q("6.987654321G").as_units(), 6_987_654_321);
        assert_eq!(q("1.01E").as_units(), 1_010_000_000_000_000_000);
        assert_eq!(q("0.00050k").as_millis(), 500);
    }

    #[test]
    fn rounding_below_a_nano_goes_away_from_zero() {
        assert_eq!(nanos("3.001n"), 4);
        assert_eq!(nanos("1.1E-9"), 2);
        assert_eq!(nanos("0.0000000001"), 1);
        assert_eq!(nanos("0.0000000005"), 1);
        assert_eq!(nanos("0.5e-9"), 1);
        assert_eq!(nanos("0.9n"), 1);
        assert_eq!(nanos("0.00000012345"), 124);
        assert_eq!(nanos("0.000000000001Ki"), 2);
        assert_eq!(nanos("-0.9n"), -1);
        // Many fraction digits, all zero after the first: exact.
        assert_eq!(nanos("1.000000000000000000000000000000000000000000"), G);
        assert_eq!(nanos("1.000000000000000000000000000000000000000001"), G + 1);
    }

    #[test]
    fn signs() {
        assert_eq!(q("-1").as_units(), -1);
        assert_eq!(q("+1").as_units(), 1);
        assert_eq!(q("-1.5Gi").as_bytes(), -(1536 << 20));
        assert_eq!(q("-250m").as_millis(), -250);
        assert!(q("-1").is_negative());
    }

    #[test]
    fn digitless_numbers_parse_as_zero_like_kubernetes() {
        // ParseQuantity accepts these (the number part defaults to 0); the OpenAPI pattern does not.
        for s in ["Mi", "m", "-", "+", ".", "e3", "-.Ki", ".G"] {
            assert_eq!(q(s), Quantity::ZERO, "{s}");
            assert!(!Quantity::is_well_formed(s), "{s}");
        }
    }

    #[test]
    fn invalid() {
        use QuantityError::*;
        let cases = [
            ("", Empty),
            ("512MB", Format),
            ("1.2.3", Format),
            ("1.1.M", Format),
            ("1+1.0M", Format),
            ("aoeu", Format),
            (" 1", Format),
            ("1 ", Format),
            ("1 Gi", Format),
            ("1e3i", Format),
            ("1Gb", Format),
            ("100%", Format),
            ("1,5", Format),
            ("0.1mi", Suffix),
            ("0.1am", Format),
            (".5i", Suffix),
            ("1i", Suffix),
            ("-3.01i", Suffix),
            ("-3.01e-", Suffix),
            ("1e", Suffix),
            ("1K", Suffix),
            ("1kM", Suffix),
            ("1EE", Suffix),
            ("1KI", Format),
            ("1e+", Suffix),
            ("1e99999999999999999999", Suffix),
        ];
        for (s, want) in cases {
            assert_eq!(Quantity::parse(s), Err(want), "{s:?}");
            assert!(!Quantity::is_well_formed(s), "{s:?}");
        }
    }

    #[test]
    fn manifest_values_are_trimmed() {
        assert_eq!(
            Quantity::from_manifest(" 1Gi\n").unwrap().as_bytes(),
            1 << 30
        );
        assert!(Quantity::from_manifest("1 Gi").is_err());
        assert_eq!(Quantity::from_manifest("  "), Err(QuantityError::Empty));
    }

    #[test]
    fn well_formed() {
        for s in [
            "1", "1.", ".5", "+1e-3", "1.5Gi", "250m", "1E", "1Ei", "-2", "0.5e0",
        ] {
            assert!(Quantity::is_well_formed(s), "{s}");
        }
    }

    #[test]
    fn huge_values_saturate_instead_of_overflowing() {
        assert_eq!(nanos("1e40"), i128::MAX);
        assert_eq!(nanos("-1e40"), -i128::MAX);
        assert_eq!(
            nanos("99999999999999999999999999999999999999999999"),
            i128::MAX
        );
        // Below a nano after a huge negative exponent: rounds up to 1n.
        assert_eq!(nanos("1e-2000000000"), 1);
        // The cap of a binary quantity applies to a huge mantissa too.
        assert_eq!(
            q("99999999999999999999999999999999999999999999Ki").as_units(),
            i64::MAX as i128
        );
    }

    #[test]
    fn comparisons_and_conversions() {
        assert!(q("1Gi") > q("1G"));
        assert!(q("1000m") == q("1"));
        assert!(q("0.1") == q("100m"));
        assert!(q("1e3") == q("1k"));
        assert!(q("1Ki") > 1000);
        assert!(q("1k") == 1000);
        assert_eq!(q("0.5m").as_millis(), 1); // MilliValue rounds up
        assert_eq!(q("1.5").as_units(), 2);
        assert_eq!(q("100m").as_millis(), 100);
        assert_eq!(Quantity::from_millis(1500), q("1.5"));
        assert_eq!(Quantity::from_units(2), q("2"));
        assert_eq!(q("1").saturating_add(q("500m")), q("1.5"));
        assert_eq!(q("256Mi").saturating_mul(4), q("1Gi"));
        assert_eq!(q("2Gi").ratio(q("256Mi")), Some(8.0));
        assert_eq!(q("1").ratio(Quantity::ZERO), None);
        assert!(q("513Mi").exceeds_times(q("256Mi"), 2000));
        assert!(!q("512Mi").exceeds_times(q("256Mi"), 2000));
        assert_eq!("250m".parse::<Quantity>(), Ok(q("250m")));
    }

    #[test]
    fn display() {
        assert_eq!(q("250m").display_cpu(), "250m");
        assert_eq!(q("2").display_cpu(), "2");
        assert_eq!(q("1500m").display_cpu(), "1.5");
        assert_eq!(q("1250m").display_cpu(), "1.25");
        assert_eq!(q("5n").display_cpu(), "5n");
        assert_eq!(q("512Mi").display_bytes(), "512Mi");
        assert_eq!(q("1.5Gi").display_bytes(), "1.5Gi");
        assert_eq!(q("2G").display_bytes(), "1.86Gi");
        assert_eq!(q("100").display_bytes(), "100");
        assert_eq!(q("1023.999Ki").display_bytes(), "1024Ki");
    }
}
