//! Valid scenarios load into the expected core values.

use multivector_core::{ActorKind, Direction, SalienceScale, Spread};
use multivector_scenario::{Format, builtin, load_str};

pub const MINI: &str = r#"format_version = 1

[scenario]
id = "mini"
name = "Mini"
salience_scale = "0-100"
period = { start = "2022-02", end = "2024-12" }

[[evidence]]
id = "e1"
source = { file = "doc.txt", title = "T", publisher = "P", date = "2024" }
locator = "Section 1"
paraphrase = "Something said."
figures = ["28%"]

[[actors]]
id = "KAZ"
name = "Kazakhstan"
kind = "leadership"
capability = 60

[[actors]]
id = "RUS"
name = "Russia"
kind = "state"
capability = 90
vector = true

[[issues]]
id = "recognition"
question = "Does the leadership recognise the annexations?"
status_quo = 0
scale = { low = "no recognition", high = "full recognition", points = [{ value = 50, label = "ambiguous statements" }] }
outcome = { value = 0, date = "2022-06-17", evidence = ["e1"] }
thresholds = [{ value = 50, direction = "above", label = "recognition happens" }]

[[stances]]
actor = "KAZ"
issue = "recognition"
position = 10
salience = 70
uncertainty = { position = { sd = 5 }, salience = { range = [60, 80] }, capability = { triangular = [50, 60, 70] } }
evidence = ["e1"]

[[stances]]
actor = "RUS"
issue = "recognition"
position = 100
salience = 90
capability = 80
assumption = "Russia wants recognition"
"#;

#[test]
fn a_full_scenario_loads() {
    let s = load_str("mini.toml", MINI, Format::Toml).unwrap().scenario;
    assert_eq!(s.meta.salience_scale, SalienceScale::Percent);
    assert_eq!(s.actors[0].kind, ActorKind::Leadership);
    assert!(s.actors[1].vector && !s.actors[0].vector);
    let iss = &s.issues[0];
    assert_eq!((iss.scale.min, iss.scale.max), (0.0, 100.0));
    assert_eq!(iss.scale.labels.len(), 3);
    assert_eq!(iss.thresholds[0].direction, Direction::Above);
    assert_eq!(iss.outcome.as_ref().unwrap().value, 0.0);
    let st = &s.stances[0];
    assert_eq!(st.salience, 0.7);
    assert_eq!(st.uncertainty.position, Some(Spread::Normal { sd: 5.0 }));
    // Salience spreads are rescaled to [0, 1] with the salience.
    assert_eq!(
        st.uncertainty.salience,
        Some(Spread::Uniform {
            low: 0.6,
            high: 0.8
        })
    );
    let input = s.issue_input(0).unwrap();
    assert_eq!(input.capabilities(), vec![60.0, 80.0], "stance override");
    assert_eq!(input.scale(), Some((0.0, 100.0)));
}

#[test]
fn the_published_example_scenario_matches_table_1() {
    let s = builtin::load("ec-emissions").unwrap().unwrap().scenario;
    let input = s.issue_input(0).unwrap();
    assert_eq!(input.len(), 10);
    let w = input.weights();
    let mean = multivector_core::stats::weighted_mean(input.positions(), &w);
    assert!((mean - 7.389956).abs() < 1e-6, "{mean}");
    assert_eq!(s.issues[0].outcome.as_ref().unwrap().value, 8.833);
}

/// The profile by hand: two vectors at 0 and 100 on a 0-100 scale, a third actor not a
/// vector. A forecast of 25 is 0.25 from one and 0.75 from the other: E = 1 - 0.5 = 0.5.
#[test]
fn profile_by_hand() {
    let text = MINI.replace("name = \"Kazakhstan\"", "name = \"Kazakhstan\"\nvector = false")
        .replace("position = 10\n", "position = 0\n")
        .replace("[[actors]]\nid = \"KAZ\"", "[[actors]]\nid = \"EU\"\nkind = \"organisation\"\ncapability = 5\nvector = true\n\n[[actors]]\nid = \"KAZ\"")
        + "\n[[stances]]\nactor = \"EU\"\nissue = \"recognition\"\nposition = 0\nsalience = 50\nassumption = \"x\"\n";
    let s = load_str("p.toml", &text, Format::Toml).unwrap().scenario;
    assert_eq!(
        s.meta.focal,
        s.actor_index("KAZ"),
        "the only leadership actor is focal"
    );
    let p = multivector_core::assess::profile(&s, s.meta.focal, &[(0, 25.0)]);
    let d: Vec<(&str, f64)> = p.issues[0]
        .distances
        .iter()
        .map(|v| (v.actor.as_str(), v.distance))
        .collect();
    assert_eq!(d, vec![("RUS", 0.75), ("EU", 0.25)]);
    assert_eq!(p.issues[0].equidistance, Some(0.5));
    assert_eq!(p.issues[0].weight, 0.7);
    assert_eq!(p.equidistance, Some(0.5));
    let al: Vec<(&str, f64)> = p
        .alignment
        .iter()
        .map(|a| (a.actor.as_str(), a.alignment))
        .collect();
    assert_eq!(al, vec![("EU", 0.75), ("RUS", 0.25)]);
    let r = multivector_core::assess::retrodict(&s.issues[0], 60.0).unwrap();
    assert_eq!((r.error, r.error_scaled), (60.0, 0.6));
    assert!(
        !r.thresholds[0].correct,
        "60 is above 50, the outcome 0 is not"
    );
}

#[test]
fn variants_load_and_apply() {
    let text = format!(
        "{MINI}\n[[variants]]\nname = \"weak-russia\"\ndescription = \"d\"\nchanges = [{{ actor = \"RUS\", capability = 45 }}, {{ actor = \"KAZ\", issue = \"recognition\", position = 50, salience = 20 }}]\n\n[[variants]]\nname = \"no-kaz\"\nchanges = [{{ actor = \"KAZ\", remove = true }}]\n"
    );
    let s = load_str("v.toml", &text, Format::Toml).unwrap().scenario;
    assert_eq!(s.variants.len(), 2);
    let v = s.apply(s.variant("weak-russia").unwrap());
    assert_eq!(v.actors[1].capability, 45.0);
    assert_eq!((v.stances[0].position, v.stances[0].salience), (50.0, 0.2));
    assert_eq!(s.stances[0].position, 10.0, "the baseline is untouched");
    let v = s.apply(s.variant("no-kaz").unwrap());
    assert_eq!(v.stances.len(), 1);
}

#[test]
fn bad_variants_are_located() {
    for (change, field, msg) in [
        (
            "{ actor = \"USA\", capability = 1 }",
            Some("changes.actor"),
            "unknown actor `USA`",
        ),
        (
            "{ actor = \"KAZ\", position = 5 }",
            Some("changes.position"),
            "needs an issue",
        ),
        (
            "{ actor = \"KAZ\", issue = \"recognition\", position = 500 }",
            Some("changes.position"),
            "outside the issue's scale",
        ),
        (
            "{ actor = \"KAZ\", remove = true, salience = 5 }",
            None,
            "either removes",
        ),
        (
            "{ actor = \"KAZ\", salience = 500 }",
            Some("changes.salience"),
            "outside the salience scale",
        ),
    ] {
        let text = format!("{MINI}\n[[variants]]\nname = \"v\"\nchanges = [{change}]\n");
        let errs = load_str("v.toml", &text, Format::Toml).unwrap_err();
        let line = text.matches('\n').count();
        let e = crate::has(&errs, line, field, msg);
        assert_eq!(e.location.record.as_deref(), Some("variant `v`"));
    }
}

#[test]
fn defaults_fill_only_missing_spreads() {
    let text =
        format!("{MINI}\n[defaults]\nposition_sd = 0.1\nsalience_sd = 5\ncapability_sd = 0.2\n");
    let s = load_str("d.toml", &text, Format::Toml).unwrap().scenario;
    // KAZ declares all three: kept. RUS declares none: defaults (scale width 100, capability
    // override 80, saliences on 0-100).
    assert_eq!(
        s.stances[0].uncertainty.position,
        Some(Spread::Normal { sd: 5.0 })
    );
    let u = s.stances[1].uncertainty;
    assert_eq!(u.position, Some(Spread::Normal { sd: 10.0 }));
    assert_eq!(u.salience, Some(Spread::Normal { sd: 0.05 }));
    assert_eq!(u.capability, Some(Spread::Normal { sd: 16.0 }));
    let bad = format!("{MINI}\n[defaults]\nposition_sd = 3\n");
    let errs = load_str("d.toml", &bad, Format::Toml).unwrap_err();
    crate::has(
        &errs,
        bad.matches('\n').count(),
        Some("position_sd"),
        "at most 1",
    );
}

#[test]
fn events_load_into_issue_inputs_and_need_a_round() {
    let text = format!(
        "{MINI}\n[[events]]\nround = 3\nactor = \"RUS\"\nissue = \"recognition\"\nposition = 50\nnote = \"shock\"\n\n[[variants]]\nname = \"late-kaz\"\nchanges = [{{ actor = \"KAZ\", round = 2, enter = true }}]\n"
    );
    let s = load_str("e.toml", &text, Format::Toml).unwrap().scenario;
    assert_eq!(s.events.len(), 1);
    let inp = s.issue_input(0).unwrap();
    assert_eq!(
        (
            inp.events()[0].round,
            inp.events()[0].slot,
            inp.events()[0].position
        ),
        (3, 1, Some(50.0))
    );
    let v = s.apply(s.variant("late-kaz").unwrap());
    assert_eq!(
        v.events.len(),
        2,
        "a variant's change with a round becomes an event"
    );
    assert!(
        v.issue_input(0)
            .unwrap()
            .events()
            .iter()
            .any(|e| e.enter && e.slot == 0)
    );
    let bad = format!("{MINI}\n[[events]]\nactor = \"RUS\"\ncapability = 5\n");
    let errs = load_str("e.toml", &bad, Format::Toml).unwrap_err();
    assert!(
        errs.to_string().contains("an event needs the round"),
        "{errs}"
    );
    let bad = format!("{MINI}\n[[events]]\nround = 0\nactor = \"RUS\"\ncapability = 5\n");
    assert!(
        load_str("e.toml", &bad, Format::Toml)
            .unwrap_err()
            .to_string()
            .contains("round 0 is not a round")
    );
}

/// MINI with a second issue and a space over both.
pub fn with_space(extra: &str) -> String {
    let mut t = MINI.to_string();
    t.push_str(
        r#"
[[issues]]
id = "transit"
question = "How much oil goes around Russia?"
scale = { low = "none", high = "all" }

[[stances]]
actor = "KAZ"
issue = "transit"
position = 30
salience = 20

[[stances]]
actor = "RUS"
issue = "transit"
position = 0
salience = 10

[[spaces]]
id = "balance"
question = "Recognition and transit together"
dimensions = ["recognition", "transit"]
"#,
    );
    t.push_str(extra);
    t
}

#[test]
fn a_space_groups_issues_as_dimensions() {
    let s = load_str("space.toml", &with_space(""), Format::Toml)
        .unwrap()
        .scenario;
    assert_eq!(s.spaces.len(), 1);
    assert_eq!(s.spaces[0].dimensions, vec![0, 1]);
    assert_eq!(s.space_of(1), Some(0));
    assert_eq!(
        s.bargaining_spaces(),
        vec![("balance".to_string(), vec![0, 1])]
    );
}
