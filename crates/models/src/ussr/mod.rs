//! The 1928–1929 model: labour, protest, the underground opposition and the OGPU in
//! Soviet industry during the "great break" (Gusev 2008; `shared/brief/MODEL.md`).
//!
//! Weekly order (ODD "process overview"): events and price paths → management revises
//! norms and rates → the people pass (work, perception, behaviour, opposition contact,
//! meetings, detection; in parallel by shop) → factories: strikes start, spread and end;
//! meetings are tallied → the OGPU arrests → colonies and organizations update →
//! metrics. See `docs/ODD.md` for every rule and the fact it implements.

mod init;
pub mod metrics;
pub mod outcomes;
pub mod params;
mod pass;
mod state;
pub mod survey;
mod tally;
pub mod targets;

use crate::Simulation;
use chrono::NaiveDate;
use metrics::{index_of, Event, METRICS};
use params::{Config, REGIONS, SECTORS};
use pass::{Context, Rules, ShopMemory, ShopOutcome, Week};
use perelom_engine::rng::purpose_hash;
use perelom_engine::space::Network;
use perelom_engine::{Clock, ColumnData, Recorder, StepUnit, Streams, Table};
use perelom_scenario::{Scenario, ScenarioError};
use rand::Rng;
use rayon::prelude::*;
pub use state::{Class, Opp, Person, Status};
use tally::Tally;

/// The name scenario files use: `[scenario] model = "ussr-1928"`.
pub const MODEL: &str = "ussr-1928";

pub use params::schema;

/// What the OGPU did in a week.
#[derive(Debug, Default)]
struct OgpuWeek {
    arrests: u32,
    obstructed: u32,
    release_demands: u32,
    /// Statuses the arrested were taken from.
    from: [u32; 6],
}

/// A run of the 1928–1929 model.
pub struct Ussr {
    cfg: Config,
    clock: Clock,
    streams: Streams,
    rules: Rules,
    people: Vec<Person>,
    factory_of: Vec<u32>,
    shop_start: Vec<u32>,
    factories: Vec<state::Factory>,
    memory: Vec<ShopMemory>,
    ties: Network,
    striking: Vec<bool>,
    seven_hour_week: Vec<u32>,
    week: Week,
    steps_done: u32,
    recorder: Recorder,
    events: Vec<Event>,
    last: Tally,
    last_discipline: f64,
    /// Strength (0-1) of each organization's city group in each region and of its
    /// centre: the chain through which literature reaches the cells (F03, F22).
    city: [[f32; 6]; 2],
    centre: [f32; 2],
    initial_members: usize,
    /// Members placed at the start who are active (not in exile), counted as the weekly
    /// `members_bl` + `members_decists` count them.
    initial_active_members: usize,
    // Dated events as steps (None: outside the run; events before it count as done).
    continuous_from: Option<u32>,
    escalation: Option<u32>,
    privilege: Option<u32>,
    plan_start: u32,
    campaigns: [(u32, u32); 2],
}

fn step_of(clock: &Clock, d: NaiveDate) -> Option<u32> {
    clock.step_of_clamped(d)
}

impl Ussr {
    pub fn new(s: &Scenario) -> Result<Self, ScenarioError> {
        let cfg = Config::from_scenario(s);
        check(&cfg, s)?;
        let clock = Clock::dated(cfg.start, StepUnit::Week, cfg.steps);
        let streams = Streams::new(cfg.seed);
        let p = &cfg.p;
        let mut factories = init::factories(&cfg, &streams);
        let mut people = init::people(&cfg, &streams, &factories);
        let initial_members = init::opposition(&cfg, &streams, &factories, &mut people);
        let initial_active_members =
            people.iter().filter(|q| q.opp == Opp::Member && !matches!(q.status, Status::Arrested | Status::Exiled)).count();
        let ties = init::ties(&cfg, &streams, &factories, &people);
        let factory_of: Vec<u32> = people.iter().map(|q| q.factory).collect();
        let n_shops = factories.last().map_or(0, |f| (f.first_shop + f.shops) as usize);
        let mut shop_start = vec![0u32; n_shops + 1];
        for (i, q) in people.iter().enumerate().rev() {
            shop_start[q.shop as usize] = i as u32;
        }
        shop_start[n_shops] = people.len() as u32;

        let campaigns = [
            (
                clock.step_of_clamped(p.date("campaign1.start")).unwrap_or(u32::MAX),
                clock.step_of_clamped(p.date("campaign1.end")).unwrap_or(u32::MAX),
            ),
            (
                clock.step_of_clamped(p.date("campaign2.start")).unwrap_or(u32::MAX),
                clock.step_of_clamped(p.date("campaign2.end")).unwrap_or(u32::MAX),
            ),
        ];
        let mut rng = streams.stream("ussr.init.calendar", 0, 0);
        let seven_from = step_of(&clock, p.date("seven_hour.from")).unwrap_or(u32::MAX);
        let seven_share = p.float("seven_hour.final_share");
        let mut seven_hour_week = Vec::with_capacity(factories.len());
        for f in factories.iter_mut() {
            for (c, (a, b)) in campaigns.iter().enumerate() {
                if *a != u32::MAX && *b != u32::MAX && b >= a {
                    f.meeting_week[c] = rng.random_range(*a..=*b);
                }
            }
            let converts = rng.random::<f64>() < seven_share && seven_from < cfg.steps;
            seven_hour_week.push(if converts { rng.random_range(seven_from..cfg.steps) } else { u32::MAX });
        }
        let coef: Vec<f32> = p.floats("tariff.coefficients").iter().map(|&x| x as f32).collect();
        let g = |k: &str| p.float(k) as f32;
        let rules = Rules {
            coef: coef.try_into().unwrap_or([1.0; 17]),
            effort_strain: g("fatigue.effort_strain"),
            seven_hour_strain: g("seven_hour.fatigue"),
            recovery: g("fatigue.recovery"),
            ill_base: g("illness.base"),
            ill_fatigue: g("illness.per_fatigue"),
            ill_end: 1.0 / g("illness.weeks"),
            w_wage: g("hardship.wage_weight"),
            w_shortage: g("hardship.shortage_weight"),
            w_fatigue: g("hardship.fatigue_weight"),
            influence: g("legitimacy.influence"),
            erosion: g("legitimacy.hardship_erosion"),
            leaflet_effect: g("legitimacy.leaflet_effect"),
            k: g("risk.k"),
            fear_decay: g("fear.decay"),
            efficacy_drift: g("efficacy.drift"),
            t_passive: g("protest.passive"),
            t_italianka: g("protest.italianka"),
            t_strike: g("protest.strike"),
            shop_stop: g("protest.shop_stop"),
            contagion: g("strikes.contagion"),
            organize: g("strikes.organize"),
            leaflets: g("opposition.leaflets"),
            sympathize: g("recruit.sympathize"),
            join: g("recruit.join"),
            party_factor: g("recruit.party_factor"),
            young_misfit: g("recruit.young_misfit"),
            lapse: g("recruit.lapse"),
            cooptation: g("party.cooptation"),
            passive_attendance: g("meetings.passive_attendance"),
            vote_grievance: g("meetings.vote_grievance"),
            vote_bias: g("meetings.vote_bias"),
            vote_sympathizer: g("meetings.sympathizer_vote"),
            vote_cell: g("meetings.cell_weight"),
            white_collar_factor: g("recruit.white_collar_factor"),
            exile_drift: g("exile.drift"),
            letters: g("exile.letters"),
            party_erosion: g("legitimacy.party_erosion"),
            leaflet_lean: g("opposition.leaflet_lean"),
            italianka_effort: g("protest.italianka_effort"),
            cooptation_band: p.int("party.cooptation_band") as u8,
            cooptation_legitimacy: g("party.cooptation_legitimacy"),
            vote_left: g("meetings.vote_left"),
            vote_fear: g("meetings.vote_fear"),
            vote_party: g("meetings.vote_party"),
            loyal: g("mood.loyal"),
            indifferent_grievance: g("mood.indifferent_grievance"),
            indifferent_efficacy: g("mood.indifferent_efficacy"),
            indiscipline: g("opposition.indiscipline"),
            new_party_clarity: g("new_party.clarity"),
            new_party_reach: g("new_party.reach"),
            new_party_visibility: g("new_party.visibility"),
            capitulation_legitimacy: g("capitulation.legitimacy"),
            young_radicalism: g("recruit.young_radicalism"),
        };
        let mut memory = vec![ShopMemory::default(); n_shops];
        for (s, m) in memory.iter_mut().enumerate() {
            let range = shop_start[s] as usize..shop_start[s + 1] as usize;
            let n = range.len().max(1) as f32;
            m.legitimacy = people[range.clone()].iter().map(|q| q.legitimacy).sum::<f32>() / n;
            for q in &people[range] {
                if q.opp == Opp::Member && q.status == Status::Working {
                    m.members[usize::from(q.org)] += 1;
                }
            }
        }
        for f in factories.iter_mut() {
            let shops = f.first_shop as usize..(f.first_shop + f.shops) as usize;
            f.members = memory[shops].iter().fold([0, 0], |a, m| [a[0] + u32::from(m.members[0]), a[1] + u32::from(m.members[1])]);
        }
        let continuous = p.bool("norms.continuous");
        Ok(Ussr {
            continuous_from: if continuous { step_of(&clock, p.date("norms.continuous_from")) } else { None },
            escalation: step_of(&clock, p.date("ogpu.escalation")),
            privilege: clock.step_of(p.date("legitimacy.privilege_date")),
            plan_start: step_of(&clock, p.date("plan.start")).unwrap_or(u32::MAX),
            campaigns,
            striking: vec![false; factories.len()],
            recorder: Recorder::new(&metrics::recorder_spec()),
            week: Week::default(),
            steps_done: 0,
            events: Vec::new(),
            last: Tally::default(),
            last_discipline: 0.0,
            city: [[1.0; 6]; 2],
            centre: [1.0; 2],
            initial_members,
            initial_active_members,
            seven_hour_week,
            people,
            factory_of,
            shop_start,
            factories,
            memory,
            ties,
            rules,
            streams,
            clock,
            cfg,
        })
    }

    /// Everyone modelled, for inspection and tests.
    pub fn people(&self) -> &[Person] {
        &self.people
    }

    pub fn factory_count(&self) -> usize {
        self.factories.len()
    }

    pub fn initial_members(&self) -> usize {
        self.initial_members
    }

    /// Region and sector names of a factory.
    pub fn factory_place(&self, f: usize) -> (&'static str, &'static str) {
        let x = &self.factories[f];
        (REGIONS[usize::from(x.region)], SECTORS[usize::from(x.sector)])
    }

    /// Nominal pay factor of each factory (for tests of the wage rules).
    pub fn factory_pay(&self) -> Vec<f32> {
        self.factories.iter().map(|f| f.pay).collect()
    }

    /// Exogenous paths and dated events of the week (F05-F10, F16, F17, F19, F38).
    fn prepare_week(&mut self, step: u32) {
        let p = &self.cfg.p;
        let month = self.clock.month_key(step).map_or(0, |(y, m)| {
            let start = self.cfg.start;
            use chrono::Datelike;
            ((y - start.year()) * 12 + m as i32 - start.month() as i32).max(0) as usize
        });
        let path = |k: &str| {
            let v = p.floats(k);
            v[month.min(v.len() - 1)] as f32
        };
        let escalated = self.escalation.is_some_and(|e| step >= e);
        // An event takes effect in the week containing its date (dates before the run
        // have already happened).
        let clock = &self.clock;
        let after = |k: &str| clock.step_of_clamped(p.date(k)).is_some_and(|s| step >= s);
        let mut w = Week {
            step,
            price: path("prices.index"),
            shortage: path("prices.shortage"),
            loan: if after("loans.from") { p.float("loans.deduction") as f32 } else { 0.0 },
            rent_low: if after("rent.rise_date") { p.float("rent.rise_low") as f32 } else { 0.0 },
            rent_high: if after("rent.rise_date") { p.float("rent.rise_high") as f32 } else { 0.0 },
            informer_density: (p.float("ogpu.informers") * if escalated { p.float("ogpu.informer_growth") } else { 1.0 }) as f32,
            detection: p.float("ogpu.detection") as f32,
            capitulation: (p.float("capitulation.base")
                + if after("capitulation.left_turn_from") { p.float("capitulation.left_turn") } else { 0.0 })
                as f32,
            campaign: self.campaigns.iter().position(|(a, b)| (*a..=*b).contains(&step)),
            agitation: after("opposition.factory_turn"),
            ..Week::default()
        };
        let platform = if after("opposition.platform_date") { p.float("opposition.platform_clarity") } else { 0.0 };
        let follows = p.bool("opposition.line_follows_members");
        for o in 0..2 {
            let org = &self.cfg.orgs[o];
            let mut legality = org.legality;
            if follows {
                // The line follows the members' radicalization (a counterfactual switch).
                let rad = self.member_radicalism(o);
                legality = legality.min(1.0 - rad);
            }
            w.legality[o] = legality as f32;
            w.clarity[o] = (org.clarity + platform).min(1.0) as f32;
            w.new_party[o] = clock.step_of_clamped(org.new_party_from).is_some_and(|s| step >= s);
        }
        let t = &self.last;
        w.colony_radicalism = if t.exiles > 0 { (t.exile_radicalism / f64::from(t.exiles)) as f32 } else { 0.0 };
        w.colony_young = t.share(t.exiles_young, t.exiles) as f32;
        w.colony_weight = t.share(t.exiles, t.exiles + t.members()).min(1.0) as f32;
        // Damaged links are rebuilt slowly while the organization has members (F03).
        let repair = p.float("underground.repair") as f32;
        for o in 0..2 {
            if t.members_org[o] > 0 {
                self.centre[o] += repair * (1.0 - self.centre[o]);
                for c in self.city[o].iter_mut() {
                    *c += repair * (1.0 - *c);
                }
            }
            for r in 0..6 {
                w.supply[o][r] = self.city[o][r] * self.centre[o];
            }
        }
        self.week = w;
    }

    fn member_radicalism(&self, org: usize) -> f64 {
        let (sum, n) = self
            .people
            .iter()
            .filter(|q| q.opp == Opp::Member && usize::from(q.org) == org && q.status != Status::Exiled)
            .fold((0.0, 0u32), |(s, n), q| (s + f64::from(q.radicalism), n + 1));
        if n == 0 {
            0.0
        } else {
            sum / f64::from(n)
        }
    }

    /// The triangle revises norms and rates (F06, F09, F10); seven-hour conversion (F07);
    /// event shocks to legitimacy (F19).
    fn management(&mut self, step: u32) {
        let p = &self.cfg.p;
        let revision_p = match self.continuous_from {
            Some(s) if step >= s => p.float("norms.weekly_revision"),
            _ => p.float("norms.annual_revision"),
        };
        let in_plan = step >= self.plan_start;
        // In the plan year norms rise as fast as planned productivity (F10).
        let norm_step =
            if in_plan { (p.float("plan.productivity_target") / (52.0 * revision_p.max(1e-9))).min(0.5) } else { p.float("norms.step") }
                as f32;
        let keep_pace = p.bool("wages.keep_pace");
        let rate_cut = p.float("norms.rate_cut") as f32;
        let drift = (p.float("plan.nominal_wage_cap") / 52.0) as f32;
        let shock = p.float("legitimacy.revision_shock") as f32;
        let defeat = p.float("efficacy.defeat") as f32;
        let privilege = if self.privilege == Some(step) { p.float("legitimacy.privilege_shock") as f32 } else { 0.0 };
        let purpose = purpose_hash("ussr.management");
        for (fi, f) in self.factories.iter_mut().enumerate() {
            // Shocks from last week's strikes, meetings and arrests are already here;
            // this week's management adds to them (they are cleared after the pass).
            f.legitimacy_shock -= privilege;
            let mut rng = self.streams.fast(purpose, u64::from(step), fi as u64);
            if in_plan {
                // Nominal wages may rise at most by the plan's cap (F10).
                f.pay *= 1.0 + drift;
            }
            if rng.chance(revision_p) {
                f.norm *= 1.0 + norm_step;
                if keep_pace {
                    f.pay *= 1.0 + norm_step;
                } else {
                    // Rates are cut so that the same effort earns less (F06).
                    f.pay *= 1.0 - norm_step * rate_cut;
                    f.legitimacy_shock -= shock;
                    f.efficacy_shock -= defeat * 0.5;
                }
            }
            if self.seven_hour_week[fi] == step {
                f.seven_hour = true;
            }
        }
    }

    fn people_pass(&mut self, step: u32) -> Vec<ShopOutcome> {
        let ctx = Context {
            week: &self.week,
            rules: &self.rules,
            factories: &self.factories,
            memory: &self.memory,
            ties: &self.ties,
            factory_of: &self.factory_of,
            striking: &self.striking,
            any_striking: self.striking.iter().any(|&x| x),
        };
        let mut slices: Vec<(u32, u32, &mut [Person])> = Vec::with_capacity(self.memory.len());
        let mut rest: &mut [Person] = &mut self.people;
        for s in 0..self.memory.len() {
            let len = (self.shop_start[s + 1] - self.shop_start[s]) as usize;
            let (head, tail) = rest.split_at_mut(len);
            slices.push((s as u32, self.shop_start[s], head));
            rest = tail;
        }
        let purpose = purpose_hash("ussr.week");
        let streams = self.streams;
        slices
            .into_par_iter()
            .map_init(Vec::new, |buf, (s, first, slice)| {
                let mut rng = streams.fast(purpose, u64::from(step), u64::from(s));
                pass::shop_week(&ctx, s, first, slice, &mut rng, buf)
            })
            .collect()
    }

    /// Strikes begin, spread and end; meetings are tallied (F13, F14, F21, F24, F39).
    fn factories_phase(&mut self, step: u32, shops: &[ShopOutcome], total: &mut Tally) -> (Vec<u32>, [u32; 6]) {
        let p = &self.cfg.p;
        let mut detected: Vec<u32> = Vec::new();
        let mut started: Vec<usize> = Vec::new();
        let mut counts = [0u32; 6]; // started, participants, coordinated, meetings, failed, won
        let quorum = p.float("meetings.quorum");
        let weeks_end = 1.0 / p.float("strikes.weeks");
        let concession = p.float("strikes.concession");
        let leaders = p.int("strikes.leaders_sacked") as usize;
        let gain = p.float("legitimacy.concession_gain") as f32;
        let (win, defeat) = (p.float("efficacy.win") as f32, p.float("efficacy.defeat") as f32);
        let concession_raise = p.float("strikes.concession_raise") as f32;
        let max_weeks = p.int("strikes.max_weeks") as u16;
        let leader_grievance = p.float("strikes.leader_grievance") as f32;
        let (sick_report, passive_report) = (p.float("report.sick_share"), p.float("report.passive_share"));
        let purpose = purpose_hash("ussr.factories");
        let mut discipline = 0u32;
        for fi in 0..self.factories.len() {
            let mut rng = self.streams.fast(purpose, u64::from(step), fi as u64);
            let f = &self.factories[fi];
            let shop_range = f.first_shop as usize..(f.first_shop + f.shops) as usize;
            let mut t = Tally::default();
            let mut stopped = false;
            for o in &shops[shop_range.clone()] {
                t.add(&o.tally);
                stopped |= o.stopped;
                detected.extend_from_slice(&o.detected);
            }
            total.add(&t);
            let f = &mut self.factories[fi];
            f.members = shops[shop_range.clone()]
                .iter()
                .fold([0, 0], |a, o| [a[0] + u32::from(o.memory.members[0]), a[1] + u32::from(o.memory.members[1])]);
            f.sympathizers = t.sympathizers;
            f.strikers_last_week = t.status[Status::Striking as usize];
            let sick_share = t.share(t.status[Status::Sick as usize], t.employed);
            let passive_share = t.share(t.passive, t.employed);
            if t.shops_slowed > 0 || stopped || sick_share >= sick_report || passive_share >= passive_report {
                discipline += 1;
            }
            // A new strike: a shop stopped in a factory not already on strike.
            if stopped && f.strike_weeks_left == 0 {
                let mut weeks = 1u16;
                while weeks < max_weeks && !rng.chance(weeks_end) {
                    weeks += 1;
                }
                f.strike_weeks_left = weeks;
                started.push(fi);
                counts[0] += 1;
                counts[1] += t.new_strikers;
                self.events.push(Event {
                    step,
                    factory: fi as u32,
                    kind: "strike",
                    count: t.new_strikers,
                    detail: t.shops_stopped,
                    outcome: "started",
                });
            } else if f.strike_weeks_left > 0 {
                f.strike_weeks_left -= 1;
                if f.strike_weeks_left == 0 {
                    let conceded = rng.chance(concession);
                    if conceded {
                        // Rates restored by one revision's worth; goodwill and confidence rise.
                        f.pay *= 1.0 + concession_raise;
                        f.legitimacy_shock += gain;
                        f.efficacy_shock += win;
                    } else {
                        f.efficacy_shock -= defeat;
                        f.fear_shock += p.float("fear.arrest_seen") as f32 * 0.5;
                    }
                    let f_first = f.first_person as usize;
                    let f_size = f.size as usize;
                    let mut sacked = 0;
                    if !conceded {
                        // Leaders sacked and blacklisted (F39); members among strikers exposed.
                        for q in self.people[f_first..f_first + f_size].iter_mut() {
                            if q.status == Status::Striking && q.opp != Opp::Member && sacked < leaders && q.grievance > leader_grievance {
                                q.status = Status::Blacklisted;
                                total.status[Status::Striking as usize] -= 1;
                                total.status[Status::Blacklisted as usize] += 1;
                                sacked += 1;
                            }
                        }
                        for (k, q) in self.people[f_first..f_first + f_size].iter().enumerate() {
                            if q.status == Status::Striking && q.opp == Opp::Member {
                                detected.push((f_first + k) as u32);
                            }
                        }
                    }
                    self.events.push(Event {
                        step,
                        factory: fi as u32,
                        kind: "strike",
                        count: sacked as u32,
                        detail: 0,
                        outcome: if conceded { "concession" } else { "repressed" },
                    });
                }
            }
            if t.shops_slowed > 0 {
                self.events.push(Event {
                    step,
                    factory: fi as u32,
                    kind: "italianka",
                    count: t.italianka,
                    detail: t.shops_slowed,
                    outcome: "slow-down",
                });
            }
            // Meeting tally (F21, F24).
            if t.meeting_eligible > 0 {
                counts[3] += 1;
                let attendance = t.share(t.meeting_attended, t.meeting_eligible);
                let tabled = f.members.iter().sum::<u32>() > 0;
                let outcome = if attendance < quorum {
                    counts[4] += 1;
                    "failed (no quorum)"
                } else if tabled && 2 * t.meeting_votes_for > t.meeting_attended {
                    counts[5] += 1;
                    f.efficacy_shock += win;
                    "opposition resolution adopted"
                } else if tabled {
                    "cell resolution adopted"
                } else {
                    "no opposition resolution"
                };
                self.events.push(Event {
                    step,
                    factory: fi as u32,
                    kind: "meeting",
                    count: t.meeting_attended,
                    detail: t.meeting_votes_for,
                    outcome,
                });
            }
        }
        // Coordination across factories (F14): strikes begun the same week in the same
        // region and sector.
        for (a, &fa) in started.iter().enumerate() {
            let (ra, sa) = (self.factories[fa].region, self.factories[fa].sector);
            if started.iter().enumerate().any(|(b, &fb)| a != b && self.factories[fb].region == ra && self.factories[fb].sector == sa) {
                counts[2] += 1;
            }
        }
        for (fi, f) in self.factories.iter().enumerate() {
            self.striking[fi] = f.strike_weeks_left > 0;
        }
        self.last_discipline = f64::from(discipline) / self.factories.len().max(1) as f64;
        (detected, counts)
    }
}

impl Ussr {
    /// The OGPU arrests detected members up to its weekly capacity; after the escalation
    /// provocateurs expose whole cells, and an exposed cell may lead to its city group and
    /// on to the centre (F03, F38). Workers sometimes obstruct an arrest or demand a
    /// release (F38). Arrested people are held, then exiled (members) or blacklisted (F39).
    fn ogpu(&mut self, step: u32, mut detected: Vec<u32>) -> OgpuWeek {
        let escalated = self.escalation.is_some_and(|e| step >= e);
        let mut rng = self.streams.stream("ussr.ogpu", u64::from(step), 0);
        if escalated {
            self.provocateurs(step, &mut rng, &mut detected);
        }
        let p = &self.cfg.p;
        let capacity = self.cfg.scale * if escalated { p.float("ogpu.capacity_after") } else { p.float("ogpu.capacity") };
        detected.sort_unstable();
        detected.dedup();
        // Whom the OGPU gets to first is random; capacity is a weekly rate with the
        // fraction taken as a chance.
        use rand::seq::SliceRandom;
        detected.shuffle(&mut rng);
        let mut cap = capacity.floor() as usize + usize::from(rng.random::<f64>() < capacity.fract());
        let obstruction = p.float("ogpu.obstruction");
        let demand = p.float("ogpu.release_demand");
        let full_sympathy = p.float("ogpu.full_sympathy");
        let demand_shock = p.float("legitimacy.release_demand_shock") as f32;
        let prison = p.int("ogpu.prison_weeks") as u16;
        let fear = p.float("fear.arrest_seen") as f32;
        let defeat = p.float("efficacy.defeat") as f32;
        let mut week = OgpuWeek::default();
        for idx in detected {
            if cap == 0 {
                break;
            }
            let fi = self.factory_of[idx as usize] as usize;
            let f = &mut self.factories[fi];
            let sympathy = (f64::from(f.sympathizers + f.members.iter().sum::<u32>()) / f64::from(f.size.max(1)) / full_sympathy).min(1.0);
            if rng.random::<f64>() < obstruction * sympathy {
                week.obstructed += 1;
                self.events.push(Event { step, factory: fi as u32, kind: "arrest", count: 1, detail: 0, outcome: "obstructed by workers" });
                continue;
            }
            cap -= 1;
            week.arrests += 1;
            let q = &mut self.people[idx as usize];
            week.from[q.status as usize] += 1;
            q.status = Status::Arrested;
            q.weeks_left = prison;
            // Fear of the first arrest in the factory this week, half as much again for
            // each further one, at most twice.
            f.fear_shock = (f.fear_shock + fear * 0.5).min(fear * 2.0);
            f.efficacy_shock -= defeat * 0.25;
            self.events.push(Event { step, factory: fi as u32, kind: "arrest", count: 1, detail: 0, outcome: "arrested" });
            if rng.random::<f64>() < demand * sympathy {
                // The demand is refused (F39: no escape under one employer), but the
                // arrest now visibly wrongs the whole factory.
                week.release_demands += 1;
                f.legitimacy_shock -= demand_shock;
                self.events.push(Event { step, factory: fi as u32, kind: "release demand", count: 1, detail: 0, outcome: "refused" });
            }
        }
        week
    }

    /// Provocateurs expose whole cells; a chain of exposures may reach the city group
    /// of the cell's region, its other cells, and the centre (F03, F38).
    fn provocateurs(&mut self, step: u32, rng: &mut perelom_engine::SimRng, detected: &mut Vec<u32>) {
        let p = &self.cfg.p;
        let prov = p.float("ogpu.provocateur");
        let chain = p.float("underground.chain_exposure");
        let chain_detect = p.float("underground.chain_detection");
        let centre_hit = p.float("underground.centre_hit");
        let mut broken: Vec<(u8, usize)> = Vec::new();
        for (fi, f) in self.factories.iter().enumerate() {
            let members = f.members.iter().sum::<u32>();
            if members == 0 || rng.random::<f64>() >= prov {
                continue;
            }
            let first = f.first_person as usize;
            for (k, q) in self.people[first..first + f.size as usize].iter().enumerate() {
                if q.opp == Opp::Member && q.status != Status::Arrested && q.status != Status::Exiled {
                    detected.push((first + k) as u32);
                }
            }
            self.events.push(Event { step, factory: fi as u32, kind: "provocateur", count: members, detail: 0, outcome: "cell exposed" });
            if rng.random::<f64>() < chain {
                let org = usize::from(f.members[1] > f.members[0]);
                broken.push((f.region, org));
                self.events.push(Event {
                    step,
                    factory: fi as u32,
                    kind: "provocateur",
                    count: members,
                    detail: 0,
                    outcome: "city group exposed",
                });
            }
        }
        for (region, org) in broken {
            self.city[org][usize::from(region)] *= 0.5;
            if rng.random::<f64>() < centre_hit {
                self.centre[org] *= 0.7;
            }
            for (i, q) in self.people.iter().enumerate() {
                if q.opp == Opp::Member
                    && usize::from(q.org) == org
                    && !matches!(q.status, Status::Arrested | Status::Exiled)
                    && self.factories[q.factory as usize].region == region
                    && rng.random::<f64>() < chain_detect
                {
                    detected.push(i as u32);
                }
            }
        }
    }

    fn record(&mut self, step: u32, t: &Tally, counts: [u32; 6], arrests: &OgpuWeek) {
        let mut row = vec![0.0; METRICS.len()];
        let mut set = |name: &str, v: f64| row[index_of(name)] = v;
        let n = f64::from(t.people.max(1));
        set("strikes_started", f64::from(counts[0]));
        set("strike_participants", f64::from(counts[1]));
        set("strikes_coordinated", f64::from(counts[2]));
        set("factories_on_strike", self.striking.iter().filter(|&&s| s).count() as f64);
        set("italianki", f64::from(t.shops_slowed));
        set("italianka_workers", f64::from(t.italianka));
        set("passive_protest", f64::from(t.passive));
        set("meetings_held", f64::from(counts[3]));
        set("meetings_failed", f64::from(counts[4]));
        set("meeting_attendance", t.share(t.meeting_attended, t.meeting_eligible));
        set("opposition_resolutions", f64::from(counts[5]));
        set("members_bl", f64::from(t.members_org[0]));
        set("members_decists", f64::from(t.members_org[1]));
        set("members_blue", f64::from(t.members_class[0]));
        set("members_white", f64::from(t.members_class[1]));
        set("members_peasant", f64::from(t.members_class[2]));
        set("members_old_cadre", f64::from(t.members_old));
        set("members_new_recruit", f64::from(t.members_new));
        set("sympathizers", f64::from(t.sympathizers));
        set("new_members", f64::from(t.new_members));
        set("leaflets", f64::from(t.leaflets));
        set("arrests", f64::from(arrests.arrests));
        set("arrests_obstructed", f64::from(arrests.obstructed));
        set("release_demands", f64::from(arrests.release_demands));
        set("centre_bl", f64::from(self.centre[0]));
        set("centre_decists", f64::from(self.centre[1]));
        set("exiles", f64::from(t.status[Status::Exiled as usize]));
        set("capitulations", f64::from(t.capitulations));
        set("cooptations", f64::from(t.cooptations));
        set("blacklisted", f64::from(t.status[Status::Blacklisted as usize]));
        set("working", f64::from(t.status[Status::Working as usize]));
        set("sick", f64::from(t.status[Status::Sick as usize]));
        set("striking", f64::from(t.status[Status::Striking as usize]));
        set("arrested", f64::from(t.status[Status::Arrested as usize]));
        set("population", f64::from(t.people));
        let employed = f64::from(t.employed.max(1));
        set("real_wage_index", if t.wage_ref > 0.0 { t.real_wage / t.wage_ref } else { 0.0 });
        let norm = self.factories.iter().map(|f| f64::from(f.norm) * f64::from(f.size)).sum::<f64>() / n;
        let slow = 1.0 - self.cfg.p.float("protest.italianka_effort");
        let at_work = f64::from(t.status[Status::Working as usize]) - slow * f64::from(t.italianka);
        set("productivity_index", norm * at_work / employed);
        set("fatigue", t.fatigue / employed);
        set("grievance", t.grievance / n);
        set("legitimacy", t.legitimacy / n);
        set("efficacy", t.efficacy / n);
        set("mood_loyal", t.mood_share(state::Mood::Loyal));
        set("mood_left", t.mood_share(state::Mood::Left));
        set("mood_right", t.mood_share(state::Mood::Right));
        set("mood_indifferent", t.mood_share(state::Mood::Indifferent));
        set("exile_radicalism", if t.exiles > 0 { t.exile_radicalism / f64::from(t.exiles) } else { 0.0 });
        set("exile_workers_radical", t.share(t.exile_workers_radical, t.exile_workers));
        set("factories_discipline", self.last_discipline);
        self.recorder.record(&self.clock, step, &row);
    }

    fn events_table(&self) -> Table {
        let mut t = Table::new();
        t.push("step", ColumnData::I64(self.events.iter().map(|e| i64::from(e.step)).collect()));
        t.push("date", ColumnData::Date(self.events.iter().map(|e| self.clock.date(e.step).unwrap_or(self.cfg.start)).collect()));
        t.push("factory", ColumnData::I64(self.events.iter().map(|e| i64::from(e.factory)).collect()));
        t.push("region", ColumnData::Str(self.events.iter().map(|e| self.factory_place(e.factory as usize).0.to_string()).collect()));
        t.push("sector", ColumnData::Str(self.events.iter().map(|e| self.factory_place(e.factory as usize).1.to_string()).collect()));
        t.push("event", ColumnData::Str(self.events.iter().map(|e| e.kind.to_string()).collect()));
        t.push("count", ColumnData::I64(self.events.iter().map(|e| i64::from(e.count)).collect()));
        t.push("detail", ColumnData::I64(self.events.iter().map(|e| i64::from(e.detail)).collect()));
        t.push("outcome", ColumnData::Str(self.events.iter().map(|e| e.outcome.to_string()).collect()));
        t
    }
}

impl Simulation for Ussr {
    fn clock(&self) -> &Clock {
        &self.clock
    }

    fn steps_done(&self) -> u32 {
        self.steps_done
    }

    fn step(&mut self) {
        let step = self.steps_done;
        self.prepare_week(step);
        self.management(step);
        let shops = self.people_pass(step);
        for f in self.factories.iter_mut() {
            f.legitimacy_shock = 0.0;
            f.efficacy_shock = 0.0;
            f.fear_shock = 0.0;
        }
        for (m, o) in self.memory.iter_mut().zip(&shops) {
            *m = o.memory;
        }
        let mut total = Tally::default();
        let (detected, counts) = self.factories_phase(step, &shops, &mut total);
        let arrests = self.ogpu(step, detected);
        // Arrests change statuses after the tally: count them where they now stand.
        // Arrests changed statuses after the tally: move them where they now stand.
        for (from, n) in arrests.from.iter().enumerate() {
            total.status[from] -= n;
        }
        total.status[Status::Arrested as usize] += arrests.arrests;
        self.record(step, &total, counts, &arrests);
        self.last = total;
        self.steps_done += 1;
    }

    fn metrics(&self) -> Table {
        self.recorder.to_table()
    }

    fn tables(&self) -> Vec<(String, Table)> {
        vec![
            ("monthly".to_string(), metrics::monthly(&self.recorder.to_table(), &self.clock)),
            ("events".to_string(), metrics::describe_events(self.events_table())),
        ]
    }

    fn documents(&self) -> Vec<(String, String)> {
        vec![("survey.md".to_string(), survey::survey(&self.metrics(), &self.clock, &self.cfg.p.meta.name))]
    }

    fn outcomes(&self) -> Vec<(String, f64)> {
        outcomes::outcomes(&self.recorder.to_table(), &self.clock)
    }

    fn summary(&self) -> Vec<(String, String)> {
        let t = self.recorder.to_table();
        let sum = |k: &str| t.numbers(k).map_or(0.0, |v| v.iter().sum::<f64>());
        let last = |k: &str| t.numbers(k).and_then(|v| v.last().copied()).unwrap_or(0.0);
        // One definition throughout: active members (not arrested or exiled), as the
        // weekly members_bl + members_decists count them; the start is before week 1.
        let start_members = self.initial_active_members as f64;
        let peak_members = t
            .numbers("members_bl")
            .zip(t.numbers("members_decists"))
            .map_or(start_members, |(a, b)| a.iter().zip(&b).map(|(x, y)| x + y).fold(start_members, f64::max));
        vec![
            ("people modelled".into(), format!("{} in {} factories", self.people.len(), self.factories.len())),
            (
                "strikes".into(),
                format!(
                    "{} ({} workers); T1 target at this scale {:.0}",
                    sum("strikes_started"),
                    sum("strike_participants"),
                    1569.0 * self.people.len() as f64 / self.cfg.p.int("population.full_scale") as f64
                ),
            ),
            ("slow-downs (italianki)".into(), format!("{}", sum("italianki"))),
            ("meetings held / won by the opposition".into(), format!("{} / {}", sum("meetings_held"), sum("opposition_resolutions"))),
            (
                "active opposition members (not arrested or exiled): start, peak, end".into(),
                format!(
                    "{start_members}, {peak_members}, {}; {} in exile at the start",
                    last("members_bl") + last("members_decists"),
                    self.initial_members - self.initial_active_members
                ),
            ),
            ("arrests / exiles / blacklisted".into(), format!("{} / {} / {}", sum("arrests"), last("exiles"), last("blacklisted"))),
            ("real wage index at end".into(), format!("{:.3}", last("real_wage_index"))),
            ("loyal share at end".into(), format!("{:.3}", last("mood_loyal"))),
        ]
    }
}

/// Checks that involve several parameters at once.
fn check(cfg: &Config, s: &Scenario) -> Result<(), ScenarioError> {
    let err = |key: &str, msg: String, help: &str| {
        let pos = s.get(key).and_then(|p| match p.origin {
            perelom_scenario::Origin::File { line, column } => Some((line, column)),
            _ => None,
        });
        Err(ScenarioError::new(&s.file, pos, msg).with_help(help))
    };
    let shares = s.floats("opposition.class_shares");
    if shares.iter().sum::<f64>() > 1.0 + 1e-9 {
        return err(
            "opposition.class_shares",
            "opposition.class_shares add up to more than 1".into(),
            "give blue-collar, white-collar and peasant shares summing to at most 1",
        );
    }
    for k in ["population.region_shares", "population.sector_shares"] {
        if s.floats(k).iter().sum::<f64>() <= 0.0 {
            return err(k, format!("{k} are all zero"), "give at least one positive share");
        }
    }
    let p = &cfg.p;
    if p.float("protest.passive") > p.float("protest.italianka") {
        return err(
            "protest.passive",
            "protest.passive is above protest.italianka".into(),
            "the protest ladder needs passive <= italianka thresholds",
        );
    }
    if cfg.workers > 10_000_000 {
        return err(
            "population.scale",
            format!("{} people is more than this build supports", cfg.workers),
            "lower population.scale or population.full_scale",
        );
    }
    for c in ["campaign1", "campaign2"] {
        if p.date(&format!("{c}.end")) < p.date(&format!("{c}.start")) {
            return err(&format!("{c}.end"), format!("{c} ends before it starts"), "give an end date after the start date");
        }
    }
    Ok(())
}
