//! The binding against a real Leptos reactive graph (native, no browser).

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use leptos::prelude::*;
use nanostate::runtime::ManualClock;
use nanostate::{computed, on_mount, Atom, Computed, MapStore};
use nanostate_leptos::{use_store, use_store_keys, use_store_select};

/// How many times `signal` notified its subscribers, through an effect that
/// runs synchronously (and also without the `effects` feature, as on a server).
fn count_changes<T: Send + Sync + 'static>(
    signal: Signal<T>,
) -> (ImmediateEffect, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let effect = ImmediateEffect::new_isomorphic(move || {
        signal.track();
        r.fetch_add(1, SeqCst);
    });
    // The first run is the subscription, not a change.
    runs.store(0, SeqCst);
    (effect, runs)
}

#[test]
fn signal_follows_the_store() {
    let count = Atom::new(1);
    let doubled: Computed<i32> = Computed::new(&count, |n| n * 2);
    let owner = Owner::new();
    let (n, d) = owner.with(|| (use_store(&count), use_store(&doubled)));
    assert_eq!((n.get_untracked(), d.get_untracked()), (1, 2));
    count.set(5);
    assert_eq!((n.get_untracked(), d.get_untracked()), (5, 10));
    count.update(|n| n + 1);
    assert_eq!((n.get_untracked(), d.get_untracked()), (6, 12));
}

#[test]
fn writes_from_another_thread_reach_the_signal() {
    let count = Atom::new(0);
    let owner = Owner::new();
    let n = owner.with(|| use_store(&count));
    let c = count.clone();
    std::thread::spawn(move || c.set(7)).join().unwrap();
    assert_eq!(n.get_untracked(), 7);
}

#[test]
fn disposing_the_owner_unsubscribes_and_unmounts() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let store = Atom::new(0);
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    on_mount(&store, move |_| {
        l.lock().unwrap().push("mount");
        let l = l.clone();
        move || l.lock().unwrap().push("unmount")
    })
    .keep();

    let owner = Owner::new();
    owner.with(|| {
        let _a = use_store(&store);
        let _b = use_store_select(&store, |n| n % 2);
    });
    assert_eq!(store.listener_count(), 2);
    assert_eq!(*log.lock().unwrap(), ["mount"]);

    owner.cleanup();
    assert_eq!(store.listener_count(), 0);
    clock.advance(nanostate::STORE_UNMOUNT_DELAY.as_millis() as u64);
    assert_eq!(*log.lock().unwrap(), ["mount", "unmount"]);

    // A map store through `use_store_keys`, with the owner dropped instead.
    let map = MapStore::new([("a", 1)].into());
    let owner = Owner::new();
    owner.with(|| {
        let _ = use_store_keys(&map, ["a"]);
    });
    assert_eq!(map.listener_count(), 1);
    drop(owner);
    assert_eq!(map.listener_count(), 0);
}

static GREETING: Atom<&str> = nanostate::atom("hello from nanostate");
static LENGTH: Computed<usize> = computed(&GREETING, |g| g.len());

#[component]
fn Greeting() -> impl IntoView {
    let greeting = use_store(&GREETING);
    let length = use_store(&LENGTH);
    view! { <p>{move || greeting.get()} " (" {move || length.get()} ")"</p> }
}

#[test]
fn ssr_renders_the_store_value() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let owner = Owner::new();
    let html = owner.with(|| view! { <Greeting/> }.to_html());
    assert!(html.contains("hello from nanostate"), "{html}");
    assert!(html.contains("20"), "{html}");
    // Ours, and the mounted computed's.
    assert_eq!((GREETING.listener_count(), LENGTH.listener_count()), (2, 1));
    drop(owner); // the end of the request
    assert_eq!(LENGTH.listener_count(), 0);
    // The computed follows its dependency for the unmount delay.
    clock.advance(nanostate::STORE_UNMOUNT_DELAY.as_millis() as u64);
    assert_eq!(GREETING.listener_count(), 0);
}

#[test]
fn keys_and_select_skip_unrelated_changes() {
    let cart = MapStore::new([("tee", 1), ("cap", 1)].into());
    let user = Atom::new((String::from("Ada"), 0u32));
    let owner = Owner::new();
    owner.with(|| {
        let tee = use_store_keys(&cart, ["tee"]);
        let whole = use_store(&cart);
        let name = use_store_select(&user, |u| u.0.clone());
        let (_e1, tee_changes) = count_changes(tee);
        let (_e2, whole_changes) = count_changes(whole);
        let (_e3, name_changes) = count_changes(name);

        cart.set_key("cap", 2); // unrelated key
        cart.set_key("cap", 3);
        cart.set_key("tee", 2); // watched key
        cart.set([("tee", 2), ("cap", 9)].into()); // whole set, "tee" unchanged
        assert_eq!(tee_changes.load(SeqCst), 1);
        assert_eq!(whole_changes.load(SeqCst), 4);
        assert_eq!(tee.get_untracked().get("tee"), Some(&2));

        user.update(|u| (u.0.clone(), u.1 + 1)); // unrelated field
        user.update(|u| (u.0.clone(), u.1 + 1));
        user.update(|u| (String::from("Grace"), u.1)); // selected field
        assert_eq!(name_changes.load(SeqCst), 1);
        assert_eq!(name.get_untracked(), "Grace");
    });
}
