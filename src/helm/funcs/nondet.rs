//! Functions whose Go results depend on the clock, randomness, the network or secret key
//! generation. A linter must be deterministic, so these are replaced as follows (the same
//! arguments always give the same result, independent of call order and thread):
//!
//! - **Clock**: `now` is fixed at 2024-01-01T00:00:00Z ([`FIXED_NOW`]). `date`, `dateInZone`,
//!   `htmlDate`, `htmlDateInZone`, `ago`, `dateModify`, `mustDateModify`, `toDate`, `mustToDate`,
//!   `unixEpoch`, `duration`, `durationRound` are real implementations on top of it (Go layouts such
//!   as `2006-01-02T15:04:05Z07:00` are supported). Every time zone is UTC (no zone database);
//!   Go falls back to UTC too for unknown zones. As in Sprig, `date` of a value that is not a time
//!   or an integer formats `now`.
//! - **Random**: `randAlphaNum randAlpha randNumeric randAscii` return strings of the requested
//!   length over the right alphabet, `randInt` a number in range, `randBytes` base64 of the
//!   requested byte count, `shuffle` a permutation, `uuidv4` a well-formed version-4 UUID, all
//!   drawn from a generator seeded by the function name and its arguments.
//! - **Keys and certificates**: `genPrivateKey`, `genCA`, `genCAWithKey`, `genSelfSignedCert`,
//!   `genSelfSignedCertWithKey`, `genSignedCert`, `genSignedCertWithKey`, `buildCustomCert`
//!   return PEM blocks of the right type and about the right size whose base64 body is seeded
//!   bytes, not DER (`.Cert` and `.Key` fields as in Sprig); `buildCustomCert` decodes and returns
//!   its inputs as Sprig does.
//! - **Hashes with salt**: `bcrypt` returns a `$2a$10$…` string of bcrypt's length, `htpasswd`
//!   `user:` followed by it. `derivePassword` (deterministic in Go, but scrypt-based) returns a
//!   seeded password of its template's length.
//! - **Encryption**: `encryptAES` returns base64 of a fixed 16-byte IV and the PKCS#7-padded
//!   plain text (no cipher); `decryptAES` undoes exactly that.
//! - **Network**: `getHostByName` returns "" as Helm does when DNS lookups are disabled (the
//!   default).

use std::fmt::Write as _;
use std::sync::Arc;

use base64::Engine as _;

use super::super::value::{Kind, Native, Value};
use super::{MAX_OUTPUT, Result, arg_int, arg_str, arity, call_err, type_name};

/// The fixed clock: 2024-01-01T00:00:00Z.
pub const FIXED_NOW: i64 = 1_704_067_200;

// ---------------------------------------------------------------------------------------------
// Seeded generator.

/// splitmix64 seeded by FNV-1a of the function name and arguments.
struct Rng(u64);

impl Rng {
    fn new(name: &str, args: &[Value]) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |b: &[u8]| {
            for &x in b {
                h ^= u64::from(x);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        feed(name.as_bytes());
        for a in args {
            feed(&[0xff]);
            feed(super::gofmt::display(a).as_bytes());
        }
        Rng(h)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn count_arg(name: &str, args: &[Value]) -> std::result::Result<usize, String> {
    arity(name, args, 1)?;
    let n = arg_int(args, 0)?;
    if n < 0 {
        return Err(call_err(name, "count must be non-negative"));
    }
    if n as u64 > MAX_OUTPUT as u64 {
        return Err(call_err(
            name,
            &format!("count {n} exceeds the {MAX_OUTPUT} limit"),
        ));
    }
    Ok(n as usize)
}

fn rand_from(name: &str, args: &[Value], alphabet: &[u8]) -> Result {
    let n = count_arg(name, args)?;
    let mut rng = Rng::new(name, args);
    let s: String = (0..n)
        .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize] as char)
        .collect();
    Ok(Value::str(s))
}

const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const NUMERIC: &[u8] = b"0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

pub fn rand_alpha_num(args: &[Value]) -> Result {
    rand_from("randAlphaNum", args, ALNUM)
}

pub fn rand_alpha(args: &[Value]) -> Result {
    rand_from("randAlpha", args, ALPHA)
}

pub fn rand_numeric(args: &[Value]) -> Result {
    rand_from("randNumeric", args, NUMERIC)
}

pub fn rand_ascii(args: &[Value]) -> Result {
    let printable: Vec<u8> = (b' '..=b'~').collect();
    rand_from("randAscii", args, &printable)
}

pub fn rand_int(args: &[Value]) -> Result {
    arity("randInt", args, 2)?;
    let (lo, hi) = (arg_int(args, 0)?, arg_int(args, 1)?);
    if hi <= lo {
        return Err(call_err("randInt", "invalid argument to Intn"));
    }
    let span = (hi as i128 - lo as i128) as u64;
    let mut rng = Rng::new("randInt", args);
    Ok(Value::int((lo as i128 + rng.below(span) as i128) as i64))
}

pub fn rand_bytes(args: &[Value]) -> Result {
    let n = count_arg("randBytes", args)?;
    let mut rng = Rng::new("randBytes", args);
    Ok(Value::str(
        base64::engine::general_purpose::STANDARD.encode(rng.bytes(n)),
    ))
}

pub fn shuffle(args: &[Value]) -> Result {
    arity("shuffle", args, 1)?;
    let s = arg_str(args, 0)?;
    let mut chars: Vec<char> = s.chars().collect();
    let mut rng = Rng::new("shuffle", args);
    for i in (1..chars.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        chars.swap(i, j);
    }
    Ok(Value::str(chars.into_iter().collect::<String>()).with_origin(args[0].origin))
}

pub fn uuidv4(args: &[Value]) -> Result {
    arity("uuidv4", args, 0)?;
    let mut b = Rng::new("uuidv4", args).bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(Value::str(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )))
}

// ---------------------------------------------------------------------------------------------
// Keys, certificates, salted hashes.

fn pem(kind: &str, body: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    let mut s = format!("-----BEGIN {kind}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        s.push('\n');
    }
    let _ = writeln!(s, "-----END {kind}-----");
    s
}

pub fn gen_private_key(args: &[Value]) -> Result {
    arity("genPrivateKey", args, 1)?;
    let t = arg_str(args, 0)?;
    let (kind, len) = match t {
        "rsa" => ("RSA PRIVATE KEY", 1190),
        "dsa" => ("DSA PRIVATE KEY", 445),
        "ecdsa" => ("EC PRIVATE KEY", 121),
        "ed25519" => ("PRIVATE KEY", 48),
        _ => return Ok(Value::str(format!("Unknown type {t}"))),
    };
    let mut rng = Rng::new("genPrivateKey", args);
    Ok(Value::str(pem(kind, &rng.bytes(len))))
}

/// Sprig's `certificate`: `.Cert` and `.Key` PEM strings.
#[derive(Debug)]
pub struct Certificate {
    pub cert: String,
    pub key: String,
}

impl Native for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::str(self.cert.as_str())),
            "Key" => Some(Value::str(self.key.as_str())),
            _ => None,
        }
    }
    fn call(&self, method: &str, args: &[Value]) -> Option<Result> {
        if args.is_empty() {
            self.field(method).map(Ok)
        } else {
            None
        }
    }
    fn display(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }
    fn to_data(&self) -> Option<Value> {
        Some(Value::map(std::collections::BTreeMap::from([
            ("Cert".to_string(), Value::str(self.cert.as_str())),
            ("Key".to_string(), Value::str(self.key.as_str())),
        ])))
    }
}

fn cert_value(name: &str, args: &[Value], key: Option<String>) -> Value {
    let mut rng = Rng::new(name, args);
    let cert = pem("CERTIFICATE", &rng.bytes(800));
    let key = key.unwrap_or_else(|| pem("RSA PRIVATE KEY", &rng.bytes(1190)));
    Value::new(Kind::Native(Arc::new(Certificate { cert, key })))
}

fn list_param(args: &[Value], i: usize) -> std::result::Result<(), String> {
    match args.get(i).map(|v| &v.kind) {
        Some(Kind::List(_)) | Some(Kind::Nil) => Ok(()),
        Some(_) => Err(format!(
            "wrong type for value; expected []interface {{}}; got {}",
            type_name(&args[i])
        )),
        None => Err("invalid value; expected []interface {}".to_string()),
    }
}

fn cert_param(args: &[Value], i: usize) -> std::result::Result<(), String> {
    match args.get(i).map(|v| &v.kind) {
        Some(Kind::Native(n)) if n.type_name() == "sprig.certificate" => Ok(()),
        Some(_) => Err(format!(
            "wrong type for value; expected sprig.certificate; got {}",
            type_name(&args[i])
        )),
        None => Err("invalid value; expected sprig.certificate".to_string()),
    }
}

pub fn gen_ca(args: &[Value]) -> Result {
    arity("genCA", args, 2)?;
    arg_str(args, 0)?;
    arg_int(args, 1)?;
    Ok(cert_value("genCA", args, None))
}

pub fn gen_ca_with_key(args: &[Value]) -> Result {
    arity("genCAWithKey", args, 3)?;
    arg_str(args, 0)?;
    arg_int(args, 1)?;
    let key = arg_str(args, 2)?.to_string();
    Ok(cert_value("genCAWithKey", args, Some(key)))
}

pub fn gen_self_signed_cert(args: &[Value]) -> Result {
    arity("genSelfSignedCert", args, 4)?;
    arg_str(args, 0)?;
    list_param(args, 1)?;
    list_param(args, 2)?;
    arg_int(args, 3)?;
    Ok(cert_value("genSelfSignedCert", args, None))
}

pub fn gen_self_signed_cert_with_key(args: &[Value]) -> Result {
    arity("genSelfSignedCertWithKey", args, 5)?;
    arg_str(args, 0)?;
    list_param(args, 1)?;
    list_param(args, 2)?;
    arg_int(args, 3)?;
    let key = arg_str(args, 4)?.to_string();
    Ok(cert_value("genSelfSignedCertWithKey", args, Some(key)))
}

pub fn gen_signed_cert(args: &[Value]) -> Result {
    arity("genSignedCert", args, 5)?;
    arg_str(args, 0)?;
    list_param(args, 1)?;
    list_param(args, 2)?;
    arg_int(args, 3)?;
    cert_param(args, 4)?;
    Ok(cert_value("genSignedCert", args, None))
}

pub fn gen_signed_cert_with_key(args: &[Value]) -> Result {
    arity("genSignedCertWithKey", args, 6)?;
    arg_str(args, 0)?;
    list_param(args, 1)?;
    list_param(args, 2)?;
    arg_int(args, 3)?;
    cert_param(args, 4)?;
    let key = arg_str(args, 5)?.to_string();
    Ok(cert_value("genSignedCertWithKey", args, Some(key)))
}

/// `buildCustomCert b64cert b64key`: the decoded PEM strings.
pub fn build_custom_cert(args: &[Value]) -> Result {
    arity("buildCustomCert", args, 2)?;
    let dec = |i: usize| -> std::result::Result<String, String> {
        let s = arg_str(args, i)?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|_| {
                call_err(
                    "buildCustomCert",
                    if i == 0 {
                        "unable to decode base64 certificate"
                    } else {
                        "unable to decode base64 private key"
                    },
                )
            })
    };
    let cert = dec(0)?;
    let key = dec(1)?;
    Ok(Value::new(Kind::Native(Arc::new(Certificate {
        cert,
        key,
    }))))
}

const BCRYPT_ALPHABET: &[u8] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn fake_bcrypt(name: &str, args: &[Value]) -> String {
    let mut rng = Rng::new(name, args);
    let body: String = (0..53)
        .map(|_| BCRYPT_ALPHABET[rng.below(64) as usize] as char)
        .collect();
    format!("$2a$10${body}")
}

pub fn bcrypt(args: &[Value]) -> Result {
    arity("bcrypt", args, 1)?;
    arg_str(args, 0)?;
    Ok(Value::str(fake_bcrypt("bcrypt", args)))
}

pub fn htpasswd(args: &[Value]) -> Result {
    arity("htpasswd", args, 2)?;
    let user = arg_str(args, 0)?;
    arg_str(args, 1)?;
    if user.contains(':') {
        return Ok(Value::str(format!("invalid username: {user}")));
    }
    Ok(Value::str(format!(
        "{user}:{}",
        fake_bcrypt("htpasswd", args)
    )))
}

pub fn derive_password(args: &[Value]) -> Result {
    arity("derivePassword", args, 5)?;
    arg_int(args, 0)?;
    let template = arg_str(args, 1)?;
    for i in 2..5 {
        arg_str(args, i)?;
    }
    let len = match template {
        "maximum" => 20,
        "long" => 14,
        "medium" | "basic" => 8,
        "short" | "pin" => 4,
        "name" => 9,
        "phrase" => 20,
        _ => {
            return Err(call_err(
                "derivePassword",
                &format!("cannot find template {template}"),
            ));
        }
    };
    let mut rng = Rng::new("derivePassword", args);
    let alphabet: &[u8] = if template == "pin" { NUMERIC } else { ALNUM };
    let s: String = (0..len)
        .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize] as char)
        .collect();
    Ok(Value::str(s))
}

const STUB_IV: &[u8; 16] = b"kpolicy-noniv-16";

pub fn encrypt_aes(args: &[Value]) -> Result {
    arity("encryptAES", args, 2)?;
    arg_str(args, 0)?;
    let text = arg_str(args, 1)?.as_bytes();
    let pad = 16 - text.len() % 16;
    let mut buf = STUB_IV.to_vec();
    buf.extend_from_slice(text);
    buf.extend(std::iter::repeat_n(pad as u8, pad));
    Ok(Value::str(
        base64::engine::general_purpose::STANDARD.encode(buf),
    ))
}

pub fn decrypt_aes(args: &[Value]) -> Result {
    arity("decryptAES", args, 2)?;
    arg_str(args, 0)?;
    let data = base64::engine::general_purpose::STANDARD
        .decode(arg_str(args, 1)?)
        .map_err(|e| call_err("decryptAES", &e.to_string()))?;
    if data.len() < 32 || data.len() % 16 != 0 || &data[..16] != STUB_IV {
        return Ok(Value::str(""));
    }
    let body = &data[16..];
    let pad = *body.last().unwrap_or(&0) as usize;
    if pad == 0 || pad > 16 || pad > body.len() {
        return Ok(Value::str(""));
    }
    Ok(Value::str(
        String::from_utf8_lossy(&body[..body.len() - pad]).into_owned(),
    ))
}

pub fn get_host_by_name(args: &[Value]) -> Result {
    arity("getHostByName", args, 1)?;
    arg_str(args, 0)?;
    Ok(Value::str(""))
}

// ---------------------------------------------------------------------------------------------
// Time.

/// Go's `time.Time`: seconds since the epoch, nanoseconds, and the zone it is shown in (an offset
/// east of UTC and an abbreviation; `None` names the offset itself, as Go's fabricated zones do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Time {
    pub secs: i64,
    pub nanos: u32,
    pub offset: i32,
    pub zone: Option<Arc<str>>,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Civil date of a day number (days since 1970-01-01).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

impl Time {
    pub fn utc(secs: i64, nanos: u32) -> Time {
        Time {
            secs,
            nanos,
            offset: 0,
            zone: None,
        }
    }

    /// The zone abbreviation `MST` prints: the name, `UTC` for offset 0, else `+0100`.
    fn zone_name(&self) -> String {
        match &self.zone {
            Some(z) => z.to_string(),
            None if self.offset == 0 => "UTC".to_string(),
            None => self.offset_string(false, false),
        }
    }

    /// `+01:00` (colon), `+0100`, with seconds when `secs`.
    fn offset_string(&self, colon: bool, secs: bool) -> String {
        let sign = if self.offset < 0 { '-' } else { '+' };
        let a = self.offset.unsigned_abs();
        let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
        let sep = if colon { ":" } else { "" };
        if secs {
            format!("{sign}{h:02}{sep}{m:02}{sep}{s:02}")
        } else {
            format!("{sign}{h:02}{sep}{m:02}")
        }
    }

    fn parts(&self) -> (i64, u32, u32, u32, u32, u32, u32, u32) {
        let local = self.secs + i64::from(self.offset);
        let days = local.div_euclid(86_400);
        let rem = local.rem_euclid(86_400) as u32;
        let (y, m, d) = civil(days);
        let wd = (days + 4).rem_euclid(7) as u32;
        let yday = (days - days_from_civil(y, 1, 1)) as u32 + 1;
        (y, m, d, rem / 3600, rem / 60 % 60, rem % 60, wd, yday)
    }

    /// Go's `Time.Format` for a UTC time.
    pub fn format(&self, layout: &str) -> String {
        let (y, mo, d, h, mi, s, wd, yday) = self.parts();
        let b = layout.as_bytes();
        let mut out = String::new();
        let mut i = 0;
        let starts = |i: usize, p: &str| layout[i..].starts_with(p);
        let lower_next = |j: usize| b.get(j).is_some_and(|c| c.is_ascii_lowercase());
        while i < b.len() {
            let c = b[i];
            let take = |n: usize, s: String, out: &mut String| {
                out.push_str(&s);
                n
            };
            let n = match c {
                b'J' if starts(i, "January") => take(7, MONTHS[mo as usize - 1].into(), &mut out),
                b'J' if starts(i, "Jan") && !lower_next(i + 3) => {
                    take(3, MONTHS[mo as usize - 1][..3].into(), &mut out)
                }
                b'M' if starts(i, "Monday") => take(6, DAYS[wd as usize].into(), &mut out),
                b'M' if starts(i, "Mon") && !lower_next(i + 3) => {
                    take(3, DAYS[wd as usize][..3].into(), &mut out)
                }
                b'M' if starts(i, "MST") => take(3, self.zone_name(), &mut out),
                b'0' if b.get(i + 1).is_some_and(|x| (b'1'..=b'6').contains(x)) => {
                    let s = match b[i + 1] {
                        b'1' => format!("{mo:02}"),
                        b'2' => format!("{d:02}"),
                        b'3' => format!("{:02}", if h % 12 == 0 { 12 } else { h % 12 }),
                        b'4' => format!("{mi:02}"),
                        b'5' => format!("{s:02}"),
                        _ => format!("{:02}", y.rem_euclid(100)),
                    };
                    take(2, s, &mut out)
                }
                b'0' if starts(i, "002") => take(3, format!("{yday:03}"), &mut out),
                b'1' if starts(i, "15") => take(2, format!("{h:02}"), &mut out),
                b'1' => take(1, mo.to_string(), &mut out),
                b'2' if starts(i, "2006") => take(4, format!("{y:04}"), &mut out),
                b'2' => take(1, d.to_string(), &mut out),
                b'_' if starts(i, "_2006") => take(5, format!("_{y:04}"), &mut out),
                b'_' if starts(i, "_2") => take(2, format!("{d:>2}"), &mut out),
                b'_' if starts(i, "__2") => take(3, format!("{yday:>3}"), &mut out),
                b'3' => take(
                    1,
                    (if h % 12 == 0 { 12 } else { h % 12 }).to_string(),
                    &mut out,
                ),
                b'4' => take(1, mi.to_string(), &mut out),
                b'5' => take(1, s.to_string(), &mut out),
                b'P' if starts(i, "PM") => {
                    take(2, (if h >= 12 { "PM" } else { "AM" }).into(), &mut out)
                }
                b'p' if starts(i, "pm") => {
                    take(2, (if h >= 12 { "pm" } else { "am" }).into(), &mut out)
                }
                b'Z' if starts(i, "Z07:00:00") => take(
                    9,
                    if self.offset == 0 {
                        "Z".to_string()
                    } else {
                        self.offset_string(true, true)
                    },
                    &mut out,
                ),
                b'Z' if starts(i, "Z070000") => take(
                    7,
                    if self.offset == 0 {
                        "Z".to_string()
                    } else {
                        self.offset_string(false, true)
                    },
                    &mut out,
                ),
                b'Z' if starts(i, "Z07:00") => take(
                    6,
                    if self.offset == 0 {
                        "Z".to_string()
                    } else {
                        self.offset_string(true, false)
                    },
                    &mut out,
                ),
                b'Z' if starts(i, "Z0700") => take(
                    5,
                    if self.offset == 0 {
                        "Z".to_string()
                    } else {
                        self.offset_string(false, false)
                    },
                    &mut out,
                ),
                b'Z' if starts(i, "Z07") => take(
                    3,
                    if self.offset == 0 {
                        "Z".to_string()
                    } else {
                        self.offset_string(false, false)[..3].to_string()
                    },
                    &mut out,
                ),
                b'-' if starts(i, "-07:00:00") => take(9, self.offset_string(true, true), &mut out),
                b'-' if starts(i, "-070000") => take(7, self.offset_string(false, true), &mut out),
                b'-' if starts(i, "-07:00") => take(6, self.offset_string(true, false), &mut out),
                b'-' if starts(i, "-0700") => take(5, self.offset_string(false, false), &mut out),
                b'-' if starts(i, "-07") => take(
                    3,
                    self.offset_string(false, false)[..3].to_string(),
                    &mut out,
                ),
                b'.' | b',' if b.get(i + 1).is_some_and(|x| *x == b'0' || *x == b'9') => {
                    let ch = b[i + 1];
                    let mut j = i + 1;
                    while j < b.len() && b[j] == ch {
                        j += 1;
                    }
                    if b.get(j).is_some_and(u8::is_ascii_digit) {
                        out.push(c as char);
                        1
                    } else {
                        let digits = (j - i - 1).min(9);
                        let frac = format!("{:09}", self.nanos);
                        let mut f = frac[..digits].to_string();
                        if ch == b'9' {
                            while f.ends_with('0') {
                                f.pop();
                            }
                            if !f.is_empty() {
                                out.push(c as char);
                                out.push_str(&f);
                            }
                        } else {
                            out.push(c as char);
                            out.push_str(&f);
                        }
                        j - i
                    }
                }
                _ => {
                    out.push(c as char);
                    // Copy a whole UTF-8 sequence at once.
                    let w = layout[i..].chars().next().map(char::len_utf8).unwrap_or(1);
                    out.pop();
                    out.push_str(&layout[i..i + w]);
                    w
                }
            };
            i += n;
            if out.len() > MAX_OUTPUT {
                break;
            }
        }
        out
    }

    /// Go's `Time.String()` for UTC.
    pub fn go_string(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }

    /// Parses `value` with a Go layout (numeric fields, month and weekday names, `Z07:00`-style
    /// zones).
    pub fn parse(layout: &str, value: &str) -> std::result::Result<Time, String> {
        let err = || {
            format!("parsing time {value:?} as {layout:?}: cannot parse {value:?} as {layout:?}")
        };
        let lb = layout.as_bytes();
        let v = value;
        let (mut i, mut p) = (0usize, 0usize);
        let (mut y, mut mo, mut d, mut h, mut mi, mut s, mut nanos) =
            (1i64, 1u32, 1u32, 0u32, 0u32, 0u32, 0u32);
        let mut pm: Option<bool> = None;
        let mut offset: i64 = 0;
        let mut zone: Option<Arc<str>> = None;
        let num = |p: &mut usize, min: usize, max: usize| -> Option<u64> {
            let rest = &v.as_bytes()[*p..];
            let n = rest
                .iter()
                .take(max)
                .take_while(|c| c.is_ascii_digit())
                .count();
            if n < min {
                return None;
            }
            let x = v[*p..*p + n].parse().ok()?;
            *p += n;
            Some(x)
        };
        let starts = |i: usize, s: &str| layout[i..].starts_with(s);
        // Go accepts a fractional second after the seconds even when the layout has none.
        let frac_after_seconds = |p: &mut usize, nanos: &mut u32, i: usize| {
            let vb = v.as_bytes();
            let layout_has_frac = matches!(lb.get(i), Some(b'.' | b','))
                && matches!(lb.get(i + 1), Some(b'0' | b'9'));
            if layout_has_frac
                || !matches!(vb.get(*p), Some(b'.' | b','))
                || !vb.get(*p + 1).is_some_and(u8::is_ascii_digit)
            {
                return;
            }
            let digits = vb[*p + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            let kept = &v[*p + 1..*p + 1 + digits.min(9)];
            let n: u64 = kept.parse().unwrap_or(0);
            *nanos = (n * 10u64.pow(9 - kept.len() as u32)) as u32;
            *p += 1 + digits;
        };
        while i < lb.len() {
            let name_at = |p: usize, names: &[&str], short: bool| -> Option<(usize, usize)> {
                names.iter().enumerate().find_map(|(k, n)| {
                    let n = if short { &n[..3] } else { n };
                    v[p..].starts_with(n).then_some((k, n.len()))
                })
            };
            if starts(i, "January") {
                let (k, n) = name_at(p, &MONTHS, false).ok_or_else(err)?;
                mo = k as u32 + 1;
                p += n;
                i += 7;
            } else if starts(i, "Jan") {
                let (k, n) = name_at(p, &MONTHS, true).ok_or_else(err)?;
                mo = k as u32 + 1;
                p += n;
                i += 3;
            } else if starts(i, "Monday") {
                let (_, n) = name_at(p, &DAYS, false).ok_or_else(err)?;
                p += n;
                i += 6;
            } else if starts(i, "Mon") {
                let (_, n) = name_at(p, &DAYS, true).ok_or_else(err)?;
                p += n;
                i += 3;
            } else if starts(i, "MST") {
                let n = v[p..].chars().take_while(char::is_ascii_uppercase).count();
                if n < 3 {
                    return Err(err());
                }
                // Local time is UTC here: "UTC" is known, other names get offset 0.
                zone = Some(Arc::from(&v[p..p + n]));
                p += n;
                i += 3;
            } else if starts(i, "2006") {
                y = num(&mut p, 4, 4).ok_or_else(err)? as i64;
                i += 4;
            } else if starts(i, "01") {
                mo = num(&mut p, 2, 2).ok_or_else(err)? as u32;
                i += 2;
            } else if starts(i, "02") {
                d = num(&mut p, 2, 2).ok_or_else(err)? as u32;
                i += 2;
            } else if starts(i, "03") {
                h = num(&mut p, 2, 2).ok_or_else(err)? as u32;
                i += 2;
            } else if starts(i, "04") {
                mi = num(&mut p, 2, 2).ok_or_else(err)? as u32;
                i += 2;
            } else if starts(i, "05") {
                s = num(&mut p, 2, 2).ok_or_else(err)? as u32;
                i += 2;
                frac_after_seconds(&mut p, &mut nanos, i);
            } else if starts(i, "06") {
                let yy = num(&mut p, 2, 2).ok_or_else(err)? as i64;
                y = if yy >= 69 { 1900 + yy } else { 2000 + yy };
                i += 2;
            } else if starts(i, "15") {
                h = num(&mut p, 1, 2).ok_or_else(err)? as u32;
                i += 2;
            } else if starts(i, "_2") {
                if v[p..].starts_with(' ') {
                    p += 1;
                }
                d = num(&mut p, 1, 2).ok_or_else(err)? as u32;
                i += 2;
            } else if lb[i] == b'1' {
                mo = num(&mut p, 1, 2).ok_or_else(err)? as u32;
                i += 1;
            } else if lb[i] == b'2' {
                d = num(&mut p, 1, 2).ok_or_else(err)? as u32;
                i += 1;
            } else if lb[i] == b'3' {
                h = num(&mut p, 1, 2).ok_or_else(err)? as u32;
                i += 1;
            } else if lb[i] == b'4' {
                mi = num(&mut p, 1, 2).ok_or_else(err)? as u32;
                i += 1;
            } else if lb[i] == b'5' {
                s = num(&mut p, 1, 2).ok_or_else(err)? as u32;
                i += 1;
                frac_after_seconds(&mut p, &mut nanos, i);
            } else if starts(i, "PM") || starts(i, "pm") {
                let t = v.get(p..p + 2).ok_or_else(err)?.to_ascii_uppercase();
                pm = Some(match t.as_str() {
                    "PM" => true,
                    "AM" => false,
                    _ => return Err(err()),
                });
                p += 2;
                i += 2;
            } else if starts(i, "Z07:00")
                || starts(i, "-07:00")
                || starts(i, "Z0700")
                || starts(i, "-0700")
            {
                let colon = layout[i..].starts_with("Z07:00") || layout[i..].starts_with("-07:00");
                let zulu = lb[i] == b'Z';
                i += if colon { 6 } else { 5 };
                if zulu && v[p..].starts_with('Z') {
                    p += 1;
                    continue;
                }
                let sign = match v.as_bytes().get(p) {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(err()),
                };
                p += 1;
                let hh = num(&mut p, 2, 2).ok_or_else(err)? as i64;
                if colon {
                    if !v[p..].starts_with(':') {
                        return Err(err());
                    }
                    p += 1;
                }
                let mm = num(&mut p, 2, 2).ok_or_else(err)? as i64;
                offset = sign * (hh * 3600 + mm * 60);
            } else if (lb[i] == b'.' || lb[i] == b',')
                && lb.get(i + 1).is_some_and(|c| *c == b'0' || *c == b'9')
            {
                let ch = lb[i + 1];
                let mut j = i + 1;
                while j < lb.len() && lb[j] == ch {
                    j += 1;
                }
                i = j;
                if v[p..].starts_with(['.', ',']) {
                    p += 1;
                    let start = p;
                    let n = num(&mut p, 1, 9).ok_or_else(err)?;
                    nanos = (n * 10u64.pow(9 - (p - start) as u32)) as u32;
                }
            } else {
                let c = layout[i..].chars().next().ok_or_else(err)?;
                if !v[p..].starts_with(c) {
                    return Err(err());
                }
                i += c.len_utf8();
                p += c.len_utf8();
            }
        }
        if p != v.len() {
            return Err(format!("parsing time {value:?}: extra text: {:?}", &v[p..]));
        }
        if let Some(pm) = pm {
            if h > 12 {
                return Err(err());
            }
            h = match (pm, h) {
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, 12) => 0,
                (false, h) => h,
            };
        }
        let mdays = [
            31,
            if is_leap(y) { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        if !(1..=12).contains(&mo)
            || d < 1
            || d > mdays[mo as usize - 1]
            || h > 23
            || mi > 59
            || s > 59
        {
            return Err(format!("parsing time {value:?}: day out of range"));
        }
        let secs = days_from_civil(y, mo, d) * 86_400
            + i64::from(h) * 3600
            + i64::from(mi) * 60
            + i64::from(s)
            - offset;
        let has_offset = offset != 0;
        Ok(Time {
            secs,
            nanos,
            offset: offset as i32,
            // A numeric zone is shown by its offset; "UTC" is the UTC location.
            zone: if has_offset || zone.as_deref() == Some("UTC") {
                None
            } else {
                zone
            },
        })
    }
}

impl Native for Time {
    fn type_name(&self) -> &str {
        "time.Time"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn call(&self, method: &str, args: &[Value]) -> Option<Result> {
        let (y, mo, d, h, mi, s, wd, yday) = self.parts();
        let v = match (method, args) {
            ("Unix", []) => Value::int(self.secs),
            ("UnixNano", []) => Value::int(
                self.secs
                    .wrapping_mul(1_000_000_000)
                    .wrapping_add(i64::from(self.nanos)),
            ),
            ("Year", []) => Value::int(y),
            ("Month", []) => Value::str(MONTHS[mo as usize - 1]),
            ("Day", []) => Value::int(i64::from(d)),
            ("Hour", []) => Value::int(i64::from(h)),
            ("Minute", []) => Value::int(i64::from(mi)),
            ("Second", []) => Value::int(i64::from(s)),
            ("Nanosecond", []) => Value::int(i64::from(self.nanos)),
            ("Weekday", []) => Value::str(DAYS[wd as usize]),
            ("YearDay", []) => Value::int(i64::from(yday)),
            ("UTC", []) | ("Local", []) => time_value(Time::utc(self.secs, self.nanos)),
            ("String", []) => Value::str(self.go_string()),
            ("IsZero", []) => Value::bool(self.secs == zero_time().secs && self.nanos == 0),
            ("Zone", []) => Value::str(self.zone_name()),
            // Not a Go method: lets functions taking a time.Time keep its zone.
            ("ZoneOffset", []) => Value::int(i64::from(self.offset)),
            ("Format", [l]) => match &l.kind {
                Kind::Str(layout) => Value::str(self.format(layout)),
                _ => return Some(Err("wrong type for value; expected string".to_string())),
            },
            _ => return None,
        };
        Some(Ok(v))
    }
    fn display(&self) -> String {
        self.go_string()
    }
    fn to_data(&self) -> Option<Value> {
        Some(Value::str(
            self.format("2006-01-02T15:04:05.999999999Z07:00"),
        ))
    }
}

fn time_value(t: Time) -> Value {
    Value::new(Kind::Native(Arc::new(t)))
}

/// Go's zero `time.Time` (0001-01-01 00:00:00 UTC).
fn zero_time() -> Time {
    Time::utc(days_from_civil(1, 1, 1) * 86_400, 0)
}

fn now_time() -> Time {
    Time::utc(FIXED_NOW, 0)
}

/// A `time.Time` value's fields, zone included.
fn time_of(n: &dyn Native) -> Option<Time> {
    let get = |m: &str| n.call(m, &[]).and_then(|r| r.ok()).map(|v| v.kind);
    let (Some(Kind::Int(secs)), Some(Kind::Int(nanos)), Some(Kind::Int(offset))) =
        (get("Unix"), get("Nanosecond"), get("ZoneOffset"))
    else {
        return None;
    };
    let zone = match (get("Zone"), offset) {
        (Some(Kind::Str(z)), _) if &*z != "UTC" && !z.starts_with(['+', '-']) => Some(z),
        _ => None,
    };
    Some(Time {
        secs,
        nanos: nanos as u32,
        offset: offset as i32,
        zone,
    })
}

/// A time argument for formatting in the local zone (UTC here): a `time.Time`, or integer
/// seconds since the epoch; otherwise `now` (Sprig).
fn time_arg(v: &Value) -> Time {
    match &v.kind {
        Kind::Native(n) if n.type_name() == "time.Time" => time_of(n.as_ref())
            .map(|t| Time::utc(t.secs, t.nanos))
            .unwrap_or_else(now_time),
        Kind::Int(i) => Time::utc(*i, 0),
        _ => now_time(),
    }
}

/// A `time.Time` from an RFC 3339 date-time (`1979-05-27T07:32:00Z`), a date-time without zone
/// (read as UTC) or a date; `None` for other text.
pub fn time_from_rfc3339(s: &str) -> Option<Value> {
    let layouts = [
        "2006-01-02T15:04:05.999999999Z07:00",
        "2006-01-02T15:04:05Z07:00",
        "2006-01-02 15:04:05Z07:00",
        "2006-01-02T15:04:05.999999999",
        "2006-01-02T15:04:05",
        "2006-01-02",
    ];
    layouts
        .iter()
        .find_map(|l| Time::parse(l, s).ok())
        .map(time_value)
}

pub fn now(args: &[Value]) -> Result {
    arity("now", args, 0)?;
    Ok(time_value(now_time()))
}

pub fn date(args: &[Value]) -> Result {
    arity("date", args, 2)?;
    let layout = arg_str(args, 0)?;
    Ok(Value::str(time_arg(&args[1]).format(layout)).with_origin(args[1].origin))
}

pub fn date_in_zone(args: &[Value]) -> Result {
    arity("dateInZone", args, 3)?;
    let layout = arg_str(args, 0)?;
    arg_str(args, 2)?;
    Ok(Value::str(time_arg(&args[1]).format(layout)).with_origin(args[1].origin))
}

pub fn html_date(args: &[Value]) -> Result {
    arity("htmlDate", args, 1)?;
    Ok(Value::str(time_arg(&args[0]).format("2006-01-02")).with_origin(args[0].origin))
}

pub fn html_date_in_zone(args: &[Value]) -> Result {
    arity("htmlDateInZone", args, 2)?;
    arg_str(args, 1)?;
    Ok(Value::str(time_arg(&args[0]).format("2006-01-02")).with_origin(args[0].origin))
}

fn time_param(args: &[Value], i: usize) -> std::result::Result<Time, String> {
    match args.get(i).map(|v| &v.kind) {
        Some(Kind::Native(n)) if n.type_name() == "time.Time" => {
            Ok(time_of(n.as_ref()).unwrap_or_else(now_time))
        }
        Some(Kind::Nil) | None => Err("invalid value; expected time.Time".to_string()),
        Some(_) => Err(format!(
            "wrong type for value; expected time.Time; got {}",
            type_name(&args[i])
        )),
    }
}

fn date_modify_impl(name: &str, args: &[Value], must: bool) -> Result {
    arity(name, args, 2)?;
    let spec = arg_str(args, 0)?;
    let t = time_param(args, 1)?;
    match parse_duration(spec) {
        Ok(ns) => {
            let total = i128::from(t.secs) * 1_000_000_000 + i128::from(t.nanos) + ns;
            Ok(time_value(Time {
                secs: total.div_euclid(1_000_000_000) as i64,
                nanos: total.rem_euclid(1_000_000_000) as u32,
                ..t
            }))
        }
        Err(e) if must => Err(call_err(name, &e)),
        Err(_) => Ok(time_value(t)),
    }
}

pub fn date_modify(args: &[Value]) -> Result {
    date_modify_impl("dateModify", args, false)
}

pub fn must_date_modify(args: &[Value]) -> Result {
    date_modify_impl("mustDateModify", args, true)
}

fn to_date_impl(name: &str, args: &[Value], must: bool) -> Result {
    arity(name, args, 2)?;
    let layout = arg_str(args, 0)?;
    let s = arg_str(args, 1)?;
    match Time::parse(layout, s) {
        Ok(t) => Ok(time_value(t).with_origin(args[1].origin)),
        Err(e) if must => Err(call_err(name, &e)),
        Err(_) => Ok(time_value(zero_time())),
    }
}

pub fn to_date(args: &[Value]) -> Result {
    to_date_impl("toDate", args, false)
}

pub fn must_to_date(args: &[Value]) -> Result {
    to_date_impl("mustToDate", args, true)
}

pub fn unix_epoch(args: &[Value]) -> Result {
    arity("unixEpoch", args, 1)?;
    let t = time_param(args, 0)?;
    Ok(Value::str(t.secs.to_string()))
}

pub fn ago(args: &[Value]) -> Result {
    arity("ago", args, 1)?;
    let t = time_arg(&args[0]);
    let ns = (i128::from(FIXED_NOW) - i128::from(t.secs)) * 1_000_000_000 - i128::from(t.nanos);
    // Round to seconds, half away from zero.
    let secs = (ns + if ns >= 0 { 500_000_000 } else { -500_000_000 }) / 1_000_000_000;
    Ok(Value::str(duration_string(secs * 1_000_000_000)))
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub fn parse_duration(s: &str) -> std::result::Result<i128, String> {
    let err = || format!("time: invalid duration {s:?}");
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(err());
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(r) = rest.strip_prefix('.') {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &r[..n];
            rest = &r[n..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(err());
        }
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let mult: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(format!("time: missing unit in duration {s:?}")),
            _ => return Err(format!("time: unknown unit {unit:?} in duration {s:?}")),
        };
        let ip: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| err())?
        };
        let mut v = ip.checked_mul(mult).ok_or_else(err)?;
        if !frac_part.is_empty() {
            let digits = &frac_part[..frac_part.len().min(18)];
            let f: i128 = digits.parse().map_err(|_| err())?;
            v += f * mult / 10i128.pow(digits.len() as u32);
        }
        total = total.checked_add(v).ok_or_else(err)?;
        if total > i128::from(i64::MAX) {
            return Err(err());
        }
    }
    Ok(if neg { -total } else { total })
}

/// Go's `time.Duration.String()`.
pub fn duration_string(ns: i128) -> String {
    if ns == 0 {
        return "0s".to_string();
    }
    let neg = ns < 0;
    let u = ns.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (unit, div) = if u < 1_000 {
            ("ns", 1u128)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&frac_string(u, div));
        out.push_str(unit);
    } else {
        let h = u / 3_600_000_000_000;
        let m = u / 60_000_000_000 % 60;
        let s_ns = u % 60_000_000_000;
        if h > 0 {
            let _ = write!(out, "{h}h");
        }
        if h > 0 || m > 0 {
            let _ = write!(out, "{m}m");
        }
        out.push_str(&frac_string(s_ns, 1_000_000_000));
        out.push('s');
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

fn frac_string(v: u128, div: u128) -> String {
    let int = v / div;
    let mut frac = v % div;
    if frac == 0 {
        return int.to_string();
    }
    let mut width = div.ilog10() as usize;
    while frac.is_multiple_of(10) {
        frac /= 10;
        width -= 1;
    }
    format!("{int}.{frac:0width$}")
}

pub fn duration(args: &[Value]) -> Result {
    arity("duration", args, 1)?;
    // Sprig reads only strings and int64; an `int` (what Int holds for template literals, see
    // `gofmt::type_name`) or a float64 from values is 0, as in Go.
    let secs: i64 = match &args[0].kind {
        Kind::Str(s) => s.parse().unwrap_or(0),
        _ => 0,
    };
    Ok(Value::str(duration_string(
        i128::from(secs) * 1_000_000_000,
    )))
}

pub fn duration_round(args: &[Value]) -> Result {
    arity("durationRound", args, 1)?;
    let ns: i128 = match &args[0].kind {
        Kind::Str(s) => parse_duration(s).unwrap_or(0),
        Kind::Int(i) => i128::from(*i),
        Kind::Native(n) if n.type_name() == "time.Time" => {
            let t = time_arg(&args[0]);
            (i128::from(FIXED_NOW) - i128::from(t.secs)) * 1_000_000_000 - i128::from(t.nanos)
        }
        _ => 0,
    };
    let u = ns.unsigned_abs();
    let second = 1_000_000_000u128;
    let (minute, hour) = (60 * second, 3600 * second);
    let day = 24 * hour;
    let (month, year) = (30 * day, 365 * day);
    let s = if u > year {
        format!("{}y", u / year)
    } else if u > month {
        format!("{}mo", u / month)
    } else if u > day {
        format!("{}d", u / day)
    } else if u > hour {
        format!("{}h", u / hour)
    } else if u > minute {
        format!("{}m", u / minute)
    } else if u > second {
        format!("{}s", u / second)
    } else {
        "0s".to_string()
    };
    Ok(Value::str(s))
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use super::*;

    fn call(f: super::super::Func, args: &[Value]) -> String {
        match f(args) {
            Ok(v) => super::super::gofmt::display(&v),
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
    fn clock() {
        assert_eq!(call(now, &[]), "2024-01-01 00:00:00 +0000 UTC");
        assert_eq!(
            call(
                date,
                &[s("2006-01-02T15:04:05Z07:00 Mon Jan _2 3PM .000"), i(0)]
            ),
            "1970-01-01T00:00:00Z Thu Jan  1 12AM .000"
        );
        let t = to_date(&[s("2006-01-02"), s("2024-03-05")]).unwrap();
        assert_eq!(
            super::super::gofmt::display(&t),
            "2024-03-05 00:00:00 +0000 UTC"
        );
        assert_eq!(call(unix_epoch, &[t.clone()]), "1709596800");
        assert_eq!(
            call(date_modify, &[s("-1.5h"), t.clone()]),
            "2024-03-04 22:30:00 +0000 UTC"
        );
        assert_eq!(call(html_date, &[i(86400)]), "1970-01-02");
        assert_eq!(call(duration, &[s("95")]), "1m35s");
        assert_eq!(call(duration, &[s("3600")]), "1h0m0s");
        assert_eq!(call(duration, &[i(95)]), "0s");
        assert_eq!(call(duration_round, &[s("2h10m5s")]), "2h");
        assert_eq!(call(ago, &[t]), "-1536h0m0s");
        assert_eq!(duration_string(1_500_000), "1.5ms");
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
        let p = Time::parse("2006-01-02T15:04:05Z07:00", "2024-02-29T13:14:15+01:00").unwrap();
        assert_eq!(p.go_string(), "2024-02-29 13:14:15 +0100 +0100");
        assert!(Time::parse("2006-01-02", "2023-02-29").is_err());
    }

    #[test]
    fn seeded_outputs_have_the_right_shape() {
        let a = call(rand_alpha_num, &[i(16)]);
        assert_eq!(a.len(), 16);
        assert_eq!(a, call(rand_alpha_num, &[i(16)]), "deterministic");
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(
            call(rand_numeric, &[i(8)])
                .chars()
                .all(|c| c.is_ascii_digit())
        );
        let u = call(uuidv4, &[]);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(call(bcrypt, &[s("x")]).len(), 60);
        assert_eq!(call(htpasswd, &[s("u"), s("p")]).len(), 62);
        let k = call(gen_private_key, &[s("rsa")]);
        assert!(k.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        let enc = encrypt_aes(&[s("pw"), s("secret")]).unwrap();
        assert_eq!(call(decrypt_aes, &[s("pw"), enc]), "secret");
        let ca = gen_ca(&[s("ca"), i(365)]).unwrap();
        let Kind::Native(n) = &ca.kind else { panic!() };
        assert!(
            n.field("Cert")
                .unwrap()
                .as_str()
                .unwrap()
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        assert!(gen_signed_cert(&[s("x"), Value::NIL, Value::NIL, i(1), ca]).is_ok());
        let r = call(rand_int, &[i(1), i(5)]);
        assert!(["1", "2", "3", "4"].contains(&r.as_str()));
    }
}
