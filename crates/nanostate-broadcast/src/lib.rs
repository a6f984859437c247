//! Named [`nanostate`] stores shared across separately compiled wasm modules
//! and browser tabs: the Module Federation problem without singletons.
//!
//! Two wasm binaries built from different crates on one page each link
//! their own copy of nanostate, so a `static` store is never one store for
//! both. A [`SharedAtom`] is declared under a **name** in each of them; the
//! copies find each other on the channel `nanostate:<name>` (the browser's
//! `BroadcastChannel`, which also reaches the other tabs of the origin),
//! exchange serde-encoded values and agree on the last write by a documented
//! rule.
//!
//! ```
//! use nanostate::{computed, Computed};
//! use nanostate_broadcast::{shared_atom, LocalBus, SharedAtom};
//! use std::collections::BTreeMap;
//!
//! pub type Cart = BTreeMap<String, u32>;
//!
//! // The main module and the `islands-footer` module both declare
//! //     static CART: SharedAtom<Cart> = shared_atom("cart", Cart::new);
//! // Here a `LocalBus` stands in for the page so both run in one process.
//! static PAGE: LocalBus = LocalBus::new();
//! static SHOP_CART: SharedAtom<Cart> = shared_atom("cart", Cart::new).transport(&PAGE);
//! static FOOTER_CART: SharedAtom<Cart> = shared_atom("cart", Cart::new).transport(&PAGE);
//! static FOOTER_COUNT: Computed<u32> = computed(&FOOTER_CART, |cart| cart.values().sum());
//!
//! pub fn add_to_cart(id: &str) {
//!     SHOP_CART.update(|cart| {
//!         let mut cart = cart.clone();
//!         *cart.entry(id.to_string()).or_default() += 1;
//!         cart
//!     });
//! }
//!
//! let _badge = FOOTER_COUNT.subscribe(|n, _| println!("{n} items")); // mounts FOOTER_CART
//! add_to_cart("tee");
//! add_to_cart("tee");
//! assert_eq!(FOOTER_COUNT.get(), 2);
//! ```
//!
//! In the browser, leave out `.transport(…)`: the default transport there
//! is `BroadcastChannel` (`WebChannel`). Call `nanostate_web::install()` first
//! in each module (nanostate's timers, such as the unmount delay, need it).
//!
//! # A shared store is an atom
//!
//! [`SharedAtom<T>`] dereferences to [`Atom<T>`](nanostate::Atom) (`get`,
//! `set`, `update`, `listen`, `subscribe`, …) and implements
//! [`Store`](nanostate::Store), so `computed`, `effect`, lifecycle hooks and
//! the framework bindings take it as they take any store. Declare it as a
//! `static` with [`shared_atom`] (a `const fn`; the default is a
//! `fn() -> T`) or at run time with [`SharedAtom::new`]. Each `SharedAtom`
//! is one **peer** with its own id ([`SharedAtom::origin`]); clones are
//! handles to the same peer. `T` is any `Serialize + DeserializeOwned +
//! Clone + PartialEq` type; the modules sharing a name must agree on its
//! JSON shape.
//!
//! # Life of a shared store
//!
//! 1. **Writing.** Every change made on this peer (`set`, `update`, …; a
//!    write equal to the current value is no change) is stamped and posted
//!    once, whether or not the store is mounted. A module that only writes
//!    still reaches the others.
//! 2. **Receiving, while mounted.** When the store gets its first listener
//!    ([`nanostate::on_mount`]) it subscribes to its channel and posts
//!    `hello`. Every mounted peer holding a written value (clock > 0)
//!    answers with it, so a module loaded later, or a new tab, catches up.
//!    The subscription closes when the store unmounts (nanostate's unmount
//!    delay, 1 s, after the last listener left). As for any nanostate
//!    store, `get()` on a store without listeners mounts it for that moment,
//!    so it says `hello` too (on a [`LocalBus::new`] bus the answer has
//!    arrived when `get` returns; in the browser it arrives a task later,
//!    while the store is still mounted, and `get` returns the value held).
//! 3. **Applying.** A received value that wins by the ordering rule is
//!    applied with the atom's own `set`: listeners, computed stores and
//!    equality work as for a local write, and an equal value notifies
//!    nobody. A received value is **never posted again** (no echo loops).
//!
//! A peer that is not mounted does not hear the others. Its own writes carry
//! the clock it knows, so a write made on a stale value can lose to a write
//! it never saw (that is the rule working: it is not later than that one),
//! and `update` computes from the stale value. A module that writes should
//! therefore keep the store mounted while it may write — any listener, a
//! binding, or [`nanostate::keep_mount`].
//!
//! # The ordering rule
//!
//! Every value a peer holds carries a [`Stamp`] `(clock, origin)`: a Lamport
//! clock and the id of the peer that wrote it; the default value has
//! `(0, "")`.
//!
//! * A **local write** takes `clock = c + 1`, where `c` is the clock of the
//!   value the peer holds — which is the greatest clock it has seen, since
//!   it always holds the greatest stamp it has seen — and `origin` = this
//!   peer's id.
//! * A **received value** is applied **if and only if** its stamp is
//!   greater than the held one, compared lexicographically: the greater
//!   clock wins; on equal clocks the greater origin wins (strings compared
//!   byte by byte). Otherwise it is ignored.
//!
//! Consequences: the stamps of distinct writes are distinct (one peer never
//! reuses a clock, two peers differ in origin), so "greatest stamp" is a
//! total order of all writes and every peer that has received the same
//! writes holds the same value, in whatever order they arrived. A write
//! made after seeing another is later than it (its clock is higher); of two
//! concurrent writes, the one with the higher clock wins, and on equal
//! clocks the one from the greater origin. Origins are random (16 hex
//! digits per peer, [`SharedAtom::with_origin`] to choose them), so which of
//! two concurrent writes with equal clocks wins is arbitrary but the same on
//! every peer.
//!
//! # Messages
//!
//! Text, one JSON object each, on the channel `nanostate:<name>`:
//!
//! ```text
//! {"v":1,"kind":"set","value":<T as JSON>,"clock":N,"origin":"<writer id>"}
//! {"v":1,"kind":"hello","origin":"<joining peer id>"}
//! ```
//!
//! A `set` answering a `hello` carries the stamp of the value it relays
//! (the original writer's origin), not the answering peer's. Extra fields
//! are ignored; a clock must be between 1 and 2⁵³ − 1. See
//! [`PROTOCOL_VERSION`] and [`CHANNEL_PREFIX`].
//!
//! # Transports
//!
//! A [`Transport`] posts text to a named channel and subscribes to it:
//!
//! | transport | where | delivery |
//! |---|---|---|
//! | `WebChannel` | `wasm32`; the browser default | `BroadcastChannel`: other modules of the page, other tabs, a task later |
//! | [`LocalBus`] | everywhere | in process: peers simulating modules and tabs; at once, or queued until [`LocalBus::flush`] |
//! | none | native default | the store is a plain local atom; nothing is posted, nothing reported |
//!
//! **Which transport a store uses:** its own, given with
//! [`.transport(&T)`](SharedAtom::transport) (`const`, for `static` items)
//! or [`.with_transport(arc)`](SharedAtom::with_transport), else the
//! process-wide default ([`default_transport`], replaced with
//! [`set_default_transport`]), resolved when the store is first used.
//!
//! # Bad input never panics
//!
//! Every failure becomes a [`BroadcastError`] (the store's name, a
//! [`BroadcastErrorKind`], the text received) handed to the store's own
//! hooks ([`SharedAtom::on_error`]) and then the process-wide ones
//! ([`on_error`]); with no hook it is printed to standard error (native) or
//! dropped (browser). The store keeps its value and keeps working:
//!
//! | case | kind | the store |
//! |---|---|---|
//! | not JSON, not an object, a field missing or mistyped, unknown `kind`, clock 0 | [`Malformed`](BroadcastErrorKind::Malformed) | ignores the message |
//! | `"v"` other than 1 | [`Version`](BroadcastErrorKind::Version) | ignores the message |
//! | a `set` whose value is not a `T` | [`Value`](BroadcastErrorKind::Value) | ignores the message |
//! | the channel cannot be opened (no `BroadcastChannel`) | [`Subscribe`](BroadcastErrorKind::Subscribe) | works locally; reported once until a mount succeeds |
//! | a write cannot be posted | [`Post`](BroadcastErrorKind::Post) | keeps the value; reported once until a post succeeds |
//! | the value cannot be encoded | [`Encode`](BroadcastErrorKind::Encode) | keeps the value, posts nothing |
//!
//! # Threads
//!
//! Stores, transports and hooks are `Send + Sync`; messages may be
//! delivered on any thread (a `LocalBus` delivers on the thread that drains
//! it). Stamps are taken under the store's lock, so concurrent writers of
//! one peer never share a clock; messages are posted with no lock held, and
//! a message overtaken by a later one is simply ignored by the rule.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod atom;
mod bus;
mod error;
mod message;
mod origin;
mod transport;
#[cfg(target_arch = "wasm32")]
mod web;

pub use crate::atom::{shared_atom, SharedAtom};
pub use crate::bus::LocalBus;
pub use crate::error::{on_error, BroadcastError, BroadcastErrorKind, ErrorHook, TransportError};
pub use crate::message::{Stamp, CHANNEL_PREFIX, PROTOCOL_VERSION};
pub use crate::transport::{
    default_transport, set_default_transport, Listening, MessageListener, Transport,
};
#[cfg(target_arch = "wasm32")]
pub use crate::web::WebChannel;

/// The crate README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
