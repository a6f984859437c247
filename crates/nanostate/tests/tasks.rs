//! Tasks under tokio: the SSR shape (mount a store whose `on_mount` loads
//! data in a task, wait for `all_tasks`, read the loaded value). One test
//! binary of its own: the task counter is process-wide.
#![cfg(feature = "tokio")]

use std::sync::Arc;
use std::time::Duration;

use nanostate::runtime::{set_runtime, TokioRuntime};
use nanostate::*;

#[derive(Clone, Debug, PartialEq)]
enum Page {
    Loading,
    Loaded(Vec<String>),
}

static POSTS: Atom<Page> = atom(Page::Loading);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssr_waits_for_data_loaded_in_on_mount_then_reads_it() {
    set_runtime(Arc::new(TokioRuntime::current()));
    on_mount(&POSTS, |_| {
        spawn_task(async {
            tokio::time::sleep(Duration::from_millis(20)).await; // "fetch"
            POSTS.set(Page::Loaded(vec!["hello".into(), "world".into()]));
        });
    })
    .keep();

    // Rendering reads the store: this mounts it and starts the load.
    assert_eq!(POSTS.get(), Page::Loading);
    all_tasks().await;
    assert_eq!(
        POSTS.get(),
        Page::Loaded(vec!["hello".into(), "world".into()])
    );

    // Nested tasks extend the wait; a task's result comes back to its caller.
    let order = Arc::new(std::sync::Mutex::new(String::new()));
    let o = order.clone();
    spawn_task(async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let o2 = o.clone();
        let five = task(async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            o2.lock().unwrap().push('b');
            5
        })
        .await;
        assert_eq!(five, 5);
        o.lock().unwrap().push('a');
    });
    all_tasks().await;
    assert_eq!(*order.lock().unwrap(), "ba");
    assert_eq!(running_tasks(), 0);

    // A panicking task ends too (its guard drops while unwinding).
    let handle = tokio::spawn(task(async { panic!("load failed") }));
    assert!(handle.await.is_err());
    tokio::time::timeout(Duration::from_secs(5), all_tasks())
        .await
        .expect("all_tasks resolves after a failed task");

    // Timers of the tokio runtime drive unmount delays.
    let a = Atom::new(0);
    let unmounted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let u = unmounted.clone();
    a.set_unmount_delay(Duration::from_millis(10));
    on_mount(&a, move |_| {
        let u = u.clone();
        move || u.store(true, std::sync::atomic::Ordering::SeqCst)
    })
    .keep();
    drop(a.listen(|_, _| {}));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(unmounted.load(std::sync::atomic::Ordering::SeqCst));
}
