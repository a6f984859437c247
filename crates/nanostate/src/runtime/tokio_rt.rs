//! A [`Runtime`] on tokio (feature `tokio`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{BoxFuture, Callback, Runtime, TimerId};

/// Timers and tasks on a tokio runtime: `set_timeout` is a spawned
/// `tokio::time::sleep`, `spawn` is `Handle::spawn`, so tasks started by
/// stores can use tokio's I/O and timers.
///
/// ```
/// use nanostate::runtime::{set_runtime, TokioRuntime};
/// use std::sync::Arc;
///
/// let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// rt.block_on(async {
///     set_runtime(Arc::new(TokioRuntime::current()));
///     nanostate::spawn_task(async { tokio::time::sleep(std::time::Duration::from_millis(1)).await });
///     nanostate::all_tasks().await;
/// });
/// ```
pub struct TokioRuntime {
    handle: tokio::runtime::Handle,
    next: AtomicU64,
    timers: Arc<Mutex<HashMap<u64, tokio::task::AbortHandle>>>,
}

impl TokioRuntime {
    /// A runtime on the tokio runtime this is called from.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (see [`TokioRuntime::new`]).
    ///
    /// ```
    /// let rt = tokio::runtime::Runtime::new().unwrap();
    /// let _nanostate_rt = rt.block_on(async { nanostate::runtime::TokioRuntime::current() });
    /// ```
    pub fn current() -> Self {
        Self::new(tokio::runtime::Handle::current())
    }

    /// A runtime on the given tokio runtime.
    ///
    /// ```
    /// let rt = tokio::runtime::Runtime::new().unwrap();
    /// let _nanostate_rt = nanostate::runtime::TokioRuntime::new(rt.handle().clone());
    /// ```
    pub fn new(handle: tokio::runtime::Handle) -> Self {
        TokioRuntime {
            handle,
            next: AtomicU64::new(1),
            timers: Arc::default(),
        }
    }
}

impl Runtime for TokioRuntime {
    fn set_timeout(&self, delay: Duration, callback: Callback) -> TimerId {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let timers = self.timers.clone();
        let mut map = self.timers.lock().unwrap_or_else(|e| e.into_inner());
        let join = self.handle.spawn(async move {
            tokio::time::sleep(delay).await;
            timers.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
            callback();
        });
        map.insert(id, join.abort_handle());
        TimerId(id)
    }

    fn clear_timeout(&self, id: TimerId) {
        let handle = self
            .timers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id.0);
        if let Some(handle) = handle {
            handle.abort();
        }
    }

    fn spawn(&self, future: BoxFuture) {
        drop(self.handle.spawn(future));
    }
}
