//! `multivector bdm`: one issue through the expected-utility model, round by round.

use std::process::ExitCode;

use multivector_core::IssueInput;
use multivector_models::bdm::Bdm;
use multivector_report::text::bdm as text;

use super::{bdm_options, issue_input, pick_issue};
use crate::args::{BdmArgs, Format};
use crate::exit::usage;
use crate::output::{emit, json, note};

pub fn run(a: BdmArgs) -> anyhow::Result<ExitCode> {
    let loaded = super::load_scenario(Some(&a.file))?;
    let s = &loaded.scenario;
    let file = a.file.clone();
    let issue = pick_issue(s, a.issue.as_deref(), &file)?;
    let input = issue_input(s, issue)?;
    let options = bdm_options(a.preset, Some(&a.options), &a.stop)?;
    super::warn_late_events(s, None, options.stop.max_rounds());
    let model = Bdm::new(options);
    let preset = format!("{:?}", a.preset).to_lowercase();
    if let Some(who) = &a.view {
        let actor = find_actor(&input, s, who)?;
        let pairs = model.view(&input, actor, a.round)?;
        let text = match a.format {
            Format::Table => text::view_table(&input, actor, a.round, &pairs),
            Format::Csv => text::view_csv(&input, &pairs)?,
            Format::Json => json(&text::ViewDoc::new(&input, actor, a.round, &pairs))?,
        };
        emit(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let run = model.run(&input)?;
    let text = match a.format {
        Format::Table => text::table_text(&input, &run, &preset, &s.meta.id),
        Format::Csv => text::rounds_csv(&input, &run)?,
        Format::Json => json(&text::RunDoc::new(&input, &run, &s.meta.id, &preset))?,
    };
    emit(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// An actor by id, else by name (exact, then ignoring case).
fn find_actor(
    input: &IssueInput,
    s: &multivector_core::Scenario,
    who: &str,
) -> anyhow::Result<usize> {
    if let Some(k) = input.actor_ids().iter().position(|id| id == who) {
        return Ok(k);
    }
    let by_name = |exact: bool| {
        input.actor_ids().iter().position(|id| {
            s.actors.iter().any(|a| {
                a.id == *id
                    && if exact {
                        a.name == who
                    } else {
                        a.name.eq_ignore_ascii_case(who) || a.id.eq_ignore_ascii_case(who)
                    }
            })
        })
    };
    if let Some(k) = by_name(true) {
        return Ok(k);
    }
    if let Some(k) = by_name(false) {
        // Matched without regard to case: say which actor was taken.
        note(&format!(
            "`{who}` read as actor `{}` (matched ignoring case)",
            input.actor_ids()[k]
        ));
        return Ok(k);
    }
    Err({
        usage(
            format!(
                "no actor `{who}` holds a stance on issue `{}`",
                input.issue_id()
            ),
            format!("actors on this issue: {}", input.actor_ids().join(", ")),
        )
    })
}
