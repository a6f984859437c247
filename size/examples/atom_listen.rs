//! An atom with a listener: declare, listen, set, unsubscribe, get.
use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering};

use nanostate::{atom, Atom};

static COUNT: Atom<u32> = atom(0);
static SEEN: AtomicU32 = AtomicU32::new(0);

/// Sets the atom to `n` under a listener and returns what it saw.
#[no_mangle]
pub extern "C" fn run(n: u32) -> u32 {
    let n = *black_box(Box::new(n));
    let sub = COUNT.listen(|value, _| SEEN.store(*value, Ordering::Relaxed));
    COUNT.set(n);
    drop(sub);
    COUNT.get() + SEEN.load(Ordering::Relaxed)
}
