//! `multivector opinion` and `multivector calibrate`: the population level.

use std::path::Path;
use std::process::ExitCode;

use multivector_models::opinion::dynamics::Peer;
use multivector_models::opinion::spec::PopulationSpec;
use multivector_scenario::population;

use crate::args::{CalibrateArgs, Format, OpinionArgs, PeerArg};
use crate::exit::usage;
use multivector_report::text::opinion as text;

use crate::output::{emit, note};

/// A population file, or a built-in population by name.
pub(super) fn load(arg: Option<&str>) -> anyhow::Result<PopulationSpec> {
    let name = arg.unwrap_or("kazakhstan");
    let path = Path::new(name);
    if arg.is_some() && (path.exists() || name.contains('/') || name.contains('.')) {
        return Ok(population::load_path(path)?);
    }
    match population::builtin(name) {
        Some(r) => Ok(r?),
        None => Err(usage(
            format!("`{name}` is neither a file nor a built-in population"),
            format!(
                "built-in populations: {}; or give a path to a population .toml",
                population::ALL.map(|(n, _)| n).join(", ")
            ),
        )),
    }
}

/// Applies the population variant `name` (declared in the population file).
pub(super) fn apply_variant(spec: &mut PopulationSpec, name: &str) -> anyhow::Result<()> {
    *spec = spec.with_variant(name).map_err(|e| {
        usage(
            e.to_string(),
            "variants are declared as [[population.variants]] in the population file",
        )
    })?;
    Ok(())
}

fn peer_for(spec: &PopulationSpec, m: PeerArg) -> Peer {
    let same = |p: &Peer| std::mem::discriminant(p) == std::mem::discriminant(&spec.peer);
    let default = match m {
        PeerArg::None => Peer::None,
        PeerArg::Deffuant => Peer::Deffuant { eps: 0.3, mu: 0.3 },
        PeerArg::Hk => Peer::HegselmannKrause { eps: 0.2 },
        PeerArg::Fj => Peer::FriedkinJohnsen {
            susceptibility: spec.groups.iter().map(|g| g.susceptibility).collect(),
        },
        PeerArg::Voter => Peer::Voter,
        PeerArg::Qvoter => Peer::QVoter { q: 4, noise: 0.01 },
        PeerArg::Majority => Peer::Majority { size: 3 },
    };
    if same(&default) {
        spec.peer.clone()
    } else {
        default
    }
}

pub fn opinion(a: OpinionArgs) -> anyhow::Result<ExitCode> {
    let mut spec = load(a.scenario.as_deref())?;
    if let Some(v) = &a.variant {
        apply_variant(&mut spec, v)?;
    }
    if let Some(p) = &a.params {
        let text = std::fs::read_to_string(p).map_err(|e| {
            usage(
                format!("cannot read {}: {e}", p.display()),
                "give the file written by `multivector calibrate --out FILE`",
            )
        })?;
        let name = p.display().to_string();
        spec = multivector::two_level::calibrated(&spec, Some((&name, &text)))?.0;
        note(&format!("applied calibrated parameters from {name}"));
    }
    if let Some(m) = a.model {
        spec.peer = peer_for(&spec, m);
        if m == PeerArg::None {
            // Media alone: the mean-field model needs no graph.
            spec.network = multivector_models::opinion::spec::Network::None;
        }
    }
    let settings = multivector::opinion::OpinionSettings {
        agents: a.agents.unwrap_or(spec.agents),
        sweeps: a.sweeps.unwrap_or(spec.sweeps),
        seed: a.seed.unwrap_or(multivector_ensemble::DEFAULT_SEED),
    };
    let bar = crate::output::progress(settings.sweeps, "sweeps");
    let report = multivector::opinion::opinion(&spec, &settings, &mut |t| {
        bar.set_position(t as u64)
    })
    .map_err(|e| {
        usage(
            e.to_string(),
            "choose fewer --agents or --sweeps (limits: docs/errors.md), or see docs/opinion.md",
        )
    })?;
    bar.finish_and_clear();
    let text = match a.format {
        Format::Table => text::series_table(&spec, &report),
        Format::Csv => text::series_csv(&spec, &report)?,
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn calibrate(a: CalibrateArgs) -> anyhow::Result<ExitCode> {
    // Where the result goes is checked before minutes of simulation, not after.
    if let Some(path) = &a.out {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(usage(
                format!(
                    "cannot write {}: the folder {} does not exist",
                    path.display(),
                    dir.display()
                ),
                "give --out a path in a folder that exists",
            ));
        }
    }
    let spec = load(a.scenario.as_deref())?;
    let seed = a.seed.unwrap_or(multivector_ensemble::DEFAULT_SEED);
    if a.chains == 1 || (a.chains > 1 && a.burn >= a.steps) {
        return Err(usage(
            format!(
                "--chains {} --steps {} --burn {} cannot give a posterior",
                a.chains, a.steps, a.burn
            ),
            "give at least 2 chains (or 0 for none) and more steps than burn-in",
        ));
    }
    let settings = multivector::opinion::CalibrateSettings {
        agents: a.agents,
        budget: a.budget,
        seed,
        hold_out: a.hold_out.clone(),
        posterior: (a.chains > 0).then_some(multivector_ensemble::calibrate::McmcSettings {
            chains: a.chains,
            steps: a.steps,
            burn: a.burn,
            thin: 1,
            seed,
        }),
    };
    let total = a.budget + a.budget / 3 + 2 * a.budget.min(100) + a.chains * a.steps;
    let bar = crate::output::progress(total, "simulations");
    let c = multivector::opinion::calibrate(&spec, &settings, &|k| bar.set_position(k as u64))
        .map_err(|e| {
            usage(
                e.to_string(),
                "check the [[population.calibrate]] ranges and polls, --hold-out, --agents and --budget (docs/opinion.md)",
            )
        })?;
    bar.finish_and_clear();
    if let Some(path) = &a.out {
        std::fs::write(path, serde_json::to_string_pretty(&c)? + "\n").map_err(|e| {
            usage(
                format!("cannot write {}: {e}", path.display()),
                "give --out a path in a folder that exists and that you may write to",
            )
        })?;
        note(&format!("saved the calibration to {}", path.display()));
    }
    let text = match a.format {
        Format::Json => serde_json::to_string_pretty(&c)? + "\n",
        Format::Csv => text::calibration_csv(&c)?,
        Format::Table => text::calibration_table(&c),
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}
