//! A minimal W3C WebDriver client for headless Chromium.
//!
//! It starts `/usr/bin/chromedriver` on a free port, opens one session and
//! speaks plain HTTP/1.1 to it over [`TcpStream`] (one connection per
//! command, `Connection: close`), with JSON bodies through `serde_json`.
//! Only what the end-to-end tests need is here. Every error is a `String`
//! naming the command that failed; dropping the [`Driver`] ends the session
//! and stops chromedriver (and the browser it started), also when a test
//! fails half-way.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The chromedriver binary (Debian's `chromium-driver` package).
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The browser chromedriver is told to start.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The key under which W3C WebDriver wraps an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How often [`Driver::wait_until`] looks again.
const POLL: Duration = Duration::from_millis(50);

/// How long chromedriver may take to answer `/status` as ready.
const STARTUP: Duration = Duration::from_secs(20);

/// How long one command may take. Navigation waits for the page to load,
/// which the session's page-load timeout ([`PAGE_LOAD`]) bounds first.
const COMMAND: Duration = Duration::from_secs(90);

/// The session's page-load timeout.
const PAGE_LOAD: Duration = Duration::from_secs(60);

/// How long ending the session may take when the driver is dropped.
const SHUTDOWN: Duration = Duration::from_secs(10);

/// Picks a TCP port on 127.0.0.1 that is free right now: binds port 0 and
/// reads back the port the system chose, then releases it.
pub fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("cannot find a free port on 127.0.0.1: {e}"))
}

/// A reference to an element of the current page, as returned by
/// [`Driver::find`]. It goes stale when the page reloads or the element is
/// removed; find it again then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element(String);

impl Element {
    /// The element as a script argument for [`Driver::execute`].
    #[allow(dead_code)] // client API the islands scenario does not need
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.0 })
    }

    /// Reads an element reference out of a WebDriver answer.
    fn from_json(value: &Value) -> Option<Self> {
        value
            .get(ELEMENT_KEY)
            .and_then(Value::as_str)
            .map(|id| Element(id.to_string()))
    }
}

/// One message of the browser console.
#[derive(Clone, Debug)]
pub struct LogEntry {
    /// `SEVERE`, `WARNING`, `INFO` or `DEBUG`.
    pub level: String,
    /// The text, as Chromium reports it (usually prefixed by its source).
    pub message: String,
}

/// The chromedriver process. Dropping it asks chromedriver to shut down
/// (it then removes the browser's temporary profile), and after a grace
/// period stops it and anything left of the browser it started (they
/// share a process group).
struct Process {
    child: Child,
    /// The port chromedriver listens on.
    port: u16,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = http(self.port, "GET", "/shutdown", None, SHUTDOWN);
        let started = Instant::now();
        while started.elapsed() < SHUTDOWN {
            match self.child.try_wait() {
                Ok(None) => std::thread::sleep(POLL),
                _ => break,
            }
        }
        // The group id is chromedriver's pid (see `process_group(0)`), so
        // this reaches only chromedriver and the browser it started; it is
        // usually empty by now.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A WebDriver session in headless Chromium, with its own chromedriver.
pub struct Driver {
    /// The port chromedriver listens on, on 127.0.0.1.
    port: u16,
    /// The session id chromedriver gave.
    session: String,
    /// Only held to be dropped, and declared last so that this happens
    /// after the session is deleted.
    _process: Process,
}

impl Driver {
    /// Starts chromedriver on a free port, waits until it is ready and opens
    /// a session in headless Chromium with the browser console logged.
    /// With `log`, chromedriver writes its own log there.
    pub fn start(log: Option<&Path>) -> Result<Driver, String> {
        for binary in [CHROMEDRIVER, CHROMIUM] {
            if !Path::new(binary).exists() {
                return Err(format!(
                    "webdriver: {binary} is missing; install it with \
                     `sudo apt-get install -y chromium chromium-driver`"
                ));
            }
        }
        let port = free_port()?;
        let mut cmd = Command::new(CHROMEDRIVER);
        cmd.arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that shutting down can reach the
            // browser too.
            .process_group(0);
        if let Some(log) = log {
            cmd.arg(format!("--log-path={}", log.display()));
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("webdriver: cannot start {CHROMEDRIVER}: {e}"))?;
        let mut process = Process { child, port };
        wait_ready(&mut process, port)?;

        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "goog:chromeOptions": {
                        "binary": CHROMIUM,
                        "args": [
                            "--headless=new",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--no-first-run",
                            "--disable-dev-shm-usage",
                            "--window-size=1280,900",
                        ],
                    },
                    "goog:loggingPrefs": { "browser": "ALL" },
                }
            }
        });
        let created = http(port, "POST", "/session", Some(&capabilities), COMMAND)
            .map_err(|e| format!("webdriver: cannot create a Chromium session: {e}"))?;
        let session = created
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("webdriver: new session: no sessionId in {created}"))?
            .to_string();
        let driver = Driver {
            port,
            session,
            _process: process,
        };
        driver.command(
            "set the page-load timeout",
            "POST",
            "/timeouts",
            Some(json!({ "pageLoad": PAGE_LOAD.as_millis() as u64 })),
        )?;
        Ok(driver)
    }

    /// Sends one command of this session (`path` is relative to
    /// `/session/{id}`) and returns its `value`; errors start with `step`.
    fn command(
        &self,
        step: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let path = format!("/session/{}{path}", self.session);
        http(self.port, method, &path, body.as_ref(), COMMAND).map_err(|e| format!("{step}: {e}"))
    }

    /// Opens `url` in the current tab and waits for it to load.
    pub fn navigate(&self, url: &str) -> Result<(), String> {
        self.command(
            &format!("navigate to {url}"),
            "POST",
            "/url",
            Some(json!({ "url": url })),
        )
        .map(drop)
    }

    /// Reloads the current page and waits for it to load.
    pub fn refresh(&self) -> Result<(), String> {
        self.command("reload the page", "POST", "/refresh", Some(json!({})))
            .map(drop)
    }

    /// The URL of the current page.
    pub fn current_url(&self) -> Result<String, String> {
        let url = self.command("read the current URL", "GET", "/url", None)?;
        string(url, "read the current URL")
    }

    /// The first element matching the CSS `selector`; an error when none does.
    pub fn find(&self, selector: &str) -> Result<Element, String> {
        let step = format!("find {selector}");
        let found = self.command(
            &step,
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": selector })),
        )?;
        Element::from_json(&found).ok_or_else(|| format!("{step}: not an element: {found}"))
    }

    /// Every element matching the CSS `selector` (possibly none).
    pub fn find_all(&self, selector: &str) -> Result<Vec<Element>, String> {
        let step = format!("find all {selector}");
        let found = self.command(
            &step,
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": selector })),
        )?;
        found
            .as_array()
            .ok_or_else(|| format!("{step}: not a list: {found}"))?
            .iter()
            .map(|e| Element::from_json(e).ok_or_else(|| format!("{step}: not an element: {e}")))
            .collect()
    }

    /// Clicks `element` (scrolling it into view first, as WebDriver does).
    pub fn click(&self, element: &Element) -> Result<(), String> {
        self.command(
            "click",
            "POST",
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        )
        .map(drop)
    }

    /// The rendered text of `element`, as a user would see it.
    pub fn text(&self, element: &Element) -> Result<String, String> {
        let text = self.command(
            "read text",
            "GET",
            &format!("/element/{}/text", element.0),
            None,
        )?;
        string(text, "read text")
    }

    /// The attribute `name` of `element`, `None` when it is not set.
    pub fn attribute(&self, element: &Element, name: &str) -> Result<Option<String>, String> {
        let step = format!("read attribute {name}");
        match self.command(
            &step,
            "GET",
            &format!("/element/{}/attribute/{name}", element.0),
            None,
        )? {
            Value::Null => Ok(None),
            value => string(value, &step).map(Some),
        }
    }

    /// The DOM property `name` of `element` (`null` when undefined).
    #[allow(dead_code)] // client API the islands scenario does not need
    pub fn property(&self, element: &Element, name: &str) -> Result<Value, String> {
        self.command(
            &format!("read property {name}"),
            "GET",
            &format!("/element/{}/property/{name}", element.0),
            None,
        )
    }

    /// Whether `element` is rendered visibly (not `display: none`, not
    /// hidden, not zero-sized), by WebDriver's own definition.
    pub fn is_displayed(&self, element: &Element) -> Result<bool, String> {
        let shown = self.command(
            "read displayed state",
            "GET",
            &format!("/element/{}/displayed", element.0),
            None,
        )?;
        shown
            .as_bool()
            .ok_or_else(|| format!("read displayed state: not a boolean: {shown}"))
    }

    /// Runs `script` as the body of a function in the page, with `args` as
    /// `arguments` (elements as [`Element::to_json`]), and returns what it
    /// returns. A returned promise is awaited.
    pub fn execute(&self, script: &str, args: &[Value]) -> Result<Value, String> {
        self.command(
            "run a script",
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Calls `probe` every 50 ms until it returns `Ok`, for at most
    /// `timeout`, and returns that value. `Err` from the probe means "not
    /// yet" and says what it saw; on timeout the error names `what` was
    /// awaited and the last thing seen.
    pub fn wait_until<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut(&Driver) -> Result<T, String>,
    ) -> Result<T, String> {
        let started = Instant::now();
        loop {
            match probe(self) {
                Ok(value) => return Ok(value),
                Err(seen) if started.elapsed() >= timeout => {
                    return Err(format!(
                        "timed out after {timeout:?} waiting for {what}; last observed: {seen}"
                    ))
                }
                Err(_) => std::thread::sleep(POLL),
            }
        }
    }

    /// Opens a new top-level browsing context (`kind` is `"tab"` or
    /// `"window"`) and returns its handle; the current one stays current.
    pub fn new_window(&self, kind: &str) -> Result<String, String> {
        let step = format!("open a new {kind}");
        let opened = self.command(&step, "POST", "/window/new", Some(json!({ "type": kind })))?;
        opened
            .get("handle")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("{step}: no handle in {opened}"))
    }

    /// Makes the tab or window `handle` the current one.
    pub fn switch_to_window(&self, handle: &str) -> Result<(), String> {
        self.command(
            &format!("switch to window {handle}"),
            "POST",
            "/window",
            Some(json!({ "handle": handle })),
        )
        .map(drop)
    }

    /// The handle of the current tab or window.
    pub fn window_handle(&self) -> Result<String, String> {
        let handle = self.command("read the window handle", "GET", "/window", None)?;
        string(handle, "read the window handle")
    }

    /// The handles of every open tab and window.
    pub fn window_handles(&self) -> Result<Vec<String>, String> {
        let handles = self.command("list the windows", "GET", "/window/handles", None)?;
        strings(handles, "list the windows")
    }

    /// Closes the current tab or window and returns the handles left. Switch
    /// to one of them before the next command.
    pub fn close_window(&self) -> Result<Vec<String>, String> {
        let left = self.command("close the window", "DELETE", "/window", None)?;
        strings(left, "close the window")
    }

    /// A PNG screenshot of the current tab's viewport.
    pub fn screenshot(&self) -> Result<Vec<u8>, String> {
        let encoded = self.command("take a screenshot", "GET", "/screenshot", None)?;
        let encoded = string(encoded, "take a screenshot")?;
        let png = base64_decode(&encoded).map_err(|e| format!("take a screenshot: {e}"))?;
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err("take a screenshot: the decoded data is not a PNG".into());
        }
        Ok(png)
    }

    /// The browser console messages logged since the last call (chromedriver
    /// hands each one out once), from every tab of the session.
    pub fn browser_logs(&self) -> Result<Vec<LogEntry>, String> {
        let step = "read the browser console";
        let entries = self.command(step, "POST", "/se/log", Some(json!({ "type": "browser" })))?;
        let entries = entries
            .as_array()
            .ok_or_else(|| format!("{step}: not a list: {entries}"))?;
        Ok(entries
            .iter()
            .map(|entry| LogEntry {
                level: entry
                    .get("level")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                message: entry
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            })
            .collect())
    }
}

impl Drop for Driver {
    /// Ends the session (which closes the browser); the chromedriver
    /// process is stopped right after, when `process` is dropped.
    fn drop(&mut self) {
        let path = format!("/session/{}", self.session);
        let _ = http(self.port, "DELETE", &path, None, SHUTDOWN);
    }
}

/// Polls chromedriver's `/status` until it says it is ready.
fn wait_ready(process: &mut Process, port: u16) -> Result<(), String> {
    let started = Instant::now();
    loop {
        match process.child.try_wait() {
            Ok(Some(status)) => {
                return Err(format!(
                    "webdriver: chromedriver exited ({status}) before it was ready on port {port}"
                ))
            }
            Ok(None) => {}
            Err(e) => return Err(format!("webdriver: cannot watch chromedriver: {e}")),
        }
        let seen = match http(port, "GET", "/status", None, Duration::from_secs(2)) {
            Ok(status) if status.get("ready") == Some(&Value::Bool(true)) => return Ok(()),
            Ok(status) => status.to_string(),
            Err(e) => e,
        };
        if started.elapsed() >= STARTUP {
            return Err(format!(
                "webdriver: chromedriver was not ready on port {port} after {STARTUP:?}; \
                 last status: {seen}"
            ));
        }
        std::thread::sleep(POLL);
    }
}

/// A JSON string as a `String`, or an error naming `step`.
fn string(value: Value, step: &str) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(format!("{step}: expected a string, got {other}")),
    }
}

/// A JSON list of strings, or an error naming `step`.
fn strings(value: Value, step: &str) -> Result<Vec<String>, String> {
    match value {
        Value::Array(items) => items.into_iter().map(|item| string(item, step)).collect(),
        other => Err(format!("{step}: expected a list, got {other}")),
    }
}

/// One HTTP request to chromedriver. Returns the `value` of the JSON
/// answer, or the WebDriver error (`error: message`) when it failed.
fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    timeout: Duration,
) -> Result<Value, String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("cannot connect to chromedriver at {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| format!("cannot set a socket timeout: {e}"))?;

    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: application/json\r\n"
    );
    let body = body.map(Value::to_string);
    if let Some(body) = &body {
        request.push_str("Content-Type: application/json; charset=utf-8\r\n");
        request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    } else {
        request.push_str("\r\n");
    }
    stream
        .write_all(request.as_bytes())
        .and_then(|()| stream.flush())
        .map_err(|e| format!("{method} {path}: cannot send the request: {e}"))?;

    let (status, bytes) = read_response(&mut BufReader::new(stream))
        .map_err(|e| format!("{method} {path}: bad answer from chromedriver: {e}"))?;
    let mut answer: Value = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{method} {path}: HTTP {status} with a body that is not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
                .chars()
                .take(300)
                .collect::<String>()
        )
    })?;
    let value = answer
        .get_mut("value")
        .map(Value::take)
        .unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(value);
    }
    let error = value
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("error");
    // chromedriver appends its build details after the first line, and
    // often starts the message with the error code itself.
    let message = value
        .get("message")
        .and_then(Value::as_str)
        .and_then(|m| m.lines().next())
        .unwrap_or("");
    if message.starts_with(error) {
        Err(format!("{message} (HTTP {status})"))
    } else {
        Err(format!("{error}: {message} (HTTP {status})"))
    }
}

/// Reads an HTTP/1.1 response: the status code and the body, whether sent
/// with `Content-Length`, chunked, or up to the end of the connection.
fn read_response(reader: &mut impl BufRead) -> Result<(u16, Vec<u8>), String> {
    let status_line = read_line(reader)?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| format!("not an HTTP status line: {status_line:?}"))?;

    let mut length = None;
    let mut chunked = false;
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("not an HTTP header: {line:?}"));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| format!("bad Content-Length: {value:?}"))?,
            );
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        }
    }

    let mut body = Vec::new();
    if chunked {
        loop {
            let size_line = read_line(reader)?;
            let size = size_line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size, 16)
                .map_err(|_| format!("bad chunk size: {size_line:?}"))?;
            if size == 0 {
                // Trailers, up to the blank line (or the end).
                while !read_line(reader)?.is_empty() {}
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader
                .read_exact(&mut body[start..])
                .map_err(|e| format!("truncated chunk: {e}"))?;
            read_line(reader)?;
        }
    } else if let Some(length) = length {
        body.resize(length, 0);
        reader
            .read_exact(&mut body)
            .map_err(|e| format!("truncated body ({length} bytes announced): {e}"))?;
    } else {
        reader
            .read_to_end(&mut body)
            .map_err(|e| format!("cannot read the body: {e}"))?;
    }
    Ok((status, body))
}

/// One line of the response head, without its line ending; empty at a
/// blank line or at the end of the stream.
fn read_line(reader: &mut impl BufRead) -> Result<String, String> {
    let mut line = Vec::new();
    reader
        .read_until(b'\n', &mut line)
        .map_err(|e| format!("cannot read: {e}"))?;
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| "a header line is not UTF-8".to_string())
}

/// Decodes standard base64 (`A–Z a–z 0–9 + /`, `=` padding); whitespace is
/// skipped.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut bits: u32 = 0;
    let mut count = 0;
    for (at, byte) in text.bytes().enumerate() {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return Err(format!("not base64: byte {byte:#04x} at offset {at}")),
        };
        bits = (bits << 6) | u32::from(sextet);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(base64_decode("").unwrap(), b"");
        assert_eq!(base64_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64_decode("Zm8=").unwrap(), b"fo");
        assert_eq!(base64_decode("Zm9v").unwrap(), b"foo");
        assert_eq!(base64_decode("Zm9vYg").unwrap(), b"foob");
        assert_eq!(base64_decode("iVBO\nRw0K").unwrap(), b"\x89PNG\r\n");
        assert_eq!(base64_decode("+/+/").unwrap(), [0xfb, 0xff, 0xbf]);
        assert!(base64_decode("Zm9v!").is_err());
    }

    #[test]
    fn reads_content_length_bodies() {
        let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n{\"value\":1}\r\nextra";
        let (status, body) = read_response(&mut &raw[..]).unwrap();
        assert_eq!(status, 200);
        assert_eq!(body, b"{\"value\":1}\r\n");
    }

    #[test]
    fn reads_chunked_bodies() {
        let raw = b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n\
                    4\r\n{\"va\r\n8;x=y\r\nlue\":nul\r\n2\r\nl}\r\n0\r\n\r\n";
        let (status, body) = read_response(&mut &raw[..]).unwrap();
        assert_eq!(status, 404);
        assert_eq!(body, b"{\"value\":null}");
    }

    #[test]
    fn reads_to_the_end_without_a_length() {
        let raw = b"HTTP/1.0 500 Internal Server Error\nServer: x\n\n{}";
        let (status, body) = read_response(&mut &raw[..]).unwrap();
        assert_eq!(status, 500);
        assert_eq!(body, b"{}");
    }
}
