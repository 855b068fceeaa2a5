//! Ensembles against closed forms, and determinism across thread counts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use multivector_core::Scenario;
use multivector_ensemble::{Model, perturb, perturb_into, run, summarise};
use multivector_models::baselines::{WeightedMean, WeightedMedian};
use multivector_models::bdm::{Bdm, BdmOptions, Preset};
use multivector_scenario::{Format, builtin, load_str};

/// Two actors with weights 1 and 3 (capability 1 and 3, salience 1); A's position is
/// Normal(40, 8) on a 0-100 scale (truncation is beyond five standard deviations).
const TWO: &str = r#"format_version = 1
[scenario]
id = "two"
name = "Two"
salience_scale = "0-1"
[[actors]]
id = "A"
kind = "state"
capability = 1
[[actors]]
id = "B"
kind = "state"
capability = 3
[[issues]]
id = "q"
question = "?"
scale = { low = "0", high = "100" }
thresholds = [{ value = 55, direction = "above", label = "above 55" }]
[[stances]]
actor = "A"
issue = "q"
position = 40
salience = 1
uncertainty = { position = { sd = 8 } }
assumption = "test"
[[stances]]
actor = "B"
issue = "q"
position = 60
salience = 1
assumption = "test"
"#;

/// Three actors on two issues that form one space, every position uncertain.
fn space_scenario() -> Scenario {
    let mut t = String::from(
        "format_version = 1\n[scenario]\nid = \"space\"\nname = \"Space\"\n\
         salience_scale = \"0-1\"\n\
         [[spaces]]\nid = \"both\"\nquestion = \"?\"\ndimensions = [\"q\", \"r\"]\n",
    );
    for (id, capability) in [("A", 1), ("B", 3), ("C", 2)] {
        t += &format!("[[actors]]\nid = \"{id}\"\nkind = \"state\"\ncapability = {capability}\n");
    }
    for id in ["q", "r"] {
        t += &format!(
            "[[issues]]\nid = \"{id}\"\nquestion = \"?\"\nscale = {{ low = \"0\", high = \"100\" }}\n"
        );
    }
    for (actor, issue, position, salience) in [
        ("A", "q", 20, 0.6),
        ("B", "q", 70, 0.3),
        ("C", "q", 45, 0.5),
        ("A", "r", 80, 0.4),
        ("B", "r", 10, 0.7),
        ("C", "r", 50, 0.5),
    ] {
        t += &format!(
            "[[stances]]\nactor = \"{actor}\"\nissue = \"{issue}\"\nposition = {position}\n\
             salience = {salience}\nuncertainty = {{ position = {{ sd = 10 }} }}\n"
        );
    }
    scenario(&t)
}

fn scenario(text: &str) -> Scenario {
    load_str("t.toml", text, Format::Toml).unwrap().scenario
}

fn models() -> Vec<Model> {
    vec![
        (
            "bdm-scholz".into(),
            Box::new(Bdm::new(BdmOptions::preset(Preset::Scholz))),
        ),
        ("mean".into(), Box::new(WeightedMean)),
        ("median".into(), Box::new(WeightedMedian)),
    ]
}

/// Standard normal quantiles.
const Z10: f64 = -1.281_551_565_5;
const Z025: f64 = -1.959_963_985;

#[test]
fn mean_model_forecast_follows_the_closed_form() {
    // mean = (1 * X + 3 * 60) / 4 with X ~ N(40, 8): N(55, 2).
    let s = scenario(TWO);
    let e = run(&s, &models(), 20_000, 11, &|_| {}).unwrap();
    let (sum, _) = summarise(&s, &e);
    let m = sum.iter().find(|x| x.model == "mean").unwrap();
    let tol = 0.05; // Monte Carlo error of a quantile at 20,000 draws is about 0.03 here.
    assert!((m.forecast.median - 55.0).abs() < tol, "{:?}", m.forecast);
    assert!(
        (m.forecast.p10 - (55.0 + 2.0 * Z10)).abs() < tol,
        "{:?}",
        m.forecast
    );
    assert!(
        (m.forecast.p90 - (55.0 - 2.0 * Z10)).abs() < tol,
        "{:?}",
        m.forecast
    );
    assert!(
        (m.forecast.p025 - (55.0 + 2.0 * Z025)).abs() < 2.0 * tol,
        "{:?}",
        m.forecast
    );
    // P(mean > 55) = 1/2.
    assert!(
        (m.thresholds[0].1 - 0.5).abs() < 0.015,
        "{:?}",
        m.thresholds
    );
    // The median model sits on B (weight 3 of 4) whatever A does.
    let md = sum.iter().find(|x| x.model == "median").unwrap();
    assert_eq!((md.forecast.p025, md.forecast.p975), (60.0, 60.0));
}

#[test]
fn no_declared_uncertainty_gives_zero_width() {
    let s = scenario(&TWO.replace("uncertainty = { position = { sd = 8 } }\n", ""));
    let e = run(&s, &models(), 50, 1, &|_| {}).unwrap();
    let (sum, _) = summarise(&s, &e);
    for x in &sum {
        assert_eq!(x.forecast.p025, x.forecast.p975, "{}", x.model);
    }
}

#[test]
fn one_and_two_threads_give_identical_bits() {
    let s = builtin::load("kazakhstan").unwrap().unwrap().scenario;
    let go = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| run(&s, &models(), 64, 5, &|_| {}).unwrap())
    };
    let (a, b) = (go(1), go(2));
    assert_eq!(a.forecasts.len(), 64 * 11 * 3);
    assert!(
        a.forecasts
            .iter()
            .zip(&b.forecasts)
            .all(|(x, y)| x.to_bits() == y.to_bits())
    );
    assert!(
        a.equidistance
            .iter()
            .zip(&b.equidistance)
            .all(|(x, y)| x.to_bits() == y.to_bits())
    );
    let c = run(&s, &models(), 64, 6, &|_| {}).unwrap();
    assert_ne!(a.forecasts, c.forecasts, "another seed, other draws");
}

/// A draw into a copy that holds an earlier draw (as each thread of an ensemble keeps one)
/// equals the draw into a fresh copy: no stance keeps a value from the earlier draw.
#[test]
fn a_draw_into_a_reused_copy_equals_a_fresh_draw() {
    use rand::SeedableRng;
    let stream = |k| rand_chacha::ChaCha8Rng::seed_from_u64(k);
    for s in [
        builtin::load("kazakhstan").unwrap().unwrap().scenario,
        scenario(TWO),
    ] {
        let mut reused = perturb(&s, &mut stream(1));
        perturb_into(&s, &mut stream(2), &mut reused);
        let fresh = perturb(&s, &mut stream(2));
        assert_eq!(reused.stances, fresh.stances);
        assert_ne!(fresh.stances, perturb(&s, &mut stream(1)).stances);
    }
}

/// Forecasts without paths (what a draw beyond the kept paths asks for) give every model's
/// values and notes bit for bit, on drawn inputs of the built-in scenario, with and without
/// a two-dimensional space.
#[test]
fn forecasts_without_paths_give_the_same_values() {
    use multivector_core::SpaceInputs;
    use multivector_models::smp::Smp;
    use rand::SeedableRng;
    let s = builtin::load("kazakhstan").unwrap().unwrap().scenario;
    let space = space_scenario();
    assert_eq!(space.bargaining_spaces()[0].1, vec![0, 1]);
    let mut all = models();
    all.push(("smp".into(), Box::new(Smp::default())));
    for k in 0..8 {
        let s = if k % 2 == 0 { &s } else { &space };
        let drawn = perturb(s, &mut rand_chacha::ChaCha8Rng::seed_from_u64(k));
        let inputs = SpaceInputs::of(&drawn).unwrap();
        for (name, m) in &all {
            let (with, without) = (
                inputs.forecast(m.as_ref()).unwrap(),
                inputs.forecast_values(m.as_ref()).unwrap(),
            );
            for (a, b) in with.iter().zip(&without) {
                assert_eq!(a.value.to_bits(), b.value.to_bits(), "{name}, draw {k}");
                assert_eq!((&a.note, a.rounds), (&b.note, b.rounds), "{name}");
            }
            if name == "smp" {
                assert!(without.iter().all(|f| f.path.is_none()));
                assert!(with.iter().all(|f| f.path.is_some()));
            }
        }
    }
}

#[test]
fn sensitivity_ranks_a_dominant_input_first() {
    // A's position spans 40 +- 16 with weight 1/4 of the mean: a swing of 8. B's spans
    // 60 +- 2 with weight 3/4: a swing of 3. Both are linear, so Morris's mu* equals the swing.
    let text = TWO.replace(
        "position = 60\nsalience = 1\n",
        "position = 60\nsalience = 1\nuncertainty = { position = { sd = 1 } }\n",
    );
    let s = scenario(&text);
    let rows = multivector_ensemble::sensitivity::analyse(&s, 0, &WeightedMean, 20, 3).unwrap();
    assert_eq!(rows[0].input.actor, "A");
    assert!((rows[0].swing - 8.0).abs() < 1e-9 && (rows[0].mu_star - 8.0).abs() < 1e-9);
    assert!((rows[1].swing - 3.0).abs() < 1e-9 && (rows[1].mu_star - 3.0).abs() < 1e-9);
    assert!(
        rows[0].sigma < 1e-9,
        "a linear model has no spread of effects"
    );
    let again = multivector_ensemble::sensitivity::analyse(&s, 0, &WeightedMean, 20, 3).unwrap();
    assert_eq!(rows, again);
}

#[test]
fn sensitivity_is_the_same_on_one_thread_and_on_four() {
    // Inputs and trajectories run in parallel and are gathered in order: the spatial model's
    // screening of the built-in scenario's recognition issue gives the same bits.
    let s = builtin::load("kazakhstan").unwrap().unwrap().scenario;
    let k = s.issue_index("recognition").unwrap();
    let go = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                multivector_ensemble::sensitivity::analyse(
                    &s,
                    k,
                    &multivector_models::smp::Smp::default(),
                    12,
                    7,
                )
                .unwrap()
            })
    };
    let (one, four) = (go(1), go(4));
    assert!(one.len() > 10);
    assert_eq!(one, four);
}

#[test]
fn a_variant_capability_survives_a_drawn_capability() {
    // B's capability is uncertain, so every draw writes a drawn capability on B's stance. A
    // variant that sets B's capability to 1 must still count in every draw: with weights 1
    // and 1 the mean sits halfway between A's drawn position and 60, so each draw's
    // difference is (A + 60)/2 - (A + 3*60)/4 = (A - 60)/4 with B's capability at its stated
    // 3 (and near it when drawn). (Regression: the drawn capability used to override the
    // variant's, and every difference was 0.)
    let text = TWO.replace(
        "position = 60\nsalience = 1\n",
        "position = 60\nsalience = 1\nuncertainty = { capability = { sd = 0.1 } }\n",
    ) + r#"
[[variants]]
name = "equal"
description = "B as strong as A"
assumption = "test"
changes = [{ actor = "B", capability = 1 }]
"#;
    let s = scenario(&text);
    let v = s.variant("equal").unwrap();
    let m = vec![("mean".to_string(), Box::new(WeightedMean) as _)];
    let base = run(&s, &m, 200, 5, &|_| {}).unwrap();
    let var = multivector_ensemble::run_variant(&s, Some(v), &m, 200, 5, &|_| {}).unwrap();
    let d: Vec<f64> = base
        .series(0, 0)
        .iter()
        .zip(var.series(0, 0))
        .map(|(a, b)| b - a)
        .collect();
    assert!(d.iter().all(|&x| x != 0.0), "{d:?}");
    // E[(A - 60)/4] = (40 - 60)/4 = -5; the sd of a draw is about 8/4 = 2, of the mean of 200
    // draws 0.14 (B's capability spread of 0.1 moves it far less).
    let mean = d.iter().sum::<f64>() / d.len() as f64;
    assert!((mean + 5.0).abs() < 0.5, "{mean}");
    // The variant's draws are the draws of the varied scenario: its value is the centre of
    // the declared spread, drawn from the same random numbers.
    let direct = run(&s.apply(v), &m, 200, 5, &|_| {}).unwrap();
    assert_eq!(var.forecasts, direct.forecasts);
}

/// Parts drawn separately (as on a cluster's workers) join into the ensemble drawn at once,
/// bit for bit, whatever order they arrive in; gaps, overlaps and foreign parts are refused.
#[test]
fn parts_join_into_the_whole_ensemble() {
    use multivector_ensemble::{Ensemble, run_range};
    let s = builtin::load("kazakhstan").unwrap().unwrap().scenario;
    let m = models();
    let whole = run(&s, &m, 50, 11, &|_| {}).unwrap();
    let part = |r: std::ops::Range<usize>, seed| run_range(&s, None, &m, r, seed, &|_| {}).unwrap();
    let joined = Ensemble::concat(vec![part(30..50, 11), part(0..7, 11), part(7..30, 11)]).unwrap();
    assert_eq!(joined, whole);
    assert!(Ensemble::concat(vec![part(0..7, 11), part(8..50, 11)]).is_err());
    assert!(Ensemble::concat(vec![part(0..7, 11), part(5..50, 11)]).is_err());
    assert!(Ensemble::concat(vec![part(0..7, 11), part(7..50, 12)]).is_err());
    assert!(Ensemble::concat(Vec::new()).is_err());
}

/// A variant's value is the new centre of a range or a triangle, as of a normal: raising B's
/// salience, declared as a range, raises B's weight in every draw (before, the range ignored
/// the variant and every per-draw difference was 0).
#[test]
fn a_variant_moves_a_ranged_spread_with_its_value() {
    use multivector_ensemble::run_variant;
    let text = TWO.replace(
        "position = 60\nsalience = 1\nassumption",
        "position = 60\nsalience = 0.4\nuncertainty = { salience = { range = [0.2, 0.6] } }\nassumption",
    ) + "[[variants]]\nname = \"b-cares\"\ndescription = \"B cares more\"\nchanges = [{ actor = \"B\", issue = \"q\", salience = 0.6 }]\n";
    let s = scenario(&text);
    let st = &s.apply(&s.variants[0]).stances[1];
    let Some(multivector_core::Spread::Uniform { low, high }) = st.uncertainty.salience else {
        panic!("still a range: {:?}", st.uncertainty.salience);
    };
    // Moved by +0.2 (0.6 - 0.4), width kept.
    assert!(
        (low - 0.4).abs() < 1e-12 && (high - 0.8).abs() < 1e-12,
        "{low} {high}"
    );
    let m: Vec<Model> = vec![("mean".into(), Box::new(WeightedMean))];
    let base = run_variant(&s, None, &m, 200, 3, &|_| {}).unwrap();
    let var = run_variant(&s, Some(&s.variants[0]), &m, 200, 3, &|_| {}).unwrap();
    // B (at 60) weighs more in every draw, so the mean moves up in every draw.
    for (b, v) in base.series(0, 0).iter().zip(var.series(0, 0)) {
        assert!(v > *b, "{b} -> {v}");
    }
}

/// The paths over rounds are kept for the first `PATH_DRAWS` draws only, and parts split
/// across that boundary join into the whole ensemble's paths.
#[test]
fn paths_are_kept_for_the_first_draws_and_join_across_parts() {
    use multivector_ensemble::{Ensemble, PATH_DRAWS, run_range};
    let s = load_str("two.toml", TWO, Format::Toml).unwrap().scenario;
    let m: Vec<Model> = vec![
        (
            "bdm".into(),
            Box::new(Bdm::new(BdmOptions::preset(Preset::Scholz))),
        ),
        ("mean".into(), Box::new(WeightedMean)),
    ];
    let n = PATH_DRAWS + 30;
    let whole = run(&s, &m, n, 3, &|_| {}).unwrap();
    // One issue, two models: a path per kept draw and model, empty for the mean.
    assert_eq!(whole.paths.len(), PATH_DRAWS * 2);
    assert!(whole.paths.iter().step_by(2).all(|p| p.len() >= 2));
    assert!(whole.paths.iter().skip(1).step_by(2).all(Vec::is_empty));
    // A path ends at its draw's forecast when the run does not cycle (two actors: it settles).
    for d in 0..20 {
        let p = &whole.paths[d * 2];
        assert_eq!(p.last().copied(), Some(whole.forecasts[d * 2]), "draw {d}");
    }
    let part = |r: std::ops::Range<usize>| run_range(&s, None, &m, r, 3, &|_| {}).unwrap();
    let joined =
        Ensemble::concat(vec![part(PATH_DRAWS - 10..n), part(0..PATH_DRAWS - 10)]).unwrap();
    // (Compared field by field: without a focal actor the equidistance is NaN, never equal.)
    assert!(joined.paths == whole.paths, "paths differ");
    assert!(joined.forecasts == whole.forecasts, "forecasts differ");
    assert_eq!((joined.first, joined.draws), (whole.first, whole.draws));
    assert!(part(PATH_DRAWS..n).paths.is_empty());
}

/// The fan over rounds by hand: three kept paths of different lengths; a path that stopped
/// stays at its last value.
#[test]
fn fan_quantiles_by_hand() {
    use multivector_ensemble::Ensemble;
    let e = Ensemble {
        master_seed: 0,
        first: 0,
        draws: 3,
        issues: 1,
        models: vec!["m".into()],
        forecasts: vec![0.0; 3],
        equidistance: vec![f64::NAN; 3],
        paths: vec![
            vec![0.0, 10.0],
            vec![0.0, 20.0, 30.0],
            vec![6.0, 40.0, 50.0, 60.0],
        ],
    };
    let fan = e.fan(0, 0);
    assert_eq!(fan.len(), 4);
    // Round 0: {0, 0, 6}: median 0; p90 by R's type 7: 0 + 0.8 * (6 - 0) = 4.8.
    assert_eq!(fan[0].median, 0.0);
    assert!((fan[0].p90 - 4.8).abs() < 1e-12);
    // Round 3: {10 (stopped), 30 (stopped), 60}: median 30, p10 = 10 + 0.2 * 20 = 14.
    assert_eq!(fan[3].median, 30.0);
    assert!((fan[3].p10 - 14.0).abs() < 1e-12);
    let none = Ensemble {
        paths: vec![Vec::new(); 3],
        ..e
    };
    assert!(none.fan(0, 0).is_empty());
}
