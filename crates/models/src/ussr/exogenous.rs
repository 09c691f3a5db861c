//! ODD 7.1 — the exogenous week: price and shortage paths, rents and loans, the plan
//! year, the organizations' lines, the OGPU's escalation (F08, F10, F16, F17, F19, F27,
//! F28, F38). Everything here is the same for every shop of the week.

use super::calendar::Calendar;
use super::params::Params;

/// Exogenous and policy state of one week, read by every rule of the week.
#[derive(Clone, Debug, Default)]
pub struct Week {
    pub step: u32,
    /// Consumer price index, Jan 1928 = 1 (F08, F17).
    pub price: f32,
    /// Food-shortage index, 0–1 (F08).
    pub shortage: f32,
    /// Share of earnings withheld for industrial loans (F08).
    pub loan: f32,
    /// Rent rise as a share of earnings, low and high bands (F19).
    pub rent_low: f32,
    pub rent_high: f32,
    /// The plan year has begun (F10).
    pub in_plan: bool,
    /// Norms are revised continuously (F09).
    pub continuous: bool,
    /// Strength of the escalation, 0 before it, rising to 1 over the ramp (F38).
    pub escalation: f32,
    /// Informers per 100 workers (F38).
    pub informer_density: f32,
    /// Weekly capitulation hazard of an old cadre (F04).
    pub capitulation: f32,
    /// The collective-agreement campaign under way, if any (F21).
    pub campaign: Option<usize>,
    /// The opposition agitates in the factories (F16).
    pub agitation: bool,
    /// Each organization's legality, clarity and new-party call this week (F23, F27, F28).
    pub legality: [f32; 2],
    pub clarity: [f32; 2],
    pub new_party: [bool; 2],
    /// Mean radicalism of the exile colonies and their weight against the active
    /// membership, last week (F35-F37).
    pub colony_radicalism: f32,
    pub colony_young: f32,
    pub colony_weight: f32,
    /// Literature reaching each organization's cells in each region: the product of the
    /// city group's and the centre's strength (F03, F22).
    pub supply: [[f32; 6]; 2],
}

/// What the exogenous week needs of last week's model state.
pub struct LastWeek {
    /// Mean radicalism of each organization's active members (for `line_follows_members`).
    pub member_radicalism: [f32; 2],
    pub colony_radicalism: f32,
    pub colony_young: f32,
    pub colony_weight: f32,
}

/// Builds the week (ODD 7.1). `month` is the month index since the start of the paths.
pub fn week(p: &Params, cal: &Calendar, step: u32, month: usize, last: &LastWeek, supply: [[f32; 6]; 2]) -> Week {
    let e = &p.economy;
    let path = |v: &[f32]| v[month.min(v.len().saturating_sub(1))];
    let since = |event: Option<u32>| Calendar::since(event, step);
    let escalation = match cal.escalation {
        Some(s) if step >= s && p.switches.escalation => {
            let ramp = p.ogpu.ramp_weeks.max(1) as f32;
            ((step - s + 1) as f32 / ramp).min(1.0)
        }
        _ => 0.0,
    };
    let o = &p.opposition;
    let platform = if since(cal.platform) { o.platform_clarity } else { 0.0 };
    let mut w = Week {
        step,
        price: path(&e.prices),
        shortage: path(&e.shortage),
        loan: if since(cal.loans_from) { e.loan_deduction } else { 0.0 },
        rent_low: if since(cal.rent_rise) { e.rent_rise_low } else { 0.0 },
        rent_high: if since(cal.rent_rise) { e.rent_rise_high } else { 0.0 },
        in_plan: since(cal.plan_start),
        continuous: p.management.continuous && since(cal.continuous_from),
        escalation,
        informer_density: p.ogpu.informers * (1.0 + (p.ogpu.informer_growth - 1.0) * escalation),
        capitulation: if p.switches.capitulation {
            o.capitulation_base + if since(cal.left_turn_from) { o.capitulation_left_turn } else { 0.0 }
        } else {
            0.0
        },
        campaign: cal.campaign_at(step),
        agitation: since(cal.factory_turn),
        colony_radicalism: last.colony_radicalism,
        colony_young: last.colony_young,
        colony_weight: last.colony_weight,
        supply,
        ..Week::default()
    };
    for (k, line) in o.lines.iter().enumerate() {
        // The line is dated like any other event (F27): before the change, `legality`.
        let mut legality = if since(cal.line_change[k]) { line.legality_after } else { line.legality };
        if o.line_follows_members {
            // Counterfactual switch: the line follows the members' radicalization.
            legality = legality.min(1.0 - last.member_radicalism[k]);
        }
        w.legality[k] = legality;
        w.new_party[k] = since(cal.new_party_from[k]);
        w.clarity[k] = (line.clarity + platform + if w.new_party[k] { o.new_party_clarity } else { 0.0 }).min(1.0);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ussr::testkit::params;

    fn at(p: &Params, cal: &Calendar, step: u32) -> Week {
        let last = LastWeek { member_radicalism: [0.0; 2], colony_radicalism: 0.0, colony_young: 0.0, colony_weight: 0.0 };
        week(p, cal, step, 0, &last, [[1.0; 6]; 2])
    }

    #[test]
    fn the_capitulation_hazard_rises_from_the_left_turn() {
        let mut p = params();
        (p.opposition.capitulation_base, p.opposition.capitulation_left_turn) = (0.25, 0.5);
        let cal = Calendar { left_turn_from: Some(52), ..Calendar::default() };
        assert_eq!(at(&p, &cal, 51).capitulation, 0.25);
        assert_eq!(at(&p, &cal, 52).capitulation, 0.75);
        assert_eq!(at(&p, &cal, 90).capitulation, 0.75);
        // No left turn in the run: the base hazard throughout.
        assert_eq!(at(&p, &Calendar::default(), 90).capitulation, 0.25);
        // The mechanism off: nobody capitulates.
        p.switches.capitulation = false;
        assert_eq!(at(&p, &cal, 60).capitulation, 0.0);
    }

    #[test]
    fn the_escalation_ramps_up_from_its_week() {
        let mut p = params();
        p.ogpu.ramp_weeks = 4;
        (p.ogpu.informers, p.ogpu.informer_growth) = (0.5, 3.0);
        let cal = Calendar { escalation: Some(38), ..Calendar::default() };
        let e: Vec<f32> = (37..44).map(|s| at(&p, &cal, s).escalation).collect();
        assert_eq!(e, [0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0]);
        // Informers: 0.5 × (1 + 2 × strength).
        assert_eq!(at(&p, &cal, 37).informer_density, 0.5);
        assert_eq!(at(&p, &cal, 39).informer_density, 1.0);
        assert_eq!(at(&p, &cal, 41).informer_density, 1.5);
        p.switches.escalation = false;
        assert_eq!(at(&p, &cal, 41).escalation, 0.0);
        assert_eq!(at(&p, &cal, 41).informer_density, 0.5);
    }
}
