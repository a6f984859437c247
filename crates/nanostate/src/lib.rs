//! Tiny, framework-agnostic state stores for Rust: a port of
//! [Nano Stores](https://github.com/nanostores/nanostores) that keeps its
//! semantics, adds thread safety, and has no dependencies.
//!
//! State lives in many small stores declared at module scope. A store is a
//! plain value, not tied to a component tree, so any UI framework, island,
//! thread or test can read it, write it and listen to it.
//!
//! ```
//! use nanostate::{atom, computed, map, Atom, Computed, MapStore};
//!
//! pub static CART_OPEN: Atom<bool> = atom(false);
//! pub static CART: MapStore<String, u32> = map();
//! pub static CART_COUNT: Computed<u32> = computed(&CART, |items| items.values().sum());
//!
//! // Actions are plain functions.
//! pub fn add_to_cart(id: &str) {
//!     CART_OPEN.set(true);
//!     CART.update_key(id.to_string(), |qty| Some(qty.copied().unwrap_or(0) + 1));
//! }
//!
//! let _sub = CART_COUNT.subscribe(|n, _| println!("{n} items")); // drop = unsubscribe
//! add_to_cart("tee");
//! add_to_cart("tee");
//! assert_eq!(CART_COUNT.get(), 2);
//! ```
//!
//! # Stores
//!
//! | store | holds | writes | declared with |
//! |---|---|---|---|
//! | [`Atom<T>`] | one value | `set`, `update` | [`atom`], [`atom_with`], [`Atom::new`] |
//! | [`MapStore<K, V>`] | keyed entries, insertion-ordered ([`MapValue`]) | `set`, `set_key`, `delete_key`, `update_key` | [`map`], [`map_with`], [`MapStore::new`] |
//! | [`DeepMapStore`] | a nested JSON-like [`Deep`] value | `set`, `set_key(path)`, `delete_key(path)` | [`deep_map`], [`deep_map_with`], [`DeepMapStore::new`] |
//! | [`StructStore<T>`] | a struct, written whole or field by field ([`Fields`]) | `set`, `set_field`, `update`; derived: `set_<field>`, `update_<field>` | [`struct_store`], [`struct_store_with`], [`StructStore::new`]; derived: `<Name>Store::new`, `::with_init` |
//! | [`Computed<T>`] | a value derived from other stores | — (read-only) | [`computed`]…[`computed4`], [`batched`]…, [`Computed::new`]…, [`Computed::many`], [`Computed::dynamic`] |
//!
//! `static` stores are built by `const fn`s and allocate on first use.
//! Stores created at run time are cheap handles: clones share one store.
//!
//! Reading: `get()` clones the value; `with(|v| …)` borrows it. Values are
//! immutable snapshots (`Arc`), so no lock is held while `with`'s closure
//! runs and it may touch any store.
//!
//! # Listening
//!
//! `listen(f)` calls `f` after each change with the new and the old value (a
//! map store also passes the changed key); `subscribe(f)` calls it at once
//! too. Both return a [`Subscription`]: dropping it unsubscribes, and
//! [`Subscription::keep`] keeps the listener for the life of the store.
//! A write equal to the current value (by `PartialEq`, or the store's own
//! equality set with `set_eq`/`with_eq`) notifies nobody.
//!
//! ## What a listener can observe (the notification contract)
//!
//! These rules are Nano Stores' and hold per thread:
//!
//! 1. **Breadth-first.** Listeners of one change run in registration order.
//!    A write made by a listener does not recurse: its calls run after every
//!    call already waiting. The thread that started the cascade returns from
//!    its `set` only when everything has run.
//! 2. **Values at call time.** A listener receives the store's value at the
//!    moment it is called (a change made by an earlier listener is visible)
//!    and the old value captured when the change happened.
//! 3. **Unsubscribed means never called.** After its `Subscription` drops, a
//!    listener is not called again — not even for a change already queued.
//!    A listener may drop any subscription, including its own, and may
//!    subscribe new listeners; those hear the next change, not the current
//!    one.
//! 4. **No lock is held while user code runs** (listeners, hooks, compute
//!    functions, cleanups). The only user code run under a store's lock is
//!    its equality function, which must not touch the same store.
//! 5. **Panics are contained.** A panicking listener does not stop the other
//!    listeners, poisons nothing and silences nothing; the last panic is
//!    re-raised when the queue has drained, from the outermost `set` (or
//!    `batch`).
//!
//! Listeners of [`listen`](Atom::listen)/[`subscribe`](Atom::subscribe)
//! must be `Send + Sync`. For callbacks that hold an `Rc` or a UI
//! framework's handle (wasm, single-threaded frameworks) use
//! [`listen_local`]/[`subscribe_local`]: they run on the thread that
//! registered them, for the changes made there. Generic code that takes any
//! [`Store`] listens with the free functions [`listen`] and [`subscribe`]
//! (`Send + Sync`) or their local twins.
//!
//! Across threads: each thread has its own queue, and a listener runs on the
//! thread that made the change. Rule 3 is per thread: a call that another
//! thread has already started may still finish after `drop` returns here.
//! Lifecycle hooks of one store are not serialized across threads: a last
//! listener leaving on one thread while a first one arrives on another can
//! run `on_stop` and `on_start` concurrently. Two threads writing at once each deliver
//! their own change; a listener that must end on the latest value should
//! read it (`get`) inside its own critical section.
//!
//! # Batching
//!
//! [`batch`] defers notifications until the outermost batch returns; each
//! listener is then called once, with the final value, the value from before
//! the batch, and no changed key.
//!
//! # Typed struct stores
//!
//! With the `derive` feature, `#[derive(Fields)]` makes a struct a map store
//! whose keys are its fields: it generates a key enum (`ProfileKey`, one
//! variant per field) and a store type (`ProfileStore`, over
//! [`StructStore`]) with a typed setter, getter and updater per field.
//! Setters notify with their field's key, and only if the field changed;
//! `listen_keys` takes keys of that struct only. An unknown field, a value
//! of the wrong type or another struct's key does not compile.
//!
//! ```
//! # #[cfg(feature = "derive")] {
//! use nanostate::Fields;
//!
//! #[derive(Fields, Clone, PartialEq, Debug)]
//! pub struct Profile { pub name: String, pub age: u32 }
//!
//! pub static PROFILE: ProfileStore =
//!     ProfileStore::with_init(|| Profile { name: String::new(), age: 0 });
//!
//! PROFILE.set_name("Ada".into());
//! let _sub = PROFILE.listen_keys([ProfileKey::Age], |p, _old, _key| println!("age {}", p.age));
//! PROFILE.set_age(36);
//! assert_eq!(PROFILE.age(), 36);
//! # }
//! ```
//!
//! Without the feature, implement [`Fields`] by hand and write fields with
//! [`StructStore::set_field`].
//!
//! # Computed stores
//!
//! A [`Computed`] is **lazy**: while nobody listens it holds no subscription
//! to its dependencies and does no work; `get()` computes on demand (and,
//! like Nano Stores, keeps following its dependencies for the unmount delay).
//! It is **glitch-free**: a diamond recomputes each node once per change and
//! its listeners see one consistent result. Its function runs only when an
//! argument changed, and listeners hear only about a changed result.
//! [`batched`] stores recompute once at the end of the tick.
//!
//! # Effects
//!
//! [`effect`] (and [`effect2`]…[`effect4`], [`effect_dynamic`]) runs a
//! closure with the values of some stores now and after every change; the
//! closure may return a cleanup that runs before the next run and when the
//! returned [`Subscription`] drops.
//!
//! # Lifecycle
//!
//! [`on_start`]/[`on_stop`] run when a store gains its first listener or
//! loses its last; [`on_mount`] runs on first listener and its cleanup runs
//! [`STORE_UNMOUNT_DELAY`] (1 s, per-store `set_unmount_delay`) after the last
//! listener left, unless one came back. [`on_set`] sees writes before they
//! happen and may abort them; [`on_notify`] sees changes before listeners
//! and may hide them. Timers come from a pluggable [`runtime::Runtime`]; tests
//! use [`runtime::ManualClock`].
//!
//! # Testing
//!
//! [`keep_mount`] keeps a store mounted; [`clean_stores`] resets stores
//! between tests; [`runtime::ManualClock`] makes time explicit:
//!
//! ```
//! use nanostate::{on_mount, runtime::ManualClock, Atom};
//! use std::sync::{Arc, Mutex};
//!
//! let clock = ManualClock::new();
//! let _installed = clock.install(); // this thread only
//! let log = Arc::new(Mutex::new(Vec::new()));
//! let store = Atom::new(0);
//! let l = log.clone();
//! on_mount(&store, move |_| {
//!     let l = l.clone();
//!     move || l.lock().unwrap().push("unmounted")
//! })
//! .keep();
//! drop(store.listen(|_, _| {}));
//! clock.advance(999);
//! assert!(log.lock().unwrap().is_empty());
//! clock.advance(1);
//! assert_eq!(*log.lock().unwrap(), ["unmounted"]);
//! ```
//!
//! # Differences from Nano Stores 1.5.2
//!
//! The conformance kit (`tests/conformance/`) runs Nano Stores' own traces
//! against this crate. Where Nano Stores behaves by accident, nanostate
//! deliberately does what its documentation promises (quirk ids from the
//! kit):
//!
//! * **Q1** — a listener unsubscribed inside `batch` is never called (1.5.2
//!   may still call it once).
//! * **Q2** — a `batch` ending inside a listener never delivers a call twice.
//! * **Q3** — removing the last hook of one kind never disables hooks of
//!   another kind.
//! * **Q4** — an `on_notify` abort skips listeners but does not leave
//!   computed stores with a stale cached result.
//! * **Q5** — deep map paths: an index applied to a missing slot, a hole,
//!   `null` or a scalar makes an array (`m[1][0]` on `{}` gives
//!   `{"m": [_, [v]]}`, where 1.5.2 makes `{"0": v}`). Paths are parsed
//!   strictly ([`parse_path`]): what 1.5.2 reads leniently (`a[0]b`, `a[x]`,
//!   `a..b`, unbalanced brackets) is a [`PathError`], as is a name set on an
//!   array and an index that would grow an array past [`MAX_INDEX`] (1.5.2
//!   allocates it, issue #367). A string on a path is replaced like any
//!   scalar (1.5.2 spreads its characters into the new object).
//! * **Deep map equality** is structural (`==`) by default; Nano Stores
//!   compares by identity (`===`), available as [`Deep::same`] through
//!   [`DeepMapStore::with_eq`].
//! * **Q6** — an effect runs once per change, also when the change reaches
//!   it through several dependencies (a store and a computed over it).
//! * **Q7** — removing the last `on_mount` hook forgets the mounted mark and
//!   its pending cleanups.
//! * **Hooks changed during an event** — a hook removed by another hook of
//!   the same event does not run later in it, and no hook runs twice (1.5.2
//!   walks its live hook array, so a removal can call a hook twice).
//! * **No stale re-entrant result** — if a computed store's refresh is
//!   re-entered (a hook or listener triggered while it reads its arguments
//!   refreshes it again), the older refresh does not overwrite the newer
//!   result (1.5.2 commits it, leaving a stale value cached).
//! * **Listener identity** is the registration: a Rust closure has no
//!   identity, so one closure registered twice (or on two stores) is two
//!   listeners, each called once per batch.
//! * Writes are thread-safe; `update`/`update_key` are atomic
//!   read-modify-writes that may run their closure again after a race.
//!
//! A `static` store cannot hold a type that is not `Send + Sync`:
//!
//! ```compile_fail
//! use std::rc::Rc;
//! static SHARED: nanostate::Atom<Rc<u8>> = nanostate::atom(Rc::new(1));
//! ```
//!
//! The compute function of a `static` computed store is a plain `fn`; it
//! cannot capture (use [`Computed::new`] at run time for closures):
//!
//! ```compile_fail
//! use nanostate::{atom, computed, Atom, Computed};
//! static A: Atom<u32> = atom(1);
//! let k = 2;
//! static C: Computed<u32> = computed(&A, |a| a * k);
//! ```
#![warn(missing_docs)]

mod atom;
mod computed;
mod core;
mod deep_map;
mod deep_value;
mod effect;
mod engine;
mod error_hooks;
mod events;
mod family;
mod generic;
mod lifecycle;
mod local;
mod map;
mod map_value;
mod path;
mod store;
#[cfg(feature = "futures")]
mod stream;
mod struct_store;
mod subscription;
mod sync;
mod task;
mod testing;

pub mod runtime;

pub use crate::atom::{atom, atom_with, Atom};
pub use crate::computed::{
    batched, batched2, batched3, batched4, computed, computed2, computed3, computed4, Args,
    Computed, DynArgs, Source,
};
pub use crate::core::STORE_UNMOUNT_DELAY;
pub use crate::deep_map::{deep_map, deep_map_with, DeepMapStore};
pub use crate::deep_value::{delete_path, get_path, set_path, Deep, DeepArray, DeepObject};
pub use crate::effect::{effect, effect2, effect3, effect4, effect_dynamic};
pub use crate::engine::batch;
pub use crate::error_hooks::{ErrorHook, ErrorHooks};
pub use crate::events::{LifecycleEvent, NoKey, NotifyEvent, Proposed, SetEvent, Shared};
pub use crate::family::Family;
pub use crate::generic::{listen, subscribe};
pub use crate::lifecycle::{on_mount, on_notify, on_set, on_start, on_stop, IntoCleanup};
pub use crate::local::{listen_local, subscribe_local, LocalSubscription};
pub use crate::map::{map, map_with, MapStore};
pub use crate::map_value::MapValue;
pub use crate::path::{parse_path, PathError, PathErrorKind, Segment, MAX_DEPTH, MAX_INDEX};
pub use crate::store::{KeyOf, Store};
#[cfg(feature = "futures")]
pub use crate::stream::{to_stream, StoreStream};
pub use crate::struct_store::{struct_store, struct_store_with, Fields, StructStore};
pub use crate::subscription::Subscription;
pub use crate::task::{
    all_tasks, clean_tasks, running_tasks, spawn_task, start_task, task, AllTasks, Task, TaskGuard,
};
pub use crate::testing::{clean_stores, keep_mount, Clean};
#[cfg(feature = "derive")]
pub use nanostate_macros::Fields;

/// Not public API: paths used by the code `#[derive(Fields)]` generates.
#[doc(hidden)]
pub mod __private {
    pub use crate::core::Core;
    pub use crate::struct_store::StructKind;
}

/// The project README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
