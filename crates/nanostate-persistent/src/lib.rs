//! Persistent [`nanostate`] stores: atoms and maps whose values are saved in
//! a storage engine and read back on the next run (Nano Stores'
//! `@nanostores/persistent`).
//!
//! ```
//! use nanostate::{computed, Computed, MapValue};
//! use nanostate_persistent::{persistent_atom, persistent_map, MemoryEngine, PersistentAtom, PersistentMap};
//!
//! static STORAGE: MemoryEngine = MemoryEngine::new();
//!
//! // One entry, JSON-encoded: "theme" → "\"dark\"".
//! pub static THEME: PersistentAtom<String> =
//!     persistent_atom("theme", || "light".to_string()).engine(&STORAGE);
//! // One entry per key: "cart:tee" → "2".
//! pub static CART: PersistentMap<String, u32> =
//!     persistent_map("cart:", MapValue::new).engine(&STORAGE);
//! pub static CART_COUNT: Computed<u32> = computed(&CART, |items| items.values().sum());
//!
//! THEME.set("dark".into());
//! CART.update_key("tee".into(), |q| Some(q.copied().unwrap_or(0) + 2));
//! assert_eq!(CART_COUNT.get(), 2);
//! assert_eq!(
//!     STORAGE.entries(),
//!     [("cart:tee".to_string(), "2".to_string()), ("theme".into(), "\"dark\"".into())]
//! );
//! ```
//!
//! # Stores
//!
//! | store | saved as | declared with |
//! |---|---|---|
//! | [`PersistentAtom<T>`] | one entry, `key` | [`persistent_atom`], [`persistent_atom_with_codec`], [`PersistentAtom::new`], [`PersistentAtom::with_codec`] |
//! | [`PersistentMap<K, V>`] | one entry per key, `prefix + key` | [`persistent_map`], [`persistent_map_with_codec`], [`PersistentMap::new`], [`PersistentMap::with_codec`] |
//!
//! A persistent store **is** a nanostate store: it dereferences to its
//! [`Atom`](nanostate::Atom) / [`MapStore`](nanostate::MapStore) (`get`,
//! `set`, `update`, `set_key`, `listen`, …) and implements
//! [`Store`](nanostate::Store), so `computed`, `effect`, lifecycle hooks and
//! the framework bindings take it as they take any store. The constructors
//! for `static` items are `const fn`s taking the default as a `fn() -> T`;
//! run-time stores (`new`) take the value and may use keys built at run time.
//!
//! # Life of a persistent store
//!
//! 1. **First use binds it.** The first access resolves the engine, reads
//!    the entry (or the map's entries) and decodes it; where nothing is
//!    stored, or the text cannot be read, the store starts from the default.
//!    Nothing is written at load.
//! 2. **Every change is saved**, on the thread that made it, before
//!    listeners run: `set` and `update` write the entry; a map writes exactly
//!    the changed entries (`set_key`, `update_key`, a whole `set`) and
//!    removes the entries of deleted keys. A write equal to the current value
//!    is no change and writes nothing.
//! 3. **While mounted it syncs.** When the store gets its first listener
//!    ([`nanostate::on_mount`]) it subscribes to the engine's external
//!    changes ([`StorageEngine::subscribe`]: another tab, another process)
//!    and reads its entries again, so changes made while it was unmounted
//!    are not missed; the subscription ends when the store unmounts (the
//!    core's unmount delay after the last listener left). An external value
//!    is applied to the store and **never written back** (no echo loops); a
//!    removed entry resets the value (the key) to its default. As in the
//!    core, `get()` on a store without listeners mounts it for a moment, so
//!    it too reads the entry again and picks up changes made elsewhere.
//!
//! A store declared [`.deferred()`](PersistentAtom::deferred) skips the
//! first read: it holds its default and touches no storage (no read, no
//! write, no subscription, also while mounted) until its `restore()` is
//! called; from then on it lives as above (see [Hydration](#hydration)).
//!
//! Declare one store per key (per prefix): two stores of one process on the
//! same entry do not see each other's writes (an engine reports only
//! changes made elsewhere, like the browser's `storage` event).
//!
//! # Engines
//!
//! A [`StorageEngine`] is a string key-value storage with typed errors
//! ([`StorageError`], including [`StorageError::QuotaExceeded`]), optional
//! listing by prefix, and an optional subscription to external changes.
//!
//! | engine | where | keeps values | external changes |
//! |---|---|---|---|
//! | [`MemoryEngine`] | everywhere; the native default | for the process | simulated (`external_set`, …) |
//! | [`FileEngine`] | native | one file per key in a directory, atomic writes | seen on load and mount |
//! | `LocalStorage` | `wasm32`; the browser default | across reloads | other tabs (`storage` event) |
//! | `SessionStorage` | `wasm32` | one tab, across reloads | other frames of the tab |
//!
//! **Which engine a store uses:** its own, if given with `.engine(&ENGINE)`
//! (`const`, for `static` stores) or `.with_engine(arc)` (run time);
//! otherwise the process-wide default ([`default_engine`]), which an app
//! replaces once at start-up with [`set_default_engine`] (e.g. a
//! [`FileEngine`] in the app's data directory). Without that call the default
//! is `LocalStorage` in the browser and one process-wide [`MemoryEngine`]
//! elsewhere: a server rendering pages never writes files (nor shares one
//! user's values with another through them) unless told to. The engine is
//! resolved when the store binds (first use) and kept.
//!
//! # Codecs
//!
//! Values are encoded by a [`Codec`]: [`Json`] (serde_json; the default) or
//! [`Raw`] (a `String` as it is), or your own, given as a
//! `&'static dyn Codec<T>` (`&MyCodec` is a constant for a unit struct).
//!
//! # Bad data never crashes and is never lost silently
//!
//! Every failure becomes a [`PersistError`] (the storage key, the
//! [`Operation`], the [`PersistErrorKind`]) handed to the store's own hooks
//! ([`PersistentAtom::on_error`], [`PersistentMap::on_error`]) and then to
//! the process-wide ones ([`on_error`]). With no hook at all it is printed to
//! standard error (native). The store keeps working:
//!
//! | case | the store | storage |
//! |---|---|---|
//! | corrupt or foreign text, a value of the wrong shape | starts from the default (a map: that key's default) | the entry is left untouched until the store writes that key |
//! | a map entry whose name is not a key (`FromStr` fails) | skips it | untouched |
//! | storage missing (no `window`, private mode, engine off) | works in memory from the default | — |
//! | write fails (quota exceeded, I/O, directory gone) | keeps the new value in memory | the previous value stays; a later mount does not revert the store to it; the write is tried again (below) |
//! | external change that cannot be decoded | keeps its value | untouched |
//!
//! **A failed write is tried again** until it succeeds, so nothing is lost
//! once the storage comes back: at the store's next change, at its next
//! load (mount), and on a timer of the core's runtime, one second after the
//! failure and then backing off to once a minute. Each failed write of a
//! change is reported once; a retry failing the same way is not reported
//! again (tests: `tests/failing_storage.rs`, an engine failing every other
//! write and a directory that vanishes). A load error that repeats on every
//! mount (a storage that stays unavailable) is reported once. Hooks run with no lock held and may use any
//! store.
//!
//! # Threads
//!
//! Saves of one store are serialized (each save writes the store's value
//! at that moment), so concurrent writers leave the storage holding the
//! store's final value. Engines are `Send + Sync`; external-change callbacks
//! may arrive on any thread.
//!
//! # Hydration
//!
//! A page rendered on the server shows each store's default value: the
//! server cannot see the visitor's localStorage. In the browser the
//! framework then hydrates the page, and its first render must produce the
//! same markup, or it reports a hydration mismatch. A persistent store that
//! read localStorage on first use would show the stored value in that render.
//!
//! So declare the stores that server-rendered markup shows
//! [`.deferred()`](PersistentAtom::deferred), and call `restore()` on each
//! right after hydrating:
//!
//! 1. **Server:** renders the default. A deferred store never touches
//!    storage before `restore()`, which the server never calls.
//! 2. **Client, hydrating:** the components read and subscribe to the
//!    store; it still holds the default, so the markup matches.
//! 3. **Client, hydrated:** `CART.restore()` reads the stored value; it
//!    arrives as an ordinary change (one notification), which the hydrated
//!    components render. From then on the store saves its changes and
//!    follows other tabs while mounted.
//!
//! With Leptos, for example, the client's entry point calls
//! `leptos::mount::hydrate_body(App)` and then `CART.restore()`. Where a
//! framework hydrates asynchronously (suspended parts), call `restore()`
//! once it has finished.
//!
//! ```
//! use nanostate::MapValue;
//! use nanostate_persistent::{persistent_map, MemoryEngine, PersistentMap};
//! use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
//!
//! // In the browser: no `.engine(…)`, the default engine is localStorage.
//! static STORAGE: MemoryEngine = MemoryEngine::new();
//! pub static CART: PersistentMap<String, u32> =
//!     persistent_map("cart:", MapValue::new).engine(&STORAGE).deferred();
//!
//! /// A component's markup.
//! fn cart_badge() -> String {
//!     format!("{} in cart", CART.get().values().sum::<u32>())
//! }
//!
//! /// The client's entry point: hydrate (with any framework), then restore.
//! fn start(hydrate: impl FnOnce()) {
//!     hydrate();
//!     CART.restore();
//! }
//!
//! // 1. The server renders the default.
//! let server_html = cart_badge();
//! assert_eq!(server_html, "0 in cart");
//!
//! // The visitor's browser kept a cart from an earlier visit.
//! STORAGE.insert("cart:tee", "2");
//! static RENDERS: AtomicU32 = AtomicU32::new(0);
//! start(|| {
//!     // 2. Hydrating: the same markup as the server's.
//!     assert_eq!(cart_badge(), server_html);
//!     // The component subscribes, to re-render on changes.
//!     CART.listen(|_, _, _| {
//!         RENDERS.fetch_add(1, SeqCst);
//!     })
//!     .keep();
//!     assert_eq!(STORAGE.write_count(), 0); // nor written
//! });
//! // 3. Restored: one change, rendered by the hydrated component.
//! assert_eq!(RENDERS.load(SeqCst), 1);
//! assert_eq!(cart_badge(), "2 in cart");
//! CART.update_key("tee".into(), |q| Some(q.copied().unwrap_or(0) + 1));
//! assert_eq!(STORAGE.get_raw("cart:tee").as_deref(), Some("3"));
//! ```
//!
//! **Writes made before `restore()`** apply in memory at once and are
//! saved by `restore()` only where storage has nothing: for each key (an
//! atom: its one value) **a stored value wins**; where nothing readable is
//! stored, the value in memory is kept, and saved if it differs from the
//! default. See [`PersistentAtom::restore`] and [`PersistentMap::restore`].
//!
//! # Browser engines
//!
//! `LocalStorage` and `SessionStorage` are tested in headless Chromium
//! (`tests/browser.rs`): round trips through the real storage, corrupt
//! entries, the `storage` event (applied only while mounted, never written
//! back) and deferred stores. Not synced: stores of separately built wasm
//! modules on one page (the `storage` event fires only in *other* tabs; a
//! BroadcastChannel engine would be needed).
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod atom;
mod codec;
mod engine;
mod error;
#[cfg(not(target_arch = "wasm32"))]
mod file;
mod hooks;
mod map;
mod memory;
#[cfg(target_arch = "wasm32")]
mod web;

pub use crate::atom::{persistent_atom, persistent_atom_with_codec, PersistentAtom};
pub use crate::codec::{Codec, Json, Raw};
pub use crate::engine::{
    default_engine, set_default_engine, ChangeListener, ExternalChange, StorageEngine, Watch,
};
pub use crate::error::{
    on_error, CodecError, ErrorHook, Operation, PersistError, PersistErrorKind, StorageError,
};
#[cfg(not(target_arch = "wasm32"))]
pub use crate::file::FileEngine;
pub use crate::map::{persistent_map, persistent_map_with_codec, PersistentMap};
pub use crate::memory::MemoryEngine;
#[cfg(target_arch = "wasm32")]
pub use crate::web::{LocalStorage, SessionStorage};
