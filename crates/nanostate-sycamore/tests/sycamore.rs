//! The binding against a real Sycamore reactive graph (native, no browser).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use nanostate::runtime::ManualClock;
use nanostate::{computed, on_mount, Atom, Computed, MapStore, STORE_UNMOUNT_DELAY};
use nanostate_sycamore::{use_store, use_store_keys, use_store_select};
use sycamore::prelude::*;

/// Every value `signal` takes, as seen by a Sycamore effect (which runs
/// synchronously on each change), the initial one first.
fn record<T: Clone + 'static>(signal: ReadSignal<T>) -> Rc<RefCell<Vec<T>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    create_effect(move || s.borrow_mut().push(signal.get_clone()));
    seen
}

/// How many times `signal` notified, not counting the effect's first run.
fn count_changes<T: 'static>(signal: ReadSignal<T>) -> Rc<Cell<u32>> {
    let runs = Rc::new(Cell::new(0));
    let r = runs.clone();
    create_effect(move || {
        signal.track();
        r.set(r.get() + 1);
    });
    runs.set(0);
    runs
}

#[test]
fn signal_follows_the_store_with_every_value_in_order() {
    let count = Atom::new(1);
    let doubled = Computed::new(&count, |n| n * 2);
    let root = create_root(|| {
        let n = use_store(&count);
        let d = use_store(&doubled);
        let seen = record(n);
        // A Sycamore memo over the store's signal follows too.
        let plus_one = create_memo(move || n.get() + 1);
        let memo_seen = record(plus_one);
        let doubled_seen = record(d);

        count.set(5);
        count.set(5); // equal: the store does not notify
        count.update(|n| n + 1);
        count.set(-3);

        assert_eq!(*seen.borrow(), [1, 5, 6, -3]);
        assert_eq!(*memo_seen.borrow(), [2, 6, 7, -2]);
        assert_eq!(*doubled_seen.borrow(), [2, 10, 12, -6]);
        assert_eq!((n.get_untracked(), d.get_untracked()), (-3, -6));
    });
    root.dispose();
}

#[test]
fn disposing_the_root_unsubscribes_and_unmounts_after_the_delay() {
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
    let map = MapStore::new([("a", 1)].into());

    let root = create_root(|| {
        let _a = use_store(&store);
        let _b = use_store_select(&store, |n| n % 2);
        let _c = use_store_keys(&map, ["a"]);
    });
    assert_eq!((store.listener_count(), map.listener_count()), (2, 1));
    assert_eq!(*log.lock().unwrap(), ["mount"]);

    root.dispose();
    assert_eq!((store.listener_count(), map.listener_count()), (0, 0));
    let delay = STORE_UNMOUNT_DELAY.as_millis() as u64;
    assert_eq!(delay, 1000);
    clock.advance(delay - 1);
    assert_eq!(
        *log.lock().unwrap(),
        ["mount"],
        "unmounted before the delay"
    );
    clock.advance(1);
    assert_eq!(*log.lock().unwrap(), ["mount", "unmount"]);
    // After disposal, writes reach no disposed signal (no panic).
    store.set(9);
    map.set_key("a", 2);
}

#[test]
fn disposing_a_child_scope_releases_only_its_listener() {
    let store = Atom::new(0);
    let root = create_root(|| {
        let outer = use_store(&store);
        let mut inner = None;
        let child = create_child_scope(|| inner = Some(use_store(&store)));
        assert_eq!(store.listener_count(), 2);
        child.dispose();
        assert_eq!(store.listener_count(), 1);
        assert!(!inner.unwrap().is_alive());
        store.set(4);
        assert_eq!(outer.get_untracked(), 4);
    });
    assert_eq!(store.listener_count(), 1);
    root.dispose();
    assert_eq!(store.listener_count(), 0);
}

static GREETING: Atom<&str> = nanostate::atom("hello from nanostate");
static LENGTH: Computed<usize> = computed(&GREETING, |g| g.len());

#[component]
fn Greeting() -> View {
    let greeting = use_store(&GREETING);
    let length = use_store(&LENGTH);
    view! { p { (greeting) " (" (length) ")" } }
}

/// `html` without comments (Sycamore marks dynamic parts with `<!--/-->`).
fn without_comments(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("-->").expect("a closed comment");
        rest = &rest[start + end + 3..];
    }
    out + rest
}

#[test]
fn ssr_render_shows_the_store_value_and_leaves_no_listener() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let html = without_comments(&sycamore::render_to_string(Greeting));
    assert_eq!(html, r#"<p data-hk="0.0">hello from nanostate (20)</p>"#);
    // The render disposed its scope: our listeners are gone, and the
    // computed (unmounted) follows its dependency only for the delay.
    assert_eq!((GREETING.listener_count(), LENGTH.listener_count()), (1, 0));
    clock.advance(STORE_UNMOUNT_DELAY.as_millis() as u64);
    assert_eq!(GREETING.listener_count(), 0);

    // A later render shows a later value.
    GREETING.set("hi");
    let html = without_comments(&sycamore::render_to_string(Greeting));
    assert_eq!(html, r#"<p data-hk="0.0">hi (2)</p>"#);
}

#[test]
fn keys_and_select_skip_unrelated_changes() {
    let cart = MapStore::new([("tee", 1), ("cap", 1)].into());
    let user = Atom::new((String::from("Ada"), 0u32));
    let root = create_root(|| {
        let tee = use_store_keys(&cart, ["tee"]);
        let whole = use_store(&cart);
        let name = use_store_select(&user, |u| u.0.clone());
        let tee_changes = count_changes(tee);
        let whole_changes = count_changes(whole);
        let name_changes = count_changes(name);
        let tee_seen = record(create_memo(move || tee.with(|m| m.get("tee").copied())));

        cart.set_key("cap", 2); // unrelated key
        cart.set_key("cap", 3);
        cart.set_key("tee", 2); // watched key
        cart.set([("tee", 2), ("cap", 9)].into()); // whole set, "tee" unchanged
        cart.set([("tee", 3), ("cap", 9)].into()); // whole set, "tee" changed
        cart.delete_key(&"cap"); // unrelated key
        cart.delete_key(&"tee"); // watched key
        assert_eq!(tee_changes.get(), 3);
        assert_eq!(whole_changes.get(), 7);
        assert_eq!(*tee_seen.borrow(), [Some(1), Some(2), Some(3), None]);
        assert!(tee.with_untracked(|m| m.is_empty()));

        user.update(|u| (u.0.clone(), u.1 + 1)); // unrelated field
        user.update(|u| (u.0.clone(), u.1 + 1));
        user.update(|u| (String::from("Grace"), u.1)); // selected field
        user.update(|u| (u.0.clone(), u.1 + 1));
        assert_eq!(name_changes.get(), 1);
        assert_eq!(name.get_clone_untracked(), "Grace");
    });
    root.dispose();
    assert_eq!((cart.listener_count(), user.listener_count()), (0, 0));
}

/// An action: writes are plain store calls, from any event handler.
fn add_visit(visits: &Atom<u32>) {
    visits.update(|n| n + 1);
}

#[test]
fn actions_are_plain_functions_and_selectors_need_not_be_send() {
    let visits = Atom::new(0);
    let label = Rc::new(String::from("visits: ")); // not Send
    let root = create_root(|| {
        let l = label.clone();
        let text = use_store_select(&visits, move |n| format!("{l}{n}"));
        let seen = record(text);
        add_visit(&visits);
        add_visit(&visits);
        assert_eq!(*seen.borrow(), ["visits: 0", "visits: 1", "visits: 2"]);
    });
    root.dispose();
}

#[test]
fn a_write_on_another_thread_waits_for_the_next_local_change() {
    let count = Atom::new(0);
    let root = create_root(|| {
        let n = use_store(&count);
        let c = count.clone();
        std::thread::spawn(move || c.set(7)).join().unwrap();
        assert_eq!(n.get_untracked(), 0, "the signal belongs to this thread");
        count.update(|n| n + 1);
        assert_eq!(n.get_untracked(), 8);
    });
    root.dispose();
}
