//! The exact events a logger emits, captured by a recording `tracing`
//! subscriber installed for the test's thread.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use nanostate::runtime::ManualClock;
use nanostate::{atom, batch, Atom, Computed, MapStore};
use nanostate_logger::{action, logger};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Records every event as one line: the message, then `field=value` in
/// field order (strings bare, other values in their `Debug` format), then
/// ` in [span fields…]` for the spans the event is inside.
#[derive(Default)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    spans: Mutex<Vec<(u64, String)>>,
    entered: Mutex<Vec<u64>>,
    next_id: AtomicU64,
}

#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.fields, " {}={value}", field.name());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let mut line = Line::default();
        attrs.record(&mut line);
        let name = format!("{}{}", attrs.metadata().name(), line.fields);
        self.spans.lock().unwrap().push((id, name));
        Id::from_u64(id)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let meta = event.metadata();
        assert_eq!(
            (meta.target(), *meta.level()),
            ("nanostate", Level::DEBUG),
            "every event has the target nanostate and the level DEBUG"
        );
        let mut line = Line::default();
        event.record(&mut line);
        let mut text = format!("{}{}", line.message, line.fields);
        let entered = self.entered.lock().unwrap();
        if !entered.is_empty() {
            let spans = self.spans.lock().unwrap();
            let names: Vec<&str> = entered
                .iter()
                .map(|id| spans.iter().find(|(s, _)| s == id).unwrap().1.as_str())
                .collect();
            let _ = write!(text, " in [{}]", names.join(", "));
        }
        self.lines.lock().unwrap().push(text);
    }

    fn enter(&self, span: &Id) {
        self.entered.lock().unwrap().push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut entered = self.entered.lock().unwrap();
        if let Some(pos) = entered.iter().rposition(|id| *id == span.into_u64()) {
            entered.remove(pos);
        }
    }
}

/// Runs `f` with a recorder as this thread's subscriber and a manual clock
/// as its runtime; returns the lines recorded.
fn record(f: impl FnOnce(&ManualClock)) -> Vec<String> {
    let recorder = Recorder::default();
    let lines = recorder.lines.clone();
    let clock = ManualClock::new();
    let _clock = clock.install();
    tracing::subscriber::with_default(recorder, || f(&clock));
    let lines = lines.lock().unwrap().clone();
    lines
}

#[test]
fn atom_logs_mount_each_change_and_unmount_after_the_delay() {
    static COUNT: Atom<u32> = atom(0);
    let lines = record(|clock| {
        let _logging = logger(&[("count", &COUNT)]);
        let sub = COUNT.listen(|_, _| {});
        COUNT.set(1);
        COUNT.set(1); // equal: no change
        COUNT.update(|n| n + 2);
        drop(sub);
        clock.advance(999);
        COUNT.set(7); // still mounted: the delay has not passed
        clock.advance(1);
    });
    assert_eq!(
        lines,
        [
            "mount store=count",
            "change store=count old=0 new=1",
            "change store=count old=1 new=3",
            "change store=count old=3 new=7",
            "unmount store=count",
        ]
    );
}

#[test]
fn map_key_writes_carry_the_key_whole_writes_and_batches_do_not() {
    let cart: MapStore<&'static str, u32> = MapStore::new(Default::default());
    let lines = record(|_| {
        let _logging = logger(&[("cart", &cart)]);
        cart.set_key("tee", 1);
        cart.set_key("cap", 2);
        cart.set([("mug", 3)].into());
        batch(|| {
            cart.set_key("mug", 4);
            cart.set_key("tee", 5);
        });
    });
    assert_eq!(
        lines,
        [
            r#"change store=cart key="tee" old={} new={"tee": 1}"#,
            r#"change store=cart key="cap" old={"tee": 1} new={"tee": 1, "cap": 2}"#,
            r#"change store=cart old={"tee": 1, "cap": 2} new={"mug": 3}"#,
            r#"change store=cart key="mug" old={"mug": 3} new={"mug": 4}"#,
            r#"change store=cart key="tee" old={"mug": 4} new={"mug": 4, "tee": 5}"#,
        ]
    );
}

#[test]
fn computed_store_logs_its_results_under_its_own_name() {
    let price = Atom::new(10u32);
    let with_tax = Computed::new(&price, |p| p * 12 / 10);
    let lines = record(|clock| {
        let _logging = logger(&[("price", &price), ("with tax", &with_tax)]);
        let sub = with_tax.listen(|_, _| {});
        price.set(20);
        drop(sub);
        clock.advance(1000);
        assert_eq!(price.listener_count(), 0);
        clock.advance(1000);
    });
    assert_eq!(
        lines,
        [
            // Its own mount subscribes it to `price`, which mounts that.
            "mount store=with tax",
            "mount store=price",
            // The first result has no old value.
            "change store=with tax new=12",
            "change store=price old=10 new=20",
            "change store=with tax old=12 new=24",
            // Its unmount unsubscribes it from `price`, whose own delay
            // then starts.
            "unmount store=with tax",
            "unmount store=price",
        ]
    );
}

#[test]
fn actions_name_their_changes_and_nest() {
    let a = Atom::new(0);
    let lines = record(|_| {
        let _logging = logger(&[("a", &a)]);
        let _sub = a.listen(|n, _| tracing::debug!(target: "nanostate", n, "listener"));
        action("outer", || {
            a.set(1);
            action("inner", || a.set(2));
            a.set(3);
        });
        a.set(4);
    });
    assert_eq!(
        lines,
        [
            "mount store=a",
            r#"change store=a old=0 new=1 action=outer in [action action=outer]"#,
            r#"listener n=1 in [action action=outer]"#,
            r#"change store=a old=1 new=2 action=inner in [action action=outer, action action=inner]"#,
            r#"listener n=2 in [action action=outer, action action=inner]"#,
            r#"change store=a old=2 new=3 action=outer in [action action=outer]"#,
            r#"listener n=3 in [action action=outer]"#,
            "change store=a old=3 new=4",
            "listener n=4",
        ]
    );
}

#[test]
fn a_panicking_action_ends_and_an_action_returns_its_value() {
    let a = Atom::new(0);
    let lines = record(|_| {
        let _logging = logger(&[("a", &a)]);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            action("broken", || {
                a.set(1);
                panic!("the action fails");
            })
        }));
        assert!(caught.is_err());
        a.set(2);
        assert_eq!(action("read", || a.get() * 10), 20);
    });
    assert_eq!(
        lines,
        [
            r#"change store=a old=0 new=1 action=broken in [action action=broken]"#,
            "change store=a old=1 new=2",
            // `get` without listeners mounts the store for the read.
            "mount store=a in [action action=read]",
        ]
    );
}

#[test]
fn nothing_is_logged_before_the_logger_or_after_it_is_dropped() {
    let a = Atom::new(0);
    let lines = record(|clock| {
        let sub = a.listen(|_, _| {});
        a.set(1);
        let logging = logger(&[("a", &a)]);
        assert_eq!(logging.stores(), 1);
        a.set(2);
        drop(logging);
        a.set(3);
        drop(sub);
        clock.advance(2000);
        action("unlogged", || a.set(4));
    });
    // Attached while mounted: no `mount`; detached before the unmount.
    assert_eq!(lines, ["change store=a old=1 new=2"]);
}

#[test]
fn a_kept_logger_keeps_logging() {
    let a = Atom::new(0);
    let lines = record(|_| {
        logger(&[("kept", &a)]).keep();
        a.set(1);
    });
    assert_eq!(lines, ["change store=kept old=0 new=1"]);
}

#[test]
fn get_without_listeners_mounts_for_the_moment_of_the_read() {
    let a = Atom::new(5);
    let lines = record(|clock| {
        let _logging = logger(&[("a", &a)]);
        assert_eq!(a.get(), 5);
        clock.advance(1000);
    });
    assert_eq!(lines, ["mount store=a", "unmount store=a"]);
}

#[test]
fn a_logged_run_time_store_is_freed_with_its_last_handle() {
    let drops = Arc::new(AtomicU64::new(0));
    struct Counted(Arc<AtomicU64>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    impl std::fmt::Debug for Counted {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Counted")
        }
    }
    impl PartialEq for Counted {
        fn eq(&self, _: &Self) -> bool {
            false
        }
    }
    let lines = record(|_| {
        let a = Atom::new(Counted(drops.clone()));
        logger(&[("counted", &a)]).keep();
        a.set(Counted(drops.clone()));
        drop(a);
    });
    assert_eq!(lines, ["change store=counted old=Counted new=Counted"]);
    assert_eq!(drops.load(Ordering::SeqCst), 2, "both values were dropped");
}
