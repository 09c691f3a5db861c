//! The weekly pass over people, shop by shop, in parallel: ODD 7.3–7.10 for one shop.
//!
//! Each shop is processed by one thread with its own stream `(ussr.week, step, shop)`,
//! reading only last week's factory and shop state, so the result does not depend on the
//! number of threads. Per person, in the ODD's order: status timers → work and health
//! (7.3) → perception (7.4) → protest readiness (7.5) → opposition contact (7.6) →
//! co-optation (7.7) → meeting (7.8) → detection by informers (7.9); then the shop's
//! cascade (7.5) and moods (7.10).

use super::exogenous::Week;
use super::params::Params;
use super::perception::{self, Circle};
use super::protest::{self, Readiness, StrikePush};
use super::state::{Behaviour, Factory, Opp, Person, Status};
use super::tally::{Lanes, Tally};
use super::{management, meetings, moods, opposition, work};
use perelom_engine::FastRng;

/// Last week's state of a shop that this week's pass reads.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, Default)]
pub struct ShopMemory {
    pub circle: Circle,
    /// Share of the shop in a slow-down or on strike.
    pub active_share: f32,
}

/// What a shop's pass produces besides the people's new state.
#[derive(Clone, Debug, Default)]
pub struct ShopOutcome {
    pub tally: Tally,
    pub memory: ShopMemory,
    /// Members the OGPU's informers spotted this week (global person indices).
    pub detected: Vec<u32>,
    /// The shop's members (at large or not) at the end of its pass, in order (global
    /// person indices).
    pub members: Vec<u32>,
    pub cascade: protest::CascadeResult,
    /// Sum of the strike intent of the shop's members at work, and their number.
    pub lead_sum: f32,
    pub lead_members: u32,
}

/// Read-only context of the pass.
pub struct Context<'a> {
    pub p: &'a Params,
    pub week: &'a Week,
    pub factories: &'a [Factory],
    pub memory: &'a [ShopMemory],
    /// Chance a worker of each factory reads a leaflet this week.
    pub leaflet_chance: &'a [f32],
}

/// Runs one shop's week. `people` is the shop's slice, `first` the index of its first
/// person, `buf` a scratch buffer reused across shops.
pub fn shop_week(
    ctx: &Context<'_>,
    shop: u32,
    first: u32,
    people: &mut [Person],
    rng: &mut FastRng,
    buf: &mut Vec<(f32, u32, bool, bool)>,
) -> ShopOutcome {
    let (p, w) = (ctx.p, ctx.week);
    let mut out = ShopOutcome::default();
    let Some(fi) = people.first().map(|q| q.factory as usize) else {
        return out;
    };
    let f = &ctx.factories[fi];
    let mem = ctx.memory[shop as usize];
    let on_strike = f.strike.weeks_left > 0;
    let strain = work::strain(p, f);
    let wages = work::wage_table(p, w, f);
    let leaflet_chance = ctx.leaflet_chance[fi];
    let org = opposition::main_org(f);
    let cell_present = f.members[0] + f.members[1] > 0;
    let meeting = w.campaign.is_some_and(|c| f.meeting_week[c] == w.step);
    let voice = meetings::cell_voice(p, f.members[0] + f.members[1]);
    let push = StrikePush {
        occasion: management::salience(p, f, shop),
        join: if on_strike { p.strikes.join_salience } else { 0.0 },
        contagion: if p.switches.contagion { p.strikes.contagion * f.partner_news } else { 0.0 },
        organize: if p.switches.organizing { p.strikes.organize * f.lead } else { 0.0 },
    };
    let mut strike_risk = RiskMemo::new(perception::arrest_estimate(p, f, f.active_share, 1.0));
    let mut slow_risk = RiskMemo::new(perception::arrest_estimate(p, f, mem.active_share, p.perception.italianka_risk));
    // Nobody is ready to strike without a push (`protest::strike_ready`): the risk is
    // then not needed.
    let pushed = push.total() > 0.0;
    // Per-person choices by party membership (which varies unpredictably from one worker
    // to the next) are loads from these tables rather than branches: `black_box` keeps
    // the compiler from turning the loads back into branches.
    let party_views = std::hint::black_box(perception::party_views(p, &mem.circle));
    let party_masks = std::hint::black_box([0u32, u32::MAX]);
    buf.clear();

    for (k, q) in people.iter_mut().enumerate() {
        let idx = first + k as u32;
        status_timers(q, on_strike);

        // ODD 7.3: work, earnings, fatigue, illness.
        if work::work_week(p, &wages, strain, q, rng) {
            out.tally.fell_ill += 1;
        }

        // ODD 7.4: perception.
        q.hardship = perception::hardship(p, w, q);
        let leafleted = q.status.employed() && leaflet_chance > 0.0 && rng.unit_f32() < leaflet_chance;
        q.leafleted = leafleted;
        out.tally.leaflets += u32::from(leafleted);
        q.legitimacy = perception::legitimacy(p, q, party_views[usize::from(q.party)], f, leafleted);
        q.fear = perception::fear(p, q, f);
        q.efficacy = perception::efficacy(p, q, f);
        q.grievance = q.hardship * (1.0 - q.legitimacy);

        // ODD 7.5: the protest ladder and strike readiness.
        let mut readiness = Readiness::None;
        q.strike_ready = false;
        if q.status == Status::Working {
            readiness = protest::ladder(p, q, slow_risk.get(q.fear), f.dispute_memory);
            let strike = if pushed {
                let own_lead = (q.opp == Opp::Member).then(|| protest::member_lead(p, w.legality[usize::from(q.org)], q.radicalism));
                protest::strike_ready(p, q, &push, strike_risk.get(q.fear), own_lead)
            } else {
                None
            };
            q.strike_ready = strike.is_some();
            if strike.is_some() || readiness == Readiness::SlowDown {
                buf.push((strike.unwrap_or(q.threshold), k as u32, strike.is_some(), readiness == Readiness::SlowDown));
            }
            q.behaviour = if readiness >= Readiness::Passive { Behaviour::Passive } else { Behaviour::Comply };
        }

        // ODD 7.6: the opposition.
        let c = opposition::contact(p, w, q, org, leafleted, cell_present, rng);
        out.tally.new_sympathizers += u32::from(c.new_sympathizer);
        out.tally.new_members += u32::from(c.new_member);
        out.tally.capitulations += u32::from(c.capitulated);

        // ODD 7.13: discussion in the exile colonies.
        if q.status == Status::Exiled {
            super::exile::discuss(p, w, q);
        }

        // ODD 7.7: co-optation into the party.
        out.tally.cooptations += u32::from(opposition::cooptation(p, q, rng));

        // ODD 7.8: the campaign's mass meeting.
        if meeting && q.status == Status::Working {
            out.tally.meeting_eligible += 1;
            let (attended, voted) = meetings::attend_and_vote(p, q, readiness >= Readiness::Passive, voice, rng);
            out.tally.meeting_attended += u32::from(attended);
            out.tally.meeting_votes_for += u32::from(voted);
        }

        // ODD 7.9: the informers spot active members (F38).
        if q.opp == Opp::Member && q.status.at_large() {
            let o = usize::from(q.org);
            let visible = 1.0
                + if w.new_party[o] { p.opposition.new_party_visibility } else { 0.0 }
                + if q.status == Status::Striking { p.ogpu.strike_visibility } else { 0.0 };
            if rng.unit_f32() < p.ogpu.detection * w.informer_density * visible {
                out.detected.push(idx);
            }
        }
    }

    // ODD 7.5: the shop's cascades.
    out.cascade = protest::cascade(p, people, buf);

    // ODD 7.10: moods; and the shop's memory for next week.
    // Sums of legitimacy of non-party workers and of party members, each in the order
    // of the shop (adding 0.0 to a sum that starts at +0.0 leaves it unchanged).
    let mut legit = [0.0f32; 2];
    let mut party = 0u32;
    let mut lean = 0.0f32;
    let striking_factory = on_strike || out.cascade.stopped;
    let mut lanes = Lanes::default();
    for (k, q) in people.iter_mut().enumerate() {
        q.lean = moods::lean(p, w, q, mem.circle.lean, q.leafleted, striking_factory && q.status.employed());
        q.mood = moods::mood(p, q);
        let (x, party_mask) = (q.legitimacy.to_bits(), party_masks[usize::from(q.party)]);
        legit[0] += f32::from_bits(x & !party_mask);
        legit[1] += f32::from_bits(x & party_mask);
        party += u32::from(q.party);
        lean += q.lean;
        if q.opp == Opp::Member {
            out.members.push(first + k as u32);
        }
        if q.opp == Opp::Member && q.status.employed() {
            out.lead_sum += protest::member_lead(p, w.legality[usize::from(q.org)], q.radicalism);
            out.lead_members += 1;
        }
        out.tally.person(q, &mut lanes);
    }
    out.tally.flush(&mut lanes);
    let count = [people.len() as u32 - party, party];
    let n = people.len() as f32;
    let mean = |k: usize| if count[k] > 0 { legit[k] / count[k] as f32 } else { legit[0].max(legit[1]) / n };
    let active = out.tally.italianka + out.tally.status[Status::Striking as usize];
    out.memory = ShopMemory { circle: Circle { legitimacy: [mean(0), mean(1)], lean: lean / n }, active_share: active as f32 / n };
    out
}

/// [`perception::personal_risk`] for one shop's estimate, remembering the last fear it
/// was asked for. A pure function of its arguments, so a repeated fear (everyone employed
/// in a factory shares one fear history: 0 where nobody was ever arrested) returns the
/// same bits without calling `powf` again.
struct RiskMemo {
    estimate: f32,
    fear: u32,
    risk: f32,
}

impl RiskMemo {
    fn new(estimate: f32) -> Self {
        RiskMemo { estimate, fear: 0, risk: perception::personal_risk(estimate, 0.0) }
    }

    #[inline]
    fn get(&mut self, fear: f32) -> f32 {
        if fear.to_bits() != self.fear {
            self.fear = fear.to_bits();
            self.risk = perception::personal_risk(self.estimate, fear);
        }
        self.risk
    }
}

/// Status timers at the start of the week: sickness and arrest run down; strikers return
/// when their factory's strike is over; the arrested go to the exile colonies (F36).
fn status_timers(q: &mut Person, factory_on_strike: bool) {
    match q.status {
        Status::Sick | Status::Arrested if q.weeks_left > 0 => q.weeks_left -= 1,
        _ => {}
    }
    match q.status {
        Status::Sick if q.weeks_left == 0 => q.status = Status::Working,
        Status::Striking if !factory_on_strike => q.status = Status::Working,
        Status::Arrested if q.weeks_left == 0 => q.status = Status::Exiled,
        _ => {}
    }
}
