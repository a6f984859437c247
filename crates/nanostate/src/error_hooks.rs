//! Lists of error hooks, for stores whose errors happen away from any
//! caller (a failed save, an unreadable message from another tab): the
//! companion crates keep one list per store and one process-wide.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

type HookFn<E> = Arc<dyn Fn(&E) + Send + Sync>;

/// Identities of hooks, unique in the process.
static NEXT_HOOK: AtomicU64 = AtomicU64::new(1);

/// A list of hooks that receive errors of type `E`.
///
/// A crate keeps a process-wide list in a `static` (hooks added with
/// [`add_static`](Self::add_static)) and a store keeps its own in an `Arc`
/// (hooks added with [`add`](Self::add)). [`report`](Self::report) hands
/// errors to the store's hooks, then to the process-wide ones. Hooks run
/// with no lock held: they may add or remove hooks and read or write any
/// store.
///
/// ```
/// use nanostate::ErrorHooks;
/// use std::sync::{Arc, Mutex};
///
/// static EVERYWHERE: ErrorHooks<String> = ErrorHooks::new();
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = seen.clone();
/// let _global = EVERYWHERE.add_static(move |e: &String| log.lock().unwrap().push(format!("global {e}")));
/// let store = Arc::new(ErrorHooks::new());
/// let log = seen.clone();
/// let _own = store.add(move |e: &String| log.lock().unwrap().push(format!("store {e}")));
///
/// store.report(&EVERYWHERE, &["disk full".to_string()], |_| unreachable!());
/// assert_eq!(*seen.lock().unwrap(), ["store disk full", "global disk full"]);
/// ```
pub struct ErrorHooks<E: 'static> {
    list: Mutex<Vec<(u64, HookFn<E>)>>,
}

impl<E: 'static> ErrorHooks<E> {
    /// An empty list (`const`: for `static` items).
    ///
    /// ```
    /// static HOOKS: nanostate::ErrorHooks<std::io::Error> = nanostate::ErrorHooks::new();
    /// # let _ = &HOOKS;
    /// ```
    pub const fn new() -> Self {
        ErrorHooks {
            list: Mutex::new(Vec::new()),
        }
    }

    /// Adds a hook to a `static` list. Dropping the returned guard removes
    /// it; [`ErrorHook::keep`] keeps it.
    ///
    /// ```
    /// static HOOKS: nanostate::ErrorHooks<u8> = nanostate::ErrorHooks::new();
    /// let hook = HOOKS.add_static(|code| eprintln!("error {code}"));
    /// drop(hook); // removed
    /// ```
    pub fn add_static(&'static self, hook: impl Fn(&E) + Send + Sync + 'static) -> ErrorHook {
        ErrorHook {
            from: Some(HookRef::Static(self)),
            id: self.push(Arc::new(hook)),
        }
    }

    /// Adds a hook to a shared list. The guard holds the list weakly:
    /// dropping it removes the hook if the list still exists.
    ///
    /// ```
    /// let hooks = std::sync::Arc::new(nanostate::ErrorHooks::<u8>::new());
    /// hooks.add(|code| eprintln!("error {code}")).keep();
    /// ```
    pub fn add(self: &Arc<Self>, hook: impl Fn(&E) + Send + Sync + 'static) -> ErrorHook {
        let weak: Weak<dyn Remove> = Arc::downgrade(self) as Weak<Self>;
        ErrorHook {
            from: Some(HookRef::Shared(weak)),
            id: self.push(Arc::new(hook)),
        }
    }

    /// Hands each error to this list's hooks, then to those of `then` (the
    /// process-wide list), in the order they were added; an error that
    /// finds no hook in either list goes to `fallback`. Both lists are read
    /// once, before the first error.
    ///
    /// ```
    /// use nanostate::ErrorHooks;
    /// static GLOBAL: ErrorHooks<u8> = ErrorHooks::new();
    /// let store = ErrorHooks::new();
    /// let mut unheard = Vec::new();
    /// store.report(&GLOBAL, &[1, 2], |code| unheard.push(*code));
    /// assert_eq!(unheard, [1, 2]);
    /// ```
    pub fn report<'a>(
        &self,
        then: &ErrorHooks<E>,
        errors: impl IntoIterator<Item = &'a E>,
        mut fallback: impl FnMut(&E),
    ) {
        let mine = self.snapshot();
        let global = then.snapshot();
        for error in errors {
            for hook in mine.iter().chain(global.iter()) {
                hook(error);
            }
            if mine.is_empty() && global.is_empty() {
                fallback(error);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<(u64, HookFn<E>)>> {
        // Hooks never run under this lock: the list is always whole.
        self.list.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push(&self, hook: HookFn<E>) -> u64 {
        let id = NEXT_HOOK.fetch_add(1, Ordering::Relaxed);
        self.lock().push((id, hook));
        id
    }

    fn snapshot(&self) -> Vec<HookFn<E>> {
        self.lock().iter().map(|(_, f)| f.clone()).collect()
    }
}

impl<E: 'static> Default for ErrorHooks<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: 'static> fmt::Debug for ErrorHooks<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorHooks")
            .field("hooks", &self.lock().len())
            .finish()
    }
}

/// Removal of a hook, whatever the error type of its list.
trait Remove: Send + Sync {
    fn remove(&self, id: u64);
}

impl<E: 'static> Remove for ErrorHooks<E> {
    fn remove(&self, id: u64) {
        self.lock().retain(|(i, _)| *i != id);
    }
}

enum HookRef {
    Static(&'static dyn Remove),
    Shared(Weak<dyn Remove>),
}

/// Keeps an error hook registered: dropping it removes the hook,
/// [`keep`](Self::keep) keeps it for good.
///
/// ```
/// static HOOKS: nanostate::ErrorHooks<u8> = nanostate::ErrorHooks::new();
/// let hook = HOOKS.add_static(|code| eprintln!("error {code}"));
/// drop(hook); // removed
/// ```
#[must_use = "dropping the guard removes the hook at once; call .keep() to keep it"]
pub struct ErrorHook {
    from: Option<HookRef>,
    id: u64,
}

impl ErrorHook {
    /// Keeps the hook registered for good.
    ///
    /// ```
    /// static HOOKS: nanostate::ErrorHooks<u8> = nanostate::ErrorHooks::new();
    /// HOOKS.add_static(|code| eprintln!("error {code}")).keep();
    /// ```
    pub fn keep(mut self) {
        self.from = None;
    }
}

impl Drop for ErrorHook {
    fn drop(&mut self) {
        match self.from.take() {
            Some(HookRef::Static(hooks)) => hooks.remove(self.id),
            Some(HookRef::Shared(weak)) => {
                if let Some(hooks) = weak.upgrade() {
                    hooks.remove(self.id);
                }
            }
            None => {}
        }
    }
}

impl fmt::Debug for ErrorHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorHook").field("id", &self.id).finish()
    }
}
