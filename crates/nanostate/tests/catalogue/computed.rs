//! §2.3 computed and batched (C1–C27; C18 and C19 use tasks: part 2).

use std::cell::RefCell;

use nanostate::{batch, on_mount, Atom, Computed, MapStore, MapValue};

use crate::support::{clock, Log, Rec, NOTHING};

#[test]
fn c1_computes_lazily_and_only_when_a_dependency_changes() {
    let clock = clock();
    let runs = Log::new();
    let values = Log::new();
    let letter = Atom::new("a");
    let number = Atom::new(0);
    let log = runs.clone();
    let combined = Computed::new2(&letter, &number, move |l, n| {
        log.push("run");
        format!("{l} {n}")
    });
    assert_eq!(runs.len(), 0);

    let log = values.clone();
    let sub = combined.subscribe(move |v, _| log.push(v.clone()));
    assert_eq!(values.all(), ["a 0"]);
    assert_eq!(runs.len(), 1);

    letter.set("b");
    assert_eq!(values.all(), ["a 0", "b 0"]);
    assert_eq!(runs.len(), 2);

    number.set(1);
    assert_eq!(values.all(), ["a 0", "b 0", "b 1"]);
    assert_eq!(runs.len(), 3);

    drop(sub);
    clock.run_all();
    assert_eq!(runs.len(), 3);
    assert_eq!(values.len(), 3);
}

#[test]
fn c2_computed_follows_its_dependency() {
    let _clock = clock();
    let values = Rec::<i32>::new();
    let store = Atom::new(1);
    let tens = Computed::new(&store, |x| x * 10);
    let log = values.clone();
    let _sub = tens.subscribe(move |v, _| log.push(*v));
    assert_eq!(values.all(), [10]);

    store.set(2);
    assert_eq!(values.all(), [10, 20]);
}

fn letter(from: char, to: &'static str) -> impl Fn(&String) -> String + Send + Sync + 'static {
    move |s: &String| s.replace(from, to)
}

#[test]
fn c3_diamond_emits_once_per_change_with_consistent_values() {
    let _clock = clock();
    let values = Log::new();
    let store = Atom::new(0);
    let a = Computed::new(&store, |v| format!("a{v}"));
    let b = Computed::new(&a, letter('a', "b"));
    let c = Computed::new(&a, letter('a', "c"));
    let d = Computed::new(&a, letter('a', "d"));
    let combined = Computed::new3(&b, &c, &d, |b, c, d| format!("{b}{c}{d}"));
    let log = values.clone();
    let _sub = combined.subscribe(move |v, _| log.push(v.clone()));
    assert_eq!(values.all(), ["b0c0d0"]);

    store.set(1);
    store.set(2);
    assert_eq!(values.all(), ["b0c0d0", "b1c1d1", "b2c2d2"]);
}

#[test]
fn c4_a_chain_and_its_head_combine_without_glitches() {
    let _clock = clock();
    let values = Log::new();
    let store = Atom::new(0);
    let a = Computed::new(&store, |v| format!("a{v}"));
    let b = Computed::new(&a, letter('a', "b"));
    let c = Computed::new(&b, letter('b', "c"));
    let d = Computed::new(&c, letter('c', "d"));
    let e = Computed::new(&d, letter('d', "e"));
    let combined = Computed::new2(&a, &e, |a, e| format!("{a}{e}"));
    let log = values.clone();
    let _sub = combined.subscribe(move |v, _| log.push(v.clone()));
    assert_eq!(values.all(), ["a0e0"]);

    store.set(1);
    assert_eq!(values.all(), ["a0e0", "a1e1"]);
}

#[test]
fn c5_every_link_of_a_chain_combines_without_glitches() {
    let _clock = clock();
    let values = Log::new();
    let store = Atom::new(0);
    let a = Computed::new(&store, |v| format!("a{v}"));
    let b = Computed::new(&a, letter('a', "b"));
    let c = Computed::new(&b, letter('b', "c"));
    let d = Computed::new(&c, letter('c', "d"));
    let combined = Computed::new4(&a, &b, &c, &d, |a, b, c, d| format!("{a}{b}{c}{d}"));
    let log = values.clone();
    let _sub = combined.subscribe(move |v, _| log.push(v.clone()));
    assert_eq!(values.all(), ["a0b0c0d0"]);

    store.set(1);
    assert_eq!(values.all(), ["a0b0c0d0", "a1b1c1d1"]);
}

#[test]
fn c6_a_graph_with_two_sources_emits_once_per_change_in_each_output() {
    let _clock = clock();
    let values = Log::new();
    let s1 = Atom::new(0);
    let s2 = Atom::new(0);
    let a = Computed::new(&s1, |v| format!("a{v}"));
    let b = Computed::new(&s2, |v| format!("b{v}"));
    let c = Computed::new2(&a, &b, |a, b| format!("c{a}{b}"));
    let d = Computed::new(&a, |a| format!("d{a}"));
    let e = Computed::new2(&c, &d, |c, d| format!("e{c}{d}"));
    let f = Computed::new(&e, |e| format!("f{e}"));
    let g = Computed::new(&f, |f| format!("g{f}"));
    let combined1 = Computed::new(&e, |e| e.clone());
    let combined2 = Computed::new2(&e, &g, |e, g| format!("{e}{g}"));
    let log = values.clone();
    let _sub1 = combined1.subscribe(move |v, _| log.push(v.clone()));
    let log = values.clone();
    let _sub2 = combined2.subscribe(move |v, _| log.push(v.clone()));
    assert_eq!(values.take(), ["eca0b0da0", "eca0b0da0gfeca0b0da0"]);

    s1.set(1);
    assert_eq!(values.take(), ["eca1b0da1", "eca1b0da1gfeca1b0da1"]);

    s2.set(2);
    assert_eq!(values.take(), ["eca1b2da1", "eca1b2da1gfeca1b2da1"]);
}

#[test]
fn c7_batch_over_two_sources_emits_once() {
    let _clock = clock();
    let values = Log::new();
    let s1 = Atom::new(0);
    let s2 = Atom::new(0);
    let a = Computed::new(&s1, |v| format!("a{v}"));
    let b = Computed::new(&s2, |v| format!("b{v}"));
    let combined = Computed::new2(&a, &b, |a, b| format!("{a}{b}"));
    let log = values.clone();
    let _sub = combined.subscribe(move |v, _| log.push(v.clone()));
    assert_eq!(values.all(), ["a0b0"]);

    batch(|| {
        s1.set(1);
        s2.set(2);
    });
    assert_eq!(values.all(), ["a0b0", "a1b2"]);
}

#[test]
fn c8_batch_of_repeated_writes_emits_only_the_final_sum() {
    let _clock = clock();
    let values = Log::new();
    let base = Atom::new(0);
    let left = Computed::new(&base, |b| b * 10);
    let right = Computed::new(&base, |b| b * 100);
    let sum = Computed::new2(&left, &right, |l, r| l + r);
    let log = values.clone();
    let _sub = sum.subscribe(move |v, _| log.push(format!("sum={v}")));
    assert_eq!(values.all(), ["sum=0"]);

    batch(|| {
        base.set(1);
        base.set(2);
        base.set(3);
    });
    assert_eq!(values.all(), ["sum=0", "sum=330"]);
}

#[test]
fn c9_conditional_graph_runs_each_function_once_per_change() {
    let _clock = clock();
    let runs = Log::new();
    let first = Atom::new("John");
    let last = Atom::new("Doe");
    let log = runs.clone();
    let full = Computed::new2(&first, &last, move |f, l| {
        log.push("full");
        format!("{f} {l}")
    });
    let log = runs.clone();
    let is_short = Computed::new(&first, move |f| {
        log.push("short");
        f.len() < 10
    });
    let log = runs.clone();
    let display = Computed::new3(&first, &is_short, &full, move |f, short, full| {
        log.push("display");
        if *short {
            full.clone()
        } else {
            f.to_string()
        }
    });
    assert_eq!(runs.all(), NOTHING);

    let _sub = display.listen(|_, _| {});
    assert_eq!(display.get(), "John Doe");
    assert_eq!(runs.take(), ["short", "full", "display"]);

    first.set("Benedict");
    assert_eq!(display.get(), "Benedict Doe");
    assert_eq!(runs.take(), ["short", "full", "display"]);

    first.set("Montgomery");
    assert_eq!(display.get(), "Montgomery");
    assert_eq!(runs.take(), ["short", "full", "display"]);
}

#[test]
fn c10_an_unchanged_branch_does_not_cause_an_extra_emission() {
    let _clock = clock();
    let values = Log::new();
    let s1 = Atom::new(0);
    let s2 = Atom::new(0);
    let a = Computed::new(&s1, |v| format!("a{v}"));
    let b = Computed::new(&s2, |v| format!("b{v}"));
    let c = Computed::new(&b, letter('b', "c"));
    let combined = Computed::new2(&a, &c, |a, c| format!("{a}{c}"));
    let log = values.clone();
    let _sub = combined.subscribe(move |v, _| log.push(v.clone()));
    assert_eq!(values.all(), ["a0c0"]);

    s1.set(1);
    assert_eq!(values.all(), ["a0c0", "a1c0"]);
}

#[test]
fn c11_get_before_subscribe_and_after_the_unmount_delay_stays_fresh() {
    let clock = clock();
    let values = Log::new();
    let base = Atom::new(0);
    let a = Computed::new(&base, |v| format!("{v}a"));
    let b = Computed::new(&a, |a| format!("{a}b"));
    assert_eq!(b.get(), "0ab");

    let log = values.clone();
    let _sub = b.subscribe(move |v, _| log.push(v.clone()));
    assert_eq!(values.all(), ["0ab"]);

    clock.advance(2000);
    assert_eq!(a.get(), "0a");

    base.set(1);
    assert_eq!(values.all(), ["0ab", "1ab"]);
}

#[test]
fn c12_a_subscriber_writing_the_source_settles_breadth_first() {
    let _clock = clock();
    let events = Log::new();
    let val = Atom::new(1);
    let c1 = Computed::new(&val, |v| *v);
    let c2 = Computed::new(&c1, |v| *v);
    let log = events.clone();
    let _sv = val.subscribe(move |v, _| log.push(format!("val {v}")));
    let (log, v2) = (events.clone(), val.clone());
    let _sc = c2.subscribe(move |v, _| {
        log.push(format!("computed2 {v}"));
        if v % 2 == 1 {
            v2.set(v + 1);
        }
    });
    assert_eq!(
        events.take(),
        ["val 1", "computed2 1", "val 2", "computed2 2"]
    );

    val.set(3);
    assert_eq!(
        events.take(),
        ["val 3", "computed2 3", "val 4", "computed2 4"]
    );
}

#[test]
fn c13_user_on_mount_on_a_computed_and_its_unmount() {
    let clock = clock();
    let events = Log::new();
    let seen = Rec::<i32>::new();
    let store = Atom::new(1);
    let deferrer = Computed::new(&store, |x| x * 2);
    let log = events.clone();
    on_mount(&deferrer, move |_| {
        log.push("init");
        let log = log.clone();
        move || log.push("destroy")
    })
    .keep();
    assert_eq!(events.all(), NOTHING);

    let log = seen.clone();
    let sub = deferrer.subscribe(move |v, _| log.push(*v));
    clock.run_all();
    assert!(deferrer.listener_count() > 0);
    assert_eq!(deferrer.get(), 2);
    assert_eq!(seen.all(), [2]);
    assert!(store.listener_count() > 0);
    assert_eq!(events.all(), ["init"]);

    store.set(3);
    assert_eq!(deferrer.get(), 6);
    assert_eq!(seen.all(), [2, 6]);

    drop(sub);
    clock.run_all();
    assert_eq!(deferrer.listener_count(), 0);
    assert_eq!(events.all(), ["init", "destroy"]);
}

#[test]
fn c14_computed_over_an_undefined_atom() {
    let _clock = clock();
    let store: Atom<Option<i32>> = Atom::new(None);
    let truthy = Computed::new(&store, |v| v.is_some());
    assert!(!truthy.get());
}

#[test]
fn c15_batched_emits_once_per_tick() {
    let clock = clock();
    let values = Log::new();
    let st1 = Atom::new("1");
    let st2 = Atom::new("1");
    let both = Computed::batched2(&st1, &st2, |a, b| format!("{a}{b}"));
    let log = values.clone();
    let _sub = both.subscribe(move |v, _| log.push(v.clone()));
    assert_eq!(values.all(), ["11"]);

    st1.set("2");
    st2.set("2");
    clock.run_all();
    assert_eq!(values.all(), ["11", "22"]);

    st1.set("3");
    st2.set("3");
    clock.run_all();
    assert_eq!(values.all(), ["11", "22", "33"]);
    assert_eq!(values.all().concat(), "112233");
}

#[test]
fn c16_batched_get_is_not_deferred() {
    let clock = clock();
    let st1 = Atom::new("1");
    let st2 = Atom::new("1");
    let both = Computed::batched2(&st1, &st2, |a, b| format!("{a}{b}"));
    assert_eq!(both.get(), "11");
    assert_eq!(clock.manual().now(), 0);
}

#[test]
fn c17_computed_over_a_map_follows_set_and_set_key() {
    let _clock = clock();
    let map = MapStore::new(MapValue::from([("counter", 1)]));
    let plus_one = Computed::new(&map, |m| m.get("counter").copied().unwrap_or(0) + 1);
    let _sm = map.subscribe(|_, _, _| {});
    let _sc = plus_one.subscribe(|_, _| {});

    map.set(MapValue::from([("counter", 2)]));
    assert_eq!(map.get(), MapValue::from([("counter", 2)]));
    assert_eq!(plus_one.get(), 3);

    map.set_key("counter", 3);
    assert_eq!(plus_one.get(), 4);
}

#[test]
fn c20_reading_a_computed_in_a_source_listener_is_fresh() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(1);
    let double = Computed::new(&store, |x| x * 2);
    let (log, d) = (events.clone(), double.clone());
    let _sa = store.subscribe(move |v, _| {
        log.push(v.to_string());
        log.push(d.get().to_string());
    });
    let log = events.clone();
    let _sc = double.subscribe(move |_, _| log.push("afterAtom"));
    assert_eq!(events.take(), ["1", "2", "afterAtom"]);

    store.set(2);
    assert_eq!(events.take(), ["2", "4", "afterAtom"]);
}

#[test]
fn c21_a_computed_listener_unsubscribed_by_a_source_listener_is_not_called() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(0);
    let double = Computed::new(&store, |x| x * 2);
    let slot = crate::support::SubSlot::new();
    let log = events.clone();
    slot.put(double.listen(move |_, _| log.push("afterAtom")));
    let (log, d, s) = (events.clone(), double.clone(), slot.clone());
    let _sa = store.listen(move |v, _| {
        log.push(v.to_string());
        log.push(d.get().to_string());
        if *v > 1 {
            s.cancel();
        }
    });

    store.set(1);
    assert_eq!(events.take(), ["1", "2", "afterAtom"]);

    store.set(2);
    assert_eq!(events.take(), ["2", "4"]);
}

#[derive(Clone, PartialEq)]
struct Source {
    count: i32,
}

#[test]
fn c22_dependency_subscriptions_follow_the_computed_listeners() {
    let clock = clock();
    let source = Atom::new(Source { count: 0 });
    let derived = Computed::new(&source, |s| s.count);
    assert_eq!((source.listener_count(), derived.listener_count()), (0, 0));

    let sub = derived.subscribe(|_, _| {});
    assert_eq!((source.listener_count(), derived.listener_count()), (1, 1));

    drop(sub);
    clock.advance(2000);
    assert_eq!((source.listener_count(), derived.listener_count()), (0, 0));
}

#[test]
fn c23_reading_an_undeclared_computed_inside_a_computed_is_fresh() {
    let _clock = clock();
    let seen = Rec::<i32>::new();
    let store = Atom::new(1);
    let c2 = Computed::new(&store, |x| x * 2);
    let log = seen.clone();
    let c1 = Computed::new(&store, move |_| {
        let v = c2.get();
        log.push(v);
        v
    });
    let _sub = c1.subscribe(|_, _| {});

    store.set(2);
    assert_eq!(seen.all(), [2, 4]);
}

#[test]
fn c24_reading_a_computed_right_after_writing_its_source_in_a_listener() {
    let _clock = clock();
    let seen = Rec::<i32>::new();
    let store = Atom::new(1);
    let event = Atom::new(0);
    let double = Computed::new(&store, |x| x * 2);
    let _sd = double.listen(|_, _| {});
    let (log, s, d) = (seen.clone(), store.clone(), double.clone());
    let _se = event.listen(move |_, _| {
        s.set(2);
        log.push(d.get());
    });

    event.set(1);
    assert_eq!(seen.all(), [4]);
}

#[test]
fn c25_reading_a_computed_chain_right_after_writing_its_source_in_a_listener() {
    let _clock = clock();
    let seen = Rec::<i32>::new();
    let store = Atom::new(1);
    let event = Atom::new(0);
    let c1 = Computed::new(&store, |x| x * 2);
    let c2 = Computed::new(&c1, |x| x * 3);
    let _sc = c2.listen(|_, _| {});
    let (log, s, c) = (seen.clone(), store.clone(), c2.clone());
    let _se = event.listen(move |_, _| {
        s.set(2);
        log.push(c.get());
    });

    event.set(1);
    assert_eq!(seen.all(), [12]);
}

#[test]
fn c26_custom_eq_on_a_computed_stops_propagation() {
    let _clock = clock();
    let runs = Log::new();
    let source = Atom::new(1);
    let log = runs.clone();
    let flags = Computed::new(&source, move |v| {
        log.push("flags");
        vec![*v > 0]
    });
    // JS arrays are compared by identity, so upstream gives an element-wise
    // `eq`; here it is spelled out the same way.
    flags.set_eq(|a, b| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y));
    let log = runs.clone();
    let label = Computed::new(&flags, move |f| {
        log.push("label");
        if f[0] {
            "yes"
        } else {
            "no"
        }
    });
    let _sub = label.subscribe(|_, _| {});
    assert_eq!(runs.take(), ["flags", "label"]);

    source.set(2);
    assert_eq!(runs.take(), ["flags"]);
    assert_eq!(label.get(), "yes");

    source.set(-1);
    assert_eq!(runs.take(), ["flags", "label"]);
    assert_eq!(label.get(), "no");
}

// C27: JS calls `eq(undefined, 2)` for the first result. A Rust `eq` takes
// two `&T`, and the first result has no previous value, so nanostate does not
// call `eq` then; the recorded old values are `[2]` instead of
// `[undefined, 2]`.
#[test]
fn c27_custom_eq_on_a_computed_sees_the_previous_result() {
    thread_local! {
        static OLD: RefCell<Vec<i32>> = const { RefCell::new(Vec::new()) };
    }
    let _clock = clock();
    let source = Atom::new(1);
    let double = Computed::new(&source, |x| x * 2);
    double.set_eq(|old, new| {
        OLD.with_borrow_mut(|o| o.push(*old));
        old == new
    });

    assert_eq!(double.get(), 2);
    source.set(3);
    assert_eq!(double.get(), 6);
    assert_eq!(OLD.with_borrow(Clone::clone), [2]);
}
