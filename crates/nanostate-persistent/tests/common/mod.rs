//! Helpers shared by the test binaries: an error log filled by a hook, and
//! an engine that cannot list.
#![allow(dead_code)] // each binary uses its own subset

use std::sync::{Arc, Mutex};

use nanostate_persistent::{MemoryEngine, PersistError, StorageEngine, StorageError};

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

/// An engine that cannot list (like a minimal custom engine): `list` keeps
/// the trait's default.
pub struct NoList(pub MemoryEngine);

impl StorageEngine for NoList {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.0.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.0.set(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.0.remove(key)
    }
}
