//! Per-model cost of one ensemble draw of the built-in scenario, on the current thread pool:
//! `RAYON_NUM_THREADS=1 cargo run --release --example draw_cost -p multivector [draws [model]]`.
//! With `--run N`: one `multivector::run::run` of N draws, all models (what `run --draws N`
//! computes, without the process and the printing), and its time.

use std::io::Write;
use std::time::Instant;

use multivector::run::RunSettings;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let s = multivector::scenario::builtin::load("kazakhstan")
        .ok_or("no built-in scenario")??
        .scenario;
    if args.first().map(String::as_str) == Some("--run") {
        let draws: usize = args
            .get(1)
            .ok_or("--run needs a number of draws")?
            .parse()?;
        let settings = RunSettings {
            draws,
            seed: 7,
            ..RunSettings::default()
        };
        let t = Instant::now();
        multivector::run::run(&s, &settings, &multivector::run::NoProgress)?;
        writeln!(
            std::io::stdout(),
            "run of {draws} draws: {:.3} s",
            t.elapsed().as_secs_f64()
        )?;
        return Ok(());
    }
    let draws: usize = args.first().map_or(Ok(500), |a| a.parse())?;
    let only = args.get(1);
    let all = RunSettings::default().models().forecasters();
    if let Some(o) = only.filter(|o| !all.iter().any(|(name, _)| name == *o)) {
        let names: Vec<&str> = all.iter().map(|(name, _)| name.as_str()).collect();
        return Err(format!("no model `{o}`; models: {}", names.join(", ")).into());
    }
    let all = all
        .into_iter()
        .filter(|(name, _)| only.is_none_or(|o| o == name));
    let mut total = 0.0;
    for (name, model) in all {
        let one = vec![(name.clone(), model)];
        let t = Instant::now();
        multivector::ensemble::run(&s, &one, draws, 1, &|_| {})?;
        let per = t.elapsed().as_secs_f64() / draws as f64 * 1e3;
        total += per;
        writeln!(std::io::stdout(), "{name:>11}: {per:.3} ms per draw")?;
    }
    writeln!(std::io::stdout(), "{:>11}: {total:.3} ms per draw", "all")?;
    Ok(())
}
