//! The model's parameters: the schema scenario files are checked against, and the
//! resolved, cross-checked values a run uses.

use super::rules::{ArrestRatio, CopSchedule, Legitimacy};
use perelom_engine::schedule::Activation;
use perelom_engine::space::Neighbourhood;
use perelom_scenario::{Cite, Kind, ParamSpec, Scenario, ScenarioError, Value};

const NEIGHBOURHOODS: &[&str] = &["von-neumann", "moore", "euclidean"];
const ACTIVATIONS: &[&str] = &["random-sequential", "synchronous-parallel"];

const MESA: &str = "Mesa 3.3.1, examples/advanced/epstein_civil_violence";

/// Every parameter of the model, with range, default, meaning and source.
pub fn schema() -> Vec<ParamSpec> {
    use Kind::{Bool, Choice, Float, Int};
    let int = |min, max| Int { min, max };
    let unit = Float { min: 0.0, max: 1.0 };
    let src = |s: &str| Cite::source(s);
    vec![
        ParamSpec::new("run.seed", int(0, i64::MAX), Value::Int(1), "seed of every random stream of the run", Cite::assumed("any seed; a run is reproducible from its seed")),
        ParamSpec::new("run.steps", int(1, 1_000_000), Value::Int(1000), "number of steps to run", src(&format!("{MESA}, model.py: max_iters = 1000"))),
        ParamSpec::new("grid.width", int(1, 10_000), Value::Int(40), "grid width in cells", src(&format!("Epstein 2002, Model I: 40 x 40 torus; {MESA}: width = 40"))),
        ParamSpec::new("grid.height", int(1, 10_000), Value::Int(40), "grid height in cells", src(&format!("Epstein 2002, Model I: 40 x 40 torus; {MESA}: height = 40"))),
        ParamSpec::new("grid.torus", Bool, Value::Bool(true), "whether the grid wraps around at its edges", src(&format!("Epstein 2002, Model I: torus; {MESA}: torus=True"))),
        ParamSpec::new(
            "grid.neighbourhood",
            Choice(NEIGHBOURHOODS),
            Value::Text("von-neumann".into()),
            "shape of vision: von-neumann (|dx|+|dy| <= v), moore (max(|dx|,|dy|) <= v) or euclidean (dx²+dy² <= v², NetLogo's in-radius)",
            src(&format!("{MESA}: OrthogonalVonNeumannGrid, get_neighborhood(radius=vision)")),
        ),
        ParamSpec::new("citizens.density", unit.clone(), Value::Float(0.7), "probability that a cell starts with a citizen", src(&format!("{MESA}: citizen_density = 0.7"))),
        ParamSpec::new("citizens.vision", int(1, 50), Value::Int(7), "how far citizens see, in cells", src(&format!("{MESA}: citizen_vision = 7"))),
        ParamSpec::new(
            "citizens.threshold",
            Float { min: -1.0, max: 1.0 },
            Value::Float(0.1),
            "T: a citizen is active iff grievance - net risk > T",
            src(&format!("Epstein 2002, Model I: T = 0.1; {MESA}: active_threshold = 0.1")),
        ),
        ParamSpec::new("citizens.movement", Bool, Value::Bool(true), "whether citizens move to a random empty cell in vision (rule M)", src(&format!("{MESA}: movement = True"))),
        ParamSpec::new("cops.density", unit.clone(), Value::Float(0.074), "probability that a cell starts with a cop (a share of all cells, drawn after citizens)", src(&format!("{MESA}: cop_density = 0.074"))),
        ParamSpec::new("cops.vision", int(1, 50), Value::Int(7), "how far cops see, in cells", src(&format!("{MESA}: cop_vision = 7"))),
        ParamSpec::new("cops.movement", Bool, Value::Bool(true), "whether cops move to a random empty cell in vision (rule M)", src(&format!("{MESA}: movement = True (one flag for both kinds)"))),
        ParamSpec::new(
            "cops.schedule",
            Choice(CopSchedule::WORDS),
            Value::Text("constant".into()),
            "constant cop numbers; a jump to cops.final_density at cops.at_step; or a linear change to it from cops.at_step over cops.over_steps steps (cops placed at the start scaled by final_density / density)",
            Cite::assumed("baseline run without changes in cop numbers"),
        ),
        ParamSpec::new(
            "cops.final_density",
            unit.clone(),
            Value::Float(0.074),
            "cop density after the jump or at the end of the linear change; unless set, the same as cops.density (no change)",
            Cite::assumed("unchanged: the same as cops.density unless a scenario sets it"),
        )
        .following("cops.density"),
        ParamSpec::new("cops.at_step", int(0, 1_000_000), Value::Int(100), "step at whose start cop numbers begin to change (cops.schedule = \"jump\" or \"linear\")", Cite::assumed("after the initial transient; used only with a jump or linear schedule")),
        ParamSpec::new("cops.over_steps", int(1, 1_000_000), Value::Int(100), "steps the linear change of cop numbers takes (1 = a jump)", Cite::assumed("a gradual change, as legitimacy.over_steps; used only with a linear schedule")),
        ParamSpec::new(
            "arrest.k",
            Float { min: 0.0, max: 100.0 },
            Value::Float(2.3),
            "k in P = 1 - exp(-k ratio(C/A)); 2.3 makes P about 0.9 with one cop and one active",
            src(&format!("Epstein 2002, Model I: k = 2.3; {MESA}: arrest_prob_constant = 2.3")),
        ),
        ParamSpec::new(
            "arrest.ratio",
            Choice(ArrestRatio::WORDS),
            Value::Text("round".into()),
            "how C/A enters P: literal (as printed in Epstein 2002), floor (NetLogo) or round half to even (Mesa)",
            src(&format!("{MESA}, agents.py: round(cops_in_vision / actives_in_vision)")),
        ),
        ParamSpec::new(
            "jail.max_term",
            int(0, 1_000_000),
            Value::Int(1000),
            "J_max: an arrested citizen is jailed for a whole number of steps drawn uniformly from 0..=J_max",
            src(&format!("{MESA}: max_jail_term = 1000 (Epstein 2002's runs use their own, shorter J_max)")),
        ),
        ParamSpec::new("legitimacy.initial", unit.clone(), Value::Float(0.8), "L, regime legitimacy as all citizens perceive it, at the start", src(&format!("{MESA}: legitimacy = 0.8"))),
        ParamSpec::new(
            "legitimacy.schedule",
            Choice(Legitimacy::WORDS),
            Value::Text("constant".into()),
            "constant; jump to legitimacy.final at legitimacy.at_step; or linear decline from legitimacy.at_step over legitimacy.over_steps",
            Cite::assumed("baseline run without legitimacy shocks"),
        ),
        ParamSpec::new(
            "legitimacy.final",
            unit,
            Value::Float(0.8),
            "legitimacy after the jump or at the end of the linear change; unless set, the same as legitimacy.initial (no change)",
            Cite::assumed("unchanged: the same as legitimacy.initial unless a scenario sets it"),
        )
        .following("legitimacy.initial"),
        ParamSpec::new("legitimacy.at_step", int(0, 1_000_000), Value::Int(100), "step from which legitimacy changes", Cite::assumed("after the initial transient; used only with a jump or linear schedule")),
        ParamSpec::new("legitimacy.over_steps", int(1, 1_000_000), Value::Int(100), "steps the linear change takes (1 = a jump)", Cite::assumed("a gradual change, as Epstein 2002's decline in small increments")),
        ParamSpec::new(
            "activation.kind",
            Choice(ACTIVATIONS),
            Value::Text("random-sequential".into()),
            "random-sequential (a new random order each step; each agent sees the moves before it) or synchronous-parallel (all decide from one snapshot)",
            src(&format!("Epstein 2002; {MESA}: agents.shuffle_do(\"step\")")),
        ),
        ParamSpec::new(
            "outburst.threshold",
            int(0, 100_000_000),
            Value::Int(50),
            "an outburst is a run of steps with more than this many active citizens",
            src("Epstein 2002, Model I: waiting times between outbursts of more than 50 actives"),
        ),
    ]
}

/// The parameters of a run, resolved and checked against each other.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// `run.seed`: seed of every random stream of the run.
    pub seed: u64,
    /// `run.steps`: number of steps to run (1–1000000).
    pub steps: u32,
    /// `grid.width`: grid width in cells (1–10000).
    pub width: u32,
    /// `grid.height`: grid height in cells (1–10000).
    pub height: u32,
    /// `grid.torus`: whether the grid wraps around at its edges.
    pub torus: bool,
    /// `grid.neighbourhood`: shape of vision (von Neumann, Moore or Euclidean).
    pub neighbourhood: Neighbourhood,
    /// `citizens.density`: probability that a cell starts with a citizen (0–1).
    pub citizen_density: f64,
    /// `citizens.vision`: how far citizens see, in cells (1–50).
    pub citizen_vision: u32,
    /// `citizens.threshold`: T; a citizen is active iff grievance − net risk > T (−1 to 1).
    pub threshold: f64,
    /// `citizens.movement`: whether citizens move to a random empty cell in vision (rule M).
    pub citizens_move: bool,
    /// `cops.density`: probability that a cell starts with a cop (0–1; with
    /// `citizens.density`, at most 1).
    pub cop_density: f64,
    /// `cops.vision`: how far cops see, in cells (1–50).
    pub cop_vision: u32,
    /// `cops.movement`: whether cops move to a random empty cell in vision (rule M).
    pub cops_move: bool,
    /// `cops.schedule` with `cops.final_density`, `cops.at_step` and `cops.over_steps`: how
    /// cop numbers change.
    pub cops: CopSchedule,
    /// `arrest.k`: k in P = 1 − exp(−k · ratio(C/A)) (0–100).
    pub k: f64,
    /// `arrest.ratio`: how C/A enters the arrest probability.
    pub ratio: ArrestRatio,
    /// `jail.max_term`: J_max; jail terms are drawn uniformly from 0..=J_max steps.
    pub max_term: u32,
    /// `legitimacy.schedule` with `legitimacy.initial`, `.final`, `.at_step` and
    /// `.over_steps`: L over the run.
    pub legitimacy: Legitimacy,
    /// `activation.kind`: random-sequential or synchronous-parallel activation.
    pub activation: Activation,
    /// `outburst.threshold`: an outburst is a run of steps with more than this many active
    /// citizens.
    pub outburst_threshold: u32,
}

impl Params {
    /// Reads the parameters of `s` and checks them against each other. Errors: citizen
    /// and cop densities above 1 in sum, a schedule whose change would start after the
    /// run ends, or an unknown word for a choice.
    pub fn from_scenario(s: &Scenario) -> Result<Self, ScenarioError> {
        let err = |msg: String, help: String| ScenarioError::new(&s.file, None, msg).with_help(help);
        // The schema bounds every integer, so these conversions only fail on a schema
        // bug; report it rather than panic.
        let u32_of = |key: &str| {
            u32::try_from(s.int(key)).map_err(|_| err(format!("`{key}` = {} does not fit", s.int(key)), "use a smaller value".into()))
        };
        let choice = |key: &str| -> Result<String, ScenarioError> { Ok(s.text(key).to_string()) };
        let bad_word =
            |key: &str, word: &str, words: &[&str]| err(format!("unknown `{key}` \"{word}\""), format!("one of {}", words.join(", ")));

        let neighbourhood = match choice("grid.neighbourhood")?.as_str() {
            "von-neumann" => Neighbourhood::VonNeumann,
            "moore" => Neighbourhood::Moore,
            "euclidean" => Neighbourhood::Euclidean,
            w => return Err(bad_word("grid.neighbourhood", w, NEIGHBOURHOODS)),
        };
        let ratio_word = choice("arrest.ratio")?;
        let ratio = ArrestRatio::from_word(&ratio_word).ok_or_else(|| bad_word("arrest.ratio", &ratio_word, ArrestRatio::WORDS))?;
        let activation = match choice("activation.kind")?.as_str() {
            "random-sequential" => Activation::RandomSequential,
            "synchronous-parallel" => Activation::SynchronousParallel,
            w => return Err(bad_word("activation.kind", w, ACTIVATIONS)),
        };
        let steps = u32_of("run.steps")?;

        let (l0, l1) = (s.float("legitimacy.initial"), s.float("legitimacy.final"));
        let l_at = u32_of("legitimacy.at_step")?;
        let legitimacy = match choice("legitimacy.schedule")?.as_str() {
            "constant" => Legitimacy::Constant(l0),
            "jump" => Legitimacy::Jump { initial: l0, last: l1, at: l_at },
            "linear" => Legitimacy::Linear { initial: l0, last: l1, at: l_at, over: u32_of("legitimacy.over_steps")? },
            w => return Err(bad_word("legitimacy.schedule", w, Legitimacy::WORDS)),
        };
        if !matches!(legitimacy, Legitimacy::Constant(_)) && l_at >= steps {
            return Err(err(
                format!(
                    "legitimacy.at_step = {l_at} is not before the end of the run (run.steps = {steps}), so legitimacy would never change"
                ),
                format!("set legitimacy.at_step below {steps}, raise run.steps, or set legitimacy.schedule = \"constant\""),
            ));
        }

        let citizen_density = s.float("citizens.density");
        let cop_density = s.float("cops.density");
        const SLACK: f64 = 1e-9;
        if citizen_density + cop_density > 1.0 + SLACK {
            return Err(err(
                format!("citizens.density + cops.density = {} exceeds 1: a cell holds at most one agent", citizen_density + cop_density),
                format!("lower one of them, e.g. cops.density = {:.3} (Mesa raises the same error)", (1.0 - citizen_density).max(0.0)),
            ));
        }
        let c_at = u32_of("cops.at_step")?;
        let schedule = choice("cops.schedule")?;
        let cops = if schedule == "constant" {
            CopSchedule::Constant
        } else {
            let last = s.float("cops.final_density");
            if citizen_density + last > 1.0 + SLACK {
                return Err(err(
                    format!("citizens.density + cops.final_density = {} exceeds 1: the cops would not fit", citizen_density + last),
                    format!("set cops.final_density to at most {:.3}", (1.0 - citizen_density).max(0.0)),
                ));
            }
            if c_at >= steps {
                return Err(err(
                    format!(
                        "cops.at_step = {c_at} is not before the end of the run (run.steps = {steps}), so cop numbers would never change"
                    ),
                    format!("set cops.at_step below {steps}, raise run.steps, or set cops.schedule = \"constant\""),
                ));
            }
            match schedule.as_str() {
                "jump" => CopSchedule::Jump { initial: cop_density, last, at: c_at },
                "linear" => CopSchedule::Linear { initial: cop_density, last, at: c_at, over: u32_of("cops.over_steps")? },
                w => return Err(bad_word("cops.schedule", w, CopSchedule::WORDS)),
            }
        };

        Ok(Params {
            seed: s.int("run.seed").unsigned_abs(),
            steps,
            width: u32_of("grid.width")?,
            height: u32_of("grid.height")?,
            torus: s.bool("grid.torus"),
            neighbourhood,
            citizen_density,
            citizen_vision: u32_of("citizens.vision")?,
            threshold: s.float("citizens.threshold"),
            citizens_move: s.bool("citizens.movement"),
            cop_density,
            cop_vision: u32_of("cops.vision")?,
            cops_move: s.bool("cops.movement"),
            cops,
            k: s.float("arrest.k"),
            ratio,
            max_term: u32_of("jail.max_term")?,
            legitimacy,
            activation,
            outburst_threshold: u32_of("outburst.threshold")?,
        })
    }
}
