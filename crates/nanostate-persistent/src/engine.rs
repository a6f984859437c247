//! The [`StorageEngine`] trait, external-change notifications, and the
//! process-wide default engine.

use std::fmt;
use std::sync::{Arc, RwLock};

use crate::error::StorageError;

/// A change made to the storage from outside this store: another browser
/// tab, another process, or [`MemoryEngine::external_set`](crate::MemoryEngine::external_set)
/// in a test.
///
/// ```
/// use nanostate_persistent::ExternalChange;
/// let change = ExternalChange::Set { key: "theme".into(), value: "\"dark\"".into() };
/// assert_eq!(change.key(), Some("theme"));
/// assert_eq!(ExternalChange::Cleared.key(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExternalChange {
    /// `key` now holds `value`.
    Set {
        /// The storage key.
        key: String,
        /// The new stored text.
        value: String,
    },
    /// `key` was removed.
    Removed {
        /// The storage key.
        key: String,
    },
    /// Every entry was removed (localStorage's `clear()`).
    Cleared,
}

impl ExternalChange {
    /// The key changed, `None` for [`ExternalChange::Cleared`].
    ///
    /// ```
    /// use nanostate_persistent::ExternalChange;
    /// assert_eq!(ExternalChange::Removed { key: "a".into() }.key(), Some("a"));
    /// ```
    pub fn key(&self) -> Option<&str> {
        match self {
            ExternalChange::Set { key, .. } | ExternalChange::Removed { key } => Some(key),
            ExternalChange::Cleared => None,
        }
    }
}

/// The callback an engine calls for each [`ExternalChange`].
pub type ChangeListener = Arc<dyn Fn(&ExternalChange) + Send + Sync>;

/// Keeps an engine subscription alive; dropping it unsubscribes.
///
/// ```
/// use nanostate_persistent::Watch;
/// use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
/// static GONE: AtomicBool = AtomicBool::new(false);
/// let watch = Watch::new(|| GONE.store(true, SeqCst));
/// drop(watch);
/// assert!(GONE.load(SeqCst));
/// ```
#[must_use = "dropping the guard unsubscribes at once"]
pub struct Watch {
    on_drop: Option<Box<dyn FnOnce() + Send>>,
}

impl Watch {
    /// A guard that runs `unsubscribe` when dropped.
    ///
    /// ```
    /// let _watch = nanostate_persistent::Watch::new(|| println!("unsubscribed"));
    /// ```
    pub fn new(unsubscribe: impl FnOnce() + Send + 'static) -> Self {
        Watch {
            on_drop: Some(Box::new(unsubscribe)),
        }
    }

    /// A guard with nothing to undo, for engines that never see external
    /// changes.
    ///
    /// ```
    /// drop(nanostate_persistent::Watch::none());
    /// ```
    pub fn none() -> Self {
        Watch { on_drop: None }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(f) = self.on_drop.take() {
            f();
        }
    }
}

impl fmt::Debug for Watch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watch")
            .field("active", &self.on_drop.is_some())
            .finish()
    }
}

/// Where persistent stores keep their values: a string key-value storage.
///
/// Implemented by [`MemoryEngine`](crate::MemoryEngine) (tests, servers),
/// [`FileEngine`](crate::FileEngine) (native apps) and, on `wasm32`,
/// `LocalStorage` and `SessionStorage`. Every method returns a typed
/// [`StorageError`]; none may panic on bad data.
///
/// `list` and `subscribe` are optional: the defaults say "cannot list"
/// (`Ok(None)`; a persistent map then loads only the keys of its default
/// value) and "never sees external changes" ([`Watch::none`]).
///
/// ```
/// use nanostate_persistent::{StorageEngine, StorageError};
/// use std::collections::HashMap;
/// use std::sync::Mutex;
///
/// /// A minimal engine.
/// #[derive(Default)]
/// struct Simple(Mutex<HashMap<String, String>>);
///
/// impl StorageEngine for Simple {
///     fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
///         Ok(self.0.lock().unwrap().get(key).cloned())
///     }
///     fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
///         self.0.lock().unwrap().insert(key.into(), value.into());
///         Ok(())
///     }
///     fn remove(&self, key: &str) -> Result<(), StorageError> {
///         self.0.lock().unwrap().remove(key);
///         Ok(())
///     }
/// }
///
/// let engine = Simple::default();
/// engine.set("a", "1").unwrap();
/// assert_eq!(engine.get("a").unwrap().as_deref(), Some("1"));
/// assert_eq!(engine.list("").unwrap(), None); // listing not supported
/// ```
pub trait StorageEngine: Send + Sync + 'static {
    /// The text stored under `key`, `None` if there is none.
    fn get(&self, key: &str) -> Result<Option<String>, StorageError>;

    /// Stores `value` under `key`. On error the previous value must still be
    /// there.
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError>;

    /// Removes `key` (no error if it is absent).
    fn remove(&self, key: &str) -> Result<(), StorageError>;

    /// Every entry whose key starts with `prefix`, as `(key, value)` pairs,
    /// or `Ok(None)` if this engine cannot list.
    fn list(&self, prefix: &str) -> Result<Option<Vec<(String, String)>>, StorageError> {
        let _ = prefix;
        Ok(None)
    }

    /// Calls `listener` for every change made to the storage from outside
    /// (not for this engine's own `set`/`remove`), until the returned guard
    /// drops. The listener may run on any thread.
    fn subscribe(&self, listener: ChangeListener) -> Result<Watch, StorageError> {
        let _ = listener;
        Ok(Watch::none())
    }
}

impl<E: StorageEngine + ?Sized> StorageEngine for Arc<E> {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        (**self).get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        (**self).set(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), StorageError> {
        (**self).remove(key)
    }
    fn list(&self, prefix: &str) -> Result<Option<Vec<(String, String)>>, StorageError> {
        (**self).list(prefix)
    }
    fn subscribe(&self, listener: ChangeListener) -> Result<Watch, StorageError> {
        (**self).subscribe(listener)
    }
}

/// The engine a store was given, or the default resolved when it was bound.
#[derive(Clone)]
pub(crate) enum EngineRef {
    Static(&'static dyn StorageEngine),
    Shared(Arc<dyn StorageEngine>),
}

impl std::ops::Deref for EngineRef {
    type Target = dyn StorageEngine;
    fn deref(&self) -> &Self::Target {
        match self {
            EngineRef::Static(e) => *e,
            EngineRef::Shared(e) => &**e,
        }
    }
}

/// The engine chosen for a store (const-friendly: no drop glue in the
/// `static` part, so the builder methods can be `const fn`).
pub(crate) struct EngineChoice {
    pub(crate) fixed: Option<&'static dyn StorageEngine>,
    pub(crate) shared: Option<Arc<dyn StorageEngine>>,
}

impl EngineChoice {
    pub(crate) const fn default_engine() -> Self {
        EngineChoice {
            fixed: None,
            shared: None,
        }
    }

    pub(crate) fn resolve(&self) -> EngineRef {
        if let Some(e) = &self.shared {
            return EngineRef::Shared(e.clone());
        }
        if let Some(e) = self.fixed {
            return EngineRef::Static(e);
        }
        EngineRef::Shared(default_engine())
    }
}

static DEFAULT: RwLock<Option<Arc<dyn StorageEngine>>> = RwLock::new(None);

/// Replaces the process-wide default engine, used by every persistent store
/// that was given no engine of its own and is first used after this call
/// (a store binds to its engine on first use and keeps it). Call it at
/// start-up, before touching any persistent store.
///
/// ```
/// use nanostate_persistent::{set_default_engine, FileEngine};
/// use std::sync::Arc;
/// # let dir = std::env::temp_dir().join(format!("nanostate-doc-default-{}", std::process::id()));
/// set_default_engine(Arc::new(FileEngine::new(&dir).unwrap()));
/// # let _ = std::fs::remove_dir_all(&dir);
/// ```
pub fn set_default_engine(engine: Arc<dyn StorageEngine>) {
    *DEFAULT.write().unwrap_or_else(|e| e.into_inner()) = Some(engine);
}

/// The process-wide default engine: the one given to
/// [`set_default_engine`], else the built-in default — on `wasm32`
/// `LocalStorage` (which reports [`StorageError::Unavailable`] where there is
/// no `window`), elsewhere one process-wide [`MemoryEngine`](crate::MemoryEngine)
/// (values last as long as the process, and a server never writes files
/// nobody asked for).
///
/// ```
/// use nanostate_persistent::default_engine;
/// let engine = default_engine();
/// engine.set("nanostate-doc-default", "1").unwrap();
/// assert_eq!(default_engine().get("nanostate-doc-default").unwrap().as_deref(), Some("1"));
/// ```
pub fn default_engine() -> Arc<dyn StorageEngine> {
    if let Some(engine) = &*DEFAULT.read().unwrap_or_else(|e| e.into_inner()) {
        return engine.clone();
    }
    let mut slot = DEFAULT.write().unwrap_or_else(|e| e.into_inner());
    slot.get_or_insert_with(builtin_default).clone()
}

#[cfg(not(target_arch = "wasm32"))]
fn builtin_default() -> Arc<dyn StorageEngine> {
    Arc::new(crate::MemoryEngine::new())
}

#[cfg(target_arch = "wasm32")]
fn builtin_default() -> Arc<dyn StorageEngine> {
    Arc::new(crate::LocalStorage)
}
