//! Runs the conformance binary on every scenario of the kit copied into
//! `tests/conformance/` and compares its stdout byte for byte with the
//! expected trace, like the kit's `compare.mjs`: a different trace of a
//! scenario tagged with known quirks (FORMAT.md section 10) counts as
//! "diverged" and passes; any other difference, or a non-zero exit, fails.
//! Every scenario of the kit runs; none is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use conformance::json::{self, Json};

/// A scenario with an expected trace.
struct Case {
    scenario: PathBuf,
    trace: PathBuf,
}

enum Verdict {
    Passed,
    Diverged(Vec<String>),
    Failed(String),
}

fn kit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

/// Every `X.json` with an `X.trace.jsonl` beside it, recursively, sorted.
fn find_cases(dir: &Path, found: &mut Vec<Case>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            find_cases(&path, found);
        } else if let Some(stem) = path.to_str().and_then(|p| p.strip_suffix(".json")) {
            let trace = PathBuf::from(format!("{stem}.trace.jsonl"));
            if trace.exists() {
                found.push(Case {
                    scenario: path,
                    trace,
                });
            }
        }
    }
}

/// The first line where `actual` and `expected` differ, for the report.
fn first_difference(expected: &str, actual: &str) -> String {
    let (mut exp, mut act) = (expected.split('\n'), actual.split('\n'));
    for line in 1.. {
        match (exp.next(), act.next()) {
            (None, None) => break,
            (e, a) if e != a => {
                let show = |l: Option<&str>| l.unwrap_or("<end of output>").to_string();
                return format!(
                    "line {line}\n    expected: {}\n    actual:   {}",
                    show(e),
                    show(a)
                );
            }
            _ => {}
        }
    }
    "outputs differ".to_string()
}

fn judge(case: &Case) -> Verdict {
    let text = std::fs::read_to_string(&case.scenario).expect("readable scenario");
    let json = json::parse(&text).expect("kit scenarios are JSON");
    let quirks: Vec<String> = json
        .field("quirks")
        .and_then(Json::as_arr)
        .map(|q| {
            q.iter()
                .filter_map(Json::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let expected = std::fs::read(&case.trace).expect("readable trace");
    let output = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .arg(&case.scenario)
        .output()
        .expect("the runner starts");
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Verdict::Failed(format!(
            "runner exited with {}: {}",
            output.status,
            stderr.lines().next().unwrap_or("")
        ));
    }
    if output.stdout == expected {
        Verdict::Passed
    } else if !quirks.is_empty() {
        Verdict::Diverged(quirks)
    } else {
        Verdict::Failed(first_difference(
            &String::from_utf8_lossy(&expected),
            &String::from_utf8_lossy(&output.stdout),
        ))
    }
}

#[test]
fn kit_traces_match() {
    let mut cases = Vec::new();
    find_cases(&kit_dir(), &mut cases);
    assert!(
        !cases.is_empty(),
        "no scenario found under {}",
        kit_dir().display()
    );

    // Run in parallel: one runner process per scenario.
    let next = AtomicUsize::new(0);
    let verdicts: Mutex<Vec<Option<Verdict>>> =
        Mutex::new((0..cases.len()).map(|_| None).collect());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                let verdict = judge(case);
                verdicts.lock().unwrap()[i] = Some(verdict);
            });
        }
    });

    let root = kit_dir();
    let name = |case: &Case| {
        case.scenario
            .strip_prefix(&root)
            .unwrap_or(&case.scenario)
            .display()
            .to_string()
    };
    let mut passed = 0;
    let mut diverged = Vec::new();
    let mut failed = Vec::new();
    for (case, verdict) in cases.iter().zip(verdicts.into_inner().unwrap()) {
        match verdict.expect("every case judged") {
            Verdict::Passed => passed += 1,
            Verdict::Diverged(quirks) => {
                diverged.push(format!("diverged ({}): {}", quirks.join(","), name(case)))
            }
            Verdict::Failed(why) => failed.push(format!("FAIL {}: {why}", name(case))),
        }
    }
    for line in diverged.iter().chain(&failed) {
        println!("{line}");
    }
    println!(
        "conformance: {} passed, {} failed ({} diverged on known quirks)",
        passed + diverged.len(),
        failed.len(),
        diverged.len()
    );
    assert!(passed > 0, "no scenario passed");
    assert!(
        failed.is_empty(),
        "{} conformance scenario(s) failed",
        failed.len()
    );
}

/// Regression: a file of 200 000 nested arrays is JSON but not a scenario,
/// so the runner exits with status 2; it used to overflow its stack while
/// dropping the parsed value (and abort).
#[test]
fn deeply_nested_file_is_not_a_scenario() {
    let path = std::env::temp_dir().join(format!("conformance-deep-{}.json", std::process::id()));
    let depth = 200_000;
    std::fs::write(&path, "[".repeat(depth) + &"]".repeat(depth)).expect("temp file");
    let output = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .arg(&path)
        .output()
        .expect("the runner starts");
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        output.status.code(),
        Some(2),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty());
}
