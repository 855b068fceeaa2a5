//! Per-model cost of one ensemble draw of the built-in scenario, on the current thread pool:
//! `RAYON_NUM_THREADS=1 cargo run --release --example draw_cost -p multivector [draws]`.

use std::time::Instant;

use multivector::run::RunSettings;

#[allow(clippy::print_stdout)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let draws: usize = std::env::args().nth(1).map_or(Ok(500), |a| a.parse())?;
    let s = multivector::scenario::builtin::load("kazakhstan")
        .ok_or("no built-in scenario")??
        .scenario;
    let all = RunSettings::default().models().forecasters();
    let mut total = 0.0;
    for (name, model) in all {
        let one = vec![(name.clone(), model)];
        let t = Instant::now();
        multivector::ensemble::run(&s, &one, draws, 1, &|_| {})?;
        let per = t.elapsed().as_secs_f64() / draws as f64 * 1e3;
        total += per;
        println!("{name:>11}: {per:.3} ms per draw");
    }
    println!("{:>11}: {total:.3} ms per draw", "all");
    Ok(())
}
