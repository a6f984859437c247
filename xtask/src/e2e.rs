//! `cargo xtask e2e`: the islands shop demo, driven in headless Chromium.
//!
//! Builds and serves the demo on a free port, then plays a shopping
//! scenario through WebDriver: every island (Leptos, Yew, Dioxus, Sycamore,
//! plain JS and a separately built footer module) must show the same cart,
//! the cart must survive a reload and a corrupt storage entry, and reach a
//! second tab. Each step is printed as it passes. A screenshot of the open
//! cart goes to `target/e2e/islands.png`, and of the page at the moment of a
//! failure to `target/e2e/failure.png`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::webdriver::{free_port, Driver};

/// Where screenshots and the chromedriver log go.
const OUT: &str = "target/e2e";

/// How long the islands may take to hydrate after a (re)load.
const HYDRATION: Duration = Duration::from_secs(30);

/// How long each step may take to show its effect.
const STEP: Duration = Duration::from_secs(5);

/// How long the server may take to announce its URL.
const SERVER_START: Duration = Duration::from_secs(30);

/// The island roots; each gets `data-hydrated="true"` once its framework
/// has taken it over.
const ISLANDS: [&str; 6] = [
    "island-toggle",
    "island-products",
    "island-flyout",
    "island-badge",
    "island-js",
    "island-footer",
];

/// The three places showing the total quantity: the Sycamore badge, the
/// plain JS island and the footer module.
const COUNTERS: [&str; 3] = ["badge-count", "js-count", "footer-count"];

/// Runs the end-to-end test of the islands shop.
pub fn run() -> Result<(), String> {
    crate::wasm::ensure_chromium()?;
    let binary = crate::demo::build()?;
    let server = Server::start(&binary)?;
    eprintln!("e2e: the shop is served at {}", server.url);

    std::fs::create_dir_all(OUT).map_err(|e| format!("e2e: cannot create {OUT}: {e}"))?;
    // A failure screenshot left by an earlier run would mislead.
    let _ = std::fs::remove_file(Path::new(OUT).join("failure.png"));
    let log = Path::new(OUT).join("chromedriver.log");
    let driver = Driver::start(Some(&log))?;
    let shop = Shop {
        driver: &driver,
        url: &server.url,
    };
    match shop.scenario() {
        Ok(()) => {
            let shot = Path::new(OUT).join("islands.png");
            eprintln!("e2e: all steps passed; screenshot: {}", shot.display());
            Ok(())
        }
        Err(e) => {
            shop.report_failure();
            Err(format!("e2e: {e}"))
        }
    }
}

/// The demo server, stopped when dropped.
struct Server {
    child: Child,
    /// The page's URL, as the server announced it.
    url: String,
}

impl Server {
    /// Starts the server on a free port and waits for its first line,
    /// which ends with the URL it serves.
    fn start(binary: &Path) -> Result<Server, String> {
        let addr = format!("127.0.0.1:{}", free_port()?);
        let mut cmd = crate::demo::server(binary, &addr);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("e2e: cannot start the server {}: {e}", binary.display()))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("e2e: the server's output is not piped".into());
        };
        // From here on the child is killed on every way out.
        let mut server = Server {
            child,
            url: String::new(),
        };
        // A thread reads the output, so the wait can time out, and keeps
        // draining it afterwards so the server never blocks on a full pipe.
        let (first, lines) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines_read = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines_read.next() {
                let _ = first.send(line);
            }
            for _ in lines_read {}
        });
        let line = match lines.recv_timeout(SERVER_START) {
            Ok(line) => line,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(format!(
                    "e2e: the server printed nothing within {SERVER_START:?} (on {addr})"
                ))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // Its output ended: it has most likely exited.
                std::thread::sleep(Duration::from_millis(200));
                let status = match server.child.try_wait() {
                    Ok(Some(status)) => format!("exited ({status})"),
                    _ => "closed its output".to_string(),
                };
                return Err(format!(
                    "e2e: the server {status} before announcing its URL (on {addr})"
                ));
            }
        };
        server.url = line
            .split_whitespace()
            .last()
            .filter(|url| url.starts_with("http://"))
            .ok_or_else(|| {
                format!("e2e: the server's first line does not end with a URL: {line:?}")
            })?
            .to_string();
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `[data-testid="id"]`.
fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// Prints a step that passed.
fn pass(step: &str) {
    eprintln!("e2e: ✓ {step}");
}

/// The shop page in the browser, with the checks the scenario is made of.
struct Shop<'a> {
    driver: &'a Driver,
    url: &'a str,
}

impl Shop<'_> {
    /// The scenario, step by step.
    fn scenario(&self) -> Result<(), String> {
        self.step("a (clean start)", Self::clean_start)?;
        self.step("b (adding in the Yew island)", Self::add_products)?;
        self.step("c (opening the flyout)", Self::open_flyout)?;
        self.step("d (removing a line)", Self::remove_line)?;
        self.step("e (reloading)", Self::reload)?;
        self.step("f (a second tab)", Self::second_tab)?;
        self.step("g (a corrupt stored entry)", Self::corrupt_entry)?;
        self.step(
            "g2 (writing from the second wasm module)",
            Self::write_from_footer,
        )?;
        self.step("h (clearing from the JS island)", Self::clear_from_js)?;
        self.step(
            "h2 (clearing a cart of several lines with two tabs open)",
            Self::clear_with_two_tabs,
        )?;
        self.step("i (the browser console)", Self::check_console)
    }

    /// Runs one step; its error is prefixed with the step's `name`.
    fn step(&self, name: &str, body: fn(&Self) -> Result<(), String>) -> Result<(), String> {
        body(self).map_err(|e| format!("step {name}: {e}"))
    }

    /// a. An empty cart, freshly loaded: every counter at 0, flyout closed.
    fn clean_start(&self) -> Result<(), String> {
        let d = self.driver;
        d.navigate(self.url)?;
        d.execute("localStorage.clear();", &[])
            .map_err(|e| format!("clear localStorage: {e}"))?;
        d.refresh()?;
        self.wait_hydrated()?;
        pass("all six islands hydrated");
        self.expect_counts(0)?;
        self.expect_displayed("flyout", false)?;
        self.expect_attribute("cart-toggle", "aria-expanded", "false")?;
        pass("empty cart: badge, JS island and footer show 0, flyout closed");
        Ok(())
    }

    /// b. Adding in the Yew island reaches every other island.
    fn add_products(&self) -> Result<(), String> {
        self.click("add-tee")?;
        self.expect_counts(1)?;
        pass("badge, JS island and footer show 1 after adding in the Yew island");
        self.click("add-tee")?;
        self.click("add-mug")?;
        self.expect_text("badge-count", "3")?;
        pass("badge shows 3 after adding a second tee and a mug");
        Ok(())
    }

    /// c. The Leptos toggle opens the Dioxus flyout, which lists the cart;
    /// the screenshot of the demo is taken here.
    fn open_flyout(&self) -> Result<(), String> {
        self.click("cart-toggle")?;
        self.expect_displayed("flyout", true)?;
        self.expect_attribute("cart-toggle", "aria-expanded", "true")?;
        self.expect_text("qty-tee", "2")?;
        self.expect_text("qty-mug", "1")?;
        pass("the toggle opens the flyout: 2 tees, 1 mug");
        let shot = self.save_screenshot("islands.png")?;
        eprintln!("e2e: screenshot of the open cart: {}", shot.display());
        Ok(())
    }

    /// d. Removing a product in the flyout drops its line and its quantity.
    fn remove_line(&self) -> Result<(), String> {
        self.click("remove-mug")?;
        self.expect_gone(&testid("line-mug"))?;
        self.expect_text("badge-count", "2")?;
        self.expect_stored("tee", 2)?;
        pass("removing the mug drops its line; badge shows 2; localStorage has cart:tee = 2");
        Ok(())
    }

    /// e. The cart survives a reload; the open state does not.
    fn reload(&self) -> Result<(), String> {
        self.driver.refresh()?;
        self.wait_hydrated()?;
        self.expect_counts(2)?;
        self.expect_displayed("flyout", false)?;
        self.expect_attribute("cart-toggle", "aria-expanded", "false")?;
        pass("after a reload the cart still holds 2 and the flyout is closed");
        Ok(())
    }

    /// f. A second tab at the same URL sees the cart, and what it adds
    /// shows up in the first one.
    fn second_tab(&self) -> Result<(), String> {
        let d = self.driver;
        let (first, second) = self.open_second_tab()?;
        self.expect_text("badge-count", "2")
            .map_err(|e| format!("in the second tab: {e}"))?;
        pass("a second tab hydrates with the badge at 2");
        self.click("add-cap")
            .map_err(|e| format!("in the second tab: {e}"))?;
        d.switch_to_window(&first)?;
        self.expect_counts(3)
            .map_err(|e| format!("in the first tab, after adding a cap in the second: {e}"))?;
        pass("adding a cap in the second tab makes the first tab show 3");
        self.close_second_tab(first, &second)
    }

    /// g. A corrupt stored entry is ignored, and the cart still works.
    fn corrupt_entry(&self) -> Result<(), String> {
        let d = self.driver;
        d.execute("localStorage.setItem('cart:mug', '{not json');", &[])
            .map_err(|e| format!("write a corrupt cart:mug: {e}"))?;
        d.refresh()?;
        self.wait_hydrated()?;
        self.expect_text("badge-count", "3")?;
        pass("with a corrupt cart:mug entry the page hydrates and the badge shows 3");
        self.click("add-stickers")?;
        self.expect_text("badge-count", "4")?;
        pass("adding stickers makes it 4");
        Ok(())
    }

    /// g2. The footer, a wasm module built apart from the islands, writes
    /// the cart by name; the main module applies it to its own `CART`.
    fn write_from_footer(&self) -> Result<(), String> {
        self.click("footer-add")?;
        self.expect_counts(5)?;
        self.expect_stored("stickers", 2)?;
        pass("the separately built footer module adds stickers: 5 everywhere, saved");
        Ok(())
    }

    /// h. The plain JS island empties the cart for every island.
    fn clear_from_js(&self) -> Result<(), String> {
        self.click("js-clear")?;
        self.expect_counts(0)?;
        pass("the JS island's clear button empties the cart: 0 everywhere");
        self.click("cart-toggle")?;
        self.expect_displayed("flyout", true)?;
        self.expect_displayed("cart-empty", true)?;
        self.expect_gone("[data-testid^=\"line-\"]")?;
        pass("the flyout says the cart is empty");
        Ok(())
    }

    /// h2. A change of several keys at once (clearing a cart of three
    /// lines) with two tabs open: both tabs reach the empty cart and stay
    /// there, so no change echoes between the tabs.
    fn clear_with_two_tabs(&self) -> Result<(), String> {
        let d = self.driver;
        for id in ["add-tee", "add-mug", "add-cap"] {
            self.click(id)?;
        }
        self.expect_counts(3)?;
        let (first, second) = self.open_second_tab()?;
        self.expect_counts(3)
            .map_err(|e| format!("in the second tab: {e}"))?;
        self.click("js-clear")
            .map_err(|e| format!("in the second tab: {e}"))?;
        self.expect_counts(0)
            .map_err(|e| format!("in the second tab: {e}"))?;
        d.switch_to_window(&first)?;
        self.expect_counts(0)
            .map_err(|e| format!("in the first tab, after clearing in the second: {e}"))?;
        // An echo would bring items back within a few message delays.
        std::thread::sleep(Duration::from_millis(1000));
        for tab in [&first, &second] {
            d.switch_to_window(tab)?;
            self.expect_counts(0)
                .map_err(|e| format!("one second after clearing: {e}"))?;
            let stored = d.execute(
                "return Object.keys(localStorage).filter(function (k) { \
                     return k.indexOf('cart:') === 0; }).length;",
                &[],
            )?;
            if stored != json!(0) {
                return Err(format!(
                    "one second after clearing, cart entries stored: {stored}"
                ));
            }
        }
        pass("clearing three lines in a second tab empties both tabs, and they stay empty");
        self.close_second_tab(first, &second)
    }

    /// Opens the shop in a new tab and waits for it to hydrate there.
    /// Returns the handles of the first tab and the new one, which is the
    /// current tab.
    fn open_second_tab(&self) -> Result<(String, String), String> {
        let d = self.driver;
        let first = d.window_handle()?;
        let second = d.new_window("tab")?;
        d.switch_to_window(&second)?;
        d.navigate(self.url)?;
        self.wait_hydrated()
            .map_err(|e| format!("in the second tab: {e}"))?;
        Ok((first, second))
    }

    /// Closes the `second` tab and returns to `first`, checking that it is
    /// the only one left.
    fn close_second_tab(&self, first: String, second: &str) -> Result<(), String> {
        let d = self.driver;
        d.switch_to_window(second)?;
        d.close_window()?;
        d.switch_to_window(&first)?;
        let open = d.window_handles()?;
        if open != [first] {
            return Err(format!("after closing the second tab, open tabs: {open:?}"));
        }
        Ok(())
    }

    /// Waits until every island root is marked hydrated.
    fn wait_hydrated(&self) -> Result<(), String> {
        let script = "return arguments[0].filter(function (id) { \
                          var root = document.getElementById(id); \
                          return !root || root.getAttribute('data-hydrated') !== 'true'; \
                      });";
        self.driver
            .wait_until("every island to be hydrated", HYDRATION, |d| {
                let waiting = d.execute(script, &[json!(ISLANDS)])?;
                match waiting.as_array() {
                    Some(left) if left.is_empty() => Ok(()),
                    _ => Err(format!("not hydrated yet: {waiting}")),
                }
            })
    }

    /// Clicks the element with test id `id`, retrying while it is missing,
    /// stale or not yet clickable.
    fn click(&self, id: &str) -> Result<(), String> {
        let selector = testid(id);
        self.driver
            .wait_until(&format!("a click on {selector}"), STEP, |d| {
                d.click(&d.find(&selector)?)
            })
    }

    /// Waits until the text of the element with test id `id` is `expected`.
    fn expect_text(&self, id: &str, expected: &str) -> Result<(), String> {
        let selector = testid(id);
        self.driver
            .wait_until(&format!("{selector} to read {expected:?}"), STEP, |d| {
                let text = d.text(&d.find(&selector)?)?;
                if text.trim() == expected {
                    Ok(())
                } else {
                    Err(format!("{text:?}"))
                }
            })
    }

    /// Waits until the badge, the JS island and the footer all show `total`.
    fn expect_counts(&self, total: u32) -> Result<(), String> {
        let total = total.to_string();
        COUNTERS
            .iter()
            .try_for_each(|id| self.expect_text(id, &total))
    }

    /// Waits until the element with test id `id` is (or is not) displayed.
    /// It must be in the page either way.
    fn expect_displayed(&self, id: &str, shown: bool) -> Result<(), String> {
        let selector = testid(id);
        let what = if shown { "displayed" } else { "hidden" };
        self.driver
            .wait_until(&format!("{selector} to be {what}"), STEP, |d| {
                if d.is_displayed(&d.find(&selector)?)? == shown {
                    Ok(())
                } else {
                    Err(format!(
                        "{selector} is {}",
                        if shown { "hidden" } else { "displayed" }
                    ))
                }
            })
    }

    /// Waits until the element with test id `id` has `name="value"`.
    fn expect_attribute(&self, id: &str, name: &str, value: &str) -> Result<(), String> {
        let selector = testid(id);
        self.driver.wait_until(
            &format!("{selector} to have {name}={value:?}"),
            STEP,
            |d| match d.attribute(&d.find(&selector)?, name)? {
                Some(actual) if actual == value => Ok(()),
                Some(actual) => Err(format!("{name}={actual:?}")),
                None => Err(format!("no {name} attribute")),
            },
        )
    }

    /// Waits until no element matches the CSS `selector`.
    fn expect_gone(&self, selector: &str) -> Result<(), String> {
        self.driver
            .wait_until(&format!("{selector} to be removed"), STEP, |d| {
                match d.find_all(selector)?.len() {
                    0 => Ok(()),
                    n => Err(format!("{n} still in the page")),
                }
            })
    }

    /// Waits until localStorage holds `cart:<product>` = the JSON `quantity`.
    fn expect_stored(&self, product: &str, quantity: u32) -> Result<(), String> {
        let key = format!("cart:{product}");
        self.driver
            .wait_until(&format!("localStorage {key} to be {quantity}"), STEP, |d| {
                let stored =
                    d.execute("return localStorage.getItem(arguments[0]);", &[json!(key)])?;
                let parsed = stored
                    .as_str()
                    .and_then(|text| serde_json::from_str::<Value>(text).ok());
                if parsed == Some(json!(quantity)) {
                    Ok(())
                } else {
                    Err(format!("{key} = {stored}"))
                }
            })
    }

    /// i. Fails when the browser console has a severe message about a
    /// panic, a wasm trap or an uncaught exception; other severe messages
    /// (except missing favicons) are printed.
    fn check_console(&self) -> Result<(), String> {
        let entries = self.driver.browser_logs()?;
        let mut panics: Vec<&str> = Vec::new();
        for entry in entries.iter().filter(|e| e.level == "SEVERE") {
            let message = entry.message.as_str();
            if ["panicked", "RuntimeError", "Uncaught"]
                .iter()
                .any(|sign| message.contains(sign))
            {
                // The same panic on every load is reported once.
                if !panics.contains(&message) {
                    panics.push(message);
                }
            } else if !message.contains("favicon") {
                eprintln!("e2e: console error (not a panic): {message}");
            }
        }
        if !panics.is_empty() {
            return Err(format!(
                "the browser console reports a panic:\n  {}",
                panics.join("\n  ")
            ));
        }
        pass("no panic, wasm trap or uncaught error in the browser console");
        Ok(())
    }

    /// Saves a screenshot of the current tab as `target/e2e/<name>`.
    fn save_screenshot(&self, name: &str) -> Result<PathBuf, String> {
        let png = self.driver.screenshot()?;
        let path = Path::new(OUT).join(name);
        std::fs::write(&path, png).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }

    /// After a failed step: a screenshot of the page and the browser
    /// console's severe messages, as far as they can still be had.
    fn report_failure(&self) {
        match self.save_screenshot("failure.png") {
            Ok(path) => eprintln!("e2e: screenshot at the failure: {}", path.display()),
            Err(e) => eprintln!("e2e: no failure screenshot: {e}"),
        }
        if let Ok(url) = self.driver.current_url() {
            eprintln!("e2e: the page at the failure: {url}");
        }
        match self.driver.browser_logs() {
            Ok(entries) => {
                for entry in entries.iter().filter(|e| e.level == "SEVERE") {
                    eprintln!("e2e: browser console: {}", entry.message);
                }
            }
            Err(e) => eprintln!("e2e: no browser console: {e}"),
        }
    }
}
