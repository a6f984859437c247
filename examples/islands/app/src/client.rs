//! The browser side: hydrate every island, then let the cart load.

use std::collections::BTreeMap;

use nanostate_broadcast::SharedAtom;
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
    for (id, start) in ISLANDS {
        if let Some(el) = root(id) {
            start(el.clone());
            hydrated(&el);
        }
    }
    expose();
    // The name under which this page's other wasm modules find the cart.
    let channel = format!(
        "cart:{:08x}",
        (js_sys::Math::random() * f64::from(u32::MAX)) as u32
    );
    if let Some(footer) = root("island-footer") {
        let _ = footer.set_attribute("data-cart-channel", &channel);
    }
    after_hydration(move || {
        crate::CART.restore();
        share_cart(SharedAtom::new(channel, BTreeMap::new()));
    });
}

/// Starts one framework's island in its root element.
type StartIsland = fn(web_sys::Element);

/// Each island's root and the function that starts its framework there.
const ISLANDS: [(&str, StartIsland); 4] = [
    ("island-toggle", toggle::hydrate),
    ("island-products", products::hydrate),
    ("island-badge", badge::hydrate),
    ("island-flyout", flyout::mount),
];

/// Mirrors `CART` into `shared`, for the wasm modules of this page built
/// apart from this one (they cannot see our `static`s; see
/// `islands-footer`), and applies their writes back. Each direction writes
/// only when the value differs, so the mirror does not loop in the page.
///
/// The channel's name is unique to the page: other tabs follow `CART`
/// through localStorage only. Sharing it across tabs as well would give
/// the cart two paths between tabs, and a change arriving key by key from
/// localStorage would be re-posted as new whole-cart writes: an echo.
///
/// The shared value is the whole cart, last writer wins: two writes to it
/// within one message delay (a click in the footer and one in an island in
/// the same instant) keep only one of them.
fn share_cart(shared: SharedAtom<BTreeMap<String, u32>>) {
    use crate::CART;
    // Listen first, so the restored cart is posted by a mounted peer that
    // has heard the others.
    shared
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
    CART.subscribe(move |items, _, _| {
        shared.set(items.iter().map(|(id, qty)| (id.clone(), *qty)).collect());
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
