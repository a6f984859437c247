//! Invariant failures (`fail`, `ensure!`) and the checks at quiescent points.

use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

use nanostate::{running_tasks, Atom};

use crate::stores::{
    handles, COUNTER, DOUBLED, EFFECT_CLEANUPS, EFFECT_RUNS, KEY_SUM, LAST, OWNED, PAIR, PHASE_NO,
    TOTALS,
};
use crate::workloads::Tally;
use crate::{KEYS, SETTLE_LIMIT, THREADS};

/// Prints the broken invariant and exits with status 1.
pub(crate) fn fail(invariant: &str, detail: std::fmt::Arguments<'_>) -> ! {
    eprintln!(
        "soak: FAILED in phase {}: invariant broken: {invariant}\n  {detail}",
        PHASE_NO.load(SeqCst)
    );
    std::process::exit(1)
}

/// `ensure!(condition, "invariant", "detail format", args…)`.
macro_rules! ensure {
    ($cond:expr, $invariant:expr, $($detail:tt)+) => {
        if !$cond {
            $crate::checks::fail($invariant, format_args!($($detail)+))
        }
    };
}
pub(crate) use ensure;

/// A computed over a shared, only-growing counter never shows a value the
/// counter did not have yet.
pub(crate) fn check_doubled(v: u64) {
    let counter = COUNTER.get();
    ensure!(
        v % 2 == 0 && v / 2 <= counter,
        "a computed over a shared counter shows a value the counter had",
        "DOUBLED = {v}, COUNTER = {counter}"
    );
}

/// Cumulative expectations, and totals for the report.
#[derive(Default)]
pub(crate) struct Expected {
    pub(crate) counter: u64,
    handle: u64,
    keys: [u64; KEYS],
    owned: [Option<u64>; THREADS],
    pub(crate) ops: u64,
    pub(crate) batches: u64,
    pub(crate) graphs: u64,
    pub(crate) effects: u64,
}

impl Expected {
    pub(crate) fn merge(&mut self, tallies: &[Tally]) {
        for (thread, t) in tallies.iter().enumerate() {
            self.counter += t.counter;
            self.handle += t.handle;
            for (k, v) in self.keys.iter_mut().zip(t.keys) {
                *k += v;
            }
            if t.owned.is_some() {
                self.owned[thread] = t.owned;
            }
            self.ops += t.ops;
            self.batches += t.batches;
            self.graphs += t.graphs;
            self.effects += t.effects;
        }
    }
}

/// Polls `pending` (which describes what is still wrong) until it returns
/// `None`; fails if that takes longer than [`SETTLE_LIMIT`].
fn settle(invariant: &str, mut pending: impl FnMut() -> Option<String>) {
    let start = Instant::now();
    while let Some(detail) = pending() {
        ensure!(
            start.elapsed() < SETTLE_LIMIT,
            invariant,
            "not reached {SETTLE_LIMIT:?} after the phase ended: {detail}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The checks at the quiescent point after a phase: exact totals, listener
/// counts back to zero, one cleanup per mount and per effect run, no task.
pub(crate) fn check_quiescent(expected: &Expected, tallies: &[Tally]) {
    let h = handles();
    let exact = "exact totals: every write is counted once";
    let got = (COUNTER.get(), h.counter.get());
    ensure!(
        got == (expected.counter, expected.handle),
        exact,
        "counters (static, handle) are {got:?}, expected {:?}",
        (expected.counter, expected.handle)
    );
    for (k, want) in expected.keys.iter().enumerate() {
        let got = (TOTALS.get_key(&(k as u32)), h.totals.get_key(&(k as u32)));
        ensure!(
            got.0.unwrap_or(0) == *want && got.1.unwrap_or(0) == *want,
            exact,
            "map key {k} (static, handle) is {got:?}, expected {want}"
        );
    }
    for (t, want) in expected.owned.iter().enumerate() {
        let got = OWNED.get_key(&t);
        ensure!(
            want.is_none() || got == *want,
            "the last set_key of a key wins",
            "key {t} is {got:?}, expected {want:?}"
        );
    }
    let (doubled, key_sum) = (DOUBLED.get(), KEY_SUM.get());
    let key_total: u64 = expected.keys.iter().sum();
    ensure!(
        doubled == 2 * expected.counter && key_sum == key_total,
        "computed stores are up to date after concurrent writes",
        "DOUBLED = {doubled} (want {}), KEY_SUM = {key_sum} (want {key_total})",
        2 * expected.counter
    );

    settle("listener counts return to zero", || listeners_left(tallies));
    settle(
        "every mount has exactly one cleanup at quiescence",
        unbalanced_probes,
    );
    settle("every effect run has exactly one cleanup", || {
        let (r, c) = (EFFECT_RUNS.load(SeqCst), EFFECT_CLEANUPS.load(SeqCst));
        (r != c).then(|| format!("{r} runs, {c} cleanups"))
    });
    let tasks = running_tasks();
    ensure!(
        tasks == 0,
        "every task guard ends its task",
        "{tasks} tasks still running"
    );
}

/// The stores that still have listeners, with their counts.
fn listeners_left(tallies: &[Tally]) -> Option<String> {
    let h = handles();
    let mut counts = vec![
        ("COUNTER", COUNTER.listener_count()),
        ("TOTALS", TOTALS.listener_count()),
        ("OWNED", OWNED.listener_count()),
        ("PAIR", PAIR.listener_count()),
        ("LAST", LAST.listener_count()),
        ("DOUBLED", DOUBLED.listener_count()),
        ("KEY_SUM", KEY_SUM.listener_count()),
        ("handle counter", h.counter.listener_count()),
        ("handle totals", h.totals.listener_count()),
    ];
    counts.extend(h.probes.iter().map(|p| (p.name, (p.listeners)())));
    let retired: usize = tallies
        .iter()
        .flat_map(|t| &t.retired)
        .map(Atom::listener_count)
        .sum();
    counts.push(("private graph atoms", retired));
    counts.retain(|(_, n)| *n != 0);
    (!counts.is_empty()).then(|| format!("{counts:?}"))
}

/// Mount probes as `(store, mounts, cleanups)` where the two differ.
fn unbalanced_probes() -> Option<String> {
    let unbalanced: Vec<_> = handles()
        .probes
        .iter()
        .map(|p| (p.name, p.mounts.load(SeqCst), p.cleanups.load(SeqCst)))
        .filter(|(_, m, c)| m != c)
        .collect();
    (!unbalanced.is_empty()).then(|| format!("(store, mounts, cleanups): {unbalanced:?}"))
}
