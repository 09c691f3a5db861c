//! What a model says about its parameters.

use chrono::NaiveDate;
use std::fmt;

/// The type and valid range of a parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// An integer within `min..=max`.
    Int {
        /// Smallest valid value.
        min: i64,
        /// Largest valid value.
        max: i64,
    },
    /// A finite number within `min..=max`.
    Float {
        /// Smallest valid value.
        min: f64,
        /// Largest valid value.
        max: f64,
    },
    /// `true` or `false`.
    Bool,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// A calendar date, written `1928-09-24` (a TOML date or a string).
    Date {
        /// Earliest valid date.
        min: NaiveDate,
        /// Latest valid date.
        max: NaiveDate,
    },
    /// A list of numbers, each within `min..=max`, of length within `len`.
    Floats {
        /// Smallest valid item.
        min: f64,
        /// Largest valid item.
        max: f64,
        /// Shortest and longest valid length, inclusive.
        len: (usize, usize),
    },
    /// Free text.
    Text,
}

impl Kind {
    /// A person-readable statement of the valid values.
    pub fn describe(&self) -> String {
        match self {
            Kind::Int { min, max } => format!("an integer from {min} to {max}"),
            Kind::Float { min, max } => format!("a number from {} to {}", num(*min), num(*max)),
            Kind::Bool => "true or false".to_string(),
            Kind::Choice(c) => format!("one of {}", c.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ")),
            Kind::Date { min, max } => format!("a date from {min} to {max} (YYYY-MM-DD)"),
            Kind::Floats { min, max, len } => {
                let n = if len.0 == len.1 { format!("exactly {}", len.0) } else { format!("{} to {}", len.0, len.1) };
                format!("a list of {n} numbers, each from {} to {}", num(*min), num(*max))
            }
            Kind::Text => "text".to_string(),
        }
    }

    /// Checks a value of the right type against the range; `Err` says why not.
    pub fn check(&self, v: &Value) -> Result<(), String> {
        let ok = match (self, v) {
            (Kind::Int { min, max }, Value::Int(x)) => (min..=max).contains(&x),
            (Kind::Float { min, max }, Value::Float(x)) => x.is_finite() && *min <= *x && *x <= *max,
            (Kind::Bool, Value::Bool(_)) => true,
            (Kind::Choice(c), Value::Text(s)) => c.contains(&s.as_str()),
            (Kind::Date { min, max }, Value::Date(d)) => (min..=max).contains(&d),
            (Kind::Floats { min, max, len }, Value::Floats(xs)) => {
                if xs.len() < len.0 || xs.len() > len.1 {
                    return Err(format!("the list has {} numbers", xs.len()));
                }
                if let Some((i, x)) = xs.iter().enumerate().find(|(_, x)| !(x.is_finite() && *min <= **x && **x <= *max)) {
                    return Err(format!("item {} is {}", i + 1, num(*x)));
                }
                true
            }
            (Kind::Text, Value::Text(_)) => true,
            _ => return Err(format!("expected {}, found {}", self.type_name(), v.type_name())),
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{v} is out of range"))
        }
    }

    /// The expected type in words, for error messages ("an integer", "a list of numbers").
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Int { .. } => "an integer",
            Kind::Float { .. } => "a number",
            Kind::Bool => "true or false",
            Kind::Choice(_) => "a word in quotes",
            Kind::Date { .. } => "a date",
            Kind::Floats { .. } => "a list of numbers",
            Kind::Text => "text in quotes",
        }
    }
}

fn num(x: f64) -> String {
    if x == f64::MAX {
        "any".into()
    } else {
        format!("{x}")
    }
}

/// A parameter value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An integer.
    Int(i64),
    /// A number.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A word of a choice, or free text.
    Text(String),
    /// A calendar date.
    Date(NaiveDate),
    /// A list of numbers.
    Floats(Vec<f64>),
    /// A dated event switched off: it does not happen in the run. Written `"off"`; only
    /// parameters the schema declares as dated events ([`ParamSpec::event`]) take it.
    Off,
}

impl Value {
    /// The value's type in words, for error messages ("an integer", "a list").
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Text(_) => "text",
            Value::Date(_) => "a date",
            Value::Floats(_) => "a list",
            Value::Off => "\"off\"",
        }
    }

    /// The value as a TOML literal.
    pub fn to_toml(&self) -> String {
        match self {
            Value::Text(s) => crate::parse::toml_string(s),
            Value::Off => "\"off\"".to_string(),
            Value::Date(d) => d.to_string(),
            Value::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.1}"),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(x) => write!(f, "{x}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Bool(x) => write!(f, "{x}"),
            Value::Text(s) => write!(f, "{s}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::Floats(xs) => {
                write!(f, "[")?;
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{x}")?;
                }
                write!(f, "]")
            }
            Value::Off => write!(f, "off"),
        }
    }
}

/// Where a number comes from: evidence, an assumption with its reason, or nothing.
///
/// Three kinds are stated by whoever wrote the value:
///
/// * [`Cite::Source`]: the value itself is in the evidence ("F03: about 8,000").
/// * [`Cite::Mechanism`]: the evidence gives the mechanism the parameter belongs to, but
///   not the number, which is assumed ("F05: many moved down" + "share assumed").
/// * [`Cite::Assumed`]: neither; the text says why this value.
///
/// The fourth, [`Cite::Uncited`], is what a value gets when it is set (in a scenario
/// file, by `--set`, by a sweep, ...) to a number its parameter's citation was not
/// written for, without a citation of its own: an old citation never passes to a new
/// value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cite {
    /// The value is from the evidence: a fact id of Perelom's evidence table
    /// (`docs/EVIDENCE.md`, "F10") or a reference with page.
    Source(String),
    /// The mechanism is from the evidence (`mechanism`), the value is assumed (`assumed`
    /// says why this value).
    Mechanism {
        /// The evidence for the mechanism (fact ids, references).
        mechanism: String,
        /// Why this value.
        assumed: String,
    },
    /// Not from evidence; the text says why this value.
    Assumed(String),
    /// Set without a citation to a value its parameter's citation does not cover.
    Uncited,
}

impl Cite {
    /// A [`Cite::Source`] citing `s`.
    pub fn source(s: &str) -> Self {
        Cite::Source(s.to_string())
    }
    /// A [`Cite::Assumed`] with the reason `s`.
    pub fn assumed(s: &str) -> Self {
        Cite::Assumed(s.to_string())
    }
    /// The evidence gives the mechanism, the value is assumed for the reason given.
    pub fn mechanism(mechanism: &str, assumed: &str) -> Self {
        Cite::Mechanism { mechanism: mechanism.to_string(), assumed: assumed.to_string() }
    }

    /// Whether the value itself comes from the evidence.
    pub fn is_evidence(&self) -> bool {
        matches!(self, Cite::Source(_))
    }

    /// Whether the value is not from the evidence (assumed, assumed within a sourced
    /// mechanism, or uncited): what calibration should estimate.
    pub fn is_assumed(&self) -> bool {
        !self.is_evidence()
    }

    /// One word for the kind: `source`, `mechanism`, `assumed` or `uncited`.
    pub fn kind(&self) -> &'static str {
        match self {
            Cite::Source(_) => "source",
            Cite::Mechanism { .. } => "mechanism",
            Cite::Assumed(_) => "assumed",
            Cite::Uncited => "uncited",
        }
    }

    /// The citation in one line: the source, the reason, or `mechanism; value assumed: reason`.
    pub fn text(&self) -> String {
        match self {
            Cite::Source(s) | Cite::Assumed(s) => s.clone(),
            Cite::Mechanism { mechanism, assumed } => format!("{mechanism}; value assumed: {assumed}"),
            Cite::Uncited => "no source given".to_string(),
        }
    }

    /// The texts that may cite evidence (source and mechanism), for finding fact ids.
    pub fn evidence_text(&self) -> &str {
        match self {
            Cite::Source(s) => s,
            Cite::Mechanism { mechanism, .. } => mechanism,
            Cite::Assumed(s) => s,
            Cite::Uncited => "",
        }
    }

    /// The annotation keys of a scenario file that state this citation, e.g.
    /// `source = "F10"` or `mechanism = "F05", assumed = "share assumed"`; empty for
    /// [`Cite::Uncited`].
    pub fn to_toml_keys(&self) -> String {
        let q = crate::parse::toml_string;
        match self {
            Cite::Source(s) => format!("source = {}", q(s)),
            Cite::Mechanism { mechanism, assumed } => format!("mechanism = {}, assumed = {}", q(mechanism), q(assumed)),
            Cite::Assumed(s) => format!("assumed = {}", q(s)),
            Cite::Uncited => String::new(),
        }
    }
}

/// How a date parameter relates to the run's calendar, declared in the schema so that
/// every command can tell a dated event that falls outside the run (a typo of 1992 for
/// 1929 means "never") from one that falls inside it.
///
/// A dated event may be switched off with the value `"off"` (in a file,
/// `escalation = { value = "off", assumed = "..." }`; on the command line,
/// `--set ogpu.escalation=off`); models read it with [`crate::Scenario::event_date`],
/// which gives `None` for an event switched off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatedEvent {
    /// Happens once, on its date, which should lie inside the run: a date before the run
    /// starts (it has already happened) or after it ends (it never happens) is warned
    /// about.
    Occurs,
    /// A change in force from its date on, which may lie before the run starts (then it
    /// is in force from the first step): only a date after the run ends is warned about.
    InForceFrom,
}

/// One parameter as a model declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSpec {
    /// Dotted key, the first part naming its group: `citizens.density`.
    pub key: &'static str,
    /// Type and valid range.
    pub kind: Kind,
    /// The baseline's value. For a parameter that [`ParamSpec::follows`] another, the
    /// value it takes when that one has its default too.
    pub default: Value,
    /// What the parameter means, in one line.
    pub doc: &'static str,
    /// Evidence for the default value.
    pub cite: Cite,
    /// For a date parameter that is a dated event of the model: what kind of event (see
    /// [`DatedEvent`]). `None` for every other parameter (including a run's start date).
    pub event: Option<DatedEvent>,
    /// When set, the default is "unchanged": the resolved value of this other parameter
    /// (of the same kind), whatever a scenario sets it to, unless this one is set itself.
    pub follows: Option<&'static str>,
}

impl ParamSpec {
    /// A parameter `key` of `kind` with baseline value `default`, meaning `doc`, whose
    /// default is cited by `cite`; not a dated event, following nothing. Debug builds
    /// panic if `default` is invalid for `kind` (a programming error).
    pub fn new(key: &'static str, kind: Kind, default: Value, doc: &'static str, cite: Cite) -> Self {
        debug_assert!(kind.check(&default).is_ok() || default == Value::Off, "default of {key} invalid");
        ParamSpec { key, kind, default, doc, cite, event: None, follows: None }
    }

    /// Declares a date parameter a dated event of the model: it may be switched off
    /// (`"off"`), and commands warn when its date lies outside the run.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use perelom_scenario::{Cite, DatedEvent, Kind, ParamSpec, Value};
    /// let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    /// let spec = ParamSpec::new(
    ///     "ogpu.escalation",
    ///     Kind::Date { min: d("1900-01-01"), max: d("2000-12-31") },
    ///     Value::Date(d("1928-09-24")),
    ///     "date of the repression escalation",
    ///     Cite::source("F38"),
    /// )
    /// .event(DatedEvent::Occurs);
    /// assert!(spec.check(&Value::Off).is_ok());
    /// ```
    pub fn event(mut self, role: DatedEvent) -> Self {
        debug_assert!(matches!(self.kind, Kind::Date { .. }), "{} is not a date, so not a dated event", self.key);
        self.event = Some(role);
        self
    }

    /// Checks a value of the right type against the range; `Err` says why not. A dated
    /// event also takes [`Value::Off`].
    pub fn check(&self, v: &Value) -> Result<(), String> {
        match (v, self.event) {
            (Value::Off, Some(_)) => Ok(()),
            (Value::Off, None) => Err(format!("`{}` cannot be switched off (\"off\" is only for dated events)", self.key)),
            _ => self.kind.check(v),
        }
    }

    /// A person-readable statement of the valid values, with `"off"` for a dated event.
    pub fn describe(&self) -> String {
        match self.event {
            Some(_) => format!("{}, or \"off\" (the event does not happen)", self.kind.describe()),
            None => self.kind.describe(),
        }
    }

    /// Makes the default "the same as `other`": e.g. a final value that, unless a
    /// scenario sets it, equals the initial one, whatever that is.
    pub fn following(mut self, other: &'static str) -> Self {
        self.follows = Some(other);
        self
    }

    /// The group (first part of the key), used to arrange parameters for people.
    pub fn group(&self) -> &str {
        self.key.split('.').next().unwrap_or(self.key)
    }

    /// The baseline's value in words: the value, or "same as KEY".
    pub fn baseline_text(&self) -> String {
        match self.follows {
            Some(other) => format!("same as {other}"),
            None => self.default.to_string(),
        }
    }
}

/// Where a resolved value was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The schema's default.
    Default,
    /// The scenario file, at line and column.
    File {
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
    },
    /// Outside any file: `by` names where (`--set`, `--seed`, `sweep design point 3`,
    /// `perelom calibrate`, `web explorer`).
    Override {
        /// Where the value was set.
        by: String,
    },
}

impl Origin {
    /// `--set` and the like.
    pub fn by(what: &str) -> Self {
        Origin::Override { by: what.to_string() }
    }

    /// Where, in words, with `file` the scenario's file: `default`, `mine.toml:6:1`,
    /// `--set`.
    pub fn describe(&self, file: &str) -> String {
        match self {
            Origin::Default => "default".to_string(),
            Origin::File { line, column } => format!("{file}:{line}:{column}"),
            Origin::Override { by } => by.clone(),
        }
    }
}

/// A parameter resolved for a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The parameter as the model declares it.
    pub spec: ParamSpec,
    /// The resolved value.
    pub value: Value,
    /// Evidence for the resolved value.
    pub cite: Cite,
    /// Where the value was set.
    pub origin: Origin,
}

impl Param {
    /// Whether the value still follows another parameter (see [`ParamSpec::follows`]).
    pub fn is_following(&self) -> bool {
        self.spec.follows.is_some() && self.origin == Origin::Default
    }
}
