//! [Sycamore](https://sycamore.dev) 0.9 binding for [`nanostate`]: a store's
//! value as a Sycamore [`ReadSignal`].
//!
//! Stores live at module scope and are shared by every component (and every
//! island on a page); a component reads one through a signal that follows
//! it. Writes stay plain store calls: actions are ordinary functions.
//!
//! ```
//! use nanostate::{atom, Atom};
//! use nanostate_sycamore::use_store;
//! use sycamore::prelude::*;
//!
//! static COUNT: Atom<u32> = atom(0);
//!
//! // An action: a plain function, callable from any event handler.
//! fn increment() {
//!     COUNT.update(|n| n + 1);
//! }
//!
//! #[component]
//! fn Counter() -> View {
//!     let count = use_store(&COUNT);
//!     view! { button(on:click=move |_| increment()) { (count) } }
//! }
//!
//! increment();
//! let html = sycamore::render_to_string(Counter);
//! assert!(html.contains(">1<"), "{html}");
//! ```
//!
//! # Lifetime
//!
//! Each hook subscribes to the store when it is called and registers an
//! [`on_cleanup`] on the current reactive scope (the component's, a
//! [`create_child_scope`]'s, or the root's): when that scope is disposed,
//! the subscription drops, the store loses the listener and, once it has
//! none, its `on_mount` cleanup runs after the unmount delay. A server
//! render ([`render_to_string`](https://docs.rs/sycamore/0.9/sycamore/fn.render_to_string.html))
//! disposes its scope when it returns, so it leaves no listener behind.
//!
//! # Panics
//!
//! Like every Sycamore hook (`create_signal`, `on_cleanup`), the hooks must
//! be called inside a reactive root ([`create_root`], a component, a
//! render); outside one Sycamore panics with "no root found".
//!
//! # Threads
//!
//! Sycamore signals belong to the thread that created them (they are not
//! `Send`), so the hooks listen through the core's local listeners
//! ([`nanostate::listen_local`]): the signal follows the changes made on its
//! own thread, which on wasm (one thread) is every change. A change made on
//! another thread does not reach it; the next change made on its thread
//! brings it up to date.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

use std::cell::Cell;
use std::rc::Rc;

use nanostate::{listen_local, LocalSubscription, MapStore, MapValue, Store};
#[cfg(doc)]
use sycamore_reactive::{create_child_scope, create_root};
use sycamore_reactive::{create_signal, on_cleanup, ReadSignal, Signal};

/// The signal being fed, once it exists (the listener is added first).
type Slot<U> = Rc<Cell<Option<Signal<U>>>>;

/// Adds a local listener with `listen` (which gets the slot of the signal to
/// feed), then creates the signal from `initial()` and drops `guard` with
/// the current scope.
fn bridge<U: 'static>(
    initial: impl FnOnce() -> U,
    listen: impl FnOnce(Slot<U>) -> LocalSubscription,
) -> ReadSignal<U> {
    let slot: Slot<U> = Rc::new(Cell::new(None));
    // Listen before reading: a computed store is mounted (and computed) by
    // its first listener, and an `on_mount` hook may write a first value.
    let guard = listen(slot.clone());
    let signal = create_signal(initial());
    slot.set(Some(signal));
    on_cleanup(move || drop(guard));
    *signal
}

/// Writes `value` into the slot's signal unless the signal is gone.
fn feed<U>(slot: &Slot<U>, value: impl FnOnce() -> U) {
    if let Some(signal) = slot.get() {
        if signal.is_alive() {
            signal.set(value());
        }
    }
}

/// The store's current value; every store has one while it has a listener.
fn current<S: Store>(store: &S) -> std::sync::Arc<S::Value> {
    store
        .peek()
        .expect("nanostate: a store with a listener has a value")
}

/// A signal that follows `store` (any nanostate store: atom, map, computed,
/// …) for the life of the current reactive scope.
///
/// It changes whenever the store notifies (the store already skips writes
/// equal to its value), with the value of that notification.
///
/// ```
/// use nanostate::{Atom, Store};
/// use nanostate_sycamore::use_store;
/// use sycamore::prelude::*;
///
/// let name = Atom::new(String::from("Ada"));
/// let root = create_root(|| {
///     let signal = use_store(&name);
///     name.set("Grace".into());
///     assert_eq!(signal.get_clone_untracked(), "Grace");
/// });
/// assert_eq!(name.listener_count(), 1);
/// root.dispose(); // the component is gone: so is the listener
/// assert_eq!(name.listener_count(), 0);
/// ```
#[track_caller]
pub fn use_store<S>(store: &S) -> ReadSignal<S::Value>
where
    S: Store,
    S::Value: Clone,
{
    bridge(
        || (*current(store)).clone(),
        |slot| listen_local(store, move |value, _key| feed(&slot, || value.clone())),
    )
}

/// A signal over a map store that changes only when one of `keys` changes
/// (a `set_key` of a listed key, or a whole `set` after which a listed key
/// differs, by the store's own key equality). The signal holds the whole
/// map.
///
/// ```
/// use nanostate::MapStore;
/// use nanostate_sycamore::use_store_keys;
/// use sycamore::prelude::*;
///
/// let profile = MapStore::new([("name", "Ada"), ("city", "London")].into());
/// let _root = create_root(|| {
///     let signal = use_store_keys(&profile, ["name"]);
///     profile.set_key("city", "Paris"); // not watched: the signal keeps its old map
///     assert_eq!(signal.with_untracked(|m| m.get("city").copied()), Some("London"));
///     profile.set_key("name", "Grace");
///     assert_eq!(signal.with_untracked(|m| m.get("city").copied()), Some("Paris"));
/// });
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
    bridge(
        || (*current(store)).clone(),
        |slot| store.listen_keys_local(keys, move |map, _key| feed(&slot, || map.clone())),
    )
}

/// A signal of a part of a store's value: `select` runs on every change of
/// the store, and the signal changes only when its result does (by
/// `PartialEq`). `select` runs on this thread and need not be `Send`.
///
/// ```
/// use nanostate::Atom;
/// use nanostate_sycamore::use_store_select;
/// use sycamore::prelude::*;
///
/// #[derive(Clone, PartialEq)]
/// struct User { name: String, visits: u32 }
///
/// let user = Atom::new(User { name: "Ada".into(), visits: 0 });
/// let _root = create_root(|| {
///     let name = use_store_select(&user, |u| u.name.clone());
///     user.update(|u| User { visits: u.visits + 1, ..u.clone() }); // `name` does not change
///     assert_eq!(name.get_clone_untracked(), "Ada");
/// });
/// ```
#[track_caller]
pub fn use_store_select<S, U>(store: &S, select: impl Fn(&S::Value) -> U + 'static) -> ReadSignal<U>
where
    S: Store,
    U: PartialEq + 'static,
{
    let select = Rc::new(select);
    let first = select.clone();
    bridge(
        move || first(&current(store)),
        |slot| {
            listen_local(store, move |value, _key| {
                let Some(signal) = slot.get().filter(|s| s.is_alive()) else {
                    return;
                };
                let new = select(value);
                if !signal.with_untracked(|old| *old == new) {
                    signal.set(new);
                }
            })
        },
    )
}

/// The README's code blocks, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
