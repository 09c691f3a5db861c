//! ODD 7.13 — the exile colonies (F35–F37).
//!
//! The colonies' views come from who arrives: members keep the radicalism they had, and
//! strike leaders and recruits who are young workers arrive radical (F34, F36; ODD 7.6,
//! 7.12). In the colony the young arrivals argue the others round: each exile's view moves
//! towards the radical pole at a rate proportional to the colony's share of young workers
//! (F35, F36) — with no young arrivals there is no drift — and the colonies' letters pull
//! the members at large towards their view, the more the larger the colonies are against
//! the active membership (F37; ODD 7.6).

use super::exogenous::Week;
use super::params::Params;
use super::state::Person;

/// One exile's week of discussion in the colony.
pub fn discuss(p: &Params, w: &Week, q: &mut Person) {
    if p.switches.exile_feedback {
        q.radicalism = (q.radicalism + p.exile.influence * w.colony_young * (1.0 - q.radicalism)).clamp(0.0, 1.0);
    }
}

/// The colonies' mean radicalism and their weight against the membership at large, from
/// last week's counts.
/// Returns (mean radicalism, share of young workers, weight).
pub fn colonies(exiles: u32, young: u32, radicalism_sum: f64, members_at_large: u32) -> (f32, f32, f32) {
    if exiles == 0 {
        return (0.0, 0.0, 0.0);
    }
    (
        (radicalism_sum / f64::from(exiles)) as f32,
        (f64::from(young) / f64::from(exiles)) as f32,
        (f64::from(exiles) / f64::from(exiles + members_at_large)) as f32,
    )
}
