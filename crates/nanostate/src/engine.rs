//! The notification engine: one queue of pending listener calls per thread.
//!
//! A change to any store turns into one *round* (the store, its old value, the
//! changed key and a snapshot of its listeners) and one queue entry per
//! listener. The thread that finds the queue idle drains it breadth-first:
//! changes made by listeners append to the queue instead of recursing. Inside
//! [`batch`] nothing drains until the outermost batch ends, and each listener
//! is queued at most once.
//!
//! No `RefCell` borrow of the engine is held while user code runs.

use std::any::Any;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Arc;

/// One notification, seen from the queue: it can deliver its call to the
/// listener at a given index of its listener snapshot.
pub(crate) trait Round {
    fn deliver(&self, index: usize);
}

/// A queued call that needs no round: a listener that reads nothing from
/// the change (it checks itself whether it is still subscribed).
pub(crate) trait Call: Send + Sync {
    fn call(&self);
}

enum Pending {
    /// The call to the listener at `index` of a round.
    Round(Rc<dyn Round>, usize),
    Call(Arc<dyn Call>),
}

impl Pending {
    fn run(self) {
        match self {
            Pending::Round(round, index) => round.deliver(index),
            Pending::Call(call) => call.call(),
        }
    }
}

struct Engine {
    queue: VecDeque<Pending>,
    draining: bool,
    batch_depth: u32,
    /// Callback identities already queued by the open batch.
    seen: Vec<u64>,
    /// The last panic payload caught while draining; re-raised at the end.
    panic: Option<Box<dyn Any + Send>>,
}

impl Engine {
    const fn new() -> Self {
        Engine {
            queue: VecDeque::new(),
            draining: false,
            batch_depth: 0,
            seen: Vec::new(),
            panic: None,
        }
    }
}

#[cfg(not(loom))]
thread_local! {
    static ENGINE: RefCell<Engine> = const { RefCell::new(Engine::new()) };
}

#[cfg(loom)]
loom::thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::new());
}

fn with_engine<R>(f: impl FnOnce(&mut Engine) -> R) -> R {
    ENGINE.with(|engine| f(&mut engine.borrow_mut()))
}

/// How a change reaches its listeners.
pub(crate) enum Delivery {
    /// The queue is idle: call the listeners now, then [`finish`].
    Now,
    /// Append to the queue (a drain is running or a batch is open).
    Queue { in_batch: bool },
}

/// Starts delivering a change. With [`Delivery::Now`] the caller calls the
/// listeners in order (each through [`run_guarded`]) and then calls
/// [`finish`]; changes they make are queued behind them, as if the whole
/// round had been queued first.
pub(crate) fn begin() -> Delivery {
    with_engine(|e| {
        if e.queue.is_empty() && !e.draining && e.batch_depth == 0 {
            e.draining = true;
            Delivery::Now
        } else {
            Delivery::Queue {
                in_batch: e.batch_depth > 0,
            }
        }
    })
}

/// Ends a [`Delivery::Now`] round: drains what it queued, then re-raises the
/// last panic a listener raised.
pub(crate) fn finish() {
    // Usually the listeners queued nothing and none panicked.
    let idle = with_engine(|e| {
        let idle = e.queue.is_empty() && e.panic.is_none();
        if idle {
            e.draining = false;
        }
        idle
    });
    if !idle {
        drain();
    }
}

/// Queues one call per listener of a round and drains if this thread was idle.
///
/// `callbacks` yields the callback identity of each listener in registration
/// order; entries are queued at the matching index.
pub(crate) fn enqueue(round: Rc<dyn Round>, callbacks: impl Iterator<Item = u64>) {
    push(
        callbacks
            .enumerate()
            .map(|(index, cb)| (cb, Pending::Round(round.clone(), index))),
    );
}

/// [`enqueue`] for bare calls, each with its callback identity.
pub(crate) fn enqueue_calls(calls: impl Iterator<Item = (u64, Arc<dyn Call>)>) {
    push(calls.map(|(cb, call)| (cb, Pending::Call(call))));
}

fn push(entries: impl Iterator<Item = (u64, Pending)>) {
    let start = with_engine(|e| {
        let start = e.queue.is_empty() && !e.draining && e.batch_depth == 0;
        for (cb, pending) in entries {
            if e.batch_depth > 0 {
                if e.seen.contains(&cb) {
                    continue;
                }
                e.seen.push(cb);
            }
            e.queue.push_back(pending);
        }
        start
    });
    if start {
        drain();
    }
}

/// Runs queued calls until the queue is empty, then re-raises the last panic
/// a listener raised, if any.
fn drain() {
    with_engine(|e| e.draining = true);
    loop {
        let Some(next) = with_engine(|e| e.queue.pop_front()) else {
            break;
        };
        run_guarded(|| next.run());
    }
    let payload = with_engine(|e| {
        e.draining = false;
        e.panic.take()
    });
    if let Some(payload) = payload {
        panic::resume_unwind(payload);
    }
}

/// Runs user code, keeping its panic (if any) for the end of the drain.
pub(crate) fn run_guarded(f: impl FnOnce()) {
    if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(f)) {
        with_engine(|e| e.panic = Some(payload));
    }
}

/// Groups changes: listeners are called once, after the outermost batch,
/// with the final values.
///
/// Inside the batch every listener is queued at most once, with the old value
/// of its first notification and no changed key (so `listen_keys` listeners
/// compare values instead). Nested batches join the outermost one. The queue
/// drains when the outermost batch returns, also if `f` panics: the panic then
/// continues after the listeners ran, unless a listener panicked too, whose
/// panic replaces it (as an error thrown in a JS `finally` does). A batch that ends inside a listener
/// leaves its calls to the drain already running, so no call is delivered
/// twice.
///
/// ```
/// use nanostate::{atom, batch, Atom};
/// use std::sync::atomic::{AtomicU32, Ordering};
///
/// static COUNT: Atom<i32> = atom(0);
/// static CALLS: AtomicU32 = AtomicU32::new(0);
///
/// let _sub = COUNT.listen(|new, old| {
///     assert_eq!((*new, *old), (3, 0));
///     CALLS.fetch_add(1, Ordering::SeqCst);
/// });
/// batch(|| {
///     COUNT.set(1);
///     COUNT.set(2);
///     COUNT.set(3);
/// });
/// assert_eq!(CALLS.load(Ordering::SeqCst), 1);
/// ```
pub fn batch<R>(f: impl FnOnce() -> R) -> R {
    with_engine(|e| e.batch_depth += 1);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    let outer_idle = with_engine(|e| {
        e.batch_depth -= 1;
        e.batch_depth == 0 && !e.draining
    });
    let mut drained = Ok(());
    if outer_idle {
        // The seen set stays active during the final drain, as in Nano
        // Stores: writes made there do not queue a listener twice.
        with_engine(|e| e.batch_depth += 1);
        drained = panic::catch_unwind(drain_quietly);
        with_engine(|e| {
            e.batch_depth -= 1;
            e.seen.clear();
        });
    } else if with_engine(|e| e.batch_depth == 0) {
        with_engine(|e| e.seen.clear());
    }
    // A listener's panic replaces one from the body, like JS `finally`.
    if let Err(payload) = drained {
        panic::resume_unwind(payload);
    }
    match result {
        Ok(value) => value,
        Err(payload) => panic::resume_unwind(payload),
    }
}

fn drain_quietly() {
    let has_work = with_engine(|e| !e.queue.is_empty());
    if has_work {
        drain();
    }
}
