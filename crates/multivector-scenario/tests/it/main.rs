//! Integration tests of the scenario crate: every malformed input gets a located error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bdm_csv;
mod fuzz;
mod ktab_csv;
mod toml_errors;
mod toml_ok;

use multivector_scenario::{ScenarioError, ScenarioErrors};

/// Asserts that `errs` holds an error on `line` whose field is `field` and whose message
/// contains `text`, and that it carries a hint.
pub fn has(errs: &ScenarioErrors, line: usize, field: Option<&str>, text: &str) -> ScenarioError {
    let found = errs.errors().iter().find(|e| {
        e.location.line == Some(line)
            && e.location.field.as_deref() == field
            && e.message.contains(text)
    });
    match found {
        Some(e) => {
            assert!(e.hint.is_some(), "no hint on {e}");
            e.clone()
        }
        None => {
            panic!("no error on line {line}, field {field:?}, containing {text:?}; got:\n{errs}")
        }
    }
}
