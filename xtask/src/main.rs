//! Project automation, as a small Rust program (`cargo xtask <command>`).
//!
//! * `cargo xtask ci`    — everything CI checks: formatting, clippy with
//!   warnings denied, the whole test suite (unit, integration, conformance,
//!   doctests), the browser tests, the islands shop end to end in
//!   Chromium, the wasm size budget, the loom model, a 30-second fuzz pass, and a quick
//!   benchmark smoke run.
//! * `cargo xtask test`  — the test suite only.
//! * `cargo xtask fuzz [SECONDS]` — the deep-map path fuzzer (default 30 s).
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
                "usage: cargo xtask <ci|test|browser|e2e|size|loom|fuzz [SECONDS]|bench|bench-wasm [--quick]|demo|cart>"
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

/// A bounded cargo-fuzz pass over the deep-map path parser and writes
/// (nightly toolchain and `cargo install cargo-fuzz` required).
fn fuzz(seconds: u64) -> Result<(), String> {
    let nightly = Command::new("cargo")
        .args(["+nightly", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !nightly {
        return Err("fuzz: needs the nightly toolchain (rustup toolchain install nightly)".into());
    }
    let has_fuzz = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_fuzz {
        return Err("fuzz: needs cargo-fuzz (cargo install cargo-fuzz --locked)".into());
    }
    std::fs::create_dir_all("fuzz/corpus/deep_path")
        .map_err(|e| format!("fuzz: cannot create the corpus folder: {e}"))?;
    let mut cmd = Command::new("cargo");
    cmd.current_dir("fuzz").args([
        "+nightly",
        "fuzz",
        "run",
        "deep_path",
        "--",
        &format!("-max_total_time={seconds}"),
        "-rss_limit_mb=1024",
        "-max_len=512",
        "-print_final_stats=1",
    ]);
    // The parent's cargo environment would point the nightly build at the
    // wrong toolchain.
    for var in [
        "CARGO",
        "RUSTC",
        "RUSTDOC",
        "RUSTUP_TOOLCHAIN",
        "CARGO_MANIFEST_DIR",
    ] {
        cmd.env_remove(var);
    }
    run("fuzz (bounded)", cmd)
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
    fuzz(30)?;
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
