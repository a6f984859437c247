//! JavaScript values as the stores hold them, and their canonical trace
//! encoding (FORMAT.md 6.1).
//!
//! Atom values and computed results are primitives ([`JsVal`]); map values
//! are flat objects ([`MapVal`]), whose identity is the `Arc` snapshot the
//! store holds, so `Object.is` on objects never needs to look inside them.

use std::sync::Arc;

use nanostate::{Deep, MapValue};

use crate::json::Json;

/// A primitive JavaScript value (what atoms and computed stores hold).
#[derive(Debug, Clone, PartialEq)]
pub enum JsVal {
    /// `undefined`: an atom created without a value, or a computed result.
    Undefined,
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A safe integer (the only numbers the kit allows).
    Int(i64),
    /// A string.
    Str(Arc<str>),
}

/// The value of a map store: a flat object with primitive values.
pub type MapVal = MapValue<String, JsVal>;

/// A new deep value built from a JSON deep value (checked by the caller):
/// every container is a new identity, as every executed step must make.
pub fn deep_from_json(json: &Json) -> Deep {
    match json {
        Json::Arr(items) => Deep::Array(Arc::new(
            items.iter().map(|v| Some(deep_from_json(v))).collect(),
        )),
        Json::Obj(entries) => Deep::Object(Arc::new(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), deep_from_json(v)))
                .collect(),
        )),
        Json::Null => Deep::Null,
        Json::Bool(b) => Deep::Bool(*b),
        Json::Num(n) => safe_int(*n).map_or(Deep::Null, Deep::Int),
        Json::Str(s) => Deep::Str(s.text.as_str().into()),
    }
}

/// `Object.is` for primitives: value equality (there is no NaN and no `-0`
/// among kit values). Used as the equality of atoms, map entries and
/// computed results.
pub fn js_is(a: &JsVal, b: &JsVal) -> bool {
    a == b
}

/// Largest safe integer (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// `Number.isSafeInteger(n) && !Object.is(n, -0)`, as an `i64`.
pub fn safe_int(n: f64) -> Option<i64> {
    if n.fract() == 0.0 && n.abs() <= MAX_SAFE && !(n == 0.0 && n.is_sign_negative()) {
        Some(n as i64)
    } else {
        None
    }
}

impl JsVal {
    /// JavaScript truthiness (objects are handled by the caller).
    pub fn truthy(&self) -> bool {
        match self {
            JsVal::Undefined | JsVal::Null => false,
            JsVal::Bool(b) => *b,
            JsVal::Int(n) => *n != 0,
            JsVal::Str(s) => !s.is_empty(),
        }
    }

    /// `String(value)`.
    pub fn to_js_string(&self) -> String {
        match self {
            JsVal::Undefined => "undefined".into(),
            JsVal::Null => "null".into(),
            JsVal::Bool(b) => b.to_string(),
            JsVal::Int(n) => n.to_string(),
            JsVal::Str(s) => s.to_string(),
        }
    }

    /// The value of a JSON primitive already checked by `isPrimitive`.
    pub fn from_json(json: &Json) -> JsVal {
        match json {
            Json::Null => JsVal::Null,
            Json::Bool(b) => JsVal::Bool(*b),
            Json::Num(n) => safe_int(*n).map_or(JsVal::Undefined, JsVal::Int),
            Json::Str(s) => JsVal::Str(s.text.as_str().into()),
            Json::Arr(_) | Json::Obj(_) => JsVal::Undefined,
        }
    }
}

/// The canonical encoding of a value that may be `undefined` in a slot
/// (an array element or an object property).
const UNDEFINED_MARK: &str = r#"{"$undefined":true}"#;

/// Values that appear in the trace.
pub trait Encode {
    /// Canonical encoding, or `None` for `undefined` (the field is omitted).
    fn encode(&self) -> Option<String>;

    /// Canonical encoding inside an array or object: `undefined` is marked.
    fn encode_slot(&self) -> String {
        self.encode().unwrap_or_else(|| UNDEFINED_MARK.to_string())
    }
}

impl Encode for JsVal {
    fn encode(&self) -> Option<String> {
        Some(match self {
            JsVal::Undefined => return None,
            JsVal::Null => "null".into(),
            JsVal::Bool(b) => b.to_string(),
            JsVal::Int(n) => n.to_string(),
            JsVal::Str(s) => quote(s),
        })
    }
}

impl Encode for MapVal {
    fn encode(&self) -> Option<String> {
        Some(encode_object(self.iter().map(|(k, v)| (k.as_str(), v))))
    }
}

impl Encode for Deep {
    fn encode(&self) -> Option<String> {
        Some(match self {
            Deep::Null => "null".into(),
            Deep::Bool(b) => b.to_string(),
            Deep::Int(n) => n.to_string(),
            // Kit values are integers; a float only shows up if nanostate
            // produced one.
            Deep::Float(x) if x.fract() == 0.0 && x.abs() <= MAX_SAFE => (*x as i64).to_string(),
            Deep::Float(x) if x.is_finite() => x.to_string(),
            Deep::Float(_) => "null".into(),
            Deep::Str(s) => quote(s),
            Deep::Array(items) => {
                let parts: Vec<String> = items.iter().map(Encode::encode_slot).collect();
                format!("[{}]", parts.join(","))
            }
            Deep::Object(entries) => encode_object(entries.iter().map(|(k, v)| (k.as_str(), v))),
        })
    }
}

/// An array slot or an object property that may be `undefined` (`None`).
impl Encode for Option<Deep> {
    fn encode(&self) -> Option<String> {
        self.as_ref().and_then(Encode::encode)
    }
}

/// An object with its keys sorted by UTF-16 code units (byte order for the
/// ASCII names of the kit); `undefined` properties are kept and marked.
pub fn encode_object<'a, V: Encode + 'a>(
    entries: impl Iterator<Item = (&'a str, &'a V)>,
) -> String {
    let mut entries: Vec<(&str, &V)> = entries.collect();
    entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    let mut out = String::from("{");
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quote(k));
        out.push(':');
        out.push_str(&v.encode_slot());
    }
    out.push('}');
    out
}

/// The canonical encoding of a JSON value (for `abortIf`, a deep value:
/// primitives, arrays and objects with sorted keys).
pub fn encode_json(json: &Json) -> String {
    match json {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Num(n) => safe_int(*n).map_or_else(|| "null".into(), |n| n.to_string()),
        Json::Str(s) => quote(&s.text),
        Json::Arr(items) => {
            let parts: Vec<String> = items.iter().map(encode_json).collect();
            format!("[{}]", parts.join(","))
        }
        Json::Obj(entries) => {
            struct Raw<'a>(&'a Json);
            impl Encode for Raw<'_> {
                fn encode(&self) -> Option<String> {
                    Some(encode_json(self.0))
                }
            }
            let raws: Vec<(&str, Raw<'_>)> =
                entries.iter().map(|(k, v)| (k.as_str(), Raw(v))).collect();
            encode_object(raws.iter().map(|(k, v)| (*k, v)))
        }
    }
}

/// `JSON.stringify` of a string.
pub fn quote(s: &str) -> String {
    quote_utf16(&s.encode_utf16().collect::<Vec<u16>>())
}

/// `JSON.stringify` of a string given as UTF-16 code units: `"` and `\`
/// escaped, control characters as `\b \t \n \f \r` or `\u00xx`, lone
/// surrogates as `\udxxx`, everything else literal.
pub fn quote_utf16(units: &[u16]) -> String {
    let mut out = String::with_capacity(units.len() + 2);
    out.push('"');
    for c in char::decode_utf16(units.iter().copied()) {
        match c {
            Ok('"') => out.push_str("\\\""),
            Ok('\\') => out.push_str("\\\\"),
            Ok('\u{8}') => out.push_str("\\b"),
            Ok('\t') => out.push_str("\\t"),
            Ok('\n') => out.push_str("\\n"),
            Ok('\u{c}') => out.push_str("\\f"),
            Ok('\r') => out.push_str("\\r"),
            Ok(c) if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            Ok(c) => out.push(c),
            Err(e) => out.push_str(&format!("\\u{:04x}", e.unpaired_surrogate())),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_canonically() {
        let mut m = MapVal::new();
        m.insert("b".into(), JsVal::Int(-5));
        m.insert("a".into(), JsVal::Str("q\"\\".into()));
        m.insert("10".into(), JsVal::Null);
        m.insert("2".into(), JsVal::Undefined);
        assert_eq!(
            m.encode().unwrap(),
            r#"{"10":null,"2":{"$undefined":true},"a":"q\"\\","b":-5}"#
        );
        assert_eq!(JsVal::Undefined.encode(), None);
        assert_eq!(quote_utf16(&[0xd800, 0x41, 0x1f]), r#""\ud800A\u001f""#);
        assert_eq!(safe_int(-0.0), None);
        assert_eq!(safe_int(1e2), Some(100));
        assert_eq!(safe_int(MAX_SAFE + 1.0), None);
        let deep = nanostate::deep!({"b": [1, _, {"z": null, "a": "x"}], "a": true});
        assert_eq!(
            deep.encode().unwrap(),
            r#"{"a":true,"b":[1,{"$undefined":true},{"a":"x","z":null}]}"#
        );
    }
}
