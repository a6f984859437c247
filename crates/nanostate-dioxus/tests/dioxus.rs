//! The binding against a real, headless Dioxus `VirtualDom` (native, no
//! renderer): renders are driven by hand and the output read with
//! `dioxus-ssr`. Each test has its own `static` stores (tests run in
//! parallel) and counts its components' renders exactly.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use dioxus::prelude::*;
use dioxus_core::NoOpMutations;
use nanostate::runtime::ManualClock;
use nanostate::{atom, computed, map, on_mount, Atom, Computed, MapStore, Store};
use nanostate_dioxus::{use_store, use_store_keys, use_store_select};

/// Lets the `VirtualDom` handle what the stores' changes scheduled (re-runs
/// of the components whose signals changed).
fn settle(dom: &mut VirtualDom) -> String {
    dom.render_immediate(&mut NoOpMutations);
    dioxus_ssr::render(dom)
}

/// Logs `on_mount` and its cleanup for `store`.
fn log_mounts<S: Store>(store: &S) -> Arc<Mutex<Vec<&'static str>>> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    on_mount(store, move |_| {
        l.lock().unwrap().push("mount");
        let l = l.clone();
        move || l.lock().unwrap().push("unmount")
    })
    .keep();
    log
}

static COUNT: Atom<i32> = atom(1);
static DOUBLED: Computed<i32> = computed(&COUNT, |n| n * 2);
static COUNTER_RENDERS: AtomicUsize = AtomicUsize::new(0);

fn counter() -> Element {
    COUNTER_RENDERS.fetch_add(1, SeqCst);
    let n = use_store(&COUNT);
    let d = use_store(&DOUBLED);
    rsx! { p { "{n} x 2 = {d}" } }
}

#[test]
fn a_store_change_rerenders_the_component_with_the_new_value() {
    let mut dom = VirtualDom::new(counter);
    dom.rebuild_in_place();
    assert_eq!(dioxus_ssr::render(&dom), "<p>1 x 2 = 2</p>");
    assert_eq!(COUNTER_RENDERS.load(SeqCst), 1);

    COUNT.set(5); // a plain store call, outside any component
    assert_eq!(settle(&mut dom), "<p>5 x 2 = 10</p>");
    assert_eq!(COUNTER_RENDERS.load(SeqCst), 2);

    // An action run by the VirtualDom's runtime, as an event handler would.
    dom.in_runtime(|| COUNT.update(|n| n + 1));
    assert_eq!(settle(&mut dom), "<p>6 x 2 = 12</p>");
    // Two changes of the same store between two frames: one re-render.
    COUNT.set(7);
    COUNT.set(8);
    assert_eq!(settle(&mut dom), "<p>8 x 2 = 16</p>");
    assert_eq!(COUNTER_RENDERS.load(SeqCst), 4);
    // Nothing changed: no re-render.
    assert_eq!(settle(&mut dom), "<p>8 x 2 = 16</p>");
    assert_eq!(COUNTER_RENDERS.load(SeqCst), 4);
    // One listener per hook, subscribed once however many renders.
    assert_eq!((COUNT.listener_count(), DOUBLED.listener_count()), (2, 1));
}

static DROPPED: Atom<u32> = atom(0);
static DROPPED_KEYS: MapStore<&str, u32> = map();

fn holds_three_hooks() -> Element {
    let a = use_store(&DROPPED);
    let b = use_store_select(&DROPPED, |n| n % 2);
    let c = use_store_keys(&DROPPED_KEYS, ["a"]);
    rsx! { "{a} {b} {c.read().len()}" }
}

#[test]
fn dropping_the_virtual_dom_unsubscribes_and_unmounts_after_the_delay() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let log = log_mounts(&DROPPED);

    let mut dom = VirtualDom::new(holds_three_hooks);
    dom.rebuild_in_place();
    assert_eq!(dioxus_ssr::render(&dom), "0 0 0");
    // One listener per hook.
    assert_eq!(
        (DROPPED.listener_count(), DROPPED_KEYS.listener_count()),
        (2, 1)
    );
    assert_eq!(*log.lock().unwrap(), ["mount"]);

    drop(dom);
    assert_eq!(
        (DROPPED.listener_count(), DROPPED_KEYS.listener_count()),
        (0, 0)
    );
    clock.advance(999);
    assert_eq!(*log.lock().unwrap(), ["mount"]);
    clock.advance(1);
    assert_eq!(*log.lock().unwrap(), ["mount", "unmount"]);
    // Writes after the component is gone reach nobody and panic nowhere.
    DROPPED.set(3);
    DROPPED_KEYS.set_key("a", 1);
}

static SHOW_CHILD: Atom<bool> = atom(true);
static CHILD_STORE: Atom<&str> = atom("child");
static CHILD_RENDERS: AtomicUsize = AtomicUsize::new(0);

#[component]
fn Child() -> Element {
    CHILD_RENDERS.fetch_add(1, SeqCst);
    let text = use_store(&CHILD_STORE);
    rsx! { span { "{text}" } }
}

fn parent() -> Element {
    let show = use_store(&SHOW_CHILD);
    rsx! {
        div {
            if show() {
                Child {}
            }
        }
    }
}

#[test]
fn a_parent_that_stops_rendering_the_child_releases_its_listener() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let log = log_mounts(&CHILD_STORE);

    let mut dom = VirtualDom::new(parent);
    dom.rebuild_in_place();
    assert_eq!(dioxus_ssr::render(&dom), "<div><span>child</span></div>");
    assert_eq!(CHILD_STORE.listener_count(), 1);

    SHOW_CHILD.set(false);
    assert_eq!(settle(&mut dom), "<div></div>");
    assert_eq!(CHILD_STORE.listener_count(), 0);
    assert_eq!(SHOW_CHILD.listener_count(), 1); // the parent is still there
    clock.advance(999);
    assert_eq!(*log.lock().unwrap(), ["mount"]);
    clock.advance(1);
    assert_eq!(*log.lock().unwrap(), ["mount", "unmount"]);

    // The dropped child is not re-run by a change of its store.
    CHILD_STORE.set("changed");
    settle(&mut dom);
    assert_eq!(CHILD_RENDERS.load(SeqCst), 1);

    // Shown again: a fresh component subscribes again and mounts the store.
    SHOW_CHILD.set(true);
    assert_eq!(settle(&mut dom), "<div><span>changed</span></div>");
    assert_eq!(CHILD_STORE.listener_count(), 1);
    assert_eq!(*log.lock().unwrap(), ["mount", "unmount", "mount"]);
    assert_eq!(CHILD_RENDERS.load(SeqCst), 2);
}

static GREETING: Atom<&str> = atom("hello from nanostate");
static LENGTH: Computed<usize> = computed(&GREETING, |g| g.len());

#[component]
fn Greeting() -> Element {
    let greeting = use_store(&GREETING);
    let length = use_store(&LENGTH);
    rsx! { p { class: "greeting", "{greeting} ({length})" } }
}

#[test]
fn ssr_renders_the_store_value() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let mut dom = VirtualDom::new(|| rsx! { Greeting {} });
    dom.rebuild_in_place();
    assert_eq!(
        dioxus_ssr::render(&dom),
        r#"<p class="greeting">hello from nanostate (20)</p>"#
    );
    // Ours, and the mounted computed's.
    assert_eq!((GREETING.listener_count(), LENGTH.listener_count()), (2, 1));
    drop(dom); // the end of the request
    assert_eq!(LENGTH.listener_count(), 0);
    // The computed follows its dependency for the unmount delay.
    clock.advance(nanostate::STORE_UNMOUNT_DELAY.as_millis() as u64);
    assert_eq!(GREETING.listener_count(), 0);
}

static CART: MapStore<&str, u32> = map();
static USER: Atom<(&str, u32)> = atom(("Ada", 0));
static TEE_RENDERS: AtomicUsize = AtomicUsize::new(0);
static WHOLE_RENDERS: AtomicUsize = AtomicUsize::new(0);
static NAME_RENDERS: AtomicUsize = AtomicUsize::new(0);

#[component]
fn Tee() -> Element {
    TEE_RENDERS.fetch_add(1, SeqCst);
    let cart = use_store_keys(&CART, ["tee"]);
    let tee = cart.read().get("tee").copied().unwrap_or(0);
    rsx! { "tee={tee} " }
}

#[component]
fn Whole() -> Element {
    WHOLE_RENDERS.fetch_add(1, SeqCst);
    let cart = use_store(&CART);
    let items = cart.read().len();
    rsx! { "items={items} " }
}

#[component]
fn Name() -> Element {
    NAME_RENDERS.fetch_add(1, SeqCst);
    let name = use_store_select(&USER, |u| u.0);
    rsx! { "name={name}" }
}

fn renders() -> [usize; 3] {
    [&TEE_RENDERS, &WHOLE_RENDERS, &NAME_RENDERS].map(|c| c.load(SeqCst))
}

#[test]
fn keys_and_select_skip_unrelated_changes_render_for_render() {
    CART.set([("tee", 1), ("cap", 1)].into());
    let mut dom = VirtualDom::new(|| rsx! { Tee {} Whole {} Name {} });
    dom.rebuild_in_place();
    assert_eq!(dioxus_ssr::render(&dom), "tee=1 items=2 name=Ada");
    assert_eq!(renders(), [1, 1, 1]);

    let mut step = |change: &dyn Fn(), html: &str, expected: [usize; 3]| {
        change();
        assert_eq!(settle(&mut dom), html);
        assert_eq!(renders(), expected);
    };
    // An unlisted key: only the whole-map component re-renders.
    step(
        &|| CART.set_key("cap", 2),
        "tee=1 items=2 name=Ada",
        [1, 2, 1],
    );
    step(
        &|| CART.set_key("hat", 1),
        "tee=1 items=3 name=Ada",
        [1, 3, 1],
    );
    // The listed key.
    step(
        &|| CART.set_key("tee", 2),
        "tee=2 items=3 name=Ada",
        [2, 4, 1],
    );
    // A whole `set` that leaves "tee" equal, then one that changes it.
    step(
        &|| CART.set([("tee", 2), ("cap", 9)].into()),
        "tee=2 items=2 name=Ada",
        [2, 5, 1],
    );
    step(
        &|| CART.set([("tee", 3), ("cap", 9)].into()),
        "tee=3 items=2 name=Ada",
        [3, 6, 1],
    );
    // Deleting the listed key is a change of it.
    step(
        &|| CART.delete_key(&"tee"),
        "tee=0 items=1 name=Ada",
        [4, 7, 1],
    );
    // The selected field stays equal: no re-render; then it changes.
    step(
        &|| USER.set(("Ada", 1)),
        "tee=0 items=1 name=Ada",
        [4, 7, 1],
    );
    step(
        &|| USER.set(("Ada", 2)),
        "tee=0 items=1 name=Ada",
        [4, 7, 1],
    );
    step(
        &|| USER.set(("Grace", 2)),
        "tee=0 items=1 name=Grace",
        [4, 7, 2],
    );
    // Inside a batch: one call with the final value.
    step(
        &|| {
            nanostate::batch(|| {
                CART.set_key("cap", 1);
                CART.set_key("tee", 5);
            })
        },
        "tee=5 items=2 name=Grace",
        [5, 8, 2],
    );
}

static REMOTE: Atom<u32> = atom(0);
static REMOTE_RENDERS: AtomicUsize = AtomicUsize::new(0);

fn remote() -> Element {
    REMOTE_RENDERS.fetch_add(1, SeqCst);
    let n = use_store(&REMOTE);
    rsx! { "{n}" }
}

#[test]
fn a_write_on_another_thread_waits_for_the_next_change_on_the_ui_thread() {
    let mut dom = VirtualDom::new(remote);
    dom.rebuild_in_place();
    std::thread::spawn(|| REMOTE.set(7)).join().unwrap();
    assert_eq!(settle(&mut dom), "0");
    assert_eq!(REMOTE_RENDERS.load(SeqCst), 1);
    assert_eq!(REMOTE.get(), 7);
    REMOTE.update(|n| n + 1); // on the UI thread: 7 + 1
    assert_eq!(settle(&mut dom), "8");
    assert_eq!(REMOTE_RENDERS.load(SeqCst), 2);
}

static LOCAL_SELECT: Atom<u32> = atom(1);

fn not_send_selector() -> Element {
    // The selector may hold values that are not `Send` (an `Rc` here).
    let factor = std::rc::Rc::new(10);
    let scaled = use_store_select(&LOCAL_SELECT, move |n| n * *factor);
    rsx! { "{scaled}" }
}

#[test]
fn a_selector_may_capture_values_that_are_not_send() {
    let mut dom = VirtualDom::new(not_send_selector);
    dom.rebuild_in_place();
    assert_eq!(dioxus_ssr::render(&dom), "10");
    LOCAL_SELECT.set(4);
    assert_eq!(settle(&mut dom), "40");
}
