//! `cargo xtask size`: builds the programs of `size/` for wasm32 with the
//! `wasm-size` profile, shrinks them with `wasm-opt -Oz`, and reports raw,
//! gzip and brotli bytes and the cost over the allocator-only baseline,
//! failing when a program is over its budget in `size/budget.txt`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::wasm;

const PROGRAMS: [&str; 5] = [
    "baseline",
    "atom_listen",
    "map_computed",
    "router_open",
    "logger_atom",
];

struct Weight {
    raw: usize,
    gzip: usize,
    brotli: usize,
}

pub fn report() -> Result<(), String> {
    let toolchain = wasm::ensure_target()?;
    for tool in ["wasm-opt", "gzip", "brotli"] {
        let found = Command::new(tool).arg("--version").output().is_ok();
        if !found {
            return Err(format!(
                "size: `{tool}` is missing; install it with \
                 `sudo apt-get install -y binaryen brotli gzip`"
            ));
        }
    }
    let mut build = wasm::cargo(
        toolchain,
        &[
            "build",
            "-p",
            "nanostate-size",
            "--examples",
            "--profile",
            "wasm-size",
        ],
    );
    build.arg("--quiet");
    crate::run("size: build the programs", build)?;
    let dir =
        Path::new(wasm::target_dir(toolchain)).join("wasm32-unknown-unknown/wasm-size/examples");
    let budgets = budgets()?;

    let mut weights = Vec::new();
    for name in PROGRAMS {
        weights.push((name, weigh(&dir.join(format!("{name}.wasm")))?));
    }
    let base = &weights[0].1;
    println!("\n| program | raw | gzip | brotli | brotli over baseline | budget |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut over = Vec::new();
    for (name, w) in &weights {
        let extra = w.brotli as i64 - base.brotli as i64;
        let budget = budgets.iter().find(|(n, _)| n == name).map(|(_, b)| *b);
        let shown = budget.map_or("—".to_string(), |b| b.to_string());
        println!(
            "| {name} | {} | {} | {} | {extra} | {shown} |",
            w.raw, w.gzip, w.brotli
        );
        if let Some(b) = budget {
            if extra > b {
                over.push(format!(
                    "{name}: {extra} bytes over the baseline, budget {b}"
                ));
            }
        }
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(format!("size: over budget: {}", over.join("; ")))
    }
}

fn budgets() -> Result<Vec<(String, i64)>, String> {
    let text = std::fs::read_to_string("size/budget.txt")
        .map_err(|e| format!("size: cannot read size/budget.txt: {e}"))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = line
            .split_once('=')
            .and_then(|(k, v)| Some((k.trim().to_string(), v.trim().parse().ok()?)));
        match parsed {
            Some((k, v)) if PROGRAMS.contains(&k.as_str()) => out.push((k, v)),
            _ => {
                return Err(format!(
                    "size/budget.txt line {}: expected `<program> = <bytes>` with one of {PROGRAMS:?}, got {line:?}",
                    n + 1
                ))
            }
        }
    }
    Ok(out)
}

fn weigh(wasm: &Path) -> Result<Weight, String> {
    let opt: PathBuf = wasm.with_extension("opt.wasm");
    let status = Command::new("wasm-opt")
        .args(["-Oz", "--enable-bulk-memory", "--enable-sign-ext"])
        .args([
            "--enable-nontrapping-float-to-int",
            "--enable-mutable-globals",
        ])
        .arg(wasm)
        .arg("-o")
        .arg(&opt)
        .status()
        .map_err(|e| format!("size: cannot run wasm-opt: {e}"))?;
    if !status.success() {
        return Err(format!("size: wasm-opt failed on {}", wasm.display()));
    }
    let bytes = std::fs::read(&opt).map_err(|e| format!("size: {}: {e}", opt.display()))?;
    Ok(Weight {
        raw: bytes.len(),
        gzip: compressed("gzip", &["-9", "-c"], &opt)?,
        brotli: compressed("brotli", &["-c", "-q", "11"], &opt)?,
    })
}

fn compressed(tool: &str, args: &[&str], file: &Path) -> Result<usize, String> {
    let out = Command::new(tool)
        .args(args)
        .arg(file)
        .output()
        .map_err(|e| format!("size: cannot run {tool}: {e}"))?;
    if !out.status.success() {
        return Err(format!("size: {tool} failed on {}", file.display()));
    }
    Ok(out.stdout.len())
}
