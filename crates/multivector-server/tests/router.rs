//! The router called in-process (no socket): pages, the security checks and the form's
//! errors. The loopback HTTP suite (crates/multivector-cli/tests/cli/serve.rs) covers the
//! server around it: timeouts, connections, background runs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use multivector_server::{Config, ServeError, router};
use tower::ServiceExt;

fn config(dir: &std::path::Path) -> Config {
    Config {
        db: dir.join("r.db"),
        jobs: 1,
        bind: "127.0.0.1".into(),
        allow_hosts: vec!["mv.local".into()],
        header_timeout: std::time::Duration::from_secs(10),
    }
}

async fn call(
    app: axum::Router,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app.oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn get(path: &str, host: &str) -> Request<Body> {
    Request::get(path)
        .header("host", host)
        .body(Body::empty())
        .unwrap()
}

fn post(path: &str, host: &str, origin: Option<&str>, body: &str) -> Request<Body> {
    let mut r = Request::post(path)
        .header("host", host)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(o) = origin {
        r = r.header("origin", o);
    }
    r.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn pages_carry_the_security_headers_and_list_the_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(&config(dir.path())).unwrap();
    let (code, headers, body) = call(app.clone(), get("/", "127.0.0.1:8080")).await;
    assert_eq!(code, StatusCode::OK);
    assert!(body.contains("/scenarios/kazakhstan"));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    // Names given with --allow-host are answered too; others are refused.
    assert_eq!(
        call(app.clone(), get("/", "mv.local")).await.0,
        StatusCode::OK
    );
    let (code, headers, _) = call(app, get("/", "evil.example")).await;
    assert_eq!(code, StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(headers["x-frame-options"], "DENY");
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_form_values_come_back_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(&config(dir.path())).unwrap();
    let (code, _, _) = call(
        app.clone(),
        post(
            "/runs",
            "127.0.0.1:8080",
            Some("http://evil.example"),
            "scenario=kazakhstan&draws=0",
        ),
    )
    .await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (code, _, body) = call(
        app,
        post(
            "/runs",
            "127.0.0.1:8080",
            Some("http://127.0.0.1:8080"),
            "scenario=kazakhstan&draws=%3Cscript%3E&p0=NaN",
        ),
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!body.contains("<script>") && body.contains("&lt;script&gt;"));
}

#[test]
fn bad_configurations_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.jobs = 0;
    assert!(matches!(router(&c), Err(ServeError::NoJobs)));
    let mut c = config(dir.path());
    c.db = dir.path().join("no/such/folder/r.db");
    assert!(matches!(router(&c), Err(ServeError::Store(_))));
}

/// Form-encodes a value (every byte but letters and digits as %XX).
fn encode(v: &str) -> String {
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

fn post_json(path: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header("host", "127.0.0.1:8080")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// A pasted scenario: the built-in file's text (62 KB, above the 64 KiB form limit once
/// encoded) opens its stance form; a broken copy comes back with every problem beside its
/// line, and nothing runs.
#[tokio::test]
async fn a_pasted_scenario_opens_or_shows_its_problems_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(&config(dir.path())).unwrap();
    let (code, _, body) = call(app.clone(), get("/scenarios/new", "127.0.0.1")).await;
    assert_eq!(code, StatusCode::OK);
    assert!(body.contains("textarea") && body.contains("/static/app.js"));
    let builtin = multivector_scenario::builtin::ALL[0].1;
    // A copy of the built-in file with a comment added: the user's own text.
    let own = format!("# my copy\n{builtin}");
    let text = own.as_str();
    let form = format!("text={}", encode(text));
    assert!(
        form.len() > 64 * 1024,
        "the test exercises the larger limit"
    );
    let (code, _, body) = call(
        app.clone(),
        post("/scenarios/check", "127.0.0.1", None, &form),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert!(body.contains("name=\"text\"") && body.contains("name=\"p0\""));
    // Two problems: a salience outside the scale and a misspelt field, each with its line.
    let bad = text
        .replacen("salience = 70", "salience = 700", 1)
        .replacen("position = 10\n", "postion = 10\n", 1);
    let line_of = |needle: &str| bad[..bad.find(needle).unwrap()].matches('\n').count() + 1;
    let (code, _, body) = call(
        app.clone(),
        post(
            "/scenarios/check",
            "127.0.0.1",
            None,
            &format!("text={}", encode(&bad)),
        ),
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("id=\"errors\""), "{body}");
    let l = line_of("postion = 10");
    assert!(
        body.contains(&format!("href=\"#line-{l}\"")),
        "line {l}: {body}"
    );
    assert!(
        body.contains(&format!("id=\"line-{l}\" class=\"bad\"")),
        "{body}"
    );
    // The same check through the API, as JSON.
    let (code, _, body) = call(app.clone(), post_json("/api/scenarios/check", &bad)).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["ok"], false);
    assert!(
        v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["line"] == l),
        "{v}"
    );
    let (code, _, body) = call(app, post_json("/api/scenarios/check", text)).await;
    assert_eq!(code, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["id"], "kazakhstan");
}

/// The API: list, start a run, follow its job to the stored run, read the document; bad
/// requests are JSON errors; a foreign page cannot start runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_api_runs_and_follows_a_job() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(&config(dir.path())).unwrap();
    let (code, headers, body) = call(app.clone(), get("/api/scenarios", "127.0.0.1")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v[0]["name"], "kazakhstan");
    let (code, _, body) = call(
        app.clone(),
        post_json(
            "/api/runs",
            r#"{"scenario": "kazakhstan", "draws": 20, "seed": 5}"#,
        ),
    )
    .await;
    assert_eq!(code, StatusCode::ACCEPTED, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let status = v["status"].as_str().unwrap().to_string();
    let t0 = std::time::Instant::now();
    let run = loop {
        let (_, _, body) = call(app.clone(), get(&status, "127.0.0.1")).await;
        let j: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_ne!(j["state"], "failed", "{j}");
        if j["state"] == "done" {
            assert_eq!(j["done"], 20);
            break j["run"].as_i64().unwrap();
        }
        assert!(t0.elapsed().as_secs() < 120, "the job finishes");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let (code, _, body) = call(app.clone(), get(&format!("/api/runs/{run}"), "127.0.0.1")).await;
    assert_eq!(code, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["settings"]["seed"], 5);
    assert_eq!(doc["settings"]["draws"], 20);
    assert!(doc["issues"].as_array().is_some_and(|a| !a.is_empty()));
    let (_, _, body) = call(app.clone(), get("/api/runs", "127.0.0.1")).await;
    assert!(body.contains(&format!("\"id\":{run}")), "{body}");
    for (req, code) in [
        (r#"{"scenario": "atlantis"}"#, StatusCode::NOT_FOUND),
        (
            r#"{"scenario": "kazakhstan", "draws": 1000000}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            r#"{"text": "format_version = 1\n[scenario]\n"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            r#"{"scenario": "kazakhstan", "colour": 1}"#,
            StatusCode::BAD_REQUEST,
        ),
        ("not json", StatusCode::BAD_REQUEST),
    ] {
        let (got, _, body) = call(app.clone(), post_json("/api/runs", req)).await;
        assert_eq!(got, code, "{req}: {body}");
        assert!(
            serde_json::from_str::<serde_json::Value>(&body)
                .is_ok_and(|v| v.get("error").is_some()),
            "{body}"
        );
    }
    let (code, _, _) = call(app.clone(), get("/api/jobs/999", "127.0.0.1")).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    let mut foreign = post_json("/api/runs", r#"{"scenario": "kazakhstan"}"#);
    foreign
        .headers_mut()
        .insert("origin", "http://evil.example".parse().unwrap());
    assert_eq!(call(app, foreign).await.0, StatusCode::FORBIDDEN);
}

/// The stance editor shows each issue's scale in words, what each position reads as, the
/// uncertainty and the evidence; a capability edit and a stance left out are accepted, a
/// negative capability comes back located.
#[tokio::test]
async fn the_stance_editor_speaks_the_scale_and_takes_capabilities_and_removals() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(&config(dir.path())).unwrap();
    let (code, _, body) = call(app.clone(), get("/scenarios/kazakhstan", "127.0.0.1")).await;
    assert_eq!(code, StatusCode::OK);
    for needle in [
        "id=\"issue-recognition\"",
        "reads as",
        "name=\"c0\"",
        "name=\"r0\"",
        "Status quo",
        "fm-no-recognition",
    ] {
        assert!(body.contains(needle), "{needle}");
    }
    let (code, headers, body) = call(
        app.clone(),
        post(
            "/runs",
            "127.0.0.1",
            None,
            "scenario=kazakhstan&draws=0&c0=2.5&r1=on",
        ),
    )
    .await;
    assert_eq!(code, StatusCode::SEE_OTHER, "{body}");
    assert!(headers["location"].to_str().unwrap().starts_with("/jobs/"));
    let (code, _, body) = call(
        app,
        post(
            "/runs",
            "127.0.0.1",
            None,
            "scenario=kazakhstan&draws=0&c0=-5",
        ),
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("field `capability`"), "{body}");
}

/// A declared variant can be chosen for a run; an undeclared one is refused, located.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_can_take_a_declared_variant() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(&config(dir.path())).unwrap();
    let (_, _, body) = call(app.clone(), get("/scenarios/kazakhstan", "127.0.0.1")).await;
    assert!(
        body.contains("value=\"russia-presses-north\""),
        "the variants are offered"
    );
    let (code, _, body) = call(
        app.clone(),
        post(
            "/runs",
            "127.0.0.1",
            None,
            "scenario=kazakhstan&draws=0&variant=atlantis",
        ),
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("variant `atlantis` is not declared"),
        "{body}"
    );
    let (code, headers, _) = call(
        app.clone(),
        post(
            "/runs",
            "127.0.0.1",
            None,
            "scenario=kazakhstan&draws=0&variant=russia-presses-north",
        ),
    )
    .await;
    assert_eq!(code, StatusCode::SEE_OTHER);
    let job = headers["location"]
        .to_str()
        .unwrap()
        .replace("/jobs/", "/api/jobs/");
    let t0 = std::time::Instant::now();
    let run = loop {
        let (_, _, body) = call(app.clone(), get(&job, "127.0.0.1")).await;
        let j: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_ne!(j["state"], "failed", "{j}");
        if j["state"] == "done" {
            break j["run"].as_i64().unwrap();
        }
        assert!(t0.elapsed().as_secs() < 120);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    // The variant changes the forecasts: its document differs from the baseline's.
    let (_, _, body) = call(
        app.clone(),
        post_json("/api/runs", r#"{"scenario": "kazakhstan", "draws": 0}"#),
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let status = v["status"].as_str().unwrap().to_string();
    let base = loop {
        let (_, _, body) = call(app.clone(), get(&status, "127.0.0.1")).await;
        let j: serde_json::Value = serde_json::from_str(&body).unwrap();
        if j["state"] == "done" {
            break j["run"].as_i64().unwrap();
        }
        assert!(t0.elapsed().as_secs() < 240);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let doc = |id: i64| {
        let app = app.clone();
        async move {
            let (_, _, body) = call(app, get(&format!("/api/runs/{id}"), "127.0.0.1")).await;
            serde_json::from_str::<serde_json::Value>(&body).unwrap()
        }
    };
    assert_ne!(doc(run).await["issues"], doc(base).await["issues"]);
    let (_, _, body) = call(app, get("/api/runs", "127.0.0.1")).await;
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    let this = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == run)
        .unwrap();
    assert_eq!(this["command"], "web run (variant russia-presses-north)");
}

/// The editor adds an actor with a stance and a new issue, and leaves an actor out: "Add"
/// shows the scenario with them (its text carried in the form), a bad addition comes back
/// named, and the edited scenario runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_adds_actors_and_issues_and_leaves_actors_out() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(&config(dir.path())).unwrap();
    let form = [
        ("scenario", "kazakhstan"),
        ("add_actor_id", "UZB"),
        ("add_actor_name", "Uzbekistan"),
        ("add_actor_kind", "state"),
        ("add_actor_capability", "12"),
        ("add_stance_actor0", "UZB"),
        ("add_stance_position0", "5"),
        ("add_stance_salience0", "30"),
        ("add_stance_why0", "a neighbour that recognises neither"),
        ("add_issue_id", "water"),
        (
            "add_issue_question",
            "Does Kazakhstan sign a water-sharing treaty?",
        ),
        ("add_issue_low", "no treaty"),
        ("add_issue_high", "a binding treaty"),
        ("add_issue_stances", "KAZ 70 60\nUZB 80 70\nRUS 40 10"),
        ("add_issue_why", "an illustration, not a coded issue"),
    ];
    let body: Vec<String> = form
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let (code, _, page) = call(
        app.clone(),
        post("/scenarios/edit", "127.0.0.1", None, &body.join("&")),
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{page}");
    for needle in [
        "<td>UZB</td><td>Uzbekistan</td>",
        "id=\"issue-water\"",
        "name=\"text\"",
        "a binding treaty",
    ] {
        assert!(page.contains(needle), "{needle}");
    }
    // The carried text runs, with an actor left out (KAZ's index in the actor table).
    let text = page
        .split("name=\"text\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    assert!(text.contains("id = \"water\""));
    let (code, _, page) = call(
        app.clone(),
        post(
            "/runs",
            "127.0.0.1",
            None,
            &format!("scenario=kazakhstan&draws=0&ra3=on&text={}", encode(&text)),
        ),
    )
    .await;
    assert_eq!(code, StatusCode::SEE_OTHER, "{page}");
    // A bad addition: named, nothing run.
    let (code, _, page) = call(
        app,
        post(
            "/scenarios/edit",
            "127.0.0.1",
            None,
            "scenario=kazakhstan&add_stance_actor0=NOBODY&add_stance_position0=5&add_stance_salience0=30&add_stance_why0=x",
        ),
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("new stance of `NOBODY` on `recognition`"),
        "{page}"
    );
    // Nothing typed is lost: the refused addition is in its fields again.
    assert!(
        page.contains("name=\"add_stance_actor0\" value=\"NOBODY\""),
        "{page}"
    );
    assert!(
        page.contains("name=\"add_stance_salience0\" value=\"30\""),
        "{page}"
    );
}

#[tokio::test]
async fn the_compare_page_reads_the_stored_reports_as_typed_reports() {
    // Two runs stored as the CLI stores them; the page must show each model's record and
    // the ensembles' 10-90% intervals read back from the documents.
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let loaded = multivector::scenario::builtin::load("kazakhstan")
        .unwrap()
        .unwrap();
    let s = &loaded.scenario;
    let text = multivector::scenario::builtin::ALL[0].1.to_string();
    let store = multivector::store::Store::open(&cfg.db).unwrap();
    let mut reports = Vec::new();
    for seed in [1, 2] {
        let settings = multivector::run::RunSettings {
            draws: 60,
            seed,
            ..Default::default()
        };
        let r = multivector::run::run(s, &settings, &multivector::run::NoProgress).unwrap();
        let doc = serde_json::to_value(&r).unwrap();
        store
            .save(&r.to_new_run("run", text.clone(), doc).unwrap())
            .unwrap();
        reports.push(r);
    }
    let app = router(&cfg).unwrap();
    let (code, _, body) = call(app, get("/compare?a=1&b=2", "127.0.0.1:8080")).await;
    assert_eq!(code, StatusCode::OK);
    let m = &reports[0].models[0];
    let record = format!(
        "{} {:.3} ({} issues)",
        m.model,
        m.mean_error_scaled.unwrap(),
        m.issues_scored
    );
    assert!(body.contains(&record), "{record} missing");
    for (k, r) in reports.iter().enumerate() {
        let x = &r.ensemble.as_ref().unwrap().issues[0];
        let iv = format!("{:.1} to {:.1}", x.forecast.p10, x.forecast.p90);
        assert!(body.contains(&iv), "run {}: {iv} missing", k + 1);
    }
}
