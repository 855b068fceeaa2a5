//! Every bad TOML input gets an error naming the line, the field and the record.

use multivector_scenario::{Format, ScenarioErrors, load_str};

use crate::has;
use crate::toml_ok::MINI;

/// MINI with `from` replaced by `to` (which must occur once), parsed; must fail.
fn bad(from: &str, to: &str) -> (String, ScenarioErrors) {
    assert_eq!(MINI.matches(from).count(), 1, "`{from}` must occur once");
    let text = MINI.replacen(from, to, 1);
    let errs = load_str("bad.toml", &text, Format::Toml).expect_err("must fail");
    (text, errs)
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).expect("present")]
        .matches('\n')
        .count()
        + 1
}

#[test]
fn empty_file() {
    let errs = load_str("e.toml", "  \n", Format::Toml).unwrap_err();
    assert!(errs.errors()[0].message.contains("empty"));
    assert!(errs.errors()[0].hint.is_some());
}

#[test]
fn syntax_error_is_located() {
    let (t, errs) = bad("capability = 60", "capability = = 60");
    let e = &errs.errors()[0];
    assert_eq!(e.location.line, Some(line_of(&t, "capability = = 60")));
}

#[test]
fn unknown_field_is_rejected() {
    let (t, errs) = bad("capability = 60", "capabilty = 60");
    let e = &errs.errors()[0];
    assert!(e.message.contains("unknown field `capabilty`"), "{e}");
    assert_eq!(e.location.line, Some(line_of(&t, "capabilty")));
    assert!(e.hint.as_deref().unwrap().contains("spelling"));
}

#[test]
fn non_numeric_field() {
    let (t, errs) = bad("position = 10\n", "position = \"ten\"\n");
    let e = &errs.errors()[0];
    assert!(e.message.contains("invalid type"), "{e}");
    assert_eq!(e.location.line, Some(line_of(&t, "\"ten\"")));
}

#[test]
fn missing_format_version() {
    let (_, errs) = bad("format_version = 1\n", "");
    has(&errs, 1, Some("format_version"), "missing");
}

#[test]
fn unsupported_format_version() {
    let (_, errs) = bad("format_version = 1", "format_version = 7");
    has(
        &errs,
        1,
        Some("format_version"),
        "version 7 is not supported",
    );
}

#[test]
fn salience_scale_must_be_stated() {
    let (_, errs) = bad("salience_scale = \"0-100\"\n", "");
    has(&errs, 3, Some("salience_scale"), "not stated");
    let (t, errs) = bad("salience_scale = \"0-100\"", "salience_scale = \"percent\"");
    has(
        &errs,
        line_of(&t, "percent"),
        Some("salience_scale"),
        "not a salience scale",
    );
}

#[test]
fn negative_capability() {
    let (t, errs) = bad("capability = 60", "capability = -5");
    let e = has(
        &errs,
        line_of(&t, "-5"),
        Some("capability"),
        "must be zero or more",
    );
    assert_eq!(e.location.record.as_deref(), Some("actor `KAZ`"));
    assert_eq!(e.location.column, Some(14));
}

#[test]
fn nan_and_inf_are_rejected() {
    let (t, errs) = bad("capability = 60", "capability = nan");
    has(
        &errs,
        line_of(&t, "nan"),
        Some("capability"),
        "not a finite number",
    );
    let (t, errs) = bad("position = 10\n", "position = inf\n");
    has(
        &errs,
        line_of(&t, "inf"),
        Some("position"),
        "not a finite number",
    );
}

#[test]
fn salience_outside_its_scale() {
    let (t, errs) = bad("salience = 70", "salience = 170");
    let e = has(
        &errs,
        line_of(&t, "170"),
        Some("salience"),
        "outside the salience scale 0-100",
    );
    assert_eq!(
        e.location.record.as_deref(),
        Some("stance of `KAZ` on `recognition`")
    );
}

#[test]
fn salience_on_the_wrong_scale_gets_a_pointed_hint() {
    let (t, errs) = bad("salience_scale = \"0-100\"", "salience_scale = \"0-1\"");
    let e = has(
        &errs,
        line_of(&t, "salience = 70"),
        Some("salience"),
        "outside the salience scale 0-1",
    );
    assert!(e.hint.unwrap().contains("0-100"));
}

#[test]
fn duplicate_actor() {
    let (t, errs) = bad("id = \"RUS\"", "id = \"KAZ\"");
    let e = has(
        &errs,
        line_of(&t, "[[actors]]\nid = \"KAZ\"\nname = \"Russia\""),
        Some("id"),
        "duplicate actor",
    );
    assert!(e.message.contains("already defined on line 16"), "{e}");
}

#[test]
fn stance_for_an_unknown_actor() {
    let (t, errs) = bad("actor = \"RUS\"", "actor = \"USA\"");
    let e = has(
        &errs,
        line_of(&t, "\"USA\""),
        Some("actor"),
        "unknown actor `USA`",
    );
    assert!(e.hint.unwrap().contains("KAZ, RUS"));
}

#[test]
fn stance_for_an_unknown_issue() {
    let (t, errs) = bad(
        "actor = \"RUS\"\nissue = \"recognition\"",
        "actor = \"RUS\"\nissue = \"troops\"",
    );
    has(
        &errs,
        line_of(&t, "\"troops\""),
        Some("issue"),
        "unknown issue `troops`",
    );
}

#[test]
fn one_actor_only_on_an_issue() {
    let t = &MINI[..MINI.rfind("[[stances]]").unwrap()];
    let errs = load_str("bad.toml", t, Format::Toml).unwrap_err();
    has(
        &errs,
        line_of(t, "[[issues]]"),
        None,
        "1 actor(s) hold a stance",
    );
}

#[test]
fn duplicate_stance() {
    let text = format!(
        "{MINI}\n[[stances]]\nactor = \"KAZ\"\nissue = \"recognition\"\nposition = 5\nsalience = 5\nassumption = \"x\"\n"
    );
    let errs = load_str("bad.toml", &text, Format::Toml).unwrap_err();
    has(
        &errs,
        text.matches('\n').count() - 5,
        None,
        "duplicate stance",
    );
}

#[test]
fn position_outside_the_scale() {
    let (t, errs) = bad("position = 10\n", "position = 101\n");
    has(
        &errs,
        line_of(&t, "101"),
        Some("position"),
        "outside the issue's scale (0 to 100)",
    );
}

#[test]
fn bad_actor_kind() {
    let (t, errs) = bad("kind = \"leadership\"", "kind = \"president\"");
    has(
        &errs,
        line_of(&t, "president"),
        Some("kind"),
        "not an actor kind",
    );
}

#[test]
fn dangling_evidence_id() {
    let (t, errs) = bad(
        "evidence = [\"e1\"]\n\n[[stances]]",
        "evidence = [\"e9\"]\n\n[[stances]]",
    );
    has(
        &errs,
        line_of(&t, "\"e9\""),
        Some("evidence"),
        "evidence `e9` is not defined",
    );
}

#[test]
fn ids_cannot_escape_a_folder() {
    let (t, errs) = bad("id = \"mini\"", "id = \"../../etc\"");
    has(
        &errs,
        line_of(&t, "../../etc"),
        Some("id"),
        "not a valid id",
    );
}

#[test]
fn scale_needs_labels_and_order() {
    let (t, errs) = bad(
        "scale = { low = \"no recognition\", high = \"full recognition\",",
        "scale = { min = 100, max = 0, low = \"a\", high = \"b\",",
    );
    has(
        &errs,
        line_of(&t, "scale = {"),
        Some("scale"),
        "min must be below max",
    );
    let (t, errs) = bad("low = \"no recognition\", ", "");
    has(
        &errs,
        line_of(&t, "scale = {"),
        Some("scale"),
        "label in words",
    );
}

#[test]
fn bad_uncertainty() {
    let (t, errs) = bad(
        "position = { sd = 5 }",
        "position = { sd = 5, range = [0, 10] }",
    );
    has(
        &errs,
        line_of(&t, "uncertainty"),
        Some("uncertainty.position"),
        "exactly one",
    );
    let (t, errs) = bad("range = [60, 80]", "range = [80, 60]");
    has(
        &errs,
        line_of(&t, "uncertainty"),
        Some("uncertainty.salience"),
        "increasing",
    );
    let (t, errs) = bad("sd = 5", "sd = -1");
    has(
        &errs,
        line_of(&t, "uncertainty"),
        Some("uncertainty.position"),
        "not positive",
    );
}

#[test]
fn zero_weight_issue() {
    let t = MINI
        .replace("salience = 70", "salience = 0")
        .replace("salience = 90", "salience = 0");
    let errs = load_str("bad.toml", &t, Format::Toml).unwrap_err();
    has(&errs, line_of(&t, "[[issues]]"), None, "zero weight");
}

#[test]
fn all_problems_are_reported_together() {
    let t = MINI
        .replace("capability = 60", "capability = -1")
        .replace("salience = 90", "salience = 900");
    let errs = load_str("bad.toml", &t, Format::Toml).unwrap_err();
    assert_eq!(errs.errors().len(), 2, "{errs}");
}

#[test]
fn evidence_record_needs_its_source() {
    let (t, errs) = bad("locator = \"Section 1\"\n", "");
    has(
        &errs,
        line_of(&t, "[[evidence]]"),
        Some("locator"),
        "missing or empty",
    );
}

fn bad_space(extra: &str, from: &str, to: &str) -> (String, ScenarioErrors) {
    let text = crate::toml_ok::with_space(extra).replacen(from, to, 1);
    let errs = load_str("bad.toml", &text, Format::Toml).expect_err("must fail");
    (text, errs)
}

#[test]
fn space_over_an_unknown_issue() {
    let (t, errs) = bad_space(
        "",
        "\"recognition\", \"transit\"]",
        "\"recognition\", \"transits\"]",
    );
    has(
        &errs,
        line_of(&t, "dimensions = ["),
        Some("dimensions"),
        "unknown issue `transits`",
    );
}

#[test]
fn space_beyond_the_attention_budget() {
    // KAZ: 70 + 40 > 100 on the 0-100 scale.
    let (t, errs) = bad_space(
        "",
        "position = 30\nsalience = 20",
        "position = 30\nsalience = 40",
    );
    has(
        &errs,
        line_of(&t, "[[spaces]]"),
        Some("dimensions"),
        "actor `KAZ`",
    );
}

#[test]
fn space_with_an_actor_missing_a_dimension() {
    let (t, errs) = bad_space(
        "",
        "[[stances]]\nactor = \"RUS\"\nissue = \"transit\"\nposition = 0\nsalience = 10\n",
        "",
    );
    let e = has(
        &errs,
        line_of(&t, "[[spaces]]"),
        Some("dimensions"),
        "none on transit",
    );
    assert!(e.hint.unwrap().contains("every dimension"));
}

#[test]
fn space_with_a_taken_id_or_a_shared_dimension() {
    let extra = "\n[[spaces]]\nid = \"transit\"\nquestion = \"q\"\ndimensions = [\"transit\"]\n";
    let (t, errs) = bad_space(extra, "", "");
    let line = t
        .rfind("[[spaces]]")
        .map(|p| t[..p].matches('\n').count() + 1)
        .unwrap();
    has(&errs, line, Some("id"), "already the id");
}

#[test]
fn numbers_beyond_the_largest_size_are_refused_where_they_stand() {
    let (t, errs) = bad("capability = 60", "capability = 1e308");
    let e = has_field(&errs, "capability");
    assert!(
        e.message
            .contains("1e308 is beyond the largest size accepted, 1e15"),
        "{e}"
    );
    assert_eq!(e.location.line, Some(line_of(&t, "capability = 1e308")));
    let (_, errs) = bad(
        "scale = { low = \"no recognition\"",
        "scale = { min = -1e308, max = 1e308, low = \"no recognition\"",
    );
    let e = has_field(&errs, "scale.min");
    assert!(e.message.contains("beyond the largest size"), "{e}");
    assert!(
        errs.errors()
            .iter()
            .any(|x| x.location.field.as_deref() == Some("scale.max"))
    );
}

fn has_field<'a>(errs: &'a ScenarioErrors, field: &str) -> &'a multivector_scenario::ScenarioError {
    errs.errors()
        .iter()
        .find(|x| x.location.field.as_deref() == Some(field))
        .unwrap_or_else(|| panic!("no error on `{field}`: {errs}"))
}

/// The fields of the second edition: a located error for each bad value, never a silent
/// default.
#[test]
fn as_of_evidence_dates_unga_and_unscored_are_checked() {
    let (t, errs) = bad(
        "period = { start",
        "as_of = \"March 2022\"\nperiod = { start",
    );
    has(
        &errs,
        line_of(&t, "as_of"),
        Some("as_of"),
        "not a calendar date",
    );
    let (t, errs) = bad(
        "locator = \"Section 1\"",
        "locator = \"Section 1\"\ndate = \"2022-13\"",
    );
    has(&errs, line_of(&t, "2022-13"), Some("date"), "not a date");
    let (t, errs) = bad(
        "evidence = [\"e1\"] }",
        "evidence = [\"e1\"], unscored = \"  \" }",
    );
    has(
        &errs,
        line_of(&t, "unscored"),
        Some("outcome.unscored"),
        "empty",
    );
    let (t, errs) = bad(
        "evidence = [\"e1\"] }",
        "evidence = [\"e1\"], unga = { state = \"KAZ\", resolutions = [], yes = 100, abstain = 50, no = 0 } }",
    );
    has(
        &errs,
        line_of(&t, "unga"),
        Some("outcome.unga.resolutions"),
        "no resolution",
    );
    let (t, errs) = bad(
        "evidence = [\"e1\"] }",
        "evidence = [\"e1\"], unga = { state = \"KAZ\", resolutions = [\"A/RES/ES-11/1\"], yes = 140, abstain = 50, no = 0 } }",
    );
    has(
        &errs,
        line_of(&t, "unga"),
        Some("outcome.unga.yes"),
        "outside the scale",
    );
}

/// An outcome's date is checked like an evidence record's: a malformed one and a missing one
/// are located errors, never a blank.
#[test]
fn outcome_dates_are_dates() {
    let (t, errs) = bad("date = \"2022-06-17\"", "date = \"17 June 2022\"");
    has(
        &errs,
        line_of(&t, "17 June 2022"),
        Some("outcome.date"),
        "is not a date",
    );
    let (t, errs) = bad("date = \"2022-06-17\", ", "");
    has(
        &errs,
        line_of(&t, "outcome = {"),
        Some("outcome.date"),
        "no date",
    );
    // The three forms the evidence records take are accepted.
    for d in ["2022", "2022-06", "2022-06-17"] {
        let text = MINI.replacen("2022-06-17", d, 1);
        assert!(load_str("ok.toml", &text, Format::Toml).is_ok(), "{d}");
    }
}
