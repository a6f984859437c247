//! `islands-server`: serves Nano Supply, the nanostate islands shop.
//!
//! ```text
//! islands-server [--addr 127.0.0.1:3000] [--site target/islands-site] [--assets examples/islands/assets]
//! ```
//!
//! `GET /` server-renders the page (every island through its own
//! framework); `/pkg/*` serves the wasm-bindgen output from `SITE/pkg`;
//! `/assets/*` the stylesheet and scripts. It listens on 127.0.0.1:3000
//! unless told otherwise and prints one line ending in its URL once it
//! accepts connections.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// Where the server finds its files.
struct Dirs {
    pkg: PathBuf,
    assets: PathBuf,
}

#[derive(Debug)]
struct Options {
    addr: String,
    site: PathBuf,
    assets: PathBuf,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        addr: "127.0.0.1:3000".into(),
        site: "target/islands-site".into(),
        assets: "examples/islands/assets".into(),
    };
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => options.addr = value()?,
            "--site" => options.site = value()?.into(),
            "--assets" => options.assets = value()?.into(),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() {
    if let Err(message) = serve().await {
        eprintln!("islands-server: {message}");
        std::process::exit(1);
    }
}

async fn serve() -> Result<(), String> {
    let options = parse_args(std::env::args().skip(1))?;
    let pkg = options.site.join("pkg");
    for (dir, hint) in [
        (&pkg, "build the wasm first: `cargo xtask demo` does it"),
        (
            &options.assets,
            "run from the workspace root or pass --assets",
        ),
    ] {
        if !dir.is_dir() {
            return Err(format!("{} is not a directory ({hint})", dir.display()));
        }
    }
    let dirs = Arc::new(Dirs {
        pkg,
        assets: options.assets,
    });
    let app = Router::new()
        .route("/", get(page))
        .route("/pkg/{*path}", get(pkg_file))
        .route("/assets/{file}", get(asset_file))
        .with_state(dirs);
    let listener = tokio::net::TcpListener::bind(&options.addr)
        .await
        .map_err(|e| {
            format!(
                "cannot listen on {}: {e} (pass another --addr; with `cargo xtask demo`, \
                 set NANOSTATE_DEMO_ADDR=127.0.0.1:PORT)",
                options.addr
            )
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("no local address: {e}"))?;
    println!("nanostate islands shop: http://{addr}/");
    axum::serve(listener, app)
        .await
        .map_err(|e| format!("server stopped: {e}"))
}

async fn page() -> Html<String> {
    Html(islands_app::page::render().await)
}

async fn pkg_file(State(dirs): State<Arc<Dirs>>, UrlPath(file): UrlPath<String>) -> Response {
    send(&dirs.pkg, &file).await
}

async fn asset_file(State(dirs): State<Arc<Dirs>>, UrlPath(file): UrlPath<String>) -> Response {
    send(&dirs.assets, &file).await
}

/// Sends `dir/file`. `file` may name a file in a sub-folder
/// (wasm-bindgen's `snippets/…`), but never leave `dir`.
async fn send(dir: &Path, file: &str) -> Response {
    let Some(kind) = content_type(file) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    match tokio::fs::read(dir.join(file)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, kind),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// The content type of a servable relative path, or `None` for a path the
/// server refuses (an empty, hidden or `..` segment, a backslash or a
/// colon, which could name a drive on Windows, an unknown kind).
fn content_type(file: &str) -> Option<&'static str> {
    if file.contains(['\\', ':'])
        || file
            .split('/')
            .any(|seg| seg.is_empty() || seg.starts_with('.'))
    {
        return None;
    }
    let (_, ext) = file.rsplit_once('.')?;
    Some(match ext {
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_refuses_paths_hidden_files_and_unknown_kinds() {
        assert_eq!(content_type("app_bg.wasm"), Some("application/wasm"));
        assert_eq!(content_type("shop.css"), Some("text/css; charset=utf-8"));
        assert_eq!(
            content_type("snippets/x-1/inline0.js"),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(content_type("../secret.js"), None);
        assert_eq!(content_type("snippets/../../secret.js"), None);
        assert_eq!(content_type("/etc/passwd.js"), None);
        assert_eq!(content_type("C:/secret.js"), None);
        assert_eq!(content_type("a\\b.js"), None);
        assert_eq!(content_type(".env.js"), None);
        assert_eq!(content_type("Cargo.toml"), None);
        assert_eq!(content_type("README"), None);
    }

    #[test]
    fn arguments_override_defaults_and_errors_name_the_flag() {
        let o = parse_args(["--addr", "127.0.0.1:0", "--site", "s"].map(String::from)).unwrap();
        assert_eq!(o.addr, "127.0.0.1:0");
        assert_eq!(o.site, PathBuf::from("s"));
        assert_eq!(o.assets, PathBuf::from("examples/islands/assets"));
        assert_eq!(
            parse_args(["--addr".to_string()]).unwrap_err(),
            "--addr needs a value"
        );
        assert_eq!(
            parse_args(["--port".to_string()]).unwrap_err(),
            "unknown argument \"--port\""
        );
    }

    #[tokio::test]
    async fn page_contains_every_island_rendered_by_its_framework() {
        let html = islands_app::page::render().await;
        for id in [
            "island-badge",
            "island-toggle",
            "island-products",
            "island-flyout",
            "island-js",
            "island-footer",
        ] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id} missing");
        }
        // Server-rendered content, not empty roots.
        assert!(html.contains("data-testid=\"add-stickers\""));
        assert!(html.contains("data-testid=\"cart-toggle\""));
        assert!(html.contains("Your cart is empty."));
        assert!(html.contains("data-testid=\"badge-count\""));
    }
}
