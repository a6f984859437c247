//! Fuzzes what persistent stores (`nanostate-persistent`) read back from
//! storage: whatever another version of the app, another program or a
//! damaged disk left under a store's key, decoded by each codec (`Json`,
//! `Raw`) into values of many shapes, by persistent atoms and persistent
//! maps, on every path stored text takes into a store: the first load, the
//! `restore()` of a deferred store, and an external change while mounted.
//!
//! Properties checked for every input:
//!
//! * nothing panics;
//! * the store's value is the decoded text, or the default where the text
//!   cannot be read (a map: key by key, later entries overlaying earlier
//!   ones); nothing else;
//! * every failed read is reported exactly once, to the store's own error
//!   hook and to the process-wide `on_error`, with the storage key, the
//!   operation and the kind of failure (text that is not UTF-8 is a storage
//!   error, as `FileEngine` reports it; text that does not decode is a
//!   decode error; a map entry whose name is no key is a bad key); reading
//!   again at mount reports nothing new;
//! * reading writes nothing, and a later write changes the store's own
//!   entry only: every other entry of the engine (other stores' keys, some
//!   of them close to this store's key or prefix) stays byte for byte.
//!
//! Input: `[case, flags, payload…]`.
//!
//! * `case % 14` picks the store: an atom of `u8`, `i64`, `f64`, `String`
//!   (JSON), `String` (`Raw`), `Vec<u32>`, a nested serde struct, an
//!   `Option`, a `HashMap`, a `BTreeMap`, an enum; or a map of `String → i64`,
//!   `u32 → String` (`Raw`), `String → struct`.
//! * `flags & 3`: the path (0 and 3 load, 1 deferred + `restore`, 2 external
//!   change); `flags & 4`: store the bytes as they are, possibly not UTF-8
//!   (else as lossy UTF-8); `flags & 8`: an engine that cannot list;
//!   `flags >> 4`: a generator that replaces the text (1 deep nesting, 2 huge
//!   numbers, 3 a long string of up to 4 Mi characters, 4 a sample of JSON
//!   shapes; see [`generate`]), taking its parameters from the text.
//! * The payload is the stored text of an atom. For a map it is up to 8
//!   entries separated by `0xFF`, each `name 0x00 text`.
//!
//! Run: `cargo +nightly fuzz run persisted_value fuzz/seeds/persisted_value`.
#![no_main]

use std::collections::{BTreeMap, HashMap};
use std::fmt::{Debug, Display};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, MutexGuard, Once};

use libfuzzer_sys::fuzz_target;
use nanostate::runtime::ManualClock;
use nanostate::{MapValue, Store, Subscription};
use nanostate_persistent::{
    on_error, ChangeListener, Codec, ExternalChange, Json, Operation, PersistError,
    PersistErrorKind, PersistentAtom, PersistentMap, Raw, StorageEngine, StorageError, Watch,
};
use serde::{Deserialize, Serialize};

/// The key of the atom under test.
const KEY: &str = "k";
/// The prefix of the map under test.
const PREFIX: &str = "m:";

/// Entries of other stores, present in the engine in every run: keys next
/// to [`KEY`] and [`PREFIX`] (but not under them), and values of every kind,
/// including bytes that are not UTF-8. They must never change.
const OTHERS: &[(&str, &[u8])] = &[
    ("", b"root"),
    ("K", b"\"upper\""),
    ("k2", b"2"),
    ("k:", b"[1,2]"),
    ("kk", b"\xff\xfe not UTF-8"),
    ("m", b"{\"a\":1}"),
    ("m;a", b"\"semicolon\""),
    ("mm:a", b"3"),
    ("n:a", b"\xc0\x80"),
    ("other", b"{broken"),
];

// ----- the engine ------------------------------------------------------

/// The engine's entries: storage key → stored bytes.
type Entries = BTreeMap<String, Vec<u8>>;

/// An in-memory engine that keeps raw bytes, as files on disk do. `get`
/// hands out text only if the bytes are UTF-8 and otherwise fails as
/// `FileEngine::get` does (an I/O error of kind `InvalidData`); `list` fails
/// as a whole if one listed entry is not UTF-8, as `FileEngine::list` does.
/// It may refuse to list (a minimal engine), and it announces
/// [`external_set`](Self::external_set) to its subscribers.
struct BytesEngine {
    entries: Mutex<Entries>,
    can_list: bool,
    reads: AtomicUsize,
    writes: AtomicUsize,
    watchers: Arc<Mutex<Vec<(u64, ChangeListener)>>>,
    next_watch: AtomicU64,
}

/// Locks `m`; a panic elsewhere already failed the run.
fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl BytesEngine {
    fn new(can_list: bool) -> Self {
        let entries = OTHERS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_vec()))
            .collect();
        BytesEngine {
            entries: Mutex::new(entries),
            can_list,
            reads: AtomicUsize::new(0),
            writes: AtomicUsize::new(0),
            watchers: Arc::default(),
            next_watch: AtomicU64::new(0),
        }
    }

    /// Puts bytes under `key` quietly (what was stored before the run).
    fn insert(&self, key: &str, bytes: &[u8]) {
        lock(&self.entries).insert(key.to_string(), bytes.to_vec());
    }

    fn snapshot(&self) -> Entries {
        lock(&self.entries).clone()
    }

    /// Another process writes `text` under `key`.
    fn external_set(&self, key: &str, text: &str) {
        self.insert(key, text.as_bytes());
        let listeners: Vec<ChangeListener> = lock(&self.watchers)
            .iter()
            .map(|(_, l)| l.clone())
            .collect();
        let change = ExternalChange::Set {
            key: key.to_string(),
            value: text.to_string(),
        };
        for listener in listeners {
            listener(&change);
        }
    }
}

/// What `FileEngine` reports for a file that is not UTF-8.
fn not_utf8(key: &str) -> StorageError {
    StorageError::Io {
        kind: std::io::ErrorKind::InvalidData,
        message: format!("{key:?}: not UTF-8 text"),
    }
}

fn text_of(key: &str, bytes: &[u8]) -> Result<String, StorageError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| not_utf8(key))
}

impl StorageEngine for BytesEngine {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.reads.fetch_add(1, SeqCst);
        let entries = lock(&self.entries);
        entries
            .get(key)
            .map(|bytes| text_of(key, bytes))
            .transpose()
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.writes.fetch_add(1, SeqCst);
        self.insert(key, value.as_bytes());
        Ok(())
    }

    fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.writes.fetch_add(1, SeqCst);
        lock(&self.entries).remove(key);
        Ok(())
    }

    fn list(&self, prefix: &str) -> Result<Option<Vec<(String, String)>>, StorageError> {
        self.reads.fetch_add(1, SeqCst);
        if !self.can_list {
            return Ok(None);
        }
        let entries = lock(&self.entries);
        let mut found = Vec::new();
        for (key, bytes) in entries.range(prefix.to_string()..) {
            if !key.starts_with(prefix) {
                break;
            }
            found.push((key.clone(), text_of(key, bytes)?));
        }
        Ok(Some(found))
    }

    fn subscribe(&self, listener: ChangeListener) -> Result<Watch, StorageError> {
        let id = self.next_watch.fetch_add(1, SeqCst);
        lock(&self.watchers).push((id, listener));
        let watchers = Arc::downgrade(&self.watchers);
        Ok(Watch::new(move || {
            if let Some(watchers) = watchers.upgrade() {
                lock(&watchers).retain(|(i, _)| *i != id);
            }
        }))
    }
}

// ----- error hooks -----------------------------------------------------

/// Every error the process-wide hook received during this run.
static GLOBAL_ERRORS: Mutex<Vec<PersistError>> = Mutex::new(Vec::new());

/// Registers the process-wide hook (once) and empties its log.
fn reset_global_errors() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| on_error(|e| lock(&GLOBAL_ERRORS).push(e.clone())).keep());
    lock(&GLOBAL_ERRORS).clear();
}

/// A store's own error log, filled by its `on_error` hook.
#[derive(Clone, Default)]
struct StoreErrors(Arc<Mutex<Vec<PersistError>>>);

impl StoreErrors {
    fn hook(&self) -> impl Fn(&PersistError) + Send + Sync + 'static {
        let log = self.0.clone();
        move |e| lock(&log).push(e.clone())
    }
}

/// Why a stored text could not be read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Failure {
    /// The bytes are not UTF-8: a storage error, as `FileEngine` reports.
    NotUtf8,
    /// The codec rejected the text.
    Decode,
    /// A map entry's name does not parse as a key.
    BadKey,
}

/// An error the hooks must receive.
#[derive(Clone, Debug)]
struct Expected {
    key: String,
    operation: Operation,
    failure: Failure,
}

impl Expected {
    fn new(key: &str, operation: Operation, failure: Failure) -> Self {
        Expected {
            key: key.to_string(),
            operation,
            failure,
        }
    }

    fn matches(&self, error: &PersistError) -> bool {
        let kind = match (self.failure, error.kind()) {
            (Failure::NotUtf8, PersistErrorKind::Storage(e)) => matches!(
                e,
                StorageError::Io {
                    kind: std::io::ErrorKind::InvalidData,
                    ..
                }
            ),
            (Failure::Decode, PersistErrorKind::Decode(_)) => true,
            (Failure::BadKey, PersistErrorKind::BadKey(_)) => true,
            _ => false,
        };
        kind && error.key() == self.key && error.operation() == self.operation
    }
}

/// Both hooks (the store's and the process-wide one) received exactly the
/// `expected` errors, in order.
fn assert_errors(own: &StoreErrors, expected: &[Expected], when: &str) {
    for (hook, seen) in [
        ("store", lock(&own.0).clone()),
        ("global", lock(&GLOBAL_ERRORS).clone()),
    ] {
        let ok =
            seen.len() == expected.len() && seen.iter().zip(expected).all(|(s, e)| e.matches(s));
        assert!(
            ok,
            "{when}: the {hook} hook received {seen:?}, expected {expected:?}"
        );
    }
}

// ----- value types -----------------------------------------------------

/// A nested value with serde derives: structs, options, maps, an enum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Profile {
    name: String,
    age: u16,
    tags: Vec<String>,
    home: Option<Address>,
    scores: BTreeMap<String, i32>,
    role: Role,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Address {
    city: String,
    zip: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Role {
    Guest,
    Member { since: u32 },
    Admin(String),
}

fn profile(name: &str, role: Role) -> Profile {
    Profile {
        name: name.to_string(),
        age: 30,
        tags: vec!["a".into()],
        home: Some(Address {
            city: "Lyon".into(),
            zip: 69_001,
        }),
        scores: [("x".to_string(), -1)].into(),
        role,
    }
}

// ----- generated texts -------------------------------------------------

/// Texts that are JSON of some shape: right for some store types, wrong for
/// the others.
const SAMPLES: &[&str] = &[
    "\"text\"",
    "42",
    "-7",
    "3.5",
    "true",
    "null",
    "[1,2,3]",
    "[\"a\",\"b\"]",
    "[-1]",
    "{\"a\":1,\"b\":2}",
    "{\"1\":\"one\",\"255\":\"x\"}",
    "{\"256\":\"x\"}",
    "\"Guest\"",
    "{\"Member\":{\"since\":3}}",
    "{\"Admin\":\"root\"}",
    "{\"Nobody\":null}",
    r#"{"name":"n","age":1,"tags":[],"home":null,"scores":{},"role":"Guest"}"#,
    r#"{"name":"n","age":70000,"tags":[],"home":null,"scores":{},"role":"Guest"}"#,
    r#"{"name":"n","age":1,"tags":[],"scores":{},"role":"Guest"}"#,
    r#"{"name":"n","age":1,"tags":[],"home":{"city":"c"},"scores":{},"role":"Guest"}"#,
    r#"{"name":"n","age":1,"tags":[],"home":null,"scores":{"a":1.5},"role":"Guest","extra":1}"#,
    "\"\\ud800\"",
    "\"\\u0000\"",
    "",
    " ",
    "[1,]",
    "{\"a\":1,\"a\":2}",
];

/// Numbers at and past the limits of every numeric type.
const NUMBERS: &[&str] = &[
    "1e400",
    "-1e400",
    "1e-400",
    "18446744073709551616",
    "18446744073709551615",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "4294967296",
    "256",
    "255",
    "-1",
    "-0",
    "0.0",
    "1E+2",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "4.9e-324",
    "123456789012345678901234567890",
    "0.30000000000000004",
    "01",
    "1.",
    "-",
];

/// Replaces the text with a generated one: `kind` 1 deep nesting, 2 huge
/// numbers, 3 a long string, 4 a sample shape; any other `kind` keeps it.
/// Parameters come from the first bytes of `text`.
fn generate(kind: u8, text: &[u8]) -> Vec<u8> {
    let p = |i: usize| text.get(i).copied().unwrap_or(0);
    match kind {
        1 => {
            // Up to 20 000 levels, well past serde_json's recursion limit.
            let depth = usize::from(u16::from_le_bytes([p(0), p(1)])) % 20_001;
            let (open, inner, close) = match p(2) % 4 {
                0 => ("[", "0", "]"),
                1 => ("{\"a\":", "0", "}"),
                2 => ("[{\"a\":", "[]", "}]"),
                _ => ("[", "", ""), // never closed
            };
            (open.repeat(depth) + inner + &close.repeat(depth)).into_bytes()
        }
        2 => {
            let mut number = NUMBERS[usize::from(p(0)) % NUMBERS.len()].to_string();
            // A long run of digits: 0 to 10 200 more.
            number.push_str(&"0".repeat(usize::from(p(1)) * 40));
            match p(2) % 4 {
                0 => number,
                1 => format!("[{number}]"),
                2 => format!("{{\"a\":{number}}}"),
                _ => format!("[{number},-{number}]"),
            }
            .into_bytes()
        }
        3 => {
            // About 1 Ki to 4 Mi characters (up to 8 MiB of UTF-8; the size
            // doubles with each step of the first byte, so that most long
            // strings stay short enough to keep the run fast): the rest of
            // the text, each byte as the character of that code point,
            // repeated.
            let fill: String = match text.get(2..) {
                Some(rest) if !rest.is_empty() => rest.iter().map(|&b| char::from(b)).collect(),
                _ => "x".to_string(),
            };
            let chars = 1024 << (p(0) % 13);
            let s = fill.repeat((chars / fill.chars().count()).max(1));
            match p(1) % 3 {
                0 => serde_json::to_string(&s).expect("a string encodes"),
                1 => format!("\"{s}\""), // unescaped: quotes, backslashes, controls
                _ => s,
            }
            .into_bytes()
        }
        4 => SAMPLES[usize::from(p(0)) % SAMPLES.len()]
            .as_bytes()
            .to_vec(),
        _ => text.to_vec(),
    }
}

// ----- the runs --------------------------------------------------------

/// How the stored text reaches the store.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Flow {
    /// Stored before the store's first use, read when it binds.
    Load,
    /// Stored before; the store is deferred and reads it at `restore()`.
    Restore,
    /// Announced as an external change while the store is mounted.
    External,
}

/// What the input asks for, apart from the store type.
#[derive(Clone, Copy)]
struct Run<'a> {
    /// The runtime of this thread (its timers run when it advances).
    clock: &'a ManualClock,
    flow: Flow,
    /// Store the bytes as they are (else as lossy UTF-8).
    raw_bytes: bool,
    can_list: bool,
    generator: u8,
}

impl Run<'_> {
    /// The bytes to store for `text`. An external change carries a string,
    /// so it is always lossy UTF-8.
    fn stored(&self, text: &[u8]) -> Vec<u8> {
        let text = generate(self.generator, text);
        if self.raw_bytes && self.flow != Flow::External {
            text
        } else {
            String::from_utf8_lossy(&text).into_owned().into_bytes()
        }
    }
}

/// What a store must make of `bytes`.
fn decode<T: 'static>(codec: &dyn Codec<T>, bytes: &[u8]) -> Result<T, Failure> {
    let text = std::str::from_utf8(bytes).map_err(|_| Failure::NotUtf8)?;
    codec.decode(text).map_err(|_| Failure::Decode)
}

/// A deferred store before `restore()`: the default, no storage read, no
/// error reported.
fn assert_untouched_before_restore<S: Store>(
    store: &S,
    default: &S::Value,
    engine: &BytesEngine,
    own: &StoreErrors,
) where
    S::Value: PartialEq + Debug,
{
    assert_eq!(*Store::peek(store).expect("a value"), *default);
    assert_eq!(
        engine.reads.load(SeqCst),
        0,
        "a deferred store read storage"
    );
    assert_errors(own, &[], "before restore");
}

/// After the first read: the store (an atom, or a map key by key) holds
/// what it read, or the default where it could not, and reported its
/// errors; unmounted, then mounted again, it reads the entry again and has
/// nothing new to report; reading never wrote to storage.
fn assert_read_settles<S: Store>(
    run: &Run,
    store: &S,
    listening: Subscription,
    expected: &S::Value,
    errors: &[Expected],
    engine: &BytesEngine,
    own: &StoreErrors,
) where
    S::Value: PartialEq + Debug,
{
    assert_eq!(
        *Store::peek(store).expect("a value"),
        *expected,
        "the store holds neither the decoded text nor the default"
    );
    assert_errors(own, errors, "after the read");
    drop(listening);
    run.clock.advance(10_000);
    assert_eq!(*store.snapshot(), *expected);
    assert_errors(own, errors, "after a second read");
    assert_eq!(engine.writes.load(SeqCst), 0, "reading wrote to storage");
}

/// A persistent atom of `T`: `default`, and `other`, a second value (not
/// the default) to write at the end.
fn run_atom<T>(run: &Run, payload: &[u8], default: T, other: T, codec: &'static dyn Codec<T>)
where
    T: Clone + PartialEq + Debug + Send + Sync + 'static,
{
    let text = run.stored(payload);
    let engine = Arc::new(BytesEngine::new(run.can_list));
    if run.flow != Flow::External {
        engine.insert(KEY, &text);
    }
    let mut store =
        PersistentAtom::with_codec(KEY, default.clone(), codec).with_engine(engine.clone());
    if run.flow == Flow::Restore {
        store = store.deferred();
    }
    let own = StoreErrors::default();
    let _hook = store.on_error(own.hook());
    let value = |store: &PersistentAtom<T>| (*Store::peek(store).expect("a value")).clone();

    let operation = match run.flow {
        Flow::Load => Operation::Load,
        Flow::Restore => {
            assert_untouched_before_restore(&store, &default, &engine, &own);
            store.restore();
            Operation::Load
        }
        Flow::External => Operation::ExternalChange,
    };
    // Subscribed for the external change; a mount re-reads the entry.
    let listening = store.listen(|_, _| {});
    if run.flow == Flow::External {
        assert_eq!(value(&store), default);
        assert_errors(&own, &[], "before the external change");
        engine.external_set(KEY, std::str::from_utf8(&text).expect("lossy text"));
    }

    let (expected, errors) = match decode(codec, &text) {
        Ok(decoded) => (decoded, vec![]),
        Err(failure) => (
            default.clone(),
            vec![Expected::new(KEY, operation, failure)],
        ),
    };
    assert_read_settles(run, &store, listening, &expected, &errors, &engine, &own);

    // A write replaces this store's entry and nothing else.
    let before = engine.snapshot();
    let new = if value(&store) != other {
        other
    } else {
        default
    };
    store.set(new.clone());
    let mut after = before;
    after.insert(
        KEY.to_string(),
        codec.encode(&new).expect("encodes").into_bytes(),
    );
    assert_eq!(engine.snapshot(), after, "a write changed another entry");
    assert_errors(&own, &errors, "after the write");
}

/// The entries of a map from the payload: up to 8 chunks separated by
/// `0xFF`, each `name 0x00 text`; names are lossy UTF-8 after [`PREFIX`],
/// the first occurrence of a name is kept. The generator, if any, replaces
/// the first entry's text (named `first` if the payload has none).
fn map_entries(run: &Run, payload: &[u8], first: &str) -> Vec<(String, Vec<u8>)> {
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for chunk in payload.split(|b| *b == 0xFF).take(8) {
        let (name, text) = match chunk.iter().position(|b| *b == 0) {
            Some(i) => (&chunk[..i], &chunk[i + 1..]),
            None => (chunk, &[][..]),
        };
        let full = format!("{PREFIX}{}", String::from_utf8_lossy(name));
        if !entries.iter().any(|(k, _)| *k == full) {
            entries.push((full, text.to_vec()));
        }
    }
    if entries.is_empty() && run.generator != 0 {
        entries.push((format!("{PREFIX}{first}"), Vec::new()));
    }
    for (i, (_, text)) in entries.iter_mut().enumerate() {
        *text = if i == 0 {
            run.stored(text)
        } else {
            Run {
                generator: 0,
                ..*run
            }
            .stored(text)
        };
    }
    entries
}

/// What a persistent map must make of stored entries (`full key → bytes`,
/// in the order it reads them), starting from `default`.
fn overlay<K, V>(
    default: &MapValue<K, V>,
    codec: &dyn Codec<V>,
    entries: &[(String, Vec<u8>)],
    operation: Operation,
) -> (MapValue<K, V>, Vec<Expected>)
where
    K: Eq + Clone + FromStr,
    V: Clone + 'static,
{
    let mut value = default.clone();
    let mut errors = Vec::new();
    for (full, bytes) in entries {
        let key = full[PREFIX.len()..].parse::<K>();
        match (key, decode(codec, bytes)) {
            (Err(_), _) => errors.push(Expected::new(full, operation, Failure::BadKey)),
            (Ok(_), Err(failure)) => errors.push(Expected::new(full, operation, failure)),
            (Ok(key), Ok(item)) => {
                value.insert(key, item);
            }
        }
    }
    (value, errors)
}

/// A persistent map: `default`, and `write`, an entry to write at the end.
fn run_map<K, V>(
    run: &Run,
    payload: &[u8],
    default: MapValue<K, V>,
    write: (K, V),
    codec: &'static dyn Codec<V>,
) where
    K: Clone + Eq + Display + FromStr + Debug + Send + Sync + 'static,
    V: Clone + PartialEq + Debug + Send + Sync + 'static,
{
    let first = default
        .keys()
        .next()
        .map(ToString::to_string)
        .unwrap_or_default();
    let entries = map_entries(run, payload, &first);
    let engine = Arc::new(BytesEngine::new(run.can_list));
    if run.flow != Flow::External {
        for (full, bytes) in &entries {
            engine.insert(full, bytes);
        }
    }
    let mut store =
        PersistentMap::with_codec(PREFIX, default.clone(), codec).with_engine(engine.clone());
    if run.flow == Flow::Restore {
        store = store.deferred();
    }
    let own = StoreErrors::default();
    let _hook = store.on_error(own.hook());
    let value = |store: &PersistentMap<K, V>| (*Store::peek(store).expect("a value")).clone();

    if run.flow == Flow::Restore {
        assert_untouched_before_restore(&store, &default, &engine, &own);
        store.restore();
    }
    let listening = store.listen(|_, _, _| {});
    let (expected, errors) = match run.flow {
        Flow::Load | Flow::Restore => {
            // What the store reads: every entry under the prefix in key
            // order, or (an engine that cannot list) the default's keys.
            let stored = engine.snapshot();
            let read: Vec<(String, Vec<u8>)> = if run.can_list {
                stored
                    .iter()
                    .filter(|(k, _)| k.starts_with(PREFIX))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            } else {
                default
                    .keys()
                    .map(|k| format!("{PREFIX}{k}"))
                    .filter_map(|full| stored.get(&full).map(|v| (full, v.clone())))
                    .collect()
            };
            if read.iter().any(|(_, v)| std::str::from_utf8(v).is_err()) {
                // One unreadable entry fails the whole read (as
                // `FileEngine` does): the default, one storage error.
                let error = Expected::new(PREFIX, Operation::Load, Failure::NotUtf8);
                (default.clone(), vec![error])
            } else {
                overlay(&default, codec, &read, Operation::Load)
            }
        }
        Flow::External => {
            assert_eq!(value(&store), default);
            assert_errors(&own, &[], "before the external changes");
            for (full, bytes) in &entries {
                engine.external_set(full, std::str::from_utf8(bytes).expect("lossy text"));
            }
            overlay(&default, codec, &entries, Operation::ExternalChange)
        }
    };
    assert_read_settles(run, &store, listening, &expected, &errors, &engine, &own);

    // Writing one key writes that key's entry and nothing else.
    let (key, item) = write;
    if value(&store).get(&key) != Some(&item) {
        let before = engine.snapshot();
        store.set_key(key.clone(), item.clone());
        let mut after = before;
        let encoded = codec.encode(&item).expect("encodes").into_bytes();
        after.insert(format!("{PREFIX}{key}"), encoded);
        assert_eq!(engine.snapshot(), after, "a write changed another entry");
        assert_errors(&own, &errors, "after the write");
    }
}

fuzz_target!(|data: &[u8]| {
    let [case, flags, payload @ ..] = data else {
        return;
    };
    // Timers (the unmount delay) on a clock of this thread, so nothing runs
    // on another thread and nothing outlives the run.
    let clock = ManualClock::new();
    let _runtime = clock.install();
    let run = Run {
        clock: &clock,
        flow: match flags & 3 {
            1 => Flow::Restore,
            2 => Flow::External,
            _ => Flow::Load,
        },
        raw_bytes: flags & 4 != 0,
        can_list: flags & 8 == 0,
        generator: flags >> 4,
    };
    reset_global_errors();

    let json = &Json;
    match case % 14 {
        0 => run_atom::<u8>(&run, payload, 7, 200, json),
        1 => run_atom::<i64>(&run, payload, -1, i64::MAX, json),
        2 => run_atom::<f64>(&run, payload, 0.0, 0.5, json),
        3 => run_atom::<String>(&run, payload, "light".into(), "dark".into(), json),
        4 => run_atom::<String>(&run, payload, "light".into(), "dark".into(), &Raw),
        5 => run_atom::<Vec<u32>>(&run, payload, vec![], vec![1, 2], json),
        6 => {
            let default = profile("default", Role::Guest);
            let other = profile("other", Role::Member { since: 2 });
            run_atom(&run, payload, default, other, json)
        }
        7 => run_atom::<Option<i32>>(&run, payload, None, Some(-3), json),
        8 => {
            let other: HashMap<String, u32> = [("tee".to_string(), 2)].into();
            run_atom(&run, payload, HashMap::new(), other, json)
        }
        9 => {
            let default: BTreeMap<u8, String> = [(1, "one".to_string())].into();
            run_atom(&run, payload, default, BTreeMap::new(), json)
        }
        10 => run_atom(&run, payload, Role::Guest, Role::Admin("root".into()), json),
        11 => {
            let default: MapValue<String, i64> =
                [("a".to_string(), 1), ("b".to_string(), 2)].into();
            run_map(&run, payload, default, ("w".to_string(), 7), json)
        }
        12 => {
            let default: MapValue<u32, String> = [(1, "one".to_string())].into();
            run_map(
                &run,
                payload,
                default,
                (4_000_000_000, "w".to_string()),
                &Raw,
            )
        }
        _ => {
            let default: MapValue<String, Profile> =
                [("me".to_string(), profile("me", Role::Guest))].into();
            let write = ("w".to_string(), profile("w", Role::Admin("a".into())));
            run_map(&run, payload, default, write, json)
        }
    }
    // Let the unmount delays pass: the stores drop their engine
    // subscriptions before the engine goes.
    clock.advance(10_000);
});
