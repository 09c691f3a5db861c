//! ODD 7.6 — the underground opposition: leaflets, recruitment of sympathizers and
//! members, capitulation of old cadres, members' radicalism, and the structure of
//! centre → city groups → factory cells through which literature flows (F02–F04, F16,
//! F17, F20, F22, F23, F28, F30, F32–F34, F37).

use super::exogenous::Week;
use super::params::Params;
use super::state::{Class, Factory, Opp, Person, Status};
use perelom_engine::FastRng;

/// What contact with the opposition did to a person this week.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, Default)]
pub struct Contact {
    pub new_sympathizer: bool,
    pub new_member: bool,
    pub capitulated: bool,
}

/// Weekly chance that a worker of the factory reads a leaflet: the members' leaflets in
/// the factory (each member reaches `opposition.leaflets` workers, scaled by the supply of
/// literature through the organization's city group and centre, F22, and by a new-party
/// call, F28), plus a share of the partner factories' leaflets (F14, F20). `members` and
/// `partner_leaflets` are last week's; the result is a probability.
pub fn leaflet_chance(p: &Params, w: &Week, f: &Factory, partner_leaflets: f32) -> f32 {
    if !w.agitation || !p.switches.recruitment {
        return 0.0;
    }
    let o = &p.opposition;
    let own = own_leaflets(p, w, f);
    ((own + o.partner_reach * partner_leaflets) / f.size.max(1) as f32).min(1.0)
}

/// Leaflets a factory's cell produces in a week (readers reached).
pub fn own_leaflets(p: &Params, w: &Week, f: &Factory) -> f32 {
    let o = &p.opposition;
    (0..2)
        .map(|k| {
            let reach = o.leaflets * w.supply[k][usize::from(f.region)] * if w.new_party[k] { o.new_party_reach } else { 1.0 };
            f.members[k] as f32 * reach
        })
        .sum()
}

/// The organization a new sympathizer in the factory joins: the larger cell's.
pub fn main_org(f: &Factory) -> u8 {
    u8::from(f.members[1] > f.members[0])
}

/// Recruitment, capitulation and radicalism of one person (F04, F20, F30, F32, F34, F37).
///
/// - A non-party or party worker who read a leaflet becomes a sympathizer with a chance
///   rising with grievance, lower for party members (F30) and staff (F33), falling with fear.
/// - A sympathizer in a factory with a cell joins with a chance rising with grievance and the programme's clarity
///   (F23, F17), lower for young workers while the line is legal (F34), falling with fear;
///   or lapses.
/// - A member's radicalism is pulled towards the exile colonies' by their letters (F37);
///   an old cadre at large may capitulate (F04).
#[inline(always)]
pub fn contact(p: &Params, w: &Week, q: &mut Person, org: u8, leafleted: bool, cell_present: bool, rng: &mut FastRng) -> Contact {
    let o = &p.opposition;
    let mut c = Contact::default();
    match q.opp {
        Opp::None if leafleted => {
            let receptive = if q.party { o.party_factor } else { 1.0 } * if q.class == Class::White { o.white_collar_factor } else { 1.0 };
            if rng.unit_f32() < o.sympathize * q.grievance * receptive * (1.0 - q.fear) {
                q.opp = Opp::Sympathizer;
                q.org = org;
                c.new_sympathizer = true;
            }
        }
        Opp::Sympathizer if q.status.at_large() => {
            let k = usize::from(q.org);
            let fit = if q.young && !w.new_party[k] { 1.0 - o.young_misfit * w.legality[k] } else { 1.0 };
            // One can only join an organization that is present in the factory (F03).
            if p.switches.recruitment && cell_present && rng.unit_f32() < o.join * q.grievance * w.clarity[k] * fit * (1.0 - q.fear) {
                q.opp = Opp::Member;
                q.old_cadre = false;
                q.radicalism = arrival_radicalism(p, q.young, rng);
                c.new_member = true;
            } else if rng.unit_f32() < o.lapse * (1.0 + q.fear) {
                q.opp = Opp::None;
            }
        }
        Opp::Member if q.status.at_large() => {
            if p.switches.exile_feedback {
                q.radicalism = (q.radicalism + p.exile.letters * w.colony_weight * (w.colony_radicalism - q.radicalism)).clamp(0.0, 1.0);
            }
            if q.old_cadre && rng.unit_f32() < w.capitulation {
                // Back into the party, on the general line (F04).
                q.opp = Opp::None;
                q.party = true;
                q.legitimacy = o.capitulation_legitimacy;
                c.capitulated = true;
            }
        }
        _ => {}
    }
    c
}

/// Radicalism of a new recruit or of a young worker arrested: young workers do not see
/// the party-state as their own (F34, F36).
pub fn arrival_radicalism(p: &Params, young: bool, rng: &mut FastRng) -> f32 {
    if young {
        (p.opposition.young_radicalism + 0.4 * rng.unit_f32()).min(1.0)
    } else {
        0.4 * rng.unit_f32()
    }
}

/// Co-optation (ODD 7.7): a respected (skilled) non-party worker outside the opposition
/// is enrolled in the party and adopts more of the line (F29).
#[inline(always)]
pub fn cooptation(p: &Params, q: &mut Person, rng: &mut FastRng) -> bool {
    let c = &p.party;
    // Who is eligible varies from one worker to the next: no branch on it (a draw only
    // for the eligible, as with `&&`).
    let eligible = (q.status == Status::Working) & !q.party & (q.opp == Opp::None) & (q.band >= c.cooptation_band);
    if rng.draw_f32_below(eligible, c.cooptation) {
        q.party = true;
        q.legitimacy = (q.legitimacy + c.cooptation_legitimacy).min(1.0);
        return true;
    }
    false
}

/// The underground's structure: the strength (0–1) of each organization's centre and of
/// its city group in each region, through which literature reaches the cells (F03, F22).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct Underground {
    pub centre: [f32; 2],
    pub city: [[f32; 6]; 2],
}

impl Default for Underground {
    fn default() -> Self {
        Underground { centre: [1.0; 2], city: [[1.0; 6]; 2] }
    }
}

impl Underground {
    /// Literature reaching each organization's cells in each region.
    pub fn supply(&self) -> [[f32; 6]; 2] {
        let mut s = [[0.0; 6]; 2];
        for (k, row) in s.iter_mut().enumerate() {
            for (r, x) in row.iter_mut().enumerate() {
                *x = self.city[k][r] * self.centre[k];
            }
        }
        s
    }

    /// Damaged links are rebuilt slowly while the organization has members (F03).
    pub fn repair(&mut self, p: &Params, members: [u32; 2]) {
        let rate = p.opposition.repair;
        for ((centre, city), m) in self.centre.iter_mut().zip(self.city.iter_mut()).zip(members) {
            if m > 0 {
                *centre += rate * (1.0 - *centre);
                for c in city.iter_mut() {
                    *c += rate * (1.0 - *c);
                }
            }
        }
    }

    /// An exposed cell leads the OGPU to its city group: the group loses strength in
    /// proportion to the cell's share of the organization's members in the region, so
    /// the damage per member exposed is the same at every population scale (F03, F38).
    pub fn expose(&mut self, org: usize, region: usize, cell_share: f32, centre_hit: bool) {
        self.city[org][region] *= 1.0 - 0.5 * cell_share.min(1.0);
        if centre_hit {
            self.centre[org] *= 1.0 - 0.3 * cell_share.min(1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ussr::testkit::{params, person, rng};

    fn old_cadre() -> Person {
        let mut q = person();
        q.opp = Opp::Member;
        q.old_cadre = true;
        q.legitimacy = 0.1;
        q
    }

    fn capitulation(hazard: f32) -> Week {
        Week { capitulation: hazard, ..Week::default() }
    }

    #[test]
    fn an_old_cadre_at_large_capitulates_into_the_party_on_the_line() {
        let mut p = params();
        p.opposition.capitulation_legitimacy = 0.85;
        let mut q = old_cadre();
        let c = contact(&p, &capitulation(1.0), &mut q, 0, false, true, &mut rng(1));
        assert!(c.capitulated && !c.new_member && !c.new_sympathizer);
        assert_eq!((q.opp, q.party, q.legitimacy), (Opp::None, true, 0.85));
        // With no hazard, never.
        let mut q = old_cadre();
        assert!(!contact(&p, &capitulation(0.0), &mut q, 0, false, true, &mut rng(1)).capitulated);
        assert_eq!((q.opp, q.party), (Opp::Member, false));
    }

    #[test]
    fn recruits_exiles_and_the_arrested_do_not_capitulate() {
        let p = params();
        let w = capitulation(1.0);
        let mut recruit = old_cadre();
        recruit.old_cadre = false;
        assert!(!contact(&p, &w, &mut recruit, 0, false, true, &mut rng(2)).capitulated);
        assert_eq!(recruit.opp, Opp::Member);
        for s in [Status::Exiled, Status::Arrested] {
            let mut q = old_cadre();
            q.status = s;
            assert!(!contact(&p, &w, &mut q, 0, false, true, &mut rng(3)).capitulated, "{s:?}");
            assert_eq!((q.opp, q.party, q.legitimacy), (Opp::Member, false, 0.1), "{s:?}");
        }
        // Members on strike or sick are at large: they may.
        for s in [Status::Striking, Status::Sick, Status::Blacklisted] {
            let mut q = old_cadre();
            q.status = s;
            assert!(contact(&p, &w, &mut q, 0, false, true, &mut rng(4)).capitulated, "{s:?}");
        }
    }

    #[test]
    fn letters_pull_members_at_large_towards_the_colonies() {
        let mut p = params();
        p.exile.letters = 0.5;
        let w = Week { colony_weight: 0.5, colony_radicalism: 1.0, ..Week::default() };
        let mut q = old_cadre();
        q.radicalism = 0.2;
        contact(&p, &w, &mut q, 0, false, true, &mut rng(5));
        // 0.2 + 0.5 × 0.5 × (1 − 0.2) = 0.4.
        assert!((q.radicalism - 0.4).abs() < 1e-6, "{}", q.radicalism);
        p.switches.exile_feedback = false;
        let mut q = old_cadre();
        q.radicalism = 0.2;
        contact(&p, &w, &mut q, 0, false, true, &mut rng(5));
        assert_eq!(q.radicalism, 0.2);
    }

    #[test]
    fn cooptation_enrols_respected_non_party_workers_outside_the_opposition() {
        let mut p = params();
        p.party.cooptation = 1.0;
        p.party.cooptation_band = 8;
        p.party.cooptation_legitimacy = 0.3;
        let skilled = || {
            let mut q = person();
            q.band = 8;
            q.legitimacy = 0.5;
            q
        };
        let mut q = skilled();
        assert!(cooptation(&p, &mut q, &mut rng(6)));
        assert!(q.party);
        assert!((q.legitimacy - 0.8).abs() < 1e-6);
        // Legitimacy is capped at 1.
        let mut q = skilled();
        q.legitimacy = 0.9;
        assert!(cooptation(&p, &mut q, &mut rng(6)));
        assert_eq!(q.legitimacy, 1.0);
        // Not below the band, not party members, sympathizers, members, nor anyone not at work.
        type Change = fn(&mut Person);
        let cases: [(&str, Change); 6] = [
            ("band 7", |q| q.band = 7),
            ("party", |q| q.party = true),
            ("sympathizer", |q| q.opp = Opp::Sympathizer),
            ("member", |q| q.opp = Opp::Member),
            ("sick", |q| q.status = Status::Sick),
            ("striking", |q| q.status = Status::Striking),
        ];
        for (what, change) in cases {
            let mut q = skilled();
            change(&mut q);
            let before = (q.party, q.legitimacy);
            assert!(!cooptation(&p, &mut q, &mut rng(6)), "{what}");
            assert_eq!((q.party, q.legitimacy), before, "{what}");
        }
        // With no chance, never.
        p.party.cooptation = 0.0;
        assert!(!cooptation(&p, &mut skilled(), &mut rng(6)));
    }

    #[test]
    fn an_exposed_cell_weakens_its_city_group_by_its_share() {
        let mut u = Underground::default();
        // A cell holding 40 % of its organization's members in the region.
        u.expose(0, 2, 0.4, false);
        assert!((u.city[0][2] - 0.8).abs() < 1e-6);
        assert_eq!(u.centre, [1.0, 1.0]);
        u.expose(0, 2, 0.4, true);
        assert!((u.city[0][2] - 0.64).abs() < 1e-6);
        assert!((u.centre[0] - 0.88).abs() < 1e-6);
        // Literature reaching the region: city group × centre.
        let s = u.supply();
        assert!((s[0][2] - 0.64 * 0.88).abs() < 1e-6);
        assert!((s[0][1] - 0.88).abs() < 1e-6);
        assert_eq!(s[1], [1.0; 6], "the other organization is untouched");
        // A share above 1 counts as the whole group.
        let mut u = Underground::default();
        u.expose(1, 0, 3.0, true);
        assert_eq!((u.city[1][0], u.centre[1]), (0.5, 0.7));
    }

    #[test]
    fn links_are_repaired_only_while_the_organization_has_members() {
        let mut p = params();
        p.opposition.repair = 0.25;
        let mut u = Underground::default();
        u.expose(0, 0, 1.0, true);
        u.expose(1, 0, 1.0, true);
        u.repair(&p, [0, 5]);
        assert_eq!((u.city[0][0], u.centre[0]), (0.5, 0.7));
        // 0.5 + 0.25 × 0.5 and 0.7 + 0.25 × 0.3.
        assert!((u.city[1][0] - 0.625).abs() < 1e-6 && (u.centre[1] - 0.775).abs() < 1e-6);
    }
}
