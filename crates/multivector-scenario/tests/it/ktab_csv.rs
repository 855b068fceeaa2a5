//! KTAB's CSV layout.

use multivector_scenario::{Format, load_str, parse_ktab_csv, sniff_csv};

use crate::has;

/// A KTAB-style file of our own (three actors, two dimensions).
const GOOD: &str = "Test scen; 1,A description, 3, 2, \n\
Actor,Description,Power,Pos A,Sal A,Pos B,Sal B, \n\
X,First actor,             100.0,30,24.0,20,48.0, \n\
Y,Second actor,             60.2,45,44.7,65,41.3, \n\
Z,Third actor,              35.0,30,28.9,15,65.1, \n";

#[test]
fn reads_padding_trailing_commas_and_dimensions() {
    assert_eq!(sniff_csv(GOOD), Some(Format::KtabCsv));
    let (s, n) = parse_ktab_csv("k.csv", GOOD).unwrap();
    assert_eq!(s.meta.name, "Test scen; 1");
    assert_eq!(s.issues.len(), 2);
    assert_eq!(s.issues[1].id, "Pos-B");
    assert_eq!(s.actors[1].capability, 60.2);
    let st = s
        .stances
        .iter()
        .find(|t| t.actor == 2 && t.issue == 1)
        .unwrap();
    assert_eq!(st.position, 15.0);
    assert!((st.salience - 0.651).abs() < 1e-12);
    assert!(n.notes[0].contains("3 actors, 2 dimension"));
    // The two dimensions form one space for the spatial model, named after the file.
    assert_eq!(s.spaces.len(), 1);
    assert_eq!(s.spaces[0].id, "k");
    assert_eq!(s.spaces[0].dimensions, vec![0, 1]);
    let _ = load_str("k.csv", GOOD, Format::KtabCsv).unwrap();
}

#[test]
fn one_dimension_needs_no_space() {
    let one =
        "One,d,3,1,\nActor,Description,Power,Pos,Sal,\nX,a,1,10,50,\nY,b,2,20,50,\nZ,c,3,30,50,\n";
    let (s, _) = parse_ktab_csv("one.csv", one).unwrap();
    assert!(s.spaces.is_empty());
    assert_eq!(s.bargaining_spaces(), vec![("Pos".to_string(), vec![0])]);
}

#[test]
fn announced_actor_count_must_match() {
    let t = GOOD.replace(" 3, 2,", " 4, 2,");
    let e = parse_ktab_csv("k.csv", &t).unwrap_err();
    has(&e, 5, None, "announces 4 actors but 3");
}

#[test]
fn header_width_must_match_dimensions() {
    let t = GOOD.replace(" 3, 2,", " 3, 3,");
    let e = parse_ktab_csv("k.csv", &t).unwrap_err();
    has(&e, 2, None, "needs 9");
}

#[test]
fn bad_counts_on_line_one() {
    let t = GOOD.replace(" 3, 2,", " three, 2,");
    let e = parse_ktab_csv("k.csv", &t).unwrap_err();
    has(
        &e,
        1,
        Some("number of actors"),
        "not a positive whole number",
    );
}

#[test]
fn attention_budget_is_checked() {
    let t = GOOD.replace("45,44.7,65,41.3", "45,64.7,65,41.3");
    let e = parse_ktab_csv("k.csv", &t).unwrap_err();
    has(&e, 4, None, "add up to 106");
}

#[test]
fn positions_outside_0_100() {
    let t = GOOD.replace("30,28.9,15", "130,28.9,15");
    let e = parse_ktab_csv("k.csv", &t).unwrap_err();
    has(&e, 5, Some("Pos A"), "outside 0-100");
}

#[test]
fn non_numeric_and_negative_capability() {
    let t = GOOD.replace("60.2", "lots").replace("35.0", "-35.0");
    let e = parse_ktab_csv("k.csv", &t).unwrap_err();
    has(&e, 4, Some("Power"), "`lots` is not a number");
    has(&e, 5, Some("Power"), "must be zero or more");
}

#[test]
fn empty_file() {
    let e = parse_ktab_csv("k.csv", " , \n").unwrap_err();
    assert!(e.errors()[0].message.contains("empty"));
}
