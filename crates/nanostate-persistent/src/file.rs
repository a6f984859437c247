//! [`FileEngine`]: one file per key in a directory, written atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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
/// directory (`<name>.<pid>-<n>.tmp`), flushes it to disk (`fsync`), then
/// renames it over the entry, and finally flushes the directory. A crash at
/// any point leaves either the old file or the new one, never a mix; a
/// leftover temporary file is never read (nor listed) and never replaces an
/// entry. Nothing watches the directory: changes made by other processes
/// are seen when a store loads (first use, and each mount), not live.
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
    /// An engine keeping its files in `dir`, which is created if missing.
    /// Fails with [`StorageError::Unavailable`] if it cannot be created or is
    /// not a directory.
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
            "{}.{}-{n}{TEMP_SUFFIX}",
            encode_name(key),
            std::process::id()
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
