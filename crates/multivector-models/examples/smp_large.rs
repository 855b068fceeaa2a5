//! One full run of the spatial model on random (seeded) inputs, timed:
//! `cargo run --release --example smp_large -p multivector-models [actors] [dimensions]`
//! (default 200 actors, 2 dimensions, KTAB's stopping rule). The performance issue's target
//! is under one second on two cores.

use std::io::Write;
use std::time::Instant;

use multivector_models::smp::Smp;

#[path = "support/smp_input.rs"]
mod smp_input;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().map_or(Ok(200), |a| a.parse())?;
    let d: usize = args.get(1).map_or(Ok(2), |a| a.parse())?;
    let input = smp_input::random_input(n, d, 42);
    let t = Instant::now();
    let run = Smp::default().run(&input);
    writeln!(
        std::io::stdout(),
        "{n} actors x {d} dimensions: {} rounds in {:.3} s",
        run.moves.len(),
        t.elapsed().as_secs_f64()
    )?;
    Ok(())
}
