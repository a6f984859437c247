//! The cart flyout, a Dioxus island: lists the cart's lines while
//! `CART_OPEN` is true.

use dioxus::prelude::*;
use nanostate_dioxus::use_store;

use crate::catalog::price;
use crate::store::{cart_lines, remove_from_cart, CART, CART_OPEN, CART_TOTAL};

/// The flyout. Always in the page, shown only while the cart is open (so
/// the server-rendered and the client-rendered markup are the same).
#[allow(non_snake_case)]
pub fn CartFlyout() -> Element {
    let open = use_store(&CART_OPEN);
    let cart = use_store(&*CART);
    let total = use_store(&CART_TOTAL);
    let items = cart.read();
    let lines = cart_lines(&items);
    rsx! {
        aside {
            class: if open() { "flyout open" } else { "flyout" },
            "data-testid": "flyout",
            aria_label: "Your cart",
            h2 { "Your cart" }
            if lines.is_empty() {
                p { class: "empty", "data-testid": "cart-empty", "Your cart is empty." }
            } else {
                ul { class: "lines",
                    for (p, qty) in lines {
                        li { key: "{p.id}", class: "line", "data-testid": "line-{p.id}",
                            span { class: "line-name", "{p.name}" }
                            span { class: "line-qty", "× " span { "data-testid": "qty-{p.id}", "{qty}" } }
                            span { class: "line-price", "{price(p.price.saturating_mul(qty))}" }
                            button {
                                class: "remove",
                                "data-testid": "remove-{p.id}",
                                aria_label: "Remove {p.name}",
                                onclick: move |_| remove_from_cart(p.id),
                                "Remove"
                            }
                        }
                    }
                }
                p { class: "total", "Total " strong { "{price(total())}" } }
            }
        }
    }
}

/// The flyout as server-rendered HTML.
#[cfg(not(target_arch = "wasm32"))]
pub fn render() -> String {
    let mut dom = VirtualDom::new(CartFlyout);
    dom.rebuild_in_place();
    dioxus_ssr::render(&dom)
}

/// Renders the flyout inside `root` on the client. Dioxus 0.7 hydrates
/// only with its fullstack server's data, so this island renders afresh
/// over the server's markup (which it replaces with the same markup).
#[cfg(target_arch = "wasm32")]
pub fn mount(root: web_sys::Element) {
    root.set_inner_html("");
    dioxus_web::launch::launch_virtual_dom(
        VirtualDom::new(CartFlyout),
        dioxus_web::Config::new().rootelement(root),
    );
}
