//! The trace being printed (FORMAT.md section 6) and the runaway guards of
//! section 7.
//!
//! Lines are collected in memory and written to stdout when the scenario
//! ends. Once the runner is *halted* (budget or depth exceeded, or an
//! emulated JavaScript exception) nothing more is recorded, no `then` block
//! starts and no further top-level step runs; store callbacks may still be
//! invoked by nanostate, but they print nothing.

use std::cell::RefCell;

use crate::value::quote;

/// Lines after which the reference stops with a `budget` error.
pub const MAX_TRACE_LINES: usize = 50_000;
/// `then` blocks that may be running at once before a `depth` error.
pub const MAX_THEN_DEPTH: usize = 64;

#[derive(Default)]
struct Trace {
    out: String,
    lines: usize,
    halted: bool,
    /// Encoded `op` of the steps being executed, innermost last.
    ops: Vec<String>,
    /// `then` blocks running.
    depth: usize,
}

thread_local! {
    static TRACE: RefCell<Trace> = RefCell::new(Trace::default());
}

/// Whether the runner stopped (nothing more is printed or run).
pub fn halted() -> bool {
    TRACE.with_borrow(|t| t.halted)
}

/// Appends one line, then stops with `budget` if the limit is reached.
fn push_line(line: &str) {
    let full = TRACE.with_borrow_mut(|t| {
        if t.halted {
            return false;
        }
        t.out.push_str(line);
        t.out.push('\n');
        t.lines += 1;
        t.lines >= MAX_TRACE_LINES
    });
    if full {
        halt("budget");
    }
}

/// Stops the scenario, printing `{"ev":"error","code":CODE,"op":OP}` with the
/// innermost step being executed (`-` if none).
pub fn halt(code: &str) {
    TRACE.with_borrow_mut(|t| {
        if t.halted {
            return;
        }
        let op = t.ops.last().cloned().unwrap_or_else(|| quote("-"));
        t.out.push_str(&format!(
            r#"{{"ev":"error","code":{},"op":{op}}}"#,
            quote(code)
        ));
        t.out.push('\n');
        t.halted = true;
    });
}

/// What the reference prints when JavaScript throws out of a top-level step
/// whose encoded op is `op` (here only a `sum` that is not a safe integer
/// can throw): an `exception` error, then it stops. The steps have been
/// unwound by then, so a `budget` halt caused by this line names no step.
pub fn exception(op: String) {
    Event::new("error")
        .raw("code", quote("exception"))
        .raw("op", op)
        .emit();
    TRACE.with_borrow_mut(|t| t.halted = true);
}

/// Marks a step as being executed (its encoded op), until dropped. A guard
/// rather than a pair of calls, so that an emulated exception unwinding
/// through the step keeps the stack right.
pub struct OpGuard;

impl OpGuard {
    /// Pushes the encoded `op` of the step starting now.
    pub fn push(op: String) -> OpGuard {
        TRACE.with_borrow_mut(|t| t.ops.push(op));
        OpGuard
    }
}

impl Drop for OpGuard {
    fn drop(&mut self) {
        TRACE.with_borrow_mut(|t| t.ops.pop());
    }
}

/// A running `then` block, counted until dropped.
pub struct ThenGuard;

impl ThenGuard {
    /// Enters a `then` block; `None` (after halting with `depth`) if 64 are
    /// already running.
    pub fn enter() -> Option<ThenGuard> {
        let ok = TRACE.with_borrow_mut(|t| {
            if t.depth >= MAX_THEN_DEPTH {
                return false;
            }
            t.depth += 1;
            true
        });
        if !ok {
            halt("depth");
        }
        ok.then(|| ThenGuard)
    }
}

impl Drop for ThenGuard {
    fn drop(&mut self) {
        TRACE.with_borrow_mut(|t| t.depth -= 1);
    }
}

/// Everything printed so far (the scenario is over).
pub fn take_output() -> String {
    TRACE.with_borrow_mut(|t| {
        t.halted = true;
        std::mem::take(&mut t.out)
    })
}

/// One trace line under construction: fields in the order they are added,
/// `undefined` ones left out.
pub struct Event {
    line: String,
}

impl Event {
    /// `{"ev":EV`
    pub fn new(ev: &str) -> Event {
        Event {
            line: format!(r#"{{"ev":{}"#, quote(ev)),
        }
    }

    /// A field whose value is already JSON text.
    pub fn raw(mut self, name: &str, json: String) -> Event {
        self.line.push_str(&format!(",{}:{json}", quote(name)));
        self
    }

    /// A field holding a plain string (`l`, `store`, `key`, `code`).
    pub fn str(self, name: &str, value: &str) -> Event {
        self.raw(name, quote(value))
    }

    /// A value field, omitted when the value is `undefined` (`None`).
    pub fn opt(self, name: &str, json: Option<String>) -> Event {
        match json {
            Some(json) => self.raw(name, json),
            None => self,
        }
    }

    /// A string field omitted when absent (`key`).
    pub fn opt_str(self, name: &str, value: Option<&str>) -> Event {
        match value {
            Some(v) => self.str(name, v),
            None => self,
        }
    }

    /// Prints the line (nothing once halted).
    pub fn emit(mut self) {
        self.line.push('}');
        push_line(&self.line);
    }
}
