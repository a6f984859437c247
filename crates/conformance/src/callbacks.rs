//! The callbacks the runner registers with nanostate: listeners, lifecycle
//! hooks and compute functions. Each prints its event (FORMAT.md section 6),
//! decides on `abort()` for `onSet`/`onNotify`, then runs its `then` steps
//! inside the callback (section 3.1).

use std::sync::Arc;

use nanostate::{
    on_mount, on_notify, on_set, on_start, on_stop, Computed, Deep, DeepMapStore, DynArgs, NoKey,
    NotifyEvent, Proposed, SetEvent, Subscription,
};

use crate::json::Json;
use crate::menu::{self, Arg, MenuFn};
use crate::ops::run_step;
use crate::trace::{self, Event};
use crate::value::{js_is, Encode, JsVal, MapVal};
use crate::world::{with_store, Handle};

/// The `then` steps of a registration.
pub type Then = Option<Arc<Vec<Json>>>;

/// Runs a `then` block (section 3.1), within the depth guard of section 7.
pub fn run_then(then: &Then) {
    let Some(steps) = then else { return };
    if trace::halted() || steps.is_empty() {
        return;
    }
    let Some(_depth) = trace::ThenGuard::enter() else {
        return;
    };
    for step in steps.iter() {
        if trace::halted() {
            return;
        }
        run_step(step);
    }
}

/// What a listener (`listen`, `subscribe`, `listenKeys`, `subscribeKeys`)
/// does when called: print `call`, run `then`.
#[derive(Clone)]
pub struct Listener {
    label: Arc<str>,
    then: Then,
}

impl Listener {
    /// A listener registered under `label`.
    pub fn new(label: &str, then: Then) -> Listener {
        Listener {
            label: label.into(),
            then,
        }
    }

    /// One call with the listener's arguments, already encoded (`None`:
    /// undefined or not passed).
    pub fn call(&self, value: Option<String>, old: Option<String>, key: Option<&str>) {
        Event::new("call")
            .str("l", &self.label)
            .opt("value", value)
            .opt("old", old)
            .opt_str("key", key)
            .emit();
        run_then(&self.then);
    }

    /// `store.listen(cb)`
    pub fn listen(self, store: &Handle) -> Subscription {
        match store {
            Handle::Atom(a) => {
                a.listen(move |new, old| self.call(new.encode(), old.encode(), None))
            }
            Handle::Map(m) => m.listen(move |new, old, key| {
                self.call(new.encode(), old.encode(), key.map(String::as_str))
            }),
            Handle::DeepMap(d) => {
                d.listen(move |new, old, path| self.call(new.encode(), old.encode(), path))
            }
            Handle::Computed(c) => c.listen(move |new, old| {
                self.call(new.encode(), old.and_then(Encode::encode), None)
            }),
        }
    }

    /// `store.subscribe(cb)`: the first call gets only the value.
    pub fn subscribe(self, store: &Handle) -> Subscription {
        match store {
            Handle::Atom(a) => a.subscribe(move |new, old| {
                self.call(new.encode(), old.and_then(Encode::encode), None)
            }),
            Handle::Map(m) => m.subscribe(move |new, old, key| {
                self.call(
                    new.encode(),
                    old.and_then(Encode::encode),
                    key.map(String::as_str),
                )
            }),
            Handle::DeepMap(d) => d.subscribe(move |new, old, path| {
                self.call(new.encode(), old.and_then(Encode::encode), path)
            }),
            Handle::Computed(c) => c.subscribe(move |new, old| {
                self.call(new.encode(), old.and_then(Encode::encode), None)
            }),
        }
    }

    /// `listenKeys(store, keys, cb)` on a map store.
    pub fn listen_keys(
        self,
        map: &nanostate::MapStore<String, JsVal>,
        keys: Vec<String>,
    ) -> Subscription {
        map.listen_keys(keys, move |new, old, key| {
            self.call(new.encode(), old.encode(), key.map(String::as_str))
        })
    }

    /// `listenKeys(store, paths, cb)` on a deepMap store (paths checked by
    /// the caller).
    pub fn listen_deep_keys(self, deep: &DeepMapStore, paths: Vec<String>) -> Subscription {
        deep.listen_keys(paths, move |new, old, path| {
            self.call(new.encode(), old.encode(), path)
        })
        .expect("paths were checked")
    }

    /// `subscribeKeys(store, paths, cb)` on a deepMap store.
    pub fn subscribe_deep_keys(self, deep: &DeepMapStore, paths: Vec<String>) -> Subscription {
        deep.subscribe_keys(paths, move |new, old, path| {
            self.call(new.encode(), old.and_then(Encode::encode), path)
        })
        .expect("paths were checked")
    }

    /// `subscribeKeys(store, keys, cb)` on a map store.
    pub fn subscribe_keys(
        self,
        map: &nanostate::MapStore<String, JsVal>,
        keys: Vec<String>,
    ) -> Subscription {
        map.subscribe_keys(keys, move |new, old, key| {
            self.call(
                new.encode(),
                old.and_then(Encode::encode),
                key.map(String::as_str),
            )
        })
    }
}

/// A lifecycle hook registration: its label, `then` steps and abort
/// condition (section 4).
#[derive(Clone)]
pub struct Hook {
    label: Arc<str>,
    then: Then,
    /// Canonical encoding of `abortIf`.
    abort_if: Option<String>,
    abort_key: Option<String>,
}

/// The `onSet` payload of a `setKey`, computed once per write and shared by
/// all hooks of that write, as nanostores builds `newValue` once before
/// running them (a `then` of the first hook may change the store).
struct SetKeyPayload(Option<String>);

impl Hook {
    /// A hook registered under `label`.
    pub fn new(
        label: &str,
        then: Then,
        abort_if: Option<String>,
        abort_key: Option<String>,
    ) -> Hook {
        Hook {
            label: label.into(),
            then,
            abort_if,
            abort_key,
        }
    }

    /// The abort condition: `abortKey` equals the changed key, or the
    /// incoming value is defined and encodes like `abortIf`.
    fn aborts(&self, incoming: Option<&str>, changed: Option<&str>) -> bool {
        if self.abort_key.is_some() && self.abort_key.as_deref() == changed {
            return true;
        }
        match (&self.abort_if, incoming) {
            (Some(abort_if), Some(incoming)) => abort_if == incoming,
            _ => false,
        }
    }

    /// Prints `onStart`/`onStop`/`onMount` and runs `then`.
    fn lifecycle(&self, ev: &str) {
        Event::new(ev).str("l", &self.label).emit();
        run_then(&self.then);
    }

    /// Prints `onSet`; returns whether to abort (`then` runs after that).
    fn report_set(&self, value: Option<String>, incoming: Option<&str>, key: Option<&str>) -> bool {
        let abort = self.aborts(incoming, key);
        Event::new("onSet")
            .str("l", &self.label)
            .opt("value", value)
            .opt_str("key", key)
            .raw("abort", abort.to_string())
            .emit();
        abort
    }

    /// Prints `onNotify`; returns whether to abort.
    fn report_notify(&self, value: Option<String>, old: Option<String>, key: Option<&str>) -> bool {
        let abort = self.aborts(value.as_deref(), key);
        Event::new("onNotify")
            .str("l", &self.label)
            .opt("value", value)
            .opt("old", old)
            .opt_str("key", key)
            .raw("abort", abort.to_string())
            .emit();
        abort
    }

    /// `onStart(store, cb)`
    pub fn on_start(self, store: &Handle) -> Subscription {
        with_store!(store, s => on_start(s, move |_| self.lifecycle("onStart")))
    }

    /// `onStop(store, cb)`
    pub fn on_stop(self, store: &Handle) -> Subscription {
        with_store!(store, s => on_stop(s, move |_| self.lifecycle("onStop")))
    }

    /// `onMount(store, cb)`: the callback returns a cleanup printing `unmount`.
    pub fn on_mount(self, store: &Handle) -> Subscription {
        with_store!(store, s => on_mount(s, move |_| {
            self.lifecycle("onMount");
            let label = self.label.clone();
            move || Event::new("unmount").str("l", &label).emit()
        }))
    }

    /// `onSet(store, cb)`
    pub fn on_set(self, store: &Handle) -> Subscription {
        match store {
            Handle::Atom(a) => on_set(a, self.primitive_set()),
            Handle::Computed(c) => on_set(c, self.primitive_set()),
            Handle::Map(m) => {
                let map = store.clone();
                on_set(m, move |e: &mut SetEvent<'_, MapVal, String, JsVal>| {
                    let (value, incoming, key) = match e.proposed() {
                        Proposed::Value(v) => {
                            let value = v.encode();
                            (value.clone(), value, None)
                        }
                        Proposed::Key(k, item) => {
                            let (k, item) = ((*k).clone(), item.cloned());
                            // {...store.value, [k]: v}; a deletion shows k: undefined
                            let payload = match e.shared.get::<SetKeyPayload>() {
                                Some(SetKeyPayload(p)) => p.clone(),
                                None => {
                                    let mut next = map.peek_map();
                                    next.insert(
                                        k.clone(),
                                        item.clone().unwrap_or(JsVal::Undefined),
                                    );
                                    let p = next.encode();
                                    e.shared.insert(SetKeyPayload(p.clone()));
                                    p
                                }
                            };
                            (payload, item.and_then(|v| v.encode()), Some(k))
                        }
                    };
                    if self.report_set(value, incoming.as_deref(), key.as_deref()) {
                        e.abort();
                    }
                    run_then(&self.then);
                })
            }
            Handle::DeepMap(d) => {
                let deep = d.clone();
                on_set(d, move |e: &mut SetEvent<'_, Deep, String, Deep>| {
                    let (value, incoming, key) = match e.proposed() {
                        Proposed::Value(v) => {
                            let value = v.encode();
                            (value.clone(), value, None)
                        }
                        Proposed::Key(path, item) => {
                            let (path, item) = ((*path).clone(), item.cloned());
                            // {...store.value, [path]: v}: the path is one flat key
                            let payload = match e.shared.get::<SetKeyPayload>() {
                                Some(SetKeyPayload(p)) => p.clone(),
                                None => {
                                    let p = deep_set_key_payload(&deep, &path, item.clone());
                                    e.shared.insert(SetKeyPayload(p.clone()));
                                    p
                                }
                            };
                            (payload, item.and_then(|v| v.encode()), Some(path))
                        }
                    };
                    if self.report_set(value, incoming.as_deref(), key.as_deref()) {
                        e.abort();
                    }
                    run_then(&self.then);
                })
            }
        }
    }

    /// The `onSet` callback of an atom or computed store.
    fn primitive_set(
        self,
    ) -> impl Fn(&mut SetEvent<'_, JsVal, NoKey, NoKey>) + Send + Sync + 'static {
        move |e| {
            let value = match e.proposed() {
                Proposed::Value(v) => v.encode(),
                Proposed::Key(k, _) => match **k {},
            };
            if self.report_set(value.clone(), value.as_deref(), None) {
                e.abort();
            }
            run_then(&self.then);
        }
    }

    /// `onNotify(store, cb)`: `value` is the store's current value.
    pub fn on_notify(self, store: &Handle) -> Subscription {
        let current = store.clone();
        match store {
            Handle::Atom(a) => on_notify(a, self.primitive_notify(current)),
            Handle::Computed(c) => on_notify(c, self.primitive_notify(current)),
            Handle::Map(m) => on_notify(m, move |e: &mut NotifyEvent<'_, MapVal, String>| {
                let old = e.old_value().and_then(Encode::encode);
                let key = e.key().cloned();
                if self.report_notify(current.peek_encoded(), old, key.as_deref()) {
                    e.abort();
                }
                run_then(&self.then);
            }),
            Handle::DeepMap(d) => on_notify(d, move |e: &mut NotifyEvent<'_, Deep, String>| {
                let old = e.old_value().and_then(Encode::encode);
                let key = e.key().cloned();
                if self.report_notify(current.peek_encoded(), old, key.as_deref()) {
                    e.abort();
                }
                run_then(&self.then);
            }),
        }
    }

    /// The `onNotify` callback of an atom or computed store.
    fn primitive_notify(
        self,
        current: Handle,
    ) -> impl Fn(&mut NotifyEvent<'_, JsVal, NoKey>) + Send + Sync + 'static {
        move |e| {
            let old = e.old_value().and_then(Encode::encode);
            if self.report_notify(current.peek_encoded(), old, None) {
                e.abort();
            }
            run_then(&self.then);
        }
    }
}

/// The `onSet` payload of a deepMap `setKey(path, v)`: a shallow copy of
/// the current root with the path text as one more top-level key
/// (`deleteKey` shows it as `undefined`).
fn deep_set_key_payload(deep: &DeepMapStore, path: &str, item: Option<Deep>) -> Option<String> {
    let current = nanostate::Store::peek(deep);
    let mut entries: nanostate::MapValue<String, Option<Deep>> = current
        .as_deref()
        .and_then(Deep::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), Some(v.clone())))
                .collect()
        })
        .unwrap_or_default();
    entries.insert(path.to_string(), item);
    Some(crate::value::encode_object(
        entries.iter().map(|(k, v)| (k.as_str(), v)),
    ))
}

/// A panic payload standing for a JavaScript exception thrown out of a
/// callback (see `trace::exception`). nanostate unwinds it the way
/// nanostores propagates the exception: a drain finishes its other calls
/// first, a batch still drains.
pub struct JsThrow;

thread_local! {
    /// Set while a thrown [`JsThrow`] has not reached the top level.
    static IN_FLIGHT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Throws the emulated JavaScript exception.
fn throw() -> ! {
    IN_FLIGHT.set(true);
    std::panic::panic_any(JsThrow)
}

/// Called when the top level caught the exception.
pub fn caught() {
    IN_FLIGHT.set(false);
}

/// After a `tick`: the fake clock of the reference runs the remaining due
/// timers when one throws, then rethrows from `tick`; nanostate's manual
/// clock keeps the panic of a timer to itself, so the runner rethrows it.
pub fn rethrow_from_timers() {
    if IN_FLIGHT.get() {
        std::panic::panic_any(JsThrow)
    }
}

/// `computed(deps, fn)` / `batched(deps, fn)`: the function prints
/// `compute` each time nanostate invokes it.
/// Which dependencies hold objects: 1 for a map, 2 for a deepMap, 0 else.
fn dep_kinds(deps: &[Handle]) -> Vec<u8> {
    deps.iter()
        .map(|d| match d {
            Handle::Map(_) => 1,
            Handle::DeepMap(_) => 2,
            _ => 0,
        })
        .collect()
}

/// The dependency values of a computed store or an effect, as JS values.
fn js_args<'a>(kinds: &[u8], args: &DynArgs<'a>) -> Vec<Arg<'a>> {
    const MISSING: JsVal = JsVal::Undefined;
    kinds
        .iter()
        .enumerate()
        .map(
            |(i, kind)| match (kind, args.get::<MapVal>(i), args.get::<JsVal>(i)) {
                (1, Some(m), _) => Arg::Map(m),
                (2, _, _) => args.get::<Deep>(i).map_or(Arg::Val(&MISSING), Arg::Deep),
                (0, _, Some(v)) => Arg::Val(v),
                _ => Arg::Val(&MISSING),
            },
        )
        .collect()
}

fn encode_args(args: &[Arg<'_>]) -> String {
    let encoded: Vec<String> = args.iter().map(Encode::encode_slot).collect();
    format!("[{}]", encoded.join(","))
}

/// `effect(deps, cb)`: each run prints `effect` with the arguments, runs
/// `then`, and returns a cleanup that prints `cleanup`.
pub fn make_effect(label: &str, deps: &[Handle], then: Then) -> Subscription {
    let sources = deps.iter().map(Handle::source).collect();
    let kinds = dep_kinds(deps);
    let label: Arc<str> = label.into();
    nanostate::effect_dynamic(sources, move |args| {
        let args = js_args(&kinds, args);
        Event::new("effect")
            .str("l", &label)
            .raw("args", encode_args(&args))
            .emit();
        run_then(&then);
        let label = label.clone();
        move || Event::new("cleanup").str("l", &label).emit()
    })
}

pub fn make_computed(id: &str, deps: &[Handle], f: MenuFn, batched: bool) -> Computed<JsVal> {
    let sources = deps.iter().map(Handle::source).collect();
    let kinds = dep_kinds(deps);
    let id: Arc<str> = id.into();
    // Nano Stores' computed stores start (and restart after cleanStores) as
    // `undefined`.
    let computed = Computed::dynamic_with(sources, batched, js_is, move |args| {
        let args = js_args(&kinds, args);
        match menu::apply(f, &args) {
            Ok(value) => {
                Event::new("compute")
                    .str("store", &id)
                    .raw("args", encode_args(&args))
                    .opt("value", value.encode())
                    .emit();
                value
            }
            // The reference prints nothing once halted, so nothing throws.
            Err(_) if trace::halted() => JsVal::Undefined,
            Err(_) => throw(),
        }
    });
    computed.with_initial(JsVal::Undefined)
}
