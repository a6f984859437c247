//! The browser side of [`nanostate`]: a runtime for timers and tasks, vanilla
//! DOM bindings, custom elements, and stores exported to JavaScript.
//!
//! Stores are plain values at module scope, so every island on a page —
//! whatever framework hydrates it, or none — reads and writes the same
//! state. This crate gives the pieces a page needs around them:
//!
//! * [`install`] makes [`WebRuntime`] the stores' runtime: the 1 s unmount
//!   delay of `on_mount` runs on `setTimeout`, the tick of `batched` stores
//!   is a microtask, and `spawn_task` uses `wasm_bindgen_futures::spawn_local`.
//!   On `wasm32-unknown-unknown` the core has no runtime of its own: call
//!   `install()` first thing in your `main` or `#[wasm_bindgen(start)]`.
//! * [`bind_text`], [`bind_attr`], [`bind_class`] keep a DOM node in step
//!   with a store; [`on_event`] attaches an action (a plain store write).
//!   Each returns a [`Binding`]: dropping it ends the binding, and
//!   [`Binding::until_removed`] ends it when its element leaves the document.
//! * [`define_element`] defines a custom element whose instances bind to
//!   stores while connected.
//! * [`export_atom`]/[`export_map`] turn a store into a JS object with the
//!   Nano Stores and Svelte store contract (`get`, `set`, `listen`,
//!   `subscribe` returning an unsubscribe function), values crossing through
//!   serde; [`expose`] publishes it as `globalThis.nanostate[name]`.
//!
//! ```no_run
//! use nanostate::{atom, map, Atom, MapStore};
//! use nanostate_web::{bind_class, bind_text, export_atom, export_map, expose, on_event};
//!
//! static CART_OPEN: Atom<bool> = atom(false);
//! static CART: MapStore<String, u32> = map();
//!
//! fn main() {
//!     nanostate_web::install();
//!     let document = web_sys::window().unwrap().document().unwrap();
//!     let toggle = document.get_element_by_id("toggle").unwrap();
//!     let flyout = document.get_element_by_id("flyout").unwrap();
//!     let badge = document.get_element_by_id("badge").unwrap();
//!
//!     on_event(&toggle, "click", |_| CART_OPEN.update(|o| !o)).until_removed(&toggle);
//!     bind_class(&flyout, "open", &CART_OPEN, |o| *o).unwrap().until_removed(&flyout);
//!     bind_text(&badge, &CART, |c| c.values().sum::<u32>().to_string()).until_removed(&badge);
//!
//!     // Plain JS on the page: nanostate.cart.subscribe(items => …)
//!     expose("cart", &export_map(&CART)).unwrap();
//!     expose("cartOpen", &export_atom(&CART_OPEN)).unwrap();
//! }
//! ```
//!
//! # Threads
//!
//! Everything here is for the page's one thread: DOM handles and JS
//! functions are not `Send`, so bindings use the core's local listeners
//! ([`nanostate::listen_local`]), which hear the changes made on that thread.
//!
//! # Native builds
//!
//! The crate compiles on every target so that a workspace builds and its
//! docs compile natively, but its functions call into JavaScript and only
//! work on `wasm32` in a browser; its tests run in headless Chromium
//! (`cargo xtask ci`).
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod dom;
mod element;
mod js;
mod runtime;

pub use crate::dom::{
    bind_attr, bind_class, bind_text, on_event, watched_bindings, Binding, DomError,
};
pub use crate::element::{connected_elements, define_element};
pub use crate::js::{export_atom, export_map, expose};
pub use crate::runtime::{install, pending_timers, WebRuntime};
