//! The web app (axum) behind `multivector serve`: [`router`] builds it, [`serve`] runs it on
//! a listener until Ctrl-C. Pages are server-rendered HTML that works without JavaScript;
//! one small script of our own (`/static/app.js`, compiled in) adds live job progress without
//! page reloads and reads a chosen file into the paste box. Nothing is fetched from
//! elsewhere. The same operations are a JSON API under `/api/` (the `api` module, documented
//! in `docs/store.md`).
//!
//! Limits: binds 127.0.0.1 unless told otherwise; request bodies above 64 KiB are refused,
//! except a scenario's text (up to 1 MiB); built-in scenarios are named from a list (no
//! paths), and a user's own scenario arrives as text, never as a path; runs are background
//! jobs, `--jobs` at a time, with at most 32 waiting; a bad form or file gets a 4xx page (or
//! JSON) with the scenario validator's located errors.

mod additions;
mod api;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Path as UrlPath, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use multivector::run::RunReport;
use multivector_scenario::{Format, builtin, load_str};
use multivector_store::Store;
use serde::Deserialize;

/// Largest request body accepted.
const BODY_LIMIT: usize = 64 * 1024;
/// Largest request carrying a scenario's text (the Kazakhstan file is 62 KB).
const TEXT_LIMIT: usize = 1024 * 1024;
/// The app's script: live job progress, and a chosen file read into the paste box.
const APP_JS: &str = include_str!("app.js");
/// Jobs allowed to wait for a slot.
const QUEUE_LIMIT: usize = 32;
/// Largest ensemble a web run may ask for.
const MAX_WEB_DRAWS: usize = 20_000;

#[derive(Debug, Clone)]
enum JobState {
    Queued,
    Running,
    Done(i64),
    Failed(String),
}

#[derive(Debug)]
struct Job {
    scenario: String,
    draws: usize,
    state: JobState,
    progress: Arc<AtomicUsize>,
}

impl JobState {
    /// The state's name in the API.
    fn name(&self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done(_) => "done",
            JobState::Failed(_) => "failed",
        }
    }
}

struct App {
    db: PathBuf,
    jobs: Mutex<Vec<Job>>,
    slots: Arc<tokio::sync::Semaphore>,
    /// Host names (without port) the app answers to, lower case.
    hosts: Vec<String>,
}

/// A job's progress, for its page: the draws done so far.
struct JobProgress(Arc<AtomicUsize>);

impl multivector::run::RunObserver for JobProgress {
    fn draws(&self, done: usize, _total: usize) {
        self.0.store(done, Ordering::Relaxed);
    }
}

/// Most connections open at once; further clients wait in the listen backlog until one
/// closes (slow clients are closed by the header timeout, so the wait is bounded).
const MAX_CONNECTIONS: usize = 512;
/// The longest one connection may live, whatever it does.
const CONNECTION_LIFETIME: std::time::Duration = std::time::Duration::from_secs(300);
/// Sent with every response: no script, no framing, no external anything, no sniffing.
const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
];

/// The host name of a `Host` header value or of an origin's authority: without the port,
/// lower case (`[::1]:8080` gives `[::1]`).
fn host_name(authority: &str) -> String {
    let a = authority.trim().to_ascii_lowercase();
    if a.starts_with('[') {
        return a
            .split_inclusive(']')
            .next()
            .unwrap_or_default()
            .to_string();
    }
    a.split(':').next().unwrap_or_default().to_string()
}

/// Why a request is refused, if it is: an unknown host, or a state-changing request that
/// a page from another origin sent.
fn refusal(
    app: &App,
    headers: &header::HeaderMap,
    method: &axum::http::Method,
) -> Option<(StatusCode, &'static str, String)> {
    let header = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let host = header(header::HOST).unwrap_or_default();
    if !app.hosts.contains(&host_name(&host)) {
        Some((
            StatusCode::MISDIRECTED_REQUEST,
            "Unknown host",
            format!(
                "this app answers to {} (start it with --allow-host to add a name)",
                app.hosts.join(", ")
            ),
        ))
    } else if !matches!(method, &axum::http::Method::GET | &axum::http::Method::HEAD) {
        // A browser names the page a request comes from; it must be this app itself.
        let same = format!("http://{}", host.to_ascii_lowercase());
        let origin = header(header::ORIGIN).map(|o| o.to_ascii_lowercase());
        let referer = header(header::REFERER).map(|o| o.to_ascii_lowercase());
        let site = header(header::HeaderName::from_static("sec-fetch-site"));
        let foreign = match (&origin, &referer) {
            (Some(o), _) => *o != same,
            (None, Some(r)) => !(r == &same || r.starts_with(&format!("{same}/"))),
            (None, None) => false,
        } || site.is_some_and(|s| s != "same-origin" && s != "none");
        foreign.then(|| {
            (
                StatusCode::FORBIDDEN,
                "Refused",
                "a page from another site tried to send this request; start runs from this app's own pages".to_string(),
            )
        })
    } else {
        None
    }
}

/// Refuses requests for hosts the app does not answer to (DNS rebinding) and state-changing
/// requests from other origins (cross-site request forgery); adds the security headers.
async fn guard(
    State(app): State<Shared>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let refusal = refusal(&app, req.headers(), req.method());
    let mut response = match refusal {
        Some((code, title, msg)) => err_page(code, title, &msg),
        None => next.run(req).await,
    };
    for (name, value) in SECURITY_HEADERS {
        response.headers_mut().insert(
            header::HeaderName::from_static(name),
            header::HeaderValue::from_static(value),
        );
    }
    response
}

type Shared = Arc<App>;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}\
th{background:#f3f3f3}.error{color:#a00}input[type=number]{width:6em}nav a{margin-right:1em}\
textarea{width:100%;font-family:monospace;font-size:12px}pre.numbered{font-size:12px;max-height:30em;overflow:auto;background:#fafafa;padding:.5em}\
pre.numbered .bad{background:#fdd}";

/// A page of the app around `body`. Every page is a maud template: interpolated text is
/// escaped unless marked otherwise, and only the report (rendered by the report module,
/// which escapes its own text) is inserted as markup. `refresh` reloads the page every
/// second (a job still running) in a browser without scripts; with them, the app's script
/// updates the page in place.
fn page(title: &str, body: Markup, refresh: bool) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    @if refresh { noscript { meta http-equiv="refresh" content="1"; } }
                    title { (title) " - multivector" }
                    style { (PreEscaped(STYLE)) }
                    script src="/static/app.js" defer {}
                }
                body {
                    nav { a href="/" { "multivector" } }
                    h1 { (title) }
                    (body)
                }
            }
        }
        .into_string(),
    )
}

fn err_page(code: StatusCode, title: &str, msg: &str) -> Response {
    (code, page(title, html! { p.error { (msg) } }, false)).into_response()
}

fn store(app: &App) -> Result<Store, Box<Response>> {
    Store::open(&app.db).map_err(|e| {
        Box::new(err_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Run store unavailable",
            &e.to_string(),
        ))
    })
}

fn builtin_text(name: &str) -> Option<&'static str> {
    builtin::ALL
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
}

async fn index(State(app): State<Shared>) -> Response {
    let store = match store(&app) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let runs = match store.list() {
        Ok(runs) => runs,
        Err(e) => {
            return err_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Run store",
                &e.to_string(),
            );
        }
    };
    let jobs = app.jobs.lock().map(|j| j.len()).unwrap_or(0);
    let body = html! {
        h2 { "Scenarios" }
        ul {
            @for (name, _) in builtin::ALL { li { a href={ "/scenarios/" (name) } { (name) } } }
            li { a #own href="/scenarios/new" { "Your own scenario: paste or choose a file" } }
        }
        h2 { "Runs" }
        table #runs {
            tr { th { "run" } th { "created" } th { "scenario" } th { "seed" } th { "draws" } th { "downloads" } }
            @for r in &runs {
                tr {
                    td { a href={ "/runs/" (r.id) } { "run " (r.id) } }
                    td { (r.created) } td { (r.scenario_id) } td { (r.seed) } td { (r.draws) }
                    td {
                        a href={ "/runs/" (r.id) "/export.json" } { "JSON" } " "
                        a href={ "/runs/" (r.id) "/export.csv" } { "CSV" }
                    }
                }
            }
        }
        form action="/compare" method="get" {
            label { "Compare run " input name="a" type="number" required; } " "
            label { "with run " input name="b" type="number" required; } " "
            button { "Compare" }
        }
        p { (jobs) " job(s) submitted since start." }
    };
    page("multivector", body, false).into_response()
}

fn scenario_form(
    name: &str,
    text: &str,
    errors: &[String],
    values: &std::collections::HashMap<String, String>,
) -> Result<Markup, String> {
    let pasted = builtin_text(name) != Some(text);
    let s = load_str(name, text, format_of(text))
        .map_err(|e| e.to_string())?
        .scenario;
    let scale = s.meta.salience_scale.max();
    let value =
        |key: String, default: f64| values.get(&key).cloned().unwrap_or_else(|| short(default));
    // What the user typed into an addition, shown again when it was refused.
    let kept = |key: &str| values.get(key).map_or("", String::as_str);
    Ok(html! {
        @if !errors.is_empty() {
            div.error #errors {
                p { "The edits were not accepted:" }
                ul { @for e in errors { li { (e) } } }
            }
        }
        p { (s.meta.description) }
        form method="post" action="/runs" {
            input type="hidden" name="scenario" value=(name);
            @if pasted { input type="hidden" name="text" value=(text); }
            label { "Draws " input type="number" name="draws" value=(values.get("draws").map_or("200", String::as_str)) min="0" max=(MAX_WEB_DRAWS); }
            " "
            label { "Seed " input type="number" name="seed" value=(values.get("seed").map_or("20220224", String::as_str)) min="0"; }
            " "
            @if !s.variants.is_empty() {
                label {
                    "Variant "
                    select name="variant" #variant {
                        option value="" { "none (the scenario as coded)" }
                        @for v in &s.variants {
                            option value=(v.name) selected[values.get("variant") == Some(&v.name)] title=(v.description) { (v.name) }
                        }
                    }
                }
                " "
            }
            button #run { "Run" }
            @if !s.variants.is_empty() {
                details {
                    summary { "What the variants change" }
                    ul { @for v in &s.variants { li { b { (v.name) } ": " (v.description) } } }
                }
            }
            h2 { "Actors" }
            p { "Leave an actor out to run the scenario without it (every stance of it is dropped)." }
            table.actors {
                tr { th { "actor" } th { "name" } th { "kind" } th { "capability" } th { "leave out everywhere" } }
                @for (a, actor) in s.actors.iter().enumerate() {
                    tr {
                        td { (actor.id) }
                        td { (actor.name) }
                        td { (actor.kind.as_str()) }
                        td { (short(actor.capability)) }
                        td { input type="checkbox" name={ "ra" (a) } checked[values.contains_key(&format!("ra{a}"))]; }
                    }
                }
            }
            datalist #actor-ids { @for actor in &s.actors { option value=(actor.id) {} } }
            h2 { "Stances, issue by issue" }
            p {
                "Edit a position (on the issue's scale, whose words are given), a salience (on the scenario's scale, "
                (match s.meta.salience_scale {
                    multivector_core::SalienceScale::Unit => "0-1",
                    multivector_core::SalienceScale::Percent => "0-100",
                })
                ") or a capability for that issue, or leave a stance out; the run uses the edited values, and the stored run records them as the variant `web-edit`. Hover an evidence id for its paraphrase."
            }
            @for (i, issue) in s.issues.iter().enumerate() {
                h3 id={ "issue-" (issue.id) } { (issue.id) ": " (issue.question) }
                p.scale {
                    "Scale " (issue.scale.min) " to " (issue.scale.max)
                    @if let Some(u) = &issue.scale.unit { " (" (u) ")" }
                    ": "
                    @for (n, l) in issue.scale.labels.iter().enumerate() {
                        @if n > 0 { "; " }
                        b { (l.value) } " " (l.label)
                    }
                    @if let Some(q) = issue.status_quo { ". Status quo " (q) "." }
                }
                table.stances {
                    tr { th { "actor" } th { "position" } th { "reads as" } th { "salience" } th { "capability" } th { "uncertainty" } th { "evidence" } th { "leave out" } }
                    @for (k, st) in s.stances.iter().enumerate().filter(|(_, st)| st.issue == i) {
                        @let actor = &s.actors[st.actor];
                        tr {
                            td title=(actor.name) { (actor.id) }
                            td { input name={ "p" (k) } value=(value(format!("p{k}"), st.position)) size="6" type="number" step="any" min=(issue.scale.min) max=(issue.scale.max); }
                            td.label { (issue.scale.nearest_label(st.position).map_or(String::new(), |l| l.label.clone())) }
                            td { input name={ "s" (k) } value=(value(format!("s{k}"), st.salience * scale)) size="6"; }
                            td { input name={ "c" (k) } value=(value(format!("c{k}"), st.capability.unwrap_or(actor.capability))) size="6"; }
                            td { (uncertainty_words(&st.uncertainty, scale)) }
                            td {
                                @for (n, e) in st.evidence.iter().enumerate() {
                                    @if n > 0 { ", " }
                                    span title=(s.evidence.iter().find(|r| &r.id == e).map_or(String::new(), |r| r.paraphrase.clone())) { (e) }
                                }
                                @if let Some(a) = &st.assumption { @if !st.evidence.is_empty() { "; " } i title=(a) { "assumption" } }
                            }
                            td { input type="checkbox" name={ "r" (k) } checked[values.contains_key(&format!("r{k}"))]; }
                        }
                    }
                    @let [fa, fp, fs, fw] = additions::stance_fields(i);
                    tr.add {
                        td { input name=(fa) value=(kept(&fa)) list="actor-ids" size="8" placeholder="add: actor"; }
                        td { input name=(fp) value=(kept(&fp)) size="6" type="number" step="any" min=(issue.scale.min) max=(issue.scale.max) placeholder="position"; }
                        td {}
                        td { input name=(fs) value=(kept(&fs)) size="6" placeholder="salience"; }
                        td {}
                        td {}
                        td colspan="2" { input name=(fw) value=(kept(&fw)) size="24" placeholder="why (the assumption)"; }
                    }
                }
            }
            h2 #add { "Add an actor or an issue" }
            p { "A new actor needs a stance to take part: add one in an issue's last row above. A new issue needs at least two stances, one per line as `actor position salience` (salience on the scenario's scale). Additions are checked like a file; " b { "Add" } " shows the scenario with them, " b { "Run" } " runs it." }
            p {
                label { "Actor id " input name="add_actor_id" value=(kept("add_actor_id")) size="8"; } " "
                label { "name " input name="add_actor_name" value=(kept("add_actor_name")) size="16"; } " "
                label {
                    "kind "
                    select name="add_actor_kind" {
                        @for k in ["state", "organisation", "leadership", "domestic_constituency", "media_outlet"] { option value=(k) selected[kept("add_actor_kind") == k] { (k) } }
                    }
                } " "
                label { "capability " input name="add_actor_capability" value=(kept("add_actor_capability")) size="6"; }
            }
            p {
                label { "Issue id " input name="add_issue_id" value=(kept("add_issue_id")) size="10"; } " "
                label { "question " input name="add_issue_question" value=(kept("add_issue_question")) size="40"; }
            }
            p {
                label { "scale from (word for 0) " input name="add_issue_low" value=(kept("add_issue_low")) size="16"; } " "
                label { "to (word for 100) " input name="add_issue_high" value=(kept("add_issue_high")) size="16"; }
            }
            p {
                label { "stances " textarea name="add_issue_stances" rows="3" cols="30" placeholder="KAZ 40 0.8" { (kept("add_issue_stances")) } } " "
                label { "why " input name="add_issue_why" value=(kept("add_issue_why")) size="30"; }
            }
            p {
                button #add-button formaction="/scenarios/edit" { "Add" } " "
                button #as-file formaction="/scenarios/file" { "Edit as a file" }
            }
        }
    })
}

/// A number as a person writes it: at most six decimals, no trailing zeros (55.00000000000001
/// from 0.55 x 100 reads 55).
fn short(v: f64) -> String {
    let t = format!("{v:.6}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" { "0".into() } else { t.to_string() }
}

/// A stance's declared uncertainty in words, on the scales the user reads.
fn uncertainty_words(u: &multivector_core::Uncertainty, salience_scale: f64) -> String {
    use multivector_core::Spread;
    let words = |sp: &Spread, k: f64| match sp {
        Spread::Normal { sd } => format!("sd {}", short(sd * k)),
        Spread::Uniform { low, high } => format!("{} to {}", short(low * k), short(high * k)),
        Spread::Triangular { low, mode, high } => format!(
            "{} to {} (mode {})",
            short(low * k),
            short(high * k),
            short(mode * k)
        ),
    };
    let mut out = Vec::new();
    if let Some(p) = &u.position {
        out.push(format!("position {}", words(p, 1.0)));
    }
    if let Some(sal) = &u.salience {
        out.push(format!("salience {}", words(sal, salience_scale)));
    }
    if out.is_empty() {
        "defaults".into()
    } else {
        out.join("; ")
    }
}

/// The format of a scenario's text: a CSV layout when it looks like one, else TOML.
fn format_of(text: &str) -> Format {
    multivector_scenario::sniff_csv(text).unwrap_or(Format::Toml)
}

/// The page to paste a scenario (or read one from a file, with the script).
async fn new_scenario_page() -> Response {
    page("Your own scenario", paste_form("", &[]), false).into_response()
}

/// The paste box, with the text again and its problems beside their lines when it failed.
fn paste_form(text: &str, errors: &[multivector_scenario::error::ScenarioError]) -> Markup {
    let bad: std::collections::HashSet<usize> =
        errors.iter().filter_map(|e| e.location.line).collect();
    html! {
        p { "Paste a scenario file (TOML, as in docs/scenario-format.md, or a CSV layout), or choose one; it is checked with the same located errors as `multivector validate`." }
        @if !errors.is_empty() {
            div.error #errors {
                p { (errors.len()) " problem(s); nothing was run:" }
                ul {
                    @for e in errors {
                        li {
                            @if let Some(l) = e.location.line { a href={ "#line-" (l) } { "line " (l) } ": " }
                            @if let Some(r) = &e.location.record { (r) ", " }
                            @if let Some(f) = &e.location.field { "field `" (f) "`: " }
                            (e.message)
                            @if let Some(h) = &e.hint { " (" (h) ")" }
                        }
                    }
                }
            }
            pre.numbered {
                @for (k, line) in text.lines().enumerate() {
                    span id={ "line-" (k + 1) } class=[bad.contains(&(k + 1)).then_some("bad")] {
                        (format!("{:>4}  ", k + 1)) (line) "\n"
                    }
                }
            }
        }
        form method="post" action="/scenarios/check" {
            p { label { "File " input #file type="file" accept=".toml,.csv,.txt"; } }
            textarea #text name="text" rows="20" { (text) }
            p { button #check { "Check and open" } }
        }
    }
}

/// Checks a pasted scenario: its stance form when it reads, else the problems beside their
/// lines (422).
async fn check_scenario(Form(form): Form<std::collections::HashMap<String, String>>) -> Response {
    let text = form.get("text").cloned().unwrap_or_default();
    match load_str("pasted", &text, format_of(&text)) {
        Ok(loaded) => {
            let name = loaded.scenario.meta.id.clone();
            match scenario_form(&name, &text, &[], &Default::default()) {
                Ok(b) => page(&format!("Scenario {name} (yours)"), b, false).into_response(),
                Err(e) => err_page(StatusCode::INTERNAL_SERVER_ERROR, "Scenario", &e),
            }
        }
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            page("Your own scenario", paste_form(&text, e.errors()), false),
        )
            .into_response(),
    }
}

async fn scenario_page(UrlPath(name): UrlPath<String>) -> Response {
    let Some(text) = builtin_text(&name) else {
        return err_page(
            StatusCode::NOT_FOUND,
            "No such scenario",
            "only built-in scenarios are served",
        );
    };
    match scenario_form(&name, text, &[], &Default::default()) {
        Ok(b) => page(&format!("Scenario {name}"), b, false).into_response(),
        Err(e) => err_page(StatusCode::INTERNAL_SERVER_ERROR, "Scenario", &e),
    }
}

/// The scenario text with the form's edits appended as a variant (so the scenario validator
/// checks them and locates any error), or the errors.
fn edited_text(
    name: &str,
    text: &str,
    form: &std::collections::HashMap<String, String>,
) -> Result<(String, bool), Vec<String>> {
    let s = load_str(name, text, format_of(text))
        .map_err(|e| vec![e.to_string()])?
        .scenario;
    if format_of(text) != Format::Toml {
        // A CSV layout has no variants to carry edits; its stances run as given.
        return Ok((text.to_string(), false));
    }
    let scale = s.meta.salience_scale.max();
    let mut changes = Vec::new();
    let mut errors = Vec::new();
    for (a, actor) in s.actors.iter().enumerate() {
        if form.contains_key(&format!("ra{a}")) {
            // Left out everywhere: every stance of the actor is dropped.
            changes.push((
                format!("actor `{}`", actor.id),
                format!("{{ actor = \"{}\", remove = true }}", actor.id),
            ));
        }
    }
    for (k, st) in s.stances.iter().enumerate() {
        let actor = &s.actors[st.actor].id;
        let issue = &s.issues[st.issue].id;
        if form.contains_key(&format!("ra{}", st.actor)) {
            continue;
        }
        let mut fields = Vec::new();
        if form.contains_key(&format!("r{k}")) {
            // Left out: the actor's stance on this issue is dropped from the run.
            changes.push((
                format!("stance of `{actor}` on `{issue}`"),
                format!("{{ actor = \"{actor}\", issue = \"{issue}\", remove = true }}"),
            ));
            continue;
        }
        let capability = st.capability.unwrap_or(s.actors[st.actor].capability);
        for (key, current, field) in [
            (format!("p{k}"), st.position, "position"),
            (format!("s{k}"), st.salience * scale, "salience"),
            (format!("c{k}"), capability, "capability"),
        ] {
            let Some(raw) = form.get(&key) else { continue };
            match raw.trim().parse::<f64>() {
                // A number the scenario format cannot hold is refused here, never dropped.
                Ok(v) if !v.is_finite() => errors.push(format!(
                    "stance of `{actor}` on `{issue}`, field `{field}`: `{raw}` is not a finite number"
                )),
                // `{v:?}` writes a TOML float (`1e20`, `55.0`), never an overlong integer. The
                // form shows six decimals, so a value within 1e-6 of the current one is unedited.
                Ok(v) if (v - current).abs() > 1e-6 => fields.push(format!("{field} = {v:?}")),
                Ok(_) => {}
                Err(_) => errors.push(format!(
                    "stance of `{actor}` on `{issue}`, field `{field}`: `{raw}` is not a number"
                )),
            }
        }
        if !fields.is_empty() {
            changes.push((
                format!("stance of `{actor}` on `{issue}`"),
                format!(
                    "{{ actor = \"{actor}\", issue = \"{issue}\", {} }}",
                    fields.join(", ")
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if changes.is_empty() {
        return Ok((text.to_string(), false));
    }
    let with = |changes: &[&str]| {
        format!(
            "{text}\n[[variants]]\nname = \"web-edit\"\ndescription = \"stances edited in the web app\"\nchanges = [\n  {}\n]\n",
            changes.join(",\n  ")
        )
    };
    let all: Vec<&str> = changes.iter().map(|c| c.1.as_str()).collect();
    let full = with(&all);
    if load_str(name, &full, Format::Toml).is_ok() {
        return Ok((full, true));
    }
    // Name the stance behind each problem: check the edits one at a time.
    let mut errors = Vec::new();
    for (who, change) in &changes {
        if let Err(e) = load_str(name, &with(&[change]), Format::Toml) {
            // The problem in the user's terms: the stance and field, not a line of the
            // generated variant text (nor that text's hint about writing variants).
            errors.extend(e.errors().iter().map(|x| {
                let field = x.location.field.as_deref().map_or(String::new(), |f| {
                    format!(", field `{}`", f.trim_start_matches("changes."))
                });
                format!("{who}{field}: {}", x.message)
            }));
        }
    }
    if errors.is_empty() {
        errors.push("the edits conflict with one another; change fewer stances at once".into());
    }
    Err(errors)
}

/// The form's additions applied to a TOML scenario (a CSV layout takes none).
fn additions_of(
    name: &str,
    text: &str,
    form: &std::collections::HashMap<String, String>,
) -> Result<Option<String>, Vec<String>> {
    if format_of(text) != Format::Toml {
        let asked = form.iter().any(|(k, v)| {
            additions::is_addition_field(k) && !v.trim().is_empty() && k != "add_actor_kind"
        });
        return if asked {
            Err(vec![
                "a CSV layout cannot take additions: edit it as a file".into(),
            ])
        } else {
            Ok(None)
        };
    }
    additions::apply(name, text, form)
}

/// The text a form carries: the pasted text, else the built-in scenario's.
fn form_text(form: &std::collections::HashMap<String, String>) -> Option<(String, String)> {
    let name = form.get("scenario").cloned().unwrap_or_default();
    let text = match form.get("text") {
        Some(t) => t.clone(),
        None => builtin_text(&name)?.to_string(),
    };
    Some((name, text))
}

/// "Add": the scenario form again with the additions in its text (the edits to existing
/// stances kept), or the problems (422).
async fn apply_additions(Form(form): Form<std::collections::HashMap<String, String>>) -> Response {
    let Some((name, text)) = form_text(&form) else {
        return err_page(
            StatusCode::BAD_REQUEST,
            "No such scenario",
            "choose one of the built-in scenarios, or paste your own",
        );
    };
    if let Err(e) = load_str(&name, &text, format_of(&text)) {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            page("Your own scenario", paste_form(&text, e.errors()), false),
        )
            .into_response();
    }
    match additions_of(&name, &text, &form) {
        Ok(added) => {
            let text = added.unwrap_or(text);
            let kept: std::collections::HashMap<String, String> = form
                .into_iter()
                .filter(|(k, _)| !additions::is_addition_field(k))
                .collect();
            match scenario_form(&name, &text, &[], &kept) {
                Ok(b) => page(&format!("Scenario {name} (edited)"), b, false).into_response(),
                Err(e) => err_page(StatusCode::INTERNAL_SERVER_ERROR, "Scenario", &e),
            }
        }
        Err(errors) => form_error(&name, &text, &errors, &form),
    }
}

/// "Edit as a file": the scenario's text in the paste box, to change anything.
async fn as_file(Form(form): Form<std::collections::HashMap<String, String>>) -> Response {
    match form_text(&form) {
        Some((_, text)) => page("Your own scenario", paste_form(&text, &[]), false).into_response(),
        None => err_page(
            StatusCode::BAD_REQUEST,
            "No such scenario",
            "choose one of the built-in scenarios, or paste your own",
        ),
    }
}

/// The scenario form again with the problems listed, as 422.
fn form_error(
    name: &str,
    text: &str,
    errors: &[String],
    form: &std::collections::HashMap<String, String>,
) -> Response {
    let b = scenario_form(name, text, errors, form).unwrap_or_else(|e| html! { p.error { (e) } });
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        page(&format!("Scenario {name}"), b, false),
    )
        .into_response()
}

async fn start_run(
    State(app): State<Shared>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    let name = form.get("scenario").cloned().unwrap_or_default();
    let text: &str = match (form.get("text"), builtin_text(&name)) {
        (Some(t), _) => {
            if let Err(e) = load_str("pasted", t, format_of(t)) {
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    page("Your own scenario", paste_form(t, e.errors()), false),
                )
                    .into_response();
            }
            t
        }
        (None, Some(t)) => t,
        (None, None) => {
            return err_page(
                StatusCode::BAD_REQUEST,
                "No such scenario",
                "choose one of the built-in scenarios, or paste your own",
            );
        }
    };
    let draws = match form.get("draws").map(|d| d.trim().parse::<usize>()) {
        None => 0,
        Some(Ok(d)) if d <= MAX_WEB_DRAWS => d,
        _ => {
            return form_error(
                &name,
                text,
                &[format!(
                    "draws must be a whole number from 0 to {MAX_WEB_DRAWS}"
                )],
                &form,
            );
        }
    };
    let seed = match form.get("seed").map(|d| d.trim().parse::<u64>()) {
        None => multivector::ensemble::DEFAULT_SEED,
        Some(Ok(s)) => s,
        Some(Err(_)) => {
            return form_error(
                &name,
                text,
                &["seed must be a whole number >= 0".into()],
                &form,
            );
        }
    };
    let added = match additions_of(&name, text, &form) {
        Ok(t) => t,
        Err(errors) => return form_error(&name, text, &errors, &form),
    };
    let text = added.as_deref().unwrap_or(text);
    let (full, edited) = match edited_text(&name, text, &form) {
        Ok(x) => x,
        Err(errors) => return form_error(&name, text, &errors, &form),
    };
    let variant = form.get("variant").filter(|v| !v.is_empty()).cloned();
    if let Some(v) = &variant {
        let known = load_str(&name, text, format_of(text))
            .map(|l| l.scenario.variant(v).is_some())
            .unwrap_or(false);
        if !known {
            return form_error(
                &name,
                text,
                &[format!("variant `{v}` is not declared by the scenario")],
                &form,
            );
        }
    }
    match submit(&app, name, full, edited, variant, draws, seed) {
        Ok(id) => Redirect::to(&format!("/jobs/{id}")).into_response(),
        Err((code, title, msg)) => err_page(code, title, &msg),
    }
}

/// Queues a run of scenario text `full` (named `name`; `edited` when it carries the web
/// edits as the variant `web-edit`) and returns the job's number. The page form and the API
/// both submit here, so a run stores the same options and document whichever started it.
fn submit(
    app: &Shared,
    name: String,
    full: String,
    edited: bool,
    variant: Option<String>,
    draws: usize,
    seed: u64,
) -> Result<usize, (StatusCode, &'static str, String)> {
    let progress = Arc::new(AtomicUsize::new(0));
    let id = {
        let Ok(mut jobs) = app.jobs.lock() else {
            return Err((StatusCode::SERVICE_UNAVAILABLE, "Busy", "try again".into()));
        };
        let waiting = jobs
            .iter()
            .filter(|j| matches!(j.state, JobState::Queued))
            .count();
        if waiting >= QUEUE_LIMIT {
            return Err((
                StatusCode::TOO_MANY_REQUESTS,
                "Too many runs waiting",
                "try again when some have finished".into(),
            ));
        }
        jobs.push(Job {
            scenario: name.clone(),
            draws,
            state: JobState::Queued,
            progress: progress.clone(),
        });
        jobs.len() - 1
    };
    let app2 = app.clone();
    tokio::spawn(async move {
        let Ok(permit) = app2.slots.clone().acquire_owned().await else {
            return;
        };
        set_state(&app2, id, JobState::Running);
        let app3 = app2.clone();
        type JobResult = Result<i64, Box<dyn std::error::Error + Send + Sync>>;
        let result = tokio::task::spawn_blocking(move || -> JobResult {
            let loaded = load_str(&name, &full, format_of(&full))?;
            let mut s = loaded.scenario;
            // A declared variant first, then the web edits on top of it.
            if let Some(name) = &variant {
                let v = s
                    .variant(name)
                    .cloned()
                    .ok_or_else(|| format!("variant `{name}` is not declared by the scenario"))?;
                s = s.apply(&v);
            }
            if edited {
                if let Some(v) = s.variant("web-edit").cloned() {
                    s = s.apply(&v);
                }
            }
            // The same settings as `multivector run --draws N --seed S`, built the same way.
            let settings = multivector::run::RunSettings {
                draws,
                seed,
                ..multivector::run::RunSettings::default()
            };
            let report = multivector::run::run(&s, &settings, &JobProgress(progress))?;
            let doc = serde_json::to_value(&report)?;
            let mut notes = Vec::new();
            if let Some(v) = &variant {
                notes.push(format!("variant {v}"));
            }
            if edited {
                notes.push("edited stances".to_string());
            }
            let command = if notes.is_empty() {
                "web run".to_string()
            } else {
                format!("web run ({})", notes.join(", "))
            };
            let new = report.to_new_run(&command, full, doc)?;
            Ok(Store::open(&app3.db)?.save(&new)?)
        })
        .await;
        drop(permit);
        let state = match result {
            Ok(Ok(run)) => JobState::Done(run),
            Ok(Err(e)) => JobState::Failed(e.to_string()),
            Err(e) => JobState::Failed(e.to_string()),
        };
        set_state(&app2, id, state);
    });
    Ok(id)
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        APP_JS,
    )
        .into_response()
}

fn set_state(app: &App, id: usize, state: JobState) {
    if let Ok(mut jobs) = app.jobs.lock() {
        if let Some(j) = jobs.get_mut(id) {
            j.state = state;
        }
    }
}

async fn job_page(State(app): State<Shared>, UrlPath(id): UrlPath<usize>) -> Response {
    let Some((state, scenario, draws, done)) = app.jobs.lock().ok().and_then(|j| {
        j.get(id).map(|j| {
            (
                j.state.clone(),
                j.scenario.clone(),
                j.draws,
                j.progress.load(Ordering::Relaxed),
            )
        })
    }) else {
        return err_page(
            StatusCode::NOT_FOUND,
            "No such job",
            "start runs from a scenario page",
        );
    };
    let refresh = matches!(state, JobState::Queued | JobState::Running);
    let status = match state {
        JobState::Queued => html! { p #status { "Waiting for a free slot." } },
        JobState::Running => html! {
            p #status { "Running: " (done) " of " (draws) " draws." }
            progress max=(draws) value=(done) {}
        },
        JobState::Done(run) => html! {
            p #status { "Done: " a #result href={ "/runs/" (run) } { "run " (run) } "." }
        },
        JobState::Failed(e) => html! { p #status .error { "Failed: " (e) } },
    };
    // The script follows the job through the API while `data-live` is set.
    let body = html! { div #job data-id=(id) data-live=[refresh.then_some("1")] { (status) } };
    page(&format!("Job {id}: {scenario}"), body, refresh).into_response()
}

async fn run_page(State(app): State<Shared>, UrlPath(id): UrlPath<i64>) -> Response {
    let store = match store(&app) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let (Ok(run), Ok(text)) = (store.get(id), store.scenario_text(id)) else {
        return err_page(StatusCode::NOT_FOUND, "No such run", "see the list of runs");
    };
    let format = multivector_scenario::sniff_csv(&text).unwrap_or(Format::Toml);
    let Ok(loaded) = load_str(&run.summary.scenario_id, &text, format) else {
        return err_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Run",
            "the stored scenario no longer reads",
        );
    };
    let nav = html! {
        nav {
            a href="/" { "multivector" } " "
            a href={ "/runs/" (id) "/export.json" } { "JSON" } " "
            a href={ "/runs/" (id) "/export.csv" } { "CSV" }
        }
    };
    match multivector_report::html_with(&run, &loaded.scenario, None, Some(nav)) {
        Ok(h) => Html(h).into_response(),
        Err(e) => err_page(StatusCode::INTERNAL_SERVER_ERROR, "Report", &e.to_string()),
    }
}

async fn export(State(app): State<Shared>, UrlPath(file): UrlPath<(i64, String)>) -> Response {
    let (id, kind) = file;
    let store = match store(&app) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Ok(run) = store.get(id) else {
        return err_page(StatusCode::NOT_FOUND, "No such run", "see the list of runs");
    };
    match kind.as_str() {
        "export.json" => (
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string_pretty(&run.document).unwrap_or_default(),
        )
            .into_response(),
        "export.csv" => match multivector_report::text::runs::export_csv(&run) {
            Ok(t) => ([(header::CONTENT_TYPE, "text/csv")], t).into_response(),
            Err(e) => err_page(StatusCode::INTERNAL_SERVER_ERROR, "Export", &e.to_string()),
        },
        _ => err_page(
            StatusCode::NOT_FOUND,
            "No such download",
            "export.json or export.csv",
        ),
    }
}

#[derive(Deserialize)]
struct Pair {
    a: i64,
    b: i64,
}

/// The ensemble's quantiles of a forecast in a run's report, as
/// `[p025, p10, median, p90, p975]` (None without an ensemble).
fn quantiles(r: Option<&RunReport>, issue: &str, model: &str) -> Option<[f64; 5]> {
    let x = r?
        .ensemble
        .as_ref()?
        .issues
        .iter()
        .find(|x| x.issue == issue && x.model == model)?;
    let f = &x.forecast;
    Some([f.p025, f.p10, f.median, f.p90, f.p975])
}

async fn compare(State(app): State<Shared>, Query(q): Query<Pair>) -> Response {
    let store = match store(&app) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let (Ok(ra), Ok(rb)) = (store.get(q.a), store.get(q.b)) else {
        return err_page(
            StatusCode::NOT_FOUND,
            "No such run",
            "compare two stored runs",
        );
    };
    // The first run's scenario gives the scales, status quo and observed outcomes.
    let scenario = store.scenario_text(q.a).ok().and_then(|t| {
        load_str(&ra.summary.scenario_id, &t, format_of(&t))
            .ok()
            .map(|l| l.scenario)
    });
    let pairs = ra.paired_with(&rb);
    // Every forecast beside the record of its model on the scenario's own outcomes.
    // Read back as the typed report (converted from an older schema, or None when the
    // document cannot be read: then the page shows the point forecasts alone).
    let (rep_a, rep_b) = (
        RunReport::from_json(&ra.document).ok(),
        RunReport::from_json(&rb.document).ok(),
    );
    let record: Vec<String> = rep_a
        .iter()
        .flat_map(|r| &r.models)
        .filter_map(|m| {
            Some(format!(
                "{} {:.3} ({} issues)",
                m.model, m.mean_error_scaled?, m.issues_scored
            ))
        })
        .collect();
    let interval = |iv: Option<[f64; 5]>| {
        iv.map_or("-".to_string(), |v| format!("{:.1} to {:.1}", v[1], v[3]))
    };
    let mut issues: Vec<&str> = pairs.iter().map(|p| p.0).collect();
    issues.dedup();
    let charts: Vec<(String, String)> = issues
        .iter()
        .map(|iss| {
            let mut rows = Vec::new();
            for (i, m, va, vb) in pairs.iter().filter(|p| p.0 == *iss) {
                let a = quantiles(rep_a.as_ref(), i, m).unwrap_or([*va; 5]);
                rows.push((format!("{m} · run {}", q.a), a));
                if let Some(vb) = vb {
                    let b = quantiles(rep_b.as_ref(), i, m).unwrap_or([*vb; 5]);
                    rows.push((format!("{m} · run {}", q.b), b));
                }
            }
            let issue = scenario
                .as_ref()
                .and_then(|s| s.issue_index(iss).map(|k| &s.issues[k]));
            let (x, marks) = issue.map_or(((0.0, 100.0), Default::default()), |is| {
                (
                    (is.scale.min, is.scale.max),
                    multivector_report::Marks {
                        status_quo: is.status_quo,
                        observed: is.outcome.as_ref().map(|o| o.value),
                    },
                )
            });
            let title = issue.map_or(iss.to_string(), |is| format!("{}: {}", is.id, is.question));
            let svg = multivector_report::interval_chart(&title, &rows, x, marks);
            (title, svg)
        })
        .collect();
    let b = html! {
        p {
            "Run " (q.a) " (" (ra.summary.scenario_id) ", " (ra.summary.draws) " draws, seed " (ra.summary.seed) "; " code { (ra.summary.command) } ") beside run "
            (q.b) " (" (rb.summary.scenario_id) ", " (rb.summary.draws) " draws, seed " (rb.summary.seed) "; " code { (rb.summary.command) } "). "
            "Intervals are the ensembles' 10-90% (a run without draws has none)."
        }
        @if !record.is_empty() {
            p.record {
                "How each model scored on run " (q.a) "'s scored outcomes (mean error, share of the scale; lower is better): "
                (record.join(", "))
                ". On 234 real EU decisions no model beats the weighted mean (docs/validation.md)."
            }
        }
        table #compare {
            tr { th { "issue" } th { "model" } th { "run " (q.a) } th { "10-90%" } th { "run " (q.b) } th { "10-90%" } th { "difference" } }
            @for (i, m, va, vb) in &pairs {
                tr {
                    td { (i) } td { (m) } td { (format!("{va:.1}")) }
                    td { (interval(quantiles(rep_a.as_ref(), i, m))) }
                    td { (vb.map_or("-".into(), |v| format!("{v:.1}"))) }
                    td { (interval(quantiles(rep_b.as_ref(), i, m))) }
                    td { (vb.map_or("-".into(), |v| format!("{:+.1}", v - va))) }
                }
            }
        }
        h2 { "Issue by issue" }
        p { "Each row: the median (dot), 10-90% (thick) and 2.5-97.5% (thin) of one model in one run; dashed: status quo; solid: observed outcome." }
        @for (title, svg) in &charts { h3 { (title) } (PreEscaped(svg)) }
    };
    page(&format!("Run {} and run {}", q.a, q.b), b, false).into_response()
}

/// The routes over the app's state.
fn routes(app: Shared) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/static/app.js", get(script))
        .route("/scenarios/new", get(new_scenario_page))
        .route(
            "/scenarios/check",
            post(check_scenario).layer(DefaultBodyLimit::max(TEXT_LIMIT)),
        )
        .route(
            "/scenarios/edit",
            post(apply_additions).layer(DefaultBodyLimit::max(TEXT_LIMIT)),
        )
        .route(
            "/scenarios/file",
            post(as_file).layer(DefaultBodyLimit::max(TEXT_LIMIT)),
        )
        .route("/scenarios/{name}", get(scenario_page))
        .route(
            "/runs",
            post(start_run).layer(DefaultBodyLimit::max(TEXT_LIMIT)),
        )
        .route("/api/scenarios", get(api::scenarios))
        .route(
            "/api/scenarios/check",
            post(api::check).layer(DefaultBodyLimit::max(TEXT_LIMIT)),
        )
        .route(
            "/api/runs",
            get(api::runs)
                .post(api::start)
                .layer(DefaultBodyLimit::max(TEXT_LIMIT)),
        )
        .route("/api/runs/{id}", get(api::run))
        .route("/api/jobs/{id}", get(api::job))
        .route("/jobs/{id}", get(job_page))
        .route("/runs/{id}", get(run_page))
        .route("/runs/{id}/{file}", get(export))
        .route("/compare", get(compare))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Serves `router` on `listener` until Ctrl-C: HTTP/1.1 with a deadline for each request's
/// headers that also bounds a kept-alive connection's idle time (hyper's header read
/// timeout, which needs the timer installed here: axum's own `serve` installs none, so slow
/// clients held connections forever), at most [`MAX_CONNECTIONS`] at once (more wait to be
/// accepted), each closed after [`CONNECTION_LIFETIME`].
async fn serve_connections(
    listener: tokio::net::TcpListener,
    router: Router,
    header_timeout: std::time::Duration,
) {
    let open = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        // A free connection slot first, then a connection: at the cap, new clients wait.
        let permit = tokio::select! {
            _ = &mut stop => return,
            p = open.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return,
            },
        };
        let accepted = tokio::select! {
            _ = &mut stop => return,
            a = listener.accept() => a,
        };
        // A failed accept (say, too many open files) is not fatal; back off briefly.
        let Ok((stream, _)) = accepted else {
            drop(permit);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_LIFETIME, connection).await;
            drop(permit);
        });
    }
}

/// What the app needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The run store file (created if missing).
    pub db: PathBuf,
    /// Runs executed at the same time (at least 1; others wait in a queue of 32).
    pub jobs: usize,
    /// The address the app is bound to (it answers to this host name too).
    pub bind: String,
    /// Further host names the app answers to.
    pub allow_hosts: Vec<String>,
    /// Time a client has to send a request's headers (also the idle limit of a kept-alive
    /// connection).
    pub header_timeout: std::time::Duration,
}

/// Why the app cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    #[error("--jobs 0 would never run anything")]
    NoJobs,
    #[error(transparent)]
    Store(#[from] multivector_store::StoreError),
    /// The address cannot be listened on (taken, or not this machine's).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    /// The async runtime could not start.
    #[error("cannot start the server's runtime: {0}")]
    Runtime(std::io::Error),
}

/// The app's router, with its state: what [`serve`] serves and what tests call in-process.
pub fn router(config: &Config) -> Result<Router, ServeError> {
    if config.jobs == 0 {
        return Err(ServeError::NoJobs);
    }
    // Open once now so that a bad path fails before the server starts.
    Store::open(&config.db)?;
    let mut hosts: Vec<String> = ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .map(|h| h.to_string())
        .chain(std::iter::once(host_name(&if config.bind.contains(':')
            && !config.bind.starts_with('[')
        {
            format!("[{}]", config.bind)
        } else {
            config.bind.clone()
        })))
        .chain(config.allow_hosts.iter().map(|h| host_name(h)))
        .collect();
    hosts.sort();
    hosts.dedup();
    let app = Arc::new(App {
        db: config.db.clone(),
        jobs: Mutex::new(Vec::new()),
        slots: Arc::new(tokio::sync::Semaphore::new(config.jobs)),
        hosts,
    });
    Ok(routes(app))
}

/// Checks `config`, listens on its address and `port`, says where through `ready`, and
/// serves until Ctrl-C, on a runtime of its own (what `multivector serve` runs).
pub fn serve_blocking(
    config: Config,
    port: u16,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), ServeError> {
    // Refuse bad settings and an unusable store before binding.
    let app = router(&config)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    rt.block_on(async move {
        let addr = format!("{}:{port}", config.bind);
        let bind = |source| ServeError::Bind {
            addr: addr.clone(),
            source,
        };
        let listener = tokio::net::TcpListener::bind(&addr).await.map_err(bind)?;
        ready(listener.local_addr().map_err(bind)?);
        serve_connections(listener, app, config.header_timeout).await;
        Ok(())
    })
}

/// Serves the app on `listener` until Ctrl-C.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> Result<(), ServeError> {
    let app = router(&config)?;
    serve_connections(listener, app, config.header_timeout).await;
    Ok(())
}
