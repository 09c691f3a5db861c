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
