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
    let mut child = Command::new(env!("CARGO_BIN_EXE_multivector"))
        .args(["serve", "--port", "0", "--db", db.to_str().unwrap()])
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
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
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
    assert!(body.contains("kazakhstan:"), "located");
    let (code, _, body) = http(p, "POST", "/runs", "scenario=kazakhstan&p0=abc");
    assert_eq!(code, 422);
    assert!(body.contains("is not a number"));
    assert_eq!(http(p, "POST", "/runs", "scenario=..%2F..%2Fetc").0, 400);
    assert_eq!(http(p, "GET", "/scenarios/..%2Fetc", "").0, 404);
    assert_eq!(
        http(p, "POST", "/runs", "scenario=kazakhstan&draws=99999999").0,
        422
    );
    let big = format!("scenario=kazakhstan&x={}", "a".repeat(70_000));
    assert_eq!(http(p, "POST", "/runs", &big).0, 413);
    assert_eq!(http(p, "GET", "/runs/999", "").0, 404);
    assert_eq!(http(p, "GET", "/compare?a=1", "").0, 400);
}
