//! Tests of the `multivector` binary: output snapshots, formats that pandas and R read,
//! exit codes and located errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod serve;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_multivector"));
    c.env("NO_COLOR", "1");
    // Runs are saved in the store: keep test runs out of the working folder.
    c.env(
        "MULTIVECTOR_DB",
        std::env::temp_dir().join(format!("multivector-test-{}.db", std::process::id())),
    );
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
    let o = run(&["run", "--draws", "100"]);
    assert!(o.status.success(), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn run_json_has_an_issues_list_with_every_model() {
    let o = run(&["run", "ec-emissions", "--format", "json"]);
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
    let o = run(&["run", "ec-emissions", "--format", "csv"]);
    let text = stdout(&o);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..3], ["issue", "model", "forecast"]);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5, "one row per model");
    assert!(rows.iter().all(|x| x.len() == header.len()));
}

#[test]
fn run_out_writes_long_format_trajectories() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("traj");
    let o = run(&[
        "run",
        "ec-emissions",
        "--out",
        out.to_str().unwrap(),
        "--rounds",
        "4",
    ]);
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
fn extreme_numbers_are_refused_not_looped_on() {
    // A scale of +-1e308 made `smp` and `run` loop forever; a capability of 1e308 printed
    // `inf`. Both are refused at load, with their lines, before any model runs.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/ec-emissions.toml"))
        .unwrap()
        .replacen("capability = 0.08", "capability = 1e308", 1)
        .replacen(
            "scale = { min = 0, max = 10,",
            "scale = { min = -1e308, max = 1e308,",
            1,
        );
    write(dir.path(), "x.toml", &text);
    for cmd in ["run", "smp", "bdm"] {
        let o = run_in(dir.path(), &[cmd, "x.toml", "--format", "json"]);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        let e = stderr(&o);
        assert!(
            e.contains("field `capability`: 1e308 is beyond the largest size accepted"),
            "{e}"
        );
        assert!(
            e.contains("field `scale.min`") && e.contains("field `scale.max`"),
            "{e}"
        );
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn a_store_that_cannot_be_written_keeps_the_printed_results() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("no/such/folder/x.db");
    let o = run(&["run", "--draws", "0", "--db", db.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).contains("recognition"),
        "the forecasts are printed first"
    );
    assert!(
        stderr(&o).contains("the results above were printed but not saved"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn user_errors_exit_2_before_any_work_and_every_command_takes_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let missing = dir.path().join("no/such/c.json");
    for (args, needle) in [
        (
            vec![
                "run",
                "--draws",
                "0",
                "--no-store",
                "--out",
                file.to_str().unwrap(),
            ],
            "cannot create the output folder",
        ),
        (
            vec!["calibrate", "--out", missing.to_str().unwrap()],
            "does not exist",
        ),
        (
            vec!["opinion", "--agents", "100000000000"],
            "is not in 1..=50000000",
        ),
        (
            vec!["opinion", "--agents", "40000000", "--sweeps", "999999"],
            "is more than the limit",
        ),
        (
            vec![
                "bdm",
                "scenarios/ec-emissions.toml",
                "--rounds",
                "99999999999",
            ],
            "is not in 1..=100000",
        ),
        (
            vec!["calibrate", "--budget", "99999999"],
            "is not in 1..=100000",
        ),
        (
            vec!["smp", "kazakhstan", "--max-rounds", "0"],
            "is not in 1..=100000",
        ),
    ] {
        let t0 = std::time::Instant::now();
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(20),
            "{args:?} did the work first"
        );
    }
    // Built-in names work for `bdm` as for `run`; --quiet and -q on any command.
    let o = run(&["bdm", "kazakhstan", "--issue", "recognition", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("issue `recognition` of `kazakhstan`"));
    for cmd in [
        vec!["votes", "--quiet", "--help"],
        vec!["align", "-q", "--help"],
        vec!["evidence", "--quiet"],
    ] {
        let o = run(&cmd);
        assert!(o.status.success(), "{cmd:?}: {}", stderr(&o));
    }
    // An actor matched without regard to case is named.
    let o = run(&["bdm", "scenarios/ec-emissions.toml", "--view", "belgium"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`belgium` read as actor `"),
        "{}",
        stderr(&o)
    );
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
    let a = run(&["run", "--format", "json", "--draws", "40"]);
    let b = bin()
        .current_dir(root())
        .env("RAYON_NUM_THREADS", "1")
        .args(["run", "--format", "json", "--draws", "40"])
        .output()
        .unwrap();
    assert_eq!(
        a.stdout, b.stdout,
        "same seed, one thread or many: same bytes"
    );
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    let e = &v["ensemble"];
    assert_eq!(
        (e["draws"].as_u64(), e["master_seed"].as_u64()),
        (Some(40), Some(20220224))
    );
    assert_eq!(e["version"], env!("CARGO_PKG_VERSION"));
    let c = run(&["run", "--format", "json", "--draws", "40", "--seed", "7"]);
    assert_ne!(a.stdout, c.stdout);
}

#[test]
fn the_built_in_scenario_reports_forecasts_retrodiction_and_profile() {
    let o = run(&["run", "--format", "json", "--draws", "0"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["scenario"]["id"], "kazakhstan");
    let issues = v["issues"].as_array().unwrap();
    let ids: Vec<&str> = issues.iter().map(|i| i["id"].as_str().unwrap()).collect();
    for want in [
        "recognition",
        "unga_vote",
        "csto_eaeu",
        "troops",
        "export_routes",
        "media_foreign_cap",
        "latin_script",
        "mediation",
    ] {
        assert!(ids.contains(&want), "{want}");
    }
    for i in issues {
        let f = i["forecasts"]["bdm-scholz"]["value"].as_f64().unwrap();
        let min = i["scale"]["min"].as_f64().unwrap();
        let max = i["scale"]["max"].as_f64().unwrap();
        assert!(f >= min && f <= max);
        // Every issue has at least two vectors, so every profile has an equidistance.
        assert!(
            i["profile"]["bdm-scholz"]["equidistance"].is_number(),
            "{}",
            i["id"]
        );
        if !i["observed"].is_null() && i["observed"]["unscored"].is_null() {
            let r = &i["retrodiction"]["mean"];
            let want = (i["forecasts"]["mean"]["value"].as_f64().unwrap()
                - i["observed"]["value"].as_f64().unwrap())
            .abs();
            assert!((r["error"].as_f64().unwrap() - want).abs() < 1e-12);
        }
    }
    let models = v["models"].as_array().unwrap();
    assert_eq!(models.len(), 5);
    // Ten outcomes, one of them (the trade shares) left out of the scores.
    assert!(models.iter().all(|m| m["issues_scored"] == 9));
}

#[test]
fn evidence_check_passes_for_the_built_in_scenario() {
    let o = run(&["evidence", "--check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("ok: 110 stance(s)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn evidence_filters_by_issue_actor_and_document() {
    let o = run(&["evidence", "--issue", "troops", "--format", "csv"]);
    let text = stdout(&o);
    assert!(text.contains("troops-refused"));
    assert!(!text.contains("latin-alphabet"));
    let o = run(&["evidence", "--actor", "CIVIL", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["record"]["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"almaty-rally") && ids.contains(&"petition-leave"));
    let o = run(&["evidence", "--document", "004_", "--format", "csv"]);
    let mut r = csv::Reader::from_reader(o.stdout.as_slice());
    assert!(
        r.records()
            .map(Result::unwrap)
            .all(|rec| rec[1].starts_with("004_"))
    );
    let o = run(&["evidence", "--issue", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn evidence_check_fails_on_unsupported_stances_and_uncited_records() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/ec-emissions.toml")).unwrap();
    // Strip every citation from stances and the outcome: stances lose their support and the
    // outcome record is cited nowhere.
    let stripped = text
        .split("[[stances]]")
        .enumerate()
        .map(|(k, part)| {
            if k == 0 {
                part.replace("evidence = [\"scholz2011-outcome\"], ", "")
            } else {
                part.replace("evidence = [\"scholz2011-table1\"]\n", "")
            }
        })
        .collect::<Vec<_>>()
        .join("[[stances]]");
    write(dir.path(), "s.toml", &stripped);
    let o = run_in(dir.path(), &["evidence", "s.toml", "--check"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("stance of `BEL` on `delay`: has neither evidence nor an assumption"),
        "{err}"
    );
    assert!(
        err.contains("evidence `scholz2011-outcome`: is cited nowhere"),
        "{err}"
    );
    assert!(err.contains("11 provenance problem(s)"), "{err}");
}

#[test]
fn figures_are_checked_against_the_documents() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ExampleActors.csv",
        "Actor,Capability,Position,Salience\nX,0.08,4,80\n",
    );
    std::fs::create_dir_all(dir.path().join("specs")).unwrap();
    write(
        dir.path(),
        "specs/bdm.md",
        "the actual decision was 8.833 years; forecast 8.35 (9.05 ...)",
    );
    let o = run(&[
        "evidence",
        "ec-emissions",
        "--check",
        "--sources",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    // The stand-in file lacks most of Table 1's figures.
    assert!(
        err.contains("the figure `0.16` does not appear in ExampleActors.csv"),
        "{err}"
    );
    assert!(!err.contains("`8.833`"), "{err}");
}

const ROLLCALLS: &str = "rollcall_id,source,date,year,label,title\nr1,t,2021-03-01,2021,A/RES/1,One\nr2,t,2021-10-01,2021,A/RES/2,Two\nr3,t,2022-03-02,2022,A/RES/ES-11/1,Aggression\n";
const VOTES: &str = "rollcall_id,iso3,vote\nr1,KAZ,Y\nr1,RUS,Y\nr1,USA,N\nr2,KAZ,A\nr2,RUS,N\nr2,USA,Y\nr3,KAZ,A\nr3,RUS,N\nr3,USA,Y\n";

fn votes_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "unga_votes_t.csv", VOTES);
    write(dir.path(), "unga_rollcalls_t.csv", ROLLCALLS);
    dir
}

#[test]
fn align_reports_measures_and_equidistance() {
    let d = votes_dir();
    let o = run(&[
        "align",
        "--data",
        d.path().to_str().unwrap(),
        "--focal",
        "Kazakhstan",
        "--vs",
        "RUS,USA",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    // 2021 vs RUS: (Y,Y), (A,N): agreement 0.5, half 0.75, S 0.5; vs USA: (Y,N), (A,Y):
    // agreement 0, half 0.25. E = 1 - (1 - 0.5) = 0.5.
    assert!(text.contains("2021,KAZ,RUS,2,2,0.5,0.75,0.5,"), "{text}");
    assert!(text.contains("2021,KAZ,USA,2,2,0,0.25,-0.5,"), "{text}");
    assert!(text.lines().nth(1).unwrap().ends_with(",0.5"), "{text}");
    let o = run(&[
        "align",
        "--data",
        d.path().to_str().unwrap(),
        "--focal",
        "KAZ",
        "--vs",
        "RUS",
        "--splits",
    ]);
    assert!(stdout(&o).contains("2 roll call(s)"), "{}", stdout(&o));
}

#[test]
fn votes_lookup_and_errors() {
    let d = votes_dir();
    let o = run(&[
        "votes",
        "--data",
        d.path().to_str().unwrap(),
        "--resolution",
        "A/RES/ES-11/1",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rc = &v["rollcalls"][0];
    assert_eq!(
        (
            rc["yes"].as_u64(),
            rc["no"].as_u64(),
            rc["abstain"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    let o = run(&[
        "votes",
        "--data",
        d.path().to_str().unwrap(),
        "--resolution",
        "A/RES/9",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "align",
        "--data",
        d.path().to_str().unwrap(),
        "--focal",
        "Atlantis",
        "--vs",
        "RUS",
    ]);
    assert_eq!(o.status.code(), Some(2));
    write(
        d.path(),
        "unga_votes_t.csv",
        &VOTES.replace("r2,RUS,N", "r2,RUS,maybe"),
    );
    let o = run(&[
        "align",
        "--data",
        d.path().to_str().unwrap(),
        "--focal",
        "KAZ",
        "--vs",
        "RUS",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unga_votes_t.csv:6: `maybe` is not a vote"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_variant_without_changes_differs_by_exactly_zero() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/kazakhstan.toml")).unwrap()
        + "\n[[variants]]\nname = \"same\"\ndescription = \"no change\"\nchanges = []\n";
    write(dir.path(), "k.toml", &text);
    let o = run_in(
        dir.path(),
        &[
            "compare",
            "k.toml",
            "--variant",
            "same",
            "--draws",
            "30",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for r in v["rows"].as_array().unwrap() {
        assert_eq!(r["difference"], 0.0);
        for k in ["median", "p025", "p975"] {
            assert_eq!(r["difference_interval"][k], 0.0, "{r}");
        }
    }
}

#[test]
fn compare_reports_a_real_variant_and_rejects_unknown_ones() {
    let o = run(&[
        "compare",
        "--variant",
        "russia-capability-halved",
        "--draws",
        "20",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    // The compromise model moves on recognition when Russia's weight halves.
    let row = text
        .lines()
        .find(|l| l.starts_with("recognition,mean,"))
        .unwrap();
    let diff: f64 = row.split(',').nth(4).unwrap().parse().unwrap();
    assert!(diff < -5.0, "{row}");
    // The per-draw differences show the variant too (regression: a drawn capability used to
    // override the variant's, so every difference interval read 0 - 0). The weighted mean is
    // linear in the weights: halving Russia's capability lowers it in every draw.
    let f: Vec<f64> = row.split(',').skip(5).map(|x| x.parse().unwrap()).collect();
    assert!(f.iter().all(|&v| v < -1.0), "{row}");
    let o = run(&["compare", "--variant", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("variants: russia-capability-halved, no-civil-society"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sensitivity_ranks_inputs_and_rejects_bad_requests() {
    let o = run(&[
        "sensitivity",
        "--issue",
        "csto_eaeu",
        "--model",
        "mean",
        "--trajectories",
        "5",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut r = csv::Reader::from_reader(o.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let mu: Vec<f64> = rows.iter().map(|x| x[6].parse().unwrap()).collect();
    assert!(mu.windows(2).all(|w| w[0] >= w[1]), "sorted by mu*");
    assert!(rows.len() >= 10);
    for bad in [
        vec!["sensitivity", "--issue", "nope"],
        vec!["sensitivity", "ec-emissions", "--issue", "delay"],
    ] {
        let o = run(&bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn run_out_writes_the_ensemble_and_csv_alone_skips_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let o = run(&[
        "run",
        "--draws",
        "20",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.join("ensemble.csv")).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head: Vec<&str> = r.headers().unwrap().iter().take(4).collect::<Vec<_>>();
    assert_eq!(head, ["issue", "model", "draws", "master_seed"]);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 11 * 5, "issues x models");
    assert!(rows.iter().all(|x| &x[2] == "20" && &x[3] == "20220224"));
    // Its medians match the JSON ensemble of the same draws.
    let j = run(&["run", "--draws", "20", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    let first = &v["ensemble"]["issues"][0];
    assert_eq!(
        rows[0][4].parse::<f64>().unwrap(),
        first["forecast"]["median"].as_f64().unwrap()
    );
}

#[test]
fn too_many_draws_is_refused_before_any_work() {
    let o = run(&["run", "--draws", "2000000"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--draws 2000000 is more than"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_event_beyond_the_last_round_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/ec-emissions.toml")).unwrap()
        + "\n[[events]]\nround = 12\nactor = \"FRA\"\ncapability = 0.5\n";
    write(dir.path(), "e.toml", &text);
    let o = run_in(dir.path(), &["bdm", "e.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the event for `FRA` at round 12 lies after the last round (10)"),
        "{}",
        stderr(&o)
    );
    let o = run_in(dir.path(), &["bdm", "e.toml", "--rounds", "12"]);
    assert!(!stderr(&o).contains("lies after"), "{}", stderr(&o));
}

#[test]
fn a_variant_that_breaks_an_issue_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = std::fs::read_to_string(root().join("scenarios/ec-emissions.toml")).unwrap();
    text.push_str("\n[[variants]]\nname = \"alone\"\nchanges = [");
    let ids = [
        "NLD", "BEL", "LUX", "DEU", "FRA", "ITA", "GBR", "IRL", "DNK",
    ];
    text.push_str(
        &ids.iter()
            .map(|a| format!("{{ actor = \"{a}\", remove = true }}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    text.push_str("]\n");
    write(dir.path(), "v.toml", &text);
    let o = run_in(
        dir.path(),
        &["compare", "v.toml", "--variant", "alone", "--draws", "0"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("the variant `alone` cannot be run: issue `delay`: 1 actor(s) hold a stance"),
        "{err}"
    );
}

/// A KTAB CSV of four actors in two dimensions (our own numbers).
const KTAB4: &str = "Test space,Four actors,4,2,\n\
Actor,Description,Power,Trade,Trade Sal,Security,Security Sal,\n\
A,Alpha,100,20,40,70,50,\n\
B,Beta,60,80,30,30,60,\n\
C,Gamma,40,50,50,50,20,\n\
D,Delta,20,10,10,90,80,\n";

#[test]
fn smp_json_follows_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k.csv", KTAB4);
    let o = run_in(dir.path(), &["smp", "k.csv", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rounds = v["rounds"].as_array().unwrap();
    assert_eq!(rounds[0]["round"], 0);
    assert_eq!(rounds[0]["positions"]["A"], serde_json::json!([20.0, 70.0]));
    // Probabilities sum to one over unique positions in every round.
    for r in rounds {
        let mut seen: Vec<Vec<f64>> = Vec::new();
        let mut total = 0.0;
        for (a, p) in r["positions"].as_object().unwrap() {
            let p: Vec<f64> = serde_json::from_value(p.clone()).unwrap();
            if !seen.iter().any(|q| (q[0] - p[0]).hypot(q[1] - p[1]) < 0.1) {
                total += r["probability"][a].as_f64().unwrap();
                seen.push(p);
            }
        }
        assert!((total - 1.0).abs() < 1e-9, "{total}");
    }
    let mp = &v["most_probable"];
    assert!(mp["probability"].as_f64().unwrap() > 0.0);
    assert_eq!(mp["position"].as_array().unwrap().len(), 2);
    assert_eq!(v["weighted_median"].as_array().unwrap().len(), 2);
    assert_eq!(v["seed"], 20220224);
}

/// The two-actor run worked by hand in the models' tests (docs/models/smp.md), through a
/// TOML scenario on the 0-100 scale: both end at 29.9 in two rounds.
#[test]
fn smp_two_actors_by_hand_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "two.toml",
        r#"format_version = 1
[scenario]
id = "two"
name = "Two"
salience_scale = "0-100"

[[actors]]
id = "A"
name = "A"
kind = "state"
capability = 3

[[actors]]
id = "B"
name = "B"
kind = "state"
capability = 1

[[issues]]
id = "x"
question = "How far?"
scale = { low = "none", high = "all" }

[[stances]]
actor = "A"
issue = "x"
position = 20
salience = 50
assumption = "test"

[[stances]]
actor = "B"
issue = "x"
position = 80
salience = 50
assumption = "test"
"#,
    );
    let o = run_in(dir.path(), &["smp", "two.toml", "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6, "3 states x 2 actors");
    let last = &rows[4];
    assert_eq!(&last[0], "2");
    assert!(
        (last[2].parse::<f64>().unwrap() - 29.9).abs() < 1e-9,
        "{last:?}"
    );
    assert_eq!(&rows[2][6], "B", "A challenged B in round 1");
    assert!((rows[2][8].parse::<f64>().unwrap() - 9.0 / 13.0).abs() < 1e-9);
    let o = run_in(dir.path(), &["smp", "two.toml"]);
    assert!(
        stdout(&o)
            .contains("Most probable final position: 29.90 with probability 1.000, held by A, B.")
    );
}

/// `run` forecasts the dimensions of a space jointly with the spatial model: its smp rows are
/// the coordinates of `smp`'s most probable final position.
#[test]
fn run_bargains_over_a_space_jointly() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k.csv", KTAB4);
    let r = run_in(
        dir.path(),
        &["run", "k.csv", "--draws", "0", "--format", "json"],
    );
    assert!(r.status.success(), "{}", stderr(&r));
    let r: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let m = run_in(dir.path(), &["smp", "k.csv", "--format", "json"]);
    let m: serde_json::Value = serde_json::from_slice(&m.stdout).unwrap();
    let pos = m["most_probable"]["position"].as_array().unwrap();
    for (k, iss) in r["issues"].as_array().unwrap().iter().enumerate() {
        assert_eq!(iss["forecasts"]["smp"]["value"], pos[k], "dimension {k}");
    }
    assert_eq!(pos[0], 50.14);
}

#[test]
fn smp_bad_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k.csv", KTAB4);
    for args in [
        vec!["smp", "k.csv", "--issue", "nothing"],
        vec!["smp", "k.csv", "--stop-ratio", "-1"],
        vec!["smp", "k.csv", "--max-rounds", "0"],
        vec!["smp", "k.csv", "--pce", "borda"],
        vec!["smp", "kazakhstan"],
    ] {
        let o = run_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("error"), "{args:?}");
    }
}

#[test]
fn opinion_csv_is_long_format_and_variants_differ_only_after_the_law() {
    let base = run(&["opinion", "--agents", "2000", "--format", "csv", "--quiet"]);
    assert!(base.status.success(), "{}", stderr(&base));
    let read = |o: &Output| -> Vec<csv::StringRecord> {
        let text = stdout(o);
        let mut r = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            r.headers().unwrap().iter().collect::<Vec<_>>(),
            ["sweep", "date", "item", "group", "mean", "seed"]
        );
        r.records().map(Result::unwrap).collect()
    };
    let b = read(&base);
    assert_eq!(b.len(), 151 * 6 * 2, "151 states x 6 groups x 2 items");
    assert_eq!(&b[0][1], "2022-02-24");
    let law = run(&[
        "opinion",
        "--agents",
        "2000",
        "--format",
        "csv",
        "--quiet",
        "--variant",
        "no-media-law",
    ]);
    let l = read(&law);
    for (x, y) in b.iter().zip(&l) {
        let sweep: usize = x[0].parse().unwrap();
        if sweep <= 121 {
            assert_eq!(x[4], y[4], "before the law, sweep {sweep}");
        }
    }
    assert_ne!(
        b.last().unwrap()[4],
        l.last().unwrap()[4],
        "the law changes the end"
    );
}

#[test]
fn opinion_json_and_calibrate_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cal.json");
    let c = run(&[
        "calibrate",
        "--budget",
        "12",
        "--agents",
        "400",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(c.status.success(), "{}", stderr(&c));
    assert!(stdout(&c).contains("held out"));
    let cal: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(cal["hold_out"], "demoscope-2023-war-nature");
    assert_eq!(cal["best"].as_array().unwrap().len(), 3);
    let o = run(&[
        "opinion",
        "--agents",
        "400",
        "--sweeps",
        "10",
        "--params",
        out.to_str().unwrap(),
        "--format",
        "json",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["series"].as_array().unwrap().len(), 11);
    assert_eq!(v["polls"][0]["id"], "demoscope-2022-04");
    assert_eq!(v["seed"], 20220224);
}

#[test]
fn opinion_bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.toml",
        "format_version = 1\n[population]\nid = 3\n",
    );
    for args in [
        vec!["opinion", "p.toml"],
        vec!["opinion", "atlantis"],
        vec!["opinion", "--variant", "nothing"],
        vec!["opinion", "--agents", "0"],
        vec!["opinion", "--agents", "3"],
        vec!["calibrate", "--hold-out", "gallup"],
        vec!["opinion", "--params", "missing.json"],
    ] {
        let o = run_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("error"), "{args:?}: {}", stderr(&o));
    }
    let o = run_in(dir.path(), &["opinion", "p.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("p.toml:3"), "{}", stderr(&o));
    // A calibration of another population is refused, not half-applied.
    let saved = include_str!("../../../../scenarios/kazakhstan-population.calibration.json");
    let other = saved.replacen(
        "\"population\": \"kazakhstan-population\"",
        "\"population\": \"atlantis\"",
        1,
    );
    assert_ne!(other, saved);
    write(dir.path(), "other.json", &other);
    let o = run_in(dir.path(), &["opinion", "--params", "other.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .contains("other.json calibrates population `atlantis`, not `kazakhstan-population`"),
        "{}",
        stderr(&o)
    );
}

/// The two-level run starts from the coded scenario (anchored bindings): its first date's
/// forecasts are `run`'s; the media-law variant matches it until the law (2024-06-19) and
/// differs after.
#[test]
fn two_level_starts_at_the_coded_scenario_and_the_law_matters_only_after_it() {
    let base = run(&["run", "--draws", "0", "--format", "json"]);
    let base: serde_json::Value = serde_json::from_slice(&base.stdout).unwrap();
    let o = run(&[
        "run",
        "--draws",
        "0",
        "--format",
        "json",
        "--two-level",
        "--population-variant",
        "no-media-law",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let two = &v["two_level"];
    let first = &two["points"][0];
    for iss in base["issues"].as_array().unwrap() {
        let id = iss["id"].as_str().unwrap();
        if let Some(f) = first["forecasts"][id].as_object() {
            for (model, value) in f {
                assert_eq!(value, &iss["forecasts"][model]["value"], "{id} / {model}");
            }
        }
    }
    // The band over time: 40 posterior draws, applied to the uncalibrated population as in
    // the calibration, so its median runs beside the line of the calibrated values (applied
    // to the calibrated population instead, the relative knobs would count twice).
    assert_eq!(two["params"]["sample"].as_array().unwrap().len(), 40);
    for p in two["points"].as_array().unwrap() {
        let b: Vec<f64> = p["national_band"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let nat = p["national"].as_f64().unwrap();
        assert!(b[0] <= b[1] && b[1] <= b[2], "{b:?}");
        assert!(
            (b[1] - nat).abs() < 0.02,
            "band {b:?} against the line {nat}"
        );
    }
    for p in two["points"].as_array().unwrap() {
        let sweep = p["sweep"].as_u64().unwrap();
        if sweep <= 121 {
            assert_eq!(p["forecasts"], p["variant_forecasts"], "sweep {sweep}");
        } else {
            assert_ne!(p["national"], p["variant_national"], "sweep {sweep}");
        }
    }
}

/// Runs are stored; list, show, compare, export and delete work on them; the report is one
/// self-contained HTML file whose evidence links all resolve.
#[test]
fn runs_are_stored_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    let report = dir.path().join("r.html");
    let o = run(&[
        "run",
        "--draws",
        "30",
        "--quiet",
        "--db",
        db,
        "--report",
        report.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let printed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let o2 = run(&["run", "--draws", "0", "--db", db, "--seed", "5"]);
    assert!(o2.status.success());
    let list = stdout(&run(&["runs", "list", "--db", db, "--format", "csv"]));
    assert_eq!(list.lines().count(), 3, "{list}");
    let export = run(&["runs", "export", "1", "--db", db]);
    let stored: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(stored, printed, "the stored document is what was printed");
    let cmp = stdout(&run(&[
        "runs", "compare", "1", "2", "--db", db, "--format", "csv",
    ]));
    assert!(cmp.lines().count() > 40, "{cmp}");
    let show = stdout(&run(&["runs", "show", "2", "--db", db]));
    assert!(show.contains("seed 5"), "{show}");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<svg") && html.contains("Forecast intervals"));
    // The trade outcome is shown but marked, with its reason; the bottom line says how the
    // weighted mean scored on this scenario's own outcomes.
    assert!(
        html.contains("65.0 (not scored)"),
        "unscored outcome marked"
    );
    assert!(html.contains("a market outcome"), "its reason");
    let mean_err = printed["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == "mean")
        .unwrap()["mean_error_scaled"]
        .as_f64()
        .unwrap();
    assert!(
        html.contains(&format!("(error {mean_err:.2} of the scale")),
        "the bottom line's own record"
    );
    assert!(
        !html
            .replace("http://www.w3.org/2000/svg", "")
            .contains("http"),
        "self-contained"
    );
    for link in html.split("href=\"#").skip(1) {
        let id = &link[..link.find('"').unwrap()];
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "dangling link #{id}"
        );
    }
    let r = run(&[
        "report",
        "2",
        "--db",
        db,
        "--out",
        dir.path().join("r2.html").to_str().unwrap(),
        "--view",
        "RUS",
    ]);
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(run(&["runs", "delete", "1", "--db", db]).status.success());
    let gone = run(&["runs", "show", "1", "--db", db]);
    assert_eq!(gone.status.code(), Some(2));
    assert!(stderr(&gone).contains("no run 1"));
    let bad = run(&[
        "report",
        "2",
        "--db",
        db,
        "--view",
        "Atlantis",
        "--out",
        dir.path().join("x.html").to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

fn deu_file(body: &str) -> tempfile::NamedTempFile {
    use std::io::Write;
    let mut f = tempfile::Builder::new().suffix(".tsv").tempfile().unwrap();
    f.write_all(
        format!(
            "prnr\tisnr\tproc\tcounvte\tintro\tpcom\tpep\tpde\tscom\tsep\tsde\trp\tout\n{body}"
        )
        .as_bytes(),
    )
    .unwrap();
    f
}

#[test]
fn backtest_scores_a_small_file_by_hand() {
    // mean: (100*50 + 0*50 + 50*100)/200 = 50 against 60; (0*20 + 100*80)/100 = 80 against 90.
    let f = deu_file(
        "a\ta1\tCOD\tQMV\t01-01-00\t100\t0\t50\t50\t50\t100\t0\t60\n\
         b\tb1\tCOD\tQMV\t01-01-00\t0\t100\t\t20\t80\t\t50\t90\n",
    );
    let o = run(&[
        "backtest",
        f.path().to_str().unwrap(),
        "--format",
        "csv",
        "--bootstrap",
        "0",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("mean,2,mae,10,,\n"), "{}", stdout(&o));
    let o = run(&[
        "backtest",
        f.path().to_str().unwrap(),
        "--format",
        "csv",
        "--rows",
    ]);
    assert!(stdout(&o).starts_with("issue,proposal,procedure,voting_rule,intro,line,actors,reference,outcome,model,forecast,abs_error,crps,pit,q10,q50,q90\n"));
    assert!(
        stdout(&o).contains("b1,b,COD,QMV,2000-01-01,3,2,50,90,mean,80,10,,,,,\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn backtest_ensembles_stacking_and_report() {
    let f = deu_file(
        "a\ta1\tCOD\tQMV\t01-01-00\t100\t0\t50\t50\t50\t100\t0\t60\n\
         b\tb1\tCOD\tQMV\t01-01-00\t0\t100\t\t20\t80\t\t50\t90\n\
         c\tc1\tCNS\tQMV\t01-01-00\t30\t70\t10\t60\t40\t50\t\t40\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bt.html");
    let path = f.path().to_str().unwrap();
    let o = run(&[
        "backtest",
        path,
        "--draws",
        "25",
        "--bootstrap",
        "50",
        "--report",
        page.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Probabilistic scores (25 draws per issue"),
        "{out}"
    );
    assert!(
        out.contains("stacked: a convex combination fitted on 3 folds"),
        "{out}"
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("PIT histogram of mean"));
    // Self-contained: the only address is the SVG namespace.
    assert_eq!(
        html.matches("http").count(),
        html.matches("http://www.w3.org/2000/svg").count()
    );
    // JSON carries per-issue CRPS and quantiles for every ensemble model.
    let j = run(&[
        "backtest",
        path,
        "--draws",
        "25",
        "--bootstrap",
        "0",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    for r in rows.iter().filter(|r| r["model"] != "reference") {
        let (q10, q90) = (r["q10"].as_f64().unwrap(), r["q90"].as_f64().unwrap());
        assert!(q10 <= r["q50"].as_f64().unwrap() && r["q50"].as_f64().unwrap() <= q90);
        assert!(r["crps"].as_f64().unwrap() >= 0.0);
    }
    assert_eq!(v["settings"]["draws"], 25);
    // --rows only with CSV; a bad spread is a usage error.
    for args in [
        vec!["backtest", path, "--rows"],
        vec!["backtest", path, "--position-sd", "0"],
        vec!["backtest", path, "--salience-sd=-3"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("hint:"), "{}", stderr(&o));
    }
}

#[test]
fn run_scores_threshold_probabilities_with_the_brier_score() {
    // Recompute each model's Brier score from the document's own threshold shares and
    // observed outcomes, by the definition.
    let o = run(&["run", "--draws", "30", "--format", "json", "--no-store"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let brier = v["ensemble"]["brier"].as_array().unwrap();
    assert_eq!(brier.len(), 5);
    let scenario = multivector_scenario::builtin::load("kazakhstan")
        .unwrap()
        .unwrap()
        .scenario;
    for b in brier {
        let model = b["model"].as_str().unwrap();
        let (mut sum, mut n) = (0.0, 0);
        for x in v["ensemble"]["issues"].as_array().unwrap() {
            if x["model"] != model {
                continue;
            }
            let issue = scenario.issues.iter().find(|i| i.id == x["issue"]).unwrap();
            // An outcome marked unscored counts in no score.
            let Some(obs) = issue
                .outcome
                .as_ref()
                .filter(|o| o.unscored.is_none())
                .map(|o| o.value)
            else {
                continue;
            };
            for (t, pair) in issue
                .thresholds
                .iter()
                .zip(x["thresholds"].as_array().unwrap())
            {
                let p = pair[1].as_f64().unwrap();
                let side = match t.direction {
                    multivector_core::Direction::Above => obs > t.value,
                    multivector_core::Direction::Below => obs < t.value,
                };
                let o = if side { 1.0 } else { 0.0 };
                sum += (p - o) * (p - o);
                n += 1;
            }
        }
        assert_eq!(b["n"].as_u64().unwrap() as usize, n, "{model}");
        assert!(
            (b["brier"].as_f64().unwrap() - sum / n as f64).abs() < 1e-12,
            "{model}"
        );
    }
}

#[test]
fn backtest_bad_input_is_located_and_exits_2() {
    let f = deu_file("a\ta1\tCOD\tQMV\t01-01-00\tx\t0\t250\t50\t50\t100\t0\t60\n");
    let o = run(&["backtest", f.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains(":2: field `pcom`: `x` is not a number"), "{e}");
    assert!(
        e.contains(":2: field `pde`: 250 lies outside the DEU scale 0-100"),
        "{e}"
    );
    let f = deu_file("a\ta1\tCOD\tQMV\t01-01-00\t10\t\t\t50\t\t\t0\t\n");
    let o = run(&["backtest", f.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("none of the 1 issues is usable"),
        "{}",
        stderr(&o)
    );
}

/// A valid scenario at the edges of what is accepted: capabilities of 1e15, 1e-15 and 0, a
/// salience of 1e-9, a scale of +-1e15 with actors at both ends, a declared spread.
const EXTREME: &str = r#"format_version = 1
[scenario]
id = "ext"
name = "Extreme"
salience_scale = "0-1"
[[actors]]
id = "A"
kind = "state"
capability = 1e15
[[actors]]
id = "B"
kind = "state"
capability = 1e-15
[[actors]]
id = "C"
kind = "state"
capability = 0
[[issues]]
id = "q"
question = "?"
scale = { min = -1e15, max = 1e15, low = "0", high = "100" }
thresholds = [{ value = 0, direction = "above", label = "above 0" }]
[[stances]]
actor = "A"
issue = "q"
position = -1e15
salience = 1e-9
uncertainty = { position = { sd = 0.5 } }
assumption = "test"
[[stances]]
actor = "B"
issue = "q"
position = 1e15
salience = 1
assumption = "test"
[[stances]]
actor = "C"
issue = "q"
position = 0
salience = 1
assumption = "test"
[[variants]]
name = "v"
description = "B as strong as A"
assumption = "test"
changes = [{ actor = "B", capability = 1e15 }]
"#;

/// Every `null` in `v` with its path (array indices as `N`).
fn nulls(v: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Null => out.push(path.to_string()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| nulls(x, &format!("{path}/N"), out)),
        serde_json::Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| nulls(x, &format!("{path}/{k}"), out)),
        _ => {}
    }
}

#[test]
fn no_command_prints_a_non_finite_number_on_extreme_valid_input() {
    // serde_json writes NaN and infinity as `null`, so a non-finite number would show as a
    // null where a number belongs. Nulls are allowed only where a value is optional by
    // meaning (no outcome, no unit, no focal actor, a model without rounds, ...).
    const OPTIONAL: [&str; 11] = [
        "note",
        "rounds",
        "trajectory",
        "observed",
        "population_variant",
        "equidistance",
        "unit",
        "status_quo",
        "mean_error_scaled",
        "cycle",
        "chosen",
    ];
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "x.toml", EXTREME);
    for args in [
        vec!["run", "x.toml", "--draws", "30", "--no-store"],
        vec!["bdm", "x.toml"],
        vec!["bdm", "x.toml", "--preset", "paper", "--stop", "converged"],
        vec!["smp", "x.toml"],
        vec!["compare", "x.toml", "--variant", "v", "--draws", "20"],
        vec!["sensitivity", "x.toml", "--issue", "q"],
        vec!["sensitivity", "x.toml", "--issue", "q", "--model", "smp"],
    ] {
        let mut json = args.clone();
        json.extend(["--format", "json", "-q"]);
        let o = run_in(dir.path(), &json);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let mut found = Vec::new();
        nulls(&v, "", &mut found);
        for path in found {
            let key = path.rsplit('/').next().unwrap_or_default();
            assert!(
                OPTIONAL.contains(&key) || key == "cycle_median" || path.starts_with("/warnings/"),
                "{args:?}: null at {path}"
            );
        }
        let mut table = args.clone();
        table.push("-q");
        let text = stdout(&run_in(dir.path(), &table)).to_ascii_lowercase();
        assert!(
            !text.contains("nan") && !text.contains("inf "),
            "{args:?}: a non-finite number in the table:\n{text}"
        );
    }
}

#[test]
fn stored_runs_read_in_words_and_at_a_sensible_precision() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    for extra in [vec![], vec!["--rounds", "5"]] {
        let mut args = vec!["run", "--draws", "0", "--db", db, "-q"];
        args.extend(extra);
        assert!(run(&args).status.success());
    }
    let show = stdout(&run(&["runs", "show", "1", "--db", db]));
    assert!(
        show.contains("settings: bdm-scholz as preset and bdm-paper as preset, 10 rounds"),
        "{show}"
    );
    assert!(!show.contains("{\""), "no raw JSON in the table: {show}");
    let cmp = stdout(&run(&["runs", "compare", "1", "2", "--db", db]));
    // Every number in the table has at most three decimals.
    for word in cmp.split(|c: char| c.is_whitespace() || c == '|') {
        if let Some((_, dec)) = word.split_once('.') {
            if dec.chars().all(|c| c.is_ascii_digit()) {
                assert!(dec.len() <= 3, "{word} in {cmp}");
            }
        }
    }
    let json: serde_json::Value = serde_json::from_slice(
        &run(&["runs", "compare", "1", "2", "--db", db, "--format", "json"]).stdout,
    )
    .unwrap();
    assert!(json["rows"][0]["a"].is_number());
}

#[test]
fn evidence_check_enforces_the_as_of_date() {
    let shipped = multivector_scenario::builtin::ALL
        .iter()
        .find(|(n, _)| *n == "kazakhstan")
        .unwrap()
        .1;
    // The leadership's China trade stance made to rest on the 2023 trade figures.
    let text = shipped.replacen(
        "evidence = [\"multivector-identity\", \"russia-trade-ties\"]",
        "evidence = [\"multivector-identity\", \"russia-trade-ties\", \"china-2023\"]",
        1,
    );
    assert_ne!(text, shipped);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k.toml", &text);
    let o = run_in(dir.path(), &["evidence", "k.toml", "--check"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("stance of `KAZ` on `china_trade`: cites `china-2023`, dated 2024, after the as-of date 2022-03-31"),
        "{err}"
    );
    assert!(
        err.contains("hint: a stance may rest only on what was known"),
        "{err}"
    );
    let o = run(&["evidence", "--check"]);
    assert!(
        o.status.success(),
        "the shipped scenario keeps the rule: {}",
        stderr(&o)
    );
}

/// The report is a template that escapes what it prints: markup in a scenario's name, an
/// issue's question, an actor's id in a label and an assumption comes out as text.
#[test]
fn the_report_escapes_the_scenarios_text() {
    let dir = tempfile::tempdir().unwrap();
    let payload = "<script>alert(1)</script>\\\"";
    let text = format!(
        r#"format_version = 1
[scenario]
id = "x"
name = "Evil {payload}"
salience_scale = "0-1"
[[actors]]
id = "A"
kind = "state"
capability = 1
[[actors]]
id = "B"
kind = "state"
capability = 3
[[issues]]
id = "q"
question = "Why {payload}?"
scale = {{ low = "none {payload}", high = "all" }}
[[stances]]
actor = "A"
issue = "q"
position = 40
salience = 1
assumption = "because {payload}"
[[stances]]
actor = "B"
issue = "q"
position = 60
salience = 1
assumption = "test"
"#
    );
    let file = dir.path().join("x.toml");
    std::fs::write(&file, text).unwrap();
    let report = dir.path().join("r.html");
    let o = run(&[
        "run",
        file.to_str().unwrap(),
        "--draws",
        "20",
        "-q",
        "--db",
        dir.path().join("x.db").to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(!html.contains("<script"), "unescaped markup");
    assert!(html.contains("Evil &lt;script&gt;alert(1)&lt;/script&gt;&quot;"));
    assert!(html.contains("because &lt;script&gt;"));
}
