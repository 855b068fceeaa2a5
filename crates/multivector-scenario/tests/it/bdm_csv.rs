//! The expected-utility CSV layout: endings, scales and every malformed case.

use multivector_scenario::{Format, LineEndings, load_str, parse_bdm_csv};

use crate::has;

const GOOD: &str = "Actor,Capability,Position,Salience\nA,0.5,4,80\nB,0.3,7,40\nC,0.2,10,100\n";

fn bad(text: &str) -> multivector_scenario::ScenarioErrors {
    parse_bdm_csv("x.csv", text).expect_err("must fail")
}

#[test]
fn all_line_endings_read_alike() {
    let (lf, n) = parse_bdm_csv("x.csv", GOOD).unwrap();
    assert_eq!(n.line_endings, LineEndings::Lf);
    for (text, le) in [
        (GOOD.replace('\n', "\r"), LineEndings::Cr),
        (GOOD.replace('\n', "\r\n"), LineEndings::Crlf),
    ] {
        let (s, n) = parse_bdm_csv("x.csv", &text).unwrap();
        assert_eq!(s, lf);
        assert_eq!(n.line_endings, le);
    }
}

#[test]
fn salience_scale_is_detected_and_reported() {
    let (s, n) = parse_bdm_csv("x.csv", GOOD).unwrap();
    assert_eq!(s.stances[0].salience, 0.8);
    assert!(n.notes[0].contains("0-100"));
    let unit = GOOD
        .replace(",80\n", ",0.8\n")
        .replace(",40\n", ",0.4\n")
        .replace(",100\n", ",1\n");
    let (s2, n2) = parse_bdm_csv("x.csv", &unit).unwrap();
    assert_eq!(s2.stances[0].salience, 0.8);
    assert!(n2.notes[0].contains("0-1 scale"));
}

#[test]
fn header_in_any_order_and_a_trailing_comma() {
    let t = "Salience,Position,Capability,Actor,\n80,4,0.5,A,\n40,7,0.3,B,\n";
    let (s, _) = parse_bdm_csv("x.csv", t).unwrap();
    assert_eq!(s.stances[1].position, 7.0);
    assert_eq!(s.actors[1].capability, 0.3);
}

#[test]
fn empty_file() {
    let e = bad("\n\n");
    assert!(e.errors()[0].message.contains("empty"));
}

#[test]
fn missing_column() {
    let e = bad("Actor,Capability,Position\nA,1,2\nB,1,3\n");
    has(&e, 1, Some("salience"), "no `salience` column");
}

#[test]
fn unknown_column() {
    let e = bad("Actor,Capability,Position,Salience,Risk\nA,1,2,3,4\n");
    has(&e, 1, Some("risk"), "unknown column");
}

#[test]
fn non_numeric_field() {
    let e = bad("Actor,Capability,Position,Salience\nA,1,2,3\nB,high,4,5\n");
    let x = has(&e, 3, Some("Capability"), "`high` is not a number");
    assert_eq!(x.location.record.as_deref(), Some("actor `B`"));
}

#[test]
fn nan_and_inf() {
    let e = bad("Actor,Capability,Position,Salience\nA,1,NaN,3\nB,1,inf,5\n");
    has(&e, 2, Some("Position"), "not a finite number");
    has(&e, 3, Some("Position"), "not a finite number");
}

#[test]
fn negative_capability() {
    let e = bad("Actor,Capability,Position,Salience\nA,-1,2,3\nB,1,4,5\n");
    has(&e, 2, Some("Capability"), "must be zero or more");
}

#[test]
fn salience_outside_its_scale() {
    let e = bad("Actor,Capability,Position,Salience\nA,1,2,30\nB,1,4,150\n");
    has(&e, 3, Some("Salience"), "outside 0-100");
    let e = bad("Actor,Capability,Position,Salience\nA,1,2,-0.5\nB,1,4,0.5\n");
    has(&e, 2, Some("Salience"), "outside 0-1");
}

#[test]
fn duplicate_actor() {
    let e = bad("Actor,Capability,Position,Salience\nA,1,2,3\nA,1,4,5\n");
    has(&e, 3, Some("Actor"), "already appears on line 2");
}

#[test]
fn one_actor_only() {
    let e = bad("Actor,Capability,Position,Salience\nA,1,2,3\n");
    has(&e, 2, None, "at least two");
}

#[test]
fn wrong_field_count() {
    let e = bad("Actor,Capability,Position,Salience\nA,1,2\nB,1,4,5\n");
    has(&e, 2, None, "3 fields");
}

#[test]
fn all_actors_at_one_position_load() {
    let (s, _) = parse_bdm_csv(
        "x.csv",
        "Actor,Capability,Position,Salience\nA,1,5,3\nB,1,5,5\n",
    )
    .unwrap();
    assert_eq!(s.issues[0].scale.max - s.issues[0].scale.min, 1.0);
}

#[test]
fn line_numbers_count_cr_only_lines() {
    let e = bad("Actor,Capability,Position,Salience\rA,1,2,3\rB,x,4,5\r");
    has(&e, 3, Some("Capability"), "not a number");
    let _ = load_str("x.csv", GOOD, Format::BdmCsv).unwrap();
}

#[test]
fn a_column_twice_is_an_error_not_a_guess() {
    let e = bad("Actor,Capability,Position,Salience,Salience\nA,1,2,30,40\nB,1,4,50,60\n");
    has(&e, 1, Some("salience"), "appears twice (columns 4 and 5)");
}

#[test]
fn numbers_beyond_the_largest_size_are_refused() {
    let e = bad("Actor,Capability,Position,Salience\nA,1e308,2,30\nB,1,4,50\n");
    has(
        &e,
        2,
        Some("Capability"),
        "1e308 is beyond the largest size accepted, 1e15",
    );
    // 1e15 itself is accepted.
    assert!(
        parse_bdm_csv(
            "x.csv",
            "Actor,Capability,Position,Salience\nA,1e15,2,30\nB,1,4,50\n"
        )
        .is_ok()
    );
}
