//! `effect`: run code with the values of some stores now and after every
//! change, cleaning up before each re-run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use crate::computed::{downcast, AnyValue, DynArgs, Source};
use crate::core::{next_id, Cleanup, Node};
use crate::lifecycle::IntoCleanup;
use crate::store::Store;
use crate::subscription::{Subscription, Unbind};

type EffectFn = Box<dyn Fn(&[AnyValue]) -> Option<Cleanup> + Send + Sync>;

struct EffectState {
    cleanup: Option<Cleanup>,
    /// Dependency versions seen by the last run.
    seen: Option<Vec<u64>>,
    subs: Vec<Subscription>,
}

struct EffectInner {
    deps: Vec<Arc<dyn Node>>,
    f: EffectFn,
    active: AtomicBool,
    state: Mutex<EffectState>,
}

impl EffectInner {
    fn lock(&self) -> std::sync::MutexGuard<'_, EffectState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn run(&self) {
        if !self.active.load(Ordering::Acquire) {
            return;
        }
        // Glitch-free: one change that reaches the effect through several
        // dependencies (a store and a computed over it, a store listed twice)
        // runs it once; the later calls find every dependency at the version
        // the run already saw. Nano Stores 1.5.2 runs once per notifying
        // dependency (quirk Q6).
        let pulled: Option<Vec<u64>> = self.deps.iter().map(|d| d.pull()).collect();
        let cleanup = {
            let mut st = self.lock();
            if pulled.is_some() && st.seen == pulled {
                return;
            }
            st.cleanup.take()
        };
        if let Some(cleanup) = cleanup {
            cleanup();
        }
        let mut values = Vec::with_capacity(self.deps.len());
        let mut versions = Vec::with_capacity(self.deps.len());
        for dep in &self.deps {
            let Some((version, value)) = dep.get_any() else {
                return;
            };
            versions.push(version);
            values.push(value);
        }
        self.lock().seen = Some(versions);
        let cleanup = (self.f)(&values);
        if self.active.load(Ordering::Acquire) {
            self.lock().cleanup = cleanup;
        } else if let Some(cleanup) = cleanup {
            // Cancelled while running: nothing else will run this cleanup.
            cleanup();
        }
    }
}

impl Unbind for EffectInner {
    fn unbind(self: Arc<Self>) {
        self.active.store(false, Ordering::Release);
        let (subs, cleanup) = {
            let mut st = self.lock();
            (std::mem::take(&mut st.subs), st.cleanup.take())
        };
        drop(subs);
        if let Some(cleanup) = cleanup {
            cleanup();
        }
    }
}

fn start(deps: Vec<Arc<dyn Node>>, f: EffectFn) -> Subscription {
    let inner = Arc::new(EffectInner {
        deps,
        f,
        active: AtomicBool::new(true),
        state: Mutex::new(EffectState {
            cleanup: None,
            seen: None,
            subs: Vec::new(),
        }),
    });
    let weak: Weak<EffectInner> = Arc::downgrade(&inner);
    let run: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
        if let Some(inner) = weak.upgrade() {
            inner.run();
        }
    });
    // One callback identity for every dependency: inside `batch` the
    // effect runs once however many of its dependencies changed.
    let cb = next_id();
    let subs: Vec<Subscription> = inner
        .deps
        .iter()
        .map(|dep| dep.listen_any(cb, run.clone()))
        .collect();
    inner.lock().subs = subs;
    inner.run();
    Subscription::new(inner)
}

macro_rules! effect_arity {
    ($name:ident, $n:literal, [$($A:ident $a:ident $i:tt),+]) => {
        #[doc = concat!("Runs `f` with the values of ", $n, " store(s) now and after every change to them.")]
        ///
        /// `f` may return a cleanup closure (or `()`): it runs before the
        /// next run and when the effect is cancelled by dropping the returned
        /// [`Subscription`]. Changes made inside one [`batch`](crate::batch)
        /// run the effect once, and so does one change that reaches it
        /// through several dependencies.
        ///
        /// ```
        /// use nanostate::{effect, effect2, effect3, effect4, Atom};
        /// use std::sync::{Arc, Mutex};
        /// let (a, b) = (Atom::new(1), Atom::new(2));
        /// let seen = Arc::new(Mutex::new(Vec::new()));
        /// let log = seen.clone();
        /// let running = effect2(&a, &b, move |a, b| {
        ///     log.lock().unwrap().push(a + b);
        ///     let log = log.clone();
        ///     move || log.lock().unwrap().push(-1) // cleanup
        /// });
        /// a.set(10);
        /// drop(running);
        /// assert_eq!(*seen.lock().unwrap(), [3, -1, 12, -1]);
        /// # let _ = (effect(&a, |_| ()), effect3(&a, &b, &a, |_, _, _| ()), effect4(&a, &b, &a, &b, |_, _, _, _| ()));
        /// ```
        pub fn $name<$($A: Store,)+ R: IntoCleanup>(
            $($a: &$A,)+
            f: impl Fn($(&$A::Value),+) -> R + Send + Sync + 'static,
        ) -> Subscription {
            start(
                vec![$($a.node()),+],
                Box::new(move |values: &[AnyValue]| {
                    f($(downcast::<$A::Value>(&values[$i])),+).into_cleanup()
                }),
            )
        }
    };
}

effect_arity!(effect, 1, [A a 0]);
effect_arity!(effect2, 2, [A a 0, B b 1]);
effect_arity!(effect3, 3, [A a 0, B b 1, C c 2]);
effect_arity!(effect4, 4, [A a 0, B b 1, C c 2, D d 3]);

/// [`effect`] over any number of stores of any types.
///
/// ```
/// use nanostate::{effect_dynamic, Atom, MapStore, Source};
/// let n = Atom::new(1);
/// let m = MapStore::new([("a", 1)].into());
/// let _running = effect_dynamic(vec![Source::new(&n), Source::new(&m)], |args| {
///     let n: &i32 = args.get(0).unwrap();
///     assert_eq!(*n, 1);
/// });
/// ```
pub fn effect_dynamic<R: IntoCleanup>(
    deps: Vec<Source>,
    f: impl Fn(&DynArgs<'_>) -> R + Send + Sync + 'static,
) -> Subscription {
    start(
        deps.into_iter().map(|s| s.node).collect(),
        Box::new(move |values: &[AnyValue]| f(&DynArgs { values }).into_cleanup()),
    )
}
