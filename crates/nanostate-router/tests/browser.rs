//! The router connected to a real browser (headless Chromium, through
//! wasm-bindgen-test): the address bar, link clicks and their opt-outs,
//! Back, and guards.
//!
//! The tests share one page and its history, so each one connects its own
//! router and checks what it changes, not absolute history lengths.
#![cfg(all(target_arch = "wasm32", feature = "browser"))]

use std::sync::{Arc, Mutex};

use js_sys::Promise;
use nanostate::{on_set, Proposed};
use nanostate_router::Router;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, MouseEvent, MouseEventInit, Window};

wasm_bindgen_test_configure!(run_in_browser);

fn window() -> Window {
    web_sys::window().unwrap()
}

fn pathname() -> String {
    window().location().pathname().unwrap()
}

fn history_length() -> u32 {
    window().history().unwrap().length().unwrap()
}

fn shop() -> Router {
    nanostate_web::install();
    Router::new([
        ("catalogue", "/"),
        ("product", "/products/:id"),
        ("search", "/search"),
    ])
    .unwrap()
}

/// Waits `ms` milliseconds (popstate arrives asynchronously).
async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// A link in the page with `href` and the given attributes.
fn link(href: &str, attributes: &[(&str, &str)]) -> HtmlElement {
    let document = window().document().unwrap();
    let a: HtmlElement = document.create_element("a").unwrap().unchecked_into();
    a.set_attribute("href", href).unwrap();
    for (name, value) in attributes {
        a.set_attribute(name, value).unwrap();
    }
    a.set_text_content(Some("link"));
    document.body().unwrap().append_child(&a).unwrap();
    a
}

/// Clicks `element`, with a modifier key when `ctrl`; returns whether the
/// router took the click (it prevents the default). A listener on
/// `window`, which runs after the router's on `document`, stops the
/// browser from following links the router left alone.
fn click(element: &HtmlElement, ctrl: bool) -> bool {
    let stop = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| e.prevent_default());
    let taken = Arc::new(Mutex::new(None));
    let seen = taken.clone();
    let record = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        *seen.lock().unwrap() = Some(e.default_prevented());
    });
    let w = window();
    w.add_event_listener_with_callback("click", record.as_ref().unchecked_ref())
        .unwrap();
    w.add_event_listener_with_callback("click", stop.as_ref().unchecked_ref())
        .unwrap();
    let init = MouseEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_ctrl_key(ctrl);
    let event = MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    element.dispatch_event(&event).unwrap();
    w.remove_event_listener_with_callback("click", record.as_ref().unchecked_ref())
        .unwrap();
    w.remove_event_listener_with_callback("click", stop.as_ref().unchecked_ref())
        .unwrap();
    element.remove();
    let taken = taken.lock().unwrap().expect("the click reached the window");
    taken
}

#[wasm_bindgen_test]
fn connecting_opens_the_address_bars_page() {
    let router = shop();
    window()
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some("/products/5?tab=specs"))
        .unwrap();
    let _browser = router.connect_browser();
    let page = router.get().expect("a product page");
    assert_eq!(page.params.get("id"), Some("5"));
    assert_eq!(page.search.get("tab"), Some("specs"));
}

#[wasm_bindgen_test]
fn open_pushes_and_redirect_replaces_the_history_entry() {
    let router = shop();
    let _browser = router.connect_browser();
    let before = history_length();
    router.open("/products/1").unwrap();
    assert_eq!(pathname(), "/products/1");
    assert_eq!(history_length(), before + 1);
    router.redirect("/search?q=mug").unwrap();
    assert_eq!(pathname(), "/search");
    assert_eq!(window().location().search().unwrap(), "?q=mug");
    assert_eq!(history_length(), before + 1, "redirect adds no entry");
    router.open("/search?q=mug").unwrap(); // the page already open
    assert_eq!(history_length(), before + 1, "the same href adds no entry");
}

#[wasm_bindgen_test]
fn plain_clicks_on_same_origin_links_navigate_in_the_page() {
    let router = shop();
    let _browser = router.connect_browser();
    router.open("/").unwrap();
    assert!(click(&link("/products/3", &[]), false));
    assert_eq!(router.get().unwrap().params.get("id"), Some("3"));
    assert_eq!(pathname(), "/products/3");
    // A click inside the link (on a child element) counts too.
    let outer = link("/products/4", &[]);
    let inner: HtmlElement = window()
        .document()
        .unwrap()
        .create_element("span")
        .unwrap()
        .unchecked_into();
    outer.append_child(&inner).unwrap();
    assert!(click(&inner, false));
    outer.remove();
    assert_eq!(pathname(), "/products/4");
}

#[wasm_bindgen_test]
fn clicks_the_router_leaves_to_the_browser() {
    let router = shop();
    let _browser = router.connect_browser();
    router.open("/").unwrap();
    /// The href, the link's attributes, and whether ctrl is held.
    type Case = (&'static str, &'static [(&'static str, &'static str)], bool);
    let cases: [Case; 5] = [
        ("/products/7", &[], true),
        ("/products/7", &[("target", "_blank")], false),
        ("/products/7", &[("download", "")], false),
        ("/products/7", &[("data-no-router", "")], false),
        ("https://example.com/products/7", &[], false),
    ];
    for (href, attributes, ctrl) in cases {
        assert!(
            !click(&link(href, attributes), ctrl),
            "{href} {attributes:?} ctrl={ctrl} must be left to the browser"
        );
        assert_eq!(router.get().unwrap().route, "catalogue");
        assert_eq!(pathname(), "/");
    }
}

#[wasm_bindgen_test]
async fn back_and_forward_follow_the_history() {
    let router = shop();
    let _browser = router.connect_browser();
    router.open("/products/10").unwrap();
    router.open("/products/11").unwrap();
    window().history().unwrap().back().unwrap();
    sleep(100).await;
    assert_eq!(router.get().unwrap().params.get("id"), Some("10"));
    window().history().unwrap().forward().unwrap();
    sleep(100).await;
    assert_eq!(router.get().unwrap().params.get("id"), Some("11"));
}

#[wasm_bindgen_test]
async fn a_guard_keeps_the_page_and_the_address_bar() {
    let router = shop();
    let _browser = router.connect_browser();
    router.open("/products/20").unwrap();
    router.open("/search").unwrap();
    let _guard = on_set(&router, |event| {
        let leaving = matches!(event.proposed(), Proposed::Value(p) if p.as_ref().map(|p| p.route) != Some("search"));
        if leaving {
            event.abort();
        }
    });
    let before = history_length();
    router.open("/products/21").unwrap();
    assert_eq!(pathname(), "/search");
    assert_eq!(history_length(), before, "no entry for an aborted open");
    assert!(click(&link("/products/22", &[]), false));
    assert_eq!(pathname(), "/search");
    window().history().unwrap().back().unwrap();
    sleep(100).await;
    assert_eq!(router.get().unwrap().route, "search");
    assert_eq!(pathname(), "/search", "the kept page's href is put back");
}

#[wasm_bindgen_test]
fn dropping_the_connection_stops_following_the_browser() {
    let router = shop();
    let browser = router.connect_browser();
    router.open("/products/30").unwrap();
    drop(browser);
    router.open("/products/31").unwrap();
    assert_eq!(
        pathname(),
        "/products/30",
        "no longer writes the address bar"
    );
    assert!(!click(&link("/products/32", &[]), false));
    assert_eq!(router.get().unwrap().params.get("id"), Some("31"));
}
