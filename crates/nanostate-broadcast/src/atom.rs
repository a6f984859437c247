//! [`SharedAtom`]: an [`Atom`] shared by name with the other peers of a
//! channel.

use std::borrow::Cow;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use nanostate::__private::Core;
use nanostate::{on_mount, on_notify, Atom, Store};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{lock, report, BroadcastError, BroadcastErrorKind, ErrorHook, Hooks};
use crate::error::{StoreHooks, TransportError};
use crate::message::{decode, decode_value, encode_hello, encode_set, Message, Stamp};
use crate::origin::new_origin;
use crate::transport::{Transport, TransportChoice, TransportRef};
use crate::CHANNEL_PREFIX;

/// The default value of a store: a value (run time) or a function (`static`).
enum Seed<T> {
    Value(T),
    With(fn() -> T),
}

/// An [`Atom`] shared by name with every other peer on its channel: other
/// wasm modules of the page (built from other crates, each with its own copy
/// of nanostate) and other tabs of the origin. Peers exchange JSON-encoded
/// values and agree on the last write by a fixed rule (see [`Stamp`] and the
/// [crate docs](crate#the-ordering-rule)).
///
/// It dereferences to its [`Atom`], so it reads, writes and listens like any
/// atom (`get`, `set`, `update`, `listen`, `subscribe`, …), and it
/// implements [`Store`], so `computed`, `effect`, lifecycle hooks and the
/// framework bindings take it.
///
/// * **Writes** made on this peer (every change; a write equal to the
///   current value is none) are posted once each, mounted or not.
/// * **Receiving** needs the store mounted (a listener, see
///   [`on_mount`](nanostate::on_mount)): on mount it opens its channel and
///   says `hello`; peers holding a written value answer with it, so a module
///   loaded later catches up. The channel closes when the store unmounts.
/// * Received values are applied with the atom's own `set` (listeners run as
///   for any write; an equal value notifies nobody) and never posted again.
/// * Without a transport (native, none configured) it is a plain local atom.
///
/// ```
/// use nanostate_broadcast::{shared_atom, LocalBus, SharedAtom};
/// use std::collections::BTreeMap;
///
/// type Cart = BTreeMap<String, u32>;
///
/// // Stand-ins for two wasm modules on one page (in the browser, drop
/// // `.transport(&BUS)`: the default is `BroadcastChannel`).
/// static BUS: LocalBus = LocalBus::new();
/// static SHOP_CART: SharedAtom<Cart> = shared_atom("cart", Cart::new).transport(&BUS);
/// static FOOTER_CART: SharedAtom<Cart> = shared_atom("cart", Cart::new).transport(&BUS);
///
/// let _badge = FOOTER_CART.subscribe(|cart, _| println!("{} items", cart.values().sum::<u32>()));
/// SHOP_CART.update(|cart| {
///     let mut cart = cart.clone();
///     *cart.entry("tee".into()).or_default() += 1;
///     cart
/// });
/// assert_eq!(FOOTER_CART.get()["tee"], 1);
/// ```
pub struct SharedAtom<T: Send + Sync + 'static> {
    name: Cow<'static, str>,
    seed: Mutex<Option<Seed<T>>>,
    transport: TransportChoice,
    origin: Option<String>,
    errors: StoreHooks,
    bound: OnceLock<Arc<Inner<T>>>,
}

/// Declares a shared atom named `name` (its channel is `"nanostate:<name>"`);
/// `default()` is its value until someone writes it. Usable in `static`
/// items: declare the same name, with types of the same JSON shape, in each
/// module that shares the store. The store binds to its transport on first
/// use.
///
/// ```
/// use nanostate_broadcast::{shared_atom, SharedAtom};
/// static LANG: SharedAtom<String> = shared_atom("lang", || "en".to_string());
/// assert_eq!(LANG.get(), "en");
/// LANG.set("fr".into());
/// assert_eq!(LANG.get(), "fr");
/// ```
pub const fn shared_atom<T>(name: &'static str, default: fn() -> T) -> SharedAtom<T>
where
    T: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    SharedAtom {
        name: Cow::Borrowed(name),
        seed: Mutex::new(Some(Seed::With(default))),
        transport: TransportChoice::default_transport(),
        origin: None,
        errors: StoreHooks::new(),
        bound: OnceLock::new(),
    }
}

impl<T> SharedAtom<T>
where
    T: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    /// Creates a shared atom at run time: a peer of its own, separate from
    /// every other `SharedAtom` (clones are handles to the same peer).
    ///
    /// ```
    /// use nanostate_broadcast::{LocalBus, SharedAtom};
    /// use std::sync::Arc;
    /// let bus = Arc::new(LocalBus::new());
    /// let tab_a = SharedAtom::new("volume", 3u8).with_transport(bus.clone());
    /// let tab_b = SharedAtom::new("volume", 3u8).with_transport(bus.clone());
    /// let _listening = tab_b.listen(|_, _| {});
    /// tab_a.set(7);
    /// assert_eq!(tab_b.get(), 7);
    /// ```
    pub fn new(name: impl Into<Cow<'static, str>>, default: T) -> Self {
        SharedAtom {
            name: name.into(),
            seed: Mutex::new(Some(Seed::Value(default))),
            transport: TransportChoice::default_transport(),
            origin: None,
            errors: StoreHooks::new(),
            bound: OnceLock::new(),
        }
    }

    /// Uses `transport` instead of the default one (`const`: for `static`
    /// items). Has no effect once the store was used.
    ///
    /// ```
    /// use nanostate_broadcast::{shared_atom, LocalBus, SharedAtom};
    /// static BUS: LocalBus = LocalBus::new();
    /// static ON: SharedAtom<bool> = shared_atom("doc-on", || false).transport(&BUS);
    /// ON.set(true);
    /// assert_eq!(BUS.post_count(), 1);
    /// ```
    pub const fn transport(mut self, transport: &'static dyn Transport) -> Self {
        self.transport.fixed = Some(transport);
        self
    }

    /// Uses `transport` instead of the default one (run time). Has no effect
    /// once the store was used.
    ///
    /// ```
    /// use nanostate_broadcast::{LocalBus, SharedAtom};
    /// use std::sync::Arc;
    /// let bus = Arc::new(LocalBus::new());
    /// let n = SharedAtom::new("doc-with", 0).with_transport(bus.clone());
    /// n.set(1);
    /// assert_eq!(bus.post_count(), 1);
    /// ```
    pub fn with_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport.shared = Some(transport);
        self
    }

    /// Uses `origin` as this peer's id instead of a random one (for tests,
    /// simulations and readable logs). Ids must be unique among the peers of
    /// a channel; an empty `origin` keeps the random id. Has no effect once
    /// the store was used.
    ///
    /// ```
    /// use nanostate_broadcast::SharedAtom;
    /// let n = SharedAtom::new("doc-origin", 0).with_origin("tab-1");
    /// assert_eq!(n.origin(), "tab-1");
    /// ```
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        let origin = origin.into();
        self.origin = (!origin.is_empty()).then_some(origin);
        self
    }

    /// The underlying atom.
    ///
    /// ```
    /// use nanostate_broadcast::SharedAtom;
    /// let n = SharedAtom::new("doc-atom", 1);
    /// let atom: &nanostate::Atom<i32> = n.atom();
    /// assert_eq!(atom.get(), 1);
    /// ```
    pub fn atom(&self) -> &Atom<T> {
        &self.inner().atom
    }

    /// The store's name, as declared.
    ///
    /// ```
    /// let cart = nanostate_broadcast::SharedAtom::new("cart", 0u32);
    /// assert_eq!(cart.name(), "cart");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name of the channel the store talks on: `"nanostate:<name>"`.
    ///
    /// ```
    /// let cart = nanostate_broadcast::SharedAtom::new("cart", 0u32);
    /// assert_eq!(cart.channel(), "nanostate:cart");
    /// ```
    pub fn channel(&self) -> String {
        format!("{CHANNEL_PREFIX}{}", self.name)
    }

    /// This peer's id: the `origin` of its messages, and the tie-breaker of
    /// the ordering rule. Random (16 hex digits) unless set with
    /// [`with_origin`](Self::with_origin).
    ///
    /// ```
    /// let n = nanostate_broadcast::SharedAtom::new("doc-id", 0);
    /// assert_eq!(n.origin().len(), 16);
    /// ```
    pub fn origin(&self) -> &str {
        &self.inner().origin
    }

    /// The stamp of the value this peer holds: the clock and origin of the
    /// write that produced it (`(0, "")` for the default).
    ///
    /// ```
    /// use nanostate_broadcast::{SharedAtom, Stamp};
    /// use std::sync::Arc;
    /// let bus = Arc::new(nanostate_broadcast::LocalBus::new());
    /// let n = SharedAtom::new("doc-stamp", 0).with_transport(bus).with_origin("me");
    /// assert_eq!(n.stamp(), Stamp::default());
    /// n.set(1);
    /// n.set(2);
    /// assert_eq!(n.stamp(), Stamp { clock: 2, origin: "me".into() });
    /// ```
    pub fn stamp(&self) -> Stamp {
        lock(&self.inner().sync).stamp.clone()
    }

    /// Adds an error hook for this store: it receives every
    /// [`BroadcastError`] of this peer (before the process-wide hooks of
    /// [`on_error`](crate::on_error)). Dropping the guard removes it.
    ///
    /// ```
    /// use nanostate_broadcast::{BroadcastErrorKind, LocalBus, SharedAtom, Transport};
    /// use std::sync::{Arc, Mutex};
    /// let bus = Arc::new(LocalBus::new());
    /// let n = SharedAtom::new("doc-hook", 0u32).with_transport(bus.clone());
    /// let kinds = Arc::new(Mutex::new(Vec::new()));
    /// let log = kinds.clone();
    /// let _hook = n.on_error(move |e| log.lock().unwrap().push(e.kind().clone()));
    /// let _listening = n.listen(|_, _| {});
    /// bus.post("nanostate:doc-hook", r#"{"v":1,"kind":"set","value":"x","clock":5,"origin":"q"}"#)
    ///     .unwrap();
    /// assert!(matches!(kinds.lock().unwrap()[0], BroadcastErrorKind::Value(_)));
    /// assert_eq!(n.get(), 0);
    /// ```
    pub fn on_error(&self, hook: impl Fn(&BroadcastError) + Send + Sync + 'static) -> ErrorHook {
        self.errors.add(hook)
    }

    fn inner(&self) -> &Arc<Inner<T>> {
        self.bound.get_or_init(|| self.bind())
    }

    fn bind(&self) -> Arc<Inner<T>> {
        let default = match lock(&self.seed).take() {
            Some(Seed::Value(v)) => v,
            Some(Seed::With(f)) => f(),
            None => unreachable!("nanostate-broadcast: a store is bound only once"),
        };
        let stamped = Arc::new(default.clone());
        let inner = Arc::new(Inner {
            name: self.name.to_string(),
            channel: self.channel(),
            origin: self.origin.clone().unwrap_or_else(new_origin),
            atom: Atom::new(default),
            transport: self.transport.resolve(),
            hooks: self.errors.shared(),
            sync: Mutex::new(SyncState {
                stamp: Stamp::default(),
                value: stamped,
                last_post_error: None,
                last_subscribe_error: None,
            }),
        });
        if inner.transport.is_some() {
            install(&inner);
        }
        inner
    }
}

impl<T> std::ops::Deref for SharedAtom<T>
where
    T: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    type Target = Atom<T>;
    fn deref(&self) -> &Atom<T> {
        self.atom()
    }
}

impl<T> Store for SharedAtom<T>
where
    T: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    type Value = T;
    type Kind = <Atom<T> as Store>::Kind;
    fn core(&self) -> &Arc<Core<Self::Kind>> {
        self.atom().core()
    }
}

impl<T> Clone for SharedAtom<T>
where
    T: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    /// A handle to the same peer (binding it first).
    fn clone(&self) -> Self {
        let inner = self.inner().clone();
        let bound = OnceLock::new();
        let hooks = inner.hooks.clone();
        let origin = Some(inner.origin.clone());
        let _ = bound.set(inner);
        SharedAtom {
            name: self.name.clone(),
            seed: Mutex::new(None),
            transport: self.transport.share(),
            origin,
            errors: StoreHooks::from_shared(hooks),
            bound,
        }
    }
}

impl<T: Send + Sync + std::fmt::Debug + 'static> std::fmt::Debug for SharedAtom<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("SharedAtom");
        d.field("name", &self.name);
        match self.bound.get() {
            Some(inner) => d
                .field("origin", &inner.origin)
                .field("value", &inner.atom.peek()),
            None => d.field("value", &"<not bound>"),
        };
        d.finish()
    }
}

/// What a peer knows about the value it holds.
struct SyncState<T> {
    /// The stamp of `value`.
    stamp: Stamp,
    /// The value last written here or applied from the channel. A change of
    /// the atom to anything else is a local write.
    value: Arc<T>,
    /// The last transport errors, so a channel that stays unavailable is
    /// reported once, not at every write or mount.
    last_post_error: Option<TransportError>,
    last_subscribe_error: Option<TransportError>,
}

struct Inner<T: Send + Sync + 'static> {
    name: String,
    channel: String,
    origin: String,
    atom: Atom<T>,
    transport: Option<TransportRef>,
    hooks: Arc<Hooks>,
    sync: Mutex<SyncState<T>>,
}

/// What a mount leaves to run at unmount: closing the subscription.
type Cleanup = Box<dyn FnOnce() + Send>;

/// Installs the broadcast (`on_notify`) and receive (`on_mount`) hooks on
/// the atom, for its life. The hooks hold `inner` weakly.
fn install<T>(inner: &Arc<Inner<T>>)
where
    T: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    let weak = Arc::downgrade(inner);
    on_notify(&inner.atom, move |_| {
        if let Some(inner) = weak.upgrade() {
            inner.changed();
        }
    })
    .keep();
    let weak = Arc::downgrade(inner);
    on_mount(&inner.atom, move |_| mount(&weak)).keep();
}

fn mount<T>(weak: &Weak<Inner<T>>) -> Option<Cleanup>
where
    T: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    let inner = weak.upgrade()?;
    let transport = inner.transport.as_ref()?;
    let w = weak.clone();
    let listener = Arc::new(move |raw: &str| {
        if let Some(inner) = w.upgrade() {
            inner.receive(raw);
        }
    });
    match transport.subscribe(&inner.channel, listener) {
        Ok(listening) => {
            lock(&inner.sync).last_subscribe_error = None;
            inner.post(&encode_hello(&inner.origin));
            Some(Box::new(move || drop(listening)))
        }
        Err(e) => {
            let repeated = {
                let mut sync = lock(&inner.sync);
                let repeated = sync.last_subscribe_error.as_ref() == Some(&e);
                sync.last_subscribe_error = Some(e.clone());
                repeated
            };
            if !repeated {
                inner.report(BroadcastErrorKind::Subscribe(e), None);
            }
            None
        }
    }
}

impl<T> Inner<T>
where
    T: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    fn report(&self, kind: BroadcastErrorKind, message: Option<&str>) {
        report(&self.hooks, &BroadcastError::new(&self.name, kind, message));
    }

    /// The `on_notify` hook: a change to anything but the value last written
    /// or applied is a local write; stamp it and post it.
    ///
    /// The value is read under the peer's lock: of the hooks racing after
    /// concurrent commits, the last to take the lock reads the final value,
    /// so the stamped value always ends equal to the atom's.
    fn changed(&self) {
        let (current, stamp) = {
            let mut sync = lock(&self.sync);
            let Some(current) = self.atom.peek() else {
                return;
            };
            if *sync.value == *current {
                return;
            }
            sync.stamp = Stamp {
                clock: sync.stamp.clock.saturating_add(1),
                origin: self.origin.clone(),
            };
            sync.value = current.clone();
            (current, sync.stamp.clone())
        };
        self.post_set(&current, &stamp);
    }

    fn post_set(&self, value: &T, stamp: &Stamp) {
        match encode_set(value, stamp) {
            Ok(message) => self.post(&message),
            Err(e) => self.report(BroadcastErrorKind::Encode(e), None),
        }
    }

    /// Posts `message`; reports a failure unless it repeats the last one.
    fn post(&self, message: &str) {
        let Some(transport) = &self.transport else {
            return;
        };
        let result = transport.post(&self.channel, message);
        let error = {
            let mut sync = lock(&self.sync);
            match result {
                Ok(()) => {
                    sync.last_post_error = None;
                    None
                }
                Err(e) => {
                    let repeated = sync.last_post_error.as_ref() == Some(&e);
                    sync.last_post_error = Some(e.clone());
                    (!repeated).then_some(e)
                }
            }
        };
        if let Some(e) = error {
            self.report(BroadcastErrorKind::Post(e), None);
        }
    }

    /// A message from the channel.
    fn receive(&self, raw: &str) {
        match decode(raw) {
            Err(kind) => self.report(kind, Some(raw)),
            Ok(Message::Hello { origin }) => {
                if origin != self.origin {
                    self.answer();
                }
            }
            Ok(Message::Set { value, stamp }) => {
                // This peer's own write coming back (BroadcastChannel
                // delivers to every other channel object, including this
                // peer's own subscription), or its value relayed by another
                // peer answering a hello: nothing newer than what it holds.
                if stamp.origin == self.origin {
                    return;
                }
                match decode_value::<T>(value) {
                    Ok(value) => self.apply(value, stamp),
                    Err(kind) => self.report(kind, Some(raw)),
                }
            }
        }
    }

    /// Answers a `hello` with the value held, if it was ever written.
    fn answer(&self) {
        let (value, stamp) = {
            let sync = lock(&self.sync);
            if sync.stamp.clock == 0 {
                return;
            }
            (sync.value.clone(), sync.stamp.clone())
        };
        self.post_set(&value, &stamp);
    }

    /// Applies a received value if its stamp is greater than the one held.
    /// The atom's own `set` runs (listeners, equality); the `on_notify` hook
    /// recognizes the value and does not post it again.
    fn apply(&self, value: T, stamp: Stamp) {
        {
            let mut sync = lock(&self.sync);
            if stamp <= sync.stamp {
                return;
            }
            sync.stamp = stamp;
            sync.value = Arc::new(value.clone());
        }
        self.atom.set(value);
    }
}
