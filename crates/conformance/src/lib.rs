//! The parts of the conformance runner that read a scenario file: [`json`]
//! (a reader with the semantics of JavaScript's `JSON.parse`), [`scenario`]
//! (the top-level check, [`scenario::check_scenario`], and the grammars and
//! shape checks of steps) and [`value`] (the JavaScript values the stores
//! hold and their trace encoding).
//!
//! The `conformance` binary (`src/main.rs`) runs scenarios with them; the
//! fuzz target `fuzz/fuzz_targets/scenario.rs` feeds them arbitrary bytes.
//!
//! ```
//! use conformance::{json, scenario};
//! let file = json::parse(r#"{"name": "empty", "steps": []}"#).unwrap();
//! let checked = scenario::check_scenario(&file).unwrap();
//! assert!(checked.steps.is_empty());
//! assert!(scenario::check_scenario(&json::parse("[]").unwrap()).is_err());
//! ```
#![warn(missing_docs)]

pub mod json;
pub mod scenario;
pub mod value;
