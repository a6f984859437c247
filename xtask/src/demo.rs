//! The islands shop demo (`examples/islands`): build its site (two wasm
//! modules, run through wasm-bindgen) and its server, then serve it.

use std::path::PathBuf;
use std::process::Command;

use crate::wasm;

/// The wasm modules of the page. Each is built as its own binary: the
/// footer proves that separately built modules share stores by name.
const MODULES: &[(&str, &str)] = &[
    ("islands-client", "islands_client"),
    ("islands-footer", "islands_footer"),
];

/// Where the built site goes: `pkg/` holds the wasm-bindgen output.
pub const SITE: &str = "target/islands-site";

/// Builds both wasm modules (release), runs wasm-bindgen on them into
/// `target/islands-site/pkg`, and builds the server. Returns the path of
/// the server binary.
pub fn build() -> Result<PathBuf, String> {
    let toolchain = wasm::ensure_target()?;
    wasm::ensure_bindgen()?;
    let mut args = vec!["build", "--release"];
    for (package, _) in MODULES {
        args.extend(["-p", package]);
    }
    crate::run("islands: wasm modules", wasm::cargo(toolchain, &args))?;
    let out = PathBuf::from(wasm::target_dir(toolchain))
        .join(wasm::TARGET)
        .join("release");
    let pkg = PathBuf::from(SITE).join("pkg");
    for (_, lib) in MODULES {
        let mut bindgen = Command::new("wasm-bindgen");
        bindgen
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&pkg)
            .arg(out.join(format!("{lib}.wasm")));
        crate::run(&format!("islands: wasm-bindgen {lib}"), bindgen)?;
    }
    crate::run(
        "islands: server",
        crate::cargo(&["build", "-p", "islands-server"]),
    )?;
    let native =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| "target".into(), PathBuf::from);
    Ok(native.join("debug").join("islands-server"))
}

/// The command that serves the built site on `addr` (`127.0.0.1:PORT`).
/// Once listening, the server prints one line ending in its URL.
pub fn server(binary: &std::path::Path, addr: &str) -> Command {
    let mut cmd = Command::new(binary);
    cmd.args([
        "--addr",
        addr,
        "--site",
        SITE,
        "--assets",
        "examples/islands/assets",
    ]);
    cmd
}

/// `cargo xtask demo`: build, then serve on 127.0.0.1:3000 until stopped.
pub fn run() -> Result<(), String> {
    let binary = build()?;
    let addr = std::env::var("NANOSTATE_DEMO_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    crate::run("islands: server (Ctrl-C to stop)", server(&binary, &addr))
}
