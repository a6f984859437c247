//! `effect`: run code with the values of some stores now and after every
//! change, cleaning up before each re-run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::computed::{downcast, AnyValue, DynArgs, Source};
use crate::core::{next_id, Cleanup, Node};
use crate::lifecycle::IntoCleanup;
use crate::store::Store;
use crate::subscription::{Subscription, Unbind};

type EffectFn = Box<dyn Fn(&[AnyValue]) -> Option<Cleanup> + Send + Sync>;

struct EffectState {
    /// The cleanup of the last run, and the thread that ran it.
    cleanup: Option<(Cleanup, std::thread::ThreadId)>,
    /// Per dependency: the version the last run's own read produced (a
    /// computed dependency recomputed while being read), whose call is
    /// then skipped. Kept as a version, not a flag: inside a batch the
    /// call is deduplicated away (the effect already ran in this batch),
    /// and a flag left set would swallow the next real change.
    caused: Vec<Option<u64>>,
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

    /// A call from dependency `index`: skipped when the last run caused it.
    fn on_change(&self, index: usize) {
        {
            let mut st = self.lock();
            if let Some(caused) = st.caused.get_mut(index) {
                let current = self.deps[index].current_version();
                if caused.take() == Some(current) {
                    return;
                }
            }
        }
        self.run();
    }

    fn run(&self) {
        if !self.active.load(Ordering::Acquire) {
            return;
        }
        let cleanup = self.lock().cleanup.take();
        if let Some((cleanup, _)) = cleanup {
            cleanup();
        }
        // Glitch-free: a computed dependency that recomputes while this run
        // reads it notifies the effect about a change the run already sees;
        // that call is skipped (Nano Stores 1.5.2 runs again, quirk Q6).
        // Distinct writes still run the effect once each.
        let mut values = Vec::with_capacity(self.deps.len());
        let mut caused = Vec::with_capacity(self.deps.len());
        for dep in &self.deps {
            let before = dep.current_version();
            let Some((version, value)) = dep.get_any() else {
                return;
            };
            caused.push((version != before).then_some(version));
            values.push(value);
        }
        self.lock().caused = caused;
        let cleanup = (self.f)(&values);
        let here = std::thread::current().id();
        // A run on another thread may overlap this one: the cleanup this run
        // displaces is run now, so each run is cleaned up once. (A run nested
        // on this thread, started by the callback's own write, is displaced
        // silently, as in Nano Stores.) After cancellation, it runs at once.
        let displaced = {
            let mut st = self.lock();
            if self.active.load(Ordering::Acquire) {
                std::mem::replace(&mut st.cleanup, cleanup.map(|c| (c, here)))
                    .filter(|(_, thread)| *thread != here)
                    .map(|(c, _)| c)
            } else {
                cleanup
            }
        };
        if let Some(cleanup) = displaced {
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
        if let Some((cleanup, _)) = cleanup {
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
            caused: Vec::new(),
            subs: Vec::new(),
        }),
    });
    // One callback identity for every dependency: inside `batch` the
    // effect runs once however many of its dependencies changed. A store
    // listed twice is listened to twice (as in Nano Stores) but only its
    // first listing runs the effect.
    let cb = next_id();
    let subs: Vec<Subscription> = inner
        .deps
        .iter()
        .enumerate()
        .map(|(index, dep)| {
            let repeated = inner.deps[..index].iter().any(|d| Arc::ptr_eq(d, dep));
            // The listeners own the effect, so a kept guard keeps it
            // running; cancelling removes them and breaks the cycle.
            let owner = inner.clone();
            dep.listen_any(
                cb,
                Arc::new(move || {
                    if !repeated {
                        owner.on_change(index);
                    }
                }),
            )
        })
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
