//! Checkpoints: a run's complete state at the start of a step, written to a file and
//! continued later — unchanged (the rest of the run is byte-identical to the
//! uninterrupted run's) or with changed parameters (a branch: the same past, a decision
//! taken differently from that date on).
//!
//! ## The file format (version [`FORMAT_VERSION`])
//!
//! | bytes | content |
//! | --- | --- |
//! | 16 | the magic `PERELOM-STATE` followed by three zero bytes |
//! | 4 | format version, little-endian `u32` |
//! | 8 | length of the header, little-endian `u64` |
//! | header | a [`Header`], postcard-encoded: Perelom's version, the model, the scenario's digest, the step and date, the body's length and checksum |
//! | body | a [`Body`], postcard-encoded: the scenario (TOML, as `perelom template` writes it) and the model's own state |
//! | 8 | FNV-1a (64 bits, little-endian) of every byte before it, magic to body |
//!
//! The checksums (the body's in the header, the whole file's at its end) find truncation
//! and accidental damage anywhere, the header's step and date included; they do not stop
//! deliberate forgery. Format 1 (of the first release with states) had no trailing
//! checksum, so a damaged header date went unnoticed; it is refused.
//!
//! A file of another format version or another Perelom version is refused (a model's
//! state is only meaningful to the code that wrote it), so are a damaged file and a
//! model this build does not know — always with a message, never a panic.
//!
//! Random numbers need no state of their own: every draw comes from a stream named by the
//! run's seed, a purpose and the step ([`perelom_engine::Streams`]), so a continued run
//! draws exactly what the uninterrupted run drew.

use crate::{registry, Simulation};
use perelom_scenario::Scenario;
use serde::{Deserialize, Serialize};

/// The first 16 bytes of every state file.
pub const MAGIC: &[u8; 16] = b"PERELOM-STATE\0\0\0";
/// The version of the file layout.
pub const FORMAT_VERSION: u32 = 2;
/// The file extension Perelom gives state files.
pub const EXTENSION: &str = "perelom-state";

/// What a state file says about itself, readable without its body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The Perelom version that wrote it (`CARGO_PKG_VERSION`).
    pub perelom_version: String,
    /// The model (`[scenario] model`).
    pub model: String,
    /// FNV-1a digest (hex) of the scenario's TOML: which scenario the state belongs to.
    pub scenario_digest: String,
    /// The step the continued run starts with: steps `0..step` are done.
    pub step: u32,
    /// The date of that step, for dated models (`YYYY-MM-DD`).
    pub date: Option<String>,
    /// Length of the body in bytes.
    pub body_len: u64,
    /// FNV-1a (64 bits) of the body.
    pub body_checksum: u64,
}

/// The state itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Body {
    /// The scenario the run had, as TOML (with its citations).
    pub scenario: String,
    /// The model's own state (its `Simulation::save_state`).
    pub state: Vec<u8>,
}

/// A state file read and checked.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    /// What the file says about itself.
    pub header: Header,
    /// The scenario the run had, parsed again.
    pub scenario: Scenario,
    body: Body,
}

/// FNV-1a, 64 bits.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The digest of a scenario: FNV-1a of its TOML, in hex.
pub fn scenario_digest(s: &Scenario) -> String {
    format!("{:016x}", fnv(s.to_toml().as_bytes()))
}

/// The state file of a run (`sim`, built from `scenario`) at the start of its next step.
///
/// Errors: the model cannot save its state, or its state cannot be encoded.
pub fn save(sim: &dyn Simulation, scenario: &Scenario) -> Result<Vec<u8>, String> {
    let state = sim.save_state().ok_or_else(|| format!("model \"{}\" cannot save its state", scenario.meta.model))??;
    let body = postcard::to_stdvec(&Body { scenario: scenario.to_toml(), state }).map_err(|e| format!("cannot encode the state: {e}"))?;
    let step = sim.steps_done();
    let header = Header {
        perelom_version: env!("CARGO_PKG_VERSION").to_string(),
        model: scenario.meta.model.clone(),
        scenario_digest: scenario_digest(scenario),
        step,
        date: sim.clock().date(step).map(|d| d.to_string()),
        body_len: body.len() as u64,
        body_checksum: fnv(&body),
    };
    let head = postcard::to_stdvec(&header).map_err(|e| format!("cannot encode the state's header: {e}"))?;
    let mut out = Vec::with_capacity(36 + head.len() + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(head.len() as u64).to_le_bytes());
    out.extend_from_slice(&head);
    out.extend_from_slice(&body);
    let whole = fnv(&out);
    out.extend_from_slice(&whole.to_le_bytes());
    Ok(out)
}

/// Reads and checks a state file's bytes; `file` names it in messages.
///
/// Errors (each a sentence for the user): not a Perelom state file, another format
/// version, another Perelom version, a truncated or damaged file (length or checksum), a
/// model this build does not know, a scenario that no longer parses.
pub fn read(file: &str, bytes: &[u8]) -> Result<Checkpoint, String> {
    if bytes.len() < 28 || &bytes[..16] != MAGIC {
        return Err(format!("{file} is not a Perelom state file (it does not start with PERELOM-STATE)"));
    }
    let version = u32::from_le_bytes(bytes[16..20].try_into().unwrap_or([0; 4]));
    if version != FORMAT_VERSION {
        return Err(format!("{file} is a state file of format {version}; this Perelom reads format {FORMAT_VERSION}: save the state again with this version"));
    }
    let truncated = || format!("{file} is truncated or damaged: save the state again");
    let (bytes, tail) = bytes.split_at(bytes.len().checked_sub(8).filter(|&n| n >= 28).ok_or_else(truncated)?);
    if u64::from_le_bytes(tail.try_into().unwrap_or([0; 8])) != fnv(bytes) {
        return Err(format!("{file} is truncated or damaged (its checksum does not match): save the state again"));
    }
    let head_len = u64::from_le_bytes(bytes[20..28].try_into().unwrap_or([0; 8]));
    let rest = &bytes[28..];
    let head_len = usize::try_from(head_len).ok().filter(|&n| n <= rest.len()).ok_or_else(truncated)?;
    let header: Header = postcard::from_bytes(&rest[..head_len]).map_err(|_| truncated())?;
    let body = &rest[head_len..];
    if header.perelom_version != env!("CARGO_PKG_VERSION") {
        return Err(format!(
            "{file} was written by Perelom {}; this is Perelom {}, whose models may differ: rerun to the date with this version",
            header.perelom_version,
            env!("CARGO_PKG_VERSION")
        ));
    }
    if body.len() as u64 != header.body_len || fnv(body) != header.body_checksum {
        return Err(format!("{file} is truncated or damaged (its checksum does not match): save the state again"));
    }
    if registry::model(&header.model).is_none() {
        return Err(format!("{file} holds a run of model \"{}\", which this Perelom does not have", header.model));
    }
    let body: Body = postcard::from_bytes(body).map_err(|_| truncated())?;
    let scenario = registry::load_scenario_text(&format!("{file} [scenario]"), &body.scenario).map_err(|e| e.to_string())?;
    if scenario_digest(&scenario) != header.scenario_digest {
        return Err(format!("{file}: its scenario does not match its digest: the file is damaged"));
    }
    Ok(Checkpoint { header, scenario, body })
}

impl Checkpoint {
    /// The run continued from the state with scenario `s`: the saved scenario itself, or
    /// a branch of it (the same scenario with some values changed).
    ///
    /// Errors: another model, a change the model cannot make at a branch (the
    /// population, the grid), a state the model cannot read.
    pub fn resume(&self, s: &Scenario) -> Result<Box<dyn Simulation>, String> {
        if s.meta.model != self.header.model {
            return Err(format!("the state is of model \"{}\", the scenario of \"{}\"", self.header.model, s.meta.model));
        }
        let at = self.header.date.as_deref().and_then(|d| d.parse::<chrono::NaiveDate>().ok());
        check_branch(&self.scenario, at, s)?;
        let info = registry::model(&self.header.model).ok_or("unknown model")?;
        let restore = info.restore.ok_or_else(|| format!("model \"{}\" cannot continue from a state", info.name))?;
        restore(&self.scenario, s, &self.body.state)
    }
}

/// Whether a run of scenario `saved`, saved at the start of the day `at` (dated models),
/// may continue with scenario `s`, as far as the scenarios alone tell: what
/// [`Checkpoint::resume`] checks before it reads the state, so that a front end can refuse
/// a branch before any run.
///
/// Errors: another model, a dated event moved before the branch (the state already holds
/// that past), a parameter the model fixes when it builds a run (its descriptor's
/// `branch_check`: the population, the grid).
pub fn check_branch(saved: &Scenario, at: Option<chrono::NaiveDate>, s: &Scenario) -> Result<(), String> {
    if s.meta.model != saved.meta.model {
        return Err(format!("the state is of model \"{}\", the scenario of \"{}\"", saved.meta.model, s.meta.model));
    }
    // A dated event cannot be moved into the past the state already holds, nor moved or
    // switched off once that past holds it: it has already happened.
    if let Some(at) = at {
        use perelom_scenario::Value;
        for p in &s.params {
            let before = saved.get(p.spec.key).map(|q| &q.value);
            if before == Some(&p.value) {
                continue;
            }
            if let Some(Value::Date(d0)) = before {
                if *d0 < at {
                    let now = match &p.value {
                        Value::Off => "off".to_string(),
                        v => v.to_string(),
                    };
                    return Err(format!(
                        "`{}` = {d0} lies before the branch ({at}): the state's past already holds it, so the branch cannot make it {now}; branch on or before {d0}, or run from the start",
                        p.spec.key
                    ));
                }
            }
            if let Value::Date(d) = &p.value {
                if *d < at {
                    return Err(format!(
                        "`{}` = {d} lies before the branch ({at}): the state already holds that past; give a date from {at} on, or run from the start",
                        p.spec.key
                    ));
                }
            }
        }
    }
    match registry::model(&s.meta.model).and_then(|m| m.branch_check) {
        Some(check) => check(saved, s),
        None => Ok(()),
    }
}
