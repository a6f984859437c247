//! Tasks: let server-side rendering and tests wait for async work that stores
//! started (typically in `on_mount`).
//!
//! A task is counted from the moment it is created until it finishes (or is
//! dropped); [`all_tasks`] resolves when the count is zero. Tasks are
//! runtime-agnostic: [`task`] only wraps a future, and [`spawn_task`] hands
//! it to the current [`Runtime`](crate::runtime::Runtime)'s `spawn` (a thread
//! natively; tokio or the browser through their runtime implementations).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

struct Counter {
    running: u64,
    /// Bumped by `clean_tasks`: guards from before a clean count for nothing.
    generation: u64,
    waiters: Vec<Waker>,
}

static TASKS: Mutex<Counter> = Mutex::new(Counter {
    running: 0,
    generation: 0,
    waiters: Vec::new(),
});
static STARTED: AtomicU64 = AtomicU64::new(0);

fn counter() -> std::sync::MutexGuard<'static, Counter> {
    TASKS.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running task; dropping it ends the task (once, however it is dropped).
///
/// ```
/// use nanostate::start_task;
/// let task = start_task();
/// // … async work whose result a store will hold …
/// drop(task); // ends it
/// ```
#[must_use = "the task ends when this guard is dropped"]
#[derive(Debug)]
pub struct TaskGuard {
    generation: u64,
}

/// Starts counting a task until the returned guard drops (Nano Stores'
/// `startTask`).
///
/// ```
/// use nanostate::{all_tasks, start_task};
/// let guard = start_task();
/// let waiter = std::thread::spawn(|| futures_lite_block_on(all_tasks()));
/// drop(guard);
/// waiter.join().unwrap();
/// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     nanostate::runtime::block_on(f)
/// # }
/// ```
pub fn start_task() -> TaskGuard {
    STARTED.fetch_add(1, Ordering::Relaxed);
    let mut c = counter();
    c.running += 1;
    TaskGuard {
        generation: c.generation,
    }
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        let waiters = {
            let mut c = counter();
            if c.generation != self.generation || c.running == 0 {
                return;
            }
            c.running -= 1;
            if c.running > 0 {
                return;
            }
            std::mem::take(&mut c.waiters)
        };
        for waker in waiters {
            waker.wake();
        }
    }
}

/// A future counted as a task from creation until it completes or is
/// dropped. Made by [`task`].
#[must_use = "a task does nothing unless awaited or spawned"]
pub struct Task<F> {
    future: Pin<Box<F>>,
    guard: Option<TaskGuard>,
}

impl<F: Future> Future for Task<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let output = self.future.as_mut().poll(cx);
        if output.is_ready() {
            self.guard = None;
        }
        output
    }
}

/// Counts `future` as a task, starting now (Nano Stores' `task`). Await the
/// result, or hand it to [`spawn_task`].
///
/// ```
/// use nanostate::{all_tasks, runtime::block_on, task};
/// let answer = task(async { 42 });
/// assert_eq!(block_on(answer), 42);
/// block_on(all_tasks()); // nothing left
/// ```
pub fn task<F: Future>(future: F) -> Task<F> {
    Task {
        guard: Some(start_task()),
        future: Box::pin(future),
    }
}

/// Counts `future` as a task and runs it on the current runtime (a thread
/// with the default native runtime).
///
/// ```
/// use nanostate::{all_tasks, runtime::block_on, spawn_task, Atom};
/// let data = Atom::new(String::new());
/// let d = data.clone();
/// spawn_task(async move { d.set("loaded".into()) });
/// block_on(all_tasks());
/// assert_eq!(data.get(), "loaded");
/// ```
pub fn spawn_task<F: Future<Output = ()> + Send + 'static>(future: F) {
    crate::runtime::current().spawn(Box::pin(task(future)));
}

/// Resolves when no task is running (at once if none is). Tasks started
/// while waiting extend the wait.
///
/// ```
/// nanostate::runtime::block_on(nanostate::all_tasks());
/// ```
pub fn all_tasks() -> AllTasks {
    AllTasks { _private: () }
}

/// The future returned by [`all_tasks`].
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct AllTasks {
    _private: (),
}

impl Future for AllTasks {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut c = counter();
        if c.running == 0 {
            Poll::Ready(())
        } else {
            if !c.waiters.iter().any(|w| w.will_wake(cx.waker())) {
                c.waiters.push(cx.waker().clone());
            }
            Poll::Pending
        }
    }
}

/// Forgets every running task (for tests): the count drops to zero, guards
/// from before the call end nothing, and waiting [`all_tasks`] futures
/// resolve.
///
/// ```
/// use nanostate::{all_tasks, clean_tasks, runtime::block_on, start_task};
/// let stuck = start_task();
/// clean_tasks();
/// block_on(all_tasks());
/// drop(stuck); // ends nothing
/// ```
pub fn clean_tasks() {
    let waiters = {
        let mut c = counter();
        c.running = 0;
        c.generation += 1;
        std::mem::take(&mut c.waiters)
    };
    for waker in waiters {
        waker.wake();
    }
}

/// Number of tasks running now.
///
/// ```
/// let guard = nanostate::start_task();
/// assert!(nanostate::running_tasks() >= 1);
/// drop(guard);
/// ```
pub fn running_tasks() -> u64 {
    counter().running
}
