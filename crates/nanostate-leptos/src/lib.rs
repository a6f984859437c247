//! [Leptos](https://leptos.dev) 0.8 binding for [`nanostate`]: a store's
//! value as a Leptos [`Signal`].
//!
//! Stores live at module scope and are shared by every component (and every
//! island on a page); a component reads one through a signal that follows
//! it. Writes stay plain store calls: actions are ordinary functions.
//!
//! ```
//! use leptos::prelude::*;
//! use nanostate::{atom, Atom};
//! use nanostate_leptos::use_store;
//!
//! static COUNT: Atom<u32> = atom(0);
//!
//! // An action: a plain function, callable from any event handler.
//! fn increment() {
//!     COUNT.update(|n| n + 1);
//! }
//!
//! #[component]
//! fn Counter() -> impl IntoView {
//!     let count = use_store(&COUNT);
//!     view! { <button on:click=move |_| increment()>{move || count.get()}</button> }
//! }
//!
//! let owner = Owner::new();
//! let html = owner.with(|| view! { <Counter/> }.to_html());
//! assert!(html.contains(">0<"));
//! ```
//!
//! # Lifetime
//!
//! Each hook subscribes to the store when it is called and registers an
//! [`on_cleanup`] on the current reactive [`Owner`]: when the component (or
//! the server's per-request owner) is disposed, the subscription drops, the
//! store loses the listener and, once it has none, its `on_mount` cleanup
//! runs after the unmount delay. Called with no current owner the signal is
//! not kept up to date (nothing would ever unsubscribe it).
//!
//! # Threads
//!
//! The signals are thread-safe (`ArcRwSignal` with Leptos' default
//! storage), so the hooks use the core's ordinary `Send + Sync`
//! subscriptions, on native and on wasm alike: the guard can move into
//! [`on_cleanup`] (which requires `Send + Sync`), the owner may be disposed
//! on any thread (SSR on a multi-threaded runtime), and writes made on any
//! thread reach the signal. On each change the signal re-reads the store's
//! latest value while it holds its own write lock, so concurrent writers
//! cannot leave it on an older value.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

use std::sync::{Arc, OnceLock};

#[cfg(doc)]
use leptos::prelude::Owner;
use leptos::prelude::{on_cleanup, ArcRwSignal, Signal, Update};
use nanostate::{listen, MapStore, MapValue, Store, Subscription};

/// The signal being fed, once it exists (the subscription runs first).
type Cell<U> = Arc<OnceLock<ArcRwSignal<U>>>;

/// Subscribes with `subscribe` (which gets a trigger to call on every change),
/// then builds a signal from `read`; each trigger re-reads under the signal's
/// write lock and writes unless `same(old, new)`.
fn bridge<U>(
    read: impl Fn() -> Option<U> + Send + Sync + 'static,
    same: fn(&U, &U) -> bool,
    subscribe: impl FnOnce(Box<dyn Fn() + Send + Sync>) -> Subscription,
) -> Signal<U>
where
    U: Send + Sync + 'static,
{
    let read = Arc::new(read);
    let cell: Cell<U> = Arc::new(OnceLock::new());
    let (r, c) = (read.clone(), cell.clone());
    let refresh = Arc::new(move || {
        if let Some(signal) = c.get() {
            signal.maybe_update(|slot| match r() {
                Some(new) if !same(slot, &new) => {
                    *slot = new;
                    true
                }
                _ => false,
            });
        }
    });
    let trigger = refresh.clone();
    // Subscribe before reading: a change in between is seen by the read.
    let subscription = subscribe(Box::new(move || trigger()));
    let initial = read().expect("nanostate: a subscribed store has a value");
    let signal = cell.get_or_init(|| ArcRwSignal::new(initial)).clone();
    // A change on another thread while the cell was empty found no signal.
    refresh();
    on_cleanup(move || drop(subscription));
    signal.into()
}

/// A signal that follows `store` (any nanostate store: atom, map, computed,
/// …) for the life of the current reactive owner.
///
/// It changes whenever the store notifies (the store already skips writes
/// equal to its value).
///
/// ```
/// use leptos::prelude::*;
/// use nanostate::{Atom, Store};
/// use nanostate_leptos::use_store;
///
/// let name = Atom::new(String::from("Ada"));
/// let owner = Owner::new();
/// let signal = owner.with(|| use_store(&name));
/// name.set("Grace".into());
/// assert_eq!(signal.get_untracked(), "Grace");
/// owner.cleanup(); // the component is gone: so is the listener
/// assert_eq!(name.listener_count(), 0);
/// ```
#[track_caller]
pub fn use_store<S>(store: &S) -> Signal<S::Value>
where
    S: Store + Clone,
    S::Value: Clone,
{
    let s = store.clone();
    bridge(
        move || s.peek().map(|v| (*v).clone()),
        |_, _| false,
        |trigger| listen(store, move |_, _| trigger()),
    )
}

/// A signal over a map store that changes only when one of `keys` changes
/// (a `set_key` of a listed key, or a whole `set` after which a listed key
/// differs). The signal holds the whole map.
///
/// ```
/// use leptos::prelude::*;
/// use nanostate::MapStore;
/// use nanostate_leptos::use_store_keys;
///
/// let profile = MapStore::new([("name", "Ada"), ("city", "London")].into());
/// let owner = Owner::new();
/// let signal = owner.with(|| use_store_keys(&profile, ["name"]));
/// profile.set_key("city", "Paris"); // not watched: the signal keeps its old map
/// assert_eq!(signal.get_untracked().get("city"), Some(&"London"));
/// profile.set_key("name", "Grace");
/// assert_eq!(signal.get_untracked().get("city"), Some(&"Paris"));
/// ```
#[track_caller]
pub fn use_store_keys<K, V>(
    store: &MapStore<K, V>,
    keys: impl IntoIterator<Item = K>,
) -> Signal<MapValue<K, V>>
where
    K: Clone + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    let s = store.clone();
    bridge(
        move || s.peek().map(|v| (*v).clone()),
        |_, _| false,
        |trigger| store.listen_keys(keys, move |_, _, _| trigger()),
    )
}

/// A signal of a part of a store's value: `select` runs on every change of
/// the store, and the signal changes only when its result does (by
/// `PartialEq`). `select` runs while the signal is locked for writing: it
/// must not read the signal it feeds.
///
/// ```
/// use leptos::prelude::*;
/// use nanostate::Atom;
///
/// #[derive(Clone, PartialEq)]
/// struct User { name: String, visits: u32 }
///
/// let user = Atom::new(User { name: "Ada".into(), visits: 0 });
/// let owner = Owner::new();
/// let name = owner.with(|| nanostate_leptos::use_store_select(&user, |u| u.name.clone()));
/// user.update(|u| User { visits: u.visits + 1, ..u.clone() }); // `name` does not change
/// assert_eq!(name.get_untracked(), "Ada");
/// ```
#[track_caller]
pub fn use_store_select<S, U>(
    store: &S,
    select: impl Fn(&S::Value) -> U + Send + Sync + 'static,
) -> Signal<U>
where
    S: Store + Clone,
    U: PartialEq + Send + Sync + 'static,
{
    let s = store.clone();
    bridge(
        move || s.peek().map(|v| select(&v)),
        U::eq,
        |trigger| listen(store, move |_, _| trigger()),
    )
}

/// The README's code blocks, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
