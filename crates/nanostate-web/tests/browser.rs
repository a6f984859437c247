//! nanostate-web in a real browser (headless Chromium, through
//! wasm-bindgen-test): the runtime's timers, the DOM bindings, custom
//! elements and the JS store objects.
#![cfg(target_arch = "wasm32")]

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use js_sys::{Function, Promise, Reflect};
use nanostate::runtime::{current, Runtime};
use nanostate::{on_mount, spawn_task, task, Atom, Computed, MapStore, MapValue};
use nanostate_web::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Document, Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

fn element(tag: &str) -> Element {
    let el = document().create_element(tag).unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    el
}

/// Runs `body` as JS with `s` bound to `arg`, returning its result.
fn js(body: &str, arg: &JsValue) -> Result<JsValue, JsValue> {
    Function::new_with_args("s", body).call1(&JsValue::NULL, arg)
}

#[wasm_bindgen_test]
async fn timers_run_after_their_delay_and_cleared_ones_never_run() {
    install();
    let rt = current();
    let ran = Arc::new(AtomicUsize::new(0));
    let (a, b) = (ran.clone(), ran.clone());
    // Other tests share the page and may have timers of their own pending:
    // count relative to now (nothing else runs until this test awaits).
    let before = pending_timers();
    rt.set_timeout(
        Duration::from_millis(30),
        Box::new(move || {
            a.fetch_add(1, Ordering::SeqCst);
        }),
    );
    let cancelled = rt.set_timeout(
        Duration::from_millis(10),
        Box::new(move || {
            b.fetch_add(100, Ordering::SeqCst);
        }),
    );
    assert_eq!(pending_timers(), before + 2);
    rt.clear_timeout(cancelled);
    assert_eq!(pending_timers(), before + 1);
    sleep(5).await;
    assert_eq!(ran.load(Ordering::SeqCst), 0, "ran before its delay");
    sleep(60).await;
    assert_eq!(ran.load(Ordering::SeqCst), 1);
}

#[wasm_bindgen_test]
async fn zero_delay_timers_run_as_microtasks_before_the_next_task() {
    install();
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let o = order.clone();
    let timeout = Closure::once_into_js(move || o.lock().unwrap().push("setTimeout"));
    web_sys::window()
        .unwrap()
        .set_timeout_with_callback_and_timeout_and_arguments_0(timeout.unchecked_ref(), 0)
        .unwrap();
    let o = order.clone();
    WebRuntime.set_timeout(
        Duration::ZERO,
        Box::new(move || o.lock().unwrap().push("microtask")),
    );
    assert!(order.lock().unwrap().is_empty(), "ran inside set_timeout");
    sleep(10).await;
    assert_eq!(*order.lock().unwrap(), ["microtask", "setTimeout"]);
}

#[wasm_bindgen_test]
async fn on_mount_cleanup_runs_after_the_unmount_delay() {
    install();
    let store = Atom::new(0);
    store.set_unmount_delay(Duration::from_millis(50));
    let cleaned = Arc::new(AtomicUsize::new(0));
    let c = cleaned.clone();
    let _hook = on_mount(&store, move |_| {
        let c = c.clone();
        move || {
            c.fetch_add(1, Ordering::SeqCst);
        }
    });
    drop(store.listen(|_, _| {}));
    sleep(20).await;
    assert_eq!(
        cleaned.load(Ordering::SeqCst),
        0,
        "cleaned before the delay"
    );
    sleep(80).await;
    assert_eq!(cleaned.load(Ordering::SeqCst), 1);
}

#[wasm_bindgen_test]
async fn batched_store_notifies_once_after_the_current_task() {
    install();
    let (a, b) = (Atom::new(1), Atom::new(2));
    let sum: Computed<i32> = Computed::batched2(&a, &b, |a, b| a + b);
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let _sub = nanostate::listen_local(&sum, move |v, _| s.borrow_mut().push(*v));
    a.set(10);
    b.set(20);
    assert!(seen.borrow().is_empty(), "batched notified synchronously");
    sleep(10).await;
    assert_eq!(*seen.borrow(), [30]);
}

/// A `Send` future that is pending once, then ready.
struct YieldOnce(bool);
impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

#[wasm_bindgen_test]
async fn spawned_tasks_run_on_the_page_and_all_tasks_waits_for_them() {
    install();
    let done = Arc::new(AtomicUsize::new(0));
    let d = done.clone();
    spawn_task(async move {
        YieldOnce(false).await;
        d.fetch_add(1, Ordering::SeqCst);
    });
    // A future that is not Send (it awaits a JS promise) is tracked with
    // `task` and spawned with spawn_local directly.
    let d = done.clone();
    wasm_bindgen_futures::spawn_local(task(async move {
        sleep(20).await;
        d.fetch_add(10, Ordering::SeqCst);
    }));
    assert_eq!(done.load(Ordering::SeqCst), 0);
    nanostate::all_tasks().await;
    assert_eq!(done.load(Ordering::SeqCst), 11);
}

#[wasm_bindgen_test]
fn bind_text_follows_the_store_until_dropped() {
    let count = Atom::new(1);
    let span = element("span");
    let binding = bind_text(&span, &count, |n| format!("{n} items"));
    assert_eq!(span.text_content().unwrap(), "1 items");
    count.set(3);
    assert_eq!(span.text_content().unwrap(), "3 items");
    drop(binding);
    assert_eq!(count.listener_count(), 0);
    count.set(9);
    assert_eq!(span.text_content().unwrap(), "3 items");
    span.remove();
}

#[wasm_bindgen_test]
fn bind_attr_sets_and_removes_the_attribute() {
    let open = Atom::new(false);
    let panel = element("aside");
    let _b = bind_attr(&panel, "hidden", &open, |o| (!o).then(String::new)).unwrap();
    assert!(panel.has_attribute("hidden"));
    open.set(true);
    assert!(!panel.has_attribute("hidden"));
    panel.remove();
}

#[wasm_bindgen_test]
fn bind_attr_with_an_invalid_name_is_an_error_and_subscribes_nothing() {
    let open = Atom::new(false);
    let panel = element("aside");
    let err = bind_attr(&panel, "not valid", &open, |_| Some("x".into())).unwrap_err();
    assert_eq!(err.what, "attribute \"not valid\"");
    assert!(!err.message.is_empty());
    assert!(err.to_string().starts_with("cannot bind attribute"));
    assert_eq!(open.listener_count(), 0);
    assert_eq!(panel.attributes().length(), 0);
    panel.remove();
}

#[wasm_bindgen_test]
fn bind_class_toggles_and_rejects_bad_class_names() {
    let open = Atom::new(false);
    let flyout = element("div");
    let _b = bind_class(&flyout, "open", &open, |o| *o).unwrap();
    assert_eq!(flyout.class_name(), "");
    open.set(true);
    assert_eq!(flyout.class_name(), "open");
    open.set(false);
    assert_eq!(flyout.class_name(), "");
    assert!(bind_class(&flyout, "two words", &open, |o| *o).is_err());
    assert!(bind_class(&flyout, "", &open, |o| *o).is_err());
    assert_eq!(open.listener_count(), 1);
    flyout.remove();
}

#[wasm_bindgen_test]
async fn until_removed_ends_the_binding_when_the_element_leaves_the_document() {
    let count = Atom::new(0);
    let span = element("span");
    bind_text(&span, &count, |n| n.to_string()).until_removed(&span);
    sleep(0).await;
    assert_eq!(
        count.listener_count(),
        1,
        "ended while still in the document"
    );
    span.remove();
    sleep(0).await;
    assert_eq!(count.listener_count(), 0);
    assert_eq!(watched_bindings(), 0);
}

#[wasm_bindgen_test]
async fn on_event_runs_actions_until_dropped() {
    let clicks = Atom::new(0);
    let button: HtmlElement = element("button").unchecked_into();
    let c = clicks.clone();
    let binding = on_event(&button, "click", move |_| c.update(|n| n + 1));
    button.click();
    button.click();
    assert_eq!(clicks.get(), 2);
    drop(binding);
    button.click();
    assert_eq!(clicks.get(), 2);
    button.remove();
}

#[wasm_bindgen_test]
async fn a_custom_element_reads_and_writes_a_store_while_connected() {
    static COUNT: nanostate::Atom<u32> = nanostate::atom(0);
    define_element("test-counter", |host| {
        let button = host
            .owner_document()
            .unwrap()
            .create_element("button")
            .unwrap();
        host.append_child(&button).unwrap();
        vec![
            bind_text(&button, &COUNT, |n| format!("clicked {n}")),
            on_event(&button, "click", |_| COUNT.update(|n| n + 1)),
        ]
    })
    .unwrap();
    let (first, second) = (element("test-counter"), element("test-counter"));
    assert_eq!(connected_elements(), 2);
    let button: HtmlElement = first
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    assert_eq!(COUNT.get(), 1);
    assert_eq!(
        second.text_content().unwrap(),
        "clicked 1",
        "instances share the store"
    );
    COUNT.set(5);
    assert_eq!(first.text_content().unwrap(), "clicked 5");
    first.remove();
    second.remove();
    assert_eq!(connected_elements(), 0);
    assert_eq!(COUNT.listener_count(), 0);

    let again = define_element("test-counter", |_| Vec::new()).unwrap_err();
    assert!(again.to_string().contains("<test-counter>"), "{again}");
    assert!(define_element("NoDash", |_| Vec::new()).is_err());
}

#[wasm_bindgen_test]
fn an_exported_atom_has_the_store_contract() {
    let open = Atom::new(false);
    let object: JsValue = export_atom(&open).into();
    assert_eq!(js("return s.get()", &object).unwrap(), JsValue::FALSE);
    js("s.set(true)", &object).unwrap();
    assert!(open.get());

    let log = js(
        "const log = []; log.stop = s.subscribe(v => log.push(v)); return log",
        &object,
    )
    .unwrap();
    open.set(false);
    js("s.set(true)", &object).unwrap();
    let stop: Function = Reflect::get(&log, &"stop".into()).unwrap().unchecked_into();
    stop.call0(&JsValue::NULL).unwrap();
    open.set(false);
    let values: Vec<bool> = serde_wasm_bindgen_values(&log);
    assert_eq!(values, [true, false, true]);
    assert_eq!(open.listener_count(), 0);
}

fn serde_wasm_bindgen_values(array: &JsValue) -> Vec<bool> {
    js_sys::Array::from(array)
        .iter()
        .map(|v| v.as_bool().unwrap())
        .collect()
}

#[wasm_bindgen_test]
fn setting_a_value_of_the_wrong_shape_throws_and_keeps_the_value() {
    let count = Atom::new(4u32);
    let object: JsValue = export_atom(&count).into();
    let err = js("s.set('many')", &object).unwrap_err();
    let err: js_sys::Error = err.unchecked_into();
    assert_eq!(err.name(), "TypeError");
    assert!(String::from(err.message()).contains("wrong shape"));
    assert!(js("s.set(-1)", &object).is_err());
    assert_eq!(count.get(), 4);
}

#[wasm_bindgen_test]
fn an_exported_map_sets_and_deletes_keys_and_reports_the_changed_key() {
    let cart: MapStore<String, u32> = MapStore::new(MapValue::new());
    let object: JsValue = export_map(&cart).into();
    let log = js(
        "const log = []; s.listen((v, k) => log.push(k + '=' + JSON.stringify(v))); return log",
        &object,
    )
    .unwrap();
    js("s.setKey('tee', 2)", &object).unwrap();
    js("s.setKey('mug', 1)", &object).unwrap();
    js("s.setKey('tee', undefined)", &object).unwrap();
    assert_eq!(cart.get().get("mug"), Some(&1));
    assert_eq!(cart.get().len(), 1);
    let entries: Vec<String> = js_sys::Array::from(&log)
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect();
    assert_eq!(
        entries,
        [
            r#"tee={"tee":2}"#,
            r#"mug={"tee":2,"mug":1}"#,
            r#"tee={"mug":1}"#
        ]
    );
    assert_eq!(
        js("return JSON.stringify(s.get())", &object).unwrap(),
        JsValue::from_str(r#"{"mug":1}"#)
    );
    assert!(js("s.setKey(1, 2)", &object).is_err(), "keys are strings");
}

#[wasm_bindgen_test]
fn expose_publishes_the_store_by_name_and_announces_it() {
    let heard = Rc::new(Cell::new(false));
    let h = heard.clone();
    let listener = Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
        h.set(e.detail().as_string().as_deref() == Some("answer"))
    });
    web_sys::window()
        .unwrap()
        .add_event_listener_with_callback("nanostate:ready", listener.as_ref().unchecked_ref())
        .unwrap();
    let answer = Atom::new(42u8);
    expose("answer", &export_atom(&answer)).unwrap();
    assert!(heard.get());
    assert_eq!(
        js("return globalThis.nanostate.answer.get()", &JsValue::NULL).unwrap(),
        JsValue::from_f64(42.0)
    );
}
