//! The programs `cargo xtask size` builds for `wasm32-unknown-unknown` and
//! weighs, like Nano Stores' size-limit check. Each is a `cdylib` example
//! exporting one `run` function:
//!
//! * `baseline` allocates and returns: the cost of the allocator alone;
//! * `atom_listen` declares an atom, listens, sets, unsubscribes;
//! * `map_computed` adds a map store and a computed store over it.
//!
//! The report subtracts the baseline, so the figures are what nanostate
//! adds to a program that already allocates. Budgets are in `budget.txt`.
//!
//! ```
//! assert_eq!(nanostate_size::PROGRAMS, ["baseline", "atom_listen", "map_computed"]);
//! ```

/// The example programs, the baseline first.
pub const PROGRAMS: [&str; 3] = ["baseline", "atom_listen", "map_computed"];
