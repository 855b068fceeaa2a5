//! Browser tests: the web app driven in headless Chromium through ChromeDriver, with the
//! fantoccini WebDriver client. Needs Debian's `chromium` and `chromium-driver` (installed by
//! `.ci/run`); run with
//!
//! ```sh
//! cargo test -p multivector-cli --features browser --test browser
//! ```
//!
//! It fails, not skips, when ChromeDriver is missing. Screenshots are saved under
//! `target/browser-artifacts/`.

#![cfg(feature = "browser")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

#[path = "cli/serve.rs"]
mod serve;

/// ChromeDriver on a free port, killed when dropped.
struct ChromeDriver {
    child: Child,
    port: u16,
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
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

impl ChromeDriver {
    fn start() -> ChromeDriver {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .arg(format!(
                "--log-path={}",
                std::env::temp_dir()
                    .join("multivector-chromedriver.log")
                    .display()
            ))
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
        ChromeDriver { child, port }
    }

    async fn client(&self) -> Client {
        // One profile per driver: two browsers on one profile (tests run in parallel) trip
        // over each other's pages.
        let profile =
            std::env::temp_dir().join(format!("mv-chrome-{}-{}", std::process::id(), self.port));
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "chrome".into());
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--window-size=1200,1600",
                         format!("--user-data-dir={}", profile.display())]
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a ChromeDriver session")
    }
}

/// Waits up to 90 s for an element (runs finish in the background).
async fn find(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(90))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css}: {e}"))
}

async fn click(c: &Client, css: &str) {
    find(c, css).await.click().await.unwrap();
}

async fn fill(c: &Client, css: &str, text: &str) {
    let e = find(c, css).await;
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(&[0x89, b'P', b'N', b'G']), "a PNG");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_runs_edits_and_compares_in_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let srv = serve::start(&dir.path().join("b.db"));
    let base = format!("http://127.0.0.1:{}", srv.port);
    let driver = ChromeDriver::start();
    let c = driver.client().await;
    // Open the app and the built-in scenario; run it.
    c.goto(&base).await.unwrap();
    find(&c, "a[href='/scenarios/kazakhstan']").await;
    screenshot(&c, "index.png").await;
    click(&c, "a[href='/scenarios/kazakhstan']").await;
    fill(&c, "input[name='draws']", "50").await;
    click(&c, "#run").await;
    click(&c, "#result").await;
    find(&c, "svg").await;
    let page = c.source().await.unwrap();
    assert!(
        page.contains("Forecasts") && page.contains("bdm-scholz"),
        "the forecast table"
    );
    screenshot(&c, "report.png").await;
    // Every model's run has a fan over rounds; a model's checkbox hides its marks in every
    // chart (CSS only, so the saved report does it offline too).
    let smp = find(&c, "#trajectories ~ figure g.m-smp").await;
    assert!(
        smp.is_displayed().await.unwrap(),
        "the spatial model's run is drawn"
    );
    click(&c, "label[for='t-m-smp']").await;
    assert!(!smp.is_displayed().await.unwrap(), "hidden by its toggle");
    let scholz = find(&c, "#trajectories ~ figure g.m-bdm-scholz").await;
    assert!(scholz.is_displayed().await.unwrap(), "the others stay");
    screenshot(&c, "report-without-smp.png").await;
    click(&c, "label[for='t-m-smp']").await;
    assert!(smp.is_displayed().await.unwrap());
    // The report prints to PDF through the print stylesheet (A4, the app's links hidden).
    let pdf = c
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let pages = pdf.windows(10).filter(|w| w == b"/Type /Pag").count();
    assert!(
        pdf.len() > 20_000 && pages >= 2,
        "{} bytes, {pages}",
        pdf.len()
    );
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-artifacts");
    std::fs::write(dir.join("report.pdf"), &pdf).unwrap();
    // A bad salience is refused with the located error.
    c.goto(&format!("{base}/scenarios/kazakhstan"))
        .await
        .unwrap();
    find(&c, "#issue-recognition").await;
    screenshot(&c, "editor.png").await;
    fill(&c, "input[name='s0']", "400").await;
    click(&c, "#run").await;
    find(&c, "#errors").await;
    assert!(
        c.source()
            .await
            .unwrap()
            .contains("lies outside the salience scale")
    );
    screenshot(&c, "error.png").await;
    // A second run with a valid edit, then compare the two from the index.
    fill(&c, "input[name='s0']", "60").await;
    fill(&c, "input[name='draws']", "0").await;
    click(&c, "#run").await;
    click(&c, "#result").await;
    c.goto(&base).await.unwrap();
    fill(&c, "input[name='a']", "1").await;
    fill(&c, "input[name='b']", "2").await;
    click(&c, "form[action='/compare'] button").await;
    find(&c, "#compare").await;
    let page = c.source().await.unwrap();
    assert!(page.contains("difference") && page.contains("Issue by issue"));
    assert!(
        page.contains("How each model scored") && page.contains("median 0.173 (9 issues)"),
        "each model's record on the outcomes"
    );
    find(&c, "figure svg").await;
    screenshot(&c, "compare.png").await;
    // Add an actor with a stance; the editor shows it in the actor table and the issue.
    c.goto(&format!("{base}/scenarios/kazakhstan"))
        .await
        .unwrap();
    fill(&c, "input[name='add_actor_id']", "UZB").await;
    fill(&c, "input[name='add_actor_capability']", "12").await;
    fill(&c, "input[name='add_stance_actor0']", "UZB").await;
    fill(&c, "input[name='add_stance_position0']", "5").await;
    fill(&c, "input[name='add_stance_salience0']", "30").await;
    fill(&c, "input[name='add_stance_why0']", "a neighbour's guess").await;
    click(&c, "#add-button").await;
    find(&c, "input[name='text']").await;
    let page = c.source().await.unwrap();
    assert!(page.contains("<td>UZB</td>"), "the new actor is listed");
    screenshot(&c, "editor-added.png").await;
    c.close().await.unwrap();
}

/// A user's own scenario: a broken file is refused with its problems beside their lines; a
/// good one, read from a file through the file picker, opens and runs, and the job page
/// follows the run in place (no reload) until its result appears.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_pastes_a_scenario_and_watches_it_run() {
    let dir = tempfile::tempdir().unwrap();
    let srv = serve::start(&dir.path().join("b.db"));
    let base = format!("http://127.0.0.1:{}", srv.port);
    let driver = ChromeDriver::start();
    let c = driver.client().await;
    let good = multivector_scenario::builtin::ALL[0].1;
    let bad = good.replacen("position = 10\n", "postion = 10\n", 1);
    let set_text = |text: &str| {
        format!(
            "document.getElementById('text').value = {};",
            serde_json::to_string(text).unwrap()
        )
    };
    c.goto(&base).await.unwrap();
    click(&c, "#own").await;
    find(&c, "#text").await;
    screenshot(&c, "paste.png").await;
    c.execute(&set_text(&bad), vec![]).await.unwrap();
    click(&c, "#check").await;
    find(&c, "#errors").await;
    let page = c.source().await.unwrap();
    assert!(page.contains("postion"), "the misspelt field is named");
    find(&c, "pre.numbered .bad").await;
    screenshot(&c, "paste-error.png").await;
    // The file picker reads a chosen file into the box.
    let file = dir.path().join("mine.toml");
    std::fs::write(&file, format!("# my copy\n{good}")).unwrap();
    c.goto(&format!("{base}/scenarios/new")).await.unwrap();
    find(&c, "#file")
        .await
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    let t0 = Instant::now();
    loop {
        let v = c
            .execute(
                "return document.getElementById('text').value.length;",
                vec![],
            )
            .await
            .unwrap();
        if v.as_u64().unwrap_or(0) > 1000 {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(20), "the file is read");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    click(&c, "#check").await;
    fill(&c, "input[name='draws']", "1000").await;
    click(&c, "#run").await;
    find(&c, "#job").await;
    // A mark on the page's window survives only if the page is never reloaded.
    c.execute("window.mvMark = 7;", vec![]).await.unwrap();
    find(&c, "#result").await;
    let mark = c.execute("return window.mvMark;", vec![]).await.unwrap();
    assert_eq!(mark, serde_json::json!(7), "the job page updated in place");
    screenshot(&c, "job-done.png").await;
    click(&c, "#result").await;
    find(&c, "svg").await;
    c.close().await.unwrap();
}
