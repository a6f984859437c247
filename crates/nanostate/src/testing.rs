//! Helpers for tests: keep a store mounted, reset stores between tests.

use crate::core::Kind;
use crate::store::Store;

/// Adds a listener that is never removed (until [`clean_stores`]), so the
/// store stays mounted. Nano Stores' `keepMount`.
///
/// ```
/// use nanostate::{atom, keep_mount, Atom};
/// static A: Atom<i32> = atom(0);
/// keep_mount(&A);
/// assert_eq!(A.listener_count(), 1);
/// ```
pub fn keep_mount<S: Store>(store: &S) {
    store
        .core()
        .listen(crate::core::next_id(), Box::new(|_, _, _| {}))
        .keep();
}

/// A store that [`clean_stores`] can reset.
pub trait Clean {
    /// Resets this store: see [`clean_stores`].
    ///
    /// ```
    /// use nanostate::{Atom, Clean};
    /// let a = Atom::new(0);
    /// a.listen(|_, _| {}).keep();
    /// a.clean();
    /// assert_eq!(a.listener_count(), 0);
    /// ```
    fn clean(&self);
}

impl<S: Store> Clean for S
where
    S::Kind: Kind,
{
    fn clean(&self) {
        self.core().clean();
    }
}

/// Resets stores between tests (Nano Stores' `cleanStores`): for each store
/// in order, runs pending `on_mount` cleanups at once, forgets a computed
/// store's cached result, removes every listener (old subscriptions become
/// no-ops) and runs the `on_stop` hooks. Values of atoms and maps are kept.
///
/// ```
/// use nanostate::{atom, clean_stores, on_mount, Atom, Computed};
/// static A: Atom<i32> = atom(0);
/// let doubled = Computed::new(&A, |a| a * 2);
/// doubled.listen(|_, _| {}).keep();
/// clean_stores(&[&A, &doubled]);
/// assert_eq!((A.listener_count(), doubled.listener_count()), (0, 0));
/// ```
pub fn clean_stores(stores: &[&dyn Clean]) {
    for store in stores {
        store.clean();
    }
}
