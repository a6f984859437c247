//! Stores are shared across threads without losing writes or deadlocking.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::Arc;

use nanostate::*;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn stores_and_subscriptions_are_send_and_sync() {
    assert_send_sync::<Atom<String>>();
    assert_send_sync::<MapStore<String, Vec<u8>>>();
    assert_send_sync::<Computed<u64>>();
    assert_send_sync::<Subscription>();
}

#[test]
fn listener_runs_on_the_thread_that_wrote() {
    let a = Atom::new(0);
    let seen = Arc::new(std::sync::Mutex::new(None));
    let s = seen.clone();
    let _sub = a.listen(move |_, _| *s.lock().unwrap() = Some(std::thread::current().id()));
    let writer = std::thread::spawn({
        let a = a.clone();
        move || {
            a.set(1);
            std::thread::current().id()
        }
    })
    .join()
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), Some(writer));
}

/// 8 threads × 100,000 mixed operations on shared stores: atomic updates,
/// per-key map updates, listeners coming and going. Exact totals prove that
/// no write was lost; finishing proves there was no deadlock.
#[test]
fn stress_eight_threads_mixed_operations_lose_no_write() {
    const THREADS: u64 = 8;
    const OPS: u64 = 100_000;
    let counter = Atom::new(0u64);
    let cart: MapStore<u64, u64> = MapStore::new(MapValue::new());
    let total = Computed::new(&cart, |m| m.values().sum::<u64>());
    let calls = Arc::new(AtomicU64::new(0));
    let c = calls.clone();
    let _watch = total.listen(move |_, _| {
        c.fetch_add(1, SeqCst);
    });
    let expected_counter = AtomicU64::new(0);
    let expected_cart = AtomicU64::new(0);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (counter, cart, total) = (&counter, &cart, &total);
            let (expected_counter, expected_cart) = (&expected_counter, &expected_cart);
            s.spawn(move || {
                let mut subs = Vec::new();
                for i in 0..OPS {
                    match i % 8 {
                        0..=3 => {
                            counter.update(|n| n + 1);
                            expected_counter.fetch_add(1, SeqCst);
                        }
                        4 | 5 => {
                            cart.update_key(i % 16, |q| Some(q.copied().unwrap_or(0) + 1));
                            expected_cart.fetch_add(1, SeqCst);
                        }
                        6 => subs.push(counter.listen(|_, _| {})),
                        _ => {
                            subs.pop();
                            if i % 64 == 7 {
                                let _ = total.get();
                            }
                        }
                    }
                }
                let _ = t;
            });
        }
    });
    assert_eq!(counter.get(), expected_counter.load(SeqCst));
    assert_eq!(counter.get(), THREADS * OPS / 2);
    assert_eq!(cart.with(|m| m.values().sum::<u64>()), THREADS * OPS / 4);
    assert_eq!(total.get(), THREADS * OPS / 4);
    assert_eq!(counter.listener_count(), 0);
    assert!(calls.load(SeqCst) > 0);
}

/// Writes on other threads move the global epoch at any time; a computed
/// store read re-entrantly during its own refresh must still keep its result.
#[test]
fn computed_result_survives_unrelated_writes_on_other_threads() {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let noise = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let other = Atom::new(0u64);
            let mut i = 0;
            while !stop.load(SeqCst) {
                i += 1;
                other.set(i);
            }
        })
    };
    for round in 0..2_000 {
        let a = Atom::new(round);
        let c = Computed::new(&a, |a| a * 10).with_initial(-1);
        let c2 = c.clone();
        // Dropped after the round: a hook holding its own store is a cycle.
        let _hook = on_set(&c, move |_| {
            let _ = c2.get();
        });
        assert_eq!(c.get(), round * 10, "round {round}");
    }
    stop.store(true, SeqCst);
    noise.join().unwrap();
}

/// Regression (found by the soak run): an unmount timer that fires while
/// the store is being mounted (its `on_mount` hook still running on one
/// thread, the timer firing on another) took the cleanups before the
/// hook's cleanup was pushed and marked the store unmounted, so that
/// cleanup ran one mount late, or never. Here the timer fires from inside
/// the hook, which is the same interleaving made deterministic: a listener
/// on its way in keeps the store mounted.
#[test]
fn unmount_timer_firing_during_a_mount_keeps_the_mounts_cleanup() {
    let clock = runtime::ManualClock::new();
    let _guard = clock.install();
    let a = Atom::new(0);
    let mounts = Arc::new(AtomicU64::new(0));
    let cleanups = Arc::new(AtomicU64::new(0));
    let (m, c, tick) = (mounts.clone(), cleanups.clone(), clock.clone());
    let _hook = on_mount(&a, move |_| {
        if m.fetch_add(1, SeqCst) == 1 {
            tick.advance(1000); // the stale timer of the first unmount fires
        }
        let c = c.clone();
        move || {
            c.fetch_add(1, SeqCst);
        }
    });
    // Two quick listen/unbind pairs leave two unmount timers, 10 ms apart.
    drop(a.listen(|_, _| {}));
    clock.advance(10);
    drop(a.listen(|_, _| {}));
    clock.advance(990); // the first timer: unmounted, one cleanup
    assert_eq!((mounts.load(SeqCst), cleanups.load(SeqCst)), (1, 1));
    // The second timer fires during the second mount.
    let sub = a.listen(|_, _| {});
    assert_eq!((mounts.load(SeqCst), cleanups.load(SeqCst)), (2, 1));
    drop(sub);
    clock.advance(1000);
    assert_eq!((mounts.load(SeqCst), cleanups.load(SeqCst)), (2, 2));
}

/// The same interleaving for a computed store, whose own mount subscribes
/// it to its dependencies: losing that cleanup left it listening to them
/// after its last listener left.
#[test]
fn unmount_timer_firing_during_a_computed_mount_unsubscribes_it_later() {
    let clock = runtime::ManualClock::new();
    let _guard = clock.install();
    let a = Atom::new(1);
    let doubled = Computed::new(&a, |a| a * 2);
    let tick = clock.clone();
    let fired = Arc::new(AtomicU64::new(0));
    let f = fired.clone();
    // An outer hook, so it runs before the computed's own mount completes.
    let _hook = on_mount(&doubled, move |_| {
        if f.fetch_add(1, SeqCst) == 1 {
            tick.advance(1000);
        }
    });
    drop(doubled.listen(|_, _| {}));
    clock.advance(10);
    drop(doubled.listen(|_, _| {}));
    clock.advance(990);
    assert_eq!(a.listener_count(), 0);
    let sub = doubled.listen(|_, _| {});
    assert_eq!(a.listener_count(), 1);
    drop(sub);
    clock.advance(1000);
    assert_eq!(a.listener_count(), 0, "the computed still listens to `a`");
}
