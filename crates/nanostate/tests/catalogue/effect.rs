//! Catalogue §2.5 (effect E1–E5), A25 and X21.

use std::sync::Arc;

use nanostate::*;

use crate::support::Rec;

fn three() -> (Atom<i32>, Atom<i32>, Atom<i32>) {
    (Atom::new(1), Atom::new(2), Atom::new(3))
}

#[test]
fn e1_effect_runs_once_at_creation_with_current_values() {
    let (a1, a2, a3) = three();
    let sums = Rec::<i32>::new();
    let log = sums.clone();
    let _e = effect3(&a1, &a2, &a3, move |a, b, c| log.push(a + b + c));
    assert_eq!(sums.all(), [6]);
}

#[test]
fn e2_effect_reruns_on_each_dependency_change_with_fresh_values() {
    let (a1, a2, a3) = three();
    let sums = Rec::<i32>::new();
    let log = sums.clone();
    let _e = effect3(&a1, &a2, &a3, move |a, b, c| log.push(a + b + c));
    a1.set(5);
    a2.set(10);
    a3.set(15);
    assert_eq!(sums.all(), [6, 10, 18, 30]);
}

#[test]
fn e3_cleanup_runs_before_each_rerun() {
    let (a1, a2, a3) = three();
    let cleanups = Rec::<&str>::new();
    let log = cleanups.clone();
    let _e = effect3(&a1, &a2, &a3, move |_, _, _| {
        let log = log.clone();
        move || log.push("cleanup")
    });
    a1.set(10);
    assert_eq!(cleanups.len(), 1);
    a1.set(20);
    assert_eq!(cleanups.len(), 2);
}

#[test]
fn e4_cancelling_runs_the_last_cleanup_and_stops_the_effect() {
    let (a1, a2, a3) = three();
    let events = Rec::<String>::new();
    let log = events.clone();
    let running = effect3(&a1, &a2, &a3, move |a, _, _| {
        log.push(format!("run {a}"));
        let log = log.clone();
        move || log.push("cleanup")
    });
    drop(running);
    assert_eq!(events.take(), ["run 1", "cleanup"]);
    a1.set(30);
    assert!(events.take().is_empty());
    assert_eq!(a1.listener_count(), 0);
}

/// E5 uses a hand-made `{get, listen}` object; any store type works here
/// (adapted: a computed store plays the custom source).
#[test]
fn e5_effect_accepts_any_store_and_releases_it() {
    let backing = Atom::new(1);
    let source = Computed::new(&backing, |v| *v);
    let seen = Rec::<i32>::new();
    let log = seen.clone();
    let running = effect(&source, move |v| log.push(*v));
    backing.set(2);
    assert_eq!(seen.all(), [1, 2]);
    drop(running);
    assert_eq!(source.listener_count(), 0);
}

#[test]
fn a25_batch_runs_an_effect_once_with_final_values() {
    let (a, b) = (Atom::new(0), Atom::new(0));
    let runs = Rec::<(i32, i32)>::new();
    let log = runs.clone();
    let _e = effect2(&a, &b, move |a, b| log.push((*a, *b)));
    batch(|| {
        a.set(1);
        b.set(2);
        a.set(3);
        b.set(4);
    });
    assert_eq!(runs.all(), [(0, 0), (3, 4)]);
}

#[test]
fn x21_effect_that_writes_its_dependency_reruns_breadth_first() {
    let a = Atom::new(0);
    let runs = Rec::<i32>::new();
    let (log, a2) = (runs.clone(), a.clone());
    let _e = effect(&a, move |v| {
        log.push(*v);
        if *v < 3 {
            a2.set(v + 1);
        }
    });
    assert_eq!(runs.all(), [0, 1, 2, 3]);
}

/// Quirk Q6 fixed: one change reaching the effect through a store and a
/// computed over it runs the effect once, with the computed up to date.
#[test]
fn q6_effect_over_a_store_and_its_computed_runs_once_per_change() {
    let a = Atom::new(1);
    let double = Computed::new(&a, |v| v * 2);
    let runs = Rec::<(i32, i32)>::new();
    let log = runs.clone();
    let _e = effect2(&a, &double, move |a, d| log.push((*a, *d)));
    a.set(2);
    a.set(3);
    assert_eq!(runs.all(), [(1, 2), (2, 4), (3, 6)]);
}

/// Regression (found by the soak run): after a batch that changed a store
/// and, through another store, a computed the effect also lists, the
/// batch's deduplication swallowed the computed's call to the effect, and
/// the skip-once mark that call should have cleared then swallowed the
/// next change that reached the effect through the computed alone.
#[test]
fn q6_effect_after_a_batch_still_sees_changes_through_its_computed() {
    let a = Atom::new(0);
    let b = Atom::new(0);
    let sum = Computed::new2(&a, &b, |a, b| a + b);
    let runs = Rec::<(i32, i32)>::new();
    let log = runs.clone();
    let _e = effect2(&a, &sum, move |a, s| log.push((*a, *s)));
    batch(|| {
        a.set(1);
        b.set(2);
    });
    b.set(3); // reaches the effect only through `sum`
    b.set(4);
    a.set(2);
    assert_eq!(runs.all(), [(0, 0), (1, 3), (1, 4), (1, 5), (2, 6)]);
}

#[test]
fn q6_effect_listing_a_store_twice_runs_once_per_change() {
    let a = Atom::new(1);
    let runs = Rec::<i32>::new();
    let log = runs.clone();
    let _e = effect2(&a, &a, move |x, y| log.push(x + y));
    a.set(2);
    assert_eq!(runs.all(), [2, 4]);
}

#[test]
fn effect_closure_is_freed_when_cancelled() {
    let token = Arc::new(());
    let held = token.clone();
    let a = Atom::new(0);
    let running = effect(&a, move |_| {
        let _ = &held;
    });
    assert_eq!(Arc::strong_count(&token), 2);
    drop(running);
    assert_eq!(Arc::strong_count(&token), 1);
}
