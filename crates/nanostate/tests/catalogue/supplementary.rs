//! §2.11 supplementary probed cases (X1–X28) that concern atom, map,
//! computed, batch, lifecycle and listen-keys. The others (deepMap, paths,
//! effect, tasks, mapCreator, JS-only) are listed in `main.rs`.

use std::sync::Arc;
use std::time::Duration;

use nanostate::runtime::Runtime;
use nanostate::{
    batch, clean_stores, on_mount, on_notify, on_set, on_start, on_stop, Atom, Computed, MapStore,
    MapValue, Proposed, Store,
};

use crate::support::{boom, clock, expect_panic, js, Log, Rec, SharedListener, SubSlot, NOTHING};

#[test]
fn x1_breadth_first_queue_reads_the_value_at_call_time() {
    let _clock = clock();
    let events = Log::new();
    let a = Atom::new(0);
    let b = Atom::new(0);
    let (log, a_, b_) = (events.clone(), a.clone(), b.clone());
    let _a1 = a.listen(move |v, old| {
        log.push(format!("A1({v},{old})"));
        if *old == 0 {
            b_.set(1);
            a_.set(2);
        }
    });
    let log = events.clone();
    let _a2 = a.listen(move |v, old| log.push(format!("A2({v},{old})")));
    let log = events.clone();
    let _b1 = b.listen(move |v, old| log.push(format!("B1({v},{old})")));

    a.set(1);
    assert_eq!(
        events.all(),
        ["A1(1,0)", "A2(2,0)", "B1(1,0)", "A1(2,1)", "A2(2,1)"]
    );
}

#[test]
fn x2_with_two_panicking_listeners_the_last_panic_is_raised() {
    let _clock = clock();
    let store = Atom::new(0);
    let _first = store.listen(|_, _| boom("first"));
    let _second = store.listen(|_, _| boom("second"));
    assert_eq!(expect_panic(|| store.set(1)), "second");
}

#[test]
fn x3_a_nested_set_returns_normally_and_the_outermost_set_raises() {
    let _clock = clock();
    let events = Log::new();
    let a = Atom::new(0);
    let b = Atom::new(0);
    let (log, b_) = (events.clone(), b.clone());
    let _l = a.listen(move |_, _| {
        b_.set(1);
        log.push("inner set returned");
    });
    let _lb = b.listen(|_, _| boom("listener of b"));

    assert_eq!(expect_panic(|| a.set(1)), "listener of b");
    assert_eq!(events.all(), ["inner set returned"]);
}

// X4: in JS the listener's error replaces the batch body's error (`finally`
// semantics, spec §1.5).
#[test]
fn x4_a_panic_of_a_flushed_listener_replaces_the_batch_body_panic() {
    let _clock = clock();
    let store = Atom::new(0);
    let _l = store.listen(|_, _| boom("listener"));
    let message = expect_panic(|| {
        batch(|| {
            store.set(1);
            boom("batch body");
        })
    });
    assert_eq!(message, "listener");
}

#[test]
fn x5_a_listener_already_called_in_a_batch_flush_is_not_queued_again() {
    let _clock = clock();
    let seen_b = Rec::<i32>::new();
    let a = Atom::new(0);
    let b = Atom::new(0);
    let log = seen_b.clone();
    let _lb = b.listen(move |v, _| log.push(*v));
    let b_ = b.clone();
    let _la = a.listen(move |_, _| b_.set(5));

    batch(|| {
        b.set(1);
        a.set(1);
    });
    assert_eq!(seen_b.all(), [1]);
    assert_eq!(b.get(), 5);
}

// X6: nanostores 1.5.2 still calls L (quirk Q1); nanostate fixes it: an
// unsubscribed listener is never called again, also inside `batch`.
#[test]
fn x6_a_listener_unsubscribed_inside_batch_is_not_called_q1_fixed() {
    let _clock = clock();
    let events = Log::new();
    let a = Atom::new(0);
    let log = events.clone();
    let l = a.listen(move |v, _| log.push(format!("L {v}")));
    batch(|| {
        a.set(1);
        drop(l);
    });
    assert_eq!(events.take(), NOTHING);

    // After an earlier drain.
    let b = Atom::new(0);
    let c = Atom::new(0);
    let log = events.clone();
    let _lb = b.listen(move |v, _| log.push(format!("Lb {v}")));
    let log = events.clone();
    let lc = c.listen(move |v, _| log.push(format!("Lc {v}")));
    b.set(5);
    assert_eq!(events.take(), ["Lb 5"]);
    batch(|| {
        b.set(1);
        c.set(1);
        drop(lc);
    });
    assert_eq!(events.take(), ["Lb 1"]);
}

// X7: "one listener on two stores" is one `Arc` closure registered on both.
#[test]
fn x7_one_listener_on_two_stores_in_a_batch_gets_the_first_notifying_store() {
    let _clock = clock();
    let calls = Rec::<(&'static str, &'static str)>::new();
    let a = Atom::new("a0");
    let b = Atom::new("b0");
    let log = calls.clone();
    let listener: SharedListener<&'static str> = Arc::new(move |v, old| log.push((*v, *old)));
    let (la, lb) = (listener.clone(), listener.clone());
    let _sa = a.listen(move |v, old| la(v, old));
    let _sb = b.listen(move |v, old| lb(v, old));

    batch(|| {
        b.set("b1");
        a.set("a1");
    });
    // Deliberate divergence (see a33): two registrations, two calls, each
    // once per batch, in the order the stores notified.
    assert_eq!(calls.all(), [("b1", "b0"), ("a1", "a0")]);
}

// X8: "registered twice" is one `Arc` closure behind two registrations.
#[test]
fn x8_unsubscribing_one_of_two_registrations_during_a_drain_skips_only_its_call() {
    let _clock = clock();
    let calls = Rec::<i32>::new();
    let store = Atom::new(0);
    let second = SubSlot::new();
    let slot = second.clone();
    let _earlier = store.listen(move |_, _| slot.cancel());
    let log = calls.clone();
    let listener: Arc<dyn Fn(&i32) + Send + Sync> = Arc::new(move |v| log.push(*v));
    let (l1, l2) = (listener.clone(), listener.clone());
    let _first = store.listen(move |v, _| l1(v));
    second.put(store.listen(move |v, _| l2(v)));

    store.set(1);
    // Deliberate divergence (see a33): unsubscribing one registration removes
    // only its own queued call; the other registration still runs.
    assert_eq!(calls.all(), [1]);
    assert_eq!(store.listener_count(), 2);

    // One registration remains and hears the next change.
    store.set(2);
    assert_eq!(calls.all(), [1, 2]);
}

#[test]
fn x9_on_set_runs_for_an_equal_value_but_on_notify_and_listeners_do_not() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(1);
    let log = events.clone();
    let _hook = on_set(&store, move |e| {
        if let Proposed::Value(v) = e.proposed() {
            log.push(format!("set {v}"));
        }
    });
    let log = events.clone();
    on_notify(&store, move |_| log.push("notify")).keep();
    let log = events.clone();
    let _sub = store.listen(move |v, _| log.push(format!("value {v}")));

    store.set(1);
    assert_eq!(events.all(), ["set 1"]);
}

// X10: JS reports `newValue` with an own `undefined` entry; here a deletion
// is `Proposed::Key(key, None)`.
#[test]
fn x10_on_set_sees_a_key_deletion() {
    let _clock = clock();
    let events = Log::new();
    let store = MapStore::new(MapValue::from([("a", 1)]));
    let log = events.clone();
    let _hook = on_set(&store, move |e| match e.proposed() {
        Proposed::Key(key, value) => log.push(format!("key {key} {}", js(value.copied()))),
        Proposed::Value(_) => log.push("whole"),
    });

    store.delete_key(&"a");
    assert_eq!(events.all(), ["key a undefined"]);
    assert!(store.get().is_empty());
}

// X11: nanostores 1.5.2 leaves the computed at 10 (quirk Q4); nanostate
// fixes it: an aborted notification still moves the epoch, so the computed
// is not stale.
#[test]
fn x11_an_aborted_on_notify_does_not_leave_a_computed_stale_q4_fixed() {
    let _clock = clock();
    let a = Atom::new(1);
    on_notify(&a, |e| e.abort()).keep();
    let tens = Computed::new(&a, |x| x * 10);
    let _sub = tens.listen(|_, _| {});
    assert_eq!(tens.get(), 10);

    a.set(2);
    assert_eq!(a.get(), 2);
    assert_eq!(tens.get(), 20);
}

#[test]
fn x12_batched_fires_on_the_next_tick_and_get_is_synchronous() {
    let clock = clock();
    let events = Log::new();
    let x = Atom::new(1);
    let y = Atom::new(1);
    let sum = Computed::batched2(&x, &y, |x, y| x + y);
    let log = events.clone();
    let _sub = sum.listen(move |v, _| log.push(format!("sum {v}")));

    x.set(2);
    y.set(3);
    let log = events.clone();
    clock
        .manual()
        .set_timeout(Duration::ZERO, Box::new(move || log.push("timeout")));
    assert_eq!(events.all(), NOTHING);
    clock.advance(0);
    assert_eq!(events.take(), ["sum 5", "timeout"]);

    x.set(10);
    y.set(20);
    assert_eq!(sum.get(), 30);
    assert_eq!(events.take(), ["sum 30"]);
    clock.run_all();
    assert_eq!(events.take(), NOTHING);
}

#[test]
fn x13_get_on_an_unlistened_computed_mounts_it_for_the_unmount_delay() {
    let clock = clock();
    let runs = Log::new();
    let dep = Atom::new(1);
    let log = runs.clone();
    let doubled = Computed::new(&dep, move |x| {
        log.push("run");
        x * 2
    });

    assert_eq!(doubled.get(), 2);
    assert_eq!(dep.listener_count(), 1);
    assert_eq!(runs.len(), 1);

    dep.set(2);
    assert_eq!(runs.len(), 2, "recomputed eagerly while mounted");

    clock.advance(1000);
    assert_eq!(dep.listener_count(), 0);

    dep.set(3);
    assert_eq!(runs.len(), 2);
    assert_eq!(doubled.get(), 6);
    assert_eq!(runs.len(), 3);
}

#[test]
fn x14_the_unmount_timer_is_not_restarted_by_a_relisten() {
    let clock = clock();
    let events = Log::new();
    let store = Atom::new(0);
    let log = events.clone();
    let _hook = on_mount(&store, move |_| {
        let log = log.clone();
        move || log.push("destroy")
    });

    drop(store.listen(|_, _| {}));
    clock.advance(500);
    let sub = store.listen(|_, _| {});
    clock.advance(300);
    drop(sub);
    clock.advance(199);
    assert_eq!(events.all(), NOTHING);
    clock.advance(1);
    assert_eq!(events.all(), ["destroy"]);
}

// X15: in nanostores 1.5.2 removing the onStart hook throws away the onMount
// wrapper installed after it (quirk Q3); nanostate fixes it: other kinds keep
// working.
#[test]
fn x15_removing_on_start_hooks_keeps_on_mount_working_q3_fixed() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(0);
    let log = events.clone();
    let start = on_start(&store, move |_| log.push("start"));
    let log = events.clone();
    on_mount(&store, move |_| log.push("mount")).keep();

    drop(start);
    let _sub = store.listen(|_, _| {});
    assert_eq!(events.all(), ["mount"]);
}

#[test]
fn x16_the_kind_installed_last_runs_first() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(0);
    let log = events.clone();
    on_start(&store, move |_| log.push("start1")).keep();
    let log = events.clone();
    on_mount(&store, move |_| log.push("mount1")).keep();
    let log = events.clone();
    on_start(&store, move |_| log.push("start2")).keep();
    let log = events.clone();
    on_mount(&store, move |_| log.push("mount2")).keep();

    let _sub = store.listen(|_, _| {});
    assert_eq!(events.all(), ["mount2", "mount1", "start2", "start1"]);
}

#[test]
fn x24_clean_stores_runs_on_stop_of_a_never_listened_store() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(0);
    let log = events.clone();
    on_stop(&store, move |_| log.push("stop")).keep();

    clean_stores(&[&store]);
    assert_eq!(events.all(), ["stop"]);
}

#[test]
fn x25_a_listener_added_during_a_drain_waits_for_the_next_change() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(0);
    let added = SubSlot::new();
    let (log, s, slot) = (events.clone(), store.clone(), added.clone());
    let _adder = store.listen(move |v, _| {
        log.push(format!("adder {v}"));
        if *v == 1 {
            let log = log.clone();
            slot.put(s.listen(move |v, _| log.push(format!("added {v}"))));
        }
    });

    store.set(1);
    assert_eq!(events.take(), ["adder 1"]);

    store.set(2);
    assert_eq!(events.take(), ["adder 2", "added 2"]);
}

#[test]
fn x26_a_user_on_mount_on_a_computed_runs_before_it_follows_its_dependencies() {
    let _clock = clock();
    let events = Log::new();
    let dep = Atom::new(1);
    let doubled = Computed::new(&dep, |x| x * 2);
    let (log, c, d) = (events.clone(), doubled.clone(), dep.clone());
    let _hook = on_mount(&doubled, move |_| {
        log.push(format!(
            "value {:?}, dependency listeners {}",
            c.peek(),
            d.listener_count()
        ))
    });

    let _sub = doubled.listen(|_, _| {});
    assert_eq!(events.all(), ["value None, dependency listeners 0"]);
    assert_eq!(doubled.get(), 2);
}
