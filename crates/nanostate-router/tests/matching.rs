//! The route-matching table: one router, many hrefs, the exact page each
//! one opens (route, params in pattern order, search, hash) or the error.

use nanostate_router::{Page, Router, UrlError};

fn router() -> Router {
    Router::new([
        ("home", "/"),
        ("about", "/About/"),
        ("list", "/posts/:category"),
        ("post", "/posts/:category/:id"),
        ("edit", "/posts/:category/:id/edit"),
        ("user", "/users/:name/:tab?"),
        ("archive", "/archive/:year?/:month?/:day"),
        ("files", "/files/*path"),
        ("any", "/any/*"),
        ("cafe", "/café/:dish"),
        ("spaced", "/a b/:c"),
    ])
    .expect("the table is valid")
}

/// `route k=v k=v ?k=v #hash`, `none`, or the error's kind.
fn show(result: Result<Option<Page>, UrlError>) -> String {
    match result {
        Err(UrlError::NotAPath { .. }) => "error: not a path".into(),
        Err(UrlError::BadEscape { segment }) => format!("error: bad escape in {segment}"),
        Ok(None) => "none".into(),
        Ok(Some(page)) => {
            let mut out = page.route.to_string();
            for (k, v) in page.params.iter() {
                out += &format!(" {k}={v}");
            }
            for (k, v) in page.search.iter() {
                out += &format!(" ?{k}={v}");
            }
            if !page.hash.is_empty() {
                out += &format!(" #{}", page.hash);
            }
            out
        }
    }
}

const TABLE: &[(&str, &str)] = &[
    // The root and static routes; trailing slashes; case.
    ("/", "home"),
    ("", "error: not a path"),
    ("/about", "about"),
    ("/about/", "about"),
    ("/ABOUT", "about"),
    ("/About//", "none"),
    ("/about/more", "none"),
    ("/abou", "none"),
    // Parameters: one segment each, decoded, case kept.
    ("/posts/rust", "list category=rust"),
    ("/posts/Rust/", "list category=Rust"),
    ("/posts/rust/42", "post category=rust id=42"),
    ("/posts/rust/42/", "post category=rust id=42"),
    ("/posts/rust/42/edit", "edit category=rust id=42"),
    ("/posts/rust/42/EDIT", "edit category=rust id=42"),
    ("/posts/rust/42/edit/x", "none"),
    ("/posts", "none"),
    ("/posts//42", "none"),
    ("/posts/a%20b", "list category=a b"),
    ("/posts/a%2Fb", "list category=a/b"),
    ("/posts/a+b", "list category=a+b"),
    ("/posts/%F0%9F%A6%80", "list category=🦀"),
    ("/posts/🦀", "list category=🦀"),
    ("/posts/caf%c3%a9", "list category=café"),
    // Malformed escapes: an error, never a panic, only where they matter.
    ("/posts/%zz", "error: bad escape in %zz"),
    ("/posts/50%", "error: bad escape in 50%"),
    ("/posts/%E0%A4", "error: bad escape in %E0%A4"),
    ("/posts/%FF", "error: bad escape in %FF"),
    ("/nothing/%zz", "none"),
    // The search string and the hash never reach a parameter (router #34).
    ("/posts/rust?page=2", "list category=rust ?page=2"),
    ("/posts/rust/?page=2", "list category=rust ?page=2"),
    (
        "/posts/rust/42?x=1&y=2",
        "post category=rust id=42 ?x=1 ?y=2",
    ),
    ("/posts/rust#top", "list category=rust #top"),
    (
        "/posts/rust?q=a+b%21#c?d",
        "list category=rust ?q=a b! #c?d",
    ),
    ("/posts/rust?bad=%zz", "list category=rust ?bad=%zz"),
    (
        "/posts/rust?tag=a&tag=b",
        "list category=rust ?tag=a ?tag=b",
    ),
    ("/posts/rust?", "list category=rust"),
    ("/posts/rust#", "list category=rust"),
    ("/?x", "home ?x="),
    // Optional parameters.
    ("/users/ann", "user name=ann"),
    ("/users/ann/", "user name=ann"),
    ("/users/ann/posts", "user name=ann tab=posts"),
    ("/users/ann/posts/1", "none"),
    ("/users", "none"),
    ("/archive/14", "archive day=14"),
    ("/archive/2024/14", "archive year=2024 day=14"),
    ("/archive/2024/05/14", "archive year=2024 month=05 day=14"),
    ("/archive/2024/05/14/x", "none"),
    ("/archive", "none"),
    // Rest parameters.
    ("/files/a", "files path=a"),
    ("/files/a/b/c.txt", "files path=a/b/c.txt"),
    ("/files/a%20b/c", "files path=a b/c"),
    ("/files/a/b/", "files path=a/b"),
    ("/files", "none"),
    ("/files/a//b", "none"),
    ("/any/x/y", "any wildcard=x/y"),
    // Static text is compared decoded, so non-ASCII and spaces match.
    ("/café/soup", "cafe dish=soup"),
    ("/caf%C3%A9/soup", "cafe dish=soup"),
    ("/CAFÉ/soup", "cafe dish=soup"),
    ("/a%20b/c", "spaced c=c"),
    ("/caf%zz/soup", "none"),
    // Dot segments are resolved, as URL does.
    ("/posts/./rust", "list category=rust"),
    ("/posts/x/../rust", "list category=rust"),
    ("/../../about", "about"),
    ("/posts/rust/42/edit/..", "post category=rust id=42"),
    // Absolute and protocol-relative URLs: the origin is ignored.
    ("https://shop.example/posts/rust", "list category=rust"),
    ("HTTP://shop.example:8080/about?x=1", "about ?x=1"),
    ("https://shop.example", "home"),
    ("https://shop.example?x=1", "home ?x=1"),
    ("//cdn.example/about", "about"),
    // Not hrefs.
    ("posts/rust", "error: not a path"),
    ("mailto:ann@example.com", "error: not a path"),
    ("javascript:alert(1)", "error: not a path"),
    ("?x=1", "error: not a path"),
    ("#top", "error: not a path"),
];

#[test]
fn every_href_of_the_table_opens_its_page() {
    let router = router();
    let mut wrong = Vec::new();
    for (href, want) in TABLE {
        let got = show(router.resolve(href));
        if got != *want {
            wrong.push(format!("{href:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(TABLE.len() >= 60, "the table has {} cases", TABLE.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn open_follows_resolve_and_a_failed_open_keeps_the_page() {
    let router = router();
    for (href, want) in TABLE {
        let before = router.get();
        let result = router.open(href);
        if want.starts_with("error") {
            assert!(result.is_err(), "{href:?} must fail");
            assert_eq!(router.get(), before, "{href:?} must keep the page");
        } else {
            assert!(result.is_ok(), "{href:?}");
            assert_eq!(show(Ok(router.get())), *want, "{href:?}");
        }
    }
}

#[test]
fn the_first_route_in_table_order_wins() {
    let router = Router::new([("specific", "/posts/new"), ("post", "/posts/:id")]).unwrap();
    assert_eq!(show(router.resolve("/posts/new")), "specific");
    assert_eq!(show(router.resolve("/posts/old")), "post id=old");
    let router = Router::new([("post", "/posts/:id"), ("specific", "/posts/new")]).unwrap();
    assert_eq!(show(router.resolve("/posts/new")), "post id=new");
}
