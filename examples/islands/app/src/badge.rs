//! The header badge, a Sycamore island: the number of items in the cart.

use nanostate_sycamore::use_store;
use sycamore::prelude::*;

use crate::store::CART_COUNT;

/// The cart badge. Reads `CART_COUNT` only.
#[component]
pub fn CartBadge() -> View {
    let count = use_store(&CART_COUNT);
    view! {
        span(class="badge", title="Items in your cart") {
            span(class="badge-icon", aria-hidden="true")
            span(class="badge-count", data-testid="badge-count") { (count.get()) }
        }
    }
}

/// The badge as server-rendered HTML with Sycamore's hydration keys.
#[cfg(not(target_arch = "wasm32"))]
pub fn render() -> String {
    sycamore::render_to_string(CartBadge)
}

/// Hydrates the server-rendered badge inside `root`.
#[cfg(target_arch = "wasm32")]
pub fn hydrate(root: web_sys::Element) {
    sycamore::hydrate_to(CartBadge, &root);
}
