//! The web app over real HTTP on loopback: pages, a run as a background job, located errors
//! for bad forms, limits, downloads and comparison.

#![cfg_attr(feature = "browser", allow(dead_code))]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `multivector serve` on a free port with its own store.
pub fn start(db: &std::path::Path) -> Server {
    start_with(db, &[])
}

/// [`start`] with more arguments.
pub fn start_with(db: &std::path::Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_multivector"))
        .args(["serve", "--port", "0", "--db", db.to_str().unwrap()])
        .args(extra)
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let port = loop {
        let line = lines
            .next()
            .expect("the server says where it listens")
            .unwrap();
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server { child, port }
}

/// One HTTP/1.1 request; returns the status, the headers and the body.
pub fn http(port: u16, method: &str, path: &str, body: &str) -> (u16, String, String) {
    http_with(port, method, path, body, "Host: 127.0.0.1\r\n")
}

/// [`http`] with these header lines (each ending in CRLF) in place of the Host line.
pub fn http_with(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    headers: &str,
) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\n{headers}Connection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// Polls a job page until it links to its run; returns the run's path.
#[allow(dead_code)]
pub fn wait_for_run(port: u16, job: &str) -> String {
    let t0 = Instant::now();
    loop {
        let (code, _, body) = http(port, "GET", job, "");
        assert_eq!(code, 200, "{body}");
        if let Some(rest) = body.split("id=\"result\" href=\"").nth(1) {
            return rest[..rest.find('"').unwrap()].to_string();
        }
        assert!(!body.contains("Failed"), "{body}");
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "the run did not finish"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[cfg(not(feature = "browser"))]
#[test]
fn the_web_app_runs_edits_compares_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start(&dir.path().join("w.db"));
    let p = srv.port;
    let (code, _, index) = http(p, "GET", "/", "");
    assert_eq!(code, 200);
    assert!(index.contains("/scenarios/kazakhstan"));
    let (code, _, form) = http(p, "GET", "/scenarios/kazakhstan", "");
    assert_eq!(code, 200);
    assert!(form.contains("name=\"s0\""));
    // A run as a background job.
    let (code, head, _) = http(p, "POST", "/runs", "scenario=kazakhstan&draws=20&seed=3");
    assert_eq!(code, 303, "{head}");
    let job = head
        .lines()
        .find_map(|l| l.strip_prefix("location: "))
        .unwrap()
        .trim()
        .to_string();
    let run1 = wait_for_run(p, &job);
    let (code, _, report) = http(p, "GET", &run1, "");
    assert_eq!(code, 200);
    assert!(report.contains("<svg") && report.contains("Forecasts"));
    // An edited stance runs as a variant; a second run to compare.
    let (_, head, _) = http(
        p,
        "POST",
        "/runs",
        "scenario=kazakhstan&draws=0&seed=3&p0=55",
    );
    let job = head
        .lines()
        .find_map(|l| l.strip_prefix("location: "))
        .unwrap()
        .trim()
        .to_string();
    let run2 = wait_for_run(p, &job);
    let (a, b) = (
        run1.trim_start_matches("/runs/"),
        run2.trim_start_matches("/runs/"),
    );
    let (code, _, cmp) = http(p, "GET", &format!("/compare?a={a}&b={b}"), "");
    assert_eq!(code, 200);
    assert!(cmp.contains("id=\"compare\""));
    let (code, head, json) = http(p, "GET", &format!("{run1}/export.json"), "");
    assert_eq!(code, 200);
    assert!(head.contains("application/json"));
    assert!(serde_json::from_str::<serde_json::Value>(&json).unwrap()["issues"].is_array());
    let (_, _, csv) = http(p, "GET", &format!("{run1}/export.csv"), "");
    assert!(csv.starts_with("run,issue,model,forecast,seed"));
    // Bad input: located errors, 4xx, never 5xx.
    let (code, _, body) = http(p, "POST", "/runs", "scenario=kazakhstan&draws=0&s0=400");
    assert_eq!(code, 422);
    assert!(body.contains("lies outside the salience scale"), "{body}");
    // Located by stance and field (the user's terms), not by a line of generated text.
    assert!(
        body.contains("stance of `KAZ` on `recognition`, field `salience`: 400 lies outside"),
        "{body}"
    );
    let (code, _, body) = http(p, "POST", "/runs", "scenario=kazakhstan&p0=abc");
    assert_eq!(code, 422);
    assert!(body.contains("is not a number"));
    assert_eq!(http(p, "POST", "/runs", "scenario=..%2F..%2Fetc").0, 400);
    assert_eq!(http(p, "GET", "/scenarios/..%2Fetc", "").0, 404);
    assert_eq!(
        http(p, "POST", "/runs", "scenario=kazakhstan&draws=99999999").0,
        422
    );
    // A form may carry a scenario's text (up to 1 MiB); beyond that, 413.
    let big = format!("scenario=kazakhstan&x={}", "a".repeat(1_100_000));
    assert_eq!(http(p, "POST", "/runs", &big).0, 413);
    assert_eq!(http(p, "GET", "/runs/999", "").0, 404);
    assert_eq!(http(p, "GET", "/compare?a=1", "").0, 400);
}

#[cfg(not(feature = "browser"))]
#[test]
fn the_web_app_cannot_be_turned_against_its_user() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start_with(&dir.path().join("w.db"), &["--header-timeout", "1"]);
    let p = srv.port;
    // Reflected XSS: a form value comes back escaped, never as markup.
    let (code, head, body) = http(
        p,
        "POST",
        "/runs",
        "scenario=kazakhstan&draws=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    );
    assert_eq!(code, 422);
    assert!(!body.contains("<script>"), "{body}");
    assert!(body.contains("&quot;&gt;&lt;script&gt;alert(1)"), "{body}");
    // Every page carries the security headers, error pages too.
    for h in [
        "content-security-policy: default-src 'none'",
        "x-content-type-options: nosniff",
        "x-frame-options: DENY",
        "frame-ancestors 'none'",
    ] {
        assert!(head.contains(h), "{h}: {head}");
        assert!(http(p, "GET", "/", "").1.contains(h), "{h}");
    }
    // Cross-site request forgery: a POST from another origin starts nothing.
    for origin in [
        "Origin: http://evil.example\r\n",
        "Origin: null\r\n",
        "Referer: http://evil.example/page\r\n",
        "Sec-Fetch-Site: cross-site\r\n",
    ] {
        let (code, _, body) = http_with(
            p,
            "POST",
            "/runs",
            "scenario=kazakhstan&draws=0",
            &format!("Host: 127.0.0.1:{p}\r\n{origin}"),
        );
        assert_eq!(code, 403, "{origin}: {body}");
    }
    assert!(http(p, "GET", "/", "").2.contains("0 job(s) submitted"));
    // The app's own form posts (same origin) still work.
    let (code, _, _) = http_with(
        p,
        "POST",
        "/runs",
        "scenario=kazakhstan&draws=0",
        &format!(
            "Host: 127.0.0.1:{p}\r\nOrigin: http://127.0.0.1:{p}\r\nSec-Fetch-Site: same-origin\r\n"
        ),
    );
    assert_eq!(code, 303);
    // DNS rebinding: a request naming another host is refused, whatever its path.
    for path in ["/", "/scenarios/kazakhstan", "/runs/1/export.json"] {
        let (code, _, _) = http_with(p, "GET", path, "", "Host: evil.example:8080\r\n");
        assert_eq!(code, 421, "{path}");
    }
    assert_eq!(http_with(p, "GET", "/", "", "Host: localhost\r\n").0, 200);
    // Edits that are not finite numbers are errors, never dropped; overlarge ones are named
    // by stance, in the validator's words.
    let (code, _, body) = http(p, "POST", "/runs", "scenario=kazakhstan&draws=0&p0=NaN");
    assert_eq!(code, 422);
    assert!(body.contains("is not a finite number"), "{body}");
    let (code, _, body) = http(p, "POST", "/runs", "scenario=kazakhstan&draws=0&s0=1e20");
    assert_eq!(code, 422);
    assert!(body.contains("stance of `"), "{body}");
    assert!(!body.contains("i128"), "{body}");
    // Slow clients: a connection that sends no request, or never finishes its headers, is
    // closed after the header timeout (1 s here).
    for partial in ["", "GET / HTTP/1.1\r\nHost: 127"] {
        let mut s = TcpStream::connect(("127.0.0.1", p)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(partial.as_bytes()).unwrap();
        let t0 = Instant::now();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        let waited = t0.elapsed();
        assert!(
            waited < Duration::from_secs(5),
            "{partial:?}: still open after {waited:?}"
        );
    }
}

/// Percent-encodes every byte but ASCII letters and digits.
fn form_encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(not(feature = "browser"))]
#[test]
fn any_form_value_gets_a_run_or_a_located_422_never_a_server_error() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let dir = tempfile::tempdir().unwrap();
    let srv = start(&dir.path().join("w.db"));
    let p = srv.port;
    let value = prop_oneof![
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-1e308".to_string()),
        Just("1e20".to_string()),
        Just("\"><script>alert(1)</script>".to_string()),
        "-?[0-9]{1,4}(\\.[0-9]{1,3})?",
        ".{0,12}",
    ];
    let mut runner = TestRunner::new(Config {
        cases: 40,
        ..Config::default()
    });
    runner
        .run(&(value.clone(), value, 0usize..90), |(a, b, k)| {
            let body = format!(
                "scenario=kazakhstan&draws=0&seed=1&p{k}={}&s{k}={}",
                form_encode(&a),
                form_encode(&b)
            );
            let (code, _, page) = http(p, "POST", "/runs", &body);
            prop_assert!(
                code == 303 || code == 422,
                "{code} for {a:?}, {b:?}: {page}"
            );
            prop_assert!(!page.contains("<script>"), "unescaped: {page}");
            if code == 422 {
                prop_assert!(page.contains("id=\"errors\""), "{page}");
            }
            Ok(())
        })
        .unwrap();
}

#[cfg(not(feature = "browser"))]
#[test]
fn a_web_run_and_the_same_run_from_the_shell_store_identical_settings_and_documents() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("same.db");
    let srv = start(&db);
    let (code, head, _) = http(
        srv.port,
        "POST",
        "/runs",
        "scenario=kazakhstan&draws=30&seed=3",
    );
    assert_eq!(code, 303, "{head}");
    let job = head
        .lines()
        .find_map(|l| l.strip_prefix("location: "))
        .unwrap()
        .trim()
        .to_string();
    let web: i64 = wait_for_run(srv.port, &job)
        .trim_start_matches("/runs/")
        .parse()
        .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_multivector"))
        .args(["run", "--draws", "30", "--seed", "3", "--quiet", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    drop(srv);
    let store = multivector_store::Store::open(&db).unwrap();
    let runs = store.list().unwrap();
    let shell = runs.iter().map(|r| r.id).find(|&id| id != web).unwrap();
    let (a, b) = (store.get(web).unwrap(), store.get(shell).unwrap());
    assert_eq!(a.summary.command, "web run");
    assert_eq!(b.summary.command, "run");
    assert_eq!(a.options, b.options, "settings");
    assert_eq!(a.document, b.document, "documents");
    assert_eq!((a.summary.seed, a.summary.draws), (3, 30));
    // The stored document reads back as the typed report.
    let report = multivector::run::RunReport::from_json(&a.document).unwrap();
    assert_eq!(report.settings.draws, 30);
    assert_eq!(report.ensemble.unwrap().draws, 30);
}
