//! Integration tests of the models crate (one binary, shared fixtures).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod allocation;
mod edge;
mod fixtures;
mod opinion;
mod oracle;
#[path = "../../examples/support/plain.rs"]
mod plain;
mod properties;
mod reference;
mod smp;
