//! Reading scenario text into a resolved [`Scenario`].

use crate::error::{line_col, ScenarioError, ScenarioWarning};
use crate::schema::{Cite, DatedEvent, Kind, Origin, Param, ParamSpec, Value};
use chrono::NaiveDate;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// The `[scenario]` section: which model, and what the scenario is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioMeta {
    /// `scenario.model`: the model's registry name (`epstein`, `ussr-1928`).
    pub model: String,
    /// `scenario.name`: a title for people; empty when not given.
    pub name: String,
    /// `scenario.description`: what the scenario is; empty when not given.
    pub description: String,
    /// `scenario.branch_at`: for a counterfactual experiment, the date from which it
    /// departs from the baseline (`perelom compare` runs the shared history once and
    /// branches every experiment from it); `None` when not given.
    pub branch_at: Option<NaiveDate>,
    /// Where `branch_at` is written (line, column), for errors about its date.
    pub branch_at_position: Option<(usize, usize)>,
}

/// A scenario with every parameter of its model's schema resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The file it came from, as the user named it.
    pub file: String,
    /// The `[scenario]` section.
    pub meta: ScenarioMeta,
    /// In schema order.
    pub params: Vec<Param>,
}

const META_KEYS: &[&str] = &["model", "name", "description", "branch_at"];
const MECHANISM_HELP: &str =
    "source says the evidence gives the value itself; mechanism (with assumed) says it gives only the rule, and the value is assumed";
const LEAF_KEYS: &[&str] = &["value", "source", "mechanism", "assumed", "note"];

/// Parses scenario `text` read from `file`. `schema_for(model)` gives the parameters of
/// a model; `models` lists the known model names for suggestions.
pub fn parse(
    file: &str,
    text: &str,
    schema_for: &dyn Fn(&str) -> Option<Vec<ParamSpec>>,
    models: &[&str],
) -> Result<Scenario, ScenarioError> {
    let at = |span: std::ops::Range<usize>| Some(line_col(text, span.start));
    let doc = DeTable::parse(text).map_err(|e| {
        let pos = e.span().map(|s| line_col(text, s.start));
        ScenarioError::new(file, pos, format!("invalid TOML: {}", e.message().trim()))
    })?;
    let doc = doc.into_inner();

    // The [scenario] section comes first: it says which schema checks the rest.
    let meta_entry = doc.iter().find(|(k, _)| k.get_ref() == "scenario");
    let Some((_, meta_value)) = meta_entry else {
        return Err(ScenarioError::new(file, Some((1, 1)), "missing [scenario] section")
            .with_help(format!("start the file with:\n    [scenario]\n    model = \"{}\"", models.first().copied().unwrap_or("..."))));
    };
    let DeValue::Table(meta_table) = meta_value.get_ref() else {
        return Err(ScenarioError::new(file, at(meta_value.span()), "`scenario` must be a table"));
    };
    let mut meta =
        ScenarioMeta { model: String::new(), name: String::new(), description: String::new(), branch_at: None, branch_at_position: None };
    for (k, v) in meta_table.iter() {
        if k.get_ref() == "branch_at" {
            // A date, bare (1928-09-24) or quoted.
            let text = match v.get_ref() {
                DeValue::Datetime(d) => d.to_string(),
                DeValue::String(s) => s.to_string(),
                _ => String::new(),
            };
            let date = parse_date(&text).map_err(|_| {
                ScenarioError::new(file, at(v.span()), "scenario.branch_at must be a date").with_help("for example: branch_at = 1928-09-24")
            })?;
            meta.branch_at = Some(date);
            meta.branch_at_position = at(v.span());
            continue;
        }
        let known = META_KEYS.contains(&k.get_ref().as_ref());
        let s = match v.get_ref() {
            DeValue::String(s) => s,
            DeValue::Table(_) if !known => {
                return Err(ScenarioError::new(file, at(k.span()), format!("`{}` is not a key of [scenario]", k.get_ref())).with_help(
                    format!("a dotted key after [scenario] belongs to it; put parameters under their own section, e.g. [{}]", k.get_ref()),
                ));
            }
            _ if known => return Err(ScenarioError::new(file, at(v.span()), format!("scenario.{} must be text in quotes", k.get_ref()))),
            _ => &std::borrow::Cow::Borrowed(""),
        };
        match k.get_ref().as_ref() {
            "model" => meta.model = s.to_string(),
            "name" => meta.name = s.to_string(),
            "description" => meta.description = s.to_string(),
            other => {
                let mut e = ScenarioError::new(file, at(k.span()), format!("unknown key `scenario.{other}`"));
                e = e.with_help(
                    suggest(other, META_KEYS.iter().copied())
                        .map_or_else(|| format!("[scenario] takes {}", META_KEYS.join(", ")), |s| format!("did you mean `{s}`?")),
                );
                return Err(e);
            }
        }
    }
    let model_span = meta_table.iter().find(|(k, _)| k.get_ref() == "model").map(|(_, v)| v.span());
    let Some(model_span) = model_span else {
        return Err(ScenarioError::new(file, at(meta_value.span()), "[scenario] does not name its model")
            .with_help(format!("add `model = \"...\"`, one of: {}", models.join(", "))));
    };
    let Some(schema) = schema_for(&meta.model) else {
        let suggestion = suggest(&meta.model, models.iter().copied());
        let help = suggestion.map_or_else(
            || format!("known models: {}", models.join(", ")),
            |s| format!("did you mean \"{s}\"? known models: {}", models.join(", ")),
        );
        let e = ScenarioError::new(file, at(model_span), format!("unknown model \"{}\"", meta.model))
            .with_help(help)
            .with_valid(format!("one of {}", models.join(", ")));
        return Err(match suggestion {
            Some(s) => e.with_suggestion(s),
            None => e,
        });
    };

    let mut params: Vec<Param> = schema
        .into_iter()
        .map(|spec| Param { value: spec.default.clone(), cite: spec.cite.clone(), origin: Origin::Default, spec })
        .collect();

    let mut ctx = Walk { file, text, params: &mut params };
    for (k, v) in doc.iter() {
        if k.get_ref() == "scenario" {
            continue;
        }
        ctx.entry(k.get_ref(), k, v)?;
    }
    resolve_followers(&mut params);

    Ok(Scenario { file: file.to_string(), meta, params })
}

struct Walk<'a> {
    file: &'a str,
    text: &'a str,
    params: &'a mut Vec<Param>,
}

impl Walk<'_> {
    fn pos(&self, span: std::ops::Range<usize>) -> Option<(usize, usize)> {
        Some(line_col(self.text, span.start))
    }

    fn entry(&mut self, key: &str, key_node: &Spanned<std::borrow::Cow<'_, str>>, v: &Spanned<DeValue<'_>>) -> Result<(), ScenarioError> {
        let is_param = self.params.iter().any(|p| p.spec.key == key);
        match v.get_ref() {
            DeValue::Table(t) if !is_param || t.iter().any(|(k, _)| k.get_ref() == "value") => {
                if t.iter().any(|(k, _)| k.get_ref() == "value") {
                    return self.annotated(key, key_node, t, v);
                }
                if t.is_empty() && !self.params.iter().any(|p| p.spec.key.starts_with(&format!("{key}."))) {
                    return Err(self.unknown(key, key_node.span()));
                }
                for (k, child) in t.iter() {
                    self.entry(&format!("{key}.{}", k.get_ref()), k, child)?;
                }
                Ok(())
            }
            DeValue::Table(t) => self.annotated(key, key_node, t, v),
            _ => self.leaf(key, key_node.span(), v, None),
        }
    }

    fn annotated(
        &mut self,
        key: &str,
        key_node: &Spanned<std::borrow::Cow<'_, str>>,
        t: &DeTable<'_>,
        whole: &Spanned<DeValue<'_>>,
    ) -> Result<(), ScenarioError> {
        let mut value = None;
        // Each citation key with the span of its name, in the order written.
        let mut source: Option<(String, std::ops::Range<usize>)> = None;
        let mut mechanism: Option<(String, std::ops::Range<usize>)> = None;
        let mut assumed: Option<(String, std::ops::Range<usize>)> = None;
        for (k, child) in t.iter() {
            let name = k.get_ref().as_ref();
            match name {
                "value" => value = Some(child),
                "source" | "mechanism" | "assumed" | "note" => {
                    let DeValue::String(s) = child.get_ref() else {
                        return Err(ScenarioError::new(
                            self.file,
                            self.pos(child.span()),
                            format!("`{key}.{name}` must be text in quotes"),
                        ));
                    };
                    if s.trim().is_empty() && name != "note" {
                        return Err(ScenarioError::new(self.file, self.pos(child.span()), format!("`{key}.{name}` is empty")).with_help(
                            "say where the number comes from (a fact id such as \"F10\", or a reference with page), or why it is assumed",
                        ));
                    }
                    let both = |a: &str, b: &str, help: &str| {
                        ScenarioError::new(self.file, self.pos(k.span()), format!("`{key}` has both `{a}` and `{b}`")).with_help(help)
                    };
                    match name {
                        "source" if assumed.is_some() => {
                            return Err(both(
                                "assumed",
                                "source",
                                "a value is either evidence (source) or an assumption (assumed), not both",
                            ))
                        }
                        "source" if mechanism.is_some() => return Err(both("mechanism", "source", MECHANISM_HELP)),
                        "assumed" if source.is_some() => {
                            return Err(both(
                                "source",
                                "assumed",
                                "a value is either evidence (source) or an assumption (assumed), not both",
                            ))
                        }
                        "mechanism" if source.is_some() => return Err(both("source", "mechanism", MECHANISM_HELP)),
                        _ => {}
                    }
                    let slot = match name {
                        "source" => &mut source,
                        "mechanism" => &mut mechanism,
                        "assumed" => &mut assumed,
                        _ => continue,
                    };
                    *slot = Some((s.to_string(), k.span()));
                }
                other => {
                    let help = suggest(other, LEAF_KEYS.iter().copied())
                        .map_or_else(|| format!("an annotated value takes {}", LEAF_KEYS.join(", ")), |s| format!("did you mean `{s}`?"));
                    return Err(ScenarioError::new(
                        self.file,
                        self.pos(k.span()),
                        format!("unknown key `{other}` in the annotation of `{key}`"),
                    )
                    .with_help(help));
                }
            }
        }
        let cite = match (source, mechanism, assumed) {
            (Some((s, _)), None, None) => Some(Cite::Source(s)),
            (None, None, Some((a, _))) => Some(Cite::Assumed(a)),
            (None, Some((m, _)), Some((a, _))) => Some(Cite::Mechanism { mechanism: m, assumed: a }),
            (None, Some((_, span)), None) => {
                return Err(ScenarioError::new(
                    self.file,
                    self.pos(span),
                    format!("`{key}` cites a mechanism but does not say why its value is assumed"),
                )
                .with_help("add assumed = \"why this value\"; if the evidence gives the value itself, write source = \"...\" instead"))
            }
            _ => None,
        };
        let value = value.unwrap_or(whole);
        if !self.params.iter().any(|p| p.spec.key == key) {
            return Err(self.unknown(key, key_node.span()));
        }
        self.leaf(key, key_node.span(), value, cite)
    }

    fn leaf(
        &mut self,
        key: &str,
        key_span: std::ops::Range<usize>,
        v: &Spanned<DeValue<'_>>,
        cite: Option<Cite>,
    ) -> Result<(), ScenarioError> {
        let Some(idx) = self.params.iter().position(|p| p.spec.key == key) else {
            return Err(self.unknown(key, key_span));
        };
        let spec = &self.params[idx].spec;
        let pos = self.pos(v.span());
        let value = convert(&spec.kind, v.get_ref()).and_then(|val| spec.check(&val).map(|_| val));
        let value = value.map_err(|why| range_error(self.file, pos, spec, &why))?;
        let (line, column) = pos.unwrap_or((0, 0));
        assign(self.params, idx, value, cite, Origin::File { line, column });
        Ok(())
    }

    fn unknown(&self, key: &str, span: std::ops::Range<usize>) -> ScenarioError {
        unknown_key(self.file, self.pos(span), key, self.params)
    }
}

/// The one way a value changes, whatever sets it (a scenario file, `--set`, a sweep's
/// design point, a calibration, the web explorer): the value, where it was set, and its
/// citation. A value set with its own citation (`cite`) carries it. Without one, it
/// keeps a citation only if that citation was written for this very value: its current
/// citation if the value is unchanged, the baseline's if it is the baseline's value.
/// Any other value is [`Cite::Uncited`]: an old citation never passes to a new value.
fn assign(params: &mut [Param], idx: usize, value: Value, cite: Option<Cite>, origin: Origin) {
    let p = &params[idx];
    let cite = cite.unwrap_or_else(|| {
        if !p.is_following() && value == p.value {
            p.cite.clone()
        } else if p.spec.follows.is_none() && value == p.spec.default {
            p.spec.cite.clone()
        } else {
            Cite::Uncited
        }
    });
    let p = &mut params[idx];
    p.value = value;
    p.cite = cite;
    p.origin = origin;
    resolve_followers(params);
}

/// Gives every parameter that still follows another (not set itself) that one's value.
fn resolve_followers(params: &mut [Param]) {
    // Chains resolve in at most as many rounds as there are parameters.
    for _ in 0..params.len() {
        let mut changed = false;
        for i in 0..params.len() {
            if !params[i].is_following() {
                continue;
            }
            let Some(leader) = params[i].spec.follows.and_then(|k| params.iter().find(|p| p.spec.key == k)) else { continue };
            if leader.value != params[i].value && leader.value.type_name() == params[i].value.type_name() {
                params[i].value = leader.value.clone();
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

fn range_error(file: &str, pos: Option<(usize, usize)>, spec: &ParamSpec, why: &str) -> ScenarioError {
    ScenarioError::new(file, pos, format!("invalid value for `{}`: {why}", spec.key))
        .with_help(format!("valid: {} (default {}); `{}` is {}", spec.describe(), spec.default.to_toml(), spec.key, spec.doc))
        .with_key(spec.key)
        .with_valid(spec.describe())
}

fn unknown_key(file: &str, pos: Option<(usize, usize)>, key: &str, params: &[Param]) -> ScenarioError {
    let keys = params.iter().map(|p| p.spec.key);
    let suggestion = suggest(key, keys);
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => {
            let group = key.split('.').next().unwrap_or(key);
            let in_group: Vec<&str> = params.iter().map(|p| p.spec.key).filter(|k| k.split('.').next() == Some(group)).collect();
            if in_group.is_empty() {
                let mut groups: Vec<&str> = params.iter().map(|p| p.spec.group()).collect();
                groups.dedup();
                format!("parameter groups of this model: {}", groups.join(", "))
            } else {
                format!("parameters in [{group}]: {}", in_group.join(", "))
            }
        }
    };
    let e = ScenarioError::new(file, pos, format!("unknown parameter `{key}`")).with_help(help).with_key(key);
    match suggestion {
        Some(s) => e.with_suggestion(s),
        None => e,
    }
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub(crate) fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let last = |s: &str| s.rsplit('.').next().unwrap_or(s).to_string();
    candidates
        .map(|c| {
            let full = strsim::damerau_levenshtein(word, c);
            let tail = strsim::damerau_levenshtein(&last(word), &last(c)) + usize::from(!same_group(word, c));
            (full.min(tail + 1), c)
        })
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn same_group(a: &str, b: &str) -> bool {
    a.split('.').next() == b.split('.').next()
}

/// Converts a TOML value to the kind's type (the range is checked separately).
fn convert(kind: &Kind, v: &DeValue<'_>) -> Result<Value, String> {
    let found = || format!("expected {}, found {}", kind.type_name(), de_type(v));
    match (kind, v) {
        (Kind::Int { .. }, DeValue::Integer(i)) => {
            i64::from_str_radix(i.as_str(), i.radix()).map(Value::Int).map_err(|_| "the integer is too large".to_string())
        }
        (Kind::Float { .. }, DeValue::Float(x)) => x.as_str().parse::<f64>().map(Value::Float).map_err(|_| "not a number".to_string()),
        (Kind::Float { .. }, DeValue::Integer(i)) => {
            i64::from_str_radix(i.as_str(), i.radix()).map(|x| Value::Float(x as f64)).map_err(|_| "the number is too large".to_string())
        }
        (Kind::Bool, DeValue::Boolean(b)) => Ok(Value::Bool(*b)),
        (Kind::Choice(_), DeValue::String(s)) | (Kind::Text, DeValue::String(s)) => Ok(Value::Text(s.to_string())),
        (Kind::Date { .. }, DeValue::String(s)) if s.trim() == "off" => Ok(Value::Off),
        (Kind::Date { .. }, DeValue::String(s)) => parse_date(s).map(Value::Date),
        (Kind::Date { .. }, DeValue::Datetime(dt)) => match (dt.date, dt.time) {
            (Some(d), None) => NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .map(Value::Date)
                .ok_or_else(|| "not a calendar date".to_string()),
            _ => Err("expected a date without a time of day".to_string()),
        },
        (Kind::Floats { .. }, DeValue::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item.get_ref() {
                DeValue::Float(x) => x.as_str().parse::<f64>().map_err(|_| format!("item {} is not a number", i + 1)),
                DeValue::Integer(n) => {
                    i64::from_str_radix(n.as_str(), n.radix()).map(|x| x as f64).map_err(|_| format!("item {} is too large", i + 1))
                }
                other => Err(format!("item {} is {}, expected a number", i + 1, de_type(other))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Floats),
        _ => Err(found()),
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("\"{s}\" is not a date of the form YYYY-MM-DD"))
}

fn de_type(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "text",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number with a decimal point",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

impl Scenario {
    /// The resolved parameter `key`; `None` if the schema has no such key.
    pub fn get(&self, key: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.spec.key == key)
    }

    fn value(&self, key: &str) -> &Value {
        match self.get(key) {
            Some(p) => &p.value,
            // A model asking for a key it did not declare is a programming error.
            None => panic!("parameter `{key}` is not in the schema"),
        }
    }

    /// An integer parameter's value. Panics if `key` is not in the schema or not an
    /// integer (a programming error).
    pub fn int(&self, key: &str) -> i64 {
        match self.value(key) {
            Value::Int(x) => *x,
            v => panic!("`{key}` is {v:?}, not an integer"),
        }
    }

    /// A number parameter's value (an integer is widened). Panics if `key` is not in the
    /// schema or not a number (a programming error).
    pub fn float(&self, key: &str) -> f64 {
        match self.value(key) {
            Value::Float(x) => *x,
            Value::Int(x) => *x as f64,
            v => panic!("`{key}` is {v:?}, not a number"),
        }
    }

    /// A boolean parameter's value. Panics if `key` is not in the schema or not a
    /// boolean (a programming error).
    pub fn bool(&self, key: &str) -> bool {
        match self.value(key) {
            Value::Bool(x) => *x,
            v => panic!("`{key}` is {v:?}, not a boolean"),
        }
    }

    /// A text or choice parameter's value. Panics if `key` is not in the schema or not
    /// text (a programming error).
    pub fn text(&self, key: &str) -> &str {
        match self.value(key) {
            Value::Text(x) => x,
            v => panic!("`{key}` is {v:?}, not text"),
        }
    }

    /// A date parameter's date. A dated event ([`ParamSpec::event`]) may be switched
    /// off, so models read those with [`Scenario::event_date`]; asking this for an event
    /// switched off is a programming error.
    pub fn date(&self, key: &str) -> NaiveDate {
        match self.value(key) {
            Value::Date(x) => *x,
            Value::Off => panic!("`{key}` is switched off; read dated events with Scenario::event_date"),
            v => panic!("`{key}` is {v:?}, not a date"),
        }
    }

    /// A dated event's date, or `None` when it is switched off (`"off"`): the event does
    /// not happen in the run.
    pub fn event_date(&self, key: &str) -> Option<NaiveDate> {
        match self.value(key) {
            Value::Date(x) => Some(*x),
            Value::Off => None,
            v => panic!("`{key}` is {v:?}, not a date"),
        }
    }

    /// Warnings for the dated events ([`ParamSpec::event`]) whose date lies outside the
    /// run, whose first and last days are `first` and `last`: after the end the event
    /// never happens in the run; before the start an event that [`DatedEvent::Occurs`]
    /// has already happened. Events switched off are not warned about: "off" says so.
    pub fn events_outside(&self, first: NaiveDate, last: NaiveDate) -> Vec<ScenarioWarning> {
        let mut out = Vec::new();
        for p in &self.params {
            let (Some(role), Value::Date(d)) = (p.spec.event, &p.value) else { continue };
            let key = p.spec.key;
            let (message, consequence) = if *d > last {
                (format!("`{key}` = {d} is after the run ends ({last})"), "it will not happen in this run")
            } else if *d < first && role == DatedEvent::Occurs {
                (format!("`{key}` = {d} is before the run starts ({first})"), "it has already happened when the run begins")
            } else {
                continue;
            };
            let (file, position, whose) = match &p.origin {
                Origin::File { line, column } => (self.file.clone(), Some((*line, *column)), ""),
                Origin::Override { by } => (by.clone(), None, ""),
                Origin::Default => (self.file.clone(), None, " (the model's default)"),
            };
            out.push(ScenarioWarning {
                key: key.to_string(),
                file,
                position,
                message: format!("{message}{whose}: {consequence}"),
                help: Some(format!(
                    "an event that should not happen is switched off with the value \"off\" (e.g. {key} = \"off\"); otherwise give a date from {first} to {last}, or change run.start or run.steps"
                )),
            });
        }
        out
    }

    /// A list parameter's numbers. Panics if `key` is not in the schema or not a list (a
    /// programming error).
    pub fn floats(&self, key: &str) -> &[f64] {
        match self.value(key) {
            Value::Floats(x) => x,
            v => panic!("`{key}` is {v:?}, not a list"),
        }
    }

    /// Applies `key=value` from the command line, with the same checks as the file.
    /// The value is read as TOML (`0.5`, `true`, `"moore"`, `[1, 2]`, `1928-09-24`);
    /// a bare word that is not TOML is taken as text, so `--set cops.kind=moore` works.
    /// The value is recorded as set by `--set`, uncited unless it is the value its
    /// citation was written for (see [`Scenario::set_by`]).
    pub fn set(&mut self, assignment: &str) -> Result<(), ScenarioError> {
        self.set_by(assignment, "--set")
    }

    /// Sets `key` to a typed value with the same checks as a file, recorded as set by
    /// `by` (`--scale`, `calibration sample`) and uncited: the typed form of
    /// [`Scenario::set_by`], for values a program computes. An integer is accepted for a
    /// real-valued parameter.
    ///
    /// Errors: an unknown key (with the nearest keys as help), a value of the wrong kind
    /// or out of the parameter's valid range (with the range).
    pub fn set_value(&mut self, key: &str, value: Value, by: &str) -> Result<(), ScenarioError> {
        self.assign(key, value, None, Origin::by(by))
    }

    /// The scenario with `run.seed` set to `seed` (recorded as set by `by`). Errors when
    /// the seed lies outside `run.seed`'s valid range.
    pub fn with_seed(mut self, seed: u64, by: &str) -> Result<Scenario, ScenarioError> {
        let seed = i64::try_from(seed)
            .map_err(|_| ScenarioError::new(by, None, format!("seed {seed} is beyond the largest seed, {}", i64::MAX)))?;
        self.set_value("run.seed", Value::Int(seed), by)?;
        Ok(self)
    }

    /// [`Scenario::set`] with `by` naming where the assignment comes from (`--seed`,
    /// `sweep design point 3`, `web explorer`): it is recorded as the value's origin and
    /// names the source of an error, so a user is told what to change.
    pub fn set_by(&mut self, assignment: &str, by: &str) -> Result<(), ScenarioError> {
        let Some((key, raw)) = assignment.split_once('=') else {
            return Err(ScenarioError::new(by, None, format!("`{assignment}` is not of the form key=value")).with_help(if by == "--set" {
                "for example: --set legitimacy.initial=0.6"
            } else {
                "for example: legitimacy.initial=0.6"
            }));
        };
        let (key, raw) = (key.trim(), raw.trim());
        let Some(idx) = self.params.iter().position(|p| p.spec.key == key) else {
            return Err(unknown_key(by, None, key, &self.params));
        };
        let spec = self.params[idx].spec.clone();
        let parsed = DeValue::parse(raw);
        let value = match parsed {
            Ok(v) => convert(&spec.kind, v.get_ref()),
            Err(_) if matches!(spec.kind, Kind::Choice(_) | Kind::Text) => Ok(Value::Text(raw.to_string())),
            Err(_) if matches!(spec.kind, Kind::Date { .. }) && raw == "off" => Ok(Value::Off),
            Err(_) if matches!(spec.kind, Kind::Date { .. }) => parse_date(raw).map(Value::Date),
            Err(_) => Err(format!("`{raw}` is not {}", spec.kind.type_name())),
        };
        let value = value.and_then(|v| spec.check(&v).map(|_| v)).map_err(|why| range_error(by, None, &spec, &why))?;
        assign(&mut self.params, idx, value, None, Origin::by(by));
        Ok(())
    }

    /// Sets `key` to `value` with the same checks as a file, recording `origin` and, if
    /// given, the value's own citation (without one, as [`Scenario::set`]).
    pub fn assign(&mut self, key: &str, value: Value, cite: Option<Cite>, origin: Origin) -> Result<(), ScenarioError> {
        let by = origin.describe(&self.file);
        let Some(idx) = self.params.iter().position(|p| p.spec.key == key) else {
            return Err(unknown_key(&by, None, key, &self.params));
        };
        let spec = &self.params[idx].spec;
        let value = match (&spec.kind, value) {
            (Kind::Float { .. }, Value::Int(x)) => Value::Float(x as f64),
            (_, v) => v,
        };
        spec.check(&value).map_err(|why| range_error(&by, None, spec, &why))?;
        assign(&mut self.params, idx, value, cite, origin);
        Ok(())
    }

    /// The error a scenario file gives for a value of `key` that is wrong because `why`
    /// (`expected a date, found None`), placed at `by`: the same message and help (valid
    /// values, default, meaning), or the unknown-key error with its suggestion. For callers
    /// that convert values themselves before [`Scenario::assign`], such as the Python
    /// package, so that their users read what a file's author reads.
    pub fn value_error(&self, key: &str, by: &str, why: &str) -> ScenarioError {
        match self.get(key) {
            Some(p) => range_error(by, None, &p.spec, why),
            None => unknown_key(by, None, key, &self.params),
        }
    }

    /// Whether a parameter's value differs from the baseline's: from the schema's
    /// default, or, for a parameter that follows another, from that one's value.
    pub fn is_changed(&self, p: &Param) -> bool {
        match p.spec.follows.and_then(|k| self.get(k)) {
            Some(leader) => p.value != leader.value,
            None => p.value != p.spec.default,
        }
    }

    /// Every parameter whose value differs from the baseline's, in schema order.
    pub fn changes(&self) -> Vec<&Param> {
        self.params.iter().filter(|p| self.is_changed(p)).collect()
    }

    /// The resolved scenario as TOML: every parameter, defaults filled in, each with its
    /// citation. Parsing it again gives the same scenario.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        out.push_str("[scenario]\n");
        out.push_str(&format!(
            "model = {}\nname = {}\ndescription = {}\n",
            toml_string(&self.meta.model),
            toml_string(&self.meta.name),
            toml_string(&self.meta.description)
        ));
        if let Some(d) = self.meta.branch_at {
            out.push_str(&format!("branch_at = {d}\n"));
        }
        // Sections in order of first appearance; a section's keys together.
        let mut groups: Vec<&str> = Vec::new();
        for p in &self.params {
            if !groups.contains(&p.spec.group()) {
                groups.push(p.spec.group());
            }
        }
        let ordered = groups.iter().flat_map(|g| self.params.iter().filter(move |p| p.spec.group() == *g));
        let mut group = "";
        for p in ordered {
            let (g, rest) = p.spec.key.split_once('.').unwrap_or(("", p.spec.key));
            if g != group {
                out.push_str(&format!("\n[{g}]\n"));
                group = g;
            }
            out.push_str(&format!("# {} ({})\n", p.spec.doc, p.spec.describe()));
            if p.is_following() {
                // Not written as a value, so that the file keeps "unchanged" meaning
                // unchanged whatever the other parameter is set to.
                let other = p.spec.follows.unwrap_or_default();
                out.push_str(&format!("# {rest}: unless set here, the same as {other} (now {})\n", p.value.to_toml()));
                continue;
            }
            if self.is_changed(p) {
                // Where it was set is in the manifest; here it would change when the file
                // is run again, which must give the same files.
                let note =
                    format!("changed from the baseline's {} ({}: {})", p.spec.baseline_text(), p.spec.cite.kind(), p.spec.cite.text());
                out.push_str(&format!("# {}\n", one_line(&note)));
            }
            let keys = p.cite.to_toml_keys();
            if keys.is_empty() {
                out.push_str(&format!("{rest} = {{ value = {} }}\n", p.value.to_toml()));
            } else {
                out.push_str(&format!("{rest} = {{ value = {}, {keys} }}\n", p.value.to_toml()));
            }
        }
        out
    }
}

/// Text for a `#` comment: line breaks and other control characters become spaces, so
/// no text can end the comment.
fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
pub(crate) fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_escape_what_toml_requires() {
        assert_eq!(toml_string("a\"b\\c\u{7}\n"), "\"a\\\"b\\\\c\\u0007\\n\"");
    }

    fn schema() -> Vec<ParamSpec> {
        vec![
            ParamSpec::new("run.steps", Kind::Int { min: 1, max: 1000 }, Value::Int(10), "steps to run", Cite::assumed("short")),
            ParamSpec::new(
                "grid.width",
                Kind::Int { min: 1, max: 100 },
                Value::Int(40),
                "grid width in cells",
                Cite::source("Epstein 2002"),
            ),
            ParamSpec::new("grid.torus", Kind::Bool, Value::Bool(true), "wrap edges", Cite::source("Epstein 2002")),
            ParamSpec::new(
                "agents.density",
                Kind::Float { min: 0.0, max: 1.0 },
                Value::Float(0.7),
                "share of cells",
                Cite::source("Epstein 2002"),
            ),
            ParamSpec::new(
                "agents.kind",
                Kind::Choice(&["moore", "von-neumann"]),
                Value::Text("moore".into()),
                "neighbourhood",
                Cite::assumed("x"),
            ),
            ParamSpec::new(
                "events.at",
                Kind::Date { min: NaiveDate::from_ymd_opt(1900, 1, 1).unwrap(), max: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() },
                Value::Date(NaiveDate::from_ymd_opt(1928, 9, 24).unwrap()),
                "escalation",
                Cite::source("F38"),
            )
            .event(DatedEvent::Occurs),
            ParamSpec::new(
                "events.since",
                Kind::Date { min: NaiveDate::from_ymd_opt(1900, 1, 1).unwrap(), max: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() },
                Value::Date(NaiveDate::from_ymd_opt(1927, 12, 15).unwrap()),
                "agitation from",
                Cite::source("F16"),
            )
            .event(DatedEvent::InForceFrom),
            ParamSpec::new(
                "events.start",
                Kind::Date { min: NaiveDate::from_ymd_opt(1900, 1, 1).unwrap(), max: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() },
                Value::Date(NaiveDate::from_ymd_opt(1928, 1, 2).unwrap()),
                "first day",
                Cite::source("MODEL.md"),
            ),
            ParamSpec::new(
                "bands.coef",
                Kind::Floats { min: 0.0, max: 10.0, len: (3, 3) },
                Value::Floats(vec![1.0, 2.0, 3.0]),
                "coefficients",
                Cite::source("F05"),
            ),
            ParamSpec::new(
                "agents.final_density",
                Kind::Float { min: 0.0, max: 1.0 },
                Value::Float(0.7),
                "share of cells at the end",
                Cite::assumed("unchanged unless set"),
            )
            .following("agents.density"),
            ParamSpec::new(
                "agents.share",
                Kind::Float { min: 0.0, max: 1.0 },
                Value::Float(0.15),
                "a share",
                Cite::mechanism("F05: moved down", "share assumed"),
            ),
        ]
    }

    fn p(text: &str) -> Result<Scenario, ScenarioError> {
        parse("s.toml", text, &|m| (m == "toy").then(schema), &["toy"])
    }

    const HEAD: &str = "[scenario]\nmodel = \"toy\"\n";

    #[test]
    fn defaults_fill_unset_parameters() {
        let s = p(&format!("{HEAD}[grid]\nwidth = 12\n")).unwrap();
        assert_eq!(s.int("grid.width"), 12);
        assert_eq!(s.get("grid.width").unwrap().origin, Origin::File { line: 4, column: 9 });
        assert_eq!(s.float("agents.density"), 0.7);
        assert_eq!(s.get("agents.density").unwrap().origin, Origin::Default);
    }

    #[test]
    fn annotated_values_carry_their_citation() {
        let s = p(&format!(
            "{HEAD}[agents]\ndensity = {{ value = 0.5, assumed = \"guess\" }}\nkind = {{ value = \"von-neumann\", source = \"Mesa\" }}\n"
        ))
        .unwrap();
        assert_eq!(s.float("agents.density"), 0.5);
        assert_eq!(s.get("agents.density").unwrap().cite, Cite::assumed("guess"));
        assert_eq!(s.text("agents.kind"), "von-neumann");
        let s = p(&format!("{HEAD}[events]\nat = 1928-01-19\n[bands]\ncoef = [1, 2.5, 3]\n")).unwrap();
        assert_eq!(s.date("events.at").to_string(), "1928-01-19");
        assert_eq!(s.floats("bands.coef"), &[1.0, 2.5, 3.0]);
    }

    #[test]
    fn unknown_key_names_position_and_closest_key() {
        let e = p(&format!("{HEAD}[grid]\nwidht = 12\n")).unwrap_err();
        assert_eq!(e.position, Some((4, 1)));
        assert!(e.message.contains("grid.widht"), "{e}");
        assert_eq!(e.help.as_deref(), Some("did you mean `grid.width`?"));
        let e = p(&format!("{HEAD}[nothing]\nzzz = 1\n")).unwrap_err();
        assert!(e.help.unwrap().contains("parameter groups"));
    }

    #[test]
    fn out_of_range_and_wrong_type_give_the_valid_range() {
        let e = p(&format!("{HEAD}[agents]\ndensity = 1.5\n")).unwrap_err();
        assert_eq!(e.position, Some((4, 11)));
        assert!(e.message.contains("out of range"), "{e}");
        assert!(e.help.as_ref().unwrap().contains("a number from 0 to 1"), "{e}");
        let e = p(&format!("{HEAD}[grid]\nwidth = \"forty\"\n")).unwrap_err();
        assert!(e.message.contains("expected an integer, found text"), "{e}");
        let e = p(&format!("{HEAD}[agents]\nkind = \"hex\"\n")).unwrap_err();
        assert!(e.help.as_ref().unwrap().contains("\"moore\", \"von-neumann\""), "{e}");
        let e = p(&format!("{HEAD}[bands]\ncoef = [1, 2]\n")).unwrap_err();
        assert!(e.message.contains("has 2 numbers"), "{e}");
    }

    #[test]
    fn scenario_section_is_checked() {
        assert!(p("[grid]\nwidth = 3\n").unwrap_err().message.contains("missing [scenario]"));
        let e = p("[scenario]\nmodel = \"tyo\"\n").unwrap_err();
        assert!(e.help.unwrap().contains("did you mean \"toy\""));
        let e = p("[scenario]\nmodle = \"toy\"\n").unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `model`?"));
        let e = p("[scenario\n").unwrap_err();
        assert!(e.message.starts_with("invalid TOML"), "{e}");
        assert!(e.position.is_some());
    }

    #[test]
    fn both_source_and_assumed_is_rejected() {
        let e = p(&format!("{HEAD}[grid]\nwidth = {{ value = 3, source = \"a\", assumed = \"b\" }}\n")).unwrap_err();
        assert!(e.message.contains("both"), "{e}");
        let e = p(&format!("{HEAD}grid.width = 3\n")).unwrap_err();
        assert!(e.help.as_ref().unwrap().contains("own section"), "{e}");
    }

    #[test]
    fn set_overrides_with_the_same_checks() {
        let mut s = p(HEAD).unwrap();
        s.set("grid.width=7").unwrap();
        s.set("agents.kind=von-neumann").unwrap();
        s.set("events.at=1929-09-24").unwrap();
        assert_eq!(s.int("grid.width"), 7);
        assert_eq!(s.text("agents.kind"), "von-neumann");
        assert_eq!(s.get("grid.width").unwrap().origin, Origin::by("--set"));
        assert!(s.set("grid.width=0").unwrap_err().help.unwrap().contains("from 1 to 100"));
        assert!(s.set("grid.wdth=3").unwrap_err().help.unwrap().contains("grid.width"));
        assert!(s.set("grid.width").is_err());
        assert!(s.set("grid.torus=maybe").is_err());
    }

    #[test]
    fn a_dated_event_can_be_switched_off_and_nothing_else_can() {
        let s = p(&format!("{HEAD}[events]\nat = {{ value = \"off\", assumed = \"X: never\" }}\n")).unwrap();
        assert_eq!(s.event_date("events.at"), None);
        assert_eq!(s.get("events.at").unwrap().cite, Cite::assumed("X: never"));
        assert_eq!(s.event_date("events.since").map(|d| d.to_string()).as_deref(), Some("1927-12-15"));
        let again = p(&s.to_toml()).unwrap();
        assert_eq!(again.event_date("events.at"), None);
        let mut s = p(HEAD).unwrap();
        s.set("events.at=off").unwrap();
        assert_eq!(s.get("events.at").unwrap().value, Value::Off);
        s.set("events.at=\"1929-01-01\"").unwrap();
        assert_eq!(s.event_date("events.at").map(|d| d.to_string()).as_deref(), Some("1929-01-01"));
        let e = s.set("events.start=off").unwrap_err();
        assert!(e.message.contains("cannot be switched off"), "{e}");
        let e = p(&format!("{HEAD}[events]\nstart = \"off\"\n")).unwrap_err();
        assert_eq!(e.position, Some((4, 9)));
        assert!(e.message.contains("cannot be switched off"), "{e}");
        let e = s.set("events.at=of").unwrap_err();
        assert!(e.help.unwrap().contains("or \"off\""), "the valid values name off");
    }

    #[test]
    fn dated_events_outside_the_run_are_warned_about() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let s = p(&format!("{HEAD}[events]\nat = 1992-09-24\n")).unwrap();
        let w = s.events_outside(d(1928, 1, 2), d(1929, 12, 29));
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].key, "events.at");
        assert_eq!(w[0].position, Some((4, 6)));
        assert!(w[0].message.contains("after the run ends (1929-12-29)") && w[0].message.contains("will not happen"), "{}", w[0]);
        assert!(w[0].help.as_ref().unwrap().contains("\"off\""));
        // An event in force from before the start is not a mistake; one that occurs is.
        let s = p(&format!("{HEAD}[events]\nat = 1927-09-24\n")).unwrap();
        let w = s.events_outside(d(1928, 1, 2), d(1929, 12, 29));
        assert_eq!(w.iter().map(|w| w.key.as_str()).collect::<Vec<_>>(), ["events.at"]);
        assert!(w[0].message.contains("before the run starts"), "{}", w[0]);
        // Defaults outside a short run are named as defaults; "off" is never warned about.
        let mut s = p(HEAD).unwrap();
        let w = s.events_outside(d(1928, 1, 2), d(1928, 7, 29));
        assert_eq!(w.len(), 1);
        assert!(w[0].message.contains("(the model's default)"), "{}", w[0]);
        s.set("events.at=off").unwrap();
        assert!(s.events_outside(d(1928, 1, 2), d(1928, 7, 29)).is_empty());
        assert!(s.events_outside(d(1928, 1, 2), d(1929, 12, 29)).is_empty());
    }

    #[test]
    fn typed_setters_name_where_the_value_came_from_and_check_it() {
        let mut s = p(HEAD).unwrap();
        let e = s.set_value("run.steps", Value::Int(0), "--steps").unwrap_err();
        assert_eq!(e.file, "--steps");
        assert!(e.to_string().starts_with("--steps: invalid value for `run.steps`"), "{e}");
        let e = s.set_value("run.step", Value::Int(5), "--steps").unwrap_err();
        assert!(e.help.as_deref().is_some_and(|h| h.contains("run.steps")), "{e:?}");
        s.set_value("run.steps", Value::Int(5), "--steps").unwrap();
        assert_eq!((s.int("run.steps"), s.get("run.steps").unwrap().origin.clone()), (5, Origin::by("--steps")));
        // The toy schema has no run.seed: an error, not a panic.
        assert!(s.clone().with_seed(1, "--seed").is_err());
    }

    #[test]
    fn positions_after_a_byte_order_mark_count_from_the_first_character() {
        let e = p("\u{FEFF}bogus = 1\n[scenario]\nmodel = \"toy\"\n").unwrap_err();
        assert_eq!(e.position, Some((1, 1)), "{e}");
        let e = p("\u{FEFF}[scenario]\nmodel = \"toy\"\n[grid]\nwidth = \"é\"\n").unwrap_err();
        assert_eq!(e.position, Some((4, 9)), "{e}");
    }

    #[test]
    fn a_new_value_without_a_citation_is_uncited_and_never_inherits_the_old_one() {
        // In a file: a bare value, and an annotation with only a note.
        let s = p(&format!("{HEAD}[grid]\nwidth = 12\n[agents]\ndensity = {{ value = 0.5, note = \"try\" }}\n")).unwrap();
        assert_eq!(s.get("grid.width").unwrap().cite, Cite::Uncited);
        assert_eq!(s.get("agents.density").unwrap().cite, Cite::Uncited);
        assert_eq!(s.get("agents.density").unwrap().origin, Origin::File { line: 6, column: 21 });
        // The baseline's own value keeps the baseline's citation.
        let s = p(&format!("{HEAD}[grid]\nwidth = 40\n")).unwrap();
        assert_eq!(s.get("grid.width").unwrap().cite, Cite::source("Epstein 2002"));
        assert!(s.changes().is_empty());
        // By --set (and any other setter): the same rule, recorded as set there.
        let mut s = p(HEAD).unwrap();
        s.set("events.at=1929-09-24").unwrap();
        let e = s.get("events.at").unwrap();
        assert_eq!((&e.cite, &e.origin), (&Cite::Uncited, &Origin::by("--set")));
        s.set_by("events.at=1928-09-24", "sweep design point 2").unwrap();
        assert_eq!(s.get("events.at").unwrap().cite, Cite::source("F38"));
        s.set_by("grid.width=7", "web explorer").unwrap();
        assert_eq!(s.get("grid.width").unwrap().origin.describe("x.toml"), "web explorer");
        // A value set with its own citation carries it.
        s.assign("agents.density", Value::Float(0.6), Some(Cite::assumed("calibrated")), Origin::by("perelom calibrate")).unwrap();
        assert_eq!(s.get("agents.density").unwrap().cite, Cite::assumed("calibrated"));
        assert!(s.assign("agents.density", Value::Float(2.0), None, Origin::by("x")).is_err());
        let changed: Vec<&str> = s.changes().iter().map(|p| p.spec.key).collect();
        assert_eq!(changed, ["grid.width", "agents.density"]);
    }

    #[test]
    fn a_file_value_keeps_its_own_citation() {
        let s = p(&format!("{HEAD}[grid]\nwidth = {{ value = 12, source = \"my notes, p. 3\" }}\n")).unwrap();
        assert_eq!(s.get("grid.width").unwrap().cite, Cite::source("my notes, p. 3"));
        assert_eq!(s.changes().len(), 1);
    }

    #[test]
    fn mechanism_citations_parse_with_the_same_checks() {
        let s = p(&format!("{HEAD}[agents]\nshare = {{ value = 0.2, mechanism = \"F05\", assumed = \"guess\" }}\n")).unwrap();
        assert_eq!(s.get("agents.share").unwrap().cite, Cite::mechanism("F05", "guess"));
        assert!(s.get("agents.share").unwrap().cite.is_assumed());
        let s = p(&format!("{HEAD}[agents]\nshare = {{ assumed = \"guess\", value = 0.2, mechanism = \"F05\" }}\n")).unwrap();
        assert_eq!(s.get("agents.share").unwrap().cite, Cite::mechanism("F05", "guess"));
        let e = p(&format!("{HEAD}[agents]\nshare = {{ value = 0.2, mechanism = \"F05\" }}\n")).unwrap_err();
        assert_eq!(e.position, Some((4, 24)));
        assert!(e.message.contains("does not say why"), "{e}");
        let e = p(&format!("{HEAD}[agents]\nshare = {{ value = 0.2, source = \"F05\", mechanism = \"F05\" }}\n")).unwrap_err();
        assert_eq!(e.position, Some((4, 40)));
        assert!(e.message.contains("both `source` and `mechanism`"), "{e}");
        let e = p(&format!("{HEAD}[agents]\nshare = {{ value = 0.2, mechanism = \"\", assumed = \"x\" }}\n")).unwrap_err();
        assert!(e.message.contains("is empty"), "{e}");
        let e = p(&format!("{HEAD}[agents]\nshare = {{ value = 0.2, mechanims = \"F05\" }}\n")).unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `mechanism`?"));
    }

    #[test]
    fn an_unchanged_default_follows_the_value_it_names() {
        let mut s = p(HEAD).unwrap();
        assert_eq!(s.float("agents.final_density"), 0.7);
        s.set("agents.density=0.4").unwrap();
        assert_eq!(s.float("agents.final_density"), 0.4, "unchanged means unchanged");
        assert!(!s.is_changed(s.get("agents.final_density").unwrap()));
        // Round trip keeps it following.
        let mut again = p(&s.to_toml()).unwrap();
        assert_eq!(again.float("agents.final_density"), 0.4);
        again.set("agents.density=0.3").unwrap();
        assert_eq!(again.float("agents.final_density"), 0.3);
        // Set itself, it stops following and is a change.
        s.set("agents.final_density=0.2").unwrap();
        s.set("agents.density=0.5").unwrap();
        assert_eq!(s.float("agents.final_density"), 0.2);
        assert_eq!(s.get("agents.final_density").unwrap().cite, Cite::Uncited);
        assert!(s.is_changed(s.get("agents.final_density").unwrap()));
        let f = p(&format!("{HEAD}[agents]\nfinal_density = 0.7\n")).unwrap();
        assert_eq!(f.get("agents.final_density").unwrap().cite, Cite::Uncited, "set explicitly, no longer 'unchanged'");
    }

    #[test]
    fn resolved_toml_round_trips() {
        let mut s =
            p(&format!("{HEAD}[grid]\nwidth = 12\n[agents]\nshare = {{ value = 0.2, mechanism = \"F05\", assumed = \"x\" }}\n")).unwrap();
        s.set("agents.density=0.25").unwrap();
        s.set("agents.kind=\"line\\nbreak\"").unwrap_err();
        let text = s.to_toml();
        assert!(text.contains("# changed from the baseline's 40 (source: Epstein 2002)\nwidth = { value = 12 }\n"), "{text}");
        assert!(
            text.contains("(assumed: x)\ndensity = { value = 0.25 }")
                || text.contains("0.7 (source: Epstein 2002)\ndensity = { value = 0.25 }"),
            "{text}"
        );
        let again = p(&text).unwrap();
        for (a, b) in s.params.iter().zip(&again.params) {
            assert_eq!(a.value, b.value);
            assert_eq!(a.cite, b.cite);
        }
    }
}
