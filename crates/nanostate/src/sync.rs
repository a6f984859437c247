//! The synchronization primitives the store core uses: `std` normally, loom's
//! model-checked versions under `--cfg loom` (see `tests/loom.rs`).
//!
//! Only the state shared between threads by one store goes through here; the
//! lazy `static` cells and global counters stay on `std` (loom cannot build
//! them in `const` context, and they are plain counters).

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8};
#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8};
#[cfg(not(loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};
