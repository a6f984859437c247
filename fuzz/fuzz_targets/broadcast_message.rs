//! Fuzzes the messages shared stores (`nanostate-broadcast`) receive: text
//! from other modules and tabs, posted on the store's channel through the
//! public transport (a `LocalBus`, delivering at once or queued until a
//! flush) to two peers of the store `cart`, beside a third store `carts`
//! (another name) on the same bus.
//!
//! Messages are arbitrary text, or built field by field from the input
//! (every field missing, of the wrong type or out of range: versions,
//! kinds, origins, clocks such as 0, 2⁵³, `u64::MAX`, -1, 1.5, `"5"`;
//! values of the wrong shape; duplicated, extra and reordered fields), or
//! replays of any message posted before (stale and reordered stamps). The
//! peers also write locally, and hear each other's writes and `hello`s.
//!
//! A model of the documented protocol (the crate docs: message format,
//! ordering rule, error table) runs beside them. Properties, after every
//! step:
//!
//! * nothing panics;
//! * each peer holds the value and stamp the model holds: a received `set`
//!   is applied if and only if its stamp is greater than the held one;
//! * so the value of `cart` is always one that the default, a well-formed
//!   `set` or a local write carried (checked on its own too);
//! * the error hooks (the peer's own, and the process-wide `on_error`) are
//!   told about every message that is not well-formed, once per receiving
//!   peer, with its kind (malformed, version, value) and text, and about
//!   nothing else;
//! * the bus carries exactly the messages the model posts (hellos at mount,
//!   one `set` per local change, answers to hellos), in that order and
//!   byte for byte as documented;
//! * `carts` is never affected: it holds its own writes, hears no error.
//!
//! Input: the first byte picks the bus (even: immediate, odd: queued); then
//! up to 64 steps, each an op byte and its parameters (see [`Step`]).
//!
//! Run: `cargo +nightly fuzz run broadcast_message fuzz/seeds/broadcast_message`.
#![no_main]

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, Once};

use libfuzzer_sys::fuzz_target;
use nanostate::runtime::ManualClock;
use nanostate::Store;
use nanostate_broadcast::{
    on_error, BroadcastError, BroadcastErrorKind, LocalBus, SharedAtom, Stamp, Transport,
};
use serde_json::Value;

/// The value shared: a cart, as in the crate docs.
type Cart = BTreeMap<String, u32>;

/// The store under test, and its channel.
const NAME: &str = "cart";
const CHANNEL: &str = "nanostate:cart";
/// A store with another name on the same bus, and its channel.
const OTHER_NAME: &str = "carts";
const OTHER_CHANNEL: &str = "nanostate:carts";
/// Channels close to [`CHANNEL`] that no peer listens to.
const NEAR_MISSES: &[&str] = &[
    "nanostate:car",
    "nanostate:Cart",
    "nanostate:cart ",
    "nanostate:cart\0",
    "nanostate:cartss",
    "nanostate:",
    "cart",
    "",
];
/// The peers: two of `cart` (index 0 and 1) and one of `carts` (index 2).
const ORIGINS: [&str; 3] = ["peer-t", "peer-w", "peer-x"];
const CHANNELS: [&str; 3] = [CHANNEL, CHANNEL, OTHER_CHANNEL];
/// The largest clock a message may carry (2⁵³ − 1).
const MAX_CLOCK: u64 = (1 << 53) - 1;

/// Locks `m`; a panic elsewhere already failed the run.
fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

// ----- the model -------------------------------------------------------

/// The kind of error a received message must cause.
#[derive(Clone, Debug, PartialEq)]
enum Fault {
    Malformed,
    Version(u64),
    Value,
}

/// A received message, as the crate docs define it.
enum Decoded {
    Hello { origin: String },
    Set { value: Value, stamp: Stamp },
}

/// Reads a message by the documented rules: a JSON object; `"v"` a whole
/// number, checked first (another version is a version error whatever the
/// rest); `"kind"` and a non-empty `"origin"` strings; a `set` has a clock
/// between 1 and 2⁵³ − 1 and a `value`. Extra fields are ignored.
fn model_decode(text: &str) -> Result<Decoded, Fault> {
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(text) else {
        return Err(Fault::Malformed);
    };
    let version = fields
        .get("v")
        .and_then(Value::as_u64)
        .ok_or(Fault::Malformed)?;
    if version != 1 {
        return Err(Fault::Version(version));
    }
    let string = |name: &str| match fields.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(Fault::Malformed),
    };
    let kind = string("kind")?;
    let origin = string("origin")?;
    if origin.is_empty() {
        return Err(Fault::Malformed);
    }
    match kind.as_str() {
        "hello" => Ok(Decoded::Hello { origin }),
        "set" => {
            let clock = fields
                .get("clock")
                .and_then(Value::as_u64)
                .filter(|c| (1..=MAX_CLOCK).contains(c))
                .ok_or(Fault::Malformed)?;
            let value = fields.get("value").cloned().ok_or(Fault::Malformed)?;
            Ok(Decoded::Set {
                value,
                stamp: Stamp { clock, origin },
            })
        }
        _ => Err(Fault::Malformed),
    }
}

/// The documented `set` message.
fn set_text(value: &Cart, stamp: &Stamp) -> String {
    format!(
        r#"{{"v":1,"kind":"set","value":{},"clock":{},"origin":{}}}"#,
        serde_json::to_string(value).expect("a cart encodes"),
        stamp.clock,
        serde_json::to_string(&stamp.origin).expect("a string encodes"),
    )
}

/// The documented `hello` message.
fn hello_text(origin: &str) -> String {
    format!(r#"{{"v":1,"kind":"hello","origin":"{origin}"}}"#)
}

/// What one peer holds, by the model.
#[derive(Default)]
struct PeerModel {
    stamp: Stamp,
    value: Cart,
    /// The errors its hooks must have received: kind and message text.
    errors: Vec<(Fault, String)>,
}

/// The bus and the peers, by the model: a `LocalBus` delivers each message
/// to the channel's subscribers in the order they subscribed, one message
/// at a time; messages posted during a delivery wait their turn.
struct Model {
    peers: [PeerModel; 3],
    /// Peers in subscription order.
    subscribed: Vec<usize>,
    queue: VecDeque<(String, String)>,
    immediate: bool,
    draining: bool,
    /// Every `(channel, text)` posted, in order.
    posted: Vec<(String, String)>,
    /// Values the default, a well-formed `set` or a local write of `cart`
    /// carried.
    carried: Vec<Cart>,
}

impl Model {
    fn new(immediate: bool) -> Self {
        Model {
            peers: Default::default(),
            subscribed: Vec::new(),
            queue: VecDeque::new(),
            immediate,
            draining: false,
            posted: Vec::new(),
            carried: vec![Cart::new()],
        }
    }

    fn post(&mut self, channel: &str, text: String) {
        self.posted.push((channel.to_string(), text.clone()));
        self.queue.push_back((channel.to_string(), text));
        if self.immediate {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.draining {
            return;
        }
        self.draining = true;
        while let Some((channel, text)) = self.queue.pop_front() {
            for peer in self.subscribed.clone() {
                if CHANNELS[peer] == channel {
                    self.receive(peer, &text);
                }
            }
        }
        self.draining = false;
    }

    /// A peer mounts: it subscribes, then says hello.
    fn mount(&mut self, peer: usize) {
        self.subscribed.push(peer);
        self.post(CHANNELS[peer], hello_text(ORIGINS[peer]));
    }

    /// A local write: a change is stamped one past the held clock and
    /// posted.
    fn write(&mut self, peer: usize, value: Cart) {
        let p = &mut self.peers[peer];
        if p.value == value {
            return;
        }
        p.stamp = Stamp {
            clock: p.stamp.clock + 1,
            origin: ORIGINS[peer].to_string(),
        };
        p.value = value.clone();
        let text = set_text(&p.value, &p.stamp);
        if CHANNELS[peer] == CHANNEL {
            self.carried.push(value);
        }
        self.post(CHANNELS[peer], text);
    }

    fn receive(&mut self, peer: usize, text: &str) {
        let p = &mut self.peers[peer];
        match model_decode(text) {
            Err(fault) => p.errors.push((fault, text.to_string())),
            Ok(Decoded::Hello { origin }) => {
                // Answered with the value held, if it was ever written.
                if origin != ORIGINS[peer] && p.stamp.clock > 0 {
                    let answer = set_text(&p.value, &p.stamp);
                    self.post(CHANNELS[peer], answer);
                }
            }
            // Its own write coming back (or relayed): ignored unread.
            Ok(Decoded::Set { stamp, .. }) if stamp.origin == ORIGINS[peer] => {}
            Ok(Decoded::Set { value, stamp }) => match serde_json::from_value::<Cart>(value) {
                Err(_) => p.errors.push((Fault::Value, text.to_string())),
                Ok(value) => {
                    if CHANNELS[peer] == CHANNEL {
                        self.carried.push(value.clone());
                    }
                    if stamp > p.stamp {
                        p.stamp = stamp;
                        p.value = value;
                    }
                }
            },
        }
    }
}

// ----- inputs ----------------------------------------------------------

/// The input, read a byte at a time (zeros once it runs out).
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn take(&mut self, n: usize) -> &[u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }

    /// A small cart: up to three items with quantities at the edges.
    fn cart(&mut self) -> Cart {
        const ITEMS: [&str; 4] = ["tee", "cap", "mug", ""];
        const QUANTITIES: [u32; 4] = [0, 1, 2, u32::MAX];
        let n = self.byte() % 4;
        (0..n)
            .map(|_| {
                let b = self.byte();
                let item = ITEMS[usize::from(b % 4)].to_string();
                (
                    item,
                    QUANTITIES[usize::from(b >> 2) % 4].wrapping_add(u32::from(b >> 4)),
                )
            })
            .collect()
    }

    /// A message built field by field: each field present, missing or wrong
    /// as the input says, in an order the input picks.
    fn message(&mut self) -> String {
        let mut fields: Vec<(&str, String)> = Vec::new();
        let v = match self.byte() % 10 {
            0..=3 => Some("1".to_string()),
            4 => None,
            5 => Some("2".to_string()),
            6 => Some("\"1\"".to_string()),
            7 => Some("1.0".to_string()),
            8 => Some("-1".to_string()),
            _ => Some(u64::MAX.to_string()),
        };
        let kind = match self.byte() % 8 {
            0..=3 => Some("\"set\""),
            4 | 5 => Some("\"hello\""),
            6 => Some("\"SET\""),
            _ => [None, Some("1"), Some("\"\""), Some("null")][usize::from(self.byte() % 4)],
        };
        let origin = match self.byte() % 12 {
            0 => Some("\"peer-a\"".to_string()),
            1 => Some("\"peer-z\"".to_string()),
            2 => Some("\"peer-0\"".to_string()),
            3 | 4 | 5 => Some(format!("\"{}\"", ORIGINS[usize::from(self.byte() % 3)])),
            6 => Some(format!("\"peer-{}\"", self.byte())),
            7 => Some("\"\"".to_string()),
            8 => None,
            9 => Some("7".to_string()),
            10 => Some("\"p\\u00e9\\u0000\"".to_string()),
            _ => Some(format!("\"{}\"", "o".repeat(usize::from(self.byte()) * 8))),
        };
        let clock = match self.byte() % 16 {
            0..=5 => Some(u64::from(self.byte() % 8 + 1).to_string()),
            6 => Some("0".to_string()),
            7 => Some(MAX_CLOCK.to_string()),
            8 => Some((MAX_CLOCK + 1).to_string()),
            9 => Some(u64::MAX.to_string()),
            10 => Some("18446744073709551616".to_string()),
            11 => Some("-1".to_string()),
            12 => Some("1.5".to_string()),
            13 => Some("\"5\"".to_string()),
            14 => None,
            _ => Some(["1e300", "null", "5.0", "1e2"][usize::from(self.byte() % 4)].to_string()),
        };
        let value = match self.byte() % 8 {
            0..=3 => Some(serde_json::to_string(&self.cart()).expect("a cart encodes")),
            4 => None,
            5 => Some("null".to_string()),
            6 => Some(
                ["\"tee\"", "[1]", "{\"tee\":-1}", "{\"tee\":1.5}"][usize::from(self.byte() % 4)]
                    .to_string(),
            ),
            // Nested past serde_json's recursion limit (128) or not.
            _ => {
                let depth = usize::from(self.byte());
                Some("[".repeat(depth) + &"]".repeat(depth))
            }
        };
        let present = [
            ("v", v),
            ("kind", kind.map(str::to_string)),
            ("origin", origin),
            ("clock", clock),
            ("value", value),
        ];
        for (name, text) in present {
            if let Some(text) = text {
                fields.push((name, text));
            }
        }
        // Extra fields, a duplicate (the later one counts), another order.
        let shape = self.byte();
        if shape & 1 != 0 {
            fields.push(("extra", "{\"nested\":[true]}".to_string()));
        }
        if shape & 2 != 0 && !fields.is_empty() {
            let i = usize::from(self.byte()) % fields.len();
            let duplicate = (
                fields[i].0,
                ["2", "\"set\"", "null", "3"][usize::from(shape >> 6)].to_string(),
            );
            fields.push(duplicate);
        }
        if !fields.is_empty() {
            let turn = usize::from(shape >> 2) % fields.len();
            fields.rotate_left(turn);
        }
        let space = if shape & 0x20 != 0 { " " } else { "" };
        let body: Vec<String> = fields
            .iter()
            .map(|(name, text)| format!("{space}\"{name}\"{space}:{space}{text}"))
            .collect();
        format!("{{{}{space}}}", body.join(","))
    }
}

/// One step of a run, from its op byte.
#[derive(Debug)]
enum Step {
    /// Arbitrary text (lossy UTF-8) posted on the channel.
    Text,
    /// A message built field by field, posted on the channel.
    Message,
    /// A message posted before (by anyone) posted again.
    Replay,
    /// A local write on a peer.
    Write(usize),
    /// The bus delivers what is queued.
    Flush,
    /// A message posted on a channel close to the store's.
    NearMiss,
}

impl Step {
    fn from_op(op: u8) -> Step {
        match op % 9 {
            0 => Step::Text,
            1 | 2 => Step::Message,
            3 => Step::Replay,
            4 => Step::Write(0),
            5 => Step::Write(1),
            6 => Step::Write(2),
            7 => Step::Flush,
            _ => Step::NearMiss,
        }
    }
}

// ----- error hooks -----------------------------------------------------

/// Every error the process-wide hook received in this run.
static GLOBAL_ERRORS: Mutex<Vec<BroadcastError>> = Mutex::new(Vec::new());

/// Registers the process-wide hook (once) and empties its log.
fn reset_global_errors() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| on_error(|e| lock(&GLOBAL_ERRORS).push(e.clone())).keep());
    lock(&GLOBAL_ERRORS).clear();
}

type ErrorLog = Arc<Mutex<Vec<BroadcastError>>>;

/// Whether an error the hook received is the one the model expects.
fn same_error(seen: &BroadcastError, name: &str, (fault, text): &(Fault, String)) -> bool {
    let kind = match (fault, seen.kind()) {
        (Fault::Malformed, BroadcastErrorKind::Malformed(_)) => true,
        (Fault::Value, BroadcastErrorKind::Value(_)) => true,
        (Fault::Version(v), BroadcastErrorKind::Version(w)) => v == w,
        _ => false,
    };
    kind && seen.kind().is_received() && seen.name() == name && seen.message() == Some(text)
}

// ----- the run ---------------------------------------------------------

/// The real peers and bus beside the model.
struct World {
    bus: Arc<LocalBus>,
    peers: [SharedAtom<Cart>; 3],
    logs: [ErrorLog; 3],
    model: Model,
}

impl World {
    fn post(&mut self, channel: &str, text: String) {
        self.bus
            .post(channel, &text)
            .expect("a local bus always posts");
        self.model.post(channel, text);
    }

    /// Every peer and the bus agree with the model.
    fn check(&self, after: &Step) {
        for (i, peer) in self.peers.iter().enumerate() {
            let model = &self.model.peers[i];
            let value = Store::peek(peer).expect("a value");
            assert_eq!(*value, model.value, "peer {i}, after {after:?}: value");
            assert_eq!(
                peer.stamp(),
                model.stamp,
                "peer {i}, after {after:?}: stamp"
            );
            let name = if i == 2 { OTHER_NAME } else { NAME };
            let seen = lock(&self.logs[i]);
            let ok = seen.len() == model.errors.len()
                && seen
                    .iter()
                    .zip(&model.errors)
                    .all(|(s, e)| same_error(s, name, e));
            assert!(
                ok,
                "peer {i}, after {after:?}: errors {seen:?}, expected {:?}",
                model.errors
            );
        }
        // `cart`: only carried values; `carts`: only its own writes.
        let value = Store::peek(&self.peers[0]).expect("a value");
        assert!(
            self.model.carried.contains(&value),
            "a value nobody carried: {value:?}"
        );
        assert!(lock(&self.logs[2]).is_empty(), "carts heard an error");
        let stamp = self.peers[2].stamp();
        assert!(
            stamp.origin.is_empty() || stamp.origin == ORIGINS[2],
            "carts took a foreign write"
        );
        // The process-wide hook heard every peer's errors, once each.
        let total: usize = self.logs.iter().map(|l| lock(l).len()).sum();
        assert_eq!(lock(&GLOBAL_ERRORS).len(), total, "process-wide hook");
        let posted = self.bus.take_posted();
        let start = self.model.posted.len() - posted.len();
        assert_eq!(
            posted,
            self.model.posted[start..],
            "after {after:?}: posted messages"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let immediate = input.byte() % 2 == 0;
    reset_global_errors();
    // Timers (the unmount delay) on a clock of this thread.
    let clock = ManualClock::new();
    let _runtime = clock.install();

    let bus = Arc::new(if immediate {
        LocalBus::new()
    } else {
        LocalBus::queued()
    });
    let names = [NAME, NAME, OTHER_NAME];
    let peers = [0, 1, 2].map(|i| {
        SharedAtom::new(names[i], Cart::new())
            .with_transport(bus.clone())
            .with_origin(ORIGINS[i])
    });
    let logs: [ErrorLog; 3] = Default::default();
    let _hooks: Vec<_> = peers
        .iter()
        .zip(&logs)
        .map(|(peer, log)| {
            let log = log.clone();
            peer.on_error(move |e| lock(&log).push(e.clone()))
        })
        .collect();
    let mut world = World {
        bus,
        peers,
        logs,
        model: Model::new(immediate),
    };
    // Mounted (listening) while the run lasts, in this order.
    let mut listening = Vec::new();
    for i in 0..3 {
        listening.push(world.peers[i].listen(|_, _| {}));
        world.model.mount(i);
    }
    world.check(&Step::Flush);

    for _ in 0..64 {
        if input.is_empty() {
            break;
        }
        let step = Step::from_op(input.byte());
        match step {
            Step::Text => {
                let len = usize::from(input.byte());
                let text = String::from_utf8_lossy(input.take(len)).into_owned();
                world.post(CHANNEL, text);
            }
            Step::Message => {
                let text = input.message();
                world.post(CHANNEL, text);
            }
            Step::Replay => {
                let n = world.model.posted.len();
                let (channel, text) = world.model.posted[usize::from(input.byte()) % n].clone();
                world.post(&channel, text);
            }
            Step::Write(peer) => {
                let cart = input.cart();
                world.peers[peer].set(cart.clone());
                world.model.write(peer, cart);
            }
            Step::Flush => {
                world.bus.flush();
                world.model.flush();
            }
            Step::NearMiss => {
                let channel = NEAR_MISSES[usize::from(input.byte()) % NEAR_MISSES.len()];
                let text = input.message();
                world.post(channel, text);
            }
        }
        world.check(&step);
    }
    world.bus.flush();
    world.model.flush();
    world.check(&Step::Flush);

    // Unmounted after the delay: every subscription is closed.
    drop(listening);
    clock.advance(10_000);
    assert_eq!(world.bus.subscriber_count(CHANNEL), 0);
    assert_eq!(world.bus.subscriber_count(OTHER_CHANNEL), 0);
});
