//! §2.6 lifecycle (L1–L13). Upstream waits for real 1000 ms timers; here the
//! thread's manual clock is advanced instead.

use nanostate::{
    on_mount, on_notify, on_set, on_start, on_stop, Atom, MapStore, MapValue, Proposed, Shared,
    STORE_UNMOUNT_DELAY,
};

use crate::support::{clock, js, Log, NOTHING};

fn delay_ms() -> u64 {
    STORE_UNMOUNT_DELAY.as_millis() as u64
}

#[test]
fn l1_on_start_and_on_stop_wrap_the_first_and_last_listener() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(2);
    let log = events.clone();
    let start = on_start(&store, move |_| log.push("start"));
    let log = events.clone();
    let stop = on_stop(&store, move |_| log.push("stop"));

    let listen = store.listen(|_, _| {});
    let second = store.subscribe(|_, _| {});
    assert_eq!(events.all(), ["start"]);

    drop(listen);
    drop(second);
    assert_eq!(events.all(), ["start", "stop"]);

    store.get();
    assert_eq!(events.all(), ["start", "stop", "start", "stop"]);

    let subscribe = store.subscribe(|_, _| {});
    assert_eq!(events.all(), ["start", "stop", "start", "stop", "start"]);

    drop(stop);
    drop(subscribe);
    assert_eq!(events.all(), ["start", "stop", "start", "stop", "start"]);

    drop(start);
    drop(store.listen(|_, _| {}));
    assert_eq!(events.all(), ["start", "stop", "start", "stop", "start"]);
}

#[test]
fn l2_on_start_added_to_a_listened_store_waits_for_the_next_first_listener() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(2);
    let _first = store.listen(|_, _| {});
    let (log, s) = (events.clone(), store.clone());
    let _hook = on_start(&store, move |_| {
        s.get();
        log.push("start");
    });

    let _second = store.listen(|_, _| {});
    assert_eq!(events.all(), NOTHING);
}

#[derive(Debug)]
struct TestData(#[allow(dead_code)] u32);

/// Records what hook `n` finds in the payload's `shared`, then leaves its own
/// data there for the hooks that run after it.
fn probe(log: &Log, n: u32, shared: &mut Shared) {
    log.push(format!("h{n} sees {:?}", shared.get::<TestData>()));
    shared.insert(TestData(n));
}

// L3–L7 adaptation: JS records the `shared` object itself and inspects it
// after the event (H1, which runs last, has filled it in by then). A Rust
// hook cannot keep the payload past the event, so each hook records what it
// finds and leaves a marker: the newest hook (H2) runs first and finds
// nothing, the older one (H1) then finds H2's marker in the same payload.
const SHARED_NEWEST_FIRST: [&str; 2] = ["h2 sees None", "h1 sees Some(TestData(2))"];

#[test]
fn l3_on_start_hooks_share_one_payload_newest_first() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(1);
    for n in 1..=2 {
        let log = events.clone();
        on_start(&store, move |e| probe(&log, n, &mut e.shared)).keep();
    }

    let _sub = store.listen(|_, _| {});
    assert_eq!(events.all(), SHARED_NEWEST_FIRST);
}

// L4: the upstream body (titled "onStop listeners") uses two onStart hooks
// plus an unsubscribe; both that body and the onStop hooks the title names
// are checked.
#[test]
fn l4_on_stop_hooks_share_one_payload_newest_first() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(1);
    for n in 1..=2 {
        let log = events.clone();
        on_start(&store, move |e| probe(&log, n, &mut e.shared)).keep();
    }
    drop(store.listen(|_, _| {}));
    assert_eq!(events.take(), SHARED_NEWEST_FIRST);

    let store = Atom::new(1);
    for n in 1..=2 {
        let log = events.clone();
        on_stop(&store, move |e| probe(&log, n, &mut e.shared)).keep();
    }
    drop(store.listen(|_, _| {}));
    assert_eq!(events.take(), SHARED_NEWEST_FIRST);
}

// L5: the upstream body (titled "onMount listeners") repeats L3 with onStart
// hooks; here the onMount hooks the title names are checked too.
#[test]
fn l5_on_mount_hooks_share_one_payload_newest_first() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(1);
    for n in 1..=2 {
        let log = events.clone();
        on_start(&store, move |e| probe(&log, n, &mut e.shared)).keep();
    }
    let _sub = store.listen(|_, _| {});
    assert_eq!(events.take(), SHARED_NEWEST_FIRST);

    let store = Atom::new(1);
    for n in 1..=2 {
        let log = events.clone();
        on_mount(&store, move |e| probe(&log, n, &mut e.shared)).keep();
    }
    let _sub = store.listen(|_, _| {});
    assert_eq!(events.take(), SHARED_NEWEST_FIRST);
}

#[test]
fn l6_on_set_hooks_share_one_payload_newest_first() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(1);
    for n in 1..=2 {
        let log = events.clone();
        on_set(&store, move |e| probe(&log, n, &mut e.shared)).keep();
    }

    let sub = store.listen(|_, _| {});
    store.set(2);
    drop(sub);
    assert_eq!(events.all(), SHARED_NEWEST_FIRST);
}

#[test]
fn l7_on_notify_hooks_share_one_payload_newest_first() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(1);
    for n in 1..=2 {
        let log = events.clone();
        on_notify(&store, move |e| probe(&log, n, &mut e.shared)).keep();
    }

    let sub = store.listen(|_, _| {});
    store.set(2);
    drop(sub);
    assert_eq!(events.all(), SHARED_NEWEST_FIRST);
}

#[test]
fn l8_hooks_of_different_kinds_get_different_payloads() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(1);
    on_start(&store, |e| e.shared.insert(TestData(1))).keep();
    let log = events.clone();
    let _hook = on_set(&store, move |e| {
        log.push(format!("set sees {:?}", e.shared.get::<TestData>()))
    });

    let sub = store.listen(|_, _| {});
    store.set(2);
    drop(sub);
    assert_eq!(events.all(), ["set sees None"]);
}

#[test]
fn l9_on_set_and_on_notify_can_abort_and_be_removed() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new("init");

    let validation = on_set(&store, |e| {
        if let Proposed::Value(v) = e.proposed() {
            if **v == "broken" {
                e.abort();
            }
        }
    });
    let log = events.clone();
    let set_logger = on_set(&store, move |e| {
        if let Proposed::Value(v) = e.proposed() {
            log.push(format!("set {v}"));
        }
    });
    let s = store.clone();
    let hider = on_notify(&store, move |e| {
        if s.get() == "hidden" {
            e.abort();
        }
    });
    let log = events.clone();
    let notify_logger = on_notify(&store, move |_| log.push("notify"));

    let log = events.clone();
    let _sub = store.subscribe(move |v, _| log.push(format!("value {v}")));
    assert_eq!(events.take(), ["value init"]);

    store.set("new");
    assert_eq!(events.take(), ["set new", "notify", "value new"]);

    store.set("broken");
    assert_eq!(events.take(), ["set broken"]);
    assert_eq!(store.get(), "new");

    store.set("hidden");
    assert_eq!(events.take(), ["set hidden", "notify"]);
    assert_eq!(store.get(), "hidden");

    drop(validation);
    store.set("broken");
    assert_eq!(events.take(), ["set broken", "notify", "value broken"]);
    assert_eq!(store.get(), "broken");

    drop(hider);
    store.set("hidden");
    assert_eq!(events.take(), ["set hidden", "notify", "value hidden"]);

    drop(set_logger);
    drop(notify_logger);
    store.set("new");
    assert_eq!(events.take(), ["value new"]);
}

#[test]
fn l10_on_set_and_on_notify_on_a_map_see_keys_and_old_values() {
    let _clock = clock();
    let events = Log::new();
    let store = MapStore::new(MapValue::from([("value", 0i64)]));

    let log = events.clone();
    let _hook = on_set(&store, move |e| {
        let negative = match e.proposed() {
            Proposed::Key(key, value) => {
                log.push(format!("set key {key} {}", js(value.copied())));
                value.is_some_and(|v| *v < 0)
            }
            Proposed::Value(map) => {
                let v = map.get("value").copied();
                log.push(format!("set all {}", js(v)));
                v.is_some_and(|v| v < 0)
            }
        };
        if negative {
            e.abort();
        }
    });
    let log = events.clone();
    let _hook = on_notify(&store, move |e| {
        log.push(format!(
            "notify {} {}",
            js(e.key()),
            js(e.old().get("value"))
        ))
    });
    let log = events.clone();
    let _sub = store.subscribe(move |v, old, key| {
        log.push(format!(
            "subscription {} {} → {}",
            js(key),
            js(old.and_then(|o| o.get("value"))),
            js(v.get("value"))
        ))
    });
    assert_eq!(events.take(), ["subscription undefined undefined → 0"]);

    store.set_key("value", 1);
    assert_eq!(
        events.take(),
        [
            "set key value 1",
            "notify value 0",
            "subscription value 0 → 1"
        ]
    );

    store.set(MapValue::from([("value", 2)]));
    assert_eq!(
        events.take(),
        [
            "set all 2",
            "notify undefined 1",
            "subscription undefined 1 → 2"
        ]
    );

    store.set_key("value", -1);
    assert_eq!(events.take(), ["set key value -1"]);
    assert_eq!(store.get(), MapValue::from([("value", 2)]));

    store.set(MapValue::from([("value", -2)]));
    assert_eq!(events.take(), ["set all -2"]);
    assert_eq!(store.get(), MapValue::from([("value", 2)]));
}

// L11's last part: removing the last onMount hook while mounted drops the
// mounted mark and its pending cleanups (quirk Q7 fixed — upstream's own
// expectation here), and the onStop hooks keep firing (quirk Q3 fixed; in
// this install order nanostores 1.5.2 agrees).
#[test]
fn l11_mount_and_stop_hooks_are_triggered_by_listen_and_can_be_removed() {
    let clock = clock();
    let events = Log::new();
    let store = Atom::new(0);

    let log = events.clone();
    let stop1 = on_stop(&store, move |_| log.push("stop1"));
    let log = events.clone();
    let mount1 = on_mount(&store, move |_| {
        log.push("mount1");
        let log = log.clone();
        move || log.push("unmount1")
    });
    let log = events.clone();
    on_stop(&store, move |_| log.push("stop2")).keep();
    let log = events.clone();
    let mount2 = on_mount(&store, move |_| {
        log.push("mount2");
        let log = log.clone();
        move || log.push("unmount2")
    });

    let log = events.clone();
    let listener = store.listen(move |v, _| log.push(v.to_string()));
    store.set(1);
    store.set(2);
    drop(listener);
    store.set(3);
    assert_eq!(
        events.all(),
        ["mount2", "mount1", "1", "2", "stop2", "stop1"]
    );

    clock.advance(delay_ms());
    assert_eq!(
        events.take(),
        ["mount2", "mount1", "1", "2", "stop2", "stop1", "unmount2", "unmount1"]
    );

    drop(mount1);
    drop(stop1);
    let log = events.clone();
    let listener = store.listen(move |v, _| log.push(v.to_string()));
    store.set(4);
    drop(mount2);
    drop(listener);
    clock.advance(delay_ms());
    assert_eq!(events.take(), ["mount2", "4", "stop2"]);
}

#[test]
fn l12_get_mounts_briefly_and_unmounts_after_the_delay() {
    let clock = clock();
    let events = Log::new();
    let store = Atom::new(0);
    let (log, s) = (events.clone(), store.clone());
    let _hook = on_mount(&store, move |_| {
        log.push(format!("mount {}", s.get()));
        let log = log.clone();
        move || log.push("unmount")
    });

    store.get();
    store.get();
    clock.advance(delay_ms());
    assert_eq!(events.all(), ["mount 0", "unmount"]);
}

#[test]
fn l13_a_value_set_by_on_mount_is_returned_by_the_same_get() {
    let clock = clock();
    let events = Log::new();
    let store = Atom::new(0);
    let (log, s) = (events.clone(), store.clone());
    let _hook = on_mount(&store, move |_| {
        log.push("mount");
        s.set(23);
        let log = log.clone();
        move || log.push("unmount")
    });

    assert_eq!(store.get(), 23);
    assert_eq!(store.get(), 23);
    clock.advance(delay_ms());
    assert_eq!(events.all(), ["mount", "unmount"]);
}
