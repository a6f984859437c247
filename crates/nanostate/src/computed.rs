//! `Computed<T>`: a read-only store derived from other stores.
//!
//! Lazy: while nobody listens it holds no subscriptions to its dependencies
//! and does no work; `get()` computes on demand. Glitch-free: every change
//! bumps a global epoch, and a refresh first pulls its dependencies up to
//! date, so a diamond recomputes each node once per change and never sees a
//! half-updated graph. The function runs only when an argument changed (the
//! same snapshot, or equal by the dependency's equality), and listeners are
//! told only when the result changed.

use std::any::Any;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use crate::atom::subscribe_core;
use crate::core::{local_bumps, next_id, Core, Kind, Node, Refresh, EPOCH};
use crate::events::NoKey;
use crate::events::Proposed;
use crate::runtime::{self, TimerId};
use crate::store::{Dep, Store};
use crate::subscription::Subscription;

pub(crate) type AnyValue = Arc<dyn Any + Send + Sync>;
type ComputeFn<T> = Box<dyn Fn(&[AnyValue]) -> T + Send + Sync>;

/// The values of a computed store's dependencies, for the run-time
/// constructors that take any number of stores.
///
/// ```
/// use nanostate::{Atom, Computed};
/// let parts: Vec<Atom<u32>> = (1..=3).map(Atom::new).collect();
/// let total = Computed::many(&parts, |args| args.iter().sum::<u32>());
/// assert_eq!(total.get(), 6);
/// ```
pub struct Args<'a, V> {
    values: &'a [AnyValue],
    _v: std::marker::PhantomData<fn() -> V>,
}

impl<'a, V: 'static> Args<'a, V> {
    /// Number of dependencies.
    ///
    /// ```
    /// # use nanostate::{Atom, Computed};
    /// let c = Computed::many(&[Atom::new(1), Atom::new(2)], |args| args.len());
    /// assert_eq!(c.get(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no dependencies.
    ///
    /// ```
    /// # use nanostate::{Atom, Computed};
    /// let none: Vec<Atom<u8>> = Vec::new();
    /// assert!(Computed::many(&none, |args| args.is_empty()).get());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value of dependency `index`.
    ///
    /// ```
    /// # use nanostate::{Atom, Computed};
    /// let c = Computed::many(&[Atom::new(7)], |args| *args.get(0).unwrap());
    /// assert_eq!(c.get(), 7);
    /// ```
    pub fn get(&self, index: usize) -> Option<&'a V> {
        self.values.get(index).and_then(|v| v.downcast_ref())
    }

    /// The values in dependency order.
    ///
    /// ```
    /// # use nanostate::{Atom, Computed};
    /// let c = Computed::many(&[Atom::new(1), Atom::new(2)], |args| args.iter().max().copied());
    /// assert_eq!(c.get(), Some(2));
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &'a V> + 'a {
        self.values.iter().filter_map(|v| v.downcast_ref())
    }
}

/// A dependency of any store type, for [`Computed::dynamic`].
///
/// ```
/// use nanostate::{Atom, Computed, MapStore, Source};
/// let n = Atom::new(2);
/// let m = MapStore::new([("a", 1)].into());
/// let c = Computed::dynamic(vec![Source::new(&n), Source::new(&m)], |args| {
///     let n: &i32 = args.get(0).unwrap();
///     let m: &nanostate::MapValue<&str, i32> = args.get(1).unwrap();
///     n * m.len() as i32
/// });
/// assert_eq!(c.get(), 2);
/// ```
#[derive(Clone)]
pub struct Source {
    pub(crate) node: Arc<dyn Node>,
}

impl Source {
    /// Wraps any store.
    ///
    /// ```
    /// let _s = nanostate::Source::new(&nanostate::Atom::new(1));
    /// ```
    pub fn new<S: Store>(store: &S) -> Self {
        Source { node: store.node() }
    }
}

/// The values given to a [`Computed::dynamic`] function.
///
/// ```
/// # use nanostate::{Atom, Computed, Source};
/// let c = Computed::dynamic(vec![Source::new(&Atom::new("x"))], |args| {
///     args.get::<&str>(0).copied().unwrap_or_default()
/// });
/// assert_eq!(c.get(), "x");
/// ```
pub struct DynArgs<'a> {
    pub(crate) values: &'a [AnyValue],
}

impl<'a> DynArgs<'a> {
    /// The value of dependency `index`, if it has type `V`.
    ///
    /// ```
    /// # use nanostate::{Atom, Computed, Source};
    /// let c = Computed::dynamic(vec![Source::new(&Atom::new(1u8))], |args| args.get::<u16>(0).is_none());
    /// assert!(c.get());
    /// ```
    pub fn get<V: 'static>(&self, index: usize) -> Option<&'a V> {
        self.values.get(index).and_then(|v| v.downcast_ref())
    }

    /// Number of dependencies.
    ///
    /// ```
    /// # use nanostate::{Atom, Computed, Source};
    /// let c = Computed::dynamic(vec![Source::new(&Atom::new(1))], |args| args.len());
    /// assert_eq!(c.get(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no dependencies.
    ///
    /// ```
    /// # use nanostate::{Computed};
    /// let c = Computed::dynamic(vec![], |args| args.is_empty());
    /// assert!(c.get());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

pub(crate) fn downcast<V: 'static>(value: &AnyValue) -> &V {
    value
        .downcast_ref()
        .expect("nanostate: a dependency value has the type it was declared with")
}

/// The store kind of a computed store: keyless, with its arguments kept
/// under its lock and a refresher.
#[doc(hidden)]
pub struct ComputedKind<T>(PhantomData<fn() -> T>);

impl<T: Send + Sync + 'static> Kind for ComputedKind<T> {
    type Value = T;
    type Key = NoKey;
    type Item = NoKey;
    type Extra = RefreshState;
    type Refresher = Weak<dyn Refresh>;
}

/// A computed store's arguments, kept under its core's lock so that
/// putting them back and committing the result take one lock.
#[doc(hidden)]
pub struct RefreshState {
    /// The dependency values the current result was computed from.
    args: Option<Vec<AnyValue>>,
    /// Counts refreshes; a result is committed only by the newest one.
    generation: u64,
}

/// Marks the recorded epoch as unknown (never refreshed, or cleaned).
const NO_EPOCH: u64 = u64::MAX;

/// Marks a dependency version as unknown.
const NO_VERSION: u64 = u64::MAX;

pub(crate) struct ComputedInner<T: Send + Sync + 'static> {
    core: Arc<Core<ComputedKind<T>>>,
    deps: Vec<Arc<dyn Node>>,
    f: ComputeFn<T>,
    /// The global epoch at the last refresh: equal means the cache is valid.
    /// Dependency listeners skip a call at once when it is current.
    epoch: AtomicU64,
    /// The generation of the last committed result.
    committed: AtomicU64,
    /// Version of each dependency when `args` were read, readable without
    /// the lock: an unchanged version means an unchanged argument.
    versions: Box<[AtomicU64]>,
    /// The value before the first computation and after `clean_stores`.
    initial: Mutex<Option<Arc<T>>>,
    batched: bool,
    timer: Mutex<Option<TimerId>>,
    this: Weak<Self>,
}

impl<T: Send + Sync + 'static> ComputedInner<T> {
    fn build(
        deps: Vec<Arc<dyn Node>>,
        f: ComputeFn<T>,
        batched: bool,
        eq: fn(&T, &T) -> bool,
    ) -> Arc<Self> {
        let versions = deps.iter().map(|_| AtomicU64::new(NO_VERSION)).collect();
        let inner = Arc::new_cyclic(|this: &Weak<Self>| ComputedInner {
            core: {
                let refresher: Weak<dyn Refresh> = this.clone();
                let state = RefreshState {
                    args: None,
                    generation: 0,
                };
                Core::build(None, eq, state, refresher)
            },
            versions,
            initial: Mutex::new(None),
            deps,
            f,
            epoch: AtomicU64::new(NO_EPOCH),
            committed: AtomicU64::new(0),
            batched,
            timer: Mutex::new(None),
            this: this.clone(),
        });
        // The computed's own mount hook, installed first (innermost): follow
        // the dependencies while mounted.
        let weak = inner.this.clone();
        let run_id = next_id();
        inner.core.on_mount(Arc::new(move |_| {
            let inner = weak.upgrade()?;
            // The dependency listeners own the store while it is mounted
            // (as the closures Nano Stores registers do); the cycle ends when
            // the unmount cleanup below drops them.
            let run: Arc<dyn Fn() + Send + Sync> = {
                let inner = inner.clone();
                Arc::new(move || {
                    // Already refreshed since the last change anywhere (a
                    // diamond notifies once per path): nothing to do.
                    if inner.epoch.load(Ordering::Acquire) == EPOCH.load(Ordering::Acquire) {
                        return;
                    }
                    inner.on_dependency_change();
                })
            };
            let subs: Vec<Subscription> = inner
                .deps
                .iter()
                .map(|dep| dep.listen_any(run_id, run.clone()))
                .collect();
            inner.refresh();
            Some(Box::new(move || drop(subs)))
        }));
        inner
    }

    /// Runs `f` on the arguments, under the core's lock.
    fn args<R>(&self, f: impl FnOnce(&mut RefreshState) -> R) -> R {
        f(&mut self.core.lock().extra)
    }

    fn on_dependency_change(&self) {
        if !self.batched {
            self.refresh();
            return;
        }
        let rt = runtime::current();
        let mut timer = self.timer.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(id) = timer.take() {
            rt.clear_timeout(id);
        }
        let weak = self.this.clone();
        *timer = Some(rt.set_timeout(
            Duration::ZERO,
            Box::new(move || {
                if let Some(inner) = weak.upgrade() {
                    inner.refresh();
                }
            }),
        ));
    }
}

thread_local! {
    /// `static` computed stores being built on this thread (by address).
    static BUILDING: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

thread_local! {
    /// Computed stores refreshing on this thread (by address), to tell a
    /// re-entrant read from one racing on another thread.
    static REFRESHING: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Marks a store as refreshing on this thread until dropped.
struct RefreshingHere(usize);

impl RefreshingHere {
    fn enter(addr: usize) -> Self {
        REFRESHING.with(|r| r.borrow_mut().push(addr));
        RefreshingHere(addr)
    }
}

impl Drop for RefreshingHere {
    fn drop(&mut self) {
        let _ = REFRESHING.try_with(|r| {
            let mut r = r.borrow_mut();
            if let Some(pos) = r.iter().rposition(|a| *a == self.0) {
                r.remove(pos);
            }
        });
    }
}

/// Forgets the recorded arguments if the compute function panics, so the
/// next read computes again instead of trusting a cache it never filled.
struct ForgetOnPanic<'a, T: Send + Sync + 'static>(&'a ComputedInner<T>);

impl<T: Send + Sync + 'static> Drop for ForgetOnPanic<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.epoch.store(NO_EPOCH, Ordering::Release);
            for seen in self.0.versions.iter() {
                seen.store(NO_VERSION, Ordering::Release);
            }
            // Dropped after the lock is released (values may run user code).
            drop(self.0.args(|st| st.args.take()));
        }
    }
}

impl<T: Send + Sync + 'static> ComputedInner<T> {
    fn addr(&self) -> usize {
        self as *const Self as usize
    }

    /// Whether this store is computing its first value (or its first after
    /// being cleaned) on the current thread.
    fn refreshing_here(&self) -> bool {
        REFRESHING.with(|r| r.borrow().contains(&self.addr()))
    }

    /// A refresh that cannot be skipped: used when a reader finds no value
    /// (another thread is computing the first one).
    fn refresh_now(&self) {
        self.epoch.store(NO_EPOCH, Ordering::Release);
        self.refresh();
    }
}

impl<T: Send + Sync + 'static> Refresh for ComputedInner<T> {
    fn refresh(&self) {
        let epoch = EPOCH.load(Ordering::Acquire);
        if self.epoch.load(Ordering::Acquire) == epoch {
            return;
        }
        // Recorded now, so a read of this store from inside its own refresh
        // (a hook or the compute function) returns the cached value.
        self.epoch.store(epoch, Ordering::Release);
        let bumps_before = local_bumps();
        let missing = !self.core.has_value();
        // Fast path: every dependency is still at the version of the last
        // arguments, and reading it would have no side effect, so the
        // arguments are the same snapshots and nothing needs to be read.
        // (Versions are NO_VERSION until arguments were recorded; a store
        // without dependencies goes the full way, computing once.)
        let unchanged = !missing
            && !self.deps.is_empty()
            && self
                .deps
                .iter()
                .zip(self.versions.iter())
                .all(|(dep, seen)| {
                    dep.pull()
                        .is_some_and(|v| v == seen.load(Ordering::Acquire) && v != NO_VERSION)
                });
        if unchanged {
            return;
        }
        // Only a store without a value can be read re-entrantly with
        // nothing to return; `current` asks about that case alone.
        let _here = missing.then(|| RefreshingHere::enter(self.addr()));
        // The previous arguments are taken out while the new ones are read
        // (a racing refresh then finds none and computes, which is safe).
        // Each new value replaces the previous one in place once compared
        // with it. The generation is taken before reading: of two racing
        // refreshes, the one that read later commits last.
        let (prev, generation) = self.args(|st| {
            st.generation += 1;
            (st.args.take(), st.generation)
        });
        let mut changed = missing || prev.is_none();
        let mut args = prev.unwrap_or_else(|| Vec::with_capacity(self.deps.len()));
        let mut equal = Vec::new();
        for (index, (dep, seen)) in self.deps.iter().zip(self.versions.iter()).enumerate() {
            match dep.read_since(args.get(index)) {
                Some((version, value, same)) => {
                    seen.store(version, Ordering::Release);
                    changed |= !same;
                    match args.get_mut(index) {
                        None => args.push(value),
                        Some(slot) if !same => *slot = value,
                        // Equal by the dependency's equality but another
                        // snapshot: used only if something else changed
                        // (otherwise later reads compare with the snapshot
                        // the result was computed from).
                        Some(slot)
                            if !std::ptr::addr_eq(Arc::as_ptr(slot), Arc::as_ptr(&value)) =>
                        {
                            equal.push((index, value));
                        }
                        Some(_) => {}
                    }
                }
                None => {
                    // A dependency without a value (read during its own
                    // first computation): nothing to compute from yet, and
                    // the arguments are half replaced, so they are dropped.
                    for seen in self.versions.iter() {
                        seen.store(NO_VERSION, Ordering::Release);
                    }
                    return;
                }
            }
        }
        let value = changed.then(|| {
            for (index, value) in equal {
                args[index] = value;
            }
            let forget = ForgetOnPanic(self);
            let value = (self.f)(&args);
            std::mem::forget(forget);
            value
        });
        // The arguments go back under the lock of the commit, unless a
        // refresh started later (it read newer values and keeps its own);
        // then they are dropped here, unlocked.
        let mut args = Some(args);
        let put_back = |st: &mut RefreshState, args: &mut Option<Vec<AnyValue>>| {
            if st.generation == generation {
                st.args = args.take();
            }
        };
        match value {
            Some(value) if !self.core.run_set_hooks(Proposed::Value(&value)) => {
                self.core.replace(value, |st| {
                    put_back(st, &mut args);
                    // Only a newer refresh than the last committed one may
                    // commit: a slower, older computation is dropped.
                    let newer = generation > self.committed.load(Ordering::Acquire);
                    if newer {
                        self.committed.store(generation, Ordering::Release);
                    }
                    newer
                });
            }
            _ => self.args(|st| put_back(st, &mut args)),
        }
        drop(args);
        // Record the epoch, as Nano Stores does, unless another thread wrote
        // a dependency while this refresh ran: then the next read refreshes
        // again instead of trusting a result computed from older values.
        let now = EPOCH.load(Ordering::Acquire);
        let foreign = now.wrapping_sub(epoch) != local_bumps().wrapping_sub(bumps_before);
        let moved = foreign
            && self
                .deps
                .iter()
                .zip(self.versions.iter())
                .any(|(dep, seen)| dep.current_version() != seen.load(Ordering::Acquire));
        self.epoch
            .store(if moved { NO_EPOCH } else { now }, Ordering::Release);
    }

    fn reset(&self) {
        let args = self.args(|st| {
            self.epoch.store(NO_EPOCH, Ordering::Release);
            for seen in self.versions.iter() {
                seen.store(NO_VERSION, Ordering::Release);
            }
            st.args.take()
        });
        drop(args);
        let initial = self
            .initial
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        self.core.reset_value(initial);
    }
}

/// How a `static` computed store is built on first use.
struct Recipe<T: 'static> {
    deps: [Option<&'static dyn Dep>; 4],
    /// The user's function pointer, erased; `wrap` knows its real type.
    f: fn(),
    wrap: fn(fn()) -> ComputeFn<T>,
    batched: bool,
    eq: fn(&T, &T) -> bool,
}

/// A read-only store derived from other stores.
///
/// Declare one as a `static` with [`computed`] (one dependency) or
/// [`computed2`]…[`computed4`], or build one at run time with
/// [`Computed::new`], [`Computed::new2`]…, [`Computed::many`] (any number of
/// stores of one type) or [`Computed::dynamic`] (any number of any type).
/// [`batched`] and its siblings wait for the end of the tick before
/// recomputing.
///
/// While it is mounted (it has listeners, or its last listener left less
/// than the unmount delay ago), the listeners it keeps on its dependencies
/// own it: dropping every handle does not silence its listeners. It is freed
/// once unmounted and unreferenced.
///
/// ```
/// use nanostate::{atom, computed, computed2, Atom, Computed};
///
/// static PRICE: Atom<u32> = atom(100);
/// static QTY: Atom<u32> = atom(2);
/// static TOTAL: Computed<u32> = computed2(&PRICE, &QTY, |p, q| p * q);
/// static LABEL: Computed<String> = computed(&TOTAL, |t| format!("${t}"));
///
/// assert_eq!(LABEL.get(), "$200");
/// QTY.set(3);
/// assert_eq!(LABEL.get(), "$300");
/// ```
///
/// A computed store cannot be written:
///
/// ```compile_fail
/// use nanostate::{atom, computed, Atom, Computed};
/// static A: Atom<u32> = atom(1);
/// static C: Computed<u32> = computed(&A, |a| a + 1);
/// C.set(5);
/// ```
pub struct Computed<T: Send + Sync + 'static> {
    cell: OnceLock<Arc<ComputedInner<T>>>,
    recipe: Option<Recipe<T>>,
}

macro_rules! arity {
    (
        $static_fn:ident, $static_batched:ident, $new:ident, $new_batched:ident, $wrap:ident, $n:literal,
        [$($A:ident $a:ident $i:tt),+], $pad:expr
    ) => {
        fn $wrap<$($A: Store,)+ T: 'static>(f: fn()) -> ComputeFn<T> {
            // SAFETY: `f` was made from a `fn(&A::Value, …) -> T` by the
            // const fn below, instantiated with the same type parameters as
            // this function; fn pointers of all signatures share one layout.
            let f = unsafe { std::mem::transmute::<fn(), fn($(&$A::Value),+) -> T>(f) };
            Box::new(move |args: &[AnyValue]| f($(downcast::<$A::Value>(&args[$i])),+))
        }

        #[doc = concat!("Declares a computed store over ", $n, " store(s); usable in `static` items.")]
        ///
        /// The function must not capture anything (it is a `fn` pointer);
        /// for closures use the run-time constructors of [`Computed`].
        ///
        /// ```
        /// use nanostate::*;
        /// static A: Atom<i32> = atom(1);
        /// static B: Atom<i32> = atom(2);
        /// static C: Atom<i32> = atom(3);
        /// static D: Atom<i32> = atom(4);
        /// static ONE: Computed<i32> = computed(&A, |a| a * 10);
        /// static TWO: Computed<i32> = computed2(&A, &B, |a, b| a + b);
        /// static THREE: Computed<i32> = computed3(&A, &B, &C, |a, b, c| a + b + c);
        /// static FOUR: Computed<i32> = computed4(&A, &B, &C, &D, |a, b, c, d| a + b + c + d);
        /// assert_eq!((ONE.get(), TWO.get(), THREE.get(), FOUR.get()), (10, 3, 6, 10));
        /// ```
        pub const fn $static_fn<$($A: Store,)+ T: PartialEq + Send + Sync + 'static>(
            $($a: &'static $A,)+
            f: fn($(&$A::Value),+) -> T,
        ) -> Computed<T> {
            Computed::from_recipe(Recipe {
                deps: $pad,
                // SAFETY: see `wrap`; only that function turns it back.
                f: unsafe { std::mem::transmute::<fn($(&$A::Value),+) -> T, fn()>(f) },
                wrap: $wrap::<$($A,)+ T>,
                batched: false,
                eq: <T as PartialEq>::eq,
            })
        }

        #[doc = concat!("Like [`", stringify!($static_fn), "`], but recomputes once at the end of the tick after any number of dependency changes.")]
        ///
        /// `get()` is never deferred: it returns a fresh value at once.
        ///
        /// ```
        /// use nanostate::*;
        /// static A: Atom<i32> = atom(1);
        /// static B: Atom<i32> = atom(2);
        /// static SUM1: Computed<i32> = batched(&A, |a| *a);
        /// static SUM2: Computed<i32> = batched2(&A, &B, |a, b| a + b);
        /// static SUM3: Computed<i32> = batched3(&A, &B, &A, |a, b, c| a + b + c);
        /// static SUM4: Computed<i32> = batched4(&A, &B, &A, &B, |a, b, c, d| a + b + c + d);
        /// assert_eq!((SUM1.get(), SUM2.get(), SUM3.get(), SUM4.get()), (1, 3, 4, 6));
        /// ```
        pub const fn $static_batched<$($A: Store,)+ T: PartialEq + Send + Sync + 'static>(
            $($a: &'static $A,)+
            f: fn($(&$A::Value),+) -> T,
        ) -> Computed<T> {
            let mut computed = $static_fn($($a,)+ f);
            if let Some(recipe) = &mut computed.recipe {
                recipe.batched = true;
            }
            computed
        }

        impl<T: PartialEq + Send + Sync + 'static> Computed<T> {
            #[doc = concat!("Creates a computed store at run time over ", $n, " store(s); `f` may capture.")]
            ///
            /// ```
            /// use nanostate::{Atom, Computed};
            /// let (a, b, c, d) = (Atom::new(1), Atom::new(2), Atom::new(3), Atom::new(4));
            /// let k = 100;
            /// assert_eq!(Computed::new(&a, move |a| a * k).get(), 100);
            /// assert_eq!(Computed::new2(&a, &b, |a, b| a + b).get(), 3);
            /// assert_eq!(Computed::new3(&a, &b, &c, |a, b, c| a + b + c).get(), 6);
            /// assert_eq!(Computed::new4(&a, &b, &c, &d, |a, b, c, d| a + b + c + d).get(), 10);
            /// ```
            pub fn $new<$($A: Store),+>(
                $($a: &$A,)+
                f: impl Fn($(&$A::Value),+) -> T + Send + Sync + 'static,
            ) -> Self {
                Self::from_parts(
                    vec![$($a.node()),+],
                    Box::new(move |args: &[AnyValue]| f($(downcast::<$A::Value>(&args[$i])),+)),
                    false,
                    <T as PartialEq>::eq,
                )
            }

            #[doc = concat!("Like [`Computed::", stringify!($new), "`], recomputing at the end of the tick.")]
            ///
            /// ```
            /// use nanostate::{Atom, Computed};
            /// let (a, b, c, d) = (Atom::new(1), Atom::new(2), Atom::new(3), Atom::new(4));
            /// assert_eq!(Computed::batched(&a, |a| *a).get(), 1);
            /// assert_eq!(Computed::batched2(&a, &b, |a, b| a + b).get(), 3);
            /// assert_eq!(Computed::batched3(&a, &b, &c, |a, b, c| a + b + c).get(), 6);
            /// assert_eq!(Computed::batched4(&a, &b, &c, &d, |a, b, c, d| a + b + c + d).get(), 10);
            /// ```
            pub fn $new_batched<$($A: Store),+>(
                $($a: &$A,)+
                f: impl Fn($(&$A::Value),+) -> T + Send + Sync + 'static,
            ) -> Self {
                Self::from_parts(
                    vec![$($a.node()),+],
                    Box::new(move |args: &[AnyValue]| f($(downcast::<$A::Value>(&args[$i])),+)),
                    true,
                    <T as PartialEq>::eq,
                )
            }
        }
    };
}

arity!(computed, batched, new, batched, wrap1, 1, [A a 0], [Some(a as &'static dyn Dep), None, None, None]);
arity!(computed2, batched2, new2, batched2, wrap2, 2, [A a 0, B b 1],
    [Some(a as &'static dyn Dep), Some(b as &'static dyn Dep), None, None]);
arity!(computed3, batched3, new3, batched3, wrap3, 3, [A a 0, B b 1, C c 2],
    [Some(a as &'static dyn Dep), Some(b as &'static dyn Dep), Some(c as &'static dyn Dep), None]);
arity!(computed4, batched4, new4, batched4, wrap4, 4, [A a 0, B b 1, C c 2, D d 3],
    [Some(a as &'static dyn Dep), Some(b as &'static dyn Dep), Some(c as &'static dyn Dep), Some(d as &'static dyn Dep)]);

impl<T: Send + Sync + 'static> Computed<T> {
    const fn from_recipe(recipe: Recipe<T>) -> Self {
        Computed {
            cell: OnceLock::new(),
            recipe: Some(recipe),
        }
    }

    fn from_parts(
        deps: Vec<Arc<dyn Node>>,
        f: ComputeFn<T>,
        batched: bool,
        eq: fn(&T, &T) -> bool,
    ) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(ComputedInner::build(deps, f, batched, eq));
        Computed { cell, recipe: None }
    }

    fn inner(&self) -> &Arc<ComputedInner<T>> {
        if let Some(inner) = self.cell.get() {
            return inner;
        }
        // Two `static` computed stores that depend on each other would
        // re-enter this initialization, which never finishes: fail loudly.
        let addr = self as *const Self as usize;
        let cycle = BUILDING.with(|b| {
            let mut b = b.borrow_mut();
            let cycle = b.contains(&addr);
            b.push(addr);
            cycle
        });
        assert!(
            !cycle,
            "nanostate: `static` computed stores depend on each other in a cycle"
        );
        struct Built(usize);
        impl Drop for Built {
            fn drop(&mut self) {
                let _ = BUILDING.try_with(|b| b.borrow_mut().retain(|a| *a != self.0));
            }
        }
        let _built = Built(addr);
        self.cell.get_or_init(|| {
            let recipe = self
                .recipe
                .as_ref()
                .expect("nanostate: a run-time computed store is built eagerly");
            let deps = recipe.deps.iter().flatten().map(|d| d.dep_node()).collect();
            ComputedInner::build(deps, (recipe.wrap)(recipe.f), recipe.batched, recipe.eq)
        })
    }

    /// A computed store over any number of stores of one type.
    ///
    /// ```
    /// use nanostate::{Atom, Computed};
    /// let cells: Vec<Atom<i64>> = (0..100).map(Atom::new).collect();
    /// let sum = Computed::many(&cells, |args| args.iter().sum::<i64>());
    /// assert_eq!(sum.get(), 4950);
    /// cells[0].set(1000);
    /// assert_eq!(sum.get(), 5950);
    /// ```
    pub fn many<S: Store>(
        deps: &[S],
        f: impl Fn(Args<'_, S::Value>) -> T + Send + Sync + 'static,
    ) -> Self
    where
        T: PartialEq,
    {
        Self::from_parts(
            deps.iter().map(Store::node).collect(),
            Box::new(move |values: &[AnyValue]| {
                f(Args {
                    values,
                    _v: std::marker::PhantomData,
                })
            }),
            false,
            <T as PartialEq>::eq,
        )
    }

    /// A computed store over any number of stores of any types.
    ///
    /// ```
    /// use nanostate::{Atom, Computed, Source};
    /// let name = Atom::new("Ada");
    /// let age = Atom::new(36u32);
    /// let card = Computed::dynamic(vec![Source::new(&name), Source::new(&age)], |args| {
    ///     format!("{} ({})", args.get::<&str>(0).unwrap(), args.get::<u32>(1).unwrap())
    /// });
    /// assert_eq!(card.get(), "Ada (36)");
    /// ```
    pub fn dynamic(deps: Vec<Source>, f: impl Fn(&DynArgs<'_>) -> T + Send + Sync + 'static) -> Self
    where
        T: PartialEq,
    {
        Self::dynamic_with(deps, false, <T as PartialEq>::eq, f)
    }

    /// [`dynamic`](Self::dynamic) with every option: `batched` recomputes at
    /// the end of the tick; `eq` decides whether a new result is a change.
    ///
    /// ```
    /// use nanostate::{Atom, Computed, Source};
    /// let a = Atom::new(1);
    /// let c = Computed::dynamic_with(vec![Source::new(&a)], false, |_, _| false, |args| {
    ///     *args.get::<i32>(0).unwrap()
    /// });
    /// assert_eq!(c.get(), 1);
    /// ```
    pub fn dynamic_with(
        deps: Vec<Source>,
        batched: bool,
        eq: fn(&T, &T) -> bool,
        f: impl Fn(&DynArgs<'_>) -> T + Send + Sync + 'static,
    ) -> Self {
        Self::from_parts(
            deps.into_iter().map(|s| s.node).collect(),
            Box::new(move |values: &[AnyValue]| f(&DynArgs { values })),
            batched,
            eq,
        )
    }

    /// Gives the store a value to hold before its first computation and
    /// after [`clean_stores`](crate::clean_stores) (Nano Stores' computed
    /// stores start as `undefined`). A first result equal to it is then not a
    /// change, and a read from inside the store's own first computation
    /// returns it.
    ///
    /// ```
    /// use nanostate::{Atom, Computed};
    /// let a = Atom::new(0);
    /// let c = Computed::new(&a, |a| *a).with_initial(0);
    /// let _sub = c.listen(|_, _| panic!("0 is not a change from the initial 0"));
    /// assert_eq!(c.get(), 0);
    /// ```
    pub fn with_initial(self, value: T) -> Self {
        let inner = self.inner();
        let value = Arc::new(value);
        *inner.initial.lock().unwrap_or_else(|e| e.into_inner()) = Some(value.clone());
        if inner.core.peek().is_none() {
            inner.core.reset_value(Some(value));
        }
        self
    }

    /// The current result (computed now if the cache is stale), cloned.
    ///
    /// # Panics
    ///
    /// When called from inside this store's own first computation (for
    /// example by a hook that runs while its arguments are read): there is
    /// no value yet. [`with_initial`](Self::with_initial) provides one.
    ///
    /// ```
    /// use nanostate::{Atom, Computed};
    /// let a = Atom::new(2);
    /// let sq = Computed::new(&a, |a| a * a);
    /// assert_eq!(sq.get(), 4);
    /// ```
    pub fn get(&self) -> T
    where
        T: Clone,
    {
        self.with(T::clone)
    }

    /// Calls `f` with a borrow of the current result.
    ///
    /// ```
    /// use nanostate::{Atom, Computed};
    /// let a = Atom::new(3);
    /// let v = Computed::new(&a, |a| vec![0; *a]);
    /// assert_eq!(v.with(Vec::len), 3);
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.current())
    }

    /// The current result as a shared snapshot (computed now if stale).
    fn current(&self) -> Arc<T> {
        let inner = self.inner();
        match inner.core.get() {
            Some(value) => value,
            None => {
                // Another thread may be computing the first value: compute
                // it here too. A read from inside this store's own first
                // computation has nothing to return.
                if !inner.refreshing_here() {
                    inner.refresh_now();
                }
                inner.core.peek().expect(
                    "nanostate: a computed store was read during its own first computation, \
                     before it had a value; give it one with Computed::with_initial",
                )
            }
        }
    }

    /// Calls `listener(new, old)` after each change of the result; `old` is
    /// `None` only for a first result that a listener sees.
    ///
    /// ```
    /// use nanostate::{Atom, Computed};
    /// use std::sync::{Arc, Mutex};
    /// let a = Atom::new(1);
    /// let doubled = Computed::new(&a, |a| a * 2);
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let _sub = doubled.listen(move |new, _old| log.lock().unwrap().push(*new));
    /// a.set(5);
    /// assert_eq!(*seen.lock().unwrap(), [10]);
    /// ```
    pub fn listen(
        &self,
        listener: impl Fn(&T, Option<&T>) + Send + Sync + 'static,
    ) -> Subscription {
        self.inner()
            .core
            .listen(next_id(), Box::new(move |new, old, _| listener(new, old)))
    }

    /// Calls `listener(value, None)` at once, then like [`listen`](Self::listen).
    ///
    /// ```
    /// use nanostate::{Atom, Computed};
    /// let a = Atom::new(1);
    /// let c = Computed::new(&a, |a| a + 1);
    /// let _sub = c.subscribe(|v, old| assert!(old.is_some() || *v == 2));
    /// ```
    pub fn subscribe(
        &self,
        listener: impl Fn(&T, Option<&T>) + Send + Sync + 'static,
    ) -> Subscription {
        subscribe_core(&self.inner().core, listener)
    }

    /// Number of listeners.
    ///
    /// ```
    /// use nanostate::{Atom, Computed};
    /// let a = Atom::new(1);
    /// let c = Computed::new(&a, |a| *a);
    /// let _sub = c.listen(|_, _| {});
    /// assert_eq!((c.listener_count(), a.listener_count()), (1, 1));
    /// ```
    pub fn listener_count(&self) -> usize {
        self.inner().core.listener_count()
    }

    /// Replaces the equality that decides whether a new result is a change.
    ///
    /// ```
    /// use nanostate::{Atom, Computed};
    /// let a = Atom::new(1.0f64);
    /// let rounded = Computed::new(&a, |a| *a);
    /// rounded.set_eq(|x, y| (x - y).abs() < 0.5);
    /// ```
    pub fn set_eq(&self, eq: fn(&T, &T) -> bool) {
        self.inner().core.set_eq(eq);
    }

    /// Sets how long the store stays subscribed to its dependencies after its
    /// last listener leaves (default 1 s).
    ///
    /// ```
    /// use nanostate::{Atom, Computed};
    /// let c = Computed::new(&Atom::new(1), |a| *a);
    /// c.set_unmount_delay(std::time::Duration::ZERO);
    /// ```
    pub fn set_unmount_delay(&self, delay: Duration) {
        self.inner().core.set_unmount_delay(delay);
    }
}

/// A computed store seen as a dependency: it refreshes itself directly
/// before each read (no detour through its core's weak refresher).
impl<T: Send + Sync + 'static> Node for ComputedInner<T> {
    fn get_any(&self) -> Option<(u64, AnyValue)> {
        self.refresh();
        self.core.get_any_current()
    }

    fn pull(&self) -> Option<u64> {
        self.refresh();
        self.core.pull_current()
    }

    fn current_version(&self) -> u64 {
        self.core.version()
    }

    fn read_since(&self, prev: Option<&AnyValue>) -> Option<(u64, AnyValue, bool)> {
        self.refresh();
        self.core.read_since_current(prev)
    }

    fn listen_any(&self, cb: u64, f: Arc<dyn Fn() + Send + Sync>) -> Subscription {
        self.core.listen_any(cb, f)
    }
}

impl<T: Send + Sync + 'static> Clone for Computed<T> {
    fn clone(&self) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(self.inner().clone());
        Computed { cell, recipe: None }
    }
}

impl<T: Send + Sync + 'static> Store for Computed<T> {
    type Value = T;
    type Kind = ComputedKind<T>;
    fn core(&self) -> &Arc<Core<ComputedKind<T>>> {
        &self.inner().core
    }
    fn node(&self) -> Arc<dyn Node> {
        self.inner().clone()
    }
    fn snapshot(&self) -> Arc<T> {
        self.current()
    }
}
