//! The browser engines in a real browser (headless Chromium, through
//! wasm-bindgen-test): `LocalStorage` and `SessionStorage` round trips, bad
//! data, the `storage` event, and deferred stores.
//!
//! The tests share one page: each starts from empty storages ([`fresh`]) and
//! uses run-time stores of its own.
#![cfg(target_arch = "wasm32")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use js_sys::Promise;
use nanostate::{MapValue, Store};
use nanostate_persistent::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Storage, StorageEvent, StorageEventInit};

wasm_bindgen_test_configure!(run_in_browser);

fn local() -> Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn session() -> Storage {
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
}

/// Installs the browser runtime (the core's unmount delay needs timers) and
/// empties both storages.
fn fresh() {
    nanostate_web::install();
    local().clear().unwrap();
    session().clear().unwrap();
}

/// Every entry of `storage`, sorted by key.
fn entries(storage: &Storage) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = (0..storage.length().unwrap())
        .map(|i| {
            let key = storage.key(i).unwrap().unwrap();
            let value = storage.get_item(&key).unwrap().unwrap();
            (key, value)
        })
        .collect();
    all.sort();
    all
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Fires the window's `storage` event as the browser does in the other tabs
/// of a page that changed `area` (the storage itself is not changed).
fn storage_event(key: Option<&str>, old: Option<&str>, new: Option<&str>, area: &Storage) {
    let init = StorageEventInit::new();
    init.set_key(key);
    init.set_old_value(old);
    init.set_new_value(new);
    init.set_storage_area(Some(area));
    let event = StorageEvent::new_with_event_init_dict("storage", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

mod common;
use common::{collector, taken};

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Prefs {
    theme: String,
    size: u8,
}

// ----- round trips -----------------------------------------------------------

#[wasm_bindgen_test]
fn local_storage_is_the_default_engine_and_round_trips_json() {
    fresh();
    let prefs = PersistentAtom::new(
        "prefs",
        Prefs {
            theme: "light".into(),
            size: 12,
        },
    );
    assert_eq!(prefs.get().theme, "light");
    assert!(entries(&local()).is_empty(), "nothing written at load");
    prefs.set(Prefs {
        theme: "dark".into(),
        size: 14,
    });
    assert_eq!(
        entries(&local()),
        pairs(&[("prefs", r#"{"theme":"dark","size":14}"#)])
    );
    // A new store on the same key (a reload) reads it.
    let again = PersistentAtom::new(
        "prefs",
        Prefs {
            theme: "light".into(),
            size: 12,
        },
    );
    assert_eq!(
        again.get(),
        Prefs {
            theme: "dark".into(),
            size: 14
        }
    );
}

#[wasm_bindgen_test]
fn persistent_map_keeps_one_local_storage_entry_per_key() {
    fresh();
    local().set_item("unrelated", "x").unwrap();
    let cart = PersistentMap::new("cart:", MapValue::<String, u32>::new()).engine(&LocalStorage);
    cart.set_key("tee".into(), 2);
    cart.set_key("cap".into(), 1);
    cart.delete_key(&"cap".to_string());
    assert_eq!(
        entries(&local()),
        pairs(&[("cart:tee", "2"), ("unrelated", "x")])
    );
    // Listed back by prefix by a new store.
    local().set_item("cart:mug", "5").unwrap();
    let again = PersistentMap::new("cart:", MapValue::<String, u32>::new()).engine(&LocalStorage);
    let mut items: Vec<(String, u32)> = again.get().iter().map(|(k, v)| (k.clone(), *v)).collect();
    items.sort();
    assert_eq!(items, [("mug".into(), 5), ("tee".into(), 2)]);
}

#[wasm_bindgen_test]
fn session_storage_round_trips_and_leaves_local_storage_alone() {
    fresh();
    let draft = PersistentAtom::with_codec("draft", String::new(), &Raw).engine(&SessionStorage);
    draft.set("Dear Ann,".into());
    assert_eq!(entries(&session()), pairs(&[("draft", "Dear Ann,")]));
    assert!(entries(&local()).is_empty());
    let again = PersistentAtom::with_codec("draft", String::new(), &Raw).engine(&SessionStorage);
    assert_eq!(again.get(), "Dear Ann,");
}

// ----- bad data --------------------------------------------------------------

#[wasm_bindgen_test]
fn corrupt_json_keeps_the_default_is_reported_and_left_in_place() {
    fresh();
    local().set_item("count", "{oops").unwrap();
    local().set_item("other", "1").unwrap();
    let count = PersistentAtom::new("count", 3u32).engine(&LocalStorage);
    let (log, hook) = collector();
    let _hook = count.on_error(hook);
    assert_eq!(count.get(), 3);
    let errors = taken(&log);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].key(), "count");
    assert_eq!(errors[0].operation(), Operation::Load);
    assert!(matches!(errors[0].kind(), PersistErrorKind::Decode(_)));
    assert_eq!(
        entries(&local()),
        pairs(&[("count", "{oops"), ("other", "1")])
    );
    // The store works; its first write replaces the corrupt text.
    count.set(4);
    assert_eq!(entries(&local()), pairs(&[("count", "4"), ("other", "1")]));
    assert!(taken(&log).is_empty());
}

#[wasm_bindgen_test]
fn corrupt_map_entry_keeps_that_keys_default_and_others_load() {
    fresh();
    local().set_item("m:a", "10").unwrap();
    local().set_item("m:b", "not json").unwrap();
    let defaults: MapValue<String, u32> = [("b".to_string(), 2)].into();
    let m = PersistentMap::new("m:", defaults).engine(&LocalStorage);
    let (log, hook) = collector();
    let _hook = m.on_error(hook);
    assert_eq!(m.get_key("a"), Some(10));
    assert_eq!(m.get_key("b"), Some(2));
    let errors = taken(&log);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].key(), "m:b");
    assert_eq!(
        entries(&local()),
        pairs(&[("m:a", "10"), ("m:b", "not json")])
    );
}

#[wasm_bindgen_test]
fn a_full_local_storage_is_quota_exceeded_and_the_value_stays_in_memory() {
    fresh();
    let note = PersistentAtom::with_codec("note", String::new(), &Raw).engine(&LocalStorage);
    let (log, hook) = collector();
    let _hook = note.on_error(hook);
    note.set("short".into());
    // Chromium allows about 5 MB (counted in UTF-16 code units) per origin.
    let huge = "x".repeat(12 * 1024 * 1024);
    note.set(huge.clone());
    assert_eq!(note.get().len(), huge.len());
    let errors = taken(&log);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].is_quota_exceeded(), "{:?}", errors[0]);
    assert_eq!(errors[0].operation(), Operation::Save);
    assert_eq!(entries(&local()), pairs(&[("note", "short")]));
}

/// Runs `body` as JS in the page.
fn js(body: &str) {
    js_sys::Function::new_no_args(body)
        .call0(&JsValue::NULL)
        .unwrap();
}

#[wasm_bindgen_test]
fn denied_local_storage_leaves_the_store_working_in_memory() {
    fresh();
    // As in a sandboxed iframe: reading `window.localStorage` throws.
    js(
        "const own = Object.getOwnPropertyDescriptor(window, 'localStorage');
        window.__nanostateSaved = own ? [own] : [];
        Object.defineProperty(window, 'localStorage', {
            configurable: true,
            get() { throw new DOMException('access denied', 'SecurityError'); },
        });",
    );
    let denied = PersistentAtom::new("denied", 1u32).engine(&LocalStorage);
    let (log, hook) = collector();
    let _hook = denied.on_error(hook);
    assert_eq!(denied.get(), 1);
    denied.set(2);
    assert_eq!(denied.get(), 2);
    js("const saved = window.__nanostateSaved;
        delete window.__nanostateSaved;
        if (saved.length) Object.defineProperty(window, 'localStorage', saved[0]);
        else delete window.localStorage;");
    assert!(entries(&local()).is_empty());
    let errors: Vec<(Operation, PersistErrorKind)> = taken(&log)
        .iter()
        .map(|e| (e.operation(), e.kind().clone()))
        .collect();
    let unavailable = || {
        PersistErrorKind::Storage(StorageError::Unavailable(
            "SecurityError: access denied".into(),
        ))
    };
    // The load (once: the mount's read again is the same error), the
    // subscription at mount, the write.
    assert_eq!(
        errors,
        [
            (Operation::Load, unavailable()),
            (Operation::Watch, unavailable()),
            (Operation::Save, unavailable())
        ]
    );
}

// ----- the storage event -----------------------------------------------------

#[wasm_bindgen_test]
async fn storage_event_updates_a_mounted_store_and_is_not_written_back() {
    fresh();
    local().set_item("tab", "1").unwrap();
    let tab = PersistentAtom::new("tab", 0u32).engine(&LocalStorage);
    tab.set_unmount_delay(Duration::from_millis(10));
    let (log, hook) = collector();
    let _hook = tab.on_error(hook);
    let heard = Arc::new(Mutex::new(Vec::new()));
    let h = heard.clone();
    let sub = tab.listen(move |new, old| h.lock().unwrap().push((*new, *old)));
    assert_eq!(tab.get(), 1);

    // Another tab wrote 5 (the synthetic event does not change the storage,
    // so a write-back would show as "5" there).
    storage_event(Some("tab"), Some("1"), Some("5"), &local());
    assert_eq!(tab.get(), 5);
    assert_eq!(*heard.lock().unwrap(), [(5, 1)]);
    assert_eq!(
        entries(&local()),
        pairs(&[("tab", "1")]),
        "not written back"
    );

    // Other keys, other storage areas: ignored.
    storage_event(Some("other"), None, Some("9"), &local());
    storage_event(Some("tab"), None, Some("7"), &session());
    assert_eq!(tab.get(), 5);

    // Removed in the other tab: the default. Cleared: the default.
    storage_event(Some("tab"), Some("5"), None, &local());
    assert_eq!(tab.get(), 0);
    storage_event(Some("tab"), None, Some("6"), &local());
    assert_eq!(tab.get(), 6);
    storage_event(None, None, None, &local());
    assert_eq!(tab.get(), 0);
    // Undecodable: reported, ignored.
    storage_event(Some("tab"), None, Some("{x"), &local());
    assert_eq!(tab.get(), 0);
    let errors = taken(&log);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].operation(), Operation::ExternalChange);
    assert_eq!(*heard.lock().unwrap(), [(5, 1), (0, 5), (6, 0), (0, 6)]);
    assert_eq!(entries(&local()), pairs(&[("tab", "1")]));

    // Unmounted (after the delay): events are not followed any more.
    drop(sub);
    sleep(50).await;
    storage_event(Some("tab"), None, Some("8"), &local());
    assert_eq!(tab.peek().as_deref(), Some(&0));
    assert_eq!(heard.lock().unwrap().len(), 4);
}

#[wasm_bindgen_test]
fn storage_event_is_ignored_by_a_store_never_mounted() {
    fresh();
    local().set_item("quiet", "1").unwrap();
    let quiet = PersistentAtom::new("quiet", 0u32).engine(&LocalStorage);
    assert_eq!(quiet.peek().as_deref(), Some(&1)); // bound, not mounted
    storage_event(Some("quiet"), Some("1"), Some("2"), &local());
    assert_eq!(quiet.peek().as_deref(), Some(&1));
    assert_eq!(entries(&local()), pairs(&[("quiet", "1")]));
}

#[wasm_bindgen_test]
fn storage_event_updates_a_mounted_map_key_by_key() {
    fresh();
    let m = PersistentMap::new("m:", MapValue::<String, u32>::new()).engine(&LocalStorage);
    let keys = Arc::new(Mutex::new(Vec::new()));
    let k = keys.clone();
    let _sub = m.listen(move |_, _, key| k.lock().unwrap().push(key.cloned()));
    storage_event(Some("m:a"), None, Some("1"), &local());
    storage_event(Some("n:a"), None, Some("2"), &local());
    assert_eq!(m.get_key("a"), Some(1));
    storage_event(Some("m:a"), Some("1"), None, &local());
    assert_eq!(m.get_key("a"), None);
    assert_eq!(
        *keys.lock().unwrap(),
        [Some("a".to_string()), Some("a".into())]
    );
    assert!(entries(&local()).is_empty(), "not written back");
}

#[wasm_bindgen_test]
fn session_storage_follows_only_session_storage_events() {
    fresh();
    let s = PersistentAtom::new("s", 0u32).engine(&SessionStorage);
    let _sub = s.listen(|_, _| {});
    storage_event(Some("s"), None, Some("3"), &local());
    assert_eq!(s.get(), 0);
    storage_event(Some("s"), None, Some("4"), &session());
    assert_eq!(s.get(), 4);
    assert!(entries(&session()).is_empty());
}

// ----- deferred stores (hydration) ------------------------------------------

#[wasm_bindgen_test]
async fn deferred_store_reads_local_storage_only_at_restore_then_syncs() {
    fresh();
    local().set_item("cart:tee", "2").unwrap();
    let cart = PersistentMap::new("cart:", MapValue::<String, u32>::new())
        .engine(&LocalStorage)
        .deferred();
    cart.set_unmount_delay(Duration::from_millis(10));
    let renders = Arc::new(Mutex::new(0));
    let r = renders.clone();
    // The hydrating render: the default, as the server rendered it.
    let sub = cart.listen(move |_, _, _| *r.lock().unwrap() += 1);
    assert!(cart.get().is_empty());
    storage_event(Some("cart:cap"), None, Some("1"), &local());
    assert!(cart.get().is_empty(), "not watching before restore");
    cart.set_key("mug".into(), 1); // in memory only
    assert_eq!(entries(&local()), pairs(&[("cart:tee", "2")]));
    assert_eq!(*renders.lock().unwrap(), 1);

    cart.restore();
    assert_eq!(*renders.lock().unwrap(), 2, "one change at restore");
    assert_eq!(cart.get_key("tee"), Some(2));
    assert_eq!(
        cart.get_key("mug"),
        Some(1),
        "written before, not stored: kept"
    );
    assert_eq!(
        entries(&local()),
        pairs(&[("cart:mug", "1"), ("cart:tee", "2")])
    );

    // Restored and mounted: other tabs are followed, without echo.
    storage_event(Some("cart:tee"), Some("2"), Some("3"), &local());
    assert_eq!(cart.get_key("tee"), Some(3));
    assert_eq!(local().get_item("cart:tee").unwrap().as_deref(), Some("2"));
    cart.restore(); // again: nothing
    assert_eq!(cart.get_key("tee"), Some(3));
    assert_eq!(*renders.lock().unwrap(), 3);

    drop(sub);
    sleep(50).await;
    storage_event(Some("cart:tee"), None, Some("9"), &local());
    assert_eq!(cart.peek().unwrap().get("tee"), Some(&3), "unmounted");
}

#[wasm_bindgen_test]
fn deferred_atom_stored_value_wins_over_a_write_before_restore() {
    fresh();
    local().set_item("theme", "\"dark\"").unwrap();
    let theme = PersistentAtom::new("theme", "light".to_string())
        .engine(&LocalStorage)
        .deferred();
    let heard = Arc::new(Mutex::new(Vec::new()));
    let h = heard.clone();
    let _sub = theme.listen(move |new, _| h.lock().unwrap().push(new.clone()));
    theme.set("blue".into());
    assert_eq!(
        local().get_item("theme").unwrap().as_deref(),
        Some("\"dark\"")
    );
    theme.restore();
    assert_eq!(theme.get(), "dark");
    assert_eq!(*heard.lock().unwrap(), ["blue", "dark"]);
    assert_eq!(entries(&local()), pairs(&[("theme", "\"dark\"")]));
    theme.set("green".into());
    assert_eq!(
        local().get_item("theme").unwrap().as_deref(),
        Some("\"green\"")
    );
}

// ----- a full storage on every write path ------------------------------------

/// Fills localStorage until not even a one-character entry fits (the
/// quota counts keys and values): big entries first, then one-character
/// keys with empty values.
fn fill_local_storage() {
    js("let i = 0;
        for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 8, 16, 1]) {
          for (;;) {
            try { localStorage.setItem('filler' + i++, 'x'.repeat(size)); }
            catch (e) { break; }
          }
        }
        for (let c = 0x4e00; c < 0x4e00 + 4096; c++) {
          try { localStorage.setItem('filler' + String.fromCharCode(c), ''); }
          catch (e) { }
          try { localStorage.setItem(String.fromCharCode(c), ''); }
          catch (e) { break; }
        }");
}

#[wasm_bindgen_test]
async fn every_write_path_on_a_full_local_storage_reports_quota_and_saves_once_freed() {
    fresh();
    let atom = PersistentAtom::new("atom", 0u32).engine(&LocalStorage);
    let map = PersistentMap::<String, u32>::new("map:", MapValue::new()).engine(&LocalStorage);
    let whole = PersistentMap::<String, u32>::new("whole:", MapValue::new()).engine(&LocalStorage);
    let deferred = PersistentAtom::new("deferred", 0u32)
        .engine(&LocalStorage)
        .deferred();
    let (log, hook) = collector();
    let _hook = on_error(hook);
    // Bound before the storage fills (first use reads).
    let _ = (atom.get(), map.get(), whole.get(), deferred.get());
    fill_local_storage();
    assert!(local().set_item("p", "").is_err(), "storage is full");

    let expect_one = |what: &str| {
        let errors = taken(&log);
        assert_eq!(errors.len(), 1, "{what}: {errors:?}");
        assert!(errors[0].is_quota_exceeded(), "{what}: {:?}", errors[0]);
    };
    atom.set(1);
    expect_one("atom set");
    atom.update(|n| n + 1);
    expect_one("atom update");
    map.set_key("a".into(), 1);
    expect_one("map set_key");
    map.update_key("a".into(), |n| Some(n.copied().unwrap_or(0) + 1));
    expect_one("map update_key");
    whole.set(MapValue::from_iter([("b".to_string(), 3)]));
    expect_one("map set");
    deferred.set(4);
    deferred.restore();
    expect_one("restore saving a write made before it");

    // In memory, every value is right.
    assert_eq!(atom.get(), 2);
    assert_eq!(map.get().get("a"), Some(&2));
    assert_eq!(whole.get().get("b"), Some(&3));
    assert_eq!(deferred.get(), 4);

    // Room again: the retry timers (one second after the failure) save
    // everything, reporting nothing.
    js("for (const key of Object.keys(localStorage)) {
          if (key.startsWith('filler') || key.length === 1) localStorage.removeItem(key);
        }");
    sleep(1_300).await;
    assert_eq!(
        entries(&local()),
        pairs(&[
            ("atom", "2"),
            ("deferred", "4"),
            ("map:a", "2"),
            ("whole:b", "3")
        ])
    );
    assert!(taken(&log).is_empty());
}
