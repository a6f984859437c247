//! `islands-footer`: the shop's second wasm module, compiled on its own
//! with its own copy of nanostate. Two wasm binaries do not share
//! `static`s, so this module cannot see the main module's `CART`. It
//! opens a store *by name* instead: a [`SharedAtom`] kept in step over
//! `BroadcastChannel` with the one the main module mirrors its cart into.
//! The main module picks a name unique to the page and writes it on the
//! footer's root (`data-cart-channel`) before this module starts.
//!
//! It shows the item count in the page footer, and its "add stickers"
//! button writes the shared cart, which the main module applies to its own.
//!
//! ```
//! use islands_footer::FooterCart;
//! // Natively there is no BroadcastChannel: the store works locally.
//! let footer = FooterCart::new("cart:doc");
//! footer.add_stickers();
//! footer.add_stickers();
//! assert_eq!(footer.cart.get().get("stickers"), Some(&2));
//! assert_eq!(footer.count.get(), 2);
//! ```

use std::collections::BTreeMap;

use nanostate::Computed;
use nanostate_broadcast::SharedAtom;

/// The cart as this module sees it, and its item count.
#[derive(Clone)]
pub struct FooterCart {
    /// Product id → quantity, shared by name.
    pub cart: SharedAtom<BTreeMap<String, u32>>,
    /// How many items the shared cart holds.
    pub count: Computed<u32>,
}

impl FooterCart {
    /// Opens the shared cart called `name`.
    ///
    /// ```
    /// let footer = islands_footer::FooterCart::new("cart:doc-new");
    /// assert_eq!(footer.count.get(), 0);
    /// ```
    pub fn new(name: &str) -> Self {
        let cart = SharedAtom::new(name.to_string(), BTreeMap::new());
        let count = Computed::new(&cart, |items: &BTreeMap<String, u32>| {
            items
                .values()
                .fold(0u32, |sum, qty| sum.saturating_add(*qty))
        });
        FooterCart { cart, count }
    }

    /// Adds one sticker pack to the shared cart.
    ///
    /// ```
    /// let footer = islands_footer::FooterCart::new("cart:doc-add");
    /// footer.add_stickers();
    /// assert_eq!(footer.count.get(), 1);
    /// ```
    pub fn add_stickers(&self) {
        self.cart.update(|items| {
            let mut items = items.clone();
            let qty = items.entry("stickers".to_string()).or_insert(0);
            *qty = qty.saturating_add(1);
            items
        });
    }
}

/// Runs when the module is instantiated: opens the cart named by the
/// footer's `data-cart-channel` attribute, binds the footer's count to it
/// and its button to [`FooterCart::add_stickers`], then marks the footer
/// `data-hydrated="true"`. The binding keeps the cart mounted, so it
/// receives the main module's cart.
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
    let Some(name) = root.get_attribute("data-cart-channel") else {
        let _ = root.set_attribute(
            "data-error",
            "no data-cart-channel: start the main module first",
        );
        return;
    };
    let footer = FooterCart::new(&name);
    if let Ok(Some(count)) = root.query_selector("[data-testid=\"footer-count\"]") {
        nanostate_web::bind_text(&count, &footer.count, u32::to_string).until_removed(&count);
    }
    if let Ok(Some(button)) = root.query_selector("[data-testid=\"footer-add\"]") {
        let footer = footer.clone();
        nanostate_web::on_event(&button, "click", move |_| footer.add_stickers())
            .until_removed(&button);
    }
    let _ = root.set_attribute("data-hydrated", "true");
}
