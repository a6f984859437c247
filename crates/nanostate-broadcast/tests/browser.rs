//! Shared stores on the browser's real `BroadcastChannel` (headless
//! Chromium through wasm-bindgen-test). Two `BroadcastChannel` objects of
//! one name in one page deliver to each other, so two `SharedAtom`s created
//! with `new` in this one module are two peers, as two modules or two tabs
//! would be.
#![cfg(target_arch = "wasm32")]

use std::sync::{Arc, Mutex};

use js_sys::Promise;
use nanostate_broadcast::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

mod common;
use common::{record, values};

wasm_bindgen_test_configure!(run_in_browser);

/// Waits `ms` milliseconds (a macrotask: channel messages posted before it
/// are delivered by then).
async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

fn peer(name: &str, origin: &str) -> SharedAtom<u32> {
    SharedAtom::new(name.to_string(), 0u32).with_origin(origin)
}

#[wasm_bindgen_test]
async fn two_peers_on_one_page_converge() {
    nanostate_web::install();
    let a = peer("browser-converge", "page-a");
    let b = peer("browser-converge", "page-b");
    let (log_a, _sa) = record(&a);
    let (log_b, _sb) = record(&b);
    sleep(20).await; // the hellos pass; nobody has a value

    a.set(1);
    assert_eq!(b.get(), 0); // BroadcastChannel delivers a task later
    sleep(20).await;
    assert_eq!(b.get(), 1);

    b.set(2);
    sleep(20).await;
    assert_eq!(values(&log_a), [0, 1, 2]);
    assert_eq!(values(&log_b), [0, 1, 2]);
    let winner = Stamp {
        clock: 2,
        origin: "page-b".into(),
    };
    assert_eq!((a.stamp(), b.stamp()), (winner.clone(), winner));
}

#[wasm_bindgen_test]
async fn concurrent_writes_resolve_by_the_rule() {
    nanostate_web::install();
    let a = peer("browser-race", "page-a");
    let b = peer("browser-race", "page-b");
    let _s = [a.listen(|_, _| {}), b.listen(|_, _| {})];
    sleep(20).await;

    // Both at clock 1 before either hears the other: "page-b" wins.
    a.set(10);
    b.set(20);
    sleep(20).await;
    assert_eq!((a.get(), b.get()), (20, 20));
}

#[wasm_bindgen_test]
async fn a_late_joiner_catches_up() {
    nanostate_web::install();
    let main = peer("browser-late", "main");
    let _main = main.listen(|_, _| {});
    main.set(5);
    sleep(20).await;

    let footer = peer("browser-late", "footer");
    let (log, _s) = record(&footer);
    assert_eq!(values(&log), [0]);
    sleep(20).await; // hello, then main's answer
    assert_eq!(values(&log), [0, 5]);
    assert_eq!(
        footer.stamp(),
        Stamp {
            clock: 1,
            origin: "main".into()
        }
    );
}

#[wasm_bindgen_test]
async fn foreign_messages_are_reported_and_plain_js_objects_are_read() {
    nanostate_web::install();
    let a = peer("browser-foreign", "page-a");
    let errors = Arc::new(Mutex::new(Vec::new()));
    let log = errors.clone();
    a.on_error(move |e| log.lock().unwrap().push(e.clone()))
        .keep();
    let _s = a.listen(|_, _| {});

    let script = web_sys::BroadcastChannel::new("nanostate:browser-foreign").unwrap();
    script.post_message(&JsValue::from_str("garbage")).unwrap();
    script
        .post_message(&js_sys::JSON::parse(r#"{"type":"someone else"}"#).unwrap())
        .unwrap();
    sleep(20).await;
    assert_eq!(a.get(), 0);
    let kinds: Vec<BroadcastErrorKind> = errors
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.kind().clone())
        .collect();
    assert!(
        matches!(
            kinds[..],
            [
                BroadcastErrorKind::Malformed(_),
                BroadcastErrorKind::Malformed(_)
            ]
        ),
        "{kinds:?}"
    );

    // A page script speaking the protocol with a plain object.
    script
        .post_message(
            &js_sys::JSON::parse(r#"{"v":1,"kind":"set","value":9,"clock":3,"origin":"js"}"#)
                .unwrap(),
        )
        .unwrap();
    sleep(20).await;
    assert_eq!(a.get(), 9);
    script.close();
}
