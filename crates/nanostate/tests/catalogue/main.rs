//! The Nano Stores 1.5.2 behavioural test catalogue
//! (`shared/reference/nanostores-spec.md`, section 2), ported to nanostate.
//!
//! Every test name starts with its catalogue id. Stores are created at run
//! time and every test installs its own [`ManualClock`] on its thread, so the
//! tests share no state and run in parallel; "run timers" and the real
//! 1000 ms waits of the lifecycle file become `advance`/`run_all`.
//!
//! Where nanostate deliberately fixes a quirk of nanostores 1.5.2
//! (`shared/conformance/FORMAT.md` §10, Q1–Q7) the test asserts the fixed
//! behaviour and says so, citing the quirk id.
//!
//! # Cases not ported here
//!
//! Not implemented in the core:
//! * C18, C19 — async computed functions returning a `task` (Nano Stores
//!   deprecates them in favour of `@nanostores/async`); X23 — double-ending a
//!   task and `cleanTasks` leaving waiters pending: a `TaskGuard` ends once, and
//!   `clean_tasks` resolves waiters.
//!
//! JS-only concepts:
//! * A23 — `readonlyType` is a TypeScript type-narrowing identity function.
//! * A29 — generator functions driven inside `batch`.
//! * MP1, DP1, CS4 — `NODE_ENV=production` mode.
//! * CS5 — the `mocked` property of map creators.
//! * CS6 — `cleanStores(undefined)`: Rust has no `undefined` store argument.
//! * LK5 — `store.notify()` with no old value: nanostate has no public
//!   `notify`, and a `listen`/`listen_keys` callback always gets the old map;
//!   the only `(value, None, None)` call is `subscribe_keys`' first one (LK8).
//! * X19 — JS `in` operator (`setKey('toString', undefined)`) and explicit
//!   `undefined` entries: a `MapValue` has neither prototypes nor `undefined`.
//! * X20 — JS argument arity of listener calls and the public `notify()`.
//! * X22 — a `NaN` argument re-running `cb` (JS `!==`; nanostate compares
//!   arguments by snapshot identity), plain promises as computed values, and
//!   `$computed.set()` (a `Computed` has no `set`, checked at compile time).
//!
//! Adapted cases (see the comment on each test): A1 (`init`), A8 (calling an
//! unsubscribe twice), A17 (a function as the value), A19/M10 (`Object.is`
//! equality), A20/M12/M14 (object identity via `Arc::ptr_eq` / pointer
//! equality), A32, LK6 and LK7 (explicit `notify`), C27 (`eq` on the first
//! computation), E5 (a computed store plays the hand-made `{get, listen}`
//! source), L3–L8 (retaining the `shared` payload object), the deepMap
//! cases D1–D22, P1–P10, X17, X18, X27, LK9, LK10 in `deep_map.rs` (identity
//! equality, strict paths: see that file's header), and A7, M4,
//! A33, X7, X8 ("the same function" registered twice or on two stores: one
//! `Arc` closure behind several registrations, see `SharedListener`).
//!
//! Deliberate divergence in A33, X7 and X8: a Rust closure has no identity,
//! so nanostate identifies a listener by its *registration* (as the
//! conformance kit does, FORMAT.md §3.3). Nano Stores de-duplicates one JS
//! function registered on two stores inside a batch and removes both queued
//! calls when one of two registrations of the same function unsubscribes;
//! nanostate calls each registration once per batch and removes only the
//! unsubscribed registration's call.
//!
//! [`ManualClock`]: nanostate::runtime::ManualClock

mod support;

mod atom;
mod clean_stores;
mod computed;
mod deep_map;
mod effect;
mod family;
mod keep_mount;
mod lifecycle;
mod listen_keys;
mod map;
mod supplementary;
mod task;
