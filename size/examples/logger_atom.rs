//! An atom with a logger attached (no tracing subscriber installed): the
//! cost of the hooks and the event call sites.
use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering};

use nanostate::{atom, Atom};
use nanostate_logger::{action, logger};

static COUNT: Atom<u32> = atom(0);
static SEEN: AtomicU32 = AtomicU32::new(0);

/// Sets the atom to `n` in an action, logged, under a listener.
#[no_mangle]
pub extern "C" fn run(n: u32) -> u32 {
    let n = *black_box(Box::new(n));
    let logging = logger(&[("count", &COUNT)]);
    let sub = COUNT.listen(|value, _| SEEN.store(*value, Ordering::Relaxed));
    action("set", || COUNT.set(n));
    drop(sub);
    drop(logging);
    COUNT.get() + SEEN.load(Ordering::Relaxed)
}
