//! §2.1 atom (A1–A41).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use nanostate::{batch, on_mount, Atom, Computed, MapStore, MapValue, Store, Subscription};

use crate::support::{boom, clock, expect_panic, Log, Rec, SharedListener, SubSlot, NOTHING};

#[derive(Clone, Debug, PartialEq)]
struct Path {
    path: i32,
}

#[derive(Clone, Debug, PartialEq)]
struct Some_ {
    some: Path,
}

fn obj(path: i32) -> Some_ {
    Some_ {
        some: Path { path },
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Test {
    test: i32,
}

/// An `on_mount` that logs `init`, optionally sets `value`, and returns a
/// destructor logging `destroy`.
fn mount_with_destroy<T: PartialEq + Clone + Send + Sync + 'static>(
    store: &Atom<T>,
    value: Option<T>,
    events: &Log,
) -> Subscription {
    let (s, events) = (store.clone(), events.clone());
    on_mount(store, move |_| {
        if let Some(v) = value.clone() {
            s.set(v);
        }
        events.push("init");
        let events = events.clone();
        move || events.push("destroy")
    })
}

// A1: `init` has no nanostate counterpart (the initial value is not kept
// separately); `get()` and the side-effect-free `peek()` stand for
// `get()`/`value`.
#[test]
fn a1_get_and_peek_show_the_initial_then_the_changed_value() {
    let _clock = clock();
    let store = Atom::new("initial");
    assert_eq!(store.get(), "initial");
    assert_eq!(store.peek().as_deref(), Some(&"initial"));

    store.set("changed");
    assert_eq!(store.get(), "changed");
    assert_eq!(store.peek().as_deref(), Some(&"changed"));
}

#[test]
fn a2_listen_is_called_on_each_change_with_the_current_value() {
    let _clock = clock();
    let store = Atom::new(obj(0));
    let seen = Rec::<Some_>::new();
    let (s, log) = (store.clone(), seen.clone());
    let _sub = store.listen(move |value, _old| {
        assert_eq!(*value, s.get());
        log.push(value.clone());
    });

    store.set(obj(1));
    store.set(obj(2));
    assert_eq!(seen.take(), [obj(1), obj(2)]);
    assert_eq!(store.get(), obj(2));
}

#[test]
fn a3_subscribe_is_called_at_once_and_on_each_change_with_the_current_value() {
    let _clock = clock();
    let store = Atom::new(obj(0));
    let seen = Rec::<Some_>::new();
    let (s, log) = (store.clone(), seen.clone());
    let _sub = store.subscribe(move |value, _old| {
        assert_eq!(*value, s.get());
        log.push(value.clone());
    });

    store.set(obj(1));
    store.set(obj(2));
    assert_eq!(seen.take(), [obj(0), obj(1), obj(2)]);
    assert_eq!(store.get(), obj(2));
}

// `atom()` without a value is `Atom<Option<T>>` starting at `None`.
#[test]
fn a4_atom_without_value_starts_undefined_and_subscribers_collect_every_value() {
    let _clock = clock();
    let store: Atom<Option<Test>> = Atom::new(None);
    assert_eq!(store.peek().as_deref(), Some(&None));

    let values = Rec::<Option<Test>>::new();
    let _n1 = store.listen(|_, _| {});
    let _n2 = store.listen(|_, _| {});
    let _n3 = store.listen(|_, _| {});
    let log = values.clone();
    let _sub = store.subscribe(move |value, _old| log.push(value.clone()));

    store.set(Some(Test { test: 2 }));
    store.set(Some(Test { test: 3 }));
    assert_eq!(store.get(), Some(Test { test: 3 }));
    assert_eq!(
        values.take(),
        [None, Some(Test { test: 2 }), Some(Test { test: 3 })]
    );
}

#[test]
fn a5_on_mount_runs_at_the_first_listener_and_destroys_after_the_last_one_leaves() {
    let clock = clock();
    let events = Log::new();
    let store = Atom::new(String::new());
    let _mount = mount_with_destroy(&store, Some("initial".to_string()), &events);
    assert_eq!(events.all(), NOTHING);

    let listener = |n: u32| {
        let events = events.clone();
        move |value: &String, _old: &String| events.push(format!("{n}: {value}"))
    };

    let l1 = store.listen(listener(1));
    assert_eq!(events.all(), ["init"]);

    let l2 = store.listen(listener(2));
    assert_eq!(events.all(), ["init"]);

    store.set("new".into());
    assert_eq!(events.all(), ["init", "1: new", "2: new"]);

    drop(l1);
    clock.run_all();
    assert_eq!(events.all(), ["init", "1: new", "2: new"]);

    store.set("new2".into());
    assert_eq!(events.all(), ["init", "1: new", "2: new", "2: new2"]);

    drop(l2);
    assert_eq!(events.all(), ["init", "1: new", "2: new", "2: new2"]);

    let l3 = store.listen(|_, _| {});
    clock.run_all();
    assert_eq!(events.all(), ["init", "1: new", "2: new", "2: new2"]);

    drop(l3);
    assert_eq!(events.all(), ["init", "1: new", "2: new", "2: new2"]);

    clock.run_all();
    assert_eq!(
        events.all(),
        ["init", "1: new", "2: new", "2: new2", "destroy"]
    );
}

#[test]
fn a6_listening_and_leaving_twice_in_a_row_destroys_once() {
    let clock = clock();
    let events = Log::new();
    let store = Atom::new(String::new());
    let _mount = mount_with_destroy(&store, None, &events);

    drop(store.listen(|_, _| {}));
    drop(store.listen(|_, _| {}));
    clock.run_all();
    assert_eq!(events.all(), ["init", "destroy"]);
}

// A7: Rust closures have no identity, so "the same function" is one `Arc`
// shared by two registrations.
#[test]
fn a7_a_listener_registered_twice_is_called_twice_until_each_registration_leaves() {
    let clock = clock();
    let events = Log::new();
    let store = Atom::new(String::new());
    let _mount = mount_with_destroy(&store, None, &events);

    let log = events.clone();
    let listener: Arc<dyn Fn(&String) + Send + Sync> = Arc::new(move |v| log.push(v.clone()));
    let (f1, f2) = (listener.clone(), listener.clone());
    let first = store.listen(move |v, _| f1(v));
    let second = store.listen(move |v, _| f2(v));
    assert_eq!(events.take(), ["init"]);

    store.set("1".into());
    assert_eq!(events.take(), ["1", "1"]);

    drop(first);
    clock.run_all();
    store.set("2".into());
    assert_eq!(events.take(), ["2"]);

    drop(second);
    clock.run_all();
    assert_eq!(events.take(), ["destroy"]);
}

// A8: `Subscription::unsubscribe` takes `self`, so calling it twice does not
// compile; the port checks that one unsubscribe removes exactly one listener
// and that the guard's later drop (already spent) removes nothing more.
#[test]
fn a8_unsubscribing_one_listener_removes_only_that_listener() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(0);
    let first = store.listen(|_, _| {});
    let log = events.clone();
    let _second = store.listen(move |v, _| log.push(format!("second {v}")));

    first.unsubscribe();
    assert_eq!(store.listener_count(), 1);

    store.set(1);
    assert_eq!(store.listener_count(), 1);
    assert_eq!(events.take(), ["second 1"]);
}

#[test]
fn a9_subscribe_sees_the_value_set_by_on_mount() {
    let clock = clock();
    let events = Log::new();
    let store = Atom::new(String::new());
    let s = store.clone();
    let log = events.clone();
    let _hook = on_mount(&store, move |_| {
        s.set("initial".into());
        let log = log.clone();
        move || log.push("destroy")
    });

    let log = events.clone();
    let sub = store.subscribe(move |v, _| log.push(v.clone()));
    assert_eq!(events.all(), ["initial"]);

    store.set("new".into());
    assert_eq!(events.all(), ["initial", "new"]);

    drop(sub);
    clock.run_all();
    assert_eq!(events.all(), ["initial", "new", "destroy"]);
}

#[test]
fn a10_a_remount_runs_on_mount_again_and_overwrites_a_value_set_while_unmounted() {
    let clock = clock();
    let events = Log::new();
    let store = Atom::new(String::new());
    let _mount = mount_with_destroy(&store, Some("0".to_string()), &events);

    let log = events.clone();
    let sub = store.subscribe(move |v, _| log.push(v.clone()));
    store.set("1".into());
    drop(sub);
    clock.run_all();
    store.set("2".into());

    let log = events.clone();
    let _sub = store.subscribe(move |v, _| log.push(v.clone()));
    assert_eq!(events.all(), ["init", "0", "1", "destroy", "init", "0"]);
}

#[test]
fn a11_subscribe_to_an_undefined_atom_without_hooks() {
    let _clock = clock();
    let events = Rec::<Option<String>>::new();
    let store: Atom<Option<String>> = Atom::new(None);
    let log = events.clone();
    let _sub = store.subscribe(move |v, _| log.push(v.clone()));
    assert_eq!(events.all(), [None]);

    store.set(Some("new".into()));
    assert_eq!(events.all(), [None, Some("new".to_string())]);
}

#[test]
fn a12_on_mount_may_return_a_destructor_only_sometimes() {
    let clock = clock();
    let events = Log::new();
    let destroyable = Arc::new(AtomicBool::new(true));
    let store = Atom::new(0);
    let (log, flag) = (events.clone(), destroyable.clone());
    let _hook = on_mount(&store, move |_| {
        log.push("init");
        if flag.load(Ordering::SeqCst) {
            let log = log.clone();
            Some(move || log.push("destroy"))
        } else {
            None
        }
    });

    drop(store.listen(|_, _| {}));
    clock.run_all();
    assert_eq!(events.all(), ["init", "destroy"]);

    destroyable.store(false, Ordering::SeqCst);
    drop(store.listen(|_, _| {}));
    clock.run_all();
    assert_eq!(events.all(), ["init", "destroy", "init"]);
}

#[test]
fn a13_listener_removed_during_drain_is_not_called_and_added_one_waits_for_next_change() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(0);
    let b = SubSlot::new();

    let (s, log, b2) = (store.clone(), events.clone(), b.clone());
    let _a = store.listen(move |v, _| {
        log.push(format!("a{v}"));
        let log = log.clone();
        s.listen(move |v, _| log.push(format!("c{v}"))).keep();
        if *v > 1 {
            b2.cancel();
        }
    });
    let log = events.clone();
    b.put(store.listen(move |v, _| log.push(format!("b{v}"))));

    store.set(1);
    assert_eq!(events.all(), ["a1", "b1"]);

    store.set(2);
    assert_eq!(events.all(), ["a1", "b1", "a2", "c2"]);
}

#[test]
fn a14_a_listener_unsubscribed_by_an_earlier_listener_of_another_store_is_not_called() {
    let _clock = clock();
    let events = Log::new();
    let a = Atom::new(0);
    let b = Atom::new(0);
    let b1 = SubSlot::new();

    let (log, b_, slot) = (events.clone(), b.clone(), b1.clone());
    let _a1 = a.listen(move |v, _| {
        log.push(format!("a1_{v}"));
        b_.set(1);
        slot.cancel();
    });
    let log = events.clone();
    let _a2 = a.listen(move |v, _| log.push(format!("a2_{v}")));
    let log = events.clone();
    b1.put(b.listen(move |v, _| log.push(format!("b1_{v}"))));

    a.set(1);
    assert_eq!(events.all(), ["a1_1", "a2_1"]);
}

#[test]
fn a15_every_queued_call_of_an_unsubscribed_listener_is_dropped() {
    let _clock = clock();
    let events = Log::new();
    let a = Atom::new(0);
    let b = Atom::new(0);
    let b1 = SubSlot::new();

    let (log, b_, slot) = (events.clone(), b.clone(), b1.clone());
    let _a1 = a.listen(move |v, _| {
        log.push(format!("a1_{v}"));
        b_.set(1);
        b_.set(2);
        slot.cancel();
    });
    let log = events.clone();
    let _a2 = a.listen(move |v, _| log.push(format!("a2_{v}")));
    let log = events.clone();
    b1.put(b.listen(move |v, _| log.push(format!("b1_{v}"))));

    a.set(1);
    assert_eq!(events.all(), ["a1_1", "a2_1"]);
}

#[test]
fn a16_unsubscribing_a_listener_that_already_ran_affects_only_later_changes() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(0);
    let a = SubSlot::new();

    let log = events.clone();
    a.put(store.listen(move |v, _| log.push(format!("a{v}"))));
    let (log, slot) = (events.clone(), a.clone());
    let _b = store.listen(move |v, _| {
        log.push(format!("b{v}"));
        slot.cancel();
    });
    let log = events.clone();
    let _c = store.listen(move |v, _| log.push(format!("c{v}")));

    store.set(1);
    assert_eq!(events.take(), ["a1", "b1", "c1"]);

    store.set(2);
    assert_eq!(events.take(), ["b2", "c2"]);
}

type Callback = Option<Arc<dyn Fn() + Send + Sync>>;

// A17: the store's value is the very function used as listener C (an `Arc`
// compared by pointer); unsubscribing C must match listener registrations
// only, never values.
#[test]
fn a17_unsubscribing_matches_listener_registrations_not_values() {
    let _clock = clock();
    let events = Log::new();
    let store: Atom<Callback> = Atom::with_eq(None, |a, b| match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    });
    let c_slot = SubSlot::new();

    let (log, slot) = (events.clone(), c_slot.clone());
    let _a = store.listen(move |_, _| {
        log.push("a");
        slot.cancel();
    });
    let log = events.clone();
    let _b = store.listen(move |_, _| log.push("b"));
    let log = events.clone();
    let c: Arc<dyn Fn() + Send + Sync> = Arc::new(move || log.push("c"));
    let c_listener = c.clone();
    c_slot.put(store.listen(move |_, _| c_listener()));

    store.set(Some(c));
    assert_eq!(events.all(), ["a", "b"]);
}

#[test]
fn a18_setting_an_equal_value_does_not_notify() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new("old");
    let log = events.clone();
    let _sub = store.subscribe(move |v, _| log.push(*v));
    events.take();

    store.set("old");
    assert_eq!(events.take(), NOTHING);

    store.set("new");
    assert_eq!(events.take(), ["new"]);
}

/// JS `Object.is` for numbers: `NaN` equals `NaN`, `0` differs from `-0`.
fn object_is(a: &f64, b: &f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

// A19: the JS default `eq` is `Object.is`; nanostate's default is `PartialEq`
// (documented), so the spec'd equality is given with `with_eq`. The next test
// pins the Rust default.
#[test]
fn a19_object_is_equality_skips_nan_and_tells_zero_from_negative_zero() {
    let _clock = clock();
    let calls = Rec::<f64>::new();
    let store = Atom::with_eq(f64::NAN, object_is);
    let log = calls.clone();
    let _sub = store.listen(move |v, _| log.push(*v));

    store.set(f64::NAN);
    assert_eq!(calls.len(), 0);

    store.set(0.0);
    store.set(-0.0);
    let seen = calls.take();
    assert_eq!(seen.len(), 2);
    assert!(seen[0] == 0.0 && seen[0].is_sign_positive());
    assert!(seen[1] == 0.0 && seen[1].is_sign_negative());
}

#[test]
fn a19_default_partial_eq_equality_for_floats() {
    let _clock = clock();
    let calls = Rec::<f64>::new();
    let store = Atom::new(f64::NAN);
    let log = calls.clone();
    let _sub = store.listen(move |v, _| log.push(*v));

    store.set(f64::NAN); // NaN != NaN under PartialEq: a change
    assert_eq!(calls.take().len(), 1);

    store.set(0.0);
    store.set(-0.0); // 0.0 == -0.0 under PartialEq: no change
    assert_eq!(calls.take(), [0.0]);
}

#[derive(Clone, Debug, PartialEq)]
struct User {
    id: u32,
    name: &'static str,
}

// A20: the identity check `get() === original` becomes `Arc::ptr_eq` on
// `peek()` snapshots.
#[test]
fn a20_custom_eq_keeps_the_original_value_when_equal() {
    let _clock = clock();
    let events = Rec::<User>::new();
    let store = Atom::new(User { id: 1, name: "a" });
    store.set_eq(|a, b| a.id == b.id);
    let original = store.peek().unwrap();
    let log = events.clone();
    let _sub = store.listen(move |v, _| log.push(v.clone()));

    store.set(User { id: 1, name: "b" });
    assert_eq!(events.take(), []);
    assert!(Arc::ptr_eq(&store.peek().unwrap(), &original));
    assert_eq!(store.get(), User { id: 1, name: "a" });

    store.set(User { id: 2, name: "c" });
    assert_eq!(events.take(), [User { id: 2, name: "c" }]);
}

#[test]
fn a21_listen_receives_the_old_value() {
    let _clock = clock();
    let olds = Rec::<i32>::new();
    let store = Atom::new(0);
    let log = olds.clone();
    let _sub = store.listen(move |_, old| log.push(*old));
    store.set(1);
    store.set(2);
    assert_eq!(olds.take(), [0, 1]);
}

#[test]
fn a22_subscribe_receives_no_old_value_first_then_the_old_values() {
    let _clock = clock();
    let olds = Rec::<Option<i32>>::new();
    let store = Atom::new(0);
    let log = olds.clone();
    let _sub = store.subscribe(move |_, old| log.push(old.copied()));
    store.set(1);
    store.set(2);
    assert_eq!(olds.take(), [None, Some(0), Some(1)]);
}

#[test]
fn a24_batch_calls_the_listener_once_with_the_final_and_the_pre_batch_values() {
    let _clock = clock();
    let calls = Rec::<(i32, i32)>::new();
    let store = Atom::new(0);
    let log = calls.clone();
    let _sub = store.listen(move |v, old| log.push((*v, *old)));

    batch(|| {
        store.set(1);
        store.set(2);
        store.set(3);
    });
    assert_eq!(calls.take(), [(3, 0)]);
}

#[test]
fn a26_batch_recomputes_a_listened_computed_once() {
    let _clock = clock();
    let events = Rec::<i32>::new();
    let a = Atom::new(0);
    let b = Atom::new(0);
    let sum = Computed::new2(&a, &b, |a, b| a + b);
    let log = events.clone();
    let _sub = sum.listen(move |v, _| log.push(*v));

    batch(|| {
        a.set(10);
        b.set(5);
    });
    assert_eq!(events.take(), [15]);
}

#[test]
fn a27_nested_batches_notify_once_after_the_outermost_one() {
    let _clock = clock();
    let events = Rec::<i32>::new();
    let store = Atom::new(0);
    let log = events.clone();
    let _sub = store.listen(move |v, _| log.push(*v));

    batch(|| {
        store.set(1);
        batch(|| {
            store.set(2);
            store.set(3);
        });
        assert_eq!(events.all(), []);
        store.set(4);
    });
    assert_eq!(events.take(), [4]);
}

#[test]
fn a28_writes_after_a_batch_notify_normally() {
    let _clock = clock();
    let events = Rec::<i32>::new();
    let store = Atom::new(0);
    let log = events.clone();
    let _sub = store.listen(move |v, _| log.push(*v));

    batch(|| store.set(1));
    assert_eq!(events.all(), [1]);

    store.set(2);
    assert_eq!(events.all(), [1, 2]);
}

#[test]
fn a30_a_panicking_batch_still_notifies_and_the_panic_propagates() {
    let _clock = clock();
    let events = Rec::<i32>::new();
    let store = Atom::new(0);
    let log = events.clone();
    let _sub = store.listen(move |v, _| log.push(*v));

    let message = expect_panic(|| {
        batch(|| {
            store.set(1);
            boom("batch body");
        })
    });
    assert_eq!(message, "batch body");
    assert_eq!(events.take(), [1]);
}

#[test]
fn a31_without_batch_listeners_run_in_write_order() {
    let _clock = clock();
    let events = Log::new();
    let a = Atom::new(0);
    let b = Atom::new(0);
    let log = events.clone();
    let _la = a.listen(move |v, _| log.push(format!("a={v}")));
    let log = events.clone();
    let _lb = b.listen(move |v, _| log.push(format!("b={v}")));

    a.set(1);
    b.set(2);
    assert_eq!(events.take(), ["a=1", "b=2"]);
}

// A32: nanostate has no public `notify()`; a forced notification (an `eq`
// that never matches, then a `set` of the current value) stands for the
// explicit `notify(0)` inside the batch.
#[test]
fn a32_a_forced_notification_inside_batch_is_deferred_and_merged() {
    let _clock = clock();
    let calls = Rec::<(i32, i32)>::new();
    let store = Atom::new(0);
    let log = calls.clone();
    let _sub = store.listen(move |v, old| log.push((*v, *old)));

    batch(|| {
        store.set(1);
        assert_eq!(calls.all(), []);
        store.set_eq(|_, _| false);
        store.set(1);
        assert_eq!(calls.all(), []);
    });
    assert_eq!(calls.take(), [(1, 0)]);
}

// A33: "one function listening to two stores" is one `Arc` closure
// registered on both atoms (Rust closures have no identity of their own).
#[test]
fn a33_one_listener_on_two_stores_is_called_once_per_batch() {
    let _clock = clock();
    let calls = Rec::<(i32, i32)>::new();
    let a = Atom::new(0);
    let b = Atom::new(0);
    let log = calls.clone();
    let listener: SharedListener<i32> = Arc::new(move |v, old| log.push((*v, *old)));
    let (la, lb) = (listener.clone(), listener.clone());
    let _sa = a.listen(move |v, old| la(v, old));
    let _sb = b.listen(move |v, old| lb(v, old));

    batch(|| {
        a.set(1);
        b.set(2);
    });
    // Deliberate divergence: a Rust closure has no identity, so the two
    // registrations are two listeners and each runs once for the batch (in
    // Nano Stores one *function* on two stores runs once). Every batch still
    // calls each registration at most once, with final values.
    assert_eq!(calls.take(), [(1, 0), (2, 0)]);
}

type Profile = MapStore<&'static str, String>;

fn profile() -> Profile {
    MapStore::new(MapValue::from([
        ("age", "0".to_string()),
        ("name", "A".into()),
    ]))
}

#[test]
fn a34_listen_keys_inside_batch_gets_no_changed_key() {
    let _clock = clock();
    let name_keys = Rec::<Option<&'static str>>::new();
    let age_keys = Rec::<Option<&'static str>>::new();
    let store = profile();
    let log = name_keys.clone();
    let _n = store.listen_keys(["name"], move |_, _, key| log.push(key.copied()));
    let log = age_keys.clone();
    let _a = store.listen_keys(["age"], move |_, _, key| log.push(key.copied()));

    batch(|| {
        store.set_key("name", "B".into());
        store.set_key("age", "1".into());
    });
    assert_eq!(name_keys.take(), [None]);
    assert_eq!(age_keys.take(), [None]);
}

#[test]
fn a35_nested_batches_of_map_writes_notify_once_with_the_final_value() {
    let _clock = clock();
    let names = Log::new();
    let store = profile();
    let log = names.clone();
    let _sub = store.listen(move |v, _, _| log.push(v.get("name").cloned().unwrap_or_default()));

    batch(|| {
        store.set_key("name", "B".into());
        batch(|| {
            store.set_key("name", "C".into());
            store.set_key("name", "D".into());
        });
        assert_eq!(names.all(), NOTHING);
        store.set_key("name", "E".into());
    });
    assert_eq!(names.take(), ["E"]);
}

// The JS map holds a string and a number; here both values are strings.
#[test]
fn a36_map_listener_in_batch_sees_all_final_keys_and_no_changed_key() {
    let _clock = clock();
    let calls = Rec::<(String, String, Option<&'static str>)>::new();
    let store = profile();
    let log = calls.clone();
    let _sub = store.listen(move |v, _, key| {
        log.push((
            v.get("name").cloned().unwrap(),
            v.get("age").cloned().unwrap(),
            key.copied(),
        ))
    });

    batch(|| {
        store.set_key("name", "B".into());
        store.set_key("age", "1".into());
    });
    assert_eq!(calls.take(), [("B".to_string(), "1".to_string(), None)]);
}

#[test]
fn a37_two_whole_sets_in_a_batch_notify_once_without_key() {
    let _clock = clock();
    let keys = Rec::<Option<&'static str>>::new();
    let store = profile();
    let log = keys.clone();
    let _sub = store.listen(move |_, _, key| log.push(key.copied()));

    batch(|| {
        store.set(MapValue::from([
            ("age", "1".to_string()),
            ("name", "B".into()),
        ]));
        store.set(MapValue::from([
            ("age", "2".to_string()),
            ("name", "C".into()),
        ]));
    });
    assert_eq!(keys.take(), [None]);
}

#[test]
fn a38_a_panicking_listener_does_not_break_later_writes() {
    let _clock = clock();
    let events = Rec::<i32>::new();
    let a = Atom::new(0);
    let b = Atom::new(0);
    let _la = a.listen(|_, _| boom("listener of a"));
    let log = events.clone();
    let _lb = b.listen(move |v, _| log.push(*v));

    assert_eq!(expect_panic(|| a.set(1)), "listener of a");
    b.set(2);
    assert_eq!(events.take(), [2]);
}

#[test]
fn a39_a_panicking_listener_does_not_stop_the_other_listeners() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(0);
    let log = events.clone();
    let _first = store.listen(move |_, _| log.push("first"));
    let _second = store.listen(|_, _| boom("second"));
    let log = events.clone();
    let _third = store.listen(move |_, _| log.push("third"));

    assert_eq!(expect_panic(|| store.set(1)), "second");
    assert_eq!(events.take(), ["first", "third"]);
}

#[test]
fn a40_a_panicking_listener_in_a_batch_flush_still_lets_the_others_run() {
    let _clock = clock();
    let events = Log::new();
    let a = Atom::new(0);
    let b = Atom::new(0);
    let _la = a.listen(|_, _| boom("listener of a"));
    let log = events.clone();
    let _lb = b.listen(move |v, _| log.push(format!("b={v}")));

    let message = expect_panic(|| {
        batch(|| {
            a.set(1);
            b.set(1);
        })
    });
    assert_eq!(message, "listener of a");
    assert_eq!(events.all(), ["b=1"]);

    b.set(2);
    assert_eq!(events.all(), ["b=1", "b=2"]);
}

#[test]
fn a41_a_panicking_listener_does_not_stop_a_computed_from_updating() {
    let _clock = clock();
    let events = Rec::<i32>::new();
    let a = Atom::new(0);
    let _la = a.listen(|_, _| boom("listener of a"));
    let double = Computed::new(&a, |x| x * 2);
    let log = events.clone();
    let _ld = double.listen(move |v, _| log.push(*v));

    assert_eq!(expect_panic(|| a.set(5)), "listener of a");
    assert_eq!(events.all(), [10]);
    assert_eq!(double.get(), 10);

    assert_eq!(expect_panic(|| a.set(6)), "listener of a");
    assert_eq!(events.all(), [10, 12]);
    assert_eq!(double.get(), 12);
}
