//! Local listeners hold `!Send` captures and run on their own thread.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use nanostate::*;

#[test]
fn local_listener_with_rc_capture_hears_changes_made_on_its_thread() {
    let a = Atom::new(0);
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let _sub = subscribe_local(&a, move |n, _| s.borrow_mut().push(*n));
    a.set(1);
    a.update(|n| n + 1);
    assert_eq!(*seen.borrow(), [0, 1, 2]);
}

#[test]
fn local_listener_is_not_called_for_changes_made_on_other_threads() {
    let a = Atom::new(0);
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    let _sub = listen_local(&a, move |_, _| c.set(c.get() + 1));
    let other = a.clone();
    std::thread::spawn(move || other.set(7)).join().unwrap();
    assert_eq!(calls.get(), 0);
    assert_eq!(a.get(), 7, "the write itself happened");
    a.set(8);
    assert_eq!(calls.get(), 1);
}

#[test]
fn dropping_a_local_subscription_unsubscribes_and_frees_the_closure() {
    let a = Atom::new(0);
    let token = Rc::new(());
    let held = token.clone();
    let sub = listen_local(&a, move |_, _| {
        let _ = &held;
    });
    assert_eq!((a.listener_count(), Rc::strong_count(&token)), (1, 2));
    drop(sub);
    assert_eq!((a.listener_count(), Rc::strong_count(&token)), (0, 1));
}

#[test]
fn local_listener_may_drop_its_own_subscription() {
    let a = Atom::new(0);
    let slot: Rc<RefCell<Option<LocalSubscription>>> = Rc::default();
    let calls = Rc::new(Cell::new(0));
    let (s, c) = (slot.clone(), calls.clone());
    *slot.borrow_mut() = Some(listen_local(&a, move |_, _| {
        c.set(c.get() + 1);
        s.borrow_mut().take();
    }));
    a.set(1);
    a.set(2);
    assert_eq!(calls.get(), 1);
    assert_eq!(a.listener_count(), 0);
}

#[test]
fn local_listener_on_a_map_gets_the_changed_key() {
    let m: MapStore<&str, u8> = MapStore::new(MapValue::new());
    let keys = Rc::new(RefCell::new(Vec::new()));
    let k = keys.clone();
    let _sub = listen_local(&m, move |_, key| k.borrow_mut().push(key.copied()));
    m.set_key("a", 1);
    batch(|| m.set_key("b", 2));
    assert_eq!(*keys.borrow(), [Some("a"), None]);
}

#[test]
fn local_key_listener_hears_only_listed_keys_also_in_batches_and_whole_sets() {
    let m: MapStore<&str, u8> = MapStore::new(MapValue::from([("a", 0), ("b", 0)]));
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let sub = m.listen_keys_local(["a"], move |map, key| {
        s.borrow_mut().push((map.get("a").copied(), key.copied()))
    });
    m.set_key("b", 1); // unlisted
    m.set_key("a", 1);
    batch(|| m.set_key("b", 2)); // no key, and "a" unchanged
    batch(|| m.set_key("a", 2)); // no key, but "a" changed
    m.set(MapValue::from([("a", 2), ("b", 3)])); // "a" unchanged
    m.delete_key(&"a");
    drop(sub);
    m.set_key("a", 9);
    assert_eq!(
        *seen.borrow(),
        [(Some(1), Some("a")), (Some(2), None), (None, Some("a"))]
    );
    assert_eq!(m.listener_count(), 0);
}
