//! HTML reports: the report of a stored run ([`html`]) and of a backtest ([`backtest::html`]).
//! Each is one self-contained file (no script, no external address), charts as inline SVG
//! ([`charts`]), every number linked to the evidence behind it. Both pages are maud
//! templates, which escape every interpolated string; the charts' SVG is the only markup
//! inserted as is, and it escapes its own texts.

use maud::{DOCTYPE, Markup, PreEscaped, html as page};

use multivector::run::{IssueReport, RunReport};
use multivector_core::Scenario;
use multivector_models::bdm::{Bdm, BdmOptions, Preset};
use multivector_store::Run;

pub mod backtest;
pub mod charts;
pub mod text;

pub use charts::{
    FanAxes, FanSeries, Marks, dot_rows_chart, esc, fan_chart, interval_chart, line_chart,
    model_class, poll_chart, quadrant_chart,
};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// `--view` names an actor without a stance in the scenario.
    #[error("actor `{actor}` holds no stance in this scenario")]
    UnknownActor { actor: String },
    #[error(transparent)]
    Model(#[from] multivector_core::ModelError),
    /// The stored document cannot be read as a run report.
    #[error(transparent)]
    Document(#[from] multivector::run::RunError),
}

/// The page's style sheet, print rules included (A4, the app's links hidden, charts and
/// table rows kept whole).
const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}
th{background:#f3f3f3}figure{margin:1em 0}h2{border-bottom:1px solid #ddd}.small{color:#666;font-size:12px}
.toggle{font-size:12px;margin-right:.8em}
@media print{@page{size:A4;margin:14mm}body{max-width:none;margin:0;padding:0;font-size:10pt}nav{display:none}
h2,h3{break-after:avoid}figure,tr,svg{break-inside:avoid}svg{max-width:100%;height:auto}
a{color:inherit;text-decoration:none}td,th{font-size:9pt;padding:2px 5px}th{background:#eee;-webkit-print-color-adjust:exact;print-color-adjust:exact}.toggle{display:none}}";

/// A chart's SVG, inserted as is (it escapes its own texts).
fn svg(chart: String) -> PreEscaped<String> {
    PreEscaped(chart)
}

/// The report of a stored run of scenario `s`, with the "view from" chart of actor `view`
/// (default: the scenario's focal actor).
pub fn html(r: &Run, s: &Scenario, view: Option<&str>) -> Result<String, ReportError> {
    html_with(r, s, view, None)
}

/// [`html`] with `nav` (the web app's links) at the top of the page.
pub fn html_with(
    r: &Run,
    s: &Scenario,
    view: Option<&str>,
    nav: Option<Markup>,
) -> Result<String, ReportError> {
    let report = RunReport::from_stored(&r.document, r.summary.seed, r.summary.draws)?;
    let models: Vec<String> = report
        .issues
        .first()
        .map(|i| i.forecasts.keys().cloned().collect())
        .unwrap_or_default();
    // Model toggles: a checkbox per model before <main> hides that model's marks in every
    // chart by CSS alone (no script: the report stays self-contained and works offline).
    let toggles: String = models
        .iter()
        .map(|m| {
            let c = model_class(m);
            format!("#t-{c}:not(:checked)~main .{c}{{display:none}}")
        })
        .collect();
    let view_from = view_section(s, view)?;
    let doc = page! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "multivector run " (r.summary.id) ": " (r.summary.scenario_id) }
                style { (PreEscaped(STYLE)) (PreEscaped(toggles)) }
            }
            body {
                @if let Some(n) = nav { (n) }
                h1 { (s.meta.name) }
                p.small {
                    "Run " (r.summary.id) ": " code { (r.summary.command) } ", multivector " (r.version)
                    ", seed " (r.summary.seed) ", " (r.summary.draws) " draws, " (r.summary.created)
                    "; scenario " code { (r.summary.scenario_id) } " sha256 " code { (r.summary.scenario_hash) } "."
                }
                span.toggle { "Show in the charts:" }
                @for m in &models {
                    input type="checkbox" id={ "t-" (model_class(m)) } class="toggle" checked;
                    label for={ "t-" (model_class(m)) } class="toggle" { (m) }
                }
                main {
                    (bottom_line(&report, s))
                    (forecasts(&report, &models))
                    (trajectories(&report, &models))
                    (intervals(&report))
                    (profile(&report, s, &models))
                    (retrodiction(&report, &models))
                    (view_from)
                    @if let Some(tl) = &report.two_level { (two_level(tl)) }
                    (evidence(s))
                }
            }
        }
    };
    Ok(doc.into_string() + "\n")
}

/// One row per issue in words, first.
fn bottom_line(report: &RunReport, s: &Scenario) -> Markup {
    page! {
        h2 #bottom-line { "Bottom line" }
        p.small {
            "From the weighted mean, which no other model beats on 234 real EU decisions (docs/validation.md); intervals and probabilities from the run's ensemble. Read the intervals as too narrow: on those decisions the mean's 80% intervals held the outcome 7% of the time."
            @if let Some(own) = report.own_record() { " " (own) }
        }
        table {
            tr { th { "issue" } th { "forecast (weighted mean)" } th { "80% interval" } th { "probability" } th { "models" } }
            @for b in report.bottom_lines(s) {
                tr {
                    td title=(b.question) { (b.issue) }
                    td { (format!("{:.0}", b.forecast)) ": " (b.words) }
                    td { (b.interval80.map_or("-".into(), |(lo, hi)| format!("{lo:.0} to {hi:.0}"))) }
                    td {
                        @for (k, (l, p)) in b.thresholds.iter().enumerate() {
                            @if k > 0 { "; " }
                            (l) ": " (format!("{:.0}%", 100.0 * p))
                        }
                    }
                    td {
                        @if b.models_disagree() {
                            (format!("disagree ({:.0} to {:.0})", b.range.0, b.range.1))
                        } @else {
                            (format!("spread {:.0}% of the scale", 100.0 * b.disagreement))
                        }
                    }
                }
            }
        }
        @if !report.warnings.is_empty() {
            h3 #warnings { "Warnings" }
            ul.warnings { @for w in &report.warnings { li { b { (w.issue) } ": " (w.message) } } }
        }
    }
}

/// What was observed on an issue; an unscored outcome with its reason as a hover title.
fn observed(iss: &IssueReport) -> Markup {
    page! {
        @match &iss.observed {
            None => "-",
            Some(o) => @match &o.unscored {
                None => (format!("{:.1}", o.value)),
                Some(why) => span title=(why) { (format!("{:.1}", o.value)) " (not scored)" },
            },
        }
    }
}

/// The point forecasts, hover a cell for its scale label.
fn forecasts(report: &RunReport, models: &[String]) -> Markup {
    page! {
        h2 #forecasts { "Forecasts" }
        table {
            tr { th { "issue" } @for m in models { th { (m) } } th { "observed" } }
            @for iss in &report.issues {
                tr {
                    td { a href={ "#issue-" (iss.id) } { (iss.id) } }
                    @for m in models {
                        @match iss.forecasts.get(m) {
                            Some(f) => td title=(f.label) { (format!("{:.1}", f.value)) },
                            None => td { "-" },
                        }
                    }
                    td { (observed(iss)) }
                }
            }
        }
    }
}

/// Every round-based model's run per issue, with the ensemble's fan.
fn trajectories(report: &RunReport, models: &[String]) -> Markup {
    let fan_draws = report
        .ensemble
        .as_ref()
        .map_or(0, |e| e.draws.min(multivector::ensemble::PATH_DRAWS));
    let charts: Vec<(String, String)> = report
        .issues
        .iter()
        .filter_map(|iss| {
            let bands: Vec<Vec<(f64, f64, f64)>> = models
                .iter()
                .map(|m| {
                    report
                        .ensemble
                        .as_ref()
                        .and_then(|e| e.issues.iter().find(|x| x.issue == iss.id && &x.model == m))
                        .map(|x| {
                            x.by_round
                                .iter()
                                .map(|b| (b.p10, b.median, b.p90))
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect();
            let series: Vec<FanSeries> = models
                .iter()
                .enumerate()
                .filter_map(|(k, m)| {
                    let t = iss.forecasts.get(m)?.trajectory.as_ref()?;
                    Some(FanSeries {
                        model: m,
                        color: k,
                        path: t,
                        band: &bands[k],
                        x: &[],
                    })
                })
                .collect();
            (!series.is_empty()).then(|| {
                let chart = fan_chart(
                    &format!("{}: position by round, each model", iss.id),
                    &series,
                    FanAxes {
                        y: (iss.scale.min, iss.scale.max),
                        x_label: "round",
                        y_label: "position",
                        step: "round",
                        settle: true,
                    },
                    marks(iss),
                );
                (iss.question.clone(), chart)
            })
        })
        .collect();
    page! {
        h2 #trajectories { "Trajectories by round" }
        @if fan_draws > 0 {
            p.small { "Line and dots: the point forecast's run (hover a dot for its value). Shaded band: 10-90% of the first " (fan_draws) " ensemble draws' runs, their median dotted; a run that stopped stays at its last value. The expected-utility model's number is the weighted median position, the spatial model's the most probable position. The band is the spread of the model's runs under the declared uncertainty, not a measure of its accuracy: each model's record is under " a href="#retrodiction" { "Retrodiction" } " (this scenario's outcomes) and in docs/validation.md (234 EU decisions)." }
        }
        @for (question, chart) in charts { h3 { (question) } (svg(chart)) }
    }
}

/// The status quo and the observed outcome of an issue, as chart marks.
fn marks(iss: &IssueReport) -> Marks {
    Marks {
        status_quo: iss.status_quo,
        observed: iss.observed.as_ref().map(|o| o.value),
    }
}

/// The ensemble's intervals per issue and model.
fn intervals(report: &RunReport) -> Markup {
    let Some(ens) = &report.ensemble else {
        return page! {};
    };
    page! {
        h2 #ensemble { "Forecast intervals (" (ens.draws) " draws)" }
        p.small { "Thin bar: 2.5-97.5%; thick: 10-90%; circle: median." }
        @for iss in &report.issues {
            @let rows: Vec<(String, [f64; 5])> = ens
                .issues
                .iter()
                .filter(|e| e.issue == iss.id)
                .map(|e| {
                    let f = &e.forecast;
                    (e.model.clone(), [f.p025, f.p10, f.median, f.p90, f.p975])
                })
                .collect();
            h3 { (iss.id) }
            (svg(interval_chart(
                &format!("{}: forecast intervals", iss.id),
                &rows,
                (iss.scale.min, iss.scale.max),
                marks(iss),
            )))
        }
    }
}

/// Each model's equidistance, error and alignment, and the first model's distance to each
/// power issue by issue.
fn profile(report: &RunReport, s: &Scenario, models: &[String]) -> Markup {
    let number = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.3}"));
    let powers: Vec<String> = s
        .actors
        .iter()
        .filter(|a| a.vector)
        .map(|a| a.id.clone())
        .collect();
    let chart = models.first().map(|m0| {
        let rows: Vec<(String, Vec<(usize, f64)>)> = report
            .issues
            .iter()
            .map(|iss| {
                let dots = iss
                    .profile
                    .get(m0)
                    .map(|p| p.distances.as_slice())
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|d| {
                        powers
                            .iter()
                            .position(|p| *p == d.actor)
                            .map(|k| (k, d.distance))
                    })
                    .collect();
                (iss.id.clone(), dots)
            })
            .collect();
        dot_rows_chart(
            &format!(
                "distance of the {m0} forecast to each power, issue by issue (0 = at its position)"
            ),
            &rows,
            &powers,
            (0.0, 1.0),
            "distance (share of the scale)",
        )
    });
    page! {
        h2 #profile { "Multi-vector profile and retrodiction" }
        table {
            tr { th { "model" } th { "equidistance" } th { "mean error (share of scale)" } th { "issues scored" } th { "alignment with each power" } }
            @for m in &report.models {
                tr {
                    td { (m.model) }
                    td { (number(m.equidistance)) }
                    td { (number(m.mean_error_scaled)) }
                    td { (m.issues_scored) }
                    td {
                        @for (k, a) in m.alignment.iter().enumerate() {
                            @if k > 0 { ", " }
                            (a.actor) " " (format!("{:.2}", a.alignment))
                        }
                    }
                }
            }
        }
        @if let Some(c) = chart { (svg(c)) }
    }
}

/// Each model's error on each issue with an outcome.
fn retrodiction(report: &RunReport, models: &[String]) -> Markup {
    page! {
        h3 #retrodiction { "Retrodiction by issue" }
        table {
            tr { th { "issue" } th { "observed" } @for m in models { th { (m) " error (share of scale)" } } }
            @for iss in report.issues.iter().filter(|i| !i.retrodiction.is_empty()) {
                tr {
                    td { (iss.id) }
                    td { (observed(iss)) }
                    @for m in models {
                        @match iss.retrodiction.get(m) {
                            Some(r) => td {
                                (format!("{:.3}", r.error_scaled))
                                @if !r.thresholds.is_empty() {
                                    " (thresholds right " (r.thresholds.iter().filter(|x| x.correct).count()) "/" (r.thresholds.len()) ")"
                                }
                            },
                            None => td { "-" },
                        }
                    }
                }
            }
        }
    }
}

/// The expected gains of the focal actor (or `view`) against every other, round 1.
fn view_section(s: &Scenario, view: Option<&str>) -> Result<Markup, ReportError> {
    let focal = view
        .map(str::to_string)
        .or_else(|| s.meta.focal.map(|f| s.actors[f].id.clone()));
    let Some(who) = focal else {
        return Ok(page! {});
    };
    let found = (0..s.issues.len()).find_map(|k| {
        let input = s.issue_input(k).ok()?;
        let slot = input.actor_ids().iter().position(|a| *a == who)?;
        Some((k, input, slot))
    });
    let Some((k, input, slot)) = found else {
        return Err(ReportError::UnknownActor { actor: who });
    };
    let pairs = Bdm::new(BdmOptions::preset(Preset::Scholz)).view(&input, slot, 1)?;
    let pts: Vec<(String, f64, f64)> = pairs
        .iter()
        .map(|p| (input.actor_ids()[p.other].clone(), p.a, p.b))
        .collect();
    Ok(page! {
        h2 #view { "The view from " (who) " on `" (s.issues[k].id) "` (round 1, preset scholz)" }
        (svg(quadrant_chart(&format!("view from {who}"), &pts)))
    })
}

/// The population's view over time with its band, and the polls.
fn two_level(tl: &multivector::two_level::TwoLevelReport) -> Markup {
    let xs: Vec<f64> = tl.points.iter().map(|p| p.sweep as f64).collect();
    let nat: Vec<f64> = tl.points.iter().map(|p| p.national).collect();
    let band: Vec<(f64, f64, f64)> = tl
        .points
        .iter()
        .filter_map(|p| p.national_band.map(|b| (b[0], b[1], b[2])))
        .collect();
    let var_nat: Vec<f64> = tl
        .points
        .iter()
        .filter_map(|p| p.variant_national)
        .collect();
    let variant_name = tl.variant.as_ref().map(|v| format!("variant: {v}"));
    let mut series = vec![FanSeries {
        model: "view of the war (national)",
        color: 0,
        path: &nat,
        band: if band.len() == nat.len() { &band } else { &[] },
        x: &xs,
    }];
    if let Some(v) = &variant_name {
        series.push(FanSeries {
            model: v,
            color: 1,
            path: &var_nat,
            band: &[],
            x: &xs,
        });
    }
    let opinion = fan_chart(
        "population view by sweep (weeks)",
        &series,
        FanAxes {
            y: (0.0, 1.0),
            x_label: "sweep (weeks from 2022-02-24)",
            y_label: "mean opinion",
            step: "sweep",
            settle: false,
        },
        Marks::default(),
    );
    let polls: Vec<(String, f64, f64, f64, Option<f64>)> = tl
        .polls
        .iter()
        .map(|p| {
            (
                format!("{} (answer {})", p.id, p.answer),
                p.sweep as f64,
                p.published,
                p.n,
                p.simulated,
            )
        })
        .collect();
    let poll_points = poll_chart(
        "poll answers: published (with sampling interval) and simulated, at each wave",
        &polls,
        "sweep (weeks from 2022-02-24)",
    );
    page! {
        h2 #opinion { "Opinion and the bound issues over time" }
        @if !tl.params.sample.is_empty() {
            p.small { "Line: the population under the calibrated parameters (" (tl.params.source) "). Band: 10-90% of the same run under " (tl.params.sample.len()) " draws from the calibration's posterior (parameter uncertainty only; each draw uses the run's seed)." }
        }
        (svg(opinion))
        (svg(poll_points))
        table {
            tr { th { "poll" } th { "date" } th { "published" } th { "simulated" } th { "within the poll's 95% interval" } }
            @for p in &tl.polls {
                tr {
                    td { (p.id) }
                    td { (p.date) }
                    td { (format!("{:.1}%", 100.0 * p.published)) }
                    td { (p.simulated.map_or("-".into(), |v| format!("{:.1}%", 100.0 * v))) }
                    td { (within_sampling_interval(p)) }
                }
            }
        }
    }
}

/// Whether the simulated share lies within the poll's 95% sampling interval
/// (`1.96 sqrt(p (1 - p) / n)`, as the poll chart draws it), in words.
fn within_sampling_interval(p: &multivector::two_level::PollPoint) -> String {
    match p.simulated {
        Some(v) if p.n > 0.0 => {
            let half = 1.96 * (p.published * (1.0 - p.published) / p.n).sqrt();
            let miss = (v - p.published).abs();
            if miss <= half {
                "yes".into()
            } else {
                format!("no, {:.1} points outside", 100.0 * (miss - half))
            }
        }
        _ => "-".into(),
    }
}

/// Every stance with its evidence links, and the evidence records.
fn evidence(s: &Scenario) -> Markup {
    page! {
        h2 #evidence { "Inputs and their evidence" }
        @for (k, iss) in s.issues.iter().enumerate() {
            h3 id={ "issue-" (iss.id) } { (iss.id) ": " (iss.question) }
            table {
                tr { th { "actor" } th { "position" } th { "salience" } th { "evidence or assumption" } }
                @for st in s.stances_on(k) {
                    tr {
                        td { (s.actors[st.actor].id) }
                        td { (st.position) }
                        td { (format!("{:.2}", st.salience)) }
                        td {
                            @if st.evidence.is_empty() {
                                @if let Some(a) = &st.assumption { (a) }
                            } @else {
                                @for (n, e) in st.evidence.iter().enumerate() {
                                    @if n > 0 { ", " }
                                    a href={ "#ev-" (e) } { (e) }
                                }
                            }
                        }
                    }
                }
            }
        }
        h3 { "Evidence records" }
        dl {
            @for e in &s.evidence {
                dt id={ "ev-" (e.id) } {
                    b { (e.id) } ": " (e.source.title) " (" (e.source.publisher) ", " (e.source.file) "), " (e.locator)
                }
                dd { (e.paraphrase) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand: 28% of 1,600 has a half-width of 1.96 sqrt(0.28 x 0.72 / 1600) = 2.2 points.
    #[test]
    fn a_simulated_share_is_judged_against_the_polls_sampling_interval() {
        let poll = |simulated| multivector::two_level::PollPoint {
            id: "p".into(),
            date: "2023".into(),
            sweep: 0,
            answer: 0,
            published: 0.28,
            n: 1600.0,
            simulated,
        };
        assert_eq!(within_sampling_interval(&poll(Some(0.30))), "yes");
        assert_eq!(
            within_sampling_interval(&poll(Some(0.25))),
            "no, 0.8 points outside"
        );
        assert_eq!(within_sampling_interval(&poll(None)), "-");
    }
}
