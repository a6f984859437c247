//! The hooks in a real Yew app, mounted in headless Chromium: store changes
//! re-render the components that depend on them (and only those), and
//! destroying the app releases the stores.
//!
//! Run with `wasm-bindgen-test-runner` (see the crate's README).
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::sync::{Arc, Mutex};

use nanostate::runtime::ManualClock;
use nanostate::{atom, atom_with, map_with, on_mount, Atom, MapStore};
use nanostate_yew::{use_store, use_store_keys, use_store_select};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use yew::prelude::*;
use yew::scheduler::flush;

wasm_bindgen_test_configure!(run_in_browser);

const DELAY: u64 = nanostate::STORE_UNMOUNT_DELAY.as_millis() as u64;

/// A fresh `<div>` in the page's body, to mount an app into.
fn root() -> web_sys::Element {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document");
    let div = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&div)
        .expect("the div appended");
    div
}

fn text(root: &web_sys::Element) -> String {
    root.text_content().unwrap_or_default()
}

/// Render counters, one per component (tests run one at a time).
#[derive(Default)]
struct Renders(Cell<u32>);

impl Renders {
    fn bump(&self) {
        self.0.set(self.0.get() + 1);
    }
    fn get(&self) -> u32 {
        self.0.get()
    }
}

// ----- use_store ---------------------------------------------------------

static COUNT: Atom<u32> = atom(0);
thread_local! { static COUNTER_RENDERS: Renders = Renders::default(); }

#[component]
fn Counter() -> Html {
    COUNTER_RENDERS.with(Renders::bump);
    let count = use_store(&COUNT);
    html! { <span>{ *count }</span> }
}

#[wasm_bindgen_test]
async fn use_store_rerenders_on_change_and_destroy_releases_the_store() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    // `on_mount` callbacks are `Send`: the log is behind a mutex.
    let mounted = Arc::new(Mutex::new(Vec::new()));
    let m = mounted.clone();
    on_mount(&COUNT, move |_| {
        m.lock().unwrap().push("mount");
        let m = m.clone();
        move || m.lock().unwrap().push("unmount")
    })
    .keep();

    let root = root();
    let app = yew::Renderer::<Counter>::with_root(root.clone()).render();
    flush().await;
    assert_eq!(text(&root), "0");
    assert_eq!(COUNTER_RENDERS.with(Renders::get), 1);
    assert_eq!(COUNT.listener_count(), 1);

    COUNT.set(5);
    flush().await;
    assert_eq!(text(&root), "5");
    assert_eq!(COUNTER_RENDERS.with(Renders::get), 2);

    COUNT.set(5); // equal: the store does not notify, nothing re-renders
    COUNT.update(|n| n + 1);
    COUNT.update(|n| n + 1); // two changes before yew runs: one render
    flush().await;
    assert_eq!(text(&root), "7");
    assert_eq!(COUNTER_RENDERS.with(Renders::get), 3);

    // The first render's read and the subscription mounted the store once.
    assert_eq!(*mounted.lock().unwrap(), ["mount"]);
    app.destroy();
    flush().await;
    assert_eq!(COUNT.listener_count(), 0);
    clock.advance(DELAY - 1);
    assert_eq!(*mounted.lock().unwrap(), ["mount"]);
    clock.advance(1);
    assert_eq!(*mounted.lock().unwrap(), ["mount", "unmount"]);

    COUNT.set(8); // no component left to render
    flush().await;
    assert_eq!(COUNTER_RENDERS.with(Renders::get), 3);
}

// ----- use_store_keys ----------------------------------------------------

static CART: MapStore<&str, u32> = map_with(|| [("tee", 1), ("cap", 1)].into());
thread_local! {
    static TEE_RENDERS: Renders = Renders::default();
    static WHOLE_RENDERS: Renders = Renders::default();
}

#[component]
fn Tee() -> Html {
    TEE_RENDERS.with(Renders::bump);
    let cart = use_store_keys(&CART, ["tee"]);
    html! { <p>{ format!("tee {};", cart.get("tee").copied().unwrap_or(0)) }</p> }
}

#[component]
fn WholeCart() -> Html {
    WHOLE_RENDERS.with(Renders::bump);
    let cart = use_store(&CART);
    html! { <p>{ format!("items {}", cart.values().sum::<u32>()) }</p> }
}

#[component]
fn CartPage() -> Html {
    html! { <><Tee /><WholeCart /></> }
}

#[wasm_bindgen_test]
async fn use_store_keys_rerenders_only_for_listed_keys() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let root = root();
    let app = yew::Renderer::<CartPage>::with_root(root.clone()).render();
    flush().await;
    assert_eq!(text(&root), "tee 1;items 2");
    let renders = || {
        (
            TEE_RENDERS.with(Renders::get),
            WHOLE_RENDERS.with(Renders::get),
        )
    };
    assert_eq!(renders(), (1, 1));
    // One key-filtered listener, plus `use_store`'s listener.
    assert_eq!(CART.listener_count(), 2);

    CART.set_key("cap", 2); // an unlisted key
    flush().await;
    assert_eq!(renders(), (1, 2));
    assert_eq!(text(&root), "tee 1;items 3");

    CART.set_key("tee", 4); // the listed key
    flush().await;
    assert_eq!(renders(), (2, 3));
    assert_eq!(text(&root), "tee 4;items 6");

    CART.set([("tee", 4), ("cap", 9), ("mug", 1)].into()); // whole set, "tee" unchanged
    flush().await;
    assert_eq!(renders(), (2, 4));

    CART.delete_key(&"tee"); // a listed key removed
    flush().await;
    assert_eq!(renders(), (3, 5));
    assert_eq!(text(&root), "tee 0;items 10");

    app.destroy();
    flush().await;
    assert_eq!(CART.listener_count(), 0);
}

// ----- use_store_select --------------------------------------------------

#[derive(Clone, PartialEq)]
struct User {
    name: &'static str,
    visits: u32,
}

static USER: Atom<User> = atom_with(|| User {
    name: "Ada",
    visits: 0,
});
thread_local! { static NAME_RENDERS: Renders = Renders::default(); }

#[component]
fn Name() -> Html {
    NAME_RENDERS.with(Renders::bump);
    let name = use_store_select(&USER, |u| u.name);
    html! { <b>{ *name }</b> }
}

#[wasm_bindgen_test]
async fn use_store_select_rerenders_only_when_the_selection_changes() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let root = root();
    let app = yew::Renderer::<Name>::with_root(root.clone()).render();
    flush().await;
    assert_eq!(text(&root), "Ada");
    assert_eq!(NAME_RENDERS.with(Renders::get), 1);

    for _ in 0..3 {
        USER.update(|u| User {
            visits: u.visits + 1,
            ..u.clone()
        }); // not selected
        flush().await;
    }
    assert_eq!(NAME_RENDERS.with(Renders::get), 1);
    assert_eq!(USER.get().visits, 3);

    USER.update(|u| User {
        name: "Grace",
        ..u.clone()
    });
    flush().await;
    assert_eq!(text(&root), "Grace");
    assert_eq!(NAME_RENDERS.with(Renders::get), 2);

    // Away and back before yew runs: the selection ends where it started.
    USER.update(|u| User {
        name: "Linus",
        ..u.clone()
    });
    USER.update(|u| User {
        name: "Grace",
        ..u.clone()
    });
    flush().await;
    assert_eq!(text(&root), "Grace");
    assert_eq!(NAME_RENDERS.with(Renders::get), 3);

    app.destroy();
    flush().await;
    assert_eq!(USER.listener_count(), 0);
}

// ----- a change between the first render and the subscription ------------

static RACE_ATOM: Atom<u32> = atom(1);
static RACE_MAP: MapStore<&str, u32> = map_with(|| [("k", 1)].into());
static RACE_USER: Atom<User> = atom_with(|| User {
    name: "Ada",
    visits: 0,
});
thread_local! {
    static RACE_RENDERS: [Renders; 3] = Default::default();
}

// In each component the first effect (declared before the hook, so it runs
// before the hook's subscribing effect) writes the store the render read.

#[component]
fn RaceStore() -> Html {
    RACE_RENDERS.with(|r| r[0].bump());
    use_effect_with((), |_| RACE_ATOM.set(2));
    let n = use_store(&RACE_ATOM);
    html! { <i>{ format!("{};", *n) }</i> }
}

#[component]
fn RaceKeys() -> Html {
    RACE_RENDERS.with(|r| r[1].bump());
    use_effect_with((), |_| RACE_MAP.set_key("k", 2));
    let map = use_store_keys(&RACE_MAP, ["k"]);
    html! { <i>{ format!("{};", map.get("k").copied().unwrap_or(0)) }</i> }
}

#[component]
fn RaceSelect() -> Html {
    RACE_RENDERS.with(|r| r[2].bump());
    use_effect_with((), |_| {
        RACE_USER.update(|u| User {
            name: "Grace",
            ..u.clone()
        })
    });
    let name = use_store_select(&RACE_USER, |u| u.name);
    html! { <i>{ *name }</i> }
}

#[component]
fn RacePage() -> Html {
    html! { <><RaceStore /><RaceKeys /><RaceSelect /></> }
}

#[wasm_bindgen_test]
async fn a_change_before_the_subscription_is_not_lost() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let root = root();
    let app = yew::Renderer::<RacePage>::with_root(root.clone()).render();
    flush().await;
    assert_eq!(text(&root), "2;2;Grace");
    let renders = RACE_RENDERS.with(|r| [r[0].get(), r[1].get(), r[2].get()]);
    assert_eq!(renders, [2, 2, 2]);
    app.destroy();
    flush().await;
    let counts = (
        RACE_ATOM.listener_count(),
        RACE_MAP.listener_count(),
        RACE_USER.listener_count(),
    );
    assert_eq!(counts, (0, 0, 0));
}
