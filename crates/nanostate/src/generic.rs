//! Listening to any store through the [`Store`] trait: what generic code
//! (framework bindings, adapters) uses when it does not know the store kind.

use crate::core::{next_id, Kind};
use crate::store::Store;
use crate::subscription::Subscription;

/// Calls `listener(value, changed_key)` after each change of `store`, whatever
/// its kind. The key is `Some` for a map's `set_key`/`delete_key` outside a
/// batch and `None` otherwise. The counterpart of [`listen_local`](crate::listen_local)
/// for `Send + Sync` listeners: it hears changes made on every thread.
///
/// ```
/// use nanostate::{listen, MapStore, MapValue};
/// use std::sync::{Arc, Mutex};
///
/// let cart: MapStore<&str, u32> = MapStore::new(MapValue::new());
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let s = seen.clone();
/// let sub = listen(&cart, move |value, key| {
///     s.lock().unwrap().push((value.len(), key.copied()))
/// });
/// cart.set_key("tee", 1);
/// std::thread::scope(|t| {
///     t.spawn(|| cart.set_key("mug", 2));
/// });
/// drop(sub);
/// cart.set_key("hat", 1); // unsubscribed: not heard
/// assert_eq!(*seen.lock().unwrap(), [(1, Some("tee")), (2, Some("mug"))]);
/// ```
pub fn listen<S: Store>(
    store: &S,
    listener: impl Fn(&S::Value, Option<&<S::Kind as Kind>::Key>) + Send + Sync + 'static,
) -> Subscription {
    store.core().listen(
        next_id(),
        Box::new(move |value, _old, key| listener(value, key)),
    )
}

/// [`listen`] plus one call at once with the current value (and no key).
///
/// ```
/// use nanostate::{subscribe, Atom, Computed};
/// use std::sync::{Arc, Mutex};
///
/// let n = Atom::new(2);
/// let doubled = Computed::new(&n, |n| n * 2);
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let s = seen.clone();
/// let _sub = subscribe(&doubled, move |v, _| s.lock().unwrap().push(*v));
/// n.set(5);
/// assert_eq!(*seen.lock().unwrap(), [4, 10]);
/// ```
pub fn subscribe<S: Store>(
    store: &S,
    listener: impl Fn(&S::Value, Option<&<S::Kind as Kind>::Key>) + Send + Sync + 'static,
) -> Subscription {
    store
        .core()
        .subscribe(move |value, _old, key| listener(value, key))
}
