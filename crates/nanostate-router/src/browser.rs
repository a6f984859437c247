//! The router in the browser: the address bar, the Back button and link
//! clicks (wasm32 only).

use std::cell::RefCell;
use std::sync::Arc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlAnchorElement, MouseEvent, Window};

use crate::Router;

/// A router connected to the browser by [`Router::connect_browser`];
/// dropping it disconnects (the listeners are removed, the page stays).
#[must_use = "dropping a BrowserRouter disconnects the router from the browser at once"]
pub struct BrowserRouter {
    router: Router,
    on_popstate: Closure<dyn FnMut(Event)>,
    on_click: Closure<dyn FnMut(MouseEvent)>,
}

thread_local! {
    /// The routers connected on this thread (the only one, without
    /// threads), by the address of their state.
    static CONNECTED: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

fn the_window() -> Window {
    web_sys::window().expect("nanostate-router: connect_browser needs a window")
}

fn key(router: &Router) -> usize {
    Arc::as_ptr(&router.inner) as usize
}

/// The location as the router writes hrefs: path, search and hash.
fn current_href(window: &Window) -> String {
    let location = window.location();
    let part = |r: Result<String, wasm_bindgen::JsValue>| r.unwrap_or_default();
    part(location.pathname()) + &part(location.search()) + &part(location.hash())
}

/// Called by `Router::open` and `Router::redirect` after the page was set:
/// puts the href in the address bar of a connected router, unless a guard
/// kept the page (the page is then not the one `href` leads to).
pub(crate) fn after_open(router: &Router, href: &str, replace: bool, opened: bool) {
    if !opened || !CONNECTED.with_borrow(|c| c.contains(&key(router))) {
        return;
    }
    let window = the_window();
    let target = router.href();
    if target == current_href(&window) {
        return;
    }
    let has_hash = href.contains('#');
    let Ok(history) = window.history() else {
        return;
    };
    let state = wasm_bindgen::JsValue::NULL;
    let _ = if replace {
        history.replace_state_with_url(&state, "", Some(&target))
    } else {
        history.push_state_with_url(&state, "", Some(&target))
    };
    if !has_hash {
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Whether a click on `link` is the router's to handle: a plain left
/// click on a same-origin link without `target`, `download` or
/// `data-no-router`, not already handled.
fn is_router_click(event: &MouseEvent, link: &HtmlAnchorElement, window: &Window) -> bool {
    let plain = event.button() == 0
        && !event.default_prevented()
        && !(event.meta_key() || event.ctrl_key() || event.shift_key() || event.alt_key());
    let target = link.target();
    plain
        && (target.is_empty() || target == "_self")
        && !link.has_attribute("download")
        && !link.has_attribute("data-no-router")
        && link.origin() == window.location().origin().unwrap_or_default()
}

impl Router {
    /// Connects the router to the browser: it opens the address bar's
    /// page now, follows the Back and Forward buttons, handles clicks on
    /// same-origin links (not with a modifier key or another button, not
    /// with `target` other than `_self`, `download` or `data-no-router`),
    /// and puts every later [`open`](Router::open) in the address bar
    /// (`pushState`; [`redirect`](Router::redirect): `replaceState`),
    /// scrolling to the top unless the href has a hash. A navigation that
    /// a guard aborts leaves the address bar as it was (after Back, the
    /// kept page's href is put back). wasm32 only.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use nanostate_router::Router;
    /// let router = Router::new([("home", "/"), ("post", "/posts/:id")]).unwrap();
    /// let browser = router.connect_browser();
    /// router.open("/posts/1").unwrap(); // the address bar shows /posts/1
    /// std::mem::forget(browser); // connected for the life of the page
    /// # }
    /// ```
    pub fn connect_browser(&self) -> BrowserRouter {
        let window = the_window();
        CONNECTED.with_borrow_mut(|c| c.push(key(self)));
        let _ = self.open_from_browser(&window);
        let router = self.clone();
        let on_popstate = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            let window = the_window();
            let before = router.get();
            let opened = router.open_from_browser(&window);
            if !opened {
                // A guard kept the page: put its href back.
                if let (Some(_), Ok(history)) = (before, window.history()) {
                    let href = router.href();
                    let _ = history.replace_state_with_url(
                        &wasm_bindgen::JsValue::NULL,
                        "",
                        Some(&href),
                    );
                }
            }
        });
        let router = self.clone();
        let on_click = Closure::<dyn FnMut(MouseEvent)>::new(move |event: MouseEvent| {
            let window = the_window();
            let Some(link) = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("a[href]").ok().flatten())
                .and_then(|el| el.dyn_into::<HtmlAnchorElement>().ok())
            else {
                return;
            };
            if !is_router_click(&event, &link, &window) {
                return;
            }
            event.prevent_default();
            let _ = router.open(&link.href());
        });
        let _ = window
            .add_event_listener_with_callback("popstate", on_popstate.as_ref().unchecked_ref());
        if let Some(document) = window.document() {
            let _ = document
                .add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        }
        BrowserRouter {
            router: self.clone(),
            on_popstate,
            on_click,
        }
    }

    /// Opens the address bar's href without writing it back; whether the
    /// page is now the one it leads to.
    fn open_from_browser(&self, window: &Window) -> bool {
        let href = window.location().href().unwrap_or_default();
        match self.resolve(&href) {
            Ok(page) => self.set_page(&href, page),
            Err(_) => false,
        }
    }
}

impl BrowserRouter {
    /// The connected router.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let router = nanostate_router::Router::new([("home", "/")]).unwrap();
    /// let browser = router.connect_browser();
    /// assert_eq!(browser.router().routes().count(), 1);
    /// # }
    /// ```
    pub fn router(&self) -> &Router {
        &self.router
    }
}

impl Drop for BrowserRouter {
    fn drop(&mut self) {
        let window = the_window();
        let _ = window.remove_event_listener_with_callback(
            "popstate",
            self.on_popstate.as_ref().unchecked_ref(),
        );
        if let Some(document) = window.document() {
            let _ = document.remove_event_listener_with_callback(
                "click",
                self.on_click.as_ref().unchecked_ref(),
            );
        }
        let key = key(&self.router);
        CONNECTED.with_borrow_mut(|c| {
            if let Some(pos) = c.iter().position(|k| *k == key) {
                c.remove(pos);
            }
        });
    }
}
