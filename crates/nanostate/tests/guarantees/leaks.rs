//! Every dropped subscription frees its listener; stores free their memory.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use nanostate::runtime::ManualClock;
use nanostate::*;

/// Counts how many of its clones have been dropped.
#[derive(Clone)]
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[test]
fn dropping_a_subscription_frees_the_listener_closure() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let a = Atom::new(0);
    let subs: Vec<_> = (0..100)
        .map(|_| {
            let counter = DropCounter(dropped.clone());
            a.listen(move |_, _| {
                let _ = &counter;
            })
        })
        .collect();
    a.set(1);
    assert_eq!(dropped.load(SeqCst), 0);
    drop(subs);
    assert_eq!(dropped.load(SeqCst), 100);
    assert_eq!(a.listener_count(), 0);
}

#[test]
fn dropping_subscriptions_inside_a_notification_frees_them_after_it() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let a = Atom::new(0);
    let holder = Arc::new(std::sync::Mutex::new(Vec::new()));
    for _ in 0..10 {
        let counter = DropCounter(dropped.clone());
        let h = holder.clone();
        holder.lock().unwrap().push(a.listen(move |_, _| {
            let _ = &counter;
            h.lock().unwrap().clear();
        }));
    }
    a.set(1);
    assert_eq!(dropped.load(SeqCst), 10);
}

#[test]
fn computed_releases_its_dependencies_and_closure_after_unmount() {
    let clock = ManualClock::new();
    let _g = clock.install();
    let dropped = Arc::new(AtomicUsize::new(0));
    let a = Atom::new(1);
    let counter = DropCounter(dropped.clone());
    let c = Computed::new(&a, move |a| {
        let _ = &counter;
        a + 1
    });
    let sub = c.listen(|_, _| {});
    assert_eq!(a.listener_count(), 1);
    drop(sub);
    clock.advance(1000);
    assert_eq!(
        a.listener_count(),
        0,
        "dependency listener removed after the delay"
    );
    drop(c);
    assert_eq!(
        dropped.load(SeqCst),
        1,
        "the compute closure is freed with the store"
    );
}

#[test]
fn dropped_run_time_store_frees_its_value() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let a = Atom::with_eq(DropCounter(dropped.clone()), |_, _| false);
    let sub = a.listen(|_, _| {});
    a.set(DropCounter(dropped.clone()));
    assert_eq!(
        dropped.load(SeqCst),
        1,
        "the old value is freed after the notification"
    );
    drop(sub);
    drop(a);
    assert_eq!(dropped.load(SeqCst), 2);
}
