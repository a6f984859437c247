//! Loom models of the store core: every interleaving of the listed threads
//! (up to loom's preemption bound) is explored with the real store code,
//! whose mutex, version counter and listener flags are loom's under
//! `--cfg loom`. Run with `cargo xtask loom`.
#![cfg(loom)]

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use loom::thread;
use nanostate::{on_mount, Atom};

/// Two threads each add 1 twice with `update`: the optimistic
/// read-modify-write never loses a write.
#[test]
fn concurrent_updates_lose_no_write() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    loom::model(|| {
        RUNS.fetch_add(1, SeqCst);
        let a = Atom::new(0u32);
        let b = a.clone();
        let t = thread::spawn(move || {
            b.update(|n| n + 1);
            b.update(|n| n + 1);
        });
        a.update(|n| n + 1);
        a.update(|n| n + 1);
        t.join().unwrap();
        assert_eq!(a.get(), 4);
    });
    // The model is not vacuous: loom explored many interleavings.
    assert!(
        RUNS.load(SeqCst) > 10,
        "explored {} interleavings",
        RUNS.load(SeqCst)
    );
    println!(
        "concurrent_updates_lose_no_write: {} interleavings",
        RUNS.load(SeqCst)
    );
}

/// A write races with a listener being dropped: no deadlock, the listener
/// count ends at zero, and a listener dropped before the write started is
/// never called.
#[test]
fn set_racing_with_unsubscribe_is_consistent() {
    loom::model(|| {
        let a = Atom::new(0u32);
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let sub = a.listen(move |_, _| {
            c.fetch_add(1, SeqCst);
        });
        let b = a.clone();
        let t = thread::spawn(move || b.set(1));
        drop(sub);
        t.join().unwrap();
        assert!(calls.load(SeqCst) <= 1);
        assert_eq!(a.listener_count(), 0);
        a.set(2);
        assert!(
            calls.load(SeqCst) <= 1,
            "no call after the drop happened-before the write"
        );
    });
}

/// Two threads subscribe at once to a store with an `on_mount` hook: it is
/// mounted exactly once, and both listeners are registered.
#[test]
fn concurrent_first_listeners_mount_once() {
    loom::model(|| {
        let a = Atom::new(0u32);
        let mounts = Arc::new(AtomicUsize::new(0));
        let m = mounts.clone();
        on_mount(&a, move |_| {
            m.fetch_add(1, SeqCst);
        })
        .keep();
        let b = a.clone();
        let t = thread::spawn(move || b.listen(|_, _| {}).keep());
        a.listen(|_, _| {}).keep();
        t.join().unwrap();
        assert_eq!(mounts.load(SeqCst), 1);
        assert_eq!(a.listener_count(), 2);
    });
}

/// Two threads write while a listener is registered: each write is delivered
/// on its own thread and the store ends with one of the written values.
#[test]
fn concurrent_sets_each_notify_and_converge() {
    loom::model(|| {
        let a = Atom::new(0u32);
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        a.listen(move |_, _| {
            c.fetch_add(1, SeqCst);
        })
        .keep();
        let b = a.clone();
        let t = thread::spawn(move || b.set(1));
        a.set(2);
        t.join().unwrap();
        let last = a.get();
        assert!(last == 1 || last == 2);
        // The second write is skipped only if it equals the first: never here.
        assert_eq!(calls.load(SeqCst), 2);
    });
}
