//! Browser engines: [`LocalStorage`] and [`SessionStorage`] (`wasm32` only).

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::engine::{ChangeListener, ExternalChange, StorageEngine, Watch};
use crate::error::StorageError;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Area {
    Local,
    Session,
}

type StorageClosure = Closure<dyn FnMut(web_sys::StorageEvent)>;

thread_local! {
    /// The `storage` event listeners of the active watches (the closures are
    /// not `Send`, so the `Watch` guard holds only the id).
    static LISTENERS: RefCell<HashMap<u64, StorageClosure>> = RefCell::new(HashMap::new());
    static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
}

fn storage(area: Area) -> Result<web_sys::Storage, StorageError> {
    let window = web_sys::window().ok_or_else(|| StorageError::Unavailable("no window".into()))?;
    let storage = match area {
        Area::Local => window.local_storage(),
        Area::Session => window.session_storage(),
    };
    storage
        .map_err(|e| StorageError::Unavailable(describe(&e)))?
        .ok_or_else(|| StorageError::Unavailable("storage disabled".into()))
}

fn describe(err: &JsValue) -> String {
    if let Some(e) = err.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", e.name(), e.message());
    }
    err.as_string().unwrap_or_else(|| format!("{err:?}"))
}

/// A failed write: a full storage is [`StorageError::QuotaExceeded`]
/// (`QuotaExceededError`, code 22; older Firefox: `NS_ERROR_DOM_QUOTA_REACHED`,
/// code 1014).
fn write_error(err: &JsValue) -> StorageError {
    match err.dyn_ref::<web_sys::DomException>() {
        Some(e)
            if matches!(
                e.name().as_str(),
                "QuotaExceededError" | "NS_ERROR_DOM_QUOTA_REACHED"
            ) || matches!(e.code(), 22 | 1014) =>
        {
            StorageError::QuotaExceeded
        }
        _ => StorageError::Other(describe(err)),
    }
}

fn get(area: Area, key: &str) -> Result<Option<String>, StorageError> {
    storage(area)?
        .get_item(key)
        .map_err(|e| StorageError::Other(describe(&e)))
}

fn set(area: Area, key: &str, value: &str) -> Result<(), StorageError> {
    storage(area)?
        .set_item(key, value)
        .map_err(|e| write_error(&e))
}

fn remove(area: Area, key: &str) -> Result<(), StorageError> {
    storage(area)?
        .remove_item(key)
        .map_err(|e| StorageError::Other(describe(&e)))
}

fn list(area: Area, prefix: &str) -> Result<Option<Vec<(String, String)>>, StorageError> {
    let storage = storage(area)?;
    let other = |e: JsValue| StorageError::Other(describe(&e));
    let mut found = Vec::new();
    for i in 0..storage.length().map_err(other)? {
        let Some(key) = storage.key(i).map_err(other)? else {
            continue;
        };
        if key.starts_with(prefix) {
            if let Some(value) = storage.get_item(&key).map_err(other)? {
                found.push((key, value));
            }
        }
    }
    Ok(Some(found))
}

/// Listens to the window's `storage` event, which the browser fires in every
/// *other* tab of the same origin when one tab changes the storage.
fn subscribe(area: Area, listener: ChangeListener) -> Result<Watch, StorageError> {
    let mine = storage(area)?;
    let window = web_sys::window().ok_or_else(|| StorageError::Unavailable("no window".into()))?;
    let closure: StorageClosure = Closure::new(move |event: web_sys::StorageEvent| {
        let same_area = event
            .storage_area()
            .is_some_and(|a| JsValue::from(a) == JsValue::from(mine.clone()));
        if !same_area {
            return;
        }
        let change = match (event.key(), event.new_value()) {
            (None, _) => ExternalChange::Cleared,
            (Some(key), Some(value)) => ExternalChange::Set { key, value },
            (Some(key), None) => ExternalChange::Removed { key },
        };
        listener(&change);
    });
    window
        .add_event_listener_with_callback("storage", closure.as_ref().unchecked_ref())
        .map_err(|e| StorageError::Other(describe(&e)))?;
    let id = NEXT.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    LISTENERS.with(|l| l.borrow_mut().insert(id, closure));
    Ok(Watch::new(move || {
        let Some(closure) = LISTENERS.with(|l| l.borrow_mut().remove(&id)) else {
            return;
        };
        if let Some(window) = web_sys::window() {
            let _ = window
                .remove_event_listener_with_callback("storage", closure.as_ref().unchecked_ref());
        }
    }))
}

/// The browser's `localStorage` (kept across reloads and browser restarts,
/// shared by the tabs of one origin): the default engine on `wasm32`.
///
/// Every operation reports [`StorageError::Unavailable`] where there is no
/// `window` or the storage is disabled, and a full storage as
/// [`StorageError::QuotaExceeded`]. `subscribe` listens to the `storage`
/// event, which reports changes made by other tabs (cross-tab sync).
///
/// ```
/// use nanostate_persistent::{persistent_atom, LocalStorage, PersistentAtom};
/// static THEME: PersistentAtom<String> =
///     persistent_atom("theme", || "light".into()).engine(&LocalStorage);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalStorage;

/// The browser's `sessionStorage` (one tab, kept across reloads); otherwise
/// like [`LocalStorage`].
///
/// ```
/// use nanostate_persistent::{persistent_atom, SessionStorage, PersistentAtom};
/// static DRAFT: PersistentAtom<String> =
///     persistent_atom("draft", String::new).engine(&SessionStorage);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SessionStorage;

macro_rules! web_engine {
    ($ty:ty, $area:expr) => {
        impl StorageEngine for $ty {
            fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
                get($area, key)
            }
            fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
                set($area, key, value)
            }
            fn remove(&self, key: &str) -> Result<(), StorageError> {
                remove($area, key)
            }
            fn list(&self, prefix: &str) -> Result<Option<Vec<(String, String)>>, StorageError> {
                list($area, prefix)
            }
            fn subscribe(&self, listener: ChangeListener) -> Result<Watch, StorageError> {
                subscribe($area, listener)
            }
        }
    };
}

web_engine!(LocalStorage, Area::Local);
web_engine!(SessionStorage, Area::Session);
