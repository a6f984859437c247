//! `MapValue<K, V>`: the value of a map store, a map that keeps insertion
//! order like a JavaScript object.

use std::borrow::Borrow;

/// An insertion-ordered map, the value of a [`MapStore`](crate::MapStore).
///
/// Like a JavaScript object: iteration follows insertion order, setting an
/// existing key keeps its position, and a key removed and added again moves
/// to the end. Lookups are linear scans, which beat hashing for the small
/// maps stores usually hold; each write to a store copies the map (the old
/// value is kept for listeners), so very large maps belong in several stores.
///
/// ```
/// use nanostate::MapValue;
/// let mut m = MapValue::new();
/// m.insert("b", 1);
/// m.insert("a", 2);
/// m.insert("b", 3);
/// assert_eq!(m.iter().collect::<Vec<_>>(), [(&"b", &3), (&"a", &2)]);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MapValue<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> MapValue<K, V> {
    /// An empty map.
    ///
    /// ```
    /// let m: nanostate::MapValue<String, u8> = nanostate::MapValue::new();
    /// assert!(m.is_empty());
    /// ```
    pub const fn new() -> Self {
        MapValue {
            entries: Vec::new(),
        }
    }

    /// Number of entries.
    ///
    /// ```
    /// let m: nanostate::MapValue<_, _> = [("a", 1)].into();
    /// assert_eq!(m.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entries.
    ///
    /// ```
    /// assert!(nanostate::MapValue::<u8, u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries in insertion order.
    ///
    /// ```
    /// let m: nanostate::MapValue<_, _> = [("x", 1), ("y", 2)].into();
    /// assert_eq!(m.iter().map(|(k, _)| *k).collect::<String>(), "xy");
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&K, &V)> + '_ {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Keys in insertion order.
    ///
    /// ```
    /// let m: nanostate::MapValue<_, _> = [("x", 1)].into();
    /// assert_eq!(m.keys().next(), Some(&"x"));
    /// ```
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &K> + '_ {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Values in insertion order.
    ///
    /// ```
    /// let m: nanostate::MapValue<_, _> = [("x", 1), ("y", 2)].into();
    /// assert_eq!(m.values().sum::<i32>(), 3);
    /// ```
    pub fn values(&self) -> impl ExactSizeIterator<Item = &V> + '_ {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<K: Eq, V> MapValue<K, V> {
    /// The value under `key`.
    ///
    /// ```
    /// let m: nanostate::MapValue<String, i32> = [("a".to_string(), 1)].into();
    /// assert_eq!(m.get("a"), Some(&1));
    /// ```
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        self.entries
            .iter()
            .find(|(k, _)| k.borrow() == key)
            .map(|(_, v)| v)
    }

    /// The value under `key`, mutably.
    ///
    /// ```
    /// let mut m: nanostate::MapValue<_, _> = [("a", 1)].into();
    /// *m.get_mut(&"a").unwrap() += 1;
    /// assert_eq!(m.get(&"a"), Some(&2));
    /// ```
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        self.entries
            .iter_mut()
            .find(|(k, _)| k.borrow() == key)
            .map(|(_, v)| v)
    }

    /// Whether `key` is present.
    ///
    /// ```
    /// let m: nanostate::MapValue<_, _> = [("a", 1)].into();
    /// assert!(m.contains_key(&"a"));
    /// ```
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`, keeping the key's position if it exists.
    /// Returns the previous value.
    ///
    /// ```
    /// let mut m = nanostate::MapValue::new();
    /// assert_eq!(m.insert("a", 1), None);
    /// assert_eq!(m.insert("a", 2), Some(1));
    /// ```
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => Some(std::mem::replace(slot, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// Removes `key`, keeping the order of the others. Returns its value.
    ///
    /// ```
    /// let mut m: nanostate::MapValue<_, _> = [("a", 1), ("b", 2)].into();
    /// assert_eq!(m.remove(&"a"), Some(1));
    /// assert_eq!(m.keys().collect::<Vec<_>>(), [&"b"]);
    /// ```
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let pos = self.entries.iter().position(|(k, _)| k.borrow() == key)?;
        Some(self.entries.remove(pos).1)
    }
}

impl<K, V> Default for MapValue<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Eq, V> FromIterator<(K, V)> for MapValue<K, V> {
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        let mut map = MapValue::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl<K: Eq, V, const N: usize> From<[(K, V); N]> for MapValue<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<'a, K, V> IntoIterator for &'a MapValue<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<K: std::fmt::Debug, V: std::fmt::Debug> std::fmt::Debug for MapValue<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    //! `Serialize`/`Deserialize` for [`MapValue`] (feature `serde`): a map in
    //! insertion order; a key repeated in the input keeps its first position
    //! and its last value, as in a JS object.

    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
    use serde::ser::{Serialize, SerializeMap, Serializer};

    use super::MapValue;

    impl<K: Serialize, V: Serialize> Serialize for MapValue<K, V> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(self.len()))?;
            for (k, v) in self.iter() {
                map.serialize_entry(k, v)?;
            }
            map.end()
        }
    }

    impl<'de, K: Deserialize<'de> + Eq, V: Deserialize<'de>> Deserialize<'de> for MapValue<K, V> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Entries<K, V>(PhantomData<(K, V)>);
            impl<'de, K: Deserialize<'de> + Eq, V: Deserialize<'de>> Visitor<'de> for Entries<K, V> {
                type Value = MapValue<K, V>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a map")
                }
                fn visit_map<A: MapAccess<'de>>(
                    self,
                    mut access: A,
                ) -> Result<Self::Value, A::Error> {
                    let mut map = MapValue::new();
                    while let Some((k, v)) = access.next_entry()? {
                        map.insert(k, v);
                    }
                    Ok(map)
                }
            }
            d.deserialize_map(Entries(PhantomData))
        }
    }
}
