//! The allocator and nothing else: the size every other program is
//! measured against.
use std::hint::black_box;

/// Allocates `n` and returns it.
#[no_mangle]
pub extern "C" fn run(n: u32) -> u32 {
    *black_box(Box::new(n))
}
