//! The store: round trip, migrations from an empty file, deletes, and a process killed while
//! writing leaves the file consistent with earlier runs intact.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use multivector_store::{NewRun, Store, content_hash};

fn run(seed: u64) -> NewRun {
    NewRun {
        command: "run".into(),
        scenario_id: "demo".into(),
        scenario_text: "format_version = 1\n# demo".into(),
        version: "0.1.0".into(),
        seed,
        draws: 100,
        options: serde_json::json!({"preset": "scholz"}),
        forecasts: vec![
            ("recognition".into(), "mean".into(), 34.5),
            ("recognition".into(), "smp".into(), 25.25),
        ],
        document: serde_json::json!({"issues": [{"id": "recognition"}], "seed": seed}),
    }
}

#[test]
fn a_run_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let id = {
        let s = Store::open(&path).unwrap();
        assert_eq!(
            s.schema_version().unwrap(),
            1,
            "migrated from an empty file"
        );
        s.save(&run(7)).unwrap()
    };
    let s = Store::open(&path).unwrap();
    let r = s.get(id).unwrap();
    assert_eq!(r.summary.seed, 7);
    assert_eq!(r.summary.draws, 100);
    assert_eq!(r.forecasts, run(7).forecasts);
    assert_eq!(r.document, run(7).document);
    assert_eq!(
        r.summary.scenario_hash,
        content_hash("format_version = 1\n# demo")
    );
    assert_eq!(s.scenario_text(id).unwrap(), "format_version = 1\n# demo");
    // A second run of the same scenario shares its text.
    let id2 = s.save(&run(8)).unwrap();
    assert_eq!(
        s.list().unwrap().iter().map(|x| x.id).collect::<Vec<_>>(),
        vec![id2, id]
    );
    s.delete(id).unwrap();
    assert!(s.get(id).is_err());
    assert_eq!(s.scenario_text(id2).unwrap(), "format_version = 1\n# demo");
    assert!(s.delete(id).unwrap_err().to_string().contains("no run"));
    assert!(s.is_consistent().unwrap());
}

/// A child process (this test binary, re-run in a mode that writes runs forever) is killed
/// with SIGKILL while writing; the file stays consistent, earlier runs stay readable, and no
/// half-written run appears.
#[test]
fn a_killed_writer_leaves_the_store_consistent() {
    if let Ok(path) = std::env::var("MV_STORE_WRITER") {
        let s = Store::open(std::path::Path::new(&path)).unwrap();
        let mut big = run(0);
        big.forecasts = (0..2_000)
            .map(|k| (format!("issue{k}"), "mean".to_string(), k as f64))
            .collect();
        for seed in 1.. {
            big.seed = seed;
            s.save(&big).unwrap();
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let first = Store::open(&path).unwrap().save(&run(1)).unwrap();
    let exe = std::env::current_exe().unwrap();
    for wait_ms in [30u64, 120, 300] {
        let mut child = std::process::Command::new(&exe)
            .args([
                "a_killed_writer_leaves_the_store_consistent",
                "--exact",
                "--nocapture",
            ])
            .env("MV_STORE_WRITER", &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        child.kill().unwrap();
        child.wait().unwrap();
        let s = Store::open(&path).unwrap();
        assert!(s.is_consistent().unwrap());
        assert_eq!(s.get(first).unwrap().forecasts, run(1).forecasts);
        for r in s.list().unwrap() {
            let full = s.get(r.id).unwrap();
            // Every visible run is complete: all its forecast rows are there.
            assert!(
                full.forecasts.len() == 2 || full.forecasts.len() == 2_000,
                "run {}",
                r.id
            );
        }
    }
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    drop(Store::open(&path).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    c.pragma_update(None, "user_version", 99).unwrap();
    drop(c);
    let e = Store::open(&path).unwrap_err();
    assert!(e.to_string().contains("newer multivector"), "{e}");
}

#[test]
fn forecasts_pair_by_issue_and_model() {
    let s = Store::open_in_memory().unwrap();
    let a = s.save(&run(1)).unwrap();
    let mut other = run(2);
    other.forecasts = vec![("recognition".into(), "smp".into(), 30.0)];
    let b = s.save(&other).unwrap();
    let (ra, rb) = (s.get(a).unwrap(), s.get(b).unwrap());
    assert_eq!(
        ra.paired_with(&rb),
        vec![
            ("recognition", "mean", 34.5, None),
            ("recognition", "smp", 25.25, Some(30.0))
        ]
    );
}

#[test]
fn many_first_uses_at_once_all_succeed() {
    // Eight threads, each with its own connection, create the same new file and save a run
    // at once (before: "table scenarios already exists" and a lost run, 5 of 10 tries).
    for attempt in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
        let handles: Vec<_> = (0..8u64)
            .map(|k| {
                let (path, barrier) = (path.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    Store::open(&path)?.save(&run(k))
                })
            })
            .collect();
        for h in handles {
            h.join()
                .unwrap()
                .unwrap_or_else(|e| panic!("attempt {attempt}: {e}"));
        }
        assert_eq!(Store::open(&path).unwrap().list().unwrap().len(), 8);
    }
}

#[test]
fn a_negative_schema_version_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    drop(Store::open(&path).unwrap());
    let c = rusqlite::Connection::open(&path).unwrap();
    c.pragma_update(None, "user_version", -1).unwrap();
    drop(c);
    for e in [
        Store::open(&path).unwrap_err(),
        Store::open_read_only(&path).unwrap_err(),
    ] {
        assert!(
            e.to_string()
                .contains("schema version -1 is not one any multivector writes"),
            "{e}"
        );
    }
}

#[test]
fn a_read_only_store_can_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let id = Store::open(&path).unwrap().save(&run(3)).unwrap();
    // Fold the WAL into the main file, as a closed store is left, then open read-only.
    let c = rusqlite::Connection::open(&path).unwrap();
    c.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(c);
    let s = Store::open_read_only(&path).unwrap();
    assert_eq!(s.list().unwrap()[0].id, id);
    assert_eq!(s.get(id).unwrap().summary.seed, 3);
    assert!(s.save(&run(4)).is_err(), "a read-only store refuses writes");
}
