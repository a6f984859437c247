//! The cart toggle, a Leptos island: opens and closes the flyout.

use leptos::prelude::*;
use nanostate_leptos::use_store;

use crate::store::{toggle_cart, CART_COUNT, CART_OPEN};

/// The header button that opens the cart flyout. Reads `CART_OPEN` for its
/// label and `aria-expanded`, and `CART_COUNT` for its hint; writes
/// `CART_OPEN`.
#[component]
pub fn CartToggle() -> impl IntoView {
    let open = use_store(&CART_OPEN);
    let count = use_store(&CART_COUNT);
    view! {
        <button
            class="cart-toggle"
            data-testid="cart-toggle"
            aria-controls="island-flyout"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| toggle_cart()
        >
            {move || if open.get() { "Close cart" } else { "View cart" }}
            <span class="toggle-hint">{move || item_hint(count.get())}</span>
        </button>
    }
}

fn item_hint(count: u32) -> String {
    match count {
        0 => "empty".into(),
        1 => "1 item".into(),
        n => format!("{n} items"),
    }
}

/// The toggle as server-rendered HTML, ready for `hydrate` (in the browser).
#[cfg(not(target_arch = "wasm32"))]
pub fn render() -> String {
    let owner = Owner::new();
    owner.with(|| view! { <CartToggle/> }.to_html())
}

/// Hydrates the server-rendered toggle inside `root`.
#[cfg(target_arch = "wasm32")]
pub fn hydrate(root: web_sys::Element) {
    use wasm_bindgen::JsCast;
    leptos::mount::hydrate_from(root.unchecked_into(), || view! { <CartToggle/> }).forget();
}
