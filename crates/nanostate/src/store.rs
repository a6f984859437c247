//! What every store type shares: the [`Store`] trait and the lazily created
//! core behind `static` items.

use std::sync::{Arc, Mutex, OnceLock};

use crate::core::{Core, Eq, Kind, Node};

/// Implemented by every store type ([`Atom`](crate::Atom),
/// [`MapStore`](crate::MapStore), [`Computed`](crate::Computed)), so generic
/// code — lifecycle hooks, computed stores, framework bindings — can take any
/// of them.
///
/// ```
/// use nanostate::{atom, Atom, Store};
/// fn count_listeners<S: Store>(store: &S) -> usize {
///     store.listener_count()
/// }
/// static A: Atom<u8> = atom(1);
/// assert_eq!(count_listeners(&A), 0);
/// ```
pub trait Store: Send + Sync + 'static {
    /// The value the store holds (what listeners and compute functions see).
    type Value: Send + Sync + 'static;
    #[doc(hidden)]
    type Kind: Kind<Value = Self::Value>;
    #[doc(hidden)]
    fn core(&self) -> &Arc<Core<Self::Kind>>;
    #[doc(hidden)]
    fn node(&self) -> Arc<dyn Node> {
        self.core().clone()
    }

    /// The current value as a shared snapshot, without any side effect: no
    /// lifecycle hook runs and a computed store is not refreshed (so it may
    /// be stale, or `None` before its first computation).
    ///
    /// ```
    /// use nanostate::{atom, Atom, Store};
    /// static A: Atom<u8> = atom(3);
    /// assert_eq!(A.peek().as_deref(), Some(&3));
    /// ```
    fn peek(&self) -> Option<Arc<Self::Value>> {
        self.core().peek()
    }

    /// The current value as a shared snapshot, read as each store's `get`
    /// reads it (without cloning the value): a stale computed store is
    /// computed, and a store with lifecycle hooks but no listener is
    /// mounted for the moment of the read. Generic code (framework
    /// bindings) reads stores with it.
    ///
    /// ```
    /// use nanostate::{Atom, Computed, Store};
    /// let n = Atom::new(2);
    /// let doubled = Computed::new(&n, |n| n * 2);
    /// n.set(5);
    /// assert_eq!(*doubled.snapshot(), 10); // peek() could still be stale here
    /// ```
    fn snapshot(&self) -> Arc<Self::Value> {
        self.core()
            .get()
            .expect("nanostate: a store without a value (a computed store read during its own first computation)")
    }

    /// Whether two handles are the same store (clones of one run-time store,
    /// or the same `static`).
    ///
    /// ```
    /// use nanostate::{Atom, Store};
    /// let a = Atom::new(1);
    /// assert!(a.ptr_eq(&a.clone()));
    /// assert!(!a.ptr_eq(&Atom::new(1)));
    /// ```
    fn ptr_eq(&self, other: &Self) -> bool
    where
        Self: Sized,
    {
        Arc::ptr_eq(self.core(), other.core())
    }

    /// How many listeners the store has, including the internal ones of
    /// computed stores, effects and `keep_mount`.
    ///
    /// ```
    /// use nanostate::{atom, Atom, Store};
    /// static A: Atom<u8> = atom(1);
    /// let _sub = A.listen(|_, _| {});
    /// assert_eq!(Store::listener_count(&A), 1);
    /// ```
    fn listener_count(&self) -> usize {
        self.core().listener_count()
    }
}

/// The type of the changed key that listeners of `S` receive: the key type
/// of a [`MapStore`](crate::MapStore), [`NoKey`](crate::NoKey) for stores
/// without keys. Generic code names it in bounds.
///
/// ```
/// use nanostate::{listen_local, KeyOf, MapStore, MapValue, Store};
/// fn log_keys<S: Store>(store: &S) -> nanostate::LocalSubscription
/// where
///     KeyOf<S>: std::fmt::Debug,
/// {
///     listen_local(store, |_, key| println!("changed: {key:?}"))
/// }
/// let m: MapStore<&str, u8> = MapStore::new(MapValue::new());
/// let _sub = log_keys(&m);
/// m.set_key("a", 1); // prints: changed: Some("a")
/// ```
pub type KeyOf<S> = <<S as Store>::Kind as Kind>::Key;

/// Object-safe access to a dependency, for `static` computed stores.
#[doc(hidden)]
pub trait Dep: Sync {
    fn dep_node(&self) -> Arc<dyn Node>;
}

impl<S: Store> Dep for S {
    fn dep_node(&self) -> Arc<dyn Node> {
        self.node()
    }
}

/// The initial value of a store declared as a `static`.
pub(crate) enum Seed<T> {
    Value(T),
    With(fn() -> T),
}

/// The core of an atom or map: created on first use for a `static` store
/// (so it can be built by a `const fn`), held directly by a run-time store
/// and by clones.
pub(crate) enum Lazy<Kd: Kind> {
    Static {
        cell: OnceLock<Arc<Core<Kd>>>,
        seed: Mutex<Option<Seed<Kd::Value>>>,
        eq: Eq<Kd>,
        extra: Kd::Extra,
    },
    Shared(Arc<Core<Kd>>),
}

impl<Kd: Kind<Refresher = ()>> Lazy<Kd>
where
    Kd::Extra: Copy,
{
    pub(crate) const fn new(seed: Seed<Kd::Value>, eq: Eq<Kd>, extra: Kd::Extra) -> Self {
        Lazy::Static {
            cell: OnceLock::new(),
            seed: Mutex::new(Some(seed)),
            eq,
            extra,
        }
    }

    pub(crate) fn from_core(core: Arc<Core<Kd>>) -> Self {
        Lazy::Shared(core)
    }

    #[inline]
    pub(crate) fn core(&self) -> &Arc<Core<Kd>> {
        match self {
            Lazy::Shared(core) => core,
            Lazy::Static {
                cell,
                seed,
                eq,
                extra,
            } => cell.get_or_init(|| {
                let seed = seed.lock().unwrap_or_else(|e| e.into_inner()).take();
                let value = match seed {
                    Some(Seed::Value(v)) => v,
                    Some(Seed::With(f)) => f(),
                    None => unreachable!("nanostate: a store's seed is taken only once"),
                };
                Core::new(value, *eq, *extra)
            }),
        }
    }

    pub(crate) fn share(&self) -> Self {
        Self::from_core(self.core().clone())
    }
}
