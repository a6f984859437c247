//! Errors ([`BroadcastError`], [`TransportError`]) and the error hooks that
//! receive them.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

pub use nanostate::ErrorHook;
use nanostate::ErrorHooks;

/// Why a [`Transport`](crate::Transport) could not open a channel or post a
/// message.
///
/// ```
/// use nanostate_broadcast::TransportError;
/// let err = TransportError::Unavailable("no BroadcastChannel".into());
/// assert_eq!(err.to_string(), "channel unavailable: no BroadcastChannel");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportError {
    /// There is no channel here: no `BroadcastChannel` (server-side
    /// rendering, an old browser), or the transport is switched off.
    Unavailable(String),
    /// The channel exists but refused the operation.
    Failed(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Unavailable(why) => write!(f, "channel unavailable: {why}"),
            TransportError::Failed(why) => write!(f, "channel failed: {why}"),
        }
    }
}

impl std::error::Error for TransportError {}

/// What went wrong, in a [`BroadcastError`].
///
/// ```
/// use nanostate_broadcast::BroadcastErrorKind;
/// let kind = BroadcastErrorKind::Version(2);
/// assert_eq!(kind.to_string(), "message of protocol version 2 (this peer speaks version 1)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BroadcastErrorKind {
    /// The store could not listen to its channel when it mounted; it keeps
    /// working as a local atom until a later mount succeeds.
    Subscribe(TransportError),
    /// A local write could not be posted; the store keeps the new value.
    Post(TransportError),
    /// The store's value could not be encoded as JSON (e.g. a map whose keys
    /// do not serialize as strings); nothing was posted.
    Encode(String),
    /// A received message is not a nanostate message: not JSON, not a JSON
    /// object, a field missing or of the wrong type, or an unknown `kind`.
    Malformed(String),
    /// A received message says it is of another protocol version (its `"v"`).
    Version(u64),
    /// A well-formed `set` whose value does not decode as the store's type
    /// (two modules declared the same name with different types).
    Value(String),
}

impl BroadcastErrorKind {
    /// Whether this error is about a message received from the channel (as
    /// opposed to this store's own subscribing, posting or encoding).
    ///
    /// ```
    /// use nanostate_broadcast::BroadcastErrorKind;
    /// assert!(BroadcastErrorKind::Malformed("not JSON".into()).is_received());
    /// assert!(!BroadcastErrorKind::Encode("key must be a string".into()).is_received());
    /// ```
    pub fn is_received(&self) -> bool {
        matches!(
            self,
            BroadcastErrorKind::Malformed(_)
                | BroadcastErrorKind::Version(_)
                | BroadcastErrorKind::Value(_)
        )
    }
}

impl fmt::Display for BroadcastErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BroadcastErrorKind::Subscribe(e) => write!(f, "cannot listen to the channel: {e}"),
            BroadcastErrorKind::Post(e) => write!(f, "cannot post to the channel: {e}"),
            BroadcastErrorKind::Encode(why) => write!(f, "cannot encode the value: {why}"),
            BroadcastErrorKind::Malformed(why) => write!(f, "not a nanostate message: {why}"),
            BroadcastErrorKind::Version(v) => write!(
                f,
                "message of protocol version {v} (this peer speaks version {})",
                crate::PROTOCOL_VERSION
            ),
            BroadcastErrorKind::Value(why) => write!(f, "the value does not decode: {why}"),
        }
    }
}

/// A failure of a shared store: which store, what went wrong, and for
/// received messages the text received. Handed to the error hooks
/// ([`SharedAtom::on_error`](crate::SharedAtom::on_error), [`on_error`]);
/// the store keeps its value and keeps working.
///
/// ```
/// use nanostate_broadcast::{BroadcastErrorKind, LocalBus, SharedAtom, Transport};
/// use std::sync::{Arc, Mutex};
///
/// let bus = Arc::new(LocalBus::new());
/// let n = SharedAtom::new("doc-error", 0u32).with_transport(bus.clone());
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = seen.clone();
/// n.on_error(move |e| log.lock().unwrap().push(e.clone())).keep();
/// let _listening = n.listen(|_, _| {});
///
/// bus.post("nanostate:doc-error", "{oops").unwrap();
/// let err = seen.lock().unwrap()[0].clone();
/// assert_eq!(err.name(), "doc-error");
/// assert!(matches!(err.kind(), BroadcastErrorKind::Malformed(_)));
/// assert_eq!(err.message(), Some("{oops"));
/// assert_eq!(n.get(), 0);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BroadcastError {
    name: String,
    kind: BroadcastErrorKind,
    message: Option<String>,
}

impl BroadcastError {
    pub(crate) fn new(name: &str, kind: BroadcastErrorKind, message: Option<&str>) -> Self {
        BroadcastError {
            name: name.to_string(),
            kind,
            message: message.map(str::to_string),
        }
    }

    /// The name of the shared store (`"cart"`, not the channel name
    /// `"nanostate:cart"`).
    ///
    /// ```
    /// # use nanostate_broadcast::{LocalBus, SharedAtom, Transport};
    /// # use std::sync::{Arc, Mutex};
    /// # let bus = Arc::new(LocalBus::new());
    /// # let n = SharedAtom::new("doc-error-name", 0u32).with_transport(bus.clone());
    /// # let names = Arc::new(Mutex::new(Vec::new()));
    /// # let log = names.clone();
    /// # n.on_error(move |e| log.lock().unwrap().push(e.name().to_string())).keep();
    /// # let _l = n.listen(|_, _| {});
    /// bus.post("nanostate:doc-error-name", "[]").unwrap();
    /// assert_eq!(*names.lock().unwrap(), ["doc-error-name"]);
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What went wrong.
    ///
    /// ```
    /// # use nanostate_broadcast::{BroadcastErrorKind, LocalBus, SharedAtom, Transport};
    /// # use std::sync::{Arc, Mutex};
    /// # let bus = Arc::new(LocalBus::new());
    /// # let n = SharedAtom::new("doc-error-kind", 0u32).with_transport(bus.clone());
    /// # let kinds = Arc::new(Mutex::new(Vec::new()));
    /// # let log = kinds.clone();
    /// # n.on_error(move |e| log.lock().unwrap().push(e.kind().clone())).keep();
    /// # let _l = n.listen(|_, _| {});
    /// bus.post("nanostate:doc-error-kind", r#"{"v":2}"#).unwrap();
    /// assert_eq!(*kinds.lock().unwrap(), [BroadcastErrorKind::Version(2)]);
    /// ```
    pub fn kind(&self) -> &BroadcastErrorKind {
        &self.kind
    }

    /// The text received, for errors about a received message; `None` for
    /// errors of subscribing, posting or encoding.
    ///
    /// ```
    /// # use nanostate_broadcast::{LocalBus, SharedAtom, Transport};
    /// # use std::sync::{Arc, Mutex};
    /// # let bus = Arc::new(LocalBus::new());
    /// # let n = SharedAtom::new("doc-error-message", 0u32).with_transport(bus.clone());
    /// # let texts = Arc::new(Mutex::new(Vec::new()));
    /// # let log = texts.clone();
    /// # n.on_error(move |e| log.lock().unwrap().push(e.message().map(str::to_string))).keep();
    /// # let _l = n.listen(|_, _| {});
    /// bus.post("nanostate:doc-error-message", "ping").unwrap();
    /// assert_eq!(*texts.lock().unwrap(), [Some("ping".to_string())]);
    /// ```
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

impl fmt::Display for BroadcastError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "shared store {:?}: {}", self.name, self.kind)
    }
}

impl std::error::Error for BroadcastError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            BroadcastErrorKind::Subscribe(e) | BroadcastErrorKind::Post(e) => Some(e),
            _ => None,
        }
    }
}

// ----- hooks ------------------------------------------------------------

/// A list of error hooks: the process-wide one, or one store's.
pub(crate) type Hooks = ErrorHooks<BroadcastError>;

static GLOBAL: Hooks = Hooks::new();

/// Registers a process-wide error hook: it receives every [`BroadcastError`]
/// of every shared store of this module (after the store's own hooks).
/// Dropping the returned guard removes it.
///
/// With no hook at all, errors are printed to standard error on native
/// targets and dropped in the browser. Hooks run on the thread that met the
/// error, with no lock of the store held: they may read and write any store.
///
/// ```
/// use nanostate_broadcast::{on_error, LocalBus, SharedAtom, Transport};
/// use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
/// use std::sync::Arc;
///
/// static FOREIGN: AtomicU32 = AtomicU32::new(0);
/// let _hook = on_error(|err| {
///     if err.name() == "doc-global" && err.kind().is_received() {
///         FOREIGN.fetch_add(1, SeqCst);
///     }
/// });
/// let bus = Arc::new(LocalBus::new());
/// let theme = SharedAtom::new("doc-global", "light".to_string()).with_transport(bus.clone());
/// let _listening = theme.listen(|_, _| {});
/// bus.post("nanostate:doc-global", r#"{"type":"someone else's"}"#).unwrap();
/// assert_eq!(FOREIGN.load(SeqCst), 1);
/// assert_eq!(theme.get(), "light");
/// ```
pub fn on_error(hook: impl Fn(&BroadcastError) + Send + Sync + 'static) -> ErrorHook {
    GLOBAL.add_static(hook)
}

/// A store's own hooks, created on first use so that a `static` store can
/// take hooks before it is bound.
pub(crate) struct StoreHooks {
    cell: OnceLock<Arc<Hooks>>,
}

impl StoreHooks {
    pub(crate) const fn new() -> Self {
        StoreHooks {
            cell: OnceLock::new(),
        }
    }

    pub(crate) fn from_shared(hooks: Arc<Hooks>) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(hooks);
        StoreHooks { cell }
    }

    pub(crate) fn shared(&self) -> Arc<Hooks> {
        self.cell.get_or_init(Default::default).clone()
    }

    pub(crate) fn add(&self, hook: impl Fn(&BroadcastError) + Send + Sync + 'static) -> ErrorHook {
        self.shared().add(hook)
    }
}

/// Hands `error` to the store's hooks, then to the process-wide ones; with
/// neither, prints it (native only).
pub(crate) fn report(store: &Hooks, error: &BroadcastError) {
    store.report(&GLOBAL, [error], fallback);
}

#[cfg(not(target_arch = "wasm32"))]
fn fallback(error: &BroadcastError) {
    eprintln!("nanostate-broadcast: {error}");
}

#[cfg(target_arch = "wasm32")]
fn fallback(_error: &BroadcastError) {}

/// Locks `m`, recovering from a panic in another holder (the data is plain
/// bookkeeping, valid at every step).
pub(crate) fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
