//! The browser side: hydrate every island, then let the cart load.

use std::collections::BTreeMap;

use nanostate_broadcast::{shared_atom, SharedAtom};
use wasm_bindgen::JsCast;

use crate::{badge, flyout, products, toggle};

/// Starts the shop in the browser: installs the web runtime, takes over
/// each island root (marking it `data-hydrated="true"`), then restores the
/// saved cart and exposes the stores to plain JavaScript as
/// `globalThis.nanostate.cart` / `.cartOpen`.
///
/// The saved cart is read only after hydration, so each island hydrates
/// over exactly the markup the server rendered (the empty cart) and then
/// shows the saved one.
pub fn start() {
    nanostate_web::install();
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let root = |id: &str| document.get_element_by_id(id);
    if let Some(el) = root("island-toggle") {
        toggle::hydrate(el.clone().unchecked_into());
        hydrated(&el);
    }
    if let Some(el) = root("island-products") {
        products::hydrate(el.clone());
        hydrated(&el);
    }
    if let Some(el) = root("island-badge") {
        badge::hydrate(&el);
        hydrated(&el);
    }
    if let Some(el) = root("island-flyout") {
        flyout::mount(el.clone());
        hydrated(&el);
    }
    expose();
    after_hydration(|| {
        crate::CART.restore();
        share_cart();
    });
}

/// The cart under its shared name, for wasm modules built apart from this
/// one (they cannot see our `static`s): see `islands-footer`.
static SHARED_CART: SharedAtom<BTreeMap<String, u32>> = shared_atom("cart", BTreeMap::new);

/// Keeps `CART` and `SHARED_CART` equal, both ways. Each direction writes
/// only when the value differs, so the mirror never loops.
fn share_cart() {
    use crate::CART;
    CART.subscribe(|items, _, _| {
        let shared: BTreeMap<String, u32> =
            items.iter().map(|(id, qty)| (id.clone(), *qty)).collect();
        SHARED_CART.set(shared);
    })
    .keep();
    SHARED_CART
        .listen(|shared, _| {
            let items = CART.get();
            nanostate::batch(|| {
                for id in items.keys().filter(|id| !shared.contains_key(*id)) {
                    CART.delete_key(id);
                }
                for (id, qty) in shared {
                    if items.get(id) != Some(qty) {
                        CART.set_key(id.clone(), *qty);
                    }
                }
            });
        })
        .keep();
}

/// Runs `f` in a task of its own (a zero `setTimeout`), after the
/// microtasks in which the frameworks finish hydrating.
fn after_hydration(f: impl FnOnce() + 'static) {
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 0);
    }
}

fn hydrated(el: &web_sys::Element) {
    let _ = el.set_attribute("data-hydrated", "true");
}

fn expose() {
    let cart = nanostate_web::export_map(&crate::CART);
    let open = nanostate_web::export_atom(&crate::CART_OPEN);
    let _ = nanostate_web::expose("cart", &cart);
    let _ = nanostate_web::expose("cartOpen", &open);
}
