#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod atom;
mod computed;
mod core;
mod engine;
mod events;
mod lifecycle;
mod map;
mod map_value;
mod store;
mod subscription;
mod sync;
mod testing;

pub mod runtime;

pub use crate::atom::{atom, atom_with, Atom};
pub use crate::computed::{
    batched, batched2, batched3, batched4, computed, computed2, computed3, computed4, Args,
    Computed, DynArgs, Source,
};
pub use crate::core::STORE_UNMOUNT_DELAY;
pub use crate::engine::batch;
pub use crate::events::{LifecycleEvent, NoKey, NotifyEvent, Proposed, SetEvent, Shared};
pub use crate::lifecycle::{on_mount, on_notify, on_set, on_start, on_stop, IntoCleanup};
pub use crate::map::{map, map_with, MapStore};
pub use crate::map_value::MapValue;
pub use crate::store::Store;
pub use crate::subscription::Subscription;
pub use crate::testing::{clean_stores, keep_mount, Clean};
