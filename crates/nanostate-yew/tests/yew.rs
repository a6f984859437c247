//! The hooks in Yew's server-side renderer (native, no browser). Re-rendering
//! on change is tested in the browser (`tests/browser.rs`).
#![cfg(not(target_arch = "wasm32"))]

use std::sync::{Arc, Mutex};

use nanostate::runtime::ManualClock;
use nanostate::{atom, computed, map_with, on_mount, Atom, Computed, MapStore};
use nanostate_yew::{use_store, use_store_keys, use_store_select};
use yew::prelude::*;
use yew::{LocalServerRenderer, ServerRenderer};

/// Renders `C` on this thread (so a `ManualClock` installed here is in force).
fn render_here<C: BaseComponent>() -> String
where
    C::Properties: Default,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread tokio runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(
        &rt,
        LocalServerRenderer::<C>::new().hydratable(false).render(),
    )
}

const DELAY: u64 = nanostate::STORE_UNMOUNT_DELAY.as_millis() as u64;

#[derive(Clone, PartialEq, Debug)]
struct User {
    name: &'static str,
    visits: u32,
}

static TITLE: Atom<&str> = atom("Cart");
static PRICE: Atom<u32> = atom(10);
static TOTAL: Computed<u32> = computed(&PRICE, |p| p * 3);
static CART: MapStore<&str, u32> = map_with(|| [("tee", 2), ("cap", 1)].into());
static USER: Atom<User> = nanostate::atom_with(|| User {
    name: "Ada",
    visits: 7,
});

#[component]
fn Page() -> Html {
    let title = use_store(&TITLE);
    let total = use_store(&TOTAL);
    let cart = use_store_keys(&CART, ["tee"]);
    let name = use_store_select(&USER, |u| u.name);
    html! {
        <main>
            <h1>{ *title }</h1>
            <p>{ format!("total {total}, tee {}", cart.get("tee").copied().unwrap_or(0)) }</p>
            <p>{ format!("for {name}") }</p>
        </main>
    }
}

#[test]
fn ssr_renders_every_hook_and_leaves_no_listener() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    on_mount(&PRICE, move |_| {
        l.lock().unwrap().push("mount");
        let l = l.clone();
        move || l.lock().unwrap().push("unmount")
    })
    .keep();

    let html = render_here::<Page>();
    assert_eq!(
        html,
        "<main><h1>Cart</h1><p>total 30, tee 2</p><p>for Ada</p></main>"
    );
    // Effects do not run on the server: nothing subscribed.
    assert_eq!(
        (
            TITLE.listener_count(),
            TOTAL.listener_count(),
            CART.listener_count(),
            USER.listener_count(),
        ),
        (0, 0, 0, 0)
    );
    // Reading the computed mounted it for a moment (like `get()`): it follows
    // its dependency for the unmount delay, then lets go; the dependency's
    // own `on_mount` cleanup follows one delay later.
    assert_eq!(*log.lock().unwrap(), ["mount"]);
    assert_eq!(PRICE.listener_count(), 1);
    clock.advance(DELAY);
    assert_eq!(PRICE.listener_count(), 0);
    assert_eq!(*log.lock().unwrap(), ["mount"]);
    clock.advance(DELAY);
    assert_eq!(*log.lock().unwrap(), ["mount", "unmount"]);

    // The next request sees the stores' new values, the computed included.
    PRICE.set(4);
    TITLE.set("Basket");
    CART.set_key("tee", 5);
    USER.update(|u| User {
        name: "Grace",
        ..u.clone()
    });
    assert_eq!(
        render_here::<Page>(),
        "<main><h1>Basket</h1><p>total 12, tee 5</p><p>for Grace</p></main>"
    );
    clock.advance(2 * DELAY);
    assert_eq!(PRICE.listener_count(), 0);
    assert_eq!(
        *log.lock().unwrap(),
        ["mount", "unmount", "mount", "unmount"]
    );
}

static VISITS: Atom<u32> = atom(41);

#[component]
fn Visits() -> Html {
    let visits = use_store(&VISITS);
    html! { <span>{ *visits }</span> }
}

#[test]
fn server_renderer_on_yews_worker_threads_reads_the_store() {
    VISITS.set(42);
    let html = nanostate::runtime::block_on(ServerRenderer::<Visits>::new().render());
    // Hydratable output wraps the component in comments; the value is inside.
    assert!(html.contains("<span>42</span>"), "{html}");
    assert_eq!(VISITS.listener_count(), 0);
}
