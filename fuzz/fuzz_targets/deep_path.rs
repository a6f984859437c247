//! Fuzzes the deep-map path parser and `set_key`/`delete_key`/`get_key` on
//! a deep map store: no input may panic, and memory stays bounded (an array
//! never grows past `MAX_INDEX + 1` slots, nesting never past `MAX_DEPTH`).
//!
//! Input: chunks separated by 0xFF; each chunk is an op byte followed by a
//! path (lossy UTF-8). Run: `cargo +nightly fuzz run deep_path`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nanostate::{parse_path, Deep, DeepMapStore, MAX_DEPTH, MAX_INDEX};

/// Largest array and deepest nesting in a value.
fn measure(value: &Deep, depth: usize, widest: &mut usize, deepest: &mut usize) {
    *deepest = (*deepest).max(depth);
    if let Some(items) = value.as_array() {
        *widest = (*widest).max(items.len());
        for item in items.iter().flatten() {
            measure(item, depth + 1, widest, deepest);
        }
    } else if let Some(object) = value.as_object() {
        for (_, child) in object.iter() {
            measure(child, depth + 1, widest, deepest);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let store = DeepMapStore::new(Deep::empty_object());
    for chunk in data.split(|b| *b == 0xFF).take(64) {
        let Some((&op, path)) = chunk.split_first() else {
            continue;
        };
        let path = String::from_utf8_lossy(path);
        if let Ok(segments) = parse_path(&path) {
            assert!(!segments.is_empty() && segments.len() <= MAX_DEPTH);
        }
        let value = match op % 4 {
            0 => Deep::from(i64::from(op)),
            1 => Deep::from(path.as_ref()),
            2 => Deep::empty_array(),
            _ => Deep::empty_object(),
        };
        match op % 3 {
            0 => drop(store.set_key(&path, value)),
            1 => drop(store.delete_key(&path)),
            _ => drop(store.get_key(&path)),
        }
    }
    let (mut widest, mut deepest) = (0, 0);
    store.with(|root| measure(root, 0, &mut widest, &mut deepest));
    assert!(widest <= MAX_INDEX + 1, "an array grew to {widest} slots");
    assert!(deepest <= MAX_DEPTH + 1, "nesting reached {deepest}");
});
