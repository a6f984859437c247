//! Helpers shared by the test binaries: an error log filled by a hook.
#![allow(dead_code)] // each binary uses its own subset

use std::sync::{Arc, Mutex};

use nanostate_persistent::PersistError;

pub type Log = Arc<Mutex<Vec<PersistError>>>;

/// An error log and a hook that fills it.
pub fn collector() -> (Log, impl Fn(&PersistError) + Send + Sync + 'static) {
    let log: Log = Arc::default();
    let l = log.clone();
    (log, move |e: &PersistError| {
        l.lock().unwrap().push(e.clone())
    })
}

/// The errors logged so far, emptying the log.
pub fn taken(log: &Log) -> Vec<PersistError> {
    std::mem::take(&mut *log.lock().unwrap())
}
