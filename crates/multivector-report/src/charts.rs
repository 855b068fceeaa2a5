//! The report's charts, as inline SVG strings: lines and fans over rounds and time, interval
//! rows, dot rows, the "view from" quadrants and poll points. Written here (lines, intervals
//! and points need no chart crate, and hand-written SVG needs no font files for text
//! layout); every text interpolated into the SVG goes through [`esc`]. The pages embed them
//! as pre-escaped markup.

use std::fmt::Write as _;

const COLORS: [&str; 6] = [
    "#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#6a4c93", "#555",
];
const W: f64 = 560.0;
const H: f64 = 240.0;
const PAD: f64 = 40.0;

/// Text escaped for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Axes from (x0..x1) x (y0..y1) onto the plot area, with ticks and labels.
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
    /// Whether x counts something whole (rounds): no tick between two integers.
    whole_x: bool,
}

impl Frame {
    fn px(&self, x: f64) -> f64 {
        let span = (self.x.1 - self.x.0).max(1e-12);
        PAD + (x - self.x.0) / span * (W - 2.0 * PAD)
    }
    fn py(&self, y: f64) -> f64 {
        let span = (self.y.1 - self.y.0).max(1e-12);
        H - PAD - (y - self.y.0) / span * (H - 2.0 * PAD)
    }
    fn axes(&self, out: &mut String, xlabel: &str, ylabel: &str) {
        let _ = write!(
            out,
            r##"<line x1="{PAD}" y1="{b}" x2="{r}" y2="{b}" stroke="#444"/><line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{b}" stroke="#444"/>"##,
            b = H - PAD,
            r = W - PAD
        );
        // Ticks at round numbers (1, 2 or 5 times a power of ten), inside the range: no
        // fractional rounds, no tick cut off at an end.
        for yv in nice_ticks(self.y.0, self.y.1) {
            let _ = write!(
                out,
                r##"<text x="{tx}" y="{ty}" font-size="10" text-anchor="end">{v}</text><line x1="{PAD}" y1="{ty0}" x2="{r}" y2="{ty0}" stroke="#eee"/>"##,
                tx = PAD - 4.0,
                ty = self.py(yv) + 3.0,
                ty0 = self.py(yv),
                r = W - PAD,
                v = trim(yv),
            );
        }
        let xs = nice_ticks(self.x.0, self.x.1);
        for xv in xs.into_iter().filter(|v| !self.whole_x || v.fract() == 0.0) {
            let _ = write!(
                out,
                r##"<line x1="{xx}" y1="{b}" x2="{xx}" y2="{b4}" stroke="#444"/><text x="{xx}" y="{xy}" font-size="10" text-anchor="middle">{v}</text>"##,
                xx = self.px(xv),
                b = H - PAD,
                b4 = H - PAD + 4.0,
                xy = H - PAD + 14.0,
                v = trim(xv),
            );
        }
        let _ = write!(
            out,
            r##"<text x="{cx}" y="{by}" font-size="11" text-anchor="middle">{xl}</text><text x="12" y="{cy}" font-size="11" text-anchor="middle" transform="rotate(-90 12 {cy})">{yl}</text>"##,
            cx = W / 2.0,
            by = H - 6.0,
            cy = H / 2.0,
            xl = esc(xlabel),
            yl = esc(ylabel)
        );
    }
}

/// Tick values between `lo` and `hi` (both included when they fall on a tick): multiples of
/// a step of 1, 2 or 5 times a power of ten, the smallest giving at most six intervals.
fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return vec![lo];
    }
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|st| span / st <= 6.0)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil();
    let last = (hi / step).floor();
    let mut out = Vec::new();
    let mut k = first;
    while k <= last + 1e-9 && out.len() <= 20 {
        // Round away the floating-point residue of k * step (0.30000000000000004).
        let v = (k * step * 1e9).round() / 1e9;
        out.push(v);
        k += 1.0;
    }
    out
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn svg_open(title: &str) -> String {
    format!(
        r##"<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{t}"><title>{t}</title>"##,
        t = esc(title)
    )
}

fn legend(out: &mut String, names: &[String]) {
    let mut x = PAD;
    for (k, n) in names.iter().enumerate() {
        let _ = write!(
            out,
            r##"<rect x="{x}" y="8" width="10" height="10" fill="{c}"/><text x="{tx}" y="17" font-size="10">{n}</text>"##,
            tx = x + 13.0,
            c = COLORS[k % COLORS.len()],
            n = esc(n)
        );
        x = legend_next(x, n);
    }
}

/// Where the legend entry after one named `name` at `x` starts: past its swatch and text (at
/// most 6 px a character at font size 10), never closer than the old fixed step.
fn legend_next(x: f64, name: &str) -> f64 {
    x + (13.0 + 6.0 * name.chars().count() as f64 + 12.0).max(95.0)
}

/// Lines through `(x, y)` points, one per series.
pub fn line_chart(
    title: &str,
    series: &[(String, Vec<(f64, f64)>)],
    y: (f64, f64),
    xl: &str,
    yl: &str,
) -> String {
    let pts = series.iter().flat_map(|s| s.1.iter());
    let (x0, x1) = pts.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
        (a.min(p.0), b.max(p.0))
    });
    let f = Frame {
        x: (x0, x1.max(x0 + 1.0)),
        y,
        whole_x: false,
    };
    let mut out = svg_open(title);
    f.axes(&mut out, xl, yl);
    for (k, (_, s)) in series.iter().enumerate() {
        let d: Vec<String> = s
            .iter()
            .map(|p| format!("{:.1},{:.1}", f.px(p.0), f.py(p.1)))
            .collect();
        let _ = write!(
            out,
            r##"<polyline fill="none" stroke="{c}" stroke-width="2" points="{d}"/>"##,
            c = COLORS[k % COLORS.len()],
            d = d.join(" ")
        );
    }
    legend(
        &mut out,
        &series.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
    );
    out.push_str("</svg></figure>");
    out
}

/// The CSS class that marks a model's marks in every chart (`m-` and the name, other
/// characters than letters, digits and `-` as `_`), for the report's model toggles.
pub fn model_class(model: &str) -> String {
    let slug: String = model
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("m-{slug}")
}

/// One model's run over rounds, with the ensemble's band around it.
#[derive(Debug, Clone, Copy)]
pub struct FanSeries<'a> {
    /// The model.
    pub model: &'a str,
    /// Its colour (index into the report's palette, the same in every chart).
    pub color: usize,
    /// The point forecast's number after each round, round 0 first.
    pub path: &'a [f64],
    /// The ensemble's `(10%, median, 90%)` after each round, round 0 first (may be empty).
    pub band: &'a [(f64, f64, f64)],
    /// Where each entry sits on the x axis (empty: at its index, a round).
    pub x: &'a [f64],
}

impl FanSeries<'_> {
    fn x_of(&self, k: usize) -> f64 {
        self.x.get(k).copied().unwrap_or(k as f64)
    }
}

/// A fan chart's axes: the y range and the x axis's name and unit words.
#[derive(Debug, Clone, Copy)]
pub struct FanAxes<'a> {
    /// The y range.
    pub y: (f64, f64),
    /// The x axis's label ("round").
    pub x_label: &'a str,
    /// The y axis's label ("position").
    pub y_label: &'a str,
    /// What one x step is called in hover titles ("round", "sweep").
    pub step: &'a str,
    /// Whether a band is cut once it settles (rounds after every run stopped repeat it);
    /// a band over time is drawn whole.
    pub settle: bool,
}

/// A fan chart over rounds: for each model its point run as a line with a dot per round
/// (hover: the value) and the 10-90% band of the ensemble's runs as a shaded area with its
/// median dotted, drawn until it settles; the status quo (dashed) and the observed outcome
/// (solid) as horizontal lines. Rounds are whole numbers on the x axis.
pub fn fan_chart(title: &str, series: &[FanSeries], axes: FanAxes, marks: Marks) -> String {
    let y = axes.y;
    // A band is drawn until it settles within half a percent of the scale of its final value
    // (later rounds repeat it): a few draws' runs going on to the round cap would otherwise
    // squeeze every run into the chart's left edge.
    let tol = 0.005 * (y.1 - y.0);
    let trimmed: Vec<FanSeries> = series
        .iter()
        .map(|s| {
            let keep = s
                .band
                .last()
                .filter(|_| axes.settle)
                .map_or(s.band.len(), |end| {
                    let off = |b: &(f64, f64, f64)| {
                        (b.0 - end.0)
                            .abs()
                            .max((b.1 - end.1).abs())
                            .max((b.2 - end.2).abs())
                    };
                    s.band
                        .iter()
                        .rposition(|b| off(b) > tol)
                        .map_or(1, |r| (r + 2).min(s.band.len()))
                });
            FanSeries {
                band: &s.band[..keep],
                ..*s
            }
        })
        .collect();
    let series = trimmed.as_slice();
    let last = series
        .iter()
        .map(|s| s.x_of(s.path.len().max(s.band.len()).saturating_sub(1)))
        .fold(1.0, f64::max);
    let f = Frame {
        x: (0.0, last),
        y,
        whole_x: true,
    };
    let mut out = svg_open(title);
    f.axes(&mut out, axes.x_label, axes.y_label);
    let (left, right) = (PAD, W - PAD);
    for (v, what, style) in [
        (
            marks.status_quo,
            "status quo",
            r##"stroke="#888" stroke-dasharray="4 3""##,
        ),
        (
            marks.observed,
            "observed",
            r##"stroke="#111" stroke-width="2""##,
        ),
    ] {
        if let Some(v) = v {
            let yy = f.py(v.clamp(y.0, y.1));
            let _ = write!(
                out,
                r##"<line x1="{left}" y1="{yy:.1}" x2="{right}" y2="{yy:.1}" {style}><title>{what} {v}</title></line>"##,
                v = trim(v)
            );
        }
    }
    for s in series {
        let c = COLORS[s.color % COLORS.len()];
        let _ = write!(out, r##"<g class="{}">"##, model_class(s.model));
        if !s.band.is_empty() {
            let upper = s
                .band
                .iter()
                .enumerate()
                .map(|(r, b)| format!("{:.1},{:.1}", f.px(s.x_of(r)), f.py(b.2)));
            let lower = s
                .band
                .iter()
                .enumerate()
                .rev()
                .map(|(r, b)| format!("{:.1},{:.1}", f.px(s.x_of(r)), f.py(b.0)));
            let median: Vec<String> = s
                .band
                .iter()
                .enumerate()
                .map(|(r, b)| format!("{:.1},{:.1}", f.px(s.x_of(r)), f.py(b.1)))
                .collect();
            let _ = write!(
                out,
                r##"<polygon fill="{c}" fill-opacity="0.14" stroke="none" points="{p}"><title>{m}: 10-90% band</title></polygon><polyline fill="none" stroke="{c}" stroke-width="1" stroke-dasharray="2 2" points="{md}"/>"##,
                p = upper.chain(lower).collect::<Vec<_>>().join(" "),
                m = esc(s.model),
                md = median.join(" ")
            );
        }
        let pts: Vec<String> = s
            .path
            .iter()
            .enumerate()
            .map(|(r, v)| format!("{:.1},{:.1}", f.px(s.x_of(r)), f.py(*v)))
            .collect();
        let _ = write!(
            out,
            r##"<polyline fill="none" stroke="{c}" stroke-width="2" points="{p}"/>"##,
            p = pts.join(" ")
        );
        for (r, v) in s.path.iter().enumerate() {
            let band = s.band.get(r).map_or(String::new(), |b| {
                format!("; 10-90% {} to {}", trim(b.0), trim(b.2))
            });
            let _ = write!(
                out,
                r##"<circle cx="{x:.1}" cy="{yy:.1}" r="2.5" fill="{c}"><title>{m}, {step} {at}: {v}{band}</title></circle>"##,
                x = f.px(s.x_of(r)),
                step = esc(axes.step),
                at = trim(s.x_of(r)),
                yy = f.py(*v),
                m = esc(s.model),
                v = trim(*v)
            );
        }
        out.push_str("</g>");
    }
    let mut lx = PAD;
    for s in series {
        let _ = write!(
            out,
            r##"<g class="{cl}"><rect x="{lx}" y="8" width="10" height="10" fill="{c}"/><text x="{tx}" y="17" font-size="10">{n}</text></g>"##,
            cl = model_class(s.model),
            tx = lx + 13.0,
            c = COLORS[s.color % COLORS.len()],
            n = esc(s.model)
        );
        lx = legend_next(lx, s.model);
    }
    out.push_str("</svg></figure>");
    out
}

/// Published poll figures as points with their 95% sampling interval (normal approximation,
/// `1.96 sqrt(p (1 - p) / n)`, cut to [0, 1]) and the simulated shares as hollow diamonds, at
/// each wave; nothing joins the points (polls are observations, not a path). Each entry is
/// `(label, x, published, n, simulated)`.
pub fn poll_chart(title: &str, polls: &[(String, f64, f64, f64, Option<f64>)], xl: &str) -> String {
    let (x0, x1) = polls
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    let (x0, x1) = if x0.is_finite() { (x0, x1) } else { (0.0, 1.0) };
    let pad = ((x1 - x0) * 0.05).max(1.0);
    let f = Frame {
        x: (x0 - pad, x1 + pad),
        y: (0.0, 1.0),
        whole_x: false,
    };
    let mut out = svg_open(title);
    f.axes(&mut out, xl, "share giving the answer");
    for (label, x, p, n, sim) in polls {
        let half = if *n > 0.0 {
            1.96 * (p * (1.0 - p) / n).sqrt()
        } else {
            0.0
        };
        let (lo, hi) = ((p - half).max(0.0), (p + half).min(1.0));
        let (cx, cy) = (f.px(*x), f.py(*p));
        let _ = write!(
            out,
            r##"<line x1="{cx:.1}" y1="{y0:.1}" x2="{cx:.1}" y2="{y1:.1}" stroke="{c}" stroke-width="2"/><circle cx="{cx:.1}" cy="{cy:.1}" r="4" fill="{c}"><title>{l}: published {pv:.1}% (95% sampling interval {lv:.1} to {hv:.1}, n {n})</title></circle>"##,
            y0 = f.py(lo),
            y1 = f.py(hi),
            c = COLORS[0],
            l = esc(label),
            pv = 100.0 * p,
            lv = 100.0 * lo,
            hv = 100.0 * hi,
            n = trim(*n),
        );
        if let Some(v) = sim {
            let sy = f.py(*v);
            let _ = write!(
                out,
                r##"<path d="M{a:.1},{sy:.1} L{cx:.1},{t:.1} L{b:.1},{sy:.1} L{cx:.1},{u:.1} Z" fill="white" stroke="{c}" stroke-width="2"><title>{l}: simulated {sv:.1}%</title></path>"##,
                a = cx + 1.0,
                b = cx + 11.0,
                t = sy - 5.0,
                u = sy + 5.0,
                c = COLORS[1],
                l = esc(label),
                sv = 100.0 * v,
            );
        }
    }
    legend(
        &mut out,
        &[
            "published, 95% interval".to_string(),
            "simulated".to_string(),
        ],
    );
    out.push_str("</svg></figure>");
    out
}

/// One row per label (an issue), a dot per series (a power) at its value on `x`, the series
/// named in a legend: the profile as distances per power per issue, not a line across issue
/// numbers. Each entry of `rows` is `(label, [(series index, value)])`.
pub fn dot_rows_chart(
    title: &str,
    rows: &[(String, Vec<(usize, f64)>)],
    names: &[String],
    x: (f64, f64),
    xl: &str,
) -> String {
    let (top, row_h) = (30.0, 20.0);
    let frame = RowFrame::new(x, top, rows.len(), row_h);
    let (bottom, plot_w) = (frame.bottom, frame.plot_w());
    let px = |v: f64| frame.px(v);
    let mut out = frame.open(title);
    frame.grid(&mut out);
    let _ = write!(
        out,
        r##"<text x="{cx}" y="{ly}" font-size="11" text-anchor="middle">{xl}</text>"##,
        cx = IV_LEFT + plot_w / 2.0,
        ly = bottom + 30.0,
        xl = esc(xl)
    );
    for (k, (label, dots)) in rows.iter().enumerate() {
        let y = top + k as f64 * row_h + row_h / 2.0;
        let _ = write!(
            out,
            r##"<text x="{tx}" y="{ty}" font-size="11" text-anchor="end">{l}</text><line x1="{IV_LEFT}" y1="{y}" x2="{r}" y2="{y}" stroke="#f3f3f3"/>"##,
            tx = IV_LEFT - 8.0,
            ty = y + 4.0,
            l = esc(label),
            r = IV_LEFT + plot_w,
        );
        for &(series, v) in dots {
            let name = names.get(series).map_or("", String::as_str);
            let _ = write!(
                out,
                r##"<circle cx="{cx:.1}" cy="{y}" r="4.5" fill="{c}" opacity="0.85"><title>{l}: {n} {v}</title></circle>"##,
                cx = px(v),
                c = COLORS[series % COLORS.len()],
                l = esc(label),
                n = esc(name),
                v = trim(v),
            );
        }
    }
    legend(&mut out, names);
    out.push_str("</svg></figure>");
    out
}

/// Reference marks on an interval chart: the status quo and what was observed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Marks {
    /// The status quo, drawn as a grey dashed line.
    pub status_quo: Option<f64>,
    /// The observed outcome, drawn as a solid dark line.
    pub observed: Option<f64>,
}

/// The frame of a chart with one row per label over a horizontal scale `x` (interval charts,
/// dot rows): rows from `top` to `bottom`, ticks at every tenth of the scale below.
struct RowFrame {
    x: (f64, f64),
    top: f64,
    bottom: f64,
    h: f64,
}

impl RowFrame {
    fn new(x: (f64, f64), top: f64, rows: usize, row_h: f64) -> Self {
        let bottom = top + rows as f64 * row_h;
        RowFrame {
            x,
            top,
            bottom,
            h: bottom + 34.0,
        }
    }

    fn plot_w(&self) -> f64 {
        W - IV_LEFT - IV_RIGHT
    }

    /// The x pixel of a value, clamped to the scale so every mark stays inside.
    fn px(&self, v: f64) -> f64 {
        let span = (self.x.1 - self.x.0).max(1e-12);
        IV_LEFT + (v.clamp(self.x.0, self.x.1) - self.x.0) / span * self.plot_w()
    }

    fn open(&self, title: &str) -> String {
        format!(
            r##"<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {h}" width="{W}" height="{h}" role="img" aria-label="{t}"><title>{t}</title>"##,
            h = self.h,
            t = esc(title)
        )
    }

    /// Grid lines, tick marks and labels at every tenth of the scale, and the axis.
    fn grid(&self, out: &mut String) {
        let (top, bottom) = (self.top, self.bottom);
        let span = (self.x.1 - self.x.0).max(1e-12);
        for k in 0..=IV_TICKS {
            let v = self.x.0 + span * k as f64 / IV_TICKS as f64;
            let tx = self.px(v);
            let _ = write!(
                out,
                r##"<line x1="{tx:.1}" y1="{top}" x2="{tx:.1}" y2="{bottom}" stroke="#eee"/><line x1="{tx:.1}" y1="{bottom}" x2="{tx:.1}" y2="{b4}" stroke="#444"/><text x="{tx:.1}" y="{ty}" font-size="10" text-anchor="middle">{v}</text>"##,
                b4 = bottom + 4.0,
                ty = bottom + 15.0,
                v = trim(v)
            );
        }
        let _ = write!(
            out,
            r##"<line x1="{IV_LEFT}" y1="{bottom}" x2="{r}" y2="{bottom}" stroke="#444"/>"##,
            r = IV_LEFT + self.plot_w()
        );
    }
}

/// Left margin of an interval chart (model names), right margin, and the tick count.
const IV_LEFT: f64 = 110.0;
const IV_RIGHT: f64 = 20.0;
const IV_TICKS: usize = 10;

/// One row per model: 2.5-97.5 thin bar, 10-90 thick bar, median dot, on the issue's whole
/// scale `x` with ticks at every tenth; the status quo and the observed outcome as vertical
/// lines. Every mark stays inside the frame (values are clamped to the scale).
pub fn interval_chart(
    title: &str,
    rows: &[(String, [f64; 5])],
    x: (f64, f64),
    marks: Marks,
) -> String {
    let (top, row_h) = (14.0, 24.0);
    let frame = RowFrame::new(x, top, rows.len(), row_h);
    let (bottom, h) = (frame.bottom, frame.h);
    let px = |v: f64| frame.px(v);
    let mut out = frame.open(title);
    frame.grid(&mut out);
    let mut legend = Vec::new();
    if let Some(v) = marks.status_quo {
        let mx = px(v);
        let _ = write!(
            out,
            r##"<line x1="{mx:.1}" y1="{top}" x2="{mx:.1}" y2="{bottom}" stroke="#888" stroke-dasharray="4 3"><title>status quo {v}</title></line>"##,
            v = trim(v)
        );
        legend.push("dashed: status quo");
    }
    if let Some(v) = marks.observed {
        let mx = px(v);
        let _ = write!(
            out,
            r##"<line x1="{mx:.1}" y1="{top}" x2="{mx:.1}" y2="{bottom}" stroke="#111" stroke-width="2"><title>observed {v}</title></line>"##,
            v = trim(v)
        );
        legend.push("solid: observed");
    }
    for (k, (name, [p025, p10, med, p90, p975])) in rows.iter().enumerate() {
        let y = top + k as f64 * row_h + row_h / 2.0;
        let c = COLORS[k % COLORS.len()];
        let _ = write!(
            out,
            r##"<g class="{cl}"><text x="{tx}" y="{ty}" font-size="11" text-anchor="end">{n}</text><line x1="{a:.1}" y1="{y}" x2="{b:.1}" y2="{y}" stroke="{c}" stroke-width="2" opacity="0.5"/><line x1="{c1:.1}" y1="{y}" x2="{c2:.1}" y2="{y}" stroke="{c}" stroke-width="8"/><circle cx="{m:.1}" cy="{y}" r="5" fill="white" stroke="{c}" stroke-width="2"><title>{n}: median {med}, 10-90% {lo} to {hi}</title></circle></g>"##,
            cl = model_class(name),
            tx = IV_LEFT - 8.0,
            ty = y + 4.0,
            n = esc(name),
            a = px(*p025),
            b = px(*p975),
            c1 = px(*p10),
            c2 = px(*p90),
            m = px(*med),
            med = trim(*med),
            lo = trim(*p10),
            hi = trim(*p90),
        );
    }
    if !legend.is_empty() {
        let _ = write!(
            out,
            r##"<text x="{IV_LEFT}" y="{ly}" font-size="10" fill="#555">{l}</text>"##,
            ly = h - 4.0,
            l = legend.join("; ")
        );
    }
    out.push_str("</svg></figure>");
    out
}

/// Points with labels, and the axes through the origin (the "view from" quadrants).
pub fn quadrant_chart(title: &str, pts: &[(String, f64, f64)]) -> String {
    let m = pts
        .iter()
        .flat_map(|p| [p.1.abs(), p.2.abs()])
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.1;
    let f = Frame {
        x: (-m, m),
        y: (-m, m),
        whole_x: false,
    };
    let mut out = svg_open(title);
    f.axes(
        &mut out,
        "expected gain of the focal actor (a)",
        "of the other (b)",
    );
    let _ = write!(
        out,
        r##"<line x1="{x0}" y1="{cy}" x2="{x1}" y2="{cy}" stroke="#999" stroke-dasharray="3"/><line x1="{cx}" y1="{y0}" x2="{cx}" y2="{y1}" stroke="#999" stroke-dasharray="3"/>"##,
        x0 = f.px(-m),
        x1 = f.px(m),
        cy = f.py(0.0),
        cx = f.px(0.0),
        y0 = f.py(-m),
        y1 = f.py(m)
    );
    // Dots first, labels after, so no dot hides a label.
    for (name, a, b) in pts {
        let _ = write!(
            out,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{c}"><title>{n}: a {av}, b {bv}</title></circle>"##,
            x = f.px(*a),
            y = f.py(*b),
            c = COLORS[0],
            n = esc(name),
            av = trim(*a),
            bv = trim(*b),
        );
    }
    for ((name, a, b), (tx, ty, anchor)) in pts.iter().zip(place_labels(&f, pts)) {
        let (x, y) = (f.px(*a), f.py(*b));
        // A leader line when the label had to move away from its point.
        if (ty - 3.0 - y).abs() > 1.0 {
            let lx = if anchor == "end" { tx + 1.0 } else { tx - 1.0 };
            let _ = write!(
                out,
                r##"<line x1="{x:.1}" y1="{y:.1}" x2="{lx:.1}" y2="{ly:.1}" stroke="#bbb"/>"##,
                ly = ty - 3.0
            );
        }
        let _ = write!(
            out,
            r##"<text x="{tx:.1}" y="{ty:.1}" font-size="10" text-anchor="{anchor}">{n}</text>"##,
            n = esc(name),
        );
    }
    out.push_str("</svg></figure>");
    out
}

/// Where each point's label goes so that no two labels overlap: right of the point, else
/// left, above or below it, else stacked downward from it in steps of a line, within the
/// frame. Returns `(x, y, text-anchor)` per point, in input order. Labels are at most 6.3
/// pixels a character wide and 11 high at font size 10.
fn place_labels(f: &Frame, pts: &[(String, f64, f64)]) -> Vec<(f64, f64, &'static str)> {
    // Every dot is an obstacle too.
    let mut placed: Vec<(f64, f64, f64, f64)> = pts
        .iter()
        .map(|p| {
            let (x, y) = (f.px(p.1), f.py(p.2));
            (x - 4.0, y - 4.0, x + 4.0, y + 4.0)
        })
        .collect();
    let mut out = vec![(0.0, 0.0, "start"); pts.len()];
    let mut order: Vec<usize> = (0..pts.len()).collect();
    order.sort_by(|&i, &j| pts[i].2.total_cmp(&pts[j].2).reverse());
    let inside = |b: &(f64, f64, f64, f64)| b.0 >= 0.0 && b.2 <= W && b.1 >= 0.0 && b.3 <= H;
    let clear = |b: &(f64, f64, f64, f64), placed: &[(f64, f64, f64, f64)]| {
        placed
            .iter()
            .all(|p| b.2 <= p.0 || b.0 >= p.2 || b.3 <= p.1 || b.1 >= p.3)
    };
    for i in order {
        let (x, y) = (f.px(pts[i].1), f.py(pts[i].2));
        let w = 6.3 * pts[i].0.chars().count() as f64;
        // (text x, baseline y, anchor); the box spans 8 above to 3 below the baseline.
        let mut candidates: Vec<(f64, f64, &'static str)> = vec![
            (x + 6.0, y + 3.0, "start"),
            (x - 6.0, y + 3.0, "end"),
            (x - w / 2.0, y - 8.0, "start"),
            (x - w / 2.0, y + 15.0, "start"),
        ];
        for k in 1..=12 {
            candidates.push((x + 6.0, y + 3.0 + 11.0 * k as f64, "start"));
            candidates.push((x + 6.0, y + 3.0 - 11.0 * k as f64, "start"));
        }
        let bbox = |c: &(f64, f64, &str)| {
            let left = if c.2 == "end" { c.0 - w } else { c.0 };
            (left, c.1 - 8.0, left + w, c.1 + 3.0)
        };
        let pick = candidates
            .iter()
            .find(|c| {
                let b = bbox(c);
                inside(&b) && clear(&b, &placed)
            })
            .copied()
            .unwrap_or(candidates[0]);
        placed.push(bbox(&pick));
        out[i] = pick;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A point at the data's corner lands on the plot area's corner.
    #[test]
    fn frames_map_corners() {
        let f = Frame {
            x: (0.0, 10.0),
            y: (0.0, 100.0),
            whole_x: false,
        };
        assert_eq!((f.px(0.0), f.py(0.0)), (PAD, H - PAD));
        assert_eq!((f.px(10.0), f.py(100.0)), (W - PAD, PAD));
        let svg = line_chart(
            "t",
            &[("a".into(), vec![(0.0, 0.0), (10.0, 100.0)])],
            (0.0, 100.0),
            "x",
            "y",
        );
        assert!(svg.contains(&format!(
            "points=\"{:.1},{:.1} {:.1},{:.1}\"",
            PAD,
            H - PAD,
            W - PAD,
            PAD
        )));
        assert!(esc("<a&\"").contains("&lt;a&amp;&quot;"));
    }

    #[test]
    fn ticks_are_round_numbers_inside_the_range() {
        assert_eq!(nice_ticks(0.0, 100.0), [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        // Ten rounds: whole rounds only.
        assert_eq!(nice_ticks(0.0, 10.0), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(nice_ticks(0.0, 1.0), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        // 150 weekly sweeps: no tick beyond the last sweep.
        let t = nice_ticks(0.0, 150.0);
        assert_eq!(t.first(), Some(&0.0));
        assert!(t.iter().all(|&v| v <= 150.0) && t.len() >= 4);
        assert!(nice_ticks(2026.0, 2040.0).iter().all(|v| v.fract() == 0.0));
        assert_eq!(nice_ticks(5.0, 5.0), [5.0]);
    }

    /// The scale's ends land on the plot area's ends (inside the 560-wide frame: bars near
    /// 100 used to be cut off), every tenth has a tick, and the marks are drawn.
    /// 13% of 1,100: the 95% sampling interval is 13 +- 1.96 sqrt(0.13 x 0.87 / 1100) =
    /// 13 +- 1.99 points (by hand); the points are not joined by a line.
    #[test]
    fn polls_are_points_with_their_sampling_intervals() {
        let svg = poll_chart(
            "polls",
            &[
                ("a".into(), 7.0, 0.13, 1100.0, Some(0.2)),
                ("b".into(), 64.0, 0.28, 1100.0, None),
            ],
            "sweep",
        );
        assert!(
            svg.contains("published 13.0% (95% sampling interval 11.0 to 15.0, n 1100)"),
            "{svg}"
        );
        assert!(svg.contains("simulated 20.0%"));
        assert!(!svg.contains("<polyline"), "no line joins the polls");
        assert_eq!(svg.matches("<circle").count(), 2);
    }

    /// The profile chart: a row per issue with its label, a dot per power at its distance,
    /// nothing joining issues (they are not an ordered axis).
    #[test]
    fn the_profile_is_dots_per_issue_not_a_line() {
        let svg = dot_rows_chart(
            "profile",
            &[
                ("recognition".into(), vec![(0, 0.54), (1, 0.26)]),
                ("unga_vote".into(), vec![(0, 0.5), (1, 0.0)]),
            ],
            &["RUS".into(), "CHN".into()],
            (0.0, 1.0),
            "distance",
        );
        assert!(!svg.contains("<polyline"));
        assert_eq!(svg.matches("<circle").count(), 4);
        assert!(svg.contains(">recognition</text>") && svg.contains("recognition: RUS 0.54"));
        // 0.54 of the width from the left margin: 110 + 0.54 x 430 = 342.2.
        assert!(svg.contains("cx=\"342.2\""), "{svg}");
    }

    /// Labels of points that sit on top of one another do not overlap: every pair of label
    /// boxes is apart, and every label stays inside the frame.
    #[test]
    fn view_from_labels_do_not_collide() {
        let pts: Vec<(String, f64, f64)> = (0..8)
            .map(|k| (format!("ACTOR_{k}"), 0.3 + 0.001 * k as f64, 0.2))
            .collect();
        let f = Frame {
            x: (-1.0, 1.0),
            y: (-1.0, 1.0),
            whole_x: false,
        };
        let at = place_labels(&f, &pts);
        let boxes: Vec<(f64, f64, f64, f64)> = at
            .iter()
            .zip(&pts)
            .map(|((x, y, anchor), p)| {
                let w = 6.3 * p.0.len() as f64;
                let left = if *anchor == "end" { x - w } else { *x };
                (left, y - 8.0, left + w, y + 3.0)
            })
            .collect();
        for (i, a) in boxes.iter().enumerate() {
            assert!(a.0 >= 0.0 && a.2 <= W && a.1 >= 0.0 && a.3 <= H, "{a:?}");
            for b in &boxes[i + 1..] {
                assert!(
                    a.2 <= b.0 || a.0 >= b.2 || a.3 <= b.1 || a.1 >= b.3,
                    "{a:?} overlaps {b:?}"
                );
            }
        }
        let svg = quadrant_chart("view", &pts);
        assert!(svg.contains("<line x1") && svg.contains("ACTOR_7: a 0.31, b 0.2"));
    }

    #[test]
    fn interval_charts_keep_the_whole_scale_inside_the_frame() {
        let rows = vec![("m".to_string(), [0.0, 10.0, 50.0, 90.0, 100.0])];
        let svg = interval_chart(
            "t",
            &rows,
            (0.0, 100.0),
            Marks {
                status_quo: Some(25.0),
                observed: Some(100.0),
            },
        );
        let (left, right) = (IV_LEFT, W - IV_RIGHT);
        assert!(
            svg.contains(&format!(
                r#"<line x1="{left:.1}" y1="26" x2="{right:.1}" y2="26""#
            )),
            "{svg}"
        );
        for t in (0..=100).step_by(10) {
            let x = left + f64::from(t) / 100.0 * (right - left);
            assert!(
                svg.contains(&format!(r#"text-anchor="middle">{t}</text>"#)),
                "tick {t}"
            );
            assert!(
                svg.contains(&format!(r#"<line x1="{x:.1}" y1="38""#)),
                "tick line {t}"
            );
        }
        assert!(right <= W, "the 100 end is inside the frame");
        assert!(svg.contains("status quo 25") && svg.contains("observed 100"));
        // Values off the scale are clamped to its ends, never drawn outside.
        let wild = interval_chart(
            "t",
            &[("m".into(), [-50.0, 0.0, 50.0, 100.0, 500.0])],
            (0.0, 100.0),
            Marks::default(),
        );
        assert!(
            wild.contains(&format!(r#"x1="{left:.1}" y1="26" x2="{right:.1}""#)),
            "{wild}"
        );
    }

    /// The fan chart: whole rounds only on the x axis, each model in its own toggle class
    /// with its band, a hover title per round, and a band cut once it has settled (a few runs
    /// going on to the cap do not stretch the axis).
    #[test]
    fn fan_charts_show_each_models_run_and_band() {
        let path = [10.0, 20.0, 30.0];
        // The band changes until round 3, then repeats for 47 rounds.
        let mut band: Vec<(f64, f64, f64)> = (0..4)
            .map(|r| (f64::from(r), 10.0 * f64::from(r), 50.0))
            .collect();
        band.extend(std::iter::repeat_n((3.0, 30.0, 50.0), 47));
        let series = [
            FanSeries {
                model: "bdm-scholz",
                color: 0,
                path: &path,
                band: &band,
                x: &[],
            },
            FanSeries {
                model: "smp",
                color: 2,
                path: &[50.0, 50.0],
                band: &[],
                x: &[],
            },
        ];
        let svg = fan_chart(
            "t",
            &series,
            FanAxes {
                y: (0.0, 100.0),
                x_label: "round",
                y_label: "position",
                step: "round",
                settle: true,
            },
            Marks {
                status_quo: Some(40.0),
                observed: Some(35.0),
            },
        );
        assert!(
            svg.contains(r#"<g class="m-bdm-scholz">"#) && svg.contains(r#"<g class="m-smp">"#)
        );
        assert!(svg.contains("bdm-scholz, round 2: 30; 10-90% 2 to 50"));
        assert!(svg.contains("smp, round 1: 50</title>"));
        assert!(svg.contains("status quo 40") && svg.contains("observed 35"));
        // The band settles at round 3 and is cut there: x ticks 0 to 3, whole.
        let ticks: Vec<&str> = svg
            .match_indices(r#"text-anchor="middle">"#)
            .map(|(i, m)| {
                let rest = &svg[i + m.len()..];
                &rest[..rest.find('<').unwrap_or(0)]
            })
            .collect();
        assert!(
            ticks.starts_with(&["0", "1", "2", "3", "round"]),
            "{ticks:?}"
        );
        assert!(!ticks.iter().any(|t| t.contains('.')), "{ticks:?}");
        insta::assert_snapshot!("fan_chart", svg);
    }

    /// The charts' SVG, pinned: any change to a chart shows up as a reviewed snapshot diff.
    #[test]
    fn chart_snapshots() {
        insta::assert_snapshot!(
            "interval_chart",
            interval_chart(
                "forecast intervals",
                &[
                    ("bdm-scholz".into(), [5.0, 20.0, 45.0, 80.0, 97.0]),
                    ("mean".into(), [30.0, 35.0, 40.0, 45.0, 50.0]),
                ],
                (0.0, 100.0),
                Marks {
                    status_quo: Some(10.0),
                    observed: Some(42.0),
                },
            )
        );
        insta::assert_snapshot!(
            "dot_rows_chart",
            dot_rows_chart(
                "distances",
                &[
                    ("a".into(), vec![(0, 0.2), (1, 0.7)]),
                    ("b".into(), vec![(0, 0.5)]),
                ],
                &["RUS".into(), "EU".into()],
                (0.0, 1.0),
                "distance",
            )
        );
        insta::assert_snapshot!(
            "quadrant_chart",
            quadrant_chart(
                "view from",
                &[("RUS".into(), 0.3, -0.2), ("CHN".into(), -0.1, 0.4)],
            )
        );
        insta::assert_snapshot!(
            "poll_chart",
            poll_chart(
                "polls",
                &[
                    ("p1 (answer 1)".into(), 10.0, 0.4, 1000.0, Some(0.42)),
                    ("p2 (answer 1)".into(), 60.0, 0.35, 800.0, None),
                ],
                "sweep",
            )
        );
    }
}
