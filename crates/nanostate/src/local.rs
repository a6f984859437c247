//! Local listeners: callbacks that capture values which are not `Send`
//! (an `Rc`, a UI framework's signal or component handle on wasm).
//!
//! A local listener lives in a thread-local registry of the thread that
//! registered it; the store holds only a small `Send + Sync` trampoline that
//! looks it up. It is called for changes made on that thread (on wasm there
//! is only one); changes made on other threads do not reach it. Its guard,
//! [`LocalSubscription`], is not `Send`, so it is dropped on the owning
//! thread, which frees the closure.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::rc::Rc;
use std::thread::{self, ThreadId};

use crate::core::{next_id, Kind};
use crate::store::Store;
use crate::subscription::Subscription;

pub(crate) type LocalFn<V, K> = Rc<dyn Fn(&V, Option<&K>)>;

thread_local! {
    static LOCAL: RefCell<HashMap<u64, Box<dyn Any>>> = RefCell::new(HashMap::new());
}

/// The guard of a local listener (see [`listen_local`]). Dropping it
/// unsubscribes and frees the closure; it cannot leave its thread.
///
/// ```compile_fail
/// fn must_be_send<T: Send>(_: T) {}
/// let a = nanostate::Atom::new(0);
/// must_be_send(nanostate::listen_local(&a, |_, _| {}));
/// ```
#[must_use = "dropping a LocalSubscription unsubscribes at once"]
pub struct LocalSubscription {
    id: u64,
    subscription: Option<Subscription>,
    _not_send: PhantomData<*const ()>,
}

impl Drop for LocalSubscription {
    fn drop(&mut self) {
        drop(self.subscription.take());
        // During thread teardown the registry may already be gone.
        let closure = LOCAL
            .try_with(|map| map.borrow_mut().remove(&self.id))
            .ok()
            .flatten();
        drop(closure); // outside the borrow: its drop may run user code
    }
}

impl std::fmt::Debug for LocalSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalSubscription")
            .field("id", &self.id)
            .finish()
    }
}

fn register<S: Store>(
    store: &S,
    listener: LocalFn<S::Value, <S::Kind as Kind>::Key>,
) -> LocalSubscription {
    register_filtered(store, |_, _, _| true, listener)
}

/// A change reaches a local listener only when `filter(new, old, key)`
/// holds; the filter runs in the store's `Send` trampoline, where the old
/// value is at hand.
#[allow(clippy::type_complexity)]
pub(crate) fn register_filtered<S: Store>(
    store: &S,
    filter: impl Fn(&S::Value, Option<&S::Value>, Option<&<S::Kind as Kind>::Key>) -> bool
        + Send
        + Sync
        + 'static,
    listener: LocalFn<S::Value, <S::Kind as Kind>::Key>,
) -> LocalSubscription {
    let id = next_id();
    let owner: ThreadId = thread::current().id();
    LOCAL.with(|map| map.borrow_mut().insert(id, Box::new(listener)));
    let subscription = store.core().listen(
        next_id(),
        Box::new(move |value, old, key| {
            if thread::current().id() != owner || !filter(value, old, key) {
                return;
            }
            let listener = LOCAL.with(|map| {
                map.borrow()
                    .get(&id)
                    .and_then(|f| f.downcast_ref::<LocalFn<S::Value, <S::Kind as Kind>::Key>>())
                    .cloned()
            });
            if let Some(listener) = listener {
                listener(value, key);
            }
        }),
    );
    LocalSubscription {
        id,
        subscription: Some(subscription),
        _not_send: PhantomData,
    }
}

/// Calls `listener(value, changed_key)` after each change made on this
/// thread. The listener need not be `Send`: it may hold an `Rc` or a UI
/// framework's handle. Framework bindings build on this.
///
/// ```
/// use nanostate::{listen_local, Atom};
/// use std::cell::Cell;
/// use std::rc::Rc;
///
/// let count = Atom::new(0);
/// let seen = Rc::new(Cell::new(0)); // not Send
/// let s = seen.clone();
/// let _sub = listen_local(&count, move |n, _key| s.set(*n));
/// count.set(5);
/// assert_eq!(seen.get(), 5);
/// ```
///
/// A plain listener must be `Send + Sync`:
///
/// ```compile_fail
/// let count = nanostate::Atom::new(0);
/// let seen = std::rc::Rc::new(std::cell::Cell::new(0));
/// let _sub = count.listen(move |n, _| seen.set(*n));
/// ```
pub fn listen_local<S: Store>(
    store: &S,
    listener: impl Fn(&S::Value, Option<&<S::Kind as Kind>::Key>) + 'static,
) -> LocalSubscription {
    register(store, Rc::new(listener))
}

/// [`listen_local`] plus one call at once with the current value (and no
/// key).
///
/// ```
/// use nanostate::{subscribe_local, MapStore, MapValue};
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// let cart: MapStore<&str, u32> = MapStore::new(MapValue::new());
/// let keys = Rc::new(RefCell::new(Vec::new()));
/// let k = keys.clone();
/// let _sub = subscribe_local(&cart, move |_, key| k.borrow_mut().push(key.copied()));
/// cart.set_key("tee", 1);
/// assert_eq!(*keys.borrow(), [None, Some("tee")]);
/// ```
pub fn subscribe_local<S: Store>(
    store: &S,
    listener: impl Fn(&S::Value, Option<&<S::Kind as Kind>::Key>) + 'static,
) -> LocalSubscription {
    let listener: LocalFn<S::Value, <S::Kind as Kind>::Key> = Rc::new(listener);
    let subscription = register(store, listener.clone());
    if let Some(value) = store.core().peek() {
        listener(&value, None);
    }
    subscription
}
