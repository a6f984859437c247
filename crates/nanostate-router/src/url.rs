//! Taking an href apart: path segments (normalized, strictly decoded), the
//! search string (decoded as browsers decode it) and the hash; and the
//! encoding used when building paths.

use std::fmt;

/// Why an href could not be read. The router's value is left as it was.
///
/// ```
/// use nanostate_router::{Router, UrlError};
/// let router = Router::new([("post", "/posts/:id")]).unwrap();
/// assert!(matches!(router.open("/posts/%E0%A4"), Err(UrlError::BadEscape { .. })));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlError {
    /// Neither a path (`/…`) nor an absolute `http`/`https` URL.
    NotAPath {
        /// The href given.
        href: String,
    },
    /// A `%` in the path not followed by two hex digits, or escapes that
    /// do not decode to UTF-8 (JavaScript's `decodeURIComponent` throws on
    /// both, which breaks @nanostores/router's whole store).
    BadEscape {
        /// The path segment, as written.
        segment: String,
    },
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::NotAPath { href } => write!(
                f,
                "nanostate-router: {href:?} is neither a path starting with / nor an http(s) URL"
            ),
            UrlError::BadEscape { segment } => write!(
                f,
                "nanostate-router: the path segment {segment:?} has a malformed percent escape \
                 or is not UTF-8 once decoded"
            ),
        }
    }
}

impl std::error::Error for UrlError {}

/// An href split into its parts, the path normalized (dot segments
/// resolved, trailing slash removed).
pub(crate) struct Parts<'a> {
    /// The normalized path, still encoded (`/` for the root).
    pub(crate) path: String,
    /// The raw path segments of `path` (none for the root).
    pub(crate) segments: Vec<&'a str>,
    /// The search string without `?`.
    pub(crate) search: &'a str,
    /// The hash without `#`.
    pub(crate) hash: &'a str,
}

pub(crate) fn split(href: &str) -> Result<Parts<'_>, UrlError> {
    let not_a_path = || UrlError::NotAPath {
        href: href.to_string(),
    };
    let (rest, hash) = href.split_once('#').unwrap_or((href, ""));
    let (rest, search) = rest.split_once('?').unwrap_or((rest, ""));
    let path = if let Some(authority) = rest.strip_prefix("//") {
        // Protocol-relative: `//host/path`.
        authority.find('/').map_or("/", |i| &authority[i..])
    } else if rest.starts_with('/') {
        rest
    } else {
        let lower = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
        let after = if lower.starts_with("https://") {
            &rest[8..]
        } else if lower.starts_with("http://") {
            &rest[7..]
        } else {
            return Err(not_a_path());
        };
        after.find('/').map_or("/", |i| &after[i..])
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/').skip(1) {
        match segment {
            "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    // A trailing slash is not part of the route (`/posts/` is `/posts`).
    if segments.last() == Some(&"") {
        segments.pop();
    }
    let path = if segments.is_empty() {
        "/".to_string()
    } else {
        segments.iter().flat_map(|s| ["/", s]).collect()
    };
    Ok(Parts {
        path,
        segments,
        search,
        hash,
    })
}

fn hex(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes a path segment: every `%XX` must be valid and the result UTF-8.
pub(crate) fn decode_segment(segment: &str) -> Result<String, UrlError> {
    let bad = || UrlError::BadEscape {
        segment: segment.to_string(),
    };
    let bytes = segment.as_bytes();
    if !bytes.contains(&b'%') {
        return Ok(segment.to_string());
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let high = bytes.get(i + 1).copied().and_then(hex).ok_or_else(bad)?;
            let low = bytes.get(i + 2).copied().and_then(hex).ok_or_else(bad)?;
            out.push(high << 4 | low);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

/// Decodes a search component as browsers' `URLSearchParams` do: `+` is a
/// space, a malformed escape stays as written, bytes that are not UTF-8
/// become U+FFFD. Never fails.
fn decode_form(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The pairs of a search string, in order (empty pieces skipped).
pub(crate) fn parse_search(search: &str) -> Vec<(String, String)> {
    search
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            (decode_form(key), decode_form(value))
        })
        .collect()
}

/// Percent-encodes `text` as `encodeURIComponent` does (everything but
/// ASCII letters, digits and `-_.!~*'()`).
pub(crate) fn encode(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        let plain = byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte);
        if plain {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 15)] as char);
        }
    }
}

/// Encodes a search component (spaces as `%20`, which every parser reads).
pub(crate) fn encode_search(pairs: &[(&str, &str)], out: &mut String) {
    for (index, (key, value)) in pairs.iter().enumerate() {
        out.push(if index == 0 { '?' } else { '&' });
        encode(key, out);
        out.push('=');
        encode(value, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips_through_encode_and_decode() {
        let text: String = (0u32..0x800).filter_map(char::from_u32).collect();
        let mut encoded = String::new();
        encode(&text, &mut encoded);
        assert!(!encoded.contains('/'));
        assert_eq!(decode_segment(&encoded).unwrap(), text);
    }

    #[test]
    fn search_decoding_is_lenient_like_url_search_params() {
        assert_eq!(
            parse_search("a=1+2&&b=%zz&c=%E0%A4&=x&d"),
            [
                ("a".into(), "1 2".into()),
                ("b".into(), "%zz".into()),
                ("c".into(), "\u{fffd}".into()),
                ("".into(), "x".into()),
                ("d".into(), "".into()),
            ]
        );
    }
}
