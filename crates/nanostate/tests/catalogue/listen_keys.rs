//! §2.7 listenKeys / subscribeKeys (LK1–LK11). LK5 needs a public
//! `notify()` without an old value (see the list in `main.rs`); LK9/LK10
//! (deepMap paths) are in `deep_map.rs`.

use nanostate::{MapStore, MapValue};

use crate::support::{clock, js, Log, Rec, NOTHING};

type Num = MapStore<&'static str, i64>;

fn num(entries: &[(&'static str, i64)]) -> MapValue<&'static str, i64> {
    entries.iter().copied().collect()
}

fn a_and_b(v: &MapValue<&'static str, i64>) -> String {
    format!("{} {}", js(v.get("a")), js(v.get("b")))
}

#[test]
fn lk1_listen_keys_is_called_only_for_the_listed_keys() {
    let _clock = clock();
    let events = Log::new();
    let store = Num::new(num(&[("a", 1), ("b", 1)]));
    let log = events.clone();
    let sub = store.listen_keys(["a"], move |v, _, key| {
        assert_eq!(key, Some(&"a"));
        log.push(a_and_b(v));
    });

    store.set_key("b", 2);
    assert_eq!(events.all(), NOTHING);

    store.set_key("a", 2);
    assert_eq!(events.all(), ["2 2"]);

    store.set_key("a", 3);
    assert_eq!(events.all(), ["2 2", "3 2"]);

    store.set_key("b", 3);
    assert_eq!(events.all(), ["2 2", "3 2"]);

    drop(sub);
    store.set_key("a", 4);
    assert_eq!(events.all(), ["2 2", "3 2"]);
}

#[test]
fn lk2_whole_set_fires_only_when_a_listed_key_differs() {
    let _clock = clock();
    let keys = Rec::<Option<&'static str>>::new();
    let store = Num::new(num(&[("a", 1), ("b", 2), ("c", 3)]));
    let log = keys.clone();
    let _sub = store.listen_keys(["a", "b"], move |_, _, key| log.push(key.copied()));

    store.set(num(&[("a", 1), ("b", 2), ("c", 99)]));
    assert_eq!(keys.all(), []);

    store.set(num(&[("a", 1), ("b", 99), ("c", 99)]));
    assert_eq!(keys.all(), [None]);

    store.set(num(&[("a", 99), ("b", 99), ("c", 99)]));
    assert_eq!(keys.all(), [None, None]);
}

#[test]
fn lk3_whole_set_adding_a_listed_key_fires() {
    let _clock = clock();
    let calls = Log::new();
    let store = Num::new(num(&[("b", 1)]));
    let log = calls.clone();
    let _sub = store.listen_keys(["a"], move |v, _, _| log.push(a_and_b(v)));

    store.set(num(&[("a", 1), ("b", 1)]));
    assert_eq!(calls.all(), ["1 1"]);
}

#[test]
fn lk4_whole_set_removing_a_listed_key_fires() {
    let _clock = clock();
    let calls = Log::new();
    let store = Num::new(num(&[("a", 1), ("b", 1)]));
    let log = calls.clone();
    let _sub = store.listen_keys(["a"], move |v, _, _| log.push(a_and_b(v)));

    store.set(num(&[("b", 1)]));
    assert_eq!(calls.all(), ["undefined 1"]);
}

// LK6: the `notify()` half has no counterpart (no public `notify`); the
// changing whole `set` half is ported, plus a `set_key`.
#[test]
fn lk6_an_empty_key_list_never_fires() {
    let _clock = clock();
    let calls = Log::new();
    let store = Num::new(num(&[("a", 1)]));
    let log = calls.clone();
    let _sub = store.listen_keys([], move |v, _, _| log.push(a_and_b(v)));

    store.set(num(&[("a", 2), ("b", 2)]));
    store.set_key("a", 3);
    assert_eq!(calls.all(), NOTHING);
}

// LK7: `notify(undefined, key)` has no public counterpart; a `key_eq` that
// never matches makes `set_key` of the current value notify with that key and
// an unchanged map, which is what the explicit notify does.
#[test]
fn lk7_a_notification_carrying_a_key_fires_only_for_listed_keys() {
    let _clock = clock();
    let calls = Log::new();
    let store = Num::new(num(&[("a", 1), ("b", 1)]));
    store.set_key_eq(|_, _, _| false);
    let log = calls.clone();
    let _sub = store.listen_keys(["a"], move |v, _, key| {
        log.push(format!("{} {}", a_and_b(v), js(key)))
    });

    store.set_key("a", 1);
    assert_eq!(calls.all(), ["1 1 a"]);

    store.set_key("b", 1);
    assert_eq!(calls.all(), ["1 1 a"]);
}

#[test]
fn lk8_subscribe_keys_calls_at_once_then_like_listen_keys() {
    let _clock = clock();
    let events = Log::new();
    let store = Num::new(num(&[("a", 1), ("b", 1)]));
    let log = events.clone();
    let sub = store.subscribe_keys(["a"], move |v, _, _| log.push(a_and_b(v)));
    assert_eq!(events.all(), ["1 1"]);

    store.set_key("b", 2);
    assert_eq!(events.all(), ["1 1"]);

    store.set_key("a", 2);
    store.set_key("a", 3);
    store.set_key("b", 3);
    assert_eq!(events.all(), ["1 1", "2 2", "3 2"]);

    drop(sub);
    store.set_key("a", 4);
    assert_eq!(events.all(), ["1 1", "2 2", "3 2"]);
}

#[test]
fn lk11_map_keys_containing_a_dot_are_plain_keys() {
    let _clock = clock();
    let values = Log::new();
    let store = MapStore::new(MapValue::from([("a.b", "one")]));
    let log = values.clone();
    let _sub = store.listen_keys(["a.b"], move |v, _, _| {
        log.push(v.get("a.b").copied().unwrap_or_default())
    });

    store.set(MapValue::from([("a.b", "two")]));
    assert_eq!(values.all(), ["two"]);

    store.set(MapValue::from([("a.b", "two")]));
    assert_eq!(values.all(), ["two"]);
}
