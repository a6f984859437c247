//! [`MemoryEngine`]: storage in a map, for tests and servers.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use crate::engine::{ChangeListener, ExternalChange, StorageEngine, Watch};
use crate::error::StorageError;

type Watchers = Mutex<Vec<(u64, ChangeListener)>>;

struct State {
    entries: BTreeMap<String, String>,
    quota: Option<usize>,
    available: bool,
    writes: u64,
}

/// A [`StorageEngine`] in memory: the built-in default on native targets and
/// the engine for tests. `const`-constructible, so it can be a `static`.
///
/// For tests it can play the other parts of the world:
///
/// * another tab or process: [`external_set`](Self::external_set),
///   [`external_remove`](Self::external_remove) and
///   [`external_clear`](Self::external_clear) change the storage and notify
///   subscribers, as a browser's `storage` event does;
/// * a full storage: [`with_quota`](Self::with_quota) /
///   [`set_quota`](Self::set_quota) limit the stored bytes (keys plus values,
///   as browsers count); a write past it fails with
///   [`StorageError::QuotaExceeded`] and leaves the old value;
/// * a missing storage (server-side rendering, private mode):
///   [`set_available(false)`](Self::set_available) makes every operation fail
///   with [`StorageError::Unavailable`];
/// * corrupt data: [`insert`](Self::insert) writes any text quietly.
///
/// [`write_count`](Self::write_count) counts the writes stores made, which is
/// how tests prove that nothing was written back.
///
/// ```
/// use nanostate_persistent::{MemoryEngine, StorageEngine};
/// let engine = MemoryEngine::new();
/// engine.set("a", "1").unwrap();
/// assert_eq!(engine.get("a").unwrap().as_deref(), Some("1"));
/// assert_eq!(engine.write_count(), 1);
/// ```
pub struct MemoryEngine {
    state: Mutex<State>,
    watchers: OnceLock<Arc<Watchers>>,
}

static NEXT_WATCH: AtomicU64 = AtomicU64::new(1);

impl MemoryEngine {
    /// An empty, unlimited engine.
    ///
    /// ```
    /// static ENGINE: nanostate_persistent::MemoryEngine = nanostate_persistent::MemoryEngine::new();
    /// assert!(ENGINE.is_empty());
    /// ```
    pub const fn new() -> Self {
        Self::with_limit(None)
    }

    /// An empty engine that holds at most `bytes` bytes (keys plus values).
    ///
    /// ```
    /// use nanostate_persistent::{MemoryEngine, StorageEngine, StorageError};
    /// let engine = MemoryEngine::with_quota(4);
    /// engine.set("a", "123").unwrap();
    /// assert_eq!(engine.set("b", "123"), Err(StorageError::QuotaExceeded));
    /// assert_eq!(engine.get("b").unwrap(), None);
    /// ```
    pub const fn with_quota(bytes: usize) -> Self {
        Self::with_limit(Some(bytes))
    }

    const fn with_limit(quota: Option<usize>) -> Self {
        MemoryEngine {
            state: Mutex::new(State {
                entries: BTreeMap::new(),
                quota,
                available: true,
                writes: 0,
            }),
            watchers: OnceLock::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn watchers(&self) -> &Arc<Watchers> {
        self.watchers.get_or_init(Default::default)
    }

    /// Changes the quota (`None`: unlimited). Stored entries stay.
    ///
    /// ```
    /// use nanostate_persistent::{MemoryEngine, StorageEngine};
    /// let engine = MemoryEngine::new();
    /// engine.set_quota(Some(1));
    /// assert!(engine.set("key", "value").unwrap_err().is_quota_exceeded());
    /// ```
    pub fn set_quota(&self, bytes: Option<usize>) {
        self.lock().quota = bytes;
    }

    /// Makes the storage available or not; while unavailable every
    /// [`StorageEngine`] operation fails with [`StorageError::Unavailable`].
    ///
    /// ```
    /// use nanostate_persistent::{MemoryEngine, StorageEngine, StorageError};
    /// let engine = MemoryEngine::new();
    /// engine.set_available(false);
    /// assert!(matches!(engine.get("a"), Err(StorageError::Unavailable(_))));
    /// ```
    pub fn set_available(&self, available: bool) {
        self.lock().available = available;
    }

    /// Writes `value` under `key` quietly: no quota check, no notification,
    /// not counted. For setting up a test (corrupt data, a previous run).
    ///
    /// ```
    /// use nanostate_persistent::{MemoryEngine, StorageEngine};
    /// let engine = MemoryEngine::new();
    /// engine.insert("a", "{broken");
    /// assert_eq!(engine.write_count(), 0);
    /// assert_eq!(engine.get_raw("a").as_deref(), Some("{broken"));
    /// ```
    pub fn insert(&self, key: &str, value: &str) {
        self.lock().entries.insert(key.into(), value.into());
    }

    /// The text under `key`, also while the engine is unavailable.
    ///
    /// ```
    /// assert_eq!(nanostate_persistent::MemoryEngine::new().get_raw("a"), None);
    /// ```
    pub fn get_raw(&self, key: &str) -> Option<String> {
        self.lock().entries.get(key).cloned()
    }

    /// Every entry, in key order.
    ///
    /// ```
    /// let engine = nanostate_persistent::MemoryEngine::new();
    /// engine.insert("b", "2");
    /// engine.insert("a", "1");
    /// assert_eq!(engine.entries(), [("a".into(), "1".into()), ("b".into(), "2".into())]);
    /// ```
    pub fn entries(&self) -> Vec<(String, String)> {
        let st = self.lock();
        st.entries
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Whether the engine holds no entry.
    ///
    /// ```
    /// assert!(nanostate_persistent::MemoryEngine::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.lock().entries.is_empty()
    }

    /// How many successful `set`/`remove` calls were made through
    /// [`StorageEngine`] (not [`insert`](Self::insert) or the `external_*`
    /// methods).
    ///
    /// ```
    /// use nanostate_persistent::{MemoryEngine, StorageEngine};
    /// let engine = MemoryEngine::new();
    /// engine.remove("a").unwrap();
    /// assert_eq!(engine.write_count(), 1);
    /// ```
    pub fn write_count(&self) -> u64 {
        self.lock().writes
    }

    /// How many subscriptions ([`StorageEngine::subscribe`]) are active: a
    /// persistent store holds one while it is mounted.
    ///
    /// ```
    /// use nanostate_persistent::{MemoryEngine, StorageEngine};
    /// use std::sync::Arc;
    /// let engine = MemoryEngine::new();
    /// let watch = engine.subscribe(Arc::new(|_| {})).unwrap();
    /// assert_eq!(engine.watcher_count(), 1);
    /// drop(watch);
    /// assert_eq!(engine.watcher_count(), 0);
    /// ```
    pub fn watcher_count(&self) -> usize {
        self.watchers()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// Another tab or process writes `value` under `key`: the entry changes
    /// and every subscriber hears [`ExternalChange::Set`].
    ///
    /// ```
    /// use nanostate_persistent::{ExternalChange, MemoryEngine, StorageEngine};
    /// use std::sync::{Arc, Mutex};
    /// let engine = MemoryEngine::new();
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let _watch = engine.subscribe(Arc::new(move |c| log.lock().unwrap().push(c.clone()))).unwrap();
    /// engine.external_set("a", "1");
    /// assert_eq!(*seen.lock().unwrap(), [ExternalChange::Set { key: "a".into(), value: "1".into() }]);
    /// ```
    pub fn external_set(&self, key: &str, value: &str) {
        self.lock().entries.insert(key.into(), value.into());
        self.broadcast(&ExternalChange::Set {
            key: key.into(),
            value: value.into(),
        });
    }

    /// Another tab or process removes `key` ([`ExternalChange::Removed`]).
    ///
    /// ```
    /// let engine = nanostate_persistent::MemoryEngine::new();
    /// engine.insert("a", "1");
    /// engine.external_remove("a");
    /// assert!(engine.is_empty());
    /// ```
    pub fn external_remove(&self, key: &str) {
        self.lock().entries.remove(key);
        self.broadcast(&ExternalChange::Removed { key: key.into() });
    }

    /// Another tab clears the whole storage ([`ExternalChange::Cleared`]).
    ///
    /// ```
    /// let engine = nanostate_persistent::MemoryEngine::new();
    /// engine.insert("a", "1");
    /// engine.external_clear();
    /// assert!(engine.is_empty());
    /// ```
    pub fn external_clear(&self) {
        self.lock().entries.clear();
        self.broadcast(&ExternalChange::Cleared);
    }

    fn broadcast(&self, change: &ExternalChange) {
        let listeners: Vec<ChangeListener> = self
            .watchers()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(_, f)| f.clone())
            .collect();
        for listener in listeners {
            listener(change);
        }
    }

    fn check(st: &State) -> Result<(), StorageError> {
        if st.available {
            Ok(())
        } else {
            Err(StorageError::Unavailable(
                "the memory engine is switched off".into(),
            ))
        }
    }
}

impl Default for MemoryEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for MemoryEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.lock();
        f.debug_struct("MemoryEngine")
            .field("entries", &st.entries.len())
            .field("quota", &st.quota)
            .field("available", &st.available)
            .finish()
    }
}

impl StorageEngine for MemoryEngine {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        let st = self.lock();
        Self::check(&st)?;
        Ok(st.entries.get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        let mut st = self.lock();
        Self::check(&st)?;
        if let Some(quota) = st.quota {
            let used: usize = st
                .entries
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .map(|(k, v)| k.len() + v.len())
                .sum();
            if used + key.len() + value.len() > quota {
                return Err(StorageError::QuotaExceeded);
            }
        }
        st.entries.insert(key.into(), value.into());
        st.writes += 1;
        Ok(())
    }

    fn remove(&self, key: &str) -> Result<(), StorageError> {
        let mut st = self.lock();
        Self::check(&st)?;
        st.entries.remove(key);
        st.writes += 1;
        Ok(())
    }

    fn list(&self, prefix: &str) -> Result<Option<Vec<(String, String)>>, StorageError> {
        let st = self.lock();
        Self::check(&st)?;
        Ok(Some(
            st.entries
                .range(prefix.to_string()..)
                .take_while(|(k, _)| k.starts_with(prefix))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ))
    }

    fn subscribe(&self, listener: ChangeListener) -> Result<Watch, StorageError> {
        Self::check(&self.lock())?;
        let id = NEXT_WATCH.fetch_add(1, Ordering::Relaxed);
        let watchers = self.watchers();
        watchers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((id, listener));
        let weak = Arc::downgrade(watchers);
        Ok(Watch::new(move || {
            if let Some(w) = weak.upgrade() {
                w.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .retain(|(i, _)| *i != id);
            }
        }))
    }
}
