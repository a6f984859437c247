//! The core hooks every persistent store installs on its plain store: an
//! `on_notify` hook that saves each change, and an `on_mount` hook that
//! follows the engine's external changes while the store is mounted; and
//! [`restore`], which connects a deferred store to its engine.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use nanostate::{on_mount, on_notify, Store};

use crate::engine::{EngineRef, ExternalChange, Watch};
use crate::error::StorageError;

/// What the shared hooks need from the state behind a persistent store.
pub(crate) trait Persisted: Send + Sync + 'static {
    /// The engine the store is bound to.
    fn engine(&self) -> &EngineRef;
    /// Whether the store is connected to its engine, and its subscription.
    fn link(&self) -> &Link;
    /// Writes the store's change to the engine (the `on_notify` hook).
    fn save(&self);
    /// Reads the entries again (at each mount: changes made while the store
    /// was unmounted are not missed).
    fn reload(&self);
    /// The first read of a deferred store, at [`restore`]: stored values
    /// replace the in-memory ones; nothing is written. Returns whether the
    /// storage could be read (then the writes made before `restore` that
    /// storage has nothing for are saved).
    fn first_load(&self) -> bool;
    /// Applies a change made outside this store.
    fn external(&self, change: &ExternalChange);
    /// Reports a failure to subscribe to external changes.
    fn report_watch_error(&self, error: StorageError);
    /// The retry timer of writes that failed.
    fn retry(&self) -> &Retry;
    /// Writes the values whose save failed again.
    fn retry_unsaved(&self);
}

/// When a write fails, the store tries it again on a timer of the core's
/// [runtime](nanostate::runtime) (and at its next change and next load):
/// one timer at a time, the delay doubling from one second to a minute
/// while the storage keeps failing, so nothing is lost once it comes back.
#[derive(Default)]
pub(crate) struct Retry {
    state: Mutex<RetryState>,
}

#[derive(Default)]
struct RetryState {
    scheduled: bool,
    delay_ms: u64,
}

/// The first and the longest delay between retries of a failed write.
const FIRST_RETRY_MS: u64 = 1_000;
const LAST_RETRY_MS: u64 = 60_000;

impl Retry {
    /// Schedules a retry of `inner`'s unsaved values, unless one is due.
    pub(crate) fn schedule<P: Persisted>(&self, inner: Weak<P>) {
        let delay = {
            let mut state = lock(&self.state);
            if state.scheduled {
                return;
            }
            state.scheduled = true;
            state.delay_ms = (state.delay_ms * 2).clamp(FIRST_RETRY_MS, LAST_RETRY_MS);
            state.delay_ms
        };
        nanostate::runtime::current().set_timeout(
            std::time::Duration::from_millis(delay),
            Box::new(move || {
                if let Some(inner) = inner.upgrade() {
                    lock(&inner.retry().state).scheduled = false;
                    inner.retry_unsaved();
                }
            }),
        );
    }

    /// Everything is saved: the next failure starts from the first delay.
    pub(crate) fn saved(&self) {
        lock(&self.state).delay_ms = 0;
    }
}

/// How a store is connected to its engine: restored or still deferred,
/// mounted or not, and the engine subscription held while both.
pub(crate) struct Link {
    /// Saves are on (`on_notify` writes). Off until a deferred store has
    /// been restored and its stored values applied.
    saving: AtomicBool,
    state: Mutex<LinkState>,
}

struct LinkState {
    /// `restore` ran (or the store was never deferred).
    restored: bool,
    /// Between the store's `on_mount` and its cleanup.
    mounted: bool,
    /// The engine subscription, held while mounted and restored.
    watch: Option<Watch>,
    /// The last error of subscribing to external changes, so a storage that
    /// stays unavailable is reported once, not on every mount.
    last_watch_error: Option<StorageError>,
}

impl Link {
    /// The link of a store that reads its storage at once (`deferred`:
    /// false) or only at [`restore`] (`deferred`: true).
    pub(crate) fn new(deferred: bool) -> Self {
        Link {
            saving: AtomicBool::new(!deferred),
            state: Mutex::new(LinkState {
                restored: !deferred,
                mounted: false,
                watch: None,
                last_watch_error: None,
            }),
        }
    }

    /// Whether the store reads and writes its storage (not a deferred store
    /// waiting for `restore`).
    pub(crate) fn is_restored(&self) -> bool {
        lock(&self.state).restored
    }

    fn is_saving(&self) -> bool {
        self.saving.load(Ordering::Acquire)
    }
}

/// Installs the save and sync hooks of `inner` on `store`, for the life of
/// the store. The hooks hold `inner` weakly.
pub(crate) fn install<P: Persisted, S: Store>(inner: &Arc<P>, store: &S) {
    let weak = Arc::downgrade(inner);
    on_notify(store, move |_| {
        if let Some(inner) = weak.upgrade() {
            if inner.link().is_saving() {
                inner.save();
            }
        }
    })
    .keep();
    let weak = Arc::downgrade(inner);
    on_mount(store, move |_| mount(&weak)).keep();
}

/// Connects a deferred store to its engine (idempotent): subscribes to
/// external changes if the store is mounted, applies the stored values, then
/// turns saving on and saves the writes made before that storage had nothing
/// for.
pub(crate) fn restore<P: Persisted>(inner: &Arc<P>) {
    let mounted = {
        let mut state = lock(&inner.link().state);
        if state.restored {
            return;
        }
        state.restored = true;
        state.mounted
    };
    // Subscribe before reading, so no change falls between the two.
    if mounted {
        watch(inner);
    }
    let read = inner.first_load();
    inner.link().saving.store(true, Ordering::Release);
    if read {
        inner.save();
    }
}

/// What a mount leaves to run at unmount: dropping the engine subscription.
type Cleanup = Box<dyn FnOnce() + Send>;

fn mount<P: Persisted>(weak: &Weak<P>) -> Option<Cleanup> {
    let inner = weak.upgrade()?;
    let restored = {
        let mut state = lock(&inner.link().state);
        state.mounted = true;
        state.restored
    };
    // A deferred store waiting for `restore` touches no storage.
    if restored {
        watch(&inner);
        inner.reload();
    }
    let weak = weak.clone();
    Some(Box::new(move || {
        if let Some(inner) = weak.upgrade() {
            let watch = {
                let mut state = lock(&inner.link().state);
                state.mounted = false;
                state.watch.take()
            };
            drop(watch); // outside the lock: unsubscribing may call out
        }
    }))
}

/// Subscribes `inner` to its engine's external changes and keeps the
/// subscription while the store stays mounted.
fn watch<P: Persisted>(inner: &Arc<P>) {
    let weak = Arc::downgrade(inner);
    let result = inner
        .engine()
        .subscribe(Arc::new(move |change: &ExternalChange| {
            if let Some(inner) = weak.upgrade() {
                inner.external(change);
            }
        }));
    let (unused, error) = {
        let mut state = lock(&inner.link().state);
        match result {
            Ok(watch) => {
                state.last_watch_error = None;
                // Unmounted meanwhile, or subscribed already (a mount and a
                // restore on two threads): this one is not needed.
                if state.mounted && state.watch.is_none() {
                    state.watch = Some(watch);
                    (None, None)
                } else {
                    (Some(watch), None)
                }
            }
            Err(e) => {
                let repeated = state.last_watch_error.as_ref() == Some(&e);
                state.last_watch_error = Some(e.clone());
                (None, (!repeated).then_some(e))
            }
        }
    };
    drop(unused);
    if let Some(e) = error {
        inner.report_watch_error(e);
    }
}

/// Locks `m`, recovering from a panic in another holder (the data is plain
/// bookkeeping, valid at every step).
pub(crate) fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
