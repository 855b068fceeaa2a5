//! The JSON API under `/api/`: the web app's operations for scripts and notebooks
//! (`docs/store.md`). Every answer is JSON, errors included (`{"error": ..., "errors": [...]}`
//! with the validator's located problems); state-changing requests obey the same host and
//! origin rules as the pages.

use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use multivector_scenario::error::ScenarioError;
use multivector_scenario::{builtin, load_str};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{JobState, MAX_WEB_DRAWS, Shared, builtin_text, format_of, submit};

/// A located problem, as JSON.
#[derive(Serialize)]
struct Problem {
    line: Option<usize>,
    column: Option<usize>,
    record: Option<String>,
    field: Option<String>,
    message: String,
    hint: Option<String>,
}

fn problems(errors: &[ScenarioError]) -> Vec<Problem> {
    errors
        .iter()
        .map(|e| Problem {
            line: e.location.line,
            column: e.location.column,
            record: e.location.record.clone(),
            field: e.location.field.clone(),
            message: e.message.clone(),
            hint: e.hint.clone(),
        })
        .collect()
}

fn error(code: StatusCode, message: impl Into<String>) -> Response {
    (code, Json(json!({ "error": message.into() }))).into_response()
}

/// `GET /api/scenarios`: the built-in scenarios with their sizes.
pub(super) async fn scenarios() -> Response {
    let list: Vec<serde_json::Value> = builtin::ALL
        .iter()
        .filter_map(|(name, text)| {
            let s = load_str(name, text, format_of(text)).ok()?.scenario;
            Some(json!({
                "name": name,
                "id": s.meta.id,
                "actors": s.actors.len(),
                "issues": s.issues.len(),
                "stances": s.stances.len(),
            }))
        })
        .collect();
    Json(list).into_response()
}

/// `POST /api/scenarios/check`, the body a scenario's text: what it holds, or every problem
/// located (422).
pub(super) async fn check(body: String) -> Response {
    match load_str("body", &body, format_of(&body)) {
        Ok(l) => Json(json!({
            "ok": true,
            "id": l.scenario.meta.id,
            "actors": l.scenario.actors.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
            "issues": l.scenario.issues.iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
            "stances": l.scenario.stances.len(),
            "notes": l.notes,
        }))
        .into_response(),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "ok": false, "errors": problems(e.errors()) })),
        )
            .into_response(),
    }
}

/// What `POST /api/runs` takes: a built-in scenario's name or a scenario's text, and the
/// ensemble's size and seed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Start {
    scenario: Option<String>,
    text: Option<String>,
    #[serde(default)]
    draws: usize,
    seed: Option<u64>,
}

/// `POST /api/runs`: queues a run; 202 with the job's number and where to follow it.
pub(super) async fn start(State(app): State<Shared>, body: String) -> Response {
    let start: Start = match serde_json::from_str(&body) {
        Ok(s) => s,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!(
                    "the body is not a run request: {e} (send {{\"scenario\": \"kazakhstan\", \"draws\": 200}} or {{\"text\": \"...\"}})"
                ),
            );
        }
    };
    if start.draws > MAX_WEB_DRAWS {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("draws must be from 0 to {MAX_WEB_DRAWS}"),
        );
    }
    let (name, text) = match (&start.scenario, &start.text) {
        (Some(_), Some(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "give `scenario` (a built-in name) or `text` (a scenario file), not both",
            );
        }
        (Some(n), None) => match builtin_text(n) {
            Some(t) => (n.clone(), t.to_string()),
            None => {
                return error(
                    StatusCode::NOT_FOUND,
                    format!("no built-in scenario `{n}` (GET /api/scenarios lists them)"),
                );
            }
        },
        (None, Some(t)) => match load_str("text", t, format_of(t)) {
            Ok(l) => (l.scenario.meta.id, t.clone()),
            Err(e) => {
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(json!({ "error": "the scenario has problems", "errors": problems(e.errors()) })),
                )
                    .into_response();
            }
        },
        (None, None) => {
            return error(StatusCode::BAD_REQUEST, "give `scenario` or `text`");
        }
    };
    let seed = start.seed.unwrap_or(multivector::ensemble::DEFAULT_SEED);
    match submit(&app, name, text, false, None, start.draws, seed) {
        Ok(id) => (
            StatusCode::ACCEPTED,
            Json(json!({ "job": id, "status": format!("/api/jobs/{id}"), "page": format!("/jobs/{id}") })),
        )
            .into_response(),
        Err((code, _, msg)) => error(code, msg),
    }
}

/// `GET /api/jobs/{id}`: the job's state and progress, and its run when done.
pub(super) async fn job(State(app): State<Shared>, UrlPath(id): UrlPath<usize>) -> Response {
    let found = app.jobs.lock().ok().and_then(|j| {
        j.get(id).map(|j| {
            (
                j.state.clone(),
                j.scenario.clone(),
                j.draws,
                j.progress.load(Ordering::Relaxed),
            )
        })
    });
    let Some((state, scenario, draws, done)) = found else {
        return error(StatusCode::NOT_FOUND, format!("no job {id}"));
    };
    let (run, failure) = match &state {
        JobState::Done(r) => (Some(*r), None),
        JobState::Failed(e) => (None, Some(e.clone())),
        _ => (None, None),
    };
    Json(json!({
        "job": id,
        "scenario": scenario,
        "state": state.name(),
        "done": done,
        "draws": draws,
        "run": run,
        "error": failure,
    }))
    .into_response()
}

/// The run store, or a JSON 503 that says why it cannot be opened.
fn open_store(app: &Shared) -> Result<multivector_store::Store, Box<Response>> {
    multivector_store::Store::open(&app.db).map_err(|e| {
        Box::new(error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the run store cannot be opened: {e}"),
        ))
    })
}

/// `GET /api/runs`: the stored runs, newest first.
pub(super) async fn runs(State(app): State<Shared>) -> Response {
    let store = match open_store(&app) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    match store.list() {
        Ok(list) => Json(
            list.iter()
                .map(|r| {
                    json!({
                        "id": r.id, "created": r.created, "command": r.command,
                        "scenario": r.scenario_id, "seed": r.seed, "draws": r.draws,
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `GET /api/runs/{id}`: a stored run's document (what `run --format json` prints).
pub(super) async fn run(State(app): State<Shared>, UrlPath(id): UrlPath<i64>) -> Response {
    let store = match open_store(&app) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    match store.get(id) {
        Ok(r) => Json(r.document).into_response(),
        Err(_) => error(StatusCode::NOT_FOUND, format!("no run {id}")),
    }
}
