//! Reference tests of the opinion models (`specs/opinion.md`): conservation, cluster counts,
//! consensus thresholds, the Friedkin-Johnsen closed form, the voter model's exit
//! probability, media pulls, determinism and isolated agents.

use multivector_models::opinion::dynamics::{self, Context, Peer};
use multivector_models::opinion::graph::Graph;
use multivector_models::opinion::media::{Media, MediaForm, Outlet, Series};
use multivector_models::opinion::{OpinionModel, Population, simulate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn uniform(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.random::<f64>()).collect()
}

fn one_group(x: Vec<f64>) -> Population {
    let n = x.len();
    Population::uniform_groups(vec![0; n], 1, &[x])
}

/// Clusters of the final opinions: runs separated by gaps above 0.02, counting those that
/// hold at least 2% of the agents.
fn major_clusters(x: &[f64]) -> usize {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    let mut sizes = vec![1usize];
    for w in v.windows(2) {
        if w[1] - w[0] > 0.02 {
            sizes.push(1);
        } else {
            *sizes.last_mut().unwrap() += 1;
        }
    }
    sizes.iter().filter(|&&s| s * 50 >= x.len()).count()
}

#[test]
fn deffuant_conserves_the_sum() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let g = Graph::erdos_renyi(2_000, 8.0, &mut rng).unwrap();
    let mut pop = one_group(uniform(2_000, 2));
    let before: f64 = pop.opinion[0].iter().sum();
    let model = OpinionModel {
        peer: Peer::Deffuant { eps: 0.3, mu: 0.4 },
        media: None,
    };
    simulate(&model, &mut pop, &g, 50, 3).unwrap();
    let after: f64 = pop.opinion[0].iter().sum();
    assert!((before - after).abs() < 1e-9, "{before} vs {after}");
}

/// On a complete graph the number of major clusters is about floor(1 / (2 eps)); eps >= 0.5
/// gives consensus.
#[test]
fn deffuant_clusters_on_a_complete_graph() {
    let g = Graph::complete(500);
    for (eps, expect) in [(0.5, 1usize), (0.25, 2), (0.15, 3)] {
        let mut pop = one_group(uniform(500, 4));
        let model = OpinionModel {
            peer: Peer::Deffuant { eps, mu: 0.5 },
            media: None,
        };
        simulate(&model, &mut pop, &g, 600, 5).unwrap();
        let c = major_clusters(&pop.opinion[0]);
        assert_eq!(c, expect, "eps {eps}: {c} clusters");
    }
}

/// Above the consensus threshold (about 0.2 for uniform starts) a complete graph agrees; in
/// the first sweep every agent moves (all update from the old vector).
#[test]
fn hegselmann_krause_consensus_and_synchronous_update() {
    let g = Graph::complete(400);
    let start = uniform(400, 6);
    let mut pop = one_group(start.clone());
    let model = OpinionModel {
        peer: Peer::HegselmannKrause { eps: 0.3 },
        media: None,
    };
    simulate(&model, &mut pop, &g, 1, 7).unwrap();
    let moved = pop.opinion[0]
        .iter()
        .zip(&start)
        .filter(|(a, b)| (*a - *b).abs() > 1e-12)
        .count();
    assert!(moved >= 398, "{moved} of 400 moved");
    simulate(&model, &mut pop, &g, 40, 7).unwrap();
    assert_eq!(major_clusters(&pop.opinion[0]), 1);
    let x = &pop.opinion[0];
    let spread =
        x.iter().cloned().fold(f64::MIN, f64::max) - x.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread < 1e-9, "{spread}");
    // Below the threshold several clusters remain.
    let mut pop = one_group(start);
    let model = OpinionModel {
        peer: Peer::HegselmannKrause { eps: 0.08 },
        media: None,
    };
    simulate(&model, &mut pop, &g, 60, 7).unwrap();
    assert!(major_clusters(&pop.opinion[0]) >= 3);
}

/// Dense Gaussian elimination with partial pivoting: the independent reference for the
/// Friedkin-Johnsen equilibrium.
fn solve_dense(mut a: Vec<f64>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i * n + c].abs().total_cmp(&a[j * n + c].abs()))
            .unwrap();
        for k in 0..n {
            a.swap(c * n + k, p * n + k);
        }
        b.swap(c, p);
        for r in (c + 1)..n {
            let f = a[r * n + c] / a[c * n + c];
            for k in c..n {
                a[r * n + k] -= f * a[c * n + k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = ((r + 1)..n).map(|k| a[r * n + k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r * n + r];
    }
    x
}

#[test]
fn friedkin_johnsen_iteration_meets_the_closed_form() {
    let n = 60;
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let g = Graph::erdos_renyi(n, 5.0, &mut rng).unwrap();
    // Three groups with their susceptibilities.
    let groups: Vec<u16> = (0..n).map(|i| (i % 3) as u16).collect();
    let lam = [0.2, 0.6, 0.9];
    let u = uniform(n, 9);
    // Closed form: (I - Lambda W) x = (I - Lambda) u.
    let mut a = vec![0.0; n * n];
    let mut b = vec![0.0; n];
    for i in 0..n {
        let l = lam[groups[i] as usize];
        a[i * n + i] += 1.0;
        let nb = g.neighbours(i);
        if nb.is_empty() {
            a[i * n + i] -= l;
        } else {
            for &j in nb {
                a[i * n + j as usize] -= l / nb.len() as f64;
            }
        }
        b[i] = (1.0 - l) * u[i];
    }
    let exact = solve_dense(a, b);
    let mut pop = Population::uniform_groups(groups.clone(), 3, std::slice::from_ref(&u));
    let model = OpinionModel {
        peer: Peer::FriedkinJohnsen {
            susceptibility: lam.to_vec(),
        },
        media: None,
    };
    simulate(&model, &mut pop, &g, 400, 1).unwrap();
    for (x, e) in pop.opinion[0].iter().zip(&exact) {
        assert!((x - e).abs() < 1e-9, "iteration {x} vs closed form {e}");
    }
    let lambda: Vec<f64> = groups.iter().map(|&k| lam[k as usize]).collect();
    let zealot = vec![false; n];
    let sys = dynamics::FjSystem {
        graph: &g,
        lambda: &lambda,
        innate: &u,
        constant: None,
        zealot: &zealot,
    };
    let (sol, sweeps) = dynamics::fj_equilibrium(sys, &u, 1e-13, 10_000).unwrap();
    assert!(sweeps < 400);
    for (x, e) in sol.iter().zip(&exact) {
        assert!((x - e).abs() < 1e-10, "solver {x} vs closed form {e}");
    }
}

/// The voter model on a complete graph ends in "yes" with probability equal to the initial
/// share of "yes" (here 6 of 20, 4,000 runs: standard error 0.0072).
#[test]
fn voter_exit_probability_equals_the_initial_share() {
    let n = 20;
    let g = Graph::complete(n);
    let mut yes = 0usize;
    let runs = 4_000;
    let mut buffer = Vec::new();
    let zealot = vec![false; n];
    let groups = vec![0u16; n];
    let innate = vec![0.0; n];
    for r in 0..runs {
        let mut x: Vec<f64> = (0..n).map(|i| if i < 6 { 1.0 } else { 0.0 }).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(r as u64);
        let ctx = Context {
            graph: &g,
            groups: &groups,
            zealot: &zealot,
            innate: &innate,
        };
        loop {
            dynamics::sweep(&Peer::Voter, ctx, &mut x, &mut buffer, &mut rng);
            let s: f64 = x.iter().sum();
            if s == 0.0 || s == n as f64 {
                yes += usize::from(s > 0.0);
                break;
            }
        }
    }
    let share = yes as f64 / runs as f64;
    assert!((share - 0.3).abs() < 0.025, "{share}");
}

/// Zealots never move and pull a voter population toward them; q-voter with full noise
/// keeps a mixed state; majority rule reaches consensus.
#[test]
fn zealots_q_voter_and_majority() {
    let n = 200;
    let g = Graph::complete(n);
    let mut pop = one_group((0..n).map(|i| if i < 100 { 1.0 } else { 0.0 }).collect());
    for z in pop.zealot.iter_mut().take(10) {
        *z = true;
    }
    let model = OpinionModel {
        peer: Peer::Voter,
        media: None,
    };
    simulate(&model, &mut pop, &g, 3_000, 2).unwrap();
    assert!(pop.opinion[0][..10].iter().all(|&v| v == 1.0));
    let model = OpinionModel {
        peer: Peer::QVoter { q: 4, noise: 1.0 },
        media: None,
    };
    let mut pop = one_group(vec![1.0; n]);
    simulate(&model, &mut pop, &g, 50, 3).unwrap();
    let share = pop.opinion[0].iter().sum::<f64>() / n as f64;
    assert!((share - 0.5).abs() < 0.15, "{share}");
    let model = OpinionModel {
        peer: Peer::Majority { size: 3 },
        media: None,
    };
    let mut pop = one_group((0..n).map(|i| if i < 130 { 1.0 } else { 0.0 }).collect());
    simulate(&model, &mut pop, &g, 200, 4).unwrap();
    let s: f64 = pop.opinion[0].iter().sum();
    assert!(s == 0.0 || s == n as f64, "consensus, {s}");
}

fn media(form: MediaForm, position: f64) -> Media {
    Media {
        outlets: vec![Outlet {
            name: "state".into(),
            position: vec![Series::constant(position)],
            volume: Series {
                points: vec![(0.0, 1.0), (10.0, 0.0)],
            },
            credibility: Series::one(),
            evidence: Vec::new(),
            assumption: None,
        }],
        audience: vec![1.0, 0.0],
        form,
    }
}

/// The field pulls only the exposed group, and only while the outlet is on air (volume 0
/// from time 10).
#[test]
fn media_field_pulls_the_audience_while_on_air() {
    let n = 1_000;
    let g = Graph::empty(n);
    let groups: Vec<u16> = (0..n).map(|i| (i % 2) as u16).collect();
    let mut pop = Population::uniform_groups(groups, 2, &[vec![0.4; n]]);
    let model = OpinionModel {
        peer: Peer::None,
        media: Some(media(
            MediaForm::Field {
                alpha: vec![0.1, 0.1],
                eps: 0.5,
            },
            0.8,
        )),
    };
    let trace = simulate(&model, &mut pop, &g, 20, 1).unwrap();
    // 10 sweeps of x += 0.1 (0.8 - x): 0.8 - 0.4 x 0.9^10.
    let expect = 0.8 - 0.4 * 0.9f64.powi(10);
    assert!((trace.means[10][0][0] - expect).abs() < 1e-12);
    assert_eq!(trace.means[20][0][0], trace.means[10][0][0], "off air");
    assert!(
        (trace.means[20][0][1] - 0.4).abs() < 1e-12,
        "not in the audience"
    );
}

/// The linear form's fixed point on an empty graph: x = lambda beta e + (1 - lambda beta) u
/// (the neighbour term is the agent itself): with lambda 0.5, beta 0.4, e 1, u 0:
/// x = 0.5 (0.6 x + 0.4) => x = 0.2 / 0.7.
#[test]
fn media_linear_form_fixed_point() {
    let n = 10;
    let g = Graph::empty(n);
    let groups = vec![0u16; n];
    let mut pop = Population::uniform_groups(groups, 2, &[vec![0.0; n]]);
    let model = OpinionModel {
        peer: Peer::None,
        media: Some(media(
            MediaForm::Linear {
                beta: 0.4,
                susceptibility: vec![0.5, 0.5],
            },
            1.0,
        )),
    };
    simulate(&model, &mut pop, &g, 1, 1).unwrap();
    assert!(
        (pop.opinion[0][0] - 0.2 / 0.7).abs() < 1e-9,
        "{}",
        pop.opinion[0][0]
    );
}

/// Exposure with certain contact moves each agent by mu toward the outlet once per period.
#[test]
fn media_exposure_and_backfire() {
    let n = 4;
    let g = Graph::empty(n);
    let mut pop = Population::uniform_groups(vec![0; n], 2, &[vec![0.5, 0.5, 0.0, 0.0]]);
    let model = OpinionModel {
        peer: Peer::None,
        media: Some(media(
            MediaForm::Exposure {
                eps: 0.6,
                mu: 0.5,
                backfire_eps: Some(0.9),
                backfire_mu: 0.1,
                dt: 1e6,
            },
            1.0,
        )),
    };
    simulate(&model, &mut pop, &g, 1, 1).unwrap();
    assert_eq!(pop.opinion[0][0], 0.75);
    // At distance 1 (beyond the backfire bound) the agent is pushed away, kept in [0, 1].
    assert_eq!(pop.opinion[0][2], 0.0);
}

#[test]
fn runs_repeat_and_ignore_the_thread_count() {
    let n = 30_000;
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let g = Graph::erdos_renyi(n, 6.0, &mut rng).unwrap();
    let start = uniform(n, 12);
    let run = |peer: Peer, threads: usize| {
        let mut pop = one_group(start.clone());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            simulate(&OpinionModel { peer, media: None }, &mut pop, &g, 5, 13).unwrap()
        });
        pop.opinion[0].clone()
    };
    for peer in [
        Peer::HegselmannKrause { eps: 0.2 },
        Peer::Deffuant { eps: 0.2, mu: 0.3 },
    ] {
        assert_eq!(
            run(peer.clone(), 1),
            run(peer.clone(), 2),
            "{}",
            peer.name()
        );
    }
}

/// Isolated agents (no neighbours) keep their opinion under every peer model.
#[test]
fn isolated_agents_are_handled() {
    let n = 50;
    let g = Graph::from_edges(n, &[(0, 1), (1, 2)]).unwrap();
    for peer in [
        Peer::Deffuant { eps: 1.0, mu: 0.5 },
        Peer::HegselmannKrause { eps: 1.0 },
        Peer::FriedkinJohnsen {
            susceptibility: vec![0.5],
        },
        Peer::Voter,
        Peer::QVoter { q: 2, noise: 0.0 },
        Peer::Majority { size: 3 },
    ] {
        let start: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
        let mut pop = one_group(start.clone());
        simulate(
            &OpinionModel {
                peer: peer.clone(),
                media: None,
            },
            &mut pop,
            &g,
            10,
            1,
        )
        .unwrap();
        assert_eq!(pop.opinion[0][10..], start[10..], "{}", peer.name());
    }
}

#[test]
fn mismatched_inputs_are_errors() {
    let g = Graph::complete(3);
    let mut pop = one_group(vec![0.1, 0.2]);
    let m = OpinionModel {
        peer: Peer::Voter,
        media: None,
    };
    assert!(
        simulate(&m, &mut pop, &g, 1, 1)
            .unwrap_err()
            .to_string()
            .contains("graph has 3")
    );
    let mut pop = one_group(vec![0.1, 0.2, 1.5]);
    assert!(
        simulate(&m, &mut pop, &g, 1, 1)
            .unwrap_err()
            .to_string()
            .contains("[0, 1]")
    );
    let bad = OpinionModel {
        peer: Peer::Deffuant { eps: 0.2, mu: 0.9 },
        media: None,
    };
    let mut pop = one_group(vec![0.1, 0.2, 0.3]);
    assert!(
        simulate(&bad, &mut pop, &g, 1, 1)
            .unwrap_err()
            .to_string()
            .contains("mu")
    );
}

/// The audience cost's closed form by hand: coded at 50, weight 1, the public implying
/// `100 m` and caring `|2m - 1|`. At m0 = 0.5 the public does not care (x* = 50); at m = 0.75
/// it cares 0.5 and implies 75, so x* = (50 + 0.5 x 75) / 1.5 = 58.333..., and the salience
/// moves by 0.2 x 0.5. Scale 0 switches it off; the start reproduces the coded stance.
#[test]
fn audience_costs_follow_their_closed_form() {
    use multivector_models::opinion::spec::AudienceCost;
    let a = AudienceCost {
        actor: "KAZ".into(),
        issue: "unga_vote".into(),
        item: 0,
        low: 0.0,
        high: 100.0,
        weight: 1.0,
        salience: 0.2,
        evidence: Vec::new(),
        assumption: Some("test".into()),
    };
    let (pos, sal) = a.stance(0.75, 0.5, (50.0, 0.6), 1.0);
    assert!((pos - 175.0 / 3.0).abs() < 1e-12, "{pos}");
    assert!((sal - 0.7).abs() < 1e-12, "{sal}");
    assert_eq!(a.stance(0.75, 0.5, (50.0, 0.6), 0.0), (50.0, 0.6));
    assert_eq!(a.stance(0.3, 0.3, (42.0, 0.5), 1.0), (42.0, 0.5));
}

/// Our Deffuant and Hegselmann-Krause sweeps end on the same opinions, bit for bit, as the
/// plain reference kernels (another implementation, drawing the same random numbers), on a
/// random graph with isolated agents; on one thread and in parallel chunks (from 20,000
/// agents), with an odd agent left over (Hegselmann-Krause takes agents two at a time).
#[test]
fn kernels_equal_the_plain_reference_kernels() {
    for n in [3001, 24_577] {
        kernels_equal_on(n);
    }
}

fn kernels_equal_on(n: usize) {
    use crate::plain::{Csr, plain_deffuant, plain_hk};
    let graph = Graph::erdos_renyi(n, 4.0, &mut ChaCha8Rng::seed_from_u64(5)).unwrap();
    assert!(
        (0..n).any(|i| graph.neighbours(i).is_empty()),
        "some isolated agents"
    );
    let csr = Csr::of(&graph, n);
    let start = uniform(n, 6);
    for peer in [
        Peer::Deffuant { eps: 0.3, mu: 0.4 },
        Peer::HegselmannKrause { eps: 0.25 },
    ] {
        let model = OpinionModel {
            peer: peer.clone(),
            media: None,
        };
        let mut pop = one_group(start.clone());
        simulate(&model, &mut pop, &graph, 30, 9).unwrap();
        let mut x = start.clone();
        match peer {
            Peer::Deffuant { eps, mu } => plain_deffuant(&csr, &mut x, eps, mu, 30, 9),
            Peer::HegselmannKrause { eps } => plain_hk(&csr, &mut x, eps, 30),
            _ => unreachable!(),
        }
        let moved = x.iter().zip(&start).filter(|(a, b)| a != b).count();
        assert!(moved > n / 2, "{peer:?}: the dynamics ran ({moved} moved)");
        assert!(
            pop.opinion[0]
                .iter()
                .zip(&x)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{peer:?}"
        );
    }
}

/// Group means summed run by run (a register per run of one group) equal a plain loop that
/// adds every agent to its group's sum in agent order, bit for bit: one group, blocks of
/// groups, groups interleaved at random, an empty group (NaN).
#[test]
fn group_means_equal_a_plain_loop() {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let n = 5_000;
    let x = uniform(n, 18);
    let blocks: Vec<u16> = (0..n).map(|i| (i * 4 / n) as u16).collect();
    let random: Vec<u16> = (0..n).map(|_| rng.random_range(0..4u16)).collect();
    for (groups, count) in [(vec![0u16; n], 1), (blocks, 5), (random, 5)] {
        let pop = Population::uniform_groups(groups.clone(), count, std::slice::from_ref(&x));
        let (mut sum, mut k) = (vec![0.0; count], vec![0usize; count]);
        for (&g, &v) in groups.iter().zip(&x) {
            sum[g as usize] += v;
            k[g as usize] += 1;
        }
        let plain: Vec<u64> = sum
            .iter()
            .zip(&k)
            .map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN }.to_bits())
            .collect();
        let ours: Vec<u64> = pop.group_means(0).iter().map(|m| m.to_bits()).collect();
        assert_eq!(ours, plain);
    }
}
