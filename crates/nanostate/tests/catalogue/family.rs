//! Catalogue §2.8 (mapCreator MC1, MC2) and X28, for `Family`.
//! Adapted: a family's `init` gets the store and its id (extra JS call
//! arguments become part of what `build` or `init` looks up).

use nanostate::*;

use crate::support::{clock, Rec};

type User = MapStore<&'static str, String>;

fn users(log: &Rec<String>) -> Family<String, User> {
    let log = log.clone();
    Family::new(
        |id: &String| MapStore::new([("id", id.clone())].into()),
        move |user: &User, id: &String| {
            log.push(format!("init-{id}"));
            user.set_key("name", "John".into());
            let (log, id) = (log.clone(), id.clone());
            move || log.push(format!("destroy-{id}"))
        },
    )
}

#[test]
fn mc1_family_caches_by_id_inits_on_mount_and_rebuilds_after_clean() {
    let _clock = clock();
    let log = Rec::<String>::new();
    let family = users(&log);
    let user1 = family.get("1".into());
    assert!(family.get("1".into()).ptr_eq(&user1));
    let user2 = family.get("2".into());
    assert!(!user2.ptr_eq(&user1));
    assert!(log.all().is_empty(), "init waits for a mount");

    let _l1 = user1.listen(|_, _, _| {});
    let _l2 = user2.listen(|_, _, _| {});
    assert_eq!(
        user1.get(),
        MapValue::from([("id", "1".to_string()), ("name", "John".to_string())])
    );
    assert_eq!(log.take(), ["init-1", "init-2"]);

    clean_stores(&[&user1]);
    assert_eq!(log.take(), ["destroy-1"]);
    let fresh = family.get("1".into());
    assert!(!fresh.ptr_eq(&user1), "a cleaned store is evicted");
    let _l3 = fresh.listen(|_, _, _| {});
    assert_eq!(log.take(), ["init-1"]);

    clean_stores(&[&family]);
    let mut destroyed = log.take();
    destroyed.sort(); // the cache has no order
    assert_eq!(destroyed, ["destroy-1", "destroy-2"]);
    assert!(family.is_empty());
}

#[test]
fn mc2_cleaning_the_family_destroys_mounted_stores() {
    let _clock = clock();
    let log = Rec::<String>::new();
    let family = users(&log);
    let user = family.get("1".into());
    let _l = user.listen(|_, _, _| {});
    assert_eq!(user.get_key(&"name").as_deref(), Some("John"));
    clean_stores(&[&family]);
    assert_eq!(log.take(), ["init-1", "destroy-1"]);
    assert!(family.is_empty());
}

#[test]
fn x28_get_without_listeners_inits_and_the_id_is_evicted_after_the_delay() {
    let clock = clock();
    let log = Rec::<String>::new();
    let family = users(&log);
    let user = family.get("1".into());
    assert_eq!(user.get_key(&"name").as_deref(), Some("John"));
    assert_eq!(log.take(), ["init-1"]);
    assert!(family.contains(&"1".to_string()));
    clock.advance(1000);
    assert_eq!(log.take(), ["destroy-1"]);
    assert!(!family.contains(&"1".to_string()));
}
