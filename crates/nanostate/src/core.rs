//! The machinery every store kind shares: value, listeners, lifecycle hooks
//! and notification. Store types (`Atom`, `MapStore`, `Computed`) are thin
//! typed fronts over one `Core`.
//!
//! Locking: one mutex per store guards its state. It is held only for short
//! bookkeeping and for the equality function; never while a listener, a hook,
//! a compute function or a cleanup runs.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use crate::sync::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Mutex, MutexGuard};
use std::time::Duration;

use crate::engine::{self, Round};
use crate::events::{LifecycleEvent, NotifyEvent, Proposed, SetEvent};
use crate::runtime;
use crate::subscription::{Subscription, Unbind};

/// Global change counter, bumped by every notification. A computed store
/// whose recorded epoch is current knows its cache is valid.
pub(crate) static EPOCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

thread_local! {
    /// How many times this thread bumped [`EPOCH`]: a refresh compares it
    /// with the epoch to tell its own thread's writes from other threads'.
    static LOCAL_BUMPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Bumps the global epoch (every notification does).
pub(crate) fn bump_epoch() {
    EPOCH.fetch_add(1, Ordering::AcqRel);
    LOCAL_BUMPS.with(|n| n.set(n.get() + 1));
}

/// The number of epoch bumps made by this thread so far.
pub(crate) fn local_bumps() -> u64 {
    LOCAL_BUMPS.with(std::cell::Cell::get)
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// How many identities a thread takes from [`NEXT_ID`] at a time.
const ID_BLOCK: u64 = 1024;

thread_local! {
    /// This thread's block of identities: the next one and the block's end.
    static ID_RANGE: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
}

/// A fresh identity for a callback (listeners, computed and effect runs),
/// unique in the process. Threads take identities in blocks, so most calls
/// touch no shared counter.
pub(crate) fn next_id() -> u64 {
    ID_RANGE.with(|range| {
        let (mut next, mut end) = range.get();
        if next == end {
            next = NEXT_ID.fetch_add(ID_BLOCK, Ordering::Relaxed);
            end = next + ID_BLOCK;
        }
        range.set((next + 1, end));
        next
    })
}

/// The types of one store kind.
#[doc(hidden)]
pub trait Kind: Send + Sync + 'static {
    type Value: Send + Sync + 'static;
    type Key: Clone + Send + Sync + 'static;
    type Item: Send + Sync + 'static;
    /// Kept beside the value under the store's lock: a keyed store's key
    /// equality, a computed store's arguments; nothing for an atom.
    type Extra: Send + 'static;
    /// What brings the value up to date before a read: nothing, or a
    /// computed store's refresh.
    type Refresher: Refresher;
}

/// See [`Kind::Refresher`].
#[doc(hidden)]
pub trait Refresher: Send + Sync + 'static {
    fn refresher(&self) -> Option<Arc<dyn Refresh>>;
}

impl Refresher for () {
    #[inline]
    fn refresher(&self) -> Option<Arc<dyn Refresh>> {
        None
    }
}

impl Refresher for Weak<dyn Refresh> {
    fn refresher(&self) -> Option<Arc<dyn Refresh>> {
        self.upgrade()
    }
}

type V<Kd> = <Kd as Kind>::Value;
type K<Kd> = <Kd as Kind>::Key;
type I<Kd> = <Kd as Kind>::Item;

pub(crate) type ListenerFn<Kd> =
    Box<dyn Fn(&V<Kd>, Option<&V<Kd>>, Option<&K<Kd>>) + Send + Sync + 'static>;
pub(crate) type Eq<Kd> = fn(&V<Kd>, &V<Kd>) -> bool;
/// A keyed store's equality for `set_key`: `(key, old item, new item)`.
pub(crate) type KeyEq<Kd> = fn(&K<Kd>, Option<&I<Kd>>, &I<Kd>) -> bool;

type StartHook = Arc<dyn Fn(&mut LifecycleEvent) + Send + Sync>;
type MountHook = Arc<dyn Fn(&mut LifecycleEvent) -> Option<Cleanup> + Send + Sync>;
type SetHook<Kd> = Arc<dyn Fn(&mut SetEvent<'_, V<Kd>, K<Kd>, I<Kd>>) + Send + Sync>;
type NotifyHook<Kd> = Arc<dyn Fn(&mut NotifyEvent<'_, V<Kd>, K<Kd>>) + Send + Sync>;

/// A cleanup returned by an `on_mount` hook.
pub(crate) type Cleanup = Box<dyn FnOnce() + Send + 'static>;

/// One registered listener.
pub(crate) struct Slot<Kd: Kind> {
    pub(crate) cb: u64,
    active: AtomicBool,
    core: Weak<Core<Kd>>,
    f: Listener<Kd>,
}

/// What a slot calls.
enum Listener<Kd: Kind> {
    /// A listener that sees the value, the old value and the changed key.
    Values(ListenerFn<Kd>),
    /// A listener only told that the store changed (computed stores and
    /// effects, which read what they need): a queued call to it holds no
    /// value.
    Bare(Arc<dyn Fn() + Send + Sync>),
}

impl<Kd: Kind> Slot<Kd> {
    fn call(&self, new: &V<Kd>, old: Option<&V<Kd>>, key: Option<&K<Kd>>) {
        match &self.f {
            Listener::Values(f) => f(new, old, key),
            Listener::Bare(f) => f(),
        }
    }

    fn is_bare(&self) -> bool {
        matches!(self.f, Listener::Bare(_))
    }
}

/// A queued call to a bare listener.
impl<Kd: Kind> engine::Call for Slot<Kd> {
    fn call(&self) {
        if let (true, Listener::Bare(f)) = (self.active.load(Ordering::Acquire), &self.f) {
            f();
        }
    }
}

/// Hook kinds that wrap `listen` and `off`, in the order they wrap.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Wrap {
    Start,
    Stop,
    Mount,
}

pub(crate) struct Hooks<Kd: Kind> {
    start: Vec<(u64, StartHook)>,
    stop: Vec<(u64, StartHook)>,
    mount: Vec<(u64, MountHook)>,
    set: Vec<(u64, SetHook<Kd>)>,
    notify: Vec<(u64, NotifyHook<Kd>)>,
    /// Kinds wrapping `listen`, innermost first (Start, Mount).
    listen_order: Vec<Wrap>,
    /// Kinds wrapping `off`, innermost first (Stop, Mount).
    off_order: Vec<Wrap>,
    mounted: bool,
    starting: bool,
    /// Listeners being added: past `before_first_listener`, not yet in the
    /// list. An unmount timer that fires meanwhile leaves the store mounted
    /// (a listener is arriving), so the cleanups of a mount whose hooks are
    /// still running are never taken before they are pushed.
    joining: u32,
    cleanups: Vec<Cleanup>,
    /// Between the last listener leaving and the `on_mount` cleanups.
    unmount_delay: Duration,
}

impl<Kd: Kind> Default for Hooks<Kd> {
    fn default() -> Self {
        Hooks {
            start: Vec::new(),
            stop: Vec::new(),
            mount: Vec::new(),
            set: Vec::new(),
            notify: Vec::new(),
            listen_order: Vec::new(),
            off_order: Vec::new(),
            mounted: false,
            starting: false,
            joining: 0,
            cleanups: Vec::new(),
            unmount_delay: STORE_UNMOUNT_DELAY,
        }
    }
}

/// The listeners of a store, in registration order. Replaced as a whole
/// (copy on write) when one is added or removed, so a write hands the
/// current list to delivery by cloning one `Arc`. A single listener (the
/// common case) needs no list allocation.
pub(crate) enum Listeners<Kd: Kind> {
    One(Arc<Slot<Kd>>),
    Many(Arc<[Arc<Slot<Kd>>]>),
}

impl<Kd: Kind> Clone for Listeners<Kd> {
    fn clone(&self) -> Self {
        match self {
            Listeners::One(slot) => Listeners::One(slot.clone()),
            Listeners::Many(slots) => Listeners::Many(slots.clone()),
        }
    }
}

impl<Kd: Kind> std::ops::Deref for Listeners<Kd> {
    type Target = [Arc<Slot<Kd>>];
    fn deref(&self) -> &Self::Target {
        match self {
            Listeners::One(slot) => std::slice::from_ref(slot),
            Listeners::Many(slots) => slots,
        }
    }
}

// `repr(C)` with the kind-specific part last (here and in `Core`): every
// other field sits at the same offset in every store kind, so the code that
// does not touch that part compiles to identical functions, which the
// optimizer folds into one (smaller wasm).
#[repr(C)]
pub(crate) struct State<Kd: Kind> {
    /// `None` only for a computed store that has not computed yet.
    pub(crate) value: Option<Arc<V<Kd>>>,
    /// `None` while the store has no listener (no allocation).
    listeners: Option<Listeners<Kd>>,
    hooks: Option<Box<Hooks<Kd>>>,
    pub(crate) eq: Eq<Kd>,
    pub(crate) extra: Kd::Extra,
}

impl<Kd: Kind> State<Kd> {
    fn has_listeners(&self) -> bool {
        self.listeners.is_some()
    }

    fn listener_slots(&self) -> &[Arc<Slot<Kd>>] {
        self.listeners.as_deref().unwrap_or_default()
    }

    /// Appends a listener.
    fn add_listener(&mut self, slot: Arc<Slot<Kd>>) {
        self.listeners = Some(match &self.listeners {
            None => Listeners::One(slot),
            Some(list) => Listeners::Many(list.iter().cloned().chain([slot]).collect()),
        });
    }

    /// Removes a listener; returns the list it replaced (to be dropped
    /// unlocked), or `None` if it was not registered.
    fn remove_listener(&mut self, slot: &Arc<Slot<Kd>>) -> Option<Listeners<Kd>> {
        let slots = self.listener_slots();
        let pos = slots.iter().position(|s| Arc::ptr_eq(s, slot))?;
        let rest = slots[..pos].iter().chain(&slots[pos + 1..]).cloned();
        let next = match slots.len() {
            1 => None,
            2 => rest.take(1).next().map(Listeners::One),
            _ => Some(Listeners::Many(rest.collect())),
        };
        std::mem::replace(&mut self.listeners, next)
    }
}

/// The shared part of every store.
#[doc(hidden)]
#[repr(C)]
pub struct Core<Kd: Kind> {
    /// Bumped under the lock on every value replacement.
    version: AtomicU64,
    /// Which hook kinds exist (`HOOK_*`), so hot paths skip them unlocked.
    flags: AtomicU8,
    /// Mirror of `state.value.is_some()`, written under the lock.
    valued: AtomicBool,
    /// Whether every listener is bare (no listener looks at values), written
    /// under the lock: a write then hands delivery no value.
    bare_only: AtomicBool,
    /// Mirror of the listener count, written under the lock.
    lc: AtomicU32,
    this: Weak<Core<Kd>>,
    state: Mutex<State<Kd>>,
    /// Set for computed stores: refreshes the cache before a read.
    refresher: Kd::Refresher,
}

/// Something that brings a cached value up to date (computed stores).
#[doc(hidden)]
pub trait Refresh: Send + Sync {
    fn refresh(&self);
    fn reset(&self);
}

const HOOK_SET: u8 = 1;
const HOOK_NOTIFY: u8 = 2;
const HOOK_ANY: u8 = 4;

/// What a write hands to delivery: the listeners, and the value at commit
/// with its version unless every listener is bare.
type Snapshot<Kd> = (Listeners<Kd>, Option<(Arc<V<Kd>>, u64)>);

/// A listener count as stored in `Core::lc` (a store cannot hold more
/// than `u32::MAX` listeners' worth of memory in practice; it saturates).
fn count_u32(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// Default delay between the last listener leaving and `on_mount` cleanups.
pub const STORE_UNMOUNT_DELAY: Duration = Duration::from_millis(1000);

impl<Kd: Kind> Core<Kd> {
    /// A store with a value from the start (a computed store starts
    /// without one and has a refresher).
    pub(crate) fn new(value: V<Kd>, eq: Eq<Kd>, extra: Kd::Extra) -> Arc<Self>
    where
        Kd: Kind<Refresher = ()>,
    {
        Self::build(Some(value), eq, extra, ())
    }

    pub(crate) fn build(
        value: Option<V<Kd>>,
        eq: Eq<Kd>,
        extra: Kd::Extra,
        refresher: Kd::Refresher,
    ) -> Arc<Self> {
        let valued = value.is_some();
        Arc::new_cyclic(|this| Core {
            state: Mutex::new(State {
                value: value.map(Arc::new),
                listeners: None,
                hooks: None,
                eq,
                extra,
            }),
            valued: AtomicBool::new(valued),
            version: AtomicU64::new(0),
            flags: AtomicU8::new(0),
            lc: AtomicU32::new(0),
            bare_only: AtomicBool::new(false),
            refresher,
            this: this.clone(),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State<Kd>> {
        // User code never runs under this lock except `eq`; if that panicked
        // the state is still consistent (writes happen after the comparison).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn arc(&self) -> Arc<Self> {
        self.this
            .upgrade()
            .expect("nanostate: store used while being dropped")
    }

    // ----- reading -------------------------------------------------------

    /// The current snapshot, without lifecycle effects.
    pub(crate) fn peek(&self) -> Option<Arc<V<Kd>>> {
        self.lock().value.clone()
    }

    /// `get()` with Nano Stores semantics: a computed refreshes first; a
    /// store without listeners but with hooks is mounted for a moment, so
    /// `on_start`, `on_mount` and `on_stop` run and the unmount timer starts.
    pub(crate) fn get(&self) -> Option<Arc<V<Kd>>> {
        self.get_versioned().map(|(_, value)| value)
    }

    /// `get()` and the version of the value it returns, read together.
    pub(crate) fn get_versioned(&self) -> Option<(u64, Arc<V<Kd>>)> {
        self.read_with(|_, _| ())
            .map(|(version, value, ())| (version, value))
    }

    /// `get()`, the version of the value and `check(state, value)`, all read
    /// under one lock.
    fn read_with<R>(
        &self,
        check: impl FnOnce(&State<Kd>, &Arc<V<Kd>>) -> R,
    ) -> Option<(u64, Arc<V<Kd>>, R)> {
        self.refresh_cache();
        self.read_current(check)
    }

    /// Brings a computed store's cache up to date (nothing for other kinds).
    fn refresh_cache(&self) {
        if let Some(refresher) = self.refresher.refresher() {
            refresher.refresh();
        }
    }

    /// [`read_with`](Self::read_with) for a store already refreshed.
    fn read_current<R>(
        &self,
        check: impl FnOnce(&State<Kd>, &Arc<V<Kd>>) -> R,
    ) -> Option<(u64, Arc<V<Kd>>, R)> {
        let mut st = self.lock();
        if !st.has_listeners() && self.has(HOOK_ANY) {
            drop(st);
            drop(self.listen(next_id(), Box::new(|_, _, _| {})));
            st = self.lock();
        }
        let value = st.value.clone()?;
        let checked = check(&st, &value);
        Some((self.version(), value, checked))
    }

    /// Whether the store holds a value (a computed store may not yet).
    pub(crate) fn has_value(&self) -> bool {
        self.valued.load(Ordering::Acquire)
    }

    /// For a computed store reading this one: refresh (if computed) and
    /// return the version when `get()` would have no side effect (the store
    /// has listeners or no hooks), so an unchanged version proves the value
    /// is the same snapshot without reading it.
    pub(crate) fn pull(&self) -> Option<u64> {
        self.refresh_cache();
        self.pull_current()
    }

    /// [`pull`](Self::pull) for a store already refreshed.
    pub(crate) fn pull_current(&self) -> Option<u64> {
        let quiet = self.lc.load(Ordering::Acquire) > 0
            || self.flags.load(Ordering::Acquire) & HOOK_ANY == 0;
        quiet.then(|| self.version())
    }

    /// Updates the unlocked mirrors of the listener list (its length and
    /// whether every listener is bare); called under the lock after a change.
    fn mirror_listeners(&self, st: &State<Kd>) {
        let slots = st.listener_slots();
        self.lc.store(count_u32(slots.len()), Ordering::Release);
        let bare = !slots.is_empty() && slots.iter().all(|s| s.is_bare());
        self.bare_only.store(bare, Ordering::Release);
    }

    pub(crate) fn listener_count(&self) -> usize {
        self.lc.load(Ordering::Acquire) as usize
    }

    pub(crate) fn set_eq(&self, eq: Eq<Kd>) {
        self.lock().eq = eq;
    }

    pub(crate) fn set_unmount_delay(&self, delay: Duration) {
        // Kept with the hooks: only a store with `on_mount` hooks uses it.
        self.lock()
            .hooks
            .get_or_insert_with(Default::default)
            .unmount_delay = delay;
    }

    // ----- listening -----------------------------------------------------

    /// Adds a listener, running `on_start`/`on_mount` first if it is the
    /// first one.
    pub(crate) fn listen(&self, cb: u64, f: ListenerFn<Kd>) -> Subscription {
        Subscription::new(self.add_slot(cb, Listener::Values(f)).0)
    }

    /// Registers a listener (after `on_start`/`on_mount` if it is the first)
    /// and returns its slot and the value at registration, read under the
    /// same lock.
    fn add_slot(&self, cb: u64, f: Listener<Kd>) -> (Arc<Slot<Kd>>, Option<Arc<V<Kd>>>) {
        let mut joining = None;
        if self.has(HOOK_ANY) {
            joining = self
                .with_hooks(|_, h| h.joining += 1)
                .map(|()| Joining(self));
            self.before_first_listener();
        }
        let slot = Arc::new(Slot {
            cb,
            active: AtomicBool::new(true),
            core: self.this.clone(),
            f,
        });
        let mut st = self.lock();
        st.add_listener(slot.clone());
        if let Some(joining) = joining {
            // Arrived: counted out under the lock that added the listener.
            std::mem::forget(joining);
            if let Some(h) = st.hooks.as_mut() {
                h.joining = h.joining.saturating_sub(1);
            }
        }
        self.mirror_listeners(&st);
        let value = st.value.clone();
        drop(st);
        (slot, value)
    }

    /// `subscribe`: [`listen`](Self::listen), then one direct call with the
    /// current value (no old value, no key), as Nano Stores does.
    pub(crate) fn subscribe(
        &self,
        listener: impl Fn(&V<Kd>, Option<&V<Kd>>, Option<&K<Kd>>) + Send + Sync + 'static,
    ) -> Subscription {
        let (slot, value) = self.add_slot(next_id(), Listener::Values(Box::new(listener)));
        let Some(value) = value else {
            return Subscription::new(slot);
        };
        {
            let _unbind = UnbindOnPanic(&slot);
            slot.call(&value, None, None);
        }
        Subscription::new(slot)
    }

    fn before_first_listener(&self) {
        let order = {
            let st = self.lock();
            match &st.hooks {
                Some(h) if !st.has_listeners() => h.listen_order.clone(),
                _ => return,
            }
        };
        // Outermost wrapper (installed last) runs first.
        for wrap in order.iter().rev() {
            match wrap {
                Wrap::Start => {
                    let hooks = self.with_hooks(|st, h| {
                        if !st.has_listeners() && !h.starting {
                            h.starting = true;
                            Some(h.start.clone())
                        } else {
                            None
                        }
                    });
                    if let Some(Some(hooks)) = hooks {
                        let mut event = LifecycleEvent::default();
                        let _reset = ResetStarting(self);
                        for (id, hook) in hooks.iter().rev() {
                            if self.hook_active(*id) {
                                hook(&mut event);
                            }
                        }
                    }
                }
                Wrap::Mount => {
                    let hooks = self.with_hooks(|st, h| {
                        if !st.has_listeners() && !h.mounted {
                            h.mounted = true;
                            Some(h.mount.clone())
                        } else {
                            None
                        }
                    });
                    if let Some(Some(hooks)) = hooks {
                        // A panicking hook must not leave the store marked
                        // mounted with nothing running: the next listener
                        // mounts it again.
                        let unmark = UnmarkOnPanic(self);
                        let mut event = LifecycleEvent::default();
                        for (id, hook) in hooks.iter().rev() {
                            if !self.hook_active(*id) {
                                continue;
                            }
                            if let Some(cleanup) = hook(&mut event) {
                                self.with_hooks(|_, h| h.cleanups.push(cleanup));
                            }
                        }
                        std::mem::forget(unmark);
                    }
                }
                Wrap::Stop => {}
            }
        }
    }

    fn with_hooks<R>(&self, f: impl FnOnce(&State<Kd>, &mut Hooks<Kd>) -> R) -> Option<R> {
        let mut guard = self.lock();
        let st = &mut *guard;
        let mut hooks = st.hooks.take()?;
        let result = f(st, &mut hooks);
        st.hooks = Some(hooks);
        Some(result)
    }

    fn unbind(&self, slot: &Arc<Slot<Kd>>) {
        slot.active.store(false, Ordering::Release);
        let (removed, now_empty) = {
            let mut st = self.lock();
            let Some(old) = st.remove_listener(slot) else {
                return;
            };
            self.mirror_listeners(&st);
            (old, !st.has_listeners())
        };
        // The replaced list is freed unlocked.
        drop(removed);
        if now_empty && self.has(HOOK_ANY) {
            self.off();
        }
    }

    /// The last listener left (or the store was cleaned).
    fn off(&self) {
        let order = match self.with_hooks(|_, h| h.off_order.clone()) {
            Some(order) => order,
            None => return,
        };
        self.run_off(&order);
    }

    fn run_off(&self, order: &[Wrap]) {
        let Some((&outer, inner)) = order.split_last() else {
            return;
        };
        match outer {
            Wrap::Stop => {
                let hooks = self.with_hooks(|_, h| h.stop.clone()).unwrap_or_default();
                let mut event = LifecycleEvent::default();
                for (id, hook) in hooks.iter().rev() {
                    if self.hook_active(*id) {
                        hook(&mut event);
                    }
                }
                self.run_off(inner);
            }
            Wrap::Mount => {
                self.run_off(inner);
                self.schedule_unmount();
            }
            Wrap::Start => self.run_off(inner),
        }
    }

    fn schedule_unmount(&self) {
        let delay = self
            .with_hooks(|_, h| h.unmount_delay)
            .unwrap_or(STORE_UNMOUNT_DELAY);
        let weak = self.this.clone();
        runtime::current().set_timeout(
            delay,
            Box::new(move || {
                if let Some(core) = weak.upgrade() {
                    core.unmount_if_idle();
                }
            }),
        );
    }

    fn unmount_if_idle(&self) {
        let cleanups = self
            .with_hooks(|st, h| {
                if h.mounted && !st.has_listeners() && h.joining == 0 {
                    h.mounted = false;
                    std::mem::take(&mut h.cleanups)
                } else {
                    Vec::new()
                }
            })
            .unwrap_or_default();
        for cleanup in cleanups {
            cleanup();
        }
    }

    // ----- writing -------------------------------------------------------

    /// `set(value)`: `on_set` hooks, then the equality check, then notify.
    pub(crate) fn set(&self, value: V<Kd>) {
        if self.has(HOOK_SET) && self.run_set_hooks(Proposed::Value(&value)) {
            return;
        }
        self.replace(value, |_| true);
    }

    /// Replaces the value unless equal (or unless `check`, run under the
    /// lock with the store's extra state, says no), then notifies. Returns
    /// whether it changed.
    pub(crate) fn replace(&self, value: V<Kd>, check: impl FnOnce(&mut Kd::Extra) -> bool) -> bool {
        let value = Arc::new(value);
        let (old, snapshot) = {
            let mut st = self.lock();
            // The caller's check comes first: an `update` computed from a
            // stale value must retry even if its result equals the newer one.
            if !check(&mut st.extra) {
                return false;
            }
            if let Some(current) = &st.value {
                if (st.eq)(current, &value) {
                    return false;
                }
            }
            self.commit(&mut st, value)
        };
        self.after_commit(old, None, snapshot);
        true
    }

    /// Stores a new value (under the lock) and snapshots what delivery
    /// needs, unless `on_notify` hooks must run first.
    fn commit(
        &self,
        st: &mut State<Kd>,
        value: Arc<V<Kd>>,
    ) -> (Option<Arc<V<Kd>>>, Option<Snapshot<Kd>>) {
        let slots = match &st.listeners {
            Some(slots) if !self.has(HOOK_NOTIFY) => Some(slots.clone()),
            _ => None,
        };
        let bare = self.bare_only.load(Ordering::Acquire);
        let shown = (slots.is_some() && !bare).then(|| value.clone());
        let old = st.value.replace(value);
        let version = self.replaced(true);
        (
            old,
            slots.map(|slots| (slots, shown.map(|value| (value, version)))),
        )
    }

    fn after_commit(
        &self,
        old: Option<Arc<V<Kd>>>,
        key: Option<K<Kd>>,
        snapshot: Option<Snapshot<Kd>>,
    ) {
        if self.has(HOOK_NOTIFY) {
            return self.notify(old, key);
        }
        bump_epoch();
        match snapshot {
            Some((slots, Some((value, version)))) => self.deliver(old, key, slots, value, version),
            Some((slots, None)) => {
                // Bare listeners take nothing from the change.
                drop((old, key));
                deliver_bare(slots);
            }
            None => {}
        }
    }

    fn has(&self, hook: u8) -> bool {
        self.flags.load(Ordering::Acquire) & hook != 0
    }

    /// Runs `on_set` hooks (if any); true if one aborted.
    pub(crate) fn run_set_hooks(&self, proposed: Proposed<'_, V<Kd>, K<Kd>, I<Kd>>) -> bool {
        if !self.has(HOOK_SET) {
            return false;
        }
        let hooks = self.with_hooks(|_, h| {
            if h.set.is_empty() {
                None
            } else {
                Some(h.set.clone())
            }
        });
        let Some(Some(hooks)) = hooks else {
            return false;
        };
        let mut event = SetEvent {
            shared: Default::default(),
            proposed,
            aborted: false,
        };
        for (id, hook) in hooks.iter().rev() {
            if self.hook_active(*id) {
                hook(&mut event);
            }
        }
        event.aborted
    }

    /// Applies `mutate` to the value under the lock; `mutate` returns the new
    /// value or `None` for no change. Notifies with `key`.
    pub(crate) fn write(
        &self,
        key: Option<K<Kd>>,
        mutate: impl FnOnce(&State<Kd>) -> Option<V<Kd>>,
    ) -> bool {
        let (old, snapshot) = {
            let mut st = self.lock();
            let Some(next) = mutate(&st) else {
                return false;
            };
            self.commit(&mut st, Arc::new(next))
        };
        self.after_commit(old, key, snapshot);
        true
    }

    /// Optimistic read-modify-write: `f` runs without the lock and the result
    /// is committed only if nothing else wrote meanwhile; otherwise it runs
    /// again on the newer value.
    pub(crate) fn update(&self, f: impl Fn(&V<Kd>) -> V<Kd>) {
        loop {
            let (version, current) = {
                let st = self.lock();
                (self.version.load(Ordering::Acquire), st.value.clone())
            };
            let Some(current) = current else { return };
            let next = f(&current);
            if self.has(HOOK_SET) && self.run_set_hooks(Proposed::Value(&next)) {
                return;
            }
            let mut stale = false;
            self.replace(next, |_| {
                stale = self.version.load(Ordering::Acquire) != version;
                !stale
            });
            if !stale {
                return;
            }
        }
    }

    /// Records a replacement of the value, under the lock: bumps the version
    /// and mirrors whether there is a value. Returns the new version.
    fn replaced(&self, has_value: bool) -> u64 {
        // Versions move only under the lock: a plain store is enough.
        let version = self.version.load(Ordering::Relaxed) + 1;
        self.version.store(version, Ordering::Release);
        self.valued.store(has_value, Ordering::Release);
        version
    }

    /// Replaces the value without notifying (a computed store's reset).
    pub(crate) fn reset_value(&self, value: Option<Arc<V<Kd>>>) {
        let old = {
            let mut st = self.lock();
            self.replaced(value.is_some());
            std::mem::replace(&mut st.value, value)
        };
        drop(old);
    }

    /// Whether the hook `id` is still registered.
    fn hook_active(&self, id: u64) -> bool {
        self.with_hooks(|_, h| {
            h.start.iter().any(|(i, _)| *i == id)
                || h.stop.iter().any(|(i, _)| *i == id)
                || h.mount.iter().any(|(i, _)| *i == id)
                || h.set.iter().any(|(i, _)| *i == id)
                || h.notify.iter().any(|(i, _)| *i == id)
        })
        .unwrap_or(false)
    }

    pub(crate) fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// Notification: `on_notify` hooks, the epoch, then one queued call per
    /// listener.
    pub(crate) fn notify(&self, old: Option<Arc<V<Kd>>>, key: Option<K<Kd>>) {
        let notify_hooks = self.with_hooks(|_, h| {
            if h.notify.is_empty() {
                None
            } else {
                Some(h.notify.clone())
            }
        });
        if let Some(Some(hooks)) = notify_hooks {
            let value = self.peek();
            let mut event = NotifyEvent {
                shared: Default::default(),
                value: value.as_deref(),
                old: old.as_deref(),
                key: key.as_ref(),
                aborted: false,
            };
            for (id, hook) in hooks.iter().rev() {
                if self.hook_active(*id) {
                    hook(&mut event);
                }
            }
            if event.aborted {
                // Unlike Nano Stores 1.5.2 the epoch still moves, so computed
                // stores never keep a result computed from the old value.
                bump_epoch();
                return;
            }
        }
        bump_epoch();
        let (slots, version, value) = {
            let st = self.lock();
            (st.listeners.clone(), self.version(), st.value.clone())
        };
        if let (Some(slots), Some(value)) = (slots, value) {
            self.deliver(old, key, slots, value, version);
        }
    }

    /// Calls or queues one call per listener. When this thread's queue is
    /// idle the calls run right here (no queued round is built); otherwise
    /// they join the queue behind the calls already waiting.
    fn deliver(
        &self,
        old: Option<Arc<V<Kd>>>,
        key: Option<K<Kd>>,
        slots: Listeners<Kd>,
        value: Arc<V<Kd>>,
        version: u64,
    ) {
        match engine::begin() {
            engine::Delivery::Now => {
                let mut current = (version, value);
                for slot in slots.iter() {
                    if !slot.active.load(Ordering::Acquire) {
                        continue;
                    }
                    if self.version() != current.0 {
                        let st = self.lock();
                        if let Some(value) = &st.value {
                            current = (self.version(), value.clone());
                        }
                    }
                    let value = &current.1;
                    engine::run_guarded(|| slot.call(value, old.as_deref(), key.as_ref()));
                }
                engine::finish();
            }
            engine::Delivery::Queue { in_batch } => {
                let key = if in_batch { None } else { key };
                let round = Rc::new(RoundImpl {
                    core: self.arc(),
                    old,
                    key,
                    slots,
                    cache: RefCell::new((version, value)),
                });
                engine::enqueue(round.clone(), round.slots.iter().map(|s| s.cb));
            }
        }
    }

    // ----- hooks ---------------------------------------------------------

    fn add_hook(&self, wrap: Option<Wrap>, add: impl FnOnce(&mut Hooks<Kd>, u64)) -> u64 {
        let id = next_id();
        let mut stale_cleanups = Vec::new();
        let mut st = self.lock();
        let hooks = st.hooks.get_or_insert_with(Default::default);
        let first = match wrap {
            Some(Wrap::Start) => hooks.start.is_empty(),
            Some(Wrap::Stop) => hooks.stop.is_empty(),
            Some(Wrap::Mount) => hooks.mount.is_empty(),
            None => false,
        };
        if first {
            let wrap = wrap.expect("checked above");
            if wrap != Wrap::Stop {
                hooks.listen_order.push(wrap);
            }
            if wrap != Wrap::Start {
                hooks.off_order.push(wrap);
            }
            if wrap == Wrap::Mount {
                stale_cleanups = std::mem::take(&mut hooks.cleanups);
            }
        }
        add(hooks, id);
        self.update_flags(hooks);
        drop(st);
        drop(stale_cleanups);
        id
    }

    fn update_flags(&self, h: &Hooks<Kd>) {
        let mut flags = HOOK_ANY;
        if !h.set.is_empty() {
            flags |= HOOK_SET;
        }
        if !h.notify.is_empty() {
            flags |= HOOK_NOTIFY;
        }
        self.flags.store(flags, Ordering::Release);
    }

    pub(crate) fn on_start(&self, f: StartHook) -> u64 {
        self.add_hook(Some(Wrap::Start), |h, id| h.start.push((id, f)))
    }

    pub(crate) fn on_stop(&self, f: StartHook) -> u64 {
        self.add_hook(Some(Wrap::Stop), |h, id| h.stop.push((id, f)))
    }

    pub(crate) fn on_mount(&self, f: MountHook) -> u64 {
        self.add_hook(Some(Wrap::Mount), |h, id| h.mount.push((id, f)))
    }

    pub(crate) fn on_set(&self, f: SetHook<Kd>) -> u64 {
        self.add_hook(None, |h, id| h.set.push((id, f)))
    }

    pub(crate) fn on_notify(&self, f: NotifyHook<Kd>) -> u64 {
        self.add_hook(None, |h, id| h.notify.push((id, f)))
    }

    /// Removes one hook. Removing the last hook of a kind removes only that
    /// kind's wrapper (Nano Stores 1.5.2 also dropped wrappers installed
    /// later), and the last `on_mount` hook takes the mounted mark and pending
    /// cleanups with it.
    pub(crate) fn remove_hook(&self, id: u64) {
        // What is removed may own user values whose drop runs user code:
        // it is dropped after the lock is released.
        let mut removed: Vec<Box<dyn Any + Send>> = Vec::new();
        {
            let mut st = self.lock();
            let Some(h) = st.hooks.as_mut() else { return };
            fn take_id<T: Send + 'static>(
                list: &mut Vec<(u64, T)>,
                id: u64,
                removed: &mut Vec<Box<dyn Any + Send>>,
            ) -> bool {
                match list.iter().position(|(i, _)| *i == id) {
                    Some(pos) => {
                        removed.push(Box::new(list.remove(pos).1));
                        list.is_empty()
                    }
                    None => false,
                }
            }
            let emptied = if take_id(&mut h.start, id, &mut removed) {
                Some(Wrap::Start)
            } else if take_id(&mut h.stop, id, &mut removed) {
                Some(Wrap::Stop)
            } else if take_id(&mut h.mount, id, &mut removed) {
                Some(Wrap::Mount)
            } else {
                take_id(&mut h.set, id, &mut removed);
                take_id(&mut h.notify, id, &mut removed);
                None
            };
            if let Some(wrap) = emptied {
                h.listen_order.retain(|w| *w != wrap);
                h.off_order.retain(|w| *w != wrap);
                if wrap == Wrap::Mount {
                    h.mounted = false;
                    removed.push(Box::new(std::mem::take(&mut h.cleanups)));
                }
            }
            self.update_flags(h);
        }
        drop(removed);
    }

    // ----- testing -------------------------------------------------------

    /// `clean_stores` for one store: run pending mount cleanups now, reset a
    /// computed cache, drop every listener and run `off`.
    pub(crate) fn clean(&self) {
        let cleanups = self
            .with_hooks(|_, h| {
                if h.mount.is_empty() {
                    Vec::new()
                } else {
                    h.mounted = false;
                    std::mem::take(&mut h.cleanups)
                }
            })
            .unwrap_or_default();
        for cleanup in cleanups {
            cleanup();
        }
        if let Some(refresher) = self.refresher.refresher() {
            refresher.reset();
        }
        // Calls already queued still run (only unsubscribing cancels them,
        // as in Nano Stores); dropping an old guard later is a no-op.
        let slots = {
            let mut st = self.lock();
            let slots = st.listeners.take();
            self.mirror_listeners(&st);
            slots
        };
        drop(slots);
        self.off();
    }
}

/// Unbinds a listener whose first call panicked.
struct UnbindOnPanic<'a, Kd: Kind>(&'a Arc<Slot<Kd>>);

impl<Kd: Kind> Drop for UnbindOnPanic<'_, Kd> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.clone().unbind();
        }
    }
}

/// A listener on its way into the list (see `Hooks::joining`); dropped
/// only if a lifecycle hook panicked before it arrived.
struct Joining<'a, Kd: Kind>(&'a Core<Kd>);

impl<Kd: Kind> Drop for Joining<'_, Kd> {
    fn drop(&mut self) {
        self.0
            .with_hooks(|_, h| h.joining = h.joining.saturating_sub(1));
    }
}

struct UnmarkOnPanic<'a, Kd: Kind>(&'a Core<Kd>);

impl<Kd: Kind> Drop for UnmarkOnPanic<'_, Kd> {
    fn drop(&mut self) {
        self.0.with_hooks(|_, h| h.mounted = false);
    }
}

struct ResetStarting<'a, Kd: Kind>(&'a Core<Kd>);

impl<Kd: Kind> Drop for ResetStarting<'_, Kd> {
    fn drop(&mut self) {
        self.0.with_hooks(|_, h| h.starting = false);
    }
}

impl<Kd: Kind> Unbind for Slot<Kd> {
    fn unbind(self: Arc<Self>) {
        if let Some(core) = self.core.upgrade() {
            core.unbind(&self);
        } else {
            self.active.store(false, Ordering::Release);
        }
    }
}

/// Calls or queues one call per listener when every listener is bare:
/// a queued call is the listener alone.
fn deliver_bare<Kd: Kind>(slots: Listeners<Kd>) {
    match engine::begin() {
        engine::Delivery::Now => {
            for slot in slots.iter() {
                engine::run_guarded(|| engine::Call::call(&**slot));
            }
            engine::finish();
        }
        engine::Delivery::Queue { .. } => match slots {
            Listeners::One(slot) => {
                let cb = slot.cb;
                engine::enqueue_calls(std::iter::once((cb, slot as Arc<dyn engine::Call>)));
            }
            Listeners::Many(slots) => engine::enqueue_calls(
                slots
                    .iter()
                    .map(|s| (s.cb, s.clone() as Arc<dyn engine::Call>)),
            ),
        },
    }
}

/// One notification in the queue.
struct RoundImpl<Kd: Kind> {
    core: Arc<Core<Kd>>,
    old: Option<Arc<V<Kd>>>,
    key: Option<K<Kd>>,
    slots: Listeners<Kd>,
    /// The value last read and its version: listeners get the value at the
    /// time of their call, re-read only when the store changed meanwhile.
    cache: RefCell<(u64, Arc<V<Kd>>)>,
}

impl<Kd: Kind> Round for RoundImpl<Kd> {
    fn deliver(&self, index: usize) {
        let slot = &self.slots[index];
        if !slot.active.load(Ordering::Acquire) {
            return;
        }
        let version = self.core.version();
        if self.cache.borrow().0 != version {
            let st = self.core.lock();
            if let Some(value) = &st.value {
                let fresh = (self.core.version(), value.clone());
                drop(st);
                *self.cache.borrow_mut() = fresh;
            }
        }
        // The queue never delivers one round re-entrantly (a drain does not
        // nest), so the cache can stay borrowed during the call.
        let cache = self.cache.borrow();
        slot.call(&cache.1, self.old.as_deref(), self.key.as_ref());
    }
}

/// Type-erased access used by computed stores and effects to read and follow
/// their dependencies.
#[doc(hidden)]
pub trait Node: Send + Sync + 'static {
    /// `get()`, erased, with the version of the value read.
    fn get_any(&self) -> Option<(u64, Arc<dyn Any + Send + Sync>)>;
    /// See `Core::pull`.
    fn pull(&self) -> Option<u64>;
    /// The version now, without refreshing or any other side effect.
    fn current_version(&self) -> u64;
    /// `get_any`, also telling whether the value read is the same as
    /// `prev` (an earlier `get_any` result) for this store: the same
    /// snapshot, or equal by the store's equality. One lock for both.
    fn read_since(
        &self,
        prev: Option<&Arc<dyn Any + Send + Sync>>,
    ) -> Option<(u64, Arc<dyn Any + Send + Sync>, bool)>;
    /// Listens without looking at values.
    fn listen_any(&self, cb: u64, f: Arc<dyn Fn() + Send + Sync>) -> Subscription;
}

impl<Kd: Kind> Node for Core<Kd> {
    fn get_any(&self) -> Option<(u64, Arc<dyn Any + Send + Sync>)> {
        self.refresh_cache();
        self.get_any_current()
    }

    fn pull(&self) -> Option<u64> {
        Core::pull(self)
    }

    fn current_version(&self) -> u64 {
        self.version()
    }

    fn read_since(
        &self,
        prev: Option<&Arc<dyn Any + Send + Sync>>,
    ) -> Option<(u64, Arc<dyn Any + Send + Sync>, bool)> {
        self.refresh_cache();
        self.read_since_current(prev)
    }

    fn listen_any(&self, cb: u64, f: Arc<dyn Fn() + Send + Sync>) -> Subscription {
        Subscription::new(self.add_slot(cb, Listener::Bare(f)).0)
    }
}

impl<Kd: Kind> Core<Kd> {
    /// [`Node::get_any`] for a store already refreshed.
    pub(crate) fn get_any_current(&self) -> Option<(u64, Arc<dyn Any + Send + Sync>)> {
        self.read_current(|_, _| ())
            .map(|(version, value, ())| (version, value as Arc<dyn Any + Send + Sync>))
    }

    /// [`Node::read_since`] for a store already refreshed.
    pub(crate) fn read_since_current(
        &self,
        prev: Option<&Arc<dyn Any + Send + Sync>>,
    ) -> Option<(u64, Arc<dyn Any + Send + Sync>, bool)> {
        let (version, value, same) = self.read_current(|st, value| {
            prev.is_some_and(|prev| {
                std::ptr::addr_eq(Arc::as_ptr(prev), Arc::as_ptr(value))
                    || prev
                        .downcast_ref::<V<Kd>>()
                        .is_some_and(|prev| (st.eq)(prev, value))
            })
        })?;
        Some((version, value as Arc<dyn Any + Send + Sync>, same))
    }
}
