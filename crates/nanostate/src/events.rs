//! Payloads handed to lifecycle hooks.

use std::any::Any;

/// A small type map shared by the hooks of one kind during one event, like the
/// `shared` object of Nano Stores: the hook that runs first (the newest) can
/// leave data for the ones after it.
///
/// ```
/// use nanostate::Shared;
/// let mut shared = Shared::default();
/// shared.insert(5u32);
/// assert_eq!(shared.get::<u32>(), Some(&5));
/// assert_eq!(shared.get::<i64>(), None);
/// ```
#[derive(Default)]
pub struct Shared {
    items: Vec<Box<dyn Any + Send>>,
}

impl Shared {
    /// Stores `value`, replacing an earlier value of the same type.
    ///
    /// ```
    /// let mut shared = nanostate::Shared::default();
    /// shared.insert("a");
    /// shared.insert("b");
    /// assert_eq!(shared.get::<&str>(), Some(&"b"));
    /// ```
    pub fn insert<T: Any + Send>(&mut self, value: T) {
        match self.get_mut::<T>() {
            Some(slot) => *slot = value,
            None => self.items.push(Box::new(value)),
        }
    }

    /// The stored value of type `T`, if any.
    ///
    /// ```
    /// assert!(nanostate::Shared::default().get::<String>().is_none());
    /// ```
    pub fn get<T: Any>(&self) -> Option<&T> {
        self.items.iter().find_map(|item| item.downcast_ref())
    }

    /// The stored value of type `T`, mutably.
    ///
    /// ```
    /// let mut shared = nanostate::Shared::default();
    /// shared.insert(1u8);
    /// *shared.get_mut::<u8>().unwrap() += 1;
    /// assert_eq!(shared.get::<u8>(), Some(&2));
    /// ```
    pub fn get_mut<T: Any>(&mut self) -> Option<&mut T> {
        self.items.iter_mut().find_map(|item| item.downcast_mut())
    }
}

/// The payload of `on_start`, `on_stop` and `on_mount` hooks.
///
/// ```
/// use nanostate::{atom, on_start, Atom};
/// static A: Atom<u8> = atom(0);
/// on_start(&A, |event| event.shared.insert("started")).keep();
/// ```
#[derive(Default)]
pub struct LifecycleEvent {
    /// Data shared by the hooks of this kind for this one event.
    pub shared: Shared,
}

/// What a write proposes, as seen by `on_set` hooks.
///
/// ```
/// use nanostate::Proposed;
/// let p: Proposed<'_, i32> = Proposed::Value(&3);
/// assert!(matches!(p, Proposed::Value(3)));
/// ```
pub enum Proposed<'a, V, K = NoKey, I = NoKey> {
    /// A whole new value (`set`).
    Value(&'a V),
    /// One key of a map: its new value, or `None` for a deletion.
    Key(&'a K, Option<&'a I>),
}

/// The payload of an `on_set` hook: runs before a write, which
/// [`abort`](Self::abort) cancels.
///
/// ```
/// use nanostate::{atom, on_set, Atom, Proposed};
/// static AGE: Atom<i32> = atom(0);
/// on_set(&AGE, |event| {
///     if let Proposed::Value(v) = event.proposed() {
///         if **v < 0 {
///             event.abort();
///         }
///     }
/// })
/// .keep();
/// AGE.set(-1);
/// assert_eq!(AGE.get(), 0);
/// AGE.set(30);
/// assert_eq!(AGE.get(), 30);
/// ```
pub struct SetEvent<'a, V, K = NoKey, I = NoKey> {
    /// Data shared by the `on_set` hooks for this write.
    pub shared: Shared,
    pub(crate) proposed: Proposed<'a, V, K, I>,
    pub(crate) aborted: bool,
}

impl<'a, V, K, I> SetEvent<'a, V, K, I> {
    /// The write about to happen.
    ///
    /// ```
    /// # use nanostate::{atom, on_set, Atom, Proposed};
    /// # static A: Atom<i32> = atom(0);
    /// on_set(&A, |e| assert!(matches!(e.proposed(), Proposed::Value(_)))).keep();
    /// A.set(1);
    /// ```
    pub fn proposed(&self) -> &Proposed<'a, V, K, I> {
        &self.proposed
    }

    /// Cancels the write. The other hooks of this event still run.
    ///
    /// ```
    /// # use nanostate::{atom, on_set, Atom};
    /// # static A: Atom<i32> = atom(0);
    /// on_set(&A, |e| e.abort()).keep();
    /// A.set(1);
    /// assert_eq!(A.get(), 0);
    /// ```
    pub fn abort(&mut self) {
        self.aborted = true;
    }

    /// Whether a hook already aborted the write.
    ///
    /// ```
    /// # use nanostate::{atom, on_set, Atom};
    /// # static A: Atom<i32> = atom(0);
    /// on_set(&A, |e| assert!(!e.is_aborted())).keep();
    /// A.set(1);
    /// ```
    pub fn is_aborted(&self) -> bool {
        self.aborted
    }
}

/// The payload of an `on_notify` hook: runs after the value changed and
/// before listeners are queued; [`abort`](Self::abort) skips the listeners
/// (the value stays changed).
///
/// ```
/// use nanostate::{atom, on_notify, Atom};
/// static A: Atom<i32> = atom(0);
/// on_notify(&A, |e| assert_eq!(*e.old(), 0)).keep();
/// A.set(1);
/// ```
pub struct NotifyEvent<'a, V, K = NoKey> {
    /// Data shared by the `on_notify` hooks for this change.
    pub shared: Shared,
    pub(crate) value: Option<&'a V>,
    pub(crate) old: Option<&'a V>,
    pub(crate) key: Option<&'a K>,
    pub(crate) aborted: bool,
}

impl<'a, V, K> NotifyEvent<'a, V, K> {
    /// The value after the change: the store's value when the hook runs
    /// (`None` only for a computed store cleaned while notifying). A write
    /// from another thread in that moment may already show here.
    ///
    /// ```
    /// # use nanostate::{atom, on_notify, Atom};
    /// # static A: Atom<i32> = atom(4);
    /// on_notify(&A, |e| assert_eq!(e.value(), Some(&5))).keep();
    /// A.set(5);
    /// ```
    pub fn value(&self) -> Option<&'a V> {
        self.value
    }

    /// The value before the change.
    ///
    /// Panics only for a computed store's very first result, which has no
    /// previous value; use [`old_value`](Self::old_value) there.
    ///
    /// ```
    /// # use nanostate::{atom, on_notify, Atom};
    /// # static A: Atom<i32> = atom(4);
    /// on_notify(&A, |e| assert_eq!(*e.old(), 4)).keep();
    /// A.set(5);
    /// ```
    pub fn old(&self) -> &'a V {
        self.old
            .expect("nanostate: a computed store's first result has no old value; use old_value()")
    }

    /// The value before the change, `None` for a computed's first result.
    ///
    /// ```
    /// # use nanostate::{atom, on_notify, Atom};
    /// # static A: Atom<i32> = atom(4);
    /// on_notify(&A, |e| assert_eq!(e.old_value(), Some(&4))).keep();
    /// A.set(5);
    /// ```
    pub fn old_value(&self) -> Option<&'a V> {
        self.old
    }

    /// The changed key of a map (`None` for whole writes and inside `batch`).
    ///
    /// ```
    /// # use nanostate::{map, on_notify, MapStore};
    /// static M: MapStore<&'static str, i32> = map();
    /// on_notify(&M, |e| assert_eq!(e.key(), Some(&"a"))).keep();
    /// M.set_key("a", 1);
    /// ```
    pub fn key(&self) -> Option<&'a K> {
        self.key
    }

    /// Skips the listeners of this change.
    ///
    /// ```
    /// # use nanostate::{atom, on_notify, Atom};
    /// # static A: Atom<i32> = atom(0);
    /// on_notify(&A, |e| e.abort()).keep();
    /// let _sub = A.listen(|_, _| unreachable!());
    /// A.set(1);
    /// assert_eq!(A.get(), 1);
    /// ```
    pub fn abort(&mut self) {
        self.aborted = true;
    }
}

/// The key type of stores without keys (atoms, computed stores). It has no
/// values.
///
/// ```
/// fn never(k: nanostate::NoKey) -> ! { match k {} }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NoKey {}
