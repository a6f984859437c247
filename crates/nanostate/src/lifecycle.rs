//! Lifecycle hooks: run code when a store gains its first listener, loses its
//! last one, or is written.
//!
//! Each function returns a [`Subscription`]; dropping it removes the hook,
//! [`Subscription::keep`] keeps it for the life of the store. Hooks of one
//! kind run newest first and share one [`Shared`](crate::Shared) per event.
//! Removing the last hook of one kind never affects hooks of other kinds.

use std::sync::{Arc, Weak};

use crate::core::{Core, Kind};
use crate::events::{LifecycleEvent, NotifyEvent, SetEvent};
use crate::store::Store;
use crate::subscription::{Subscription, Unbind};

struct HookReg<Kd: Kind> {
    core: Weak<Core<Kd>>,
    id: u64,
}

impl<Kd: Kind> Unbind for HookReg<Kd> {
    fn unbind(self: Arc<Self>) {
        if let Some(core) = self.core.upgrade() {
            core.remove_hook(self.id);
        }
    }
}

fn guard<Kd: Kind>(core: &Arc<Core<Kd>>, id: u64) -> Subscription {
    Subscription::new(Arc::new(HookReg {
        core: Arc::downgrade(core),
        id,
    }))
}

/// What an `on_mount` hook may return: nothing, or a cleanup that runs when
/// the store unmounts.
pub trait IntoCleanup {
    #[doc(hidden)]
    fn into_cleanup(self) -> Option<Box<dyn FnOnce() + Send + 'static>>;
}

impl IntoCleanup for () {
    fn into_cleanup(self) -> Option<Box<dyn FnOnce() + Send + 'static>> {
        None
    }
}

impl<F: FnOnce() + Send + 'static> IntoCleanup for F {
    fn into_cleanup(self) -> Option<Box<dyn FnOnce() + Send + 'static>> {
        Some(Box::new(self))
    }
}

impl<F: FnOnce() + Send + 'static> IntoCleanup for Option<F> {
    fn into_cleanup(self) -> Option<Box<dyn FnOnce() + Send + 'static>> {
        self.map(|f| Box::new(f) as Box<dyn FnOnce() + Send>)
    }
}

/// Runs `hook` when the store gets its first listener (before that listener
/// is added, so the listener count is still 0).
///
/// ```
/// use nanostate::{atom, on_start, Atom};
/// use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
/// static A: Atom<i32> = atom(0);
/// static STARTS: AtomicU32 = AtomicU32::new(0);
/// on_start(&A, |_| { STARTS.fetch_add(1, SeqCst); }).keep();
/// let s1 = A.listen(|_, _| {});
/// let s2 = A.listen(|_, _| {});
/// assert_eq!(STARTS.load(SeqCst), 1);
/// ```
pub fn on_start<S: Store>(
    store: &S,
    hook: impl Fn(&mut LifecycleEvent) + Send + Sync + 'static,
) -> Subscription {
    let core = store.core();
    guard(core, core.on_start(Arc::new(hook)))
}

/// Runs `hook` when the store loses its last listener.
///
/// ```
/// use nanostate::{atom, on_stop, Atom};
/// use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
/// static A: Atom<i32> = atom(0);
/// static STOPS: AtomicU32 = AtomicU32::new(0);
/// on_stop(&A, |_| { STOPS.fetch_add(1, SeqCst); }).keep();
/// drop(A.listen(|_, _| {}));
/// assert_eq!(STOPS.load(SeqCst), 1);
/// ```
pub fn on_stop<S: Store>(
    store: &S,
    hook: impl Fn(&mut LifecycleEvent) + Send + Sync + 'static,
) -> Subscription {
    let core = store.core();
    guard(core, core.on_stop(Arc::new(hook)))
}

/// Runs `hook` when the store is mounted (gets a first listener while not
/// mounted). The hook may return a cleanup, run when the store unmounts: a
/// delay (default 1 s, see `set_unmount_delay`) after the store became empty,
/// unless it has listeners when that timer fires. As in Nano Stores the timer
/// is not restarted: if listeners come and go within the delay, the first
/// pending timer unmounts the store when it finds it empty, possibly sooner
/// than one full delay after the last listener left.
///
/// A hook lives in its store, so a hook that captures a handle of the
/// run-time store it is installed on keeps that store alive while the hook
/// exists: hold the returned guard (not [`keep`](Subscription::keep)) to
/// let it go, or use a `static` store as here. The same holds for every
/// hook in this module.
///
/// ```
/// use nanostate::{atom, on_mount, Atom};
/// static FEED: Atom<Vec<String>> = nanostate::atom_with(Vec::new);
/// on_mount(&FEED, |_| {
///     FEED.set(vec!["hello".into()]); // e.g. start loading
///     || println!("stop loading")
/// })
/// .keep();
/// let _sub = FEED.listen(|_, _| {});
/// assert_eq!(FEED.get(), ["hello"]);
/// ```
pub fn on_mount<S: Store, R: IntoCleanup>(
    store: &S,
    hook: impl Fn(&mut LifecycleEvent) -> R + Send + Sync + 'static,
) -> Subscription {
    let core = store.core();
    guard(
        core,
        core.on_mount(Arc::new(move |e| hook(e).into_cleanup())),
    )
}

/// Runs `hook` before each write (also writes of an equal value); the hook
/// may [`abort`](SetEvent::abort) it.
///
/// ```
/// use nanostate::{map, on_set, MapStore, Proposed};
/// static FORM: MapStore<&'static str, i32> = map();
/// on_set(&FORM, |e| {
///     if let Proposed::Key(_, Some(v)) = e.proposed() {
///         if **v < 0 { e.abort() }
///     }
/// })
/// .keep();
/// FORM.set_key("age", -3);
/// assert_eq!(FORM.get_key(&"age"), None);
/// ```
pub fn on_set<S: Store>(
    store: &S,
    hook: impl Fn(&mut SetEvent<'_, S::Value, <S::Kind as Kind>::Key, <S::Kind as Kind>::Item>)
        + Send
        + Sync
        + 'static,
) -> Subscription {
    let core = store.core();
    guard(core, core.on_set(Arc::new(hook)))
}

/// Runs `hook` after each change, before listeners are queued; the hook may
/// [`abort`](NotifyEvent::abort) the notification (the value stays changed).
///
/// ```
/// use nanostate::{atom, on_notify, Atom};
/// static A: Atom<i32> = atom(0);
/// on_notify(&A, |e| if *e.old() == 0 { e.abort() }).keep();
/// A.set(1); // listeners skipped
/// assert_eq!(A.get(), 1);
/// ```
pub fn on_notify<S: Store>(
    store: &S,
    hook: impl Fn(&mut NotifyEvent<'_, S::Value, <S::Kind as Kind>::Key>) + Send + Sync + 'static,
) -> Subscription {
    let core = store.core();
    guard(core, core.on_notify(Arc::new(hook)))
}
