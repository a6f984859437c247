//! `MapStore<K, V>`: a store of keyed entries with per-key writes and
//! per-key listeners.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::core::{next_id, Core, KeyEq, Kind};
use crate::events::Proposed;
use crate::map_value::MapValue;
use crate::store::{Lazy, Seed, Store};
use crate::subscription::Subscription;

#[doc(hidden)]
pub struct MapKind<K, V>(PhantomData<fn() -> (K, V)>);

impl<K, V> Kind for MapKind<K, V>
where
    K: Clone + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    type Value = MapValue<K, V>;
    type Key = K;
    type Item = V;
    type Extra = KeyEq<Self>;
    type Refresher = ();
}

fn item_eq<K, V: PartialEq>(_: &K, old: Option<&V>, new: &V) -> bool {
    old == Some(new)
}

/// A store of keyed entries (Nano Stores' `map`), held as a [`MapValue`]
/// that keeps insertion order.
///
/// Writes: [`set_key`](Self::set_key), [`delete_key`](Self::delete_key),
/// [`update_key`](Self::update_key) change one entry and tell listeners which
/// key changed; [`set`](Self::set) replaces everything. Listeners receive the
/// new map, the old map and the changed key (`None` for `set` and inside
/// [`batch`](crate::batch)). [`listen_keys`](Self::listen_keys) only hears
/// about the keys it names.
///
/// ```
/// use nanostate::{map, MapStore};
///
/// static PROFILE: MapStore<&'static str, String> = map();
///
/// let _sub = PROFILE.listen_keys(["name"], |profile, _old, _key| {
///     println!("name is now {:?}", profile.get("name"));
/// });
/// PROFILE.set_key("name", "Ada".into());
/// PROFILE.set_key("city", "London".into()); // not a watched key
/// assert_eq!(PROFILE.get_key(&"name").as_deref(), Some("Ada"));
/// ```
pub struct MapStore<K: 'static, V: 'static>
where
    MapKind<K, V>: Kind,
{
    lazy: Lazy<MapKind<K, V>>,
}

/// Declares an empty map store; usable in `static` items.
///
/// ```
/// use nanostate::{map, MapStore};
/// static CART: MapStore<String, u32> = map();
/// CART.set_key("apple".into(), 2);
/// assert_eq!(CART.get_key("apple"), Some(2));
/// ```
pub const fn map<K, V>() -> MapStore<K, V>
where
    K: Clone + Eq + Send + Sync + 'static,
    V: PartialEq + Send + Sync + 'static,
{
    MapStore {
        lazy: Lazy::new(
            Seed::Value(MapValue::new()),
            <MapValue<K, V> as PartialEq>::eq,
            item_eq::<K, V> as KeyEq<MapKind<K, V>>,
        ),
    }
}

/// Declares a map store whose initial entries are built on first use.
///
/// ```
/// use nanostate::{map_with, MapStore};
/// static SETTINGS: MapStore<&'static str, u8> = map_with(|| [("volume", 7)].into());
/// assert_eq!(SETTINGS.get_key(&"volume"), Some(7));
/// ```
pub const fn map_with<K, V>(init: fn() -> MapValue<K, V>) -> MapStore<K, V>
where
    K: Clone + Eq + Send + Sync + 'static,
    V: PartialEq + Send + Sync + 'static,
{
    MapStore {
        lazy: Lazy::new(
            Seed::With(init),
            <MapValue<K, V> as PartialEq>::eq,
            item_eq::<K, V> as KeyEq<MapKind<K, V>>,
        ),
    }
}

impl<K, V> MapStore<K, V>
where
    K: Clone + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    /// Creates a map store at run time. Clones share it.
    ///
    /// ```
    /// use nanostate::MapStore;
    /// let m = MapStore::new([("a", 1)].into());
    /// let n = m.clone();
    /// n.set_key("b", 2);
    /// assert_eq!(m.get().len(), 2);
    /// ```
    pub fn new(value: MapValue<K, V>) -> Self
    where
        V: PartialEq,
    {
        let eq = <MapValue<K, V> as PartialEq>::eq;
        let key_eq: KeyEq<MapKind<K, V>> = item_eq::<K, V>;
        MapStore {
            lazy: Lazy::from_core(Core::new(value, eq, key_eq)),
        }
    }

    /// Creates a map store with custom equality: `eq` for whole-map `set`,
    /// `key_eq(key, old, new)` for `set_key` (Nano Stores' `eq` and `eqKey`).
    /// `V` needs no `PartialEq`.
    ///
    /// ```
    /// use nanostate::MapStore;
    /// // Names compare case-insensitively; whole sets always notify.
    /// let m = MapStore::with_eq(
    ///     [("name", "Ada".to_string())].into(),
    ///     |_, _| false,
    ///     |_, old, new| old.is_some_and(|o| o.eq_ignore_ascii_case(new)),
    /// );
    /// m.set_key("name", "ADA".into());
    /// assert_eq!(m.get_key(&"name").as_deref(), Some("Ada"));
    /// ```
    pub fn with_eq(
        value: MapValue<K, V>,
        eq: fn(&MapValue<K, V>, &MapValue<K, V>) -> bool,
        key_eq: fn(&K, Option<&V>, &V) -> bool,
    ) -> Self {
        MapStore {
            lazy: Lazy::from_core(Core::new(value, eq, key_eq)),
        }
    }

    /// A clone of the whole map (see [`with`](Self::with) to borrow it).
    ///
    /// ```
    /// let m = nanostate::MapStore::new([("a", 1)].into());
    /// assert_eq!(m.get().get("a"), Some(&1));
    /// ```
    pub fn get(&self) -> MapValue<K, V>
    where
        V: Clone,
    {
        self.with(MapValue::clone)
    }

    /// Calls `f` with a borrow of the current map. No lock is held meanwhile.
    ///
    /// ```
    /// let m = nanostate::MapStore::new([("a", 1), ("b", 2)].into());
    /// assert_eq!(m.with(|m| m.values().sum::<i32>()), 3);
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&MapValue<K, V>) -> R) -> R {
        let value = self.core().get().expect("a map always has a value");
        f(&value)
    }

    /// A clone of the entry under `key`.
    ///
    /// ```
    /// let m = nanostate::MapStore::new([("a", 1)].into());
    /// assert_eq!(m.get_key(&"a"), Some(1));
    /// assert_eq!(m.get_key(&"z"), None);
    /// ```
    pub fn get_key<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + ?Sized,
        V: Clone,
    {
        self.with(|m| m.get(key).cloned())
    }

    /// Replaces the whole map. Listeners get no changed key.
    ///
    /// ```
    /// let m = nanostate::MapStore::new([("a", 1)].into());
    /// m.set([("b", 2)].into());
    /// assert!(m.get_key(&"a").is_none());
    /// ```
    pub fn set(&self, value: MapValue<K, V>) {
        self.core().set(value);
    }

    /// Sets one entry. Listeners are told `key` changed, unless the entry
    /// already holds an equal value.
    ///
    /// ```
    /// let m = nanostate::MapStore::new(nanostate::MapValue::new());
    /// m.set_key("a", 1);
    /// assert_eq!(m.get_key(&"a"), Some(1));
    /// ```
    pub fn set_key(&self, key: K, value: V)
    where
        V: Clone,
    {
        self.write_key(key, Some(value), None);
    }

    /// Removes one entry (a no-op if absent).
    ///
    /// ```
    /// let m = nanostate::MapStore::new([("a", 1)].into());
    /// m.delete_key(&"a");
    /// assert!(m.get().is_empty());
    /// ```
    pub fn delete_key(&self, key: &K)
    where
        V: Clone,
    {
        self.write_key(key.clone(), None, None);
    }

    /// Atomically replaces one entry with `f(current entry)`; `None` deletes
    /// it. Like [`Atom::update`](crate::Atom::update), `f` runs without a
    /// lock and runs again if another write raced with it.
    ///
    /// ```
    /// let cart = nanostate::MapStore::new(nanostate::MapValue::new());
    /// cart.update_key("apple", |q| Some(q.copied().unwrap_or(0) + 1));
    /// cart.update_key("apple", |q| Some(q.copied().unwrap_or(0) + 1));
    /// assert_eq!(cart.get_key(&"apple"), Some(2));
    /// cart.update_key("apple", |_| None);
    /// assert!(cart.get().is_empty());
    /// ```
    pub fn update_key(&self, key: K, f: impl Fn(Option<&V>) -> Option<V>)
    where
        V: Clone,
    {
        loop {
            let core = self.core();
            let (version, current) = (core.version(), core.peek());
            let Some(current) = current else { return };
            let next = f(current.get(&key));
            if self.write_key(key.clone(), next, Some(version)) {
                return;
            }
        }
    }

    /// The shared write path of `set_key`, `delete_key` and `update_key`.
    /// With `expect_version`, commits only if the store is still at that
    /// version; returns false if it was not (the caller retries).
    fn write_key(&self, key: K, value: Option<V>, expect_version: Option<u64>) -> bool
    where
        V: Clone,
    {
        let core = self.core();
        if core.run_set_hooks(Proposed::Key(&key, value.as_ref())) {
            return true;
        }
        let mut stale = false;
        let key_for_notify = key.clone();
        core.write(Some(key_for_notify), |st| {
            if expect_version.is_some_and(|v| v != core.version()) {
                stale = true;
                return None;
            }
            let current = st.value.as_deref()?;
            match value {
                None => {
                    if !current.contains_key(&key) {
                        return None;
                    }
                    let mut next = current.clone();
                    next.remove(&key);
                    Some(next)
                }
                Some(value) => {
                    if (st.extra)(&key, current.get(&key), &value) {
                        return None;
                    }
                    let mut next = current.clone();
                    next.insert(key, value);
                    Some(next)
                }
            }
        });
        !stale
    }

    /// Calls `listener(new, old, changed_key)` after each change.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// let m = nanostate::MapStore::new(nanostate::MapValue::new());
    /// let keys = Arc::new(Mutex::new(Vec::new()));
    /// let log = keys.clone();
    /// let _sub = m.listen(move |_, _, key| log.lock().unwrap().push(key.copied()));
    /// m.set_key("a", 1);
    /// m.set([("b", 2)].into());
    /// assert_eq!(*keys.lock().unwrap(), [Some("a"), None]);
    /// ```
    pub fn listen(
        &self,
        listener: impl Fn(&MapValue<K, V>, &MapValue<K, V>, Option<&K>) + Send + Sync + 'static,
    ) -> Subscription {
        self.core().listen(
            next_id(),
            Box::new(move |new, old, key| {
                if let Some(old) = old {
                    listener(new, old, key)
                }
            }),
        )
    }

    /// Calls `listener(map, None, None)` at once, then like
    /// [`listen`](Self::listen) with `Some(old)`.
    ///
    /// ```
    /// let m = nanostate::MapStore::new([("a", 1)].into());
    /// let _sub = m.subscribe(|map, old, _| assert!(old.is_some() || map.len() == 1));
    /// ```
    pub fn subscribe(
        &self,
        listener: impl Fn(&MapValue<K, V>, Option<&MapValue<K, V>>, Option<&K>) + Send + Sync + 'static,
    ) -> Subscription {
        self.core().subscribe(listener)
    }

    /// Like [`listen`](Self::listen), but only for changes that touch one of
    /// `keys`: a `set_key` of a listed key, or a whole `set` (or a batch)
    /// after which a listed key differs.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
    /// use std::sync::Arc;
    /// let m = nanostate::MapStore::new([("a", 1), ("b", 1)].into());
    /// let calls = Arc::new(AtomicU32::new(0));
    /// let c = calls.clone();
    /// let _sub = m.listen_keys(["a"], move |_, _, _| { c.fetch_add(1, SeqCst); });
    /// m.set_key("b", 2);
    /// m.set_key("a", 2);
    /// assert_eq!(calls.load(SeqCst), 1);
    /// ```
    pub fn listen_keys(
        &self,
        keys: impl IntoIterator<Item = K>,
        listener: impl Fn(&MapValue<K, V>, &MapValue<K, V>, Option<&K>) + Send + Sync + 'static,
    ) -> Subscription {
        let filter = self.key_filter(keys);
        self.listen(move |new, old, key| {
            if filter(new, Some(old), key) {
                listener(new, old, key)
            }
        })
    }

    /// [`listen_keys`](Self::listen_keys) plus one call at once with
    /// `(map, None, None)`.
    ///
    /// ```
    /// let m = nanostate::MapStore::new([("a", 1)].into());
    /// let _sub = m.subscribe_keys(["a"], |map, _, _| assert_eq!(map.get("a"), Some(&1)));
    /// ```
    pub fn subscribe_keys(
        &self,
        keys: impl IntoIterator<Item = K>,
        listener: impl Fn(&MapValue<K, V>, Option<&MapValue<K, V>>, Option<&K>) + Send + Sync + 'static,
    ) -> Subscription {
        let filter = self.key_filter(keys);
        self.subscribe(move |new, old, key| {
            if old.is_none() || filter(new, old, key) {
                listener(new, old, key)
            }
        })
    }

    /// [`listen_keys`](Self::listen_keys) for a listener that need not be
    /// `Send` (see [`listen_local`](crate::listen_local)): called with
    /// `(map, changed_key)` for changes made on this thread that touch one
    /// of `keys`.
    ///
    /// ```
    /// use nanostate::{MapStore, MapValue};
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    ///
    /// let profile = MapStore::new(MapValue::from([("name", "Ada"), ("city", "London")]));
    /// let calls = Rc::new(Cell::new(0)); // not Send
    /// let c = calls.clone();
    /// let _sub = profile.listen_keys_local(["name"], move |_, _| c.set(c.get() + 1));
    /// profile.set_key("city", "Paris"); // not a listed key
    /// profile.set_key("name", "Grace");
    /// profile.set(MapValue::from([("name", "Grace"), ("city", "Rome")])); // name unchanged
    /// assert_eq!(calls.get(), 1);
    /// ```
    pub fn listen_keys_local(
        &self,
        keys: impl IntoIterator<Item = K>,
        listener: impl Fn(&MapValue<K, V>, Option<&K>) + 'static,
    ) -> crate::LocalSubscription {
        let filter = self.key_filter(keys);
        crate::local::register_filtered(self, filter, std::rc::Rc::new(listener))
    }

    #[allow(clippy::type_complexity)]
    fn key_filter(
        &self,
        keys: impl IntoIterator<Item = K>,
    ) -> impl Fn(&MapValue<K, V>, Option<&MapValue<K, V>>, Option<&K>) -> bool + Send + Sync + 'static
    {
        let keys: Vec<K> = keys.into_iter().collect();
        // Weak: the filter lives in the store's own listener list.
        let core = std::sync::Arc::downgrade(self.core());
        move |new, old, key| match (key, old) {
            (Some(key), _) => keys.contains(key),
            (None, None) => !keys.is_empty(),
            (None, Some(old)) => {
                let Some(key_eq) = core.upgrade().map(|c| c.lock().extra) else {
                    return false;
                };
                keys.iter().any(|k| match (old.get(k), new.get(k)) {
                    (None, None) => false,
                    (Some(a), Some(b)) => !key_eq(k, Some(a), b),
                    _ => true,
                })
            }
        }
    }

    /// Number of listeners.
    ///
    /// ```
    /// let m = nanostate::MapStore::new(nanostate::MapValue::<u8, u8>::new());
    /// assert_eq!(m.listener_count(), 0);
    /// ```
    pub fn listener_count(&self) -> usize {
        self.core().listener_count()
    }

    /// Replaces the equality used by whole-map `set`.
    ///
    /// ```
    /// let m = nanostate::MapStore::new([("a", 1)].into());
    /// m.set_eq(|a, b| a.len() == b.len());
    /// m.set([("z", 9)].into()); // same length: ignored
    /// assert_eq!(m.get_key(&"a"), Some(1));
    /// ```
    pub fn set_eq(&self, eq: fn(&MapValue<K, V>, &MapValue<K, V>) -> bool) {
        self.core().set_eq(eq);
    }

    /// Replaces the per-entry equality used by `set_key`:
    /// `key_eq(key, old, new)`, where `old` is `None` for a missing key.
    ///
    /// ```
    /// let m = nanostate::MapStore::new([("a", 1)].into());
    /// m.set_key_eq(|_, _, _| true); // every set_key counts as "no change"
    /// m.set_key("a", 5);
    /// assert_eq!(m.get_key(&"a"), Some(1));
    /// ```
    pub fn set_key_eq(&self, key_eq: fn(&K, Option<&V>, &V) -> bool) {
        self.core().lock().extra = key_eq;
    }

    /// Sets the `on_mount` cleanup delay (default 1 s).
    ///
    /// ```
    /// let m = nanostate::MapStore::new(nanostate::MapValue::<u8, u8>::new());
    /// m.set_unmount_delay(std::time::Duration::ZERO);
    /// ```
    pub fn set_unmount_delay(&self, delay: Duration) {
        self.core().set_unmount_delay(delay);
    }
}

impl<K, V> Clone for MapStore<K, V>
where
    K: Clone + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    fn clone(&self) -> Self {
        MapStore {
            lazy: self.lazy.share(),
        }
    }
}

impl<K, V> Store for MapStore<K, V>
where
    K: Clone + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    type Value = MapValue<K, V>;
    type Kind = MapKind<K, V>;
    #[inline]
    fn core(&self) -> &Arc<Core<MapKind<K, V>>> {
        self.lazy.core()
    }
}
