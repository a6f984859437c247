//! [`PersistentMap`]: a [`MapStore`] saved as one storage entry per key.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use nanostate::__private::Core;
use nanostate::{batch, MapStore, MapValue, Store};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::atom::Seed;
use crate::codec::{Codec, Json};
use crate::engine::{EngineChoice, EngineRef, ExternalChange, StorageEngine};
use crate::error::{report, ErrorHook, Hooks, Operation, PersistError, PersistErrorKind};
use crate::error::{StorageError, StoreHooks};
use crate::hooks::{install, lock, restore, Link, Persisted, Retry};

/// A [`MapStore`] saved in a [`StorageEngine`] as **one entry per key**,
/// named `prefix + key` (Nano Stores' `persistentMap`): a change to one key
/// writes only that entry, a deleted key removes its entry.
///
/// Keys are written with `Display` and read back with `FromStr` (use
/// `String`, or a number type); values use the store's codec (JSON by
/// default). It dereferences to its [`MapStore`] and implements [`Store`],
/// so it is used like any map store.
///
/// * **Loading.** On first use the store starts from its default value and
///   overlays every stored entry under the prefix (listed with
///   [`StorageEngine::list`]; an engine that cannot list is asked for the
///   default's keys only). An entry that cannot be decoded, or whose name is
///   not a valid key, is reported and skipped: that key keeps its default,
///   and the entry is left as it is until the key is written. A
///   [`deferred`](Self::deferred) store reads nothing until
///   [`restore`](Self::restore).
/// * **Saving.** `set_key`, `update_key`, `delete_key` and whole `set`s
///   write exactly the entries that changed and remove the entries of
///   removed keys. A key deleted from the store comes back with its default
///   value on the next load if the default has it.
/// * **Syncing.** While mounted, external changes of entries under the
///   prefix are applied key by key (a removed entry resets that key to its
///   default, or deletes it), never written back; on each mount the entries
///   are read again.
///
/// ```
/// use nanostate::MapValue;
/// use nanostate_persistent::{persistent_map, MemoryEngine, PersistentMap};
///
/// static ENGINE: MemoryEngine = MemoryEngine::new();
/// static SETTINGS: PersistentMap<String, String> =
///     persistent_map("settings:", MapValue::new).engine(&ENGINE);
///
/// SETTINGS.set_key("theme".into(), "dark".into());
/// SETTINGS.set_key("lang".into(), "fr".into());
/// SETTINGS.delete_key(&"lang".to_string());
/// assert_eq!(ENGINE.entries(), [("settings:theme".into(), "\"dark\"".into())]);
/// ```
pub struct PersistentMap<K, V>
where
    K: Clone + Eq + Display + FromStr + Send + Sync + 'static,
    V: Clone + PartialEq + Send + Sync + 'static,
{
    prefix: Cow<'static, str>,
    seed: Mutex<Option<Seed<MapValue<K, V>>>>,
    codec: &'static dyn Codec<V>,
    engine: EngineChoice,
    errors: StoreHooks,
    deferred: bool,
    bound: OnceLock<Arc<MapInner<K, V>>>,
}

/// Declares a persistent map whose entries are stored as `prefix + key`
/// with the JSON codec; `default()` gives the entries used where nothing
/// (readable) is stored. Usable in `static` items; the store binds to its
/// engine on first use.
///
/// ```
/// use nanostate::MapValue;
/// use nanostate_persistent::{persistent_map, PersistentMap};
///
/// fn defaults() -> MapValue<String, u32> {
///     [("volume".to_string(), 5)].into()
/// }
/// static PREFS: PersistentMap<String, u32> = persistent_map("doc-prefs:", defaults);
/// assert_eq!(PREFS.get_key("volume"), Some(5));
/// ```
pub const fn persistent_map<K, V>(
    prefix: &'static str,
    default: fn() -> MapValue<K, V>,
) -> PersistentMap<K, V>
where
    K: Clone + Eq + Display + FromStr + Send + Sync + 'static,
    V: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    persistent_map_with_codec(prefix, default, &Json)
}

/// [`persistent_map`] with another [`Codec`] for the values.
///
/// ```
/// use nanostate::MapValue;
/// use nanostate_persistent::{persistent_map_with_codec, MemoryEngine, PersistentMap, Raw};
/// static ENGINE: MemoryEngine = MemoryEngine::new();
/// static NOTES: PersistentMap<u32, String> =
///     persistent_map_with_codec("note:", MapValue::new, &Raw).engine(&ENGINE);
/// NOTES.set_key(1, "buy milk".into());
/// assert_eq!(ENGINE.get_raw("note:1").as_deref(), Some("buy milk"));
/// ```
pub const fn persistent_map_with_codec<K, V>(
    prefix: &'static str,
    default: fn() -> MapValue<K, V>,
    codec: &'static dyn Codec<V>,
) -> PersistentMap<K, V>
where
    K: Clone + Eq + Display + FromStr + Send + Sync + 'static,
    V: Clone + PartialEq + Send + Sync + 'static,
{
    PersistentMap {
        prefix: Cow::Borrowed(prefix),
        seed: Mutex::new(Some(Seed::With(default))),
        codec,
        engine: EngineChoice::default_engine(),
        errors: StoreHooks::new(),
        deferred: false,
        bound: OnceLock::new(),
    }
}

impl<K, V> PersistentMap<K, V>
where
    K: Clone + Eq + Display + FromStr + Send + Sync + 'static,
    V: Clone + PartialEq + Send + Sync + 'static,
{
    /// Creates a persistent map at run time (JSON codec). Clones share it.
    ///
    /// ```
    /// use nanostate::MapValue;
    /// use nanostate_persistent::{MemoryEngine, PersistentMap};
    /// use std::sync::Arc;
    /// let engine = Arc::new(MemoryEngine::new());
    /// let cart = PersistentMap::new("cart:", MapValue::<String, u32>::new()).with_engine(engine.clone());
    /// cart.update_key("tee".into(), |q| Some(q.copied().unwrap_or(0) + 1));
    /// assert_eq!(engine.get_raw("cart:tee").as_deref(), Some("1"));
    /// ```
    pub fn new(prefix: impl Into<Cow<'static, str>>, default: MapValue<K, V>) -> Self
    where
        V: Serialize + DeserializeOwned,
    {
        Self::with_codec(prefix, default, &Json)
    }

    /// Creates a persistent map at run time with another [`Codec`].
    ///
    /// ```
    /// use nanostate::MapValue;
    /// use nanostate_persistent::{PersistentMap, Raw};
    /// let tags = PersistentMap::<String, String>::with_codec("doc-tags:", MapValue::new(), &Raw);
    /// assert!(tags.get().is_empty());
    /// ```
    pub fn with_codec(
        prefix: impl Into<Cow<'static, str>>,
        default: MapValue<K, V>,
        codec: &'static dyn Codec<V>,
    ) -> Self {
        PersistentMap {
            prefix: prefix.into(),
            seed: Mutex::new(Some(Seed::Value(default))),
            codec,
            engine: EngineChoice::default_engine(),
            errors: StoreHooks::new(),
            deferred: false,
            bound: OnceLock::new(),
        }
    }

    /// Uses `engine` instead of the default engine (`const`: for `static`
    /// items). Has no effect once the store was used.
    ///
    /// ```
    /// use nanostate::MapValue;
    /// use nanostate_persistent::{persistent_map, MemoryEngine, PersistentMap};
    /// static ENGINE: MemoryEngine = MemoryEngine::new();
    /// static M: PersistentMap<String, bool> = persistent_map("m:", MapValue::new).engine(&ENGINE);
    /// M.set_key("a".into(), true);
    /// assert_eq!(ENGINE.get_raw("m:a").as_deref(), Some("true"));
    /// ```
    pub const fn engine(mut self, engine: &'static dyn StorageEngine) -> Self {
        self.engine.fixed = Some(engine);
        self
    }

    /// Uses `engine` instead of the default engine (run time). Has no effect
    /// once the store was used.
    ///
    /// ```
    /// use nanostate::MapValue;
    /// use nanostate_persistent::{MemoryEngine, PersistentMap};
    /// use std::sync::Arc;
    /// let engine = Arc::new(MemoryEngine::new());
    /// let m = PersistentMap::new("m:", MapValue::<u8, u8>::new()).with_engine(engine.clone());
    /// m.set_key(1, 2);
    /// assert_eq!(engine.get_raw("m:1").as_deref(), Some("2"));
    /// ```
    pub fn with_engine(mut self, engine: Arc<dyn StorageEngine>) -> Self {
        self.engine.shared = Some(engine);
        self
    }

    /// Defers reading the storage until [`restore`](Self::restore) (`const`:
    /// for `static` items), for pages whose first render must match the
    /// server's (see [Hydration](crate#hydration)).
    ///
    /// Until `restore()` the store holds its default value and touches no
    /// storage: it does not read, write, list or watch it, also while
    /// mounted. Writes change the value in memory as usual. At `restore()`,
    /// key by key, a stored (readable) entry replaces the key's value in
    /// memory; the keys with nothing readable stored keep their value in
    /// memory, and those that differ from the default are saved. From then
    /// on the store is a normal persistent map. Has no effect once the store
    /// was used.
    ///
    /// ```
    /// use nanostate::MapValue;
    /// use nanostate_persistent::{persistent_map, MemoryEngine, PersistentMap};
    /// static ENGINE: MemoryEngine = MemoryEngine::new();
    /// static CART: PersistentMap<String, u32> =
    ///     persistent_map("cart:", MapValue::new).engine(&ENGINE).deferred();
    ///
    /// ENGINE.insert("cart:tee", "2");
    /// assert!(CART.get().is_empty()); // what the server rendered
    /// CART.restore();
    /// assert_eq!(CART.get_key("tee"), Some(2));
    /// ```
    pub const fn deferred(mut self) -> Self {
        self.deferred = true;
        self
    }

    /// Connects a [`deferred`](Self::deferred) map to its storage: reads the
    /// stored entries, and from then on saves every change and, while
    /// mounted, follows external changes.
    ///
    /// Key by key (listeners hear one change in all):
    ///
    /// * a stored entry that decodes replaces the key's value in memory, so
    ///   a write of that key made before `restore` (also a deletion) is
    ///   dropped in its favour;
    /// * a key with no entry, or whose entry cannot be decoded (reported as
    ///   a [`Load`](crate::Operation::Load) error), keeps its value in
    ///   memory, which is saved if it differs from the default (a key deleted
    ///   before `restore` has its entry removed; a key written before
    ///   `restore` replaces undecodable text);
    /// * if the storage cannot be read at all, the error is reported,
    ///   nothing is written and the value in memory is kept; the next change
    ///   saves every key that differs from the default (the keys written
    ///   before `restore` too).
    ///
    /// Errors go to the [`on_error`](Self::on_error) hooks. If the store is
    /// mounted, it subscribes to external changes first. Calling `restore`
    /// again, or on a store that is not deferred, does nothing (beyond
    /// binding the store on first use).
    ///
    /// ```
    /// use nanostate::MapValue;
    /// use nanostate_persistent::{MemoryEngine, PersistentMap};
    /// use std::sync::Arc;
    /// let engine = Arc::new(MemoryEngine::new());
    /// engine.insert("cart:tee", "2");
    /// let cart = PersistentMap::new("cart:", MapValue::<String, u32>::new())
    ///     .with_engine(engine.clone())
    ///     .deferred();
    /// cart.set_key("tee".into(), 9); // before restore: in memory only
    /// cart.set_key("cap".into(), 1);
    /// cart.restore();
    /// assert_eq!(cart.get_key("tee"), Some(2)); // stored: storage wins
    /// assert_eq!(cart.get_key("cap"), Some(1)); // not stored: kept, and saved
    /// assert_eq!(
    ///     engine.entries(),
    ///     [("cart:cap".to_string(), "1".to_string()), ("cart:tee".into(), "2".into())]
    /// );
    /// ```
    pub fn restore(&self) {
        restore(self.inner());
    }

    /// Whether the store reads and writes its storage: `false` only for a
    /// [`deferred`](Self::deferred) store before [`restore`](Self::restore).
    ///
    /// ```
    /// use nanostate::MapValue;
    /// use nanostate_persistent::PersistentMap;
    /// let later = PersistentMap::new("doc-restored:", MapValue::<String, u8>::new()).deferred();
    /// assert!(!later.is_restored());
    /// later.restore();
    /// assert!(later.is_restored());
    /// ```
    pub fn is_restored(&self) -> bool {
        self.inner().link.is_restored()
    }

    /// The prefix of the storage keys.
    ///
    /// ```
    /// use nanostate::MapValue;
    /// let m = nanostate_persistent::PersistentMap::new("p:", MapValue::<String, u8>::new());
    /// assert_eq!(m.prefix(), "p:");
    /// ```
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The underlying map store (binding the store to its engine on first
    /// use); also reached through `Deref`.
    ///
    /// ```
    /// use nanostate::{MapStore, MapValue};
    /// let m = nanostate_persistent::PersistentMap::new("doc-map:", MapValue::<String, u8>::new());
    /// let store: &MapStore<String, u8> = m.map();
    /// assert!(store.get().is_empty());
    /// ```
    pub fn map(&self) -> &MapStore<K, V> {
        &self.inner().store
    }

    /// Registers an error hook for this store (see
    /// [`PersistentAtom::on_error`](crate::PersistentAtom::on_error)); the
    /// error's key is the full storage key of the entry.
    ///
    /// ```
    /// use nanostate::MapValue;
    /// use nanostate_persistent::{MemoryEngine, PersistentMap};
    /// use std::sync::{Arc, Mutex};
    /// let engine = Arc::new(MemoryEngine::new());
    /// engine.insert("m:a", "oops");
    /// let m = PersistentMap::new("m:", MapValue::<String, u8>::new()).with_engine(engine.clone());
    /// let keys = Arc::new(Mutex::new(Vec::new()));
    /// let log = keys.clone();
    /// let _hook = m.on_error(move |e| log.lock().unwrap().push(e.key().to_string()));
    /// assert!(m.get().is_empty());
    /// assert_eq!(*keys.lock().unwrap(), ["m:a"]);
    /// ```
    pub fn on_error(&self, hook: impl Fn(&PersistError) + Send + Sync + 'static) -> ErrorHook {
        self.errors.add(hook)
    }

    fn inner(&self) -> &Arc<MapInner<K, V>> {
        if let Some(inner) = self.bound.get() {
            return inner;
        }
        let mut errors = Vec::new();
        let inner = self.bound.get_or_init(|| self.bind(&mut errors));
        report(&inner.hooks, errors);
        inner
    }

    fn bind(&self, errors: &mut Vec<PersistError>) -> Arc<MapInner<K, V>> {
        let prefix = self.prefix.to_string();
        let engine = self.engine.resolve();
        let default = Seed::take(&self.seed);
        let mut value = default.clone();
        let mut seen = HashMap::new();
        let mut last_load_error = None;
        let read = if self.deferred {
            Ok(Vec::new()) // read at `restore`
        } else {
            read_entries(&*engine, &prefix, &default, &[])
        };
        match read {
            Ok(entries) => {
                for (full, raw) in entries {
                    match decode_entry(&prefix, self.codec, &full, &raw) {
                        Ok((key, item)) => {
                            value.insert(key, item);
                        }
                        Err(kind) => errors.push(PersistError::new(&full, Operation::Load, kind)),
                    }
                    seen.insert(full, raw);
                }
            }
            Err(e) => {
                last_load_error = Some(e.clone());
                errors.push(PersistError::new(
                    &prefix,
                    Operation::Load,
                    PersistErrorKind::Storage(e),
                ));
            }
        }
        let store = MapStore::new(value);
        let last = store.peek().unwrap_or_default();
        let inner = Arc::new_cyclic(|me| MapInner {
            me: me.clone(),
            retry: Retry::default(),
            prefix,
            store,
            default,
            codec: self.codec,
            engine,
            hooks: self.errors.shared(),
            link: Link::new(self.deferred),
            sync: Mutex::new(MapSync {
                last,
                seen,
                last_load_error,
                unsaved: Vec::new(),
            }),
        });
        install(&inner, &inner.store);
        inner
    }
}

impl<K, V> std::ops::Deref for PersistentMap<K, V>
where
    K: Clone + Eq + Display + FromStr + Send + Sync + 'static,
    V: Clone + PartialEq + Send + Sync + 'static,
{
    type Target = MapStore<K, V>;
    fn deref(&self) -> &MapStore<K, V> {
        self.map()
    }
}

impl<K, V> Store for PersistentMap<K, V>
where
    K: Clone + Eq + Display + FromStr + Send + Sync + 'static,
    V: Clone + PartialEq + Send + Sync + 'static,
{
    type Value = MapValue<K, V>;
    type Kind = <MapStore<K, V> as Store>::Kind;
    fn core(&self) -> &Arc<Core<Self::Kind>> {
        self.map().core()
    }
}

impl<K, V> Clone for PersistentMap<K, V>
where
    K: Clone + Eq + Display + FromStr + Send + Sync + 'static,
    V: Clone + PartialEq + Send + Sync + 'static,
{
    /// A handle to the same store (binding it first).
    fn clone(&self) -> Self {
        let bound = OnceLock::new();
        let _ = bound.set(self.inner().clone());
        PersistentMap {
            prefix: self.prefix.clone(),
            seed: Mutex::new(None),
            codec: self.codec,
            engine: EngineChoice {
                fixed: self.engine.fixed,
                shared: self.engine.shared.clone(),
            },
            errors: StoreHooks::from_shared(self.inner().hooks.clone()),
            deferred: self.deferred,
            bound,
        }
    }
}

impl<K, V> std::fmt::Debug for PersistentMap<K, V>
where
    K: Clone + Eq + Display + FromStr + Send + Sync + std::fmt::Debug + 'static,
    V: Clone + PartialEq + Send + Sync + std::fmt::Debug + 'static,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("PersistentMap");
        d.field("prefix", &self.prefix);
        match self.bound.get() {
            Some(inner) => d.field("value", &inner.store.peek()),
            None => d.field("value", &"<not loaded>"),
        };
        d.finish()
    }
}

/// The stored entries under `prefix`: listed, or (for an engine that cannot
/// list) probed for the keys of `default` and `extra` full keys.
fn read_entries<K, V>(
    engine: &dyn StorageEngine,
    prefix: &str,
    default: &MapValue<K, V>,
    extra: &[String],
) -> Result<Vec<(String, String)>, StorageError>
where
    K: Display,
{
    if let Some(entries) = engine.list(prefix)? {
        return Ok(entries
            .into_iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .collect());
    }
    let mut keys: Vec<String> = default.keys().map(|k| format!("{prefix}{k}")).collect();
    for key in extra {
        if !keys.contains(key) {
            keys.push(key.clone());
        }
    }
    let mut found = Vec::new();
    for key in keys {
        if let Some(raw) = engine.get(&key)? {
            found.push((key, raw));
        }
    }
    Ok(found)
}

fn parse_key<K: FromStr>(prefix: &str, full: &str) -> Result<K, PersistErrorKind> {
    let name = full.strip_prefix(prefix).unwrap_or(full);
    name.parse()
        .map_err(|_| PersistErrorKind::BadKey(format!("{name:?} does not parse as a key")))
}

fn decode_entry<K: FromStr, V: 'static>(
    prefix: &str,
    codec: &dyn Codec<V>,
    full: &str,
    raw: &str,
) -> Result<(K, V), PersistErrorKind> {
    let key = parse_key(prefix, full)?;
    let item = codec.decode(raw).map_err(PersistErrorKind::Decode)?;
    Ok((key, item))
}

struct MapSync<K, V> {
    /// The value last saved or applied from the engine: saving writes the
    /// difference between it and the current value.
    last: Arc<MapValue<K, V>>,
    /// The entries as last read or written (storage key → stored text): a
    /// reload or external change that finds the same text changes nothing.
    seen: HashMap<String, String>,
    /// The last load error, reported once while it repeats.
    last_load_error: Option<StorageError>,
    /// Keys whose last write (or removal) failed, and why: the value in
    /// memory is not in storage yet. Every save and load writes them again;
    /// a retry failing the same way is not reported again.
    unsaved: Vec<(K, PersistErrorKind)>,
}

struct MapInner<K, V>
where
    K: Clone + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    /// This state, for the retry timer.
    me: Weak<MapInner<K, V>>,
    retry: Retry,
    prefix: String,
    store: MapStore<K, V>,
    default: MapValue<K, V>,
    codec: &'static dyn Codec<V>,
    engine: EngineRef,
    hooks: Arc<Hooks>,
    link: Link,
    sync: Mutex<MapSync<K, V>>,
}

impl<K, V> MapInner<K, V>
where
    K: Clone + Eq + Display + FromStr + Send + Sync + 'static,
    V: Clone + PartialEq + Send + Sync + 'static,
{
    fn full_key(&self, key: &K) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Takes the stored text of one entry (as read or announced), unless it
    /// is what the store already knows; applies it without writing it back.
    fn take(&self, full: &str, raw: Option<&str>, operation: Operation) {
        {
            let mut sync = lock(&self.sync);
            if sync.seen.get(full).map(String::as_str) == raw {
                return;
            }
            match raw {
                Some(raw) => sync.seen.insert(full.to_string(), raw.to_string()),
                None => sync.seen.remove(full),
            };
        }
        let decoded = parse_key::<K>(&self.prefix, full).and_then(|key| match raw {
            Some(raw) => self
                .codec
                .decode(raw)
                .map(|item| (key, Some(item)))
                .map_err(PersistErrorKind::Decode),
            None => {
                let item = self.default.get(&key).cloned();
                Ok((key, item))
            }
        });
        let (key, item) = match decoded {
            Ok(entry) => entry,
            Err(kind) => {
                report(&self.hooks, vec![PersistError::new(full, operation, kind)]);
                return;
            }
        };
        {
            let mut sync = lock(&self.sync);
            let mut last = (*sync.last).clone();
            match &item {
                Some(item) => last.insert(key.clone(), item.clone()),
                None => last.remove(&key),
            };
            sync.last = Arc::new(last);
        }
        match item {
            Some(item) => self.store.set_key(key, item),
            None => self.store.delete_key(&key),
        }
    }

    /// Writes (or removes) the entries of the `changed` keys and of the
    /// keys left unsaved by an earlier failure, as `current` holds them.
    /// Returns the errors to report: every failure of a changed key, and a
    /// retried key's failure only if it differs from its last one.
    fn write_keys(
        &self,
        sync: &mut MapSync<K, V>,
        current: &MapValue<K, V>,
        changed: Vec<K>,
    ) -> Vec<PersistError> {
        let retried = std::mem::take(&mut sync.unsaved);
        let mut keys: Vec<(K, Option<PersistErrorKind>)> =
            changed.into_iter().map(|key| (key, None)).collect();
        for (key, before) in retried {
            if !keys.iter().any(|(k, _)| *k == key) {
                keys.push((key, Some(before)));
            }
        }
        let mut errors = Vec::new();
        for (key, before) in keys {
            let full = self.full_key(&key);
            let (operation, outcome) = match current.get(&key) {
                Some(item) => (
                    Operation::Save,
                    self.codec
                        .encode(item)
                        .map_err(PersistErrorKind::Encode)
                        .and_then(|raw| {
                            self.engine
                                .set(&full, &raw)
                                .map(|()| Some(raw))
                                .map_err(PersistErrorKind::Storage)
                        }),
                ),
                None => (
                    Operation::Remove,
                    self.engine
                        .remove(&full)
                        .map(|()| None)
                        .map_err(PersistErrorKind::Storage),
                ),
            };
            match outcome {
                Ok(Some(raw)) => {
                    sync.seen.insert(full, raw);
                }
                Ok(None) => {
                    sync.seen.remove(&full);
                }
                Err(kind) => {
                    if !before.as_ref().is_some_and(|b| b.same_failure(&kind)) {
                        errors.push(PersistError::new(full, operation, kind.clone()));
                    }
                    sync.unsaved.push((key, kind));
                }
            }
        }
        if sync.unsaved.is_empty() {
            self.retry.saved();
        } else {
            self.retry.schedule(self.me.clone());
        }
        errors
    }
}

impl<K, V> Persisted for MapInner<K, V>
where
    K: Clone + Eq + Display + FromStr + Send + Sync + 'static,
    V: Clone + PartialEq + Send + Sync + 'static,
{
    fn engine(&self) -> &EngineRef {
        &self.engine
    }

    fn link(&self) -> &Link {
        &self.link
    }

    fn retry(&self) -> &Retry {
        &self.retry
    }

    /// Writes the keys whose last write failed again (at each load, and on the retry timer).
    fn retry_unsaved(&self) {
        let errors = {
            let mut sync = lock(&self.sync);
            if sync.unsaved.is_empty() {
                return;
            }
            let Some(current) = self.store.peek() else {
                return;
            };
            self.write_keys(&mut sync, &current, Vec::new())
        };
        report(&self.hooks, errors);
    }
    fn report_watch_error(&self, error: StorageError) {
        let error = PersistError::new(
            &self.prefix,
            Operation::Watch,
            PersistErrorKind::Storage(error),
        );
        report(&self.hooks, vec![error]);
    }

    /// The `on_notify` hook: writes the entries that differ from the value
    /// last saved or applied, removes the entries of removed keys, and
    /// retries the keys whose last write failed.
    fn save(&self) {
        let errors = {
            let mut sync = lock(&self.sync);
            let Some(current) = self.store.peek() else {
                return;
            };
            if Arc::ptr_eq(&sync.last, &current) && sync.unsaved.is_empty() {
                return;
            }
            let mut changed: Vec<K> = current
                .iter()
                .filter(|(key, item)| sync.last.get(*key) != Some(*item))
                .map(|(key, _)| key.clone())
                .collect();
            changed.extend(
                sync.last
                    .keys()
                    .filter(|key| !current.contains_key(*key))
                    .cloned(),
            );
            let errors = self.write_keys(&mut sync, &current, changed);
            sync.last = current;
            errors
        };
        report(&self.hooks, errors);
    }

    /// Reads the entries again (on mount) and applies what changed.
    fn reload(&self) {
        // Values that failed to save are newer than the stored ones.
        self.retry_unsaved();
        let known: Vec<String> = lock(&self.sync).seen.keys().cloned().collect();
        match read_entries(&*self.engine, &self.prefix, &self.default, &known) {
            Ok(entries) => {
                lock(&self.sync).last_load_error = None;
                batch(|| {
                    for (full, raw) in &entries {
                        self.take(full, Some(raw), Operation::Load);
                    }
                    for full in &known {
                        if !entries.iter().any(|(k, _)| k == full) {
                            self.take(full, None, Operation::Load);
                        }
                    }
                });
            }
            Err(e) => {
                let repeated = {
                    let mut sync = lock(&self.sync);
                    let repeated = sync.last_load_error.as_ref() == Some(&e);
                    sync.last_load_error = Some(e.clone());
                    repeated
                };
                if !repeated {
                    let error = PersistError::new(
                        &self.prefix,
                        Operation::Load,
                        PersistErrorKind::Storage(e),
                    );
                    report(&self.hooks, vec![error]);
                }
            }
        }
    }

    /// Reads the entries of a deferred store, at `restore`: every stored
    /// entry that decodes replaces that key's value in memory (listeners hear
    /// one change).
    fn first_load(&self) -> bool {
        // Keys written before `restore` are probed too, on an engine that
        // cannot list.
        let written: Vec<String> = match self.store.peek() {
            Some(current) => current.keys().map(|key| self.full_key(key)).collect(),
            None => Vec::new(),
        };
        let entries = match read_entries(&*self.engine, &self.prefix, &self.default, &written) {
            Ok(entries) => entries,
            Err(e) => {
                lock(&self.sync).last_load_error = Some(e.clone());
                let error =
                    PersistError::new(&self.prefix, Operation::Load, PersistErrorKind::Storage(e));
                report(&self.hooks, vec![error]);
                return false;
            }
        };
        let mut errors = Vec::new();
        let mut stored = Vec::new();
        {
            let mut sync = lock(&self.sync);
            let mut last = (*sync.last).clone();
            for (full, raw) in entries {
                match decode_entry::<K, V>(&self.prefix, self.codec, &full, &raw) {
                    Ok((key, item)) => {
                        last.insert(key.clone(), item.clone());
                        stored.push((key, item));
                    }
                    Err(kind) => errors.push(PersistError::new(&full, Operation::Load, kind)),
                }
                sync.seen.insert(full, raw);
            }
            sync.last = Arc::new(last);
        }
        // Key by key (a write made meanwhile on another thread to another
        // key is not lost), in one batch (one notification).
        batch(|| {
            for (key, item) in stored {
                self.store.set_key(key, item);
            }
        });
        report(&self.hooks, errors);
        true
    }

    fn external(&self, change: &ExternalChange) {
        match change {
            ExternalChange::Set { key, value } if key.starts_with(&self.prefix) => {
                self.take(key, Some(value), Operation::ExternalChange)
            }
            ExternalChange::Removed { key } if key.starts_with(&self.prefix) => {
                self.take(key, None, Operation::ExternalChange)
            }
            ExternalChange::Cleared => {
                let known: Vec<String> = lock(&self.sync).seen.keys().cloned().collect();
                batch(|| {
                    for full in &known {
                        self.take(full, None, Operation::ExternalChange);
                    }
                });
            }
            _ => {}
        }
    }
}
