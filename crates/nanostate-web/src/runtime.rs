//! The browser runtime: `setTimeout` for delays, a resolved promise (a
//! microtask) for zero delays, and `spawn_local` for tasks.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use js_sys::Promise;
use nanostate::runtime::{set_runtime, BoxFuture, Callback, Runtime, TimerId};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout_js(handler: &JsValue, ms: i32, id: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout_js(handle: &JsValue);
}

/// A pending timer: its callback and, for a real `setTimeout`, the handle.
struct Pending {
    task: Callback,
    handle: Option<JsValue>,
}

thread_local! {
    static TIMERS: RefCell<HashMap<u64, Pending>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
    /// One JS function for every timer, called with the timer's id: no
    /// closure is allocated (or leaked) per timer.
    static DISPATCH: Closure<dyn FnMut(JsValue)> = Closure::new(|id: JsValue| {
        if let Some(id) = id.as_f64() {
            fire(id as u64);
        }
    });
}

fn fire(id: u64) {
    // The borrow ends before the callback runs: it may schedule timers.
    let pending = TIMERS.with_borrow_mut(|t| t.remove(&id));
    if let Some(pending) = pending {
        (pending.task)();
    }
}

/// The [`Runtime`] for browsers (and web workers): timers with
/// `setTimeout`, zero-delay timers as microtasks, tasks with
/// `wasm_bindgen_futures::spawn_local`.
///
/// Timers run on the JS event loop of the thread that scheduled them; the
/// runtime is meant for single-threaded wasm (the browser's usual case).
/// Install it once with [`install`].
///
/// ```no_run
/// use nanostate::runtime::Runtime;
/// use std::time::Duration;
///
/// let rt = nanostate_web::WebRuntime;
/// let id = rt.set_timeout(Duration::from_millis(10), Box::new(|| {}));
/// rt.clear_timeout(id); // never runs
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct WebRuntime;

impl Runtime for WebRuntime {
    fn set_timeout(&self, delay: Duration, task: Callback) -> TimerId {
        let id = NEXT_ID.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        let handle = DISPATCH.with(|dispatch| {
            if delay.is_zero() {
                // A microtask: after the current task, before rendering.
                let _ = Promise::resolve(&JsValue::from_f64(id as f64)).then(dispatch);
                None
            } else {
                let ms = i32::try_from(delay.as_millis()).unwrap_or(i32::MAX);
                Some(set_timeout_js(dispatch.as_ref(), ms, id as f64))
            }
        });
        TIMERS.with_borrow_mut(|t| t.insert(id, Pending { task, handle }));
        TimerId(id)
    }

    fn clear_timeout(&self, id: TimerId) {
        let pending = TIMERS.with_borrow_mut(|t| t.remove(&id.0));
        if let Some(Pending {
            handle: Some(handle),
            ..
        }) = &pending
        {
            clear_timeout_js(handle);
        }
        drop(pending); // outside the borrow: dropping may run user code
    }

    fn spawn(&self, future: BoxFuture) {
        wasm_bindgen_futures::spawn_local(future);
    }
}

/// Makes [`WebRuntime`] the process-wide runtime. Call it once at start-up,
/// before any store needs a timer (the first `on_mount` unmount delay or
/// `batched` store); calling it again changes nothing.
///
/// ```no_run
/// nanostate_web::install();
/// ```
pub fn install() {
    thread_local!(static DONE: Cell<bool> = const { Cell::new(false) });
    if !DONE.replace(true) {
        set_runtime(Arc::new(WebRuntime));
    }
}

/// How many timers are scheduled and not yet run or cleared (for tests and
/// leak checks).
///
/// ```no_run
/// assert_eq!(nanostate_web::pending_timers(), 0);
/// ```
pub fn pending_timers() -> usize {
    TIMERS.with_borrow(|t| t.len())
}
