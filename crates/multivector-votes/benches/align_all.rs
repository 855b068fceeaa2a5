//! `align_all`: read a merged vote file and compute the focal state's dyads with every other
//! state for every year. Uses the real 1992-2026 file when MULTIVECTOR_SHARED points at the
//! shared folder, otherwise a synthetic file of the same shape (2,711 roll calls x 199
//! states). Target: under two seconds for the whole job.

use std::io::Write;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use multivector_votes::{Period, align_all, load};

fn data() -> (Option<tempfile::TempDir>, PathBuf) {
    if let Some(s) = std::env::var_os("MULTIVECTOR_SHARED") {
        let p = PathBuf::from(s).join("data/unga/derived/unga_votes_1992_2026.csv.gz");
        if p.exists() {
            return (None, p);
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rc = String::from("rollcall_id,source,date,year,label,title\n");
    let mut v = String::from("rollcall_id,iso3,vote\n");
    let codes: Vec<&str> = multivector_votes::countries::MEMBERS
        .iter()
        .map(|m| m.0)
        .collect();
    let mut x: u64 = 42;
    for r in 0..2711 {
        let year = 1992 + r * 35 / 2711;
        rc.push_str(&format!("s{r},syn,{year}-10-01,{year},A/RES/{r},\n"));
        for c in &codes {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let vote = ["Y", "Y", "Y", "N", "A", "X"][(x >> 33) as usize % 6];
            v.push_str(&format!("s{r},{c},{vote}\n"));
        }
    }
    std::fs::write(dir.path().join("unga_rollcalls_s.csv"), rc).expect("write");
    let mut f = std::fs::File::create(dir.path().join("unga_votes_s.csv")).expect("create");
    f.write_all(v.as_bytes()).expect("write");
    let p = dir.path().join("unga_votes_s.csv");
    (Some(dir), p)
}

fn bench(c: &mut Criterion) {
    let (_keep, path) = data();
    let mut g = c.benchmark_group("align_all");
    g.sample_size(10);
    g.bench_function("read_and_all_dyads_by_year", |b| {
        b.iter(|| {
            let (t, _) = load(&path).expect("load");
            let kaz = t.state("KAZ").expect("KAZ");
            align_all(&t, kaz, Period::Year)
        })
    });
    let (t, _) = load(&path).expect("load");
    let kaz = t.state("KAZ").expect("KAZ");
    g.bench_function("all_dyads_by_year_only", |b| {
        b.iter(|| align_all(&t, kaz, Period::Year))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
