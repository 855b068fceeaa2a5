//! The one place that turns errors into messages on stderr and exit codes.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use multivector_core::{InputError, ModelError};
use multivector_scenario::ScenarioErrors;

/// A problem with what the user asked for (an unknown issue, a bad option value), with a
/// hint. Exit code 2.
#[derive(Debug)]
pub struct UsageError {
    pub message: String,
    pub hint: Option<String>,
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UsageError {}

/// Shorthand for a [`UsageError`] as an `anyhow::Error`.
pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError {
        message: message.into(),
        hint: Some(hint.into()),
    })
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn label(text: &str) -> String {
    if color() {
        format!("\x1b[1;31m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Prints `e` to stderr and returns the exit code for it.
pub fn report(e: &anyhow::Error) -> ExitCode {
    let mut lines: Vec<String> = Vec::new();
    let code = if let Some(errs) = e.downcast_ref::<ScenarioErrors>() {
        for err in errs.errors() {
            lines.push(format!("{} {err}", label("error:")));
            if let Some(h) = &err.hint {
                lines.push(format!("  hint: {h}"));
            }
        }
        if errs.errors().len() > 1 {
            lines.push(format!("{} problems found", errs.errors().len()));
        }
        2
    } else if let Some(errs) = e.downcast_ref::<multivector_votes::VoteErrors>() {
        for err in &errs.0 {
            lines.push(format!("{} {err}", label("error:")));
            lines.push(format!("  hint: {}", err.hint));
        }
        2
    } else if let Some(u) = e.downcast_ref::<UsageError>() {
        lines.push(format!("{} {}", label("error:"), u.message));
        if let Some(h) = &u.hint {
            lines.push(format!("  hint: {h}"));
        }
        2
    } else if input_error(e) {
        // The whole chain: a context (e.g. which variant) and the cause.
        lines.push(format!("{} {e:#}", label("error:")));
        lines.push("  hint: correct the scenario or the option named above".into());
        2
    } else {
        lines.push(format!("{} internal failure: {e}", label("error:")));
        for cause in e.chain().skip(1) {
            lines.push(format!("  caused by: {cause}"));
        }
        1
    };
    let mut err = std::io::stderr().lock();
    for l in lines {
        // Nothing more can be done if stderr itself is gone.
        let _ = writeln!(err, "{l}");
    }
    ExitCode::from(code)
}

fn input_error(e: &anyhow::Error) -> bool {
    e.downcast_ref::<ModelError>().is_some()
        || e.downcast_ref::<InputError>().is_some()
        || e.downcast_ref::<multivector::run::RunError>()
            .is_some_and(multivector::run::RunError::is_input)
}
