//! `StructStore<T>`: a map store whose value is a plain struct, with typed
//! keys (one per field) instead of runtime map keys.
//!
//! [`Fields`] describes the struct: its key type and a per-field equality.
//! `#[derive(Fields)]` (feature `derive`) writes it, plus a key enum and a
//! newtype store with one setter, getter and updater per field; it can also
//! be implemented by hand.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::core::{next_id, Core, KeyEq, Kind};
use crate::events::Proposed;
use crate::store::{Lazy, Seed, Store};
use crate::subscription::Subscription;

/// A struct whose fields can be written and listened to one by one in a
/// [`StructStore`].
///
/// `Key` names the fields (usually a field-less enum, one variant per
/// field), [`KEYS`](Self::KEYS) lists every key once, and
/// [`field_eq`](Self::field_eq) compares one field of two values. Two values
/// are equal for the store when every field in `KEYS` is equal, so a whole
/// [`set`](StructStore::set) of an equal value notifies nobody.
///
/// With the `derive` feature, `#[derive(Fields)]` implements this (and
/// generates the key enum and a typed store, see the crate docs). By hand:
///
/// ```
/// use nanostate::{Fields, StructStore};
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct Point { x: i32, y: i32 }
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
/// enum PointKey { X, Y }
///
/// impl Fields for Point {
///     type Key = PointKey;
///     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
///     fn field_eq(&self, other: &Self, key: PointKey) -> bool {
///         match key {
///             PointKey::X => self.x == other.x,
///             PointKey::Y => self.y == other.y,
///         }
///     }
/// }
///
/// let point = StructStore::new(Point { x: 0, y: 0 });
/// point.set_field(PointKey::X, |p| p.x = 3);
/// assert_eq!(point.get(), Point { x: 3, y: 0 });
/// ```
pub trait Fields: Clone + Send + Sync + 'static {
    /// The type naming one field.
    type Key: Copy + Eq + std::hash::Hash + fmt::Debug + Send + Sync + 'static;

    /// Every key, once each.
    ///
    /// ```
    /// # use nanostate::Fields;
    /// # #[derive(Clone)] struct P { x: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PKey { X }
    /// # impl Fields for P {
    /// #     type Key = PKey;
    /// #     const KEYS: &'static [PKey] = &[PKey::X];
    /// #     fn field_eq(&self, o: &Self, _: PKey) -> bool { self.x == o.x }
    /// # }
    /// assert_eq!(P::KEYS, [PKey::X]);
    /// ```
    const KEYS: &'static [Self::Key];

    /// Whether the field `key` of `self` and `other` is equal. Writes that
    /// leave a field equal do not notify about it.
    ///
    /// ```
    /// # use nanostate::Fields;
    /// # #[derive(Clone)] struct P { x: i32, y: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PKey { X, Y }
    /// # impl Fields for P {
    /// #     type Key = PKey;
    /// #     const KEYS: &'static [PKey] = &[PKey::X, PKey::Y];
    /// #     fn field_eq(&self, o: &Self, k: PKey) -> bool {
    /// #         match k { PKey::X => self.x == o.x, PKey::Y => self.y == o.y }
    /// #     }
    /// # }
    /// let (a, b) = (P { x: 1, y: 2 }, P { x: 1, y: 3 });
    /// assert!(a.field_eq(&b, PKey::X));
    /// assert!(!a.field_eq(&b, PKey::Y));
    /// ```
    fn field_eq(&self, other: &Self, key: Self::Key) -> bool;
}

#[doc(hidden)]
pub struct StructKind<T>(PhantomData<fn() -> T>);

impl<T: Fields> Kind for StructKind<T> {
    type Value = T;
    type Key = T::Key;
    type Item = T;
    type Extra = KeyEq<Self>;
    type Refresher = ();
}

/// Whole-value equality: every field equal.
fn fields_eq<T: Fields>(a: &T, b: &T) -> bool {
    T::KEYS.iter().all(|&key| a.field_eq(b, key))
}

/// Per-key equality of the core: `old` and `new` are whole values.
fn field_key_eq<T: Fields>(key: &T::Key, old: Option<&T>, new: &T) -> bool {
    old.is_some_and(|old| old.field_eq(new, *key))
}

/// A store holding a struct `T`, written whole or field by field; listeners
/// learn which field changed (a typed key) and
/// [`listen_keys`](Self::listen_keys) hears only about the fields it names.
///
/// It behaves like a [`MapStore`](crate::MapStore) whose keys are the
/// fields: [`set_field`](Self::set_field) tells listeners `Some(key)`,
/// [`set`](Self::set), [`update`](Self::update) and writes inside
/// [`batch`](crate::batch) tell them `None`. Equality is per field
/// ([`Fields::field_eq`]): a write that leaves the value equal notifies
/// nobody.
///
/// `#[derive(Fields)]` (feature `derive`) wraps it in a typed newtype with
/// `set_<field>`, `<field>` and `update_<field>` methods; this type is the
/// engine under it and works with any hand-written [`Fields`] too.
///
/// ```
/// # use nanostate::{Fields, StructStore};
/// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
/// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
/// # impl Fields for Point {
/// #     type Key = PointKey;
/// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
/// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
/// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
/// #     }
/// # }
/// use nanostate::struct_store;
/// use std::sync::{Arc, Mutex};
///
/// static CURSOR: StructStore<Point> = struct_store(Point { x: 0, y: 0 });
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = seen.clone();
/// let _sub = CURSOR.listen_keys([PointKey::Y], move |p, _old, key| {
///     log.lock().unwrap().push((p.y, key.copied()));
/// });
/// CURSOR.set_field(PointKey::X, |p| p.x = 5); // not a watched field
/// CURSOR.set_field(PointKey::Y, |p| p.y = 7);
/// CURSOR.set(Point { x: 1, y: 8 }); // whole write: no key
/// assert_eq!(*seen.lock().unwrap(), [(7, Some(PointKey::Y)), (8, None)]);
/// ```
pub struct StructStore<T: Fields> {
    lazy: Lazy<StructKind<T>>,
}

/// Declares a struct store with an initial value; usable in `static` items.
///
/// ```
/// # use nanostate::{Fields, StructStore};
/// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
/// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
/// # impl Fields for Point {
/// #     type Key = PointKey;
/// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
/// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
/// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
/// #     }
/// # }
/// use nanostate::struct_store;
/// static ORIGIN: StructStore<Point> = struct_store(Point { x: 0, y: 0 });
/// assert_eq!(ORIGIN.with(|p| p.x), 0);
/// ```
pub const fn struct_store<T: Fields>(value: T) -> StructStore<T> {
    StructStore {
        lazy: Lazy::new(
            Seed::Value(value),
            fields_eq::<T>,
            field_key_eq::<T> as KeyEq<StructKind<T>>,
        ),
    }
}

/// Declares a struct store whose initial value is built on first use, for
/// structs without a `const` constructor (a `String` field, say).
///
/// ```
/// # use nanostate::{Fields, StructStore};
/// # #[derive(Clone, Debug, PartialEq)] struct User { name: String }
/// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum UserKey { Name }
/// # impl Fields for User {
/// #     type Key = UserKey;
/// #     const KEYS: &'static [UserKey] = &[UserKey::Name];
/// #     fn field_eq(&self, o: &Self, _: UserKey) -> bool { self.name == o.name }
/// # }
/// use nanostate::struct_store_with;
/// static USER: StructStore<User> = struct_store_with(|| User { name: "Ada".into() });
/// assert_eq!(USER.get().name, "Ada");
/// ```
pub const fn struct_store_with<T: Fields>(init: fn() -> T) -> StructStore<T> {
    StructStore {
        lazy: Lazy::new(
            Seed::With(init),
            fields_eq::<T>,
            field_key_eq::<T> as KeyEq<StructKind<T>>,
        ),
    }
}

impl<T: Fields> StructStore<T> {
    /// Creates a struct store at run time. Clones share it.
    ///
    /// ```
    /// # use nanostate::{Fields, StructStore};
    /// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
    /// # impl Fields for Point {
    /// #     type Key = PointKey;
    /// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
    /// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
    /// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
    /// #     }
    /// # }
    /// let a = StructStore::new(Point { x: 0, y: 0 });
    /// let b = a.clone();
    /// b.set_field(PointKey::Y, |p| p.y = 2);
    /// assert_eq!(a.get().y, 2);
    /// ```
    pub fn new(value: T) -> Self {
        let (eq, key_eq) = (fields_eq::<T>, field_key_eq::<T> as KeyEq<StructKind<T>>);
        StructStore {
            lazy: Lazy::from_core(Core::new(value, eq, key_eq)),
        }
    }

    /// A clone of the whole value (see [`with`](Self::with) to borrow it).
    ///
    /// Like every store's `get()`, reading a store that has no listeners but
    /// has lifecycle hooks mounts it for a moment.
    ///
    /// ```
    /// # use nanostate::{Fields, StructStore};
    /// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
    /// # impl Fields for Point {
    /// #     type Key = PointKey;
    /// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
    /// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
    /// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
    /// #     }
    /// # }
    /// let p = StructStore::new(Point { x: 1, y: 2 });
    /// assert_eq!(p.get(), Point { x: 1, y: 2 });
    /// ```
    pub fn get(&self) -> T {
        self.with(T::clone)
    }

    /// Calls `f` with a borrow of the current value. No lock is held
    /// meanwhile, so `f` may read or write any store.
    ///
    /// ```
    /// # use nanostate::{Fields, StructStore};
    /// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
    /// # impl Fields for Point {
    /// #     type Key = PointKey;
    /// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
    /// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
    /// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
    /// #     }
    /// # }
    /// let p = StructStore::new(Point { x: 1, y: 2 });
    /// assert_eq!(p.with(|p| p.x + p.y), 3);
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        let value = self
            .core()
            .get()
            .expect("a struct store always has a value");
        f(&value)
    }

    /// Replaces the whole value. Listeners get no changed key, and are not
    /// called if every field is equal. `on_set` hooks see
    /// [`Proposed::Value`].
    ///
    /// ```
    /// # use nanostate::{Fields, StructStore};
    /// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
    /// # impl Fields for Point {
    /// #     type Key = PointKey;
    /// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
    /// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
    /// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
    /// #     }
    /// # }
    /// let p = StructStore::new(Point { x: 1, y: 2 });
    /// p.set(Point { x: 5, y: 6 });
    /// assert_eq!(p.get(), Point { x: 5, y: 6 });
    /// ```
    pub fn set(&self, value: T) {
        self.core().set(value);
    }

    /// Changes one field: `f` gets a copy of the current value to change,
    /// and the result is stored. Listeners are told `Some(key)` changed,
    /// unless field `key` is still equal ([`Fields::field_eq`]), in which
    /// case nothing is stored and nobody is called.
    ///
    /// `f` should change only field `key` (use [`update`](Self::update) to
    /// change several): only that field is compared, and key listeners of
    /// other fields are not told. `on_set` hooks run first and see
    /// `Proposed::Key(&key, Some(&new_value))`, the whole proposed value.
    ///
    /// The write is atomic: if another write lands between the read and the
    /// commit, `f` runs again on the newer value (hooks too), so concurrent
    /// `set_field`s of different fields never undo each other. Keep `f`
    /// free of side effects.
    ///
    /// ```
    /// # use nanostate::{Fields, StructStore};
    /// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
    /// # impl Fields for Point {
    /// #     type Key = PointKey;
    /// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
    /// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
    /// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
    /// #     }
    /// # }
    /// use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
    /// use std::sync::Arc;
    /// let p = StructStore::new(Point { x: 1, y: 2 });
    /// let calls = Arc::new(AtomicU32::new(0));
    /// let c = calls.clone();
    /// let _sub = p.listen(move |_, _, key| {
    ///     assert_eq!(key, Some(&PointKey::X));
    ///     c.fetch_add(1, SeqCst);
    /// });
    /// p.set_field(PointKey::X, |p| p.x += 1);
    /// p.set_field(PointKey::X, |p| p.x = 2); // equal: no call
    /// assert_eq!((p.get().x, calls.load(SeqCst)), (2, 1));
    /// ```
    pub fn set_field(&self, key: T::Key, mut f: impl FnMut(&mut T)) {
        let core = self.core();
        loop {
            let version = core.version();
            let Some(current) = core.peek() else { return };
            let mut next = T::clone(&current);
            f(&mut next);
            drop(current);
            if core.run_set_hooks(Proposed::Key(&key, Some(&next))) {
                return;
            }
            let mut stale = false;
            core.write(Some(key), |st| {
                if core.version() != version {
                    stale = true;
                    return None;
                }
                let current = st.value.as_deref()?;
                if (st.extra)(&key, Some(current), &next) {
                    return None;
                }
                Some(next)
            });
            if !stale {
                return;
            }
        }
    }

    /// Atomically replaces the whole value with `f(&current)` (listeners get
    /// no changed key). Like [`Atom::update`](crate::Atom::update), `f` runs
    /// without a lock and runs again if another write raced with it.
    ///
    /// ```
    /// # use nanostate::{Fields, StructStore};
    /// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
    /// # impl Fields for Point {
    /// #     type Key = PointKey;
    /// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
    /// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
    /// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
    /// #     }
    /// # }
    /// let p = StructStore::new(Point { x: 1, y: 2 });
    /// p.update(|p| Point { x: p.y, y: p.x }); // swap
    /// assert_eq!(p.get(), Point { x: 2, y: 1 });
    /// ```
    pub fn update(&self, f: impl Fn(&T) -> T) {
        self.core().update(f);
    }

    /// Calls `listener(new, old, changed_key)` after each change (not now).
    /// The key is `Some` for [`set_field`](Self::set_field) and `None` for
    /// whole writes and inside [`batch`](crate::batch).
    ///
    /// ```
    /// # use nanostate::{Fields, StructStore};
    /// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
    /// # impl Fields for Point {
    /// #     type Key = PointKey;
    /// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
    /// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
    /// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
    /// #     }
    /// # }
    /// use std::sync::{Arc, Mutex};
    /// let p = StructStore::new(Point { x: 0, y: 0 });
    /// let keys = Arc::new(Mutex::new(Vec::new()));
    /// let log = keys.clone();
    /// let _sub = p.listen(move |_, _, key| log.lock().unwrap().push(key.copied()));
    /// p.set_field(PointKey::Y, |p| p.y = 1);
    /// p.set(Point { x: 3, y: 3 });
    /// assert_eq!(*keys.lock().unwrap(), [Some(PointKey::Y), None]);
    /// ```
    pub fn listen(
        &self,
        listener: impl Fn(&T, &T, Option<&T::Key>) + Send + Sync + 'static,
    ) -> Subscription {
        self.core().listen(
            next_id(),
            Box::new(move |new, old, key| {
                if let Some(old) = old {
                    listener(new, old, key)
                }
            }),
        )
    }

    /// Calls `listener(value, None, None)` at once, then like
    /// [`listen`](Self::listen) with `Some(old)`.
    ///
    /// ```
    /// # use nanostate::{Fields, StructStore};
    /// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
    /// # impl Fields for Point {
    /// #     type Key = PointKey;
    /// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
    /// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
    /// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
    /// #     }
    /// # }
    /// use std::sync::{Arc, Mutex};
    /// let p = StructStore::new(Point { x: 0, y: 0 });
    /// let xs = Arc::new(Mutex::new(Vec::new()));
    /// let log = xs.clone();
    /// let _sub = p.subscribe(move |p, _old, _key| log.lock().unwrap().push(p.x));
    /// p.set_field(PointKey::X, |p| p.x = 4);
    /// assert_eq!(*xs.lock().unwrap(), [0, 4]);
    /// ```
    pub fn subscribe(
        &self,
        listener: impl Fn(&T, Option<&T>, Option<&T::Key>) + Send + Sync + 'static,
    ) -> Subscription {
        self.core().subscribe(listener)
    }

    /// Like [`listen`](Self::listen), but only for changes that touch one of
    /// `keys`: a [`set_field`](Self::set_field) of a listed field, or a
    /// whole write (or a batch) after which a listed field differs by
    /// [`Fields::field_eq`].
    ///
    /// ```
    /// # use nanostate::{Fields, StructStore};
    /// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
    /// # impl Fields for Point {
    /// #     type Key = PointKey;
    /// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
    /// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
    /// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
    /// #     }
    /// # }
    /// use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
    /// use std::sync::Arc;
    /// let p = StructStore::new(Point { x: 0, y: 0 });
    /// let calls = Arc::new(AtomicU32::new(0));
    /// let c = calls.clone();
    /// let _sub = p.listen_keys([PointKey::X], move |_, _, _| { c.fetch_add(1, SeqCst); });
    /// p.set_field(PointKey::Y, |p| p.y = 1); // other field
    /// p.set(Point { x: 0, y: 2 });          // whole write, x unchanged
    /// p.set(Point { x: 1, y: 2 });          // whole write, x changed
    /// assert_eq!(calls.load(SeqCst), 1);
    /// ```
    pub fn listen_keys(
        &self,
        keys: impl IntoIterator<Item = T::Key>,
        listener: impl Fn(&T, &T, Option<&T::Key>) + Send + Sync + 'static,
    ) -> Subscription {
        let filter = key_filter::<T>(keys);
        self.listen(move |new, old, key| {
            if filter(new, Some(old), key) {
                listener(new, old, key)
            }
        })
    }

    /// [`listen_keys`](Self::listen_keys) plus one call at once with
    /// `(value, None, None)`.
    ///
    /// ```
    /// # use nanostate::{Fields, StructStore};
    /// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
    /// # impl Fields for Point {
    /// #     type Key = PointKey;
    /// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
    /// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
    /// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
    /// #     }
    /// # }
    /// use std::sync::{Arc, Mutex};
    /// let p = StructStore::new(Point { x: 0, y: 0 });
    /// let ys = Arc::new(Mutex::new(Vec::new()));
    /// let log = ys.clone();
    /// let _sub = p.subscribe_keys([PointKey::Y], move |p, _, _| log.lock().unwrap().push(p.y));
    /// p.set_field(PointKey::X, |p| p.x = 9);
    /// p.set_field(PointKey::Y, |p| p.y = 9);
    /// assert_eq!(*ys.lock().unwrap(), [0, 9]);
    /// ```
    pub fn subscribe_keys(
        &self,
        keys: impl IntoIterator<Item = T::Key>,
        listener: impl Fn(&T, Option<&T>, Option<&T::Key>) + Send + Sync + 'static,
    ) -> Subscription {
        let filter = key_filter::<T>(keys);
        self.subscribe(move |new, old, key| {
            if old.is_none() || filter(new, old, key) {
                listener(new, old, key)
            }
        })
    }

    /// Number of listeners.
    ///
    /// ```
    /// # use nanostate::{Fields, StructStore};
    /// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
    /// # impl Fields for Point {
    /// #     type Key = PointKey;
    /// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
    /// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
    /// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
    /// #     }
    /// # }
    /// let p = StructStore::new(Point { x: 0, y: 0 });
    /// let _sub = p.listen_keys([PointKey::X], |_, _, _| {});
    /// assert_eq!(p.listener_count(), 1);
    /// ```
    pub fn listener_count(&self) -> usize {
        self.core().listener_count()
    }

    /// Sets how long after its last listener leaves the store runs its
    /// `on_mount` cleanups (default
    /// [`STORE_UNMOUNT_DELAY`](crate::STORE_UNMOUNT_DELAY), 1 s).
    ///
    /// ```
    /// # use nanostate::{Fields, StructStore};
    /// # #[derive(Clone, Debug, PartialEq)] struct Point { x: i32, y: i32 }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)] enum PointKey { X, Y }
    /// # impl Fields for Point {
    /// #     type Key = PointKey;
    /// #     const KEYS: &'static [PointKey] = &[PointKey::X, PointKey::Y];
    /// #     fn field_eq(&self, o: &Self, k: PointKey) -> bool {
    /// #         match k { PointKey::X => self.x == o.x, PointKey::Y => self.y == o.y }
    /// #     }
    /// # }
    /// let p = StructStore::new(Point { x: 0, y: 0 });
    /// p.set_unmount_delay(std::time::Duration::ZERO);
    /// ```
    pub fn set_unmount_delay(&self, delay: Duration) {
        self.core().set_unmount_delay(delay);
    }
}

/// The filter behind `listen_keys`: a keyed change passes if its key is
/// listed; a whole change passes if a listed field differs.
#[allow(clippy::type_complexity)]
fn key_filter<T: Fields>(
    keys: impl IntoIterator<Item = T::Key>,
) -> impl Fn(&T, Option<&T>, Option<&T::Key>) -> bool + Send + Sync + 'static {
    let keys: Vec<T::Key> = keys.into_iter().collect();
    move |new, old, key| match (key, old) {
        (Some(key), _) => keys.contains(key),
        (None, None) => !keys.is_empty(),
        (None, Some(old)) => keys.iter().any(|&k| !old.field_eq(new, k)),
    }
}

impl<T: Fields> Clone for StructStore<T> {
    fn clone(&self) -> Self {
        StructStore {
            lazy: self.lazy.share(),
        }
    }
}

impl<T: Fields> Store for StructStore<T> {
    type Value = T;
    type Kind = StructKind<T>;
    #[inline]
    fn core(&self) -> &Arc<Core<StructKind<T>>> {
        self.lazy.core()
    }
}

impl<T: Fields + fmt::Debug> fmt::Debug for StructStore<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.core().peek() {
            Some(v) => f.debug_tuple("StructStore").field(&v).finish(),
            None => f.write_str("StructStore(<unset>)"),
        }
    }
}
