//! [Dioxus](https://dioxuslabs.com) 0.7 binding for [`nanostate`]: a store's
//! value as a Dioxus [`ReadSignal`].
//!
//! Stores live at module scope and are shared by every component; a
//! component reads one through a signal that follows it, and re-renders when
//! the signal changes (reading it in the render subscribes the component, as
//! with any Dioxus signal). Writes stay plain store calls: actions are
//! ordinary functions, callable from any event handler.
//!
//! ```
//! use dioxus::prelude::*;
//! use dioxus_core::NoOpMutations;
//! use nanostate::{atom, Atom};
//! use nanostate_dioxus::use_store;
//!
//! static COUNT: Atom<u32> = atom(0);
//!
//! // An action: a plain function.
//! fn increment() {
//!     COUNT.update(|n| n + 1);
//! }
//!
//! fn Counter() -> Element {
//!     let count = use_store(&COUNT);
//!     rsx! { button { onclick: move |_| increment(), "clicked {count} times" } }
//! }
//!
//! let mut dom = VirtualDom::new(Counter);
//! dom.rebuild_in_place();
//! assert_eq!(dioxus_ssr::render(&dom), "<button>clicked 0 times</button>");
//! increment(); // what a click does
//! dom.render_immediate(&mut NoOpMutations); // the component re-renders
//! assert_eq!(dioxus_ssr::render(&dom), "<button>clicked 1 times</button>");
//! ```
//!
//! (`dioxus::prelude` also exports Dioxus' own `use_store` and `Store`, for
//! `dioxus-stores`; the explicit `use nanostate_dioxus::use_store` wins over
//! the glob import.)
//!
//! # Lifetime
//!
//! Like every Dioxus hook, these are called on every render but subscribe
//! once, on the first render (inside [`use_hook`]); later renders return the
//! same signal, and the store, keys and selector passed to them are ignored.
//! The subscription is a hook value: when the component is dropped (the
//! parent stops rendering it, or the `VirtualDom` is dropped) the store loses
//! the listener and, once it has none, its `on_mount` cleanup runs after the
//! unmount delay.
//!
//! Calling a hook outside a component panics, as every Dioxus hook does
//! (there is no scope to own the signal).
//!
//! # Threads
//!
//! Dioxus signals are single-threaded (`UnsyncStorage`), so the hooks listen
//! with the core's [`listen_local`]: the listener holds the signal and runs
//! on the thread that rendered the component, for **changes made on that
//! thread** — event handlers, `spawn`ed futures and anything else the
//! `VirtualDom`'s thread runs. A write made on another thread (on Dioxus
//! desktop: in a `tokio::spawn`ed task or a `std::thread`) changes the store
//! but does not reach the signal; the next change made on the UI thread
//! brings the signal up to date with the store's latest value. So make the
//! final write on the UI thread: do the work elsewhere, await its result in
//! a Dioxus `spawn`ed future, and set the store there.
//!
//! ```
//! use dioxus::prelude::*;
//! use dioxus_core::NoOpMutations;
//! use nanostate::{atom, Atom};
//! use nanostate_dioxus::use_store;
//!
//! static STATUS: Atom<&str> = atom("idle");
//!
//! fn Status() -> Element {
//!     let status = use_store(&STATUS);
//!     rsx! { "{status}" }
//! }
//!
//! let mut dom = VirtualDom::new(Status);
//! dom.rebuild_in_place();
//! std::thread::spawn(|| STATUS.set("loaded")).join().unwrap();
//! dom.render_immediate(&mut NoOpMutations);
//! assert_eq!(dioxus_ssr::render(&dom), "idle"); // not heard on this thread
//! assert_eq!(STATUS.get(), "loaded"); // though the store has it
//! STATUS.set("shown"); // a write on the UI thread
//! dom.render_immediate(&mut NoOpMutations);
//! assert_eq!(dioxus_ssr::render(&dom), "shown");
//! ```
//!
//! The listener writes the signal with `try_write`: if the component holds
//! a `read()` borrow of the same signal while it writes the store, that one
//! update is skipped rather than panicking.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

use std::cell::Cell;
use std::rc::Rc;

use dioxus_core::use_hook;
use dioxus_signals::{ReadSignal, ReadableExt, Signal, WritableExt};
use nanostate::{listen_local, LocalSubscription, MapStore, MapValue, Store};

/// What a hook keeps between renders: the signal it returns, and the
/// subscription, dropped with the component.
type Hook<U> = (ReadSignal<U>, Rc<LocalSubscription>);

/// Listens to `store` on this thread and builds a signal from its value
/// with `first`; on each change `next(value, current)` gives the signal's
/// new value, or `None` to leave it (and its readers) alone. `listen`
/// registers the change callback (with or without a key filter).
fn bridge<S, U>(
    store: &S,
    first: impl FnOnce(&S::Value) -> U,
    next: impl Fn(&S::Value, &U) -> Option<U> + 'static,
    listen: impl FnOnce(Box<dyn Fn(&S::Value)>) -> LocalSubscription,
) -> Hook<U>
where
    S: Store,
    U: 'static,
{
    let slot: Rc<Cell<Option<Signal<U>>>> = Rc::new(Cell::new(None));
    let s = slot.clone();
    let local = listen(Box::new(move |value| {
        let Some(mut signal) = s.get() else { return };
        let new = match signal.try_peek() {
            Ok(current) => next(value, &current),
            Err(_) => return, // dropped with its component, or being written
        };
        if let Some(new) = new {
            if let Ok(mut slot) = signal.try_write() {
                *slot = new;
            }
        }
    }));
    // Listening first: a computed store is now computed and kept current.
    let value = store
        .peek()
        .expect("nanostate: a store with a listener has a value");
    let signal = Signal::new(first(&value));
    slot.set(Some(signal));
    (ReadSignal::new(signal), Rc::new(local))
}

/// A signal that follows `store` (any nanostate store: atom, map, computed,
/// …) for the life of the component.
///
/// It changes whenever the store notifies (the store already skips writes
/// equal to its value), so a component that reads it re-renders then.
///
/// ```
/// use dioxus::prelude::*;
/// use dioxus_core::NoOpMutations;
/// use nanostate::{atom, Atom, Computed, Store};
/// use nanostate_dioxus::use_store;
///
/// static NAME: Atom<&str> = atom("Ada");
///
/// fn Greeting() -> Element {
///     let name = use_store(&NAME);
///     rsx! { p { "Hello, {name}" } }
/// }
///
/// let mut dom = VirtualDom::new(Greeting);
/// dom.rebuild_in_place();
/// NAME.set("Grace");
/// dom.render_immediate(&mut NoOpMutations);
/// assert_eq!(dioxus_ssr::render(&dom), "<p>Hello, Grace</p>");
/// drop(dom); // the component is gone: so is the listener
/// assert_eq!(NAME.listener_count(), 0);
/// ```
#[track_caller]
pub fn use_store<S>(store: &S) -> ReadSignal<S::Value>
where
    S: Store,
    S::Value: Clone,
{
    use_hook(|| {
        bridge(
            store,
            S::Value::clone,
            |value, _| Some(value.clone()),
            |on_change| listen_local(store, move |value, _| on_change(value)),
        )
    })
    .0
}

/// A signal over a map store that changes only when one of `keys` changes
/// (a `set_key` of a listed key, or a whole `set` after which a listed key
/// differs, by the store's key equality). The signal holds the whole map.
///
/// The key filter is the core's [`MapStore::listen_keys_local`]: the hook
/// holds one of the store's listeners.
///
/// ```
/// use dioxus::prelude::*;
/// use dioxus_core::NoOpMutations;
/// use nanostate::{map, MapStore};
/// use nanostate_dioxus::use_store_keys;
///
/// static PROFILE: MapStore<&str, &str> = map();
///
/// fn Name() -> Element {
///     let profile = use_store_keys(&PROFILE, ["name"]);
///     let city = profile.read().get("city").copied().unwrap_or("?");
///     rsx! { "{city}" }
/// }
///
/// let mut dom = VirtualDom::new(Name);
/// dom.rebuild_in_place();
/// PROFILE.set_key("city", "Paris"); // not watched: no re-render
/// dom.render_immediate(&mut NoOpMutations);
/// assert_eq!(dioxus_ssr::render(&dom), "?");
/// PROFILE.set_key("name", "Grace"); // watched: re-renders, with the whole map
/// dom.render_immediate(&mut NoOpMutations);
/// assert_eq!(dioxus_ssr::render(&dom), "Paris");
/// ```
#[track_caller]
pub fn use_store_keys<K, V>(
    store: &MapStore<K, V>,
    keys: impl IntoIterator<Item = K>,
) -> ReadSignal<MapValue<K, V>>
where
    K: Clone + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    use_hook(|| {
        bridge(
            store,
            MapValue::clone,
            |value, _| Some(value.clone()),
            |on_change| store.listen_keys_local(keys, move |value, _| on_change(value)),
        )
    })
    .0
}

/// A signal of a part of a store's value: `select` runs on every change of
/// the store, and the signal changes only when its result does (by
/// `PartialEq`), so components reading it re-render only then. `select` may
/// capture values that are not `Send` (it runs on the component's thread).
///
/// ```
/// use dioxus::prelude::*;
/// use dioxus_core::NoOpMutations;
/// use nanostate::{atom, Atom};
/// use nanostate_dioxus::use_store_select;
/// use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
///
/// #[derive(Clone, PartialEq)]
/// struct User { name: &'static str, visits: u32 }
///
/// static USER: Atom<User> = atom(User { name: "Ada", visits: 0 });
/// static RENDERS: AtomicU32 = AtomicU32::new(0);
///
/// fn Name() -> Element {
///     RENDERS.fetch_add(1, SeqCst);
///     let name = use_store_select(&USER, |u| u.name);
///     rsx! { "{name}" }
/// }
///
/// let mut dom = VirtualDom::new(Name);
/// dom.rebuild_in_place();
/// USER.update(|u| User { visits: u.visits + 1, ..u.clone() }); // `name` is the same
/// dom.render_immediate(&mut NoOpMutations);
/// assert_eq!(RENDERS.load(SeqCst), 1);
/// USER.update(|u| User { name: "Grace", ..u.clone() });
/// dom.render_immediate(&mut NoOpMutations);
/// assert_eq!((RENDERS.load(SeqCst), dioxus_ssr::render(&dom)), (2, "Grace".into()));
/// ```
#[track_caller]
pub fn use_store_select<S, U>(store: &S, select: impl Fn(&S::Value) -> U + 'static) -> ReadSignal<U>
where
    S: Store,
    U: PartialEq + 'static,
{
    use_hook(|| {
        let select = Rc::new(select);
        let first = select.clone();
        bridge(
            store,
            move |value| first(value),
            move |value, current| Some(select(value)).filter(|new| new != current),
            |on_change| listen_local(store, move |value, _| on_change(value)),
        )
    })
    .0
}

/// The README's code blocks, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
