use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Agent-based simulation of labour unrest, underground opposition and state repression.
///
/// Runs the built-in models (the 1928-1929 Soviet industry model and Epstein's 2002
/// civil-violence model) from scenario files, writes their results, and checks them
/// against the historical record.
#[derive(Parser, Debug)]
#[command(name = "perelom", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run one scenario and write its results.
    ///
    /// Without SCENARIO, runs the embedded default. Results (metrics table, further
    /// tables, the resolved scenario and a manifest) go to a new directory under
    /// results/ unless --out names one.
    Run(RunArgs),
    /// List the built-in scenarios.
    Scenarios,
    /// Print every parameter of a scenario with its value and its source or assumption.
    ///
    /// Each citation is a source (the value is from the evidence), a mechanism (the
    /// evidence gives the rule, the value is assumed), an assumption, or uncited (a value
    /// set without a source); the text of each cited fact follows its id. --changed lists
    /// only the differences from the model's baseline.
    Sources(SourcesArgs),
    /// Print Perelom's evidence table: the facts F01-F40 that citations name.
    ///
    /// Each fact is Perelom's paraphrase of Gusev 2008 with the study's footnotes.
    /// With an id, one fact and the parameters that cite it: perelom facts F38
    Facts(FactsArgs),
    /// Print the data dictionary of a model's outputs: each column's meaning, unit and kind.
    ///
    /// The same dictionary is written into every run directory (dictionary.csv) and into
    /// the Parquet files' field metadata. Example: perelom metrics ussr-1928
    Metrics(MetricsArgs),
    /// Run an ensemble and check it against the historical targets (T1-T15 for the 1928-1929 model).
    ///
    /// Prints each target with the ensemble mean, the 90 % interval and hit or MISSED.
    /// Exits non-zero on a missed target only with --strict. For Epstein's model, which
    /// has no targets, prints the share of runs with an outburst and their sizes (the
    /// figures the Epstein scenarios' descriptions quote).
    Validate(ValidateArgs),
    /// Ablation: run the scenario's ensemble with each mechanism group switched off in
    /// turn (every boolean parameter `mechanism.*`) and table which targets move.
    ///
    /// The evidence that each pattern comes from the mechanism the ODD claims. With
    /// --vary KEY (repeatable), a one-at-a-time robustness table instead: each parameter
    /// at ±--by of its value. Examples: perelom ablate --runs 10;
    /// perelom ablate --vary protest.strike --vary recruit.join --by 0.2
    Ablate(AblateArgs),
    /// Compare counterfactual scenarios with a baseline over ensembles on common seeds.
    ///
    /// For each headline outcome: both ensemble means, the mean paired difference with a
    /// 90 % interval, and Cohen's d. Example:
    /// perelom compare ussr-1928-1929 experiments/x1-opposition-leads-strikes.toml
    Compare(CompareArgs),
    /// Run a parameter sweep from a design file, in parallel, resumable after interruption.
    ///
    /// Writes OUT/sweep.parquet (tidy: run, point, replicate, seed, parameter values, step,
    /// date, metrics), OUT/catalogue.csv and one file per run under OUT/runs/. After an
    /// interruption, run the same command with --resume: finished runs are kept.
    Sweep(SweepArgs),
    /// Write a self-contained HTML report of a run, validation, sweep or comparison.
    ///
    /// Writes DIR/report/index.html (charts embedded, no network needed) and the charts as
    /// SVG files beside it.
    Report(ReportArgs),
    /// Morris screening or Sobol' indices of chosen outputs over a sweep design.
    ///
    /// The design file must use design = "morris" (r trajectories = points) or "saltelli"
    /// (N = points, a power of two). Runs the sweep (resumable like `perelom sweep`) and
    /// writes OUT/sensitivity.csv.
    Sensitivity(SensitivityArgs),
    /// Calibrate assumed parameters against the historical targets (T1-T15) by approximate
    /// Bayesian computation (ABC-SMC, or rejection).
    ///
    /// Writes OUT/posterior.csv, OUT/calibration.json (command, date, version, posterior
    /// summaries) and OUT/calibrated.toml (the posterior means, annotated with how they
    /// were obtained), e.g.: perelom calibrate --budget 2000 --out results/calibration
    Calibrate(CalibrateArgs),
    /// Print the monthly political survey in words of a run of the 1928-1929 model.
    Survey(SurveyArgs),
    /// Print a complete scenario file (every parameter, annotated) to edit into your own.
    ///
    /// Example: perelom template ussr-1928-1929 > my-counterfactual.toml
    Template(TemplateArgs),
    /// Serve a web explorer of the models: choose a scenario, set parameters, watch live charts.
    ///
    /// The app is embedded in the binary. Listens on loopback by default; open the printed
    /// address in a browser. Stop with Ctrl-C.
    Serve(ServeArgs),
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; 0.0.0.0 exposes the server to the network).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Runs held at once (1-500); more get "429 Too Many Requests".
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=500))]
    pub max_runs: u64,
    /// Most agents in one run (workers for the 1928-1929 model, grid cells for Epstein).
    #[arg(long, default_value_t = 300_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub max_population: u64,
    /// Seconds after which a run created and never played is dropped (1-86400).
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub unplayed_timeout: u64,
    /// Ensembles running at once (1-64); more get "429 Too Many Requests".
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub max_ensembles: u64,
    /// Most runs (seeds) in one ensemble (1-10000).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub max_ensemble_runs: u64,
}

#[derive(Args, Debug)]
pub struct TemplateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

/// `--threads`, shared by every command that runs models.
#[derive(Args, Debug, Clone, Copy)]
pub struct Threads {
    /// Worker threads (default: all cores). Results are identical for any number.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
}

/// `--scale`, shared by every command that runs the models with a population.
#[derive(Args, Debug, Clone, Copy)]
pub struct Scale {
    /// Share of the full population to model (overrides the model's scale parameter,
    /// population.scale for the 1928-1929 model: 1.0 = about 3 million workers). A model
    /// without a population refuses it.
    #[arg(long)]
    pub scale: Option<f64>,
}

#[derive(Args, Debug)]
pub struct ScenarioArgs {
    /// A built-in scenario name (see `perelom scenarios`) or a scenario file (.toml).
    pub scenario: Option<String>,
    /// Override a parameter, with the same checks as the file: --set citizens.density=0.6
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Random seed (overrides run.seed).
    #[arg(long, value_parser = clap::value_parser!(i64).range(0..))]
    pub seed: Option<i64>,
    /// Number of steps (overrides run.steps).
    #[arg(long)]
    pub steps: Option<u32>,
    #[command(flatten)]
    pub scale: Scale,
    /// Output directory; must not exist unless --force. Default: results/NAME-TIMESTAMP
    /// (with -2, -3, ... if that is taken).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace --out if it is the result of an earlier `perelom run` (never anything else).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub threads: Threads,
    /// Format of the result tables.
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    /// Save the model's complete state at the start of the week holding DATE (YYYY-MM-DD;
    /// a step number for models without dates) into the result directory as
    /// state-DATE.perelom-state (repeatable), to continue or branch from later.
    #[arg(long = "save-state-at", value_name = "DATE")]
    pub save_state_at: Vec<String>,
    /// Continue a run from a state file (`--save-state-at`): unchanged, the rest of the run
    /// is the uninterrupted run's, byte for byte; with --set (or --seed), a branch from that
    /// date. The scenario is the state's own.
    #[arg(long = "from-state", value_name = "FILE", conflicts_with = "scenario")]
    pub from_state: Option<PathBuf>,
    /// No progress or status lines (such as the results folder); warnings and errors
    /// still go to stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct SourcesArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Print as Markdown (for docs) instead of a plain table.
    #[arg(long)]
    pub markdown: bool,
    /// Only the parameters whose value is not from the evidence: assumed, assumed within
    /// a sourced mechanism, or uncited (the guesswork calibration should estimate).
    #[arg(long)]
    pub assumed_only: bool,
    /// Only the values that differ from the model's baseline, each with the baseline's
    /// value and citation and where the new value was set.
    #[arg(long)]
    pub changed: bool,
}

#[derive(Args, Debug)]
pub struct FactsArgs {
    /// A fact id (F01-F40); without one, every fact.
    pub id: Option<String>,
    /// Print the table as Markdown (docs/EVIDENCE.md is this output).
    #[arg(long, conflicts_with = "id")]
    pub markdown: bool,
}

#[derive(Args, Debug)]
pub struct MetricsArgs {
    /// A model (ussr-1928, epstein) or a built-in scenario; without one, every model.
    pub model: Option<String>,
    /// Print as CSV (the dictionary.csv a run writes) instead of a table.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    Csv,
    Parquet,
}

impl From<FormatArg> for perelom_output::Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Csv => perelom_output::Format::Csv,
            FormatArg::Parquet => perelom_output::Format::Parquet,
        }
    }
}

fn parse_shard(s: &str) -> Result<perelom_experiments::sweep::Shard, String> {
    perelom_experiments::sweep::Shard::parse(s)
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x < 1.0 => Ok(x),
        _ => Err(format!("`{s}` is not a fraction between 0 and 1 (exclusive), e.g. 0.2")),
    }
}

#[derive(Args, Debug)]
pub struct AblateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Runs per variant (common seeds run.seed, run.seed+1, ...).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub runs: u32,
    #[command(flatten)]
    pub threads: Threads,
    /// Instead of the switches, vary this numeric parameter one at a time by ±`--by`
    /// (repeatable): the robustness of the targets to the assumed values.
    #[arg(long = "vary", value_name = "KEY")]
    pub vary: Vec<String>,
    /// Relative change for --vary (0.2 = ±20 %).
    #[arg(long, default_value_t = 0.2, value_parser = parse_fraction)]
    pub by: f64,
    #[command(flatten)]
    pub scale: Scale,
    /// Also write ablation.csv (variant, target, mean, single-run hit rate) into this new directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace --out if it exists (only a directory Perelom wrote).
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Number of runs, 1-10000 (seeds run.seed, run.seed+1, ...).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::commands::MAX_RUNS)))]
    pub runs: u32,
    #[command(flatten)]
    pub scale: Scale,
    #[command(flatten)]
    pub threads: Threads,
    /// Also write targets.csv, targets.json and runs.csv into this new directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace --out if it is the result of an earlier `perelom validate` (never anything else).
    #[arg(long)]
    pub force: bool,
    /// Posterior predictive: each run draws its calibrated parameters from this
    /// posterior.csv (written by `perelom calibrate`), weighted, with its own seed.
    #[arg(long)]
    pub posterior: Option<PathBuf>,
    /// Exit with status 1 if any target is missed.
    #[arg(long)]
    pub strict: bool,
    /// No progress bar; the table, warnings and errors still appear.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The baseline: a built-in scenario name or a scenario file.
    pub baseline: String,
    /// One or more counterfactual scenarios (files or built-in names).
    #[arg(required = true)]
    pub experiments: Vec<String>,
    /// Runs per scenario, 2-10000 (seeds run.seed, run.seed+1, ... of the baseline, shared by all).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(2..=i64::from(crate::commands::MAX_RUNS)))]
    pub runs: u32,
    #[command(flatten)]
    pub scale: Scale,
    #[command(flatten)]
    pub threads: Threads,
    /// Also write compare.csv and compare.json into this new directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace --out if it is the result of an earlier `perelom compare` (never anything else).
    #[arg(long)]
    pub force: bool,
    /// Effects over the posterior: run i of every scenario draws the same calibrated
    /// parameters from this posterior.csv (`perelom calibrate`), except those a scenario
    /// itself changes.
    #[arg(long)]
    pub posterior: Option<PathBuf>,
    /// No progress bar; the table, warnings and errors still appear.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// The design file (TOML): [sweep] base, replicates, seed, design, points, metrics, set;
    /// [parameters] "key" = { values = [...] } or { min = .., max = .., steps = .. }.
    #[arg(required_unless_present = "join")]
    pub design: Option<PathBuf>,
    /// Run only shard I of N of the sweep's batches (0 <= I < N), for a cluster's job
    /// array; shards share --out and the last one joins the dataset. Inside a Slurm array
    /// task the shard is read from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT.
    #[arg(long, value_name = "I/N", conflicts_with = "join", value_parser = parse_shard)]
    pub shard: Option<perelom_experiments::sweep::Shard>,
    /// Join the finished runs of the sweep in DIR into sweep.parquet (after shards or
    /// array tasks); refuses while runs are missing.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["design", "sbatch", "out", "resume", "force", "threads"])]
    pub join: Option<PathBuf>,
    /// Print a Slurm job-array script for this sweep (array size, time and memory from a
    /// pilot run of one point) instead of running it. Resubmitting the script resumes.
    #[arg(long, conflicts_with_all = ["shard", "resume", "force", "threads"])]
    pub sbatch: bool,
    #[command(flatten)]
    pub output: SweepOutput,
    #[command(flatten)]
    pub threads: Threads,
    /// No progress bar or status lines; warnings and errors still go to stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Where a sweep's results go, shared by `sweep` and `sensitivity`.
#[derive(Args, Debug, Clone)]
pub struct SweepOutput {
    /// Output directory of the sweep (default: results/DESIGN-NAME).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Continue an interrupted sweep in --out, keeping its finished runs (or reuse a
    /// finished one).
    #[arg(long)]
    pub resume: bool,
    /// Start the sweep in --out over (only if --out is a sweep Perelom wrote; never
    /// anything else).
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A directory written by `perelom run`, `validate --out`, `compare --out` or `sweep`.
    pub dir: PathBuf,
    /// Replace an existing DIR/report (only a report Perelom wrote).
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct SensitivityArgs {
    /// A sweep design file with design = "morris" or "saltelli".
    pub design: PathBuf,
    /// An output as METRIC:STAT, STAT one of sum, mean, final, max (repeatable).
    #[arg(long = "output", required = true, value_name = "METRIC:STAT")]
    pub outputs: Vec<String>,
    #[command(flatten)]
    pub output: SweepOutput,
    #[command(flatten)]
    pub threads: Threads,
    /// Print nothing but the table and errors.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct CalibrateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A parameter to calibrate with its uniform prior, KEY=LOW:HIGH (repeatable; default:
    /// the model's calibrated parameters with the priors of its shipped calibration).
    #[arg(long = "param", value_name = "KEY=LOW:HIGH")]
    pub params: Vec<String>,
    /// smc (sequential Monte Carlo) or rejection.
    #[arg(long, default_value = "smc", value_parser = ["smc", "rejection"])]
    pub method: String,
    /// Total number of simulations, 1-1000000.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub budget: u64,
    /// Particles per generation (smc, 2-100000) or accepted samples (rejection,
    /// 1-100000); at most --budget.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub particles: u64,
    /// Seed of the calibration (each simulation draws its own run seed from it).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[command(flatten)]
    pub scale: Scale,
    #[command(flatten)]
    pub threads: Threads,
    /// Output directory (must not exist unless --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace --out if it is the result of an earlier `perelom calibrate` (never anything else).
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct SurveyArgs {
    /// A directory written by `perelom run` (of the 1928-1929 model).
    pub dir: PathBuf,
}
