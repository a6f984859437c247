//! The shop's shared state: plain `static` stores that every island reads
//! and writes, whatever its framework.

use nanostate::{atom, computed, Atom, Computed, MapValue};
use nanostate_persistent::{persistent_map, PersistentMap};

use crate::catalog::product;

/// Whether the cart flyout is open. Not saved: a reload closes it.
pub static CART_OPEN: Atom<bool> = atom(false);

/// Product id → quantity. Saved in localStorage as one entry per product
/// (`cart:tee` → `2`), so the cart survives a reload and follows other
/// tabs while an island shows it.
///
/// `deferred`: the server renders the empty cart, so the islands must
/// hydrate over the empty cart too. The client restores the saved cart
/// only after hydrating ([`CART.restore()`](PersistentMap::restore)), and
/// the bindings then re-render what changed: no hydration mismatch.
pub static CART: PersistentMap<String, u32> = persistent_map("cart:", MapValue::new).deferred();

/// How many items the cart holds (the sum of the quantities). Quantities
/// may come from JavaScript, other tabs or storage, so the sums saturate
/// rather than overflow.
pub static CART_COUNT: Computed<u32> = computed(&CART, |items| {
    items
        .values()
        .fold(0u32, |sum, qty| sum.saturating_add(*qty))
});

/// The cart's total price in cents (unknown products count as free).
pub static CART_TOTAL: Computed<u32> = computed(&CART, |items| {
    items.iter().fold(0u32, |sum, (id, qty)| {
        sum.saturating_add(product(id).map_or(0, |p| p.price.saturating_mul(*qty)))
    })
});

/// Adds one of `id` to the cart: a new line, or one more on its line.
pub fn add_to_cart(id: &str) {
    CART.update_key(id.to_string(), |qty| {
        Some(qty.copied().unwrap_or(0).saturating_add(1))
    });
}

/// Removes the whole line of `id`.
pub fn remove_from_cart(id: &str) {
    CART.delete_key(&id.to_string());
}

/// Empties the cart.
pub fn clear_cart() {
    CART.set(MapValue::new());
}

/// Opens the flyout if it is closed, closes it if it is open.
pub fn toggle_cart() {
    CART_OPEN.update(|open| !open);
}

/// The cart's lines in shelf order, with their products.
pub fn cart_lines(items: &MapValue<String, u32>) -> Vec<(&'static crate::Product, u32)> {
    crate::PRODUCTS
        .iter()
        .filter_map(|p| items.get(p.id).map(|qty| (p, *qty)))
        .collect()
}
