//! A map store and a computed store over it, with a listener.
use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering};

use nanostate::{computed, map, Computed, MapStore};

static CART: MapStore<u32, u32> = map();
static TOTAL: Computed<u32> = computed(&CART, |cart| cart.values().sum());
static SEEN: AtomicU32 = AtomicU32::new(0);

/// Adds `n` of item `n` under a listener of the total; returns the total.
#[no_mangle]
pub extern "C" fn run(n: u32) -> u32 {
    let n = *black_box(Box::new(n));
    let sub = TOTAL.subscribe(|total, _| SEEN.store(*total, Ordering::Relaxed));
    CART.set_key(n, n);
    drop(sub);
    TOTAL.get() + SEEN.load(Ordering::Relaxed)
}
