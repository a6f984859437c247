//! A terminal shop cart: the same stores the islands demo will share between
//! UI frameworks, driven from the command line.
//!
//! `cargo run -p nanostate --example cart` plays a short scripted tour, then
//! (on a terminal) reads commands: `add ID`, `remove ID`, `open`, `close`,
//! `list`, `quit`. Stores are `static` items; actions are plain functions;
//! the "views" are listeners, like framework islands would be.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use nanostate::{
    atom, batch, computed, computed2, map, on_mount, Atom, Computed, MapStore, Subscription,
};

#[derive(Clone, Debug, PartialEq)]
struct CartItem {
    name: &'static str,
    price_cents: u32,
    quantity: u32,
}

const PRODUCTS: [(&str, &str, u32); 4] = [
    ("tee", "Astronaut tee", 2500),
    ("mug", "Comet mug", 1200),
    ("cap", "Orbit cap", 1800),
    ("pin", "Rocket pin", 400),
];

static CART_OPEN: Atom<bool> = atom(false);
static CART: MapStore<&'static str, CartItem> = map();
static CART_COUNT: Computed<u32> =
    computed(&CART, |items| items.values().map(|i| i.quantity).sum());
static CART_TOTAL: Computed<u32> = computed(&CART, |items| {
    items.values().map(|i| i.price_cents * i.quantity).sum()
});
static BADGE: Computed<String> = computed2(&CART_COUNT, &CART_TOTAL, |count, total| {
    format!("🛒 {count} item(s) · ${}.{:02}", total / 100, total % 100)
});

/// Action: add one unit of a product (bumps the quantity if present).
fn add_to_cart(id: &str) -> Result<(), String> {
    let (id, name, price_cents) = PRODUCTS
        .iter()
        .copied()
        .find(|(pid, _, _)| *pid == id)
        .ok_or_else(|| format!("unknown product {id:?}; try one of: {}", ids()))?;
    batch(|| {
        CART_OPEN.set(true);
        CART.update_key(id, |item| {
            Some(match item {
                Some(item) => CartItem {
                    quantity: item.quantity + 1,
                    ..item.clone()
                },
                None => CartItem {
                    name,
                    price_cents,
                    quantity: 1,
                },
            })
        });
    });
    Ok(())
}

/// Action: remove a product entirely.
fn remove_from_cart(id: &str) -> Result<(), String> {
    let key = PRODUCTS
        .iter()
        .map(|(pid, _, _)| *pid)
        .find(|pid| *pid == id)
        .ok_or_else(|| format!("unknown product {id:?}; try one of: {}", ids()))?;
    if CART.get_key(&key).is_none() {
        return Err(format!("{id} is not in the cart"));
    }
    CART.delete_key(&key);
    Ok(())
}

fn ids() -> String {
    PRODUCTS.map(|(id, _, _)| id).join(", ")
}

/// The "islands": each one only knows the stores it reads.
fn mount_views() -> Vec<Subscription> {
    vec![
        BADGE.subscribe(|badge, _| println!("  [header]  {badge}")),
        CART_OPEN.listen(|open, _| {
            println!(
                "  [toggle]  cart {}",
                if *open { "opened" } else { "closed" }
            )
        }),
        CART.listen(|items, _, changed| {
            let what = changed.map_or("cart", |id| id);
            println!("  [flyout]  {what} changed; {} line(s):", items.len());
            if items.is_empty() {
                println!("              your cart is empty");
            }
            for item in items.values() {
                println!("              {} × {}", item.quantity, item.name);
            }
        }),
    ]
}

fn run(command: &str) -> Result<bool, String> {
    let mut words = command.split_whitespace();
    match (words.next(), words.next()) {
        (Some("add"), Some(id)) => add_to_cart(id)?,
        (Some("remove"), Some(id)) => remove_from_cart(id)?,
        (Some("open"), None) => CART_OPEN.set(true),
        (Some("close"), None) => CART_OPEN.set(false),
        (Some("list"), None) => println!("  products: {}", ids()),
        (Some("quit"), None) => return Ok(false),
        (None, _) => {}
        _ => {
            return Err(format!(
                "unknown command {command:?} (add ID, remove ID, open, close, list, quit)"
            ))
        }
    }
    Ok(true)
}

fn main() {
    // Lifecycle at work: the total is "synced" only while someone watches.
    on_mount(&CART, |_| {
        println!("  (cart mounted: a real app would start syncing here)");
        || println!("  (cart unmounted: sync stopped)")
    })
    .keep();
    // Short delays so the demo shows the unmount; the default is 1 s.
    CART.set_unmount_delay(Duration::from_millis(50));
    CART_COUNT.set_unmount_delay(Duration::from_millis(50));
    CART_TOTAL.set_unmount_delay(Duration::from_millis(50));
    BADGE.set_unmount_delay(Duration::from_millis(50));

    println!("nanostate cart demo — one set of stores, several independent views\n");
    let views = mount_views();
    for command in [
        "add tee",
        "add mug",
        "add tee",
        "close",
        "remove mug",
        "add hat",
    ] {
        println!("> {command}");
        if let Err(message) = run(command) {
            println!("  error: {message}");
        }
    }

    if std::io::stdin().is_terminal() {
        println!("\nYour turn: add ID | remove ID | open | close | list | quit");
        let stdin = std::io::stdin();
        loop {
            print!("> ");
            let _ = std::io::stdout().flush();
            let mut line = String::new();
            match stdin.lock().read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => match run(line.trim()) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(message) => println!("  error: {message}"),
                },
            }
        }
    }

    println!(
        "\nfinal cart: {} item(s), badge {:?}",
        CART_COUNT.get(),
        BADGE.get()
    );
    println!("closing the views…");
    drop(views);
    // The badge lets go of its inputs after its delay, they let go of the
    // cart after theirs, and the cart runs its cleanup.
    std::thread::sleep(Duration::from_millis(500));
}
