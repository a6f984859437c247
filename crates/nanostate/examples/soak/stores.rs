//! The shared stores and counters every worker uses, and the mount probes.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use nanostate::{
    atom, computed, map, on_mount, Atom, Computed, MapStore, MapValue, Store, Subscription,
};

use crate::checks::ensure;
use crate::UNMOUNT_DELAY;

// Shared `static` stores, written by every thread.
pub(crate) static COUNTER: Atom<u64> = atom(0);
pub(crate) static TOTALS: MapStore<u32, u64> = map();
pub(crate) static OWNED: MapStore<usize, u64> = map();
pub(crate) static PAIR: MapStore<u8, u64> = map();
pub(crate) static LAST: Atom<u64> = atom(0);
pub(crate) static DOUBLED: Computed<u64> = computed(&COUNTER, |n| n * 2);
pub(crate) static KEY_SUM: Computed<u64> = computed(&TOTALS, |m| m.values().sum());
static MOUNT_STATIC: Atom<u64> = atom(0);

// Global tallies, and what the watchdog and error messages read.
pub(crate) static MOUNTS: AtomicU64 = AtomicU64::new(0);
pub(crate) static CLEANUPS: AtomicU64 = AtomicU64::new(0);
pub(crate) static EFFECT_RUNS: AtomicU64 = AtomicU64::new(0);
pub(crate) static EFFECT_CLEANUPS: AtomicU64 = AtomicU64::new(0);
pub(crate) static SEQUENCE: AtomicU64 = AtomicU64::new(0);
pub(crate) static PHASE_NO: AtomicU64 = AtomicU64::new(0);
pub(crate) static PHASE_STARTED_MS: AtomicU64 = AtomicU64::new(0);
pub(crate) static START: OnceLock<Instant> = OnceLock::new();
static HANDLES: OnceLock<Handles> = OnceLock::new();

/// Run-time (handle) stores shared by all threads; they live for the whole
/// run, so they are leaked to get `'static` references.
pub(crate) struct Handles {
    pub(crate) counter: &'static Atom<u64>,
    pub(crate) totals: &'static MapStore<u32, u64>,
    pub(crate) probes: Vec<&'static Probe>,
}

pub(crate) fn handles() -> &'static Handles {
    HANDLES.get().expect("handles are created at start")
}

/// A store with an `on_mount` hook that counts mounts and cleanups.
pub(crate) struct Probe {
    pub(crate) name: &'static str,
    pub(crate) mounts: AtomicU64,
    pub(crate) cleanups: AtomicU64,
    pub(crate) listen: Box<dyn Fn() -> Subscription + Send + Sync>,
    pub(crate) read: Box<dyn Fn() + Send + Sync>,
    pub(crate) listeners: Box<dyn Fn() -> usize + Send + Sync>,
}

impl Probe {
    /// Checks, in an order safe under concurrency, that no cleanup ran
    /// without its mount.
    pub(crate) fn check_balance(&self) {
        let cleanups = self.cleanups.load(SeqCst);
        let mounts = self.mounts.load(SeqCst);
        ensure!(
            cleanups <= mounts,
            "on_mount cleanups never exceed mounts",
            "{}: {cleanups} cleanups for {mounts} mounts",
            self.name
        );
    }
}

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

/// Wraps `store` in a [`Probe`] and installs its counting `on_mount` hook;
/// `on_mounted(n)` runs inside the hook for the n-th mount.
fn probe<S: Store>(
    name: &'static str,
    store: &'static S,
    on_mounted: impl Fn(u64) + Send + Sync + 'static,
) -> &'static Probe {
    let p: &'static Probe = leak(Probe {
        name,
        mounts: AtomicU64::new(0),
        cleanups: AtomicU64::new(0),
        listen: Box::new(move || nanostate::listen(store, |_, _| {})),
        read: Box::new(move || drop(store.snapshot())),
        listeners: Box::new(move || store.listener_count()),
    });
    on_mount(store, move |_| {
        let n = p.mounts.fetch_add(1, SeqCst) + 1;
        MOUNTS.fetch_add(1, SeqCst);
        on_mounted(n);
        move || {
            p.cleanups.fetch_add(1, SeqCst);
            CLEANUPS.fetch_add(1, SeqCst);
            p.check_balance();
        }
    })
    .keep();
    p
}

/// Creates the handle stores and the mount probes; shortens every unmount
/// delay so that many mount cycles happen. One probe's mount hook takes
/// 200 µs, as one that starts real work would.
pub(crate) fn init_stores() {
    let counter = leak(Atom::new(0u64));
    let totals = leak(MapStore::new(MapValue::new()));
    let self_writing = leak(Atom::new(0u64));
    let keyed: &'static MapStore<u8, u64> = leak(MapStore::new(MapValue::new()));
    let view = leak(Computed::new(counter, |n| n + 1));
    let slow = leak(Atom::new(0u64));
    DOUBLED.set_unmount_delay(UNMOUNT_DELAY);
    KEY_SUM.set_unmount_delay(UNMOUNT_DELAY);
    MOUNT_STATIC.set_unmount_delay(UNMOUNT_DELAY);
    self_writing.set_unmount_delay(UNMOUNT_DELAY);
    keyed.set_unmount_delay(UNMOUNT_DELAY);
    view.set_unmount_delay(UNMOUNT_DELAY);
    slow.set_unmount_delay(UNMOUNT_DELAY);
    let mut probes = vec![
        probe("static atom", &MOUNT_STATIC, |_| {}),
        probe(
            "handle atom writing itself on mount",
            self_writing,
            move |n| self_writing.set(n),
        ),
        probe("handle map writing a key on mount", keyed, move |n| {
            keyed.set_key(0, n)
        }),
        probe("computed over the handle counter", view, |_| {}),
    ];
    probes.push(probe("handle atom with a slow mount hook", slow, |_| {
        std::thread::sleep(Duration::from_micros(200))
    }));
    let _ = HANDLES.set(Handles {
        counter,
        totals,
        probes,
    });
}
