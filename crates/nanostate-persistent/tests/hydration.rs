//! Deferred stores (`.deferred()` + `restore()`), for hydration: no storage
//! access before `restore`, the rule for writes made before it, and normal
//! life (saving, syncing while mounted) after it. Native engines; the
//! browser run is in `browser.rs`.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use nanostate::runtime::ManualClock;
use nanostate::{MapValue, Store};
use nanostate_persistent::*;

mod common;
use common::{collector, taken, NoList};

/// `(operation, key, is a decode error)` of each error.
fn summary(errors: &[PersistError]) -> Vec<(Operation, String, bool)> {
    errors
        .iter()
        .map(|e| {
            let decode = matches!(e.kind(), PersistErrorKind::Decode(_));
            (e.operation(), e.key().to_string(), decode)
        })
        .collect()
}

/// A memory engine that counts every call a store makes to it (reads,
/// lists and subscriptions included, which `MemoryEngine` does not count).
#[derive(Default)]
struct Counting {
    memory: MemoryEngine,
    calls: AtomicU32,
}

impl Counting {
    fn calls(&self) -> u32 {
        self.calls.load(SeqCst)
    }
    fn count(&self) {
        self.calls.fetch_add(1, SeqCst);
    }
}

impl StorageEngine for Counting {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.count();
        self.memory.get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.count();
        self.memory.set(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.count();
        self.memory.remove(key)
    }
    fn list(&self, prefix: &str) -> Result<Option<Vec<(String, String)>>, StorageError> {
        self.count();
        self.memory.list(prefix)
    }
    fn subscribe(&self, listener: ChangeListener) -> Result<Watch, StorageError> {
        self.count();
        self.memory.subscribe(listener)
    }
}

fn ab() -> MapValue<String, u32> {
    [("a".to_string(), 1), ("b".to_string(), 2)].into()
}

/// A deferred `u32` atom at `key` over a fresh memory engine.
fn deferred_atom(key: &'static str, default: u32) -> (Arc<MemoryEngine>, PersistentAtom<u32>) {
    let engine = Arc::new(MemoryEngine::new());
    let atom = PersistentAtom::new(key, default)
        .with_engine(engine.clone())
        .deferred();
    (engine, atom)
}

/// A deferred map at prefix `m:` holding [`ab`] over a fresh memory engine.
fn deferred_map() -> (Arc<MemoryEngine>, PersistentMap<String, u32>) {
    let engine = Arc::new(MemoryEngine::new());
    let map = PersistentMap::new("m:", ab())
        .with_engine(engine.clone())
        .deferred();
    (engine, map)
}

fn entries(m: &PersistentMap<String, u32>) -> Vec<(String, u32)> {
    let mut all: Vec<(String, u32)> = m.get().iter().map(|(k, v)| (k.clone(), *v)).collect();
    all.sort();
    all
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// ----- atoms -----------------------------------------------------------------

#[test]
fn deferred_atom_holds_its_default_and_touches_no_storage_until_restore() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let engine = Arc::new(Counting::default());
    engine.memory.insert("theme", "\"dark\"");
    let theme = PersistentAtom::new("theme", "light".to_string())
        .with_engine(engine.clone())
        .deferred();

    // The hydrating render: reads, subscribes (mounts), reads again.
    assert_eq!(theme.get(), "light");
    assert!(!theme.is_restored());
    let heard = Arc::new(Mutex::new(Vec::new()));
    let h = heard.clone();
    let _sub = theme.listen(move |new, old| h.lock().unwrap().push((new.clone(), old.clone())));
    assert_eq!(theme.get(), "light");
    assert_eq!(engine.calls(), 0, "no read, write, list or subscription");
    assert_eq!(engine.memory.watcher_count(), 0);
    assert_eq!(engine.memory.entries(), pairs(&[("theme", "\"dark\"")]));
    assert_eq!(engine.memory.write_count(), 0);
    assert!(heard.lock().unwrap().is_empty());

    theme.restore();
    assert!(theme.is_restored());
    assert_eq!(theme.get(), "dark");
    assert_eq!(
        *heard.lock().unwrap(),
        [("dark".to_string(), "light".to_string())],
        "one notification"
    );
    // Mounted while restored: it subscribed; nothing was written.
    assert_eq!(engine.memory.watcher_count(), 1);
    assert_eq!(engine.memory.write_count(), 0);
    assert_eq!(engine.memory.entries(), pairs(&[("theme", "\"dark\"")]));
}

#[test]
fn restored_atom_saves_its_changes() {
    let (engine, n) = deferred_atom("n", 0);
    n.restore();
    assert_eq!(n.get(), 0);
    assert_eq!(engine.write_count(), 0);
    n.set(4);
    assert_eq!(engine.get_raw("n").as_deref(), Some("4"));
    n.update(|n| n + 1);
    assert_eq!(engine.get_raw("n").as_deref(), Some("5"));
    assert_eq!(engine.write_count(), 2);
}

#[test]
fn atom_write_before_restore_loses_to_a_stored_value() {
    let (engine, v) = deferred_atom("v", 3);
    engine.insert("v", "7");
    let heard = Arc::new(Mutex::new(Vec::new()));
    let h = heard.clone();
    let _sub = v.listen(move |new, old| h.lock().unwrap().push((*new, *old)));
    v.set(5);
    assert_eq!(v.get(), 5, "applied in memory");
    assert_eq!(engine.write_count(), 0, "not saved before restore");
    v.restore();
    assert_eq!(v.get(), 7);
    assert_eq!(*heard.lock().unwrap(), [(5, 3), (7, 5)]);
    assert_eq!(engine.get_raw("v").as_deref(), Some("7"));
    assert_eq!(engine.write_count(), 0);
}

#[test]
fn atom_write_before_restore_is_kept_and_saved_where_nothing_is_stored() {
    let (engine, v) = deferred_atom("v", 3);
    let heard = Arc::new(Mutex::new(Vec::new()));
    let h = heard.clone();
    let _sub = v.listen(move |new, old| h.lock().unwrap().push((*new, *old)));
    v.set(5);
    assert!(engine.is_empty());
    v.restore();
    assert_eq!(v.get(), 5);
    assert_eq!(*heard.lock().unwrap(), [(5, 3)], "restore changed nothing");
    assert_eq!(engine.entries(), pairs(&[("v", "5")]));
    assert_eq!(engine.write_count(), 1);
}

#[test]
fn atom_back_at_its_default_before_restore_writes_nothing() {
    let (engine, v) = deferred_atom("v", 3);
    v.set(5);
    v.set(3);
    v.restore();
    assert_eq!(v.get(), 3);
    assert!(engine.is_empty());
    assert_eq!(engine.write_count(), 0);
}

#[test]
fn atom_restore_over_corrupt_text_reports_it_and_keeps_memory() {
    // Without a write before restore: the default, the entry untouched.
    let (engine, v) = deferred_atom("v", 3);
    engine.insert("v", "{corrupt");
    let (log, hook) = collector();
    let _hook = v.on_error(hook);
    assert_eq!(v.get(), 3);
    assert!(taken(&log).is_empty(), "nothing read before restore");
    v.restore();
    assert_eq!(v.get(), 3);
    assert_eq!(
        summary(&taken(&log)),
        [(Operation::Load, "v".to_string(), true)]
    );
    assert_eq!(engine.get_raw("v").as_deref(), Some("{corrupt"));
    assert_eq!(engine.write_count(), 0);

    // With a write before restore: kept, and saved over the corrupt text.
    let (engine, w) = deferred_atom("w", 3);
    engine.insert("w", "{corrupt");
    let (log, hook) = collector();
    let _hook = w.on_error(hook);
    w.set(9);
    w.restore();
    assert_eq!(w.get(), 9);
    assert_eq!(
        summary(&taken(&log)),
        [(Operation::Load, "w".to_string(), true)]
    );
    assert_eq!(engine.get_raw("w").as_deref(), Some("9"));
    assert_eq!(engine.write_count(), 1);
}

#[test]
fn atom_restore_with_storage_missing_reports_it_and_writes_nothing() {
    let engine = Arc::new(MemoryEngine::new());
    engine.insert("v", "7");
    engine.set_available(false);
    let v = PersistentAtom::new("v", 3u32)
        .with_engine(engine.clone())
        .deferred();
    let (log, hook) = collector();
    let _hook = v.on_error(hook);
    v.set(5);
    v.restore();
    let errors = taken(&log);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].operation(), Operation::Load);
    assert!(matches!(
        errors[0].kind(),
        PersistErrorKind::Storage(StorageError::Unavailable(_))
    ));
    // `get` mounts the store for a moment: it cannot subscribe either, and
    // the load error, repeated, is not reported again.
    assert_eq!(v.get(), 5);
    assert_eq!(v.get(), 5);
    let errors = taken(&log);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].operation(), Operation::Watch);
    assert_eq!(engine.get_raw("v").as_deref(), Some("7"));
    assert_eq!(engine.write_count(), 0);
    // Restored all the same: later changes are saved.
    engine.set_available(true);
    v.set(6);
    assert_eq!(engine.get_raw("v").as_deref(), Some("6"));
    assert!(taken(&log).is_empty());
}

#[test]
fn restore_twice_and_restore_of_a_normal_store_do_nothing() {
    let engine = Arc::new(Counting::default());
    engine.memory.insert("v", "7");
    let v = PersistentAtom::new("v", 3u32)
        .with_engine(engine.clone())
        .deferred();
    let (log, hook) = collector();
    let _hook = v.on_error(hook);
    let calls = Arc::new(AtomicU32::new(0));
    let c = calls.clone();
    let _sub = v.listen(move |_, _| {
        c.fetch_add(1, SeqCst);
    });
    v.restore();
    assert_eq!(v.get(), 7);
    let after_first = engine.calls();
    // Mounted and restored: an external change is followed…
    engine.memory.external_set("v", "8");
    assert_eq!(v.get(), 8);
    // …and a second restore reads nothing, changes nothing.
    engine.memory.insert("v", "100"); // quietly, no event
    v.restore();
    v.clone().restore();
    assert_eq!(v.get(), 8);
    assert_eq!(engine.calls(), after_first);
    assert_eq!(calls.load(SeqCst), 2);
    assert_eq!(engine.memory.write_count(), 0);
    assert!(taken(&log).is_empty());

    // A store that was never deferred: `restore` only binds it.
    let engine = Arc::new(MemoryEngine::new());
    engine.insert("w", "7");
    let w = PersistentAtom::new("w", 3u32).with_engine(engine.clone());
    assert!(w.is_restored());
    w.restore();
    assert_eq!(w.get(), 7);
    assert_eq!(engine.write_count(), 0);
}

#[test]
fn deferred_atom_mounted_before_restore_syncs_from_restore_to_unmount() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let (engine, a) = deferred_atom("tab", 0);
    engine.insert("tab", "1");
    let heard = Arc::new(Mutex::new(Vec::new()));
    let h = heard.clone();
    let sub = a.listen(move |new, old| h.lock().unwrap().push((*new, *old)));
    // Before restore another tab's change is not followed (not subscribed).
    engine.external_set("tab", "2");
    assert_eq!(engine.watcher_count(), 0);
    assert_eq!(a.get(), 0);

    a.restore();
    assert_eq!(engine.watcher_count(), 1);
    assert_eq!(a.get(), 2, "the entry as it is at restore");
    engine.external_set("tab", "3");
    assert_eq!(a.get(), 3);
    engine.external_remove("tab");
    assert_eq!(a.get(), 0, "removed: the default");
    assert_eq!(*heard.lock().unwrap(), [(2, 0), (3, 2), (0, 3)]);
    assert_eq!(
        engine.write_count(),
        0,
        "external values are not written back"
    );

    a.set(4);
    assert_eq!(engine.get_raw("tab").as_deref(), Some("4"));
    drop(sub);
    clock.advance(1000);
    assert_eq!(engine.watcher_count(), 0, "unsubscribed at unmount");
    engine.external_set("tab", "5");
    assert_eq!(a.peek().as_deref(), Some(&4), "not mounted: not followed");
    let _sub = a.listen(|_, _| {});
    assert_eq!(engine.watcher_count(), 1);
    assert_eq!(a.get(), 5, "read again on mount");
    assert_eq!(engine.write_count(), 1);
}

#[test]
fn deferred_atom_restored_before_mounting_syncs_once_mounted() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let (engine, a) = deferred_atom("tab", 0);
    a.restore();
    assert_eq!(engine.watcher_count(), 0);
    engine.external_set("tab", "6");
    let _sub = a.listen(|_, _| {});
    assert_eq!(engine.watcher_count(), 1);
    assert_eq!(a.get(), 6);
    engine.external_set("tab", "7");
    assert_eq!(a.get(), 7);
    assert_eq!(engine.write_count(), 0);
}

static STATIC_ENGINE: MemoryEngine = MemoryEngine::new();
static STATIC_LATER: PersistentAtom<u32> = persistent_atom("later", || 1)
    .engine(&STATIC_ENGINE)
    .deferred();

#[test]
fn static_deferred_atom_and_its_clones_share_one_restore() {
    STATIC_ENGINE.insert("later", "2");
    let handle = STATIC_LATER.clone();
    assert!(!handle.is_restored());
    assert_eq!(handle.get(), 1);
    handle.restore();
    assert!(STATIC_LATER.is_restored());
    assert_eq!(STATIC_LATER.get(), 2);
}

// ----- maps ------------------------------------------------------------------

#[test]
fn deferred_map_holds_its_default_and_touches_no_storage_until_restore() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let engine = Arc::new(Counting::default());
    engine.memory.insert("m:a", "10");
    engine.memory.insert("m:z", "26");
    let m = PersistentMap::new("m:", ab())
        .with_engine(engine.clone())
        .deferred();
    let heard = Arc::new(AtomicU32::new(0));
    let h = heard.clone();
    let _sub = m.listen(move |_, _, _| {
        h.fetch_add(1, SeqCst);
    });
    assert_eq!(entries(&m), [("a".into(), 1), ("b".into(), 2)]);
    assert_eq!(engine.calls(), 0);
    assert_eq!(engine.memory.watcher_count(), 0);

    m.restore();
    assert_eq!(
        entries(&m),
        [("a".into(), 10), ("b".into(), 2), ("z".into(), 26)]
    );
    assert_eq!(heard.load(SeqCst), 1, "one notification for all keys");
    assert_eq!(engine.memory.watcher_count(), 1);
    assert_eq!(engine.memory.write_count(), 0);
    assert_eq!(
        engine.memory.entries(),
        pairs(&[("m:a", "10"), ("m:z", "26")])
    );
}

#[test]
fn map_writes_before_restore_follow_the_rule_key_by_key() {
    let engine = Arc::new(MemoryEngine::new());
    engine.insert("m:a", "10"); // stored and written before: storage wins
    engine.insert("m:z", "26"); // stored and deleted before: storage wins
    engine.insert("m:bad", "{"); // corrupt, written before: saved over it
    engine.insert("m:worse", "{"); // corrupt, not written: untouched
    let m = PersistentMap::new("m:", ab())
        .with_engine(engine.clone())
        .deferred();
    let (log, hook) = collector();
    let _hook = m.on_error(hook);
    let keys = Arc::new(Mutex::new(Vec::new()));
    let k = keys.clone();
    let _sub = m.listen(move |_, _, key| k.lock().unwrap().push(key.cloned()));
    m.set_key("a".into(), 100);
    m.set_key("c".into(), 3); // not stored: kept, saved
    m.delete_key(&"b".to_string()); // not stored: stays deleted
    m.delete_key(&"z".to_string()); // not in memory anyway
    m.set_key("bad".into(), 5);
    assert_eq!(engine.write_count(), 0);
    let before_restore = keys.lock().unwrap().len();

    m.restore();
    assert_eq!(
        entries(&m),
        [
            ("a".into(), 10),
            ("bad".into(), 5),
            ("c".into(), 3),
            ("z".into(), 26)
        ]
    );
    assert_eq!(
        keys.lock().unwrap()[before_restore..],
        [None],
        "one notification, for the whole map"
    );
    assert_eq!(
        summary(&taken(&log)),
        [
            (Operation::Load, "m:bad".to_string(), true),
            (Operation::Load, "m:worse".to_string(), true)
        ]
    );
    assert_eq!(
        engine.entries(),
        pairs(&[
            ("m:a", "10"),
            ("m:bad", "5"),
            ("m:c", "3"),
            ("m:worse", "{"),
            ("m:z", "26")
        ])
    );
    // Written: c and bad; removed: b (a default key deleted before restore).
    assert_eq!(engine.write_count(), 3);

    // The deleted default key stays deleted while this store lives; a new
    // store over the same storage brings it back with its default (as for
    // any deleted default key).
    let again = PersistentMap::new("m:", ab()).with_engine(engine.clone());
    let _quiet = again.on_error(|_| {});
    assert_eq!(again.get_key("b"), Some(2));
}

#[test]
fn map_restore_with_storage_missing_reports_it_and_saves_memory_with_the_next_change() {
    let engine = Arc::new(MemoryEngine::new());
    engine.insert("m:a", "10");
    engine.set_available(false);
    let m = PersistentMap::new("m:", ab())
        .with_engine(engine.clone())
        .deferred();
    let (log, hook) = collector();
    let _hook = m.on_error(hook);
    m.set_key("c".into(), 3);
    m.restore();
    let errors = taken(&log);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].operation(), errors[0].key()),
        (Operation::Load, "m:")
    );
    assert_eq!(
        entries(&m),
        [("a".into(), 1), ("b".into(), 2), ("c".into(), 3)]
    );
    assert_eq!(
        summary(&taken(&log)),
        [(Operation::Watch, "m:".to_string(), false)]
    );
    assert_eq!(engine.write_count(), 0);
    engine.set_available(true);
    // The next change saves what differs from the last value saved or
    // loaded (the default): the key written before restore too.
    m.set_key("d".into(), 4);
    assert_eq!(
        engine.entries(),
        pairs(&[("m:a", "10"), ("m:c", "3"), ("m:d", "4")])
    );
    assert_eq!(engine.write_count(), 2);
}

#[test]
fn map_restore_on_an_engine_without_listing_probes_keys_written_before() {
    let engine = Arc::new(NoList(MemoryEngine::new()));
    engine.0.insert("m:a", "10");
    engine.0.insert("m:c", "30");
    engine.0.insert("m:unknown", "5");
    let m = PersistentMap::new("m:", ab())
        .with_engine(engine.clone())
        .deferred();
    m.set_key("c".into(), 3);
    m.restore();
    assert_eq!(
        entries(&m),
        [("a".into(), 10), ("b".into(), 2), ("c".into(), 30)]
    );
    assert_eq!(engine.0.write_count(), 0);
}

#[test]
fn deferred_map_mounted_before_restore_syncs_after_it_without_echo() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let (engine, m) = deferred_map();
    let sub = m.listen(|_, _, _| {});
    engine.external_set("m:a", "10");
    assert_eq!(m.get_key("a"), Some(1), "not followed before restore");
    assert_eq!(engine.watcher_count(), 0);

    m.restore();
    assert_eq!(m.get_key("a"), Some(10));
    assert_eq!(engine.watcher_count(), 1);
    engine.external_set("m:b", "20");
    assert_eq!(m.get_key("b"), Some(20));
    engine.external_remove("m:a");
    assert_eq!(m.get_key("a"), Some(1));
    assert_eq!(engine.write_count(), 0);
    m.set_key("c".into(), 3);
    assert_eq!(engine.get_raw("m:c").as_deref(), Some("3"));
    assert_eq!(engine.write_count(), 1);

    drop(sub);
    clock.advance(1000);
    assert_eq!(engine.watcher_count(), 0);
    m.restore(); // restored already: does not subscribe again
    assert_eq!(engine.watcher_count(), 0);
}

#[test]
fn restore_from_another_thread_while_mounted_subscribes_once() {
    let (engine, a) = deferred_atom("t", 0);
    engine.insert("t", "1");
    let _sub = a.listen(|_, _| {});
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let a = a.clone();
            std::thread::spawn(move || a.restore())
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(a.get(), 1);
    assert_eq!(engine.watcher_count(), 1);
    engine.external_set("t", "2");
    assert_eq!(a.get(), 2);
    assert_eq!(engine.write_count(), 0);
}
