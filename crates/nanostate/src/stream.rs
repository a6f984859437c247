//! Any store as a `futures_core::Stream` of its values (feature `futures`).

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use futures_core::Stream;

use crate::core::next_id;
use crate::store::Store;
use crate::subscription::Subscription;

struct Shared<T> {
    /// The newest value not yet yielded.
    pending: Option<T>,
    waker: Option<Waker>,
}

/// A store's values as a [`Stream`]: the current value first, then the
/// latest value after each change. Like a watch channel it never buffers: a
/// consumer slower than the writes sees the newest value, not every one.
/// The stream listens to the store until it is dropped, and never ends.
///
/// ```
/// use futures_core::Stream;
/// use nanostate::{runtime::block_on, to_stream, Atom};
/// use std::future::poll_fn;
/// use std::pin::Pin;
///
/// let a = Atom::new(1);
/// let mut values = to_stream(&a);
/// let mut next = || block_on(poll_fn(|cx| Pin::new(&mut values).poll_next(cx)));
/// assert_eq!(next(), Some(1));
/// a.set(2);
/// a.set(3); // coalesced: the stream yields the newest value
/// assert_eq!(next(), Some(3));
/// ```
pub struct StoreStream<T> {
    shared: Arc<Mutex<Shared<T>>>,
    _subscription: Subscription,
}

/// Turns any store into a [`StoreStream`] of cloned values.
///
/// ```
/// let _stream = nanostate::to_stream(&nanostate::Atom::new("x"));
/// ```
pub fn to_stream<S: Store>(store: &S) -> StoreStream<S::Value>
where
    S::Value: Clone,
{
    let shared = Arc::new(Mutex::new(Shared {
        pending: None,
        waker: None,
    }));
    let s = shared.clone();
    let subscription = store.core().listen(
        next_id(),
        Box::new(move |value, _, _| {
            let waker = {
                let mut st = s.lock().unwrap_or_else(|e| e.into_inner());
                st.pending = Some(value.clone());
                st.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        }),
    );
    if let Some(value) = store.core().peek() {
        let mut st = shared.lock().unwrap_or_else(|e| e.into_inner());
        if st.pending.is_none() {
            st.pending = Some((*value).clone());
        }
    }
    StoreStream {
        shared,
        _subscription: subscription,
    }
}

impl<T> Stream for StoreStream<T> {
    type Item = T;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut st = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        match st.pending.take() {
            Some(value) => Poll::Ready(Some(value)),
            None => {
                st.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl<T> Unpin for StoreStream<T> {}
