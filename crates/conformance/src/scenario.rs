//! The scenario file (FORMAT.md section 2) and the shape checks of steps
//! (section 4): what makes a file a scenario, which fields each op takes, and
//! the grammars of identifiers, names and values.

use std::sync::Arc;

use crate::json::Json;
use crate::value::safe_int;

/// A scenario file that passed the top-level checks.
pub struct Scenario {
    /// The top-level steps.
    pub steps: Arc<Vec<Json>>,
}

/// Checks the top level (exit status 2 when this fails): an object with a
/// string `name`, a `steps` array, optional string `description`, optional
/// `quirks` array of strings, and no other key.
pub fn check_scenario(json: &Json) -> Result<Scenario, &'static str> {
    let entries = json.as_obj().ok_or("not an object")?;
    for (key, value) in entries {
        match key.as_str() {
            "name" | "description" => {
                value.as_str().ok_or("name/description not a string")?;
            }
            "quirks" => {
                let items = value.as_arr().ok_or("quirks not an array")?;
                if !items.iter().all(|q| q.as_str().is_some()) {
                    return Err("quirks not an array of strings");
                }
            }
            "steps" => {
                value.as_arr().ok_or("steps not an array")?;
            }
            _ => return Err("unknown top-level key"),
        }
    }
    json.field("name").ok_or("no name")?;
    let steps = json
        .field("steps")
        .and_then(Json::as_arr)
        .ok_or("no steps")?;
    Ok(Scenario {
        steps: steps.clone(),
    })
}

/// Every operation of the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `atom`: define an atom.
    Atom,
    /// `map`: define a map store.
    Map,
    /// `deepMap`: define a deep map store.
    DeepMap,
    /// `computed`: define a computed store.
    Computed,
    /// `batched`: define a batched computed store.
    Batched,
    /// `listen`: add a listener.
    Listen,
    /// `subscribe`: add a listener and call it at once.
    Subscribe,
    /// `listenKeys`: add a listener for some keys of a map.
    ListenKeys,
    /// `subscribeKeys`: `listenKeys` plus a call at once.
    SubscribeKeys,
    /// `unbind`: remove the latest active registration of a label.
    Unbind,
    /// `cancel`: the same as `unbind`.
    Cancel,
    /// `set`: write a whole value.
    Set,
    /// `setKey`: write one key of a map.
    SetKey,
    /// `deleteKey`: delete one key of a map.
    DeleteKey,
    /// `get`: read a store (with lifecycle side effects) and print it.
    Get,
    /// `lc`: print a store's listener count.
    Lc,
    /// `batch`: run nested steps inside `batch()`.
    Batch,
    /// `onStart`: add a hook run before the first listener.
    OnStart,
    /// `onStop`: add a hook run after the last listener left.
    OnStop,
    /// `onMount`: add a mount hook returning a cleanup.
    OnMount,
    /// `onSet`: add a hook run before each write.
    OnSet,
    /// `onNotify`: add a hook run before listeners are notified.
    OnNotify,
    /// `effect`: run a callback over stores (not supported yet).
    Effect,
    /// `keepMount`: add a listener that is never removed.
    KeepMount,
    /// `cleanStores`: reset stores.
    CleanStores,
    /// `tick`: advance the fake clock.
    Tick,
}

impl Op {
    /// The op named `name`, if the format knows it.
    pub fn from_name(name: &str) -> Option<Op> {
        Some(match name {
            "atom" => Op::Atom,
            "map" => Op::Map,
            "deepMap" => Op::DeepMap,
            "computed" => Op::Computed,
            "batched" => Op::Batched,
            "listen" => Op::Listen,
            "subscribe" => Op::Subscribe,
            "listenKeys" => Op::ListenKeys,
            "subscribeKeys" => Op::SubscribeKeys,
            "unbind" => Op::Unbind,
            "cancel" => Op::Cancel,
            "set" => Op::Set,
            "setKey" => Op::SetKey,
            "deleteKey" => Op::DeleteKey,
            "get" => Op::Get,
            "lc" => Op::Lc,
            "batch" => Op::Batch,
            "onStart" => Op::OnStart,
            "onStop" => Op::OnStop,
            "onMount" => Op::OnMount,
            "onSet" => Op::OnSet,
            "onNotify" => Op::OnNotify,
            "effect" => Op::Effect,
            "keepMount" => Op::KeepMount,
            "cleanStores" => Op::CleanStores,
            "tick" => Op::Tick,
            _ => return None,
        })
    }

    /// The fields the op accepts (besides `op` and `note`); required ones
    /// are marked with a leading `!`.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Op::Atom | Op::Map | Op::DeepMap => &["!id", "value"],
            Op::Computed | Op::Batched => &["!id", "!deps", "!fn"],
            Op::Listen | Op::Subscribe | Op::OnStart | Op::OnStop | Op::OnMount => {
                &["!store", "!as", "then"]
            }
            Op::ListenKeys | Op::SubscribeKeys => &["!store", "!keys", "!as", "then"],
            Op::Unbind | Op::Cancel => &["!as"],
            Op::Set => &["!store", "!value"],
            Op::SetKey => &["!store", "!key", "!value"],
            Op::DeleteKey => &["!store", "!key"],
            Op::Get | Op::Lc | Op::KeepMount => &["!store"],
            Op::Batch => &["!steps"],
            Op::OnSet | Op::OnNotify => &["!store", "!as", "abortIf", "abortKey", "then"],
            Op::Effect => &["!deps", "!as", "then"],
            Op::CleanStores => &["!stores"],
            Op::Tick => &["!ms"],
        }
    }
}

/// The generic shape check of a step (`bad-step`): only known fields, all
/// required fields present, every field of its type.
pub fn shape_ok(op: Op, step: &[(String, Json)]) -> bool {
    let fields = op.fields();
    let known = |k: &str| fields.iter().any(|f| f.trim_start_matches('!') == k);
    let has = |k: &str| step.iter().any(|(key, _)| key == k);
    if !step
        .iter()
        .all(|(k, _)| k == "op" || k == "note" || known(k))
    {
        return false;
    }
    if !fields.iter().filter_map(|f| f.strip_prefix('!')).all(has) {
        return false;
    }
    step.iter().all(|(key, v)| match key.as_str() {
        "note" | "store" | "key" | "fn" | "abortKey" => v.as_str().is_some(),
        "id" | "as" => v.as_str().is_some_and(is_ident),
        "then" | "steps" => v
            .as_arr()
            .is_some_and(|items| items.iter().all(|s| s.as_obj().is_some())),
        "deps" | "stores" | "keys" => v.as_arr().is_some_and(|items| {
            (1..=16).contains(&items.len()) && items.iter().all(|x| x.as_str().is_some())
        }),
        "abortIf" => is_deep_value(v, 0),
        // Number.isSafeInteger(ms) && 0 <= ms <= 1e9 (-0 passes, as in JS).
        "ms" => matches!(v, Json::Num(n) if n.fract() == 0.0 && (0.0..=1e9).contains(n)),
        _ => true, // `op`, `value` (checked per op)
    })
}

/// `^[A-Za-z0-9_$-]{1,64}$`: store ids and labels.
pub fn is_ident(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'-')
}

/// Names that would hit `Object.prototype` in JavaScript.
const RESERVED: &[&str] = &[
    "__proto__",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
    "length",
];

/// A canonical index `^(0|[1-9][0-9]{0,2})$`.
pub fn is_index(s: &str) -> bool {
    let b = s.as_bytes();
    match b {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] => rest.len() <= 2 && rest.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// A map key or object key: an identifier-like name of up to 32 characters
/// or a canonical index, and not a reserved name.
pub fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    let identifier = match b {
        [first, rest @ ..] => {
            (first.is_ascii_alphabetic() || *first == b'_')
                && rest.len() <= 31
                && rest.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        }
        [] => false,
    };
    (identifier || is_index(s)) && !RESERVED.contains(&s)
}

/// A primitive: `null`, a boolean, a safe integer other than `-0`, or a
/// string of 0..64 printable ASCII characters.
pub fn is_primitive(v: &Json) -> bool {
    match v {
        Json::Null | Json::Bool(_) => true,
        Json::Num(n) => safe_int(*n).is_some(),
        Json::Str(s) => s.text.len() <= 64 && s.text.bytes().all(|b| (0x20..=0x7e).contains(&b)),
        Json::Arr(_) | Json::Obj(_) => false,
    }
}

/// A flat object: name keys, primitive values (the values of maps).
pub fn is_flat_object(v: &Json) -> bool {
    v.as_obj()
        .is_some_and(|entries| entries.iter().all(|(k, v)| is_name(k) && is_primitive(v)))
}

/// A deepMap path (FORMAT.md 2.3): `segment ("." segment)*` with
/// `segment = name ("[" index "]")*`, at most 256 characters.
pub fn is_path(s: &str) -> bool {
    s.len() <= 256
        && s.split('.').all(|segment| {
            let mut parts = segment.split('[');
            let head = parts.next().unwrap_or_default();
            is_name(head) && parts.all(|part| part.strip_suffix(']').is_some_and(is_index))
        })
}

/// A deep object: the value of a deepMap.
pub fn is_deep_object(v: &Json) -> bool {
    v.as_obj().is_some() && is_deep_value(v, 0)
}

/// A deep value nested at most 32 levels (`abortIf`).
pub fn is_deep_value(v: &Json, depth: usize) -> bool {
    if depth > 32 {
        return false;
    }
    match v {
        Json::Arr(items) => items.iter().all(|x| is_deep_value(x, depth + 1)),
        Json::Obj(entries) => entries
            .iter()
            .all(|(k, x)| is_name(k) && is_deep_value(x, depth + 1)),
        _ => is_primitive(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammars() {
        assert!(is_name("a_1") && is_name("0") && is_name("999") && is_name("_"));
        assert!(!is_name("01") && !is_name("1000") && !is_name("a.b") && !is_name("length"));
        assert!(!is_name(&"a".repeat(33)) && is_name(&"a".repeat(32)));
        assert!(is_ident("a$-_9") && !is_ident("") && !is_ident("a b"));
        assert!(is_path("a.b[1][0].c") && is_path("list.0") && is_path("0[1]"));
        assert!(!is_path("a[01]") && !is_path("a[0]b") && !is_path("a..b") && !is_path("[0]"));
        assert!(!is_path("a[x]") && !is_path("a[") && !is_path("a]") && !is_path(""));
    }
}
