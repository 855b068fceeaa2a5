//! Browser tests: the web app driven in headless Chromium through ChromeDriver (W3C
//! WebDriver over HTTP, spoken here with a few JSON requests). Needs Debian's `chromium` and
//! `chromium-driver` (installed by `.ci/run`); run with
//!
//! ```sh
//! cargo test -p multivector-cli --features browser --test browser
//! ```
//!
//! It fails, not skips, when ChromeDriver is missing. Screenshots are saved under
//! `target/browser-artifacts/`.

#![cfg(feature = "browser")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "cli/serve.rs"]
mod serve;

struct Driver {
    child: Child,
    port: u16,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = request(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn request(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    // ChromeDriver keeps the connection open: read the headers, then Content-Length bytes.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let (head, start) = loop {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "connection closed before the headers");
        raw.extend_from_slice(&buf[..n]);
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break (String::from_utf8_lossy(&raw[..p]).to_string(), p + 4);
        }
    };
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while raw.len() < start + len {
        let n = s.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let body = String::from_utf8_lossy(&raw[start..(start + len).min(raw.len())]).to_string();
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

impl Driver {
    fn start() -> Driver {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", std::env::temp_dir().join("multivector-chromedriver.log").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed: apt-get install chromium chromium-driver (.ci/run does)");
        let t0 = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = std::env::temp_dir().join(format!("mv-chrome-{}", std::process::id()));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--window-size=1200,1600", format!("--user-data-dir={}", profile.display())]
            }
        }}});
        let v = request(port, "POST", "/session", Some(&caps));
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        Driver {
            child,
            port,
            session,
        }
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let v = request(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        );
        assert!(v["value"]["error"].is_null(), "{method} {path}: {v}");
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
    }

    fn find(&self, css: &str) -> String {
        let t0 = Instant::now();
        loop {
            let v = request(
                self.port,
                "POST",
                &format!("/session/{}/element", self.session),
                Some(&json!({"using": "css selector", "value": css})),
            );
            // The W3C element reference key; an error answer has none.
            if let Some(id) = v["value"]["element-6066-11e4-a52e-4f735466cecf"].as_str() {
                return id.to_string();
            }
            assert!(t0.elapsed() < Duration::from_secs(90), "no element {css}");
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    fn fill(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/clear"), Some(json!({})));
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({"text": text})),
        );
    }

    fn source(&self) -> String {
        self.cmd("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn screenshot(&self, name: &str) {
        use std::io::Write as _;
        let b64 = self.cmd("GET", "/screenshot", None);
        let data = base64_decode(b64.as_str().unwrap());
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        let mut f = std::fs::File::create(dir.join(name)).unwrap();
        f.write_all(&data).unwrap();
        assert!(data.starts_with(&[0x89, b'P', b'N', b'G']), "a PNG");
    }
}

/// Standard base64 (the screenshot's encoding), decoded by hand: a dozen lines rather than a
/// dependency for one test.
fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let v: Vec<u32> = chunk.iter().map(|&c| u32::from(val(c))).collect();
        let n = v.iter().fold(0u32, |acc, x| (acc << 6) | x) << (6 * (4 - v.len()));
        let k = v.len() * 6 / 8;
        for i in 0..k {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

#[test]
fn an_analyst_runs_edits_and_compares_in_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let srv = serve::start(&dir.path().join("b.db"));
    let base = format!("http://127.0.0.1:{}", srv.port);
    let d = Driver::start();
    // Open the app and the built-in scenario; run it.
    d.go(&base);
    d.click("a[href='/scenarios/kazakhstan']");
    d.fill("input[name='draws']", "50");
    d.click("#run");
    d.click("#result");
    d.find("svg");
    let page = d.source();
    assert!(
        page.contains("Forecasts") && page.contains("bdm-scholz"),
        "the forecast table"
    );
    d.screenshot("report.png");
    // A bad salience is refused with the located error.
    d.go(&format!("{base}/scenarios/kazakhstan"));
    d.fill("input[name='s0']", "400");
    d.click("#run");
    d.find("#errors");
    assert!(d.source().contains("lies outside the salience scale"));
    d.screenshot("error.png");
    // A second run with a valid edit, then compare the two from the index.
    d.fill("input[name='s0']", "60");
    d.fill("input[name='draws']", "0");
    d.click("#run");
    d.click("#result");
    d.go(&base);
    d.fill("input[name='a']", "1");
    d.fill("input[name='b']", "2");
    d.click("form[action='/compare'] button");
    d.find("#compare");
    assert!(d.source().contains("difference"));
    d.screenshot("compare.png");
}
