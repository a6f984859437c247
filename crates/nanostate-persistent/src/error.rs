//! Typed errors: what a storage engine reports ([`StorageError`]), what a
//! codec reports ([`CodecError`]), and what a persistent store hands to the
//! error hooks ([`PersistError`]), plus the hooks themselves.

use std::fmt;
use std::sync::Arc;

pub use nanostate::ErrorHook;
use nanostate::ErrorHooks;

/// A failure of a [`StorageEngine`](crate::StorageEngine) operation.
///
/// ```
/// use nanostate_persistent::StorageError;
/// let err = StorageError::QuotaExceeded;
/// assert_eq!(err.to_string(), "storage quota exceeded");
/// assert!(err.is_quota_exceeded());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageError {
    /// The storage is full (localStorage's `QuotaExceededError`, a full
    /// disk, [`MemoryEngine::with_quota`](crate::MemoryEngine::with_quota)).
    QuotaExceeded,
    /// The storage cannot be used at all: no `window` (server-side
    /// rendering), storage disabled (private mode), a missing directory.
    Unavailable(String),
    /// An I/O error of the [`FileEngine`](crate::FileEngine).
    Io {
        /// The kind of the underlying [`std::io::Error`].
        kind: std::io::ErrorKind,
        /// Its message, with the path involved.
        message: String,
    },
    /// Any other failure, described.
    Other(String),
}

impl StorageError {
    /// Whether this is [`StorageError::QuotaExceeded`].
    ///
    /// ```
    /// use nanostate_persistent::StorageError;
    /// assert!(!StorageError::Other("x".into()).is_quota_exceeded());
    /// ```
    pub fn is_quota_exceeded(&self) -> bool {
        matches!(self, StorageError::QuotaExceeded)
    }

    /// Converts an I/O error, mapping a full disk
    /// (`ErrorKind::StorageFull`) to [`StorageError::QuotaExceeded`].
    ///
    /// ```
    /// use nanostate_persistent::StorageError;
    /// let io = std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full");
    /// assert_eq!(StorageError::from_io(&io, "/data/x"), StorageError::QuotaExceeded);
    /// let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
    /// assert!(matches!(
    ///     StorageError::from_io(&io, "/data/x"),
    ///     StorageError::Io { kind: std::io::ErrorKind::PermissionDenied, .. }
    /// ));
    /// ```
    pub fn from_io(err: &std::io::Error, path: impl fmt::Display) -> Self {
        match err.kind() {
            // (`ErrorKind::QuotaExceeded` needs Rust 1.85; the MSRV is 1.83.)
            std::io::ErrorKind::StorageFull => StorageError::QuotaExceeded,
            kind => StorageError::Io {
                kind,
                message: format!("{path}: {err}"),
            },
        }
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageError::QuotaExceeded => f.write_str("storage quota exceeded"),
            StorageError::Unavailable(why) => write!(f, "storage unavailable: {why}"),
            StorageError::Io { message, .. } => write!(f, "storage I/O error: {message}"),
            StorageError::Other(why) => write!(f, "storage error: {why}"),
        }
    }
}

impl std::error::Error for StorageError {}

/// A value that a [`Codec`](crate::Codec) could not encode, or stored text
/// it could not decode (corrupt or foreign data, a value of the wrong shape).
///
/// ```
/// use nanostate_persistent::CodecError;
/// let err = CodecError::new("expected a number");
/// assert_eq!(err.message(), "expected a number");
/// assert_eq!(err.to_string(), "expected a number");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecError {
    message: String,
}

impl CodecError {
    /// An error with this description.
    ///
    /// ```
    /// let _ = nanostate_persistent::CodecError::new("not hex");
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        CodecError {
            message: message.into(),
        }
    }

    /// The description.
    ///
    /// ```
    /// assert_eq!(nanostate_persistent::CodecError::new("x").message(), "x");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CodecError {}

/// What a persistent store was doing when an error happened.
///
/// ```
/// use nanostate_persistent::Operation;
/// assert_eq!(Operation::Save.to_string(), "save");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// Reading the stored value: on first use, or again on mount.
    Load,
    /// Writing a changed value (`set`, `update`, `set_key`, …).
    Save,
    /// Removing an entry (`delete_key`, a key dropped by a whole `set`).
    Remove,
    /// Starting to watch the engine for external changes (on mount).
    Watch,
    /// Applying a change made outside this process or tab.
    ExternalChange,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::Load => "load",
            Operation::Save => "save",
            Operation::Remove => "remove",
            Operation::Watch => "watch",
            Operation::ExternalChange => "external change",
        })
    }
}

/// The problem behind a [`PersistError`].
///
/// ```
/// use nanostate_persistent::{PersistErrorKind, StorageError};
/// let kind = PersistErrorKind::Storage(StorageError::QuotaExceeded);
/// assert!(matches!(kind, PersistErrorKind::Storage(StorageError::QuotaExceeded)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PersistErrorKind {
    /// The stored text could not be decoded (corrupt or foreign data, a value
    /// of the wrong shape). The entry is left as it is.
    Decode(CodecError),
    /// The value could not be encoded; nothing was written.
    Encode(CodecError),
    /// The storage engine failed (quota exceeded, unavailable, I/O).
    Storage(StorageError),
    /// A map entry's name (after the prefix) is not a valid key of the map.
    BadKey(String),
}

impl PersistErrorKind {
    /// Whether `self` is the same failure as `other` for reporting: the
    /// same kind of problem (and I/O error kind), whatever its message says
    /// (a temporary file's name, say). A retry failing the same way is not
    /// reported again.
    pub(crate) fn same_failure(&self, other: &PersistErrorKind) -> bool {
        use std::mem::discriminant;
        match (self, other) {
            (PersistErrorKind::Storage(a), PersistErrorKind::Storage(b)) => match (a, b) {
                (StorageError::Io { kind: x, .. }, StorageError::Io { kind: y, .. }) => x == y,
                _ => discriminant(a) == discriminant(b),
            },
            _ => discriminant(self) == discriminant(other),
        }
    }
}

impl fmt::Display for PersistErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PersistErrorKind::Decode(e) => write!(f, "cannot decode the stored value: {e}"),
            PersistErrorKind::Encode(e) => write!(f, "cannot encode the value: {e}"),
            PersistErrorKind::Storage(e) => e.fmt(f),
            PersistErrorKind::BadKey(why) => write!(f, "not a key of this map: {why}"),
        }
    }
}

/// An error of a persistent store, as handed to the error hooks
/// ([`on_error`] and the stores' own `on_error`): the storage key involved,
/// the operation, and the problem. The store itself keeps working.
///
/// ```
/// use nanostate_persistent::{persistent_atom, MemoryEngine, PersistentAtom};
/// use std::sync::{Arc, Mutex};
///
/// static ENGINE: MemoryEngine = MemoryEngine::new();
/// static THEME: PersistentAtom<String> =
///     persistent_atom("theme", || "light".to_string()).engine(&ENGINE);
///
/// ENGINE.insert("theme", "{not json");
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = seen.clone();
/// THEME.on_error(move |err| log.lock().unwrap().push(err.to_string())).keep();
/// assert_eq!(THEME.get(), "light"); // the default; the entry is untouched
/// assert_eq!(ENGINE.get_raw("theme").as_deref(), Some("{not json"));
/// assert!(seen.lock().unwrap()[0].starts_with("load \"theme\": cannot decode"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersistError {
    key: String,
    operation: Operation,
    kind: PersistErrorKind,
}

impl PersistError {
    /// An error for `key` during `operation`.
    ///
    /// ```
    /// use nanostate_persistent::{Operation, PersistError, PersistErrorKind, StorageError};
    /// let err = PersistError::new("cart", Operation::Save,
    ///     PersistErrorKind::Storage(StorageError::QuotaExceeded));
    /// assert_eq!(err.to_string(), "save \"cart\": storage quota exceeded");
    /// ```
    pub fn new(key: impl Into<String>, operation: Operation, kind: PersistErrorKind) -> Self {
        PersistError {
            key: key.into(),
            operation,
            kind,
        }
    }

    /// The storage key (for a map: the prefix plus the entry's key).
    ///
    /// ```
    /// # use nanostate_persistent::*;
    /// let err = PersistError::new("a", Operation::Load, PersistErrorKind::BadKey("x".into()));
    /// assert_eq!(err.key(), "a");
    /// ```
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What the store was doing.
    ///
    /// ```
    /// # use nanostate_persistent::*;
    /// let err = PersistError::new("a", Operation::Load, PersistErrorKind::BadKey("x".into()));
    /// assert_eq!(err.operation(), Operation::Load);
    /// ```
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The problem.
    ///
    /// ```
    /// # use nanostate_persistent::*;
    /// let err = PersistError::new("a", Operation::Load, PersistErrorKind::BadKey("x".into()));
    /// assert_eq!(err.kind(), &PersistErrorKind::BadKey("x".into()));
    /// ```
    pub fn kind(&self) -> &PersistErrorKind {
        &self.kind
    }

    /// Whether the storage was full.
    ///
    /// ```
    /// # use nanostate_persistent::*;
    /// let err = PersistError::new("a", Operation::Save,
    ///     PersistErrorKind::Storage(StorageError::QuotaExceeded));
    /// assert!(err.is_quota_exceeded());
    /// ```
    pub fn is_quota_exceeded(&self) -> bool {
        matches!(&self.kind, PersistErrorKind::Storage(e) if e.is_quota_exceeded())
    }
}

impl fmt::Display for PersistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}: {}", self.operation, self.key, self.kind)
    }
}

impl std::error::Error for PersistError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            PersistErrorKind::Decode(e) | PersistErrorKind::Encode(e) => Some(e),
            PersistErrorKind::Storage(e) => Some(e),
            PersistErrorKind::BadKey(_) => None,
        }
    }
}

// ----- hooks ------------------------------------------------------------

/// A list of error hooks (process-wide, or one store's).
pub(crate) type Hooks = ErrorHooks<PersistError>;

static GLOBAL: Hooks = Hooks::new();

/// Registers a process-wide error hook: it receives every [`PersistError`] of
/// every persistent store (after the store's own hooks). Returns a guard:
/// dropping it removes the hook.
///
/// If a store has no hook of its own and no process-wide hook is
/// registered, its errors are printed to standard error (on native targets;
/// dropped on wasm), so no error is ever silent by default.
///
/// Hooks run on the thread that hit the error, with no lock of the store
/// held: they may read and write any store.
///
/// ```
/// use nanostate_persistent::{on_error, persistent_atom, MemoryEngine, PersistentAtom};
/// use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
///
/// static ENGINE: MemoryEngine = MemoryEngine::with_quota(10);
/// static NOTE: PersistentAtom<String> =
///     persistent_atom("note", String::new).engine(&ENGINE);
/// static FULL: AtomicU32 = AtomicU32::new(0);
///
/// let _hook = on_error(|err| {
///     if err.key() == "note" && err.is_quota_exceeded() {
///         FULL.fetch_add(1, SeqCst);
///     }
/// });
/// NOTE.set("a note longer than the quota".into());
/// assert_eq!(NOTE.get(), "a note longer than the quota"); // kept in memory
/// assert_eq!(FULL.load(SeqCst), 1);
/// ```
pub fn on_error(hook: impl Fn(&PersistError) + Send + Sync + 'static) -> ErrorHook {
    GLOBAL.add_static(hook)
}

/// A store's own error hooks, created on first use (so a `static` store can
/// take hooks before it is bound to its engine).
pub(crate) struct StoreHooks {
    cell: std::sync::OnceLock<Arc<Hooks>>,
}

impl StoreHooks {
    pub(crate) const fn new() -> Self {
        StoreHooks {
            cell: std::sync::OnceLock::new(),
        }
    }

    pub(crate) fn from_shared(hooks: Arc<Hooks>) -> Self {
        let cell = std::sync::OnceLock::new();
        let _ = cell.set(hooks);
        StoreHooks { cell }
    }

    pub(crate) fn shared(&self) -> Arc<Hooks> {
        self.cell.get_or_init(Default::default).clone()
    }

    pub(crate) fn add(&self, hook: impl Fn(&PersistError) + Send + Sync + 'static) -> ErrorHook {
        self.shared().add(hook)
    }
}

/// Hands `errors` to the store's hooks, then to the process-wide ones; with
/// neither, prints them (native) so they are never silent.
pub(crate) fn report(store: &Hooks, errors: Vec<PersistError>) {
    if errors.is_empty() {
        return;
    }
    store.report(&GLOBAL, &errors, fallback);
}

#[cfg(not(target_arch = "wasm32"))]
fn fallback(err: &PersistError) {
    eprintln!("nanostate-persistent: {err}");
}

#[cfg(target_arch = "wasm32")]
fn fallback(_err: &PersistError) {}
