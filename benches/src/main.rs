//! nanostate performance benchmarks (W1–W6). See `benches/README.md`.
//!
//! ```text
//! cargo run --release -p nanostate-benches [-- --quick] [--json] [--only W1,W4]
//! ```

mod alloc;
mod harness;
mod workloads;

use std::process::ExitCode;

use harness::Config;
use workloads::{Outcome, Unit, ALL};

#[global_allocator]
static GLOBAL: alloc::CountingAlloc = alloc::CountingAlloc;

struct Args {
    quick: bool,
    json: bool,
    fail_on_miss: bool,
    only: Option<Vec<String>>,
}

const USAGE: &str = "\
usage: nanostate-benches [--quick] [--json] [--only W1,W2,...] [--fail-on-miss]

  --quick          short smoke-test run (a twentieth of the operations, 3 reps)
  --json           print machine-readable results on stdout instead of a table
  --only           run only the listed workloads
  --fail-on-miss   exit with status 1 if a target is missed

A failed correctness check (listener counts, W4's one call per set) always
panics (exit status 101); a missed target only does with --fail-on-miss.";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        quick: false,
        json: false,
        fail_on_miss: false,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => args.quick = true,
            "--json" => args.json = true,
            "--fail-on-miss" => args.fail_on_miss = true,
            "--only" => {
                let list = it.next().ok_or("--only needs a list, e.g. --only W1,W4")?;
                args.only = Some(list.split(',').map(|s| s.trim().to_uppercase()).collect());
            }
            // `cargo bench` passes `--bench`; accept and ignore it.
            "--bench" => {}
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    if let Some(only) = &args.only {
        if let Some(bad) = only.iter().find(|w| !ALL.iter().any(|(id, _)| id == w)) {
            return Err(format!("unknown workload: {bad}"));
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("{msg}");
            }
            eprintln!("{USAGE}");
            return if msg.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    let cfg = Config { quick: args.quick };
    let selected: Vec<_> = ALL
        .iter()
        .filter(|(id, _)| match &args.only {
            Some(only) => only.iter().any(|w| w == id),
            None => true,
        })
        .collect();

    // W6 runs first, before any computed store has scheduled an unmount timer
    // on the runtime thread (that thread could otherwise free memory while
    // W6 counts). Results are still reported in W1..W6 order.
    let mut order: Vec<_> = selected.clone();
    order.sort_by_key(|(id, _)| *id != "W6");
    let mut results: Vec<Outcome> = Vec::new();
    for (id, run) in order {
        if !args.json {
            eprint!("running {id}... ");
        }
        let outcome = run(&cfg);
        if !args.json {
            eprintln!("{:.1} {}", outcome.value, outcome.unit.label());
        }
        results.push(outcome);
    }
    results.sort_by_key(|o| o.id);

    if args.json {
        print_json(&cfg, &results);
    } else {
        print_table(&cfg, &results);
    }
    if args.fail_on_miss && results.iter().any(|r| !r.pass()) {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn print_table(cfg: &Config, results: &[Outcome]) {
    println!(
        "nanostate benchmarks ({} run, median of {} reps)\n",
        if cfg.quick { "quick" } else { "full" },
        cfg.reps()
    );
    println!(
        "{:<4} {:<32} {:>12} {:>19} {:>10}  {:<6}",
        "id", "workload", "result", "min..max", "target", "status"
    );
    println!("{}", "-".repeat(89));
    for r in results {
        let spread = match r.spread {
            Some((lo, hi)) => format!("{lo:.1}..{hi:.1}"),
            None => "-".to_string(),
        };
        let unit = match r.unit {
            Unit::NsPerOp => "ns",
            Unit::BytesPerAtom => "B",
        };
        println!(
            "{:<4} {:<32} {:>9.1} {:<2} {:>19} {:>7} {:<2}  {:<6}",
            r.id,
            r.title,
            r.value,
            unit,
            spread,
            format!("≤{}", r.target),
            unit,
            if r.pass() { "PASS" } else { "MISS" },
        );
    }
    println!();
    for r in results {
        println!("{}: {}", r.id, r.notes);
    }
    let missed = results.iter().filter(|r| !r.pass()).count();
    println!(
        "\n{} of {} targets met",
        results.len() - missed,
        results.len()
    );
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn print_json(cfg: &Config, results: &[Outcome]) {
    let items: Vec<String> = results
        .iter()
        .map(|r| {
            let (min, max) = match r.spread {
                Some((lo, hi)) => (format!("{lo:.3}"), format!("{hi:.3}")),
                None => ("null".into(), "null".into()),
            };
            format!(
                "    {{\"id\": {}, \"title\": {}, \"unit\": {}, \"value\": {:.3}, \"min\": {min}, \
                 \"max\": {max}, \"target\": {}, \"pass\": {}, \"ops\": {}, \"reps\": {}, \"notes\": {}}}",
                json_str(r.id),
                json_str(r.title),
                json_str(r.unit.label()),
                r.value,
                r.target,
                r.pass(),
                r.ops,
                r.reps,
                json_str(&r.notes),
            )
        })
        .collect();
    println!(
        "{{\n  \"implementation\": \"nanostate\",\n  \"mode\": {},\n  \"results\": [\n{}\n  ]\n}}",
        json_str(if cfg.quick { "quick" } else { "full" }),
        items.join(",\n")
    );
}
