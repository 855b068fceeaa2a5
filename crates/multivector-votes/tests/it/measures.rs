//! Every measure against hand calculations, and the identities between them.

use multivector_votes::{
    Partner, Period, Selection, Tally, Vote, align, equidistance_series, load, lookup, splits,
};
use proptest::prelude::*;

use crate::{ROLLCALLS, VOTES, file, folder};

fn table() -> (tempfile::TempDir, multivector_votes::VoteTable) {
    let (d, p) = folder(&[
        ("unga_votes_t.csv", VOTES),
        ("unga_rollcalls_t.csv", ROLLCALLS),
    ]);
    let (t, _) = load(&file(&p, "unga_votes_t.csv")).unwrap();
    (d, t)
}

#[test]
fn kaz_against_russia_by_year_by_hand() {
    let (_d, t) = table();
    let kaz = t.state("KAZ").unwrap();
    let rus = Partner::State {
        code: "RUS".into(),
        index: t.state("RUS").unwrap(),
    };
    let rows = align(&t, kaz, &[rus], Period::Year, &Selection::default());
    // 2021: (Y,Y) same, (A,N) half. agreement 1/2, half (1 + 0.5)/2 = 0.75, S = 0.5.
    let d = rows[0].dyad.unwrap();
    assert_eq!((rows[0].period, d.joint), (2021, 2));
    assert_eq!((d.agreement, d.half_agreement, d.s_score), (0.5, 0.75, 0.5));
    // kappa: KAZ marginals Y 1/2, A 1/2; RUS Y 1/2, N 1/2; p_e = 1/4; (1/2 - 1/4)/(3/4) = 1/3.
    assert!((d.kappa.unwrap() - 1.0 / 3.0).abs() < 1e-12);
    // 2022: (A,N), (N,N): agreement 1/2, half (0.5 + 1)/2 = 0.75.
    let d = rows[1].dyad.unwrap();
    assert_eq!((d.agreement, d.half_agreement), (0.5, 0.75));
    // KAZ A,N; RUS N,N: p_e = 1/2 * 1 = 1/2 -> kappa = 0.
    assert_eq!(d.kappa, Some(0.0));
}

#[test]
fn absences_are_excluded_and_blocs_take_the_modal_vote() {
    let (_d, t) = table();
    let kaz = t.state("KAZ").unwrap();
    let rows = align(&t, kaz, &[Partner::Eu], Period::All, &Selection::default());
    // EU (DEU, FRA, ITA): r1 N,N,A -> N; r2 Y,A,X -> tie Y/A -> absent; r3 Y,Y,Y -> Y;
    // r4 Y,X,A -> tie -> absent. Joint with KAZ: r1 (Y,N), r3 (A,Y).
    let d = rows[0].dyad.unwrap();
    assert_eq!(d.joint, 2);
    assert_eq!(d.agreement, 0.0);
    assert_eq!(d.half_agreement, (0.0 + 0.5) / 2.0);
    assert_eq!(rows[0].rollcalls, 4);
}

#[test]
fn all_abstain_year_has_no_kappa() {
    let mut t = Tally::default();
    t.add(Vote::Abstain, Vote::Abstain);
    t.add(Vote::Abstain, Vote::Abstain);
    let d = t.dyad().unwrap();
    assert_eq!((d.agreement, d.s_score, d.kappa), (1.0, 1.0, None));
    assert_eq!(Tally::default().dyad(), None, "no joint vote, no measure");
}

#[test]
fn selection_by_years_and_equidistance() {
    let (_d, t) = table();
    let kaz = t.state("KAZ").unwrap();
    let p = |c: &str| Partner::State {
        code: c.into(),
        index: t.state(c).unwrap(),
    };
    let sel = Selection {
        from: Some(2022),
        to: Some(2022),
        flag: None,
        topic: None,
    };
    let rows = align(&t, kaz, &[p("RUS"), p("USA")], Period::Year, &sel);
    assert_eq!(rows.len(), 2);
    // 2022: agreement with RUS 1/2, with USA 0 -> disagreements 0.5 and 1 -> E = 0.5.
    assert_eq!(equidistance_series(&rows), vec![(2022, Some(0.5))]);
    let s = splits(&t, kaz, &p("RUS"), &Selection::default());
    let labels: Vec<&str> = s.iter().map(|x| x.label.as_deref().unwrap()).collect();
    assert_eq!(labels, ["A/RES/2", "A/RES/ES-11/1"]);
}

#[test]
fn sessions_start_in_september() {
    let (_d, t) = table();
    let kaz = t.state("KAZ").unwrap();
    let rows = align(
        &t,
        kaz,
        &[Partner::State {
            code: "RUS".into(),
            index: t.state("RUS").unwrap(),
        }],
        Period::Session,
        &Selection::default(),
    );
    let periods: Vec<i32> = rows.iter().map(|r| r.period).collect();
    // 2021-03 is session 75; 2021-10 and 2022 spring are session 76.
    assert_eq!(periods, [75, 76]);
}

#[test]
fn lookup_gives_every_vote_and_totals() {
    let (_d, t) = table();
    let l = &lookup(&t, "a/res/es-11/1")[0];
    assert_eq!((l.yes, l.no, l.abstain, l.absent), (4, 1, 1, 0));
    assert!(l.votes.contains(&("KAZ".into(), 'A')));
}

fn vote() -> impl Strategy<Value = Vote> {
    prop_oneof![
        Just(Vote::Yes),
        Just(Vote::No),
        Just(Vote::Abstain),
        Just(Vote::Absent),
        Just(Vote::NonMember)
    ]
}

proptest! {
    /// On the three-point scale: S = 2h - 1, agreement <= h, all in range, kappa <= 1.
    #[test]
    fn identities_hold(pairs in prop::collection::vec((vote(), vote()), 0..60)) {
        let mut t = Tally::default();
        for (a, b) in &pairs {
            t.add(*a, *b);
        }
        if let Some(d) = t.dyad() {
            prop_assert!((d.s_score - (2.0 * d.half_agreement - 1.0)).abs() < 1e-12);
            prop_assert!(d.agreement <= d.half_agreement + 1e-12);
            prop_assert!((0.0..=1.0).contains(&d.agreement));
            prop_assert!((-1.0..=1.0).contains(&d.s_score));
            if let Some(k) = d.kappa { prop_assert!(k <= 1.0 + 1e-12); }
            let cast = pairs.iter().filter(|(a, b)| a.scale().is_some() && b.scale().is_some()).count();
            prop_assert_eq!(d.joint, cast);
        } else {
            prop_assert!(pairs.iter().all(|(a, b)| a.scale().is_none() || b.scale().is_none()));
        }
    }

    /// Swapping focal and partner leaves every measure unchanged.
    #[test]
    fn measures_are_symmetric(pairs in prop::collection::vec((vote(), vote()), 1..40)) {
        let (mut a, mut b) = (Tally::default(), Tally::default());
        for (x, y) in &pairs {
            a.add(*x, *y);
            b.add(*y, *x);
        }
        prop_assert_eq!(a.dyad(), b.dyad());
    }
}

#[test]
fn a_state_long_gone_is_a_non_member_not_an_absentee() {
    // CSK votes in 1991 and is listed as absent (X) in 2022; ITA is absent in 2022 too but
    // voted months before: only ITA counts as not voting.
    let rollcalls = "rollcall_id,source,date,year,label,title\n\
        r0,t,1991-10-01,1991,A/RES/46/1,Old\n\
        r1,t,2021-10-01,2021,A/RES/76/1,Recent\n\
        r2,t,2022-03-02,2022,A/RES/ES-11/1,Aggression\n";
    let votes = "rollcall_id,iso3,vote\n\
        r0,CSK,Y\nr0,ITA,Y\nr0,KAZ,A\n\
        r1,CSK,X\nr1,ITA,Y\nr1,KAZ,A\n\
        r2,CSK,X\nr2,ITA,X\nr2,KAZ,A\n";
    let (_d, p) = folder(&[
        ("unga_votes_t.csv", votes),
        ("unga_rollcalls_t.csv", rollcalls),
    ]);
    let (t, _) = load(&file(&p, "unga_votes_t.csv")).unwrap();
    let l = &lookup(&t, "A/RES/ES-11/1")[0];
    assert_eq!((l.abstain, l.absent, l.non_member), (1, 1, 1));
    assert!(l.votes.contains(&("CSK".to_string(), '-')));
    assert!(l.votes.contains(&("ITA".to_string(), 'X')));
    let csk = t.state("CSK").unwrap();
    assert!(t.is_member(0, csk) && !t.is_member(2, csk));
}

#[test]
fn the_ukraine_topic_partial_years_and_membership_by_hand() {
    use multivector_votes::{RollCall, Topic};
    let rc = |label: &str, title: &str| RollCall {
        id: "x".into(),
        date: "2022-01-01".into(),
        year: 2022,
        session: 76,
        label: Some(label.into()),
        title: Some(title.into()),
        flags: Vec::new(),
    };
    let u = Topic::Ukraine;
    assert!(u.matches(&rc("A/RES/ES-11/4", "Territorial integrity")));
    assert!(u.matches(&rc("R/68/262", "")), "2014 by symbol, no title");
    assert!(u.matches(&rc(
        "A/RES/77/229",
        "Situation of human rights in ... Crimea"
    )));
    assert!(u.matches(&rc(
        "A/RES/78/316",
        "Safety and security of nuclear facilities of Ukraine"
    )));
    assert!(!u.matches(&rc("A/RES/ES-10/1", "Illegal Israeli actions")));
    assert!(
        !u.matches(&rc("A/RES/68/26", "")),
        "a prefix of a listed symbol is not it"
    );
    assert_eq!(Topic::parse(" Ukraine "), Some(Topic::Ukraine));
    assert_eq!(Topic::parse("crimea"), None);

    // The hand table: 2021 from March to October, 2022 from March to April only. Both years
    // are partial (the data start after January and end before December).
    let (_d, t) = table();
    let kaz = t.state("KAZ").unwrap();
    let rus = Partner::State {
        code: "RUS".into(),
        index: t.state("RUS").unwrap(),
    };
    let sel = Selection {
        topic: Some(Topic::Ukraine),
        ..Selection::default()
    };
    let rows = align(&t, kaz, std::slice::from_ref(&rus), Period::Year, &sel);
    assert_eq!(rows.len(), 1, "only 2022 holds Ukraine roll calls");
    assert_eq!((rows[0].period, rows[0].rollcalls), (2022, 2));
    assert!(rows[0].partial);
    assert_eq!(rows[0].focal_not_member, 0);
}
