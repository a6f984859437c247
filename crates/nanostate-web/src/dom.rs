//! Vanilla DOM bindings: a store's value as an element's text, attribute or
//! class, and event listeners, each held by a [`Binding`] guard.

use std::cell::RefCell;
use std::fmt;

use nanostate::{subscribe_local, LocalSubscription, Store};
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event, EventTarget, MutationObserver, MutationObserverInit, Node};

/// A live binding (a store subscription or an event listener). Dropping it
/// ends the binding at once; [`until_removed`](Self::until_removed) ends it
/// when its element leaves the document instead.
///
/// ```no_run
/// use nanostate::Atom;
/// use nanostate_web::bind_text;
///
/// let name = Atom::new(String::from("Ada"));
/// let document = web_sys::window().unwrap().document().unwrap();
/// let span = document.create_element("span").unwrap();
/// let binding = bind_text(&span, &name, |n| format!("Hello, {n}"));
/// drop(binding); // the span no longer follows the store
/// ```
#[must_use = "dropping a Binding ends it at once; call .until_removed(..) to tie it to an element"]
pub struct Binding {
    inner: Inner,
}

enum Inner {
    Store(#[allow(dead_code)] LocalSubscription),
    Event {
        target: EventTarget,
        kind: String,
        handler: Closure<dyn FnMut(Event)>,
    },
    Cleanup(Option<Box<dyn FnOnce()>>),
}

impl Drop for Binding {
    fn drop(&mut self) {
        match &mut self.inner {
            Inner::Store(_) => {}
            Inner::Event {
                target,
                kind,
                handler,
            } => {
                let _ = target
                    .remove_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
            }
            Inner::Cleanup(f) => {
                if let Some(f) = f.take() {
                    f();
                }
            }
        }
    }
}

impl fmt::Debug for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.inner {
            Inner::Store(_) => "store",
            Inner::Event { .. } => "event",
            Inner::Cleanup(_) => "cleanup",
        };
        f.debug_struct("Binding").field("kind", &kind).finish()
    }
}

impl Binding {
    /// A binding that runs `cleanup` when it ends (to tie any teardown to an
    /// element's life, or to a custom element's disconnection).
    ///
    /// ```no_run
    /// let b = nanostate_web::Binding::from_fn(|| println!("ended"));
    /// drop(b); // prints "ended"
    /// ```
    pub fn from_fn(cleanup: impl FnOnce() + 'static) -> Self {
        Binding {
            inner: Inner::Cleanup(Some(Box::new(cleanup))),
        }
    }

    /// Keeps the binding until `node` is no longer in the document: it ends
    /// after the first DOM change that leaves `node` disconnected. Call it
    /// once `node` is in the document.
    ///
    /// ```no_run
    /// use nanostate::Atom;
    /// use nanostate_web::bind_text;
    ///
    /// let count = Atom::new(0);
    /// let document = web_sys::window().unwrap().document().unwrap();
    /// let span = document.create_element("span").unwrap();
    /// document.body().unwrap().append_child(&span).unwrap();
    /// bind_text(&span, &count, |n| n.to_string()).until_removed(&span);
    /// span.remove(); // the subscription ends with the next mutation batch
    /// ```
    pub fn until_removed(self, node: &Node) {
        watch_removal(node.clone(), self);
    }
}

/// Why a DOM binding could not be made: the browser's own error message
/// (for example an attribute name with a space in it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomError {
    /// What was being bound.
    pub what: String,
    /// The browser's message.
    pub message: String,
}

impl fmt::Display for DomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot bind {}: {}", self.what, self.message)
    }
}

impl std::error::Error for DomError {}

impl DomError {
    pub(crate) fn new(what: impl Into<String>, err: JsValue) -> Self {
        let message = err
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| err.as_string())
            .unwrap_or_else(|| format!("{err:?}"));
        DomError {
            what: what.into(),
            message,
        }
    }
}

/// Keeps `node`'s text equal to `render(value)`: set now, and again on every
/// change of `store`.
///
/// ```no_run
/// use nanostate::{atom, Atom};
/// static COUNT: Atom<u32> = atom(0);
///
/// let document = web_sys::window().unwrap().document().unwrap();
/// let badge = document.create_element("span").unwrap();
/// let _b = nanostate_web::bind_text(&badge, &COUNT, |n| format!("{n} items"));
/// COUNT.set(3); // badge reads "3 items"
/// ```
pub fn bind_text<S: Store>(
    node: &Node,
    store: &S,
    render: impl Fn(&S::Value) -> String + 'static,
) -> Binding {
    let node = node.clone();
    store_binding(subscribe_local(store, move |value, _| {
        node.set_text_content(Some(&render(value)))
    }))
}

/// Keeps attribute `name` of `element` equal to `render(value)`; `None`
/// removes the attribute. Fails, changing nothing, when `name` is not a valid
/// attribute name.
///
/// ```no_run
/// use nanostate::Atom;
/// let open = Atom::new(false);
/// let document = web_sys::window().unwrap().document().unwrap();
/// let panel = document.create_element("aside").unwrap();
/// let _b = nanostate_web::bind_attr(&panel, "hidden", &open, |o| (!o).then(String::new))
///     .expect("a valid attribute name");
/// assert!(nanostate_web::bind_attr(&panel, "not valid", &open, |_| None).is_err());
/// ```
pub fn bind_attr<S: Store>(
    element: &Element,
    name: &str,
    store: &S,
    render: impl Fn(&S::Value) -> Option<String> + 'static,
) -> Result<Binding, DomError> {
    // Toggling to the current state validates the name and changes nothing.
    element
        .toggle_attribute_with_force(name, element.has_attribute(name))
        .map_err(|e| DomError::new(format!("attribute {name:?}"), e))?;
    let (element, name) = (element.clone(), name.to_owned());
    Ok(store_binding(subscribe_local(store, move |value, _| {
        let _ = match render(value) {
            Some(v) => element.set_attribute(&name, &v),
            None => element.remove_attribute(&name),
        };
    })))
}

/// Keeps `class` on `element` while `when(value)` is true. Fails, changing
/// nothing, when `class` is empty or contains whitespace.
///
/// ```no_run
/// use nanostate::Atom;
/// let open = Atom::new(false);
/// let document = web_sys::window().unwrap().document().unwrap();
/// let flyout = document.create_element("div").unwrap();
/// let _b = nanostate_web::bind_class(&flyout, "open", &open, |o| *o).unwrap();
/// open.set(true); // <div class="open">
/// ```
pub fn bind_class<S: Store>(
    element: &Element,
    class: &str,
    store: &S,
    when: impl Fn(&S::Value) -> bool + 'static,
) -> Result<Binding, DomError> {
    let list = element.class_list();
    list.toggle_with_force(class, list.contains(class))
        .map_err(|e| DomError::new(format!("class {class:?}"), e))?;
    let class = class.to_owned();
    Ok(store_binding(subscribe_local(store, move |value, _| {
        let _ = list.toggle_with_force(&class, when(value));
    })))
}

/// Listens to `kind` events on `target` until the binding ends: the place
/// for actions (plain store writes).
///
/// ```no_run
/// use nanostate::{atom, Atom};
/// static COUNT: Atom<u32> = atom(0);
///
/// let document = web_sys::window().unwrap().document().unwrap();
/// let button = document.create_element("button").unwrap();
/// let _b = nanostate_web::on_event(&button, "click", |_| COUNT.update(|n| n + 1));
/// ```
pub fn on_event(target: &EventTarget, kind: &str, handler: impl FnMut(Event) + 'static) -> Binding {
    let handler = Closure::<dyn FnMut(Event)>::new(handler);
    let _ = target.add_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
    Binding {
        inner: Inner::Event {
            target: target.clone(),
            kind: kind.to_owned(),
            handler,
        },
    }
}

fn store_binding(subscription: LocalSubscription) -> Binding {
    Binding {
        inner: Inner::Store(subscription),
    }
}

/// Bindings waiting for their node to leave the document, and the one
/// observer that watches for that.
struct Watched {
    entries: Vec<(Node, Binding)>,
    observer: Option<MutationObserver>,
}

thread_local! {
    static WATCHED: RefCell<Watched> = const {
        RefCell::new(Watched { entries: Vec::new(), observer: None })
    };
}

fn watch_removal(node: Node, binding: Binding) {
    WATCHED.with_borrow_mut(|w| {
        if w.observer.is_none() {
            w.observer = start_observer();
        }
        w.entries.push((node, binding));
    });
}

fn start_observer() -> Option<MutationObserver> {
    let document = web_sys::window()?.document()?;
    let callback = Closure::<dyn Fn()>::new(sweep).into_js_value();
    let observer = MutationObserver::new(callback.unchecked_ref()).ok()?;
    let options = MutationObserverInit::new();
    options.set_child_list(true);
    options.set_subtree(true);
    observer.observe_with_options(&document, &options).ok()?;
    Some(observer)
}

/// Ends the bindings whose node has left the document.
fn sweep() {
    let gone: Vec<Binding> = WATCHED.with_borrow_mut(|w| {
        let (kept, gone): (Vec<_>, Vec<_>) = w
            .entries
            .drain(..)
            .partition(|(node, _)| node.is_connected());
        w.entries = kept;
        gone.into_iter().map(|(_, b)| b).collect()
    });
    drop(gone); // outside the borrow: unsubscribing may run user code
}

/// How many bindings wait for their element to leave the document.
///
/// ```no_run
/// assert_eq!(nanostate_web::watched_bindings(), 0);
/// ```
pub fn watched_bindings() -> usize {
    WATCHED.with_borrow(|w| w.entries.len())
}
