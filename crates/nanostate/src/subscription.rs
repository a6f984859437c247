//! Guards returned by `listen`, `subscribe` and the lifecycle hooks.

use std::sync::Arc;

pub(crate) trait Unbind: Send + Sync {
    fn unbind(self: Arc<Self>);
}

/// A listener registration. Dropping it unsubscribes: the listener is removed
/// at once, is never called afterwards (not even for changes already queued),
/// and its closure is freed.
///
/// [`keep`](Self::keep) keeps the listener for the life of the store instead.
///
/// ```
/// use nanostate::{atom, Atom};
/// static A: Atom<i32> = atom(0);
///
/// let sub = A.listen(|_, _| {});
/// assert_eq!(A.listener_count(), 1);
/// drop(sub);
/// assert_eq!(A.listener_count(), 0);
/// ```
#[must_use = "dropping a Subscription unsubscribes at once; call .keep() to keep listening"]
pub struct Subscription {
    inner: Option<Arc<dyn Unbind>>,
}

impl Subscription {
    pub(crate) fn new(inner: Arc<dyn Unbind>) -> Self {
        Subscription { inner: Some(inner) }
    }

    /// A subscription that holds nothing (its drop does nothing).
    ///
    /// ```
    /// let sub = nanostate::Subscription::empty();
    /// sub.unsubscribe();
    /// ```
    pub fn empty() -> Self {
        Subscription { inner: None }
    }

    /// Unsubscribes now (the same as dropping the guard).
    ///
    /// ```
    /// # use nanostate::{atom, Atom};
    /// # static A: Atom<i32> = atom(0);
    /// A.listen(|_, _| {}).unsubscribe();
    /// assert_eq!(A.listener_count(), 0);
    /// ```
    pub fn unsubscribe(mut self) {
        if let Some(inner) = self.inner.take() {
            inner.unbind();
        }
    }

    /// Keeps the listener registered for as long as the store lives (or until
    /// `clean_stores`). Useful for `static` stores and tests.
    ///
    /// ```
    /// # use nanostate::{atom, Atom};
    /// static B: Atom<i32> = atom(0);
    /// B.listen(|_, _| {}).keep();
    /// assert_eq!(B.listener_count(), 1);
    /// ```
    pub fn keep(mut self) {
        self.inner = None;
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            inner.unbind();
        }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("active", &self.inner.is_some())
            .finish()
    }
}
