//! `islands-client`: the shop's main wasm module. Its start function
//! hydrates the Leptos, Yew, Dioxus and Sycamore islands (see
//! `islands_app::client`). On other targets it is empty.
//!
//! ```
//! // Built for the browser by `cargo xtask demo`; nothing to call natively.
//! ```

/// Runs when the module is instantiated.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    islands_app::client::start();
}
