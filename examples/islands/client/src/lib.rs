//! `islands-client`: the shop's main wasm module. Its start function
//! hydrates the Leptos, Yew, Dioxus and Sycamore islands (see
//! `islands_app::client`). On other targets it is empty.
//!
//! `cargo xtask demo` builds it for the browser. Natively the crate is
//! empty, and the stores it hydrates the islands over work as anywhere:
//!
//! ```
//! islands_app::toggle_cart();
//! assert!(islands_app::CART_OPEN.get());
//! ```

/// Runs when the module is instantiated.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    islands_app::client::start();
}
