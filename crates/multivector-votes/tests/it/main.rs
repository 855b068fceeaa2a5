//! Integration tests of the votes crate: hand-computed fixtures, identities, readers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod measures;
mod readers;

use std::path::{Path, PathBuf};

/// Writes `files` into a fresh folder.
pub fn folder(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let p = dir.path().to_path_buf();
    (dir, p)
}

pub fn file(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// A merged-layout fixture: four roll calls in 2021-2022 for KAZ, RUS, USA and three EU
/// members, hand-written so every measure can be worked out on paper.
pub const ROLLCALLS: &str = "rollcall_id,source,date,year,label,title,official_yes,official_no,official_abstain,n_yes,n_no,n_abstain,n_absent
r1,t,2021-03-01,2021,A/RES/1,One,,,,,,,
r2,t,2021-10-01,2021,A/RES/2,Two,,,,,,,
r3,t,2022-03-02,2022,A/RES/ES-11/1,Aggression,,,,,,,
r4,t,2022-04-07,2022,A/RES/ES-11/3,Suspension,,,,,,,
";

pub const VOTES: &str = "rollcall_id,iso3,vote
r1,KAZ,Y
r1,RUS,Y
r1,USA,N
r1,DEU,N
r1,FRA,N
r1,ITA,A
r2,KAZ,A
r2,RUS,N
r2,USA,Y
r2,DEU,Y
r2,FRA,A
r2,ITA,X
r3,KAZ,A
r3,RUS,N
r3,USA,Y
r3,DEU,Y
r3,FRA,Y
r3,ITA,Y
r4,KAZ,N
r4,RUS,N
r4,USA,Y
r4,DEU,Y
r4,FRA,X
r4,ITA,A
";
