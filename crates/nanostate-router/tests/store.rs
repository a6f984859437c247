//! The router as a store: what listeners, computed stores, effects and
//! guards see, and the @nanostores/router bugs that must not exist here.

use std::sync::{Arc, LazyLock, Mutex};

use nanostate::{effect, on_set, Computed, Proposed};
use nanostate_router::{PatternError, Router};

fn shop() -> Router {
    Router::new([
        ("catalogue", "/"),
        ("product", "/products/:id"),
        ("search", "/search"),
    ])
    .unwrap()
}

fn record(router: &Router) -> (Arc<Mutex<Vec<String>>>, nanostate::Subscription) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let sub = router.listen(move |page, _| {
        log.lock().unwrap().push(match page {
            Some(p) => format!("{} {}", p.route, p.path),
            None => "not found".into(),
        })
    });
    (seen, sub)
}

#[test]
fn listeners_hear_each_change_of_page_once_and_nothing_for_the_same_page() {
    let router = shop();
    let (seen, _sub) = record(&router);
    router.open("/products/1").unwrap();
    router.open("/products/1").unwrap(); // same page
    router.open("/products/1/").unwrap(); // same page, normalized
    router.open("/products/2").unwrap();
    router.open("/nowhere").unwrap();
    router.open("/elsewhere").unwrap(); // still not found: no change
    router.open("/products/%zz").unwrap_err(); // error: no change
    router.open("/").unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "product /products/1",
            "product /products/2",
            "not found",
            "catalogue /"
        ]
    );
}

#[test]
fn search_params_survive_navigation_and_each_page_has_its_own() {
    // @nanostores/router #22: search params lost across navigation.
    let router = shop();
    router.open("/search?q=tee&page=2").unwrap();
    let page = router.get().unwrap();
    assert_eq!(
        (page.search.get("q"), page.search.get("page")),
        (Some("tee"), Some("2"))
    );
    router
        .open_route("search", &[], &[("q", "mug"), ("page", "1")])
        .unwrap();
    let page = router.get().unwrap();
    assert_eq!(
        (page.search.get("q"), page.search.get("page")),
        (Some("mug"), Some("1"))
    );
    router.open("/products/3").unwrap();
    assert!(router.get().unwrap().search.is_empty());
}

#[test]
fn a_param_never_swallows_the_query_string_or_hash() {
    // @nanostores/router #34.
    let router = shop();
    router.open("/products/7?colour=red#reviews").unwrap();
    let page = router.get().unwrap();
    assert_eq!(page.params.get("id"), Some("7"));
    assert_eq!(page.search.get("colour"), Some("red"));
    assert_eq!(page.hash, "reviews");
}

#[test]
fn a_guard_on_set_keeps_the_page_and_listeners_hear_nothing() {
    let router = shop();
    router.open("/products/1").unwrap();
    let (seen, _sub) = record(&router);
    let dirty = Arc::new(Mutex::new(true));
    let d = dirty.clone();
    let _guard = on_set(&router, move |event| {
        let leaving = matches!(event.proposed(), Proposed::Value(p) if p.as_ref().map(|p| p.route) != Some("product"));
        if leaving && *d.lock().unwrap() {
            event.abort();
        }
    });
    router.open("/").unwrap();
    assert_eq!(router.get().unwrap().path, "/products/1");
    router.open("/products/2").unwrap(); // allowed: still a product
    *dirty.lock().unwrap() = false;
    router.open("/").unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        ["product /products/2", "catalogue /"]
    );
}

static ROUTER: LazyLock<Router> = LazyLock::new(|| {
    Router::new([("catalogue", "/"), ("product", "/products/:id")]).expect("valid")
});

#[test]
fn a_static_router_drives_computed_stores_and_effects() {
    static PRODUCT_ID: LazyLock<Computed<Option<u32>>> = LazyLock::new(|| {
        Computed::new(&*ROUTER, |page| {
            page.as_ref()
                .filter(|p| p.route == "product")
                .and_then(|p| p.params.parse::<u32>("id"))
                .and_then(Result::ok)
        })
    });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let _effect = effect(&*PRODUCT_ID, move |id| log.lock().unwrap().push(*id));
    ROUTER.open("/products/5").unwrap();
    ROUTER.open("/products/5#top").unwrap(); // same id: the computed does not change
    ROUTER.open("/products/six").unwrap(); // does not parse: None
    ROUTER.open("/").unwrap(); // still None
    ROUTER.open("/products/6").unwrap();
    assert_eq!(*seen.lock().unwrap(), [None, Some(5), None, Some(6)]);
    let title = computed_title();
    assert_eq!(title.get(), "Product 6");
}

fn computed_title() -> Computed<String> {
    Computed::new(&*ROUTER, |page| match page {
        Some(p) if p.route == "product" => format!("Product {}", p.params.get("id").unwrap_or("?")),
        Some(_) => "Catalogue".into(),
        None => "Not found".into(),
    })
}

#[test]
fn a_router_is_shared_by_handles_and_threads() {
    let router = shop();
    let handle = router.clone();
    std::thread::spawn(move || handle.open("/products/9").unwrap())
        .join()
        .unwrap();
    assert_eq!(router.get().unwrap().params.get("id"), Some("9"));
}

#[test]
fn bad_route_tables_are_typed_errors() {
    let cases: [(&[(&'static str, &'static str)], PatternError); 6] = [
        (&[("a", "a")], PatternError::NotAbsolute { route: "a" }),
        (
            &[("a", "/:")],
            PatternError::BadParamName {
                route: "a",
                segment: ":",
            },
        ),
        (
            &[("a", "/:x-y")],
            PatternError::BadParamName {
                route: "a",
                segment: ":x-y",
            },
        ),
        (
            &[("a", "/:id/:id?")],
            PatternError::DuplicateParam {
                route: "a",
                param: "id",
            },
        ),
        (
            &[("a", "/*rest/x")],
            PatternError::RestNotLast { route: "a" },
        ),
        (&[("a", "/x//y")], PatternError::EmptySegment { route: "a" }),
    ];
    for (table, want) in cases {
        let got = Router::new(table.iter().copied()).err();
        assert_eq!(got.as_ref(), Some(&want), "{table:?}");
        assert!(want.to_string().starts_with("nanostate-router: "));
    }
}
