//! `multivector smp`: one issue or space through the spatial model, round by round.

use std::process::ExitCode;

use multivector_core::{ModelError, Scenario};
use multivector_models::smp::{Smp, SmpInput, SmpOptions, SmpStop};
use multivector_report::text::smp as text;

use super::load_scenario;
use crate::args::{Format, SmpArgs};
use crate::exit::usage;
use crate::output::{emit, json, note};

pub fn run(a: SmpArgs) -> anyhow::Result<ExitCode> {
    let loaded = load_scenario(Some(&a.file))?;
    let s = &loaded.scenario;
    let input = space_input(s, a.issue.as_deref(), &a.file)?;
    let options = options(&a)?;
    // A round costs about n^3 contests: show rounds with the time left when the issue is
    // large enough for a round to take a noticeable time (about 100 actors and up).
    let bar = crate::output::progress(
        if input.len() < 100 {
            0
        } else {
            options.stop.max_rounds
        },
        &format!("rounds at most (spatial model, {} actors)", input.len()),
    );
    let run = Smp::new(options).run_observed(&input, &|t| bar.set_position(t as u64));
    bar.finish_and_clear();
    let text = match a.format {
        Format::Table => text::table_text(s, &run),
        Format::Csv => text::rounds_csv(&run)?,
        Format::Json => json(&text::RunDoc::new(&run, &s.meta.id))?,
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn options(a: &SmpArgs) -> anyhow::Result<SmpOptions> {
    let stop = SmpStop {
        max_rounds: a.max_rounds,
        min_rounds: a.min_rounds,
        ratio: a.stop_ratio,
        floor: a.stop_floor,
    };
    stop.validate().map_err(|e| {
        let flag = match &e {
            ModelError::Option { option: "stop.ratio", .. } => "--stop-ratio",
            ModelError::Option { option: "stop.floor", .. } => "--stop-floor",
            _ => "--max-rounds",
        };
        usage(
            format!("{flag}: {e}"),
            "KTAB stops when a round moves under 2% of the first round's move (--stop-ratio 0.02, --stop-floor 1e-4), after at most 100 rounds",
        )
    })?;
    Ok(SmpOptions {
        victory_prob: a.victory_prob.into(),
        pce: a.pce.into(),
        transitions: a.transitions.into(),
        voting_rule: a.voting_rule.into(),
        big_r_adjust: a.big_r_adjust.into(),
        big_r_range: a.big_r_range.into(),
        third_party_commit: a.third_party_commit.into(),
        bargain_point: a.bargain_point.into(),
        bargain_view: a.bargain_view.into(),
        stop,
        seed: a.seed.unwrap_or(SmpOptions::default().seed),
        canonical_groups: a.canonical_groups,
    })
}

/// The input of a space (or of a one-dimensional issue) named by id, or of the only one.
pub(super) fn space_input(
    s: &Scenario,
    wanted: Option<&str>,
    file: &str,
) -> anyhow::Result<SmpInput> {
    let spaces = s.bargaining_spaces();
    let ids = || {
        spaces
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (id, dims) = match wanted {
        Some(w) => match spaces.iter().find(|(id, _)| id == w) {
            Some(sp) => sp.clone(),
            None => match s.issue_index(w) {
                Some(k) => {
                    if let Some(sp) = s.space_of(k) {
                        note(&format!(
                            "issue `{w}` is a dimension of space `{}`; running it alone \
                             (use --issue {} to bargain over all its dimensions)",
                            s.spaces[sp].id, s.spaces[sp].id
                        ));
                    }
                    (w.to_string(), vec![k])
                }
                None => {
                    return Err(usage(
                        format!("{file} has no issue or space `{w}`"),
                        format!("spaces and issues: {}", ids()),
                    ));
                }
            },
        },
        None if spaces.len() == 1 => spaces[0].clone(),
        None => {
            return Err(usage(
                format!(
                    "{file} has {} issues or spaces; say which one",
                    spaces.len()
                ),
                format!("add --issue ID; choose from: {}", ids()),
            ));
        }
    };
    let inputs = dims
        .iter()
        .map(|&k| s.issue_input(k))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SmpInput::from_issues(&id, &inputs)?)
}
