//! Readers for the vote data layouts described in `docs/unga.md`: the merged long CSV pair
//! (`unga_votes_*.csv` with `unga_rollcalls_*.csv`), the DGACM JSON-lines extracts, Voeten's
//! wide CSV and the UN Digital Library's long CSV. Any file may be gzip-compressed. Malformed
//! rows are reported with file and line; nothing is dropped silently.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::countries;
use crate::data::{Builder, RollCall, Vote, VoteTable, session_of};

/// One problem in a vote file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
    pub hint: String,
}

impl fmt::Display for VoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Every problem found (reading stops after [`MAX_ERRORS`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteErrors(pub Vec<VoteError>);

/// How many problems are collected before reading stops.
pub const MAX_ERRORS: usize = 50;

impl fmt::Display for VoteErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, e) in self.0.iter().enumerate() {
            if k > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}\n  hint: {}", e.hint)?;
        }
        Ok(())
    }
}

impl std::error::Error for VoteErrors {}

struct Errs {
    list: Vec<VoteError>,
}

impl Errs {
    fn push(&mut self, file: &Path, line: Option<usize>, message: String, hint: &str) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(VoteError {
                file: file.display().to_string(),
                line,
                message,
                hint: hint.to_string(),
            });
        }
    }
    fn full(&self) -> bool {
        self.list.len() >= MAX_ERRORS
    }

    /// The table, unless a problem was found.
    fn finish(self, b: Builder) -> Result<VoteTable, VoteErrors> {
        if self.list.is_empty() {
            Ok(b.finish())
        } else {
            Err(VoteErrors(self.list))
        }
    }
}

fn one(file: &Path, message: String, hint: &str) -> VoteErrors {
    VoteErrors(vec![VoteError {
        file: file.display().to_string(),
        line: None,
        message,
        hint: hint.to_string(),
    }])
}

/// Reads a file as text, gunzipping it when it starts with the gzip magic bytes.
pub fn read_text(path: &Path) -> Result<String, VoteErrors> {
    let bytes = std::fs::read(path).map_err(|e| {
        one(
            path,
            format!("cannot read the file: {e}"),
            "check the path given to --data",
        )
    })?;
    let raw = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| {
                one(
                    path,
                    format!("the gzip data is damaged: {e}"),
                    "download or decompress the file again",
                )
            })?;
        out
    } else {
        bytes
    };
    String::from_utf8(raw).map_err(|e| {
        one(
            path,
            format!(
                "the file is not valid UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ),
            "save the file as UTF-8",
        )
    })
}

/// The layouts recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `unga_votes_*.csv` (rollcall_id, iso3, vote) with its `unga_rollcalls_*.csv`.
    MergedLong,
    /// DGACM JSON lines, one adopted resolution per line.
    Dgacm,
    /// Voeten's wide CSV: rcid, date, issue flags, one column per state (codes 1/2/3/8/9).
    VoetenWide,
    /// UN Digital Library CSV: one row per state and resolution.
    UnDigitalLibrary,
}

/// Reads `path` (a file, or a folder holding the merged pair or DGACM extracts).
pub fn load(path: &Path) -> Result<(VoteTable, Layout), VoteErrors> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| {
                one(
                    path,
                    format!("cannot list the folder: {e}"),
                    "check the path given to --data",
                )
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        let name = |p: &PathBuf| {
            p.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string()
        };
        if let Some(v) = entries.iter().find(|p| name(p).starts_with("unga_votes")) {
            return Ok((read_merged(v)?, Layout::MergedLong));
        }
        let json: Vec<PathBuf> = entries
            .iter()
            .filter(|p| {
                name(p).ends_with(".json")
                    || name(p).ends_with(".json.gz")
                    || name(p).ends_with(".jsonl")
            })
            .cloned()
            .collect();
        if !json.is_empty() {
            return Ok((read_dgacm(&json)?, Layout::Dgacm));
        }
        return Err(one(
            path,
            "the folder holds no vote files this program reads".into(),
            "give the merged votes file (unga_votes_*.csv[.gz]), a folder of DGACM .json[.gz] extracts, Voeten's wide CSV or the UN Digital Library CSV",
        ));
    }
    let text = read_text(path)?;
    // The first line, whatever ends it (LF, CRLF or a lone CR).
    let first = text
        .split(['\n', '\r'])
        .next()
        .unwrap_or("")
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase();
    if first.trim().is_empty() {
        return Err(one(
            path,
            "the file is empty".into(),
            "give a vote data file",
        ));
    }
    let cols: Vec<&str> = first
        .split(',')
        .map(|c| c.trim().trim_matches('"'))
        .collect();
    let layout = if first.starts_with('{') {
        Layout::Dgacm
    } else if cols.contains(&"rollcall_id") && cols.contains(&"iso3") && cols.contains(&"vote") {
        Layout::MergedLong
    } else if cols.contains(&"ms_code") || cols.contains(&"ms_codes") {
        Layout::UnDigitalLibrary
    } else if cols.first() == Some(&"rcid") && cols.contains(&"date") {
        Layout::VoetenWide
    } else {
        return Err(one(
            path,
            format!(
                "the layout is not recognised (first line: `{}`)",
                first.chars().take(80).collect::<String>()
            ),
            "expected the merged long CSV (rollcall_id,iso3,vote), DGACM JSON lines, Voeten's wide CSV (rcid,date,...) or the UN Digital Library CSV (ms_code, ms_vote, ...)",
        ));
    };
    let table = match layout {
        Layout::MergedLong => read_merged(path)?,
        Layout::Dgacm => read_dgacm(&[path.to_path_buf()])?,
        Layout::VoetenWide => parse_voeten_wide(path, &text)?,
        Layout::UnDigitalLibrary => parse_undl(path, &text)?,
    };
    Ok((table, layout))
}

/// The header row, or an error naming the file.
fn header_of(path: &Path, rdr: &mut csv::Reader<&[u8]>) -> Result<csv::StringRecord, VoteErrors> {
    rdr.headers().cloned().map_err(|e| {
        one(
            path,
            format!("cannot read the header: {e}"),
            "check the file",
        )
    })
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// Column index by (lower-case) name, or an error naming what is missing.
fn columns(
    path: &Path,
    header: &csv::StringRecord,
    want: &[&[&str]],
) -> Result<Vec<usize>, VoteErrors> {
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let mut out = Vec::new();
    for alts in want {
        match names.iter().position(|n| alts.contains(&n.as_str())) {
            Some(k) => out.push(k),
            None => {
                return Err(VoteErrors(vec![VoteError {
                    file: path.display().to_string(),
                    line: Some(1),
                    message: format!(
                        "the header has no `{}` column (found: {})",
                        alts[0],
                        names.join(", ")
                    ),
                    hint: "see docs/unga.md for the columns each layout needs".into(),
                }]));
            }
        }
    }
    Ok(out)
}

/// The message for a state recorded twice on one roll call with different votes.
fn conflict(rollcall: &str, state: &str, first: Vote, now: Vote) -> String {
    format!(
        "roll call `{rollcall}`, state `{state}`: voted `{}` here but `{}` earlier in the data; one of them is wrong",
        now.letter(),
        first.letter()
    )
}

const CONFLICT_HINT: &str =
    "keep one vote per state and roll call (the first is kept until the file is corrected)";

/// 1-based line numbers of byte offsets, asked in increasing order: counts `\n` once over
/// the text (a lone `\r` ends a line too, as in old Mac files).
struct LineIndex<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a [u8]) -> Self {
        LineIndex {
            text,
            at: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, byte: usize) -> usize {
        // The csv crate may place a record just before the line end that precedes it (the
        // `\n` of a CRLF): a record never starts with a line end, so step over them.
        let mut end = byte.min(self.text.len());
        while end < self.text.len() && matches!(self.text[end], b'\r' | b'\n') {
            end += 1;
        }
        if end < self.at {
            // Not in order: count from the start.
            *self = LineIndex::new(self.text);
        }
        for k in self.at..end {
            let c = self.text[k];
            if c == b'\n' || (c == b'\r' && self.text.get(k + 1) != Some(&b'\n')) {
                self.line += 1;
            }
        }
        self.at = end;
        self.line
    }
}

/// Runs `f` on every well-formed record (1-based line, record); unreadable rows and rows whose
/// field count differs from the header's are reported, not passed on. Stops when `errs` is
/// full.
fn each_record(
    path: &Path,
    text: &str,
    rdr: &mut csv::Reader<&[u8]>,
    width: usize,
    errs: &mut Errs,
    mut f: impl FnMut(usize, &csv::StringRecord, &mut Errs),
) {
    let mut lines = LineIndex::new(text.as_bytes());
    for rec in rdr.records() {
        if errs.full() {
            break;
        }
        // The line from the record's byte offset: the csv crate's own line count is one short
        // on files with CRLF endings.
        let line = rec
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(0, |p| lines.line_at(p.byte() as usize));
        match rec {
            Err(e) => errs.push(
                path,
                Some(line),
                format!("unreadable row: {e}"),
                "check quoting",
            ),
            Ok(r) if r.len() != width => errs.push(
                path,
                Some(line),
                format!("the row has {} fields; the header has {width}", r.len()),
                "one field per column",
            ),
            Ok(r) => f(line, &r, errs),
        }
    }
}

fn valid_date(d: &str) -> bool {
    d.len() == 10
        && d.as_bytes()[4] == b'-'
        && d.as_bytes()[7] == b'-'
        && d[..4].parse::<i32>().is_ok()
        && d[5..7].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
        && d[8..].parse::<u32>().is_ok_and(|x| (1..=31).contains(&x))
}

fn state_code(raw: &str) -> Option<String> {
    let t = raw.trim();
    if t.len() == 3 && t.bytes().all(|b| b.is_ascii_uppercase()) {
        Some(t.to_string())
    } else {
        countries::iso3(t).map(str::to_string)
    }
}

fn rollcall(
    id: String,
    date: String,
    label: Option<String>,
    title: Option<String>,
    flags: Vec<String>,
) -> RollCall {
    let year = date[..4].parse().unwrap_or(0);
    let session = session_of(&date).unwrap_or(0);
    RollCall {
        id,
        date,
        year,
        session,
        label: label.filter(|l| !l.trim().is_empty()),
        title: title.filter(|t| !t.trim().is_empty()),
        flags,
    }
}

/// The merged long pair: `path` is the votes file; the roll-call file sits beside it
/// (`unga_votes_X` -> `unga_rollcalls_X`).
pub fn read_merged(path: &Path) -> Result<VoteTable, VoteErrors> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let rc_path = path.with_file_name(name.replacen("unga_votes", "unga_rollcalls", 1));
    if rc_path == path || !rc_path.exists() {
        return Err(one(
            path,
            format!("the roll-call file {} is missing", rc_path.display()),
            "the merged layout needs unga_rollcalls_*.csv[.gz] beside unga_votes_*.csv[.gz]",
        ));
    }
    let rc_text = read_text(&rc_path)?;
    let mut b = Builder::default();
    let mut errs = Errs { list: Vec::new() };
    let mut ids = std::collections::HashMap::new();
    let mut rdr = csv_reader(&rc_text);
    let header = header_of(&rc_path, &mut rdr)?;
    let c = columns(
        &rc_path,
        &header,
        &[&["rollcall_id"], &["date"], &["label"], &["title"]],
    )?;
    each_record(
        &rc_path,
        &rc_text,
        &mut rdr,
        header.len(),
        &mut errs,
        |line, rec, errs| {
            let get = |k: usize| rec.get(c[k]).unwrap_or("").trim().to_string();
            let (id, date) = (get(0), get(1));
            if id.is_empty() || !valid_date(&date) {
                errs.push(
                    &rc_path,
                    Some(line),
                    format!("roll call `{id}` has no id or an invalid date `{date}`"),
                    "dates are written YYYY-MM-DD",
                );
                return;
            }
            let k = b.rollcall(rollcall(
                id.clone(),
                date,
                Some(get(2)),
                Some(get(3)),
                Vec::new(),
            ));
            if ids.insert(id.clone(), k).is_some() {
                errs.push(
                    &rc_path,
                    Some(line),
                    format!("roll call `{id}` is listed twice"),
                    "each roll call appears once",
                );
            }
        },
    );
    let text = read_text(path)?;
    let mut rdr = csv_reader(&text);
    let header = header_of(path, &mut rdr)?;
    let c = columns(path, &header, &[&["rollcall_id"], &["iso3"], &["vote"]])?;
    each_record(
        path,
        &text,
        &mut rdr,
        header.len(),
        &mut errs,
        |line, rec, errs| {
            let (id, code, v) = (rec[c[0]].trim(), rec[c[1]].trim(), rec[c[2]].trim());
            let Some(&r) = ids.get(id) else {
                errs.push(
                    path,
                    Some(line),
                    format!("roll call `{id}` is not in {}", rc_path.display()),
                    "the two files must come from the same release",
                );
                return;
            };
            let Some(code) = state_code(code) else {
                errs.push(
                    path,
                    Some(line),
                    format!("`{code}` is not a state code"),
                    "states are given as ISO3 codes (KAZ, RUS, ...)",
                );
                return;
            };
            let Some(vote) = Vote::from_letter(v) else {
                errs.push(
                    path,
                    Some(line),
                    format!("`{v}` is not a vote"),
                    "votes are Y, N, A, X (absent) or - (not a member)",
                );
                return;
            };
            if let Some(r) = r {
                let s = b.state(&code);
                if let Err(first) = b.vote(r, s, vote) {
                    errs.push(
                        path,
                        Some(line),
                        conflict(id, &code, first, vote),
                        CONFLICT_HINT,
                    );
                }
            }
        },
    );
    errs.finish(b)
}

/// DGACM dates: `2019-12-12 00:00:00` or `2 March 2022`.
fn dgacm_date(raw: &str) -> Option<String> {
    let t = raw.trim();
    if t.len() >= 10 && valid_date(&t[..10]) {
        return Some(t[..10].to_string());
    }
    let parts: Vec<&str> = t.split_whitespace().collect();
    if parts.len() != 3 {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let day: u32 = parts[0].parse().ok()?;
    let month = MONTHS
        .iter()
        .position(|m| *m == parts[1].to_ascii_lowercase())?
        + 1;
    let year: i32 = parts[2].parse().ok()?;
    let d = format!("{year:04}-{month:02}-{day:02}");
    valid_date(&d).then_some(d)
}

/// DGACM JSON lines. States not listed on a recorded vote are absent (all 193 members).
pub fn read_dgacm(files: &[PathBuf]) -> Result<VoteTable, VoteErrors> {
    let mut b = Builder::default();
    for (code, _, _) in countries::MEMBERS {
        b.state(code);
    }
    let mut errs = Errs { list: Vec::new() };
    for path in files {
        let text = read_text(path)?;
        for (k, line) in text.lines().enumerate() {
            let ln = k + 1;
            if line.trim().is_empty() || errs.full() {
                continue;
            }
            let v: serde_json::Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(e) => {
                    errs.push(
                        path,
                        Some(ln),
                        format!("not a JSON object: {e}"),
                        "each line holds one resolution as a JSON object",
                    );
                    continue;
                }
            };
            let s = |key: &str| {
                v.get(key)
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            if !s("adoption_type")
                .to_ascii_lowercase()
                .contains("recorded vote")
            {
                continue;
            }
            let symbol = s("symbol");
            let Some(date) = dgacm_date(&s("adoption_date")) else {
                errs.push(
                    path,
                    Some(ln),
                    format!(
                        "resolution `{symbol}`: adoption date `{}` is not understood",
                        s("adoption_date")
                    ),
                    "dates read as `2019-12-12 00:00:00` or `2 March 2022`",
                );
                continue;
            };
            if symbol.is_empty() {
                errs.push(
                    path,
                    Some(ln),
                    "a recorded vote without a symbol".into(),
                    "every resolution has a `symbol`",
                );
                continue;
            }
            let mut lists = Vec::new();
            for (key, vote) in [
                ("MS_in_favour", Vote::Yes),
                ("MS_against", Vote::No),
                ("MS_abstaining", Vote::Abstain),
            ] {
                match v.get(key) {
                    None | Some(serde_json::Value::Null) => {}
                    Some(serde_json::Value::Array(a)) => lists.push((key, vote, a.clone())),
                    Some(_) => errs.push(
                        path,
                        Some(ln),
                        format!("resolution `{symbol}`: `{key}` is not a list"),
                        "the three MS_ fields are lists of state names",
                    ),
                }
            }
            let Some(r) = b.rollcall(rollcall(
                format!("unxml:{symbol}"),
                date,
                Some(symbol.clone()),
                Some(s("title")),
                Vec::new(),
            )) else {
                continue;
            };
            for (key, vote, names) in lists {
                for n in names {
                    let name = n.as_str().unwrap_or("");
                    match countries::iso3(name) {
                        Some(code) => {
                            let st = b.state(code);
                            if let Err(first) = b.vote(r, st, vote) {
                                errs.push(path, Some(ln), conflict(&symbol, code, first, vote), CONFLICT_HINT);
                            }
                        }
                        None => errs.push(path, Some(ln), format!("resolution `{symbol}`, `{key}`: unknown state name `{name}`"), "add the spelling to the country table (crates/multivector-votes/src/countries_table.rs)"),
                    }
                }
            }
        }
    }
    errs.finish(b)
}

const FLAGS: [&str; 6] = ["me", "nu", "di", "hr", "co", "ec"];

/// Voeten's wide CSV.
pub fn parse_voeten_wide(path: &Path, text: &str) -> Result<VoteTable, VoteErrors> {
    let mut rdr = csv_reader(text);
    let header = header_of(path, &mut rdr)?;
    let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let c = columns(path, &header, &[&["rcid"], &["date"]])?;
    let flag_cols: Vec<(usize, &str)> = FLAGS
        .iter()
        .filter_map(|f| names.iter().position(|n| n == f).map(|k| (k, *f)))
        .collect();
    let mut b = Builder::default();
    let mut state_cols = Vec::new();
    for (k, n) in names.iter().enumerate() {
        if k == c[0] || k == c[1] || flag_cols.iter().any(|(i, _)| *i == k) {
            continue;
        }
        match state_code(n) {
            Some(code) => state_cols.push((k, b.state(&code))),
            None => {
                return Err(VoteErrors(vec![VoteError {
                    file: path.display().to_string(),
                    line: Some(1),
                    message: format!(
                        "column `{n}` is neither rcid, date, an issue flag nor a state code"
                    ),
                    hint: "state columns are headed by ISO3 codes".into(),
                }]));
            }
        }
    }
    let mut errs = Errs { list: Vec::new() };
    each_record(
        path,
        text,
        &mut rdr,
        names.len(),
        &mut errs,
        |line, rec, errs| {
            let (id, date) = (rec[c[0]].trim(), rec[c[1]].trim());
            if !valid_date(date) {
                errs.push(
                    path,
                    Some(line),
                    format!("roll call `{id}`: invalid date `{date}`"),
                    "dates are written YYYY-MM-DD",
                );
                return;
            }
            let flags = flag_cols
                .iter()
                .filter(|(k, _)| rec[*k].trim().eq_ignore_ascii_case("true"))
                .map(|(_, f)| f.to_string())
                .collect();
            let Some(r) = b.rollcall(rollcall(
                format!("voeten:{id}"),
                date.to_string(),
                None,
                None,
                flags,
            )) else {
                return;
            };
            for &(k, s) in &state_cols {
                match Vote::from_voeten(&rec[k]) {
                    Some(v) => {
                        if let Err(first) = b.vote(r, s, v) {
                            errs.push(
                                path,
                                Some(line),
                                conflict(id, &names[k], first, v),
                                CONFLICT_HINT,
                            );
                        }
                    }
                    None => errs.push(
                        path,
                        Some(line),
                        format!(
                            "roll call `{id}`, state `{}`: `{}` is not a vote code",
                            names[k], &rec[k]
                        ),
                        "Voeten codes: 1 yes, 2 abstain, 3 no, 8 absent, 9 not a member",
                    ),
                }
            }
        },
    );
    errs.finish(b)
}

/// The UN Digital Library CSV (one row per state and resolution; versions 1 to 5).
pub fn parse_undl(path: &Path, text: &str) -> Result<VoteTable, VoteErrors> {
    let mut rdr = csv_reader(text);
    let header = header_of(path, &mut rdr)?;
    let c = columns(
        path,
        &header,
        &[
            &["ms_code", "ms_codes"],
            &["ms_vote", "ms_votes"],
            &["date"],
            &["resolution", "resolutions"],
            &["undl_id"],
        ],
    )?;
    let title = columns(path, &header, &[&["title"]]).ok().map(|v| v[0]);
    let mut b = Builder::default();
    let mut errs = Errs { list: Vec::new() };
    let mut by_id: std::collections::HashMap<String, Option<usize>> =
        std::collections::HashMap::new();
    each_record(
        path,
        text,
        &mut rdr,
        header.len(),
        &mut errs,
        |line, rec, errs| {
            let (code, vote, date, res, id) = (
                rec[c[0]].trim(),
                rec[c[1]].trim(),
                rec[c[2]].trim(),
                rec[c[3]].trim(),
                rec[c[4]].trim(),
            );
            let date10 = date.get(..10).unwrap_or(date);
            if !valid_date(date10) {
                errs.push(
                    path,
                    Some(line),
                    format!("resolution `{res}`: invalid date `{date}`"),
                    "dates are written YYYY-MM-DD",
                );
                return;
            }
            let Some(code) = state_code(code) else {
                errs.push(
                    path,
                    Some(line),
                    format!("`{code}` is not a state code"),
                    "ms_code holds ISO3 codes",
                );
                return;
            };
            let v = if vote.is_empty() {
                Some(Vote::Absent)
            } else {
                Vote::from_letter(vote)
            };
            let Some(v) = v else {
                errs.push(
                    path,
                    Some(line),
                    format!("`{vote}` is not a vote"),
                    "ms_vote is Y, N, A or X",
                );
                return;
            };
            let key = if id.is_empty() {
                res.to_string()
            } else {
                id.to_string()
            };
            let r = match by_id.get(&key) {
                Some(r) => *r,
                None => {
                    let t = title.and_then(|k| rec.get(k)).map(str::to_string);
                    let r = b.rollcall(rollcall(
                        format!("undl:{key}"),
                        date10.to_string(),
                        Some(res.to_string()),
                        t,
                        Vec::new(),
                    ));
                    by_id.insert(key, r);
                    r
                }
            };
            if let Some(r) = r {
                let s = b.state(&code);
                if let Err(first) = b.vote(r, s, v) {
                    errs.push(
                        path,
                        Some(line),
                        conflict(res, &code, first, v),
                        CONFLICT_HINT,
                    );
                }
            }
        },
    );
    errs.finish(b)
}
