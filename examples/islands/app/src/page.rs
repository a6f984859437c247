//! The shop page as the server sends it: a static shell with every island
//! rendered by its own framework.

use crate::{badge, flyout, products, toggle};

/// The whole HTML document. Each island's root element carries the
/// markup its framework rendered; the browser then hydrates each one on
/// its own (see `client`).
pub async fn render() -> String {
    let products = products::render().await;
    let toggle = toggle::render();
    let badge = badge::render();
    let flyout = flyout::render();
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nano Supply · a nanostate islands shop</title>
<link rel="stylesheet" href="/assets/shop.css">
<link rel="icon" href="data:,">
</head>
<body>
<header class="top">
  <a class="brand" href="/">Nano Supply</a>
  <span class="tagline">four frameworks, one cart</span>
  <div class="island island-sycamore" id="island-badge" data-framework="Sycamore">{badge}</div>
  <div class="island island-leptos" id="island-toggle" data-framework="Leptos">{toggle}</div>
</header>
<main>
  <section class="shelf">
    <h1>Merch for people who keep state small</h1>
    <div class="island island-yew" id="island-products" data-framework="Yew">{products}</div>
  </section>
  <div class="island island-dioxus flyout-wrap" id="island-flyout" data-framework="Dioxus">{flyout}</div>
</main>
<div class="strips">
<aside class="island island-js" id="island-js" data-framework="plain JS">
  <p>Plain JavaScript sees <strong data-testid="js-count">0</strong> items
  <button type="button" class="clear" data-testid="js-clear">Clear cart</button></p>
</aside>
<footer class="island island-footer" id="island-footer" data-framework="second wasm module">
  <p>A second wasm module, built on its own, counts <span data-testid="footer-count">0</span> items
  <button type="button" class="clear" data-testid="footer-add">Add stickers from here</button></p>
</footer>
</div>
<script type="module" src="/assets/boot.js"></script>
</body>
</html>
"#
    )
}
