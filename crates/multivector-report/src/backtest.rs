//! The backtest's HTML page: one self-contained file (no script, no external address) with the
//! scores, the distribution of absolute errors per model, interval coverage and the PIT
//! histograms. Templates are maud's, which escape every interpolated string.

use maud::{DOCTYPE, PreEscaped, html as page};
use multivector::backtest::{BacktestReport, Estimate, IssueRow};
use multivector::scoring::quantile_sorted;

const COLORS: [&str; 8] = [
    "#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#6a4c93", "#00798c", "#8c564b", "#555",
];

/// The page for a backtest of the file named `source`.
pub fn html(r: &BacktestReport, source: &str) -> String {
    let mut ranked: Vec<_> = r.scores.iter().collect();
    ranked.sort_by(|a, b| a.mae.value.total_cmp(&b.mae.value));
    let models: Vec<&str> = ranked.iter().map(|m| m.model.as_str()).collect();
    let errors: Vec<(String, Vec<f64>)> = models
        .iter()
        .map(|m| (m.to_string(), abs_errors(&r.rows, m)))
        .collect();
    let doc = page! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "multivector backtest: " (source) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "Backtest: every model against real outcomes" }
                p.small {
                    (source) ": " (r.counts.usable) " usable issues in " (r.counts.proposals)
                    " proposals (of " (r.counts.issues) "); seed " (r.settings.seed) "; "
                    (r.settings.draws) " ensemble draws per issue; "
                    (r.settings.bootstrap) " bootstrap replicates over whole proposals."
                }
                h2 { "Point forecasts" }
                p { (verdict(r)) }
                table {
                    tr { th { "model" } th { "issues" } th { "MAE [95%]" } th { "RMSE [95%]" }
                         th { "median AE [95%]" } th { "closer than the mean" } th { "MAE − mean's MAE [95%]" } }
                    @for m in &ranked {
                        tr {
                            td { (m.model) } td.num { (m.n) } td.num { (est(&m.mae)) }
                            td.num { (est(&m.rmse)) } td.num { (est(&m.median_ae)) }
                            td.num { (est(&m.closer_than_mean)) } td.num { (est(&m.mae_minus_mean)) }
                        }
                    }
                }
                (PreEscaped(error_chart(&errors)))
                p.small {
                    "Each row: the absolute errors of one model, one per issue. The box spans the middle half (25th to 75th percentile), "
                    "the whiskers the 10th to 90th percentile, the bar is the median, the diamond the mean (the MAE)."
                }
                @if let Some(st) = &r.stacking {
                    h2 { "The stacked forecast" }
                    p {
                        "A convex combination of the models (weights at least zero, summing to one), fitted by least squares on "
                        (st.folds - 1) " of " (st.folds) " folds of whole proposals and scored on the remaining fold, so that no issue is forecast with weights that saw its outcome."
                    }
                    table {
                        tr { th { "fold" } @for m in &st.models { th { (m) } } }
                        @for (k, w) in st.fold_weights.iter().enumerate() {
                            tr { td { (k + 1) } @for v in w { td.num { (format!("{v:.2}")) } } }
                        }
                        tr.note { td { "all issues (never scored)" } @for v in &st.all_issues_weights { td.num { (format!("{v:.2}")) } } }
                    }
                }
                @if !r.probabilistic.is_empty() {
                    h2 { "Distributions: CRPS, interval coverage and PIT" }
                    p {
                        "Each model's ensemble per issue, scored against the outcome. CRPS is in points of the 0-100 scale (lower is better; "
                        "for a point forecast it equals the absolute error, so a CRPS below the mean's MAE means the distribution adds something). "
                        "Calibrated central intervals contain the outcome 50% and 80% of the time; a calibrated ensemble's PIT histogram is flat."
                    }
                    table {
                        tr { th { "model" } th { "issues" } th { "CRPS [95%]" } th { "CRPS − mean's MAE [95%]" }
                             th { "50% interval covers [95%]" } th { "80% interval covers [95%]" } }
                        @for m in &r.probabilistic {
                            tr {
                                td { (m.model) } td.num { (m.n) } td.num { (est(&m.crps)) }
                                td.num { (est(&m.crps_minus_mean_mae)) } td.num { (est(&m.coverage50)) }
                                td.num { (est(&m.coverage80)) }
                            }
                        }
                    }
                    div.pits {
                        @for (k, m) in r.probabilistic.iter().enumerate() {
                            (PreEscaped(pit_chart(&m.model, &m.pit, COLORS[k % COLORS.len()])))
                        }
                    }
                    p.small { "PIT: the share of a model's draws below the outcome, one value per issue, in ten bins. The dashed line is the count of a calibrated ensemble. Mass at both ends: intervals too narrow; in the middle: too wide; on one side: biased." }
                }
                h2 { "Where the models miss most" }
                table {
                    tr { th { "issue" } th { "proposal" } th { "name" } th { "outcome" } th { "mean absolute error" } }
                    @for w in &r.worst {
                        tr { td { (w.issue) } td { (w.proposal) } td { (w.name) } td.num { (format!("{:.1}", w.outcome)) } td.num { (format!("{:.1}", w.mean_abs_error)) } }
                    }
                }
                h2 { "Assumptions" }
                ul { @for a in &r.assumptions { li { (a) } } }
            }
        }
    };
    doc.into_string()
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1050px;margin:2em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}\
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}tr.note td{color:#666}\
h2{border-bottom:1px solid #ddd}.small{color:#555;font-size:12px}.pits{display:flex;flex-wrap:wrap;gap:8px}\
@media print{body{max-width:none;margin:0}h2{break-after:avoid}figure,table{break-inside:avoid}}";

/// Text escaped for HTML and SVG, by maud's escaper.
fn esc(s: &str) -> String {
    page! { (s) }.into_string()
}

fn est(e: &Estimate) -> String {
    match (e.low, e.high) {
        (Some(l), Some(h)) => format!("{:.2} [{:.2}, {:.2}]", e.value, l, h),
        _ => format!("{:.2}", e.value),
    }
}

fn verdict(r: &BacktestReport) -> String {
    let mut ranked: Vec<_> = r.scores.iter().collect();
    ranked.sort_by(|a, b| a.mae.value.total_cmp(&b.mae.value));
    let Some(best) = ranked.first() else {
        return String::new();
    };
    let beat: Vec<&str> = r
        .scores
        .iter()
        .filter(|m| m.mae_minus_mean.high.is_some_and(|h| h < 0.0))
        .map(|m| m.model.as_str())
        .collect();
    let lose: Vec<&str> = r
        .scores
        .iter()
        .filter(|m| m.mae_minus_mean.low.is_some_and(|l| l > 0.0))
        .map(|m| m.model.as_str())
        .collect();
    format!(
        "Lowest mean absolute error: {} ({:.2} on the 0-100 scale). Clearly better than the weighted mean (interval of the difference below zero): {}. Clearly worse: {}.",
        best.model,
        best.mae.value,
        if beat.is_empty() {
            "none".to_string()
        } else {
            beat.join(", ")
        },
        if lose.is_empty() {
            "none".to_string()
        } else {
            lose.join(", ")
        }
    )
}

fn abs_errors(rows: &[IssueRow], model: &str) -> Vec<f64> {
    let mut v: Vec<f64> = rows
        .iter()
        .filter(|x| x.model == model)
        .map(|x| x.abs_error)
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Horizontal box plots of absolute errors on a fixed 0-100 axis, one row per model.
pub fn error_chart(rows: &[(String, Vec<f64>)]) -> String {
    let (left, right, top, row_h) = (120.0, 20.0, 28.0, 26.0);
    let w = 720.0;
    let plot_w = w - left - right;
    let h = top + rows.len() as f64 * row_h + 40.0;
    let x = |v: f64| left + v.clamp(0.0, 100.0) / 100.0 * plot_w;
    let mut s = format!(
        r##"<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="Absolute errors per model"><title>Absolute errors per model</title><text x="{left}" y="16" font-size="12">Absolute error per issue (points of the 0-100 scale)</text>"##
    );
    let bottom = top + rows.len() as f64 * row_h;
    for t in (0..=100).step_by(10) {
        let tx = x(f64::from(t));
        s += &format!(
            r##"<line x1="{tx}" y1="{top}" x2="{tx}" y2="{bottom}" stroke="#eee"/><line x1="{tx}" y1="{bottom}" x2="{tx}" y2="{b2}" stroke="#444"/><text x="{tx}" y="{ty}" font-size="10" text-anchor="middle">{t}</text>"##,
            b2 = bottom + 4.0,
            ty = bottom + 16.0
        );
    }
    s += &format!(
        r##"<line x1="{left}" y1="{bottom}" x2="{r}" y2="{bottom}" stroke="#444"/><text x="{cx}" y="{ly}" font-size="11" text-anchor="middle">absolute error</text>"##,
        r = left + plot_w,
        cx = left + plot_w / 2.0,
        ly = bottom + 32.0
    );
    for (k, (name, v)) in rows.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        let c = COLORS[k % COLORS.len()];
        let y = top + k as f64 * row_h + row_h / 2.0;
        let q = |p: f64| x(quantile_sorted(v, p));
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let m = x(mean);
        s += &format!(
            r##"<text x="{tx}" y="{ty}" font-size="11" text-anchor="end">{n}</text><line x1="{a}" y1="{y}" x2="{b}" y2="{y}" stroke="{c}" stroke-width="1.5"/><rect x="{q1}" y="{by}" width="{bw}" height="14" fill="{c}" fill-opacity="0.25" stroke="{c}"/><line x1="{md}" y1="{by}" x2="{md}" y2="{be}" stroke="{c}" stroke-width="2.5"/><path d="M{m} {d1} l5 5 l-5 5 l-5 -5 z" fill="{c}"/>"##,
            tx = left - 8.0,
            ty = y + 4.0,
            n = esc(name),
            a = q(0.1),
            b = q(0.9),
            q1 = q(0.25),
            by = y - 7.0,
            bw = (q(0.75) - q(0.25)).max(0.5),
            md = q(0.5),
            be = y + 7.0,
            d1 = y - 5.0,
        );
    }
    s + "</svg></figure>"
}

/// A PIT histogram: ten bars and the calibrated count as a dashed line.
pub fn pit_chart(model: &str, counts: &[usize], color: &str) -> String {
    let (w, h, left, bottom_pad, top) = (200.0, 130.0, 28.0, 22.0, 18.0);
    let n: usize = counts.iter().sum();
    let bins = counts.len().max(1) as f64;
    let expected = n as f64 / bins;
    let ymax = counts
        .iter()
        .map(|&c| c as f64)
        .fold(expected, f64::max)
        .max(1.0)
        * 1.1;
    let plot_w = w - left - 6.0;
    let plot_h = h - top - bottom_pad;
    let y = |v: f64| top + plot_h - v / ymax * plot_h;
    let title = esc(model);
    let mut s = format!(
        r##"<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="PIT histogram of {title}"><title>PIT histogram of {title}</title><text x="{left}" y="12" font-size="11">{title} ({n} issues)</text>"##
    );
    let bw = plot_w / bins;
    for (k, &c) in counts.iter().enumerate() {
        let x0 = left + k as f64 * bw;
        s += &format!(
            r##"<rect x="{x}" y="{yy}" width="{bw1}" height="{hh}" fill="{color}" fill-opacity="0.7"><title>{lo:.1}-{hi:.1}: {c}</title></rect>"##,
            x = x0 + 0.5,
            yy = y(c as f64),
            bw1 = bw - 1.0,
            hh = top + plot_h - y(c as f64),
            lo = k as f64 / bins,
            hi = (k + 1) as f64 / bins,
        );
    }
    let base = top + plot_h;
    s += &format!(
        r##"<line x1="{left}" y1="{ye}" x2="{r}" y2="{ye}" stroke="#222" stroke-dasharray="4 3"/><line x1="{left}" y1="{base}" x2="{r}" y2="{base}" stroke="#444"/><text x="{left}" y="{ty}" font-size="9" text-anchor="middle">0</text><text x="{mid}" y="{ty}" font-size="9" text-anchor="middle">0.5</text><text x="{r}" y="{ty}" font-size="9" text-anchor="middle">1</text><text x="{lx}" y="{ye3}" font-size="9" text-anchor="end">{e:.0}</text>"##,
        ye = y(expected),
        r = left + plot_w,
        mid = left + plot_w / 2.0,
        ty = base + 12.0,
        lx = left - 3.0,
        ye3 = y(expected) + 3.0,
        e = expected
    );
    s + "</svg></figure>"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_chart_places_the_scale_inside_the_frame_and_escapes_names() {
        let rows = vec![
            ("a<b".to_string(), vec![0.0, 10.0, 20.0, 30.0, 100.0]),
            ("mean".to_string(), vec![5.0; 4]),
        ];
        let svg = error_chart(&rows);
        // 0 at x = 120 and 100 at x = 700 (720 wide, 20 right margin): inside the viewBox.
        assert!(
            svg.contains(r#"<text x="120" y="96" font-size="10" text-anchor="middle">0</text>"#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<text x="700" y="96" font-size="10" text-anchor="middle">100</text>"#),
            "{svg}"
        );
        assert!(svg.contains("a&lt;b") && !svg.contains("a<b"));
        // The median of 0, 10, 20, 30, 100 is 20: x = 120 + 0.2 * 580 = 236.
        assert!(svg.contains(r#"<line x1="236" y1="34""#), "{svg}");
    }

    #[test]
    fn pit_chart_draws_the_calibrated_line_at_n_over_bins() {
        let svg = pit_chart("m", &[1, 1, 1, 1, 1, 1, 1, 1, 1, 11], "#000");
        // n = 20, expected 2 per bin; ymax = 11 * 1.1 (headroom); plot height 90 from y = 18.
        let ye = 18.0 + 90.0 - 2.0 / (11.0 * 1.1) * 90.0;
        assert!(svg.contains(&format!(r#"y1="{ye}""#)), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 10);
    }
}
