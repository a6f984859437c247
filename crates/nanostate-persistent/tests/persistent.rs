//! Persistent stores over the memory and file engines: loading, saving,
//! syncing while mounted, no echo, and every bad-data case of the issue.
//! Native only (files, threads); the browser engines are tested in
//! `browser.rs`.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use nanostate::runtime::ManualClock;
use nanostate::{batch, computed, Computed, MapValue, Store};
use nanostate_persistent::*;

mod common;
use common::{collector, taken, NoList};

fn memory() -> Arc<MemoryEngine> {
    Arc::new(MemoryEngine::new())
}

/// A fresh directory under the system temp dir, unique per test and run.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "nanostate-persistent-test-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

// ----- atoms: load and save ------------------------------------------------

#[test]
fn atom_starts_from_default_and_writes_nothing_on_load() {
    let engine = memory();
    let a = PersistentAtom::new("a", vec![1u32]).with_engine(engine.clone());
    assert_eq!(a.get(), [1]);
    let _sub = a.listen(|_, _| {});
    assert_eq!(engine.write_count(), 0);
    assert!(engine.is_empty());
}

#[test]
fn atom_reads_the_stored_value_on_first_use() {
    let engine = memory();
    engine.insert("a", "[4,5]");
    let a = PersistentAtom::new("a", Vec::<u32>::new()).with_engine(engine.clone());
    assert_eq!(a.get(), [4, 5]);
}

#[test]
fn every_atom_write_path_saves_and_equal_writes_do_not() {
    let engine = memory();
    let a = PersistentAtom::new("n", 0u32).with_engine(engine.clone());
    a.set(1);
    assert_eq!(engine.get_raw("n").as_deref(), Some("1"));
    a.update(|n| n + 10);
    assert_eq!(engine.get_raw("n").as_deref(), Some("11"));
    assert_eq!(engine.write_count(), 2);
    a.set(11); // equal: no change, no write
    assert_eq!(engine.write_count(), 2);
    batch(|| {
        a.set(20);
        a.set(21);
    });
    assert_eq!(engine.get_raw("n").as_deref(), Some("21"));
    assert_eq!(engine.write_count(), 4);
}

static STATIC_ENGINE: MemoryEngine = MemoryEngine::new();
static STATIC_ATOM: PersistentAtom<u32> = persistent_atom("static", || 7).engine(&STATIC_ENGINE);
static STATIC_DOUBLE: Computed<u32> = computed(&STATIC_ATOM, |n| n * 2);

#[test]
fn static_atom_binds_on_first_use_and_feeds_a_static_computed() {
    // Written before the store's first use: the load sees it.
    STATIC_ENGINE.insert("static", "21");
    let calls = Arc::new(AtomicU32::new(0));
    let c = calls.clone();
    let _sub = STATIC_DOUBLE.listen(move |v, _| {
        assert_eq!(*v, 10);
        c.fetch_add(1, SeqCst);
    });
    assert_eq!(STATIC_DOUBLE.get(), 42);
    STATIC_ATOM.set(5);
    assert_eq!(calls.load(SeqCst), 1);
    assert_eq!(STATIC_ENGINE.get_raw("static").as_deref(), Some("5"));
    assert_eq!(STATIC_ATOM.listener_count(), 1); // the computed's
}

#[test]
fn persistent_atom_is_a_store_for_generic_code_and_clones_share_it() {
    fn value_of<S: Store>(s: &S) -> Arc<S::Value> {
        s.peek().unwrap()
    }
    let engine = memory();
    let a = PersistentAtom::new("shared", 1u8).with_engine(engine.clone());
    let b = a.clone();
    b.set(2);
    assert_eq!(*value_of(&a), 2);
    assert!(a.ptr_eq(&b));
    assert_eq!(engine.get_raw("shared").as_deref(), Some("2"));
}

/// A plain-string codec for a list of numbers: `1,2,3`.
struct Csv;

impl Codec<Vec<u32>> for Csv {
    fn encode(&self, value: &Vec<u32>) -> Result<String, CodecError> {
        Ok(value
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(","))
    }
    fn decode(&self, raw: &str) -> Result<Vec<u32>, CodecError> {
        if raw.is_empty() {
            return Ok(Vec::new());
        }
        raw.split(',')
            .map(|n| {
                n.parse()
                    .map_err(|_| CodecError::new(format!("{n:?} is not a number")))
            })
            .collect()
    }
}

#[test]
fn custom_codec_encodes_and_decodes_and_its_errors_are_reported() {
    let engine = memory();
    engine.insert("csv", "3,4");
    let a = PersistentAtom::with_codec("csv", vec![], &Csv).with_engine(engine.clone());
    assert_eq!(a.get(), [3, 4]);
    a.set(vec![1, 2, 3]);
    assert_eq!(engine.get_raw("csv").as_deref(), Some("1,2,3"));

    engine.insert("csv-bad", "1,x");
    let bad = PersistentAtom::with_codec("csv-bad", vec![9], &Csv).with_engine(engine.clone());
    let (log, hook) = collector();
    let _hook = bad.on_error(hook);
    assert_eq!(bad.get(), [9]);
    let errors = taken(&log);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].kind(),
        &PersistErrorKind::Decode(CodecError::new("\"x\" is not a number"))
    );

    let raw = PersistentAtom::with_codec("raw", String::new(), &Raw).with_engine(engine.clone());
    raw.set("plain text".into());
    assert_eq!(engine.get_raw("raw").as_deref(), Some("plain text"));
}

// ----- atoms: bad data (issue item 4) -------------------------------------

#[test]
fn corrupt_json_keeps_the_default_is_reported_once_and_is_not_overwritten_on_load() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let engine = memory();
    engine.insert("cfg", "{\"unterminated");
    engine.insert("other", "\"keep me\"");
    let a = PersistentAtom::new("cfg", 3u32).with_engine(engine.clone());
    let (log, hook) = collector();
    let _hook = a.on_error(hook);
    assert_eq!(a.get(), 3);
    let sub = a.listen(|_, _| {}); // mounting reads again: same text, no new report
    drop(sub);
    clock.advance(1000);
    let errors = taken(&log);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].key(), "cfg");
    assert_eq!(errors[0].operation(), Operation::Load);
    assert!(matches!(errors[0].kind(), PersistErrorKind::Decode(_)));
    assert_eq!(engine.get_raw("cfg").as_deref(), Some("{\"unterminated"));
    assert_eq!(engine.get_raw("other").as_deref(), Some("\"keep me\""));
    assert_eq!(engine.write_count(), 0);
    // Only an explicit write replaces it.
    a.set(4);
    assert_eq!(engine.get_raw("cfg").as_deref(), Some("4"));
}

#[test]
fn value_of_the_wrong_shape_keeps_the_default_and_stays_stored() {
    let engine = memory();
    engine.insert("list", "{\"not\":\"a list\"}");
    let a = PersistentAtom::new("list", vec![1u8]).with_engine(engine.clone());
    let (log, hook) = collector();
    let _hook = a.on_error(hook);
    assert_eq!(a.get(), [1]);
    let errors = taken(&log);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].key(), "list");
    let PersistErrorKind::Decode(e) = errors[0].kind() else {
        panic!("{errors:?}")
    };
    assert!(e.message().contains("expected a sequence"), "{e}");
    assert_eq!(
        engine.get_raw("list").as_deref(),
        Some("{\"not\":\"a list\"}")
    );
}

#[test]
fn missing_storage_leaves_the_store_working_in_memory_and_reports_each_failure() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let engine = memory();
    engine.insert("other", "1");
    engine.set_available(false);
    let a = PersistentAtom::new("ssr", 5u32).with_engine(engine.clone());
    let (log, hook) = collector();
    let _hook = a.on_error(hook);
    assert_eq!(a.get(), 5);
    a.set(6);
    assert_eq!(a.get(), 6);
    let seen = Arc::new(AtomicU32::new(0));
    let s = seen.clone();
    let sub = a.listen(move |v, _| s.store(*v, SeqCst));
    a.set(7);
    assert_eq!(seen.load(SeqCst), 7);
    drop(sub);
    clock.advance(1000);
    let errors: Vec<(Operation, bool)> = taken(&log)
        .iter()
        .map(|e| {
            (
                e.operation(),
                matches!(
                    e.kind(),
                    PersistErrorKind::Storage(StorageError::Unavailable(_))
                ),
            )
        })
        .collect();
    // The first use loads and mounts for a moment (`get`): one load and one
    // watch error; repeats on the next mount are not re-reported; each lost
    // save is.
    assert_eq!(
        errors,
        [
            (Operation::Load, true),
            (Operation::Watch, true),
            (Operation::Save, true),
            (Operation::Save, true)
        ]
    );
    engine.set_available(true);
    assert_eq!(engine.entries(), [("other".into(), "1".into())]);
}

#[test]
fn quota_exceeded_keeps_the_new_value_in_memory_and_the_old_one_stored() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let engine = Arc::new(MemoryEngine::with_quota(24));
    engine.insert("neighbour", "x");
    let a = PersistentAtom::new("note", String::new()).with_engine(engine.clone());
    let (log, hook) = collector();
    let _hook = a.on_error(hook);
    a.set("short".into());
    assert_eq!(engine.get_raw("note").as_deref(), Some("\"short\""));
    a.set("far too long for the quota".into());
    assert_eq!(a.get(), "far too long for the quota");
    assert_eq!(engine.get_raw("note").as_deref(), Some("\"short\""));
    assert_eq!(engine.get_raw("neighbour").as_deref(), Some("x"));
    let errors = taken(&log);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].is_quota_exceeded());
    assert_eq!(
        (errors[0].key(), errors[0].operation()),
        ("note", Operation::Save)
    );
    // Mounting re-reads the entry, finds the text it last saw, and keeps the
    // newer in-memory value.
    let sub = a.listen(|_, _| {});
    assert_eq!(a.get(), "far too long for the quota");
    drop(sub);
    clock.advance(1000);
    assert!(taken(&log).is_empty());
}

#[test]
fn store_and_process_wide_hooks_both_receive_errors() {
    let engine = memory();
    engine.insert("global-hook", "nope");
    let (global, hook) = collector();
    let _global = on_error(move |e| {
        if e.key() == "global-hook" {
            hook(e)
        }
    });
    let a = PersistentAtom::new("global-hook", 1u8).with_engine(engine.clone());
    let order = Arc::new(Mutex::new(Vec::new()));
    let o = order.clone();
    let _mine = a.on_error(move |_| o.lock().unwrap().push("store"));
    assert_eq!(a.get(), 1);
    assert_eq!(*order.lock().unwrap(), ["store"]);
    let errors = taken(&global);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "load \"global-hook\": cannot decode the stored value: expected ident at line 1 column 2"
    );
}

// ----- atoms: external changes (sync) -------------------------------------

#[test]
fn external_changes_apply_only_while_mounted_and_are_never_written_back() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let engine = memory();
    let a = PersistentAtom::new("tab", 0u32).with_engine(engine.clone());
    assert_eq!(a.peek().as_deref(), Some(&0));
    assert_eq!(engine.watcher_count(), 0);

    let heard = Arc::new(Mutex::new(Vec::new()));
    let h = heard.clone();
    let sub = a.listen(move |v, old| h.lock().unwrap().push((*v, *old)));
    assert_eq!(engine.watcher_count(), 1);
    engine.external_set("tab", "5");
    assert_eq!(a.get(), 5);
    assert_eq!(*heard.lock().unwrap(), [(5, 0)]);
    assert_eq!(
        engine.write_count(),
        0,
        "an external value is not written back"
    );
    engine.external_set("unrelated", "9");
    assert_eq!(heard.lock().unwrap().len(), 1);

    drop(sub);
    clock.advance(999);
    assert_eq!(engine.watcher_count(), 1); // still within the unmount delay
    clock.advance(1);
    assert_eq!(engine.watcher_count(), 0);
    engine.external_set("tab", "6");
    assert_eq!(a.peek().as_deref(), Some(&5), "not mounted: not followed");

    // Mounting again reads the entry: the change made meanwhile arrives.
    let _sub = a.listen(|_, _| {});
    assert_eq!(a.get(), 6);
    assert_eq!(engine.write_count(), 0);
    // A local write after that is saved as usual.
    a.set(7);
    assert_eq!(engine.get_raw("tab").as_deref(), Some("7"));
    assert_eq!(engine.write_count(), 1);
}

#[test]
fn external_removal_and_clear_reset_the_atom_to_its_default() {
    let engine = memory();
    engine.insert("r", "\"stored\"");
    let a = PersistentAtom::new("r", "default".to_string()).with_engine(engine.clone());
    let _sub = a.listen(|_, _| {});
    assert_eq!(a.get(), "stored");
    engine.external_remove("r");
    assert_eq!(a.get(), "default");
    engine.external_set("r", "\"again\"");
    assert_eq!(a.get(), "again");
    engine.external_clear();
    assert_eq!(a.get(), "default");
    assert_eq!(engine.write_count(), 0);
}

#[test]
fn undecodable_external_change_is_reported_and_ignored() {
    let engine = memory();
    let a = PersistentAtom::new("x", 1u32).with_engine(engine.clone());
    let (log, hook) = collector();
    let _hook = a.on_error(hook);
    let _sub = a.listen(|_, _| panic!("no change expected"));
    engine.external_set("x", "[oops");
    assert_eq!(a.get(), 1);
    let errors = taken(&log);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].operation(), Operation::ExternalChange);
    assert!(matches!(errors[0].kind(), PersistErrorKind::Decode(_)));
    assert_eq!(engine.get_raw("x").as_deref(), Some("[oops"));
    assert_eq!(engine.write_count(), 0);
}

#[test]
fn a_listener_writing_back_during_an_external_change_is_saved_once() {
    let engine = memory();
    let a = PersistentAtom::new("clamp", 0u32).with_engine(engine.clone());
    let b = a.clone();
    // A listener that clamps values: its own write is a real change.
    let _sub = a.listen(move |v, _| {
        if *v > 10 {
            b.set(10);
        }
    });
    engine.external_set("clamp", "50");
    assert_eq!(a.get(), 10);
    assert_eq!(engine.get_raw("clamp").as_deref(), Some("10"));
    assert_eq!(engine.write_count(), 1);
}

// ----- maps ------------------------------------------------------------------

fn ab() -> MapValue<String, u32> {
    [("a".to_string(), 1), ("b".to_string(), 2)].into()
}

#[test]
fn map_loads_stored_entries_over_its_default() {
    let engine = memory();
    engine.insert("m:b", "5");
    engine.insert("m:c", "7");
    engine.insert("other:a", "9");
    let m = PersistentMap::new("m:", ab()).with_engine(engine.clone());
    let entries: Vec<(String, u32)> = m.get().iter().map(|(k, v)| (k.clone(), *v)).collect();
    assert_eq!(entries, [("a".into(), 1), ("b".into(), 5), ("c".into(), 7)]);
    assert_eq!(engine.write_count(), 0);
}

#[test]
fn every_map_write_path_writes_exactly_the_changed_entries() {
    let engine = memory();
    let m = PersistentMap::new("m:", ab()).with_engine(engine.clone());
    m.set_key("a".into(), 10);
    assert_eq!(engine.entries(), [("m:a".into(), "10".into())]);
    m.update_key("c".into(), |v| Some(v.copied().unwrap_or(0) + 3));
    assert_eq!(engine.get_raw("m:c").as_deref(), Some("3"));
    m.delete_key(&"a".to_string());
    assert_eq!(engine.get_raw("m:a"), None);
    assert_eq!(engine.write_count(), 3);
    // A whole set: b unchanged (no write), c changed, d added, gone keys removed.
    m.set(
        [
            ("b".to_string(), 2),
            ("c".to_string(), 4),
            ("d".to_string(), 5),
        ]
        .into(),
    );
    assert_eq!(
        engine.entries(),
        [("m:c".into(), "4".into()), ("m:d".into(), "5".into())]
    );
    assert_eq!(engine.write_count(), 5);
    m.set(MapValue::new());
    assert!(engine.is_empty());
    assert_eq!(engine.write_count(), 8); // b, c, d removed
    batch(|| {
        m.set_key("x".into(), 1);
        m.set_key("y".into(), 2);
        m.delete_key(&"x".to_string());
    });
    assert_eq!(engine.entries(), [("m:y".into(), "2".into())]);
}

#[test]
fn map_key_deleted_comes_back_with_its_default_on_the_next_load() {
    let engine = memory();
    let m = PersistentMap::new("m:", ab()).with_engine(engine.clone());
    m.delete_key(&"a".to_string());
    m.set_key("b".into(), 20);
    let reloaded = PersistentMap::new("m:", ab()).with_engine(engine.clone());
    assert_eq!(reloaded.get_key("a"), Some(1));
    assert_eq!(reloaded.get_key("b"), Some(20));
}

static MAP_ENGINE: MemoryEngine = MemoryEngine::new();
static STATIC_MAP: PersistentMap<String, u32> =
    persistent_map("cart:", MapValue::new).engine(&MAP_ENGINE);
static CART_TOTAL: Computed<u32> = computed(&STATIC_MAP, |m| m.values().sum());

#[test]
fn static_map_feeds_a_static_computed_and_saves_per_key() {
    MAP_ENGINE.insert("cart:tee", "2");
    assert_eq!(CART_TOTAL.get(), 2);
    STATIC_MAP.update_key("cap".into(), |q| Some(q.copied().unwrap_or(0) + 1));
    assert_eq!(CART_TOTAL.get(), 3);
    assert_eq!(
        MAP_ENGINE.entries(),
        [
            ("cart:cap".into(), "1".into()),
            ("cart:tee".into(), "2".into())
        ]
    );
}

#[test]
fn map_corrupt_entry_keeps_that_keys_default_and_is_not_overwritten() {
    let engine = memory();
    engine.insert("m:a", "not json");
    engine.insert("m:b", "\"wrong shape\"");
    engine.insert("m:c", "3");
    let m = PersistentMap::new("m:", ab()).with_engine(engine.clone());
    let (log, hook) = collector();
    let _hook = m.on_error(hook);
    assert_eq!(m.get_key("a"), Some(1));
    assert_eq!(m.get_key("b"), Some(2));
    assert_eq!(m.get_key("c"), Some(3));
    let keys: Vec<String> = taken(&log).iter().map(|e| e.key().to_string()).collect();
    assert_eq!(keys, ["m:a", "m:b"]);
    // Writing other keys, or a whole set keeping a and b, leaves them stored.
    m.set_key("c".into(), 30);
    let mut next = m.get();
    next.insert("d".into(), 4);
    m.set(next);
    assert_eq!(engine.get_raw("m:a").as_deref(), Some("not json"));
    assert_eq!(engine.get_raw("m:b").as_deref(), Some("\"wrong shape\""));
    assert_eq!(engine.write_count(), 2);
    // Writing the key replaces it.
    m.set_key("a".into(), 11);
    assert_eq!(engine.get_raw("m:a").as_deref(), Some("11"));
}

#[test]
fn map_entry_whose_name_is_not_a_key_is_reported_and_skipped() {
    let engine = memory();
    engine.insert("n:1", "\"one\"");
    engine.insert("n:x", "\"foreign\"");
    let m = PersistentMap::<u32, String>::new("n:", MapValue::new()).with_engine(engine.clone());
    let (log, hook) = collector();
    let _hook = m.on_error(hook);
    assert_eq!(m.get().len(), 1);
    assert_eq!(m.get_key(&1).as_deref(), Some("one"));
    let errors = taken(&log);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].key(), "n:x");
    assert!(matches!(errors[0].kind(), PersistErrorKind::BadKey(_)));
    assert_eq!(engine.get_raw("n:x").as_deref(), Some("\"foreign\""));
}

#[test]
fn map_quota_error_names_the_entry_and_keeps_memory_and_other_entries() {
    let engine = Arc::new(MemoryEngine::with_quota(12));
    let m = PersistentMap::<String, String>::new("q:", MapValue::new()).with_engine(engine.clone());
    let (log, hook) = collector();
    let _hook = m.on_error(hook);
    m.set_key("a".into(), "1".into()); // "q:a" + "\"1\"" = 6 bytes
    m.set_key("b".into(), "much too long".into());
    assert_eq!(m.get_key("b").as_deref(), Some("much too long"));
    assert_eq!(engine.entries(), [("q:a".into(), "\"1\"".into())]);
    let errors = taken(&log);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].is_quota_exceeded());
    assert_eq!(errors[0].key(), "q:b");
}

#[test]
fn map_with_missing_storage_works_in_memory() {
    let engine = memory();
    engine.set_available(false);
    let m = PersistentMap::new("m:", ab()).with_engine(engine.clone());
    let (log, hook) = collector();
    let _hook = m.on_error(hook);
    assert_eq!(m.get_key("a"), Some(1));
    m.set_key("a".into(), 5);
    assert_eq!(m.get_key("a"), Some(5));
    let ops: Vec<(String, Operation)> = taken(&log)
        .iter()
        .map(|e| (e.key().to_string(), e.operation()))
        .collect();
    assert_eq!(
        ops,
        [
            ("m:".into(), Operation::Load),
            ("m:".into(), Operation::Watch),
            ("m:a".into(), Operation::Save)
        ]
    );
}

#[test]
fn map_external_changes_apply_per_key_while_mounted_without_echo() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let engine = memory();
    engine.insert("m:z", "26");
    let m = PersistentMap::new("m:", ab()).with_engine(engine.clone());
    let keys = Arc::new(Mutex::new(Vec::new()));
    let k = keys.clone();
    let sub = m.listen(move |_, _, key| k.lock().unwrap().push(key.cloned()));
    engine.external_set("m:a", "100");
    engine.external_set("m:new", "7");
    engine.external_set("elsewhere", "1");
    assert_eq!(m.get_key("a"), Some(100));
    assert_eq!(m.get_key("new"), Some(7));
    engine.external_remove("m:a"); // back to its default
    assert_eq!(m.get_key("a"), Some(1));
    engine.external_remove("m:new"); // no default: deleted
    assert_eq!(m.get_key("new"), None);
    assert_eq!(
        *keys.lock().unwrap(),
        [
            Some("a".to_string()),
            Some("new".into()),
            Some("a".into()),
            Some("new".into())
        ]
    );
    engine.external_clear(); // z was stored: removed
    assert_eq!(m.get_key("z"), None);
    assert_eq!(engine.write_count(), 0);

    drop(sub);
    clock.advance(1000);
    assert_eq!(engine.watcher_count(), 0);
    engine.external_set("m:b", "50");
    assert_eq!(m.peek().unwrap().get("b"), Some(&2), "not mounted");
    let _sub = m.listen(|_, _, _| {});
    assert_eq!(m.get_key("b"), Some(50), "read again on mount");
    assert_eq!(engine.write_count(), 0);
}

#[test]
fn map_on_an_engine_without_listing_loads_the_keys_of_its_default() {
    let engine = NoList(MemoryEngine::new());
    engine.0.insert("m:a", "10");
    engine.0.insert("m:unknown", "5");
    let m = PersistentMap::new("m:", ab()).with_engine(Arc::new(engine));
    let entries: Vec<(String, u32)> = m.get().iter().map(|(k, v)| (k.clone(), *v)).collect();
    assert_eq!(entries, [("a".into(), 10), ("b".into(), 2)]);
}

// ----- engines ---------------------------------------------------------------

#[test]
fn default_engine_is_used_unless_a_store_has_its_own() {
    let own = memory();
    let replaced = memory();
    set_default_engine(replaced.clone());
    let by_default = PersistentAtom::new("default-engine", 1u8);
    let with_own = PersistentAtom::new("own-engine", 1u8).with_engine(own.clone());
    by_default.set(2);
    with_own.set(3);
    assert_eq!(replaced.entries(), [("default-engine".into(), "2".into())]);
    assert_eq!(own.entries(), [("own-engine".into(), "3".into())]);
}

#[test]
fn memory_engine_lists_by_prefix_and_enforces_its_quota() {
    let engine = MemoryEngine::with_quota(10);
    engine.set("p:a", "1").unwrap();
    engine.set("q:b", "2").unwrap();
    assert_eq!(
        engine.list("p:").unwrap(),
        Some(vec![("p:a".to_string(), "1".to_string())])
    );
    // Replacing an entry counts its new size only.
    engine.set("p:a", "12").unwrap();
    assert_eq!(engine.set("p:c", "1"), Err(StorageError::QuotaExceeded));
    assert_eq!(engine.get("p:c").unwrap(), None);
}

#[test]
fn file_engine_round_trips_any_key_text_and_lists_by_prefix() {
    let dir = temp_dir("roundtrip");
    let engine = FileEngine::new(&dir).unwrap();
    for key in ["cart:tee", "ünï cödé/../x", "", "p:.tmp", "p:%41"] {
        engine.set(key, &format!("value of {key}")).unwrap();
        assert_eq!(
            engine.get(key).unwrap(),
            Some(format!("value of {key}")),
            "{key}"
        );
    }
    assert_eq!(
        engine.list("p:").unwrap().unwrap(),
        [
            ("p:%41".to_string(), "value of p:%41".to_string()),
            ("p:.tmp".into(), "value of p:.tmp".into())
        ]
    );
    assert_eq!(engine.list("").unwrap().unwrap().len(), 5);
    engine.remove("cart:tee").unwrap();
    engine.remove("cart:tee").unwrap(); // absent: fine
    assert_eq!(engine.get("cart:tee").unwrap(), None);
    assert!(!files_in(&dir).iter().any(|f| f.ends_with(".tmp")));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The id of a process that has exited (and been reaped).
#[cfg(target_os = "linux")]
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    child.wait().unwrap();
    child.id()
}

#[test]
#[cfg(unix)]
fn file_engine_leftover_or_half_written_temp_files_never_replace_the_value() {
    let dir = temp_dir("crash");
    let engine = FileEngine::new(&dir).unwrap();
    engine.set("cart", "[\"old\"]").unwrap();
    // What a crash leaves: a complete temp file that was never renamed, and
    // a half-written one, of a writer that is still running.
    let mut live = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let (complete, half) = (
        format!("cart.{}-7-0.tmp", live.id()),
        format!("cart.{}-7-1.tmp", live.id()),
    );
    std::fs::write(dir.join(&complete), "[\"new\"]").unwrap();
    std::fs::write(dir.join(&half), "[\"ne").unwrap();

    let after_restart = FileEngine::new(&dir).unwrap();
    assert_eq!(
        after_restart.get("cart").unwrap().as_deref(),
        Some("[\"old\"]")
    );
    assert_eq!(
        after_restart.list("").unwrap().unwrap(),
        [("cart".to_string(), "[\"old\"]".to_string())]
    );
    let store =
        PersistentAtom::new("cart", Vec::<String>::new()).with_engine(Arc::new(after_restart));
    assert_eq!(store.get(), ["old"]);
    store.set(vec!["newer".into()]);
    assert_eq!(
        std::fs::read_to_string(dir.join("cart.value")).unwrap(),
        "[\"newer\"]"
    );
    // Our write left no temp file of its own; the live writer's are kept.
    let mut expected = vec![complete, half, "cart.value".to_string()];
    expected.sort();
    assert_eq!(files_in(&dir), expected);
    live.kill().unwrap();
    live.wait().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[cfg(target_os = "linux")] // liveness through /proc
fn file_engine_open_sweeps_dead_writers_temp_files_and_keeps_live_ones() {
    let dir = temp_dir("sweep");
    let engine = FileEngine::new(&dir).unwrap();
    engine.set("cart", "1").unwrap();
    let mut live = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let (dead, me, live_pid) = (dead_pid(), std::process::id(), live.id());
    let leftovers = [
        format!("cart.{dead}-5-0.tmp"),     // a crashed writer
        format!("cart.{dead}-3.tmp"),       // one of an older version
        format!("cart.{me}-1-9.tmp"),       // an earlier run with our pid
        format!("cart.{live_pid}-5-0.tmp"), // a running writer
        "cart.notes.tmp".to_string(),       // not a name this engine writes
    ];
    for name in &leftovers {
        std::fs::write(dir.join(name), "x").unwrap();
    }
    // Opening the directory sweeps; the engine already open sees no change.
    let _reopened = FileEngine::new(&dir).unwrap();
    let mut kept = vec![
        format!("cart.{live_pid}-5-0.tmp"),
        "cart.notes.tmp".to_string(),
        "cart.value".to_string(),
    ];
    kept.sort();
    assert_eq!(files_in(&dir), kept);
    assert_eq!(engine.get("cart").unwrap().as_deref(), Some("1"));

    // Once the writer is gone, its file goes at the next open.
    live.kill().unwrap();
    live.wait().unwrap();
    FileEngine::new(&dir).unwrap();
    assert_eq!(files_in(&dir), ["cart.notes.tmp", "cart.value"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn file_engine_keeps_values_across_runs_of_the_app() {
    let dir = temp_dir("runs");
    {
        let engine: Arc<dyn StorageEngine> = Arc::new(FileEngine::new(&dir).unwrap());
        let cart = PersistentMap::<String, u32>::new("cart:", MapValue::new()).with_engine(engine);
        cart.set_key("tee".into(), 2);
        cart.set_key("cap".into(), 1);
        cart.delete_key(&"cap".to_string());
    }
    let engine: Arc<dyn StorageEngine> = Arc::new(FileEngine::new(&dir).unwrap());
    let cart = PersistentMap::<String, u32>::new("cart:", MapValue::new()).with_engine(engine);
    assert_eq!(cart.get_key("tee"), Some(2));
    assert_eq!(cart.get().len(), 1);
    assert_eq!(files_in(&dir), ["cart%3Atee.value"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn file_engine_unreadable_file_is_a_load_error_and_stays_on_disk() {
    let dir = temp_dir("binary");
    let engine = FileEngine::new(&dir).unwrap();
    std::fs::write(dir.join("bin.value"), [0xff, 0xfe, 0x00]).unwrap();
    let a = PersistentAtom::new("bin", 1u8).with_engine(Arc::new(engine));
    let (log, hook) = collector();
    let _hook = a.on_error(hook);
    assert_eq!(a.get(), 1);
    let errors = taken(&log);
    assert_eq!(errors.len(), 1);
    assert!(matches!(
        errors[0].kind(),
        PersistErrorKind::Storage(StorageError::Io {
            kind: std::io::ErrorKind::InvalidData,
            ..
        })
    ));
    assert_eq!(
        std::fs::read(dir.join("bin.value")).unwrap(),
        [0xff, 0xfe, 0x00]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn file_engine_on_a_path_that_is_not_a_directory_is_unavailable() {
    let dir = temp_dir("not-a-dir");
    std::fs::write(&dir, "a file").unwrap();
    assert!(matches!(
        FileEngine::new(&dir),
        Err(StorageError::Unavailable(_))
    ));
    std::fs::remove_file(&dir).unwrap();
}

// ----- threads ---------------------------------------------------------------

#[test]
fn concurrent_writers_leave_the_final_value_stored() {
    let engine = memory();
    let counter = PersistentAtom::new("count", 0u32).with_engine(engine.clone());
    let map =
        PersistentMap::<String, u32>::new("hits:", MapValue::new()).with_engine(engine.clone());
    std::thread::scope(|s| {
        for t in 0..4 {
            let (counter, map) = (counter.clone(), map.clone());
            s.spawn(move || {
                for _ in 0..200 {
                    counter.update(|n| n + 1);
                    map.update_key(format!("t{t}"), |n| Some(n.copied().unwrap_or(0) + 1));
                }
            });
        }
    });
    assert_eq!(counter.get(), 800);
    assert_eq!(engine.get_raw("count").as_deref(), Some("800"));
    for t in 0..4 {
        assert_eq!(
            engine.get_raw(&format!("hits:t{t}")).as_deref(),
            Some("200")
        );
    }
}
