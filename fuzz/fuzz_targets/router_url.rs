//! Fuzzes what a router reads: hrefs from links, the address bar, other
//! programs and servers (`nanostate-router`), and parameter values a page
//! builds paths from.
//!
//! Input: `[mode, payload…]`, the payload read as lossy UTF-8. Mode bit 0
//! off: the payload is an href. On: it is up to three parameter values
//! separated by `\u{1}` (for `post`'s two parameters and `files`' rest).
//!
//! Properties, for every input:
//!
//! * nothing panics;
//! * `open` does exactly what `resolve` says: on `Ok`, the store holds the
//!   resolved page; on `Err`, the page it held before, untouched;
//! * a resolved page is well formed: its path starts with `/` and has no
//!   trailing slash (except the root);
//! * a resolved page reads back: the path built from its route and
//!   parameters resolves to the same route and parameters;
//! * a path built from any values either is an error, or resolves to the
//!   route and the values it was built from.
//!
//! Run: `cargo +nightly fuzz run router_url fuzz/seeds/router_url`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nanostate_router::{Page, Router};

fn router() -> &'static Router {
    static ROUTER: std::sync::OnceLock<Router> = std::sync::OnceLock::new();
    ROUTER.get_or_init(|| {
        Router::new([
            ("home", "/"),
            ("about", "/About"),
            ("post", "/posts/:category/:id"),
            ("user", "/users/:name/:tab?"),
            ("archive", "/archive/:year?/:month?/:day"),
            ("files", "/files/*path"),
            ("cafe", "/café/:dish"),
        ])
        .expect("the fuzz route table is valid")
    })
}

fn check_page(href: &str, page: &Page) {
    let router = router();
    assert!(page.path.starts_with('/'), "{href:?}: path {:?}", page.path);
    assert!(
        page.path == "/" || !page.path.ends_with('/'),
        "{href:?}: trailing slash in {:?}",
        page.path
    );
    let params: Vec<(&str, &str)> = page.params.iter().collect();
    let path = router
        .path_for(page.route, &params)
        .unwrap_or_else(|e| panic!("{href:?}: the page's own params do not build: {e}"));
    let again = router
        .resolve(&path)
        .unwrap_or_else(|e| panic!("{href:?}: {path:?} does not read back: {e}"))
        .unwrap_or_else(|| panic!("{href:?}: {path:?} matches no route"));
    assert_eq!(again.route, page.route, "{href:?} -> {path:?}");
    assert_eq!(again.params, page.params, "{href:?} -> {path:?}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, payload)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(payload);
    let router = router();
    if mode & 1 == 0 {
        let href = text.as_ref();
        let before = router.get();
        let resolved = router.resolve(href);
        match router.open(href) {
            Ok(()) => {
                let page = resolved.expect("open succeeded where resolve failed");
                assert_eq!(router.get(), page, "{href:?}");
                if let Some(page) = &page {
                    check_page(href, page);
                }
            }
            Err(e) => {
                assert!(
                    resolved.is_err(),
                    "{href:?}: open failed ({e}) where resolve did not"
                );
                assert_eq!(
                    router.get(),
                    before,
                    "{href:?}: a failed open changed the page"
                );
            }
        }
    } else {
        let mut values = text.split('\u{1}');
        let (a, b, c) = (
            values.next().unwrap_or(""),
            values.next().unwrap_or(""),
            values.next().unwrap_or(""),
        );
        let cases: [(&str, Vec<(&str, &str)>); 3] = [
            ("post", vec![("category", a), ("id", b)]),
            ("user", vec![("name", a), ("tab", b)]),
            ("files", vec![("path", c)]),
        ];
        for (route, params) in cases {
            let Ok(path) = router.path_with_search(route, &params, &[(a, c)]) else {
                continue;
            };
            let page = router
                .resolve(&path)
                .unwrap_or_else(|e| panic!("built {path:?} does not read back: {e}"))
                .unwrap_or_else(|| panic!("built {path:?} matches no route"));
            assert_eq!(page.route, route, "{path:?}");
            let want: Vec<(&str, &str)> =
                params.into_iter().filter(|(_, v)| !v.is_empty()).collect();
            let got: Vec<(&str, &str)> = page.params.iter().collect();
            assert_eq!(got, want, "{path:?}");
            let search: Vec<(&str, &str)> = page.search.iter().collect();
            assert_eq!(search, [(a, c)], "{path:?}");
        }
    }
});
