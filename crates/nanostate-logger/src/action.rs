//! Named actions: the changes a piece of code makes, logged under its name.

use std::cell::RefCell;

thread_local! {
    /// The actions running on this thread, innermost last.
    static ACTIONS: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` as the action `name`: the `change` events of logged stores
/// that `f` causes on this thread carry `action = name`, and all events
/// inside (listeners' too) belong to the span `action`. Actions nest; an
/// event names the innermost one. Without a [`logger`](crate::logger) it
/// only runs `f`.
///
/// The action ends when `f` returns or panics. Work `f` leaves for later
/// (a task, a timer, another thread) is not part of it.
///
/// ```
/// use nanostate::{map, MapStore};
/// use nanostate_logger::{action, logger};
///
/// static CART: MapStore<&'static str, u32> = map();
/// let _logging = logger(&[("cart", &CART)]);
/// let total = action("add to cart", || {
///     CART.update_key("tee", |n| Some(n.copied().unwrap_or(0) + 1)); // change … action="add to cart"
///     CART.get_key(&"tee")
/// });
/// assert_eq!(total, Some(1));
/// ```
pub fn action<R>(name: &'static str, f: impl FnOnce() -> R) -> R {
    let span = tracing::debug_span!(target: "nanostate", "action", action = name);
    let _entered = span.enter();
    ACTIONS.with_borrow_mut(|actions| actions.push(name));
    let _running = Running;
    f()
}

/// Ends the innermost action, also when it panics.
struct Running;

impl Drop for Running {
    fn drop(&mut self) {
        let _ = ACTIONS.try_with(|actions| actions.borrow_mut().pop());
    }
}

/// Calls `f` with the innermost action running on this thread.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&'static str>) -> R) -> R {
    f(ACTIONS.with_borrow(|actions| actions.last().copied()))
}
