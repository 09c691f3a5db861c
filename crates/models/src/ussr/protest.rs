//! ODD 7.5 — protest: the ladder of passive protest, slow-down (*italianka*) and strike
//! readiness (F12), and the shop's Granovetter cascade (Granovetter 1978).
//!
//! Strikes start over local occasions (ODD 7.2) on top of accumulated grievance: a
//! worker is ready to strike only where something pushes towards a stoppage this week —
//! an occasion in the shop or factory, a strike already on in the factory, news of
//! strikes in partner factories (F14), or a cell leading strikes (F27) — and when that
//! push, weighted by confidence (F24), plus accumulated grievance outweighs the risk seen.

use super::params::Params;
use super::state::{Behaviour, Opp, Person, Status};

/// A working person's place on the protest ladder this week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Readiness {
    None,
    Passive,
    SlowDown,
}

/// The push towards a stoppage in a shop this week (≥ 0 unless a cell holds back).
#[derive(Clone, Copy, Debug, Default)]
pub struct StrikePush {
    /// Occasion of a dispute reaching the shop (ODD 7.2).
    pub occasion: f32,
    /// The factory is on strike: the other shops are asked to join.
    pub join: f32,
    /// News of strikes in partner factories (F14).
    pub contagion: f32,
    /// The cell's line: + leads, − holds back (F27).
    pub organize: f32,
}

impl StrikePush {
    pub fn total(&self) -> f32 {
        self.occasion + self.join + self.contagion + self.organize
    }
}

/// Readiness for passive protest and slow-down: net grievance (grievance − risk aversion
/// × estimated risk of a slow-down) against the ladder's thresholds (F12; Epstein 2002).
/// A slow-down answers the factory's recent disputes (F12): their decaying push plus
/// weighted net grievance must pass the slow-down threshold.
pub fn ladder(p: &Params, q: &Person, slow_risk: f32, dispute_memory: f32) -> Readiness {
    let net = q.grievance - q.risk_aversion * slow_risk;
    if dispute_memory + p.protest.grievance_weight * net > p.protest.italianka {
        return Readiness::SlowDown;
    }
    if net > p.protest.passive {
        Readiness::Passive
    } else {
        Readiness::None
    }
}

/// A member's own strike intent: +1 leads strikes, −1 holds them back. The
/// organization's legality, bent by the member's own radicalism (F27, F34).
pub fn member_lead(p: &Params, legality: f32, radicalism: f32) -> f32 {
    let l = legality * (1.0 - p.opposition.indiscipline * radicalism);
    1.0 - 2.0 * l
}

/// Whether a working person is ready to strike this week. Members who hold back (their
/// line legal) never are; members and sympathizers of a leading cell go first in the
/// cascade (returned threshold 0).
pub fn strike_ready(p: &Params, q: &Person, push: &StrikePush, strike_risk: f32, own_lead: Option<f32>) -> Option<f32> {
    if q.status != Status::Working {
        return None;
    }
    let s = push.total();
    if s <= 0.0 {
        return None;
    }
    if let Some(lead) = own_lead {
        if lead < 0.0 && p.switches.organizing {
            return None;
        }
    }
    // The concrete occasion weighs as much as the worker believes action can win (F24);
    // accumulated grievance adds to it.
    let net = s * (0.5 + q.efficacy) + p.protest.grievance_weight * q.grievance - q.risk_aversion * strike_risk;
    if net <= p.protest.strike {
        return None;
    }
    let leads = p.switches.organizing && push.organize > 0.0 && q.opp != Opp::None;
    Some(if leads { 0.0 } else { q.threshold })
}

/// Result of a shop's cascades.
#[derive(Clone, Copy, Debug, Default)]
pub struct CascadeResult {
    pub strikers: u32,
    pub stopped: bool,
    pub slowed: bool,
    pub slow_workers: u32,
}

/// Granovetter cascades in the shop. `candidates` holds (threshold, index in shop,
/// strike-ready, slow-ready) of those at work. A worker joins once the number already in
/// reaches their threshold × those at work; the shop stops (or goes slow) when at least
/// `protest.shop_stop` of those at work join. Strikers are set `Striking`, slow-downs
/// `Italianka`.
pub fn cascade(p: &Params, people: &mut [Person], candidates: &mut [(f32, u32, bool, bool)]) -> CascadeResult {
    let mut out = CascadeResult::default();
    let at_work = people.iter().filter(|q| q.status == Status::Working).count() as f32;
    if at_work == 0.0 || candidates.is_empty() {
        return out;
    }
    candidates.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let need = p.protest.shop_stop * at_work;
    let joined = |strike: bool| -> Vec<u32> {
        let mut who = Vec::new();
        for &(theta, k, s, slow) in candidates.iter() {
            if (strike && !s) || (!strike && !slow) {
                continue;
            }
            if (theta * at_work).floor() <= who.len() as f32 {
                who.push(k);
            } else {
                break;
            }
        }
        who
    };
    let strikers = joined(true);
    if !strikers.is_empty() && strikers.len() as f32 >= need {
        for &k in &strikers {
            people[k as usize].status = Status::Striking;
        }
        out.strikers = strikers.len() as u32;
        out.stopped = true;
    }
    let slow: Vec<u32> = joined(false).into_iter().filter(|&k| people[k as usize].status == Status::Working).collect();
    if !slow.is_empty() && slow.len() as f32 >= need {
        for &k in &slow {
            people[k as usize].behaviour = Behaviour::Italianka;
        }
        out.slowed = true;
        out.slow_workers = slow.len() as u32;
    }
    out
}
