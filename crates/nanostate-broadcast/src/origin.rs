//! Random peer ids (no randomness crate: the browser's `Math.random`, or
//! the standard library's randomly keyed hasher natively).

/// A new peer id: 16 lowercase hex digits.
pub(crate) fn new_origin() -> String {
    format!("{:016x}", random_u64())
}

#[cfg(not(target_arch = "wasm32"))]
fn random_u64() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};

    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // Each `RandomState` has fresh keys (seeded from the OS once per thread,
    // then stepped), so ids differ across processes and within one.
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(now) = SystemTime::now().duration_since(UNIX_EPOCH) {
        hasher.write_u128(now.as_nanos());
    }
    hasher.write_u32(std::process::id());
    let here = 0u8;
    hasher.write_usize(std::ptr::addr_of!(here) as usize);
    hasher.finish()
}

#[cfg(target_arch = "wasm32")]
fn random_u64() -> u64 {
    // Two draws of 32 bits each (`Math.random` has at least 52).
    let draw = || (js_sys::Math::random() * 4_294_967_296.0) as u64 & 0xffff_ffff;
    (draw() << 32) | draw()
}
