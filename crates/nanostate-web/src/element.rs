//! Custom elements (web components) whose behaviour is written in Rust.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::dom::{Binding, DomError};

#[wasm_bindgen(inline_js = r#"
export function nanostate_define(name, connect, disconnect) {
  customElements.define(name, class extends HTMLElement {
    connectedCallback() { this.__nanostate = connect(this); }
    disconnectedCallback() {
      if (this.__nanostate !== undefined) disconnect(this.__nanostate);
      this.__nanostate = undefined;
    }
  });
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn nanostate_define(name: &str, connect: &JsValue, disconnect: &JsValue)
        -> Result<(), JsValue>;
}

thread_local! {
    /// The bindings of every connected custom element, by connection id.
    static CONNECTED: RefCell<HashMap<u32, Vec<Binding>>> = RefCell::new(HashMap::new());
    static NEXT: Cell<u32> = const { Cell::new(0) };
}

/// Defines the custom element `<name>`: each time an instance is connected
/// to the document `connect` runs and returns the instance's bindings
/// (store subscriptions, event listeners); they end when the instance is
/// disconnected. Fails with the browser's message when the name is not a
/// valid custom element name or is already defined.
///
/// A counter component that reads and writes a store; several instances,
/// anywhere on the page, show the same count:
///
/// ```no_run
/// use nanostate::{atom, Atom};
/// use nanostate_web::{bind_text, define_element, on_event};
///
/// static COUNT: Atom<u32> = atom(0);
///
/// define_element("nano-counter", |host| {
///     let document = host.owner_document().unwrap();
///     let button = document.create_element("button").unwrap();
///     host.append_child(&button).unwrap();
///     vec![
///         bind_text(&button, &COUNT, |n| format!("clicked {n} times")),
///         on_event(&button, "click", |_| COUNT.update(|n| n + 1)),
///     ]
/// })
/// .expect("a fresh, valid element name");
/// ```
pub fn define_element(
    name: &str,
    connect: impl Fn(&HtmlElement) -> Vec<Binding> + 'static,
) -> Result<(), DomError> {
    let connect = Closure::<dyn Fn(HtmlElement) -> u32>::new(move |host: HtmlElement| {
        let bindings = connect(&host);
        let id = NEXT.with(|n| {
            n.set(n.get().wrapping_add(1));
            n.get()
        });
        CONNECTED.with_borrow_mut(|c| c.insert(id, bindings));
        id
    });
    let disconnect = Closure::<dyn Fn(u32)>::new(|id: u32| {
        let bindings = CONNECTED.with_borrow_mut(|c| c.remove(&id));
        drop(bindings); // outside the borrow: unsubscribing may run user code
    });
    nanostate_define(name, connect.as_ref(), disconnect.as_ref())
        .map_err(|e| DomError::new(format!("custom element <{name}>"), e))?;
    // A definition lasts as long as the page: so do its callbacks.
    connect.forget();
    disconnect.forget();
    Ok(())
}

/// How many custom element instances defined by [`define_element`] are
/// connected now.
///
/// ```no_run
/// assert_eq!(nanostate_web::connected_elements(), 0);
/// ```
pub fn connected_elements() -> usize {
    CONNECTED.with_borrow(|c| c.len())
}
