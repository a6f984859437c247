//! [`WebChannel`]: the browser's `BroadcastChannel` as a [`Transport`]
//! (`wasm32` only).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

use crate::error::TransportError;
use crate::transport::{Listening, MessageListener, Transport};

type OnMessage = Closure<dyn FnMut(MessageEvent)>;

thread_local! {
    /// The open subscriptions: a channel object and its `message` handler
    /// each. JS objects are not `Send`, so the `Listening` guard holds only
    /// the id.
    static OPEN: RefCell<HashMap<u64, (BroadcastChannel, OnMessage)>> =
        RefCell::new(HashMap::new());
    /// One channel object per channel name for posting, kept for the life of
    /// the module. Posting from an object other than the subscriptions' means
    /// every subscription of this module hears it too, as other modules do
    /// (each store ignores its own messages).
    static SENDERS: RefCell<HashMap<String, BroadcastChannel>> = RefCell::new(HashMap::new());
    static NEXT: Cell<u64> = const { Cell::new(1) };
}

fn describe(err: &JsValue) -> String {
    if let Some(e) = err.dyn_ref::<js_sys::Error>() {
        return format!("{}: {}", String::from(e.name()), String::from(e.message()));
    }
    err.as_string().unwrap_or_else(|| format!("{err:?}"))
}

fn open(channel: &str) -> Result<BroadcastChannel, TransportError> {
    BroadcastChannel::new(channel).map_err(|e| TransportError::Unavailable(describe(&e)))
}

/// The text of a received message: a string as it is (what shared stores
/// post); other data (a plain JS object posted by a script) as its JSON, so
/// page scripts may post objects; data that has no JSON as an empty string
/// (reported as malformed by the store).
fn text(data: &JsValue) -> String {
    if let Some(s) = data.as_string() {
        return s;
    }
    js_sys::JSON::stringify(data)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// The browser's [`BroadcastChannel`](https://developer.mozilla.org/docs/Web/API/BroadcastChannel)
/// as a [`Transport`]: the default transport on `wasm32`. It reaches every
/// browsing context of the origin — other wasm modules of the page, other
/// tabs, windows and iframes, workers.
///
/// * `subscribe` opens a `BroadcastChannel` object named after the channel
///   (`"nanostate:<store name>"`) and closes it when the guard drops.
/// * `post` posts the text as a JS string through one object per channel
///   name, kept for the life of the module. Delivery is asynchronous (a
///   task later), in posting order.
/// * Received data that is not a string is taken as its JSON
///   (`JSON.stringify`), so a plain script can take part:
///   `new BroadcastChannel("nanostate:cart").postMessage({v: 1, kind: "hello", origin: "js"})`.
/// * Where there is no `BroadcastChannel` (server-side rendering in a JS
///   runtime without it, very old browsers) every call fails with
///   [`TransportError::Unavailable`]; the store reports it once and works
///   as a local atom.
///
/// ```no_run
/// use nanostate_broadcast::{shared_atom, SharedAtom, WebChannel};
/// // The default on wasm32; naming it is the same as leaving it out.
/// static CART_OPEN: SharedAtom<bool> = shared_atom("cart-open", || false).transport(&WebChannel);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct WebChannel;

impl Transport for WebChannel {
    fn post(&self, channel: &str, message: &str) -> Result<(), TransportError> {
        let sender = SENDERS.with_borrow_mut(|senders| {
            if let Some(sender) = senders.get(channel) {
                return Ok(sender.clone());
            }
            let sender = open(channel)?;
            senders.insert(channel.to_string(), sender.clone());
            Ok::<_, TransportError>(sender)
        })?;
        sender
            .post_message(&JsValue::from_str(message))
            .map_err(|e| TransportError::Failed(describe(&e)))
    }

    fn subscribe(
        &self,
        channel: &str,
        listener: MessageListener,
    ) -> Result<Listening, TransportError> {
        let port = open(channel)?;
        let on_message: OnMessage = Closure::new(move |event: MessageEvent| {
            listener(&text(&event.data()));
        });
        port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let id = NEXT.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        OPEN.with_borrow_mut(|open| open.insert(id, (port, on_message)));
        Ok(Listening::new(move || {
            if let Some((port, on_message)) = OPEN.with_borrow_mut(|open| open.remove(&id)) {
                port.set_onmessage(None);
                port.close();
                drop(on_message);
            }
        }))
    }
}
