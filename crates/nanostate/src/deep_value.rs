//! `Deep`: a nested JSON-like value (the value of a
//! [`DeepMapStore`](crate::DeepMapStore)), and the path helpers
//! [`get_path`], [`set_path`] and [`delete_path`].

use std::fmt;
use std::sync::Arc;

use crate::map_value::MapValue;
use crate::path::{self, PathError, PathErrorKind, Segment, MAX_INDEX};

/// The elements of a [`Deep::Array`]; `None` is an empty slot (a hole, or
/// JavaScript's `undefined` element).
///
/// ```
/// use nanostate::{deep, DeepArray};
/// let value = deep!([1, _]);
/// let items: &DeepArray = value.as_array().unwrap();
/// assert_eq!(items.iter().filter(|slot| slot.is_none()).count(), 1);
/// ```
pub type DeepArray = Vec<Option<Deep>>;

/// The entries of a [`Deep::Object`], in insertion order.
///
/// ```
/// use nanostate::{Deep, DeepObject};
/// let mut o = DeepObject::new();
/// o.insert("b".into(), 1.into());
/// o.insert("a".into(), 2.into());
/// assert_eq!(Deep::from(o).to_string(), r#"{"b":1,"a":2}"#);
/// ```
pub type DeepObject = MapValue<String, Deep>;

/// A nested JSON-like value: `null`, booleans, numbers, strings, arrays
/// (with holes) and insertion-ordered objects.
///
/// Containers are shared behind `Arc`s, so a clone is cheap and a write
/// through [`set_path`] copies only the containers on the path: everything
/// off the path keeps its identity (`Arc::ptr_eq`), old snapshots stay
/// intact. Build values with [`deep!`](crate::deep!), [`Deep::object`],
/// [`Deep::array`] or `From` conversions.
///
/// Equality (`==`) is structural; `Int(1)` and `Float(1.0)` differ, and a
/// `Float` NaN equals nothing but the very same container holding it.
/// [`Deep::same`] is JavaScript's `===` (containers by identity).
///
/// ```
/// use nanostate::{deep, get_path, set_path, Deep};
/// let mut user = deep!({"name": "Ada", "langs": ["en", "fr"]});
/// set_path(&mut user, "langs[3]", "de".into()).unwrap();
/// assert_eq!(user.to_string(), r#"{"name":"Ada","langs":["en","fr",null,"de"]}"#);
/// assert_eq!(get_path(&user, "langs[2]").unwrap(), None); // a hole
/// assert_eq!(get_path(&user, "langs.3").unwrap(), Some(&Deep::from("de")));
/// ```
#[derive(Clone, Default)]
pub enum Deep {
    /// `null`
    #[default]
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(Arc<str>),
    /// An array; `None` elements are empty slots.
    Array(Arc<DeepArray>),
    /// An object with insertion-ordered keys.
    Object(Arc<DeepObject>),
}

/// Builds a [`Deep`] value from JSON-like syntax: `null`, literals, `[...]`
/// arrays (`_` is an empty slot), `{"key": value, ...}` objects with string
/// literal keys, and any other single token or parenthesised expression
/// convertible with `Deep::from` (write negative numbers as `(-1)`).
///
/// ```
/// use nanostate::{deep, Deep};
/// let n = 3;
/// let v = deep!({"a": [1, _, (-2.5)], "b": {"c": null, "d": true}, "n": n});
/// assert_eq!(v.to_string(), r#"{"a":[1,null,-2.5],"b":{"c":null,"d":true},"n":3}"#);
/// assert_eq!(deep!({}), Deep::empty_object());
/// ```
#[macro_export]
macro_rules! deep {
    (null) => {
        $crate::Deep::Null
    };
    ([ $($item:tt),* $(,)? ]) => {
        $crate::Deep::Array(::std::sync::Arc::new(::std::vec![ $( $crate::deep_slot!($item) ),* ]))
    };
    ({ $($key:literal : $value:tt),* $(,)? }) => {
        $crate::Deep::object::<&str, $crate::Deep>([ $( ($key, $crate::deep!($value)) ),* ])
    };
    ($other:expr) => {
        $crate::Deep::from($other)
    };
}

/// One array slot of [`deep!`]: `_` is a hole.
#[doc(hidden)]
#[macro_export]
macro_rules! deep_slot {
    (_) => {
        ::std::option::Option::None
    };
    ($item:tt) => {
        ::std::option::Option::Some($crate::deep!($item))
    };
}

impl Deep {
    /// An empty object `{}` (the initial value of a deep map store).
    ///
    /// ```
    /// assert_eq!(nanostate::Deep::empty_object().to_string(), "{}");
    /// ```
    pub fn empty_object() -> Deep {
        Deep::Object(Arc::new(MapValue::new()))
    }

    /// An empty array `[]`.
    ///
    /// ```
    /// assert_eq!(nanostate::Deep::empty_array().to_string(), "[]");
    /// ```
    pub fn empty_array() -> Deep {
        Deep::Array(Arc::new(Vec::new()))
    }

    /// An object from key/value pairs (a repeated key keeps its first
    /// position and its last value).
    ///
    /// ```
    /// use nanostate::Deep;
    /// let v = Deep::object([("a", Deep::from(1)), ("b", Deep::from("x"))]);
    /// assert_eq!(v.to_string(), r#"{"a":1,"b":"x"}"#);
    /// ```
    pub fn object<K: Into<String>, V: Into<Deep>>(
        entries: impl IntoIterator<Item = (K, V)>,
    ) -> Deep {
        Deep::Object(Arc::new(
            entries
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        ))
    }

    /// An array without holes.
    ///
    /// ```
    /// use nanostate::Deep;
    /// assert_eq!(Deep::array([1, 2]).to_string(), "[1,2]");
    /// ```
    pub fn array<V: Into<Deep>>(items: impl IntoIterator<Item = V>) -> Deep {
        Deep::Array(Arc::new(
            items.into_iter().map(|v| Some(v.into())).collect(),
        ))
    }

    /// JavaScript's `===`: scalars by value (so NaN is never the same,
    /// and `0.0` is the same as `-0.0`), arrays and objects by identity.
    /// This is what Nano Stores' deepMap compares with.
    ///
    /// ```
    /// use nanostate::{deep, Deep};
    /// let a = deep!({"x": 1});
    /// assert!(Deep::same(&a, &a.clone())); // clones share the object
    /// assert!(!Deep::same(&a, &deep!({"x": 1}))); // equal, but another object
    /// assert!(Deep::same(&Deep::from("s"), &Deep::from("s")));
    /// ```
    pub fn same(a: &Deep, b: &Deep) -> bool {
        match (a, b) {
            (Deep::Null, Deep::Null) => true,
            (Deep::Bool(a), Deep::Bool(b)) => a == b,
            (Deep::Int(a), Deep::Int(b)) => a == b,
            (Deep::Float(a), Deep::Float(b)) => a == b,
            (Deep::Str(a), Deep::Str(b)) => a == b,
            (Deep::Array(a), Deep::Array(b)) => Arc::ptr_eq(a, b),
            (Deep::Object(a), Deep::Object(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Whether this is `null`.
    ///
    /// ```
    /// assert!(nanostate::Deep::Null.is_null());
    /// ```
    pub fn is_null(&self) -> bool {
        matches!(self, Deep::Null)
    }

    /// The boolean, if this is one.
    ///
    /// ```
    /// assert_eq!(nanostate::Deep::from(true).as_bool(), Some(true));
    /// ```
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Deep::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, if this is an `Int`.
    ///
    /// ```
    /// assert_eq!(nanostate::Deep::from(7).as_i64(), Some(7));
    /// assert_eq!(nanostate::Deep::from(7.5).as_i64(), None);
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Deep::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The number as an `f64`, if this is an `Int` or a `Float`.
    ///
    /// ```
    /// assert_eq!(nanostate::Deep::from(2).as_f64(), Some(2.0));
    /// ```
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Deep::Int(n) => Some(*n as f64),
            Deep::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// The string, if this is one.
    ///
    /// ```
    /// assert_eq!(nanostate::Deep::from("hi").as_str(), Some("hi"));
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Deep::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array (`None` elements are holes).
    ///
    /// ```
    /// use nanostate::deep;
    /// assert_eq!(deep!([1, _]).as_array().map(|a| a.len()), Some(2));
    /// ```
    pub fn as_array(&self) -> Option<&DeepArray> {
        match self {
            Deep::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The entries, if this is an object.
    ///
    /// ```
    /// use nanostate::deep;
    /// let v = deep!({"a": 1});
    /// assert_eq!(v.as_object().unwrap().get("a"), Some(&1.into()));
    /// ```
    pub fn as_object(&self) -> Option<&DeepObject> {
        match self {
            Deep::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The value one segment down: an object entry (an index reads the key
    /// of the same digits) or an array element (holes are `None`).
    ///
    /// ```
    /// use nanostate::{deep, Segment};
    /// let v = deep!({"a": [5]});
    /// let a = v.child(&Segment::Key("a".into())).unwrap();
    /// assert_eq!(a.child(&Segment::Index(0)), Some(&5.into()));
    /// ```
    pub fn child(&self, segment: &Segment) -> Option<&Deep> {
        match (self, segment) {
            (Deep::Object(o), Segment::Key(k)) => o.get(k.as_str()),
            (Deep::Object(o), Segment::Index(i)) => o.get(i.to_string().as_str()),
            (Deep::Array(a), Segment::Index(i)) => a.get(*i).and_then(Option::as_ref),
            _ => None,
        }
    }
}

/// The value at a path (`None` if anything on the way is missing, a hole,
/// or not a container). Works on the segments of [`parse_path`](crate::parse_path).
pub(crate) fn get_in<'a>(value: &'a Deep, segments: &[Segment]) -> Option<&'a Deep> {
    segments
        .iter()
        .try_fold(value, |node, segment| node.child(segment))
}

/// The value at `path` in `value`: `Ok(None)` when anything on the way is
/// missing, an empty array slot, or a scalar (Nano Stores' `getPath`
/// returns `undefined` there); an error only for a malformed path.
///
/// ```
/// use nanostate::{deep, get_path};
/// let v = deep!({"b": {"d": [{"e": 123}]}, "f": [[1, 2]]});
/// assert_eq!(get_path(&v, "b.d[0].e").unwrap(), Some(&123.into()));
/// assert_eq!(get_path(&v, "f[0][1]").unwrap(), Some(&2.into()));
/// assert_eq!(get_path(&v, "abra.cadabra").unwrap(), None);
/// assert!(get_path(&v, "b..d").is_err());
/// ```
pub fn get_path<'a>(value: &'a Deep, path: &str) -> Result<Option<&'a Deep>, PathError> {
    let parsed = path::parse(path)?;
    Ok(get_in(value, &parsed.segments))
}

/// Sets the value at `path`, creating what is missing: an object for a
/// name, an array for an index (grown with holes up to the index). A
/// `null`, a scalar or an empty slot on the way is replaced the same way;
/// an index on an existing object is the key of the same digits.
///
/// Copy-on-write: containers on the path are copied if they are shared
/// (with a store's snapshot, say); everything else keeps its identity.
/// Errors (the value is then untouched): a malformed path,
/// [`PathErrorKind::KeyOnArray`] for a name applied to an array, and
/// [`PathErrorKind::IndexTooLarge`] for an index past
/// [`MAX_INDEX`](crate::MAX_INDEX) that would grow or create an array.
///
/// ```
/// use nanostate::{deep, set_path, Deep, PathErrorKind};
/// let mut v = Deep::empty_object();
/// set_path(&mut v, "a.b", 1.into()).unwrap();
/// set_path(&mut v, "list[2].name", "x".into()).unwrap();
/// assert_eq!(v.to_string(), r#"{"a":{"b":1},"list":[null,null,{"name":"x"}]}"#);
/// let err = set_path(&mut v, "list.name", 1.into()).unwrap_err();
/// assert_eq!(err.kind(), PathErrorKind::KeyOnArray);
/// ```
pub fn set_path(value: &mut Deep, path: &str, new: Deep) -> Result<(), PathError> {
    let parsed = path::parse(path)?;
    check_write(value, &parsed).map_err(|(kind, at)| PathError::new(path, kind, at))?;
    set_in(value, &parsed.segments, new);
    Ok(())
}

/// Removes the value at `path` and returns it: an object entry is
/// deleted, an array element is removed and the later ones shift down.
/// `Ok(None)` (nothing changes) when there is nothing there.
///
/// ```
/// use nanostate::{deep, delete_path};
/// let mut v = deep!({"o": {"a": 1, "b": 2}, "arr": [10, 20, 30]});
/// assert_eq!(delete_path(&mut v, "arr[0]").unwrap(), Some(10.into()));
/// assert_eq!(delete_path(&mut v, "o.a").unwrap(), Some(1.into()));
/// assert_eq!(delete_path(&mut v, "o.zz").unwrap(), None);
/// assert_eq!(v.to_string(), r#"{"o":{"b":2},"arr":[20,30]}"#);
/// ```
pub fn delete_path(value: &mut Deep, path: &str) -> Result<Option<Deep>, PathError> {
    let parsed = path::parse(path)?;
    Ok(delete_in(value, &parsed.segments))
}

/// Whether `set_in(value, segments, _)` may run: the error kind and the
/// byte offset of the offending segment otherwise.
pub(crate) fn check_write(
    value: &Deep,
    parsed: &path::Parsed,
) -> Result<(), (PathErrorKind, usize)> {
    let mut node = Some(value);
    for (segment, &at) in parsed.segments.iter().zip(&parsed.offsets) {
        node = match (node, segment) {
            (Some(Deep::Object(_)), _) => node.and_then(|n| n.child(segment)),
            (Some(Deep::Array(_)), Segment::Key(_)) => {
                return Err((PathErrorKind::KeyOnArray, at));
            }
            (Some(Deep::Array(a)), Segment::Index(i)) => {
                if *i >= a.len() && *i > MAX_INDEX {
                    return Err((PathErrorKind::IndexTooLarge, at));
                }
                a.get(*i).and_then(Option::as_ref)
            }
            // Missing, a hole or a scalar: replaced by a new container.
            (_, Segment::Index(i)) if *i > MAX_INDEX => {
                return Err((PathErrorKind::IndexTooLarge, at));
            }
            (_, _) => None,
        };
    }
    Ok(())
}

/// Makes `node` a container fit for `segment` (an object for a name, an
/// array for an index; an existing object takes both) and returns the slot
/// the segment addresses, creating it as `Null` if missing.
fn slot<'a>(node: &'a mut Deep, segment: &Segment) -> &'a mut Deep {
    let fits = matches!(
        (&*node, segment),
        (Deep::Object(_), _) | (Deep::Array(_), Segment::Index(_))
    );
    if !fits {
        *node = match segment {
            Segment::Key(_) => Deep::empty_object(),
            Segment::Index(_) => Deep::empty_array(),
        };
    }
    match (node, segment) {
        (Deep::Object(o), segment) => {
            let o = Arc::make_mut(o);
            let key = segment.to_key();
            if !o.contains_key(key.as_str()) {
                o.insert(key.clone(), Deep::Null);
            }
            o.get_mut(key.as_str()).expect("inserted above")
        }
        (Deep::Array(a), Segment::Index(i)) => {
            let a = Arc::make_mut(a);
            if *i >= a.len() {
                a.resize(*i + 1, None);
            }
            a[*i].get_or_insert(Deep::Null)
        }
        _ => unreachable!("made a fitting container above"),
    }
}

/// Sets the value at `segments` (checked by `check_write`).
pub(crate) fn set_in(value: &mut Deep, segments: &[Segment], new: Deep) {
    let Some((last, parents)) = segments.split_last() else {
        *value = new;
        return;
    };
    let mut node = value;
    for segment in parents {
        node = slot(node, segment);
    }
    *slot(node, last) = new;
}

/// Removes the value at `segments`; `None` if there is none.
pub(crate) fn delete_in(value: &mut Deep, segments: &[Segment]) -> Option<Deep> {
    let (last, parents) = segments.split_last()?;
    get_in(value, segments)?;
    let mut node = value;
    for segment in parents {
        node = slot(node, segment);
    }
    match (node, last) {
        (Deep::Object(o), segment) => Arc::make_mut(o).remove(segment.to_key().as_str()),
        (Deep::Array(a), Segment::Index(i)) => Arc::make_mut(a).remove(*i),
        _ => None,
    }
}

impl PartialEq for Deep {
    fn eq(&self, other: &Deep) -> bool {
        match (self, other) {
            (Deep::Null, Deep::Null) => true,
            (Deep::Bool(a), Deep::Bool(b)) => a == b,
            (Deep::Int(a), Deep::Int(b)) => a == b,
            (Deep::Float(a), Deep::Float(b)) => a == b,
            (Deep::Str(a), Deep::Str(b)) => a == b,
            (Deep::Array(a), Deep::Array(b)) => Arc::ptr_eq(a, b) || a == b,
            (Deep::Object(a), Deep::Object(b)) => Arc::ptr_eq(a, b) || a == b,
            _ => false,
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Deep {
            fn from(n: $t) -> Deep {
                Deep::Int(n.into())
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<f64> for Deep {
    fn from(x: f64) -> Deep {
        Deep::Float(x)
    }
}

impl From<f32> for Deep {
    fn from(x: f32) -> Deep {
        Deep::Float(x.into())
    }
}

impl From<bool> for Deep {
    fn from(b: bool) -> Deep {
        Deep::Bool(b)
    }
}

impl From<&str> for Deep {
    fn from(s: &str) -> Deep {
        Deep::Str(s.into())
    }
}

impl From<String> for Deep {
    fn from(s: String) -> Deep {
        Deep::Str(s.into())
    }
}

impl From<Arc<str>> for Deep {
    fn from(s: Arc<str>) -> Deep {
        Deep::Str(s)
    }
}

impl From<()> for Deep {
    fn from((): ()) -> Deep {
        Deep::Null
    }
}

impl<T: Into<Deep>> From<Option<T>> for Deep {
    /// `None` is `null`.
    fn from(v: Option<T>) -> Deep {
        v.map_or(Deep::Null, Into::into)
    }
}

impl<T: Into<Deep>> From<Vec<T>> for Deep {
    fn from(items: Vec<T>) -> Deep {
        Deep::array(items)
    }
}

impl From<DeepObject> for Deep {
    fn from(o: DeepObject) -> Deep {
        Deep::Object(Arc::new(o))
    }
}

impl<K: Into<String>, V: Into<Deep>> FromIterator<(K, V)> for Deep {
    /// An object.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Deep {
        Deep::object(entries)
    }
}

impl fmt::Display for Deep {
    /// Compact JSON; empty array slots are written `null` (as
    /// `JSON.stringify` does), non-finite floats too.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_json(self, f, "null")
    }
}

impl fmt::Debug for Deep {
    /// Like `Display`, but an empty array slot is written `_`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_json(self, f, "_")
    }
}

fn write_json(value: &Deep, f: &mut fmt::Formatter<'_>, hole: &str) -> fmt::Result {
    match value {
        Deep::Null => f.write_str("null"),
        Deep::Bool(b) => write!(f, "{b}"),
        Deep::Int(n) => write!(f, "{n}"),
        Deep::Float(x) if x.is_finite() => write!(f, "{x}"),
        Deep::Float(_) => f.write_str("null"),
        Deep::Str(s) => write_str(s, f),
        Deep::Array(items) => {
            f.write_str("[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                match item {
                    Some(v) => write_json(v, f, hole)?,
                    None => f.write_str(hole)?,
                }
            }
            f.write_str("]")
        }
        Deep::Object(entries) => {
            f.write_str("{")?;
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                write_str(k, f)?;
                f.write_str(":")?;
                write_json(v, f, hole)?;
            }
            f.write_str("}")
        }
    }
}

fn write_str(s: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

#[cfg(feature = "serde")]
mod serde_impls {
    //! `Serialize`/`Deserialize` for [`Deep`] (feature `serde`): the JSON
    //! data model; an empty array slot serializes as `none` (JSON `null`)
    //! and comes back as `null`.

    use std::fmt;
    use std::sync::Arc;

    use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

    use super::{Deep, DeepObject};

    impl Serialize for Deep {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Deep::Null => s.serialize_unit(),
                Deep::Bool(b) => s.serialize_bool(*b),
                Deep::Int(n) => s.serialize_i64(*n),
                Deep::Float(x) => s.serialize_f64(*x),
                Deep::Str(v) => s.serialize_str(v),
                Deep::Array(items) => {
                    let mut seq = s.serialize_seq(Some(items.len()))?;
                    for item in items.iter() {
                        seq.serialize_element(item)?;
                    }
                    seq.end()
                }
                Deep::Object(entries) => {
                    let mut map = s.serialize_map(Some(entries.len()))?;
                    for (k, v) in entries.iter() {
                        map.serialize_entry(k, v)?;
                    }
                    map.end()
                }
            }
        }
    }

    struct DeepVisitor;

    impl<'de> Visitor<'de> for DeepVisitor {
        type Value = Deep;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON-like value")
        }

        fn visit_bool<E: de::Error>(self, b: bool) -> Result<Deep, E> {
            Ok(Deep::Bool(b))
        }

        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Deep, E> {
            Ok(Deep::Int(n))
        }

        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Deep, E> {
            Ok(i64::try_from(n).map_or(Deep::Float(n as f64), Deep::Int))
        }

        fn visit_f64<E: de::Error>(self, x: f64) -> Result<Deep, E> {
            Ok(Deep::Float(x))
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Deep, E> {
            Ok(Deep::Str(s.into()))
        }

        fn visit_string<E: de::Error>(self, s: String) -> Result<Deep, E> {
            Ok(Deep::Str(s.into()))
        }

        fn visit_unit<E: de::Error>(self) -> Result<Deep, E> {
            Ok(Deep::Null)
        }

        fn visit_none<E: de::Error>(self) -> Result<Deep, E> {
            Ok(Deep::Null)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Deep, D::Error> {
            Deep::deserialize(d)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Deep, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(item) = seq.next_element::<Deep>()? {
                items.push(Some(item));
            }
            Ok(Deep::Array(Arc::new(items)))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Deep, A::Error> {
            let mut entries = DeepObject::new();
            while let Some((k, v)) = map.next_entry::<String, Deep>()? {
                entries.insert(k, v);
            }
            Ok(Deep::Object(Arc::new(entries)))
        }
    }

    impl<'de> Deserialize<'de> for Deep {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Deep, D::Error> {
            d.deserialize_any(DeepVisitor)
        }
    }
}
