//! A bounded soak test of nanostate's public API.
//!
//! ```sh
//! cargo run --release -p nanostate --example soak -- --seconds 60
//! cargo run --release -p nanostate --example soak -- --minutes 30
//! ```
//!
//! Eight threads run short phases (about 100 ms) of mixed workloads on
//! shared `static` and run-time stores: writes with exact totals, listener
//! churn, nested batches, mount/unmount cycles with a 2 ms unmount delay on
//! the real timers of `NativeRuntime`, computed graphs (diamonds, chains)
//! and effects. After each phase the program waits until the unmount timers
//! have run and checks the invariants: exact totals, every listener count
//! back to zero, one cleanup per mount, one effect cleanup per run, no task
//! left running. Memory (RSS from `/proc/self/statm`) is read after a
//! warm-up and at the end.
//!
//! Options: `--seconds N` or `--minutes N` (default 10 s; the run stops at
//! the first phase boundary past it).
//!
//! Exit status: 0 when every invariant held and RSS did not grow by more
//! than both 10 % and 4 MiB; 1 with a message naming the broken invariant
//! or the growth; 2 on bad arguments; an abort (134) from the watchdog when
//! a phase takes over 30 s.

mod checks;
mod graphs;
mod rss;
mod stores;
mod workloads;
mod writes;

use std::sync::atomic::Ordering::SeqCst;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nanostate::runtime::{set_runtime, NativeRuntime};

use checks::{check_quiescent, Expected};
use rss::{rss_bytes, show_rss};
use stores::{
    init_stores, CLEANUPS, EFFECT_CLEANUPS, EFFECT_RUNS, MOUNTS, PHASE_NO, PHASE_STARTED_MS, START,
};
use workloads::{run_phase, WORKLOADS};

const THREADS: usize = 8;
const PHASE: Duration = Duration::from_millis(100);
const UNMOUNT_DELAY: Duration = Duration::from_millis(2);
const SETTLE_LIMIT: Duration = Duration::from_secs(10);
const WATCHDOG_LIMIT: Duration = Duration::from_secs(30);
const WARM_UP: Duration = Duration::from_secs(2);
const PROGRESS_EVERY: Duration = Duration::from_secs(60);
const KEYS: usize = 16;
const MIB: f64 = 1024.0 * 1024.0;

/// Watchdog: aborts the process if one phase (workers plus quiescence
/// checks) runs for more than [`WATCHDOG_LIMIT`].
fn start_watchdog() {
    std::thread::Builder::new()
        .name("soak-watchdog".into())
        .spawn(|| loop {
            std::thread::sleep(Duration::from_millis(250));
            let started = Duration::from_millis(PHASE_STARTED_MS.load(SeqCst));
            let running = elapsed().saturating_sub(started);
            if running > WATCHDOG_LIMIT {
                eprintln!(
                    "soak: FAILED: watchdog: phase {} has run for {running:?} (limit \
                     {WATCHDOG_LIMIT:?}): a deadlock or a livelock; aborting",
                    PHASE_NO.load(SeqCst)
                );
                std::process::abort();
            }
        })
        .expect("cannot start the watchdog");
}

fn elapsed() -> Duration {
    START.get().expect("set at start").elapsed()
}

/// Command-line options.
struct Config {
    limit: Duration,
}

/// `[--seconds N | --minutes N]` (default: 10 seconds).
fn parse_args() -> Config {
    let usage = || -> ! {
        eprintln!("usage: soak [--seconds N | --minutes N]\n  N > 0, default 10 seconds");
        std::process::exit(2)
    };
    let mut config = Config {
        limit: Duration::from_secs(10),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let unit = match arg.as_str() {
            "--seconds" => 1,
            "--minutes" => 60,
            _ => usage(),
        };
        let seconds = args
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|n| *n > 0)
            .and_then(|n| n.checked_mul(unit))
            .unwrap_or_else(|| usage());
        config.limit = Duration::from_secs(seconds);
    }
    config
}

fn main() {
    let config = parse_args();
    let limit = config.limit;
    START.get_or_init(Instant::now);
    // The default runtime, installed explicitly: one thread with real timers.
    set_runtime(Arc::new(NativeRuntime::new()));
    init_stores();
    start_watchdog();
    println!(
        "soak: {THREADS} threads for {limit:?}, phases of {PHASE:?}, unmount delay \
         {UNMOUNT_DELAY:?}\nsoak: workloads: {}",
        WORKLOADS.map(|(name, _)| name).join(", "),
    );
    let warm_up = WARM_UP.min(limit / 4);
    let mut expected = Expected::default();
    let mut rss_start = None;
    let mut next_progress = PROGRESS_EVERY;
    let mut phase = 0;
    while elapsed() < limit {
        phase += 1;
        PHASE_STARTED_MS.store(elapsed().as_millis() as u64, SeqCst);
        PHASE_NO.store(phase, SeqCst);
        let tallies = run_phase(phase);
        expected.merge(&tallies);
        check_quiescent(&expected, &tallies);
        drop(tallies);
        if rss_start.is_none() && elapsed() >= warm_up {
            let rss = rss_bytes();
            println!(
                "soak: warm-up done after phase {phase} ({:.1} s): RSS {}",
                elapsed().as_secs_f64(),
                show_rss(rss)
            );
            rss_start = Some(rss);
        }
        if elapsed() >= next_progress {
            next_progress += PROGRESS_EVERY;
            println!(
                "soak: {:.0} s, phase {phase}, {} operations, {} mounts, RSS {}",
                elapsed().as_secs_f64(),
                expected.ops,
                MOUNTS.load(SeqCst),
                show_rss(rss_bytes())
            );
        }
    }
    let (start, end) = (rss_start.flatten(), rss_bytes());
    println!(
        "soak: done in {:.1} s: {phase} phases, {} operations, {} batches, {} computed graphs, \
         {} effects; {} mounts / {} cleanups; {} effect runs / {} cleanups; counter {}",
        elapsed().as_secs_f64(),
        expected.ops,
        expected.batches,
        expected.graphs,
        expected.effects,
        MOUNTS.load(SeqCst),
        CLEANUPS.load(SeqCst),
        EFFECT_RUNS.load(SeqCst),
        EFFECT_CLEANUPS.load(SeqCst),
        expected.counter
    );
    println!(
        "soak: RSS at warm-up {}, at end {}",
        show_rss(start),
        show_rss(end)
    );
    if let (Some(start), Some(end)) = (start, end) {
        let grown = end.saturating_sub(start);
        let percent = 100.0 * (end as f64 - start as f64) / start as f64;
        println!(
            "soak: RSS growth {:+.2} MiB ({percent:+.1} %)",
            (end as f64 - start as f64) / MIB
        );
        if end * 10 > start * 11 && grown > 4 << 20 {
            eprintln!(
                "soak: FAILED: RSS grew by more than 10 % and 4 MiB: {} -> {} ({percent:+.1} %)",
                show_rss(Some(start)),
                show_rss(Some(end))
            );
            std::process::exit(1);
        }
    }
    println!("soak: OK, every invariant held");
}
