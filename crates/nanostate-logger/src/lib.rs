//! Logs what nanostate stores do, as [`tracing`] events: Nano Stores'
//! `@nanostores/logger`, on Rust's own logging vocabulary.
//!
//! [`logger`] attaches to the stores you name; from then on each mount,
//! unmount and change of those stores is a `tracing` event carrying the
//! store's name, and [`action`] groups the changes a piece of code makes
//! under one named span. Any `tracing` subscriber shows them: the console
//! (`tracing-subscriber`'s `fmt`), a file, a test recorder, the browser
//! console in wasm (`tracing-web`, `tracing-wasm`).
//!
//! ```
//! use nanostate::{atom, map, Atom, MapStore};
//! use nanostate_logger::{action, logger};
//!
//! static COUNT: Atom<u32> = atom(0);
//! static CART: MapStore<&'static str, u32> = map();
//!
//! let logging = logger(&[("count", &COUNT), ("cart", &CART)]);
//! COUNT.set(1); // event "change": store="count" old=0 new=1
//! action("add to cart", || CART.set_key("tee", 1)); // … key="tee" action="add to cart"
//! drop(logging); // detached: the stores are as if never logged
//! ```
//!
//! # Events
//!
//! Every event has the target `nanostate`, the level `DEBUG` (filter with
//! `nanostate=debug`), a message naming what happened and the field
//! `store`, the name given to [`logger`]:
//!
//! | message   | when                                                | other fields |
//! |-----------|-----------------------------------------------------|--------------|
//! | `mount`   | the store gets its first listener (`on_mount`)      | |
//! | `unmount` | the store's mount ends (after the unmount delay)    | |
//! | `change`  | the value changed (`on_notify`, before listeners)   | `key`, `old`, `new`, `action` |
//!
//! * `key`: the changed key of a map's key write (`set_key`, `update_key`);
//!   absent for whole writes and for changes inside `batch`, exactly when
//!   [`NotifyEvent::key`](nanostate::NotifyEvent::key) is `None`.
//! * `old`, `new`: the whole value before and after, with its `Debug`
//!   format. `old` is absent for a computed store's first result. `new` is
//!   [`NotifyEvent::value`](nanostate::NotifyEvent::value): when another
//!   thread writes the store at that moment, it may already show the later
//!   value.
//!
//! The hooks hold no handle to the store, so a logged run-time store is
//! freed when its last handle goes, even under a kept logger.
//! * `action`: the innermost [`action`] running on this thread, if any.
//!
//! An [`action`] is also a span (`action`, with the field `action`), so a
//! subscriber that shows spans nests the action's events under it,
//! including those of listeners the changes run.
//!
//! # Cost
//!
//! Nothing is installed on a store until [`logger`] is called: a program
//! that never logs pays nothing per store. Attached, each store carries one
//! `on_mount` and one `on_notify` hook; a change costs what the events
//! cost, which `tracing` makes one check of a cached interest when no
//! subscriber wants them. Dropping the [`Logger`] removes the hooks (a
//! mounted store's `unmount` is then not logged).
//!
//! Like Nano Stores' logger, attaching `on_mount` hooks makes the lifecycle
//! visible: a store read with `get()` while nobody listens is mounted for
//! that moment, so it logs `mount` and, a delay later, `unmount`.

mod action;

pub use action::action;

use std::fmt::Debug;
use std::sync::Arc;

use nanostate::{on_mount, on_notify, KeyOf, Store, Subscription};

/// What the stores of a [`logger`] call are seen as: any store whose value
/// and key are `Debug` is one.
///
/// ```
/// use nanostate::{atom, Atom, Computed};
/// use nanostate_logger::{logger, Loggable};
/// static N: Atom<i32> = atom(2);
/// let square = Computed::new(&N, |n| n * n);
/// let stores: [(&str, &dyn Loggable); 2] = [("n", &N), ("square", &square)];
/// let _logging = logger(&stores);
/// ```
pub trait Loggable {
    /// Installs the hooks that log this store under `name`, keeping their
    /// guards in `hooks`. [`logger`] calls it.
    ///
    /// ```
    /// use nanostate::{atom, Atom};
    /// use nanostate_logger::Loggable;
    /// static N: Atom<i32> = atom(0);
    /// let mut hooks = Vec::new();
    /// N.attach_logger("n".into(), &mut hooks);
    /// assert_eq!(hooks.len(), 2);
    /// ```
    fn attach_logger(&self, name: Arc<str>, hooks: &mut Vec<Subscription>);
}

impl<S> Loggable for S
where
    S: Store,
    S::Value: Debug,
    KeyOf<S>: Debug,
{
    fn attach_logger(&self, name: Arc<str>, hooks: &mut Vec<Subscription>) {
        let store = name.clone();
        hooks.push(on_mount(self, move |_| {
            tracing::debug!(target: "nanostate", store = &*store, "mount");
            let store = store.clone();
            move || tracing::debug!(target: "nanostate", store = &*store, "unmount")
        }));
        hooks.push(on_notify(self, move |event| {
            let new = event.value();
            action::with_current(|action| {
                tracing::debug!(
                    target: "nanostate",
                    store = &*name,
                    key = event.key().map(tracing::field::debug),
                    old = event.old_value().map(tracing::field::debug),
                    new = new.map(tracing::field::debug),
                    action,
                    "change"
                );
            });
        }));
    }
}

/// Starts logging `stores`, each under its name (see the crate docs for the
/// events). Logging lasts until the returned [`Logger`] is dropped, or for
/// the rest of the program with [`Logger::keep`].
///
/// A store listed twice, or logged by two loggers, logs each event twice.
///
/// ```
/// use nanostate::{atom, Atom};
/// use nanostate_logger::logger;
/// static THEME: Atom<&str> = atom("light");
/// let logging = logger(&[("theme", &THEME)]);
/// THEME.set("dark"); // change: store="theme" old="light" new="dark"
/// assert_eq!(logging.stores(), 1);
/// ```
pub fn logger(stores: &[(&str, &dyn Loggable)]) -> Logger {
    let mut hooks = Vec::with_capacity(2 * stores.len());
    for (name, store) in stores {
        store.attach_logger(Arc::from(*name), &mut hooks);
    }
    Logger {
        hooks,
        stores: stores.len(),
    }
}

/// Keeps the stores of a [`logger`] call logged; dropping it removes the
/// hooks it installed.
///
/// ```
/// use nanostate::{atom, Atom};
/// use nanostate_logger::logger;
/// static A: Atom<u8> = atom(0);
/// let logging = logger(&[("a", &A)]);
/// drop(logging);
/// A.set(1); // not logged
/// ```
#[must_use = "dropping the Logger stops logging at once; call .keep() to log for good"]
pub struct Logger {
    hooks: Vec<Subscription>,
    stores: usize,
}

impl Logger {
    /// Number of stores this logger logs.
    ///
    /// ```
    /// use nanostate::{atom, Atom};
    /// static A: Atom<u8> = atom(0);
    /// static B: Atom<u8> = atom(0);
    /// assert_eq!(nanostate_logger::logger(&[("a", &A), ("b", &B)]).stores(), 2);
    /// ```
    pub fn stores(&self) -> usize {
        self.stores
    }

    /// Logs the stores for the rest of the program.
    ///
    /// ```
    /// use nanostate::{atom, Atom};
    /// static A: Atom<u8> = atom(0);
    /// nanostate_logger::logger(&[("a", &A)]).keep();
    /// ```
    pub fn keep(self) {
        for hook in self.hooks {
            hook.keep();
        }
    }
}

impl Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logger")
            .field("stores", &self.stores)
            .finish_non_exhaustive()
    }
}

/// The crate README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
