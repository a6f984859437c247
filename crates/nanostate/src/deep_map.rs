//! `DeepMapStore`: a store over a nested [`Deep`] value with writes and
//! listeners addressed by path (`a.b[1].c`), Nano Stores' `deepMap`.

use std::sync::Arc;
use std::time::Duration;

use crate::core::{next_id, Core, KeyEq, Kind};
use crate::deep_value::{check_write, delete_in, get_in, set_in, Deep};
use crate::events::Proposed;
use crate::path::{self, first_segment, PathError, Segment};
use crate::store::{Lazy, Seed, Store};
use crate::subscription::Subscription;

#[doc(hidden)]
pub struct DeepKind;

impl Kind for DeepKind {
    type Value = Deep;
    /// The path text, as written.
    type Key = String;
    type Item = Deep;
    type Extra = KeyEq<Self>;
    type Refresher = ();
}

/// Equality of the value at a path before and after a `set_key`: `==`.
fn item_eq(_: &String, old: Option<&Deep>, new: &Deep) -> bool {
    old == Some(new)
}

/// A store over a nested JSON-like [`Deep`] value (Nano Stores'
/// `deepMap`), written and watched by path.
///
/// Writes: [`set_key`](Self::set_key) and [`delete_key`](Self::delete_key)
/// change the value at a path (`a.b[1].c`, or `a.b.1.c`), creating missing
/// objects and arrays on the way, and tell listeners which path changed;
/// [`set`](Self::set) replaces everything. Only the containers on the path
/// are copied: the rest of the new value is shared with the old one.
/// Listeners receive the new value, the old value and the changed path
/// (`None` for `set` and inside [`batch`](crate::batch));
/// [`listen_keys`](Self::listen_keys) hears only about the paths it names.
///
/// A malformed path is a [`PathError`], never a panic (see
/// [`parse_path`](crate::parse_path) for the grammar), and so is a write
/// that would set a name on an array or grow an array past
/// [`MAX_INDEX`](crate::MAX_INDEX).
///
/// ```
/// use nanostate::{deep, deep_map, DeepMapStore};
///
/// static SETTINGS: DeepMapStore = deep_map();
///
/// let _sub = SETTINGS.listen(|value, _old, path| {
///     println!("{path:?} changed: {value}");
/// });
/// SETTINGS.set_key("theme.colors[0]", "black".into()).unwrap();
/// SETTINGS.set_key("theme.font.size", 14.into()).unwrap();
/// assert_eq!(
///     SETTINGS.get(),
///     deep!({"theme": {"colors": ["black"], "font": {"size": 14}}})
/// );
/// assert!(SETTINGS.set_key("theme..font", 1.into()).is_err());
/// ```
pub struct DeepMapStore {
    lazy: Lazy<DeepKind>,
}

fn empty_object() -> Deep {
    Deep::empty_object()
}

/// Declares a deep map store holding an empty object; usable in `static`
/// items.
///
/// ```
/// use nanostate::{deep_map, DeepMapStore};
/// static FORM: DeepMapStore = deep_map();
/// FORM.set_key("user.name", "Ada".into()).unwrap();
/// assert_eq!(FORM.get_key("user.name").unwrap(), Some("Ada".into()));
/// ```
pub const fn deep_map() -> DeepMapStore {
    deep_map_with(empty_object)
}

/// Declares a deep map store whose initial value is built on first use.
///
/// ```
/// use nanostate::{deep, deep_map_with, DeepMapStore};
/// static CONFIG: DeepMapStore = deep_map_with(|| deep!({"retries": 3, "hosts": ["a"]}));
/// assert_eq!(CONFIG.get_key("hosts[0]").unwrap(), Some("a".into()));
/// ```
pub const fn deep_map_with(init: fn() -> Deep) -> DeepMapStore {
    DeepMapStore {
        lazy: Lazy::new(
            Seed::With(init),
            <Deep as PartialEq>::eq,
            item_eq as KeyEq<DeepKind>,
        ),
    }
}

impl DeepMapStore {
    /// Creates a deep map store at run time. Clones share it.
    ///
    /// ```
    /// use nanostate::{deep, DeepMapStore};
    /// let m = DeepMapStore::new(deep!({"a": 1}));
    /// let n = m.clone();
    /// n.set_key("b", 2.into()).unwrap();
    /// assert_eq!(m.get(), deep!({"a": 1, "b": 2}));
    /// ```
    pub fn new(value: Deep) -> Self {
        Self::with_eq(value, <Deep as PartialEq>::eq, item_eq)
    }

    /// Creates a deep map store with custom equality: `eq` for whole
    /// `set`, `key_eq(path, old, new)` for `set_key` (`old` is the value at
    /// the path, `None` if there is none). The defaults are `==`;
    /// [`Deep::same`] gives Nano Stores' identity semantics.
    ///
    /// ```
    /// use nanostate::{deep, Deep, DeepMapStore};
    /// // Like Nano Stores: a new object is a change even if equal.
    /// let m = DeepMapStore::with_eq(
    ///     deep!({"o": {"x": 1}}),
    ///     Deep::same,
    ///     |_, old, new| old.is_some_and(|o| Deep::same(o, new)),
    /// );
    /// let _sub = m.listen(|_, _, path| assert_eq!(path, Some("o")));
    /// m.set_key("o", deep!({"x": 1})).unwrap(); // notifies
    /// ```
    pub fn with_eq(
        value: Deep,
        eq: fn(&Deep, &Deep) -> bool,
        key_eq: fn(&String, Option<&Deep>, &Deep) -> bool,
    ) -> Self {
        DeepMapStore {
            lazy: Lazy::from_core(Core::new(value, eq, key_eq)),
        }
    }

    /// A clone of the whole value (cheap: containers are shared).
    ///
    /// ```
    /// use nanostate::{deep, DeepMapStore};
    /// let m = DeepMapStore::new(deep!({"a": [1]}));
    /// assert_eq!(m.get(), deep!({"a": [1]}));
    /// ```
    pub fn get(&self) -> Deep {
        self.with(Deep::clone)
    }

    /// Calls `f` with a borrow of the current value. No lock is held
    /// meanwhile.
    ///
    /// ```
    /// use nanostate::{deep, DeepMapStore};
    /// let m = DeepMapStore::new(deep!({"a": 1, "b": 2}));
    /// assert_eq!(m.with(|v| v.as_object().map(|o| o.len())), Some(2));
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&Deep) -> R) -> R {
        let value = self.core().get().expect("a deep map always has a value");
        f(&value)
    }

    /// A clone of the value at `path` (`None` if there is nothing there,
    /// Nano Stores' `getKey`).
    ///
    /// ```
    /// use nanostate::{deep, DeepMapStore};
    /// let m = DeepMapStore::new(deep!({"items": [{"id": 1}, {"id": 2}]}));
    /// assert_eq!(m.get_key("items[1].id").unwrap(), Some(2.into()));
    /// assert_eq!(m.get_key("items[2].id").unwrap(), None);
    /// assert!(m.get_key("items[").is_err());
    /// ```
    pub fn get_key(&self, path: &str) -> Result<Option<Deep>, PathError> {
        let parsed = path::parse(path)?;
        Ok(self.with(|v| get_in(v, &parsed.segments).cloned()))
    }

    /// Replaces the whole value. Listeners get no changed path.
    ///
    /// ```
    /// use nanostate::{deep, DeepMapStore};
    /// let m = DeepMapStore::new(deep!({"a": 1}));
    /// m.set(deep!({"b": 2}));
    /// assert_eq!(m.get_key("a").unwrap(), None);
    /// ```
    pub fn set(&self, value: Deep) {
        self.core().set(value);
    }

    /// Sets the value at `path`, creating missing objects (for names) and
    /// arrays (for indices, grown with empty slots) on the way; a `null`,
    /// scalar or empty slot on the way is replaced the same way. Listeners
    /// are told `path` changed, unless the value there is already equal.
    ///
    /// Errors, before any hook runs and without any change: a malformed
    /// path, a name applied to an array
    /// ([`KeyOnArray`](crate::PathErrorKind::KeyOnArray)), an index past
    /// [`MAX_INDEX`](crate::MAX_INDEX) that would grow or create an array
    /// ([`IndexTooLarge`](crate::PathErrorKind::IndexTooLarge)).
    ///
    /// ```
    /// use nanostate::{deep, Deep, DeepMapStore, PathErrorKind};
    /// let m = DeepMapStore::new(Deep::empty_object());
    /// m.set_key("list[2].name", "x".into()).unwrap();
    /// m.set_key("m[1][0]", true.into()).unwrap();
    /// assert_eq!(m.get(), deep!({"list": [_, _, {"name": "x"}], "m": [_, [true]]}));
    /// let err = m.set_key("list.name", 1.into()).unwrap_err();
    /// assert_eq!(err.kind(), PathErrorKind::KeyOnArray);
    /// ```
    pub fn set_key(&self, path: &str, value: Deep) -> Result<(), PathError> {
        self.write_path(path, Some(value))
    }

    /// Removes the value at `path`: an object entry is deleted, an array
    /// element is removed and later elements shift down. Nothing happens
    /// (and nobody is notified) if there is nothing there. An error only
    /// for a malformed path.
    ///
    /// ```
    /// use nanostate::{deep, DeepMapStore};
    /// let m = DeepMapStore::new(deep!({"o": {"a": 1, "b": 2}, "arr": [10, 20, 30]}));
    /// m.delete_key("o.a").unwrap();
    /// m.delete_key("arr[0]").unwrap();
    /// m.delete_key("arr[7]").unwrap(); // nothing there
    /// assert_eq!(m.get(), deep!({"o": {"b": 2}, "arr": [20, 30]}));
    /// ```
    pub fn delete_key(&self, path: &str) -> Result<(), PathError> {
        self.write_path(path, None)
    }

    /// The shared write path of `set_key` and `delete_key`.
    fn write_path(&self, path: &str, value: Option<Deep>) -> Result<(), PathError> {
        let parsed = path::parse(path)?;
        let core = self.core();
        if value.is_some() {
            if let Some(current) = core.peek() {
                check_write(&current, &parsed)
                    .map_err(|(kind, at)| PathError::new(path, kind, at))?;
            }
        }
        let path = path.to_string();
        if core.run_set_hooks(Proposed::Key(&path, value.as_ref())) {
            return Ok(());
        }
        let mut result = Ok(());
        core.write(Some(path.clone()), |st| {
            let current = st.value.as_deref()?;
            let mut next = current.clone();
            match value {
                None => {
                    delete_in(&mut next, &parsed.segments)?;
                }
                Some(value) => {
                    let old = get_in(current, &parsed.segments);
                    if (st.extra)(&path, old, &value) {
                        return None;
                    }
                    // A hook may have changed the value since the check.
                    if let Err((kind, at)) = check_write(current, &parsed) {
                        result = Err(PathError::new(&path, kind, at));
                        return None;
                    }
                    set_in(&mut next, &parsed.segments, value);
                }
            }
            Some(next)
        });
        result
    }

    /// Calls `listener(new, old, changed_path)` after each change;
    /// `changed_path` is the path text given to `set_key`/`delete_key`, or
    /// `None` for `set` and inside [`batch`](crate::batch).
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use nanostate::{deep, DeepMapStore};
    /// let m = DeepMapStore::new(deep!({}));
    /// let paths = Arc::new(Mutex::new(Vec::new()));
    /// let log = paths.clone();
    /// let _sub = m.listen(move |_, _, path| log.lock().unwrap().push(path.map(String::from)));
    /// m.set_key("a.b", 1.into()).unwrap();
    /// m.set(deep!({}));
    /// assert_eq!(*paths.lock().unwrap(), [Some("a.b".to_string()), None]);
    /// ```
    pub fn listen(
        &self,
        listener: impl Fn(&Deep, &Deep, Option<&str>) + Send + Sync + 'static,
    ) -> Subscription {
        self.core().listen(
            next_id(),
            Box::new(move |new, old, path| {
                if let Some(old) = old {
                    listener(new, old, path.map(String::as_str))
                }
            }),
        )
    }

    /// Calls `listener(value, None, None)` at once, then like
    /// [`listen`](Self::listen) with `Some(old)`.
    ///
    /// ```
    /// use nanostate::{deep, DeepMapStore};
    /// let m = DeepMapStore::new(deep!({"a": 1}));
    /// let _sub = m.subscribe(|value, old, _| assert!(old.is_some() || value == &deep!({"a": 1})));
    /// ```
    pub fn subscribe(
        &self,
        listener: impl Fn(&Deep, Option<&Deep>, Option<&str>) + Send + Sync + 'static,
    ) -> Subscription {
        self.core()
            .subscribe(move |new, old, path| listener(new, old, path.map(String::as_str)))
    }

    /// Like [`listen`](Self::listen), but only for changes that touch one of
    /// `paths` (Nano Stores' `listenKeys`):
    ///
    /// * a `set_key`/`delete_key` of a listed path, or of any path whose
    ///   first segment (the text before the first `.` or `[`) is listed —
    ///   listening to `user` hears `user.name` and `user[0]`, listening to
    ///   `a.b` does not hear `a.b.c` nor `a`;
    /// * a whole `set` (or a batch) after which the value at a listed path
    ///   differs (by the store's `key_eq`).
    ///
    /// Fails if a listed path is malformed.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
    /// use std::sync::Arc;
    /// use nanostate::{deep, DeepMapStore};
    /// let m = DeepMapStore::new(deep!({"user": {"name": "a", "age": 1}}));
    /// let calls = Arc::new(AtomicU32::new(0));
    /// let c = calls.clone();
    /// let _sub = m.listen_keys(["user.name"], move |_, _, _| { c.fetch_add(1, SeqCst); }).unwrap();
    /// m.set_key("user.age", 2.into()).unwrap(); // not listed
    /// m.set_key("user.name", "b".into()).unwrap();
    /// m.set(deep!({"user": {"name": "b", "age": 3}})); // name unchanged
    /// m.set(deep!({"user": {"name": "c", "age": 3}}));
    /// assert_eq!(calls.load(SeqCst), 2);
    /// ```
    pub fn listen_keys<P: Into<String>>(
        &self,
        paths: impl IntoIterator<Item = P>,
        listener: impl Fn(&Deep, &Deep, Option<&str>) + Send + Sync + 'static,
    ) -> Result<Subscription, PathError> {
        let filter = self.path_filter(paths)?;
        Ok(self.listen(move |new, old, path| {
            if filter(new, Some(old), path) {
                listener(new, old, path)
            }
        }))
    }

    /// [`listen_keys`](Self::listen_keys) plus one call at once with
    /// `(value, None, None)`.
    ///
    /// ```
    /// use nanostate::{deep, DeepMapStore};
    /// let m = DeepMapStore::new(deep!({"a": {"b": 1}}));
    /// let _sub = m
    ///     .subscribe_keys(["a.b"], |v, _, _| assert!(v.as_object().is_some()))
    ///     .unwrap();
    /// ```
    pub fn subscribe_keys<P: Into<String>>(
        &self,
        paths: impl IntoIterator<Item = P>,
        listener: impl Fn(&Deep, Option<&Deep>, Option<&str>) + Send + Sync + 'static,
    ) -> Result<Subscription, PathError> {
        let filter = self.path_filter(paths)?;
        Ok(self.subscribe(move |new, old, path| {
            if old.is_none() || filter(new, old, path) {
                listener(new, old, path)
            }
        }))
    }

    #[allow(clippy::type_complexity)]
    fn path_filter<P: Into<String>>(
        &self,
        paths: impl IntoIterator<Item = P>,
    ) -> Result<
        impl Fn(&Deep, Option<&Deep>, Option<&str>) -> bool + Send + Sync + 'static,
        PathError,
    > {
        let paths = paths
            .into_iter()
            .map(|p| {
                let text: String = p.into();
                path::parse(&text).map(|parsed| (text, parsed.segments))
            })
            .collect::<Result<Vec<(String, Vec<Segment>)>, PathError>>()?;
        // Weak: the filter lives in the store's own listener list.
        let core = std::sync::Arc::downgrade(self.core());
        Ok(
            move |new: &Deep, old: Option<&Deep>, changed: Option<&str>| match (changed, old) {
                (Some(changed), _) => {
                    let first = first_segment(changed);
                    paths.iter().any(|(p, _)| p == changed || p == first)
                }
                (None, None) => !paths.is_empty(),
                (None, Some(old)) => {
                    let Some(key_eq) = core.upgrade().map(|c| c.lock().extra) else {
                        return false;
                    };
                    paths.iter().any(|(text, segments)| {
                        match (get_in(old, segments), get_in(new, segments)) {
                            (None, None) => false,
                            (Some(a), Some(b)) => !key_eq(text, Some(a), b),
                            _ => true,
                        }
                    })
                }
            },
        )
    }

    /// Number of listeners.
    ///
    /// ```
    /// use nanostate::{deep, DeepMapStore};
    /// let m = DeepMapStore::new(deep!({}));
    /// let _sub = m.listen(|_, _, _| {});
    /// assert_eq!(m.listener_count(), 1);
    /// ```
    pub fn listener_count(&self) -> usize {
        self.core().listener_count()
    }

    /// Replaces the equality used by whole `set` (default `==`).
    ///
    /// ```
    /// use nanostate::{deep, Deep, DeepMapStore};
    /// let m = DeepMapStore::new(deep!({"a": 1}));
    /// m.set_eq(|_, _| true); // every set counts as "no change"
    /// m.set(deep!({"z": 9}));
    /// assert_eq!(m.get(), deep!({"a": 1}));
    /// ```
    pub fn set_eq(&self, eq: fn(&Deep, &Deep) -> bool) {
        self.core().set_eq(eq);
    }

    /// Replaces the equality used by `set_key`: `key_eq(path, old, new)`,
    /// where `old` is the value at the path (`None` if there is none).
    /// Default `old == Some(new)`.
    ///
    /// ```
    /// use nanostate::{deep, DeepMapStore};
    /// let m = DeepMapStore::new(deep!({"a": 1}));
    /// m.set_key_eq(|_, _, _| true);
    /// m.set_key("a", 5.into()).unwrap();
    /// assert_eq!(m.get(), deep!({"a": 1}));
    /// ```
    pub fn set_key_eq(&self, key_eq: fn(&String, Option<&Deep>, &Deep) -> bool) {
        self.core().lock().extra = key_eq;
    }

    /// Sets the `on_mount` cleanup delay (default 1 s).
    ///
    /// ```
    /// let m = nanostate::DeepMapStore::new(nanostate::Deep::empty_object());
    /// m.set_unmount_delay(std::time::Duration::ZERO);
    /// ```
    pub fn set_unmount_delay(&self, delay: Duration) {
        self.core().set_unmount_delay(delay);
    }
}

impl Clone for DeepMapStore {
    fn clone(&self) -> Self {
        DeepMapStore {
            lazy: self.lazy.share(),
        }
    }
}

impl Store for DeepMapStore {
    type Value = Deep;
    type Kind = DeepKind;
    #[inline]
    fn core(&self) -> &Arc<Core<DeepKind>> {
        self.lazy.core()
    }
}
