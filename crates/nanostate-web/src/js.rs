//! Rust stores as JavaScript objects with the Nano Stores / Svelte store
//! contract, values crossing as plain JS data through serde.

use std::hash::Hash;

use js_sys::{Function, Object, Reflect};
use nanostate::{listen_local, subscribe_local, Atom, KeyOf, MapStore, NoKey, Store};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The JS object for `atom`:
///
/// * `get()` returns the value;
/// * `set(value)` replaces it, throwing a `TypeError` that names the problem
///   when `value` does not have the atom's shape (the atom is unchanged);
/// * `listen(cb)` calls `cb(value)` after each change and returns a function
///   that unsubscribes;
/// * `subscribe(cb)` does the same, calling `cb(value)` once at once (the
///   Svelte store contract, so `$store` works in Svelte).
///
/// Values are converted with `serde-wasm-bindgen` (maps become JS objects).
/// Listeners hear changes made on this thread, which on the web is the page.
///
/// ```no_run
/// use nanostate::{atom, Atom};
/// static OPEN: Atom<bool> = atom(false);
///
/// let object = nanostate_web::export_atom(&OPEN);
/// nanostate_web::expose("isCartOpen", &object).unwrap();
/// // JS: nanostate.isCartOpen.subscribe(open => …); nanostate.isCartOpen.set(true)
/// ```
pub fn export_atom<T>(atom: &Atom<T>) -> Object
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    let object = readable(atom, |_: &NoKey| JsValue::UNDEFINED);
    let a = atom.clone();
    setter(&object, move |value| a.set(value));
    object
}

/// The JS object for a map store with string keys: the [`export_atom`]
/// methods (with `set(object)` replacing the whole map), plus
/// `setKey(key, value)` (`value === undefined` deletes the key) and
/// `listen`/`subscribe` callbacks called as `cb(value, changedKey)`.
///
/// ```no_run
/// use nanostate::{map, MapStore};
/// static CART: MapStore<String, u32> = map();
///
/// let object = nanostate_web::export_map(&CART);
/// nanostate_web::expose("cartItems", &object).unwrap();
/// // JS: nanostate.cartItems.setKey("tee", 2)
/// ```
pub fn export_map<K, V>(store: &MapStore<K, V>) -> Object
where
    K: Serialize + DeserializeOwned + Clone + Eq + Hash + Send + Sync + 'static,
    V: Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    let object = readable(store, |key: &K| encode(key).unwrap_or(JsValue::UNDEFINED));
    let s = store.clone();
    setter(&object, move |value| s.set(value));
    let s = store.clone();
    method(
        &object,
        "setKey",
        Closure::<dyn Fn(JsValue, JsValue) -> Result<(), JsValue>>::new(
            move |k: JsValue, v: JsValue| {
                let key: K = decode(&k, "setKey (key)")?;
                if v.is_undefined() {
                    s.delete_key(&key);
                } else {
                    s.set_key(key, decode(&v, "setKey (value)")?);
                }
                Ok(())
            },
        )
        .into_js_value(),
    );
    object
}

/// Sets `globalThis.nanostate[name] = object`, so plain scripts and other
/// wasm modules on the page find the store by name, and dispatches a
/// `nanostate:ready` event on `globalThis` with `detail = name`.
///
/// ```no_run
/// use nanostate::{atom, Atom};
/// static COUNT: Atom<u32> = atom(0);
/// nanostate_web::expose("count", &nanostate_web::export_atom(&COUNT)).unwrap();
/// ```
pub fn expose(name: &str, object: &Object) -> Result<(), JsValue> {
    let global = js_sys::global();
    let key = JsValue::from_str("nanostate");
    let mut registry = Reflect::get(&global, &key)?;
    if !registry.is_object() {
        registry = Object::new().into();
        Reflect::set(&global, &key, &registry)?;
    }
    Reflect::set(&registry, &JsValue::from_str(name), object)?;
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&JsValue::from_str(name));
    let event = web_sys::CustomEvent::new_with_event_init_dict("nanostate:ready", &init)?;
    if let Some(target) = global.dyn_ref::<web_sys::EventTarget>() {
        target.dispatch_event(&event)?;
    }
    Ok(())
}

/// `get`, `listen` and `subscribe` for any store whose value serializes;
/// `key` turns a changed key into the listener's second argument.
fn readable<S>(store: &S, key: fn(&KeyOf<S>) -> JsValue) -> Object
where
    S: Store + Clone,
    S::Value: Serialize,
{
    let object = Object::new();
    let s = store.clone();
    method(
        &object,
        "get",
        Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(move || match s.peek() {
            Some(value) => encode(&*value),
            None => Ok(JsValue::UNDEFINED),
        })
        .into_js_value(),
    );
    for (name, subscribe) in [("listen", false), ("subscribe", true)] {
        let s = store.clone();
        method(
            &object,
            name,
            Closure::<dyn Fn(Function) -> JsValue>::new(move |cb: Function| {
                let call = move |value: &S::Value, changed: Option<&KeyOf<S>>| {
                    if let Ok(v) = encode(value) {
                        let k = changed.map_or(JsValue::UNDEFINED, key);
                        let _ = cb.call2(&JsValue::NULL, &v, &k);
                    }
                };
                let guard = if subscribe {
                    subscribe_local(&s, call)
                } else {
                    listen_local(&s, call)
                };
                Closure::once_into_js(move || drop(guard))
            })
            .into_js_value(),
        );
    }
    object
}

/// Adds `set(value)`: `value` decoded and handed to `write`, or a
/// `TypeError` thrown when it has the wrong shape.
fn setter<T: DeserializeOwned + 'static>(object: &Object, write: impl Fn(T) + 'static) {
    method(
        object,
        "set",
        Closure::<dyn Fn(JsValue) -> Result<(), JsValue>>::new(move |v: JsValue| {
            write(decode(&v, "set")?);
            Ok(())
        })
        .into_js_value(),
    );
}

fn method(object: &Object, name: &str, f: JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(name), &f);
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| {
            js_sys::TypeError::new(&format!("nanostate: cannot encode a value: {e}")).into()
        })
}

fn decode<T: DeserializeOwned>(value: &JsValue, method: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value.clone()).map_err(|e| {
        js_sys::TypeError::new(&format!(
            "nanostate: {method}: value of the wrong shape: {e}"
        ))
        .into()
    })
}
