//! Time for the stores: the unmount delay of `on_mount` and the tick of
//! `batched` need a timer. They reach it through the small [`Runtime`] trait.
//!
//! * [`NativeRuntime`] (the default): one background thread that sleeps until
//!   the next timer is due and runs it. On `wasm32-unknown-unknown` there is
//!   no default: a timer or task before a runtime is installed panics with a
//!   message saying so (the `nanostate-web` crate provides one).
//! * [`ManualClock`]: nothing runs until [`ManualClock::advance`] moves time
//!   forward; timers then run on the caller's thread. Tests and the
//!   conformance runner use it.
//!
//! A browser runtime (`setTimeout`) or a tokio runtime implements the same
//! trait in its own crate. [`set_runtime`] replaces the process-wide runtime;
//! [`ManualClock::install`] overrides it for the current thread only, so tests
//! running in parallel do not share a clock.

#[cfg(feature = "tokio")]
mod tokio_rt;
#[cfg(feature = "tokio")]
pub use tokio_rt::TokioRuntime;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

/// A timer callback.
pub type Callback = Box<dyn FnOnce() + Send + 'static>;

/// A future handed to [`Runtime::spawn`].
pub type BoxFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'static>>;

/// Identifies a scheduled timer, so it can be cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(pub u64);

/// What the stores need from the platform: run a callback after a delay, and
/// cancel it.
///
/// Implementations must run each callback at most once, never before its
/// delay, and never inside the `set_timeout` call itself.
///
/// ```
/// use nanostate::runtime::{Callback, Runtime, TimerId};
/// use std::sync::Mutex;
/// use std::time::Duration;
///
/// /// A runtime that never fires: stores stay mounted forever.
/// struct Frozen(Mutex<u64>);
/// impl Runtime for Frozen {
///     fn set_timeout(&self, _delay: Duration, _task: Callback) -> TimerId {
///         let mut next = self.0.lock().unwrap();
///         *next += 1;
///         TimerId(*next)
///     }
///     fn clear_timeout(&self, _id: TimerId) {}
/// }
/// let frozen = Frozen(Mutex::new(0));
/// assert_eq!(frozen.set_timeout(Duration::from_millis(5), Box::new(|| {})), TimerId(1));
/// ```
pub trait Runtime: Send + Sync + 'static {
    /// Runs `task` once, `delay` from now.
    fn set_timeout(&self, delay: Duration, task: Callback) -> TimerId;
    /// Cancels a timer that has not run yet; does nothing otherwise.
    fn clear_timeout(&self, id: TimerId);

    /// Runs a future to completion in the background (used by
    /// [`spawn_task`](crate::spawn_task)). The default drives it on a new
    /// thread with [`block_on`]; async runtimes hand it to their executor.
    fn spawn(&self, future: BoxFuture) {
        std::thread::Builder::new()
            .name("nanostate-task".into())
            .spawn(move || block_on(future))
            .expect("nanostate: cannot start a task thread");
    }
}

/// Runs a future to completion on the current thread, parking it while the
/// future waits. A minimal executor for tests, SSR entry points and the
/// default [`Runtime::spawn`].
///
/// ```
/// assert_eq!(nanostate::runtime::block_on(async { 1 + 1 }), 2);
/// ```
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }

    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}

static GLOBAL: RwLock<Option<Arc<dyn Runtime>>> = RwLock::new(None);

thread_local! {
    static LOCAL: RefCell<Option<Arc<dyn Runtime>>> = const { RefCell::new(None) };
}

/// Replaces the process-wide runtime (the default is [`NativeRuntime`]).
///
/// ```
/// use nanostate::runtime::{set_runtime, NativeRuntime};
/// use std::sync::Arc;
/// set_runtime(Arc::new(NativeRuntime::new()));
/// ```
pub fn set_runtime(runtime: Arc<dyn Runtime>) {
    *GLOBAL.write().unwrap_or_else(|e| e.into_inner()) = Some(runtime);
}

/// The runtime in force on this thread: the thread's override, else the
/// process-wide one, else a lazily started [`NativeRuntime`].
///
/// ```
/// let rt = nanostate::runtime::current();
/// rt.clear_timeout(nanostate::runtime::TimerId(0)); // unknown ids are ignored
/// ```
pub fn current() -> Arc<dyn Runtime> {
    if let Some(local) = LOCAL.with_borrow(|l| l.clone()) {
        return local;
    }
    if let Some(global) = GLOBAL.read().unwrap_or_else(|e| e.into_inner()).clone() {
        return global;
    }
    static DEFAULT: OnceLock<Arc<dyn Runtime>> = OnceLock::new();
    DEFAULT.get_or_init(default_runtime).clone()
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn default_runtime() -> Arc<dyn Runtime> {
    Arc::new(NativeRuntime::new())
}

/// In the browser there are no threads to run timers on, and the core cannot
/// reach `setTimeout` without JS glue: a browser app installs a runtime
/// (`nanostate_web::install()`) before its stores need a timer.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn default_runtime() -> Arc<dyn Runtime> {
    struct Missing;
    impl Runtime for Missing {
        fn set_timeout(&self, _delay: Duration, _task: Callback) -> TimerId {
            panic!(
                "nanostate: no runtime installed on wasm32-unknown-unknown; a store \
                 needs a timer (on_mount unmount delay or batched). Call \
                 nanostate_web::install() at start-up, or runtime::set_runtime(..)"
            )
        }
        fn clear_timeout(&self, _id: TimerId) {}
        fn spawn(&self, _future: BoxFuture) {
            panic!(
                "nanostate: no runtime installed on wasm32-unknown-unknown to spawn \
                 a task. Call nanostate_web::install() at start-up, or \
                 runtime::set_runtime(..)"
            )
        }
    }
    Arc::new(Missing)
}

/// The default runtime: a background thread that runs due timers.
///
/// Callbacks run on that thread, one at a time, in due order (ties in the
/// order they were scheduled). The thread starts with the first timer.
///
/// ```
/// use nanostate::runtime::{NativeRuntime, Runtime};
/// use std::sync::mpsc;
/// use std::time::Duration;
///
/// let rt = NativeRuntime::new();
/// let (tx, rx) = mpsc::channel();
/// rt.set_timeout(Duration::from_millis(1), Box::new(move || tx.send(7).unwrap()));
/// assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok(7));
/// ```
pub struct NativeRuntime {
    shared: Arc<NativeShared>,
}

struct NativeShared {
    state: Mutex<NativeState>,
    wake: Condvar,
}

#[derive(Default)]
struct NativeState {
    next_id: u64,
    timers: BTreeMap<(Instant, u64), Callback>,
    started: bool,
}

impl NativeRuntime {
    /// A runtime whose thread starts with the first timer.
    ///
    /// ```
    /// let _rt = nanostate::runtime::NativeRuntime::new();
    /// ```
    pub fn new() -> Self {
        NativeRuntime {
            shared: Arc::new(NativeShared {
                state: Mutex::new(NativeState::default()),
                wake: Condvar::new(),
            }),
        }
    }
}

impl Default for NativeRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl Runtime for NativeRuntime {
    fn set_timeout(&self, delay: Duration, task: Callback) -> TimerId {
        let mut state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
        state.next_id += 1;
        let id = state.next_id;
        state.timers.insert((Instant::now() + delay, id), task);
        if !state.started {
            state.started = true;
            let shared = self.shared.clone();
            std::thread::Builder::new()
                .name("nanostate-timers".into())
                .spawn(move || timer_thread(shared))
                .expect("nanostate: cannot start the timer thread");
        }
        self.shared.wake.notify_one();
        TimerId(id)
    }

    fn clear_timeout(&self, id: TimerId) {
        let mut state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
        state.timers.retain(|&(_, tid), _| tid != id.0);
    }
}

fn timer_thread(shared: Arc<NativeShared>) {
    let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let now = Instant::now();
        let due = state.timers.first_key_value().map(|(&(at, _), _)| at);
        match due {
            Some(at) if at <= now => {
                let (_, task) = state.timers.pop_first().expect("timer present");
                drop(state);
                // A panicking timer callback is reported (by the panic hook)
                // and does not stop the timer thread.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(task));
                state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
            }
            Some(at) => {
                state = shared
                    .wake
                    .wait_timeout(state, at - now)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            None => {
                state = shared.wake.wait(state).unwrap_or_else(|e| e.into_inner());
            }
        }
    }
}

/// A clock that only moves when told to, for tests.
///
/// Its semantics follow `@sinonjs/fake-timers`, which the Nano Stores test
/// suite uses: a timer with delay `d` is due at `now + d`, except that a
/// zero-delay timer created while [`advance`](Self::advance) is running timers
/// is due at `now + 1`. `advance(ms)` runs, in due order (ties: creation
/// order), every timer due by `now + ms`, including timers those create, then
/// sets `now` to the target.
///
/// ```
/// use nanostate::runtime::{ManualClock, Runtime};
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// let clock = ManualClock::new();
/// let fired = Arc::new(AtomicBool::new(false));
/// let f = fired.clone();
/// clock.set_timeout(Duration::from_millis(1000), Box::new(move || f.store(true, Ordering::SeqCst)));
/// clock.advance(999);
/// assert!(!fired.load(Ordering::SeqCst));
/// clock.advance(1);
/// assert!(fired.load(Ordering::SeqCst));
/// ```
#[derive(Clone, Default)]
pub struct ManualClock {
    inner: Arc<Mutex<ManualState>>,
}

#[derive(Default)]
struct ManualState {
    now: u64,
    next_id: u64,
    advancing: bool,
    timers: BTreeMap<(u64, u64), Callback>,
}

/// Why [`ManualClock::advance`] could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdvanceError {
    /// `advance` was called from a timer callback of the same clock.
    Reentrant,
}

impl std::fmt::Display for AdvanceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ManualClock::advance called from inside a timer of the same clock")
    }
}

impl std::error::Error for AdvanceError {}

impl ManualClock {
    /// A clock at 0 ms with no timers.
    ///
    /// ```
    /// assert_eq!(nanostate::runtime::ManualClock::new().now(), 0);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes this clock the runtime of the current thread (until the returned
    /// guard drops).
    ///
    /// ```
    /// use nanostate::runtime::ManualClock;
    /// let clock = ManualClock::new();
    /// let _guard = clock.install();
    /// ```
    pub fn install(&self) -> InstallGuard {
        let previous = LOCAL.with_borrow_mut(|l| l.replace(Arc::new(self.clone())));
        InstallGuard { previous }
    }

    /// Milliseconds since the clock was created, as moved by `advance`.
    ///
    /// ```
    /// let clock = nanostate::runtime::ManualClock::new();
    /// clock.advance(5);
    /// assert_eq!(clock.now(), 5);
    /// ```
    pub fn now(&self) -> u64 {
        self.lock().now
    }

    /// Number of timers waiting.
    ///
    /// ```
    /// assert_eq!(nanostate::runtime::ManualClock::new().pending(), 0);
    /// ```
    pub fn pending(&self) -> usize {
        self.lock().timers.len()
    }

    /// Moves time forward by `ms`, running due timers on this thread.
    ///
    /// Called from inside one of this clock's timers it does nothing and
    /// returns [`AdvanceError::Reentrant`] (see [`try_advance`](Self::try_advance)).
    ///
    /// ```
    /// nanostate::runtime::ManualClock::new().advance(1000);
    /// ```
    pub fn advance(&self, ms: u64) {
        let _ = self.try_advance(ms);
    }

    /// Like [`advance`](Self::advance), reporting a re-entrant call.
    ///
    /// ```
    /// assert!(nanostate::runtime::ManualClock::new().try_advance(1).is_ok());
    /// ```
    pub fn try_advance(&self, ms: u64) -> Result<(), AdvanceError> {
        let target = {
            let mut state = self.lock();
            if state.advancing {
                return Err(AdvanceError::Reentrant);
            }
            state.advancing = true;
            state.now.saturating_add(ms)
        };
        struct Done<'a>(&'a ManualClock, u64);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                let mut state = self.0.lock();
                state.advancing = false;
                state.now = state.now.max(self.1);
            }
        }
        let _done = Done(self, target);
        let mut panicked = None;
        loop {
            let task = {
                let mut state = self.lock();
                match state.timers.first_key_value() {
                    Some((&(due, _), _)) if due <= target => {
                        state.now = due;
                        state.timers.pop_first().map(|(_, task)| task)
                    }
                    _ => None,
                }
            };
            match task {
                // Like fake timers: the remaining due timers still run, and
                // the last panic surfaces from this call.
                Some(task) => {
                    if let Err(payload) =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(task))
                    {
                        panicked = Some(payload);
                    }
                }
                None => break,
            }
        }
        drop(_done);
        if let Some(payload) = panicked {
            std::panic::resume_unwind(payload);
        }
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Runtime for ManualClock {
    fn set_timeout(&self, delay: Duration, task: Callback) -> TimerId {
        let mut state = self.lock();
        let mut delay = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        if delay == 0 && state.advancing {
            delay = 1;
        }
        state.next_id += 1;
        let id = state.next_id;
        let due = state.now.saturating_add(delay);
        state.timers.insert((due, id), task);
        TimerId(id)
    }

    fn clear_timeout(&self, id: TimerId) {
        self.lock().timers.retain(|&(_, tid), _| tid != id.0);
    }
}

/// Restores the previous runtime of the thread when dropped.
#[must_use = "the clock is uninstalled when the guard drops"]
pub struct InstallGuard {
    previous: Option<Arc<dyn Runtime>>,
}

impl Drop for InstallGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        LOCAL.with_borrow_mut(|l| *l = previous);
    }
}
