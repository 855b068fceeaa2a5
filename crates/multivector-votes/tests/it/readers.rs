//! Every reader: a small valid file, gzip, duplicates, and each malformed case with its
//! located error.

use std::io::Write;

use multivector_votes::{Layout, VoteErrors, load};

use crate::{ROLLCALLS, VOTES, file, folder};

fn err(files: &[(&str, &str)], name: &str) -> VoteErrors {
    let (_d, p) = folder(files);
    load(&file(&p, name)).expect_err("must fail")
}

fn has(e: &VoteErrors, line: Option<usize>, text: &str) {
    assert!(
        e.0.iter()
            .any(|x| x.line == line && x.message.contains(text) && !x.hint.is_empty()),
        "no error at {line:?} containing {text:?}:\n{e}"
    );
}

#[test]
fn merged_pair_reads_from_file_or_folder_and_gzip() {
    let (_d, p) = folder(&[
        ("unga_votes_t.csv", VOTES),
        ("unga_rollcalls_t.csv", ROLLCALLS),
    ]);
    let (a, l) = load(&p).unwrap();
    assert_eq!(l, Layout::MergedLong);
    assert_eq!((a.rollcalls.len(), a.states.len()), (4, 6));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(VOTES.as_bytes()).unwrap();
    std::fs::write(p.join("unga_votes_t.csv.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(p.join("unga_rollcalls_t.csv.gz"), ROLLCALLS).unwrap();
    let (b, _) = load(&p.join("unga_votes_t.csv.gz")).unwrap();
    assert_eq!(a.rollcalls, b.rollcalls);
}

#[test]
fn merged_malformed_rows_are_located() {
    let bad = VOTES
        .replace("r2,RUS,N", "r2,RUS,Q")
        .replace("r3,USA,Y", "r9,USA,Y")
        .replace("r4,DEU,Y", "r4,D3U,Y");
    let e = err(
        &[
            ("unga_votes_t.csv", &bad),
            ("unga_rollcalls_t.csv", ROLLCALLS),
        ],
        "unga_votes_t.csv",
    );
    has(&e, Some(9), "`Q` is not a vote");
    has(&e, Some(16), "roll call `r9` is not in");
    has(&e, Some(23), "`D3U` is not a state code");
    let e = err(
        &[
            ("unga_votes_t.csv", "rollcall_id,iso3,vote\nr1,KAZ\n"),
            ("unga_rollcalls_t.csv", ROLLCALLS),
        ],
        "unga_votes_t.csv",
    );
    has(&e, Some(2), "2 fields");
    let e = err(&[("unga_votes_t.csv", VOTES)], "unga_votes_t.csv");
    has(&e, None, "roll-call file");
    let e = err(
        &[
            ("unga_votes_t.csv", VOTES),
            (
                "unga_rollcalls_t.csv",
                &ROLLCALLS.replace("2021-10-01", "2021-13-01"),
            ),
        ],
        "unga_votes_t.csv",
    );
    has(&e, Some(3), "invalid date");
    let e = err(
        &[
            ("unga_votes_t.csv", VOTES),
            (
                "unga_rollcalls_t.csv",
                &ROLLCALLS.replace("title,", "titel,"),
            ),
        ],
        "unga_votes_t.csv",
    );
    has(&e, Some(1), "no `title` column");
}

const DGACM: &str = r#"{"symbol": "A/RES/ES-11/1", "title": "Aggression against Ukraine", "adoption_date": "2 March 2022", "adoption_type": "By a recorded vote", "MS_in_favour": ["UKRAINE", "TÜRKİYE"], "MS_against": ["RUSSIAN FEDERATION", "BELARUS"], "MS_abstaining": ["KAZAKHSTAN", "CÔTE D'IVOIRE"]}
{"symbol": "A/RES/76/1", "title": "Adopted without a vote", "adoption_date": "2021-10-01 00:00:00", "adoption_type": "Without a vote"}
{"symbol": "A/RES/ES-11/1", "title": "Aggression against Ukraine", "adoption_date": "2 March 2022", "adoption_type": "By a recorded vote", "MS_in_favour": ["UKRAINE"], "MS_against": [], "MS_abstaining": []}
"#;

#[test]
fn dgacm_reads_names_dates_and_drops_duplicates() {
    let (_d, p) = folder(&[("ES-11.json", DGACM)]);
    let (t, l) = load(&p).unwrap();
    assert_eq!(l, Layout::Dgacm);
    assert_eq!(t.rollcalls.len(), 1);
    assert_eq!(t.duplicates, 1);
    assert_eq!(t.rollcalls[0].date, "2022-03-02");
    let v = |c: &str| t.vote(0, t.state(c).unwrap()).letter();
    assert_eq!(
        (v("TUR"), v("CIV"), v("KAZ"), v("RUS"), v("UZB")),
        ('Y', 'A', 'A', 'N', 'X')
    );
    assert_eq!(t.states.len(), 193);
}

#[test]
fn dgacm_malformed_lines_are_located() {
    let bad = DGACM.replace("\"KAZAKHSTAN\"", "\"KAZAKHSTANIA\"").replace(
        "2021-10-01 00:00:00\", \"adoption_type\": \"Without",
        "2021-10-01 00:00:00\", \"adoption_type\": \"With",
    );
    let bad = format!(
        "{bad}{{\"symbol\": \"A/RES/9\", \"adoption_date\": \"sometime\", \"adoption_type\": \"By a recorded vote\"}}\nnot json\n"
    );
    let e = err(&[("x.json", &bad)], "x.json");
    has(&e, Some(1), "unknown state name `KAZAKHSTANIA`");
    has(&e, Some(4), "adoption date `sometime`");
    has(&e, Some(5), "not a JSON object");
}

const WIDE: &str = "rcid,date,me,nu,di,hr,co,ec,KAZ,RUS,USA
10,2022-03-02,FALSE,FALSE,FALSE,TRUE,FALSE,FALSE,2,3,1
11,2022-04-07,FALSE,FALSE,FALSE,FALSE,FALSE,FALSE,3.0,3,1
11,2022-04-07,FALSE,FALSE,FALSE,FALSE,FALSE,FALSE,3,3,1
";

#[test]
fn voeten_wide_reads_codes_flags_and_drops_duplicates() {
    let (_d, p) = folder(&[("w.csv", WIDE)]);
    let (t, l) = load(&file(&p, "w.csv")).unwrap();
    assert_eq!(l, Layout::VoetenWide);
    assert_eq!((t.rollcalls.len(), t.duplicates), (2, 1));
    assert_eq!(t.rollcalls[0].flags, ["hr"]);
    assert_eq!(t.vote(1, t.state("KAZ").unwrap()).letter(), 'N');
}

#[test]
fn voeten_wide_malformed_rows_are_located() {
    let e = err(&[("w.csv", &WIDE.replace(",2,3,1\n", ",2,7,1\n"))], "w.csv");
    has(&e, Some(2), "`7` is not a vote code");
    let e = err(
        &[("w.csv", &WIDE.replace("2022-04-07", "07/04/2022"))],
        "w.csv",
    );
    has(&e, Some(3), "invalid date");
    let e = err(&[("w.csv", &WIDE.replace(",USA", ",Freedonia"))], "w.csv");
    has(&e, Some(1), "`Freedonia`");
}

#[test]
fn line_numbers_hold_for_every_line_ending() {
    // The csv crate's own line count is one short on CRLF files; every layout's lines are
    // counted from byte offsets instead.
    let bad = WIDE.replace("2022-04-07", "07/04/2022");
    for ending in ["\n", "\r\n", "\r"] {
        let text = bad.replace('\n', ending);
        let e = err(&[("w.csv", &text)], "w.csv");
        has(&e, Some(3), "invalid date");
        let votes = VOTES.replace("r2,RUS,N", "r2,RUS,Q").replace('\n', ending);
        let e = err(
            &[
                ("unga_votes_t.csv", &votes),
                ("unga_rollcalls_t.csv", ROLLCALLS),
            ],
            "unga_votes_t.csv",
        );
        has(&e, Some(9), "`Q` is not a vote");
    }
}

const UNDL: &str = "undl_id,ms_code,ms_name,ms_vote,date,session,resolution,title
3959039,KAZ,KAZAKHSTAN,A,2022-03-02,ES-11,A/RES/ES-11/1,Aggression against Ukraine
3959039,RUS,RUSSIAN FEDERATION,N,2022-03-02,ES-11,A/RES/ES-11/1,Aggression against Ukraine
3959039,UZB,UZBEKISTAN,,2022-03-02,ES-11,A/RES/ES-11/1,Aggression against Ukraine
";

#[test]
fn un_digital_library_layout() {
    let (_d, p) = folder(&[("undl.csv", UNDL)]);
    let (t, l) = load(&file(&p, "undl.csv")).unwrap();
    assert_eq!(l, Layout::UnDigitalLibrary);
    assert_eq!(t.find("A/RES/ES-11/1").len(), 1);
    assert_eq!(t.vote(0, t.state("UZB").unwrap()).letter(), 'X');
    let e = err(&[("undl.csv", &UNDL.replace(",N,", ",Z,"))], "undl.csv");
    has(&e, Some(3), "`Z` is not a vote");
}

#[test]
fn unknown_layouts_and_empty_files() {
    let e = err(&[("x.csv", "a,b,c\n1,2,3\n")], "x.csv");
    has(&e, None, "not recognised");
    let e = err(&[("x.csv", "")], "x.csv");
    has(&e, None, "empty");
    let (_d, p) = folder(&[("readme.txt", "hello")]);
    assert!(load(&p).is_err());
}

#[test]
fn a_conflicting_duplicate_vote_is_an_error_an_identical_one_is_not() {
    // Line 2 is `r1,KAZ,Y`; a second `r1,KAZ,N` at the end (line 26) contradicts it.
    let conflicting = format!("{VOTES}r1,KAZ,N\n");
    let line = conflicting.lines().count();
    let e = err(
        &[
            ("unga_votes_t.csv", &conflicting),
            ("unga_rollcalls_t.csv", ROLLCALLS),
        ],
        "unga_votes_t.csv",
    );
    has(
        &e,
        Some(line),
        "roll call `r1`, state `KAZ`: voted `N` here but `Y` earlier",
    );
    let (_d, p) = folder(&[
        ("unga_votes_t.csv", &format!("{VOTES}r1,KAZ,Y\n")),
        ("unga_rollcalls_t.csv", ROLLCALLS),
    ]);
    assert!(load(&p).is_ok(), "the same vote twice is harmless");
}

mod property {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        /// Vote rows built from valid and invalid pieces: the file either loads, with every
        /// vote it holds, or every problem is reported with its line; never a panic.
        #[test]
        fn vote_rows_load_or_fail_with_lines(
            rows in prop::collection::vec(
                (
                    prop_oneof![Just("r1"), Just("r2"), Just("r9"), Just("")],
                    prop_oneof![Just("KAZ"), Just("RUS"), Just("USA"), Just("K4Z"), Just("")],
                    prop_oneof![Just("Y"), Just("N"), Just("A"), Just("X"), Just("-"), Just("Q"), Just("")],
                ),
                1..30,
            )
        ) {
            let body: String = rows.iter().map(|(r, s, v)| format!("{r},{s},{v}\n")).collect();
            let text = format!("rollcall_id,iso3,vote\n{body}");
            let (_d, p) = folder(&[("unga_votes_t.csv", &text), ("unga_rollcalls_t.csv", ROLLCALLS)]);
            match load(&p) {
                Ok((table, _)) => {
                    for (r, s, v) in &rows {
                        let ri = table.rollcalls.iter().position(|rc| rc.id == *r);
                        let (Some(ri), Some(si)) = (ri, table.state(s)) else { continue };
                        prop_assert_eq!(table.vote(ri, si).letter().to_string(), v.to_string());
                    }
                }
                Err(e) => {
                    prop_assert!(!e.0.is_empty());
                    let lines = text.lines().count();
                    for x in &e.0 {
                        prop_assert!(x.line.is_some_and(|l| (2..=lines).contains(&l)), "{x}");
                    }
                }
            }
        }
    }
}
