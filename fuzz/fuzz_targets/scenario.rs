//! Fuzzes how the conformance runner (`crates/conformance`) reads a
//! scenario file: the JSON reader (`JSON.parse` semantics), the top-level
//! check `check_scenario`, and the shape checks and grammars of steps.
//!
//! Properties, for every input (read as the binary reads a file: lossy
//! UTF-8):
//!
//! * nothing panics and nothing recurses without bound: any depth of
//!   nesting parses (as `JSON.parse` does) and is dropped without
//!   overflowing the stack;
//! * whatever `serde_json` (a strict RFC 8259 parser) accepts, the reader
//!   accepts too, as the same value: the same types, strings and keys (a
//!   repeated key keeps its last value), numbers equal up to rounding;
//! * a path the kit's grammar accepts (`is_path`) is one nanostate's
//!   `parse_path` accepts (the runner relies on it: it `expect`s the
//!   subscription to such paths to succeed);
//! * the checks of every step, nested ones included, run to completion.
//!
//! Run: `cargo +nightly fuzz run scenario fuzz/seeds/scenario`.
#![no_main]

use conformance::json::{self, Json};
use conformance::scenario::{self, Op};
use conformance::value::{deep_from_json, encode_json, JsVal};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Whether the reader's value is the one `serde_json` read.
fn same(ours: &Json, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Num(a), Value::Number(b)) => {
            // serde_json (without `float_roundtrip`) may round a decimal
            // fraction one unit in the last place differently.
            let b = b.as_f64().expect("a finite number");
            a == &b || (a - b).abs() <= a.abs().max(b.abs()) * 4.0 * f64::EPSILON
        }
        (Json::Str(a), Value::String(b)) => a.utf16.is_none() && a.text == *b,
        (Json::Arr(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Json::Obj(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, x)| b.get(k).is_some_and(|y| same(x, y)))
        }
        _ => false,
    }
}

/// The string fields of a step, run through every grammar.
fn check_grammars(s: &str) {
    let _ = (
        scenario::is_ident(s),
        scenario::is_name(s),
        scenario::is_index(s),
    );
    if scenario::is_path(s) {
        assert!(
            nanostate::parse_path(s).is_ok(),
            "is_path accepts {s:?}, parse_path rejects it"
        );
    }
}

/// Runs the step checks over `steps` and the steps nested in them (`then`,
/// `steps`), with a work list (no recursion) and a bound on the work.
fn check_steps(steps: &[Json]) {
    let mut pending: Vec<&Json> = steps.iter().collect();
    let mut budget = 10_000;
    while let Some(step) = pending.pop() {
        budget -= 1;
        if budget == 0 {
            return;
        }
        let Some(fields) = step.as_obj() else {
            continue;
        };
        if let Some(op) = step
            .field("op")
            .and_then(Json::as_str)
            .and_then(Op::from_name)
        {
            let _ = scenario::shape_ok(op, fields);
        }
        for (key, value) in fields {
            check_grammars(key);
            match value {
                Json::Str(s) => check_grammars(&s.text),
                Json::Arr(items) if key == "then" || key == "steps" => pending.extend(items.iter()),
                Json::Arr(items) => items
                    .iter()
                    .filter_map(Json::as_str)
                    .for_each(check_grammars),
                _ => {}
            }
            // What the runner makes of values (depth-checked first, as the
            // runner does before converting).
            let _ = (
                scenario::is_primitive(value),
                scenario::is_flat_object(value),
            );
            let _ = JsVal::from_json(value);
            if scenario::is_deep_value(value, 0) {
                let _ = (encode_json(value), deep_from_json(value));
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    // As the binary reads a file: UTF-8 with replacement characters.
    let text = String::from_utf8_lossy(data);
    let parsed = json::parse(&text);
    if let Ok(theirs) = serde_json::from_str::<Value>(&text) {
        let ours = parsed
            .as_ref()
            .unwrap_or_else(|e| panic!("serde_json reads it, the reader says {e}"));
        assert!(
            same(ours, &theirs),
            "read differently: {ours:?} / {theirs:?}"
        );
    }
    let Ok(doc) = parsed else {
        return;
    };
    if let Ok(checked) = scenario::check_scenario(&doc) {
        check_steps(&checked.steps);
    }
    // `doc` is dropped here: at any depth, without recursion.
});
