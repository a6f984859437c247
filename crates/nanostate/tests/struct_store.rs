//! Typed struct stores: `#[derive(Fields)]` and `StructStore`.
#![cfg(feature = "derive")]

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use nanostate::runtime::ManualClock;
use nanostate::{
    batch, clean_stores, keep_mount, on_mount, on_notify, on_set, Computed, Fields, Proposed,
    Store, StructStore,
};

#[derive(Fields, Clone, PartialEq, Debug)]
pub struct Profile {
    pub name: String,
    pub age: u32,
    pub first_name: String,
}

fn ada() -> Profile {
    Profile {
        name: "Ada".into(),
        age: 36,
        first_name: "Augusta".into(),
    }
}

/// A shared record of events.
type Rec<T> = Arc<Mutex<Vec<T>>>;

/// What a listener saw: the new value, the old value and the changed key.
type Seen = Rec<(Profile, Profile, Option<ProfileKey>)>;

fn record(store: &ProfileStore) -> (Seen, nanostate::Subscription) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let sub = store.listen(move |new, old, key| {
        log.lock()
            .unwrap()
            .push((new.clone(), old.clone(), key.copied()))
    });
    (seen, sub)
}

fn keys(seen: &Seen) -> Vec<Option<ProfileKey>> {
    seen.lock().unwrap().iter().map(|(_, _, k)| *k).collect()
}

#[test]
fn generated_key_enum_lists_every_field_in_order() {
    assert_eq!(
        Profile::KEYS,
        [ProfileKey::Name, ProfileKey::Age, ProfileKey::FirstName]
    );
    let (a, mut b) = (ada(), ada());
    b.age = 1;
    assert!(a.field_eq(&b, ProfileKey::Name));
    assert!(!a.field_eq(&b, ProfileKey::Age));
    assert_eq!(format!("{:?}", ProfileKey::FirstName), "FirstName");
}

#[test]
fn setters_notify_with_the_typed_key_and_skip_equal_values() {
    let store = ProfileStore::new(ada());
    let (seen, _sub) = record(&store);

    store.set_age(37);
    store.set_age(37); // equal: nobody is told
    store.set_name("Ada L.".into());
    store.set_first_name("Augusta".into()); // equal
    store.set_first_name("A.".into());

    assert_eq!(
        keys(&seen),
        [
            Some(ProfileKey::Age),
            Some(ProfileKey::Name),
            Some(ProfileKey::FirstName)
        ]
    );
    let seen = seen.lock().unwrap();
    assert_eq!((seen[0].0.age, seen[0].1.age), (37, 36));
    assert_eq!(seen[1].1.name, "Ada");
    assert_eq!(seen[1].0.name, "Ada L.");
    assert_eq!(seen[2].0, store.get());
}

#[test]
fn getters_return_the_field() {
    let store = ProfileStore::new(ada());
    assert_eq!(store.name(), "Ada");
    assert_eq!(store.age(), 36);
    assert_eq!(store.first_name(), "Augusta");
    store.set_age(40);
    assert_eq!(store.age(), 40);
    assert_eq!(store.get().age, 40);
}

#[test]
fn update_field_notifies_with_its_key_unless_equal() {
    let store = ProfileStore::new(ada());
    let (seen, _sub) = record(&store);
    store.update_age(|age| age + 1);
    store.update_age(|age| *age); // equal
    store.update_name(|name| format!("{name}!"));
    assert_eq!(keys(&seen), [Some(ProfileKey::Age), Some(ProfileKey::Name)]);
    assert_eq!((store.age(), store.name()), (37, "Ada!".to_string()));
}

#[test]
fn whole_writes_have_no_key_and_skip_equal_values() {
    let store = ProfileStore::new(ada());
    let (seen, _sub) = record(&store);
    store.set(ada()); // equal in every field
    let mut next = ada();
    next.age = 1;
    store.set(next.clone());
    store.update(|p| Profile {
        age: p.age + 1,
        ..p.clone()
    });
    assert_eq!(keys(&seen), [None, None]);
    assert_eq!(store.age(), 2);
}

#[test]
fn listen_keys_filters_by_key() {
    let store = ProfileStore::new(ada());
    let calls: Rec<(u32, Option<ProfileKey>)> = Arc::default();
    let log = calls.clone();
    let _sub = store.listen_keys([ProfileKey::Age], move |p, _old, key| {
        log.lock().unwrap().push((p.age, key.copied()))
    });

    store.set_name("Grace".into()); // other field
    store.set_age(40);
    store.set_first_name("G.".into()); // other field
    store.set(Profile {
        name: "Ada".into(),
        ..store.get()
    }); // whole write, age unchanged
    store.set(Profile {
        age: 41,
        ..store.get()
    }); // whole write, age changed
    store.set_age(41); // equal

    assert_eq!(
        *calls.lock().unwrap(),
        [(40, Some(ProfileKey::Age)), (41, None)]
    );
}

#[test]
fn listen_keys_with_several_keys_and_with_none() {
    let store = ProfileStore::new(ada());
    let both = Arc::new(AtomicU32::new(0));
    let none = Arc::new(AtomicU32::new(0));
    let (b, n) = (both.clone(), none.clone());
    let _both = store.listen_keys([ProfileKey::Age, ProfileKey::Name], move |_, _, _| {
        b.fetch_add(1, SeqCst);
    });
    let _none = store.listen_keys([], move |_, _, _| {
        n.fetch_add(1, SeqCst);
    });
    store.set_age(1);
    store.set_name("B".into());
    store.set_first_name("C".into());
    store.set(ada());
    assert_eq!((both.load(SeqCst), none.load(SeqCst)), (3, 0));
}

#[test]
fn subscribe_keys_calls_at_once_then_for_listed_keys() {
    let store = ProfileStore::new(ada());
    let calls: Rec<(String, bool, Option<ProfileKey>)> = Arc::default();
    let log = calls.clone();
    let _sub = store.subscribe_keys([ProfileKey::Name], move |p, old, key| {
        log.lock()
            .unwrap()
            .push((p.name.clone(), old.is_some(), key.copied()))
    });
    store.set_age(1);
    store.set_name("Grace".into());
    assert_eq!(
        *calls.lock().unwrap(),
        [
            ("Ada".to_string(), false, None),
            ("Grace".to_string(), true, Some(ProfileKey::Name))
        ]
    );
}

#[test]
fn subscribe_calls_at_once() {
    let store = ProfileStore::new(ada());
    let calls: Rec<(u32, Option<u32>)> = Arc::default();
    let log = calls.clone();
    let _sub =
        store.subscribe(move |p, old, _| log.lock().unwrap().push((p.age, old.map(|o| o.age))));
    store.set_age(2);
    assert_eq!(*calls.lock().unwrap(), [(36, None), (2, Some(36))]);
}

#[test]
fn batch_gives_one_call_with_no_key_and_the_value_before_the_batch() {
    let store = ProfileStore::new(ada());
    let (seen, _sub) = record(&store);
    let age_calls = Arc::new(AtomicU32::new(0));
    let name_calls = Arc::new(AtomicU32::new(0));
    let (a, n) = (age_calls.clone(), name_calls.clone());
    let _age = store.listen_keys([ProfileKey::Age], move |_, _, key| {
        assert_eq!(key, None);
        a.fetch_add(1, SeqCst);
    });
    let _name = store.listen_keys([ProfileKey::Name], move |_, _, _| {
        n.fetch_add(1, SeqCst);
    });

    batch(|| {
        store.set_age(50);
        store.set_first_name("X".into());
        store.set_age(51);
    });

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let (new, old, key) = &seen[0];
    assert_eq!((new.age, old.age, *key), (51, 36, None));
    assert_eq!(new.first_name, "X");
    // The name did not change in the batch: its key listener stays quiet.
    assert_eq!((age_calls.load(SeqCst), name_calls.load(SeqCst)), (1, 0));
}

#[test]
fn clones_share_the_store() {
    let store = ProfileStore::new(ada());
    let other = store.clone();
    other.set_age(1);
    assert_eq!(store.age(), 1);
    assert!(store.ptr_eq(&other));
    let inner: StructStore<Profile> = (*store).clone();
    inner.set_field(ProfileKey::Age, |p| p.age = 2);
    assert_eq!(other.age(), 2);
}

#[derive(Fields, Clone, PartialEq, Debug)]
pub struct Counters {
    pub hits: u64,
    pub misses: u64,
}

static COUNTERS: CountersStore = CountersStore::new(Counters { hits: 0, misses: 0 });
static PROFILE: ProfileStore = ProfileStore::with_init(ada);
static RAW: StructStore<Counters> = nanostate::struct_store(Counters { hits: 1, misses: 2 });

#[test]
fn static_stores() {
    assert_eq!(PROFILE.name(), "Ada");
    let calls = Arc::new(AtomicU32::new(0));
    let c = calls.clone();
    let _sub = PROFILE.listen_keys([ProfileKey::FirstName], move |_, _, _| {
        c.fetch_add(1, SeqCst);
    });
    PROFILE.set_first_name("Lovelace".into());
    assert_eq!(calls.load(SeqCst), 1);
    assert_eq!(PROFILE.first_name(), "Lovelace");

    assert_eq!(RAW.get(), Counters { hits: 1, misses: 2 });
    let handle = PROFILE.clone();
    assert!(handle.ptr_eq(&PROFILE));
}

/// Threads bump two fields of one store at once: per-field updates are
/// atomic and never undo a concurrent write to another field.
#[test]
fn concurrent_field_updates_lose_no_write() {
    const THREADS: u64 = 4;
    const OPS: u64 = 5_000;
    let notified = Arc::new(AtomicU32::new(0));
    let n = notified.clone();
    let _sub = COUNTERS.listen(move |_, _, key| {
        assert!(key.is_some());
        n.fetch_add(1, SeqCst);
    });
    std::thread::scope(|s| {
        for t in 0..THREADS {
            s.spawn(move || {
                for i in 0..OPS {
                    if (i + t) % 2 == 0 {
                        COUNTERS.update_hits(|h| h + 1);
                    } else {
                        COUNTERS.update_misses(|m| m + 1);
                    }
                }
            });
        }
    });
    let total = COUNTERS.get();
    assert_eq!(total.hits + total.misses, THREADS * OPS);
    assert_eq!(total.hits, THREADS * OPS / 2);
    assert_eq!(notified.load(SeqCst) as u64, THREADS * OPS);
}

/// `set_field` with a closure is as atomic as the generated updaters.
#[test]
fn concurrent_set_field_and_whole_updates_lose_no_write() {
    let store = CountersStore::new(Counters { hits: 0, misses: 0 });
    std::thread::scope(|s| {
        for t in 0..4 {
            let store = &store;
            s.spawn(move || {
                for _ in 0..2_000 {
                    match t {
                        0 | 1 => store.set_field(CountersKey::Hits, |c| c.hits += 1),
                        _ => store.update(|c| Counters {
                            misses: c.misses + 1,
                            ..c.clone()
                        }),
                    }
                }
            });
        }
    });
    assert_eq!(
        store.get(),
        Counters {
            hits: 4_000,
            misses: 4_000
        }
    );
}

#[test]
fn on_set_sees_the_key_and_the_whole_proposed_value_and_may_abort() {
    let store = ProfileStore::new(ada());
    let proposed: Rec<String> = Arc::default();
    let log = proposed.clone();
    on_set(&store, move |event| {
        let entry = match event.proposed() {
            Proposed::Key(key, Some(value)) => format!("{key:?} {}", value.age),
            Proposed::Key(key, None) => format!("{key:?} deleted"),
            Proposed::Value(value) => format!("whole {}", value.age),
        };
        log.lock().unwrap().push(entry);
        if let Proposed::Key(ProfileKey::Age, Some(value)) = event.proposed() {
            if value.age > 150 {
                event.abort();
            }
        }
    })
    .keep();
    let (seen, _sub) = record(&store);

    store.set_age(200); // aborted
    store.set_age(37);
    store.set_age(37); // equal: hooks still see it, listeners do not
    store.set(Profile { age: 1, ..ada() });

    assert_eq!(store.age(), 1);
    assert_eq!(
        *proposed.lock().unwrap(),
        ["Age 200", "Age 37", "Age 37", "whole 1"]
    );
    assert_eq!(keys(&seen), [Some(ProfileKey::Age), None]);
}

#[test]
fn on_notify_sees_the_key() {
    let store = ProfileStore::new(ada());
    let keys_seen: Rec<Option<ProfileKey>> = Arc::default();
    let log = keys_seen.clone();
    on_notify(&store, move |e| {
        log.lock().unwrap().push(e.key().copied());
        if e.key() == Some(&ProfileKey::Name) {
            e.abort();
        }
    })
    .keep();
    let (seen, _sub) = record(&store);
    store.set_age(1);
    store.set_name("Hidden".into());
    assert_eq!(
        *keys_seen.lock().unwrap(),
        [Some(ProfileKey::Age), Some(ProfileKey::Name)]
    );
    assert_eq!(keys(&seen), [Some(ProfileKey::Age)]);
    assert_eq!(store.name(), "Hidden");
}

#[test]
fn lifecycle_computed_keep_mount_and_clean_stores_take_the_generated_store() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let store = ProfileStore::new(ada());
    store.set_unmount_delay(std::time::Duration::from_millis(10));
    let log: Rec<&str> = Arc::default();
    let l = log.clone();
    on_mount(&store, move |_| {
        l.lock().unwrap().push("mount");
        let l = l.clone();
        move || l.lock().unwrap().push("unmount")
    })
    .keep();

    let summary = Computed::new(&store, |p: &Profile| format!("{} ({})", p.name, p.age));
    let sub = summary.listen(|_, _| {});
    assert_eq!(*log.lock().unwrap(), ["mount"]);
    store.set_age(37);
    assert_eq!(summary.get(), "Ada (37)");
    drop(sub);
    clock.advance(1000); // the computed follows its source for its own delay
    assert_eq!(*log.lock().unwrap(), ["mount"]);
    clock.advance(10);
    assert_eq!(*log.lock().unwrap(), ["mount", "unmount"]);

    keep_mount(&store);
    assert_eq!(Store::listener_count(&store), 1);
    assert_eq!(*log.lock().unwrap(), ["mount", "unmount", "mount"]);
    clean_stores(&[&store]);
    assert_eq!(store.listener_count(), 0);
    assert_eq!(
        *log.lock().unwrap(),
        ["mount", "unmount", "mount", "unmount"]
    );
}

#[test]
fn a_listener_may_write_the_store_it_listens_to() {
    let store = ProfileStore::new(ada());
    let s = store.clone();
    let _sub = store.listen_keys([ProfileKey::Name], move |p, _, _| {
        s.set_first_name(p.name.to_uppercase());
    });
    store.set_name("grace".into());
    assert_eq!(store.first_name(), "GRACE");
}

mod shapes {
    //! Field names and types the derive must handle.
    use nanostate::Fields;

    #[derive(Fields, Clone, PartialEq, Debug)]
    pub struct Node {
        pub label: &'static str,
        pub next: Option<Box<Self>>,
        pub r#type: u8,
        pub(crate) secret: u8,
        _padding: (),
    }

    #[derive(Fields, Clone, PartialEq, Debug)]
    pub struct Empty {}

    impl NodeStore {
        pub fn padding_is_private(&self) {
            self.set_padding(());
        }
    }

    #[test]
    fn self_raw_and_private_fields() {
        let node = NodeStore::new(Node {
            label: "a",
            next: None,
            r#type: 0,
            secret: 0,
            _padding: (),
        });
        node.set_next(Some(Box::new(node.get())));
        assert_eq!(node.next().map(|n| n.label), Some("a"));
        node.set_type(3);
        assert_eq!(node.r#type(), 3);
        node.update_secret(|s| s + 1);
        assert_eq!(node.secret(), 1);
        node.padding_is_private();
        assert_eq!(
            Node::KEYS,
            [
                NodeKey::Label,
                NodeKey::Next,
                NodeKey::Type,
                NodeKey::Secret,
                NodeKey::Padding
            ]
        );
    }

    #[test]
    fn an_empty_struct_is_a_store_that_never_changes() {
        let empty = EmptyStore::new(Empty {});
        let _sub = empty.listen(|_, _, _| unreachable!());
        empty.set(Empty {});
        assert!(Empty::KEYS.is_empty());
    }
}
