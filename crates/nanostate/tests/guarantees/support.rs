//! Shared test helpers: an event log, and a computed store whose first
//! computation pauses.

use nanostate::{Atom, Computed};
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Barrier, Mutex};

/// Records events from listeners running on any thread.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&self, event: impl Into<String>) {
        self.0.lock().unwrap().push(event.into());
    }

    /// Everything recorded so far; empties the log.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A computed store equal to `a` whose first computation, after reading its
/// argument, waits on the first barrier, then on the second; the test
/// waits on each in turn to act while that computation is in flight.
pub fn computed_pausing_once(a: &Atom<i32>) -> (Computed<i32>, Arc<Barrier>, Arc<Barrier>) {
    let entered = Arc::new(Barrier::new(2));
    let resume = Arc::new(Barrier::new(2));
    let first = AtomicBool::new(true);
    let (e, r) = (entered.clone(), resume.clone());
    let c = Computed::new(a, move |x| {
        if first.swap(false, SeqCst) {
            e.wait();
            r.wait();
        }
        *x
    });
    (c, entered, resume)
}
