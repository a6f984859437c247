//! [`FileEngine`]: one file per key in a directory, written atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::engine::StorageEngine;
use crate::error::StorageError;

const SUFFIX: &str = ".value";
const TEMP_SUFFIX: &str = ".tmp";
/// Longest file name written (most file systems allow 255 bytes).
const MAX_NAME: usize = 240;

static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// A [`StorageEngine`] on the native file system: **one file per key** in
/// one directory (the app's data directory).
///
/// One file per key, not one per app, so writing one store rewrites only its
/// own (small) file, two stores never contend for one file, and a corrupt
/// file loses nothing but its own entry. The file name is the key with every
/// byte outside `A–Z a–z 0–9 _ -` written as `%XX`, plus `.value`
/// (`cart:items` → `cart%3Aitems.value`); the content is the codec's text.
///
/// **Writes are atomic.** `set` writes a temporary file in the same
/// directory (`<name>.<pid>-<run>-<n>.tmp`: the writer's process id, a
/// number telling this run of the process from an earlier one with the same
/// id, and a counter), flushes it to disk (`fsync`), then renames it over
/// the entry, and finally flushes the directory. A crash at any point leaves
/// either the old file or the new one, never a mix (the test suite kills
/// writers with `SIGKILL` to check it); a leftover temporary file is never
/// read (nor listed) and never replaces an entry.
///
/// **Leftovers of crashed writers are swept.** [`FileEngine::new`] deletes
/// the temporary files of writers that are gone, so a process that crashes
/// often does not fill the disk. A file is a dead writer's when its process
/// id is not a running process (on Linux, no `/proc/<pid>`), or when it is
/// this process's id but an earlier run's; elsewhere, when it is older than
/// a day. A running process's temporary files are never touched.
///
/// **Several processes on one directory.** Writers of different keys never
/// meet. Writers of the same key each rename a complete file over the
/// entry, so the entry always holds one writer's complete value; the last
/// rename wins. Nothing watches the directory: changes made by other
/// processes are seen when a store loads (first use, and each mount), not
/// live.
///
/// ```
/// use nanostate_persistent::{persistent_atom, FileEngine, PersistentAtom, StorageEngine};
/// use std::sync::Arc;
///
/// let dir = std::env::temp_dir().join(format!("nanostate-doc-file-{}", std::process::id()));
/// let engine = Arc::new(FileEngine::new(&dir).unwrap());
/// let volume = PersistentAtom::new("volume", 5u8).with_engine(engine.clone());
/// volume.set(7);
/// assert_eq!(std::fs::read_to_string(dir.join("volume.value")).unwrap(), "7");
///
/// // Another run of the app reads the saved value.
/// let again = PersistentAtom::new("volume", 5u8).with_engine(engine);
/// assert_eq!(again.get(), 7);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug)]
pub struct FileEngine {
    dir: PathBuf,
}

impl FileEngine {
    /// An engine keeping its files in `dir`, which is created if missing,
    /// after deleting the temporary files that crashed writers left there
    /// (see [Leftovers](FileEngine#leftovers-of-crashed-writers-are-swept);
    /// best effort: a file that cannot be deleted stays). Fails with
    /// [`StorageError::Unavailable`] if the directory cannot be created or
    /// is not a directory.
    ///
    /// ```
    /// use nanostate_persistent::{FileEngine, StorageError};
    /// let file = std::env::temp_dir().join(format!("nanostate-doc-notdir-{}", std::process::id()));
    /// std::fs::write(&file, "x").unwrap();
    /// assert!(matches!(FileEngine::new(&file), Err(StorageError::Unavailable(_))));
    /// # std::fs::remove_file(&file).unwrap();
    /// ```
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, StorageError> {
        let dir = dir.into();
        if let Err(err) = fs::create_dir_all(&dir) {
            return Err(StorageError::Unavailable(format!(
                "cannot create {}: {err}",
                dir.display()
            )));
        }
        if !dir.is_dir() {
            return Err(StorageError::Unavailable(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
        sweep_dead_temps(&dir);
        Ok(FileEngine { dir })
    }

    /// The directory holding the files.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("nanostate-doc-dir-{}", std::process::id()));
    /// let engine = nanostate_persistent::FileEngine::new(&dir).unwrap();
    /// assert_eq!(engine.dir(), dir);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds `key` (whether or not it exists), or an error if
    /// the key is too long for a file name.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("nanostate-doc-path-{}", std::process::id()));
    /// let engine = nanostate_persistent::FileEngine::new(&dir).unwrap();
    /// assert_eq!(engine.path_for("cart:items").unwrap(), dir.join("cart%3Aitems.value"));
    /// assert!(engine.path_for(&"k".repeat(300)).is_err());
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn path_for(&self, key: &str) -> Result<PathBuf, StorageError> {
        let name = encode_name(key);
        if name.len() + SUFFIX.len() > MAX_NAME {
            return Err(StorageError::Other(format!(
                "key too long for a file name ({} bytes encoded)",
                name.len()
            )));
        }
        Ok(self.dir.join(name + SUFFIX))
    }

    fn io(&self, err: &std::io::Error, path: &Path) -> StorageError {
        StorageError::from_io(err, path.display())
    }

    /// Flushes the directory entry (the rename) to disk; best effort.
    fn sync_dir(&self) {
        #[cfg(unix)]
        if let Ok(dir) = fs::File::open(&self.dir) {
            let _ = dir.sync_all();
        }
    }
}

impl StorageEngine for FileEngine {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        let path = self.path_for(key)?;
        match fs::read(&path) {
            Ok(bytes) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| StorageError::Io {
                    kind: std::io::ErrorKind::InvalidData,
                    message: format!("{}: not UTF-8 text", path.display()),
                }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(self.io(&err, &path)),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        let path = self.path_for(key)?;
        let n = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
        let temp = self.dir.join(format!(
            "{}.{}-{}-{n}{TEMP_SUFFIX}",
            encode_name(key),
            std::process::id(),
            run_id()
        ));
        let written = (|| {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)?;
            file.write_all(value.as_bytes())?;
            file.sync_all()
        })();
        if let Err(err) = written {
            let _ = fs::remove_file(&temp);
            return Err(self.io(&err, &temp));
        }
        if let Err(err) = fs::rename(&temp, &path) {
            let _ = fs::remove_file(&temp);
            return Err(self.io(&err, &path));
        }
        self.sync_dir();
        Ok(())
    }

    fn remove(&self, key: &str) -> Result<(), StorageError> {
        let path = self.path_for(key)?;
        match fs::remove_file(&path) {
            Ok(()) => {
                self.sync_dir();
                Ok(())
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(self.io(&err, &path)),
        }
    }

    fn list(&self, prefix: &str) -> Result<Option<Vec<(String, String)>>, StorageError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Some(Vec::new())),
            Err(err) => return Err(self.io(&err, &self.dir)),
        };
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|err| self.io(&err, &self.dir))?;
            let name = entry.file_name();
            // Temporary files end in `.tmp` and are never listed; names this
            // engine did not write do not decode and are skipped.
            let Some(key) = name
                .to_str()
                .and_then(|n| n.strip_suffix(SUFFIX))
                .and_then(decode_name)
            else {
                continue;
            };
            if !key.starts_with(prefix) {
                continue;
            }
            if let Some(value) = self.get(&key)? {
                found.push((key, value));
            }
        }
        found.sort();
        Ok(Some(found))
    }
}

/// A number telling this run of the process from earlier runs that had the
/// same process id (containers restart with the same pids): the start time
/// in nanoseconds, taken once.
fn run_id() -> u64 {
    static RUN: OnceLock<u64> = OnceLock::new();
    *RUN.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    })
}

/// The writer of a temporary file: its process id and, for files written
/// since runs were named, its run.
fn temp_writer(file_name: &str) -> Option<(u32, Option<u64>)> {
    let stem = file_name.strip_suffix(TEMP_SUFFIX)?;
    let (_, writer) = stem.rsplit_once('.')?;
    let mut parts = writer.split('-');
    let pid = parts.next()?.parse().ok()?;
    let second = parts.next()?;
    match parts.next() {
        // `<pid>-<run>-<n>`
        Some(counter) => {
            counter.parse::<u64>().ok()?;
            Some((pid, Some(second.parse().ok()?)))
        }
        // `<pid>-<n>`, written before runs were named
        None => {
            second.parse::<u64>().ok()?;
            Some((pid, None))
        }
    }
}

/// Whether the writer of a temporary file is gone, so the file is garbage.
fn writer_is_dead(pid: u32, run: Option<u64>, path: &Path) -> bool {
    if pid == std::process::id() {
        // This process wrote it only if this run did.
        return run != Some(run_id());
    }
    if Path::new("/proc/self").exists() {
        return !Path::new(&format!("/proc/{pid}")).exists();
    }
    // No way to ask whether the process lives: a write never takes a day.
    const DAY: Duration = Duration::from_secs(24 * 60 * 60);
    fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > DAY)
}

/// Deletes the temporary files of dead writers in `dir` (best effort).
fn sweep_dead_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some((pid, run)) = name.to_str().and_then(temp_writer) else {
            continue;
        };
        let path = entry.path();
        if writer_is_dead(pid, run, &path) {
            let _ = fs::remove_file(&path);
        }
    }
}

fn encode_name(key: &str) -> String {
    let mut name = String::with_capacity(key.len());
    for byte in key.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-' {
            name.push(byte as char);
        } else {
            name.push_str(&format!("%{byte:02X}"));
        }
    }
    name
}

fn decode_name(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = name.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' => {
                out.push(b);
                i += 1;
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_name_their_writer() {
        assert_eq!(temp_writer("cart%3Aa.41-977-3.tmp"), Some((41, Some(977))));
        assert_eq!(temp_writer("volume.41-3.tmp"), Some((41, None)));
        assert_eq!(temp_writer("volume.value"), None);
        assert_eq!(temp_writer("volume.x-3.tmp"), None);
        assert_eq!(temp_writer("volume.41.tmp"), None);
        assert_eq!(temp_writer("41-3.tmp"), None);
    }

    #[test]
    fn this_run_is_alive_and_earlier_runs_with_its_pid_are_dead() {
        let me = std::process::id();
        let path = Path::new("unused");
        assert!(!writer_is_dead(me, Some(run_id()), path));
        assert!(writer_is_dead(me, Some(run_id().wrapping_add(1)), path));
        assert!(writer_is_dead(me, None, path));
    }
}
