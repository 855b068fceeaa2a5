//! Reader for the DEU layout (Decision-making in the European Union, DEU I-III): one row per
//! controversial issue of an EU legislative proposal, with the position (0-100) and salience
//! (0-100) of the Commission (`com`), the European Parliament (`ep`) and each member state, the
//! reference point (`rp`) and the outcome (`out`).
//!
//! Tab- or comma-separated (detected from the header), quoted or not. An empty cell means "no
//! position" (or no salience, reference point or outcome). Any other cell that is not a number
//! in `[0, 100]` is a located error (file, line, column name); every such problem in the file
//! is reported at once.
//!
//! ```
//! use multivector_scenario::deu::parse_deu;
//!
//! let text = "prnr\tisnr\tproc\tcounvte\tintro\tpcom\tpep\tscom\tsep\trp\tout\n\
//!             d1\td1i1\tCOD\tQMV\t26-01-00\t100\t0\t80\t50\t0\t60\n";
//! let issues = parse_deu("deu.tsv", text).unwrap();
//! assert_eq!(issues[0].positions(), vec![Some(100.0), Some(0.0)]);
//! assert_eq!(issues[0].outcome, Some(60.0));
//! assert_eq!(issues[0].intro.map(|d| d.year), Some(2000));
//! ```

use crate::error::{Location, ScenarioError, ScenarioErrors};

/// The actor codes of the layout, in the order the DEU files list them.
pub const DEU_ACTORS: [&str; 30] = [
    "com", "ep", "at", "be", "bu", "cr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "el", "hu",
    "ie", "it", "lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "si", "sk", "es", "se", "uk",
];

/// A calendar date read from a DEU `intro` cell (`dd-mm-yy`; years 96-99 are 1996-1999, the
/// others 2000-2095).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct DeuDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl std::fmt::Display for DeuDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One actor's cells on one issue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeuStance {
    /// Index into [`DEU_ACTORS`].
    pub actor: usize,
    pub position: Option<f64>,
    /// On 0-100, as in the file.
    pub salience: Option<f64>,
}

/// One issue (row) of a DEU file.
#[derive(Debug, Clone, PartialEq)]
pub struct DeuIssue {
    /// 1-based line of the row in the file.
    pub line: usize,
    /// Proposal id (`prnr`), e.g. `d00032`.
    pub proposal: String,
    /// Issue id (`isnr`), e.g. `d00032i1`.
    pub issue: String,
    /// Short name (`prname`), empty when the column is absent.
    pub name: String,
    /// Legislative procedure (`proc`: COD, CNS, ...).
    pub procedure: String,
    /// Council voting rule (`counvte`: QMV, Unan, ...).
    pub voting_rule: String,
    /// Introduction date (`intro`), when given.
    pub intro: Option<DeuDate>,
    /// The `intro` cell was in the spreadsheet-rewritten form `yyyy-mm-dd` (really
    /// `20dd-mm-yy` read as `dd-mm-yy`) and was read back as `dd-mm-yy`.
    pub intro_rewritten: bool,
    /// Every actor column present in the file, in [`DEU_ACTORS`] order.
    pub stances: Vec<DeuStance>,
    /// The reference point (`rp`).
    pub reference: Option<f64>,
    /// The outcome (`out`).
    pub outcome: Option<f64>,
}

impl DeuIssue {
    /// The stated positions, one per actor column of the file.
    pub fn positions(&self) -> Vec<Option<f64>> {
        self.stances.iter().map(|s| s.position).collect()
    }
}

struct Columns {
    proposal: usize,
    issue: usize,
    name: Option<usize>,
    procedure: usize,
    voting_rule: usize,
    intro: usize,
    reference: usize,
    outcome: usize,
    /// (actor index, position column, salience column).
    actors: Vec<(usize, usize, usize)>,
}

fn problem(
    file: &str,
    line: Option<usize>,
    field: Option<&str>,
    msg: String,
    hint: &str,
) -> ScenarioError {
    ScenarioError {
        location: Location {
            file: file.to_string(),
            line,
            column: None,
            field: field.map(str::to_string),
            record: None,
        },
        message: msg,
        hint: Some(hint.to_string()),
    }
}

fn columns(file: &str, header: &csv::StringRecord) -> Result<Columns, ScenarioErrors> {
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let mut errors = Vec::new();
    let mut need = |name: &str| match find(name) {
        Some(k) => k,
        None => {
            errors.push(problem(
                file,
                Some(1),
                Some(name),
                format!("the header has no column `{name}`"),
                "a DEU file needs prnr, isnr, proc, counvte, intro, rp, out, and p/s columns for com, ep and the member states",
            ));
            0
        }
    };
    let proposal = need("prnr");
    let issue = need("isnr");
    let procedure = need("proc");
    let voting_rule = need("counvte");
    let intro = need("intro");
    let reference = need("rp");
    let outcome = need("out");
    let mut actors = Vec::new();
    for (a, code) in DEU_ACTORS.iter().enumerate() {
        match (find(&format!("p{code}")), find(&format!("s{code}"))) {
            (Some(p), Some(s)) => actors.push((a, p, s)),
            (None, None) => {}
            (Some(_), None) | (None, Some(_)) => errors.push(problem(
                file,
                Some(1),
                Some(code),
                format!("actor `{code}` has a position or a salience column but not both"),
                "give each actor both columns p<code> and s<code>",
            )),
        }
    }
    if actors.len() < 2 && errors.is_empty() {
        errors.push(problem(
            file,
            Some(1),
            None,
            "the header names fewer than two actors (columns pcom/scom, pep/sep, pat/sat, ...)"
                .into(),
            "is this a DEU file? the first row must be the header",
        ));
    }
    if !errors.is_empty() {
        return Err(ScenarioErrors(errors));
    }
    Ok(Columns {
        proposal,
        issue,
        name: find("prname"),
        procedure,
        voting_rule,
        intro,
        reference,
        outcome,
        actors,
    })
}

fn parse_date(cell: &str) -> Option<DeuDate> {
    let parts: Vec<&str> = cell.split(['-', '/', '.']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return None;
    }
    // `yyyy-mm-dd` is how a spreadsheet rewrites `dd-mm-yy` that it took for `yy-mm-dd`
    // (14-07-04, 14 July 2004, becomes 2014-07-04): undone, and counted by the caller.
    let parts: Vec<&str> = if parts[0].len() == 4 && parts[2].len() == 2 {
        vec![&parts[0][2..], parts[1], parts[2]]
    } else {
        parts
    };
    let day: u8 = parts[0].parse().ok()?;
    let month: u8 = parts[1].parse().ok()?;
    let y: i32 = parts[2].parse().ok()?;
    let year = match (parts[2].len(), y) {
        (2, 96..=99) => 1900 + y,
        (2, _) => 2000 + y,
        (4, _) => y,
        _ => return None,
    };
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days)
        .contains(&day)
        .then_some(DeuDate { year, month, day })
}

/// Reads a DEU file's text. `file` names it in errors.
pub fn parse_deu(file: &str, text: &str) -> Result<Vec<DeuIssue>, ScenarioErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    if first.trim().is_empty() {
        return Err(ScenarioErrors(vec![problem(
            file,
            Some(1),
            None,
            "the file is empty or its first line is blank".into(),
            "the first line must be the header (prnr, isnr, ..., rp, out)",
        )]));
    }
    let delimiter = if first.contains('\t') { b'\t' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| {
            ScenarioErrors(vec![problem(
                file,
                Some(1),
                None,
                format!("the header cannot be read: {e}"),
                "save the file as UTF-8 text",
            )])
        })?
        .clone();
    let cols = columns(file, &header)?;
    let width = header.len();
    let mut errors = Vec::new();
    let mut issues = Vec::new();
    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                errors.push(problem(
                    file,
                    line,
                    None,
                    format!("the row cannot be read: {e}"),
                    "check quoting: a quote opened in a cell must be closed in it",
                ));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line() as usize);
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rec.len() != width {
            errors.push(problem(
                file,
                Some(line),
                None,
                format!("the row has {} cells; the header has {width}", rec.len()),
                "every row needs one cell per header column (an empty cell for no value)",
            ));
            continue;
        }
        let cell = |k: usize| rec.get(k).unwrap_or("").trim();
        let number = |k: usize, errors: &mut Vec<ScenarioError>| -> Option<f64> {
            let c = cell(k);
            if c.is_empty() {
                return None;
            }
            let field = header.get(k).unwrap_or("").trim();
            match c.parse::<f64>() {
                Ok(v) if v.is_finite() && (0.0..=100.0).contains(&v) => Some(v),
                Ok(v) => {
                    errors.push(problem(
                        file,
                        Some(line),
                        Some(field),
                        format!("{v} lies outside the DEU scale 0-100"),
                        "positions, saliences, reference points and outcomes lie in [0, 100]",
                    ));
                    None
                }
                Err(_) => {
                    errors.push(problem(
                        file,
                        Some(line),
                        Some(field),
                        format!("`{c}` is not a number"),
                        "write a number in [0, 100], or leave the cell empty for no value",
                    ));
                    None
                }
            }
        };
        let stances = cols
            .actors
            .iter()
            .map(|&(a, p, s)| DeuStance {
                actor: a,
                position: number(p, &mut errors),
                salience: number(s, &mut errors),
            })
            .collect();
        let reference = number(cols.reference, &mut errors);
        let outcome = number(cols.outcome, &mut errors);
        let intro = match cell(cols.intro) {
            "" => None,
            c => {
                let d = parse_date(c);
                if d.is_none() {
                    errors.push(problem(
                        file,
                        Some(line),
                        Some("intro"),
                        format!("`{c}` is not a date"),
                        "write the introduction date as dd-mm-yy (96-99: 1996-1999) or dd-mm-yyyy",
                    ));
                }
                d
            }
        };
        let issue = cell(cols.issue).to_string();
        if issue.is_empty() {
            errors.push(problem(
                file,
                Some(line),
                Some("isnr"),
                "the issue id is empty".into(),
                "every row needs an issue id",
            ));
        }
        issues.push(DeuIssue {
            line,
            proposal: cell(cols.proposal).to_string(),
            issue,
            name: cols.name.map(|k| cell(k).to_string()).unwrap_or_default(),
            procedure: cell(cols.procedure).to_string(),
            voting_rule: cell(cols.voting_rule).to_string(),
            intro_rewritten: intro.is_some()
                && cell(cols.intro)
                    .split('-')
                    .next()
                    .is_some_and(|p| p.len() == 4),
            intro,
            stances,
            reference,
            outcome,
        });
    }
    if !errors.is_empty() {
        return Err(ScenarioErrors(errors));
    }
    for (k, i) in issues.iter().enumerate() {
        if let Some(j) = issues[..k].iter().find(|j| j.issue == i.issue) {
            return Err(ScenarioErrors(vec![problem(
                file,
                Some(i.line),
                Some("isnr"),
                format!(
                    "issue `{}` appears twice (first on line {})",
                    i.issue, j.line
                ),
                "issue ids must be unique",
            )]));
        }
    }
    if issues.is_empty() {
        return Err(ScenarioErrors(vec![problem(
            file,
            None,
            None,
            "the file has a header but no issue rows".into(),
            "add one row per issue",
        )]));
    }
    Ok(issues)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "prnr,isnr,proc,counvte,intro,pcom,pep,pde,scom,sep,sde,rp,out\n";

    #[test]
    fn comma_and_quotes_and_empty_cells() {
        let t = format!("{HEAD}\"p1\",\"p1i1\",CNS,Unan,\"01-02-97\",10,,30,50,,20,0,40\n");
        let v = parse_deu("x.csv", &t).unwrap();
        assert_eq!(v[0].positions(), vec![Some(10.0), None, Some(30.0)]);
        assert_eq!(
            v[0].intro,
            Some(DeuDate {
                year: 1997,
                month: 2,
                day: 1
            })
        );
        assert_eq!(v[0].line, 2);
        // A spreadsheet's rewriting of 14-07-04 (14 July 2004), and of 30-05-05.
        assert_eq!(
            parse_date("2014-07-04"),
            Some(DeuDate {
                year: 2004,
                month: 7,
                day: 14
            })
        );
        assert_eq!(
            parse_date("1930-05-05"),
            Some(DeuDate {
                year: 2005,
                month: 5,
                day: 30
            })
        );
        assert_eq!(
            parse_date("26-01-00"),
            Some(DeuDate {
                year: 2000,
                month: 1,
                day: 26
            })
        );
    }

    #[test]
    fn rewritten_dates_are_flagged() {
        let t = format!("{HEAD}p1,p1i1,CNS,Unan,2014-07-04,10,,30,50,,20,0,40\n");
        let v = parse_deu("x.csv", &t).unwrap();
        assert!(v[0].intro_rewritten);
        assert_eq!(
            v[0].intro.map(|d| d.to_string()).as_deref(),
            Some("2004-07-14")
        );
    }

    #[test]
    fn located_errors_all_at_once() {
        let t = format!("{HEAD}p1,p1i1,COD,QMV,01-02-03,abc,0,250,50,50,50,0,40\n");
        let e = parse_deu("x.csv", &t).unwrap_err().to_string();
        assert!(
            e.contains("x.csv:2: field `pcom`: `abc` is not a number"),
            "{e}"
        );
        assert!(
            e.contains("x.csv:2: field `pde`: 250 lies outside the DEU scale 0-100"),
            "{e}"
        );
    }

    #[test]
    fn bad_date_missing_column_ragged_row_and_empty() {
        let t = format!("{HEAD}p1,p1i1,COD,QMV,31-02-03,1,0,2,50,50,50,0,40\n");
        let e = parse_deu("x.csv", &t).unwrap_err().to_string();
        assert!(e.contains("field `intro`: `31-02-03` is not a date"), "{e}");
        let e = parse_deu("x.csv", "prnr,isnr,pcom,scom\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no column `proc`"), "{e}");
        let t = format!("{HEAD}p1,p1i1,COD\n");
        let e = parse_deu("x.csv", &t).unwrap_err().to_string();
        assert!(
            e.contains("x.csv:2: the row has 3 cells; the header has 13"),
            "{e}"
        );
        assert!(parse_deu("x.csv", "").is_err());
        assert!(
            parse_deu("x.csv", HEAD)
                .unwrap_err()
                .to_string()
                .contains("no issue rows")
        );
    }

    #[test]
    fn nan_and_infinity_are_not_numbers_on_the_scale() {
        let t = format!("{HEAD}p1,p1i1,COD,QMV,,NaN,inf,1,1,1,1,0,1\n");
        let e = parse_deu("x.csv", &t).unwrap_err().to_string();
        assert!(e.contains("field `pcom`"), "{e}");
        assert!(e.contains("field `pep`"), "{e}");
    }
}
