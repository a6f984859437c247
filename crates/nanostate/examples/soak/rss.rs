//! Resident memory, read from `/proc` (Linux only).

use crate::MIB;

/// Resident set size in bytes, from `/proc/self/statm` (Linux only).
pub(crate) fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

/// The page size, from `AT_PAGESZ` (6) in `/proc/self/auxv`; 4096 if unknown.
fn page_size() -> u64 {
    const WORD: usize = std::mem::size_of::<usize>();
    let auxv = std::fs::read("/proc/self/auxv").unwrap_or_default();
    auxv.chunks_exact(2 * WORD)
        .map(|pair| {
            let word = |b: &[u8]| usize::from_ne_bytes(b.try_into().expect("one word"));
            (word(&pair[..WORD]), word(&pair[WORD..]))
        })
        .find(|(key, _)| *key == 6)
        .map_or(4096, |(_, size)| size as u64)
}

pub(crate) fn show_rss(rss: Option<u64>) -> String {
    rss.map_or("unknown".into(), |b| {
        format!("{:.1} MiB ({b} bytes)", b as f64 / MIB)
    })
}
