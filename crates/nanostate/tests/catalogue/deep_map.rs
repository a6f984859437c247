//! §2.4 deepMap (D1–D22; DP1 is production mode, not ported) and the path
//! helpers (P1–P10); from §2.7 the deepMap cases of listenKeys (LK9, LK10);
//! from §2.11 X17, X18 and X27. Then a deterministic fuzz loop over paths
//! and values.
//!
//! Adaptations, as in `map.rs`: "a new equal object" is a change in
//! JavaScript (`===` compares objects by identity) but not under
//! nanostate's default structural equality, so the tests that rely on it
//! (D9, X27) build their store with [`Deep::same`], Nano Stores'
//! identity comparison, and a companion test pins the default. Object
//! identity is `Deep::same` on containers (`Arc::ptr_eq`). JavaScript's
//! lenient paths (X17) are typed [`PathError`]s here; holes are `None`
//! slots, so `undefined` entries (P2) are simply absent.
//!
//! [`PathError`]: nanostate::PathError

use std::sync::{Arc, Mutex};

use nanostate::{
    batch, clean_stores, computed, deep, deep_map, delete_path, get_path, keep_mount, on_mount,
    on_notify, on_set, parse_path, set_path, Computed, Deep, DeepMapStore, MapStore, PathErrorKind,
    Proposed, Segment, Store, Subscription, MAX_DEPTH, MAX_INDEX,
};

use crate::support::{clock, js, Log, Rec, SubSlot, NOTHING};

/// `deepMap(value)` with Nano Stores' equality: objects by identity.
fn js_store(value: Deep) -> DeepMapStore {
    DeepMapStore::with_eq(value, Deep::same, |_, old, new| {
        old.is_some_and(|o| Deep::same(o, new))
    })
}

/// `${key}` of a listener: the path or `undefined`.
fn key(path: Option<&str>) -> String {
    js(path)
}

/// An `on_mount` that sets the given keys, logs `init` and returns a
/// destructor logging `destroy`.
fn mount_with_destroy(
    store: &DeepMapStore,
    keys: &'static [(&'static str, i64)],
    events: &Log,
) -> Subscription {
    let (s, events) = (store.clone(), events.clone());
    on_mount(store, move |_| {
        for (k, v) in keys {
            s.set_key(k, (*v).into()).unwrap();
        }
        events.push("init");
        let events = events.clone();
        move || events.push("destroy")
    })
}

/// The string at `path` (`""` if there is none).
fn text(v: &Deep, path: &str) -> String {
    get_path(v, path)
        .unwrap()
        .and_then(Deep::as_str)
        .unwrap_or_default()
        .to_string()
}

/// `String(value.a)` of a deep map value.
fn a_of(v: &Deep) -> String {
    js(get_path(v, "a").unwrap())
}

#[test]
fn d1_on_mount_runs_at_the_first_listener_and_listeners_get_the_changed_path() {
    let clock = clock();
    let events = Log::new();
    let store = deep_map_at_runtime();
    let _mount = mount_with_destroy(&store, &[("a", 0), ("b", 0)], &events);
    assert_eq!(events.all(), NOTHING);

    let listener = |n: u32| {
        let events = events.clone();
        move |v: &Deep, _: &Deep, path: Option<&str>| events.push(format!("{n}: {} {v}", key(path)))
    };
    let l1 = store.listen(listener(1));
    assert_eq!(events.all(), ["init"]);
    let l2 = store.listen(listener(2));
    assert_eq!(events.all(), ["init"]);

    store.set_key("a", 1.into()).unwrap();
    assert_eq!(
        events.all(),
        ["init", r#"1: a {"a":1,"b":0}"#, r#"2: a {"a":1,"b":0}"#]
    );

    drop(l1);
    clock.run_all();
    assert_eq!(events.len(), 3);

    store.set_key("b", 1.into()).unwrap();
    assert_eq!(events.take()[3], r#"2: b {"a":1,"b":1}"#);

    drop(l2);
    let l3 = store.listen(|_, _, _| {});
    clock.run_all();
    assert_eq!(events.all(), NOTHING);
    drop(l3);
    assert_eq!(events.all(), NOTHING);
    clock.run_all();
    assert_eq!(events.all(), ["destroy"]);
}

/// `deepMap()`: a run-time store holding `{}`.
fn deep_map_at_runtime() -> DeepMapStore {
    DeepMapStore::new(Deep::empty_object())
}

#[test]
fn d2_listening_and_leaving_twice_in_a_row_destroys_once() {
    let clock = clock();
    let events = Log::new();
    let store = deep_map_at_runtime();
    let _mount = mount_with_destroy(&store, &[], &events);
    drop(store.listen(|_, _, _| {}));
    drop(store.listen(|_, _, _| {}));
    clock.run_all();
    assert_eq!(events.all(), ["init", "destroy"]);
}

// D3: "the same listener twice" is one `Arc` closure behind two
// registrations (see `SharedListener` in `support.rs`).
#[test]
fn d3_a_listener_registered_twice_is_called_twice_until_each_registration_leaves() {
    let clock = clock();
    let events = Log::new();
    let store = deep_map_at_runtime();
    let _mount = mount_with_destroy(&store, &[], &events);
    let log = events.clone();
    type L = dyn Fn(&Deep, Option<&str>) + Send + Sync;
    let listener: Arc<L> = Arc::new(move |v, path| {
        let value = path.map(|p| js(get_path(v, p).unwrap()));
        log.push(format!("{}: {}", key(path), js(value)));
    });
    let (f1, f2) = (listener.clone(), listener.clone());
    let first = store.listen(move |v, _, p| f1(v, p));
    let second = store.listen(move |v, _, p| f2(v, p));
    assert_eq!(events.take(), ["init"]);

    store.set_key("a", 1.into()).unwrap();
    assert_eq!(events.take(), ["a: 1", "a: 1"]);

    drop(first);
    clock.run_all();
    store.set_key("a", 2.into()).unwrap();
    assert_eq!(events.take(), ["a: 2"]);

    drop(second);
    clock.run_all();
    assert_eq!(events.take(), ["destroy"]);
}

#[test]
fn d4_subscribe_sees_the_keys_set_by_on_mount() {
    let clock = clock();
    let events = Log::new();
    let store = deep_map_at_runtime();
    let (s, log) = (store.clone(), events.clone());
    let _hook = on_mount(&store, move |_| {
        s.set_key("a", 0.into()).unwrap();
        let log = log.clone();
        move || log.push("destroy")
    });

    let log = events.clone();
    let sub = store.subscribe(move |v, _, path| log.push(format!("{}: {v}", key(path))));
    assert_eq!(events.all(), [r#"undefined: {"a":0}"#]);

    store.set_key("a", 1.into()).unwrap();
    assert_eq!(events.all(), [r#"undefined: {"a":0}"#, r#"a: {"a":1}"#]);

    drop(sub);
    clock.run_all();
    assert_eq!(
        events.all(),
        [r#"undefined: {"a":0}"#, r#"a: {"a":1}"#, "destroy"]
    );
}

#[test]
fn d5_a_remount_runs_on_mount_again_and_overwrites_writes_made_while_unmounted() {
    let clock = clock();
    let events = Log::new();
    let store = deep_map_at_runtime();
    let _mount = mount_with_destroy(&store, &[("a", 0)], &events);
    let subscriber = || {
        let log = events.clone();
        move |v: &Deep, _: Option<&Deep>, _: Option<&str>| log.push(a_of(v))
    };
    let sub = store.subscribe(subscriber());
    store.set_key("a", 1.into()).unwrap();
    drop(sub);
    clock.run_all();

    store.set(deep!({"a": 2}));
    store.set_key("a", 3.into()).unwrap();

    let _sub = store.subscribe(subscriber());
    assert_eq!(events.all(), ["init", "0", "1", "destroy", "init", "0"]);
}

#[test]
fn d6_subscribe_gets_no_path_first_then_the_changed_path() {
    let _clock = clock();
    let paths = Rec::<Option<String>>::new();
    let store = deep_map_at_runtime();
    let log = paths.clone();
    let _sub = store.subscribe(move |_, _, path| log.push(path.map(String::from)));
    assert_eq!(paths.all(), [None]);
    store.set_key("a", 1.into()).unwrap();
    assert_eq!(paths.all(), [None, Some("a".into())]);
}

#[test]
fn d7_on_mount_may_return_a_destructor_only_sometimes() {
    let clock = clock();
    let events = Log::new();
    let destroyable = Arc::new(Mutex::new(true));
    let store = deep_map_at_runtime();
    let (log, flag) = (events.clone(), destroyable.clone());
    let _hook = on_mount(&store, move |_| {
        log.push("init");
        let log = log.clone();
        (*flag.lock().unwrap()).then_some(move || log.push("destroy"))
    });

    drop(store.listen(|_, _, _| {}));
    clock.run_all();
    assert_eq!(events.all(), ["init", "destroy"]);

    *destroyable.lock().unwrap() = false;
    drop(store.listen(|_, _, _| {}));
    clock.run_all();
    assert_eq!(events.all(), ["init", "destroy", "init"]);
}

#[test]
fn d8_whole_set_replaces_everything_and_reports_no_changed_path() {
    let _clock = clock();
    let events = Log::new();
    let paths = Rec::<Option<String>>::new();
    let store = deep_map_at_runtime();
    let _mount = mount_with_destroy(&store, &[("a", 0), ("b", 0)], &events);
    let log = paths.clone();
    let _sub = store.listen(move |_, _, path| log.push(path.map(String::from)));

    store.set(deep!({"a": 1, "b": 0, "c": 0}));
    assert_eq!(store.get(), deep!({"a": 1, "b": 0, "c": 0}));
    assert_eq!(paths.all(), [None]);

    store.set(deep!({"a": 1, "b": 1}));
    assert_eq!(store.get(), deep!({"a": 1, "b": 1}));
    assert_eq!(paths.all(), [None, None]);
}

// D9: a new object `{one: 1}` is a change for Nano Stores (identity).
#[test]
fn d9_set_key_of_an_equal_value_is_skipped_but_a_new_whole_object_notifies() {
    let _clock = clock();
    let paths = Rec::<Option<String>>::new();
    let store = js_store(deep!({"one": 1}));
    let log = paths.clone();
    let _sub = store.listen(move |_, _, path| log.push(path.map(String::from)));

    store.set_key("one", 1.into()).unwrap();
    store.set(deep!({"one": 1}));
    assert_eq!(paths.all(), [None]);
}

#[test]
fn d9_default_structural_eq_skips_an_equal_whole_set() {
    let _clock = clock();
    let paths = Rec::<Option<String>>::new();
    let store = DeepMapStore::new(deep!({"one": 1}));
    let log = paths.clone();
    let _sub = store.listen(move |_, _, path| log.push(path.map(String::from)));

    store.set_key("one", 1.into()).unwrap();
    store.set(deep!({"one": 1}));
    assert_eq!(paths.all(), []);
    store.set(deep!({"one": 2}));
    assert_eq!(paths.all(), [None]);
}

#[test]
fn d10_every_change_produces_a_new_root_object() {
    let _clock = clock();
    let same = Rec::<bool>::new();
    let store = deep_map_at_runtime();
    store.set(deep!({"a": 0}));
    let prev = Arc::new(Mutex::new(None::<Deep>));
    let log = same.clone();
    let _sub = store.subscribe(move |v, _, _| {
        let mut prev = prev.lock().unwrap();
        if let Some(p) = prev.as_ref() {
            log.push(Deep::same(v, p));
        }
        *prev = Some(v.clone());
    });
    store.set_key("a", 1.into()).unwrap();
    store.set(deep!({"a": 2}));
    assert_eq!(same.all(), [false, false]);
}

#[test]
fn d11_deleting_a_key_notifies() {
    let _clock = clock();
    let keys = Rec::<Vec<String>>::new();
    let store = deep_map_at_runtime();
    let log = keys.clone();
    let _sub = store.listen(move |v, _, _| {
        log.push(v.as_object().unwrap().keys().cloned().collect::<Vec<_>>())
    });
    store.set_key("a", 1.into()).unwrap();
    store.delete_key("a").unwrap();
    assert_eq!(keys.all(), [vec!["a".to_string()], vec![]]);
}

#[test]
fn d12_listener_removed_during_drain_is_not_called_and_added_one_waits_for_next_change() {
    let _clock = clock();
    let events = Log::new();
    let store = DeepMapStore::new(deep!({"a": 0}));
    let b = SubSlot::new();
    let c_subs = Arc::new(Mutex::new(Vec::new()));

    let (s, log, b2, cs) = (store.clone(), events.clone(), b.clone(), c_subs.clone());
    let _a = store.listen(move |v, _, _| {
        log.push(format!("a{}", a_of(v)));
        if get_path(v, "a").unwrap().and_then(Deep::as_i64) > Some(1) {
            b2.cancel();
        }
        let log = log.clone();
        cs.lock()
            .unwrap()
            .push(s.listen(move |v, _, _| log.push(format!("c{}", a_of(v)))));
    });
    let log = events.clone();
    b.put(store.listen(move |v, _, _| log.push(format!("b{}", a_of(v)))));

    store.set_key("a", 1.into()).unwrap();
    assert_eq!(events.all(), ["a1", "b1"]);
    store.set_key("a", 2.into()).unwrap();
    assert_eq!(events.all(), ["a1", "b1", "a2", "c2"]);
}

#[test]
fn d13_on_notify_gets_the_changed_path_and_the_previous_snapshots() {
    let _clock = clock();
    let changed = Rec::<Option<String>>::new();
    let olds = Rec::<Deep>::new();
    let store = DeepMapStore::new(deep!({"a": 0, "b": {"nested": {"deep": 0}}}));
    let (c, o) = (changed.clone(), olds.clone());
    let _hook = on_notify(&store, move |e| {
        c.push(e.key().cloned());
        o.push(e.old_value().unwrap().clone());
    });
    let before: Vec<Deep> = [1, 1, 2]
        .iter()
        .zip(["a", "b.nested.deep", "b.nested.deep"])
        .map(|(v, path)| {
            let snapshot = store.get();
            store.set_key(path, (*v).into()).unwrap();
            snapshot
        })
        .collect();
    assert_eq!(
        changed.all(),
        [
            Some("a".into()),
            Some("b.nested.deep".into()),
            Some("b.nested.deep".into())
        ]
    );
    assert_eq!(
        olds.all(),
        [
            deep!({"a": 0, "b": {"nested": {"deep": 0}}}),
            deep!({"a": 1, "b": {"nested": {"deep": 0}}}),
            deep!({"a": 1, "b": {"nested": {"deep": 1}}})
        ]
    );
    // The very snapshots, not copies.
    for (old, snapshot) in olds.all().iter().zip(&before) {
        assert!(Deep::same(old, snapshot));
    }
}

#[test]
fn d14_listen_receives_the_old_value() {
    let _clock = clock();
    let olds = Rec::<Deep>::new();
    let store = DeepMapStore::new(deep!({"a": 0}));
    let log = olds.clone();
    let _sub = store.listen(move |_, old, _| log.push(old.clone()));
    store.set_key("a", 1.into()).unwrap();
    store.set_key("a", 2.into()).unwrap();
    assert_eq!(olds.all(), [deep!({"a": 0}), deep!({"a": 1})]);
}

#[test]
fn d15_subscribe_receives_no_old_value_first_then_the_old_values() {
    let _clock = clock();
    let olds = Rec::<Option<Deep>>::new();
    let store = DeepMapStore::new(deep!({"a": 0}));
    let log = olds.clone();
    let _sub = store.subscribe(move |_, old, _| log.push(old.cloned()));
    store.set_key("a", 1.into()).unwrap();
    store.set_key("a", 2.into()).unwrap();
    assert_eq!(
        olds.all(),
        [None, Some(deep!({"a": 0})), Some(deep!({"a": 1}))]
    );
}

#[test]
fn d16_old_values_are_the_previous_root_objects_themselves() {
    let _clock = clock();
    let checks = Rec::<bool>::new();
    let store = DeepMapStore::new(deep!({"a": 0}));
    let prev = Arc::new(Mutex::new(store.get()));
    let (log, p) = (checks.clone(), prev.clone());
    let _sub = store.subscribe(move |v, old, _| {
        let mut prev = p.lock().unwrap();
        if let Some(old) = old {
            log.push(Deep::same(old, &prev));
        }
        *prev = v.clone();
    });
    store.set_key("a", 1.into()).unwrap();
    store.set_key("a", 2.into()).unwrap();
    assert_eq!(checks.all(), [true, true]);
}

#[test]
fn d17_a_name_starting_with_digits_is_an_object_key() {
    let _clock = clock();
    let store = deep_map_at_runtime();
    store.set_key("key.100key", "value".into()).unwrap();
    assert_eq!(store.get(), deep!({"key": {"100key": "value"}}));
}

// D18/D19: `getKey` on plain `map` stores is `get_path` over the map's
// entries (a `MapValue<String, Deep>` is a `Deep` object).
#[test]
fn d18_get_key_reads_flat_keys() {
    let _clock = clock();
    let store = MapStore::new(
        [
            ("a".to_string(), Deep::from(1)),
            ("b".into(), "test".into()),
            ("c".into(), true.into()),
        ]
        .into(),
    );
    let value = Deep::from(store.get());
    assert_eq!(get_path(&value, "a").unwrap(), Some(&1.into()));
    assert_eq!(get_path(&value, "b").unwrap(), Some(&"test".into()));
    assert_eq!(get_path(&value, "c").unwrap(), Some(&true.into()));
    let deep = DeepMapStore::new(deep!({"a": 1, "b": "test", "c": true}));
    assert_eq!(deep.get_key("b").unwrap(), Some("test".into()));
}

#[test]
fn d19_get_key_reads_nested_keys() {
    let _clock = clock();
    let store = MapStore::new(
        [
            ("site".to_string(), Deep::from("testsite")),
            (
                "user".into(),
                deep!({"name": "John", "profile": {"age": 30, "email": "john@example.com"}}),
            ),
        ]
        .into(),
    );
    let value = Deep::from(store.get());
    assert_eq!(get_path(&value, "user.name").unwrap(), Some(&"John".into()));
    assert_eq!(
        get_path(&value, "user.profile.age").unwrap(),
        Some(&30.into())
    );
    assert_eq!(
        get_path(&value, "user.profile.email").unwrap(),
        Some(&"john@example.com".into())
    );
}

#[test]
fn d20_get_key_reads_array_indices() {
    let _clock = clock();
    let store = DeepMapStore::new(deep!({
        "items": ["apple", "banana"],
        "nested": [
            {"id": 1, "name": ["Item 1", "Item 1.1"]},
            {"id": 2, "name": ["Item 2", "Item 2.1"]}
        ]
    }));
    assert_eq!(store.get_key("items[0]").unwrap(), Some("apple".into()));
    assert_eq!(store.get_key("items[1]").unwrap(), Some("banana".into()));
    assert_eq!(store.get_key("items[2]").unwrap(), None);
    assert_eq!(
        store.get_key("nested[0].name[0]").unwrap(),
        Some("Item 1".into())
    );
    assert_eq!(store.get_key("nested[1].id").unwrap(), Some(2.into()));
    assert_eq!(store.get_key("nested[2]").unwrap(), None);
    assert_eq!(store.get_key("nested[2].id").unwrap(), None);
}

#[test]
fn d21_get_key_stops_at_null() {
    let _clock = clock();
    let store = DeepMapStore::new(deep!({"a": null}));
    assert_eq!(store.get_key("a").unwrap(), Some(Deep::Null));
    assert_eq!(store.get_key("a.b").unwrap(), None);
}

#[test]
fn d22_set_key_through_null_makes_an_object() {
    let _clock = clock();
    let store = DeepMapStore::new(deep!({"a": null}));
    store.set_key("a.b", 1.into()).unwrap();
    assert_eq!(store.get(), deep!({"a": {"b": 1}}));
}

#[test]
fn p1_get_path_follows_keys_and_indices() {
    let v = deep!({"a": "123", "b": {"c": 123, "d": [{"e": 123}]}, "f": [[1, 2], [{"g": 3}, 4]]});
    assert_eq!(get_path(&v, "a").unwrap(), Some(&"123".into()));
    assert_eq!(get_path(&v, "b.c").unwrap(), Some(&123.into()));
    assert_eq!(get_path(&v, "b.d[0]").unwrap(), Some(&deep!({"e": 123})));
    assert_eq!(get_path(&v, "b.d[0].e").unwrap(), Some(&123.into()));
    assert_eq!(get_path(&v, "f[0][1]").unwrap(), Some(&2.into()));
    assert_eq!(get_path(&v, "f[1][0].g").unwrap(), Some(&3.into()));
    assert_eq!(get_path(&v, "abra.cadabra.booms").unwrap(), None);
}

// P2: `b: undefined` cannot be held; an absent `b` reads the same.
#[test]
fn p2_get_path_yields_nothing_after_null_or_missing() {
    let v = deep!({"a": null, "c": {"d": null}});
    assert_eq!(get_path(&v, "a.b").unwrap(), None);
    assert_eq!(get_path(&v, "b.c").unwrap(), None);
    assert_eq!(get_path(&v, "c.d.e").unwrap(), None);
}

#[test]
fn p3_set_path_replaces_a_top_level_value() {
    let mut v = deep!({"a": {"e": 123}, "f": ""});
    set_path(&mut v, "f", "hey".into()).unwrap();
    set_path(&mut v, "f", "hey".into()).unwrap();
    assert_eq!(v, deep!({"a": {"e": 123}, "f": "hey"}));
}

#[test]
fn p4_set_path_keeps_nested_arrays() {
    let mut v = deep!({"a": [{"b": [[[{"c": 1}]]], "d": [[{"e": "val1"}]]}]});
    set_path(&mut v, "a[0].b[0][0][0].c", 2.into()).unwrap();
    set_path(&mut v, "a[0].d[0][1]", deep!({"e": "val2"})).unwrap();
    assert_eq!(
        v,
        deep!({"a": [{"b": [[[{"c": 2}]]], "d": [[{"e": "val1"}, {"e": "val2"}]]}]})
    );
}

#[test]
fn p5_set_path_creates_objects() {
    let mut v = Deep::empty_object();
    set_path(&mut v, "a.b.c.d", "val".into()).unwrap();
    assert_eq!(get_path(&v, "a.b.c.d").unwrap(), Some(&"val".into()));
    assert_eq!(v, deep!({"a": {"b": {"c": {"d": "val"}}}}));
}

#[test]
fn p6_set_path_creates_and_grows_arrays_with_holes() {
    let mut v = Deep::empty_object();
    set_path(&mut v, "a[0]", "val".into()).unwrap();
    assert_eq!(v, deep!({"a": ["val"]}));
    set_path(&mut v, "a[3]", "val3".into()).unwrap();
    assert_eq!(v, deep!({"a": ["val", _, _, "val3"]}));
    assert_eq!(
        get_path(&v, "a")
            .unwrap()
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

// P7: `setPath(…, undefined)` is `delete_path`.
#[test]
fn p7_deleting_array_elements_shifts_the_rest() {
    let mut v = deep!({"a": ["a", "b"]});
    assert_eq!(delete_path(&mut v, "a[1]").unwrap(), Some("b".into()));
    assert_eq!(v, deep!({"a": ["a"]}));
    assert_eq!(delete_path(&mut v, "a[0]").unwrap(), Some("a".into()));
    assert_eq!(v, deep!({"a": []}));
}

/// The container under `path` (for identity checks).
fn at(v: &Deep, path: &str) -> Deep {
    get_path(v, path).unwrap().unwrap().clone()
}

#[test]
fn p8_a_write_copies_the_containers_on_its_path_only() {
    let v = deep!({"a": {"b": {"c": 1, "d": "1"}, "e": 1}, "z": {"k": 1}});
    let mut next = v.clone();
    set_path(&mut next, "a.b.c", 2.into()).unwrap();
    assert!(!Deep::same(&next, &v));
    assert!(!Deep::same(&at(&next, "a"), &at(&v, "a")));
    assert!(!Deep::same(&at(&next, "a.b"), &at(&v, "a.b")));
    assert!(Deep::same(&at(&next, "z"), &at(&v, "z")));
    assert_eq!(
        v,
        deep!({"a": {"b": {"c": 1, "d": "1"}, "e": 1}, "z": {"k": 1}})
    );

    let before = next.clone();
    set_path(&mut next, "a.e", 2.into()).unwrap();
    assert!(!Deep::same(&at(&next, "a"), &at(&before, "a")));
    assert!(Deep::same(&at(&next, "a.b"), &at(&before, "a.b")));
    assert_eq!(
        before,
        deep!({"a": {"b": {"c": 2, "d": "1"}, "e": 1}, "z": {"k": 1}})
    );
}

#[test]
fn p9_store_writes_share_everything_off_the_path() {
    let _clock = clock();
    let store = DeepMapStore::new(deep!({"a": {"b": {"c": {"d": [{"a": 1}, {"a": 2}]}}}, "o": {}}));
    let old = store.get();
    store.set_key("a.b.c.d[1].a", 3.into()).unwrap();
    let new = store.get();
    assert!(!Deep::same(&new, &old));
    assert!(!Deep::same(&at(&new, "a.b.c.d"), &at(&old, "a.b.c.d")));
    assert!(Deep::same(&at(&new, "a.b.c.d[0]"), &at(&old, "a.b.c.d[0]")));
    assert!(!Deep::same(
        &at(&new, "a.b.c.d[1]"),
        &at(&old, "a.b.c.d[1]")
    ));
    assert_eq!(at(&new, "a.b.c.d[1]"), deep!({"a": 3}));
    assert!(Deep::same(&at(&new, "o"), &at(&old, "o")));
    // The old snapshot is intact.
    assert_eq!(at(&old, "a.b.c.d[1]"), deep!({"a": 2}));
    // Arc-level check of a sibling container.
    match (get_path(&new, "o").unwrap(), get_path(&old, "o").unwrap()) {
        (Some(Deep::Object(a)), Some(Deep::Object(b))) => assert!(Arc::ptr_eq(a, b)),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn p10_names_with_digits_are_plain_keys() {
    let mut v = Deep::empty_object();
    set_path(&mut v, "123key", 1.into()).unwrap();
    set_path(&mut v, "key123", 2.into()).unwrap();
    assert_eq!(v, deep!({"123key": 1, "key123": 2}));
}

// X17: the strict parser turns Nano Stores' lenient readings into errors.
#[test]
fn x17_path_probes() {
    let set = |v: Deep, path: &str| {
        let mut v = v;
        set_path(&mut v, path, "x".into()).map(|()| v)
    };
    let fails = |path: &str| {
        let e = set(Deep::empty_object(), path).unwrap_err();
        (e.kind(), e.position())
    };
    // Same as Nano Stores.
    assert_eq!(set(deep!({}), "a.0").unwrap(), deep!({"a": ["x"]}));
    assert_eq!(
        set(deep!({"a": 5}), "a.b").unwrap(),
        deep!({"a": {"b": "x"}})
    );
    let mut v = deep!({"a": [1, 2, 3]});
    delete_path(&mut v, "a[0]").unwrap();
    assert_eq!(v, deep!({"a": [2, 3]}));
    // Lenient in Nano Stores, errors here.
    assert_eq!(fails("a[0]b"), (PathErrorKind::TextAfterBracket, 4));
    assert_eq!(fails("x[1]y[2]"), (PathErrorKind::TextAfterBracket, 4));
    assert_eq!(fails("[0]"), (PathErrorKind::EmptySegment, 0));
    assert_eq!(fails("a[x]"), (PathErrorKind::NotAnIndex, 2));
    assert_eq!(fails(""), (PathErrorKind::Empty, 0));
    // Nano Stores spreads the string into the new object
    // (`{a: {0: 'h', 1: 'i', b: 1}}`); a string is a scalar like any other.
    assert_eq!(
        set(deep!({"a": "hi"}), "a.b").unwrap(),
        deep!({"a": {"b": "x"}})
    );
    // Nano Stores sets a named property on the array; arrays have none here.
    let e = set(deep!({"a": [1]}), "a.foo").unwrap_err();
    assert_eq!((e.kind(), e.position()), (PathErrorKind::KeyOnArray, 2));
    assert_eq!(
        e.to_string(),
        "invalid path \"a.foo\" at byte 2: a name cannot be set on an array"
    );
}

#[test]
fn x17_store_rejects_bad_paths_without_calling_anyone() {
    let _clock = clock();
    let calls = Log::new();
    let store = DeepMapStore::new(deep!({"list": [1]}));
    let log = calls.clone();
    on_set(&store, move |_| log.push("onSet")).keep();
    let log = calls.clone();
    let _sub = store.listen(move |_, _, _| log.push("call"));
    for path in [
        "",
        "a..b",
        "a[",
        "a]",
        "a[x]",
        "a[01]",
        "a[0]b",
        "list.name",
    ] {
        assert!(store.set_key(path, 1.into()).is_err(), "{path}");
        assert!(
            store.get_key(path).is_err() || path == "list.name",
            "{path}"
        );
    }
    let too_big = format!("big[{}]", MAX_INDEX + 1);
    assert_eq!(
        store.set_key(&too_big, 1.into()).unwrap_err().kind(),
        PathErrorKind::IndexTooLarge
    );
    assert!(store.delete_key("a..b").is_err());
    assert_eq!(calls.all(), NOTHING);
    assert_eq!(store.get(), deep!({"list": [1]}));
    // Reading a large index is fine; so is an index used as an object key.
    assert_eq!(store.get_key(&too_big).unwrap(), None);
    store.set(deep!({"o": {}}));
    store
        .set_key(&format!("o[{}]", MAX_INDEX * 10), 1.into())
        .unwrap();
    assert_eq!(
        store.get_key(&format!("o.{}", MAX_INDEX * 10)).unwrap(),
        Some(1.into())
    );
}

// Q5 (fixed): an index applied to a hole, null or a scalar makes an array.
#[test]
fn q5_an_index_on_a_non_container_makes_an_array() {
    let _clock = clock();
    let store = deep_map_at_runtime();
    store.set_key("m[1][0]", true.into()).unwrap();
    assert_eq!(store.get(), deep!({"m": [_, [true]]}));
    store.set(deep!({"t": true, "o": {"k": 1}}));
    store.set_key("t[0]", "v".into()).unwrap();
    store.set_key("o[0]", "v".into()).unwrap();
    assert_eq!(store.get(), deep!({"t": ["v"], "o": {"k": 1, "0": "v"}}));
}

#[test]
fn x18_listen_keys_matches_the_path_or_its_first_segment() {
    let _clock = clock();
    let ab = Rec::<Option<String>>::new();
    let a = Rec::<Option<String>>::new();
    let store = DeepMapStore::new(deep!({"a": {"b": {}}}));
    let log = ab.clone();
    let _ab = store
        .listen_keys(["a.b"], move |_, _, p| log.push(p.map(String::from)))
        .unwrap();
    let log = a.clone();
    let _a = store
        .listen_keys(["a"], move |_, _, p| log.push(p.map(String::from)))
        .unwrap();
    store.set_key("a.b.c", 1.into()).unwrap();
    store.set_key("a", deep!({"b": 1})).unwrap();
    store.set_key("a[0]", 1.into()).unwrap();
    assert_eq!(ab.all(), []);
    assert_eq!(
        a.all(),
        [Some("a.b.c".into()), Some("a".into()), Some("a[0]".into())]
    );
    store.set_key("a.b", 2.into()).unwrap();
    assert_eq!(ab.all(), [Some("a.b".into())]);
    assert!(store.listen_keys(["a..b"], |_, _, _| {}).is_err());
}

#[test]
fn lk9_listen_keys_on_a_deep_path_compares_whole_sets_by_path() {
    let _clock = clock();
    let names = Rec::<String>::new();
    let store = DeepMapStore::new(deep!({"profile": {"age": 1, "name": "a"}}));
    let log = names.clone();
    let sub = store
        .listen_keys(["profile.name"], move |v, _, _| {
            log.push(text(v, "profile.name"))
        })
        .unwrap();
    store.set(deep!({"profile": {"age": 1, "name": "b"}}));
    assert_eq!(names.all(), ["b"]);
    store.set(deep!({"profile": {"age": 2, "name": "b"}}));
    store.set(deep!({"profile": {"age": 2, "name": "b"}}));
    assert_eq!(names.all(), ["b"]);
    drop(sub);
    store.set(deep!({"profile": {"age": 2, "name": "c"}}));
    assert_eq!(names.all(), ["b"]);
}

#[test]
fn lk10_listen_keys_on_an_index_path() {
    let _clock = clock();
    let seen = Rec::<String>::new();
    let store = js_store(deep!({"list": [1, 2]}));
    let log = seen.clone();
    let _sub = store
        .listen_keys(["list[1]"], move |v, _, _| {
            log.push(js(get_path(v, "list[1]").unwrap()))
        })
        .unwrap();
    store.set(deep!({"list": [1, 3]}));
    assert_eq!(seen.all(), ["3"]);
    store.set(deep!({"list": [9, 3]}));
    assert_eq!(seen.all(), ["3"]);
}

#[test]
fn subscribe_keys_calls_at_once_then_filters() {
    let _clock = clock();
    let seen = Rec::<Option<String>>::new();
    let store = DeepMapStore::new(deep!({"a": {"b": 1}, "c": 1}));
    let log = seen.clone();
    let _sub = store
        .subscribe_keys(["a.b"], move |_, _, p| log.push(p.map(String::from)))
        .unwrap();
    store.set_key("c", 2.into()).unwrap();
    store.set_key("a.b", 2.into()).unwrap();
    batch(|| {
        store.set_key("a.b", 3.into()).unwrap();
        store.set_key("c", 3.into()).unwrap();
    });
    batch(|| store.set_key("c", 4.into()).unwrap());
    assert_eq!(seen.all(), [None, Some("a.b".into()), None]);
}

#[test]
fn x27_identity_equality_and_on_set_payload() {
    let _clock = clock();
    let paths = Rec::<Option<String>>::new();
    let obj = deep!({"x": 1});
    let store = js_store(Deep::object([("o", obj.clone())]));
    let log = paths.clone();
    let _sub = store.listen(move |_, _, p| log.push(p.map(String::from)));
    store.set_key("o", obj).unwrap();
    assert_eq!(paths.all(), []);
    store.set_key("o", deep!({"x": 1})).unwrap();
    assert_eq!(paths.all(), [Some("o".into())]);

    // The default (structural) equality skips an equal new object.
    let plain = DeepMapStore::new(deep!({"o": {"x": 1}}));
    let log = paths.clone();
    let _plain = plain.listen(move |_, _, p| log.push(p.map(String::from)));
    plain.set_key("o", deep!({"x": 1})).unwrap();
    assert_eq!(paths.all(), [Some("o".into())]);

    // on_set sees the path text as one key, and the proposed value.
    let proposed = Rec::<String>::new();
    let log = proposed.clone();
    let _hook = on_set(&plain, move |e| match e.proposed() {
        Proposed::Key(path, value) => log.push(format!("{path} = {}", js(*value))),
        Proposed::Value(v) => log.push(format!("set {v}")),
    });
    plain.set_key("a.b", 1.into()).unwrap();
    plain.delete_key("a.b").unwrap();
    plain.set(deep!({}));
    assert_eq!(proposed.all(), ["a.b = 1", "a.b = undefined", "set {}"]);
}

#[test]
fn on_set_abort_cancels_a_path_write() {
    let _clock = clock();
    let store = DeepMapStore::new(deep!({"a": 1}));
    let _hook = on_set(&store, |e| {
        if matches!(e.proposed(), Proposed::Key(p, _) if p.starts_with("locked")) {
            e.abort();
        }
    });
    store.set_key("locked.x", 1.into()).unwrap();
    store.set_key("open", 1.into()).unwrap();
    assert_eq!(store.get(), deep!({"a": 1, "open": 1}));
}

#[test]
fn deep_maps_work_with_computed_keep_mount_and_clean_stores() {
    let clock = clock();
    static FORM: DeepMapStore = deep_map();
    FORM.set_key("user.name", "Ada".into()).unwrap();
    let name: Computed<String> = Computed::new(&FORM, |v| text(v, "user.name"));
    let names = Rec::<String>::new();
    let log = names.clone();
    let _sub = name.subscribe(move |n, _| log.push(n.clone()));
    FORM.set_key("user.name", "Grace".into()).unwrap();
    FORM.set_key("user.age", 36.into()).unwrap(); // same result: no call
    assert_eq!(names.all(), ["Ada", "Grace"]);

    let count = computed(&FORM, |v| v.as_object().map_or(0, |o| o.len()));
    assert_eq!(count.get(), 1);

    let store = deep_map_at_runtime();
    keep_mount(&store);
    assert_eq!(store.listener_count(), 1);
    assert_eq!(Store::listener_count(&store), 1);
    clean_stores(&[&store]);
    assert_eq!(store.listener_count(), 0);
    clock.run_all();
}

#[test]
fn parsed_paths_round_trip() {
    assert_eq!(
        parse_path("a.b[1].c").unwrap(),
        [
            Segment::Key("a".into()),
            Segment::Key("b".into()),
            Segment::Index(1),
            Segment::Key("c".into())
        ]
    );
    assert_eq!(
        parse_path("list.0").unwrap(),
        parse_path("list[0]").unwrap()
    );
    let deepest = vec!["a"; MAX_DEPTH].join(".");
    assert!(parse_path(&deepest).is_ok());
    assert_eq!(
        parse_path(&format!("{deepest}.a")).unwrap_err().kind(),
        PathErrorKind::TooDeep
    );
}

/// xorshift64*: a deterministic pseudo-random sequence without
/// dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// A path that is often well formed, sometimes not: names, small indices
/// in both forms, now and then a huge index or stray punctuation.
fn random_path(rng: &mut Rng) -> String {
    const NAMES: &[&str] = &["a", "b", "list", "x", "0", "1", "2", "7k", "é"];
    const JUNK: &[&str] = &[".", "[", "]", "[]", "[x]", "[01]", "..", "[-1]", " ", ""];
    let mut path = String::new();
    for i in 0..=rng.below(6) {
        if i > 0 {
            path.push('.');
        }
        path.push_str(rng.pick(NAMES));
        while rng.below(3) == 0 {
            let index = match rng.below(20) {
                0 => (MAX_INDEX as u64 + 1 + rng.below(1 << 40)).to_string(),
                1 => "99999999999999999999999".to_string(),
                _ => rng.below(5).to_string(),
            };
            path.push_str(&format!("[{index}]"));
        }
        if rng.below(25) == 0 {
            path.push_str(rng.pick(JUNK));
        }
    }
    if rng.below(40) == 0 {
        path = rng.pick(JUNK).to_string();
    }
    path
}

fn random_value(rng: &mut Rng, depth: u32) -> Deep {
    match rng.below(if depth > 2 { 5 } else { 8 }) {
        0 => Deep::Null,
        1 => rng.below(2).eq(&0).into(),
        2 => (rng.below(100) as i64 - 50).into(),
        3 => (rng.below(1000) as f64 / 7.0).into(),
        4 => rng.pick(&["", "s", "hello"]).into(),
        5 => Deep::array((0..rng.below(3)).map(|_| random_value(rng, depth + 1))),
        _ => Deep::object(
            (0..rng.below(3)).map(|i| (["a", "b", "0"][i as usize], random_value(rng, depth + 1))),
        ),
    }
}

/// Number of values in `v` and its depth.
fn measure(v: &Deep) -> (usize, usize) {
    match v {
        Deep::Array(items) => items
            .iter()
            .flatten()
            .map(measure)
            .fold((1 + items.len(), 1), |(n, d), (cn, cd)| {
                (n + cn, d.max(cd + 1))
            }),
        Deep::Object(entries) => entries
            .values()
            .map(measure)
            .fold((1, 1), |(n, d), (cn, cd)| (n + cn, d.max(cd + 1))),
        _ => (1, 1),
    }
}

#[test]
fn fuzz_paths_and_values_never_panic_and_stay_bounded() {
    let _clock = clock();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let store = deep_map_at_runtime();
    let changes = Arc::new(Mutex::new(0u32));
    let c = changes.clone();
    let _sub = store.listen(move |_, _, _| *c.lock().unwrap() += 1);
    let (mut ok, mut errors) = (0, 0);
    for round in 0..3000 {
        let path = random_path(&mut rng);
        let before = store.get();
        match rng.below(4) {
            0 | 1 => {
                let value = random_value(&mut rng, 0);
                match store.set_key(&path, value.clone()) {
                    Ok(()) => {
                        ok += 1;
                        assert_eq!(store.get_key(&path).unwrap(), Some(value), "{path}");
                    }
                    Err(e) => {
                        errors += 1;
                        assert!(e.position() <= path.len(), "{e}");
                        assert!(!e.to_string().is_empty());
                        assert!(Deep::same(&store.get(), &before), "{path}");
                    }
                }
            }
            2 => match store.delete_key(&path) {
                Ok(()) => ok += 1,
                Err(_) => {
                    errors += 1;
                    assert!(Deep::same(&store.get(), &before));
                }
            },
            _ => {
                let read = store.get_key(&path);
                assert_eq!(read.is_ok(), parse_path(&path).is_ok());
            }
        }
        // Round trip of the parser: rendering the segments parses back.
        if let Ok(segments) = parse_path(&path) {
            let mut text = String::new();
            for (i, s) in segments.iter().enumerate() {
                match s {
                    Segment::Index(n) if i == 0 => text.push_str(&n.to_string()),
                    Segment::Key(k) if i > 0 => text.push_str(&format!(".{k}")),
                    s => text.push_str(&s.to_string()),
                }
            }
            assert_eq!(parse_path(&text).unwrap(), segments, "{path} -> {text}");
        }
        let (size, depth) = store.with(measure);
        assert!(size < 200_000, "round {round}: {size} values");
        assert!(depth <= 2 * MAX_DEPTH, "round {round}: depth {depth}");
        if round % 500 == 499 {
            store.set(Deep::empty_object());
        }
    }
    assert!(ok > 500 && errors > 50, "ok {ok}, errors {errors}");
    assert!(*changes.lock().unwrap() > 0);
}
