//! Catalogue §2.9 (tasks T1–T5). Rust futures report failure through their
//! output (`Result`) and a panic ends the task while unwinding.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use nanostate::runtime::block_on;
use nanostate::*;

#[test]
fn t1_all_tasks_with_nothing_running_resolves() {
    block_on(all_tasks());
}

#[test]
fn t2_all_tasks_waits_for_nested_tasks_started_while_waiting() {
    let log = Arc::new(Mutex::new(String::new()));
    let outer = start_task();
    let l = log.clone();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(5));
        let l2 = l.clone();
        let inner = task(async move {
            l2.lock().unwrap().push('b');
            5
        });
        // The inner task is counted before the outer one ends.
        drop(outer);
        assert_eq!(block_on(inner), 5);
        l.lock().unwrap().push('a');
    });
    block_on(all_tasks());
    // `a` is pushed after the inner task ended; wait for it.
    while log.lock().unwrap().len() < 2 {
        std::thread::yield_now();
    }
    assert_eq!(*log.lock().unwrap(), "ba");
}

#[test]
fn t3_a_failing_task_returns_its_error_and_ends() {
    #[derive(Debug, PartialEq)]
    struct LoadError;
    let result: Result<u8, LoadError> = block_on(task(async { Err(LoadError) }));
    assert_eq!(result, Err(LoadError));
    block_on(all_tasks());
}

#[test]
fn t4_a_task_returns_its_value() {
    assert_eq!(block_on(task(async { 5 })), 5);
}

#[test]
fn t5_a_panicking_task_ends_and_all_tasks_still_resolves() {
    let result = catch_unwind(AssertUnwindSafe(|| block_on(task(async { panic!("E") }))));
    assert!(result.is_err());
    block_on(all_tasks());
}

#[test]
fn dropping_an_unfinished_task_ends_it() {
    let pending = task(std::future::pending::<()>());
    drop(pending);
    block_on(all_tasks());
}
