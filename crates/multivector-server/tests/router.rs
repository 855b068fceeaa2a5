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
