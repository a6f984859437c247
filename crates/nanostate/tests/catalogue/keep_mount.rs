//! §2.5 keepMount (K1).

use nanostate::{keep_mount, on_mount, Atom, Store};

use crate::support::{clock, Log};

#[test]
fn k1_keep_mount_mounts_the_store_and_keeps_it_mounted() {
    let clock = clock();
    let events = Log::new();
    let store: Atom<Option<i32>> = Atom::new(None);
    let log = events.clone();
    on_mount(&store, move |_| {
        log.push("init");
        let log = log.clone();
        move || log.push("destroy")
    })
    .keep();

    keep_mount(&store);
    assert_eq!(events.all(), ["init"]);
    assert_eq!(Store::listener_count(&store), 1);

    clock.run_all();
    assert_eq!(events.all(), ["init"]);
}
