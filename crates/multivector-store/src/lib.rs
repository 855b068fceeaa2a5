//! The run store: every run of multivector with the scenario it read (content hash and full
//! text), the program version, seed, draws, options and its outputs, in one SQLite file.
//!
//! - The schema is created and upgraded by numbered migrations (`PRAGMA user_version`), from
//!   an empty file on first open.
//! - The journal is WAL; a run is written in one transaction, so a process killed half-way
//!   leaves no trace of the run and every earlier run intact.
//! - Outputs are stored as the run's JSON document (what `--format json` prints) plus one row
//!   per forecast, so runs can be listed, compared and exported without re-running.
//!
//! ```
//! use multivector_store::{NewRun, Store};
//!
//! let store = Store::open_in_memory().unwrap();
//! let id = store
//!     .save(&NewRun {
//!         command: "run".into(),
//!         scenario_id: "demo".into(),
//!         scenario_text: "format_version = 1".into(),
//!         version: "0.1.0".into(),
//!         seed: 7,
//!         draws: 0,
//!         options: serde_json::json!({}),
//!         forecasts: vec![("issue".into(), "mean".into(), 42.0)],
//!         document: serde_json::json!({"issues": []}),
//!     })
//!     .unwrap();
//! assert_eq!(store.get(id).unwrap().forecasts[0].2, 42.0);
//! assert_eq!(store.get(id).unwrap().summary.seed, 7);
//! ```

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("run store: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("run store: stored JSON is unreadable: {0}")]
    Json(#[from] serde_json::Error),
    #[error("run store: no run {0}")]
    NoRun(i64),
    #[error(
        "run store: the file was written by a newer multivector (schema {found}, this one knows {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error(
        "run store: schema version {found} is not one any multivector writes; the file is not a run store, or it is damaged"
    )]
    BadVersion { found: i64 },
    #[error(
        "run store: the file has schema {found} and this multivector needs {known}; open it once with write access to upgrade it"
    )]
    NeedsUpgrade { found: i64, known: i64 },
}

/// A run to save.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    pub command: String,
    pub scenario_id: String,
    pub scenario_text: String,
    pub version: String,
    pub seed: u64,
    pub draws: usize,
    pub options: Value,
    /// `(issue, model, value)` point forecasts.
    pub forecasts: Vec<(String, String, f64)>,
    /// The full output document.
    pub document: Value,
}

/// A stored run: its summary, settings and outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub summary: Summary,
    pub version: String,
    pub options: Value,
    pub forecasts: Vec<(String, String, f64)>,
    pub document: Value,
}

impl Run {
    /// Its forecasts beside another run's: `(issue, model, this, other)`, in this run's
    /// order; `other` is `None` where the other run has no such forecast.
    pub fn paired_with<'a>(&'a self, other: &Run) -> Vec<(&'a str, &'a str, f64, Option<f64>)> {
        self.forecasts
            .iter()
            .map(|(i, m, v)| {
                let o = other
                    .forecasts
                    .iter()
                    .find(|(j, n, _)| j == i && n == m)
                    .map(|x| x.2);
                (i.as_str(), m.as_str(), *v, o)
            })
            .collect()
    }
}

/// One line of `runs list`.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub id: i64,
    pub created: String,
    pub command: String,
    pub scenario_id: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub draws: usize,
}

/// Whether an SQLite error means another connection holds a lock for now.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// How long a store waits for another process's lock before giving up.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Migrations, in order: migration `k` brings the schema from version `k` to `k + 1`.
const MIGRATIONS: [&str; 1] = [r#"
CREATE TABLE scenarios (
    hash TEXT PRIMARY KEY,
    id   TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    command       TEXT NOT NULL,
    scenario_hash TEXT NOT NULL REFERENCES scenarios(hash),
    version       TEXT NOT NULL,
    seed          INTEGER NOT NULL,
    draws         INTEGER NOT NULL,
    options       TEXT NOT NULL,
    document      TEXT NOT NULL
);
CREATE TABLE forecasts (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    issue  TEXT NOT NULL,
    model  TEXT NOT NULL,
    value  REAL,
    PRIMARY KEY (run_id, issue, model)
);
"#];

/// An open store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

/// Hex SHA-256 of a scenario's text.
pub fn content_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Opens (creating and migrating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        // Another process may be creating or upgrading the same file. SQLite's busy handler
        // covers most waits, but not every one (switching the journal to WAL, or a lock
        // upgrade it refuses to wait for to avoid a deadlock, answer "locked" at once), so
        // the whole opening is retried, with backoff, until the busy timeout.
        let start = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(5);
        loop {
            match Self::open_once(path) {
                Err(StoreError::Sql(e)) if is_busy(&e) && start.elapsed() < BUSY_TIMEOUT => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_millis(200));
                }
                r => return r,
            }
        }
    }

    fn open_once(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Self::init(conn)
    }

    /// Opens an existing store for reading only (a file without write permission, or on a
    /// read-only medium): no migration, no journal change. A store whose schema is older than
    /// this version's is refused with a hint, since upgrading it needs write access.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        match found {
            v if v < 0 => Err(StoreError::BadVersion { found: v }),
            v if v > known => Err(StoreError::TooNew { found: v, known }),
            v if v < known => Err(StoreError::NeedsUpgrade { found: v, known }),
            _ => Ok(Store { conn }),
        }
    }

    /// A store in memory (tests, dry runs).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let known = MIGRATIONS.len() as i64;
        // The version is read and the migrations applied inside one write transaction taken
        // at its start (IMMEDIATE): two processes creating the same new file take turns, and
        // the second finds the schema done (it used to fail with "table scenarios already
        // exists" and lose its run).
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version < 0 {
            return Err(StoreError::BadVersion { found: version });
        }
        if version > known {
            return Err(StoreError::TooNew {
                found: version,
                known,
            });
        }
        for (k, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (k + 1) as i64)?;
        }
        tx.commit()?;
        Ok(Store { conn })
    }

    /// The schema version.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Saves a run in one transaction and returns its id.
    pub fn save(&self, run: &NewRun) -> Result<i64, StoreError> {
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )?;
        let hash = content_hash(&run.scenario_text);
        tx.execute(
            "INSERT OR IGNORE INTO scenarios (hash, id, text) VALUES (?1, ?2, ?3)",
            params![hash, run.scenario_id, run.scenario_text],
        )?;
        tx.execute(
            "INSERT INTO runs (command, scenario_hash, version, seed, draws, options, document)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                run.command,
                hash,
                run.version,
                run.seed as i64,
                run.draws as i64,
                serde_json::to_string(&run.options)?,
                serde_json::to_string(&run.document)?,
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut stmt = tx.prepare(
                "INSERT OR REPLACE INTO forecasts (run_id, issue, model, value) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (issue, model, value) in &run.forecasts {
                stmt.execute(params![id, issue, model, value])?;
            }
        }
        tx.commit()?;
        Ok(id)
    }

    /// Every run, newest first.
    pub fn list(&self) -> Result<Vec<Summary>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id, r.created, r.command, s.id, r.scenario_hash, r.seed, r.draws
             FROM runs r JOIN scenarios s ON s.hash = r.scenario_hash ORDER BY r.id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Summary {
                id: r.get(0)?,
                created: r.get(1)?,
                command: r.get(2)?,
                scenario_id: r.get(3)?,
                scenario_hash: r.get(4)?,
                seed: r.get::<_, i64>(5)? as u64,
                draws: r.get::<_, i64>(6)? as usize,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One run with its outputs.
    pub fn get(&self, id: i64) -> Result<Run, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT r.id, r.created, r.command, s.id, r.scenario_hash, r.version, r.seed,
                        r.draws, r.options, r.document
                 FROM runs r JOIN scenarios s ON s.hash = r.scenario_hash WHERE r.id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, i64>(6)?,
                        r.get::<_, i64>(7)?,
                        r.get::<_, String>(8)?,
                        r.get::<_, String>(9)?,
                    ))
                },
            )
            .optional()?
            .ok_or(StoreError::NoRun(id))?;
        let mut stmt = self.conn.prepare(
            "SELECT issue, model, value FROM forecasts WHERE run_id = ?1 ORDER BY rowid",
        )?;
        let forecasts = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(Run {
            summary: Summary {
                id: row.0,
                created: row.1,
                command: row.2,
                scenario_id: row.3,
                scenario_hash: row.4,
                seed: row.6 as u64,
                draws: row.7 as usize,
            },
            version: row.5,
            options: serde_json::from_str(&row.8)?,
            document: serde_json::from_str(&row.9)?,
            forecasts,
        })
    }

    /// The scenario text of a run.
    pub fn scenario_text(&self, id: i64) -> Result<String, StoreError> {
        self.conn
            .query_row(
                "SELECT s.text FROM runs r JOIN scenarios s ON s.hash = r.scenario_hash WHERE r.id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(StoreError::NoRun(id))
    }

    /// Deletes a run (its scenario text stays while other runs use it).
    pub fn delete(&self, id: i64) -> Result<(), StoreError> {
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )?;
        let n = tx.execute("DELETE FROM runs WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(StoreError::NoRun(id));
        }
        tx.execute(
            "DELETE FROM scenarios WHERE hash NOT IN (SELECT scenario_hash FROM runs)",
            [],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// `PRAGMA integrity_check` is "ok".
    pub fn is_consistent(&self) -> Result<bool, StoreError> {
        let s: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(s == "ok")
    }
}
