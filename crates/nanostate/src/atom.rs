//! `Atom<T>`: a store holding one value.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::core::{next_id, Core, Kind};
use crate::events::NoKey;
use crate::store::{Lazy, Seed, Store};
use crate::subscription::Subscription;

#[doc(hidden)]
pub struct AtomKind<T>(PhantomData<fn() -> T>);

impl<T: Send + Sync + 'static> Kind for AtomKind<T> {
    type Value = T;
    type Key = NoKey;
    type Item = NoKey;
    type Extra = ();
    type Refresher = ();
}

/// A store with one value of type `T`.
///
/// Declare it as a `static` with [`atom`] (or [`atom_with`] for values that
/// need a non-`const` constructor), or create one at run time with
/// [`Atom::new`]; clones of a run-time atom share the same store.
///
/// * [`get`](Self::get) clones the value, [`with`](Self::with) borrows it.
/// * [`set`](Self::set) replaces it and notifies listeners unless the new value
///   is equal to the old one (`PartialEq`, or the function given to
///   [`set_eq`](Self::set_eq)).
/// * [`update`](Self::update) is an atomic read-modify-write: concurrent
///   updates never lose a write.
/// * [`listen`](Self::listen) calls back on changes with the new and the old
///   value; [`subscribe`](Self::subscribe) also calls at once.
///
/// ```
/// use nanostate::{atom, Atom};
///
/// static COUNTER: Atom<u32> = atom(0);
///
/// let _sub = COUNTER.subscribe(|n, _old| println!("counter = {n}"));
/// COUNTER.update(|n| n + 1);
/// assert_eq!(COUNTER.get(), 1);
/// ```
pub struct Atom<T: Send + Sync + 'static> {
    lazy: Lazy<AtomKind<T>>,
}

/// Declares an atom with an initial value; usable in `static` items.
///
/// ```
/// use nanostate::{atom, Atom};
/// static OPEN: Atom<bool> = atom(false);
/// OPEN.set(true);
/// assert!(OPEN.get());
/// ```
pub const fn atom<T: PartialEq + Send + Sync + 'static>(value: T) -> Atom<T> {
    Atom {
        lazy: Lazy::new(Seed::Value(value), <T as PartialEq>::eq, ()),
    }
}

/// Declares an atom whose initial value is built on first use, for types
/// without a `const` constructor.
///
/// ```
/// use nanostate::{atom_with, Atom};
/// static NAME: Atom<String> = atom_with(|| "Ada".to_string());
/// assert_eq!(NAME.get(), "Ada");
/// ```
pub const fn atom_with<T: PartialEq + Send + Sync + 'static>(init: fn() -> T) -> Atom<T> {
    Atom {
        lazy: Lazy::new(Seed::With(init), <T as PartialEq>::eq, ()),
    }
}

impl<T: Send + Sync + 'static> Atom<T> {
    /// Creates an atom at run time. Clones share it.
    ///
    /// ```
    /// use nanostate::Atom;
    /// let a = Atom::new(1);
    /// let b = a.clone();
    /// b.set(2);
    /// assert_eq!(a.get(), 2);
    /// ```
    pub fn new(value: T) -> Self
    where
        T: PartialEq,
    {
        Self::with_eq(value, <T as PartialEq>::eq)
    }

    /// Creates an atom that uses `eq` to decide whether a `set` changes it
    /// (Nano Stores' `store.eq`). `T` needs no `PartialEq`.
    ///
    /// ```
    /// use nanostate::Atom;
    /// struct User { id: u32, name: &'static str }
    /// let user = Atom::with_eq(User { id: 1, name: "Ada" }, |a, b| a.id == b.id);
    /// let _sub = user.listen(|_, _| panic!("same id: no change"));
    /// user.set(User { id: 1, name: "Ada L." });
    /// assert_eq!(user.with(|u| u.name), "Ada");
    /// ```
    pub fn with_eq(value: T, eq: fn(&T, &T) -> bool) -> Self {
        Atom {
            lazy: Lazy::from_core(Core::new(value, eq, ())),
        }
    }

    /// A clone of the current value.
    ///
    /// Like Nano Stores' `get()`, reading a store that has no listeners but
    /// has lifecycle hooks mounts it for a moment (`on_start`, `on_mount`,
    /// `on_stop` run and the unmount delay starts).
    ///
    /// ```
    /// let a = nanostate::Atom::new(String::from("x"));
    /// assert_eq!(a.get(), "x");
    /// ```
    pub fn get(&self) -> T
    where
        T: Clone,
    {
        self.with(T::clone)
    }

    /// Calls `f` with a borrow of the current value. No lock is held while
    /// `f` runs (the value is an immutable snapshot), so `f` may read or write
    /// any store.
    ///
    /// ```
    /// let a = nanostate::Atom::new(vec![1, 2, 3]);
    /// assert_eq!(a.with(|v| v.len()), 3);
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        let value = self.core().get().expect("an atom always has a value");
        f(&value)
    }

    /// Replaces the value. Listeners are notified unless the new value equals
    /// the old one. `on_set` hooks run first and may abort the write.
    ///
    /// ```
    /// let a = nanostate::Atom::new(1);
    /// a.set(2);
    /// assert_eq!(a.get(), 2);
    /// ```
    pub fn set(&self, value: T) {
        self.core().set(value);
    }

    /// Atomically replaces the value with `f(&current)`.
    ///
    /// `f` runs without any lock held. If another thread writes between the
    /// read and the commit, `f` runs again on the newer value, so no write is
    /// ever lost (keep `f` free of side effects).
    ///
    /// ```
    /// let hits = nanostate::Atom::new(0u64);
    /// std::thread::scope(|s| {
    ///     for _ in 0..4 {
    ///         s.spawn(|| for _ in 0..1000 { hits.update(|n| n + 1) });
    ///     }
    /// });
    /// assert_eq!(hits.get(), 4000);
    /// ```
    pub fn update(&self, f: impl Fn(&T) -> T) {
        self.core().update(f);
    }

    /// Calls `listener(new, old)` after each change (not now).
    ///
    /// The listener gets the store's value at the time of the call (a change
    /// made by an earlier listener is visible) and the value before the
    /// change. It may read or write any store and drop any subscription.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// let a = nanostate::Atom::new(0);
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let _sub = a.listen(move |new, old| log.lock().unwrap().push((*old, *new)));
    /// a.set(1);
    /// a.set(1); // equal: no call
    /// a.set(5);
    /// assert_eq!(*seen.lock().unwrap(), [(0, 1), (1, 5)]);
    /// ```
    pub fn listen(&self, listener: impl Fn(&T, &T) + Send + Sync + 'static) -> Subscription {
        self.core().listen(
            next_id(),
            Box::new(move |new, old, _| {
                if let Some(old) = old {
                    listener(new, old)
                }
            }),
        )
    }

    /// Calls `listener(value, None)` at once, then `listener(new, Some(old))`
    /// after each change.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// let a = nanostate::Atom::new("a");
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let _sub = a.subscribe(move |v, old| log.lock().unwrap().push((*v, old.copied())));
    /// a.set("b");
    /// assert_eq!(*seen.lock().unwrap(), [("a", None), ("b", Some("a"))]);
    /// ```
    pub fn subscribe(
        &self,
        listener: impl Fn(&T, Option<&T>) + Send + Sync + 'static,
    ) -> Subscription {
        subscribe_core(self.core(), listener)
    }

    /// Number of listeners.
    ///
    /// ```
    /// let a = nanostate::Atom::new(0);
    /// let _s = a.listen(|_, _| {});
    /// assert_eq!(a.listener_count(), 1);
    /// ```
    pub fn listener_count(&self) -> usize {
        self.core().listener_count()
    }

    /// Replaces the equality used by `set` (Nano Stores' `store.eq = …`).
    /// Returning `false` always makes every `set` notify.
    ///
    /// ```
    /// let a = nanostate::Atom::new(1);
    /// a.set_eq(|_, _| false);
    /// let calls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    /// let c = calls.clone();
    /// let _s = a.listen(move |_, _| { c.fetch_add(1, std::sync::atomic::Ordering::SeqCst); });
    /// a.set(1);
    /// assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    /// ```
    pub fn set_eq(&self, eq: fn(&T, &T) -> bool) {
        self.core().set_eq(eq);
    }

    /// Sets how long after its last listener leaves the store runs its
    /// `on_mount` cleanups (default [`STORE_UNMOUNT_DELAY`](crate::STORE_UNMOUNT_DELAY), 1 s).
    ///
    /// ```
    /// let a = nanostate::Atom::new(0);
    /// a.set_unmount_delay(std::time::Duration::from_millis(50));
    /// ```
    pub fn set_unmount_delay(&self, delay: Duration) {
        self.core().set_unmount_delay(delay);
    }
}

/// `subscribe` for any keyless core.
pub(crate) fn subscribe_core<T, Kd: Kind<Value = T, Key = NoKey>>(
    core: &Arc<Core<Kd>>,
    listener: impl Fn(&T, Option<&T>) + Send + Sync + 'static,
) -> Subscription {
    core.subscribe(move |new, old, _| listener(new, old))
}

impl<T: Send + Sync + 'static> Clone for Atom<T> {
    fn clone(&self) -> Self {
        Atom {
            lazy: self.lazy.share(),
        }
    }
}

impl<T: Send + Sync + 'static> Store for Atom<T> {
    type Value = T;
    type Kind = AtomKind<T>;
    #[inline]
    fn core(&self) -> &Arc<Core<AtomKind<T>>> {
        self.lazy.core()
    }
}

impl<T: Send + Sync + std::fmt::Debug + 'static> std::fmt::Debug for Atom<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.core().peek() {
            Some(v) => f.debug_tuple("Atom").field(&v).finish(),
            None => f.write_str("Atom(<unset>)"),
        }
    }
}
