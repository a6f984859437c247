//! Paths into [`Deep`](crate::Deep) values (`a.b[1].c`): the parser and
//! its typed errors.
//!
//! Grammar (Nano Stores' path syntax, made strict):
//!
//! ```text
//! path    = segment ("." segment)*
//! segment = head ("[" index "]")*
//! head    = 1*(any character but "." "[" "]")   ; all digits: an index
//! index   = "0" | [1-9][0-9]*                   ; no leading zeros
//! ```
//!
//! So `a[0]` and `a.0` are the same path (`a`, then index 0), and `100key`
//! is a name. Everything Nano Stores accepts leniently is an error here: an
//! empty path or segment (`""`, `a..b`, `a.`, `[0]`), unbalanced brackets
//! (`a[0`, `a]`), brackets that do not hold an index (`a[x]`, `a[]`,
//! `a[01]`), and text after `]` (`a[0]b`).

use std::fmt;

/// The largest index a write may grow an array to (or create an array
/// for): 100 000. A bigger index on a missing key would allocate a huge
/// array (Nano Stores issue #367); it is rejected with
/// [`PathErrorKind::IndexTooLarge`]. Reads and writes inside an existing
/// array, and indices used as object keys, are not limited.
///
/// ```
/// use nanostate::{set_path, Deep, PathErrorKind, MAX_INDEX};
/// let mut v = Deep::empty_object();
/// assert!(set_path(&mut v, &format!("a[{MAX_INDEX}]"), 1.into()).is_ok());
/// let err = set_path(&mut v, &format!("b[{}]", MAX_INDEX + 1), 1.into()).unwrap_err();
/// assert_eq!(err.kind(), PathErrorKind::IndexTooLarge);
/// ```
pub const MAX_INDEX: usize = 100_000;

/// The most segments a path may have: 128. Deeper paths are rejected with
/// [`PathErrorKind::TooDeep`], so no path can build a value nested deeply
/// enough to exhaust the stack.
///
/// ```
/// use nanostate::{parse_path, PathErrorKind, MAX_DEPTH};
/// assert!(parse_path(&vec!["a"; MAX_DEPTH].join(".")).is_ok());
/// let err = parse_path(&vec!["a"; MAX_DEPTH + 1].join(".")).unwrap_err();
/// assert_eq!(err.kind(), PathErrorKind::TooDeep);
/// ```
pub const MAX_DEPTH: usize = 128;

/// One step of a path: an object key or an array index.
///
/// An index applied to an object is the key of the same digits (`a.0` on
/// `{"a": {"0": 1}}` reads `1`); a name applied to an array is an error
/// when writing and nothing when reading.
///
/// ```
/// use nanostate::{parse_path, Segment};
/// assert_eq!(
///     parse_path("items[2].name").unwrap(),
///     [Segment::Key("items".into()), Segment::Index(2), Segment::Key("name".into())]
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// An object key (a name that is not all digits).
    Key(String),
    /// An array index (`[n]`, or a segment of digits such as `.0`).
    Index(usize),
}

impl Segment {
    /// The object key this segment addresses: the name, or the index in
    /// decimal.
    ///
    /// ```
    /// use nanostate::Segment;
    /// assert_eq!(Segment::Index(7).to_key(), "7");
    /// assert_eq!(Segment::Key("a".into()).to_key(), "a");
    /// ```
    pub fn to_key(&self) -> String {
        match self {
            Segment::Key(k) => k.clone(),
            Segment::Index(i) => i.to_string(),
        }
    }
}

impl fmt::Display for Segment {
    /// A name as is, an index in brackets.
    ///
    /// ```
    /// use nanostate::Segment;
    /// assert_eq!(Segment::Index(3).to_string(), "[3]");
    /// assert_eq!(Segment::Key("a".into()).to_string(), "a");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Key(k) => f.write_str(k),
            Segment::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// What is wrong with a path (see [`PathError`]).
///
/// ```
/// use nanostate::{parse_path, PathErrorKind};
/// assert_eq!(parse_path("a[0]b").unwrap_err().kind(), PathErrorKind::TextAfterBracket);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathErrorKind {
    /// The path is the empty string.
    Empty,
    /// A segment is empty: `a..b`, `a.`, `.a`, or a path starting with `[`.
    EmptySegment,
    /// A `[` has no matching `]`.
    UnclosedBracket,
    /// A `]` has no matching `[`.
    UnmatchedBracket,
    /// Brackets hold something other than digits (`a[x]`, `a[]`, `a[-1]`).
    NotAnIndex,
    /// An index has a leading zero (`a[01]`, `a.007`).
    LeadingZero,
    /// Something other than `.`, `[` or the end follows a `]` (`a[0]b`).
    TextAfterBracket,
    /// The path has more than [`MAX_DEPTH`] segments.
    TooDeep,
    /// A write would grow an array past [`MAX_INDEX`] (or the index does not
    /// fit in a `usize`).
    IndexTooLarge,
    /// A write would set a name on an array (`list.name` where `list` is an
    /// array): arrays have no named properties here.
    KeyOnArray,
}

impl PathErrorKind {
    fn describe(self) -> &'static str {
        match self {
            PathErrorKind::Empty => "the path is empty",
            PathErrorKind::EmptySegment => "empty segment",
            PathErrorKind::UnclosedBracket => "`[` is never closed",
            PathErrorKind::UnmatchedBracket => "`]` without a matching `[`",
            PathErrorKind::NotAnIndex => "brackets must hold an index (digits)",
            PathErrorKind::LeadingZero => "an index cannot have a leading zero",
            PathErrorKind::TextAfterBracket => "expected `.`, `[` or the end after `]`",
            PathErrorKind::TooDeep => "more segments than MAX_DEPTH (128)",
            PathErrorKind::IndexTooLarge => "index larger than MAX_INDEX (100000)",
            PathErrorKind::KeyOnArray => "a name cannot be set on an array",
        }
    }
}

/// A path that cannot be used: malformed, or (for writes) not applicable
/// to the value. Carries the path, the problem and the byte offset where it
/// was found; never a panic.
///
/// ```
/// use nanostate::{parse_path, PathErrorKind};
/// let err = parse_path("user.tags[x]").unwrap_err();
/// assert_eq!(err.kind(), PathErrorKind::NotAnIndex);
/// assert_eq!(err.position(), 10);
/// assert_eq!(
///     err.to_string(),
///     "invalid path \"user.tags[x]\" at byte 10: brackets must hold an index (digits)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    path: Box<str>,
    kind: PathErrorKind,
    at: usize,
}

impl PathError {
    pub(crate) fn new(path: &str, kind: PathErrorKind, at: usize) -> PathError {
        PathError {
            path: path.into(),
            kind,
            at,
        }
    }

    /// What is wrong.
    ///
    /// ```
    /// use nanostate::{parse_path, PathErrorKind};
    /// assert_eq!(parse_path("").unwrap_err().kind(), PathErrorKind::Empty);
    /// ```
    pub fn kind(&self) -> PathErrorKind {
        self.kind
    }

    /// Byte offset in the path where the problem is: the offending
    /// character, or the start of the offending segment or index.
    ///
    /// ```
    /// assert_eq!(nanostate::parse_path("a..b").unwrap_err().position(), 2);
    /// ```
    pub fn position(&self) -> usize {
        self.at
    }

    /// The path as given.
    ///
    /// ```
    /// assert_eq!(nanostate::parse_path("a[").unwrap_err().path(), "a[");
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid path {:?} at byte {}: {}",
            self.path,
            self.at,
            self.kind.describe()
        )
    }
}

impl std::error::Error for PathError {}

/// A parsed path with the byte offset of each segment (for errors found
/// while writing).
pub(crate) struct Parsed {
    pub(crate) segments: Vec<Segment>,
    pub(crate) offsets: Vec<usize>,
}

/// Splits a path into its segments.
///
/// Grammar (Nano Stores' path syntax, made strict):
///
/// ```text
/// path    = segment ("." segment)*
/// segment = head ("[" index "]")*
/// head    = 1*(any character but "." "[" "]")   ; all digits: an index
/// index   = "0" | [1-9][0-9]*                   ; no leading zeros
/// ```
///
/// `a[0]` and `a.0` are the same path. An empty path or segment, unbalanced
/// brackets, brackets that do not hold an index and text after `]` are
/// errors ([`PathErrorKind`]), as is nesting deeper than [`MAX_DEPTH`].
///
/// ```
/// use nanostate::{parse_path, PathErrorKind, Segment};
/// assert_eq!(parse_path("a.0").unwrap(), parse_path("a[0]").unwrap());
/// assert_eq!(
///     parse_path("f[1][0].g").unwrap(),
///     [Segment::Key("f".into()), Segment::Index(1), Segment::Index(0), Segment::Key("g".into())]
/// );
/// assert_eq!(parse_path("key.100key").unwrap()[1], Segment::Key("100key".into()));
/// assert_eq!(parse_path("a[").unwrap_err().kind(), PathErrorKind::UnclosedBracket);
/// ```
pub fn parse_path(path: &str) -> Result<Vec<Segment>, PathError> {
    parse(path).map(|p| p.segments)
}

pub(crate) fn parse(path: &str) -> Result<Parsed, PathError> {
    let err = |kind, at| Err(PathError::new(path, kind, at));
    let b = path.as_bytes();
    if b.is_empty() {
        return err(PathErrorKind::Empty, 0);
    }
    let mut parsed = Parsed {
        segments: Vec::new(),
        offsets: Vec::new(),
    };
    let push = |parsed: &mut Parsed, segment: Segment, at: usize| {
        if parsed.segments.len() == MAX_DEPTH {
            return Err(PathError::new(path, PathErrorKind::TooDeep, at));
        }
        parsed.segments.push(segment);
        parsed.offsets.push(at);
        Ok(())
    };
    let mut i = 0;
    loop {
        // The head of a segment: a name or an index.
        let start = i;
        while i < b.len() && !matches!(b[i], b'.' | b'[' | b']') {
            i += 1;
        }
        if i == start {
            return match b.get(i) {
                Some(b']') => err(PathErrorKind::UnmatchedBracket, i),
                _ => err(PathErrorKind::EmptySegment, i),
            };
        }
        let head = &path[start..i];
        let segment = if head.bytes().all(|c| c.is_ascii_digit()) {
            Segment::Index(index(path, head, start)?)
        } else {
            Segment::Key(head.to_string())
        };
        push(&mut parsed, segment, start)?;
        // Bracketed indices.
        while b.get(i) == Some(&b'[') {
            let open = i;
            let close = match b[open + 1..].iter().position(|&c| c == b']' || c == b'[') {
                Some(n) if b[open + 1 + n] == b']' => open + 1 + n,
                _ => return err(PathErrorKind::UnclosedBracket, open),
            };
            let digits = &path[open + 1..close];
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return err(PathErrorKind::NotAnIndex, open + 1);
            }
            push(
                &mut parsed,
                Segment::Index(index(path, digits, open + 1)?),
                open,
            )?;
            i = close + 1;
        }
        match b.get(i) {
            None => return Ok(parsed),
            Some(b'.') => i += 1,
            Some(b']') => return err(PathErrorKind::UnmatchedBracket, i),
            Some(_) => return err(PathErrorKind::TextAfterBracket, i),
        }
    }
}

/// The value of an all-digit index text.
fn index(path: &str, digits: &str, at: usize) -> Result<usize, PathError> {
    if digits.len() > 1 && digits.starts_with('0') {
        return Err(PathError::new(path, PathErrorKind::LeadingZero, at));
    }
    digits
        .parse()
        .map_err(|_| PathError::new(path, PathErrorKind::IndexTooLarge, at))
}

/// The part of a path before the first `.` or `[`: what `listen_keys` also
/// matches a listed key against.
pub(crate) fn first_segment(path: &str) -> &str {
    path.find(['.', '[']).map_or(path, |end| &path[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(path: &str) -> (PathErrorKind, usize) {
        let e = parse_path(path).unwrap_err();
        (e.kind(), e.position())
    }

    #[test]
    fn errors_name_the_problem_and_position() {
        use PathErrorKind::*;
        assert_eq!(kind(""), (Empty, 0));
        assert_eq!(kind("."), (EmptySegment, 0));
        assert_eq!(kind("a."), (EmptySegment, 2));
        assert_eq!(kind(".a"), (EmptySegment, 0));
        assert_eq!(kind("[0]"), (EmptySegment, 0));
        assert_eq!(kind("a.[0]"), (EmptySegment, 2));
        assert_eq!(kind("a["), (UnclosedBracket, 1));
        assert_eq!(kind("a[0"), (UnclosedBracket, 1));
        assert_eq!(kind("a[0[1]"), (UnclosedBracket, 1));
        assert_eq!(kind("a]"), (UnmatchedBracket, 1));
        assert_eq!(kind("]"), (UnmatchedBracket, 0));
        assert_eq!(kind("a[0]]"), (UnmatchedBracket, 4));
        assert_eq!(kind("a[]"), (NotAnIndex, 2));
        assert_eq!(kind("a[x]"), (NotAnIndex, 2));
        assert_eq!(kind("a[-1]"), (NotAnIndex, 2));
        assert_eq!(kind("a[01]"), (LeadingZero, 2));
        assert_eq!(kind("a.00"), (LeadingZero, 2));
        assert_eq!(kind("a[0]b"), (TextAfterBracket, 4));
        assert_eq!(kind("x[1]y[2]"), (TextAfterBracket, 4));
        assert_eq!(kind("a[99999999999999999999999]"), (IndexTooLarge, 2));
    }

    #[test]
    fn accepts_names_indices_and_unicode() {
        let p = parse_path("ä b.0[12].x-y").unwrap();
        assert_eq!(
            p,
            [
                Segment::Key("ä b".into()),
                Segment::Index(0),
                Segment::Index(12),
                Segment::Key("x-y".into())
            ]
        );
        assert_eq!(first_segment("a.b"), "a");
        assert_eq!(first_segment("a[0].b"), "a");
        assert_eq!(first_segment("abc"), "abc");
    }
}
