//! §2.10 cleanStores (CS1–CS7). The map-creator parts of CS1/CS2 are part 2;
//! CS4–CS6 are JS-only (see `main.rs`).

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use nanostate::{clean_stores, on_mount, Atom, Computed};

use crate::support::{clock, Log, Rec};

/// An `on_mount` logging `mounted` and, if given, a destructor logging
/// `destroyed`.
fn hook(store: &Atom<i32>, events: &Log, mounted: &'static str, destroyed: Option<&'static str>) {
    let log = events.clone();
    on_mount(store, move |_| {
        if !mounted.is_empty() {
            log.push(mounted);
        }
        let log = log.clone();
        destroyed.map(|d| move || log.push(d))
    })
    .keep();
}

#[test]
fn cs1_clean_stores_runs_pending_destructors_and_resets_mounting() {
    let _clock = clock();
    let events = Log::new();
    let loaded = Atom::new(0);
    hook(&loaded, &events, "loaded", Some("unloaded"));
    let no_destroy = Atom::new(0);
    hook(&no_destroy, &events, "", None);
    let not_loaded = Atom::new(0);
    hook(&not_loaded, &events, "not loaded", Some("not unloaded"));

    loaded.listen(|_, _| {}).keep();
    no_destroy.listen(|_, _| {}).keep();

    clean_stores(&[&loaded, &no_destroy, &not_loaded]);
    assert_eq!(events.all(), ["loaded", "unloaded"]);
    assert_eq!(loaded.listener_count(), 0);
    assert_eq!(no_destroy.listener_count(), 0);

    let _sub = loaded.listen(|_, _| {});
    assert_eq!(events.all(), ["loaded", "unloaded", "loaded"]);
}

#[test]
fn cs2_clean_stores_twice_runs_each_destructor_once() {
    let _clock = clock();
    let events = Log::new();
    let loaded = Atom::new(0);
    hook(&loaded, &events, "", Some("loaded"));
    loaded.listen(|_, _| {}).keep();

    clean_stores(&[&loaded]);
    clean_stores(&[&loaded]);
    assert_eq!(events.all(), ["loaded"]);
}

#[test]
fn cs3_clean_stores_resets_a_computed_cache() {
    let _clock = clock();
    let values = Rec::<i32>::new();
    let runs = Log::new();
    let multiplier = Arc::new(AtomicI32::new(2));
    let source = Atom::new(1);
    let (m, log) = (multiplier.clone(), runs.clone());
    let computed = Computed::new(&source, move |s| {
        log.push("run");
        s * m.load(Ordering::SeqCst)
    });

    let log = values.clone();
    let sub = computed.subscribe(move |v, _| log.push(*v));
    assert_eq!(values.take(), [2]);
    assert_eq!(runs.len(), 1);
    drop(sub);

    clean_stores(&[&source, &computed]);
    multiplier.store(10, Ordering::SeqCst);

    let log = values.clone();
    let _sub = computed.subscribe(move |v, _| log.push(*v));
    assert_eq!(values.take(), [10]);
    assert_eq!(runs.len(), 2);
}

#[test]
fn cs7_a_cleaned_store_mounts_again_at_the_next_listener() {
    let _clock = clock();
    let events = Log::new();
    let store = Atom::new(0);
    store.listen(|_, _| {}).keep();

    clean_stores(&[&store]);
    assert_eq!(store.listener_count(), 0);

    hook(&store, &events, "loaded", None);
    let _sub = store.listen(|_, _| {});
    assert_eq!(events.all(), ["loaded"]);
}
