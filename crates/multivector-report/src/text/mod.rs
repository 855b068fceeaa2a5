//! The same typed reports as plain text: terminal tables (Markdown-style, pasteable into
//! documents) and long-format CSV that pandas and R read directly. The command-line program
//! prints these; the Python package returns the same strings, so a notebook and a shell show
//! one table.

use comfy_table::{Table, presets};
use serde::Serialize;
use serde::ser::SerializeMap;

pub mod align;
pub mod backtest;
pub mod bdm;
pub mod evidence;
pub mod opinion;
pub mod run;
pub mod runs;
pub mod smp;

/// Why a text could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The CSV writer failed (it writes to memory, so only on a broken invariant).
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The CSV writer could not hand back its buffer.
    #[error("cannot finish CSV: {0}")]
    Buffer(String),
}

/// Values keyed by actor id, in the actor order: a JSON object in the documents.
#[derive(Debug)]
pub struct ById<'a, T> {
    ids: &'a [String],
    values: Vec<T>,
}

impl<'a, T> ById<'a, T> {
    /// `values[k]` belongs to `ids[k]` (extra ids are left out).
    pub fn new(ids: &'a [String], values: Vec<T>) -> Self {
        ById { ids, values }
    }
}

impl<T: Serialize> Serialize for ById<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.values.len()))?;
        for (id, v) in self.ids.iter().zip(&self.values) {
            m.serialize_entry(id, v)?;
        }
        m.end()
    }
}

/// A plain Markdown-style table (readable in a terminal, pasteable into documents) under
/// `header` (`["issue", "model"]` or computed names alike).
pub fn table<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::ASCII_MARKDOWN);
    t.set_header(header.into_iter().map(Into::into).collect::<Vec<String>>());
    t
}

/// A number for tables: three decimals, no negative zero.
pub fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    if s == "-0.000" { "0.000".into() } else { s }
}

/// An optional number for tables (`-` when absent).
pub fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), num)
}

/// A number for CSV: the shortest representation that reads back to the same value.
pub fn full(v: f64) -> String {
    format!("{v}")
}

/// Rows of string fields as CSV under `header`.
pub fn csv_text(header: &[&str], rows: &[Vec<String>]) -> Result<String, TextError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| TextError::Buffer(e.to_string()))?;
    // Every field is a Rust string, so the bytes are UTF-8.
    String::from_utf8(bytes).map_err(|e| TextError::Buffer(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_tables_and_csv() {
        assert_eq!(num(-0.0001), "0.000");
        assert_eq!(num(2.0 / 3.0), "0.667");
        assert_eq!(opt(None), "-");
        assert_eq!(full(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(full(0.1 + 0.2).parse::<f64>().unwrap(), 0.1 + 0.2);
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let text = csv_text(&["a", "b"], &[vec!["x, y".into(), "say \"hi\"".into()]]).unwrap();
        assert_eq!(text, "a,b\n\"x, y\",\"say \"\"hi\"\"\"\n");
    }
}
