//! Shared stores as separate peers on a `LocalBus` (native): convergence,
//! the ordering rule, late joiners, no echo, bad input, and the life of the
//! channel subscription.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use nanostate::runtime::ManualClock;
use nanostate::{computed, Computed, Store, Subscription};
use nanostate_broadcast::*;

mod common;
use common::{record, values};

/// A peer holding a `u32` (default 0) on `bus`.
fn peer(bus: &Arc<LocalBus>, name: &str, origin: &str) -> SharedAtom<u32> {
    SharedAtom::new(name.to_string(), 0u32)
        .with_transport(bus.clone())
        .with_origin(origin)
}

/// A peer, the values its listener was called with, and its subscription.
type Recorded = (SharedAtom<u32>, Arc<Mutex<Vec<u32>>>, Subscription);

/// One peer per origin on `bus`, each mounted by a recording subscription
/// in turn.
fn recorded_peers<const N: usize>(
    bus: &Arc<LocalBus>,
    name: &str,
    origins: [&str; N],
) -> [Recorded; N] {
    origins.map(|origin| {
        let peer = peer(bus, name, origin);
        let (log, sub) = record(&peer);
        (peer, log, sub)
    })
}

/// Collects the errors of `store`.
fn errors<T>(store: &SharedAtom<T>) -> Arc<Mutex<Vec<BroadcastError>>>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    let errors = Arc::new(Mutex::new(Vec::new()));
    let log = errors.clone();
    store
        .on_error(move |e| log.lock().unwrap().push(e.clone()))
        .keep();
    errors
}

fn stamp(clock: u64, origin: &str) -> Stamp {
    Stamp {
        clock,
        origin: origin.to_string(),
    }
}

fn set_msg(value: &str, clock: u64, origin: &str) -> String {
    format!(r#"{{"v":1,"kind":"set","value":{value},"clock":{clock},"origin":"{origin}"}}"#)
}

fn hello_msg(origin: &str) -> String {
    format!(r#"{{"v":1,"kind":"hello","origin":"{origin}"}}"#)
}

/// `(channel, text)` pairs as `LocalBus::take_posted` returns them.
fn on(channel: &str, messages: &[String]) -> Vec<(String, String)> {
    messages
        .iter()
        .map(|m| (channel.to_string(), m.clone()))
        .collect()
}

#[test]
fn two_peers_converge_on_every_write() {
    let bus = Arc::new(LocalBus::new());
    let [(a, log_a, _sa), (b, log_b, _sb)] = recorded_peers(&bus, "two", ["tab-a", "tab-b"]);

    a.set(1);
    b.set(2);
    a.update(|n| n + 10);

    assert_eq!(values(&log_a), [0, 1, 2, 12]);
    assert_eq!(values(&log_b), [0, 1, 2, 12]);
    assert_eq!(a.stamp(), stamp(3, "tab-a"));
    assert_eq!(b.stamp(), stamp(3, "tab-a"));
}

#[test]
fn three_peers_converge() {
    let bus = Arc::new(LocalBus::new());
    let [(a, log_a, _sa), (b, log_b, _sb), (c, log_c, _sc)] =
        recorded_peers(&bus, "three", ["a", "b", "c"]);

    c.set(7);
    a.set(8);
    b.update(|n| n * 2);
    c.set(16); // what it holds already: no change, nothing posted

    for log in [&log_a, &log_b, &log_c] {
        assert_eq!(values(log), [0, 7, 8, 16]);
    }
    for p in [&a, &b, &c] {
        assert_eq!(p.get(), 16);
        assert_eq!(p.stamp(), stamp(3, "b"));
    }
}

#[test]
fn concurrent_writes_resolve_by_clock_then_origin() {
    let bus = Arc::new(LocalBus::queued());
    let [(a, log_a, _sa), (b, log_b, _sb), (c, log_c, _sc)] =
        recorded_peers(&bus, "race", ["tab-a", "tab-b", "tab-c"]);
    // Three hellos; nobody holds a written value, so nobody answers.
    assert_eq!(bus.flush(), 3);

    // Neither has seen the other's write: both take clock 1. Equal clocks:
    // the greater origin wins, "tab-b" > "tab-a".
    a.set(10);
    b.set(20);
    assert_eq!(bus.flush(), 2);
    assert_eq!([a.get(), b.get(), c.get()], [20, 20, 20]);
    assert_eq!(c.stamp(), stamp(1, "tab-b"));

    // The higher clock wins whatever the origin: a writes twice (clocks 2
    // and 3) while b writes once (clock 2).
    a.set(30);
    a.set(31);
    b.set(40);
    assert_eq!(bus.flush(), 3);
    assert_eq!([a.get(), b.get(), c.get()], [31, 31, 31]);
    for p in [&a, &b, &c] {
        assert_eq!(p.stamp(), stamp(3, "tab-a"));
    }

    // a took b's (1, tab-b) over its own (1, tab-a), ignored (2, tab-b).
    assert_eq!(values(&log_a), [0, 10, 20, 30, 31]);
    // b ignored (1, tab-a) and (2, tab-a), took (3, tab-a) over its 40.
    assert_eq!(values(&log_b), [0, 20, 40, 31]);
    // c took everything in order except (2, tab-b), older than (3, tab-a).
    assert_eq!(values(&log_c), [0, 10, 20, 30, 31]);
    // No answer, no echo: five writes, five messages, plus the hellos.
    assert_eq!(bus.post_count(), 3 + 5);
}

#[test]
fn the_outcome_does_not_depend_on_delivery_order() {
    // Two receivers on separate buses get the same three writes in opposite
    // orders.
    let forward = Arc::new(LocalBus::new());
    let backward = Arc::new(LocalBus::new());
    let x = peer(&forward, "order", "x");
    let y = peer(&backward, "order", "y");
    let (log_x, _sx) = record(&x);
    let (log_y, _sy) = record(&y);
    let writes = [
        set_msg("1", 4, "p"),
        set_msg("2", 4, "q"),
        set_msg("3", 3, "z"),
    ];
    for m in &writes {
        forward.post("nanostate:order", m).unwrap();
    }
    for m in writes.iter().rev() {
        backward.post("nanostate:order", m).unwrap();
    }
    assert_eq!((x.get(), y.get()), (2, 2));
    assert_eq!(x.stamp(), stamp(4, "q"));
    assert_eq!(y.stamp(), stamp(4, "q"));
    assert_eq!(values(&log_x), [0, 1, 2]);
    assert_eq!(values(&log_y), [0, 3, 2]);

    // A later local write counts from the greatest clock seen.
    x.set(9);
    assert_eq!(x.stamp(), stamp(5, "x"));
}

#[test]
fn a_late_joiner_catches_up_through_hello() {
    let bus = Arc::new(LocalBus::new());
    let main = peer(&bus, "late", "main");
    let _main_mounted = main.listen(|_, _| {});
    main.set(5);
    bus.take_posted();

    // The module loaded later: its hello is answered before its listener's
    // first call.
    let footer = peer(&bus, "late", "footer");
    let (log, _s) = record(&footer);
    assert_eq!(values(&log), [5]);
    assert_eq!(footer.stamp(), stamp(1, "main"));
    assert_eq!(
        bus.take_posted(),
        on(
            "nanostate:late",
            &[hello_msg("footer"), set_msg("5", 1, "main")]
        )
    );

    // A third peer: both mounted peers answer, with the writer's stamp.
    let third = peer(&bus, "late", "third");
    let (log3, _s3) = record(&third);
    assert_eq!(values(&log3), [5]);
    assert_eq!(
        bus.take_posted(),
        on(
            "nanostate:late",
            &[
                hello_msg("third"),
                set_msg("5", 1, "main"),
                set_msg("5", 1, "main")
            ]
        )
    );
}

#[test]
fn a_late_joiner_on_an_asynchronous_channel_updates_after_delivery() {
    let bus = Arc::new(LocalBus::queued());
    let main = peer(&bus, "late-async", "main");
    let _main_mounted = main.listen(|_, _| {});
    main.set(5);
    bus.flush();

    let footer = peer(&bus, "late-async", "footer");
    let (log, _s) = record(&footer);
    assert_eq!(values(&log), [0]); // like a tab: the answer is not there yet
    assert_eq!(bus.flush(), 2); // the hello, the answer
    assert_eq!(values(&log), [0, 5]);
}

#[test]
fn peers_that_were_never_written_do_not_answer() {
    let bus = Arc::new(LocalBus::new());
    let a = peer(&bus, "quiet", "a");
    let _a = a.listen(|_, _| {});
    let b = peer(&bus, "quiet", "b");
    let (log, _b) = record(&b);
    assert_eq!(values(&log), [0]);
    assert_eq!(
        bus.take_posted(),
        on("nanostate:quiet", &[hello_msg("a"), hello_msg("b")])
    );
}

#[test]
fn each_local_write_is_posted_once_and_received_values_never_again() {
    let bus = Arc::new(LocalBus::new());
    let a = peer(&bus, "echo", "a");
    let b = peer(&bus, "echo", "b");
    let c = peer(&bus, "echo", "c");
    let _s = [
        a.listen(|_, _| {}),
        b.listen(|_, _| {}),
        c.listen(|_, _| {}),
    ];
    bus.take_posted();

    a.set(1);
    a.set(1); // equal: no change
    b.set(2);
    c.update(|n| n * 10);

    assert_eq!(
        bus.take_posted(),
        on(
            "nanostate:echo",
            &[
                set_msg("1", 1, "a"),
                set_msg("2", 2, "b"),
                set_msg("20", 3, "c")
            ]
        )
    );
    assert_eq!([a.get(), b.get(), c.get()], [20, 20, 20]);
}

#[test]
fn an_unmounted_peer_posts_its_writes_but_hears_nothing_until_it_mounts() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let bus = Arc::new(LocalBus::new());
    let writer = peer(&bus, "writer", "writer"); // nobody listens to it
    let reader = peer(&bus, "writer", "reader");
    let (log, _s) = record(&reader);

    writer.set(3);
    assert_eq!(values(&log), [0, 3]);

    reader.set(4);
    assert_eq!(writer.peek().as_deref(), Some(&3)); // not mounted: not heard
    assert_eq!(bus.subscriber_count("nanostate:writer"), 1);

    // get() mounts it for the moment: it says hello and the reader answers.
    assert_eq!(writer.get(), 4);
    assert_eq!(bus.subscriber_count("nanostate:writer"), 2);
    clock.advance(1000);
    assert_eq!(bus.subscriber_count("nanostate:writer"), 1);
}

#[test]
fn garbage_foreign_and_wrong_shape_messages_are_reported_and_ignored() {
    let bus = Arc::new(LocalBus::new());
    let a = peer(&bus, "bad", "a");
    let errs = errors(&a);
    let (log, _s) = record(&a);
    bus.take_posted();

    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(String, &str)> = vec![
        ("garbage".into(), "malformed"),
        (String::new(), "malformed"),
        ("[1,2,3]".into(), "malformed"),
        (deep, "malformed"),
        (r#"{"type":"ping","payload":{}}"#.into(), "malformed"),
        (
            r#"{"v":"1","kind":"set","value":1,"clock":1,"origin":"x"}"#.into(),
            "malformed",
        ),
        (
            r#"{"v":2,"kind":"set","value":1,"clock":9,"origin":"x"}"#.into(),
            "version 2",
        ),
        (
            r#"{"v":1,"kind":"teleport","origin":"x"}"#.into(),
            "malformed",
        ),
        (r#"{"v":1,"kind":"hello","origin":42}"#.into(), "malformed"),
        (
            r#"{"v":1,"kind":"set","value":7,"clock":9}"#.into(),
            "malformed",
        ),
        (set_msg("7", 9, ""), "malformed"),
        (set_msg("7", 0, "x"), "malformed"),
        (
            r#"{"v":1,"kind":"set","value":7,"clock":-3,"origin":"x"}"#.into(),
            "malformed",
        ),
        (set_msg("7", 1 << 53, "x"), "malformed"),
        (
            r#"{"v":1,"kind":"set","clock":9,"origin":"x"}"#.into(),
            "malformed",
        ),
        (set_msg(r#""seven""#, 9, "x"), "value"),
        (set_msg("-1", 9, "x"), "value"),
        (set_msg("4294967296", 9, "x"), "value"),
        (set_msg("null", 9, "x"), "value"),
    ];
    for (message, _) in &cases {
        bus.post("nanostate:bad", message).unwrap();
    }
    // A message on another channel never reaches the store.
    bus.post("nanostate:other", "garbage").unwrap();

    let seen = errs.lock().unwrap().clone();
    let kinds: Vec<String> = seen
        .iter()
        .map(|e| match e.kind() {
            BroadcastErrorKind::Malformed(_) => "malformed".to_string(),
            BroadcastErrorKind::Version(v) => format!("version {v}"),
            BroadcastErrorKind::Value(_) => "value".to_string(),
            other => format!("unexpected {other:?}"),
        })
        .collect();
    let expected: Vec<&str> = cases.iter().map(|(_, kind)| *kind).collect();
    assert_eq!(kinds, expected);
    for (err, (message, _)) in seen.iter().zip(&cases) {
        assert_eq!(err.name(), "bad");
        assert_eq!(err.message(), Some(message.as_str()));
        assert!(err.kind().is_received());
    }
    // The store kept its value, notified nobody, and answered nothing.
    assert_eq!(a.get(), 0);
    assert_eq!(values(&log), [0]);
    assert_eq!(a.stamp(), Stamp::default());
    assert_eq!(bus.take_posted().len(), cases.len() + 1); // only what the test posted

    // It still takes a well-formed message; extra fields are fine.
    bus.post(
        "nanostate:bad",
        r#"{"v":1,"kind":"set","value":7,"clock":9,"origin":"x","sent_at":"12:00"}"#,
    )
    .unwrap();
    assert_eq!(values(&log), [0, 7]);
    assert_eq!(a.stamp(), stamp(9, "x"));
    assert_eq!(errs.lock().unwrap().len(), cases.len());
}

#[test]
fn dropping_the_last_listener_closes_the_subscription() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let bus = Arc::new(LocalBus::new());
    let a = peer(&bus, "life", "a");
    let b = peer(&bus, "life", "b");
    let _b_mounted = b.listen(|_, _| {});
    let channel = a.channel();
    assert_eq!(bus.subscriber_count(&channel), 1);

    let first = a.listen(|_, _| {});
    let second = a.listen(|_, _| {});
    assert_eq!(bus.subscriber_count(&channel), 2); // one per mounted peer
    drop(first);
    drop(second);
    clock.advance(999); // nanostate's unmount delay
    assert_eq!(bus.subscriber_count(&channel), 2);
    clock.advance(1);
    assert_eq!(bus.subscriber_count(&channel), 1);

    b.set(5);
    assert_eq!(a.peek().as_deref(), Some(&0)); // closed: not heard

    let (log, _again) = record(&a); // mounts again and catches up
    assert_eq!(values(&log), [5]);
    assert_eq!(bus.subscriber_count(&channel), 2);
}

/// A transport where there is no channel at all.
struct NoChannel;

impl Transport for NoChannel {
    fn post(&self, _: &str, _: &str) -> Result<(), TransportError> {
        Err(TransportError::Unavailable("no BroadcastChannel".into()))
    }
    fn subscribe(&self, _: &str, _: MessageListener) -> Result<Listening, TransportError> {
        Err(TransportError::Unavailable("no BroadcastChannel".into()))
    }
}

#[test]
fn an_unavailable_channel_is_reported_once_and_the_store_works_locally() {
    let clock = ManualClock::new();
    let _installed = clock.install();
    let a = SharedAtom::new("offline", 0u32).with_transport(Arc::new(NoChannel));
    let errs = errors(&a);
    let (log, sub) = record(&a);
    a.set(1);
    a.set(2);
    drop(sub);
    clock.advance(1000);
    let (_log2, _sub2) = record(&a); // mounts again: the same failure is not repeated

    assert_eq!(values(&log), [0, 1, 2]);
    assert_eq!(a.get(), 2);
    let unavailable = TransportError::Unavailable("no BroadcastChannel".into());
    let kinds: Vec<BroadcastErrorKind> = errs
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.kind().clone())
        .collect();
    assert_eq!(
        kinds,
        [
            BroadcastErrorKind::Subscribe(unavailable.clone()),
            BroadcastErrorKind::Post(unavailable)
        ]
    );
    assert_eq!(
        errs.lock().unwrap()[0].to_string(),
        "shared store \"offline\": cannot listen to the channel: channel unavailable: no BroadcastChannel"
    );
}

#[test]
fn a_value_that_cannot_be_encoded_is_reported_and_kept() {
    let bus = Arc::new(LocalBus::new());
    let a = SharedAtom::new("encode", BTreeMap::<(u8, u8), u8>::new()).with_transport(bus.clone());
    let errs = errors(&a);
    a.set(BTreeMap::from([((1, 2), 3)])); // JSON object keys must be strings
    assert_eq!(bus.post_count(), 0);
    assert_eq!(a.peek().unwrap()[&(1, 2)], 3);
    let errs = errs.lock().unwrap();
    assert_eq!(errs.len(), 1);
    assert!(matches!(errs[0].kind(), BroadcastErrorKind::Encode(_)));
}

#[test]
fn without_a_transport_a_shared_atom_is_a_local_atom() {
    static LOCAL: SharedAtom<Vec<String>> = shared_atom("local-only", Vec::new);
    static COUNT: Computed<usize> = computed(&LOCAL, |items| items.len());

    assert!(default_transport().is_none());
    let errs = errors(&LOCAL);
    let (log, _s) = record(&COUNT);
    LOCAL.update(|items| [items.clone(), vec!["tee".to_string()]].concat());
    LOCAL.update(|items| [items.clone(), vec!["mug".to_string()]].concat());
    assert_eq!(values(&log), [0, 1, 2]);
    assert_eq!(LOCAL.get(), ["tee", "mug"]);
    assert_eq!(LOCAL.stamp(), stamp(0, "")); // nothing is stamped or posted
    assert!(errs.lock().unwrap().is_empty());
}

type Cart = BTreeMap<String, u32>;

static PAGE: LocalBus = LocalBus::new();
static SHOP_CART: SharedAtom<Cart> = shared_atom("cart", Cart::new).transport(&PAGE);
static FOOTER_CART: SharedAtom<Cart> = shared_atom("cart", Cart::new).transport(&PAGE);
static FOOTER_COUNT: Computed<u32> = computed(&FOOTER_CART, |cart| cart.values().sum());

fn add_to_cart(cart: &SharedAtom<Cart>, id: &str) {
    cart.update(|cart| {
        let mut cart = cart.clone();
        *cart.entry(id.to_string()).or_default() += 1;
        cart
    });
}

#[test]
fn a_cart_shared_by_two_modules() {
    let errs = errors(&FOOTER_CART);
    let _shop_errors = errors(&SHOP_CART);
    let (badge, _badge) = record(&FOOTER_COUNT);
    let _shop_mounted = SHOP_CART.listen(|_, _| {});

    add_to_cart(&SHOP_CART, "tee");
    add_to_cart(&SHOP_CART, "tee");
    add_to_cart(&FOOTER_CART, "mug"); // the footer writes too
    assert_eq!(values(&badge), [0, 1, 2, 3]);
    assert_eq!(
        SHOP_CART.get(),
        Cart::from([("mug".into(), 1), ("tee".into(), 2)])
    );
    let last = PAGE.take_posted().pop().unwrap().1;
    assert_eq!(
        last,
        set_msg(r#"{"mug":1,"tee":2}"#, 3, FOOTER_CART.origin())
    );

    // A peer with another idea of the cart's shape is reported, not applied.
    PAGE.post("nanostate:cart", &set_msg(r#"[["tee",9]]"#, 99, "legacy"))
        .unwrap();
    assert_eq!(FOOTER_COUNT.get(), 3);
    let kinds: Vec<BroadcastErrorKind> = errs
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.kind().clone())
        .collect();
    assert!(
        matches!(kinds[..], [BroadcastErrorKind::Value(_)]),
        "{kinds:?}"
    );
}

#[test]
fn peers_written_from_many_threads_converge() {
    let bus = Arc::new(LocalBus::new());
    let a = peer(&bus, "threads", "a");
    let b = peer(&bus, "threads", "b");
    let _s = [a.listen(|_, _| {}), b.listen(|_, _| {})];
    std::thread::scope(|s| {
        for i in 0..4 {
            let p = if i % 2 == 0 { &a } else { &b };
            s.spawn(move || {
                for _ in 0..200 {
                    p.update(|n| n + 1);
                }
            });
        }
    });
    assert_eq!(bus.pending(), 0);
    assert_eq!(a.get(), b.get());
    assert_eq!(a.stamp(), b.stamp());
    assert!(a.stamp().clock >= 400, "{:?}", a.stamp());
}

#[test]
fn clones_are_the_same_peer() {
    let bus = Arc::new(LocalBus::new());
    let a = peer(&bus, "clone", "a");
    let a2 = a.clone();
    let b = peer(&bus, "clone", "b");
    let (log, _s) = record(&b);
    a2.set(4);
    assert_eq!(a.get(), 4);
    assert_eq!(a2.origin(), "a");
    assert!(a.ptr_eq(&a2));
    assert_eq!(values(&log), [0, 4]);
    assert_eq!(b.stamp(), stamp(1, "a"));
}

#[test]
fn random_origins_are_distinct() {
    let ids: std::collections::BTreeSet<String> = (0..100)
        .map(|_| SharedAtom::new("ids", 0u8).origin().to_string())
        .collect();
    assert_eq!(ids.len(), 100);
    assert!(ids
        .iter()
        .all(|id| id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())));
}
