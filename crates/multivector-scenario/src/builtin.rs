//! Scenarios compiled into the binary, so `multivector run` works on a fresh machine.

use crate::{Format, Loaded, ScenarioErrors, load_str};

/// The published European Community emissions example (Scholz et al. 2011, Table 1).
pub const EC_EMISSIONS: &str = include_str!("../../../scenarios/ec-emissions.toml");

/// Kazakhstan between the powers after February 2022, built from the five source documents.
pub const KAZAKHSTAN: &str = include_str!("../../../scenarios/kazakhstan.toml");

/// `(name, text)` of every built-in scenario.
pub const ALL: [(&str, &str); 2] = [("kazakhstan", KAZAKHSTAN), ("ec-emissions", EC_EMISSIONS)];

/// The scenario `multivector run` uses when given none.
pub const DEFAULT: &str = "kazakhstan";

/// Loads a built-in scenario by name.
pub fn load(name: &str) -> Option<Result<Loaded, ScenarioErrors>> {
    ALL.iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| load_str(&format!("builtin:{n}"), text, Format::Toml))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_loads() {
        for (name, _) in ALL {
            let loaded = load(name).expect("listed").expect("valid");
            assert!(!loaded.scenario.issues.is_empty(), "{name}");
        }
    }
}
