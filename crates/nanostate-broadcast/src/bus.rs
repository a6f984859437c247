//! [`LocalBus`]: an in-process [`Transport`], to simulate several modules or
//! tabs as separate peers in one process.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use crate::error::{lock, TransportError};
use crate::transport::{Listening, MessageListener, Transport};

struct Subscriber {
    id: u64,
    channel: String,
    listener: MessageListener,
}

#[derive(Default)]
struct BusState {
    next_id: u64,
    subscribers: Vec<Subscriber>,
    queue: VecDeque<(String, String)>,
    /// A thread is delivering the queue (at most one at a time, so messages
    /// are delivered in the order they were posted).
    draining: bool,
    posted: Vec<(String, String)>,
    post_count: usize,
}

#[derive(Default)]
struct Shared {
    state: Mutex<BusState>,
}

/// An in-process [`Transport`]: every shared store on one bus is a separate
/// peer, as if each lived in its own wasm module or tab. Tests, native apps
/// with several windows, and simulations use it; the browser uses
/// `BroadcastChannel`.
///
/// Delivery is like `BroadcastChannel`'s: every subscriber of the channel
/// gets every message posted to it, in the order they were posted
/// (subscribers in the order they subscribed), including the poster's own
/// subscription. A bus made with [`new`](Self::new) delivers at once: the
/// `post` call returns when the message (and any message posted by the
/// listeners meanwhile) has been delivered. A bus made with
/// [`queued`](Self::queued) keeps messages until [`flush`](Self::flush), so a
/// test can make writes concurrent. One thread delivers at a time; a message
/// posted while another thread delivers is delivered by that thread. A
/// listener that unsubscribes is not called again, even for messages already
/// queued.
///
/// The bus also keeps a log of what was posted ([`take_posted`](Self::take_posted),
/// [`post_count`](Self::post_count)), kept until taken.
///
/// ```
/// use nanostate_broadcast::{shared_atom, LocalBus, SharedAtom};
///
/// static BUS: LocalBus = LocalBus::new();
/// static TAB_A: SharedAtom<bool> = shared_atom("dark-mode", || false).transport(&BUS);
/// static TAB_B: SharedAtom<bool> = shared_atom("dark-mode", || false).transport(&BUS);
///
/// let _listening = TAB_B.listen(|_, _| {}); // receives while mounted
/// TAB_A.set(true);
/// assert!(TAB_B.get());
/// assert_eq!(BUS.subscriber_count("nanostate:dark-mode"), 1);
/// ```
pub struct LocalBus {
    immediate: bool,
    shared: OnceLock<Arc<Shared>>,
}

impl LocalBus {
    /// A bus that delivers each message during `post`.
    ///
    /// ```
    /// static BUS: nanostate_broadcast::LocalBus = nanostate_broadcast::LocalBus::new();
    /// assert_eq!(BUS.pending(), 0);
    /// ```
    pub const fn new() -> Self {
        LocalBus {
            immediate: true,
            shared: OnceLock::new(),
        }
    }

    /// A bus that keeps messages until [`flush`](Self::flush): peers do not
    /// see each other's writes until then, as tabs do not until the browser
    /// delivers.
    ///
    /// ```
    /// use nanostate_broadcast::{LocalBus, SharedAtom};
    /// use std::sync::Arc;
    /// let bus = Arc::new(LocalBus::queued());
    /// let a = SharedAtom::new("doc-queued", 0).with_transport(bus.clone());
    /// let b = SharedAtom::new("doc-queued", 0).with_transport(bus.clone());
    /// let _listening = b.listen(|_, _| {});
    /// a.set(1);
    /// assert_eq!(b.get(), 0); // not delivered yet
    /// bus.flush();
    /// assert_eq!(b.get(), 1);
    /// ```
    pub const fn queued() -> Self {
        LocalBus {
            immediate: false,
            shared: OnceLock::new(),
        }
    }

    fn shared(&self) -> &Arc<Shared> {
        self.shared.get_or_init(Default::default)
    }

    /// Delivers the queued messages, and those their listeners post, until
    /// none is left; returns how many were delivered. Returns 0 at once if
    /// this bus is already delivering (called from a listener, or while
    /// another thread delivers: that thread delivers them).
    ///
    /// ```
    /// use nanostate_broadcast::{LocalBus, Transport};
    /// let bus = LocalBus::queued();
    /// bus.post("nanostate:x", "hi").unwrap();
    /// bus.post("nanostate:x", "again").unwrap();
    /// assert_eq!(bus.pending(), 2);
    /// assert_eq!(bus.flush(), 2);
    /// assert_eq!(bus.pending(), 0);
    /// ```
    pub fn flush(&self) -> usize {
        drain(self.shared())
    }

    /// How many messages wait to be delivered.
    ///
    /// ```
    /// use nanostate_broadcast::{LocalBus, Transport};
    /// let bus = LocalBus::queued();
    /// bus.post("nanostate:x", "hi").unwrap();
    /// assert_eq!(bus.pending(), 1);
    /// ```
    pub fn pending(&self) -> usize {
        lock(&self.shared().state).queue.len()
    }

    /// How many subscriptions to `channel` are open (a shared store holds
    /// one while it is mounted).
    ///
    /// ```
    /// use nanostate_broadcast::{LocalBus, SharedAtom};
    /// use std::sync::Arc;
    /// let bus = Arc::new(LocalBus::new());
    /// let n = SharedAtom::new("doc-count", 0).with_transport(bus.clone());
    /// assert_eq!(bus.subscriber_count("nanostate:doc-count"), 0);
    /// let _listening = n.listen(|_, _| {});
    /// assert_eq!(bus.subscriber_count("nanostate:doc-count"), 1);
    /// ```
    pub fn subscriber_count(&self, channel: &str) -> usize {
        lock(&self.shared().state)
            .subscribers
            .iter()
            .filter(|s| s.channel == channel)
            .count()
    }

    /// How many messages were posted to this bus, on every channel.
    ///
    /// ```
    /// use nanostate_broadcast::{LocalBus, SharedAtom};
    /// use std::sync::Arc;
    /// let bus = Arc::new(LocalBus::new());
    /// let n = SharedAtom::new("doc-posts", 0).with_transport(bus.clone());
    /// n.set(1);
    /// n.set(1); // no change, nothing posted
    /// n.set(2);
    /// assert_eq!(bus.post_count(), 2);
    /// ```
    pub fn post_count(&self) -> usize {
        lock(&self.shared().state).post_count
    }

    /// The messages posted since the last call, as `(channel, text)` pairs in
    /// posting order; the log is emptied.
    ///
    /// ```
    /// use nanostate_broadcast::{LocalBus, SharedAtom};
    /// use std::sync::Arc;
    /// let bus = Arc::new(LocalBus::new());
    /// let n = SharedAtom::new("doc-log", 0).with_transport(bus.clone()).with_origin("p");
    /// n.set(5);
    /// assert_eq!(
    ///     bus.take_posted(),
    ///     [(
    ///         "nanostate:doc-log".to_string(),
    ///         r#"{"v":1,"kind":"set","value":5,"clock":1,"origin":"p"}"#.to_string()
    ///     )]
    /// );
    /// assert!(bus.take_posted().is_empty());
    /// ```
    pub fn take_posted(&self) -> Vec<(String, String)> {
        std::mem::take(&mut lock(&self.shared().state).posted)
    }
}

impl Default for LocalBus {
    /// [`LocalBus::new`].
    ///
    /// ```
    /// let bus = nanostate_broadcast::LocalBus::default();
    /// assert_eq!(bus.post_count(), 0);
    /// ```
    fn default() -> Self {
        LocalBus::new()
    }
}

impl fmt::Debug for LocalBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = lock(&self.shared().state);
        f.debug_struct("LocalBus")
            .field("immediate", &self.immediate)
            .field("subscribers", &st.subscribers.len())
            .field("pending", &st.queue.len())
            .finish()
    }
}

impl Transport for LocalBus {
    fn post(&self, channel: &str, message: &str) -> Result<(), TransportError> {
        let shared = self.shared();
        let deliver_now = {
            let mut st = lock(&shared.state);
            st.post_count += 1;
            st.posted.push((channel.to_string(), message.to_string()));
            st.queue
                .push_back((channel.to_string(), message.to_string()));
            self.immediate && !st.draining
        };
        if deliver_now {
            drain(shared);
        }
        Ok(())
    }

    fn subscribe(
        &self,
        channel: &str,
        listener: MessageListener,
    ) -> Result<Listening, TransportError> {
        let shared = self.shared();
        let id = {
            let mut st = lock(&shared.state);
            st.next_id += 1;
            let id = st.next_id;
            st.subscribers.push(Subscriber {
                id,
                channel: channel.to_string(),
                listener,
            });
            id
        };
        let weak: Weak<Shared> = Arc::downgrade(shared);
        Ok(Listening::new(move || {
            if let Some(shared) = weak.upgrade() {
                lock(&shared.state).subscribers.retain(|s| s.id != id);
            }
        }))
    }
}

/// Clears the `draining` mark if a listener panics mid-delivery, so the bus
/// keeps working (the undelivered messages stay queued).
struct Draining<'a> {
    shared: &'a Shared,
    done: bool,
}

impl Drop for Draining<'_> {
    fn drop(&mut self) {
        if !self.done {
            lock(&self.shared.state).draining = false;
        }
    }
}

fn drain(shared: &Shared) -> usize {
    {
        let mut st = lock(&shared.state);
        if st.draining {
            return 0;
        }
        st.draining = true;
    }
    let mut guard = Draining {
        shared,
        done: false,
    };
    let mut delivered = 0;
    loop {
        let (message, listeners) = {
            let mut st = lock(&shared.state);
            let Some((channel, message)) = st.queue.pop_front() else {
                // Cleared under the same lock as the emptiness check: a
                // message posted after this is delivered by its poster.
                st.draining = false;
                guard.done = true;
                return delivered;
            };
            let listeners: Vec<(u64, MessageListener)> = st
                .subscribers
                .iter()
                .filter(|s| s.channel == channel)
                .map(|s| (s.id, s.listener.clone()))
                .collect();
            (message, listeners)
        };
        delivered += 1;
        for (id, listener) in listeners {
            let subscribed = lock(&shared.state).subscribers.iter().any(|s| s.id == id);
            if subscribed {
                listener(&message);
            }
        }
    }
}
