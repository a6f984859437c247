//! The core hooks every persistent store installs on its plain store: an
//! `on_notify` hook that saves each change, and an `on_mount` hook that
//! follows the engine's external changes while the store is mounted.

use std::sync::{Arc, Mutex, MutexGuard, Weak};

use nanostate::{on_mount, on_notify, Store};

use crate::engine::{EngineRef, ExternalChange};
use crate::error::StorageError;

/// What the shared hooks need from the state behind a persistent store.
pub(crate) trait Persisted: Send + Sync + 'static {
    /// The engine the store is bound to.
    fn engine(&self) -> &EngineRef;
    /// Writes the store's change to the engine (the `on_notify` hook).
    fn save(&self);
    /// Reads the entries again (at each mount: changes made while the store
    /// was unmounted are not missed).
    fn reload(&self);
    /// Applies a change made outside this store.
    fn external(&self, change: &ExternalChange);
    /// Runs `f` on the last error of subscribing to external changes.
    fn with_watch_error<R>(&self, f: impl FnOnce(&mut Option<StorageError>) -> R) -> R;
    /// Reports a failure to subscribe to external changes.
    fn report_watch_error(&self, error: StorageError);
}

/// Installs the save and sync hooks of `inner` on `store`, for the life of
/// the store. The hooks hold `inner` weakly.
pub(crate) fn install<P: Persisted, S: Store>(inner: &Arc<P>, store: &S) {
    let weak = Arc::downgrade(inner);
    on_notify(store, move |_| {
        if let Some(inner) = weak.upgrade() {
            inner.save();
        }
    })
    .keep();
    let weak = Arc::downgrade(inner);
    on_mount(store, move |_| mount(&weak)).keep();
}

/// What a mount leaves to run at unmount: dropping the engine subscription.
type Cleanup = Box<dyn FnOnce() + Send>;

fn mount<P: Persisted>(weak: &Weak<P>) -> Option<Cleanup> {
    let inner = weak.upgrade()?;
    let w = weak.clone();
    let watch = inner
        .engine()
        .subscribe(Arc::new(move |change: &ExternalChange| {
            if let Some(inner) = w.upgrade() {
                inner.external(change);
            }
        }));
    inner.reload();
    let (cleanup, error) = inner.with_watch_error(|last| watched(watch, last));
    if let Some(e) = error {
        inner.report_watch_error(e);
    }
    cleanup
}

/// The cleanup of a mount (dropping the engine subscription), and the
/// subscription error to report unless it repeats the last one.
fn watched(
    watch: Result<crate::Watch, StorageError>,
    last_error: &mut Option<StorageError>,
) -> (Option<Cleanup>, Option<StorageError>) {
    match watch {
        Ok(watch) => {
            *last_error = None;
            (Some(Box::new(move || drop(watch))), None)
        }
        Err(e) => {
            let repeated = last_error.as_ref() == Some(&e);
            *last_error = Some(e.clone());
            (None, (!repeated).then_some(e))
        }
    }
}

/// Locks `m`, recovering from a panic in another holder (the data is plain
/// bookkeeping, valid at every step).
pub(crate) fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
