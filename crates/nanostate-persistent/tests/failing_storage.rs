//! Storage that fails: an engine whose writes fail every other time, and a
//! file engine whose directory vanishes. The value in memory stays right,
//! each failure reaches the hooks once, and nothing is lost when storage
//! comes back.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::Arc;

use nanostate::runtime::ManualClock;
use nanostate::MapValue;
use nanostate_persistent::*;

mod common;
use common::{collector, taken};

/// A memory engine whose `set` and `remove` fail on every other call while
/// `flaky` is on.
#[derive(Default)]
struct Flaky {
    inner: MemoryEngine,
    flaky: AtomicBool,
    writes: AtomicU64,
    failures: AtomicU64,
}

impl Flaky {
    fn failing_now(&self) -> bool {
        let n = self.writes.fetch_add(1, SeqCst);
        let fail = self.flaky.load(SeqCst) && n % 2 == 1;
        if fail {
            self.failures.fetch_add(1, SeqCst);
        }
        fail
    }
}

impl StorageEngine for Flaky {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        if self.failing_now() {
            return Err(StorageError::Other("flaky disk".into()));
        }
        self.inner.set(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), StorageError> {
        if self.failing_now() {
            return Err(StorageError::Other("flaky disk".into()));
        }
        self.inner.remove(key)
    }
    fn list(&self, prefix: &str) -> Result<Option<Vec<(String, String)>>, StorageError> {
        self.inner.list(prefix)
    }
}

#[test]
fn atom_on_an_engine_failing_half_the_time_reports_each_failure_once_and_loses_nothing() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let engine = Arc::new(Flaky::default());
    engine.flaky.store(true, SeqCst);
    let store = PersistentAtom::new("count", 0u32).with_engine(engine.clone());
    let (log, hook) = collector();
    let _hook = store.on_error(hook);
    let mut failed_saves = 0;
    for i in 1..=100 {
        let before = engine.failures.load(SeqCst);
        store.set(i);
        failed_saves += engine.failures.load(SeqCst) - before;
        assert_eq!(store.get(), i, "the value in memory");
        // The retry timer, backing off, tries the unsaved value again.
        clock.advance(700);
    }
    // Every failed save of a change reached the hook once; retries failing
    // the same way did not report again.
    assert!(failed_saves >= 30, "{failed_saves} failed saves");
    let errors = taken(&log);
    assert_eq!(errors.len() as u64, failed_saves);
    assert!(errors.iter().all(|e| e.operation() == Operation::Save));

    // Storage comes back: the retry timer (a minute at most) saves the
    // value, though the store stays mounted and nothing changes.
    engine.flaky.store(false, SeqCst);
    let _sub = store.listen(|_, _| {});
    clock.advance(60_000);
    assert_eq!(engine.inner.get_raw("count").as_deref(), Some("100"));
    assert!(taken(&log).is_empty());
}

#[test]
fn map_on_an_engine_failing_half_the_time_keeps_every_key_and_saves_it_later() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let engine = Arc::new(Flaky::default());
    engine.flaky.store(true, SeqCst);
    let map = PersistentMap::<String, u32>::new("m:", MapValue::new()).with_engine(engine.clone());
    let (log, hook) = collector();
    let _hook = map.on_error(hook);
    let _sub = map.listen(|_, _, _| {});
    for i in 0..20u32 {
        map.set_key(format!("k{}", i % 5), i);
    }
    map.delete_key(&"k4".to_string());
    let in_memory: Vec<(String, u32)> = {
        let value = map.get();
        let mut pairs: Vec<_> = value.iter().map(|(k, v)| (k.clone(), *v)).collect();
        pairs.sort();
        pairs
    };
    assert_eq!(
        in_memory,
        [15, 16, 17, 18].map(|i| (format!("k{}", i % 5), i)),
        "the value in memory"
    );
    assert!(!taken(&log).is_empty(), "failures were reported");

    engine.flaky.store(false, SeqCst);
    clock.advance(60_000); // the retry timer
    let expected: Vec<(String, String)> = (15..19u32)
        .map(|i| (format!("m:k{}", i % 5), i.to_string()))
        .collect();
    assert_eq!(engine.inner.entries(), expected);
    assert!(taken(&log).is_empty());
}

#[test]
fn file_engine_whose_directory_vanishes_keeps_the_value_and_saves_it_when_back() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let dir = std::env::temp_dir().join(format!("nanostate-vanish-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let engine = Arc::new(FileEngine::new(&dir).unwrap());
    let store = PersistentAtom::new("draft", String::new()).with_engine(engine.clone());
    let (log, hook) = collector();
    let _hook = store.on_error(hook);
    store.set("first".into());
    std::fs::remove_dir_all(&dir).unwrap();

    store.set("written while the directory is gone".into());
    assert_eq!(store.get(), "written while the directory is gone");
    let errors = taken(&log);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].operation(), Operation::Save);
    assert!(
        matches!(
            errors[0].kind(),
            PersistErrorKind::Storage(StorageError::Io { .. })
        ),
        "{errors:?}"
    );

    // Retries fail the same way: not reported again.
    clock.advance(3_000);
    assert!(taken(&log).is_empty());

    // The directory comes back (empty): the retry saves the value, and a
    // load does not take the missing entry as "reset to default".
    std::fs::create_dir_all(&dir).unwrap();
    clock.advance(4_000);
    assert_eq!(store.get(), "written while the directory is gone");
    assert_eq!(
        std::fs::read_to_string(dir.join("draft.value")).unwrap(),
        "\"written while the directory is gone\""
    );
    assert!(taken(&log).is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
