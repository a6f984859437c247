//! A JSON reader with the semantics of JavaScript's `JSON.parse`, which the
//! reference runner uses:
//!
//! * numbers are IEEE doubles (`1.0`, `1e2` and `100` are the same number;
//!   `-0` is kept so the validators can reject it; `1e400` is infinity);
//! * in an object, a repeated key keeps its first position and its last
//!   value;
//! * strings are sequences of UTF-16 code units, so an escaped lone
//!   surrogate (`"\ud800"`) is a valid string (see [`JsonStr`]).
//!
//! The parser is iterative and so is dropping a value (see the `Drop` impl
//! of [`Json`]): a deeply nested file cannot overflow the stack.

use std::sync::Arc;

/// A parsed JSON value. Containers are reference counted so that `then`
/// blocks can be shared with callbacks without copying them.
#[derive(Debug, Clone)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// Any number, as JavaScript holds it.
    Num(f64),
    /// A string.
    Str(JsonStr),
    /// An array.
    Arr(Arc<Vec<Json>>),
    /// An object: keys in first-appearance order, each key once.
    Obj(Arc<Vec<(String, Json)>>),
}

/// `null`, to borrow where a field is absent (`step.field("value")
/// .unwrap_or(&NULL)`): since [`Json`] has a `Drop` impl, `&Json::Null` is
/// a temporary, not a promoted constant.
pub static NULL: Json = Json::Null;

/// Takes nested values apart one level at a time, with a work list on the
/// heap. The derived drop would recurse once per level of nesting, and
/// `parse` accepts any depth (as `JSON.parse` does), so dropping a document
/// of a few hundred thousand `[` overflowed the stack (the binary aborted
/// instead of exiting with status 2).
impl Drop for Json {
    fn drop(&mut self) {
        let mut pending = Vec::new();
        take_children(self, &mut pending);
        while let Some(mut value) = pending.pop() {
            take_children(&mut value, &mut pending);
            // `value` is now a leaf or an empty container: its own drop
            // finds nothing to take apart.
        }
    }
}

/// Moves the nested containers of `value` into `pending`, if `value` is the
/// only owner of its container (a shared one is merely released). Leaves
/// are dropped where they are.
fn take_children(value: &mut Json, pending: &mut Vec<Json>) {
    let is_container = |v: &Json| matches!(v, Json::Arr(_) | Json::Obj(_));
    match value {
        Json::Arr(items) => {
            if let Some(items) = Arc::get_mut(items) {
                pending.extend(items.drain(..).filter(is_container));
            }
        }
        Json::Obj(entries) => {
            if let Some(entries) = Arc::get_mut(entries) {
                pending.extend(entries.drain(..).map(|(_, v)| v).filter(is_container));
            }
        }
        Json::Null | Json::Bool(_) | Json::Num(_) | Json::Str(_) => {}
    }
}

/// A JSON string. `text` is the string itself when it is valid Unicode; a
/// string holding a lone surrogate keeps its exact UTF-16 code units in
/// `utf16` and a lossy `text` (lone surrogates become U+FFFD).
///
/// The lossy text is safe for every check the runner makes: U+FFFD is in no
/// identifier, name, path, value or menu grammar, so such a string fails
/// exactly where the original would. Only the printing of an unknown `op`
/// needs the exact code units.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonStr {
    /// The text (lossy if `utf16` is set).
    pub text: String,
    /// The exact code units, only for strings with a lone surrogate.
    pub utf16: Option<Box<[u16]>>,
}

impl Json {
    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(&s.text),
            _ => None,
        }
    }

    /// The entries of an object (`isPlainObject`: not null, not an array).
    pub fn as_obj(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Obj(entries) => Some(entries),
            _ => None,
        }
    }

    /// The elements of an array.
    pub fn as_arr(&self) -> Option<&Arc<Vec<Json>>> {
        match self {
            Json::Arr(items) => Some(items),
            _ => None,
        }
    }

    /// The value under `key` of an object (`None` if absent or not an object).
    pub fn field(&self, key: &str) -> Option<&Json> {
        self.as_obj()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// Why a text is not JSON (the reference only needs to know that it is not).
#[derive(Debug)]
pub struct ParseError {
    /// Byte offset of the problem.
    pub at: usize,
    /// What was wrong.
    pub what: &'static str,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid JSON at byte {}: {}", self.at, self.what)
    }
}

/// A container being filled.
enum Frame {
    Arr(Vec<Json>),
    /// Entries so far, and the key whose value is being parsed.
    Obj(Vec<(String, Json)>, String),
}

/// Parses a whole document (surrounding JSON whitespace allowed).
pub fn parse(text: &str) -> Result<Json, ParseError> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let mut stack: Vec<Frame> = Vec::new();
    'value: loop {
        // Parse one value (or open a container).
        p.skip_ws();
        let mut value = match p.peek() {
            Some(b'{') => {
                p.pos += 1;
                p.skip_ws();
                if p.peek() == Some(b'}') {
                    p.pos += 1;
                    Json::Obj(Arc::new(Vec::new()))
                } else {
                    let key = p.key()?;
                    stack.push(Frame::Obj(Vec::new(), key));
                    continue 'value;
                }
            }
            Some(b'[') => {
                p.pos += 1;
                p.skip_ws();
                if p.peek() == Some(b']') {
                    p.pos += 1;
                    Json::Arr(Arc::new(Vec::new()))
                } else {
                    stack.push(Frame::Arr(Vec::new()));
                    continue 'value;
                }
            }
            Some(b'"') => Json::Str(p.string()?),
            Some(b't') => p.literal("true", Json::Bool(true))?,
            Some(b'f') => p.literal("false", Json::Bool(false))?,
            Some(b'n') => p.literal("null", Json::Null)?,
            Some(b'-' | b'0'..=b'9') => Json::Num(p.number()?),
            _ => return Err(p.error("expected a value")),
        };
        // Hand the value to the enclosing containers, closing those that end.
        loop {
            let Some(frame) = stack.last_mut() else {
                p.skip_ws();
                if p.pos != p.bytes.len() {
                    return Err(p.error("text after the value"));
                }
                return Ok(value);
            };
            p.skip_ws();
            match frame {
                Frame::Arr(items) => {
                    items.push(value);
                    match p.next() {
                        Some(b',') => continue 'value,
                        Some(b']') => {}
                        _ => return Err(p.error("expected , or ]")),
                    }
                }
                Frame::Obj(entries, key) => {
                    let key = std::mem::take(key);
                    // JSON.parse: a repeated key keeps its place, last value wins.
                    match entries.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, slot)) => *slot = value,
                        None => entries.push((key, value)),
                    }
                    match p.next() {
                        Some(b',') => {
                            p.skip_ws();
                            let key = p.key()?;
                            if let Some(Frame::Obj(_, slot)) = stack.last_mut() {
                                *slot = key;
                            }
                            continue 'value;
                        }
                        Some(b'}') => {}
                        _ => return Err(p.error("expected , or }")),
                    }
                }
            }
            value = match stack.pop() {
                Some(Frame::Arr(items)) => Json::Arr(Arc::new(items)),
                Some(Frame::Obj(entries, _)) => Json::Obj(Arc::new(entries)),
                None => unreachable!("a frame was just inspected"),
            };
        }
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, what: &'static str) -> ParseError {
        ParseError { at: self.pos, what }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    /// JSON whitespace only (a BOM or other Unicode spaces are errors).
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &'static str, value: Json) -> Result<Json, ParseError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("bad literal"))
        }
    }

    /// An object key followed by `:` (whitespace skipped before the key).
    fn key(&mut self) -> Result<String, ParseError> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a key"));
        }
        let key = self.string()?.text;
        self.skip_ws();
        if self.next() != Some(b':') {
            return Err(self.error("expected :"));
        }
        Ok(key)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, read as a double.
    fn number(&mut self) -> Result<f64, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("bad number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("bad fraction"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("bad exponent"));
            }
        }
        let text = std::str::from_utf8(&self.bytes[start..self.pos])
            .map_err(|_| self.error("bad number"))?;
        // Rust's parse is correctly rounded, like JavaScript's.
        text.parse::<f64>().map_err(|_| self.error("bad number"))
    }

    fn hex4(&mut self) -> Result<u16, ParseError> {
        let mut unit = 0u16;
        for _ in 0..4 {
            let digit = match self.next() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return Err(self.error("bad \\u escape")),
            };
            unit = unit * 16 + u16::from(digit);
        }
        Ok(unit)
    }

    fn string(&mut self) -> Result<JsonStr, ParseError> {
        self.pos += 1; // the opening quote
        let mut units: Vec<u16> = Vec::new();
        loop {
            let start = self.pos;
            // Copy a run of ordinary characters.
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            if self.pos > start {
                let run = std::str::from_utf8(&self.bytes[start..self.pos])
                    .map_err(|_| self.error("bad UTF-8"))?;
                units.extend(run.encode_utf16());
            }
            match self.next() {
                Some(b'"') => break,
                Some(b'\\') => {
                    let unit = match self.next() {
                        Some(b'"') => 0x22,
                        Some(b'\\') => 0x5c,
                        Some(b'/') => 0x2f,
                        Some(b'b') => 0x08,
                        Some(b'f') => 0x0c,
                        Some(b'n') => 0x0a,
                        Some(b'r') => 0x0d,
                        Some(b't') => 0x09,
                        Some(b'u') => self.hex4()?,
                        _ => return Err(self.error("bad escape")),
                    };
                    units.push(unit);
                }
                _ => return Err(self.error("unterminated string or control character")),
            }
        }
        Ok(match String::from_utf16(&units) {
            Ok(text) => JsonStr { text, utf16: None },
            Err(_) => JsonStr {
                text: String::from_utf16_lossy(&units),
                utf16: Some(units.into_boxed_slice()),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_json_parse() {
        let v = parse(r#" {"a": [1, -0, 1.5e1, "x\u0041"], "a": true, "b": null} "#).unwrap();
        let entries = v.as_obj().unwrap();
        assert_eq!(entries.len(), 2);
        assert!(matches!(entries[0], (ref k, Json::Bool(true)) if k == "a"));
        assert!(parse("[1,]").is_err());
        assert!(parse("01").is_err());
        assert!(parse("\u{feff}{}").is_err());
        assert!(parse("{} x").is_err());
        let lone = parse(r#""\ud800""#).unwrap();
        assert!(matches!(lone, Json::Str(JsonStr { utf16: Some(_), .. })));
        let deep = "[".repeat(200_000) + &"]".repeat(200_000);
        assert!(parse(&deep).is_ok());
    }

    /// Regression: dropping a deeply nested value recursed once per level
    /// and overflowed the stack (found while adding the `scenario` fuzz
    /// target: the binary aborted on a file of 200 000 `[` instead of
    /// exiting with status 2). Parsed and dropped on a thread with a 64 KiB
    /// stack, 250 000 levels of arrays, of objects and of both, shared or
    /// not, must not overflow.
    #[test]
    fn deep_values_drop_without_recursion() {
        let depth = 250_000;
        let docs = [
            "[".repeat(depth) + &"]".repeat(depth),
            r#"{"a":"#.repeat(depth) + "1" + &"}".repeat(depth),
            r#"[{"a":"#.repeat(depth / 2) + "[]" + &"}]".repeat(depth / 2),
            // Unterminated: the parse fails with every level still open,
            // or with a deep value complete inside an open array.
            "[".repeat(depth) + "1,",
            "[".repeat(depth + 1) + &"]".repeat(depth) + ",",
        ];
        let small_stack = std::thread::Builder::new().stack_size(64 << 10);
        small_stack
            .spawn(move || {
                for doc in &docs {
                    if let Ok(value) = parse(doc) {
                        let shared = value.clone();
                        drop(value); // only releases: `shared` still holds it
                        drop(shared);
                    }
                }
            })
            .unwrap()
            .join()
            .expect("dropping deep values must not overflow the stack");
    }
}
