//! The weekly pass over people, shop by shop, in parallel.
//!
//! Each shop is processed by one thread with its own stream `(ussr.week, step, shop)`,
//! reading only last week's factory and shop state, so the result does not depend on
//! the number of threads. Per person, in the order of MODEL.md: status timers → work,
//! earnings, fatigue, illness (F07, F08, F10) → perception: hardship, legitimacy, fear,
//! efficacy (F15, F24) → readiness to protest (Epstein's rule) → opposition contact:
//! leaflets, recruitment, capitulation (F04, F20, F30, F34) → meeting attendance and
//! vote (F21, F24) → OGPU detection (F38). Then the shop's cascade (Granovetter):
//! stoppage, slow-down or passive protest (F12).

use super::state::{Behaviour, Class, Factory, Mood, Opp, Person, Status};
use super::tally::Tally;
use perelom_engine::space::Network;
use perelom_engine::FastRng;

/// Exogenous and policy state of one week, the same for every shop.
#[derive(Clone, Debug, Default)]
pub struct Week {
    pub step: u32,
    pub price: f32,
    pub shortage: f32,
    pub loan: f32,
    pub rent_low: f32,
    pub rent_high: f32,
    pub informer_density: f32,
    pub detection: f32,
    pub capitulation: f32,
    pub campaign: Option<usize>,
    pub legality: [f32; 2],
    pub clarity: [f32; 2],
    pub new_party: [bool; 2],
    pub colony_radicalism: f32,
    pub colony_young: f32,
    pub colony_weight: f32,
    pub agitation: bool,
    /// Literature reaching the cells of each organization in each region: the product of
    /// the city group's and the centre's strength (F03, F22).
    pub supply: [[f32; 6]; 2],
}

/// Behavioural constants read once from the scenario.
#[derive(Clone, Debug)]
pub struct Rules {
    pub coef: [f32; 17],
    pub effort_strain: f32,
    pub seven_hour_strain: f32,
    pub recovery: f32,
    pub ill_base: f32,
    pub ill_fatigue: f32,
    pub ill_end: f32,
    pub w_wage: f32,
    pub w_shortage: f32,
    pub w_fatigue: f32,
    pub influence: f32,
    pub erosion: f32,
    pub leaflet_effect: f32,
    pub k: f32,
    pub fear_decay: f32,
    pub efficacy_drift: f32,
    pub t_passive: f32,
    pub t_italianka: f32,
    pub t_strike: f32,
    pub shop_stop: f32,
    pub contagion: f32,
    pub organize: f32,
    pub leaflets: f32,
    pub sympathize: f32,
    pub join: f32,
    pub party_factor: f32,
    pub young_misfit: f32,
    pub lapse: f32,
    pub cooptation: f32,
    pub passive_attendance: f32,
    pub vote_grievance: f32,
    pub vote_bias: f32,
    pub vote_sympathizer: f32,
    pub vote_cell: f32,
    pub white_collar_factor: f32,
    pub exile_drift: f32,
    pub letters: f32,
    pub party_erosion: f32,
    pub leaflet_lean: f32,
    pub italianka_effort: f32,
    pub cooptation_band: u8,
    pub cooptation_legitimacy: f32,
    pub vote_left: f32,
    pub vote_fear: f32,
    pub vote_party: f32,
    pub loyal: f32,
    pub indifferent_grievance: f32,
    pub indifferent_efficacy: f32,
    pub indiscipline: f32,
    pub new_party_clarity: f32,
    pub new_party_reach: f32,
    pub new_party_visibility: f32,
    pub capitulation_legitimacy: f32,
    pub young_radicalism: f32,
}

/// Last week's state of a shop that this week's pass reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct ShopMemory {
    pub legitimacy: f32,
    pub members: [u16; 2],
    /// Workers in a slow-down or on strike, for next week's risk estimate.
    pub active: u16,
    /// Mean strike intent of the shop's members: +1 leads strikes, −1 holds them back.
    pub lead: f32,
}

/// What a shop's pass produces besides the people's new state.
#[derive(Debug, Default)]
pub struct ShopOutcome {
    pub tally: Tally,
    pub memory: ShopMemory,
    /// Members the OGPU's informers spotted this week.
    pub detected: Vec<u32>,
    pub stopped: bool,
}

/// Read-only context of the pass.
pub struct Context<'a> {
    pub week: &'a Week,
    pub rules: &'a Rules,
    pub factories: &'a [Factory],
    pub memory: &'a [ShopMemory],
    pub ties: &'a Network,
    /// Factory of every person (fixed), for the ties' factories.
    pub factory_of: &'a [u32],
    /// Factories on strike last week.
    pub striking: &'a [bool],
    /// Whether any factory was on strike last week (most weeks none is: skip the ties).
    pub any_striking: bool,
}

const READY_NONE: u8 = 0;
const READY_PASSIVE: u8 = 1;
const READY_SLOW: u8 = 2;
const READY_STRIKE: u8 = 3;

/// Runs one shop's week. `people` is the shop's slice, `first` the index of its first
/// person, `buf` a scratch buffer reused across shops.
pub fn shop_week(
    ctx: &Context<'_>,
    shop: u32,
    first: u32,
    people: &mut [Person],
    rng: &mut FastRng,
    buf: &mut Vec<(f32, u32, u8)>,
) -> ShopOutcome {
    let w = ctx.week;
    let r = ctx.rules;
    let mut out = ShopOutcome::default();
    let Some(fi) = people.first().map(|q| q.factory as usize) else {
        return out;
    };
    let f = &ctx.factories[fi];
    let mem = ctx.memory[shop as usize];
    let on_strike = ctx.striking[fi];
    // Epstein's estimated arrest probability, with the shop as the field of vision:
    // informers in the shop against last week's active protesters in it.
    let informers = w.informer_density / 100.0 * people.len() as f32;
    let members_here = u32::from(mem.members[0]) + u32::from(mem.members[1]);
    let main_org = usize::from(mem.members[1] > mem.members[0]);
    let leaflet_chance = if w.agitation && members_here > 0 {
        let reach = r.leaflets * w.supply[main_org][usize::from(f.region)] * if w.new_party[main_org] { r.new_party_reach } else { 1.0 };
        (members_here as f32 * reach / people.len() as f32).min(1.0)
    } else {
        0.0
    };
    let meeting = w.campaign.is_some_and(|c| f.meeting_week[c] == w.step);
    let cell_members = f.members.iter().sum::<u32>();
    let cell_tables_resolution = meeting && cell_members > 0;
    // The cell's speakers sway the meeting more, the stronger the cell (F21).
    let cell_voice = r.vote_cell * (1.0 + cell_members as f32).ln();
    let strain = r.effort_strain * (f.norm - 1.0).max(0.0) + if f.seven_hour { r.seven_hour_strain } else { 0.0 };
    let risk_base = r.k * informers / (f32::from(mem.active) + 1.0);
    // A strike is open defiance seen by the whole factory's informers: its risk is
    // estimated at factory level, against last week's strikers there.
    let strike_risk_base = r.k * w.informer_density / 100.0 * f.size as f32 / (f.strikers_last_week as f32 + 1.0);
    buf.clear();

    for (k, q) in people.iter_mut().enumerate() {
        let idx = first + k as u32;
        // Status timers.
        match q.status {
            Status::Sick | Status::Arrested if q.weeks_left > 0 => q.weeks_left -= 1,
            _ => {}
        }
        if q.status == Status::Sick && q.weeks_left == 0 {
            q.status = Status::Working;
        }
        if q.status == Status::Striking && !on_strike {
            q.status = Status::Working;
        }
        if q.status == Status::Arrested && q.weeks_left == 0 {
            // Members go to the exile colonies; others are released but never re-hired (F39).
            q.status = if q.opp == Opp::Member { Status::Exiled } else { Status::Blacklisted };
        }

        // Work, earnings, fatigue, illness (F07, F08, F10).
        let employed = matches!(q.status, Status::Working | Status::Sick | Status::Striking);
        if employed {
            let rent = if q.band <= 6 { w.rent_low } else { w.rent_high };
            q.real_wage = r.coef[usize::from(q.band) - 1] * f.pay * (1.0 - w.loan - rent) / w.price;
        } else {
            q.real_wage = 0.0;
        }
        let working = q.status == Status::Working;
        let load = if working {
            if q.behaviour == Behaviour::Italianka {
                strain * r.italianka_effort
            } else {
                strain
            }
        } else {
            0.0
        };
        q.fatigue = q.fatigue * (1.0 - r.recovery) + load;
        if working && rng.unit_f32() < r.ill_base + r.ill_fatigue * q.fatigue {
            q.status = Status::Sick;
            q.weeks_left = geometric(rng, r.ill_end);
            out.tally.fell_ill += 1;
        }
        let working = q.status == Status::Working;

        // Perception (Epstein 2002; F08, F15, F24).
        let wage_drop = if employed { (1.0 - q.real_wage / q.wage_ref).max(0.0) } else { 1.0 };
        q.hardship = (q.base_hardship + r.w_wage * wage_drop + r.w_shortage * w.shortage + r.w_fatigue * q.fatigue).min(1.0);
        q.leafleted = employed && leaflet_chance > 0.0 && rng.unit_f32() < leaflet_chance;
        let erosion = if q.party { r.erosion * r.party_erosion } else { r.erosion };
        let mut legit = q.legitimacy + r.influence * (mem.legitimacy - q.legitimacy) - erosion * q.hardship
            + if employed { f.legitimacy_shock } else { 0.0 };
        if q.leafleted {
            legit -= r.leaflet_effect;
            q.lean = (q.lean + r.leaflet_lean).min(1.0);
            out.tally.leaflets += 1;
        }
        q.legitimacy = legit.clamp(0.0, 1.0);
        q.fear = (q.fear * (1.0 - r.fear_decay) + if employed { f.fear_shock } else { 0.0 }).clamp(0.0, 1.0);
        q.efficacy = (q.efficacy + if employed { f.efficacy_shock } else { 0.0 } - r.efficacy_drift * q.hardship).clamp(0.02, 1.0);
        q.grievance = q.hardship * (1.0 - q.legitimacy);

        // Readiness to protest: net grievance against estimated arrest risk.
        let arrest_p = 1.0 - (-risk_base * (1.0 + q.fear)).exp();
        let net = q.grievance - q.risk_aversion * arrest_p;
        let mut ready = READY_NONE;
        if working {
            let ties_on_strike = if ctx.any_striking {
                ctx.ties.neighbours(idx as usize).iter().filter(|&&j| ctx.striking[ctx.factory_of[j as usize] as usize]).count()
            } else {
                0
            };
            let strike_net = (q.grievance - q.risk_aversion * (1.0 - (-strike_risk_base * (1.0 + q.fear)).exp())) * (0.5 + q.efficacy)
                + r.contagion * ties_on_strike as f32
                + r.organize * mem.lead;
            ready = if strike_net > r.t_strike {
                READY_STRIKE
            } else if net > r.t_italianka {
                READY_SLOW
            } else if net > r.t_passive {
                READY_PASSIVE
            } else {
                READY_NONE
            };
            if ready >= READY_SLOW {
                buf.push((q.threshold, k as u32, ready));
            }
            q.behaviour = if ready >= READY_PASSIVE { Behaviour::Passive } else { Behaviour::Comply };
        }

        // The opposition: leaflets recruit, old cadres capitulate, exiles radicalize.
        opposition_contact(q, w, r, rng, main_org, &mut out.tally);

        // Co-optation of respected non-party workers into the party (F29).
        if working && !q.party && q.opp == Opp::None && q.band >= r.cooptation_band && rng.unit_f32() < r.cooptation {
            q.party = true;
            q.legitimacy = (q.legitimacy + r.cooptation_legitimacy).min(1.0);
            out.tally.cooptations += 1;
        }

        // Mass meeting of the collective-agreement campaign (F21, F24).
        if meeting && working {
            out.tally.meeting_eligible += 1;
            let attend = q.efficacy * if ready >= READY_PASSIVE { r.passive_attendance } else { 1.0 };
            if rng.unit_f32() < attend {
                out.tally.meeting_attended += 1;
                if cell_tables_resolution {
                    let support = q.opp != Opp::None;
                    let z = r.vote_bias
                        + r.vote_grievance * q.grievance
                        + cell_voice
                        + if support { r.vote_sympathizer } else { 0.0 }
                        + if q.lean > 0.5 { r.vote_left } else { 0.0 }
                        - r.vote_fear * q.fear
                        - if q.party { r.vote_party } else { 0.0 };
                    if rng.unit_f32() < 1.0 / (1.0 + (-z).exp()) {
                        out.tally.meeting_votes_for += 1;
                    }
                }
            }
        }

        // The OGPU's informers spot active members (F38).
        if q.opp == Opp::Member && matches!(q.status, Status::Working | Status::Sick | Status::Striking | Status::Blacklisted) {
            let visible = 1.0 + if w.new_party[usize::from(q.org)] { r.new_party_visibility } else { 0.0 };
            if rng.unit_f32() < w.detection * w.informer_density * visible {
                out.detected.push(idx);
            }
        }
    }

    cascade(people, buf, r.shop_stop, &mut out);

    // Mood (F22) and the shop's memory for next week.
    let mut lead = 0.0f32;
    let mut legit = 0.0f32;
    let mut n_members = [0u16; 2];
    for q in people.iter_mut() {
        q.mood = if q.opp == Opp::Member || (q.opp == Opp::Sympathizer && q.lean > 0.5) {
            Mood::Left
        } else if q.legitimacy >= r.loyal {
            Mood::Loyal
        } else if q.grievance < r.indifferent_grievance || q.efficacy < r.indifferent_efficacy {
            Mood::Indifferent
        } else if q.lean > 0.5 {
            Mood::Left
        } else {
            Mood::Right
        };
        legit += q.legitimacy;
        if q.opp == Opp::Member && matches!(q.status, Status::Working | Status::Sick | Status::Striking) {
            let o = usize::from(q.org);
            n_members[o] = n_members[o].saturating_add(1);
            // A member follows the line, bent a little by their own radicalism (F34).
            let legality = w.legality[o] * (1.0 - r.indiscipline * q.radicalism);
            lead += 1.0 - 2.0 * legality;
        }
        out.tally.person(q);
    }
    let n_m = u32::from(n_members[0]) + u32::from(n_members[1]);
    out.memory = ShopMemory {
        legitimacy: legit / people.len() as f32,
        members: n_members,
        active: (out.tally.italianka + out.tally.status[Status::Striking as usize]).min(u32::from(u16::MAX)) as u16,
        lead: if n_m > 0 { (lead / n_m as f32).clamp(-1.0, 1.0) * (n_m as f32).min(3.0) / 3.0 } else { 0.0 },
    };
    out
}

/// Granovetter cascades in the shop: first a stoppage among the strike-ready, then a
/// slow-down among the rest. A shop "stops" (or joins its factory's strike) when at
/// least `stop_share` of those at work join.
fn cascade(people: &mut [Person], buf: &mut [(f32, u32, u8)], stop_share: f32, out: &mut ShopOutcome) {
    let at_work = people.iter().filter(|q| q.status == Status::Working).count() as f32;
    if at_work == 0.0 {
        return;
    }
    buf.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let joined = |level: u8| -> Vec<u32> {
        let mut n = 0u32;
        let mut who = Vec::new();
        for &(theta, k, ready) in buf.iter() {
            if ready < level {
                continue;
            }
            // Joins once the number already in reaches its threshold (Granovetter 1978).
            if (theta * at_work).floor() <= n as f32 {
                n += 1;
                who.push(k);
            } else {
                break;
            }
        }
        who
    };
    let strikers = joined(READY_STRIKE);
    let stopped = !strikers.is_empty() && strikers.len() as f32 >= stop_share * at_work;
    if stopped {
        for &k in &strikers {
            people[k as usize].status = Status::Striking;
        }
        out.tally.new_strikers += strikers.len() as u32;
        out.tally.shops_stopped += 1;
        out.stopped = true;
    }
    let slow: Vec<u32> = joined(READY_SLOW).into_iter().filter(|&k| people[k as usize].status == Status::Working).collect();
    if slow.len() as f32 >= stop_share * at_work {
        for &k in &slow {
            people[k as usize].behaviour = Behaviour::Italianka;
        }
        out.tally.shops_slowed += 1;
    }
}

fn opposition_contact(q: &mut Person, w: &Week, r: &Rules, rng: &mut FastRng, main_org: usize, tally: &mut Tally) {
    match q.opp {
        Opp::None if q.leafleted => {
            let receptive = if q.party { r.party_factor } else { 1.0 } * if q.class == Class::White { r.white_collar_factor } else { 1.0 };
            if rng.unit_f32() < r.sympathize * q.grievance * receptive * (1.0 - q.fear) {
                q.opp = Opp::Sympathizer;
                q.org = main_org as u8;
                tally.new_sympathizers += 1;
            }
        }
        Opp::Sympathizer => {
            let o = usize::from(q.org);
            let fit = if q.young && !w.new_party[o] { 1.0 - r.young_misfit * w.legality[o] } else { 1.0 };
            let clarity = w.clarity[o] + if w.new_party[o] { r.new_party_clarity } else { 0.0 };
            if q.status != Status::Arrested
                && q.status != Status::Exiled
                && rng.unit_f32() < r.join * q.grievance * clarity * fit * (1.0 - q.fear)
            {
                q.opp = Opp::Member;
                q.old_cadre = false;
                q.radicalism = if q.young { r.young_radicalism + 0.3 * rng.unit_f32() } else { 0.2 * rng.unit_f32() };
                tally.new_members += 1;
            } else if rng.unit_f32() < r.lapse * (1.0 + q.fear) {
                q.opp = Opp::None;
            }
        }
        Opp::Member => {
            if q.status == Status::Exiled {
                // Colonies radicalize with their share of young workers (F35, F36).
                q.radicalism = (q.radicalism + r.exile_drift * w.colony_young * (1.0 - q.radicalism)).min(1.0);
            } else {
                // Letters from the colonies pull members' views (F37).
                q.radicalism = (q.radicalism + r.letters * w.colony_weight * (w.colony_radicalism - q.radicalism)).clamp(0.0, 1.0);
            }
            if q.old_cadre && q.status != Status::Arrested && rng.unit_f32() < w.capitulation {
                // Capitulation: back into the party, on the general line (F04).
                q.opp = Opp::None;
                q.party = q.status != Status::Exiled;
                q.legitimacy = r.capitulation_legitimacy;
                tally.capitulations += 1;
            }
        }
        Opp::None => {}
    }
}

/// Weeks of a geometric duration with per-week end chance `p` (at least one).
fn geometric(rng: &mut FastRng, p: f32) -> u16 {
    let mut n = 1u16;
    while n < 52 && rng.unit_f32() >= p {
        n += 1;
    }
    n
}
