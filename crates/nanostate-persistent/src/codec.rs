//! How values become stored text and back: the [`Codec`] trait, [`Json`]
//! (the default) and [`Raw`].

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::CodecError;

/// Turns a value into the text a storage engine keeps, and back.
///
/// Storage engines hold strings (like localStorage), so a codec maps a value
/// to a `String`. Decoding must reject text it cannot read with a
/// [`CodecError`] (never panic): a persistent store then keeps its default
/// and reports the error.
///
/// A store takes its codec as a `&'static dyn Codec<T>`; a unit struct
/// (`&MyCodec`) is a constant, so custom codecs work in `static` stores.
///
/// ```
/// use nanostate_persistent::{Codec, CodecError};
///
/// /// Stores a `u32` as hexadecimal.
/// struct Hex;
/// impl Codec<u32> for Hex {
///     fn encode(&self, value: &u32) -> Result<String, CodecError> {
///         Ok(format!("{value:x}"))
///     }
///     fn decode(&self, raw: &str) -> Result<u32, CodecError> {
///         u32::from_str_radix(raw, 16).map_err(|e| CodecError::new(e.to_string()))
///     }
/// }
/// assert_eq!(Hex.encode(&255).unwrap(), "ff");
/// assert_eq!(Hex.decode("ff"), Ok(255));
/// assert!(Hex.decode("zz").is_err());
/// ```
pub trait Codec<T>: Send + Sync + 'static {
    /// The stored text for `value`.
    fn encode(&self, value: &T) -> Result<String, CodecError>;
    /// The value that `raw` stands for, or why it cannot be read.
    fn decode(&self, raw: &str) -> Result<T, CodecError>;
}

/// JSON through `serde_json`: the default codec, for any
/// `Serialize + DeserializeOwned` value. A value of the wrong shape (a string
/// where a list is expected, a missing field) is a decode error.
///
/// ```
/// use nanostate_persistent::{Codec, Json};
/// assert_eq!(Json.encode(&vec![1, 2]).unwrap(), "[1,2]");
/// assert_eq!(Codec::<Vec<u8>>::decode(&Json, "[3]"), Ok(vec![3]));
/// assert!(Codec::<Vec<u8>>::decode(&Json, "\"text\"").is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Json;

impl<T: Serialize + DeserializeOwned> Codec<T> for Json {
    fn encode(&self, value: &T) -> Result<String, CodecError> {
        serde_json::to_string(value).map_err(|e| CodecError::new(e.to_string()))
    }

    fn decode(&self, raw: &str) -> Result<T, CodecError> {
        serde_json::from_str(raw).map_err(|e| CodecError::new(e.to_string()))
    }
}

/// Stores a `String` as it is (no quotes), like Nano Stores'
/// `persistentAtom` without `encode`/`decode`. Every text decodes.
///
/// ```
/// use nanostate_persistent::{Codec, Raw};
/// assert_eq!(Raw.encode(&"dark".to_string()).unwrap(), "dark");
/// assert_eq!(Raw.decode("dark").unwrap(), "dark");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Raw;

impl Codec<String> for Raw {
    fn encode(&self, value: &String) -> Result<String, CodecError> {
        Ok(value.clone())
    }

    fn decode(&self, raw: &str) -> Result<String, CodecError> {
        Ok(raw.to_string())
    }
}
