//! Regression tests for defects found by an independent review of the
//! core (each failed before its fix).

use nanostate::runtime::ManualClock;
use nanostate::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::SeqCst};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct DropFlag(Arc<AtomicBool>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, SeqCst);
    }
}
impl PartialEq for DropFlag {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Runs `f` on a thread; false if it did not finish within 3 s (deadlock).
fn finishes(f: impl FnOnce() + Send + 'static) -> bool {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    rx.recv_timeout(Duration::from_secs(3)).is_ok()
}

// 1. A write on another thread while a computed is computing is lost: the
// computed records the *new* epoch after computing from the *old* value.
#[test]
fn computed_is_not_stuck_on_a_result_older_than_a_write_from_another_thread() {
    let a = Atom::new(0);
    let (c, entered, resume) = super::support::computed_pausing_once(&a);
    let c2 = c.clone();
    let t = std::thread::spawn(move || c2.get());
    entered.wait(); // the computation has read a = 0
    a.set(1); // no listeners: epoch moves, nothing else
    resume.wait();
    // The racing read returns either value; the store must not stay stale.
    assert!(matches!(t.join().unwrap(), 0 | 1));
    assert_eq!(a.get(), 1);
    assert_eq!(
        c.get(),
        1,
        "computed stuck on a result from a stale argument"
    );
}

// 2. Two threads reading a computed for the first time: the second panics.
#[test]
fn computed_first_read_from_two_threads_at_once_does_not_panic() {
    let a = Atom::new(5);
    // Only the first computation pauses; the racing reader computes too.
    let (c, entered, resume) = super::support::computed_pausing_once(&a);
    let c2 = c.clone();
    let t = std::thread::spawn(move || c2.get());
    entered.wait();
    let second = catch_unwind(AssertUnwindSafe(|| c.get()));
    resume.wait();
    t.join().unwrap();
    assert_eq!(second.ok(), Some(5), "concurrent first read panicked");
}

// 3. `effect(..).keep()` cancels the effect at once.
#[test]
fn kept_effect_keeps_running() {
    // A `static` store: a kept effect keeps its stores alive for the rest
    // of the program (it listens to them and reads them), so over a
    // run-time store it would be a deliberate leak.
    static A: Atom<i32> = atom(0);
    let runs = Arc::new(AtomicU32::new(0));
    let r = runs.clone();
    effect(&A, move |_| {
        r.fetch_add(1, SeqCst);
    })
    .keep();
    A.set(1);
    assert_eq!(
        runs.load(SeqCst),
        2,
        "kept effect did not run after a change"
    );
}

// 4. Family stores are never freed: the mount hook captures the store.
#[test]
fn family_store_is_freed_after_unmount_and_drop() {
    let clock = ManualClock::new();
    let _g = clock.install();
    let dropped = Arc::new(AtomicBool::new(false));
    let d = dropped.clone();
    let fam: Family<u32, Atom<DropFlag>> =
        Family::new(move |_| Atom::new(DropFlag(d.clone())), |_, _| ());
    let s = fam.get(1);
    drop(s.listen(|_, _| {}));
    clock.advance(1000); // unmounted: removed from the cache
    assert_eq!(fam.len(), 0);
    drop(s);
    drop(fam);
    assert!(dropped.load(SeqCst), "family store (and its value) leaked");
}

// 5. listen_keys(..).keep() makes a cycle core -> slot -> closure -> core.
#[test]
fn kept_listen_keys_does_not_keep_the_store_alive() {
    let dropped = Arc::new(AtomicBool::new(false));
    let m: MapStore<u8, DropFlag> = MapStore::new([(1, DropFlag(dropped.clone()))].into());
    m.listen_keys([1], |_, _, _| {}).keep();
    drop(m);
    assert!(dropped.load(SeqCst), "map store leaked");
}

#[test]
fn kept_listen_does_not_keep_the_store_alive() {
    let dropped = Arc::new(AtomicBool::new(false));
    let m: MapStore<u8, DropFlag> = MapStore::new([(1, DropFlag(dropped.clone()))].into());
    m.listen(|_, _, _| {}).keep();
    drop(m);
    assert!(dropped.load(SeqCst));
}

// 6. A panic inside a timer callback is re-raised later by an unrelated set.
#[test]
fn timer_panic_surfaces_from_advance_not_from_a_later_set() {
    let clock = ManualClock::new();
    let _g = clock.install();
    let a = Atom::new(0);
    on_mount(&a, |_| || panic!("cleanup panicked")).keep();
    drop(a.listen(|_, _| {}));
    let at_advance = catch_unwind(AssertUnwindSafe(|| clock.advance(1000)));
    assert!(
        at_advance.is_err(),
        "the timer's panic surfaces from advance()"
    );
    let b = Atom::new(0);
    let _s = b.listen(|_, _| {});
    let r = catch_unwind(AssertUnwindSafe(|| b.set(1)));
    assert!(r.is_ok(), "b.set re-raised a panic from an earlier timer");
}

// 7. Removing the last on_mount hook drops pending cleanups under the
// store's lock; their drop runs user code (here: another store's on_stop)
// that reads the store -> self-deadlock.
#[test]
fn removing_a_mount_hook_drops_its_cleanups_outside_the_lock() {
    let ok = finishes(|| {
        let clock = ManualClock::new();
        let _g = clock.install();
        let a = Atom::new(0);
        let b = Atom::new(0);
        let a2 = a.clone();
        on_stop(&b, move |_| {
            let _ = a2.get();
        })
        .keep();
        let b2 = b.clone();
        let m = on_mount(&a, move |_| {
            let s = b2.listen(|_, _| {});
            move || drop(s)
        });
        drop(a.listen(|_, _| {})); // cleanup now pending
        drop(m);
    });
    assert!(ok, "deadlocked");
}

// 8. Concurrent effect runs lose a cleanup.
//
// The second write starts only once the first run is inside the effect:
// had it landed while the first run was reading, that run would already
// see both values and the second call would rightly be skipped, so the
// two runs would never overlap.
#[test]
fn concurrent_effect_runs_run_every_cleanup() {
    let a = Atom::new(0);
    let b = Atom::new(0);
    let runs = Arc::new(AtomicU32::new(0));
    let cleanups = Arc::new(AtomicU32::new(0));
    let inside = Arc::new(AtomicU32::new(0));
    let (r, c, here) = (runs.clone(), cleanups.clone(), inside.clone());
    let sub = effect2(&a, &b, move |x, y| {
        r.fetch_add(1, SeqCst);
        if *x + *y > 0 {
            // Both threads inside the effect at once (or a failure, not a hang).
            here.fetch_add(1, SeqCst);
            assert!(
                wait_until(|| here.load(SeqCst) == 2),
                "the two runs never overlapped"
            );
        }
        let c = c.clone();
        move || {
            c.fetch_add(1, SeqCst);
        }
    });
    let (a2, b2) = (a.clone(), b.clone());
    let t1 = std::thread::spawn(move || a2.set(1));
    assert!(
        wait_until(|| inside.load(SeqCst) == 1),
        "first run never started"
    );
    let t2 = std::thread::spawn(move || b2.set(1));
    t1.join().unwrap();
    t2.join().unwrap();
    drop(sub);
    assert_eq!(runs.load(SeqCst), 3);
    assert_eq!(
        cleanups.load(SeqCst),
        3,
        "a cleanup was dropped without running"
    );
}

/// Polls `done` for up to 3 s.
fn wait_until(done: impl Fn() -> bool) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while !done() {
        if std::time::Instant::now() > deadline {
            return false;
        }
        std::thread::yield_now();
    }
    true
}

// 9. A compute function that panics once while mounting leaves the computed
// marked mounted but not following its dependencies: listeners go deaf.
#[test]
fn computed_that_panicked_while_mounting_still_follows_its_dependencies() {
    let clock = ManualClock::new();
    let _g = clock.install();
    let a = Atom::new(0);
    let c = Computed::new(&a, |x| {
        if *x == 0 {
            panic!("bad input")
        }
        x * 2
    });
    assert!(catch_unwind(AssertUnwindSafe(|| c.listen(|_, _| {}))).is_err());
    a.set(1);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let _sub = c.listen(move |v, _| s.lock().unwrap().push(*v));
    a.set(2);
    assert_eq!(*seen.lock().unwrap(), [4], "listener never called");
    drop(_sub);
    clock.advance(1000);
    assert_eq!(a.listener_count(), 0, "still following after its unmount");
}

// 11. Stale computed after a panicking compute: epoch recorded before f ran.
#[test]
fn computed_recomputes_after_its_function_panicked() {
    let a = Atom::new(1);
    let fail = Arc::new(AtomicBool::new(false));
    let f2 = fail.clone();
    let c = Computed::new(&a, move |x| {
        if f2.load(SeqCst) {
            panic!("transient")
        }
        *x
    });
    let clock = ManualClock::new();
    let _g = clock.install();
    assert_eq!(c.get(), 1);
    clock.advance(1000); // unmounted again
    fail.store(true, SeqCst);
    a.set(2);
    assert!(catch_unwind(AssertUnwindSafe(|| c.get())).is_err());
    fail.store(false, SeqCst);
    assert_eq!(c.get(), 2, "returns the stale 1 without retrying");
    clock.advance(1000);
    assert_eq!(a.listener_count(), 0);
}

// 13. Two `static` computed stores that depend on each other fail with a
// clear message instead of hanging on first use.
#[test]
fn static_computed_cycle_fails_loudly_instead_of_hanging() {
    static A: Computed<i32> = computed(&B, |b| b + 1);
    static B: Computed<i32> = computed(&A, |a| a + 1);
    let ok = finishes(|| {
        let result = catch_unwind(AssertUnwindSafe(|| A.get()));
        let message = result.expect_err("a cycle is an error");
        let text = message
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| message.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        assert!(text.contains("cycle"), "message names the problem: {text}");
    });
    assert!(ok, "hung");
}
