//! A router that is a store: @nanostores/router for nanostate.
//!
//! A [`Router`] holds the [`Page`] open now (`None` when no route matches)
//! and is a nanostate [`Store`], so every island, framework binding,
//! `computed` and `effect` reads the same route with the tools it already
//! has. Routes are a table of names and patterns; [`Router::open`] moves to
//! an href, [`Router::path_for`] builds one.
//!
//! ```
//! use std::sync::LazyLock;
//! use nanostate::computed;
//! use nanostate_router::Router;
//!
//! static ROUTER: LazyLock<Router> = LazyLock::new(|| {
//!     Router::new([
//!         ("home", "/"),
//!         ("list", "/posts/:category"),
//!         ("post", "/posts/:category/:id"),
//!     ])
//!     .expect("the route table is valid")
//! });
//!
//! ROUTER.open("/posts/rust/42?highlight=1").unwrap();
//! let page = ROUTER.get().unwrap();
//! assert_eq!((page.route, page.params.get("id")), ("post", Some("42")));
//! assert_eq!(ROUTER.path_for("list", &[("category", "rust & wasm")]).unwrap(), "/posts/rust%20%26%20wasm");
//!
//! ROUTER.open("/nowhere").unwrap();
//! assert_eq!(ROUTER.get(), None); // not found
//! ```
//!
//! # Matching
//!
//! An href is a path (`/posts/1?x#y`) or an absolute `http`/`https` URL,
//! whose origin is ignored. Its path is normalized first: `.` and `..`
//! segments are resolved and a trailing slash is dropped (`/posts/` is
//! `/posts`). Routes are tried in table order; the first match wins. See
//! [`Route`] for the pattern syntax: static text (compared without regard
//! to case, after decoding), `:param`, `:optional?`, and a last `*rest`.
//! [`Route::custom`] matches with a function instead.
//!
//! Decoding is strict where it decides the route and lenient where the
//! web is: a path segment with a malformed `%` escape, or one that does
//! not decode to UTF-8, makes [`Router::open`] fail with
//! [`UrlError::BadEscape`] and leaves the page as it was (the JavaScript
//! router calls `decodeURIComponent`, which throws); search parameters are
//! decoded as `URLSearchParams` does (`+` is a space, bad escapes stay as
//! written). The search string never reaches a parameter: `/posts/1?x=2`
//! gives `id = "1"`.
//!
//! # Navigation guards
//!
//! Opening a page sets the store, so nanostate's [`on_set`](nanostate::on_set)
//! is the guard: a hook that calls `abort()` keeps the current page, as
//! @nanostores/router 1.1's `onSet` does.
//!
//! ```
//! use nanostate::{on_set, Proposed};
//! use nanostate_router::Router;
//! let router = Router::new([("home", "/"), ("edit", "/edit"), ("away", "/away")]).unwrap();
//! router.open("/edit").unwrap();
//! let _guard = on_set(&router, |event| {
//!     let leaving_unsaved = matches!(event.proposed(), Proposed::Value(Some(p)) if p.route == "away");
//!     if leaving_unsaved {
//!         event.abort();
//!     }
//! });
//! router.open("/away").unwrap();
//! assert_eq!(router.get().unwrap().route, "edit");
//! ```
//!
//! # In the browser
//!
//! In wasm, `Router::connect_browser` (wasm32, feature `browser`, on by
//! default) ties the router to the address bar: it opens the current URL,
//! follows Back and Forward
//! (`popstate`), takes plain left clicks on same-origin links (not with a
//! modifier key, `target` other than `_self`, `download` or
//! `data-no-router`), and writes every later [`open`](Router::open) to the
//! session history (`pushState`; [`redirect`](Router::redirect):
//! `replaceState`), scrolling to the top unless the href has a hash. On a
//! server, call [`Router::open`] with the request's URL before rendering.
//!
//! # Not here yet
//!
//! Typed routes (a derive whose variants are the patterns) and the
//! search-matching mode of the JavaScript router.

#[cfg(all(target_arch = "wasm32", feature = "browser"))]
mod browser;
mod page;
mod pattern;
mod url;

#[cfg(all(target_arch = "wasm32", feature = "browser"))]
pub use browser::BrowserRouter;
pub use page::{Page, Params, Search};
pub use pattern::{BuildError, MatchFn, PatternError, Route};
pub use url::UrlError;

use std::sync::{Arc, Mutex};

use nanostate::__private::Core;
use nanostate::{Atom, Store, Subscription};

/// A store holding the page open now, and the route table it matches.
/// Cloning gives another handle to the same router.
///
/// ```
/// use nanostate_router::Router;
/// let router = Router::new([("home", "/")]).unwrap();
/// assert_eq!(router.get(), None); // nothing opened yet
/// router.open("/").unwrap();
/// assert_eq!(router.get().unwrap().route, "home");
/// ```
#[derive(Clone)]
pub struct Router {
    inner: Arc<Inner>,
}

struct Inner {
    routes: Vec<Route>,
    page: Atom<Option<Page>>,
    /// The normalized href of the page open now (path, `?search`, `#hash`).
    href: Mutex<String>,
}

impl Router {
    /// A router over `(name, pattern)` pairs, tried in order.
    ///
    /// ```
    /// use nanostate_router::{PatternError, Router};
    /// assert!(Router::new([("home", "/"), ("post", "/posts/:id")]).is_ok());
    /// assert_eq!(
    ///     Router::new([("a", "/a"), ("a", "/b")]).err(),
    ///     Some(PatternError::DuplicateRoute { route: "a" })
    /// );
    /// ```
    pub fn new(
        routes: impl IntoIterator<Item = (&'static str, &'static str)>,
    ) -> Result<Router, PatternError> {
        let routes = routes
            .into_iter()
            .map(|(name, pattern)| Route::new(name, pattern))
            .collect::<Result<Vec<_>, _>>()?;
        Router::with_routes(routes)
    }

    /// A router over routes built with [`Route::new`] or [`Route::custom`].
    ///
    /// ```
    /// use nanostate_router::{Route, Router};
    /// let routes = [Route::new("home", "/").unwrap(), Route::new("about", "/about").unwrap()];
    /// assert_eq!(Router::with_routes(routes).unwrap().routes().count(), 2);
    /// ```
    pub fn with_routes(routes: impl IntoIterator<Item = Route>) -> Result<Router, PatternError> {
        let routes: Vec<Route> = routes.into_iter().collect();
        for (index, route) in routes.iter().enumerate() {
            if routes[..index].iter().any(|r| r.name() == route.name()) {
                return Err(PatternError::DuplicateRoute {
                    route: route.name(),
                });
            }
        }
        Ok(Router {
            inner: Arc::new(Inner {
                routes,
                page: Atom::new(None),
                href: Mutex::new(String::new()),
            }),
        })
    }

    /// The routes, in matching order.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("home", "/"), ("post", "/posts/:id")]).unwrap();
    /// let names: Vec<_> = router.routes().map(|r| r.name()).collect();
    /// assert_eq!(names, ["home", "post"]);
    /// ```
    pub fn routes(&self) -> impl Iterator<Item = &Route> {
        self.inner.routes.iter()
    }

    /// The page `href` leads to, without opening it: `Ok(None)` when no
    /// route matches.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("post", "/posts/:id")]).unwrap();
    /// assert_eq!(router.resolve("/posts/1").unwrap().unwrap().route, "post");
    /// assert_eq!(router.resolve("/users/1").unwrap(), None);
    /// assert!(router.resolve("posts/1").is_err()); // not a path
    /// assert_eq!(router.get(), None); // nothing was opened
    /// ```
    pub fn resolve(&self, href: &str) -> Result<Option<Page>, UrlError> {
        let parts = url::split(href)?;
        for route in &self.inner.routes {
            if let Some(params) = route.matches(&parts.path, &parts.segments)? {
                return Ok(Some(Page {
                    route: route.name(),
                    path: parts.path,
                    params,
                    search: Search::from_pairs(url::parse_search(parts.search)),
                    hash: parts.hash.to_string(),
                }));
            }
        }
        Ok(None)
    }

    /// Opens `href`: the store becomes its page, or `None` when no route
    /// matches. Opening the page that is open already is no change (no
    /// listener runs). An href that cannot be read is an error and leaves
    /// the page as it was.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("post", "/posts/:id")]).unwrap();
    /// router.open("https://shop.example/posts/5#top").unwrap();
    /// assert_eq!(router.get().unwrap().hash, "top");
    /// assert!(router.open("/posts/%zz").is_err());
    /// assert_eq!(router.get().unwrap().params.get("id"), Some("5"));
    /// ```
    pub fn open(&self, href: &str) -> Result<(), UrlError> {
        self.navigate(href, false)
    }

    /// Like [`open`](Self::open), but in the browser the new page replaces
    /// the current entry of the session history (`replaceState`) instead
    /// of adding one. Natively the two are the same.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("login", "/login"), ("home", "/")]).unwrap();
    /// router.open("/login").unwrap();
    /// router.redirect("/").unwrap();
    /// assert_eq!(router.get().unwrap().route, "home");
    /// ```
    pub fn redirect(&self, href: &str) -> Result<(), UrlError> {
        self.navigate(href, true)
    }

    fn navigate(&self, href: &str, replace: bool) -> Result<(), UrlError> {
        let page = self.resolve(href)?;
        let opened = self.set_page(href, page);
        #[cfg(all(target_arch = "wasm32", feature = "browser"))]
        browser::after_open(self, href, replace, opened);
        #[cfg(not(all(target_arch = "wasm32", feature = "browser")))]
        let _ = (replace, opened);
        Ok(())
    }

    /// Sets the page `href` resolved to; whether the store now holds it (a
    /// guard may have kept the old one).
    fn set_page(&self, href: &str, page: Option<Page>) -> bool {
        self.inner.page.set(page.clone());
        let opened = self.inner.page.with(|now| *now == page);
        if opened {
            if let Ok(parts) = url::split(href) {
                let mut normalized = parts.path;
                for (mark, part) in [('?', parts.search), ('#', parts.hash)] {
                    if !part.is_empty() {
                        normalized.push(mark);
                        normalized.push_str(part);
                    }
                }
                *self.inner.href.lock().unwrap_or_else(|e| e.into_inner()) = normalized;
            }
        }
        opened
    }

    /// The href of the page open now, normalized: its path, then the
    /// search and the hash as written (empty before the first `open`).
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("post", "/posts/:id")]).unwrap();
    /// router.open("https://shop.example/posts/./7/?ref=a#top").unwrap();
    /// assert_eq!(router.href(), "/posts/7?ref=a#top");
    /// ```
    pub fn href(&self) -> String {
        self.inner
            .href
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Opens the page of `route` with `params` and `search` (see
    /// [`path_with_search`](Self::path_with_search)).
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("post", "/posts/:id")]).unwrap();
    /// router.open_route("post", &[("id", "9")], &[("tab", "comments")]).unwrap();
    /// let page = router.get().unwrap();
    /// assert_eq!((page.path.as_str(), page.search.get("tab")), ("/posts/9", Some("comments")));
    /// ```
    pub fn open_route(
        &self,
        route: &str,
        params: &[(&str, &str)],
        search: &[(&str, &str)],
    ) -> Result<(), BuildError> {
        let href = self.path_with_search(route, params, search)?;
        // A built path always reads back (its escapes are well formed).
        let _ = self.open(&href);
        Ok(())
    }

    /// The path of `route` with `params` filled in and encoded as
    /// `encodeURIComponent` does (a `*rest` parameter keeps its slashes).
    /// An empty optional parameter is left out; a missing or empty
    /// required one, or a name the route does not have, is an error.
    ///
    /// ```
    /// use nanostate_router::{BuildError, Router};
    /// let router = Router::new([("post", "/posts/:category/:id?"), ("files", "/files/*path")]).unwrap();
    /// assert_eq!(router.path_for("post", &[("category", "café")]).unwrap(), "/posts/caf%C3%A9");
    /// assert_eq!(router.path_for("files", &[("path", "a b/c")]).unwrap(), "/files/a%20b/c");
    /// assert!(matches!(router.path_for("post", &[("categry", "x")]), Err(BuildError::UnknownParam { .. })));
    /// ```
    pub fn path_for(&self, route: &str, params: &[(&str, &str)]) -> Result<String, BuildError> {
        self.route(route)?.build(params)
    }

    /// [`path_for`](Self::path_for) followed by `?key=value&…` (nothing
    /// when `search` is empty).
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("list", "/posts")]).unwrap();
    /// assert_eq!(
    ///     router.path_with_search("list", &[], &[("q", "a&b"), ("page", "2")]).unwrap(),
    ///     "/posts?q=a%26b&page=2"
    /// );
    /// ```
    pub fn path_with_search(
        &self,
        route: &str,
        params: &[(&str, &str)],
        search: &[(&str, &str)],
    ) -> Result<String, BuildError> {
        let mut path = self.path_for(route, params)?;
        url::encode_search(search, &mut path);
        Ok(path)
    }

    fn route(&self, name: &str) -> Result<&Route, BuildError> {
        self.inner
            .routes
            .iter()
            .find(|r| r.name() == name)
            .ok_or_else(|| BuildError::UnknownRoute {
                route: name.to_string(),
            })
    }

    /// The page open now (`None` before the first `open` and when no route
    /// matched), cloned.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("home", "/")]).unwrap();
    /// router.open("/").unwrap();
    /// assert_eq!(router.get().map(|p| p.route), Some("home"));
    /// ```
    pub fn get(&self) -> Option<Page> {
        self.inner.page.get()
    }

    /// Calls `listener(new, old)` after each change of page.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// use std::sync::{Arc, Mutex};
    /// let router = Router::new([("home", "/"), ("about", "/about")]).unwrap();
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let log = seen.clone();
    /// let _sub = router.listen(move |page, _| log.lock().unwrap().push(page.as_ref().map(|p| p.route)));
    /// router.open("/about").unwrap();
    /// router.open("/about#team").unwrap();
    /// router.open("/missing").unwrap();
    /// assert_eq!(*seen.lock().unwrap(), [Some("about"), Some("about"), None]);
    /// ```
    pub fn listen(
        &self,
        listener: impl Fn(&Option<Page>, &Option<Page>) + Send + Sync + 'static,
    ) -> Subscription {
        self.inner.page.listen(listener)
    }

    /// Calls `listener(page, None)` at once, then like
    /// [`listen`](Self::listen).
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("home", "/")]).unwrap();
    /// let _sub = router.subscribe(|page, old| assert!(old.is_some() || page.is_none()));
    /// ```
    pub fn subscribe(
        &self,
        listener: impl Fn(&Option<Page>, Option<&Option<Page>>) + Send + Sync + 'static,
    ) -> Subscription {
        self.inner.page.subscribe(listener)
    }
}

impl Store for Router {
    type Value = Option<Page>;
    type Kind = <Atom<Option<Page>> as Store>::Kind;
    fn core(&self) -> &Arc<Core<Self::Kind>> {
        self.inner.page.core()
    }
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("routes", &self.inner.routes)
            .field("page", &self.inner.page.peek())
            .finish()
    }
}

/// The crate README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
