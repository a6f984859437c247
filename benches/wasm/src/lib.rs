//! The six benchmark workloads of `nanostate-benches`, compiled to
//! `wasm32-unknown-unknown` and run by node's V8 (`benches/wasm/run.mjs`),
//! the engine the JavaScript Nano Stores numbers come from.
//!
//! ```text
//! cargo xtask bench-wasm [--quick]
//! ```
//!
//! The workloads are the native ones, file for file (`../src/*.rs`); only
//! the clock differs (the host's `performance.now()`). On this target there
//! are no threads: atomic instructions compile to plain loads and stores and
//! `std::sync::Mutex` to a flag, so these numbers show what nanostate costs
//! where the framework bindings run, without the price of thread safety.
//! On a native target the crate is empty.
#![cfg(target_arch = "wasm32")]

// Shared with the native benchmark; this crate does not use all of it.
#[allow(dead_code)]
#[path = "../../src/alloc.rs"]
mod alloc;
#[allow(dead_code)]
#[path = "../../src/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../../src/workloads.rs"]
mod workloads;

use nanostate::runtime::ManualClock;

#[global_allocator]
static GLOBAL: alloc::CountingAlloc = alloc::CountingAlloc;

#[link(wasm_import_module = "nanostate_bench")]
extern "C" {
    /// Shows a failed check's message (a panic aborts, losing it otherwise).
    fn report_panic(ptr: *const u8, len: usize);
}

/// The number of workloads ([`workload_id`] and [`run`] take an index).
#[no_mangle]
extern "C" fn workload_count() -> u32 {
    workloads::ALL.len() as u32
}

/// The number in the id of workload `index` ("W1" is 1).
#[no_mangle]
extern "C" fn workload_id(index: u32) -> u32 {
    workloads::ALL[index as usize].0[1..].parse().unwrap_or(0)
}

/// Runs workload `index` (a quick run if `quick` is not 0) and returns its
/// result: nanoseconds per operation, or bytes per atom for W6.
/// A failed check reports its message to the host and traps.
#[no_mangle]
extern "C" fn run(index: u32, quick: u32) -> f64 {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        // SAFETY: the host reads `len` bytes at `ptr` during the call, while
        // `message` is alive; it keeps no reference to them.
        unsafe { report_panic(message.as_ptr(), message.len()) };
    }));
    // There is no timer thread here; the unmount timers of the computed
    // workloads go to a clock that never advances.
    let clock = ManualClock::new();
    let _installed = clock.install();
    let cfg = harness::Config { quick: quick != 0 };
    let outcome = (workloads::ALL[index as usize].1)(&cfg);
    let bytes = u32::from(outcome.unit == workloads::Unit::BytesPerAtom);
    LAST.with(|last| last.set((outcome.target, bytes)));
    outcome.value
}

/// The target of the workload [`run`] ran last, in its unit.
#[no_mangle]
extern "C" fn last_target() -> f64 {
    LAST.with(|last| last.get().0)
}

/// Whether the workload [`run`] ran last measures bytes (1) or time (0).
#[no_mangle]
extern "C" fn last_is_bytes() -> u32 {
    LAST.with(|last| last.get().1)
}

thread_local! {
    /// The target and unit of the last outcome.
    static LAST: std::cell::Cell<(f64, u32)> = const { std::cell::Cell::new((0.0, 0)) };
}
