//! `islands-footer`: the shop's second wasm module, compiled on its own
//! with its own copy of nanostate. Two wasm binaries do not share
//! `static`s, so this module cannot see the main module's `CART`. It
//! declares a store *by name* instead: [`CART`] is a
//! [`SharedAtom`] called `"cart"`, kept in
//! step over `BroadcastChannel` with the one the main module mirrors its
//! cart into (and with every other tab of the shop).
//!
//! It shows the item count in the page footer, and its "add stickers"
//! button writes the shared cart, which the main module applies to its own.
//!
//! ```
//! use islands_footer::{add_stickers, CART, CART_COUNT};
//! // Natively there is no BroadcastChannel: the store works locally.
//! add_stickers();
//! add_stickers();
//! assert_eq!(CART.get().get("stickers"), Some(&2));
//! assert_eq!(CART_COUNT.get(), 2);
//! ```

use std::collections::BTreeMap;

use nanostate::{computed, Computed};
use nanostate_broadcast::{shared_atom, SharedAtom};

/// The cart as this module sees it: product id → quantity, shared by name.
pub static CART: SharedAtom<BTreeMap<String, u32>> = shared_atom("cart", BTreeMap::new);

/// How many items the shared cart holds.
pub static CART_COUNT: Computed<u32> = computed(&CART, |items| items.values().sum());

/// Adds one sticker pack to the shared cart.
pub fn add_stickers() {
    CART.update(|items| {
        let mut items = items.clone();
        *items.entry("stickers".to_string()).or_insert(0) += 1;
        items
    });
}

/// Runs when the module is instantiated: binds the footer's count to
/// [`CART_COUNT`] and its button to [`add_stickers`], then marks the footer
/// `data-hydrated="true"`. The binding keeps `CART` mounted, so it
/// receives the cart from the main module and from other tabs.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    nanostate_web::install();
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("island-footer"))
    else {
        return;
    };
    if let Ok(Some(count)) = root.query_selector("[data-testid=\"footer-count\"]") {
        nanostate_web::bind_text(&count, &CART_COUNT, u32::to_string).until_removed(&count);
    }
    if let Ok(Some(button)) = root.query_selector("[data-testid=\"footer-add\"]") {
        nanostate_web::on_event(&button, "click", |_| add_stickers()).until_removed(&button);
    }
    let _ = root.set_attribute("data-hydrated", "true");
}
