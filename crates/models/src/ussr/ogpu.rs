//! ODD 7.12 — the OGPU: arrests of strike leaders and of detected members up to a weekly
//! capacity, provocateurs who expose whole cells and lead on to city groups and the
//! centre, workers obstructing arrests and demanding releases (F03, F14, F38, F39).
//!
//! Strike leaders the OGPU has no capacity for are sacked and blacklisted by management
//! (F39). Capacity is per person modelled, so it means the same at every scale; it rises from
//! the routine level to the escalated one over the escalation's ramp (F38). Strike
//! leaders come first: open defiance is the OGPU's first business (F14, F38). Every
//! arrest is seen: the factory's memory of repression (which workers' risk estimates
//! read, ODD 7.4), fear, confidence and legitimacy all move.

use super::metrics::Event;
use super::opposition::arrival_radicalism;
use super::state::{Opp, Status};
use super::Ussr;
use perelom_engine::rng::purpose_hash;
use rand::seq::SliceRandom;
use rand::Rng;

/// What the OGPU did in a week.
#[derive(Debug, Default)]
pub struct OgpuWeek {
    pub arrests: u32,
    pub arrests_strikers: u32,
    pub arrests_members: u32,
    pub obstructed: u32,
    pub release_demands: u32,
    pub cells_exposed: u32,
    /// Statuses the arrested were taken from (index: `Status as usize`).
    pub from: [u32; 6],
    /// Strike leaders the OGPU had no capacity for: sacked by management and blacklisted
    /// (F39), and the statuses they were taken from.
    pub sacked: u32,
    pub sacked_from: [u32; 6],
}

impl Ussr {
    pub(super) fn ogpu_week(&mut self, step: u32, leaders: Vec<u32>, mut detected: Vec<u32>) -> OgpuWeek {
        let mut rng = self.streams.stream("ussr.ogpu", u64::from(step), 0);
        let mut week = OgpuWeek::default();
        if self.week.escalation > 0.0 {
            self.provocateurs(step, &mut rng, &mut detected, &mut week);
        }
        let o = &self.p.ogpu;
        let per_person = o.capacity_per_person + (o.capacity_after_per_person - o.capacity_per_person) * f64::from(self.week.escalation);
        let capacity = per_person * self.people.len() as f64;
        let mut cap = capacity.floor() as usize + usize::from(rng.random::<f64>() < capacity.fract());
        detected.sort_unstable();
        detected.dedup();
        detected.shuffle(&mut rng);
        let mut queue: Vec<(u32, bool)> = leaders.into_iter().map(|i| (i, true)).collect();
        queue.extend(detected.into_iter().map(|i| (i, false)));
        let c = &self.p.perception;
        for (idx, leader) in queue {
            let q = &self.people[idx as usize];
            if !q.status.at_large() || (!leader && q.opp != Opp::Member) {
                continue;
            }
            if cap == 0 {
                if leader && q.status.employed() {
                    // No capacity left: management sacks the leader, for good (F39).
                    week.sacked += 1;
                    week.sacked_from[q.status as usize] += 1;
                    let fi = q.factory;
                    self.people[idx as usize].status = Status::Blacklisted;
                    let f = &mut self.factories[fi as usize];
                    f.repression_seen += 100.0 / f.size.max(1) as f32;
                    self.events.push(Event {
                        step,
                        factory: fi,
                        kind: "sacking",
                        count: 1,
                        detail: 1,
                        outcome: "strike leader sacked and blacklisted",
                    });
                }
                continue;
            }
            let fi = q.factory as usize;
            let f = &mut self.factories[fi];
            let sympathy = (f64::from(f.sympathizers + f.members[0] + f.members[1]) / f64::from(f.size.max(1)) / o.full_sympathy).min(1.0);
            if rng.random::<f64>() < o.obstruction * sympathy {
                week.obstructed += 1;
                self.events.push(Event {
                    step,
                    factory: fi as u32,
                    kind: "arrest",
                    count: 1,
                    detail: u32::from(leader),
                    outcome: "obstructed by workers",
                });
                continue;
            }
            cap -= 1;
            week.arrests += 1;
            if leader {
                week.arrests_strikers += 1;
            }
            if q.opp == Opp::Member {
                week.arrests_members += 1;
            }
            // Seen by the factory: memory of repression per 100 workers, fear, defeat,
            // and the arrest of a workmate costs the regime legitimacy there (F38).
            f.repression_seen += 100.0 / f.size.max(1) as f32;
            f.fear_shock = (f.fear_shock + c.fear_arrest_seen * 0.5).min(c.fear_arrest_seen * 2.0);
            f.efficacy_shock -= c.efficacy_defeat * 0.25;
            f.legitimacy_shock -= c.repression_loss;
            let demand = rng.random::<f64>() < o.release_demand * sympathy;
            if demand {
                // Refused (F39: no escape under one employer), but it wrongs the factory.
                week.release_demands += 1;
                f.legitimacy_shock -= c.release_demand_shock;
            }
            let q = &mut self.people[idx as usize];
            week.from[q.status as usize] += 1;
            q.status = Status::Arrested;
            q.weeks_left = o.prison_weeks;
            if q.opp != Opp::Member {
                // A strike leader goes to the colonies with a worker's view of the state (F36).
                let mut r = self.streams.fast(purpose_hash("ussr.ogpu.leader"), u64::from(step), u64::from(idx));
                q.radicalism = arrival_radicalism(&self.p, q.young, &mut r);
            }
            self.events.push(Event {
                step,
                factory: fi as u32,
                kind: "arrest",
                count: 1,
                detail: u32::from(leader),
                outcome: if leader { "strike leader arrested" } else { "member arrested" },
            });
            if demand {
                self.events.push(Event { step, factory: fi as u32, kind: "release demand", count: 1, detail: 0, outcome: "refused" });
            }
        }
        week
    }

    /// Provocateurs expose whole cells, with a chance growing with the escalation; an
    /// exposed cell may lead the OGPU to its city group (whose members in the region are
    /// then detected with a chance proportional to the cell's share of them) and on to the
    /// centre (F03, F38).
    fn provocateurs(&mut self, step: u32, rng: &mut perelom_engine::SimRng, detected: &mut Vec<u32>, week: &mut OgpuWeek) {
        let p = &self.p;
        let u = &p.opposition;
        let chance = p.ogpu.provocateur * f64::from(self.week.escalation);
        // Members at large of each organization in each region (last week's cells).
        let mut regional = [[0u32; 6]; 2];
        for f in &self.factories {
            for (row, m) in regional.iter_mut().zip(f.members) {
                row[usize::from(f.region)] += m;
            }
        }
        let mut broken: Vec<(usize, usize, f32)> = Vec::new();
        for fi in 0..self.factories.len() {
            let f = &self.factories[fi];
            let members = f.members[0] + f.members[1];
            if members == 0 || rng.random::<f64>() >= chance {
                continue;
            }
            let first = f.first_person as usize;
            for (k, q) in self.people[first..first + f.size as usize].iter().enumerate() {
                if q.opp == Opp::Member && q.status.at_large() {
                    detected.push((first + k) as u32);
                }
            }
            week.cells_exposed += 1;
            self.events.push(Event { step, factory: fi as u32, kind: "provocateur", count: members, detail: 0, outcome: "cell exposed" });
            if rng.random::<f64>() < u.chain_exposure {
                let org = usize::from(f.members[1] > f.members[0]);
                let region = usize::from(f.region);
                let share = f.members[org] as f32 / regional[org][region].max(1) as f32;
                broken.push((org, region, share));
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
        for (org, region, share) in broken {
            let centre = rng.random::<f64>() < u.centre_hit;
            self.underground.expose(org, region, share, centre);
            let chance = u.chain_detection * f64::from(share);
            for (i, q) in self.people.iter().enumerate() {
                if q.opp == Opp::Member
                    && usize::from(q.org) == org
                    && q.status.at_large()
                    && usize::from(self.factories[q.factory as usize].region) == region
                    && rng.random::<f64>() < chance
                {
                    detected.push(i as u32);
                }
            }
        }
    }
}
