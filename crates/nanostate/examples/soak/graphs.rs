//! Workloads on derived stores: computed graphs and effects.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use nanostate::{batch, effect, effect2, Atom, Computed};

use crate::checks::{check_doubled, ensure};
use crate::stores::{COUNTER, EFFECT_CLEANUPS, EFFECT_RUNS};
use crate::workloads::Ctx;
use crate::UNMOUNT_DELAY;

/// Builds a graph over two private atoms (a sum, a diamond, a chain of 5 to
/// 10) and a computed over a shared atom, subscribes to it, checks every
/// value its listeners see, then drops it. Only this thread writes the
/// private atoms, so each listener call can be checked exactly.
pub(crate) fn computed_graphs(cx: &mut Ctx) {
    let a = Atom::new(0i64);
    let b = Atom::new(0i64);
    let sum = Computed::new2(&a, &b, |a, b| a + b);
    let left = Computed::new(&a, |a| a * 2);
    let right = Computed::new(&a, |a| a * 3);
    let diamond = Computed::new2(&left, &right, |l, r| l + r);
    let len = 5 + cx.rng.below(6) as i64;
    let mut chain = vec![Computed::new(&a, |v| v + 1)];
    for _ in 1..len {
        let next = Computed::new(chain.last().expect("not empty"), |v| v + 1);
        chain.push(next);
    }
    let shared = Computed::new(&COUNTER, |n| *n);
    for c in [&sum, &left, &right, &diamond].into_iter().chain(&chain) {
        c.set_unmount_delay(UNMOUNT_DELAY);
    }
    shared.set_unmount_delay(UNMOUNT_DELAY);
    let end = chain.last().expect("not empty");

    let (a1, b1) = (a.clone(), b.clone());
    let s1 = sum.subscribe(move |v, _| {
        let (av, bv) = (a1.get(), b1.get());
        ensure!(
            *v == av + bv,
            "glitch-free: a computed a+b always equals a + b",
            "saw {v}, a = {av}, b = {bv}"
        );
    });
    let diamond_calls = Arc::new(AtomicU64::new(0));
    let (a2, dc) = (a.clone(), diamond_calls.clone());
    let s2 = diamond.subscribe(move |v, _| {
        dc.fetch_add(1, SeqCst);
        let av = a2.get();
        ensure!(
            *v == 5 * av,
            "glitch-free: a diamond (2a + 3a) always equals 5a",
            "saw {v}, a = {av}"
        );
    });
    let chain_seen = Arc::new(Mutex::new(Vec::new()));
    let log = chain_seen.clone();
    let s3 = end.subscribe(move |v, _| log.lock().unwrap().push(*v));
    let s4 = shared.listen(|v, _| check_doubled(2 * v));

    let mut a_values = vec![0];
    for i in 0..24 {
        let v = a.get() + 1 + cx.rng.below(3) as i64;
        match cx.rng.below(3) {
            0 => a.set(v),
            1 => b.update(|b| b + 1),
            _ => batch(|| {
                a.set(v - 1);
                b.update(|b| b - 1);
                a.set(v);
            }),
        }
        if a.get() == v {
            a_values.push(v);
        }
        if i % 6 == 0 {
            ensure!(
                end.get() == a.get() + len,
                "a chain of computed stores reads the current value",
                "chain of {len} over a = {} reads {}",
                a.get(),
                end.get()
            );
        }
        cx.tally.ops += 2;
    }
    let want: Vec<i64> = a_values.iter().map(|v| v + len).collect();
    ensure!(
        *chain_seen.lock().unwrap() == want,
        "a chain's listener hears each change of its source once, in order",
        "chain of {len}: wanted {want:?}, heard {:?}",
        chain_seen.lock().unwrap()
    );
    let calls = diamond_calls.load(SeqCst);
    ensure!(
        calls == a_values.len() as u64,
        "a diamond notifies once per change of its source",
        "{calls} calls for {} values",
        a_values.len()
    );
    drop((s1, s2, s3, s4));
    drop((sum, left, right, diamond, chain, shared));
    cx.tally.retired.extend([a, b]);
    cx.tally.graphs += 1;
}

/// An effect over an atom and a computed over it runs exactly once per
/// change (also in a batch, and when the change reaches it by both paths),
/// cleans up before each run and when dropped; an effect over a shared
/// store runs on every writing thread and is balanced at quiescence.
pub(crate) fn effects(cx: &mut Ctx) {
    let a = Atom::new(0i64);
    let b = Atom::new(0i64);
    let c = Computed::new2(&a, &b, |a, b| a + b);
    c.set_unmount_delay(UNMOUNT_DELAY);
    let runs = Arc::new(AtomicU64::new(0));
    let cleanups = Arc::new(AtomicU64::new(0));
    let (r, cl, b1) = (runs.clone(), cleanups.clone(), b.clone());
    let running = effect2(&a, &c, move |a, c| {
        r.fetch_add(1, SeqCst);
        EFFECT_RUNS.fetch_add(1, SeqCst);
        let bv = b1.get();
        ensure!(
            *c == a + bv,
            "an effect over a and a computed a+b sees consistent values",
            "a = {a}, c = {c}, b = {bv}"
        );
        let cl = cl.clone();
        move || {
            cl.fetch_add(1, SeqCst);
            EFFECT_CLEANUPS.fetch_add(1, SeqCst);
        }
    });
    let shared = effect(&COUNTER, |_| {
        EFFECT_RUNS.fetch_add(1, SeqCst);
        || {
            EFFECT_CLEANUPS.fetch_add(1, SeqCst);
        }
    });
    for expected in 1..=25u64 {
        let (r, cl) = (runs.load(SeqCst), cleanups.load(SeqCst));
        ensure!(
            r == expected && cl == expected - 1,
            "an effect runs once per change and cleans up before each run",
            "after {} changes: {r} runs, {cl} cleanups",
            expected - 1
        );
        match cx.rng.below(3) {
            0 => a.update(|v| v + 1),
            1 => b.update(|v| v + 1),
            _ => batch(|| {
                a.update(|v| v + 1);
                b.update(|v| v + 2);
            }),
        }
        if cx.rng.below(4) == 0 {
            COUNTER.update(|n| n + 1);
            cx.tally.counter += 1;
        }
        cx.tally.ops += 2;
    }
    drop(running);
    let (r, cl) = (runs.load(SeqCst), cleanups.load(SeqCst));
    ensure!(
        r == cl,
        "dropping an effect runs the cleanup of its last run",
        "{r} runs, {cl} cleanups"
    );
    drop(shared);
    drop(c);
    cx.tally.retired.extend([a, b]);
    cx.tally.effects += 2;
}
