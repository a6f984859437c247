//! `conformance SCENARIO.json`: runs one scenario of the Nano Stores
//! conformance kit against nanostate and prints its trace to stdout
//! (`/work/shared/conformance/FORMAT.md`; a copy of the kit lives in
//! `tests/conformance/`).
//!
//! Exit status: 0 when the scenario ran (its trace may hold `error` events),
//! 2 when the file is not a scenario (unreadable, not JSON, or failing the
//! top-level checks), 3 when nanostate panicked (a runner failure).
//!
//! Modules: the library (`src/lib.rs`) holds what decides whether a file is
//! a scenario: [`json`] reads the file like `JSON.parse`; [`scenario`] holds
//! the format's grammars and shape checks; [`value`] the JavaScript values
//! and their trace encoding. The binary runs it: [`world`] the stores,
//! labels and clock of the run; [`callbacks`] what the registered listeners
//! and hooks do; [`ops`] the steps; [`trace`] the output and the runaway
//! guards; [`menu`] the compute functions.

mod callbacks;
mod menu;
mod ops;
mod trace;
mod world;

// The runner's modules reach these as `crate::json`, `crate::scenario` and
// `crate::value`.
use conformance::{json, scenario, value};

use std::io::Write;
use std::process::ExitCode;
use std::sync::mpsc;

use crate::callbacks::JsThrow;
use crate::ops::Outcome;

/// Stack of the thread running the scenario: nested `batch` steps recurse
/// without a depth limit (the reference relies on JavaScript's large stack).
const STACK_SIZE: usize = 512 << 20;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("usage: conformance SCENARIO.json");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("conformance: cannot read {}: {e}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    // Node reads the file as UTF-8 with replacement characters, BOM kept.
    let text = String::from_utf8_lossy(&bytes);
    let scenario = match json::parse(&text)
        .map_err(|e| e.to_string())
        .and_then(|json| scenario::check_scenario(&json).map_err(String::from))
    {
        Ok(scenario) => scenario,
        Err(why) => {
            eprintln!(
                "conformance: {} is not a scenario: {why}",
                path.to_string_lossy()
            );
            return ExitCode::from(2);
        }
    };

    // An emulated JavaScript exception is an expected unwind: keep it quiet.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !info.payload().is::<JsThrow>() {
            default_hook(info);
        }
    }));

    // The scenario runs on its own thread (for the stack size). That thread
    // never ends: its thread locals hold the stores and the registered
    // guards, whose destructors would unbind listeners and run hooks after
    // the scenario ended. The process exits from here instead.
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("scenario".into())
        .stack_size(STACK_SIZE)
        .spawn(move || {
            let outcome = ops::run_scenario(&scenario);
            let _ = tx.send((trace::take_output(), outcome));
            loop {
                std::thread::park();
            }
        });
    if let Err(e) = spawned {
        eprintln!("conformance: cannot start the scenario thread: {e}");
        return ExitCode::from(3);
    }
    let Ok((output, outcome)) = rx.recv() else {
        eprintln!("conformance: the scenario thread died");
        return ExitCode::from(3);
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::from(3);
    }
    match outcome {
        Outcome::Completed => ExitCode::SUCCESS,
        Outcome::Crashed => {
            eprintln!("conformance: nanostate panicked (see above)");
            ExitCode::from(3)
        }
    }
}
