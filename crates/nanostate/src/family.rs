//! Store families (Nano Stores' `mapCreator`): one store per id, created on
//! first use, initialised when mounted, forgotten when unmounted.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use crate::lifecycle::{on_mount, IntoCleanup};
use crate::store::Store;
use crate::testing::Clean;

type Build<Id, S> = Box<dyn Fn(&Id) -> S + Send + Sync>;
type Init<Id, S> = Box<dyn Fn(&S, &Id) -> Option<Box<dyn FnOnce() + Send>> + Send + Sync>;

struct Inner<Id, S> {
    build: Build<Id, S>,
    init: Init<Id, S>,
    cache: Mutex<HashMap<Id, S>>,
}

/// A keyed store constructor: [`get`](Self::get) returns the store for an
/// id, building it on first use and caching it.
///
/// The `init` function runs when that store is mounted (first listener, or
/// a `get()` read) with the store and its id, typically to start loading
/// it; the cleanup it returns runs on unmount, after which the id is
/// evicted, so the next `get` builds a fresh store.
/// [`clean_stores`](crate::clean_stores) cleans every cached store and
/// empties the cache.
///
/// For a `static` family use `std::sync::LazyLock`.
///
/// ```
/// use nanostate::{keep_mount, Family, MapStore, Store};
/// use std::sync::LazyLock;
///
/// type User = MapStore<&'static str, String>;
///
/// static USERS: LazyLock<Family<u32, User>> = LazyLock::new(|| {
///     Family::new(
///         |id: &u32| MapStore::new([("id", id.to_string())].into()),
///         |user: &User, _id| user.set_key("name", "loading…".into()),
///     )
/// });
///
/// let ada = USERS.get(1);
/// assert!(USERS.get(1).ptr_eq(&ada));
/// keep_mount(&ada); // mounting runs init
/// assert_eq!(ada.get_key(&"name").as_deref(), Some("loading…"));
/// ```
pub struct Family<Id, S> {
    inner: Arc<Inner<Id, S>>,
}

impl<Id, S> Family<Id, S>
where
    Id: Clone + Eq + Hash + Send + Sync + 'static,
    S: Store + Clone,
{
    /// A family whose stores are made by `build` and initialised on mount
    /// by `init` (which may return a cleanup, or `()`).
    ///
    /// ```
    /// use nanostate::{Atom, Family};
    /// let counters: Family<String, Atom<u32>> = Family::new(|_| Atom::new(0), |_, _| ());
    /// counters.get("a".into()).set(1);
    /// assert_eq!(counters.get("a".into()).get(), 1);
    /// ```
    pub fn new<R: IntoCleanup>(
        build: impl Fn(&Id) -> S + Send + Sync + 'static,
        init: impl Fn(&S, &Id) -> R + Send + Sync + 'static,
    ) -> Self {
        Family {
            inner: Arc::new(Inner {
                build: Box::new(build),
                init: Box::new(move |store, id| init(store, id).into_cleanup()),
                cache: Mutex::new(HashMap::new()),
            }),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<Id, S>> {
        self.inner.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The store for `id`, built (not yet initialised) on first use.
    ///
    /// ```
    /// use nanostate::{Atom, Family};
    /// let f: Family<u8, Atom<u8>> = Family::new(|id| Atom::new(*id), |_, _| ());
    /// assert_eq!(f.get(7).get(), 7);
    /// ```
    pub fn get(&self, id: Id) -> S {
        if let Some(store) = self.cache().get(&id) {
            return store.clone();
        }
        let store = (self.inner.build)(&id);
        let mut cache = self.cache();
        if let Some(existing) = cache.get(&id) {
            return existing.clone(); // another thread won the race
        }
        let weak = Arc::downgrade(&self.inner);
        let hook_id = id.clone();
        let me = Arc::downgrade(store.core());
        // The hook finds its store through the family's cache: holding the
        // store itself would keep it alive forever (store -> hook -> store).
        on_mount(&store, move |_| {
            let inner = weak.upgrade()?;
            let store = inner
                .cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&hook_id)
                .filter(|cached| std::ptr::eq(Arc::as_ptr(cached.core()), me.as_ptr()))
                .cloned()?;
            let cleanup = (inner.init)(&store, &hook_id);
            let (weak, id) = (Arc::downgrade(&inner), hook_id.clone());
            Some(move || {
                if let Some(inner) = weak.upgrade() {
                    inner
                        .cache
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(&id);
                }
                if let Some(cleanup) = cleanup {
                    cleanup();
                }
            })
        })
        .keep();
        cache.insert(id, store.clone());
        store
    }

    /// Whether a store for `id` is cached now.
    ///
    /// ```
    /// use nanostate::{Atom, Family};
    /// let f: Family<u8, Atom<u8>> = Family::new(|id| Atom::new(*id), |_, _| ());
    /// assert!(!f.contains(&1));
    /// let _ = f.get(1);
    /// assert!(f.contains(&1));
    /// ```
    pub fn contains(&self, id: &Id) -> bool {
        self.cache().contains_key(id)
    }

    /// Number of cached stores.
    ///
    /// ```
    /// use nanostate::{Atom, Family};
    /// let f: Family<u8, Atom<u8>> = Family::new(|id| Atom::new(*id), |_, _| ());
    /// let _ = (f.get(1), f.get(2), f.get(1));
    /// assert_eq!(f.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.cache().len()
    }

    /// Whether no store is cached.
    ///
    /// ```
    /// use nanostate::{Atom, Family};
    /// let f: Family<u8, Atom<u8>> = Family::new(|id| Atom::new(*id), |_, _| ());
    /// assert!(f.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.cache().is_empty()
    }
}

impl<Id, S> Clone for Family<Id, S> {
    fn clone(&self) -> Self {
        Family {
            inner: self.inner.clone(),
        }
    }
}

impl<Id, S> Clean for Family<Id, S>
where
    Id: Clone + Eq + Hash + Send + Sync + 'static,
    S: Store + Clone,
{
    /// Cleans every cached store, then empties the cache.
    fn clean(&self) {
        let stores: Vec<S> = self.cache().values().cloned().collect();
        for store in &stores {
            store.core().clean();
        }
        self.cache().clear();
    }
}
