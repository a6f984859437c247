//! A panicking listener is contained: other listeners run, the store keeps
//! working, and the panic surfaces after the queue drained.

use std::panic::{catch_unwind, AssertUnwindSafe};

use nanostate::*;

use crate::support::Log;

fn quiet<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    catch_unwind(AssertUnwindSafe(f))
}

#[test]
fn panicking_listener_does_not_stop_the_others_and_resurfaces_after_the_drain() {
    let a = Atom::new(0);
    let b = Atom::new(0);
    let log = Log::new();
    let l = log.clone();
    let _first = a.listen(move |n, _| l.push(format!("first {n}")));
    let b2 = b.clone();
    let _second = a.listen(move |_, _| {
        b2.set(1); // queued, must still run
        panic!("boom");
    });
    let l = log.clone();
    let _third = a.listen(move |n, _| l.push(format!("third {n}")));
    let l = log.clone();
    let _b = b.listen(move |n, _| l.push(format!("b {n}")));
    let result = quiet(|| a.set(1));
    let payload = result.expect_err("the panic is re-raised by set()");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    assert_eq!(log.take(), ["first 1", "third 1", "b 1"]);
}

#[test]
fn store_is_neither_poisoned_nor_silenced_after_a_listener_panicked() {
    let a = Atom::new(0);
    let log = Log::new();
    let _bad = a.listen(|n, _| {
        if *n == 1 {
            panic!("only once")
        }
    });
    let l = log.clone();
    let _good = a.listen(move |n, _| l.push(n.to_string()));
    assert!(quiet(|| a.set(1)).is_err());
    a.set(2);
    a.update(|n| n + 1);
    assert_eq!(a.get(), 3);
    assert_eq!(log.take(), ["1", "2", "3"]);
}

#[test]
fn last_panic_wins_when_several_listeners_panic() {
    let a = Atom::new(0);
    let _one = a.listen(|_, _| panic!("one"));
    let _two = a.listen(|_, _| panic!("two"));
    let payload = quiet(|| a.set(1)).unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"two"));
}

#[test]
fn panic_in_batch_body_still_delivers_queued_listeners() {
    let a = Atom::new(0);
    let log = Log::new();
    let l = log.clone();
    let _sub = a.listen(move |n, _| l.push(n.to_string()));
    let result = quiet(|| {
        batch(|| {
            a.set(1);
            panic!("body");
        })
    });
    assert!(result.is_err());
    assert_eq!(log.take(), ["1"]);
    a.set(2);
    assert_eq!(log.take(), ["2"]);
}

#[test]
fn computed_listener_still_runs_after_an_earlier_listener_panicked() {
    // Spec A41.
    let a = Atom::new(1);
    let _bad = a.listen(|_, _| panic!("bad"));
    let double = Computed::new(&a, |a| a * 2);
    let log = Log::new();
    let l = log.clone();
    let _sub = double.listen(move |n, _| l.push(n.to_string()));
    assert!(quiet(|| a.set(5)).is_err());
    assert_eq!(double.get(), 10);
    assert!(quiet(|| a.set(6)).is_err());
    assert_eq!(log.take(), ["10", "12"]);
}

#[test]
fn subscribe_whose_first_call_panics_leaves_no_listener_behind() {
    let a = Atom::new(1);
    let log = Log::new();
    let l = log.clone();
    let result = quiet(|| {
        a.subscribe(move |v, _| {
            l.push(format!("call {v}"));
            panic!("first call");
        })
    });
    assert!(result.is_err(), "the panic reaches the caller");
    assert_eq!(a.listener_count(), 0);
    a.set(2);
    assert_eq!(log.take(), ["call 1"]);
}
