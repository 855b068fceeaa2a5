//! Scenario files of multivector: the TOML format, importers for other tools' CSV layouts,
//! validation into [`multivector_core::Scenario`] with located errors, and the built-in
//! scenarios.
//!
//! Principal items:
//! - [`load_path`] / [`load_str`]: read any supported file (TOML scenario, expected-utility
//!   CSV, KTAB CSV), detecting the layout;
//! - [`ScenarioErrors`]: every problem found, each with file, line, column, field, the actor
//!   or issue at fault, and a hint;
//! - [`builtin`]: scenarios compiled into the binary.
//!
//! ```
//! use multivector_scenario::{load_str, Format};
//!
//! let text = r#"
//! format_version = 1
//! [scenario]
//! id = "tiny"
//! name = "Tiny"
//! salience_scale = "0-100"
//!
//! [[actors]]
//! id = "A"
//! kind = "state"
//! capability = 1
//!
//! [[actors]]
//! id = "B"
//! kind = "state"
//! capability = 3
//!
//! [[issues]]
//! id = "q"
//! question = "How far?"
//! scale = { low = "not at all", high = "all the way" }
//!
//! [[stances]]
//! actor = "A"
//! issue = "q"
//! position = 20
//! salience = 50
//! assumption = "example"
//!
//! [[stances]]
//! actor = "B"
//! issue = "q"
//! position = 80
//! salience = 150
//! assumption = "example"
//! "#;
//! let err = load_str("tiny.toml", text, Format::Toml).unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "tiny.toml:34:12: stance of `B` on `q`, field `salience`: 150 lies outside the salience scale 0-100\n  \
//!      hint: saliences lie in [0, 100] (salience_scale in [scenario])"
//! );
//! ```

pub mod builtin;
pub mod csv_import;
pub mod deu;
pub mod edit;
pub mod error;
pub mod population;
pub mod provenance;
pub mod toml_format;

use std::path::Path;

pub use csv_import::{ImportNotes, LineEndings, parse_bdm_csv, parse_ktab_csv};
pub use error::{Location, ScenarioError, ScenarioErrors};
use multivector_core::Scenario;
pub use toml_format::{FORMAT_VERSION, parse_toml};

/// The layouts this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    /// `Actor,Capability,Position,Salience`.
    BdmCsv,
    /// KTAB's SMP CSV.
    KtabCsv,
}

/// A scenario with what its import noticed.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub scenario: Scenario,
    pub format: Format,
    /// Notes for the user (salience scale detected, line endings, ...); empty for TOML.
    pub notes: Vec<String>,
    /// The text the scenario was read from (kept for provenance and hashing).
    pub text: String,
}

/// Guesses the layout of a CSV file from its first two non-empty lines.
pub fn sniff_csv(text: &str) -> Option<Format> {
    let mut it = text
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let first = it
        .next()?
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase();
    let first_fields: Vec<&str> = first.split(',').map(str::trim).collect();
    if first_fields.first() == Some(&"actor") && first_fields.contains(&"capability") {
        return Some(Format::BdmCsv);
    }
    let second = it.next()?.to_ascii_lowercase();
    let f: Vec<&str> = second.split(',').map(str::trim).collect();
    if f.len() >= 2 && f[0] == "actor" && f[1] == "description" {
        return Some(Format::KtabCsv);
    }
    None
}

/// Reads a scenario from text in a known format. `file` names it in messages.
pub fn load_str(file: &str, text: &str, format: Format) -> Result<Loaded, ScenarioErrors> {
    let (scenario, notes) = match format {
        Format::Toml => (parse_toml(file, text)?, Vec::new()),
        Format::BdmCsv => {
            let (s, n) = parse_bdm_csv(file, text)?;
            (s, n.notes)
        }
        Format::KtabCsv => {
            let (s, n) = parse_ktab_csv(file, text)?;
            (s, n.notes)
        }
    };
    Ok(Loaded {
        scenario,
        format,
        notes,
        text: text.to_string(),
    })
}

/// The largest scenario, population or DEU file read (a larger one is refused before it is
/// read: the largest real scenario is a few hundred kilobytes).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a file of at most `limit` bytes; a larger one is an error naming its size.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    // Read one byte past the limit: a file that grows while read is caught too.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "the file is larger than {} MiB, the most this program reads from one input file",
            limit / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

/// Reads a scenario file, choosing the layout from the extension (`.toml`, `.csv`) and, for
/// CSV, from the header.
pub fn load_path(path: &Path) -> Result<Loaded, ScenarioErrors> {
    let file = path.display().to_string();
    let fail = |message: String, hint: &str| -> ScenarioErrors {
        ScenarioError {
            location: Location {
                file: file.clone(),
                ..Location::default()
            },
            message,
            hint: Some(hint.to_string()),
        }
        .into()
    };
    let bytes = read_limited(path, MAX_FILE_BYTES).map_err(|e| {
        fail(
            format!("cannot read the file: {e}"),
            "check the path; `multivector run` with no argument runs the built-in scenario",
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|b| **b == b'\n' || **b == b'\r').count() + 1;
        let mut err = fail(
            format!(
                "the file is not valid UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ),
            "save the file as UTF-8",
        );
        err.0[0].location.line = Some(line);
        err
    })?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match ext.as_deref() {
        Some("toml") => Format::Toml,
        Some("csv") => match sniff_csv(&text) {
            Some(f) => f,
            None if text.trim().is_empty() => Format::BdmCsv,
            None => {
                return Err(fail(
                    "the CSV layout is not recognised".into(),
                    "expected either `Actor,Capability,Position,Salience` on line 1 (expected-utility layout) or KTAB's layout (line 2 starts `Actor,Description`)",
                ));
            }
        },
        _ => {
            return Err(fail(
                "unknown file type".into(),
                "scenario files end in .toml; imports end in .csv",
            ));
        }
    };
    load_str(&file, &text, format)
}
