//! A model, not a product: what the workloads W1–W6 would cost if stores
//! were single-threaded (`Rc` and `Cell` instead of `Arc`, `Mutex` and
//! atomics), with everything else kept as nanostate does it.
//!
//! ```text
//! cargo run --release -p nanostate-benches --bin single-thread-model
//! ```
//!
//! It exists to put a number on a design choice (see `benches/README.md`,
//! "Thread safety's share"). It keeps what costs time in nanostate:
//!
//! - values are shared snapshots (`Rc<T>`, one allocation per change);
//! - listeners get `(&new, &old)` with no borrow held, so they may write
//!   any store; each has an `active` flag checked before every call;
//! - one breadth-first queue per thread, drained by the first writer; a
//!   queued call to a computed store's run carries no values;
//! - computed stores are lazy and glitch-free: a global epoch, a version per
//!   store, arguments compared by snapshot, type-erased values (`dyn Any`);
//! - a subscription is a type-erased guard holding a weak store reference.
//!
//! It leaves out what costs nothing on these workloads (lifecycle hooks,
//! `batch`, keyed stores, panic isolation, unmounting computed stores). Its
//! numbers are therefore a lower bound for a single-threaded nanostate.
//! The same checks as the real workloads run (listener calls, final values,
//! one call per set in W4).

mod alloc;
mod harness;

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::hint::black_box;
use std::rc::{Rc, Weak};

use harness::{measure, Config, Counter, Instant, Timing};

#[global_allocator]
static GLOBAL: alloc::CountingAlloc = alloc::CountingAlloc;

type AnyValue = Rc<dyn Any>;

thread_local! {
    static EPOCH: Cell<u64> = const { Cell::new(0) };
    static QUEUE: RefCell<VecDeque<Pending>> = const { RefCell::new(VecDeque::new()) };
    static DRAINING: Cell<bool> = const { Cell::new(false) };
}

/// Listener calls, checked after each workload.
static CALLS: Counter = Counter::new();

fn epoch() -> u64 {
    EPOCH.with(Cell::get)
}

// ----- listeners and the queue ----------------------------------------------

struct Slot<T> {
    active: Cell<bool>,
    store: Weak<Core<T>>,
    f: Listener<T>,
}

/// A listener that sees the new and the old value.
type ValuesFn<T> = Box<dyn Fn(&T, &T)>;

enum Listener<T> {
    Values(ValuesFn<T>),
    /// A computed store's run: reads what it needs itself.
    Bare(Rc<dyn Fn()>),
}

impl<T> Slot<T> {
    fn call(&self, new: &T, old: &T) {
        if self.active.get() {
            match &self.f {
                Listener::Values(f) => f(new, old),
                Listener::Bare(f) => f(),
            }
        }
    }
}

enum Listeners<T> {
    None,
    One(Rc<Slot<T>>),
    Many(Rc<[Rc<Slot<T>>]>),
}

impl<T> Listeners<T> {
    fn slots(&self) -> &[Rc<Slot<T>>] {
        match self {
            Listeners::None => &[],
            Listeners::One(slot) => std::slice::from_ref(slot),
            Listeners::Many(slots) => slots,
        }
    }

    fn snapshot(&self) -> Self {
        match self {
            Listeners::None => Listeners::None,
            Listeners::One(slot) => Listeners::One(slot.clone()),
            Listeners::Many(slots) => Listeners::Many(slots.clone()),
        }
    }

    fn from_vec(mut slots: Vec<Rc<Slot<T>>>) -> Self {
        match slots.len() {
            0 => Listeners::None,
            1 => Listeners::One(slots.remove(0)),
            _ => Listeners::Many(slots.into()),
        }
    }
}

/// One change waiting in the queue: the snapshots and the listener index.
struct Round<T> {
    new: Rc<T>,
    old: Rc<T>,
    slots: Listeners<T>,
}

trait Deliver {
    fn deliver(&self, index: usize);
}

impl<T> Deliver for Round<T> {
    fn deliver(&self, index: usize) {
        self.slots.slots()[index].call(&self.new, &self.old);
    }
}

/// A queued call to a bare listener needs no round (as in nanostate).
trait CallBare {
    fn call_bare(&self);
}

impl<T> CallBare for Slot<T> {
    fn call_bare(&self) {
        if let (true, Listener::Bare(f)) = (self.active.get(), &self.f) {
            f();
        }
    }
}

enum Pending {
    Round(Rc<dyn Deliver>, usize),
    Bare(Rc<dyn CallBare>),
}

fn drain() {
    DRAINING.with(|d| d.set(true));
    while let Some(pending) = QUEUE.with(|q| q.borrow_mut().pop_front()) {
        match pending {
            Pending::Round(round, index) => round.deliver(index),
            Pending::Bare(slot) => slot.call_bare(),
        }
    }
    DRAINING.with(|d| d.set(false));
}

// ----- the store core -------------------------------------------------------

struct Core<T> {
    value: RefCell<Option<Rc<T>>>,
    version: Cell<u64>,
    listeners: RefCell<Listeners<T>>,
    this: Weak<Core<T>>,
}

impl<T: PartialEq + 'static> Core<T> {
    fn new(value: Option<T>) -> Rc<Self> {
        Rc::new_cyclic(|this| Core {
            value: RefCell::new(value.map(Rc::new)),
            version: Cell::new(0),
            listeners: RefCell::new(Listeners::None),
            this: this.clone(),
        })
    }

    /// Replaces the value unless equal, then calls or queues the listeners.
    fn replace(&self, value: T) {
        if self.value.borrow().as_deref() == Some(&value) {
            return;
        }
        let new = Rc::new(value);
        let old = self.value.replace(Some(new.clone()));
        self.version.set(self.version.get() + 1);
        EPOCH.with(|e| e.set(e.get() + 1));
        let slots = self.listeners.borrow().snapshot();
        if slots.slots().is_empty() {
            return;
        }
        let old = old.unwrap_or_else(|| new.clone());
        let bare_only = slots
            .slots()
            .iter()
            .all(|s| matches!(s.f, Listener::Bare(_)));
        if DRAINING.with(Cell::get) && bare_only {
            QUEUE.with(|q| {
                let mut q = q.borrow_mut();
                for slot in slots.slots() {
                    q.push_back(Pending::Bare(slot.clone()));
                }
            });
        } else if DRAINING.with(Cell::get) {
            let count = slots.slots().len();
            let round: Rc<dyn Deliver> = Rc::new(Round { new, old, slots });
            QUEUE.with(|q| {
                let mut q = q.borrow_mut();
                for index in 0..count {
                    q.push_back(Pending::Round(round.clone(), index));
                }
            });
        } else {
            DRAINING.with(|d| d.set(true));
            for slot in slots.slots() {
                slot.call(&new, &old);
            }
            drain();
        }
    }

    fn add(&self, f: Listener<T>) -> Rc<Slot<T>> {
        let slot = Rc::new(Slot {
            active: Cell::new(true),
            store: self.this.clone(),
            f,
        });
        let mut listeners = self.listeners.borrow_mut();
        *listeners = match &*listeners {
            Listeners::None => Listeners::One(slot.clone()),
            other => Listeners::Many(other.slots().iter().chain([&slot]).cloned().collect()),
        };
        slot
    }

    fn remove(&self, slot: &Slot<T>) {
        let mut listeners = self.listeners.borrow_mut();
        let slots = listeners
            .slots()
            .iter()
            .filter(|s| !std::ptr::eq(Rc::as_ptr(s), slot))
            .cloned()
            .collect();
        *listeners = Listeners::from_vec(slots);
    }
}

trait Unbind {
    fn unbind(&self);
}

impl<T: PartialEq + 'static> Unbind for Slot<T> {
    fn unbind(&self) {
        self.active.set(false);
        if let Some(store) = self.store.upgrade() {
            store.remove(self);
        }
    }
}

/// Unsubscribes when dropped.
struct Subscription(Rc<dyn Unbind>);

impl Drop for Subscription {
    fn drop(&mut self) {
        self.0.unbind();
    }
}

// ----- stores ---------------------------------------------------------------

/// A store read by a computed store, type-erased.
trait Node {
    /// Brings the store up to date and returns its version.
    fn pull(&self) -> u64;
    /// The current value and its version.
    fn read(&self) -> (u64, AnyValue);
    fn listen_bare(&self, run: Rc<dyn Fn()>) -> Subscription;
}

impl<T: PartialEq + 'static> Node for Core<T> {
    fn pull(&self) -> u64 {
        self.version.get()
    }

    fn read(&self) -> (u64, AnyValue) {
        let value = self.value.borrow().clone().expect("a value");
        (self.version.get(), value)
    }

    fn listen_bare(&self, run: Rc<dyn Fn()>) -> Subscription {
        Subscription(self.add(Listener::Bare(run)))
    }
}

struct Atom<T>(Rc<Core<T>>);

impl<T: PartialEq + 'static> Atom<T> {
    fn new(value: T) -> Self {
        Atom(Core::new(Some(value)))
    }

    fn set(&self, value: T) {
        self.0.replace(value);
    }

    fn listen(&self, f: impl Fn(&T, &T) + 'static) -> Subscription {
        Subscription(self.0.add(Listener::Values(Box::new(f))))
    }

    fn subscribe(&self, f: impl Fn(&T, &T) + 'static) -> Subscription {
        let slot = self.0.add(Listener::Values(Box::new(f)));
        let value = self.0.value.borrow().clone().expect("a value");
        slot.call(&value, &value);
        Subscription(slot)
    }

    fn node(&self) -> Rc<dyn Node> {
        self.0.clone()
    }

    fn listener_count(&self) -> usize {
        self.0.listeners.borrow().slots().len()
    }
}

type ComputeFn<T> = Box<dyn Fn(&[AnyValue]) -> T>;

struct ComputedInner<T> {
    core: Rc<Core<T>>,
    deps: Vec<Rc<dyn Node>>,
    f: ComputeFn<T>,
    args: RefCell<Vec<AnyValue>>,
    versions: Box<[Cell<u64>]>,
    epoch: Cell<u64>,
    subscriptions: RefCell<Vec<Subscription>>,
    this: Weak<ComputedInner<T>>,
}

impl<T: PartialEq + 'static> ComputedInner<T> {
    fn refresh(&self) {
        let now = epoch();
        if self.epoch.get() == now {
            return;
        }
        self.epoch.set(now);
        let has_value = self.core.value.borrow().is_some();
        let unchanged = has_value
            && self
                .deps
                .iter()
                .zip(self.versions.iter())
                .all(|(dep, seen)| dep.pull() == seen.get());
        if unchanged {
            return;
        }
        let mut args = self.args.take();
        let mut changed = !has_value || args.is_empty();
        for (index, (dep, seen)) in self.deps.iter().zip(self.versions.iter()).enumerate() {
            let (version, value) = dep.read();
            seen.set(version);
            match args.get_mut(index) {
                None => args.push(value),
                Some(slot) if !Rc::ptr_eq(slot, &value) => {
                    *slot = value;
                    changed = true;
                }
                Some(_) => {}
            }
        }
        let value = changed.then(|| (self.f)(&args));
        *self.args.borrow_mut() = args;
        if let Some(value) = value {
            self.core.replace(value);
        }
        self.epoch.set(epoch());
    }

    /// Follows the dependencies (the model never unmounts).
    fn mount(&self) {
        if !self.subscriptions.borrow().is_empty() {
            return;
        }
        let this = self.this.clone();
        let run: Rc<dyn Fn()> = Rc::new(move || {
            if let Some(inner) = this.upgrade() {
                if inner.epoch.get() != epoch() {
                    inner.refresh();
                }
            }
        });
        let subscriptions = self
            .deps
            .iter()
            .map(|dep| dep.listen_bare(run.clone()))
            .collect();
        *self.subscriptions.borrow_mut() = subscriptions;
        self.refresh();
    }
}

impl<T: PartialEq + 'static> Node for ComputedInner<T> {
    fn pull(&self) -> u64 {
        self.refresh();
        self.core.version.get()
    }

    fn read(&self) -> (u64, AnyValue) {
        self.refresh();
        self.core.read()
    }

    fn listen_bare(&self, run: Rc<dyn Fn()>) -> Subscription {
        self.mount();
        self.core.listen_bare(run)
    }
}

struct Computed<T>(Rc<ComputedInner<T>>);

impl<T: PartialEq + 'static> Computed<T> {
    fn new(deps: Vec<Rc<dyn Node>>, f: impl Fn(&[AnyValue]) -> T + 'static) -> Self {
        let count = deps.len();
        let f: ComputeFn<T> = Box::new(f);
        Computed(Rc::new_cyclic(|this| ComputedInner {
            core: Core::new(None),
            deps,
            f,
            args: RefCell::new(Vec::new()),
            versions: (0..count).map(|_| Cell::new(u64::MAX)).collect(),
            epoch: Cell::new(u64::MAX),
            subscriptions: RefCell::new(Vec::new()),
            this: this.clone(),
        }))
    }

    fn get(&self) -> Rc<dyn Any> {
        self.0.read().1
    }

    fn listen(&self, f: impl Fn(&T, &T) + 'static) -> Subscription {
        self.0.mount();
        Subscription(self.0.core.add(Listener::Values(Box::new(f))))
    }

    fn node(&self) -> Rc<dyn Node> {
        self.0.clone()
    }
}

// ----- the workloads (as in `workloads.rs`) ------------------------------------

fn check(id: &str, what: &str, expected: u64, actual: u64) {
    assert!(
        expected == actual,
        "{id} check failed: {what}: expected {expected}, got {actual}"
    );
}

fn listener(new: &u64, _old: &u64) {
    black_box(new);
    CALLS.bump();
}

/// Times writes of a running counter to `store` (`sets` per repetition);
/// returns the timing and the last value written.
fn time_sets(cfg: &Config, store: &Atom<u64>, sets: u64) -> (Timing, u64) {
    let mut next = 0u64;
    let timing = measure(cfg, cfg.ops(sets), |n| {
        let start = Instant::now();
        for _ in 0..n {
            next += 1;
            store.set(black_box(next));
        }
        start.elapsed()
    });
    (timing, next)
}

fn w1(cfg: &Config) -> Timing {
    let store = Atom::new(0u64);
    let _sub = store.listen(listener);
    let before = CALLS.get();
    let (timing, sets) = time_sets(cfg, &store, 1_000_000);
    check("W1", "listener calls", sets, CALLS.get() - before);
    timing
}

fn w2(cfg: &Config) -> Timing {
    let store = Atom::new(0u64);
    let _subs: Vec<Subscription> = (0..100).map(|_| store.listen(listener)).collect();
    let before = CALLS.get();
    let (timing, sets) = time_sets(cfg, &store, 100_000);
    check("W2", "listener calls", 100 * sets, CALLS.get() - before);
    timing
}

/// Argument `index` of a computed store over `u64` stores.
fn arg(args: &[AnyValue], index: usize) -> u64 {
    *args[index].downcast_ref::<u64>().expect("u64")
}

fn value(c: &Computed<u64>) -> u64 {
    *c.get().downcast_ref::<u64>().expect("u64")
}

fn w3(cfg: &Config) -> Timing {
    let store = Atom::new(0u64);
    let mut chain = vec![Computed::new(vec![store.node()], |a| arg(a, 0) + 1)];
    for _ in 1..10 {
        let previous = chain.last().expect("non-empty").node();
        chain.push(Computed::new(vec![previous], |a| arg(a, 0) + 1));
    }
    let last = chain.last().expect("non-empty");
    let _sub = last.listen(listener);
    let before = CALLS.get();
    let (timing, sets) = time_sets(cfg, &store, 100_000);
    check("W3", "listener calls", sets, CALLS.get() - before);
    check("W3", "last computed value", sets + 10, value(last));
    timing
}

fn w4(cfg: &Config) -> Timing {
    let store = Atom::new(0u64);
    let mids: Vec<Computed<u64>> = (0..100u64)
        .map(|k| Computed::new(vec![store.node()], move |a| arg(a, 0) + k))
        .collect();
    let sum = Computed::new(mids.iter().map(Computed::node).collect(), |a| {
        (0..a.len()).map(|i| arg(a, i)).sum()
    });
    let _sub = sum.listen(listener);
    let before = CALLS.get();
    let (timing, sets) = time_sets(cfg, &store, 5_000);
    check(
        "W4",
        "listener calls (one per set)",
        sets,
        CALLS.get() - before,
    );
    check("W4", "final sum", 100 * sets + 4950, value(&sum));
    timing
}

fn w5(cfg: &Config) -> Timing {
    measure(cfg, cfg.ops(1_000_000), |n| {
        let start = Instant::now();
        for i in 0..n {
            let store = Atom::new(black_box(i));
            let sub = store.subscribe(|new, _old| {
                black_box(new);
            });
            drop(black_box(sub));
            check(
                "W5",
                "listeners after unsubscribe",
                0,
                store.listener_count() as u64,
            );
        }
        start.elapsed()
    })
}

/// W6: live heap bytes and allocations per atom with one listener, plus
/// the sizes allocated for one such pair.
fn w6() -> (f64, f64, Vec<usize>) {
    const N: usize = 10_000;
    alloc::enable();
    let before = alloc::snapshot();
    let mut keep: Vec<(Atom<u64>, Subscription)> = Vec::with_capacity(N);
    for i in 0..N {
        let store = Atom::new(i as u64);
        let sub = store.listen(|new, _old| {
            black_box(new);
        });
        keep.push((store, sub));
    }
    let keep = black_box(keep);
    let after = alloc::snapshot();
    drop(keep);
    alloc::disable();
    let ((), sizes) = alloc::trace_sizes(|| {
        let store = Atom::new(0u64);
        drop(black_box(store.listen(listener)));
    });
    let per = |delta: f64| delta / N as f64;
    (
        per((after.live_bytes - before.live_bytes) as f64),
        per(after.allocations as f64 - before.allocations as f64),
        sizes,
    )
}

fn main() {
    let cfg = Config {
        quick: std::env::args().any(|a| a == "--quick"),
    };
    println!("single-threaded model (a lower bound; see the module docs)");
    let (bytes, allocations, sizes) = w6();
    println!(
        "W6 {bytes:>9.1} B    per atom + 1 listener, {allocations} allocations, sizes {sizes:?}"
    );
    type Workload = fn(&Config) -> Timing;
    let workloads: [(&str, Workload); 5] =
        [("W1", w1), ("W2", w2), ("W3", w3), ("W4", w4), ("W5", w5)];
    for (id, run) in workloads {
        let t = run(&cfg);
        println!(
            "{id} {:>9.1} ns   ({:.1}..{:.1}, {} reps of {} ops, {} ops in all)",
            t.median_ns, t.min_ns, t.max_ns, t.reps, t.ops, t.total_ops
        );
    }
}
