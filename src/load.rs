//! Reads an input once and decodes it to text. Input that is not text becomes a finding, not a crash.

use std::io::Read;

use crate::discover::{Input, io_message};
use crate::source::{Origin, SourceFile, Span};

/// Files larger than this are refused unless `--max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;
/// Spans are `u32`; nothing larger can be addressed.
const HARD_MAX_FILE_SIZE: u64 = u32::MAX as u64 - 1;

/// Why a decoded file cannot be parsed as YAML (reported under `yaml-syntax`).
#[derive(Debug, Clone)]
pub struct DecodeProblem {
    pub span: Span,
    pub message: String,
}

#[derive(Debug)]
pub enum Loaded {
    /// Decoded text, ready to parse.
    Text(SourceFile),
    /// The text (lossily decoded, for a code frame) and why it cannot be parsed.
    NotText(SourceFile, DecodeProblem),
}

/// Reads and decodes one input. `Err` is an I/O failure (unreadable, too large): the run goes on
/// with the other inputs and exits with status 2.
pub fn load(input: &Input, max_size: u64) -> Result<Loaded, String> {
    let limit = max_size.min(HARD_MAX_FILE_SIZE);
    let (origin, bytes) = match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(limit + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| io_message(&e))?;
            (Origin::Stdin, bytes)
        }
        Input::Path(path) => {
            let file = std::fs::File::open(path).map_err(|e| io_message(&e))?;
            let mut expected = 0;
            if let Ok(meta) = file.metadata() {
                if meta.is_dir() {
                    return Err("is a directory".to_string());
                }
                if meta.is_file() && meta.len() > limit {
                    return Err(too_large(meta.len(), limit));
                }
                if meta.is_file() {
                    expected = meta.len();
                }
            }
            // Sized from the metadata (plus one byte to see the end) so a file is read in one call.
            let mut bytes = Vec::with_capacity(expected as usize + 1);
            file.take(limit + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| io_message(&e))?;
            (Origin::Path(path.clone()), bytes)
        }
    };
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(decode(origin, bytes))
}

fn too_large(size: u64, limit: u64) -> String {
    format!(
        "file is larger than the maximum of {limit} bytes (at least {size} bytes); raise --max-file-size to lint it"
    )
}

/// Decodes UTF-8 (with or without BOM) or UTF-16 with a BOM, as YAML allows.
pub fn decode(origin: Origin, bytes: Vec<u8>) -> Loaded {
    if let Some(problem) = utf16(&bytes) {
        return match problem {
            Ok(text) => text_or_binary(origin, text),
            Err(text) => {
                let file = SourceFile::new(origin, text);
                Loaded::NotText(
                    file,
                    DecodeProblem {
                        span: Span::new(0, 0),
                        message: "file has a UTF-16 byte order mark but is not valid UTF-16"
                            .to_string(),
                    },
                )
            }
        };
    }
    match String::from_utf8(bytes) {
        Ok(text) => text_or_binary(origin, text),
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            let byte = error.as_bytes()[at];
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            if let Some(nul) = memchr::memchr(0, text.as_bytes()) {
                return binary(origin, nul);
            }
            let file = SourceFile::new(origin, text);
            let end = at + file.text[at..].chars().next().map_or(0, char::len_utf8);
            Loaded::NotText(
                file,
                DecodeProblem {
                    span: Span::new(at, end),
                    message: format!(
                        "file is not valid UTF-8: invalid byte 0x{byte:02x} at offset {at}"
                    ),
                },
            )
        }
    }
}

fn text_or_binary(origin: Origin, text: String) -> Loaded {
    match memchr::memchr(0, text.as_bytes()) {
        Some(nul) => binary(origin, nul),
        None => Loaded::Text(SourceFile::new(origin, text)),
    }
}

/// A binary file keeps no text: it makes no useful code frame, and may be large.
fn binary(origin: Origin, nul: usize) -> Loaded {
    Loaded::NotText(
        SourceFile::new(origin, String::new()),
        DecodeProblem {
            span: Span::new(0, 0),
            message: format!("file is binary (NUL byte at offset {nul}), not YAML"),
        },
    )
}

/// `None` when there is no UTF-16 BOM; otherwise the decoded text or the lossy text.
fn utf16(bytes: &[u8]) -> Option<Result<String, String>> {
    let little = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return None,
    };
    let units: Vec<u16> = bytes[2..]
        .chunks(2)
        .map(|pair| {
            let pair = [pair[0], *pair.get(1).unwrap_or(&0)];
            if little {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        })
        .collect();
    Some(match String::from_utf16(&units) {
        Ok(text) if bytes.len().is_multiple_of(2) => Ok(text),
        _ => Err(String::from_utf16_lossy(&units)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_points_at_the_byte() {
        let Loaded::NotText(file, problem) = decode(Origin::Stdin, b"a: 1\nb: \xff\n".to_vec())
        else {
            panic!("expected a decode problem");
        };
        assert_eq!(file.line_col(problem.span.start as usize).line, 2);
        assert!(problem.message.contains("0xff"));
    }

    #[test]
    fn utf16_with_bom_decodes() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "kind: Pod\n".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        assert!(matches!(decode(Origin::Stdin, bytes), Loaded::Text(f) if f.text == "kind: Pod\n"));
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert!(
            matches!(decode(Origin::Stdin, b"\x00\x01\x02".to_vec()), Loaded::NotText(_, p) if p.message.contains("binary"))
        );
    }
}
