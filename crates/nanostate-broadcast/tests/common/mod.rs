//! Helpers shared by the native and the browser test binaries.

use std::sync::{Arc, Mutex};

use nanostate::{Store, Subscription};

/// Subscribes to `store` (which mounts it) and records every value its
/// listener is called with.
pub fn record<S: Store>(store: &S) -> (Arc<Mutex<Vec<S::Value>>>, Subscription)
where
    S::Value: Clone,
{
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    let sub = nanostate::subscribe(store, move |v: &S::Value, _| {
        l.lock().unwrap().push(v.clone())
    });
    (log, sub)
}

/// The values recorded so far.
pub fn values<T: Clone>(log: &Arc<Mutex<Vec<T>>>) -> Vec<T> {
    log.lock().unwrap().clone()
}
