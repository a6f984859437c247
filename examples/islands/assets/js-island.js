// The plain JavaScript island: no framework, no build step. It reads the
// Rust cart through the Nano Stores store contract (get / set / listen /
// subscribe returning an unsubscribe function) and writes to it.
function start(cart) {
  const root = document.getElementById("island-js");
  const count = root.querySelector('[data-testid="js-count"]');
  const clear = root.querySelector('[data-testid="js-clear"]');
  cart.subscribe((items) => {
    count.textContent = String(Object.values(items).reduce((a, b) => a + b, 0));
  });
  clear.addEventListener("click", () => cart.set({}));
  root.dataset.hydrated = "true";
}

if (globalThis.nanostate?.cart) {
  start(globalThis.nanostate.cart);
} else {
  globalThis.addEventListener("nanostate:ready", function ready(event) {
    if (event.detail !== "cart") return;
    globalThis.removeEventListener("nanostate:ready", ready);
    start(globalThis.nanostate.cart);
  });
}
