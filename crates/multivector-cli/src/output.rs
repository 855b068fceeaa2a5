//! Writing results: stdout handling, tables, number formatting.

use std::io::Write;

use comfy_table::{Table, presets};

static QUIET: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Records the global `--quiet` flag (once, before any command runs).
pub fn set_quiet(quiet: bool) {
    let _ = QUIET.set(quiet);
}

/// Whether progress bars are off (`--quiet`).
pub fn quiet() -> bool {
    QUIET.get().copied().unwrap_or(false)
}

/// A progress bar on stderr counting `total` units named `what`, with the time left at the
/// pace so far; hidden with `--quiet` or when there is nothing to count.
pub fn progress(total: usize, what: &str) -> indicatif::ProgressBar {
    if quiet() || total == 0 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("{wide_bar} {pos}/{len} {msg}, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_string());
    bar
}

/// Writes `text` to stdout. A closed pipe (`| head`) is not an error.
pub fn emit(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

/// Writes a note to stderr (progress and diagnostics never go to stdout).
pub fn note(text: &str) {
    let mut err = std::io::stderr().lock();
    // Nothing more can be done if stderr itself is gone.
    let _ = writeln!(err, "note: {text}");
}

/// A plain Markdown-style table (readable in a terminal, pasteable into documents).
pub fn table(header: Vec<String>) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::ASCII_MARKDOWN);
    t.set_header(header);
    t
}

/// A number for tables: three decimals, no negative zero.
pub fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    if s == "-0.000" { "0.000".into() } else { s }
}

/// An optional number for tables.
pub fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), num)
}

/// Serialises rows of string fields as CSV.
pub fn csv_text(header: &[&str], rows: &[Vec<String>]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// A number for CSV and JSON-adjacent text: shortest representation that round-trips.
pub fn full(v: f64) -> String {
    format!("{v}")
}
