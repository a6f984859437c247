//! **Nano Supply**, the islands shop: the demo of nanostate.
//!
//! One page, six independently started islands, one cart:
//!
//! | island | framework | reads | writes |
//! |---|---|---|---|
//! | header badge | Sycamore | `CART_COUNT` | – |
//! | cart toggle | Leptos | `CART_OPEN`, `CART_COUNT` | `CART_OPEN` |
//! | product shelf | Yew | `CART` | `CART` |
//! | cart flyout | Dioxus | `CART_OPEN`, `CART`, `CART_TOTAL` | `CART` |
//! | count + clear | plain JavaScript | `CART` | `CART` |
//! | footer | a second wasm module | the cart, by name over `BroadcastChannel` | the cart, the same way |
//!
//! The stores ([`store`]) are plain `static` items. No island owns them and
//! no context or provider passes them around: each framework's binding
//! subscribes to the same store, so a click in one island re-renders the
//! others.
//!
//! On the server (`islands-server`) every island renders to HTML with its
//! framework ([`page::render`]); in the browser (`islands-client`) each
//! hydrates its own root, except the Dioxus flyout, which renders afresh
//! over the server's markup (Dioxus 0.7 hydrates only with its fullstack
//! server's data).
//!
//! ```
//! use islands_app::{add_to_cart, CART, CART_COUNT};
//!
//! add_to_cart("tee");
//! add_to_cart("tee");
//! assert_eq!(CART.get().get("tee"), Some(&2));
//! assert_eq!(CART_COUNT.get(), 2);
//! ```

pub mod badge;
pub mod catalog;
pub mod flyout;
pub mod products;
pub mod store;
pub mod toggle;

#[cfg(target_arch = "wasm32")]
pub mod client;
#[cfg(not(target_arch = "wasm32"))]
pub mod page;

pub use catalog::{Product, PRODUCTS};
pub use store::{
    add_to_cart, clear_cart, remove_from_cart, toggle_cart, CART, CART_COUNT, CART_OPEN, CART_TOTAL,
};
