//! The six workloads. Each builds its stores outside the timed region, checks
//! that listeners really fired (so nothing was optimized away and every `set`
//! was a change), and returns an [`Outcome`].

use std::hint::black_box;

use nanostate::{Atom, Computed, Subscription};

use crate::alloc;
use crate::harness::{measure, Config, Counter, Instant, Timing};

/// What a result is measured in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    NsPerOp,
    BytesPerAtom,
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Unit::NsPerOp => "ns/op",
            Unit::BytesPerAtom => "bytes/atom",
        }
    }
}

/// One workload's result.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub id: &'static str,
    pub title: &'static str,
    pub unit: Unit,
    /// Median ns per operation, or bytes per atom.
    pub value: f64,
    /// Lowest and highest repetition (timed workloads only).
    pub spread: Option<(f64, f64)>,
    /// The target: `value` must be at most this.
    pub target: f64,
    pub ops: u64,
    pub reps: usize,
    /// What was verified, and other details.
    pub notes: String,
}

impl Outcome {
    pub fn pass(&self) -> bool {
        self.value <= self.target
    }

    fn timed(id: &'static str, title: &'static str, target: f64, t: &Timing) -> Self {
        Outcome {
            id,
            title,
            unit: Unit::NsPerOp,
            value: t.median_ns,
            spread: Some((t.min_ns, t.max_ns)),
            target,
            ops: t.ops,
            reps: t.reps,
            notes: String::new(),
        }
    }
}

/// A workload: runs with a configuration, returns its outcome.
pub type Workload = fn(&Config) -> Outcome;

/// All workloads, in the order they are reported.
pub const ALL: [(&str, Workload); 6] = [
    ("W1", w1_atom_one_listener),
    ("W2", w2_atom_hundred_listeners),
    ("W3", w3_computed_chain),
    ("W4", w4_diamond),
    ("W5", w5_lifecycle),
    ("W6", w6_memory),
];

/// Fails the run with a message naming the workload.
fn check(id: &str, what: &str, expected: u64, actual: u64) {
    assert!(
        expected == actual,
        "{id} check failed: {what}: expected {expected}, got {actual}"
    );
}

// ----- W1 -----------------------------------------------------------------

/// W1: `set` on an atom with one listener; every set changes the value.
pub fn w1_atom_one_listener(cfg: &Config) -> Outcome {
    static CALLS: Counter = Counter::new();
    let store = Atom::new(0u64);
    let _sub = store.listen(|new, _old| {
        black_box(new);
        CALLS.bump();
    });
    let mut next = 0u64;
    let t = measure(cfg, cfg.ops(1_000_000), |n| {
        let start = Instant::now();
        for _ in 0..n {
            next += 1;
            store.set(black_box(next));
        }
        start.elapsed()
    });
    check("W1", "listener calls", t.total_ops, CALLS.get());
    check("W1", "final value", next, store.get());
    let mut out = Outcome::timed("W1", "atom.set, 1 listener", 15.0, &t);
    out.notes = format!("{} listener calls verified", CALLS.get());
    out
}

// ----- W2 -----------------------------------------------------------------

/// W2: `set` on an atom with 100 listeners.
pub fn w2_atom_hundred_listeners(cfg: &Config) -> Outcome {
    const LISTENERS: u64 = 100;
    static CALLS: Counter = Counter::new();
    let store = Atom::new(0u64);
    let _subs: Vec<Subscription> = (0..LISTENERS)
        .map(|_| {
            store.listen(|new, _old| {
                black_box(new);
                CALLS.bump();
            })
        })
        .collect();
    let mut next = 0u64;
    let t = measure(cfg, cfg.ops(100_000), |n| {
        let start = Instant::now();
        for _ in 0..n {
            next += 1;
            store.set(black_box(next));
        }
        start.elapsed()
    });
    check("W2", "listener calls", t.total_ops * LISTENERS, CALLS.get());
    let mut out = Outcome::timed("W2", "atom.set, 100 listeners", 250.0, &t);
    out.notes = format!("{} listener calls verified", CALLS.get());
    out
}

// ----- W3 -----------------------------------------------------------------

/// W3: atom → 10 chained computed stores (each previous + 1) → 1 listener.
pub fn w3_computed_chain(cfg: &Config) -> Outcome {
    const DEPTH: u64 = 10;
    static CALLS: Counter = Counter::new();
    let store = Atom::new(0u64);
    let mut chain: Vec<Computed<u64>> = vec![Computed::new(&store, |v| v + 1)];
    for _ in 1..DEPTH {
        let next = Computed::new(chain.last().expect("non-empty"), |v| v + 1);
        chain.push(next);
    }
    let last = chain.last().expect("non-empty").clone();
    let _sub = last.listen(|new, _old| {
        black_box(new);
        CALLS.bump();
    });
    let mut next = 0u64;
    let t = measure(cfg, cfg.ops(100_000), |n| {
        let start = Instant::now();
        for _ in 0..n {
            next += 1;
            store.set(black_box(next));
        }
        start.elapsed()
    });
    check("W3", "listener calls", t.total_ops, CALLS.get());
    check("W3", "last computed value", next + DEPTH, last.get());
    let mut out = Outcome::timed("W3", "10-computed chain, 1 listener", 200.0, &t);
    out.notes = format!("{} listener calls verified", CALLS.get());
    out
}

// ----- W4 -----------------------------------------------------------------

/// W4: diamond — atom → 100 computed (each reads the atom) → 1 sum computed
/// (`Computed::many`) → 1 listener. The listener must fire exactly once per
/// set (glitch-free).
pub fn w4_diamond(cfg: &Config) -> Outcome {
    const WIDTH: u64 = 100;
    static CALLS: Counter = Counter::new();
    let store = Atom::new(0u64);
    let mids: Vec<Computed<u64>> = (0..WIDTH)
        .map(|k| Computed::new(&store, move |v| v + k))
        .collect();
    let sum = Computed::many(&mids, |args| args.iter().sum::<u64>());
    let _sub = sum.listen(|new, _old| {
        black_box(new);
        CALLS.bump();
    });
    let expected_sum = |x: u64| WIDTH * x + WIDTH * (WIDTH - 1) / 2;

    // Untimed check, set by set: exactly one listener call, with the final
    // (never a half-updated) sum.
    let mut next = 0u64;
    for set_no in 1..=1_000u64 {
        next += 1;
        let before = CALLS.get();
        store.set(next);
        let fired = CALLS.get() - before;
        assert!(
            fired == 1,
            "W4 check failed: set #{set_no} (value {next}) fired the sum listener \
             {fired} times; expected exactly 1 call per set"
        );
        check("W4", "sum after set", expected_sum(next), sum.get());
    }

    let calls_before = CALLS.get();
    let t = measure(cfg, cfg.ops(5_000), |n| {
        let start = Instant::now();
        for _ in 0..n {
            next += 1;
            store.set(black_box(next));
        }
        start.elapsed()
    });
    let fired = CALLS.get() - calls_before;
    assert!(
        fired == t.total_ops,
        "W4 check failed: {} sets fired the sum listener {fired} times; \
         expected exactly 1 call per set",
        t.total_ops
    );
    check("W4", "final sum", expected_sum(next), sum.get());
    let mut out = Outcome::timed("W4", "diamond 1→100→sum, 1 listener", 2500.0, &t);
    out.notes = format!(
        "listener calls/set = {:.3} ({fired} calls / {} sets, verified)",
        fired as f64 / t.total_ops as f64,
        t.total_ops
    );
    out
}

// ----- W5 -----------------------------------------------------------------

/// W5: create an atom, subscribe (one immediate call), unsubscribe, drop.
pub fn w5_lifecycle(cfg: &Config) -> Outcome {
    static CALLS: Counter = Counter::new();
    // Untimed check that unsubscribing really removes the listener.
    {
        let a = Atom::new(0u64);
        let sub = a.subscribe(|_, _| {});
        check(
            "W5",
            "listeners after subscribe",
            1,
            a.listener_count() as u64,
        );
        drop(sub);
        check(
            "W5",
            "listeners after unsubscribe",
            0,
            a.listener_count() as u64,
        );
    }
    let mut i = 0u64;
    let t = measure(cfg, cfg.ops(1_000_000), |n| {
        let start = Instant::now();
        for _ in 0..n {
            i += 1;
            let a = Atom::new(black_box(i));
            let sub = a.subscribe(|v, _old| {
                black_box(v);
                CALLS.bump();
            });
            drop(black_box(sub));
            drop(black_box(a));
        }
        start.elapsed()
    });
    check("W5", "subscribe calls", t.total_ops, CALLS.get());
    let mut out = Outcome::timed("W5", "new atom+subscribe+unsub+drop", 35.0, &t);
    out.notes = format!("{} subscribe calls verified", CALLS.get());
    out
}

// ----- W6 -----------------------------------------------------------------

/// W6: live heap bytes per atom with one listener (subscription kept),
/// including the `Vec` slot holding the atom handle and its subscription.
pub fn w6_memory(_cfg: &Config) -> Outcome {
    const N: usize = 10_000;
    alloc::enable();
    let before = alloc::snapshot();
    let mut keep: Vec<(Atom<u64>, Subscription)> = Vec::with_capacity(N);
    for i in 0..N {
        let a = Atom::new(i as u64);
        let sub = a.listen(|new, _old| {
            black_box(new);
        });
        keep.push((a, sub));
    }
    let keep = black_box(keep);
    let after = alloc::snapshot();
    check(
        "W6",
        "listeners",
        N as u64,
        keep.iter().map(|(a, _)| a.listener_count() as u64).sum(),
    );
    drop(keep);
    let dropped = alloc::snapshot();
    alloc::disable();

    // One more atom, to show what its allocations are (sizes requested).
    let (extra, sizes) = alloc::trace_sizes(|| {
        let a = Atom::new(0u64);
        let sub = a.listen(|new, _old| {
            black_box(new);
        });
        (a, sub)
    });
    drop(extra);
    let sizes: Vec<String> = sizes.iter().map(usize::to_string).collect();

    let bytes = (after.live_bytes - before.live_bytes) as f64 / N as f64;
    let allocs = (after.allocations - before.allocations) as f64 / N as f64;
    let slot = std::mem::size_of::<(Atom<u64>, Subscription)>();
    let leaked = dropped.live_bytes - before.live_bytes;
    Outcome {
        id: "W6",
        title: "memory per atom + 1 listener",
        unit: Unit::BytesPerAtom,
        value: bytes,
        spread: None,
        target: 150.0,
        ops: N as u64,
        reps: 1,
        notes: format!(
            "{slot} B handle+subscription in the Vec + {:.0} B behind it in {:.0} allocations \
             ({} B); {leaked} B left after drop",
            bytes - slot as f64,
            allocs - 1.0 / N as f64,
            sizes.join(" + "),
        ),
    }
}
