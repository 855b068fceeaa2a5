//! Command-line arguments (clap). Raw flags only: resolving them into model options happens
//! in the commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "multivector",
    version,
    about = "Model, simulate and measure a middle power's multi-vector foreign policy",
    long_about = "multivector forecasts where contested issues settle among actors who differ in \
position, salience (how much they care) and capability, using the expected-utility group \
decision model and two baselines. Scenarios are TOML files; the CSV layouts of the published \
expected-utility example and of KTAB are read too.\n\nData goes to stdout, messages to stderr. \
Exit codes: 0 success, 2 bad input (the message says where and how to fix it), 1 internal failure.",
    after_help = "Examples:\n  multivector run                      # the built-in scenario, every issue, every model\n  \
multivector run scenarios/ec-emissions.toml --format csv\n  \
multivector bdm scenarios/ec-emissions.toml --rounds 8\n  \
multivector bdm ExampleActors.csv --view Belgium --round 1\n  \
multivector bdm scenarios/ec-emissions.toml --preset paper --format json"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// No progress bars on stderr (any command; notes and errors still appear).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the expected-utility model on one issue and show every round.
    #[command(
        after_help = "Examples:\n  multivector bdm scenarios/ec-emissions.toml\n  \
multivector bdm scenarios/ec-emissions.toml --preset paper --rounds 20 --format csv\n  \
multivector bdm scenarios/ec-emissions.toml --view BEL --round 1\n  \
multivector bdm ExampleActors.csv --stop converged --max-rounds 50\n\n\
The presets fix every option of the model (see docs/models/bdm.md): `scholz` reproduces \
the published walk-through of Scholz et al. (2011), `paper` follows the published equations. \
Any option flag overrides the preset."
    )]
    Bdm(BdmArgs),
    /// Run every issue of a scenario through every model and print one forecast table.
    #[command(
        after_help = "Without SCENARIO, runs the built-in scenario. SCENARIO is a file \
(.toml, or one of the CSV layouts) or the name of a built-in scenario (kazakhstan, ec-emissions).\n\n\
Models: bdm-scholz and bdm-paper (the expected-utility model under each preset), smp (the \
spatial model of KTAB, default options: the most probable final position; the dimensions of a \
space are bargained jointly), mean (the compromise model: capability x salience weighted mean) \
and median (the weighted median).\n\n\
Examples:\n  multivector run\n  multivector run --format json > forecasts.json\n  \
multivector run scenarios/ec-emissions.toml --out trajectories/"
    )]
    Run(RunArgs),
    /// List the evidence behind a scenario's numbers, or check its provenance.
    #[command(
        after_help = "Examples:\n  multivector evidence                          # every record of the built-in scenario\n  \
multivector evidence --issue recognition      # records behind one issue\n  \
multivector evidence --actor RUS --format csv\n  \
multivector evidence --check                  # every stance cited or assumed, every record cited\n  \
multivector evidence --check --sources ../shared/seeds   # and every figure found in its document\n\n\
--check exits with 2 and lists every problem when the scenario fails it."
    )]
    Evidence(EvidenceArgs),
    /// Measure a state's alignment with others from UN General Assembly roll-call votes.
    #[command(
        after_help = "DATA is the merged votes file (unga_votes_*.csv[.gz], with its \
unga_rollcalls_* beside it) or its folder, a folder of DGACM .json[.gz] extracts, Voeten's wide \
CSV, or the UN Digital Library CSV; the layout is detected.\n\n\
Measures (absences excluded): agreement share, half-agreement (abstention against yes or no \
counts 1/2), Signorino-Ritter S-score, Cohen's kappa, joint votes. EU is the modal vote of the \
EU members on the date of each vote. The equidistance index per period is 1 - (max - min) of \
the disagreements 1 - agreement (docs/profile.md).\n\n\
Examples:\n  multivector align --data shared/data/unga/derived --focal KAZ --vs RUS,CHN,USA,EU --from 2014\n  \
multivector align --data votes.csv.gz --focal KAZ --vs RUS --by session --format csv\n  \
multivector align --data votes.csv.gz --focal KAZ --vs RUS --splits --from 2022 --to 2022"
    )]
    Align(AlignArgs),
    /// Run a scenario and one of its variants on the same seeds and report the difference.
    #[command(
        after_help = "Both runs use the same master seed, so draw k of the baseline and \
draw k of the variant share their random numbers (common random numbers): the interval of the \
difference reflects the variant's effect, not sampling noise. A variant without changes gives \
exactly zero.\n\nExamples:\n  multivector compare --variant russia-capability-halved\n  \
multivector compare scenarios/kazakhstan.toml --variant no-civil-society --draws 2000 --format json"
    )]
    Compare(CompareArgs),
    /// Rank the uncertain inputs of an issue by how much they move its forecast.
    #[command(
        after_help = "Every input of the issue with declared uncertainty is varied over its \
range (normal: mean +- 2 sd, cut to the scale; uniform and triangular: low to high). Two \
methods: a one-at-a-time sweep (11 points, the others at their stated values) gives the swing; \
Morris screening (trajectories on a 4-level grid, seeded) gives mu*, the mean absolute change of \
the forecast per full range, and sigma, the spread of those changes (interactions).\n\n\
Examples:\n  multivector sensitivity --issue recognition\n  \
multivector sensitivity --issue csto_eaeu --model mean --trajectories 50 --format csv"
    )]
    Sensitivity(SensitivityArgs),
    /// How each state voted on one resolution, with the totals.
    #[command(
        after_help = "Example:\n  multivector votes --data shared/data/unga/derived --resolution A/RES/ES-11/1"
    )]
    Votes(VotesArgs),
    /// Run the spatial model (KTAB's SMP) on one issue or multi-dimensional space, round by
    /// round.
    #[command(
        after_help = "FILE is a scenario (.toml), a KTAB or expected-utility CSV, or a built-in \
scenario name. --issue names a space (a multi-dimensional issue, [[spaces]] in TOML; a KTAB CSV \
with several dimensions is one) or a one-dimensional issue.\n\n\
Each round every actor challenges the actor it gains most from, bargains are proposed, and every \
actor takes the bargain its queue's probabilistic Condorcet election favours. The run stops when \
the round's total move falls under --stop-ratio of the first round's, or at --max-rounds. The \
nine model options default to KTAB's defaults (docs/models/smp.md explains each).\n\n\
Examples:\n  multivector smp SOE-Pol-Comp.csv\n  \
multivector smp SOE-Pol-Comp.csv --format json > run.json\n  \
multivector smp kazakhstan --issue recognition --voting-rule cubic --pce markov-incentive\n  \
multivector smp SOE-Pol-Comp.csv --transitions stochastic --seed 7 --format csv"
    )]
    Smp(SmpArgs),
    /// Simulate the population level: opinions under peer and media influence, answered as polls.
    #[command(
        after_help = "SCENARIO is a population file (.toml, see docs/opinion.md) or the name of a \
built-in one (kazakhstan) [default: kazakhstan]. Each sweep is one step of calendar time \
(days_per_sweep in the file); the output gives every group's mean opinion over time and each \
poll's simulated answer beside the published one.\n\n\
Examples:\n  multivector opinion\n  multivector opinion --agents 200000 --model hk --format csv > means.csv\n  \
multivector opinion --params calibrated.json --format json\n  \
multivector opinion --variant no-media-law"
    )]
    Opinion(OpinionArgs),
    /// Calibrate the population level to the poll figures, holding one wave out.
    #[command(
        after_help = "Searches the ranges declared under [[population.calibrate]]: a Latin \
hypercube of --budget points, then a Nelder-Mead refinement, each point a full simulation with \
the same seed (common random numbers). The loss is the binomial likelihood of every published \
figure with its sample size; one wave (--hold-out, default the last) is left out and its error \
reported. --out saves the result for `multivector opinion --params`.\n\n\
Examples:\n  multivector calibrate\n  multivector calibrate --budget 1000 --out calibrated.json\n  \
multivector calibrate --hold-out demoscope-2023-05 --format json"
    )]
    Calibrate(CalibrateArgs),
    /// Score every model against the outcomes of real EU decisions (a DEU file).
    #[command(
        after_help = "FILE is in the DEU layout (DEU I-III: one row per issue of an EU \
legislative proposal, positions p<actor> and saliences s<actor> on 0-100 for com, ep and the \
member states, the reference point rp and the outcome out; tab- or comma-separated). Every \
usable issue (an outcome, two actors with a position and a salience) is forecast by bdm-scholz, \
bdm-paper, smp, mean, median, median-stated (the unweighted median of stated positions) and \
reference (the reference point as a naive forecast), and each model is scored: MAE, RMSE, \
median absolute error, the share of issues closer than the weighted mean and the difference in \
MAE to it, each with a 95% interval from a bootstrap that resamples whole proposals. \
Capabilities and missing saliences are assumptions and are printed with the results.\n\n\
Examples:\n  multivector backtest deu3.tsv\n  \
multivector backtest deu3.tsv --capabilities council-votes\n  \
multivector backtest deu3.tsv --format csv --rows > rows.csv   # one row per issue and model\n  \
multivector backtest deu3.tsv --format json --bootstrap 5000 --seed 7"
    )]
    Backtest(BacktestArgs),
    /// Stored runs: list, show, compare, export, delete.
    #[command(
        after_help = "Every `multivector run` is saved in the run store (multivector.db, or --db / \
$MULTIVECTOR_DB; --no-store skips it) with the scenario text and its hash, version, seed, draws, \
options and outputs.\n\nExamples:\n  multivector runs list\n  multivector runs show 3\n  \
multivector runs compare 3 4\n  multivector runs export 3 --format csv > forecasts.csv"
    )]
    Runs(RunsArgs),
    /// Write a stored run's self-contained HTML report with charts.
    #[command(
        after_help = "Examples:\n  multivector report 3 --out report.html\n  multivector report 3 --view RUS"
    )]
    Report(ReportArgs),
    /// The web app: browse scenarios and runs, edit stances, start runs, compare, download.
    #[command(
        after_help = "Binds 127.0.0.1 (use --bind to change, at your own risk). Runs go to the \
same store as `multivector run`. The app answers only to its own host names (add one with \
--allow-host), refuses state-changing requests from other sites, sends no script and \
forbids framing; slow clients are closed after --header-timeout seconds. Limits: \
docs/errors.md.\n\nExample:\n  multivector serve --port 8080\n  then open http://127.0.0.1:8080"
    )]
    Serve(ServeArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Year,
    Session,
}

#[derive(Debug, Args)]
pub struct AlignArgs {
    /// Vote data file or folder.
    #[arg(long, value_name = "PATH")]
    pub data: PathBuf,
    /// The focal state (ISO3 code or UN name); several, comma-separated, for a regional
    /// comparison (one series each).
    #[arg(long, value_name = "STATES", value_delimiter = ',', required = true)]
    pub focal: Vec<String>,
    /// Partners, comma-separated: ISO3 codes, UN names, or EU.
    #[arg(long, value_name = "LIST", value_delimiter = ',', required = true)]
    pub vs: Vec<String>,
    /// First year included.
    #[arg(long, value_name = "YEAR")]
    pub from: Option<i32>,
    /// Last year included.
    #[arg(long, value_name = "YEAR")]
    pub to: Option<i32>,
    /// Group by calendar year or by UN session.
    #[arg(long, value_enum, default_value_t = ByArg::Year)]
    pub by: ByArg,
    /// Only roll calls with this issue flag (me, nu, di, hr, co, ec; Voeten's data only).
    #[arg(long, value_name = "FLAG")]
    pub issue: Option<String>,
    /// Only roll calls on this topic: `ukraine` (the ES-11 session, the 2014 and Crimea
    /// resolutions, titles naming Ukraine, Crimea or Sevastopol; see docs/unga.md).
    #[arg(long, value_name = "TOPIC")]
    pub topic: Option<String>,
    /// List the roll calls where the focal state split from each partner instead.
    #[arg(long)]
    pub splits: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct VotesArgs {
    /// Vote data file or folder.
    #[arg(long, value_name = "PATH")]
    pub data: PathBuf,
    /// Resolution symbol, e.g. A/RES/ES-11/1.
    #[arg(long, value_name = "SYMBOL")]
    pub resolution: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// Scenario file or built-in scenario name [default: the built-in scenario].
    pub scenario: Option<String>,
    /// Only records citing this document (file name, or part of it).
    #[arg(long, value_name = "FILE")]
    pub document: Option<String>,
    /// Only records behind this issue (its definition, outcome and stances).
    #[arg(long, value_name = "ID")]
    pub issue: Option<String>,
    /// Only records behind this actor (its capability and stances).
    #[arg(long, value_name = "ID")]
    pub actor: Option<String>,
    /// Check provenance instead of listing: every stance has evidence or an assumption,
    /// every record is cited.
    #[arg(long)]
    pub check: bool,
    /// With --check: also check that every figure a record claims appears in the text of the
    /// document it cites, read from this folder.
    #[arg(long, value_name = "DIR", requires = "check")]
    pub sources: Option<PathBuf>,
    /// With --check: also derive every outcome coded from UN votes (`outcome.unga`) from this
    /// vote data (file or folder, as for `align --data`) and compare.
    #[arg(long, value_name = "PATH", requires = "check")]
    pub votes: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PresetArg {
    Scholz,
    Paper,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProbabilityArg {
    Pairwise,
    Global,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QTermArg {
    Full,
    Omitted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PerspectiveArg {
    Receiver,
    Own,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OfferArg {
    TypeOrder,
    Enforceability,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompromiseArg {
    LowestPoint,
    LeastMove,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RangeArg {
    Initial,
    Scale,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StopArg {
    Fixed,
    Converged,
}

/// Rounds and stopping of the expected-utility model, shared by `bdm` and `run`.
#[derive(Debug, Default, Args)]
pub struct StopFlags {
    /// Number of rounds (with `--stop fixed`, the default; 10 when not given; at most 100,000).
    #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub rounds: Option<usize>,
    /// Probability that the status quo holds when nobody challenges, in [0, 1].
    #[arg(long, value_name = "Q")]
    pub q: Option<f64>,
    /// Fixed rounds, or stop when the median settles or the state repeats.
    #[arg(long, value_enum)]
    pub stop: Option<StopArg>,
    /// With `--stop converged`: the most rounds to run [default: 100; at most 100,000].
    #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub max_rounds: Option<usize>,
    /// With `--stop converged`: a move of the median below this fraction of the range counts
    /// as settled [default: 0.001].
    #[arg(long, value_name = "FRACTION")]
    pub epsilon: Option<f64>,
    /// With `--stop converged`: settled rounds in a row needed to stop [default: 2].
    #[arg(long, value_name = "N")]
    pub patience: Option<usize>,
}

/// Overrides of single options of the expected-utility model (`bdm` only: `run` uses both
/// presets as they are).
#[derive(Debug, Args)]
pub struct OptionFlags {
    /// Override: how P(i beats j) is normalised.
    #[arg(long, value_enum)]
    pub probability: Option<ProbabilityArg>,
    /// Override: keep or drop the (1 - Q) status-quo bracket.
    #[arg(long, value_enum)]
    pub q_term: Option<QTermArg>,
    /// Override: whose risk exponent evaluates the opponent's incentive.
    #[arg(long, value_enum)]
    pub perspective: Option<PerspectiveArg>,
    /// Override: which offer an actor accepts.
    #[arg(long, value_enum)]
    pub offer: Option<OfferArg>,
    /// Override: which compromise an actor accepts among several.
    #[arg(long, value_enum)]
    pub compromise_pick: Option<CompromiseArg>,
    /// Override: normalise distances by the initial range or the issue scale.
    #[arg(long, value_enum)]
    pub range: Option<RangeArg>,
}

#[derive(Debug, Args)]
pub struct BdmArgs {
    /// Scenario file (.toml), CSV (expected-utility or KTAB layout) or built-in scenario name.
    pub file: String,
    /// The issue to run, when the scenario has several.
    #[arg(long, value_name = "ID")]
    pub issue: Option<String>,
    /// Option preset.
    #[arg(long, value_enum, default_value_t = PresetArg::Scholz)]
    pub preset: PresetArg,
    #[command(flatten)]
    pub stop: StopFlags,
    #[command(flatten)]
    pub options: OptionFlags,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Show the expected-utility pairs (a, b) of this actor (id or name) against every other
    /// actor: the data of the "view from" chart.
    #[arg(long, value_name = "ACTOR")]
    pub view: Option<String>,
    /// With `--view`: the round whose pairs to show (1 = computed on the input positions).
    #[arg(long, value_name = "R", default_value_t = 1, requires = "view")]
    pub round: usize,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file or built-in scenario name [default: the built-in scenario].
    pub scenario: Option<String>,
    #[command(flatten)]
    pub stop: StopFlags,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write per-round trajectories and forecasts as CSV files into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub ensemble: EnsembleFlags,
    /// Also run the population level and let the bound domestic constituencies follow it:
    /// forecasts of the bound issues at quarterly dates, both levels on one time axis.
    #[arg(long)]
    pub two_level: bool,
    /// Population file for --two-level [default: the built-in population of the scenario].
    #[arg(long, value_name = "FILE", requires = "two_level")]
    pub population: Option<PathBuf>,
    /// With --two-level: compare with a variant declared in the population file (built in:
    /// no-media-law, russian-media-halved, no-audience-costs).
    #[arg(long, value_name = "NAME", requires = "two_level")]
    pub population_variant: Option<String>,
    /// With --two-level: calibrated population parameters (`multivector calibrate --out
    /// FILE`) [default: the built-in population's saved calibration, if any].
    #[arg(long, value_name = "FILE", requires = "two_level")]
    pub params: Option<PathBuf>,
    /// Run store file [default: $MULTIVECTOR_DB, else multivector.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Do not save this run in the store.
    #[arg(long)]
    pub no_store: bool,
    /// Also write this run's self-contained HTML report (charts as inline SVG) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    #[command(subcommand)]
    pub action: RunsAction,
    /// Run store file [default: $MULTIVECTOR_DB, else multivector.db].
    #[arg(long, value_name = "PATH", global = true)]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RunsAction {
    /// Every stored run, newest first.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One run: its settings and forecasts.
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Two runs' forecasts side by side, with the difference.
    Compare {
        a: i64,
        b: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// A run's full output (JSON: the document `run --format json` printed; CSV: forecasts).
    Export {
        id: i64,
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Delete a run.
    Delete { id: i64 },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The stored run.
    pub id: i64,
    /// Where to write the HTML file.
    #[arg(long, value_name = "FILE", default_value = "report.html")]
    pub out: PathBuf,
    /// Run store file [default: $MULTIVECTOR_DB, else multivector.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Actor for the "view from" chart [default: the scenario's focal actor].
    #[arg(long, value_name = "ACTOR")]
    pub view: Option<String>,
}

/// Monte Carlo settings shared by `run` and `compare`.
#[derive(Debug, Args)]
pub struct EnsembleFlags {
    /// Monte Carlo draws of the declared uncertain inputs (0: none; at most 1,000,000)
    /// [default: 1000].
    #[arg(long, value_name = "N")]
    pub draws: Option<usize>,
    /// Master seed of the ensemble; draw k uses stream k of ChaCha8 under it [default: 20220224].
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario file or built-in scenario name [default: the built-in scenario].
    pub scenario: Option<String>,
    /// The variant to compare with the baseline (a `[[variants]]` name).
    #[arg(long, value_name = "NAME")]
    pub variant: String,
    #[command(flatten)]
    pub stop: StopFlags,
    /// Draws give the interval of the difference (0: point forecasts only); the seed is
    /// shared by both runs.
    #[command(flatten)]
    pub ensemble: EnsembleFlags,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    BdmScholz,
    BdmPaper,
    Smp,
    Mean,
    Median,
}

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Scenario file or built-in scenario name [default: the built-in scenario].
    pub scenario: Option<String>,
    /// The issue to analyse.
    #[arg(long, value_name = "ID")]
    pub issue: String,
    /// The model whose forecast is analysed.
    #[arg(long, value_enum, default_value_t = ModelArg::BdmScholz)]
    pub model: ModelArg,
    /// Morris trajectories.
    #[arg(long, value_name = "R", default_value_t = 20)]
    pub trajectories: usize,
    /// Seed of the Morris trajectories [default: 20220224].
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub stop: StopFlags,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// A clap mirror of a model option enum, with the conversion into it.
macro_rules! mirror {
    ($name:ident => $target:path { $($v:ident),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
        pub enum $name { $($v),* }
        impl From<$name> for $target {
            fn from(a: $name) -> Self {
                match a { $($name::$v => <$target>::$v),* }
            }
        }
    };
}

use multivector_models::smp::{self as smp_model, pce as smp_pce};

mirror!(VictoryProbArg => smp_pce::VictoryProb { Linear, Square, Quartic, Octic, Binary });
mirror!(PceArg => smp_pce::PceRule { Conditional, MarkovUniform, MarkovIncentive });
mirror!(TransitionsArg => smp_model::Transitions { Deterministic, Stochastic });
mirror!(VotingRuleArg => smp_pce::VotingRule { Binary, PropBin, Prop, PropCubic, Cubic, AsymProspect });
mirror!(RiskAdjustArg => smp_model::RiskAdjust { None, OneThird, Half, TwoThirds, Full });
mirror!(RiskRangeArg => smp_model::RiskRange { Min, Mid, Max });
mirror!(ThirdPartyArg => smp_model::ThirdParty { None, Semi, Full });
mirror!(BargainPointArg => smp_model::BargainPoint { S1p1, S2p2, S2pmax });
mirror!(BargainViewArg => smp_model::BargainView { Initiator, Both, PowerWeighted });

#[derive(Debug, Args)]
pub struct SmpArgs {
    /// Scenario file (.toml, KTAB CSV, expected-utility CSV) or built-in scenario name.
    pub file: String,
    /// The space or issue to run, when the scenario has several.
    #[arg(long, value_name = "ID")]
    pub issue: Option<String>,
    /// How coalition strengths become victory probabilities in every election.
    #[arg(long, value_enum, default_value_t = VictoryProbArg::Linear)]
    pub victory_prob: VictoryProbArg,
    /// The probabilistic Condorcet election.
    #[arg(long, value_enum, default_value_t = PceArg::Conditional)]
    pub pce: PceArg,
    /// How an actor picks a bargain from its queue.
    #[arg(long, value_enum, default_value_t = TransitionsArg::Deterministic)]
    pub transitions: TransitionsArg,
    /// How a utility difference becomes a vote.
    #[arg(long, value_enum, default_value_t = VotingRuleArg::Prop)]
    pub voting_rule: VotingRuleArg,
    /// How an actor perceives another's risk attitude (a blend of its own and the other's).
    #[arg(long, value_enum, default_value_t = RiskAdjustArg::OneThird)]
    pub big_r_adjust: RiskAdjustArg,
    /// Range of inferred risk attitudes: min [0, 1], mid [-1/2, 1], max [-1, 1].
    #[arg(long, value_enum, default_value_t = RiskRangeArg::Mid)]
    pub big_r_range: RiskRangeArg,
    /// What a third party expects from joining a side.
    #[arg(long, value_enum, default_value_t = ThirdPartyArg::Semi)]
    pub third_party_commit: ThirdPartyArg,
    /// Where a bargain lands between the two positions.
    #[arg(long, value_enum, default_value_t = BargainPointArg::S2p2)]
    pub bargain_point: BargainPointArg,
    /// Whose view of the contest builds the bargain.
    #[arg(long, value_enum, default_value_t = BargainViewArg::Initiator)]
    pub bargain_view: BargainViewArg,
    /// Seed of the stochastic transitions (recorded in every output) [default: 20220224].
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Stop after this many rounds at the latest (at most 100,000).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub max_rounds: usize,
    /// Never stop by the ratio before this round.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=100_000))]
    pub min_rounds: usize,
    /// Stop when a round's total move is below this share of the first round's.
    #[arg(long, value_name = "R", default_value_t = 0.02)]
    pub stop_ratio: f64,
    /// Added to the first round's move in that ratio (no division by zero).
    #[arg(long, value_name = "F", default_value_t = 1e-4)]
    pub stop_floor: f64,
    /// Group nearly equal positions independently of actor order (KTAB uses input order).
    #[arg(long)]
    pub canonical_groups: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeerArg {
    None,
    Deffuant,
    Hk,
    Fj,
    Voter,
    Qvoter,
    Majority,
}

#[derive(Debug, Args)]
pub struct OpinionArgs {
    /// Population file or built-in name [default: kazakhstan].
    pub scenario: Option<String>,
    /// Agents [default: the file's; at most 50,000,000].
    #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=50_000_000))]
    pub agents: Option<usize>,
    /// Sweeps (steps of calendar time) [default: the file's; at most 1,000,000].
    #[arg(long, value_name = "T", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub sweeps: Option<usize>,
    /// Peer model, replacing the file's (its parameters when the file names the same model,
    /// otherwise the defaults in docs/opinion.md); `none` runs the mean-field media model
    /// without a graph.
    #[arg(long, value_enum, value_name = "M")]
    pub model: Option<PeerArg>,
    /// Calibrated parameters saved by `multivector calibrate --out`.
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// A variant declared in the population file ([[population.variants]]); the built-in
    /// population has `no-media-law` (Russian volume never halves) and
    /// `russian-media-halved` (halved from the start).
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Seed of the population, the graph and the dynamics [default: 20220224].
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Population file or built-in name [default: kazakhstan].
    pub scenario: Option<String>,
    /// Latin-hypercube points (Nelder-Mead adds about a third of that, at most 100; at most
    /// 100,000 points).
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub budget: usize,
    /// Agents per simulation (at most 1,000,000).
    #[arg(long, value_name = "N", default_value_t = 5000, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub agents: usize,
    /// The poll wave left out of the fit [default: the last].
    #[arg(long, value_name = "ID")]
    pub hold_out: Option<String>,
    /// Seed of the search and of every simulation [default: 20220224].
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Save the result as JSON here (for `multivector opinion --params` and
    /// `multivector run --two-level --params`).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Posterior chains (random-walk Metropolis; 0 skips the posterior and its bands).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=64))]
    pub chains: usize,
    /// Steps per chain, burn-in included (at most 100,000).
    #[arg(long, value_name = "N", default_value_t = 700, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(2..=100_000))]
    pub steps: usize,
    /// Burn-in steps per chain, discarded (they tune the step size and the proposal's shape).
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub burn: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port, printed on stderr).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Run store file [default: $MULTIVECTOR_DB, else multivector.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Runs executed at the same time (others wait in a queue of 32).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub jobs: usize,
    /// Another host name the app answers to (repeatable; 127.0.0.1, localhost, `[::1]` and the
    /// --bind address always are). Requests naming any other host are refused, so a web page
    /// elsewhere cannot reach the app by rebinding its own name to this machine.
    #[arg(long, value_name = "HOST")]
    pub allow_host: Vec<String>,
    /// Seconds a client has to send a request's headers, and the longest a kept-alive
    /// connection may sit idle; slower clients are disconnected.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// A file in the DEU layout.
    pub file: PathBuf,
    /// Capabilities (not in the data): `equal` (as in the published backtests) or
    /// `council-votes` (Council votes under the treaty at the proposal's introduction, with a
    /// procedure-dependent convention for the Commission and the Parliament).
    #[arg(long, value_enum, default_value_t = CapabilitiesArg::Equal)]
    pub capabilities: CapabilitiesArg,
    /// What a position without a salience means: `drop` the actor from the issue, give it the
    /// issue's mean salience, or salience 50.
    #[arg(long, value_enum, default_value_t = MissingSalienceArg::Drop)]
    pub missing_salience: MissingSalienceArg,
    /// Bootstrap replicates for the 95% intervals (0: none).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub bootstrap: u32,
    /// Master seed of the bootstrap, the ensembles and the stacking folds (recorded in the
    /// output).
    #[arg(long, default_value_t = multivector_ensemble::DEFAULT_SEED)]
    pub seed: u64,
    /// Ensemble draws per issue for the probabilistic scores (CRPS, interval coverage, PIT);
    /// 0 scores the point forecasts only. 1,000 draws take about 150 s on two cores.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub draws: u32,
    /// Standard deviation of the ensemble's draws around each stated position, in points of the
    /// 0-100 scale (DEU declares no uncertainty; 10 is this project's convention).
    #[arg(long, default_value_t = 10.0, value_name = "POINTS")]
    pub position_sd: f64,
    /// Standard deviation of the ensemble's draws around each stated salience (0-100 points).
    #[arg(long, default_value_t = 10.0, value_name = "POINTS")]
    pub salience_sd: f64,
    /// Folds of whole proposals for the stacked forecast's cross-validation.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(2..=1000))]
    pub folds: u32,
    /// Also write a self-contained HTML page: error distributions per model, PIT histograms.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// With --format csv: one row per issue and model instead of the scores (only with csv).
    #[arg(long)]
    pub rows: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CapabilitiesArg {
    Equal,
    CouncilVotes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MissingSalienceArg {
    Drop,
    IssueMean,
    Fifty,
}
