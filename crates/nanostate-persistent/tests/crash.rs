//! Crash tests of the file engine: writer processes killed with `SIGKILL`
//! at varied points, and two processes writing one directory at once.
//!
//! This binary is its own child processes (`harness = false`): run without
//! `NANOSTATE_CRASH_ROLE` it is the test, which starts copies of itself
//! with the role set (`writer`, `reader`, `racer`) and checks what they
//! leave on disk. Linux only: the sweep of dead writers' temporary files
//! asks `/proc` whether a writer lives.

#[cfg(target_os = "linux")]
mod linux {
    use std::io::{BufRead, BufReader};
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use nanostate::MapValue;
    use nanostate_persistent::{FileEngine, PersistError, PersistentAtom, PersistentMap};

    const ROLE: &str = "NANOSTATE_CRASH_ROLE";
    const DIR: &str = "NANOSTATE_CRASH_DIR";
    const RACER: &str = "NANOSTATE_CRASH_RACER";
    /// Size of the writer's big value: large enough that a write takes a
    /// while, so kills land inside writes.
    const BIG: usize = 256 << 10;
    /// Keys of the writer's map.
    const MAP_KEYS: usize = 8;
    /// Kills of the writer.
    const KILLS: usize = 40;
    /// Writes of each racer.
    const RACE_WRITES: u32 = 150;

    /// The value of generation `g`: `<g>:` then a letter picked by `g`
    /// repeated, then `:<g>`, `len` bytes in all. A torn or mixed file
    /// does not pass [`blob_generation`].
    fn blob(tag: &str, g: u64, len: usize) -> String {
        let head = format!("{tag}{g}:");
        let tail = format!(":{g}");
        let letter = (b'a' + (g % 26) as u8) as char;
        let fill = len.saturating_sub(head.len() + tail.len());
        let mut text = String::with_capacity(len);
        text.push_str(&head);
        text.extend(std::iter::repeat_n(letter, fill));
        text.push_str(&tail);
        text
    }

    /// The generation of a complete [`blob`], or `None` for anything else.
    fn blob_generation(tag: &str, text: &str, len: usize) -> Option<u64> {
        let rest = text.strip_prefix(tag)?;
        let (g, _) = rest.split_once(':')?;
        let g: u64 = g.parse().ok()?;
        (text == blob(tag, g, len)).then_some(g)
    }

    fn engine(dir: &Path) -> Arc<FileEngine> {
        Arc::new(FileEngine::new(dir).expect("the test directory opens"))
    }

    fn big_store(engine: Arc<FileEngine>) -> PersistentAtom<String> {
        PersistentAtom::new("big", String::new()).with_engine(engine)
    }

    fn map_store(engine: Arc<FileEngine>) -> PersistentMap<String, u64> {
        PersistentMap::new("m:", MapValue::new()).with_engine(engine)
    }

    /// Error hooks that collect every persistence error of a child.
    fn collect_errors() -> Arc<Mutex<Vec<PersistError>>> {
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = log.clone();
        nanostate_persistent::on_error(move |e| l.lock().unwrap().push(e.clone())).keep();
        log
    }

    /// Child: continues from the stored generation and writes forever,
    /// printing `atom <g>` once the big value of `g` is saved and `map <g>`
    /// once every map key holds `g`.
    fn writer(dir: &Path) {
        let errors = collect_errors();
        let engine = engine(dir);
        let big = big_store(engine.clone());
        let map = map_store(engine);
        let mut g = blob_generation("", &big.get(), BIG).unwrap_or(0);
        loop {
            g += 1;
            big.set(blob("", g, BIG));
            assert!(errors.lock().unwrap().is_empty(), "writer: {errors:?}");
            println!("atom {g}");
            for k in 0..MAP_KEYS {
                map.set_key(format!("k{k}"), g);
            }
            println!("map {g}");
        }
    }

    /// Child: a fresh process reading what the writer left, printing
    /// `atom <g>`, `map <v0> <v1> …` and `errors <n>`.
    fn reader(dir: &Path) {
        let errors = collect_errors();
        let engine = engine(dir);
        let big = big_store(engine.clone()).get();
        let atom = blob_generation("", &big, BIG)
            .map_or_else(|| format!("torn ({} bytes)", big.len()), |g| g.to_string());
        println!("atom {atom}");
        let map = map_store(engine).get();
        let values: Vec<String> = (0..MAP_KEYS)
            .map(|k| {
                map.get(&format!("k{k}"))
                    .map_or("none".into(), u64::to_string)
            })
            .collect();
        println!("map {}", values.join(" "));
        println!("errors {}", errors.lock().unwrap().len());
    }

    /// Child: writes its own key and the shared key `RACE_WRITES` times.
    fn racer(dir: &Path, id: &str) {
        let errors = collect_errors();
        let engine = engine(dir);
        let own = PersistentAtom::new(format!("own-{id}"), 0u32).with_engine(engine.clone());
        let shared = PersistentAtom::new("shared", String::new()).with_engine(engine);
        for i in 1..=RACE_WRITES {
            own.set(i);
            shared.set(blob(&format!("{id}-"), u64::from(i), 64 << 10));
        }
        assert!(errors.lock().unwrap().is_empty(), "racer: {errors:?}");
    }

    fn child(role: &str, dir: &Path) -> Command {
        let mut cmd = Command::new(std::env::current_exe().expect("the test binary"));
        cmd.env(ROLE, role).env(DIR, dir);
        cmd
    }

    fn temp_files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("the test directory lists")
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        names.sort();
        names
    }

    fn test_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("nanostate-crash-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// The last generation the writer announced for `what` in `lines`.
    fn last(lines: &[String], what: &str) -> u64 {
        lines
            .iter()
            .rev()
            .find_map(|l| l.strip_prefix(what)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or(0)
    }

    /// Kills a writer `KILLS` times at varied points; after each kill a
    /// fresh process must read a complete value that is the last announced
    /// one or the one in flight, and find no dead writer's temp file left.
    fn killed_writers_leave_old_or_new_never_torn_or_lost() {
        let dir = test_dir("kill");
        let mut announced: Vec<String> = Vec::new();
        let mut kills_mid_write = 0;
        for kill in 0..KILLS {
            let mut writer = child("writer", &dir)
                .stdout(Stdio::piped())
                .spawn()
                .expect("the writer starts");
            let mut out = BufReader::new(writer.stdout.take().unwrap());
            // Varied points: after 1–6 announcements, then 0–2.9 ms more.
            let wait_lines = 1 + kill % 6;
            for _ in 0..wait_lines {
                let mut line = String::new();
                if out.read_line(&mut line).unwrap() == 0 {
                    panic!("the writer ended by itself: {:?}", writer.wait());
                }
                announced.push(line.trim().to_string());
            }
            std::thread::sleep(Duration::from_micros((kill as u64 * 7919) % 3000));
            writer.kill().expect("SIGKILL");
            writer.wait().unwrap();
            // What it announced before dying (still in the pipe).
            announced.extend(out.lines().map(Result::unwrap));
            if !temp_files(&dir).is_empty() {
                kills_mid_write += 1;
            }

            let read = child("reader", &dir).output().expect("the reader runs");
            assert!(read.status.success(), "reader failed: {read:?}");
            let text = String::from_utf8(read.stdout).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            let (atom, saved) = (last(&announced, "atom"), last(&announced, "map"));
            let on_disk: u64 = lines[0]
                .strip_prefix("atom ")
                .and_then(|g| g.parse().ok())
                .unwrap_or_else(|| panic!("kill {kill}: big value not complete: {}", lines[0]));
            assert!(
                on_disk == atom || on_disk == atom + 1,
                "kill {kill}: big value of generation {on_disk}, last saved {atom}"
            );
            for value in lines[1].strip_prefix("map ").unwrap().split(' ') {
                // `none`: never written (generation 0).
                let v: u64 = if value == "none" {
                    0
                } else {
                    value.parse().unwrap()
                };
                assert!(
                    v == saved || v == saved + 1,
                    "kill {kill}: map key at {v}, last saved {saved}: {}",
                    lines[1]
                );
            }
            assert_eq!(lines[2], "errors 0", "kill {kill}: the reader saw errors");
            assert_eq!(
                temp_files(&dir),
                Vec::<String>::new(),
                "kill {kill}: opening the directory sweeps the dead writer's temp files"
            );
        }
        println!(
            "killed a writer {KILLS} times ({kills_mid_write} inside a write), \
             {} generations saved: every read complete, nothing lost",
            last(&announced, "atom")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Two processes write their own keys and one shared key at once: every
    /// read of the shared entry during the race is one complete value, and
    /// at the end it is one racer's last value (the last rename wins).
    fn concurrent_writers_never_tear_and_the_last_rename_wins() {
        let dir = test_dir("race");
        std::fs::create_dir_all(&dir).unwrap();
        let mut racers: Vec<_> = ["a", "b"]
            .iter()
            .map(|id| child("racer", &dir).env(RACER, id).spawn().unwrap())
            .collect();
        let shared = dir.join("shared.value");
        let mut reads = 0;
        while racers.iter_mut().any(|r| r.try_wait().unwrap().is_none()) {
            if let Ok(text) = std::fs::read_to_string(&shared) {
                let value: String = serde_json::from_str(&text).expect("a complete JSON string");
                assert!(
                    ["a-", "b-"]
                        .iter()
                        .any(|tag| blob_generation(tag, &value, 64 << 10).is_some()),
                    "a torn shared value ({} bytes)",
                    value.len()
                );
                reads += 1;
            }
        }
        for racer in &mut racers {
            assert!(racer.wait().unwrap().success(), "a racer failed");
        }
        let engine = engine(&dir);
        for id in ["a", "b"] {
            let own = PersistentAtom::new(format!("own-{id}"), 0u32).with_engine(engine.clone());
            assert_eq!(own.get(), RACE_WRITES, "racer {id}'s own key");
        }
        let last = PersistentAtom::new("shared", String::new())
            .with_engine(engine)
            .get();
        let n = u64::from(RACE_WRITES);
        assert!(
            last == blob("a-", n, 64 << 10) || last == blob("b-", n, 64 << 10),
            "the shared entry is not a racer's last value"
        );
        assert_eq!(temp_files(&dir), Vec::<String>::new());
        println!("two racers, {RACE_WRITES} writes each, {reads} reads during the race: none torn");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    pub fn main() {
        let dir = std::env::var_os(DIR).map(PathBuf::from);
        match (std::env::var(ROLE).as_deref(), dir) {
            (Ok("writer"), Some(dir)) => writer(&dir),
            (Ok("reader"), Some(dir)) => reader(&dir),
            (Ok("racer"), Some(dir)) => racer(&dir, &std::env::var(RACER).unwrap()),
            (Ok(role), _) => panic!("unknown role {role:?} or no {DIR}"),
            (Err(_), _) => {
                killed_writers_leave_old_or_new_never_torn_or_lost();
                concurrent_writers_never_tear_and_the_last_rename_wins();
            }
        }
    }
}

fn main() {
    #[cfg(target_os = "linux")]
    linux::main();
    #[cfg(not(target_os = "linux"))]
    println!("crash tests: Linux only (skipped)");
}
