//! The wire format (JSON text messages) and the order of writes ([`Stamp`]).

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::BroadcastErrorKind;

/// The protocol version this crate speaks: the `"v"` of every message.
/// Messages of another version are reported ([`BroadcastErrorKind::Version`])
/// and ignored.
///
/// ```
/// assert_eq!(nanostate_broadcast::PROTOCOL_VERSION, 1);
/// ```
pub const PROTOCOL_VERSION: u64 = 1;

/// What a shared store's name is prefixed with to name its channel: the
/// store `"cart"` talks on the `BroadcastChannel` `"nanostate:cart"`.
///
/// ```
/// use nanostate_broadcast::{SharedAtom, CHANNEL_PREFIX};
/// let cart = SharedAtom::new("cart", 0u32);
/// assert_eq!(cart.channel(), format!("{CHANNEL_PREFIX}cart"));
/// ```
pub const CHANNEL_PREFIX: &str = "nanostate:";

/// The largest clock accepted in a message: 2⁵³ − 1, the largest integer a
/// JavaScript peer represents exactly. A larger clock is malformed, so a
/// foreign message cannot push clocks to where they stop counting.
pub(crate) const MAX_CLOCK: u64 = (1 << 53) - 1;

/// The position of a value in the order of writes to one shared store: a
/// Lamport clock and the id of the peer that wrote it.
///
/// Stamps compare **lexicographically**: first by `clock`, then by `origin`
/// (as strings, byte by byte). A peer applies a received value if and only if
/// its stamp is greater than the stamp of the value it holds; a local write
/// takes the clock one past the greatest clock the peer has seen. A value
/// nobody wrote (the default) has the stamp `(0, "")`.
///
/// ```
/// use nanostate_broadcast::Stamp;
/// let stamp = |clock, origin: &str| Stamp { clock, origin: origin.to_string() };
/// assert!(stamp(2, "a") > stamp(1, "z")); // the clock decides first
/// assert!(stamp(2, "b") > stamp(2, "a")); // then the origin
/// assert!(stamp(1, "a") > Stamp::default());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    /// The Lamport clock of the write (0: never written).
    pub clock: u64,
    /// The id of the peer that wrote the value (`""`: never written).
    pub origin: String,
}

/// A decoded message; a `set`'s value is decoded later, and only when needed.
pub(crate) enum Message {
    /// A peer (`origin`) joined and asks for the current value.
    Hello { origin: String },
    /// A value and its stamp.
    Set { value: Value, stamp: Stamp },
}

/// `{"v":1,"kind":"set","value":…,"clock":N,"origin":"…"}`.
pub(crate) fn encode_set<T: Serialize>(value: &T, stamp: &Stamp) -> Result<String, String> {
    let value = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let origin = serde_json::to_string(&stamp.origin).map_err(|e| e.to_string())?;
    Ok(format!(
        r#"{{"v":{PROTOCOL_VERSION},"kind":"set","value":{value},"clock":{},"origin":{origin}}}"#,
        stamp.clock
    ))
}

/// `{"v":1,"kind":"hello","origin":"…"}`.
pub(crate) fn encode_hello(origin: &str) -> String {
    let origin = serde_json::to_string(origin).unwrap_or_else(|_| "\"\"".to_string());
    format!(r#"{{"v":{PROTOCOL_VERSION},"kind":"hello","origin":{origin}}}"#)
}

fn malformed(why: impl Into<String>) -> BroadcastErrorKind {
    BroadcastErrorKind::Malformed(why.into())
}

/// Reads the envelope of a message. Unknown extra fields are allowed (a later
/// minor revision may add some); the version is checked before anything
/// else, so a message of another version is reported as such whatever its
/// shape.
pub(crate) fn decode(raw: &str) -> Result<Message, BroadcastErrorKind> {
    let json: Value =
        serde_json::from_str(raw).map_err(|e| malformed(format!("not JSON ({e})")))?;
    let Value::Object(mut fields) = json else {
        return Err(malformed("not a JSON object"));
    };
    let version = match fields.get("v") {
        None => return Err(malformed("no \"v\" field")),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| malformed("\"v\" is not a whole number"))?,
    };
    if version != PROTOCOL_VERSION {
        return Err(BroadcastErrorKind::Version(version));
    }
    let kind = string_field(&fields, "kind")?;
    let origin = string_field(&fields, "origin")?;
    if origin.is_empty() {
        return Err(malformed("empty \"origin\""));
    }
    match kind.as_str() {
        "hello" => Ok(Message::Hello { origin }),
        "set" => {
            let clock = match fields.get("clock") {
                None => return Err(malformed("no \"clock\" field")),
                Some(c) => c
                    .as_u64()
                    .ok_or_else(|| malformed("\"clock\" is not a whole number"))?,
            };
            if clock == 0 || clock > MAX_CLOCK {
                return Err(malformed(format!(
                    "\"clock\" {clock} is not between 1 and {MAX_CLOCK}"
                )));
            }
            let value = fields
                .remove("value")
                .ok_or_else(|| malformed("no \"value\" field"))?;
            Ok(Message::Set {
                value,
                stamp: Stamp { clock, origin },
            })
        }
        other => Err(malformed(format!("unknown \"kind\" {other:?}"))),
    }
}

fn string_field(fields: &Map<String, Value>, name: &str) -> Result<String, BroadcastErrorKind> {
    match fields.get(name) {
        None => Err(malformed(format!("no {name:?} field"))),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(malformed(format!("{name:?} is not a string"))),
    }
}

/// Decodes a `set`'s value as `T`.
pub(crate) fn decode_value<T: DeserializeOwned>(value: Value) -> Result<T, BroadcastErrorKind> {
    serde_json::from_value(value).map_err(|e| BroadcastErrorKind::Value(e.to_string()))
}
