//! Tests of the `multivector` binary: output snapshots, formats that pandas and R read,
//! exit codes and located errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_multivector"));
    c.env("NO_COLOR", "1");
    c
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the binary in `dir` with `args`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn run_with_no_arguments_prints_the_forecast_table() {
    let o = run(&["run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn run_json_has_an_issues_list_with_every_model() {
    let o = run(&["run", "--format", "json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let issues = v["issues"].as_array().unwrap();
    assert_eq!(issues[0]["id"], "delay");
    for m in ["bdm-scholz", "bdm-paper", "mean", "median"] {
        assert!(issues[0]["forecasts"][m]["value"].is_number(), "{m}");
    }
    assert!((issues[0]["forecasts"]["mean"]["value"].as_f64().unwrap() - 7.389956).abs() < 1e-6);
    assert_eq!(issues[0]["observed"]["value"], 8.833);
}

#[test]
fn run_csv_is_rectangular_with_a_header() {
    let o = run(&["run", "--format", "csv"]);
    let text = stdout(&o);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..3], ["issue", "model", "forecast"]);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|x| x.len() == header.len()));
}

#[test]
fn run_out_writes_long_format_trajectories() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("traj");
    let o = run(&["run", "--out", out.to_str().unwrap(), "--rounds", "4"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("wrote forecasts.csv"));
    let rounds = std::fs::read_to_string(out.join("rounds.csv")).unwrap();
    // Two presets x rounds 0..=4, plus the header.
    assert_eq!(rounds.lines().count(), 1 + 2 * 5);
    let positions = std::fs::read_to_string(out.join("positions.csv")).unwrap();
    assert_eq!(positions.lines().count(), 1 + 2 * 5 * 10);
    assert!(positions.starts_with("issue,model,round,actor,position,risk\n"));
}

#[test]
fn bdm_table_for_the_published_example() {
    let o = run(&["bdm", "scenarios/ec-emissions.toml", "--rounds", "8"]);
    assert!(o.status.success(), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn bdm_json_follows_the_documented_shape() {
    let o = run(&["bdm", "scenarios/ec-emissions.toml", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rounds = v["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 11);
    assert_eq!(rounds[0]["round"], 0);
    assert_eq!(rounds[0]["median"], 7.0);
    assert_eq!(rounds[0]["positions"]["BEL"], 7.0);
    assert!(rounds[0]["risk"].as_object().unwrap().is_empty());
    assert!(rounds[1]["risk"]["BEL"].is_number());
    let m = &rounds[1]["moves"][0];
    assert_eq!(
        (
            m["actor"].as_str(),
            m["counterpart"].as_str(),
            m["kind"].as_str()
        ),
        (Some("BEL"), Some("FRA"), Some("compromise"))
    );
    assert!(m["a"].is_number() && m["b"].is_number());
    assert_eq!(v["preset"], "scholz");
}

#[test]
fn bdm_csv_is_long_format() {
    let o = run(&[
        "bdm",
        "scenarios/ec-emissions.toml",
        "--format",
        "csv",
        "--rounds",
        "2",
    ]);
    let text = stdout(&o);
    assert!(text.starts_with("round,actor,position,risk,median,mean\n"));
    assert_eq!(text.lines().count(), 1 + 3 * 10);
}

#[test]
fn view_from_belgium() {
    let o = run(&["bdm", "scenarios/ec-emissions.toml", "--view", "Belgium"]);
    assert!(o.status.success(), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn presets_and_overrides_change_the_run() {
    let a = stdout(&run(&[
        "bdm",
        "scenarios/ec-emissions.toml",
        "--format",
        "csv",
    ]));
    let b = stdout(&run(&[
        "bdm",
        "scenarios/ec-emissions.toml",
        "--format",
        "csv",
        "--preset",
        "paper",
    ]));
    let c = stdout(&run(&[
        "bdm",
        "scenarios/ec-emissions.toml",
        "--format",
        "csv",
        "--probability",
        "pairwise",
    ]));
    assert_ne!(a, b);
    assert_ne!(a, c);
}

#[test]
fn converged_stop_reports_its_reason() {
    let o = run(&[
        "bdm",
        "scenarios/ec-emissions.toml",
        "--preset",
        "paper",
        "--stop",
        "converged",
    ]);
    assert!(
        stdout(&o).contains("stopped: the median settled after 2 rounds"),
        "{}",
        stdout(&o)
    );
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn bad_scenario_exits_2_with_location_and_hint() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/ec-emissions.toml"))
        .unwrap()
        .replacen("salience = 40", "salience = 400", 1);
    write(dir.path(), "s.toml", &text);
    let o = run_in(dir.path(), &["run", "s.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    insta::assert_snapshot!(err);
    assert!(o.stdout.is_empty());
}

#[test]
fn malformed_csv_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.csv",
        "Actor,Capability,Position,Salience\rA,1,2,3\rB,x,4,5\r",
    );
    let o = run_in(dir.path(), &["bdm", "a.csv"]);
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&o));
}

#[test]
fn unknown_issue_lists_the_issues() {
    let o = run(&["bdm", "scenarios/ec-emissions.toml", "--issue", "troops"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("hint: issues in this scenario: delay"));
}

#[test]
fn bad_option_values_exit_2() {
    for args in [
        vec!["bdm", "scenarios/ec-emissions.toml", "--q", "1.5"],
        vec!["bdm", "scenarios/ec-emissions.toml", "--rounds", "0"],
        vec!["bdm", "scenarios/ec-emissions.toml", "--epsilon", "0.1"],
        vec!["bdm", "scenarios/ec-emissions.toml", "--view", "Atlantis"],
        vec!["bdm", "scenarios/ec-emissions.toml", "--preset", "fast"],
        vec!["bdm", "missing.toml"],
        vec!["run", "no-such-scenario"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("error"), "{args:?}");
    }
}

#[test]
fn help_teaches_with_examples() {
    let o = run(&["bdm", "--help"]);
    let text = stdout(&o);
    assert!(text.contains("Examples:") && text.contains("--view"));
    assert!(text.contains("--compromise-pick"));
}

#[test]
fn same_input_same_bytes() {
    let a = run(&["run", "--format", "json"]);
    let b = run(&["run", "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
}
