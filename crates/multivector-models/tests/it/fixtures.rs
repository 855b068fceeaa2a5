//! Shared inputs.

use multivector_core::IssueInput;

/// Scholz, Calbert & Smith (2011), Table 1, from Bueno de Mesquita (1994, p. 78): ten EC
/// members on the years of delay before emission standards for medium-sized cars take
/// effect. Columns: actor, capability, position, salience (0-100).
pub const EC: [(&str, f64, f64, f64); 10] = [
    ("Netherlands", 0.08, 4.0, 80.0),
    ("Belgium", 0.08, 7.0, 40.0),
    ("Luxembourg", 0.03, 4.0, 20.0),
    ("Germany", 0.16, 4.0, 80.0),
    ("France", 0.16, 10.0, 60.0),
    ("Italy", 0.16, 10.0, 60.0),
    ("UK", 0.16, 10.0, 90.0),
    ("Ireland", 0.05, 7.0, 10.0),
    ("Denmark", 0.05, 4.0, 100.0),
    ("Greece", 0.08, 7.0, 70.0),
];

pub fn ec_input() -> IssueInput {
    IssueInput::new(
        "delay",
        EC.iter().map(|a| a.0.to_string()).collect(),
        EC.iter().map(|a| a.2).collect(),
        EC.iter().map(|a| a.1).collect(),
        EC.iter().map(|a| a.3 / 100.0).collect(),
    )
    .unwrap()
}

pub fn input(x: &[f64], c: &[f64], s: &[f64]) -> IssueInput {
    IssueInput::new(
        "t",
        (0..x.len()).map(|i| format!("a{i}")).collect(),
        x.to_vec(),
        c.to_vec(),
        s.to_vec(),
    )
    .unwrap()
}
