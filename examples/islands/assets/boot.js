// Starts the page: the main wasm module (hydrates the Rust islands and
// exposes the cart as globalThis.nanostate.cart), then the separately built
// footer module. The plain-JS island (js-island.js) waits for the cart.
import startClient from "/pkg/islands_client.js";
import startFooter from "/pkg/islands_footer.js";
import "/assets/js-island.js";

await startClient({ module_or_path: "/pkg/islands_client_bg.wasm" });
await startFooter({ module_or_path: "/pkg/islands_footer_bg.wasm" });
