//! Social graphs in compressed sparse row form, and their generators.
//!
//! A graph is undirected: every edge is stored in both directions, neighbour lists are sorted,
//! without self-loops or duplicates. Memory: 8 bytes per agent (offsets) plus 4 per directed
//! edge. Every generator takes the random generator it uses and costs `O(n + m)`.

use rand::{Rng, RngExt};

/// Why a graph cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GraphError {
    #[error("edge {index} ({a}, {b}) names an agent outside 0..{n}")]
    OutOfRange {
        index: usize,
        a: u64,
        b: u64,
        n: usize,
    },
    #[error("{0}")]
    Parameter(String),
}

/// An undirected graph over agents `0..n`.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    offsets: Vec<usize>,
    neighbours: Vec<u32>,
}

impl Graph {
    /// A graph from undirected edges; self-loops and repeated edges are dropped.
    pub fn from_edges(n: usize, edges: &[(u32, u32)]) -> Result<Graph, GraphError> {
        if n > u32::MAX as usize {
            return Err(GraphError::Parameter(format!(
                "{n} agents: at most {} fit the graph's 32-bit ids",
                u32::MAX
            )));
        }
        for (index, &(a, b)) in edges.iter().enumerate() {
            if a as usize >= n || b as usize >= n {
                return Err(GraphError::OutOfRange {
                    index,
                    a: a.into(),
                    b: b.into(),
                    n,
                });
            }
        }
        let mut degree = vec![0usize; n + 1];
        for &(a, b) in edges {
            if a != b {
                degree[a as usize + 1] += 1;
                degree[b as usize + 1] += 1;
            }
        }
        for i in 0..n {
            degree[i + 1] += degree[i];
        }
        let mut fill = degree.clone();
        let mut neighbours = vec![0u32; degree[n]];
        for &(a, b) in edges {
            if a != b {
                neighbours[fill[a as usize]] = b;
                fill[a as usize] += 1;
                neighbours[fill[b as usize]] = a;
                fill[b as usize] += 1;
            }
        }
        // Sort and deduplicate each list, compacting in place.
        let mut offsets = vec![0usize; n + 1];
        let mut write = 0;
        for i in 0..n {
            let (lo, hi) = (degree[i], degree[i + 1]);
            neighbours[lo..hi].sort_unstable();
            let start = write;
            let mut last = None;
            for k in lo..hi {
                let v = neighbours[k];
                if last != Some(v) {
                    neighbours[write] = v;
                    write += 1;
                    last = Some(v);
                }
            }
            offsets[i] = start;
            offsets[i + 1] = write;
        }
        neighbours.truncate(write);
        neighbours.shrink_to_fit();
        Ok(Graph {
            offsets,
            neighbours,
        })
    }

    /// The complete graph on `n` agents.
    pub fn complete(n: usize) -> Graph {
        let mut edges = Vec::with_capacity(n * n.saturating_sub(1) / 2);
        for a in 0..n as u32 {
            for b in (a + 1)..n as u32 {
                edges.push((a, b));
            }
        }
        Graph::from_edges(n, &edges).expect("complete graph ids are in range")
    }

    /// `n` agents and no edges (the mean-field case).
    pub fn empty(n: usize) -> Graph {
        Graph {
            offsets: vec![0; n + 1],
            neighbours: Vec::new(),
        }
    }

    /// Erdős–Rényi `G(n, p)` with `p = mean_degree / (n - 1)`, by geometric skipping over the
    /// pairs (`O(n + m)`).
    pub fn erdos_renyi(
        n: usize,
        mean_degree: f64,
        rng: &mut impl Rng,
    ) -> Result<Graph, GraphError> {
        let p = if n > 1 {
            mean_degree / (n - 1) as f64
        } else {
            0.0
        };
        check_probability(p, "mean degree / (n - 1)")?;
        let mut edges = Vec::new();
        skip_pairs(0, n, 0, n, true, p, rng, &mut edges);
        Graph::from_edges(n, &edges)
    }

    /// Stochastic block model: `sizes[g]` agents in block `g` (blocks are consecutive), edge
    /// probability `p[g * B + h]` between blocks `g` and `h` (symmetric).
    pub fn stochastic_block(
        sizes: &[usize],
        p: &[f64],
        rng: &mut impl Rng,
    ) -> Result<Graph, GraphError> {
        let b = sizes.len();
        if p.len() != b * b {
            return Err(GraphError::Parameter(format!(
                "{b} blocks need a {b} x {b} probability matrix, got {} entries",
                p.len()
            )));
        }
        for g in 0..b {
            for h in 0..b {
                check_probability(p[g * b + h], "block edge probability")?;
                if (p[g * b + h] - p[h * b + g]).abs() > 1e-12 {
                    return Err(GraphError::Parameter(format!(
                        "block probabilities must be symmetric: p[{g}][{h}] = {} but p[{h}][{g}] = {}",
                        p[g * b + h],
                        p[h * b + g]
                    )));
                }
            }
        }
        let starts: Vec<usize> = sizes
            .iter()
            .scan(0, |acc, &s| {
                let start = *acc;
                *acc += s;
                Some(start)
            })
            .collect();
        let n: usize = sizes.iter().sum();
        let mut edges = Vec::new();
        for g in 0..b {
            for h in g..b {
                let (a0, a1) = (starts[g], starts[g] + sizes[g]);
                let (b0, b1) = (starts[h], starts[h] + sizes[h]);
                skip_pairs(a0, a1, b0, b1, g == h, p[g * b + h], rng, &mut edges);
            }
        }
        Graph::from_edges(n, &edges)
    }

    /// The block probabilities giving each agent about `mean_degree` neighbours, a share
    /// `homophily` of them chosen within its own block and the rest at random from everyone:
    /// `p_gg = k (h + (1 - h) w_g) / (n_g - 1)`, `p_gh = k (1 - h) / n`.
    pub fn homophily_matrix(sizes: &[usize], mean_degree: f64, homophily: f64) -> Vec<f64> {
        let b = sizes.len();
        let n: usize = sizes.iter().sum();
        let mut p = vec![0.0; b * b];
        for g in 0..b {
            for h in 0..b {
                p[g * b + h] = if g == h {
                    let w = sizes[g] as f64 / n as f64;
                    let within = sizes[g].saturating_sub(1).max(1) as f64;
                    mean_degree * (homophily + (1.0 - homophily) * w) / within
                } else {
                    mean_degree * (1.0 - homophily) / n as f64
                }
                .clamp(0.0, 1.0);
            }
        }
        p
    }

    /// Barabási–Albert preferential attachment: start from a complete graph on `m + 1`
    /// agents, then each new agent links to `m` distinct agents chosen with probability
    /// proportional to degree.
    pub fn barabasi_albert(n: usize, m: usize, rng: &mut impl Rng) -> Result<Graph, GraphError> {
        if m == 0 || m >= n {
            return Err(GraphError::Parameter(format!(
                "Barabási–Albert needs 1 <= m < n (m = {m}, n = {n})"
            )));
        }
        let mut edges: Vec<(u32, u32)> = Vec::with_capacity(n * m);
        // Every edge endpoint once: sampling an entry is sampling by degree.
        let mut ends: Vec<u32> = Vec::with_capacity(2 * n * m);
        for a in 0..=m as u32 {
            for b in (a + 1)..=m as u32 {
                edges.push((a, b));
                ends.extend([a, b]);
            }
        }
        let mut chosen: Vec<u32> = Vec::with_capacity(m);
        for v in (m + 1) as u32..n as u32 {
            chosen.clear();
            while chosen.len() < m {
                let t = ends[rng.random_range(0..ends.len())];
                if !chosen.contains(&t) {
                    chosen.push(t);
                }
            }
            for &t in &chosen {
                edges.push((v, t));
                ends.extend([v, t]);
            }
        }
        Graph::from_edges(n, &edges)
    }

    /// Watts–Strogatz: a ring where each agent links to its `k / 2` nearest on each side, each
    /// edge's far end rewired with probability `beta` to a uniformly chosen agent (no
    /// self-loops; a rewiring that would repeat an edge keeps the original).
    pub fn watts_strogatz(
        n: usize,
        k: usize,
        beta: f64,
        rng: &mut impl Rng,
    ) -> Result<Graph, GraphError> {
        if k % 2 == 1 || k >= n {
            return Err(GraphError::Parameter(format!(
                "Watts–Strogatz needs an even k < n (k = {k}, n = {n})"
            )));
        }
        check_probability(beta, "rewiring probability")?;
        let mut edges: Vec<(u32, u32)> = Vec::with_capacity(n * k / 2);
        for a in 0..n {
            for s in 1..=k / 2 {
                edges.push((a as u32, ((a + s) % n) as u32));
            }
        }
        let mut present: std::collections::HashSet<(u32, u32)> =
            edges.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
        for e in edges.iter_mut() {
            if rng.random::<f64>() < beta {
                let t = rng.random_range(0..n) as u32;
                let key = (e.0.min(t), e.0.max(t));
                if t != e.0 && !present.contains(&key) {
                    present.remove(&(e.0.min(e.1), e.0.max(e.1)));
                    present.insert(key);
                    e.1 = t;
                }
            }
        }
        Graph::from_edges(n, &edges)
    }

    /// Number of agents.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether there are no agents.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of undirected edges.
    pub fn edges(&self) -> usize {
        self.neighbours.len() / 2
    }

    /// The sorted neighbours of agent `i`.
    pub fn neighbours(&self, i: usize) -> &[u32] {
        &self.neighbours[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Degree of agent `i`.
    pub fn degree(&self, i: usize) -> usize {
        self.offsets[i + 1] - self.offsets[i]
    }

    /// Mean degree.
    pub fn mean_degree(&self) -> f64 {
        if self.is_empty() {
            0.0
        } else {
            self.neighbours.len() as f64 / self.len() as f64
        }
    }
}

fn check_probability(p: f64, what: &str) -> Result<(), GraphError> {
    if p.is_finite() && (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(GraphError::Parameter(format!(
            "{what} is {p}; it must lie in [0, 1]"
        )))
    }
}

/// Every pair (a, b) with `a in a0..a1`, `b in b0..b1` (and `a < b` when the ranges are one
/// block) independently with probability `p`, by geometric skips between successes.
#[allow(clippy::too_many_arguments)]
fn skip_pairs(
    a0: usize,
    a1: usize,
    b0: usize,
    b1: usize,
    same: bool,
    p: f64,
    rng: &mut impl Rng,
    out: &mut Vec<(u32, u32)>,
) {
    if p <= 0.0 || a1 <= a0 || b1 <= b0 {
        return;
    }
    let width = (b1 - b0) as u64;
    let total: u64 = if same {
        let m = (a1 - a0) as u64;
        m * m.saturating_sub(1) / 2
    } else {
        (a1 - a0) as u64 * width
    };
    let log_q = (1.0 - p).ln();
    let m = (a1 - a0) as u64;
    // In one block, pairs are numbered row by row over the upper triangle: row r holds the
    // m - r - 1 pairs (r, r + 1..m). Indices only grow, so the row advances incrementally.
    let (mut row, mut before) = (0u64, 0u64);
    let mut idx: u64 = 0;
    let mut first = true;
    loop {
        // Skip a geometric number of failures.
        let skip = if p >= 1.0 {
            0
        } else {
            let u: f64 = rng.random();
            ((1.0 - u).ln() / log_q).floor() as u64
        };
        idx = if first {
            skip
        } else {
            idx.saturating_add(1).saturating_add(skip)
        };
        first = false;
        if idx >= total {
            return;
        }
        let (a, b) = if same {
            while before + (m - row - 1) <= idx {
                before += m - row - 1;
                row += 1;
            }
            (a0 as u64 + row, a0 as u64 + row + 1 + (idx - before))
        } else {
            (a0 as u64 + idx / width, b0 as u64 + idx % width)
        };
        out.push((a as u32, b as u32));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn csr_drops_loops_and_duplicates() {
        let g = Graph::from_edges(4, &[(0, 1), (1, 0), (2, 2), (1, 3), (3, 1)]).unwrap();
        assert_eq!(g.neighbours(1), &[0, 3]);
        assert_eq!(g.degree(2), 0, "an isolated agent");
        assert_eq!(g.edges(), 2);
        assert!(Graph::from_edges(2, &[(0, 5)]).is_err());
    }

    /// Geometric skipping visits every pair with probability p: with p = 1 it must list
    /// every pair exactly once.
    #[test]
    fn skipping_with_certainty_lists_every_pair() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut out = Vec::new();
        skip_pairs(0, 7, 0, 7, true, 1.0, &mut rng, &mut out);
        assert_eq!(out.len(), 21);
        let g = Graph::from_edges(7, &out).unwrap();
        assert_eq!(g, Graph::complete(7));
        out.clear();
        skip_pairs(0, 3, 3, 8, false, 1.0, &mut rng, &mut out);
        assert_eq!(out.len(), 15);
    }

    #[test]
    fn generators_hit_their_mean_degree() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let er = Graph::erdos_renyi(20_000, 10.0, &mut rng).unwrap();
        assert!(
            (er.mean_degree() - 10.0).abs() < 0.2,
            "{}",
            er.mean_degree()
        );
        let ba = Graph::barabasi_albert(5_000, 3, &mut rng).unwrap();
        assert!(
            (ba.mean_degree() - 6.0).abs() < 0.05,
            "{}",
            ba.mean_degree()
        );
        let ws = Graph::watts_strogatz(1_000, 10, 0.1, &mut rng).unwrap();
        assert!(
            (ws.mean_degree() - 10.0).abs() < 0.01,
            "{}",
            ws.mean_degree()
        );
        let sizes = [6_000, 3_000, 1_000];
        let p = Graph::homophily_matrix(&sizes, 10.0, 0.8);
        let sbm = Graph::stochastic_block(&sizes, &p, &mut rng).unwrap();
        assert!(
            (sbm.mean_degree() - 10.0).abs() < 0.3,
            "{}",
            sbm.mean_degree()
        );
        // Share of the first block's edges that stay inside it: h + (1 - h) w = 0.8 + 0.2 x 0.6.
        let (mut inside, mut all) = (0usize, 0usize);
        for i in 0..6_000 {
            for &j in sbm.neighbours(i) {
                all += 1;
                inside += usize::from((j as usize) < 6_000);
            }
        }
        let share = inside as f64 / all as f64;
        assert!((share - 0.92).abs() < 0.01, "{share}");
    }

    #[test]
    fn bad_parameters_are_errors() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        assert!(Graph::erdos_renyi(10, 20.0, &mut rng).is_err());
        assert!(Graph::barabasi_albert(5, 5, &mut rng).is_err());
        assert!(Graph::watts_strogatz(10, 3, 0.1, &mut rng).is_err());
        assert!(Graph::stochastic_block(&[2, 2], &[0.1, 0.2, 0.3, 0.1], &mut rng).is_err());
    }
}
