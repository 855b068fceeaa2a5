//! Fuzzing by property: no input, however broken, makes a parser panic.

use multivector_scenario::{Format, builtin, load_str, parse_bdm_csv, parse_ktab_csv, parse_toml};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        let _ = multivector_scenario::population::parse("p.toml", &text);
        let _ = multivector_scenario::population::parse_edge_list("e.txt", &text);
        let _ = parse_toml("f.toml", &text);
        let _ = parse_bdm_csv("f.csv", &text);
        let _ = parse_ktab_csv("f.csv", &text);
    }

    #[test]
    fn csv_like_text_never_panics(rows in prop::collection::vec("[A-Za-z0-9 .,;\"\r\n-]{0,40}", 0..8)) {
        let text = rows.join("\n");
        let _ = parse_bdm_csv("f.csv", &format!("Actor,Capability,Position,Salience\n{text}"));
        let _ = parse_ktab_csv("f.csv", &format!("n,d,2,1\nActor,Description,P,X,S\n{text}"));
    }

    /// Single-character edits of the Kazakhstan population file never panic; errors are
    /// located.
    #[test]
    fn edits_of_the_population_file_never_panic(pos in 0usize..9000, ch in any::<char>()) {
        let base = multivector_scenario::population::KAZAKHSTAN;
        let mut cut = pos.min(base.len());
        while !base.is_char_boundary(cut) {
            cut -= 1;
        }
        let text = format!("{}{ch}{}", &base[..cut], &base[cut..]);
        if let Err(errs) = multivector_scenario::population::parse("p.toml", &text) {
            prop_assert!(!errs.errors().is_empty());
            prop_assert!(errs.errors().iter().all(|e| e.hint.is_some()));
        }
    }

    /// Single-character edits of a valid scenario: either it still loads or it reports
    /// located errors; never a panic.
    #[test]
    fn edits_of_a_valid_scenario_never_panic(pos in 0usize..6000, ch in any::<char>(), delete in any::<bool>()) {
        let base = builtin::EC_EMISSIONS;
        let mut cut = pos.min(base.len());
        while !base.is_char_boundary(cut) {
            cut -= 1;
        }
        let mut text = base[..cut].to_string();
        if !delete {
            text.push(ch);
        }
        let rest = &base[cut..];
        let skip = rest.chars().next().map_or(0, char::len_utf8);
        text.push_str(&rest[if delete { skip } else { 0 }..]);
        if let Err(errs) = load_str("e.toml", &text, Format::Toml) {
            for e in errs.errors() {
                prop_assert!(e.location.line.is_some() || e.message.contains("empty"), "{e}");
            }
        }
    }
}

/// A valid-looking scenario with the given numbers: two or three actors on one issue.
fn extreme_scenario(scale: (f64, f64), caps: &[f64], pos: &[f64], sal: &[f64]) -> String {
    let mut t = format!(
        "format_version = 1\n[scenario]\nid = \"x\"\nname = \"X\"\nsalience_scale = \"0-1\"\n\
         [[issues]]\nid = \"q\"\nquestion = \"?\"\n\
         scale = {{ min = {:e}, max = {:e}, low = \"a\", high = \"b\" }}\n",
        scale.0, scale.1
    );
    for (k, c) in caps.iter().enumerate() {
        t.push_str(&format!(
            "[[actors]]\nid = \"A{k}\"\nkind = \"state\"\ncapability = {c:e}\n"
        ));
    }
    for k in 0..caps.len() {
        t.push_str(&format!(
            "[[stances]]\nactor = \"A{k}\"\nissue = \"q\"\nposition = {:e}\nsalience = {:e}\nassumption = \"t\"\n",
            pos[k], sal[k]
        ));
    }
    t
}

fn extreme() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(1e-300),
        Just(1e-15),
        Just(1.0),
        Just(1e15),
        Just(1e16),
        Just(1e308),
        -1e15..1e15f64,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Scenarios built from extreme numbers either load and give finite forecasts from every
    /// model, or are refused with located errors; never a panic, a hang or a non-finite
    /// number.
    #[test]
    fn extreme_numbers_give_located_errors_or_finite_forecasts(
        scale in prop_oneof![
            Just((0.0, 100.0)),
            Just((-1e15, 1e15)),
            Just((0.0, 1e-6)),
            Just((0.0, 1e16)),
            Just((-1e308, 1e308)),
        ],
        caps in prop::collection::vec(extreme(), 2..4),
        unit_pos in prop::collection::vec(0.0..=1.0f64, 4),
        sal in prop::collection::vec(prop_oneof![Just(0.0), Just(1e-12), Just(0.5), Just(1.0)], 4),
    ) {
        let n = caps.len();
        let pos: Vec<f64> = unit_pos[..n]
            .iter()
            .map(|u| if scale.1 - scale.0 < f64::MAX { scale.0 + u * (scale.1 - scale.0) } else { 0.0 })
            .collect();
        let text = extreme_scenario(scale, &caps, &pos, &sal[..n]);
        match load_str("x.toml", &text, Format::Toml) {
            Err(errs) => {
                for e in errs.errors() {
                    prop_assert!(e.location.line.is_some(), "{e}");
                    prop_assert!(e.hint.is_some(), "{e}");
                }
            }
            Ok(loaded) => {
                use multivector_core::Forecaster;
                let s = loaded.scenario;
                let Ok(input) = s.issue_input(0) else {
                    // No weight at all: a typed error, already tested elsewhere.
                    return Ok(());
                };
                let bdm = multivector_models::bdm::Bdm::new(multivector_models::bdm::BdmOptions::preset(
                    multivector_models::bdm::Preset::Scholz,
                ));
                let models: [&dyn Forecaster; 4] = [
                    &multivector_models::baselines::WeightedMean,
                    &multivector_models::baselines::WeightedMedian,
                    &bdm,
                    &multivector_models::smp::Smp::default(),
                ];
                for m in models {
                    if let Ok(f) = m.forecast(&input) {
                        prop_assert!(f.value.is_finite(), "{}: {} on {text}", m.name(), f.value);
                    }
                }
            }
        }
    }
}

#[test]
fn files_over_the_size_limit_are_refused_before_reading() {
    let dir = std::env::temp_dir().join(format!("mv-limit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.toml");
    std::fs::write(&path, vec![b'#'; 2048]).unwrap();
    assert_eq!(
        multivector_scenario::read_limited(&path, 2048)
            .unwrap()
            .len(),
        2048
    );
    let e = multivector_scenario::read_limited(&path, 2047).unwrap_err();
    assert!(e.to_string().contains("larger than"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// The Kazakhstan population with numbers pushed to extremes (outlet volumes and
    /// positions, homophily, mean degree, a group's census share and start): either every
    /// problem is reported with a line, or a short run gives finite poll toplines and group
    /// means.
    #[test]
    fn extreme_population_numbers_give_located_errors_or_finite_runs(
        volume in prop_oneof![Just(-1.0), Just(0.0), Just(1e-300), Just(1e15), Just(f64::NAN), 0.0..5.0f64],
        position in prop_oneof![Just(-0.5), Just(0.0), Just(1.0), Just(1.55), 0.0..1.0f64],
        homophily in prop_oneof![Just(-1.0), Just(0.0), Just(1.0), Just(2.0), 0.0..1.0f64],
        degree in prop_oneof![Just(-10.0), Just(0.0), Just(1e-9), Just(1e6), 1.0..30.0f64],
        start in prop_oneof![Just(0.0), Just(1.0), Just(1.35), 0.0..1.0f64],
    ) {
        let base = multivector_scenario::population::KAZAKHSTAN;
        let text = base
            .replacen("volume = 1.0", &format!("volume = {volume:?}").replace("NaN", "nan"), 1)
            .replacen("position = [0.05]", &format!("position = [{position:?}]"), 1)
            .replacen("homophily = 0.6", &format!("homophily = {homophily:?}"), 1)
            .replacen("mean_degree = 10", &format!("mean_degree = {degree:?}"), 1)
            .replacen("start = [0.35]", &format!("start = [{start:?}]"), 1);
        match multivector_scenario::population::parse("p.toml", &text) {
            Err(errs) => {
                for e in errs.errors() {
                    prop_assert!(e.location.line.is_some(), "{e}");
                }
            }
            Ok(spec) => {
                let a = spec.run(300, 12, 1).map_err(|e| TestCaseError::fail(e.to_string()))?;
                for v in a.toplines.iter().flatten().chain(a.means.iter().flatten().flatten()) {
                    prop_assert!(v.is_finite(), "{v} with {text}");
                }
            }
        }
    }
}
