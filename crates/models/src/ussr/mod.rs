//! The 1928–1929 model: labour, protest, the underground opposition and the OGPU in
//! Soviet industry during the "great break" (Gusev 2008; `docs/ODD.md`).
//!
//! The files follow the ODD's submodels (section 7) in the order of its process overview
//! (section 3), the order a week runs:
//!
//! | ODD | file | what |
//! |-----|------|------|
//! | 5   | `init.rs` | factories, partner network, workforce, underground cells |
//! | 7.1 | `exogenous.rs`, `calendar.rs` | prices, shortages, plan, lines, escalation; dated events |
//! | 7.2 | `management.rs` | norms and rates, seven-hour day, occasions of local disputes |
//! | 7.3 | `work.rs` | earnings, fatigue, illness |
//! | 7.4 | `perception.rs` | hardship, legitimacy, fear, efficacy, estimated risk |
//! | 7.5 | `protest.rs` | passive protest, slow-down and strike readiness, the cascade |
//! | 7.6–7.7 | `opposition.rs` | leaflets, recruitment, capitulation, co-optation, underground structure |
//! | 7.8 | `meetings.rs` | campaign meetings and votes |
//! | 7.10 | `moods.rs` | loyal / left / right / indifferent, lean |
//! | 7.11 | `strikes.rs` | strike episodes: start, counting rule, end, spread |
//! | 7.12 | `ogpu.rs` | detection, provocateurs, arrests, obstruction |
//! | 7.13 | `exile.rs` | the exile colonies |
//! | 7.14 | `metrics.rs`, `tally.rs` | recording |
//!
//! 7.3–7.10 run per shop in parallel (`shop.rs`); the rest per factory or for the
//! whole country, in this file's [`Simulation::step`].

mod calendar;
pub mod checkpoint;
mod exile;
mod exogenous;
pub mod info;
mod init;
mod management;
mod meetings;
pub mod metrics;
mod moods;
mod ogpu;
mod opposition;
pub mod outcomes;
pub mod params;
mod perception;
mod protest;
mod shop;
mod state;
mod strikes;
pub mod survey;
mod tally;
pub mod targets;
#[cfg(test)]
mod testkit;
mod work;

use crate::Simulation;
use calendar::Calendar;
use chrono::Datelike;
use exogenous::{LastWeek, Week};
use metrics::{index_of, Event, METRICS};
use ogpu::OgpuWeek;
use opposition::Underground;
use params::{Params, REGIONS, SECTORS};
use perelom_engine::rng::purpose_hash;
use perelom_engine::space::Network;
use perelom_engine::{Clock, ColumnData, Recorder, StepUnit, Streams, Table};
use perelom_scenario::{Scenario, ScenarioError};
use rayon::prelude::*;
use shop::{Context, ShopMemory, ShopOutcome};
pub use state::{Class, Mood, Occasion, Opp, Person, Status};
use strikes::StrikeWeek;
use tally::Tally;

/// The name scenario files use: `[scenario] model = "ussr-1928"`.
pub const MODEL: &str = "ussr-1928";

pub use params::{schema, MECHANISMS};

/// A factory's stoppages in a week (ODD 7.5 → 7.11).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Stoppage {
    /// A shop of the factory stopped work.
    pub any: bool,
    /// Workers who stopped.
    pub strikers: u32,
    /// Shops that stopped.
    pub shops: u32,
}

/// The week's campaign meetings (ODD 7.8).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct MeetingCount {
    pub held: u32,
    /// Failed for lack of attendance (F24).
    pub failed: u32,
    /// Adopted the opposition's resolution (F21).
    pub won: u32,
}

/// A run of the 1928–1929 model.
#[derive(Clone)]
pub struct Ussr {
    p: Params,
    cal: Calendar,
    clock: Clock,
    streams: Streams,
    people: Vec<Person>,
    /// Indices of the members of the opposition (`opp == Member`, at large or not), in
    /// ascending order: rebuilt by every weekly pass (only the pass and the start make
    /// or unmake members) and by `count_cells`, so that the weekly sums over members and
    /// the OGPU's searches visit the same people in the same order as a scan of everyone.
    members: Vec<u32>,
    shop_start: Vec<u32>,
    factories: Vec<state::Factory>,
    partners: Network,
    memory: Vec<ShopMemory>,
    /// Last week's shop outcomes, kept for their memory: the next pass writes into it
    /// rather than into a fresh allocation (16 MB at full scale).
    shop_buf: Vec<ShopOutcome>,
    week: Week,
    underground: Underground,
    steps_done: u32,
    recorder: Recorder,
    events: Vec<Event>,
    last: Tally,
    last_discipline: f64,
    initial_members: usize,
}

impl Ussr {
    /// Builds the model at the end of 1927 from a resolved scenario (ODD 5).
    pub fn new(s: &Scenario) -> Result<Self, ScenarioError> {
        let p = Params::from_scenario(s)?;
        let clock = Clock::dated(p.dates.start, StepUnit::Week, p.steps);
        let cal = Calendar::new(&p.dates, &clock);
        let streams = Streams::new(p.seed);
        let mut factories = init::factories(&p, &streams);
        init::calendar(&p, &cal, &streams, &mut factories);
        let partners = init::partners(&p, &streams, &factories);
        let mut people = init::people(&p, &streams, &factories);
        let initial_members = init::opposition(&p, &streams, &factories, &mut people);
        let n_shops = factories.last().map_or(0, |f| (f.first_shop + f.shops) as usize);
        let mut shop_start = vec![0u32; n_shops + 1];
        for (i, q) in people.iter().enumerate().rev() {
            shop_start[q.shop as usize] = i as u32;
        }
        shop_start[n_shops] = people.len() as u32;
        let mut memory = vec![ShopMemory::default(); n_shops];
        for (s, m) in memory.iter_mut().enumerate() {
            let shop = &people[shop_start[s] as usize..shop_start[s + 1] as usize];
            let mut sum = [0.0f32; 2];
            let mut n = [0u32; 2];
            for q in shop {
                sum[usize::from(q.party)] += q.legitimacy;
                n[usize::from(q.party)] += 1;
            }
            let all = (sum[0] + sum[1]) / shop.len().max(1) as f32;
            m.circle.legitimacy = [0, 1].map(|k| if n[k] > 0 { sum[k] / n[k] as f32 } else { all });
            m.circle.lean = shop.iter().map(|q| q.lean).sum::<f32>() / shop.len().max(1) as f32;
        }
        let mut model = Ussr {
            p,
            cal,
            clock,
            streams,
            people,
            members: Vec::new(),
            shop_start,
            factories,
            partners,
            memory,
            shop_buf: Vec::new(),
            week: Week::default(),
            underground: Underground::default(),
            steps_done: 0,
            recorder: Recorder::new(&metrics::recorder_spec()),
            events: Vec::new(),
            last: Tally::default(),
            last_discipline: 0.0,
            initial_members,
        };
        model.count_cells();
        Ok(model)
    }

    /// Everyone modelled, for inspection and tests.
    pub fn people(&self) -> &[Person] {
        &self.people
    }

    /// Number of factories (fixed at the start of the run).
    pub fn factory_count(&self) -> usize {
        self.factories.len()
    }

    /// Members placed at the start (at large or in exile).
    pub fn initial_members(&self) -> usize {
        self.initial_members
    }

    /// The typed parameters of the run.
    pub fn params(&self) -> &Params {
        &self.p
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

    /// Partner factories of factory `f` (F14).
    pub fn partners(&self, f: usize) -> &[u32] {
        self.partners.neighbours(f)
    }

    /// Members and sympathizers per factory at the start, and the cells' lead.
    fn count_cells(&mut self) {
        self.members = (0..self.people.len() as u32).filter(|&i| self.people[i as usize].opp == Opp::Member).collect();
        for f in self.factories.iter_mut() {
            let first = f.first_person as usize;
            let mut members = [0u32; 2];
            let mut sympathizers = 0;
            for q in &self.people[first..first + f.size as usize] {
                if q.opp == Opp::Member && q.status.at_large() {
                    members[usize::from(q.org)] += 1;
                } else if q.opp == Opp::Sympathizer {
                    sympathizers += 1;
                }
            }
            f.members = members;
            f.sympathizers = sympathizers;
        }
    }

    /// Months since the start of the price paths (the run's first month).
    fn month_index(&self, step: u32) -> usize {
        let start = self.p.dates.start;
        self.clock.month_key(step).map_or(0, |(y, m)| ((y - start.year()) * 12 + m as i32 - start.month() as i32).max(0) as usize)
    }

    /// ODD 7.1: the week's exogenous state and the underground's supply lines.
    fn prepare_week(&mut self, step: u32) {
        let t = &self.last;
        let (colony_radicalism, colony_young, colony_weight) = exile::colonies(t.exiles, t.exiles_young, t.exile_radicalism, t.members());
        let last = LastWeek { member_radicalism: self.member_radicalism(), colony_radicalism, colony_young, colony_weight };
        self.underground.repair(&self.p, t.members_org);
        self.week = exogenous::week(&self.p, &self.cal, step, self.month_index(step), &last, self.underground.supply());
    }

    fn member_radicalism(&self) -> [f32; 2] {
        let mut sum = [0.0f64; 2];
        let mut n = [0u32; 2];
        for q in self.members.iter().map(|&i| &self.people[i as usize]).filter(|q| q.opp == Opp::Member && q.status.at_large()) {
            sum[usize::from(q.org)] += f64::from(q.radicalism);
            n[usize::from(q.org)] += 1;
        }
        [0, 1].map(|k| if n[k] > 0 { (sum[k] / f64::from(n[k])) as f32 } else { 0.0 })
    }

    /// ODD 7.2: management, and the repression each factory perceives (ODD 7.4).
    fn management(&mut self, step: u32) {
        let purpose = purpose_hash("ussr.management");
        let keep = 1.0 - self.p.perception.risk_memory;
        for (fi, f) in self.factories.iter_mut().enumerate() {
            let mut rng = self.streams.fast(purpose, u64::from(step), fi as u64);
            management::factory_week(&self.p, &self.week, f, &mut rng);
            if self.cal.privilege == Some(step) {
                f.legitimacy_shock -= self.p.perception.privilege_shock;
            }
            f.repression_seen *= keep;
        }
        let w = self.p.perception.partner_weight;
        let perceived: Vec<f32> = (0..self.factories.len())
            .map(|fi| {
                let ps = self.partners.neighbours(fi);
                let partner = if ps.is_empty() {
                    0.0
                } else {
                    ps.iter().map(|&g| self.factories[g as usize].repression_seen).sum::<f32>() / ps.len() as f32
                };
                self.factories[fi].repression_seen + w * partner
            })
            .collect();
        for (f, x) in self.factories.iter_mut().zip(perceived) {
            f.repression_perceived = x;
        }
    }

    /// Chance a worker of each factory reads a leaflet this week (ODD 7.6).
    fn leaflet_chances(&self) -> Vec<f32> {
        let own: Vec<f32> = self.factories.iter().map(|f| opposition::own_leaflets(&self.p, &self.week, f)).collect();
        (0..self.factories.len())
            .map(|fi| {
                let partner: f32 = self.partners.neighbours(fi).iter().map(|&g| own[g as usize]).sum();
                opposition::leaflet_chance(&self.p, &self.week, &self.factories[fi], partner)
            })
            .collect()
    }

    /// ODD 7.3–7.10, per shop in parallel.
    fn people_pass(&mut self, step: u32, shops: &mut Vec<ShopOutcome>) {
        let leaflet_chance = self.leaflet_chances();
        let ctx =
            Context { p: &self.p, week: &self.week, factories: &self.factories, memory: &self.memory, leaflet_chance: &leaflet_chance };
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
                shop::shop_week(&ctx, s, first, slice, &mut rng, buf)
            })
            .collect_into_vec(shops);
    }

    /// Per factory: sums the shops, holds the meeting tally, reports discipline, and
    /// notes which factories had a shop stop work. Returns the stoppages per factory, the
    /// detected members and the meetings.
    fn factories_week(&mut self, step: u32, shops: &[ShopOutcome], total: &mut Tally) -> (Vec<Stoppage>, Vec<u32>, MeetingCount) {
        let mut detected = Vec::new();
        let mut stopped = Vec::with_capacity(self.factories.len());
        let mut meetings = MeetingCount::default();
        let mut discipline = 0u32;
        let r = &self.p.reports;
        for fi in 0..self.factories.len() {
            let f = &mut self.factories[fi];
            let range = f.first_shop as usize..(f.first_shop + f.shops) as usize;
            let mut t = Tally::default();
            let (mut any, mut strikers, mut n_stopped, mut slowed) = (false, 0u32, 0u32, 0u32);
            let (mut lead, mut lead_n) = (0.0f32, 0u32);
            for o in &shops[range] {
                t.add(&o.tally);
                any |= o.cascade.stopped;
                strikers += o.cascade.strikers;
                n_stopped += u32::from(o.cascade.stopped);
                slowed += u32::from(o.cascade.slowed);
                lead += o.lead_sum;
                lead_n += o.lead_members;
                detected.extend_from_slice(&o.detected);
            }
            total.add(&t);
            total.shops_stopped += n_stopped;
            total.shops_slowed += slowed;
            total.new_strikers += strikers;
            f.members = t.members_org;
            f.sympathizers = t.sympathizers;
            // The cell's strike intent, weighted by its strength (up to three members).
            f.lead = if lead_n > 0 { (lead / lead_n as f32).clamp(-1.0, 1.0) * (lead_n as f32).min(3.0) / 3.0 } else { 0.0 };
            f.active_share = t.share(t.italianka + t.status[Status::Striking as usize], t.employed) as f32;
            stopped.push(Stoppage { any, strikers, shops: n_stopped });
            let sick = t.share(t.status[Status::Sick as usize], t.employed);
            let passive = t.share(t.passive, t.employed);
            if slowed > 0 || any || sick >= r.sick_share || passive >= r.passive_share {
                discipline += 1;
            }
            if slowed > 0 {
                self.events.push(Event {
                    step,
                    factory: fi as u32,
                    kind: "italianka",
                    count: t.italianka,
                    detail: slowed,
                    outcome: "slow-down",
                });
            }
            if t.meeting_eligible > 0 {
                let tabled = f.members[0] + f.members[1] > 0;
                let outcome = meetings::outcome(&self.p, t.meeting_eligible, t.meeting_attended, t.meeting_votes_for, tabled);
                meetings.held += 1;
                match outcome {
                    meetings::MeetingOutcome::NoQuorum => meetings.failed += 1,
                    meetings::MeetingOutcome::OppositionWon => {
                        meetings.won += 1;
                        f.efficacy_shock += self.p.perception.efficacy_win;
                    }
                    _ => {}
                }
                self.events.push(Event {
                    step,
                    factory: fi as u32,
                    kind: "meeting",
                    count: t.meeting_attended,
                    detail: t.meeting_votes_for,
                    outcome: outcome.label(),
                });
            }
        }
        self.last_discipline = f64::from(discipline) / self.factories.len().max(1) as f64;
        (stopped, detected, meetings)
    }

    fn record(&mut self, step: u32, t: &Tally, s: &StrikeWeek, o: &OgpuWeek, meetings: MeetingCount) {
        let mut row = vec![0.0; METRICS.len()];
        let mut set = |name: &str, v: f64| row[index_of(name)] = v;
        let n = f64::from(t.people.max(1));
        set("strikes_started", f64::from(s.started));
        set("strikes_resumed", f64::from(s.resumed));
        set("strike_participants", f64::from(s.participants));
        set("strikes_coordinated", f64::from(s.coordinated));
        set("strikes_organized", f64::from(s.organized));
        set("strikes_revision", f64::from(s.by_occasion[0]));
        set("strikes_late_pay", f64::from(s.by_occasion[1]));
        set("strikes_supply", f64::from(s.by_occasion[2]));
        set("strikes_foreman", f64::from(s.by_occasion[3]));
        set("strikes_conceded", f64::from(s.conceded));
        set("strikes_repressed", f64::from(s.repressed));
        set("factories_on_strike", self.factories.iter().filter(|f| f.strike.weeks_left > 0).count() as f64);
        set("italianki", f64::from(t.shops_slowed));
        set("italianka_workers", f64::from(t.italianka));
        set("passive_protest", f64::from(t.passive));
        set("meetings_held", f64::from(meetings.held));
        set("meetings_failed", f64::from(meetings.failed));
        set("meeting_attendance", t.share(t.meeting_attended, t.meeting_eligible));
        set("opposition_resolutions", f64::from(meetings.won));
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
        set("arrests", f64::from(o.arrests));
        set("arrests_strikers", f64::from(o.arrests_strikers));
        set("arrests_members", f64::from(o.arrests_members));
        set("arrests_obstructed", f64::from(o.obstructed));
        set("release_demands", f64::from(o.release_demands));
        set("cells_exposed", f64::from(o.cells_exposed));
        set("escalation", f64::from(self.week.escalation));
        set("centre_bl", f64::from(self.underground.centre[0]));
        set("centre_decists", f64::from(self.underground.centre[1]));
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
        let slow = 1.0 - f64::from(self.p.protest.italianka_effort);
        let at_work = f64::from(t.status[Status::Working as usize]) - slow * f64::from(t.italianka);
        set("productivity_index", norm * at_work / employed);
        set("fatigue", t.fatigue / employed);
        set("grievance", t.grievance / n);
        set("legitimacy", t.legitimacy / n);
        set("efficacy", t.efficacy / n);
        set("mood_loyal", t.mood_share(Mood::Loyal));
        set("mood_left", t.mood_share(Mood::Left));
        set("mood_right", t.mood_share(Mood::Right));
        set("mood_indifferent", t.mood_share(Mood::Indifferent));
        set("loyal_party", t.share(t.loyal_party, t.party));
        set("loyal_nonparty", t.share(t.moods[Mood::Loyal as usize] - t.loyal_party, t.people - t.party));
        set("exile_radicalism", if t.exiles > 0 { t.exile_radicalism / f64::from(t.exiles) } else { 0.0 });
        set("exile_workers_radical", t.share(t.exile_workers_radical, t.exile_workers));
        set("factories_discipline", self.last_discipline);
        self.recorder.record(&self.clock, step, &row);
    }

    fn events_table(&self) -> Table {
        let mut t = Table::new();
        let start = self.p.dates.start;
        t.push("step", ColumnData::I64(self.events.iter().map(|e| i64::from(e.step)).collect()));
        t.push("date", ColumnData::Date(self.events.iter().map(|e| self.clock.date(e.step).unwrap_or(start)).collect()));
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

/// A week part-way through [`Simulation::step`]: what its later phases need from the
/// earlier ones. The phases are the methods of [`Ussr`] that take and return it, hidden
/// from the documentation: `step` runs them in order, and the criterion benchmarks
/// (`benches/ussr.rs`) time them one at a time. Not an API; no behaviour of its own.
#[doc(hidden)]
#[derive(Clone)]
pub struct WeekInProgress {
    step: u32,
    shops: Vec<ShopOutcome>,
    total: Tally,
    meetings: MeetingCount,
    strikes: StrikeWeek,
    detected: Vec<u32>,
    arrests: OgpuWeek,
}

/// The phases of a week, in the order [`Simulation::step`] runs them (see
/// [`WeekInProgress`]); public only for the benchmarks.
impl Ussr {
    /// ODD 7.1–7.2: the week's exogenous state, management, perceived repression.
    #[doc(hidden)]
    pub fn open_week(&mut self) -> WeekInProgress {
        let step = self.steps_done;
        self.prepare_week(step); // 7.1
        self.management(step); // 7.2
        WeekInProgress {
            step,
            shops: Vec::new(),
            total: Tally::default(),
            meetings: MeetingCount::default(),
            strikes: StrikeWeek::default(),
            detected: Vec::new(),
            arrests: OgpuWeek::default(),
        }
    }

    /// ODD 7.3–7.10: the weekly pass over people, per shop in parallel.
    #[doc(hidden)]
    pub fn pass_week(&mut self, mut week: WeekInProgress) -> WeekInProgress {
        let mut shops = std::mem::take(&mut self.shop_buf);
        self.people_pass(week.step, &mut shops);
        week.shops = shops;
        for f in self.factories.iter_mut() {
            f.legitimacy_shock = 0.0;
            f.efficacy_shock = 0.0;
            f.fear_shock = 0.0;
        }
        for (m, o) in self.memory.iter_mut().zip(&week.shops) {
            *m = o.memory;
        }
        self.members.clear();
        for o in &week.shops {
            self.members.extend_from_slice(&o.members);
        }
        week
    }

    /// The factories' sums of their shops, meetings (7.8) and strikes (7.11).
    #[doc(hidden)]
    pub fn factories_and_strikes(&mut self, mut week: WeekInProgress) -> WeekInProgress {
        let step = week.step;
        let (stopped, detected, meetings) = self.factories_week(step, &week.shops, &mut week.total);
        let strikes = self.strikes_week(step, &stopped); // 7.11
                                                         // Sacked leaders changed status after the tally.
        week.total.status[Status::Striking as usize] -= strikes.sacked;
        week.total.status[Status::Blacklisted as usize] += strikes.sacked;
        week.detected = detected;
        week.detected.extend_from_slice(&strikes.exposed);
        week.meetings = meetings;
        week.strikes = strikes;
        week
    }

    /// ODD 7.12: the OGPU.
    #[doc(hidden)]
    pub fn ogpu(&mut self, mut week: WeekInProgress) -> WeekInProgress {
        let detected = std::mem::take(&mut week.detected);
        let arrests = self.ogpu_week(week.step, week.strikes.leaders.clone(), detected); // 7.12
        let total = &mut week.total;
        for (from, n) in arrests.from.iter().enumerate() {
            total.status[from] -= n;
        }
        total.status[Status::Arrested as usize] += arrests.arrests;
        for (from, n) in arrests.sacked_from.iter().enumerate() {
            total.status[from] -= n;
        }
        total.status[Status::Blacklisted as usize] += arrests.sacked;
        week.arrests = arrests;
        week
    }

    /// ODD 7.14: the week's metrics; the week is done.
    #[doc(hidden)]
    pub fn close_week(&mut self, week: WeekInProgress) {
        self.record(week.step, &week.total, &week.strikes, &week.arrests, week.meetings); // 7.14
        self.last = week.total;
        self.shop_buf = week.shops;
        self.steps_done += 1;
    }

    /// The shop cascade (ODD 7.5) on its own, for the benchmarks: `candidates` are
    /// (threshold, index in `people`, strike-ready, slow-ready). Returns the strikers
    /// and the workers who went slow.
    #[doc(hidden)]
    pub fn cascade(p: &Params, people: &mut [Person], candidates: &mut [(f32, u32, bool, bool)]) -> (u32, u32) {
        let c = protest::cascade(p, people, candidates);
        (c.strikers, c.slow_workers)
    }
}

impl Simulation for Ussr {
    fn clock(&self) -> &Clock {
        &self.clock
    }

    fn steps_done(&self) -> u32 {
        self.steps_done
    }

    /// One week, in the ODD's order (section 7).
    fn step(&mut self) {
        let week = self.open_week(); // 7.1-7.2
        let week = self.pass_week(week); // 7.3-7.10, per shop
        let week = self.factories_and_strikes(week); // 7.11
        let week = self.ogpu(week); // 7.12
        self.close_week(week); // 7.14
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

    fn save_state(&self) -> Option<Result<Vec<u8>, String>> {
        Some(checkpoint::save(self))
    }

    fn documents(&self) -> Vec<(String, String)> {
        vec![(
            info::INFO.documents[0].file.to_string(),
            survey::survey(&self.metrics(), &self.events_table(), &self.clock, &self.p.name, self.p.population.scale, &self.p.dates),
        )]
    }

    fn outcomes(&self) -> Vec<(String, f64)> {
        outcomes::outcomes(&self.recorder.to_table(), &self.clock, self.p.population.scale)
    }

    fn summary(&self) -> Vec<(String, String)> {
        let t = self.recorder.to_table();
        let sum = |k: &str| t.numbers(k).map_or(0.0, |v| v.iter().sum::<f64>());
        let last = |k: &str| t.numbers(k).and_then(|v| v.last().copied()).unwrap_or(0.0);
        let members: Vec<f64> = t
            .numbers("members_bl")
            .zip(t.numbers("members_decists"))
            .map_or(Vec::new(), |(a, b)| a.iter().zip(&b).map(|(x, y)| x + y).collect());
        let peak = members.iter().copied().fold(0.0, f64::max);
        let start = members.first().copied().unwrap_or(0.0);
        let scale = self.p.population.scale;
        vec![
            ("people modelled".into(), format!("{} in {} factories (scale {scale})", self.people.len(), self.factories.len())),
            (
                "strikes (episodes)".into(),
                format!(
                    "{} ({} workers, {} resumed stoppages not counted again); T1's record at this scale: {:.0}",
                    sum("strikes_started"),
                    sum("strike_participants"),
                    sum("strikes_resumed"),
                    1569.0 * self.people.len() as f64 / self.p.population.full_scale
                ),
            ),
            ("slow-downs (italianki, shop-weeks)".into(), format!("{}", sum("italianki"))),
            ("meetings held / won by the opposition".into(), format!("{} / {}", sum("meetings_held"), sum("opposition_resolutions"))),
            (
                "active opposition members: first week, peak, end".into(),
                format!("{start}, {peak}, {}", members.last().copied().unwrap_or(0.0)),
            ),
            (
                "arrests (strike leaders, members) / exiles / blacklisted".into(),
                format!(
                    "{} ({}, {}) / {} / {}",
                    sum("arrests"),
                    sum("arrests_strikers"),
                    sum("arrests_members"),
                    last("exiles"),
                    last("blacklisted")
                ),
            ),
            ("real wage index at end".into(), format!("{:.3}", last("real_wage_index"))),
            ("loyal share at end".into(), format!("{:.3}", last("mood_loyal"))),
        ]
    }
}
