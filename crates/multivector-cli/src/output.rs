//! Writing results: stdout, notes and progress on stderr; the tables and numbers come from
//! the report crate's `text` module.

use std::io::Write;

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

/// A document as pretty JSON with a final newline, the form of every `--format json`.
pub fn json<T: serde::Serialize>(doc: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(doc)? + "\n")
}
