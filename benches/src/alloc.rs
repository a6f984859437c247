//! A global allocator that counts live heap bytes, for W6.
//!
//! Counting is switched off by default: the timed workloads (W1–W5) then pay
//! one relaxed load of a flag per allocation and nothing else. W6 switches it
//! on around its measurement.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};

/// Wraps the system allocator and, while enabled, records every allocation.
pub struct CountingAlloc;

static ENABLED: AtomicBool = AtomicBool::new(false);
/// Bytes allocated minus bytes freed while counting was enabled.
static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);
/// Allocations made while counting was enabled.
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
/// While set, the sizes of the first `TRACE_CAP` allocations are recorded.
static TRACING: AtomicBool = AtomicBool::new(false);
const TRACE_CAP: usize = 16;
static TRACE: [AtomicUsize; TRACE_CAP] = [const { AtomicUsize::new(0) }; TRACE_CAP];
static TRACE_LEN: AtomicUsize = AtomicUsize::new(0);

#[inline]
fn record_alloc(size: usize) {
    if ENABLED.load(Ordering::Relaxed) {
        LIVE_BYTES.fetch_add(size as isize, Ordering::Relaxed);
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        if TRACING.load(Ordering::Relaxed) {
            let i = TRACE_LEN.fetch_add(1, Ordering::Relaxed);
            if i < TRACE_CAP {
                TRACE[i].store(size, Ordering::Relaxed);
            }
        }
    }
}

#[inline]
fn record_dealloc(size: usize) {
    if ENABLED.load(Ordering::Relaxed) {
        LIVE_BYTES.fetch_sub(size as isize, Ordering::Relaxed);
    }
}

// SAFETY: this is the only `unsafe` in the benchmark crate, and it is what
// `GlobalAlloc` requires. Every method forwards its arguments unchanged to
// `System`, which upholds the `GlobalAlloc` contract; the bookkeeping around
// the calls only touches atomics (it never allocates, so it cannot recurse).
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as our caller's, forwarded as is.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            record_alloc(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as our caller's, forwarded as is.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            record_alloc(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        record_dealloc(layout.size());
        // SAFETY: `ptr` was allocated by `System` (all our allocations are)
        // with this `layout`, as the caller guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as our caller's, forwarded as is.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            record_dealloc(layout.size());
            record_alloc(new_size);
            // A resize is not a new allocation.
            if ENABLED.load(Ordering::Relaxed) {
                ALLOCATIONS.fetch_sub(1, Ordering::Relaxed);
            }
        }
        new
    }
}

/// A snapshot of the counters.
#[derive(Clone, Copy, Debug)]
pub struct Snapshot {
    pub live_bytes: isize,
    pub allocations: usize,
}

/// Starts counting (from the current totals; counters are never reset).
pub fn enable() {
    ENABLED.store(true, Ordering::SeqCst);
}

/// Stops counting.
pub fn disable() {
    ENABLED.store(false, Ordering::SeqCst);
}

pub fn snapshot() -> Snapshot {
    Snapshot {
        live_bytes: LIVE_BYTES.load(Ordering::SeqCst),
        allocations: ALLOCATIONS.load(Ordering::SeqCst),
    }
}

/// Runs `f` with counting on and returns the sizes of the (first 16)
/// allocations it made, in order. Single-threaded use only.
pub fn trace_sizes<R>(f: impl FnOnce() -> R) -> (R, Vec<usize>) {
    let was_enabled = ENABLED.swap(true, Ordering::SeqCst);
    TRACE_LEN.store(0, Ordering::SeqCst);
    TRACING.store(true, Ordering::SeqCst);
    let result = f();
    TRACING.store(false, Ordering::SeqCst);
    ENABLED.store(was_enabled, Ordering::SeqCst);
    let len = TRACE_LEN.load(Ordering::SeqCst).min(TRACE_CAP);
    let sizes = TRACE[..len]
        .iter()
        .map(|s| s.load(Ordering::SeqCst))
        .collect();
    (result, sizes)
}
