//! The per-worker state, the table of workloads and the phase runner.

use std::time::Instant;

use nanostate::Atom;

use crate::checks::fail;
use crate::graphs::{computed_graphs, effects};
use crate::writes::{batches, mixed_writes, mount_cycles, subscription_churn};
use crate::{KEYS, PHASE, THREADS};

/// xorshift64*: a tiny deterministic generator (no dependency needed).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// What one worker did in one phase, merged into [`Expected`](crate::checks::Expected) by `main`.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) ops: u64,
    pub(crate) counter: u64,
    pub(crate) handle: u64,
    pub(crate) keys: [u64; KEYS],
    pub(crate) owned: Option<u64>,
    pub(crate) batches: u64,
    pub(crate) graphs: u64,
    pub(crate) effects: u64,
    /// Private atoms of finished graphs: their listener counts must reach 0.
    pub(crate) retired: Vec<Atom<i64>>,
}

/// One worker's state inside a phase.
pub(crate) struct Ctx {
    pub(crate) thread: usize,
    pub(crate) rng: Rng,
    pub(crate) tally: Tally,
}

type Workload = fn(&mut Ctx);

/// The workloads, run in rotation by every thread (each starts elsewhere in
/// the table, so all of them run concurrently).
pub(crate) const WORKLOADS: [(&str, Workload); 6] = [
    ("mixed writes", mixed_writes),
    ("subscription churn", subscription_churn),
    ("batches", batches),
    ("mount cycles", mount_cycles),
    ("computed graphs", computed_graphs),
    ("effects", effects),
];

/// Runs one phase: every thread rotates through the workloads until the
/// phase deadline.
pub(crate) fn run_phase(phase: u64) -> Vec<Tally> {
    let deadline = Instant::now() + PHASE;
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|thread| {
                let worker = move || {
                    let seed = (phase * THREADS as u64 + thread as u64) ^ 0x9e37_79b9_7f4a_7c15;
                    let mut cx = Ctx {
                        thread,
                        rng: Rng(seed | 1),
                        tally: Tally::default(),
                    };
                    let mut round = thread;
                    while Instant::now() < deadline {
                        (WORKLOADS[round % WORKLOADS.len()].1)(&mut cx);
                        round += 1;
                    }
                    cx.tally
                };
                std::thread::Builder::new()
                    .name(format!("soak-{thread}"))
                    .spawn_scoped(s, worker)
                    .expect("cannot start a worker thread")
            })
            .collect();
        workers
            .into_iter()
            .map(|w| match w.join() {
                Ok(tally) => tally,
                Err(_) => fail("no worker panics", format_args!("a worker panicked")),
            })
            .collect()
    })
}
