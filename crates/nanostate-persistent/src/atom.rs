//! [`PersistentAtom`]: an [`Atom`] saved under one storage key.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use nanostate::__private::Core;
use nanostate::{Atom, Store};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codec::{Codec, Json};
use crate::engine::{EngineChoice, EngineRef, ExternalChange, StorageEngine};
use crate::error::{report, ErrorHook, Hooks, Operation, PersistError, PersistErrorKind};
use crate::error::{StorageError, StoreHooks};
use crate::hooks::{install, lock, restore, Link, Persisted, Retry};

/// The default value of a store, given as a value (run time) or a function
/// (`static` items).
pub(crate) enum Seed<T> {
    Value(T),
    With(fn() -> T),
}

impl<T> Seed<T> {
    pub(crate) fn take(slot: &Mutex<Option<Seed<T>>>) -> T {
        match slot.lock().unwrap_or_else(|e| e.into_inner()).take() {
            Some(Seed::Value(v)) => v,
            Some(Seed::With(f)) => f(),
            None => unreachable!("nanostate-persistent: a store is bound only once"),
        }
    }
}

/// An [`Atom`] whose value is saved in a [`StorageEngine`] under one key
/// (Nano Stores' `persistentAtom`).
///
/// It dereferences to its [`Atom`], so it reads, writes and listens like
/// any atom (`get`, `set`, `update`, `listen`, `subscribe`, …), and it
/// implements [`Store`], so it works in `computed`, `effect`, lifecycle
/// hooks and framework bindings.
///
/// * **Binding.** On first use the store resolves its engine (its own, or
///   the [default](crate::default_engine)), reads the stored text and decodes
///   it; if there is none, or it cannot be read, the store starts with the
///   default value (and reports why, see [`on_error`](Self::on_error)).
///   A [`deferred`](Self::deferred) store reads nothing until
///   [`restore`](Self::restore).
/// * **Saving.** Every change (`set`, `update`, …; a write equal to the
///   current value is no change) writes the encoded value, on the thread that
///   made it, before listeners run.
/// * **Syncing.** While the store is mounted (has listeners, see
///   [`on_mount`](nanostate::on_mount)) it follows the engine's external changes (other tabs,
///   [`MemoryEngine::external_set`](crate::MemoryEngine::external_set)); a
///   removed entry resets it to the default. An external value is never
///   written back. When it mounts again it re-reads the entry, so changes
///   made meanwhile are not missed.
///
/// ```
/// use nanostate::computed;
/// use nanostate_persistent::{persistent_atom, MemoryEngine, PersistentAtom};
///
/// static ENGINE: MemoryEngine = MemoryEngine::new();
/// static CART: PersistentAtom<Vec<String>> = persistent_atom("cart", Vec::new).engine(&ENGINE);
/// static COUNT: nanostate::Computed<usize> = computed(&CART, |items| items.len());
///
/// CART.update(|items| [items.clone(), vec!["tee".to_string()]].concat());
/// assert_eq!(ENGINE.get_raw("cart").as_deref(), Some(r#"["tee"]"#));
/// assert_eq!(COUNT.get(), 1);
/// ```
pub struct PersistentAtom<T: Send + Sync + 'static> {
    key: Cow<'static, str>,
    seed: Mutex<Option<Seed<T>>>,
    codec: &'static dyn Codec<T>,
    engine: EngineChoice,
    errors: StoreHooks,
    deferred: bool,
    bound: OnceLock<Arc<AtomInner<T>>>,
}

/// Declares a persistent atom saved under `key` with the JSON codec;
/// `default()` is its value while nothing (readable) is stored. Usable in
/// `static` items; the store binds to its engine on first use.
///
/// ```
/// use nanostate_persistent::{persistent_atom, PersistentAtom};
/// static LANG: PersistentAtom<String> = persistent_atom("doc-lang", || "en".to_string());
/// assert_eq!(LANG.get(), "en");
/// LANG.set("fr".into());
/// assert_eq!(LANG.get(), "fr");
/// ```
pub const fn persistent_atom<T>(key: &'static str, default: fn() -> T) -> PersistentAtom<T>
where
    T: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    persistent_atom_with_codec(key, default, &Json)
}

/// [`persistent_atom`] with another [`Codec`].
///
/// ```
/// use nanostate_persistent::{persistent_atom_with_codec, MemoryEngine, PersistentAtom, Raw};
/// static ENGINE: MemoryEngine = MemoryEngine::new();
/// static THEME: PersistentAtom<String> =
///     persistent_atom_with_codec("theme", || "light".into(), &Raw).engine(&ENGINE);
/// THEME.set("dark".into());
/// assert_eq!(ENGINE.get_raw("theme").as_deref(), Some("dark")); // no JSON quotes
/// ```
pub const fn persistent_atom_with_codec<T>(
    key: &'static str,
    default: fn() -> T,
    codec: &'static dyn Codec<T>,
) -> PersistentAtom<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    PersistentAtom {
        key: Cow::Borrowed(key),
        seed: Mutex::new(Some(Seed::With(default))),
        codec,
        engine: EngineChoice::default_engine(),
        errors: StoreHooks::new(),
        deferred: false,
        bound: OnceLock::new(),
    }
}

impl<T> PersistentAtom<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    /// Creates a persistent atom at run time (JSON codec). Clones share it.
    ///
    /// ```
    /// use nanostate_persistent::{MemoryEngine, PersistentAtom};
    /// use std::sync::Arc;
    /// let engine = Arc::new(MemoryEngine::new());
    /// let user = format!("user-{}", 7);
    /// let volume = PersistentAtom::new(format!("{user}:volume"), 3u8).with_engine(engine.clone());
    /// volume.set(4);
    /// assert_eq!(engine.get_raw("user-7:volume").as_deref(), Some("4"));
    /// ```
    pub fn new(key: impl Into<Cow<'static, str>>, default: T) -> Self
    where
        T: Serialize + DeserializeOwned,
    {
        Self::with_codec(key, default, &Json)
    }

    /// Creates a persistent atom at run time with another [`Codec`].
    ///
    /// ```
    /// use nanostate_persistent::{PersistentAtom, Raw};
    /// let note = PersistentAtom::with_codec("doc-note", String::new(), &Raw);
    /// assert_eq!(note.get(), "");
    /// ```
    pub fn with_codec(
        key: impl Into<Cow<'static, str>>,
        default: T,
        codec: &'static dyn Codec<T>,
    ) -> Self {
        PersistentAtom {
            key: key.into(),
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
    /// use nanostate_persistent::{persistent_atom, MemoryEngine, PersistentAtom};
    /// static ENGINE: MemoryEngine = MemoryEngine::new();
    /// static ON: PersistentAtom<bool> = persistent_atom("on", || false).engine(&ENGINE);
    /// ON.set(true);
    /// assert_eq!(ENGINE.get_raw("on").as_deref(), Some("true"));
    /// ```
    pub const fn engine(mut self, engine: &'static dyn StorageEngine) -> Self {
        self.engine.fixed = Some(engine);
        self
    }

    /// Uses `engine` instead of the default engine (run time). Has no effect
    /// once the store was used.
    ///
    /// ```
    /// use nanostate_persistent::{MemoryEngine, PersistentAtom};
    /// use std::sync::Arc;
    /// let engine = Arc::new(MemoryEngine::new());
    /// let on = PersistentAtom::new("on", false).with_engine(engine.clone());
    /// on.set(true);
    /// assert_eq!(engine.get_raw("on").as_deref(), Some("true"));
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
    /// mounted. Writes change the value in memory as usual. At `restore()`
    /// a stored (readable) value replaces the value in memory; if nothing
    /// readable is stored, the value in memory is kept and saved (when it
    /// differs from the default). From then on the store is a normal
    /// persistent atom. Has no effect once the store was used.
    ///
    /// ```
    /// use nanostate_persistent::{persistent_atom, MemoryEngine, PersistentAtom};
    /// static ENGINE: MemoryEngine = MemoryEngine::new();
    /// static THEME: PersistentAtom<String> =
    ///     persistent_atom("theme", || "light".into()).engine(&ENGINE).deferred();
    ///
    /// ENGINE.insert("theme", "\"dark\"");
    /// assert_eq!(THEME.get(), "light"); // what the server rendered
    /// THEME.restore();
    /// assert_eq!(THEME.get(), "dark");
    /// ```
    pub const fn deferred(mut self) -> Self {
        self.deferred = true;
        self
    }

    /// Connects a [`deferred`](Self::deferred) store to its storage: reads
    /// the stored value, and from then on saves every change and, while
    /// mounted, follows external changes.
    ///
    /// * A stored value that decodes replaces the value in memory (listeners
    ///   hear one change if it differs), so a write made before `restore` is
    ///   dropped in its favour.
    /// * Where nothing is stored, or the stored text cannot be decoded
    ///   (reported as a [`Load`](crate::Operation::Load) error), the value in
    ///   memory is kept, and saved if it differs from the default (a write
    ///   made before `restore` replaces undecodable text).
    /// * If the storage cannot be read at all, the error is reported,
    ///   nothing is written and the value in memory is kept; the next change
    ///   is saved as usual.
    ///
    /// Errors go to the [`on_error`](Self::on_error) hooks. If the store is
    /// mounted, it subscribes to external changes first. Calling `restore`
    /// again, or on a store that is not deferred, does nothing (beyond
    /// binding the store on first use).
    ///
    /// ```
    /// use nanostate_persistent::{MemoryEngine, PersistentAtom};
    /// use std::sync::Arc;
    /// let engine = Arc::new(MemoryEngine::new());
    /// engine.insert("volume", "7");
    /// let volume = PersistentAtom::new("volume", 3u8).with_engine(engine.clone()).deferred();
    /// volume.set(5); // before restore: in memory only
    /// assert_eq!(engine.write_count(), 0);
    /// volume.restore();
    /// assert_eq!(volume.get(), 7); // the stored value wins
    /// volume.restore(); // again: nothing happens
    /// volume.set(8);
    /// assert_eq!(engine.get_raw("volume").as_deref(), Some("8"));
    /// ```
    pub fn restore(&self) {
        restore(self.inner());
    }

    /// Whether the store reads and writes its storage: `false` only for a
    /// [`deferred`](Self::deferred) store before [`restore`](Self::restore).
    ///
    /// ```
    /// use nanostate_persistent::PersistentAtom;
    /// let later = PersistentAtom::new("doc-restored", 0).deferred();
    /// assert!(!later.is_restored());
    /// later.restore();
    /// assert!(later.is_restored());
    /// assert!(PersistentAtom::new("doc-restored-now", 0).is_restored());
    /// ```
    pub fn is_restored(&self) -> bool {
        self.inner().link.is_restored()
    }

    /// The storage key.
    ///
    /// ```
    /// let a = nanostate_persistent::PersistentAtom::new("k", 1);
    /// assert_eq!(a.key(), "k");
    /// ```
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The underlying atom (binding the store to its engine on first use);
    /// also reached through `Deref`.
    ///
    /// ```
    /// let a = nanostate_persistent::PersistentAtom::new("doc-atom", 1);
    /// let atom: &nanostate::Atom<i32> = a.atom();
    /// assert_eq!(atom.get(), 1);
    /// ```
    pub fn atom(&self) -> &Atom<T> {
        &self.inner().atom
    }

    /// Registers an error hook for this store: it receives every
    /// [`PersistError`] of this store (decode, encode and storage errors),
    /// including those of the first load if registered before first use.
    /// Dropping the guard removes it; [`ErrorHook::keep`] keeps it.
    ///
    /// ```
    /// use nanostate_persistent::{MemoryEngine, PersistentAtom, PersistErrorKind};
    /// use std::sync::{Arc, Mutex};
    /// let engine = Arc::new(MemoryEngine::new());
    /// engine.insert("n", "\"not a number\"");
    /// let n = PersistentAtom::new("n", 0u32).with_engine(engine.clone());
    /// let errors = Arc::new(Mutex::new(Vec::new()));
    /// let log = errors.clone();
    /// let _hook = n.on_error(move |e| log.lock().unwrap().push(e.clone()));
    /// assert_eq!(n.get(), 0);
    /// assert!(matches!(errors.lock().unwrap()[0].kind(), PersistErrorKind::Decode(_)));
    /// ```
    pub fn on_error(&self, hook: impl Fn(&PersistError) + Send + Sync + 'static) -> ErrorHook {
        self.errors.add(hook)
    }

    fn inner(&self) -> &Arc<AtomInner<T>> {
        if let Some(inner) = self.bound.get() {
            return inner;
        }
        let mut errors = Vec::new();
        let inner = self.bound.get_or_init(|| self.bind(&mut errors));
        report(&inner.hooks, errors);
        inner
    }

    fn bind(&self, errors: &mut Vec<PersistError>) -> Arc<AtomInner<T>> {
        let key = self.key.to_string();
        let engine = self.engine.resolve();
        let default = Seed::take(&self.seed);
        let mut sync = EntrySync {
            raw: None,
            last_load_error: None,
            unsaved: None,
        };
        let read = if self.deferred {
            Ok(None) // read at `restore`
        } else {
            engine.get(&key)
        };
        let value = match read {
            Ok(raw) => {
                sync.raw = raw.clone();
                match raw.map(|raw| self.codec.decode(&raw)) {
                    Some(Ok(value)) => value,
                    Some(Err(e)) => {
                        errors.push(PersistError::new(
                            &key,
                            Operation::Load,
                            PersistErrorKind::Decode(e),
                        ));
                        default.clone()
                    }
                    None => default.clone(),
                }
            }
            Err(e) => {
                sync.last_load_error = Some(e.clone());
                errors.push(PersistError::new(
                    &key,
                    Operation::Load,
                    PersistErrorKind::Storage(e),
                ));
                default.clone()
            }
        };
        let atom = Atom::new(value);
        let last = atom.peek();
        let inner = Arc::new_cyclic(|me| AtomInner {
            me: me.clone(),
            retry: Retry::default(),
            key,
            atom,
            default,
            codec: self.codec,
            engine,
            hooks: self.errors.shared(),
            link: Link::new(self.deferred),
            sync: Mutex::new(sync),
            last: Mutex::new(last),
        });
        install(&inner, &inner.atom);
        inner
    }
}

impl<T: Clone + PartialEq + Send + Sync + 'static> std::ops::Deref for PersistentAtom<T> {
    type Target = Atom<T>;
    fn deref(&self) -> &Atom<T> {
        self.atom()
    }
}

impl<T: Clone + PartialEq + Send + Sync + 'static> Store for PersistentAtom<T> {
    type Value = T;
    type Kind = <Atom<T> as Store>::Kind;
    fn core(&self) -> &Arc<Core<Self::Kind>> {
        self.atom().core()
    }
}

impl<T: Clone + PartialEq + Send + Sync + 'static> Clone for PersistentAtom<T> {
    /// A handle to the same store (binding it first).
    fn clone(&self) -> Self {
        let bound = OnceLock::new();
        let _ = bound.set(self.inner().clone());
        PersistentAtom {
            key: self.key.clone(),
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

impl<T: Clone + PartialEq + Send + Sync + std::fmt::Debug + 'static> std::fmt::Debug
    for PersistentAtom<T>
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("PersistentAtom");
        d.field("key", &self.key);
        match self.bound.get() {
            Some(inner) => d.field("value", &inner.atom.peek()),
            None => d.field("value", &"<not loaded>"),
        };
        d.finish()
    }
}

/// What this store knows about its entry in the engine.
struct EntrySync {
    /// The stored text when the store last read or wrote it (`None`: no
    /// entry). A reload that finds the same text changes nothing.
    raw: Option<String>,
    /// The last load error, so a storage that stays unavailable is reported
    /// once, not on every mount.
    last_load_error: Option<StorageError>,
    /// Why the last save failed, if it did: the value in memory is not in
    /// storage yet. The next load writes it again instead of reading the
    /// older stored one (and reports only a different failure).
    unsaved: Option<PersistErrorKind>,
}

struct AtomInner<T: Send + Sync + 'static> {
    /// This state, for the retry timer.
    me: Weak<AtomInner<T>>,
    retry: Retry,
    key: String,
    atom: Atom<T>,
    default: T,
    codec: &'static dyn Codec<T>,
    engine: EngineRef,
    hooks: Arc<Hooks>,
    link: Link,
    sync: Mutex<EntrySync>,
    /// The value last saved or applied from the engine: a change to an equal
    /// value (an external change being applied) is not written back.
    last: Mutex<Option<Arc<T>>>,
}

impl<T: Clone + PartialEq + Send + Sync + 'static> AtomInner<T> {
    fn report(&self, operation: Operation, kind: PersistErrorKind) {
        report(
            &self.hooks,
            vec![PersistError::new(&self.key, operation, kind)],
        );
    }

    /// Sets the store to a value that came from the engine, without writing
    /// it back.
    fn apply(&self, value: T) {
        *lock(&self.last) = Some(Arc::new(value.clone()));
        self.atom.set(value);
    }

    /// Takes the stored text `raw` (as read or announced), unless it is what
    /// the store already knows.
    fn take(&self, raw: Option<String>, operation: Operation) {
        {
            let mut sync = lock(&self.sync);
            if sync.raw == raw {
                return;
            }
            sync.raw = raw.clone();
        }
        match raw {
            None => self.apply(self.default.clone()),
            Some(raw) => match self.codec.decode(&raw) {
                Ok(value) => self.apply(value),
                Err(e) => self.report(operation, PersistErrorKind::Decode(e)),
            },
        }
    }

    /// Writes `value` to the entry, noting the outcome in `sync`. After a
    /// failure the value counts as unsaved (and not as the last saved one,
    /// so writing it again is not skipped).
    fn write(&self, sync: &mut EntrySync, value: &T) -> Option<PersistErrorKind> {
        let error = match self.codec.encode(value) {
            Ok(raw) => match self.engine.set(&self.key, &raw) {
                Ok(()) => {
                    sync.raw = Some(raw);
                    None
                }
                Err(e) => Some(PersistErrorKind::Storage(e)),
            },
            Err(e) => Some(PersistErrorKind::Encode(e)),
        };
        if error.is_some() {
            *lock(&self.last) = None;
            self.retry.schedule(self.me.clone());
        } else {
            self.retry.saved();
        }
        sync.unsaved.clone_from(&error);
        error
    }

    /// Writes the value whose save failed again; returns whether it is now
    /// saved (or nothing was unsaved). A retry failing as the save did is
    /// not reported again.
    fn try_unsaved(&self) -> bool {
        let (error, repeated) = {
            let mut sync = lock(&self.sync);
            let Some(before) = sync.unsaved.clone() else {
                return true;
            };
            let Some(current) = self.atom.peek() else {
                return true;
            };
            let error = self.write(&mut sync, &current);
            if error.is_none() {
                *lock(&self.last) = Some(current);
            }
            let repeated = error.as_ref().is_some_and(|e| e.same_failure(&before));
            (error, repeated)
        };
        match error {
            None => true,
            Some(kind) => {
                if !repeated {
                    self.report(Operation::Save, kind);
                }
                false
            }
        }
    }
}

impl<T: Clone + PartialEq + Send + Sync + 'static> Persisted for AtomInner<T> {
    fn engine(&self) -> &EngineRef {
        &self.engine
    }

    fn link(&self) -> &Link {
        &self.link
    }

    fn report_watch_error(&self, error: StorageError) {
        self.report(Operation::Watch, PersistErrorKind::Storage(error));
    }

    fn retry(&self) -> &Retry {
        &self.retry
    }

    fn retry_unsaved(&self) {
        self.try_unsaved();
    }

    /// The `on_notify` hook: writes the new value unless it is the one last
    /// saved or applied.
    fn save(&self) {
        let error = {
            let mut sync = lock(&self.sync);
            let Some(current) = self.atom.peek() else {
                return;
            };
            {
                let mut last = lock(&self.last);
                if last.as_deref() == Some(&*current) {
                    return;
                }
                *last = Some(current.clone());
            }
            self.write(&mut sync, &current)
        };
        if let Some(kind) = error {
            self.report(Operation::Save, kind);
        }
    }

    /// Reads the entry again (on mount).
    fn reload(&self) {
        // A value that failed to save is newer than the stored one: write
        // it, and read only once storage holds it.
        if !self.try_unsaved() {
            return;
        }
        match self.engine.get(&self.key) {
            Ok(raw) => {
                lock(&self.sync).last_load_error = None;
                self.take(raw, Operation::Load);
            }
            Err(e) => {
                let repeated = {
                    let mut sync = lock(&self.sync);
                    let repeated = sync.last_load_error.as_ref() == Some(&e);
                    sync.last_load_error = Some(e.clone());
                    repeated
                };
                if !repeated {
                    self.report(Operation::Load, PersistErrorKind::Storage(e));
                }
            }
        }
    }

    /// Reads the entry of a deferred store, at `restore`: a decoded value
    /// replaces the value in memory.
    fn first_load(&self) -> bool {
        match self.engine.get(&self.key) {
            Ok(raw) => {
                lock(&self.sync).raw = raw.clone();
                match raw.map(|raw| self.codec.decode(&raw)) {
                    Some(Ok(value)) => self.apply(value),
                    Some(Err(e)) => self.report(Operation::Load, PersistErrorKind::Decode(e)),
                    None => {}
                }
                true
            }
            Err(e) => {
                lock(&self.sync).last_load_error = Some(e.clone());
                self.report(Operation::Load, PersistErrorKind::Storage(e));
                false
            }
        }
    }

    fn external(&self, change: &ExternalChange) {
        match change {
            ExternalChange::Set { key, value } if *key == self.key => {
                self.take(Some(value.clone()), Operation::ExternalChange)
            }
            ExternalChange::Removed { key } if *key == self.key => {
                self.take(None, Operation::ExternalChange)
            }
            ExternalChange::Cleared => self.take(None, Operation::ExternalChange),
            _ => {}
        }
    }
}
