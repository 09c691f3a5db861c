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

/// One exile's week of discussion in the colony (ODD 7.13; F35, F36): radicalism moves
/// towards the radical pole at `exile.influence` times the colonies' share of young
/// workers, so that with no young arrivals there is no drift.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ussr::testkit::{params, person};

    #[test]
    fn exiles_drift_radical_with_the_colonies_share_of_young_workers() {
        let mut p = params();
        p.exile.influence = 0.1;
        let mut q = person();
        q.radicalism = 0.2;
        discuss(&p, &Week { colony_young: 0.5, ..Week::default() }, &mut q);
        // 0.2 + 0.1 × 0.5 × (1 − 0.2) = 0.24.
        assert!((q.radicalism - 0.24).abs() < 1e-6, "{}", q.radicalism);
        // No young workers in the colonies: no drift.
        let mut q = person();
        q.radicalism = 0.2;
        discuss(&p, &Week::default(), &mut q);
        assert_eq!(q.radicalism, 0.2);
        // Nor with the mechanism off.
        p.switches.exile_feedback = false;
        discuss(&p, &Week { colony_young: 1.0, ..Week::default() }, &mut q);
        assert_eq!(q.radicalism, 0.2);
    }

    #[test]
    fn the_colonies_are_read_from_who_is_in_them() {
        assert_eq!(colonies(0, 0, 0.0, 50), (0.0, 0.0, 0.0));
        // 10 exiles, 4 young, radicalism summing to 6, against 30 members at large.
        assert_eq!(colonies(10, 4, 6.0, 30), (0.6, 0.4, 0.25));
    }
}
