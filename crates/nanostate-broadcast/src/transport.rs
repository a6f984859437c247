//! The [`Transport`] trait, its subscription guard, and the process-wide
//! default transport.

use std::fmt;
use std::sync::{Arc, RwLock};

use crate::error::TransportError;

/// The callback a [`Transport`] calls with the text of each message.
///
/// ```
/// use nanostate_broadcast::{LocalBus, MessageListener, Transport};
/// use std::sync::{Arc, Mutex};
/// let heard = Arc::new(Mutex::new(Vec::new()));
/// let log = heard.clone();
/// let listener: MessageListener = Arc::new(move |text: &str| log.lock().unwrap().push(text.to_string()));
/// let bus = LocalBus::new();
/// let _listening = bus.subscribe("nanostate:doc", listener).unwrap();
/// bus.post("nanostate:doc", "hi").unwrap();
/// assert_eq!(*heard.lock().unwrap(), ["hi"]);
/// ```
pub type MessageListener = Arc<dyn Fn(&str) + Send + Sync>;

/// Keeps a [`Transport`] subscription open; dropping it closes it.
///
/// ```
/// use nanostate_broadcast::Listening;
/// use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
/// static CLOSED: AtomicBool = AtomicBool::new(false);
/// let listening = Listening::new(|| CLOSED.store(true, SeqCst));
/// drop(listening);
/// assert!(CLOSED.load(SeqCst));
/// ```
#[must_use = "dropping the guard closes the subscription at once"]
pub struct Listening {
    on_drop: Option<Box<dyn FnOnce() + Send>>,
}

impl Listening {
    /// A guard that runs `close` when dropped.
    ///
    /// ```
    /// let _listening = nanostate_broadcast::Listening::new(|| println!("closed"));
    /// ```
    pub fn new(close: impl FnOnce() + Send + 'static) -> Self {
        Listening {
            on_drop: Some(Box::new(close)),
        }
    }

    /// A guard with nothing to close.
    ///
    /// ```
    /// drop(nanostate_broadcast::Listening::none());
    /// ```
    pub fn none() -> Self {
        Listening { on_drop: None }
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        if let Some(close) = self.on_drop.take() {
            close();
        }
    }
}

impl fmt::Debug for Listening {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listening")
            .field("open", &self.on_drop.is_some())
            .finish()
    }
}

/// Carries text messages between the peers of named channels: the browser's
/// `BroadcastChannel` (`WebChannel`, on `wasm32`), or [`LocalBus`](crate::LocalBus)
/// in one process.
///
/// A shared store named `"cart"` uses the channel `"nanostate:cart"`
/// ([`CHANNEL_PREFIX`](crate::CHANNEL_PREFIX) + name). What a transport must
/// do:
///
/// * `post` sends `message` to every subscriber of `channel`, in this
///   process or elsewhere. It may deliver synchronously (during `post`) or
///   later, but a transport delivers the messages of one poster in the order
///   they were posted.
/// * `subscribe` calls `listener` with each message posted to `channel`
///   until the returned [`Listening`] drops. It may also deliver the
///   subscriber's own messages back (a shared store recognizes and ignores
///   them). The listener may be called on any thread, and must be called
///   with no lock of the transport held (it runs store code, which may post).
/// * Neither may panic; failures are [`TransportError`]s.
///
/// ```
/// use nanostate_broadcast::{Listening, MessageListener, SharedAtom, Transport, TransportError};
/// use std::sync::{Arc, Mutex};
///
/// /// A transport that records what is posted and delivers nothing.
/// #[derive(Default)]
/// struct Outbox(Mutex<Vec<String>>);
///
/// impl Transport for Outbox {
///     fn post(&self, channel: &str, message: &str) -> Result<(), TransportError> {
///         self.0.lock().unwrap().push(format!("{channel} {message}"));
///         Ok(())
///     }
///     fn subscribe(&self, _: &str, _: MessageListener) -> Result<Listening, TransportError> {
///         Ok(Listening::none())
///     }
/// }
///
/// let outbox = Arc::new(Outbox::default());
/// let n = SharedAtom::new("n", 0u8).with_transport(outbox.clone()).with_origin("p1");
/// n.set(4);
/// assert_eq!(
///     *outbox.0.lock().unwrap(),
///     [r#"nanostate:n {"v":1,"kind":"set","value":4,"clock":1,"origin":"p1"}"#]
/// );
/// ```
pub trait Transport: Send + Sync + 'static {
    /// Sends `message` to the subscribers of `channel`.
    ///
    /// ```
    /// use nanostate_broadcast::{LocalBus, Transport};
    /// let bus = LocalBus::new();
    /// bus.post("nanostate:doc", "nobody listens").unwrap();
    /// assert_eq!(bus.post_count(), 1);
    /// ```
    fn post(&self, channel: &str, message: &str) -> Result<(), TransportError>;

    /// Calls `listener` with every message posted to `channel` until the
    /// returned guard drops.
    ///
    /// ```
    /// use nanostate_broadcast::{LocalBus, Transport};
    /// use std::sync::Arc;
    /// let bus = LocalBus::new();
    /// let listening = bus.subscribe("nanostate:doc", Arc::new(|text: &str| println!("{text}"))).unwrap();
    /// assert_eq!(bus.subscriber_count("nanostate:doc"), 1);
    /// drop(listening);
    /// assert_eq!(bus.subscriber_count("nanostate:doc"), 0);
    /// ```
    fn subscribe(
        &self,
        channel: &str,
        listener: MessageListener,
    ) -> Result<Listening, TransportError>;
}

impl<X: Transport + ?Sized> Transport for Arc<X> {
    fn post(&self, channel: &str, message: &str) -> Result<(), TransportError> {
        (**self).post(channel, message)
    }
    fn subscribe(
        &self,
        channel: &str,
        listener: MessageListener,
    ) -> Result<Listening, TransportError> {
        (**self).subscribe(channel, listener)
    }
}

/// The transport a store was given, or the default resolved when it bound.
pub(crate) enum TransportRef {
    Static(&'static dyn Transport),
    Shared(Arc<dyn Transport>),
}

impl std::ops::Deref for TransportRef {
    type Target = dyn Transport;
    fn deref(&self) -> &Self::Target {
        match self {
            TransportRef::Static(t) => *t,
            TransportRef::Shared(t) => &**t,
        }
    }
}

/// The transport chosen for a store (no drop glue in the `const` part, so
/// the builder for `static` items can be a `const fn`).
pub(crate) struct TransportChoice {
    pub(crate) fixed: Option<&'static dyn Transport>,
    pub(crate) shared: Option<Arc<dyn Transport>>,
}

impl TransportChoice {
    pub(crate) const fn default_transport() -> Self {
        TransportChoice {
            fixed: None,
            shared: None,
        }
    }

    pub(crate) fn resolve(&self) -> Option<TransportRef> {
        if let Some(t) = &self.shared {
            return Some(TransportRef::Shared(t.clone()));
        }
        if let Some(t) = self.fixed {
            return Some(TransportRef::Static(t));
        }
        default_transport().map(TransportRef::Shared)
    }

    pub(crate) fn share(&self) -> Self {
        TransportChoice {
            fixed: self.fixed,
            shared: self.shared.clone(),
        }
    }
}

static DEFAULT: RwLock<Option<Arc<dyn Transport>>> = RwLock::new(None);

/// Replaces the process-wide default transport, used by every shared store
/// that was given none of its own and binds after this call (a store binds
/// on first use and keeps its transport). Call it at start-up.
///
/// ```
/// use nanostate_broadcast::{set_default_transport, shared_atom, LocalBus, SharedAtom};
/// use std::sync::Arc;
///
/// static MAIN: SharedAtom<u32> = shared_atom("doc-default", || 0);
/// static FOOTER: SharedAtom<u32> = shared_atom("doc-default", || 0);
///
/// set_default_transport(Arc::new(LocalBus::new()));
/// let _listening = FOOTER.listen(|_, _| {});
/// MAIN.set(3);
/// assert_eq!(FOOTER.get(), 3);
/// ```
pub fn set_default_transport(transport: Arc<dyn Transport>) {
    *DEFAULT.write().unwrap_or_else(|e| e.into_inner()) = Some(transport);
}

/// The process-wide default transport: the one given to
/// [`set_default_transport`], else the built-in default — on `wasm32` the
/// browser's `BroadcastChannel` (`WebChannel`), elsewhere none: a shared
/// store without a transport is a plain local atom (a server rendering pages
/// shares nothing between requests' users through it).
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))]
/// assert!(nanostate_broadcast::default_transport().is_none()); // native, nothing set
/// ```
pub fn default_transport() -> Option<Arc<dyn Transport>> {
    if let Some(t) = &*DEFAULT.read().unwrap_or_else(|e| e.into_inner()) {
        return Some(t.clone());
    }
    builtin_default()
}

#[cfg(not(target_arch = "wasm32"))]
fn builtin_default() -> Option<Arc<dyn Transport>> {
    None
}

#[cfg(target_arch = "wasm32")]
fn builtin_default() -> Option<Arc<dyn Transport>> {
    Some(Arc::new(crate::WebChannel))
}
