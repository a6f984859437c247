//! §2.2 map (M1–M19; MP1 is production mode, not ported).

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use nanostate::{on_mount, MapStore, MapValue, Store, Subscription};

use crate::support::{clock, js, json, Log, Rec, SubSlot, NOTHING};

type Num = MapStore<&'static str, i64>;

fn num(entries: &[(&'static str, i64)]) -> MapValue<&'static str, i64> {
    entries.iter().copied().collect()
}

/// An `on_mount` that sets the given keys, logs `init` and returns a
/// destructor logging `destroy`.
fn mount_with_destroy(
    store: &Num,
    keys: &'static [(&'static str, i64)],
    events: &Log,
) -> Subscription {
    let (s, events) = (store.clone(), events.clone());
    on_mount(store, move |_| {
        for (k, v) in keys {
            s.set_key(k, *v);
        }
        events.push("init");
        let events = events.clone();
        move || events.push("destroy")
    })
}

// M1: `init` has no counterpart; `get()` and `peek()` stand for
// `get()`/`value`.
#[test]
fn m1_get_and_peek_follow_set_key_and_set() {
    let _clock = clock();
    let store = MapStore::new(MapValue::from([("value", "initial")]));
    assert_eq!(store.get(), MapValue::from([("value", "initial")]));
    assert_eq!(
        store.peek().as_deref(),
        Some(&MapValue::from([("value", "initial")]))
    );

    store.set_key("value", "changed");
    assert_eq!(store.get(), MapValue::from([("value", "changed")]));
    assert_eq!(
        store.peek().as_deref(),
        Some(&MapValue::from([("value", "changed")]))
    );

    store.set(MapValue::from([("value", "changed again")]));
    assert_eq!(store.get(), MapValue::from([("value", "changed again")]));
    assert_eq!(
        store.peek().as_deref(),
        Some(&MapValue::from([("value", "changed again")]))
    );
}

#[test]
fn m2_on_mount_runs_at_the_first_listener_and_listeners_get_the_changed_key() {
    let clock = clock();
    let events = Log::new();
    let store = Num::new(MapValue::new());
    let _mount = mount_with_destroy(&store, &[("a", 0), ("b", 0)], &events);
    assert_eq!(events.all(), NOTHING);

    let listener = |n: u32| {
        let events = events.clone();
        move |v: &MapValue<&'static str, i64>,
              _: &MapValue<&'static str, i64>,
              key: Option<&&'static str>| {
            events.push(format!("{n}: {} {}", js(key), json(v)))
        }
    };

    let l1 = store.listen(listener(1));
    assert_eq!(events.all(), ["init"]);

    let l2 = store.listen(listener(2));
    assert_eq!(events.all(), ["init"]);

    store.set_key("a", 1);
    assert_eq!(
        events.all(),
        ["init", r#"1: a {"a":1,"b":0}"#, r#"2: a {"a":1,"b":0}"#]
    );

    drop(l1);
    clock.run_all();
    assert_eq!(events.len(), 3);

    store.set_key("b", 1);
    assert_eq!(
        events.all(),
        [
            "init",
            r#"1: a {"a":1,"b":0}"#,
            r#"2: a {"a":1,"b":0}"#,
            r#"2: b {"a":1,"b":1}"#
        ]
    );

    drop(l2);
    assert_eq!(events.len(), 4);

    let l3 = store.listen(|_, _, _| {});
    clock.run_all();
    assert_eq!(events.len(), 4);

    drop(l3);
    assert_eq!(events.len(), 4);

    clock.run_all();
    assert_eq!(
        events.all(),
        [
            "init",
            r#"1: a {"a":1,"b":0}"#,
            r#"2: a {"a":1,"b":0}"#,
            r#"2: b {"a":1,"b":1}"#,
            "destroy"
        ]
    );
}

#[test]
fn m3_listening_and_leaving_twice_in_a_row_destroys_once() {
    let clock = clock();
    let events = Log::new();
    let store = Num::new(MapValue::new());
    let _mount = mount_with_destroy(&store, &[], &events);

    drop(store.listen(|_, _, _| {}));
    drop(store.listen(|_, _, _| {}));
    clock.run_all();
    assert_eq!(events.all(), ["init", "destroy"]);
}

// M4: "the same listener twice" is one `Arc` closure behind two
// registrations.
#[test]
fn m4_a_listener_registered_twice_is_called_twice_until_each_registration_leaves() {
    let clock = clock();
    let events = Log::new();
    let store = Num::new(MapValue::new());
    let _mount = mount_with_destroy(&store, &[], &events);

    let log = events.clone();
    type L = dyn Fn(&MapValue<&'static str, i64>, Option<&&'static str>) + Send + Sync;
    let listener: Arc<L> = Arc::new(move |v, key| {
        if let Some(k) = key {
            log.push(format!("{k}: {}", js(v.get(k))));
        }
    });
    let (f1, f2) = (listener.clone(), listener.clone());
    let first = store.listen(move |v, _, k| f1(v, k));
    let second = store.listen(move |v, _, k| f2(v, k));
    assert_eq!(events.take(), ["init"]);

    store.set_key("a", 1);
    assert_eq!(events.take(), ["a: 1", "a: 1"]);

    drop(first);
    clock.run_all();
    store.set_key("a", 2);
    assert_eq!(events.take(), ["a: 2"]);

    drop(second);
    clock.run_all();
    assert_eq!(events.take(), ["destroy"]);
}

#[test]
fn m5_subscribe_sees_the_keys_set_by_on_mount() {
    let clock = clock();
    let events = Log::new();
    let store = Num::new(MapValue::new());
    let s = store.clone();
    let log = events.clone();
    let _hook = on_mount(&store, move |_| {
        s.set_key("a", 0);
        let log = log.clone();
        move || log.push("destroy")
    });

    let log = events.clone();
    let sub = store.subscribe(move |v, _, key| log.push(format!("{}: {}", js(key), json(v))));
    assert_eq!(events.all(), [r#"undefined: {"a":0}"#]);

    store.set_key("a", 1);
    assert_eq!(events.all(), [r#"undefined: {"a":0}"#, r#"a: {"a":1}"#]);

    drop(sub);
    clock.run_all();
    assert_eq!(
        events.all(),
        [r#"undefined: {"a":0}"#, r#"a: {"a":1}"#, "destroy"]
    );
}

#[test]
fn m6_a_remount_runs_on_mount_again_and_overwrites_writes_made_while_unmounted() {
    let clock = clock();
    let events = Log::new();
    let store = Num::new(MapValue::new());
    let _mount = mount_with_destroy(&store, &[("a", 0)], &events);

    let subscriber = || {
        let log = events.clone();
        move |v: &MapValue<&'static str, i64>,
              _: Option<&MapValue<&'static str, i64>>,
              _: Option<&&'static str>| { log.push(js(v.get("a"))) }
    };
    let sub = store.subscribe(subscriber());
    store.set_key("a", 1);
    drop(sub);
    clock.run_all();

    store.set(num(&[("a", 2)]));
    store.set_key("a", 3);

    let _sub = store.subscribe(subscriber());
    assert_eq!(events.all(), ["init", "0", "1", "destroy", "init", "0"]);
}

#[test]
fn m7_subscribe_gets_no_key_first_then_the_changed_key() {
    let _clock = clock();
    let keys = Rec::<Option<&'static str>>::new();
    let store = Num::new(MapValue::new());
    let log = keys.clone();
    let _sub = store.subscribe(move |_, _, key| log.push(key.copied()));
    assert_eq!(keys.all(), [None]);

    store.set_key("a", 1);
    assert_eq!(keys.all(), [None, Some("a")]);
}

#[test]
fn m8_on_mount_may_return_a_destructor_only_sometimes() {
    let clock = clock();
    let events = Log::new();
    let destroyable = Arc::new(AtomicBool::new(true));
    let store = Num::new(MapValue::new());
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

    drop(store.listen(|_, _, _| {}));
    clock.run_all();
    assert_eq!(events.all(), ["init", "destroy"]);

    destroyable.store(false, Ordering::SeqCst);
    drop(store.listen(|_, _, _| {}));
    clock.run_all();
    assert_eq!(events.all(), ["init", "destroy", "init"]);
}

#[test]
fn m9_whole_set_replaces_every_key_and_reports_no_changed_key() {
    let _clock = clock();
    let events = Log::new();
    let keys = Rec::<Option<&'static str>>::new();
    let store = Num::new(MapValue::new());
    let _mount = mount_with_destroy(&store, &[("a", 0), ("b", 0)], &events);
    let log = keys.clone();
    let _sub = store.listen(move |_, _, key| log.push(key.copied()));

    store.set(num(&[("a", 1), ("b", 0), ("c", 0)]));
    assert_eq!(store.get(), num(&[("a", 1), ("b", 0), ("c", 0)]));
    assert_eq!(keys.all(), [None]);

    store.set(num(&[("a", 1), ("b", 1)]));
    assert_eq!(store.get(), num(&[("a", 1), ("b", 1)]));
    assert_eq!(keys.all(), [None, None]);
}

// M10: in JS `set({one: 1})` passes a *new object*, which `Object.is` never
// equals to the current one. Rust values have no identity, so the store gets
// an `eq` that treats every whole value as new (`|_, _| false`); `set_key`
// keeps the default per-key equality. The next test pins nanostate's default
// (structural `PartialEq`).
#[test]
fn m10_set_key_of_an_equal_value_is_skipped_but_a_new_whole_object_notifies() {
    let _clock = clock();
    let keys = Rec::<Option<&'static str>>::new();
    let store = Num::new(num(&[("one", 1)]));
    store.set_eq(|_, _| false);
    let log = keys.clone();
    let _sub = store.listen(move |_, _, key| log.push(key.copied()));

    store.set_key("one", 1);
    assert_eq!(keys.all(), []);

    store.set(num(&[("one", 1)]));
    assert_eq!(keys.all(), [None]);
}

#[test]
fn m10_default_structural_eq_skips_an_equal_whole_set() {
    let _clock = clock();
    let keys = Rec::<Option<&'static str>>::new();
    let store = Num::new(num(&[("one", 1)]));
    let log = keys.clone();
    let _sub = store.listen(move |_, _, key| log.push(key.copied()));

    store.set_key("one", 1);
    store.set(num(&[("one", 1)]));
    assert_eq!(keys.all(), []);

    store.set(num(&[("one", 2)]));
    assert_eq!(keys.all(), [None]);
}

#[test]
fn m11_custom_key_eq_is_consulted_by_set_key() {
    thread_local! {
        static COMPARED: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
    }
    let _clock = clock();
    let keys = Rec::<Option<&'static str>>::new();
    let store = MapStore::new(MapValue::from([("name", "Ada".to_string())]));
    store.set_key_eq(|key, old, new| {
        COMPARED.with_borrow_mut(|c| c.push(*key));
        old.is_some_and(|o| o.eq_ignore_ascii_case(new))
    });
    let log = keys.clone();
    let _sub = store.listen(move |_, _, key| log.push(key.copied()));

    store.set_key("name", "ADA".into());
    assert_eq!(keys.all(), []);
    assert_eq!(COMPARED.with_borrow(Clone::clone), ["name"]);
    assert_eq!(store.get_key("name").as_deref(), Some("Ada"));

    store.set_key("name", "Grace".into());
    assert_eq!(keys.all(), [Some("name")]);
    assert_eq!(COMPARED.with_borrow(Clone::clone), ["name", "name"]);
}

// M12: "a different object" is checked with pointer equality of the new and
// the old snapshot handed to the subscriber (both alive during the call).
#[test]
fn m12_every_change_produces_a_new_map_snapshot() {
    let _clock = clock();
    let same = Rec::<bool>::new();
    let store = Num::new(num(&[("a", 0)]));
    let log = same.clone();
    let _sub = store.subscribe(move |v, old, _| {
        if let Some(old) = old {
            log.push(std::ptr::eq(v, old));
        }
    });

    store.set_key("a", 1);
    store.set(num(&[("a", 2)]));
    assert_eq!(same.all(), [false, false]);
}

#[test]
fn m13_deleting_a_key_notifies() {
    let _clock = clock();
    let keys = Rec::<Vec<&'static str>>::new();
    let store = Num::new(MapValue::new());
    let log = keys.clone();
    let _sub = store.listen(move |v, _, _| log.push(v.keys().copied().collect::<Vec<_>>()));

    store.set_key("a", 1);
    assert_eq!(keys.all(), [vec!["a"]]);

    store.delete_key(&"a");
    assert_eq!(keys.all(), [vec!["a"], vec![]]);
}

// M14: "`get()` is the original object" is `Arc::ptr_eq` on `peek()`.
#[test]
fn m14_whole_set_uses_eq_and_never_key_eq() {
    thread_local! {
        static KEY_EQ_CALLS: RefCell<u32> = const { RefCell::new(0) };
    }
    let _clock = clock();
    let keys = Rec::<Option<&'static str>>::new();
    let store = Num::new(num(&[("count", 1)]));
    store.set_eq(|a, b| a.get("count") == b.get("count"));
    store.set_key_eq(|_, _, _| {
        KEY_EQ_CALLS.with_borrow_mut(|n| *n += 1);
        false
    });
    let original = store.peek().unwrap();
    let log = keys.clone();
    let _sub = store.listen(move |_, _, key| log.push(key.copied()));

    store.set(num(&[("count", 1)]));
    assert_eq!(keys.all(), []);
    assert!(Arc::ptr_eq(&store.peek().unwrap(), &original));
    assert_eq!(KEY_EQ_CALLS.with_borrow(|n| *n), 0);

    store.set(num(&[("count", 2)]));
    assert_eq!(keys.all(), [None]);
    assert_eq!(KEY_EQ_CALLS.with_borrow(|n| *n), 0);
}

#[test]
fn m15_key_eq_gets_no_old_value_for_a_missing_key() {
    thread_local! {
        static OLD: RefCell<Vec<Option<i64>>> = const { RefCell::new(Vec::new()) };
    }
    let _clock = clock();
    let store = Num::new(MapValue::new());
    store.set_key_eq(|_, old, new| {
        OLD.with_borrow_mut(|o| o.push(old.copied()));
        old == Some(new)
    });

    store.set_key("a", 1);
    assert_eq!(OLD.with_borrow(Clone::clone), [None]);
    assert_eq!(store.get(), num(&[("a", 1)]));
}

#[test]
fn m16_deletion_ignores_key_eq() {
    let _clock = clock();
    let keys = Rec::<Vec<&'static str>>::new();
    let store = Num::new(num(&[("a", 1)]));
    store.set_key_eq(|_, _, _| true);
    let log = keys.clone();
    let _sub = store.listen(move |v, _, _| log.push(v.keys().copied().collect::<Vec<_>>()));

    store.set_key("a", 2);
    assert_eq!(keys.all(), Vec::<Vec<&str>>::new());

    store.delete_key(&"a");
    assert_eq!(keys.all(), [Vec::<&str>::new()]);
}

#[test]
fn m17_listener_removed_during_drain_is_not_called_and_added_one_waits_for_next_change() {
    let _clock = clock();
    let events = Log::new();
    let store = Num::new(num(&[("a", 0)]));
    let b = SubSlot::new();
    let c_subs = Arc::new(Mutex::new(Vec::new()));

    let (s, log, b2, cs) = (store.clone(), events.clone(), b.clone(), c_subs.clone());
    let _a = store.listen(move |v, _, _| {
        let a = v.get("a").copied().unwrap_or_default();
        log.push(format!("a{a}"));
        let log = log.clone();
        let c = s.listen(move |v, _, _| log.push(format!("c{}", js(v.get("a")))));
        cs.lock().unwrap().push(c);
        if a > 1 {
            b2.cancel();
        }
    });
    let log = events.clone();
    b.put(store.listen(move |v, _, _| log.push(format!("b{}", js(v.get("a"))))));

    store.set_key("a", 1);
    assert_eq!(events.all(), ["a1", "b1"]);

    store.set_key("a", 2);
    assert_eq!(events.all(), ["a1", "b1", "a2", "c2"]);
}

#[test]
fn m18_listen_receives_the_old_map() {
    let _clock = clock();
    let olds = Rec::<MapValue<&'static str, i64>>::new();
    let store = Num::new(num(&[("a", 0)]));
    let log = olds.clone();
    let _sub = store.listen(move |_, old, _| log.push(old.clone()));

    store.set_key("a", 1);
    store.set_key("a", 2);
    assert_eq!(olds.all(), [num(&[("a", 0)]), num(&[("a", 1)])]);
}

#[test]
fn m19_subscribe_receives_no_old_map_first_then_the_old_maps() {
    let _clock = clock();
    let olds = Rec::<Option<MapValue<&'static str, i64>>>::new();
    let store = Num::new(num(&[("a", 0)]));
    let log = olds.clone();
    let _sub = store.subscribe(move |_, old, _| log.push(old.cloned()));

    store.set_key("a", 1);
    store.set_key("a", 2);
    assert_eq!(
        olds.all(),
        [None, Some(num(&[("a", 0)])), Some(num(&[("a", 1)]))]
    );
}
