//! ODD 7.4 — perception: hardship, legitimacy, fear, efficacy, grievance and the
//! estimated risk of arrest (Epstein 2002; F08, F15, F24, F29, F38).

use super::exogenous::Week;
use super::params::Params;
use super::state::{Factory, Person};

/// What a person's circle in the shop looked like last week: mean legitimacy of the
/// party members and of the non-party workers (index by `party as usize`), mean lean.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, Default)]
pub struct Circle {
    pub legitimacy: [f32; 2],
    pub lean: f32,
}

/// Hardship (Epstein's H), clipped to [0, 1]: one's own baseline, the fall of the real
/// wage below one's end-1927 level (F05, F08), shortages (F08) and fatigue (F10). Out of
/// work, the whole wage is lost.
pub fn hardship(p: &Params, w: &Week, q: &Person) -> f32 {
    let c = &p.perception;
    let wage_drop = if q.status.employed() { (1.0 - q.real_wage / q.wage_ref).max(0.0) } else { 1.0 };
    (q.base_hardship + c.wage_weight * wage_drop + c.shortage_weight * w.shortage + c.fatigue_weight * q.fatigue).min(1.0)
}

/// Perceived legitimacy moves towards one's own circle (party members talk with party
/// members, non-party workers with non-party workers: F29), erodes with hardship (less for
/// party members), takes the factory's shocks of the week (revisions, privileges,
/// concessions, arrests: F09, F19, F38) and each leaflet read.
/// `own` is the view of the person's side (party or not) from [`party_views`].
pub fn legitimacy(p: &Params, q: &Person, own: PartyView, f: &Factory, leafleted: bool) -> f32 {
    let c = &p.perception;
    let influence = if p.switches.social_influence { c.influence } else { 0.0 };
    let mut l = q.legitimacy + influence * (own.circle - q.legitimacy) - own.erosion * q.hardship;
    if q.status.employed() {
        l += f.legitimacy_shock;
    }
    if leafleted {
        l -= c.leaflet_effect;
    }
    l.clamp(0.0, 1.0)
}

/// What differs in [`legitimacy`] between non-party workers and party members: their
/// circle's mean legitimacy last week and how fast hardship erodes theirs.
#[derive(Clone, Copy, Debug)]
pub struct PartyView {
    pub circle: f32,
    pub erosion: f32,
}

/// The two views of a shop, indexed by `party as usize`.
pub fn party_views(p: &Params, circle: &Circle) -> [PartyView; 2] {
    let c = &p.perception;
    [
        PartyView { circle: circle.legitimacy[0], erosion: c.hardship_erosion },
        PartyView { circle: circle.legitimacy[1], erosion: c.hardship_erosion * c.party_erosion },
    ]
}

/// Fear fades by a share each week and rises with arrests seen in one's factory (F38).
pub fn fear(p: &Params, q: &Person, f: &Factory) -> f32 {
    let shock = if q.status.employed() { f.fear_shock } else { 0.0 };
    (q.fear * (1.0 - p.perception.fear_decay) + shock).clamp(0.0, 1.0)
}

/// Belief that collective action can succeed: moved by the factory's wins and defeats,
/// worn down by hardship left unanswered (F24).
pub fn efficacy(p: &Params, q: &Person, f: &Factory) -> f32 {
    let shock = if q.status.employed() { f.efficacy_shock } else { 0.0 };
    (q.efficacy + shock - p.perception.efficacy_drift * q.hardship).clamp(0.02, 1.0)
}

/// Epstein's estimated arrest probability, 1 − exp(−k · C / A), where C is the repression
/// a worker sees (the OGPU's background presence plus the remembered arrests and
/// sackings in the factory and its partners, per 100 workers) and A = 1 + crowd × the
/// share already active (safety in numbers). `factor` scales C for less exposed acts.
pub fn arrest_estimate(p: &Params, f: &Factory, active_share: f32, factor: f32) -> f32 {
    let c = &p.perception;
    let seen = if p.switches.repression_of_protest { f.repression_perceived } else { 0.0 };
    1.0 - (-c.k * factor * (c.presence + seen) / (1.0 + c.crowd * active_share)).exp()
}

/// A person's own estimate: the factory's, sharpened by fear.
pub fn personal_risk(estimate: f32, fear: f32) -> f32 {
    1.0 - (1.0 - estimate).powf(1.0 + fear)
}
