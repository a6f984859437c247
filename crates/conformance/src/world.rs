//! The world of one scenario: its stores by id, the label registry of
//! section 3.3 and the fake clock.
//!
//! It lives in a thread local. Every function here takes the borrow only
//! for its own bookkeeping and never while nanostate runs, because store
//! callbacks re-enter the runner.

use std::cell::RefCell;
use std::collections::HashMap;

use nanostate::runtime::ManualClock;
use nanostate::{Atom, Clean, Computed, DeepMapStore, MapStore, Source, Store, Subscription};

use crate::value::{Encode, JsVal, MapVal};

/// An error code of FORMAT.md section 7.
pub type Code = &'static str;

/// A store of the scenario. Clones share the store.
#[derive(Clone)]
pub enum Handle {
    /// `atom`
    Atom(Atom<JsVal>),
    /// `map`
    Map(MapStore<String, JsVal>),
    /// `deepMap`
    DeepMap(DeepMapStore),
    /// `computed` or `batched` (read-only)
    Computed(Computed<JsVal>),
}

/// Runs `$body` with `$s` bound to the concrete store of a [`Handle`].
macro_rules! with_store {
    ($handle:expr, $s:ident => $body:expr) => {
        match $handle {
            Handle::Atom($s) => $body,
            Handle::Map($s) => $body,
            Handle::DeepMap($s) => $body,
            Handle::Computed($s) => $body,
        }
    };
}
pub(crate) use with_store;

impl Handle {
    /// The store as a dependency of a computed store.
    pub fn source(&self) -> Source {
        with_store!(self, s => Source::new(s))
    }

    /// The store for `clean_stores`.
    pub fn as_clean(&self) -> &dyn Clean {
        with_store!(self, s => s as &dyn Clean)
    }

    /// `store.get()` (with its lifecycle side effects), encoded.
    pub fn get_encoded(&self) -> Option<String> {
        match self {
            Handle::Atom(a) => a.get().encode(),
            Handle::Map(m) => m.get().encode(),
            Handle::DeepMap(d) => d.get().encode(),
            Handle::Computed(c) => c.get().encode(),
        }
    }

    /// `store.value`: the current value without side effects, encoded
    /// (`None` for `undefined`, which is also a computed store's value
    /// before its first computation).
    pub fn peek_encoded(&self) -> Option<String> {
        match self {
            Handle::Atom(a) => a.peek().and_then(|v| v.encode()),
            Handle::Map(m) => m.peek().and_then(|v| v.encode()),
            Handle::DeepMap(d) => d.peek().and_then(|v| v.encode()),
            Handle::Computed(c) => c.peek().and_then(|v| v.encode()),
        }
    }

    /// `store.lc`
    pub fn listener_count(&self) -> usize {
        with_store!(self, s => Store::listener_count(s))
    }

    /// The map store, or `not-map`.
    pub fn as_map(&self) -> Result<&MapStore<String, JsVal>, Code> {
        match self {
            Handle::Map(m) => Ok(m),
            _ => Err("not-map"),
        }
    }

    /// Whether this is a `map` or a `deepMap` (else `not-map`).
    pub fn check_map(&self) -> Result<(), Code> {
        match self {
            Handle::Map(_) | Handle::DeepMap(_) => Ok(()),
            _ => Err("not-map"),
        }
    }

    /// The current value of a map store (`{}` for other stores, never used).
    pub fn peek_map(&self) -> MapVal {
        match self {
            Handle::Map(m) => m.peek().map(|v| (*v).clone()).unwrap_or_default(),
            _ => MapVal::new(),
        }
    }
}

/// One registration of section 3.3: a label and, while it is active, the
/// guard whose drop unbinds it.
struct Registration {
    label: String,
    guard: Option<Subscription>,
}

#[derive(Default)]
struct World {
    stores: HashMap<String, Handle>,
    registrations: Vec<Registration>,
    clock: ManualClock,
}

thread_local! {
    static WORLD: RefCell<World> = RefCell::new(World::default());
}

/// The fake clock of this scenario.
pub fn clock() -> ManualClock {
    WORLD.with_borrow(|w| w.clock.clone())
}

/// Whether a store with this id was defined (ids are never freed).
pub fn has_store(id: &str) -> bool {
    WORLD.with_borrow(|w| w.stores.contains_key(id))
}

/// The store `id`, or `unknown-store`.
pub fn store(id: &str) -> Result<Handle, Code> {
    WORLD
        .with_borrow(|w| w.stores.get(id).cloned())
        .ok_or("unknown-store")
}

/// Defines a store.
pub fn add_store(id: &str, handle: Handle) {
    WORLD.with_borrow_mut(|w| w.stores.insert(id.to_string(), handle));
}

/// Records a registration; called when the registering call has returned
/// (section 3.2), so callbacks run during the registration cannot find it.
pub fn register(label: &str, guard: Subscription) {
    WORLD.with_borrow_mut(|w| {
        w.registrations.push(Registration {
            label: label.to_string(),
            guard: Some(guard),
        })
    });
}

/// `unbind`/`cancel`: marks the most recent active registration with this
/// label inactive, then unbinds it (`unknown-label` if there is none).
pub fn unbind(label: &str) -> Result<(), Code> {
    let guard = WORLD
        .with_borrow_mut(|w| {
            w.registrations
                .iter_mut()
                .rev()
                .find(|r| r.label == label && r.guard.is_some())
                .and_then(|r| r.guard.take())
        })
        .ok_or("unknown-label")?;
    // Dropping the guard unbinds; the borrow is released by now because the
    // unbind may run onStop hooks that re-enter the runner.
    drop(guard);
    Ok(())
}
