//! Importers for the CSV layouts of other tools, so their users can switch:
//!
//! - the published expected-utility example layout (`Actor,Capability,Position,Salience`),
//!   with CR, LF or CRLF line endings and saliences on 0-1 or 0-100 (detected and reported);
//! - KTAB's SMP layout: a title line (name, description, actors, dimensions), a header
//!   (Actor, Description, capability label, then position and salience per dimension), one
//!   line per actor; fields padded with spaces, a trailing comma tolerated.
//!
//! Both become a [`Scenario`] whose evidence is the file itself.

use multivector_core::{
    Actor, ActorKind, Issue, MAX_MAGNITUDE, Meta, SalienceScale, Scale, ScaleLabel, Scenario,
    Space, Stance, Uncertainty,
};

use crate::error::{Location, ScenarioError, ScenarioErrors};

/// The line endings found in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEndings {
    Lf,
    Crlf,
    /// Old Mac style: CR alone.
    Cr,
    Mixed,
    /// A single line without an ending.
    None,
}

impl LineEndings {
    fn detect(text: &str) -> Self {
        let crlf = text.matches("\r\n").count();
        let cr = text.matches('\r').count() - crlf;
        let lf = text.matches('\n').count() - crlf;
        match (crlf > 0, cr > 0, lf > 0) {
            (false, false, false) => LineEndings::None,
            (true, false, false) => LineEndings::Crlf,
            (false, true, false) => LineEndings::Cr,
            (false, false, true) => LineEndings::Lf,
            _ => LineEndings::Mixed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LineEndings::Lf => "LF",
            LineEndings::Crlf => "CRLF",
            LineEndings::Cr => "CR (old Mac)",
            LineEndings::Mixed => "mixed",
            LineEndings::None => "none",
        }
    }
}

/// What an import found out about the file, for the user to see (on stderr).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportNotes {
    pub line_endings: LineEndings,
    /// Human-readable notes (salience scale detected, ...).
    pub notes: Vec<String>,
}

/// Splits text into lines on CR, LF or CRLF, keeping 1-based line numbers.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut n = 1;
    while !rest.is_empty() {
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        out.push((n, &rest[..end]));
        n += 1;
        rest = &rest[end..];
        if rest.starts_with("\r\n") {
            rest = &rest[2..];
        } else if !rest.is_empty() {
            rest = &rest[1..];
        }
    }
    out
}

/// Splits one line into trimmed fields with the csv crate (quotes honoured).
fn fields(line: &str) -> Vec<String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes());
    match rdr.records().next() {
        Some(Ok(rec)) => rec.iter().map(|f| f.trim().to_string()).collect(),
        _ => line.split(',').map(|f| f.trim().to_string()).collect(),
    }
}

struct Ctx<'a> {
    file: &'a str,
    errors: Vec<ScenarioError>,
}

impl Ctx<'_> {
    fn err(
        &mut self,
        line: usize,
        record: Option<String>,
        field: Option<&str>,
        msg: impl Into<String>,
        hint: &str,
    ) {
        self.errors.push(ScenarioError {
            location: Location {
                file: self.file.to_string(),
                line: Some(line),
                column: None,
                field: field.map(str::to_string),
                record,
            },
            message: msg.into(),
            hint: Some(hint.to_string()),
        });
    }

    /// Parses a finite number, reporting an error naming line, column and actor.
    fn number(&mut self, line: usize, actor: &str, field: &str, raw: &str) -> Option<f64> {
        let rec = Some(format!("actor `{actor}`"));
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() && v.abs() > MAX_MAGNITUDE => {
                self.err(
                    line,
                    rec,
                    Some(field),
                    format!("{v:e} is beyond the largest size accepted, {MAX_MAGNITUDE:e}"),
                    "rescale the column: only ratios of capabilities matter",
                );
                None
            }
            Ok(v) if v.is_finite() => Some(v),
            Ok(v) => {
                self.err(
                    line,
                    rec,
                    Some(field),
                    format!("{v} is not a finite number"),
                    "write an ordinary number; NaN and infinity are not allowed",
                );
                None
            }
            Err(_) if raw.is_empty() => {
                self.err(
                    line,
                    rec,
                    Some(field),
                    "the value is empty",
                    "every row gives a number in this column",
                );
                None
            }
            Err(_) => {
                self.err(
                    line,
                    rec,
                    Some(field),
                    format!("`{raw}` is not a number"),
                    "numbers use a decimal point and no thousands separator (0.08, 80)",
                );
                None
            }
        }
    }

    fn finish<T>(self, v: T) -> Result<T, ScenarioErrors> {
        if self.errors.is_empty() {
            Ok(v)
        } else {
            Err(ScenarioErrors(self.errors))
        }
    }
}

fn empty_file(file: &str, layout: &str) -> ScenarioErrors {
    ScenarioError {
        location: Location {
            file: file.to_string(),
            ..Location::default()
        },
        message: "the file is empty".into(),
        hint: Some(format!("expected the {layout}")),
    }
    .into()
}

fn stem(file: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let base = base.strip_suffix(".csv").unwrap_or(base);
    slug(base)
}

/// An id made of the characters ids allow.
pub(crate) fn slug(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let out = out.trim_matches('-').to_string();
    let out: String = out.chars().take(64).collect();
    if out.is_empty() { "x".into() } else { out }
}

const BDM_LAYOUT: &str = "expected-utility CSV layout: a header `Actor,Capability,Position,Salience`, then one row per actor";
const BDM_COLUMNS: [&str; 4] = ["actor", "capability", "position", "salience"];

/// Reads the published expected-utility example layout.
pub fn parse_bdm_csv(file: &str, text: &str) -> Result<(Scenario, ImportNotes), ScenarioErrors> {
    let endings = LineEndings::detect(text);
    let rows: Vec<(usize, &str)> = lines(text)
        .into_iter()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let Some(&(hline, header)) = rows.first() else {
        return Err(empty_file(file, BDM_LAYOUT));
    };
    let mut ctx = Ctx {
        file,
        errors: Vec::new(),
    };
    let mut head: Vec<String> = fields(header.trim_start_matches('\u{feff}'))
        .into_iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    // A trailing comma on the header is tolerated, as on the rows.
    if head.len() > 1 && head.last().is_some_and(String::is_empty) {
        head.pop();
    }
    let mut col = [usize::MAX; 4];
    for (k, name) in BDM_COLUMNS.iter().enumerate() {
        match head.iter().position(|h| h == name) {
            Some(p) => col[k] = p,
            None => ctx.err(
                hline,
                None,
                Some(name),
                format!(
                    "the header has no `{}` column (found: {})",
                    name,
                    head.join(", ")
                ),
                "the header reads Actor,Capability,Position,Salience (in any order)",
            ),
        }
    }
    for (k, h) in head.iter().enumerate() {
        if !h.is_empty() && head[..k].contains(h) {
            ctx.err(
                hline,
                None,
                Some(h),
                format!(
                    "the column `{h}` appears twice (columns {} and {})",
                    head[..k].iter().position(|x| x == h).unwrap_or(0) + 1,
                    k + 1
                ),
                "keep one column of each name; which to use is not for the program to guess",
            );
        }
    }
    for h in &head {
        if !BDM_COLUMNS.contains(&h.as_str()) {
            ctx.err(
                hline,
                None,
                Some(h),
                format!("unknown column `{h}`"),
                "the layout has exactly the columns Actor, Capability, Position, Salience; remove the others",
            );
        }
    }
    if !ctx.errors.is_empty() {
        return Err(ScenarioErrors(ctx.errors));
    }
    let mut names: Vec<(usize, String)> = Vec::new();
    let mut parsed: Vec<(usize, String, f64, f64, f64)> = Vec::new();
    for &(ln, line) in &rows[1..] {
        let f = fields(line);
        // A trailing empty field (trailing comma) is tolerated.
        let used = if f.len() == head.len() + 1 && f.last().is_some_and(|s| s.is_empty()) {
            head.len()
        } else {
            f.len()
        };
        if used != head.len() {
            ctx.err(
                ln,
                None,
                None,
                format!("the row has {used} fields; the header has {}", head.len()),
                "every row gives Actor, Capability, Position and Salience",
            );
            continue;
        }
        let name = f[col[0]].clone();
        if name.is_empty() {
            ctx.err(
                ln,
                None,
                Some("Actor"),
                "the actor name is empty",
                "name every actor",
            );
            continue;
        }
        if let Some((first, _)) = names.iter().find(|(_, n)| *n == name) {
            ctx.err(
                ln,
                Some(format!("actor `{name}`")),
                Some("Actor"),
                format!("duplicate actor: `{name}` already appears on line {first}"),
                "each actor appears once",
            );
            continue;
        }
        names.push((ln, name.clone()));
        let c = ctx.number(ln, &name, "Capability", &f[col[1]]);
        let x = ctx.number(ln, &name, "Position", &f[col[2]]);
        let s = ctx.number(ln, &name, "Salience", &f[col[3]]);
        if let Some(c) = c {
            if c < 0.0 {
                ctx.err(
                    ln,
                    Some(format!("actor `{name}`")),
                    Some("Capability"),
                    format!("capability is {c}; it must be zero or more"),
                    "capability is any number >= 0 (only ratios matter)",
                );
            }
        }
        if let (Some(c), Some(x), Some(s)) = (c, x, s) {
            parsed.push((ln, name, c, x, s));
        }
    }
    if !ctx.errors.is_empty() {
        return Err(ScenarioErrors(ctx.errors));
    }
    if parsed.len() < 2 {
        ctx.err(
            rows.last().map_or(1, |r| r.0),
            None,
            None,
            format!(
                "the file lists {} actor(s); a bargaining model needs at least two",
                parsed.len()
            ),
            "add a row per actor below the header",
        );
        return Err(ScenarioErrors(ctx.errors));
    }
    // Salience scale: any value above 1 means percentages.
    let smax = parsed.iter().map(|p| p.4).fold(f64::NEG_INFINITY, f64::max);
    let percent = smax > 1.0;
    let scale_max = if percent { 100.0 } else { 1.0 };
    for (ln, name, _, _, s) in &parsed {
        if *s < 0.0 || *s > scale_max {
            ctx.err(
                *ln,
                Some(format!("actor `{name}`")),
                Some("Salience"),
                format!("salience {s} lies outside 0-{scale_max}"),
                "saliences are either all on 0-1 or all on 0-100",
            );
        }
    }
    let mut notes = vec![if percent {
        format!("saliences read on the 0-100 scale (largest {smax}); divided by 100")
    } else {
        format!("saliences read on the 0-1 scale (largest {smax})")
    }];
    notes.push(format!("line endings: {}", endings.as_str()));
    let (lo, hi) = parsed
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
            (l.min(p.3), h.max(p.3))
        });
    let id = stem(file);
    let actors: Vec<Actor> = parsed
        .iter()
        .map(|(_, name, c, _, _)| Actor {
            id: slug(name),
            name: name.clone(),
            kind: ActorKind::State,
            description: String::new(),
            capability: *c,
            vector: false,
            evidence: Vec::new(),
            assumption: Some(format!("imported from {file}")),
        })
        .collect();
    let mut ids: Vec<&str> = actors.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        ctx.err(
            hline,
            None,
            Some("Actor"),
            "two actor names become the same id once reduced to letters, digits, '-' and '_'",
            "rename one of the actors",
        );
    }
    let stances = parsed
        .iter()
        .enumerate()
        .map(|(k, (_, _, _, x, s))| Stance {
            actor: k,
            issue: 0,
            position: *x,
            salience: if percent { s / 100.0 } else { *s },
            capability: None,
            uncertainty: Uncertainty::default(),
            evidence: Vec::new(),
            assumption: Some(format!("imported from {file}")),
        })
        .collect();
    let scenario = Scenario {
        meta: Meta {
            id: id.clone(),
            name: id.clone(),
            description: format!("imported from {file} (expected-utility CSV layout)"),
            period: None,
            format_version: crate::FORMAT_VERSION,
            salience_scale: if percent {
                SalienceScale::Percent
            } else {
                SalienceScale::Unit
            },
            capability_note: None,
            focal: None,
            as_of: None,
        },
        actors,
        issues: vec![inferred_issue(&id, lo, hi)],
        stances,
        evidence: Vec::new(),
        variants: Vec::new(),
        events: Vec::new(),
        spaces: Vec::new(),
    };
    ctx.finish((
        scenario,
        ImportNotes {
            line_endings: endings,
            notes,
        },
    ))
}

/// An issue whose scale is not known: the range of the positions stands in for it (and
/// models that prefer the scale fall back to the initial range, see `IssueInput::scale`).
fn inferred_issue(id: &str, lo: f64, hi: f64) -> Issue {
    let (min, max) = if hi > lo { (lo, hi) } else { (lo, lo + 1.0) };
    Issue {
        id: id.to_string(),
        question: format!("{id} (imported; scale not given in the file)"),
        scale: Scale {
            min,
            max,
            unit: None,
            labels: vec![
                ScaleLabel {
                    value: min,
                    label: "lowest position in the file".into(),
                },
                ScaleLabel {
                    value: max,
                    label: "highest position in the file".into(),
                },
            ],
        },
        status_quo: None,
        outcome: None,
        thresholds: Vec::new(),
        evidence: Vec::new(),
    }
}

const KTAB_LAYOUT: &str = "KTAB CSV layout: line 1 name, description, number of actors, number of dimensions; line 2 a header; then one line per actor";

/// Reads KTAB's SMP CSV layout. Each dimension becomes one issue on a 0-100 scale.
pub fn parse_ktab_csv(file: &str, text: &str) -> Result<(Scenario, ImportNotes), ScenarioErrors> {
    let endings = LineEndings::detect(text);
    let rows: Vec<(usize, &str)> = lines(text)
        .into_iter()
        .filter(|(_, l)| !l.trim().trim_matches(',').trim().is_empty())
        .collect();
    if rows.is_empty() {
        return Err(empty_file(file, KTAB_LAYOUT));
    }
    let mut ctx = Ctx {
        file,
        errors: Vec::new(),
    };
    let (l1, title) = rows[0];
    let t = fields(title.trim_start_matches('\u{feff}'));
    if t.len() < 4 {
        ctx.err(
            l1,
            None,
            None,
            format!("the first line has {} fields; it needs name, description, number of actors, number of dimensions", t.len()),
            KTAB_LAYOUT,
        );
        return Err(ScenarioErrors(ctx.errors));
    }
    let count = |ctx: &mut Ctx, raw: &str, what: &str| -> Option<usize> {
        match raw.parse::<usize>() {
            Ok(v) if v >= 1 => Some(v),
            _ => {
                ctx.err(
                    l1,
                    None,
                    Some(what),
                    format!("`{raw}` is not a positive whole number"),
                    KTAB_LAYOUT,
                );
                None
            }
        }
    };
    let n = count(&mut ctx, &t[2], "number of actors");
    let d = count(&mut ctx, &t[3], "number of dimensions");
    let (Some(n), Some(d)) = (n, d) else {
        return Err(ScenarioErrors(ctx.errors));
    };
    let Some(&(l2, header)) = rows.get(1) else {
        ctx.err(l1, None, None, "the header line is missing", KTAB_LAYOUT);
        return Err(ScenarioErrors(ctx.errors));
    };
    let h: Vec<String> = fields(header);
    let width = 3 + 2 * d;
    let hn = if h.len() > width && h[width..].iter().all(String::is_empty) {
        width
    } else {
        h.len()
    };
    if hn != width || !h[0].eq_ignore_ascii_case("actor") {
        ctx.err(
            l2,
            None,
            None,
            format!("the header has {hn} fields starting `{}`; with {d} dimension(s) it needs {width}: Actor, Description, a capability label, then a position and a salience label per dimension", h.first().map_or("", String::as_str)),
            KTAB_LAYOUT,
        );
        return Err(ScenarioErrors(ctx.errors));
    }
    let dims: Vec<String> = (0..d).map(|k| h[3 + 2 * k].clone()).collect();
    let body = &rows[2..];
    if body.len() != n {
        ctx.err(
            body.last().map_or(l2, |r| r.0),
            None,
            None,
            format!(
                "line {l1} announces {n} actors but {} actor line(s) follow",
                body.len()
            ),
            "correct the number of actors on line 1, or the actor lines",
        );
        return Err(ScenarioErrors(ctx.errors));
    }
    let mut actors = Vec::new();
    let mut stances = Vec::new();
    for (k, &(ln, line)) in body.iter().enumerate() {
        let f = fields(line);
        let used = if f.len() > width && f[width..].iter().all(String::is_empty) {
            width
        } else {
            f.len()
        };
        if used != width {
            ctx.err(
                ln,
                None,
                None,
                format!("the line has {used} fields; the header has {width}"),
                KTAB_LAYOUT,
            );
            continue;
        }
        let name = f[0].clone();
        if name.is_empty() {
            ctx.err(
                ln,
                None,
                Some("Actor"),
                "the actor name is empty",
                "name every actor",
            );
            continue;
        }
        if actors.iter().any(|a: &Actor| a.name == name) {
            ctx.err(
                ln,
                Some(format!("actor `{name}`")),
                Some("Actor"),
                format!("duplicate actor `{name}`"),
                "each actor appears once",
            );
            continue;
        }
        let cap_label = h[2].clone();
        let c = ctx.number(ln, &name, &cap_label, &f[2]);
        if let Some(c) = c {
            if c < 0.0 {
                ctx.err(
                    ln,
                    Some(format!("actor `{name}`")),
                    Some(&cap_label),
                    format!("capability is {c}; it must be zero or more"),
                    "KTAB capabilities lie between 0 and 1e8",
                );
            }
        }
        let mut total_sal = 0.0;
        for (di, dim) in dims.iter().enumerate() {
            let x = ctx.number(ln, &name, dim, &f[3 + 2 * di]);
            let sal_label = h[4 + 2 * di].clone();
            let s = ctx.number(ln, &name, &sal_label, &f[4 + 2 * di]);
            for (v, label) in [(x, dim), (s, &sal_label)] {
                if let Some(v) = v {
                    if !(0.0..=100.0).contains(&v) {
                        ctx.err(
                            ln,
                            Some(format!("actor `{name}`")),
                            Some(label),
                            format!("{v} lies outside 0-100"),
                            "KTAB positions and saliences are on the 0-100 scale",
                        );
                    }
                }
            }
            if let (Some(x), Some(s)) = (x, s) {
                total_sal += s;
                stances.push(Stance {
                    actor: k,
                    issue: di,
                    position: x,
                    salience: s / 100.0,
                    capability: None,
                    uncertainty: Uncertainty::default(),
                    evidence: Vec::new(),
                    assumption: Some(format!("imported from {file}")),
                });
            }
        }
        if total_sal > 100.0 + 1e-9 {
            ctx.err(
                ln,
                Some(format!("actor `{name}`")),
                None,
                format!("the saliences add up to {total_sal}; an actor's attention across dimensions is at most 100"),
                "scale the saliences down so that they sum to 100 or less",
            );
        }
        actors.push(Actor {
            id: slug(&name),
            name,
            kind: ActorKind::State,
            description: f[1].clone(),
            capability: c.unwrap_or(0.0),
            vector: false,
            evidence: Vec::new(),
            assumption: Some(format!("imported from {file}")),
        });
    }
    let id = stem(file);
    let issues = dims
        .iter()
        .map(|dim| Issue {
            id: slug(dim),
            question: dim.clone(),
            scale: Scale {
                min: 0.0,
                max: 100.0,
                unit: None,
                labels: vec![
                    ScaleLabel {
                        value: 0.0,
                        label: format!("{dim}: 0"),
                    },
                    ScaleLabel {
                        value: 100.0,
                        label: format!("{dim}: 100"),
                    },
                ],
            },
            status_quo: None,
            outcome: None,
            thresholds: Vec::new(),
            evidence: Vec::new(),
        })
        .collect::<Vec<Issue>>();
    // Several dimensions are one multi-dimensional issue for the spatial model.
    let spaces = if dims.len() > 1 {
        let mut sid = slug(&id);
        if issues.iter().any(|i| i.id == sid) {
            sid.push_str("-space");
        }
        vec![Space {
            id: sid,
            question: t[0].clone(),
            dimensions: (0..dims.len()).collect(),
        }]
    } else {
        Vec::new()
    };
    let scenario = Scenario {
        meta: Meta {
            id: id.clone(),
            name: t[0].clone(),
            description: t[1].clone(),
            period: None,
            format_version: crate::FORMAT_VERSION,
            salience_scale: SalienceScale::Percent,
            capability_note: Some(format!("KTAB `{}` column", h[2])),
            focal: None,
            as_of: None,
        },
        actors,
        issues,
        stances,
        evidence: Vec::new(),
        variants: Vec::new(),
        events: Vec::new(),
        spaces,
    };
    ctx.finish((
        scenario,
        ImportNotes {
            line_endings: endings,
            notes: vec![
                format!("KTAB layout: {n} actors, {d} dimension(s) ({}); each dimension is read as its own issue, and together they form one space for the spatial model", dims.join(", ")),
                "positions and saliences read on 0-100".into(),
            ],
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_all_line_endings() {
        let got: Vec<&str> = lines("a\rb\r\nc\nd").into_iter().map(|(_, l)| l).collect();
        assert_eq!(got, ["a", "b", "c", "d"]);
        assert_eq!(LineEndings::detect("a\rb\r"), LineEndings::Cr);
        assert_eq!(LineEndings::detect("a\r\nb\r\n"), LineEndings::Crlf);
        assert_eq!(LineEndings::detect("a\r\nb\n"), LineEndings::Mixed);
    }

    #[test]
    fn slug_keeps_ids_safe() {
        assert_eq!(slug("Liu He - Deputy Director"), "Liu-He-Deputy-Director");
        assert_eq!(slug("../../etc"), "etc");
    }
}
