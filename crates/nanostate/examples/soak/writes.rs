//! Workloads on plain stores: mixed writes, listener churn, batches, mount
//! cycles.

use std::sync::atomic::Ordering::SeqCst;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nanostate::{batch, start_task, Atom, Computed, MapStore, MapValue, Subscription};

use crate::checks::{check_doubled, ensure};
use crate::stores::{handles, COUNTER, DOUBLED, KEY_SUM, LAST, OWNED, PAIR, SEQUENCE, TOTALS};
use crate::workloads::{Ctx, Rng};
use crate::{KEYS, UNMOUNT_DELAY};

/// Mixed `set`/`set_key`/`update`/`update_key` on the shared stores with
/// exact bookkeeping, plus listeners whose calls are known exactly: on a
/// private atom (every value, in order) and on this thread's own key of a
/// shared map (through `listen_keys`).
pub(crate) fn mixed_writes(cx: &mut Ctx) {
    let h = handles();
    let t = cx.thread;
    let private = Atom::new(0u64);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let _private = private.listen(move |new, old| log.lock().unwrap().push((*old, *new)));
    let owned_seen = Arc::new(Mutex::new(Vec::new()));
    let log = owned_seen.clone();
    let _owned = OWNED.listen_keys([t], move |m, _, key| {
        ensure!(
            key == Some(&t),
            "listen_keys passes only the listed key",
            "thread {t} heard key {key:?}"
        );
        log.lock().unwrap().push(m.get(&t).copied());
    });
    let _pair = PAIR.listen(|m, _, _| check_pair(m));
    let _task = start_task();
    let (mut written, mut owned_written) = (Vec::new(), Vec::new());
    let mut value = 0;
    for i in 0..64 {
        let inc = 1 + cx.rng.below(9);
        let key = cx.rng.below(KEYS as u64) as u32;
        COUNTER.update(|n| n + inc);
        h.counter.update(|n| n + inc);
        TOTALS.update_key(key, |v| Some(v.copied().unwrap_or(0) + inc));
        h.totals
            .update_key(key, |v| Some(v.copied().unwrap_or(0) + inc));
        cx.tally.counter += inc;
        cx.tally.handle += inc;
        cx.tally.keys[key as usize] += inc;
        let next = value + 1 + cx.rng.below(3);
        if i % 2 == 0 {
            private.set(next);
        } else {
            private.update(|v| v + (next - value));
        }
        written.push((value, next));
        value = next;
        let own = SEQUENCE.fetch_add(1, SeqCst) + 1;
        OWNED.set_key(t, own);
        ensure!(
            OWNED.get_key(&t) == Some(own),
            "set_key on a key only this thread writes is read back",
            "thread {t} wrote {own}, read {:?}",
            OWNED.get_key(&t)
        );
        owned_written.push(Some(own));
        cx.tally.owned = Some(own);
        LAST.set(own);
        if i % 8 == 0 {
            let v = cx.rng.below(1000);
            PAIR.set(MapValue::from([(0, v), (1, 2 * v)]));
            check_pair(&PAIR.get());
        }
        cx.tally.ops += 8;
    }
    ensure!(
        *seen.lock().unwrap() == written,
        "a listener on a thread-private atom sees exactly the values written, in order",
        "wrote {written:?}, heard {:?}",
        seen.lock().unwrap()
    );
    ensure!(
        *owned_seen.lock().unwrap() == owned_written,
        "a listen_keys listener on this thread's own key hears exactly its writes, in order",
        "wrote {owned_written:?}, heard {:?}",
        owned_seen.lock().unwrap()
    );
}

/// Whole-map writes of `{0: v, 1: 2v}` are seen whole, never torn.
fn check_pair(m: &MapValue<u8, u64>) {
    let (a, b) = (m.get(&0).copied(), m.get(&1).copied());
    ensure!(
        matches!((a, b), (Some(a), Some(b)) if b == 2 * a),
        "a whole-map set is observed as one snapshot",
        "saw {{0: {a:?}, 1: {b:?}}}"
    );
}

/// Listeners of every kind added to and removed from shared stores in a
/// random order (plus task guards); all are gone when it returns.
pub(crate) fn subscription_churn(cx: &mut Ctx) {
    let h = handles();
    let mut subs: Vec<Subscription> = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..96 {
        match cx.rng.below(10) {
            0 => subs.push(COUNTER.listen(|_, _| {})),
            1 => subs.push(DOUBLED.listen(|v, _| check_doubled(*v))),
            2 => subs.push(DOUBLED.subscribe(|v, _| check_doubled(*v))),
            3 => {
                let key = cx.rng.below(KEYS as u64) as u32;
                subs.push(TOTALS.listen_keys([key], move |_, _, changed| {
                    ensure!(
                        changed.is_none_or(|c| *c == key),
                        "listen_keys passes only the listed key",
                        "listening to {key}, heard {changed:?}"
                    );
                }));
            }
            4 => subs.push(h.counter.subscribe(|_, _| {})),
            5 => subs.push(nanostate::subscribe(&KEY_SUM, |_, _| {})),
            6 => subs.push(nanostate::listen(h.totals, |_, _| {})),
            7 => tasks.push(start_task()),
            8 => {
                COUNTER.update(|n| n + 1);
                cx.tally.counter += 1;
            }
            _ => {
                if !subs.is_empty() {
                    let i = cx.rng.below(subs.len() as u64) as usize;
                    drop(subs.swap_remove(i));
                }
                tasks.pop();
            }
        }
        cx.tally.ops += 1;
    }
}

/// Nested batches on private stores: each listener hears one call per
/// batch, after the batch, with the final value and the value from before
/// the batch (and no key, for a map).
pub(crate) fn batches(cx: &mut Ctx) {
    let x = Atom::new(0u64);
    let y = Atom::new(0u64);
    let m: MapStore<u8, u64> = MapStore::new(MapValue::new());
    let sum = Computed::new2(&x, &y, |x, y| x + y);
    sum.set_unmount_delay(UNMOUNT_DELAY);
    let xs = Arc::new(Mutex::new(Vec::new()));
    let ys = Arc::new(Mutex::new(Vec::new()));
    let ms = Arc::new(Mutex::new(Vec::new()));
    let sums = Arc::new(Mutex::new(Vec::new()));
    let (lx, ly, lm, ls) = (xs.clone(), ys.clone(), ms.clone(), sums.clone());
    let _x = x.listen(move |new, old| lx.lock().unwrap().push((*old, *new)));
    let _y = y.listen(move |new, old| ly.lock().unwrap().push((*old, *new)));
    let _m = m.listen(move |new, old, key| {
        lm.lock()
            .unwrap()
            .push((old.clone(), new.clone(), key.copied()))
    });
    let _s = sum.listen(move |new, _| ls.lock().unwrap().push(*new));
    let calls = || {
        let lens = [xs.lock().unwrap().len(), ys.lock().unwrap().len()];
        lens[0] + lens[1] + ms.lock().unwrap().len() + sums.lock().unwrap().len()
    };
    for round in 1..=16u64 {
        let (x0, y0, m0) = (x.get(), y.get(), m.get());
        let x1 = x0 + 3 + cx.rng.below(5);
        let y1 = y0 + 1 + cx.rng.below(5);
        let key = cx.rng.below(4) as u8;
        let before = calls();
        batch(|| {
            x.set(x0 + 1);
            x.update(|v| v + 1);
            batch(|| {
                y.set(y1 + 100);
                m.set_key(key, round);
                m.update_key(key, |v| v.map(|v| v + 1000));
                x.set(x1);
                COUNTER.update(|n| n + 1);
            });
            y.set(y1);
            ensure!(
                calls() == before,
                "no listener runs before the outermost batch ends",
                "{} calls inside the batch",
                calls() - before
            );
        });
        cx.tally.counter += 1;
        let m1 = m.get();
        ensure!(
            m1.get(&key) == Some(&(round + 1000)),
            "writes inside a batch take effect",
            "map key {key} is {:?}, wanted {}",
            m1.get(&key),
            round + 1000
        );
        let got = (
            xs.lock().unwrap().last().copied(),
            ys.lock().unwrap().last().copied(),
            ms.lock().unwrap().last().cloned(),
            sums.lock().unwrap().last().copied(),
        );
        let want = (
            Some((x0, x1)),
            Some((y0, y1)),
            Some((m0, m1, None)),
            Some(x1 + y1),
        );
        ensure!(
            calls() == before + 4 && got == want,
            "one notification per batch per store, with the final value",
            "{} calls (wanted 4); last calls {got:?}, wanted {want:?}",
            calls() - before
        );
        cx.tally.ops += 10;
    }
    cx.tally.batches += 16;
}

/// Listeners come and go on the probe stores, sometimes with a pause longer
/// than the unmount delay so the timer unmounts them mid-phase.
pub(crate) fn mount_cycles(cx: &mut Ctx) {
    let probes = &handles().probes;
    let pick = |rng: &mut Rng| probes[rng.below(probes.len() as u64) as usize];
    for _ in 0..12 {
        let p = pick(&mut cx.rng);
        let first = (p.listen)();
        let second = (cx.rng.below(2) == 0).then(|| (pick(&mut cx.rng).listen)());
        match cx.rng.below(4) {
            0 => (p.read)(),
            1 => std::thread::yield_now(),
            _ => {}
        }
        drop(second);
        drop(first);
        if cx.rng.below(3) == 0 {
            (p.read)(); // a read without listeners mounts for a moment
        }
        for p in probes {
            p.check_balance();
        }
        if cx.rng.below(4) == 0 {
            std::thread::sleep(UNMOUNT_DELAY + Duration::from_millis(1));
        }
        cx.tally.ops += 3;
    }
}
