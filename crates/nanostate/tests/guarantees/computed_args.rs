//! How a computed store decides that its arguments changed, and who owns
//! it while it is mounted.

use nanostate::runtime::ManualClock;
use nanostate::*;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

/// Equal when less than 0.5 apart: not transitive.
fn near(a: &f64, b: &f64) -> bool {
    (a - b).abs() < 0.5
}

#[test]
fn computed_compares_a_dependency_with_the_value_it_was_computed_from() {
    let x = Atom::with_eq(1.0f64, near);
    let runs = Arc::new(AtomicU32::new(0));
    let r = runs.clone();
    let c = Computed::new(&x, move |v| {
        r.fetch_add(1, SeqCst);
        *v
    });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let _sub = c.listen(move |v, _| log.lock().unwrap().push(*v));
    assert_eq!(runs.load(SeqCst), 1);
    // The computed looks once, after the batch, and finds 1.2: near the
    // 1.0 it was computed from, so it does not run.
    batch(|| {
        x.set(1.8);
        x.set(1.2);
    });
    assert_eq!(x.get(), 1.2);
    assert_eq!(runs.load(SeqCst), 1);
    // 0.7 is not near 1.2 (so x stores it) but is near 1.0, which is what
    // the computed compares with.
    x.set(0.7);
    assert_eq!(x.get(), 0.7);
    assert_eq!(runs.load(SeqCst), 1, "compared with 1.0, not with 1.2");
    assert_eq!(c.get(), 1.0);
    // 1.6 is not near 1.0: it runs.
    x.set(1.6);
    assert_eq!(runs.load(SeqCst), 2);
    assert_eq!(*seen.lock().unwrap(), [1.6]);
}

#[test]
fn computed_sees_the_newest_snapshot_of_an_equal_dependency_when_another_changed() {
    let x = Atom::with_eq(1.0f64, near);
    let y = Atom::new(0u32);
    let c = Computed::dynamic(vec![Source::new(&x), Source::new(&y)], |args| {
        (*args.get::<f64>(0).unwrap(), *args.get::<u32>(1).unwrap())
    });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let _sub = c.listen(move |v, _| log.lock().unwrap().push(*v));
    // x ends near its old value, but y changed: the computed runs on the
    // current values of both.
    batch(|| {
        x.set(1.8);
        x.set(1.2);
        y.set(1);
    });
    assert_eq!(*seen.lock().unwrap(), [(1.2, 1)]);
}

struct DropFlag(Arc<AtomicBool>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, SeqCst);
    }
}

#[test]
fn mounted_computed_keeps_notifying_after_its_handles_are_dropped_and_is_freed_after_unmount() {
    let clock = ManualClock::new();
    let _g = clock.install();
    let a = Atom::new(1);
    let freed = Arc::new(AtomicBool::new(false));
    let flag = DropFlag(freed.clone());
    let c = Computed::new(&a, move |n| {
        let _ = &flag;
        n * 10
    });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let sub = c.listen(move |n, _| log.lock().unwrap().push(*n));
    drop(c);
    a.set(2);
    assert_eq!(
        *seen.lock().unwrap(),
        [20],
        "the listener still hears changes"
    );
    assert!(!freed.load(SeqCst));
    drop(sub);
    clock.advance(1000);
    assert_eq!(a.listener_count(), 0);
    assert!(freed.load(SeqCst), "freed once unmounted and unreferenced");
}

#[test]
fn a_slower_older_refresh_does_not_replace_the_arguments_of_a_newer_one() {
    let a = Atom::new(0);
    // The first computation pauses after reading a = 0.
    let (c, entered, resume) = super::support::computed_pausing_once(&a);
    let c2 = c.clone();
    let older = std::thread::spawn(move || c2.get());
    entered.wait();
    a.set(1);
    // A newer refresh computes from a = 1 and commits 1.
    assert_eq!(c.get(), 1);
    resume.wait();
    // The older one (from a = 0) finishes last: its result is dropped, and
    // so must be its arguments.
    older.join().unwrap();
    assert_eq!(c.get(), 1);
    // Back to 0: compared with the arguments of the result (1), this is a
    // change; compared with the older refresh's (0), it would not be.
    a.set(0);
    assert_eq!(
        c.get(),
        0,
        "computed kept a result older than its arguments"
    );
}
