//! [Yew](https://yew.rs) 0.23 binding for [`nanostate`]: hooks that read a
//! store and re-render the component when it changes.
//!
//! Stores live at module scope and are shared by every component (and every
//! island on a page), with no context provider; a component reads one
//! through a hook. Writes stay plain store calls: actions are ordinary
//! functions.
//!
//! ```
//! use nanostate::{atom, Atom};
//! use nanostate_yew::use_store;
//! use yew::prelude::*;
//!
//! static COUNT: Atom<u32> = atom(0);
//!
//! // An action: a plain function, callable from any event handler.
//! fn increment() {
//!     COUNT.update(|n| n + 1);
//! }
//!
//! #[component]
//! fn Counter() -> Html {
//!     let count = use_store(&COUNT);
//!     html! { <button onclick={|_| increment()}>{ *count }</button> }
//! }
//!
//! // Server-side rendering reads the current value.
//! increment();
//! let html = nanostate::runtime::block_on(
//!     yew::ServerRenderer::<Counter>::new().hydratable(false).render(),
//! );
//! assert_eq!(html, "<button>1</button>");
//! ```
//!
//! # The hooks
//!
//! * [`use_store`]: the store's value; re-renders on every change.
//! * [`use_store_keys`]: the value of a map store; re-renders only when one
//!   of the listed keys changes.
//! * [`use_store_select`]: a part of the value, computed by a selector;
//!   re-renders only when that part changes.
//!
//! Each render reads the store's current value. When the store has no
//! listener yet (the first render, or server-side rendering) the hook reads
//! it like Nano Stores' `get()`: the store is mounted for a moment, so a
//! computed store is up to date and the store's `on_mount` hooks run (their
//! cleanup follows after the unmount delay).
//!
//! # Lifetime
//!
//! Each hook subscribes in a [`use_effect_with`] effect, that is after the
//! component's first render in the browser, and returns the unsubscription
//! as the effect's destructor: when the component is destroyed, the store
//! loses the listener and, once it has none, its `on_mount` cleanup runs
//! after the unmount delay. A change made between the render and the
//! subscription is not lost: the effect compares the value it rendered with
//! the store's current one and re-renders if they differ. When the store
//! argument changes to another store, the hook moves its subscription.
//!
//! Effects do not run during server-side rendering, so the hooks never
//! subscribe there: rendering leaves no listener behind.
//!
//! # Threads
//!
//! Yew components are single-threaded, and the re-render handle is not
//! `Send`: the hooks listen with the core's local listeners
//! ([`listen_local`]), which work on wasm. They hear the changes made on the
//! component's thread (in the browser there is only one); a change made on
//! another thread shows at the next render.
//!
//! On `wasm32-unknown-unknown` the core has no timer of its own: install a
//! runtime for the stores (with [`nanostate::runtime::set_runtime`], such as
//! a browser runtime on `setTimeout`) before the first render, since the
//! hooks mount and unmount stores. Tests can install a
//! [`ManualClock`](nanostate::runtime::ManualClock) on the thread.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use nanostate::{listen_local, MapStore, MapValue, Store};
use yew::functional::{hook, use_effect_with, use_force_update, use_mut_ref, UseForceUpdateHandle};

/// A store compared by identity, so it can be an effect dependency.
struct SameStore<S>(S);

impl<S: Store> PartialEq for SameStore<S> {
    fn eq(&self, other: &Self) -> bool {
        self.0.ptr_eq(&other.0)
    }
}

/// Subscribes after the render, in an effect that depends on the store's
/// identity and on `extra`: `listen` registers the listeners (given the
/// component's re-render handle) and returns their guards; `stale` tells
/// whether the store moved on since the render (then the component
/// re-renders at once). The effect's destructor drops the guards.
#[hook]
fn use_listen<S, E, G, L, T>(store: &S, extra: E, listen: L, stale: T)
where
    S: Store + Clone,
    E: PartialEq + 'static,
    G: 'static,
    L: FnOnce(&S, UseForceUpdateHandle) -> G + 'static,
    T: FnOnce(&S) -> bool + 'static,
{
    let rerender = use_force_update();
    use_effect_with((SameStore(store.clone()), extra), move |(store, _)| {
        let guards = listen(&store.0, rerender.clone());
        // A change between the render and the subscription was not heard.
        if stale(&store.0) {
            rerender.force_update();
        }
        move || drop(guards)
    });
}

/// Remembers the snapshot each render returned.
#[hook]
fn use_rendered<T: 'static>(value: &Arc<T>) -> Rc<RefCell<Arc<T>>> {
    let rendered = use_mut_ref(|| value.clone());
    *rendered.borrow_mut() = value.clone();
    rendered
}

/// Whether `store` holds another snapshot than the one rendered.
fn moved_on<S: Store>(store: &S, rendered: &RefCell<Arc<S::Value>>) -> bool {
    store
        .peek()
        .is_some_and(|now| !Arc::ptr_eq(&now, &rendered.borrow()))
}

/// The value of `store` (any nanostate store: atom, map, computed, …); the
/// component re-renders whenever the store notifies (the store already
/// skips writes equal to its value).
///
/// The value is the store's shared snapshot (`Arc`), so reading it copies
/// nothing.
///
/// ```
/// use nanostate::{Atom, Computed, Store};
/// use nanostate_yew::use_store;
/// use yew::prelude::*;
///
/// static PRICE: Atom<u32> = nanostate::atom(20);
/// static WITH_TAX: Computed<u32> = nanostate::computed(&PRICE, |p| p * 6 / 5);
///
/// #[component]
/// fn Price() -> Html {
///     let price = use_store(&WITH_TAX);
///     html! { <p>{ format!("{price} €") }</p> }
/// }
///
/// let html = nanostate::runtime::block_on(
///     yew::ServerRenderer::<Price>::new().hydratable(false).render(),
/// );
/// assert_eq!(html, "<p>24 €</p>");
/// assert_eq!(WITH_TAX.listener_count(), 0); // SSR does not subscribe
/// ```
#[hook]
pub fn use_store<S>(store: &S) -> Arc<S::Value>
where
    S: Store + Clone,
{
    let value = store.snapshot();
    let rendered = use_rendered(&value);
    use_listen(
        store,
        (),
        |store: &S, rerender: UseForceUpdateHandle| {
            listen_local(store, move |_, _| rerender.force_update())
        },
        move |store: &_| moved_on(store, &rendered),
    );
    value
}

/// The value of a map store; the component re-renders only when one of
/// `keys` changes (a `set_key` of a listed key, or a whole `set` after which
/// a listed key differs, by the store's equality).
///
/// Each render returns the whole current map. Changing `keys` between
/// renders moves the subscription to the new keys. The hook holds two
/// listeners on the store: the core's key filter, which hears changes on
/// every thread, and a local listener that re-renders the component.
///
/// ```
/// use nanostate::{map_with, MapStore};
/// use nanostate_yew::use_store_keys;
/// use yew::prelude::*;
///
/// static PROFILE: MapStore<&str, &str> = map_with(|| [("name", "Ada"), ("city", "London")].into());
///
/// #[component]
/// fn Name() -> Html {
///     // Re-renders when "name" changes, not when "city" does.
///     let profile = use_store_keys(&PROFILE, ["name"]);
///     html! { <b>{ profile.get("name").copied().unwrap_or_default() }</b> }
/// }
///
/// let html = nanostate::runtime::block_on(
///     yew::ServerRenderer::<Name>::new().hydratable(false).render(),
/// );
/// assert_eq!(html, "<b>Ada</b>");
/// ```
#[hook]
pub fn use_store_keys<K, V, I>(store: &MapStore<K, V>, keys: I) -> Arc<MapValue<K, V>>
where
    K: Clone + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
    I: IntoIterator<Item = K>,
{
    let keys: Vec<K> = keys.into_iter().collect();
    let value = store.snapshot();
    let rendered = use_rendered(&value);
    use_listen(
        store,
        keys.clone(),
        move |store: &MapStore<K, V>, rerender: UseForceUpdateHandle| {
            store.listen_keys_local(keys, move |_, _| rerender.force_update())
        },
        move |store: &_| moved_on(store, &rendered),
    );
    value
}

/// A selector, shared by the render and the listener.
type Selector<T, U> = Rc<dyn Fn(&T) -> U>;

/// The selector of the last render, and its last result.
struct Selection<T, U> {
    select: Selector<T, U>,
    last: Option<Rc<U>>,
}

/// Keeps `new` as the last result unless it equals the current one; tells
/// whether it changed.
fn remember<T, U: PartialEq>(selection: &RefCell<Selection<T, U>>, new: U) -> bool {
    let mut s = selection.borrow_mut();
    if s.last.as_deref() == Some(&new) {
        return false;
    }
    s.last = Some(Rc::new(new));
    true
}

/// A part of a store's value: `select` runs on each render and on every
/// change of the store, and the component re-renders only when its result
/// changes (by `PartialEq`).
///
/// The result is shared (`Rc`): while it does not change, every render
/// returns the same `Rc`, so passing it down as a prop lets children skip
/// re-rendering too. The selector of the latest render is the one used.
///
/// ```
/// use nanostate::{atom_with, Atom};
/// use nanostate_yew::use_store_select;
/// use yew::prelude::*;
///
/// #[derive(Clone, PartialEq)]
/// struct User { name: String, visits: u32 }
///
/// static USER: Atom<User> = atom_with(|| User { name: "Ada".into(), visits: 0 });
///
/// #[component]
/// fn Greeting() -> Html {
///     // A new visit does not re-render the greeting; a new name does.
///     let name = use_store_select(&USER, |u| u.name.clone());
///     html! { <h1>{ format!("Hello, {name}") }</h1> }
/// }
///
/// let html = nanostate::runtime::block_on(
///     yew::ServerRenderer::<Greeting>::new().hydratable(false).render(),
/// );
/// assert_eq!(html, "<h1>Hello, Ada</h1>");
/// ```
#[hook]
pub fn use_store_select<S, U, F>(store: &S, select: F) -> Rc<U>
where
    S: Store + Clone,
    U: PartialEq + 'static,
    F: Fn(&S::Value) -> U + 'static,
{
    let value = store.snapshot();
    let select: Selector<S::Value, U> = Rc::new(select);
    let fresh = select(&value);
    let selection = use_mut_ref(|| Selection {
        select: select.clone(),
        last: None,
    });
    selection.borrow_mut().select = select;
    remember(&selection, fresh);
    let result = selection
        .borrow()
        .last
        .clone()
        .expect("nanostate-yew: a selection was just stored");

    let listening = selection.clone();
    use_listen(
        store,
        (),
        move |store: &S, rerender: UseForceUpdateHandle| {
            listen_local(store, move |value, _| {
                let select = listening.borrow().select.clone();
                if remember(&listening, select(value)) {
                    rerender.force_update();
                }
            })
        },
        move |store: &S| {
            let select = selection.borrow().select.clone();
            let now = store.peek().map(|value| select(&value));
            now.is_some_and(|now| remember(&selection, now))
        },
    );
    result
}

/// The README's code blocks, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
