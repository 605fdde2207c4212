//! The target Kubernetes version (`--kube-version`, config `kubeVersion`) that version-aware rules
//! judge against.

use std::fmt;

/// A Kubernetes minor release (`1.30`); patch levels do not change API availability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion {
    pub major: u32,
    pub minor: u32,
}

impl KubeVersion {
    /// The default target: the oldest minor release still supported upstream in November 2026
    /// (1.35; 1.36 and 1.37 are the newer ones). Clusters lag upstream, so the default errs old.
    pub const DEFAULT: KubeVersion = KubeVersion {
        major: 1,
        minor: 35,
    };

    pub const fn new(major: u32, minor: u32) -> KubeVersion {
        KubeVersion { major, minor }
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl std::str::FromStr for KubeVersion {
    type Err = String;

    /// Accepts `1.30`, `v1.30`, `1.30.2` and `v1.30.2-gke.100`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("invalid Kubernetes version `{s}` (expected e.g. 1.30)");
        let trimmed = s.trim().trim_start_matches(['v', 'V']);
        let mut parts = trimmed.splitn(3, '.');
        let major: u32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let minor_text = parts.next().ok_or_else(bad)?;
        let digits: String = minor_text
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if digits.is_empty() || (digits.len() != minor_text.len() && parts.next().is_some()) {
            return Err(bad());
        }
        let minor: u32 = digits.parse().map_err(|_| bad())?;
        if major != 1 || minor > 99 {
            return Err(bad());
        }
        Ok(KubeVersion { major, minor })
    }
}

impl<'de> serde::Deserialize<'de> for KubeVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = KubeVersion;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Kubernetes version such as \"1.30\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<KubeVersion, E> {
                v.parse().map_err(E::custom)
            }
            // A YAML float has lost its trailing zeros (`1.30` reads as 1.3): refuse to guess.
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<KubeVersion, E> {
                Err(E::custom(format!(
                    "`{v}` is a number; quote the version (\"1.30\") so `1.30` is not read as 1.3"
                )))
            }
        }
        // Asking for a string gets the scalar's text from YAML, so `kubeVersion: 1.30` stays 1.30.
        deserializer.deserialize_str(Visitor)
    }
}

/// Written as `"1.30"`, the form it is read from (rule settings list versions).
impl serde::Serialize for KubeVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_spellings() {
        for (text, minor) in [
            ("1.30", 30),
            ("v1.22", 22),
            ("1.29.4", 29),
            ("v1.28.3-gke.1286000", 28),
        ] {
            assert_eq!(
                text.parse::<KubeVersion>(),
                Ok(KubeVersion::new(1, minor)),
                "{text}"
            );
        }
        for text in ["", "1", "2.0", "1.x", "latest", "1.30x.1"] {
            assert!(text.parse::<KubeVersion>().is_err(), "{text}");
        }
        assert!(KubeVersion::new(1, 9) < KubeVersion::new(1, 22));
    }
}
