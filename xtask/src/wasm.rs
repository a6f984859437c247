//! The browser toolchain: the wasm32 target, `wasm-bindgen` at the version
//! in Cargo.lock, and Chromium with chromedriver. Each `ensure_*` either
//! returns what is needed or a message saying how to get it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const TARGET: &str = "wasm32-unknown-unknown";

/// How wasm is compiled on this machine.
#[derive(Clone, Copy, Debug)]
pub enum Toolchain {
    /// The rustup toolchain with the wasm32 target installed.
    Rustup,
    /// Debian's `rustc-web` (library sources from `rust-web-src`), building
    /// `std` for wasm32 itself: for machines where rustup cannot download.
    Debian,
}

/// Finds a way to compile for wasm32: the rustup target (added if missing,
/// with a time limit, since a closed network makes it hang), else Debian's
/// `rustc-web` (installed with apt when running as root).
///
/// `NANOSTATE_WASM_TOOLCHAIN=debian` forces the Debian route (to test it).
pub fn ensure_target() -> Result<Toolchain, String> {
    if std::env::var("NANOSTATE_WASM_TOOLCHAIN").as_deref() == Ok("debian") {
        return if debian_ready() {
            Ok(Toolchain::Debian)
        } else {
            Err(
                "NANOSTATE_WASM_TOOLCHAIN=debian, but Debian's rustc-web is not installed \
                 (apt-get install -y rustc-web cargo-web rust-web-src)"
                    .into(),
            )
        };
    }
    if rustup_has_target() {
        return Ok(Toolchain::Rustup);
    }
    eprintln!("xtask: adding the {TARGET} target with rustup (60 s limit)");
    let mut add = Command::new("rustup");
    add.args(["target", "add", TARGET]);
    if run_with_limit(add, Duration::from_secs(60)) && rustup_has_target() {
        return Ok(Toolchain::Rustup);
    }
    if debian_ready() {
        return Ok(Toolchain::Debian);
    }
    if is_root() && Path::new("/usr/bin/apt-get").exists() {
        eprintln!("xtask: rustup could not add {TARGET}; installing Debian's rustc-web");
        let mut apt = Command::new("apt-get");
        apt.args(["install", "-y", "rustc-web", "cargo-web", "rust-web-src"]);
        if run_with_limit(apt, Duration::from_secs(900)) && debian_ready() {
            return Ok(Toolchain::Debian);
        }
    }
    Err(format!(
        "no way to compile for {TARGET}: `rustup target add {TARGET}` failed \
         (no network?) and Debian's rustc-web is not installed. Run \
         `rustup target add {TARGET}`, or on Debian \
         `sudo apt-get install -y rustc-web cargo-web rust-web-src`"
    ))
}

fn rustup_has_target() -> bool {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == TARGET)
        })
}

fn debian_ready() -> bool {
    let sysroot = Command::new("/usr/bin/rustc")
        .args(["--print", "sysroot"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    Path::new("/usr/bin/cargo").exists()
        && sysroot.is_ok_and(|s| Path::new(&s).join("lib/rustlib/src/rust/library").exists())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"))
}

/// Runs `cmd`, killing it after `limit`; true when it exited successfully.
fn run_with_limit(mut cmd: Command, limit: Duration) -> bool {
    let Ok(mut child) = cmd.stdin(Stdio::null()).spawn() else {
        return false;
    };
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if started.elapsed() < limit => std::thread::sleep(Duration::from_millis(200)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

/// A cargo command that builds for wasm32 with `toolchain`, in its own
/// target directory (so it never invalidates the native build).
pub fn cargo(toolchain: Toolchain, args: &[&str]) -> Command {
    match toolchain {
        Toolchain::Rustup => {
            let mut cmd = super::cargo(args);
            cmd.args(["--target", TARGET, "--target-dir", target_dir(toolchain)]);
            cmd
        }
        Toolchain::Debian => {
            let mut cmd = Command::new("/usr/bin/cargo");
            cmd.args(args).args([
                "--target",
                TARGET,
                "--target-dir",
                target_dir(toolchain),
                "-Zbuild-std=std,panic_abort",
            ]);
            for var in [
                "CARGO",
                "RUSTUP_TOOLCHAIN",
                "RUSTC_WRAPPER",
                "CARGO_MANIFEST_DIR",
            ] {
                cmd.env_remove(var);
            }
            cmd.env("RUSTC", "/usr/bin/rustc")
                .env("RUSTDOC", "/usr/bin/rustdoc")
                .env("RUSTC_BOOTSTRAP", "1");
            if let Some(lld) = rust_lld() {
                cmd.env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", lld);
            }
            cmd
        }
    }
}

/// The target directory [`cargo`] builds into for `toolchain`.
pub fn target_dir(toolchain: Toolchain) -> &'static str {
    match toolchain {
        Toolchain::Rustup => "target/wasm",
        Toolchain::Debian => "target/wasm-debian",
    }
}

/// rustup's bundled `rust-lld` (Debian's rustc-web does not ship a linker).
fn rust_lld() -> Option<PathBuf> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = String::from_utf8(sysroot.stdout).ok()?;
    let lld = Path::new(sysroot.trim()).join("lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld");
    lld.exists().then_some(lld)
}

/// The `wasm-bindgen` version pinned in Cargo.lock.
pub fn bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string("Cargo.lock")
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

/// Makes sure `wasm-bindgen` and `wasm-bindgen-test-runner` match the
/// version in Cargo.lock, installing wasm-bindgen-cli from crates.io if not.
pub fn ensure_bindgen() -> Result<(), String> {
    let version = bindgen_version()?;
    let installed = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout).trim() == format!("wasm-bindgen {version}")
        });
    if installed {
        return Ok(());
    }
    let install = |locked: bool| {
        let mut args = vec!["install", "wasm-bindgen-cli", "--version", &version];
        if locked {
            args.push("--locked");
        }
        super::run("install wasm-bindgen-cli", super::cargo(&args))
    };
    // Its lock file can name a release the registry no longer serves (seen
    // with webpki-roots): then resolve afresh.
    install(true).or_else(|_| install(false)).map_err(|_| {
        format!(
            "cannot install wasm-bindgen-cli {version}: run \
             `cargo install wasm-bindgen-cli --version {version}`"
        )
    })
}

/// Chromium and chromedriver, as Debian packages them.
pub fn ensure_chromium() -> Result<PathBuf, String> {
    let driver = PathBuf::from("/usr/bin/chromedriver");
    if Path::new("/usr/bin/chromium").exists() && driver.exists() {
        return Ok(driver);
    }
    Err("headless Chromium is needed: install it with \
         `sudo apt-get install -y chromium chromium-driver` \
         (/usr/bin/chromium and /usr/bin/chromedriver)"
        .into())
}

/// Runs the wasm-bindgen tests of `packages` in headless Chromium.
pub fn browser_tests(packages: &[&str]) -> Result<(), String> {
    let toolchain = ensure_target()?;
    ensure_bindgen()?;
    let driver = ensure_chromium()?;
    // Doctests are built natively (`cargo test --doc`); here only the
    // wasm-bindgen-test suites.
    let mut args = vec!["test", "--tests"];
    for p in packages {
        args.extend(["-p", p]);
    }
    let mut cmd = cargo(toolchain, &args);
    cmd.env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    )
    .env("CHROMEDRIVER", driver)
    .env(
        "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
        std::env::current_dir()
            .map_err(|e| format!("no current directory: {e}"))?
            .join("xtask/webdriver.json"),
    )
    .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    super::run("browser tests (headless Chromium)", cmd)
}
