//! The shelf, a Yew island: every product with its "Add to cart" button.

use nanostate_yew::use_store;
use yew::prelude::*;

use crate::catalog::{price, PRODUCTS};
use crate::store::{add_to_cart, CART};

/// The product grid. Reads `CART` (to say how many of each are in it) and
/// writes it with [`add_to_cart`].
#[function_component(ProductList)]
pub fn product_list() -> Html {
    let cart = use_store(&*CART);
    html! {
        <ul class="products">
            { for PRODUCTS.iter().map(|p| {
                let in_cart = cart.get(p.id).copied().unwrap_or(0);
                let id = p.id;
                html! {
                    <li class="product" key={p.id}>
                        <div class={classes!("picture", p.picture)} aria-hidden="true"></div>
                        <h3>{ p.name }</h3>
                        <p class="blurb">{ p.blurb }</p>
                        <p class="price">{ price(p.price) }</p>
                        <button
                            class="add"
                            data-testid={format!("add-{id}")}
                            onclick={Callback::from(move |_: MouseEvent| add_to_cart(id))}
                        >
                            { "Add to cart" }
                        </button>
                        <p class="in-cart">
                            { if in_cart > 0 { format!("{in_cart} in your cart") } else { String::new() } }
                        </p>
                    </li>
                }
            }) }
        </ul>
    }
}

/// The shelf as server-rendered HTML with Yew's hydration markers.
#[cfg(not(target_arch = "wasm32"))]
pub async fn render() -> String {
    yew::ServerRenderer::<ProductList>::new()
        .hydratable(true)
        .render()
        .await
}

/// Hydrates the server-rendered shelf inside `root`.
#[cfg(target_arch = "wasm32")]
pub fn hydrate(root: web_sys::Element) {
    yew::Renderer::<ProductList>::with_root(root).hydrate();
}
