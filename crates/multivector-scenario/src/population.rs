//! Population files: the domestic level of a scenario (`docs/opinion.md`), read into
//! [`PopulationSpec`] with located errors.

use std::path::Path;

use multivector_models::opinion::spec::PopulationSpec;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Reporter, ScenarioErrors};

/// The Kazakhstan population scenario, compiled in.
pub const KAZAKHSTAN: &str = include_str!("../../../scenarios/kazakhstan-population.toml");

/// `(name, text)` of every built-in population; the name is the bargaining scenario's.
pub const ALL: [(&str, &str); 1] = [("kazakhstan", KAZAKHSTAN)];

/// The saved calibration of the Kazakhstan population (`multivector calibrate --out`, default
/// settings), the two-level run's default parameters.
pub const KAZAKHSTAN_CALIBRATION: &str =
    include_str!("../../../scenarios/kazakhstan-population.calibration.json");

/// The saved calibration of a built-in population, as `(file, JSON text)`.
pub fn builtin_calibration(name: &str) -> Option<(&'static str, &'static str)> {
    (name == "kazakhstan").then_some((
        "scenarios/kazakhstan-population.calibration.json",
        KAZAKHSTAN_CALIBRATION,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format_version: i64,
    population: PopulationSpec,
}

/// Parses and checks a population file; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<PopulationSpec, ScenarioErrors> {
    let mut rep = Reporter::new(file, text);
    let hint = "see docs/opinion.md for every field and the Kazakhstan file for an example";
    let parsed: File = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            rep.push(
                e.span().map(|s| s.start),
                Some("population".into()),
                None,
                e.message().trim().to_string(),
                Some(hint),
            );
            return Err(rep_errors(rep));
        }
    };
    if parsed.format_version != 1 {
        rep.push(
            None,
            None,
            Some("format_version"),
            format!("format version {} is not supported", parsed.format_version),
            Some("write format_version = 1"),
        );
        return Err(rep_errors(rep));
    }
    let spec = parsed.population;
    let mut problems = spec.problems();
    // The start is a real calendar date (2022-13-45 used to roll over to 2023-02-14); poll
    // dates are labels (a source may give only a year) and the sweep places them.
    let date = |d: &str| d.parse::<jiff::civil::Date>().is_ok();
    if !date(&spec.start_date) {
        problems.push(format!(
            "population, field `start_date`: `{}` is not a date (write YYYY-MM-DD)",
            spec.start_date
        ));
    }
    if problems.is_empty() {
        return Ok(spec);
    }
    for msg in problems {
        let offset = locate(text, &msg);
        // "group `g`, field `census`: -0.27 must be ..." as record, field and message.
        let (head, rest) = msg.split_once(": ").unwrap_or(("population", msg.as_str()));
        let (record, field) = match head.rsplit_once(", field `") {
            Some((r, f)) => (r, f.strip_suffix('`')),
            None => (head, None),
        };
        rep.push(offset, Some(record.into()), field, rest, Some(hint));
    }
    Err(rep_errors(rep))
}

/// Where in `text` the record or field a check's message names is written. A message opens
/// with where it belongs, `record `id`[, field `f`]: ...` (`population, group `kz-young`,
/// field `census``, `event `mobilisation``, `audience cost of `KAZ` on `recognition``); the
/// parsed document is walked along that path to the field's value, else to the deepest record
/// found (the last of two records that share an id). A message that names nothing found
/// points at the `[population]` table.
fn locate(text: &str, msg: &str) -> Option<usize> {
    let doc = DeTable::parse(text).ok()?;
    let population = doc.get_ref().get("population")?;
    let twice = msg.contains("appears twice");
    let head = msg.split(": ").next().unwrap_or(msg);
    let mut at = population;
    for part in head.split(", ") {
        let names: Vec<&str> = part.split('`').skip(1).step_by(2).collect();
        let kind = part.split(" `").next().unwrap_or(part).trim();
        let next = match (kind, names.as_slice()) {
            ("population", _) => Some(population),
            ("network" | "media", _) => child(at, kind),
            ("field", [f]) => child(at, f),
            ("group", [id]) => element(at, "groups", &[("id", id)], twice),
            ("poll", [id]) => element(at, "polls", &[("id", id)], twice),
            ("group check", [id]) => element(at, "group_checks", &[("id", id)], twice),
            ("event", [id]) => element(at, "events", &[("id", id)], twice),
            ("variant", [name]) => element(at, "variants", &[("name", name)], twice),
            ("calibrate", [name]) => element(at, "calibrate", &[("name", name)], twice),
            ("calibrate", []) => child(at, "calibrate"),
            ("outlet", [name]) => element(at, "outlets", &[("name", name)], twice)
                .or_else(|| element(at, "changes", &[("outlet", name)], twice)),
            ("audience cost of", [actor, issue]) => element(
                at,
                "audience_costs",
                &[("actor", actor), ("issue", issue)],
                twice,
            ),
            ("binding of", [actor, issue]) => {
                element(at, "bindings", &[("actor", actor), ("issue", issue)], twice)
            }
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => break,
        }
    }
    Some(at.span().start)
}

/// The value of key `key` of table `v`.
fn child<'a, 'i>(v: &'a Spanned<DeValue<'i>>, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    match v.get_ref() {
        DeValue::Table(t) => t.get(key),
        _ => None,
    }
}

/// The element of the array `key` of `v` whose string fields equal `fields`: the first, or the
/// last when `last`.
fn element<'a, 'i>(
    v: &'a Spanned<DeValue<'i>>,
    key: &str,
    fields: &[(&str, &str)],
    last: bool,
) -> Option<&'a Spanned<DeValue<'i>>> {
    let DeValue::Array(items) = child(v, key)?.get_ref() else {
        return None;
    };
    let matches = |e: &&Spanned<DeValue<'i>>| {
        fields.iter().all(|(f, want)| {
            child(e, f).is_some_and(|x| matches!(x.get_ref(), DeValue::String(s) if s == want))
        })
    };
    if last {
        items.iter().rev().find(matches)
    } else {
        items.iter().find(matches)
    }
}

fn rep_errors(rep: Reporter) -> ScenarioErrors {
    match rep.finish(()) {
        Err(e) => e,
        Ok(()) => ScenarioErrors(Vec::new()),
    }
}

/// Parses an edge list: one tie per line as two 0-based agent numbers separated by
/// whitespace or a comma; blank lines and lines starting with `#` are skipped. Every bad line
/// is reported with its number.
pub fn parse_edge_list(file: &str, text: &str) -> Result<Vec<(u32, u32)>, ScenarioErrors> {
    let mut rep = Reporter::new(file, text);
    let mut edges = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let body = line.trim();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = body
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|f| !f.is_empty())
            .collect();
        let nums: Vec<Option<u32>> = fields.iter().map(|f| f.parse().ok()).collect();
        match nums[..] {
            [Some(a), Some(b)] => edges.push((a, b)),
            _ => rep.push(
                Some(at),
                Some("edge list".into()),
                None,
                format!("`{body}` is not a tie"),
                Some("write two agent numbers (0-based, below 4294967295) per line, e.g. `12 345`"),
            ),
        }
    }
    rep.finish(edges)
}

/// Reads a population file from disk (and its edge list, if it names one).
pub fn load_path(path: &Path) -> Result<PopulationSpec, ScenarioErrors> {
    let name = path.display().to_string();
    let read = crate::read_limited(path, crate::MAX_FILE_BYTES).and_then(|b| {
        String::from_utf8(b).map_err(|_| std::io::Error::other("the file is not valid UTF-8"))
    });
    match read {
        Ok(text) => {
            let mut spec = parse(&name, &text)?;
            if let multivector_models::opinion::spec::Network::EdgeList { path: rel, edges } =
                &mut spec.network
            {
                let full = path.parent().unwrap_or(Path::new(".")).join(rel.as_str());
                let shown = full.display().to_string();
                let list = std::fs::read_to_string(&full).map_err(|e| {
                    let mut rep = Reporter::new(&name, &text);
                    rep.push(
                        text.find(rel.as_str()),
                        Some("population".into()),
                        Some("network"),
                        format!("cannot read the edge list {shown}: {e}"),
                        Some("the path is relative to the population file"),
                    );
                    rep_errors(rep)
                })?;
                *edges = parse_edge_list(&shown, &list)?;
            }
            Ok(spec)
        }
        Err(e) => {
            let mut rep = Reporter::new(&name, "");
            rep.push(
                None,
                None,
                None,
                format!("cannot read the file: {e}"),
                Some("check the path"),
            );
            Err(rep_errors(rep))
        }
    }
}

/// A built-in population by its scenario's name.
pub fn builtin(name: &str) -> Option<Result<PopulationSpec, ScenarioErrors>> {
    ALL.iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| parse(&format!("builtin:{n}-population"), text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kazakhstan_population_loads() {
        let p = builtin("kazakhstan").unwrap().unwrap();
        assert_eq!(p.groups.len(), 6);
        assert_eq!(p.polls.len(), 4);
        assert_eq!(p.items.len(), 2);
        // The audience rows reproduce the national media-use shares (39/23/35/1/2) when
        // weighted by census, to within a point.
        let m = p.media.as_ref().unwrap();
        let k = m.outlets.len();
        let national: Vec<f64> = (0..k)
            .map(|o| {
                p.groups
                    .iter()
                    .enumerate()
                    .map(|(g, gr)| gr.census * m.audience[g * k + o])
                    .sum()
            })
            .collect();
        for (got, want) in national.iter().zip([0.39, 0.23, 0.35, 0.01, 0.02]) {
            assert!((got - want).abs() < 0.01, "{national:?}");
        }
    }

    /// Every evidence id the population cites is a record of the bargaining scenario.
    #[test]
    fn population_evidence_ids_exist_in_the_scenario() {
        let p = builtin("kazakhstan").unwrap().unwrap();
        let s = crate::builtin::load("kazakhstan")
            .unwrap()
            .unwrap()
            .scenario;
        let known: Vec<&str> = s.evidence.iter().map(|e| e.id.as_str()).collect();
        let mut n = 0;
        for id in p.evidence_ids() {
            assert!(known.contains(&id), "unknown evidence `{id}`");
            n += 1;
        }
        assert!(n >= 10);
        for b in &p.bindings {
            assert!(s.actor_index(&b.actor).is_some() && s.issue_index(&b.issue).is_some());
        }
        for a in &p.audience_costs {
            assert!(s.actor_index(&a.actor).is_some() && s.issue_index(&a.issue).is_some());
        }
        for e in &p.events {
            assert!(
                !e.evidence.is_empty() || e.assumption.is_some(),
                "event `{}` cites nothing",
                e.id
            );
        }
    }

    /// The line of the first `needle` after line `after` (1-based) in `text`.
    fn line_of(text: &str, after: usize, needle: &str) -> usize {
        text.lines()
            .enumerate()
            .skip(after)
            .find(|(_, l)| l.starts_with(needle))
            .map(|(k, _)| k + 1)
            .unwrap()
    }

    #[test]
    fn every_problem_points_at_the_field_it_names() {
        // Three faults at once in the built-in file: a group's census, an event's shift and
        // a second group with the first one's id. Each error carries the line of the value
        // at fault (counted here in the edited text), all in one report.
        let text = KAZAKHSTAN
            .replacen("census = 0.27", "census = -0.27", 1)
            .replacen("shift = [0.03, 0.0]", "shift = [3.0, 0.0]", 1)
            .replacen("id = \"kz_ethnic_older\"", "id = \"kz_ethnic_young\"", 1);
        let err = parse("p.toml", &text).unwrap_err();
        let at = |needle: &str| {
            err.errors()
                .iter()
                .find(|e| e.to_string().contains(needle))
                .unwrap_or_else(|| panic!("no error on {needle}: {err}"))
                .location
                .line
                .unwrap()
        };
        assert_eq!(at("field `census`"), line_of(&text, 0, "census = -0.27"));
        let event = line_of(&text, 0, "id = \"atrocity-reports\"");
        assert_eq!(at("field `shift`"), line_of(&text, event, "shift = [3.0"));
        // A duplicate points at the second record with that id.
        let first = line_of(&text, 0, "id = \"kz_ethnic_young\"");
        let second = line_of(&text, first, "id = \"kz_ethnic_young\"");
        let dup = at("appears twice");
        assert!(
            dup > first && dup <= second + 1,
            "duplicate at {dup}, records at {first} and {second}"
        );
    }

    #[test]
    fn edge_lists_read_and_report_bad_lines() {
        let e = parse_edge_list("e.txt", "# ties\n0 1\n1,2\n\n2\t3\n").unwrap();
        assert_eq!(e, vec![(0, 1), (1, 2), (2, 3)]);
        let err = parse_edge_list("e.txt", "0 1\n1 x\n-1 2\n3 4 5\n").unwrap_err();
        let lines: Vec<_> = err.errors().iter().map(|e| e.location.line).collect();
        assert_eq!(lines, vec![Some(2), Some(3), Some(4)]);
        assert!(err.errors()[0].hint.is_some());
    }

    #[test]
    fn a_population_with_an_edge_list_file_loads_and_runs() {
        let dir = std::env::temp_dir().join(format!("mv-edges-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("ties.txt"), "0 1\n1 2\n2 3\n").unwrap();
        let text = KAZAKHSTAN.replacen(
            "network = { kind = \"sbm\", mean_degree = 10, homophily = 0.6 }",
            "network = { kind = \"edge_list\", path = \"ties.txt\" }",
            1,
        );
        std::fs::write(dir.join("p.toml"), &text).unwrap();
        let spec = load_path(&dir.join("p.toml")).unwrap();
        let (_, g) = spec.build(20, 1).unwrap();
        assert_eq!(g.edges(), 3);
        assert_eq!(g.degree(19), 0, "agents beyond the list are isolated");
        std::fs::remove_file(dir.join("ties.txt")).unwrap();
        let e = load_path(&dir.join("p.toml")).unwrap_err();
        assert!(e.to_string().contains("cannot read the edge list"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn variants_are_read_from_the_file_and_checked() {
        let p = parse("p.toml", KAZAKHSTAN).unwrap();
        let names: Vec<&str> = p.variants.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            names,
            ["no-media-law", "russian-media-halved", "no-audience-costs"]
        );
        // The law is an event: the volume with events applied halves from its sweep.
        let ru = |s: &PopulationSpec| {
            s.media_with_events()
                .unwrap()
                .outlets
                .iter()
                .find(|o| o.name == "ru_state")
                .unwrap()
                .volume
                .clone()
        };
        // The law halves the volume from sweep 121; without it the volume stays 1.
        assert_eq!(ru(&p).at(200.0), 0.5);
        assert_eq!(ru(&p.with_variant("no-media-law").unwrap()).at(200.0), 1.0);
        let halved = ru(&p.with_variant("russian-media-halved").unwrap());
        assert_eq!((halved.at(0.0), halved.at(200.0)), (0.5, 0.25));
        assert!(
            p.with_variant("nope")
                .unwrap_err()
                .to_string()
                .contains("variants: no-media-law")
        );
        let bad = KAZAKHSTAN.replacen(
            "outlet = \"ru_state\", volume_scale",
            "outlet = \"tass\", volume_scale",
            1,
        );
        let e = parse("p.toml", &bad).unwrap_err();
        assert!(
            e.to_string()
                .contains("variant `russian-media-halved`: unknown outlet `tass`"),
            "{e}"
        );
        assert!(e.errors()[0].location.line.is_some());
    }

    /// Each event moves what it says from its date and nothing before it: a run with one
    /// event equals the run without it up to the state dated before the event, then differs,
    /// only in the groups and items it names; the same on one thread and on two.
    #[test]
    fn events_move_what_they_say_on_their_date_and_nothing_before() {
        let p = parse("p.toml", KAZAKHSTAN).unwrap();
        let mut none = p.clone();
        none.events.clear();
        none.variants.clear();
        let run = |s: &PopulationSpec| s.run(1200, 40, 7).unwrap();
        let base = run(&none);
        for e in p.events.iter().filter(|e| !e.shift.is_empty()) {
            let t = p.event_sweep(e).unwrap();
            let mut one = none.clone();
            one.events = vec![e.clone()];
            let with = run(&one);
            // States 0..=t are before the event (state t is dated before its date).
            assert_eq!(with.means[..=t], base.means[..=t], "{} before", e.id);
            assert!(t < 40, "{}", e.id);
            for (g, grp) in p.groups.iter().enumerate() {
                for (item, d) in e.shift.iter().enumerate() {
                    let hit = e.groups.is_empty() || e.groups.contains(&grp.id);
                    let moved = with.means[t + 1][item][g] - base.means[t + 1][item][g];
                    if hit && *d > 0.0 {
                        assert!(moved > 0.5 * d, "{} moves {}: {moved}", e.id, grp.id);
                    }
                }
            }
        }
        // The calendar: sweep t starts on start + 7t; the atrocity reports (2022-04-03, 38
        // days in) hit at sweep 6 (day 42), the law (2024-06-19, day 846) at sweep 121.
        let at = |id: &str| p.event_sweep(p.events.iter().find(|e| e.id == id).unwrap());
        assert_eq!(at("atrocity-reports"), Some(6));
        assert_eq!(at("media-law-2024"), Some(121));
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| run(&p));
        let single = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| run(&p));
        assert_eq!(two, single, "bit-identical on 1 and 2 threads");
    }

    /// Bad events, anchoring and group checks: every problem at once, each located.
    #[test]
    fn bad_events_are_all_reported_with_their_lines() {
        let bad = KAZAKHSTAN
            .replacen("date = \"2022-08-02\"", "date = \"2022-03-40\"", 1)
            .replacen("date = \"2022-09-23\"", "date = \"2022-09-01\"", 1)
            .replacen(
                "volume_scale = 0.5\nevidence",
                "volume_scale = -0.5\nevidence",
                1,
            )
            .replacen(
                "outlet = \"ru_state\"\nvolume_scale",
                "outlet = \"tass\"\nvolume_scale",
                1,
            )
            .replacen("shift = [0.03, 0.0]", "shift = [0.03]", 1)
            .replacen("anchor = 0.04", "anchor = 1.5", 1)
            .replacen("lower = \"kz_civic\"", "lower = \"kz_nobody\"", 1)
            .replacen(
                "groups = [\"kz_ethnic_young\", \"kz_ethnic_older\", \"ru_young\"]",
                "groups = [\"kz_ethnic_young\", \"students\"]",
                1,
            );
        let e = parse("p.toml", &bad).unwrap_err();
        let text = e.to_string();
        for needle in [
            "event `coercive-statements`, field `date`: `2022-03-40` is not a date",
            "event `annexation-referendums`, field `date`: 2022-09-01 comes before the previous event's date",
            "event `media-law-2024`: unknown outlet `tass`",
            "event `media-law-2024`, field `volume_scale`: -0.5",
            "event `atrocity-reports`, field `shift`: 1 values for 2 items",
            "group `kz_ethnic_young`, field `anchor`: 1.5 lies outside [0, 1)",
            "group check `ethnic-fear-above-civic`: unknown group `kz_nobody`",
            "event `mobilisation-influx`: unknown group `students`",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        assert!(e.errors().len() >= 8, "{text}");
        assert!(
            e.errors().iter().all(|x| x.location.line.is_some()),
            "{text}"
        );
        // An event before the start, one that moves nothing, one citing nothing.
        let bad = KAZAKHSTAN
            .replacen("date = \"2022-04-03\"", "date = \"2021-12-31\"", 1)
            .replacen("shift = [0.05, 0.02]", "shift = [0.0, 0.0]", 1)
            .replacen("evidence = [\"media-law-2024\"]\n\n# Poll", "\n# Poll", 1);
        let text = parse("p.toml", &bad).unwrap_err().to_string();
        for needle in [
            "event `atrocity-reports`, field `date`: 2021-12-31 is before the start date",
            "event `annexation-referendums`: it moves nothing",
            "event `media-law-2024`: cite `evidence` or state an `assumption`",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        // A poll whose sweep is not its month.
        let bad = KAZAKHSTAN.replacen("sweep = 64", "sweep = 80", 1);
        let text = parse("p.toml", &bad).unwrap_err().to_string();
        assert!(
            text.contains("poll `demoscope-2023-05`, field `sweep`: sweep 80 is 2023-09-07, which is not the poll's date 2023-05"),
            "{text}"
        );
    }

    #[test]
    fn errors_are_located() {
        let bad = KAZAKHSTAN.replacen("census = 0.27", "census = \"a third\"", 1);
        let e = parse("p.toml", &bad).unwrap_err();
        let line = bad[..bad.find("\"a third\"").unwrap()]
            .matches('\n')
            .count()
            + 1;
        assert_eq!(e.errors()[0].location.line, Some(line), "{e}");
        let bad = KAZAKHSTAN.replacen("start = [0.30, 0.10]", "start = [1.35, 0.10]", 1);
        let e = parse("p.toml", &bad).unwrap_err();
        assert!(
            e.to_string().contains("group `ru_older`, field `start`"),
            "{e}"
        );
        assert!(e.errors()[0].location.line.is_some());
        let bad = KAZAKHSTAN.replacen("name = \"media_strength\"", "name = \"media_power\"", 1);
        let e = parse("p.toml", &bad).unwrap_err();
        assert!(
            e.to_string().contains("unknown parameter `media_power`"),
            "{e}"
        );
        // Every problem at once, each located on its own line.
        let bad = KAZAKHSTAN
            .replacen("volume = 1.0", "volume = -1.0", 1)
            .replacen("position = [0.05, 0.05]", "position = [1.55, 0.05]", 1)
            .replacen("homophily = 0.6", "homophily = 2", 1)
            .replacen("mean_degree = 10", "mean_degree = -10", 1)
            .replacen(
                "id = \"demoscope-2023-05\"",
                "id = \"demoscope-2022-04\"",
                1,
            )
            .replacen(
                "start_date = \"2022-02-24\"",
                "start_date = \"2022-13-45\"",
                1,
            )
            .replacen("id = \"kz_ethnic_older\"", "id = \"kz_ethnic_young\"", 1);
        let e = parse("p.toml", &bad).unwrap_err();
        let text = e.to_string();
        for needle in [
            "outlet `kz_state`, field `volume`: -1",
            "outlet `ru_state`, field `position`: 1.55",
            "field `homophily`: 2 lies outside [0, 1]",
            "field `mean_degree`: -10 must be above 0",
            "poll `demoscope-2022-04`: the id appears twice",
            "`2022-13-45` is not a date",
            "group `kz_ethnic_young`: the id appears twice",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        assert!(
            e.errors().iter().all(|x| x.location.line.is_some()),
            "{text}"
        );
        let line_of = |needle: &str| bad[..bad.find(needle).unwrap()].matches('\n').count() + 1;
        let dup = e
            .errors()
            .iter()
            .find(|x| {
                x.to_string()
                    .contains("group `kz_ethnic_young`: the id appears twice")
            })
            .unwrap();
        // The second `kz_young`, where the duplicate stands.
        assert!(
            dup.location.line.unwrap() > line_of("id = \"kz_ethnic_young\""),
            "{dup}"
        );
        let nan = KAZAKHSTAN.replacen("volume = 1.0", "volume = nan", 1);
        assert!(
            parse("p.toml", &nan)
                .unwrap_err()
                .to_string()
                .contains("field `volume`: NaN")
        );
        let bad = KAZAKHSTAN.replacen("sweeps = 150", "sweeps = 150\ncolour = 1", 1);
        assert!(
            parse("p.toml", &bad)
                .unwrap_err()
                .to_string()
                .contains("unknown field")
        );
    }
}
