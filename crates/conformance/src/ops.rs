//! Steps: the checks of FORMAT.md section 4, in order, and the nanostate
//! call each op maps to.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use nanostate::{parse_path, Atom, Deep, DeepMapStore, MapStore, Segment};

use crate::callbacks::{self, make_computed, Hook, JsThrow, Listener, Then};
use crate::json::{Json, NULL};
use crate::menu::MenuFn;
use crate::scenario::{
    is_deep_object, is_deep_value, is_flat_object, is_name, is_path, is_primitive, shape_ok, Op,
    Scenario,
};
use crate::trace::{self, Event, OpGuard};
use crate::value::{deep_from_json, encode_json, js_is, quote, quote_utf16, JsVal, MapVal};
use crate::world::{self, Code, Handle};

/// How a scenario run ended.
pub enum Outcome {
    /// Every step ran (errors in the trace included).
    Completed,
    /// nanostate panicked: a runner failure.
    Crashed,
}

/// Runs every top-level step, printing `step` before each (section 6).
pub fn run_scenario(scenario: &Scenario) -> Outcome {
    let clock = world::clock();
    let _installed = clock.install();
    for (i, step) in scenario.steps.iter().enumerate() {
        if trace::halted() {
            break;
        }
        let op = encoded_op(step);
        Event::new("step")
            .raw("i", i.to_string())
            .raw("op", op.clone())
            .emit();
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| run_step(step))) {
            // Like the reference: an exception ends the scenario with an
            // `exception` error. Only an emulated JavaScript throw is a
            // regular outcome; anything else is a defect.
            trace::exception(op);
            callbacks::caught();
            if !payload.is::<JsThrow>() {
                return Outcome::Crashed;
            }
        }
    }
    Outcome::Completed
}

/// The step's `op` as printed: its JSON text if it is a string (exactly,
/// lone surrogates included), else `"?"` (also for a step that is not an
/// object).
fn encoded_op(step: &Json) -> String {
    match step.field("op") {
        Some(Json::Str(s)) => match &s.utf16 {
            Some(units) => quote_utf16(units),
            None => quote(&s.text),
        },
        _ => quote("?"),
    }
}

/// Runs one step (top-level or nested); a failed check prints an `error`
/// event and skips the step.
pub fn run_step(step: &Json) {
    let op = encoded_op(step);
    let _executing = OpGuard::push(op.clone());
    if let Err(code) = execute(step) {
        Event::new("error").str("code", code).raw("op", op).emit();
    }
}

/// A string field of a step whose shape was checked.
fn text<'a>(step: &'a Json, name: &str) -> &'a str {
    step.field(name).and_then(Json::as_str).unwrap_or_default()
}

/// A string-array field of a step whose shape was checked.
fn texts<'a>(step: &'a Json, name: &str) -> Vec<&'a str> {
    step.field(name)
        .and_then(Json::as_arr)
        .map(|items| items.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default()
}

/// The `then` steps of a registering step.
fn then(step: &Json) -> Then {
    step.field("then").and_then(Json::as_arr).cloned()
}

/// The map value of a flat object (checked by the caller). Each call makes a
/// new object: a fresh identity, as every execution of a step must.
fn map_value(json: &Json) -> MapVal {
    json.as_obj()
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| (k.clone(), JsVal::from_json(v)))
        .collect()
}

fn execute(step: &Json) -> Result<(), Code> {
    let op = step
        .as_obj()
        .and(step.field("op"))
        .and_then(Json::as_str)
        .and_then(Op::from_name)
        .ok_or("unknown-op")?;
    if !shape_ok(op, step.as_obj().unwrap_or_default()) {
        return Err("bad-step");
    }
    match op {
        Op::Atom => {
            let id = text(step, "id");
            if world::has_store(id) {
                return Err("duplicate-id");
            }
            let value = match step.field("value") {
                None => JsVal::Undefined,
                Some(v) if is_primitive(v) => JsVal::from_json(v),
                Some(_) => return Err("bad-value"),
            };
            world::add_store(id, Handle::Atom(Atom::with_eq(value, js_is)));
        }
        Op::Map => {
            let id = text(step, "id");
            if world::has_store(id) {
                return Err("duplicate-id");
            }
            let value = match step.field("value") {
                None => MapVal::new(),
                Some(v) if is_flat_object(v) => map_value(v),
                Some(_) => return Err("bad-value"),
            };
            let map = MapStore::with_eq(
                value,
                // Every `set` passes a fresh object, and JavaScript compares
                // objects by identity: a whole `set` always notifies.
                |_, _| false,
                // setKey compares the entry with Object.is; a missing entry
                // is `undefined`, never equal to a value.
                |_, old, new| old.is_some_and(|o| js_is(o, new)),
            );
            world::add_store(id, Handle::Map(map));
        }
        Op::DeepMap => {
            let id = text(step, "id");
            if world::has_store(id) {
                return Err("duplicate-id");
            }
            let value = match step.field("value") {
                None => Deep::empty_object(),
                Some(v) if is_deep_object(v) => deep_from_json(v),
                Some(_) => return Err("bad-value"),
            };
            let deep = DeepMapStore::with_eq(
                value,
                // A whole `set` passes a fresh object: always a change.
                |_, _| false,
                // setKey compares the value at the path with `===`.
                |_, old, new| old.is_some_and(|o| Deep::same(o, new)),
            );
            world::add_store(id, Handle::DeepMap(deep));
        }
        Op::Computed | Op::Batched => {
            let id = text(step, "id");
            if world::has_store(id) {
                return Err("duplicate-id");
            }
            let f = MenuFn::from_name(text(step, "fn")).ok_or("bad-fn")?;
            let deps = texts(step, "deps")
                .into_iter()
                .map(world::store)
                .collect::<Result<Vec<_>, _>>()?;
            if f == MenuFn::First
                && matches!(deps.first(), Some(Handle::Map(_) | Handle::DeepMap(_)))
            {
                return Err("bad-fn");
            }
            let computed = make_computed(id, &deps, f, op == Op::Batched);
            world::add_store(id, Handle::Computed(computed));
        }
        Op::Listen | Op::Subscribe => {
            let store = world::store(text(step, "store"))?;
            let label = text(step, "as");
            let listener = Listener::new(label, then(step));
            let guard = if op == Op::Listen {
                listener.listen(&store)
            } else {
                listener.subscribe(&store)
            };
            world::register(label, guard);
        }
        Op::ListenKeys | Op::SubscribeKeys => {
            let store = world::store(text(step, "store"))?;
            store.check_map()?;
            let keys = texts(step, "keys");
            let valid = match store {
                Handle::DeepMap(_) => is_path,
                _ => is_name,
            };
            if !keys.iter().all(|k| valid(k)) {
                return Err("bad-key");
            }
            let keys: Vec<String> = keys.into_iter().map(String::from).collect();
            let label = text(step, "as");
            let listener = Listener::new(label, then(step));
            let guard = match (&store, op) {
                (Handle::DeepMap(d), Op::ListenKeys) => listener.listen_deep_keys(d, keys),
                (Handle::DeepMap(d), _) => listener.subscribe_deep_keys(d, keys),
                (_, Op::ListenKeys) => listener.listen_keys(store.as_map()?, keys),
                _ => listener.subscribe_keys(store.as_map()?, keys),
            };
            world::register(label, guard);
        }
        Op::Unbind | Op::Cancel => world::unbind(text(step, "as"))?,
        Op::Set => {
            let store = world::store(text(step, "store"))?;
            let value = step.field("value").unwrap_or(&NULL);
            match &store {
                Handle::Computed(_) => return Err("readonly"),
                Handle::Atom(a) if is_primitive(value) => a.set(JsVal::from_json(value)),
                Handle::Map(m) if is_flat_object(value) => m.set(map_value(value)),
                Handle::DeepMap(d) if is_deep_object(value) => d.set(deep_from_json(value)),
                _ => return Err("bad-value"),
            }
        }
        Op::SetKey | Op::DeleteKey => {
            let store = world::store(text(step, "store"))?;
            if let Handle::DeepMap(deep) = &store {
                return set_deep_key(op, step, deep);
            }
            let map = store.as_map()?;
            let key = text(step, "key");
            if !is_name(key) {
                return Err("bad-key");
            }
            if op == Op::SetKey {
                let value = step.field("value").unwrap_or(&NULL);
                if !is_primitive(value) {
                    return Err("bad-value");
                }
                map.set_key(key.to_string(), JsVal::from_json(value));
            } else {
                // setKey(key, undefined)
                map.delete_key(&key.to_string());
            }
        }
        Op::Get => {
            let id = text(step, "store");
            let value = world::store(id)?.get_encoded();
            Event::new("get")
                .str("store", id)
                .opt("value", value)
                .emit();
        }
        Op::Lc => {
            let id = text(step, "store");
            let count = world::store(id)?.listener_count();
            Event::new("lc")
                .str("store", id)
                .raw("value", count.to_string())
                .emit();
        }
        Op::Batch => {
            let steps: Arc<Vec<Json>> = step
                .field("steps")
                .and_then(Json::as_arr)
                .cloned()
                .unwrap_or_default();
            nanostate::batch(|| {
                for inner in steps.iter() {
                    if trace::halted() {
                        return;
                    }
                    run_step(inner);
                }
            });
        }
        Op::OnStart | Op::OnStop | Op::OnMount | Op::OnSet | Op::OnNotify => {
            let store = world::store(text(step, "store"))?;
            let label = text(step, "as");
            let hook = Hook::new(
                label,
                then(step),
                step.field("abortIf").map(encode_json),
                step.field("abortKey")
                    .and_then(Json::as_str)
                    .map(String::from),
            );
            let guard = match op {
                Op::OnStart => hook.on_start(&store),
                Op::OnStop => hook.on_stop(&store),
                Op::OnMount => hook.on_mount(&store),
                Op::OnSet => hook.on_set(&store),
                _ => hook.on_notify(&store),
            };
            world::register(label, guard);
        }
        Op::KeepMount => {
            let store = world::store(text(step, "store"))?;
            crate::world::with_store!(&store, s => nanostate::keep_mount(s));
        }
        Op::CleanStores => {
            // Every id is checked before anything is cleaned.
            let stores = texts(step, "stores")
                .into_iter()
                .map(world::store)
                .collect::<Result<Vec<_>, _>>()?;
            let cleans: Vec<&dyn nanostate::Clean> = stores.iter().map(Handle::as_clean).collect();
            nanostate::clean_stores(&cleans);
        }
        Op::Tick => {
            let ms = match step.field("ms") {
                Some(Json::Num(n)) => *n as u64,
                _ => 0,
            };
            // A tick from inside a timer callback would re-enter the clock.
            world::clock().try_advance(ms).map_err(|_| "bad-tick")?;
            callbacks::rethrow_from_timers();
        }
        Op::Effect => {
            // Every dependency is checked, in order, before the effect starts.
            let deps = texts(step, "deps")
                .into_iter()
                .map(world::store)
                .collect::<Result<Vec<_>, _>>()?;
            let label = text(step, "as");
            let guard = callbacks::make_effect(label, &deps, then(step));
            world::register(label, guard);
        }
    }
    Ok(())
}

/// `setKey`/`deleteKey` on a deepMap: checks `bad-key`, `bad-value`,
/// `bad-path`, then `store.setKey(path, value)` (`undefined` for
/// `deleteKey`).
fn set_deep_key(op: Op, step: &Json, deep: &DeepMapStore) -> Result<(), Code> {
    let path = text(step, "key");
    if !is_path(path) {
        return Err("bad-key");
    }
    let value = match op {
        Op::SetKey => {
            let value = step.field("value").unwrap_or(&NULL);
            if !is_deep_value(value, 0) {
                return Err("bad-value");
            }
            Some(deep_from_json(value))
        }
        _ => None,
    };
    if bad_path(deep, path) {
        return Err("bad-path");
    }
    // The path passed the checks above; it can still fail if a hook changed
    // the value meanwhile, and then nothing is written.
    let _ = match value {
        Some(value) => deep.set_key(path, value),
        None => deep.delete_key(path),
    };
    Ok(())
}

/// FORMAT.md section 4, `bad-path`: walking the path over the store's
/// current value meets a string, a name applied to an array, or a method
/// name applied to a number (the other JavaScript properties of numbers and
/// booleans are reserved names, rejected earlier as `bad-key`).
fn bad_path(deep: &DeepMapStore, path: &str) -> bool {
    let Some(root) = nanostate::Store::peek(deep) else {
        return false;
    };
    let Ok(segments) = parse_path(path) else {
        return true;
    };
    let mut cur = Some(&*root);
    for segment in &segments {
        match (cur, segment) {
            (Some(Deep::Str(_)), _) | (Some(Deep::Array(_)), Segment::Key(_)) => return true,
            (Some(Deep::Int(_) | Deep::Float(_)), Segment::Key(k))
                if ["toExponential", "toFixed", "toPrecision"].contains(&k.as_str()) =>
            {
                return true
            }
            (Some(node), _) => cur = node.child(segment),
            (None, _) => return false,
        }
    }
    false
}
