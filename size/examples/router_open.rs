//! A router: a route table, one open, a param read.
use std::hint::black_box;
use std::sync::OnceLock;

use nanostate_router::Router;

fn router() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        Router::new([
            ("home", "/"),
            ("list", "/posts/:category"),
            ("post", "/posts/:category/:id"),
        ])
        .unwrap_or_else(|_| std::process::abort())
    })
}

/// Opens `/posts/news/<n>` and returns the id read back.
#[no_mangle]
pub extern "C" fn run(n: u32) -> u32 {
    let n = *black_box(Box::new(n));
    let router = router();
    if router.open(&format!("/posts/news/{n}")).is_err() {
        return 0;
    }
    router
        .get()
        .and_then(|page| page.params.parse::<u32>("id"))
        .and_then(Result::ok)
        .unwrap_or(0)
}
