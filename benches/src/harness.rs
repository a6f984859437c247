//! A small timing harness: warm-up, several timed repetitions, median.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[cfg(not(target_arch = "wasm32"))]
pub use std::time::Instant;

#[cfg(target_arch = "wasm32")]
pub use wasm_clock::Instant;

/// `std::time::Instant` does not exist on `wasm32-unknown-unknown`; the
/// host passes in its clock (`performance.now()`, in milliseconds).
#[cfg(target_arch = "wasm32")]
mod wasm_clock {
    use std::time::Duration;

    #[link(wasm_import_module = "nanostate_bench")]
    extern "C" {
        fn now_ms() -> f64;
    }

    /// A point in time read from the host's clock.
    #[derive(Clone, Copy, Debug)]
    pub struct Instant(f64);

    impl Instant {
        pub fn now() -> Self {
            // SAFETY: an imported host function with no arguments that
            // returns a number; it touches no Rust memory.
            Instant(unsafe { now_ms() })
        }

        pub fn elapsed(&self) -> Duration {
            Duration::from_secs_f64((Self::now().0 - self.0).max(0.0) / 1000.0)
        }
    }
}

/// How long to run.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// `--quick`: a smoke test (a fraction of the operations, fewer reps).
    pub quick: bool,
}

impl Config {
    /// Operations per repetition: `full` normally, a twentieth in quick mode.
    pub fn ops(&self, full: u64) -> u64 {
        if self.quick {
            (full / 20).max(1)
        } else {
            full
        }
    }

    /// Timed repetitions (after the warm-up ones).
    pub fn reps(&self) -> usize {
        if self.quick {
            3
        } else {
            9
        }
    }

    /// Untimed warm-up repetitions.
    pub fn warmups(&self) -> usize {
        1
    }
}

/// Result of timing one workload, per operation.
#[derive(Clone, Debug)]
pub struct Timing {
    pub median_ns: f64,
    pub min_ns: f64,
    pub max_ns: f64,
    /// Operations per repetition.
    pub ops: u64,
    pub reps: usize,
    /// Operations run in total, warm-up included (to check listener counts).
    pub total_ops: u64,
}

/// Runs `rep(ops)` `warmups` times untimed, then `reps` times, and returns
/// the median, min and max of `elapsed / ops`. `rep` performs `ops`
/// operations and returns how long they took (setup excluded).
pub fn measure(cfg: &Config, ops: u64, mut rep: impl FnMut(u64) -> Duration) -> Timing {
    for _ in 0..cfg.warmups() {
        rep(ops);
    }
    let reps = cfg.reps();
    let mut per_op: Vec<f64> = (0..reps)
        .map(|_| rep(ops).as_nanos() as f64 / ops as f64)
        .collect();
    per_op.sort_by(f64::total_cmp);
    Timing {
        median_ns: median(&per_op),
        min_ns: per_op[0],
        max_ns: per_op[per_op.len() - 1],
        ops,
        reps,
        total_ops: ops * (reps + cfg.warmups()) as u64,
    }
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// A listener-call counter. Listeners run on the thread that wrote the store,
/// and every workload writes from the main thread only, so a plain
/// load-then-store (no atomic read-modify-write, no `lock` prefix) is exact
/// and keeps the counting cost out of the nanosecond-scale measurements.
pub struct Counter(AtomicU64);

impl Counter {
    pub const fn new() -> Self {
        Counter(AtomicU64::new(0))
    }

    #[inline(always)]
    pub fn bump(&self) {
        self.0
            .store(self.0.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}
