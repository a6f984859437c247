//! Project automation, as a small Rust program (`cargo xtask <command>`).
//!
//! * `cargo xtask ci`    — everything CI checks: formatting, clippy with
//!   warnings denied, the whole test suite (unit, integration, conformance,
//!   doctests), the browser tests, the islands shop end to end in
//!   Chromium, the wasm size budget, the loom model, a bounded pass of every
//!   fuzz target, LeakSanitizer, ThreadSanitizer, miri, a one-minute soak,
//!   and a quick benchmark smoke run.
//! * `cargo xtask test`  — the test suite only.
//! * `cargo xtask fuzz [SECONDS]` — every fuzz target, SECONDS each
//!   (default 30).
//! * `cargo xtask sanitize` — the core's and companions' native tests under
//!   LeakSanitizer, the core's multi-thread tests under ThreadSanitizer
//!   (nightly with `rust-src`).
//! * `cargo xtask miri` — miri over the core tests of its `unsafe` code and
//!   type-erased values (nightly with `miri`).
//! * `cargo xtask soak [--seconds N | --minutes N]` — mixed work from 8
//!   threads with invariants checked and RSS reported (default 60 s).
//! * `cargo xtask bench` — the full benchmark table.
//! * `cargo xtask demo`  — builds and serves the islands shop demo.
//! * `cargo xtask e2e`   — the islands shop, driven in headless Chromium.
//! * `cargo xtask cart`  — the terminal cart example (no browser needed).
//! * `cargo xtask browser` — the wasm tests, in headless Chromium.
//! * `cargo xtask size` — wasm size report against `size/budget.txt`.

mod demo;
mod e2e;
mod size;
mod wasm;
mod webdriver;

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

/// The crates whose `wasm-bindgen-test` suites run in the browser.
const BROWSER_CRATES: &[&str] = &[
    "nanostate-web",
    "nanostate-yew",
    "nanostate-persistent",
    "nanostate-broadcast",
    "nanostate-router",
];

fn main() -> ExitCode {
    // Every path below is relative to the workspace root.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is in the workspace");
    if let Err(e) = std::env::set_current_dir(root) {
        eprintln!(
            "xtask: cannot enter the workspace root {}: {e}",
            root.display()
        );
        return ExitCode::FAILURE;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("test") => test(),
        Some("loom") => loom(),
        Some("browser") => wasm::browser_tests(BROWSER_CRATES),
        Some("size") => size::report(),
        Some("fuzz") => fuzz(args.get(1).and_then(|s| s.parse().ok()).unwrap_or(30)),
        Some("sanitize") => sanitize(),
        Some("miri") => miri(),
        Some("soak") => soak(&args[1..]),
        Some("bench") => run(
            "benchmarks",
            cargo(&["run", "--release", "-p", "nanostate-benches"]),
        ),
        Some("bench-wasm") => bench_wasm(args.iter().any(|a| a == "--quick")),
        Some("demo") => demo::run(),
        Some("e2e") => e2e::run(),
        Some("cart") => run(
            "terminal cart",
            cargo(&["run", "-q", "-p", "nanostate", "--example", "cart"]),
        ),
        _ => {
            eprintln!(
                "usage: cargo xtask <ci|test|browser|e2e|size|loom|fuzz [SECONDS]|sanitize|miri|soak [--seconds N|--minutes N]|bench|bench-wasm [--quick]|demo|cart>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(step) => {
            eprintln!("xtask: step failed: {step}");
            ExitCode::FAILURE
        }
    }
}

fn cargo(args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(args);
    cmd
}

fn run(name: &str, mut cmd: Command) -> Result<(), String> {
    eprintln!("\n=== {name}: {cmd:?}");
    let started = Instant::now();
    let status = cmd
        .status()
        .map_err(|e| format!("{name}: cannot start: {e}"))?;
    eprintln!("=== {name}: {status} in {:.1?}", started.elapsed());
    if status.success() {
        Ok(())
    } else {
        Err(name.to_string())
    }
}

fn test() -> Result<(), String> {
    run(
        "tests",
        cargo(&["test", "--workspace", "--all-targets", "--all-features"]),
    )?;
    run(
        "doctests",
        cargo(&["test", "--workspace", "--doc", "--all-features"]),
    )
}

/// The loom model of the notification core, in its own target directory so
/// the `--cfg loom` build does not invalidate the normal one.
fn loom() -> Result<(), String> {
    let mut cmd = cargo(&[
        "test",
        "--release",
        "-p",
        "nanostate",
        "--test",
        "loom",
        "--target-dir",
        "target/loom",
    ]);
    cmd.env("RUSTFLAGS", "--cfg loom");
    cmd.env("LOOM_MAX_PREEMPTIONS", "3");
    run("loom model", cmd)
}

/// The cargo-fuzz targets (`fuzz/fuzz_targets`) and what each feeds.
const FUZZ_TARGETS: &[(&str, &str)] = &[
    ("deep_path", "deep-map paths and key writes"),
    (
        "persisted_value",
        "stored text through every persistent codec",
    ),
    ("broadcast_message", "messages from other tabs and builds"),
    ("scenario", "conformance scenario files"),
    ("router_url", "hrefs and path parameters of a router"),
];

/// Fails with a message naming `step` when the nightly toolchain is
/// missing.
fn require_nightly(step: &str) -> Result<(), String> {
    let found = Command::new("cargo")
        .args(["+nightly", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        Ok(())
    } else {
        Err(format!(
            "{step}: needs the nightly toolchain (rustup toolchain install nightly)"
        ))
    }
}

/// A command for the nightly toolchain, without the parent's cargo
/// environment (which would point it at the wrong toolchain).
fn nightly(args: &[&str]) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly").args(args);
    for var in [
        "CARGO",
        "RUSTC",
        "RUSTDOC",
        "RUSTUP_TOOLCHAIN",
        "CARGO_MANIFEST_DIR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// A bounded cargo-fuzz pass over every target, `seconds` each, starting
/// from the committed seeds (nightly toolchain and `cargo install
/// cargo-fuzz` required).
fn fuzz(seconds: u64) -> Result<(), String> {
    require_nightly("fuzz")?;
    let has_fuzz = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_fuzz {
        return Err("fuzz: needs cargo-fuzz (cargo install cargo-fuzz --locked)".into());
    }
    for (target, what) in FUZZ_TARGETS {
        let corpus = format!("corpus/{target}");
        std::fs::create_dir_all(Path::new("fuzz").join(&corpus))
            .map_err(|e| format!("fuzz: cannot create the corpus folder: {e}"))?;
        let seeds = format!("seeds/{target}");
        let mut args = vec!["fuzz", "run", target, &corpus];
        if Path::new("fuzz").join(&seeds).is_dir() {
            args.push(&seeds);
        }
        let time = format!("-max_total_time={seconds}");
        args.extend(["--", &time, "-rss_limit_mb=1024", "-print_final_stats=1"]);
        let mut cmd = nightly(&args);
        cmd.current_dir("fuzz");
        run(&format!("fuzz {target}: {what} ({seconds} s)"), cmd)?;
    }
    Ok(())
}

/// The native tests of the core and the companions under LeakSanitizer,
/// and the core's multi-thread tests under ThreadSanitizer, each in its
/// own target directory: everything that runs must leak nothing and race
/// nowhere.
fn sanitize() -> Result<(), String> {
    require_nightly("sanitize")?;
    let host = "x86_64-unknown-linux-gnu";
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        eprintln!("sanitize: the sanitizers run on {host} only; skipped");
        return Ok(());
    }
    let mut cmd = nightly(&[
        "test",
        "--target",
        host,
        "--target-dir",
        "target/lsan",
        "-p",
        "nanostate",
        "-p",
        "nanostate-persistent",
        "-p",
        "nanostate-broadcast",
        "-p",
        "nanostate-logger",
        "-p",
        "nanostate-router",
        "--all-features",
        "--lib",
        "--tests",
    ]);
    cmd.env("RUSTFLAGS", "-Zsanitizer=leak");
    run("LeakSanitizer: the core and the companions", cmd)?;
    // ThreadSanitizer needs the standard library instrumented too
    // (`-Zbuild-std`, from the nightly `rust-src` component): the core's
    // multi-thread tests (the 8-thread stress test, racing refreshes and
    // effect runs).
    let mut cmd = nightly(&[
        "test",
        "-Zbuild-std",
        "--target",
        host,
        "--target-dir",
        "target/tsan",
        "-p",
        "nanostate",
        "--test",
        "guarantees",
        "--",
        "thread",
        "concurrent",
    ]);
    cmd.env("RUSTFLAGS", "-Zsanitizer=thread");
    cmd.env("RUSTDOCFLAGS", "-Zsanitizer=thread");
    run("ThreadSanitizer: core, multi-thread tests", cmd)
}

/// Miri over the core tests that reach its `unsafe` code (the function
/// pointers of `static` computed stores) and its type-erased values
/// (computed arguments, effects): about a minute. `-Zmiri-ignore-leaks`
/// because the native runtime's timer thread lives as long as the process
/// (miri would report the thread; LeakSanitizer checks memory leaks).
fn miri() -> Result<(), String> {
    require_nightly("miri")?;
    let mut cmd = nightly(&[
        "miri",
        "test",
        "-p",
        "nanostate",
        "--lib",
        "--test",
        "guarantees",
        "--test",
        "catalogue",
        "--",
        "static_",
        "computed_args::",
        "computed_recomputes_after_its_function_panicked",
        "computed::",
        "effect::",
        "path::",
    ]);
    cmd.env("MIRIFLAGS", "-Zmiri-ignore-leaks");
    run("miri: static computed stores, erased values, effects", cmd)
}

/// The soak run (`crates/nanostate/examples/soak/`), in release mode.
fn soak(args: &[String]) -> Result<(), String> {
    let mut cmd = cargo(&[
        "run",
        "--release",
        "-q",
        "-p",
        "nanostate",
        "--example",
        "soak",
        "--",
    ]);
    if args.is_empty() {
        cmd.args(["--seconds", "60"]);
    } else {
        cmd.args(args);
    }
    run("soak", cmd)
}

/// The benchmarks compiled to wasm and run in node (`benches/wasm`).
fn bench_wasm(quick: bool) -> Result<(), String> {
    let toolchain = wasm::ensure_target()?;
    run(
        "wasm benchmarks: build",
        wasm::cargo(
            toolchain,
            &[
                "build",
                "--release",
                "--quiet",
                "-p",
                "nanostate-benches-wasm",
            ],
        ),
    )?;
    let module = Path::new(wasm::target_dir(toolchain))
        .join(wasm::TARGET)
        .join("release/nanostate_benches_wasm.wasm");
    let mut node = Command::new("node");
    node.arg("benches/wasm/run.mjs").arg(module);
    if quick {
        node.arg("--quick");
    }
    run("wasm benchmarks: run in node", node)
}

fn ci() -> Result<(), String> {
    run("format", cargo(&["fmt", "--all", "--", "--check"]))?;
    run(
        "clippy",
        cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    test()?;
    wasm::browser_tests(BROWSER_CRATES)?;
    e2e::run()?;
    size::report()?;
    let mut docs = cargo(&["doc", "--workspace", "--no-deps", "--all-features"]);
    docs.env("RUSTDOCFLAGS", "-D warnings");
    run("rustdoc (warnings denied)", docs)?;
    loom()?;
    fuzz(20)?;
    sanitize()?;
    miri()?;
    soak(&[])?;
    run(
        "benchmark smoke run",
        cargo(&[
            "run",
            "--release",
            "-p",
            "nanostate-benches",
            "--",
            "--quick",
        ]),
    )?;
    bench_wasm(true)
}
