//! `multivector opinion` and `multivector calibrate`: the population level.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use multivector_ensemble::calibrate::Calibration;
use multivector_models::opinion::dynamics::Peer;
use multivector_models::opinion::spec::PopulationSpec;
use multivector_scenario::population;

use crate::args::{CalibrateArgs, Format, OpinionArgs, PeerArg};
use crate::exit::usage;
use crate::output::{csv_text, emit, full, note, table};

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
        let c: Calibration = serde_json::from_str(&text).map_err(|e| {
            usage(
                format!("{}: not a calibration file: {e}", p.display()),
                "write one with `multivector calibrate --out FILE`",
            )
        })?;
        let names: Vec<String> = c.params.iter().map(|p| p.name.clone()).collect();
        spec = spec.with(&names, &c.best).map_err(|e| {
            usage(
                format!("{}: {e}", p.display()),
                "recalibrate this population",
            )
        })?;
        note(&format!(
            "applied calibrated parameters from {}",
            p.display()
        ));
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
        Format::Table => opinion_table(&spec, &report)?,
        Format::Csv => {
            let mut rows = Vec::new();
            for p in &report.series {
                for (item, name) in spec.items.iter().enumerate() {
                    for (group, means) in &p.groups {
                        rows.push(vec![
                            p.sweep.to_string(),
                            p.date.clone(),
                            name.clone(),
                            group.clone(),
                            full(means[item]),
                            report.seed.to_string(),
                        ]);
                    }
                }
            }
            csv_text(&["sweep", "date", "item", "group", "mean", "seed"], &rows)?
        }
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn opinion_table(
    spec: &PopulationSpec,
    r: &multivector::opinion::OpinionReport,
) -> anyhow::Result<String> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Population `{}`: {} agents in {} groups, peer model {}, {} sweeps of {} days from {}; seed {}\n",
        spec.id,
        r.agents,
        spec.groups.len(),
        spec.peer.name(),
        r.series.len() - 1,
        spec.days_per_sweep,
        spec.start_date,
        r.seed
    );
    let _ = writeln!(out, "Opinions lie between 0 and 1 on each item:");
    for (k, name) in spec.items.iter().enumerate() {
        match spec.item_ends.get(k) {
            Some([low, high]) => {
                let _ = writeln!(out, "- {name}: 0 = {low}; 1 = {high}");
            }
            None => {
                let _ = writeln!(
                    out,
                    "- {name} (the population file does not say what 0 and 1 mean: add item_ends)"
                );
            }
        }
    }
    out.push('\n');
    for (item, name) in spec.items.iter().enumerate() {
        let mut header = vec![
            "sweep".to_string(),
            "date".to_string(),
            "national".to_string(),
        ];
        header.extend(spec.groups.iter().map(|g| g.id.clone()));
        let mut t = table(header);
        let n = r.series.len();
        let step = (n / 12).max(1);
        for s in (0..n).step_by(step).chain(std::iter::once(n - 1)) {
            let p = &r.series[s];
            let mut row = vec![
                s.to_string(),
                p.date.clone(),
                format!("{:.3}", p.national[item]),
            ];
            row.extend(p.groups.values().map(|m| format!("{:.3}", m[item])));
            t.add_row(row);
        }
        let _ = writeln!(out, "Mean opinion on `{name}` (0 to 1)\n{t}\n");
    }
    if !r.polls.is_empty() {
        let mut t = table(
            [
                "poll",
                "date",
                "answer",
                "published",
                "simulated",
                "difference (points)",
            ]
            .map(String::from)
            .to_vec(),
        );
        for p in &r.polls {
            for o in &p.observed {
                let sim = p.simulated.get(o.answer).copied();
                t.add_row(vec![
                    p.id.clone(),
                    p.date.clone(),
                    o.answer.to_string(),
                    format!("{:.1}%", 100.0 * o.share),
                    sim.map_or("beyond the run".into(), |v| format!("{:.1}%", 100.0 * v)),
                    sim.map_or("-".into(), |v| format!("{:+.1}", 100.0 * (v - o.share))),
                ]);
            }
        }
        let _ = writeln!(
            out,
            "Polls\n{t}\nAnswers are numbered from 0: a respondent whose opinion falls in the k-th band between a question's cut points gives answer k (with one cut, answer 1 is the view above it); published and simulated are the shares giving that answer."
        );
    }
    if !r.group_checks.is_empty() {
        let _ = write!(out, "\n{}", group_checks_text(&r.group_checks));
    }
    Ok(out)
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
    let (seed, hold) = (c.seed, c.hold_out.clone());
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
        Format::Csv => {
            let rows: Vec<Vec<String>> = c
                .params
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    vec![
                        p.name.clone(),
                        full(c.best[k]),
                        full(c.intervals[k].0),
                        full(c.intervals[k].1),
                        full(c.loss),
                        seed.to_string(),
                    ]
                })
                .collect();
            csv_text(
                &["parameter", "best", "low95", "high95", "loss", "seed"],
                &rows,
            )?
        }
        Format::Table => {
            let mut out = format!(
                "Calibration of `{}`: {} simulations of {} agents, seed {seed}; held out: {hold}\n\n",
                spec.id, c.evaluations, a.agents
            );
            let mut t = table(
                ["parameter", "range", "best", "approx. 95% interval"]
                    .map(String::from)
                    .to_vec(),
            );
            for (k, p) in c.params.iter().enumerate() {
                t.add_row(vec![
                    p.name.clone(),
                    format!("{} to {}", p.low, p.high),
                    format!("{:.4}", c.best[k]),
                    format!("{:.4} to {:.4}", c.intervals[k].0, c.intervals[k].1),
                ]);
            }
            let _ = writeln!(out, "{t}\n");
            if let Some(post) = &c.posterior {
                let mut t = table(
                    ["parameter", "posterior median", "90% interval", "R-hat"]
                        .map(String::from)
                        .to_vec(),
                );
                for (k, p) in c.params.iter().enumerate() {
                    t.add_row(vec![
                        p.name.clone(),
                        format!("{:.4}", post.median[k]),
                        format!("{:.4} to {:.4}", post.interval90[k].0, post.interval90[k].1),
                        format!("{:.3}", post.rhat[k]),
                    ]);
                }
                let _ = writeln!(
                    out,
                    "Posterior (flat prior on the ranges, binomial likelihood of the fitted waves; {} chains, {} draws kept, acceptance {:.2}):\n{t}\n",
                    post.settings.chains, post.draws, post.acceptance
                );
                if post.rhat.iter().any(|r| *r > 1.1) {
                    let _ = writeln!(
                        out,
                        "Warning: an R-hat above 1.1 means the chains disagree; sample longer (--steps).\n"
                    );
                }
            }
            let banded = c.posterior.is_some();
            let mut header = vec![
                "poll",
                "date",
                "fit",
                "published",
                "simulated",
                "error (points)",
            ];
            if banded {
                header.extend(["90% predictive band", "inside"]);
            }
            let mut t = table(header.into_iter().map(String::from).collect());
            for p in &c.polls {
                for (f, o) in p.observed.iter().enumerate() {
                    let v = p.simulated[o.answer];
                    let mut row = vec![
                        p.id.clone(),
                        p.date.clone(),
                        if p.held_out {
                            "held out".into()
                        } else {
                            "fitted".into()
                        },
                        format!("{:.1}%", 100.0 * o.share),
                        format!("{:.1}%", 100.0 * v),
                        format!("{:+.1}", 100.0 * (v - o.share)),
                    ];
                    if banded {
                        let (lo, hi) = p.bands.get(f).copied().unwrap_or((f64::NAN, f64::NAN));
                        row.push(format!("{:.1}% to {:.1}%", 100.0 * lo, 100.0 * hi));
                        row.push(if p.inside.get(f).copied().unwrap_or(false) {
                            "yes".into()
                        } else {
                            "no".into()
                        });
                    }
                    t.add_row(row);
                }
            }
            if !c.group_checks.is_empty() {
                let _ = writeln!(out, "{}", group_checks_text(&c.group_checks));
            }
            let _ = writeln!(
                out,
                "{t}\n\nLoss (binomial negative log-likelihood of the fitted waves): {:.2}",
                c.loss
            );
            out
        }
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Published group orderings against the simulation, as a table.
fn group_checks_text(checks: &[multivector::opinion::GroupCheckResult]) -> String {
    let mut t = table(
        [
            "group difference",
            "item",
            "date",
            "higher",
            "lower",
            "holds",
        ]
        .map(String::from)
        .to_vec(),
    );
    for c in checks {
        t.add_row(vec![
            c.id.clone(),
            c.item.clone(),
            c.date.clone(),
            format!("{} {:.3}", c.higher.0, c.higher.1),
            format!("{} {:.3}", c.lower.0, c.lower.1),
            if c.holds { "yes".into() } else { "NO".into() },
        ]);
    }
    format!("Group differences the sources state (simulated group means)\n{t}\n")
}
