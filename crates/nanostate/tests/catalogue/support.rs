//! Small helpers shared by the catalogue tests.

use std::any::Any;
use std::fmt::Debug;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard, Once};

use nanostate::runtime::{InstallGuard, ManualClock};
use nanostate::MapValue;

/// A shared, thread-safe record of typed events.
pub struct Rec<T>(Arc<Mutex<Vec<T>>>);

/// A shared, thread-safe event log (the `events` array of the JS tests).
pub type Log = Rec<String>;

impl<T> Clone for Rec<T> {
    fn clone(&self) -> Self {
        Rec(self.0.clone())
    }
}

impl<T> Default for Rec<T> {
    fn default() -> Self {
        Rec(Arc::new(Mutex::new(Vec::new())))
    }
}

impl<T: Clone> Rec<T> {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<T>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends one event.
    pub fn push(&self, event: impl Into<T>) {
        self.lock().push(event.into());
    }

    /// Returns the events recorded since the last `take` and clears the log.
    pub fn take(&self) -> Vec<T> {
        std::mem::take(&mut *self.lock())
    }

    /// The events recorded so far (the log is kept).
    pub fn all(&self) -> Vec<T> {
        self.lock().clone()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }
}

/// An empty expectation for `Log` comparisons.
pub const NOTHING: [&str; 0] = [];

/// A manual clock installed as this thread's runtime for the whole test.
///
/// The JS suite uses `@sinonjs/fake-timers` (or real 1000 ms waits in the
/// lifecycle file); here time only moves on `advance` / `run_all`.
pub struct Clock {
    clock: ManualClock,
    _guard: InstallGuard,
}

pub fn clock() -> Clock {
    let clock = ManualClock::new();
    let guard = clock.install();
    Clock {
        clock,
        _guard: guard,
    }
}

/// A test ends with its pending timers run: a store left mounted would
/// otherwise stay mounted after the clock is gone (its unmount timer never
/// fires), and LeakSanitizer rightly reports the graph it keeps alive.
impl Drop for Clock {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.run_all();
        }
    }
}

impl Clock {
    /// `clock.tick(ms)` / `await delay(ms)`.
    pub fn advance(&self, ms: u64) {
        self.clock.advance(ms);
    }

    /// sinon's `runAll()`: runs every pending timer, including timers they
    /// schedule.
    pub fn run_all(&self) {
        for _ in 0..1000 {
            if self.clock.pending() == 0 {
                return;
            }
            self.clock.advance(1000);
        }
        panic!("timers keep scheduling timers");
    }

    pub fn manual(&self) -> &ManualClock {
        &self.clock
    }
}

/// Marks panics raised on purpose by tests; their messages are not printed.
pub const INTENTIONAL: &str = "intentional panic";

fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

fn silence_intentional_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if message(info.payload()).starts_with(INTENTIONAL) {
                return;
            }
            default(info)
        }));
    });
}

/// Panics with a message marked as intentional.
pub fn boom(what: &str) -> ! {
    silence_intentional_panics();
    panic!("{INTENTIONAL}: {what}")
}

/// Runs `f`, expecting it to panic; returns the panic message without the
/// `INTENTIONAL` prefix (the JS `throws(() => ...)` / `try … catch`).
pub fn expect_panic(f: impl FnOnce()) -> String {
    silence_intentional_panics();
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => panic!("expected a panic, but the call returned normally"),
        Err(payload) => {
            let msg = message(&*payload);
            msg.strip_prefix(INTENTIONAL)
                .and_then(|m| m.strip_prefix(": "))
                .map(str::to_string)
                .unwrap_or(msg)
        }
    }
}

/// `JSON.stringify` of a flat map with number values: `{"a":1,"b":0}`.
pub fn json<V: Debug>(map: &MapValue<&'static str, V>) -> String {
    let body: Vec<String> = map.iter().map(|(k, v)| format!("\"{k}\":{v:?}")).collect();
    format!("{{{}}}", body.join(","))
}

/// `String(x)` of an optional value: `undefined` for `None`.
pub fn js<V: std::fmt::Display>(value: Option<V>) -> String {
    match value {
        Some(v) => v.to_string(),
        None => "undefined".to_string(),
    }
}

/// A subscription that one listener can cancel for another (the JS tests
/// call an `unbind` function captured in a closure).
#[derive(Clone, Default)]
pub struct SubSlot(Arc<Mutex<Option<nanostate::Subscription>>>);

impl SubSlot {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn put(&self, sub: nanostate::Subscription) {
        let old = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(sub);
        drop(old);
    }

    /// Unsubscribes (a no-op if already done).
    pub fn cancel(&self) {
        let sub = self.0.lock().unwrap_or_else(|e| e.into_inner()).take();
        drop(sub);
    }
}

/// One listener closure shared by several registrations ("the same function"
/// of the JS tests: Rust closures have no identity of their own).
pub type SharedListener<T> = Arc<dyn Fn(&T, &T) + Send + Sync>;
