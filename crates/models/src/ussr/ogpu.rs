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
#[derive(Clone, Debug, Default)]
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
    /// The OGPU's week (ODD 7.12; F14, F36, F38, F39). After the escalation, provocateurs
    /// expose cells first. The week's capacity is per person modelled, moving from the
    /// routine to the escalated level with the escalation's strength. Strike leaders are
    /// taken first (F14, F38), then the detected members in random order. Workers may
    /// obstruct an arrest, the likelier the more of their factory sympathizes (it uses no
    /// capacity); an arrest made is seen by the factory and may be answered, again with a
    /// chance growing with sympathy, by a demand for release, refused (F38). Leaders the
    /// OGPU has no capacity for are sacked and blacklisted (F39). A strike leader arrested
    /// goes to the colonies with a worker's view (F36).
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
            // Only members qualify: their list visits them in the order of a scan of
            // everyone, so the same draws fall to the same people.
            for &i in &self.members {
                let q = &self.people[i as usize];
                if q.opp == Opp::Member
                    && usize::from(q.org) == org
                    && q.status.at_large()
                    && usize::from(self.factories[q.factory as usize].region) == region
                    && rng.random::<f64>() < chance
                {
                    detected.push(i);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ussr::testkit::{model, workforce};

    const STEP: u32 = 50;

    /// A model of exactly 4,096 people (so that a capacity per person of k/4,096 is k
    /// arrests) with no escalation this week, no obstruction and no release demands; no
    /// factory has sympathizers or members on record, so sympathy is 0 everywhere.
    fn ogpu(arrests: f64) -> Ussr {
        let mut m = model(&["population.full_scale=4096000", "population.scale=0.001"]);
        assert_eq!(m.people.len(), 4096);
        m.week.escalation = 0.0;
        let o = &mut m.p.ogpu;
        (o.capacity_per_person, o.capacity_after_per_person) = (arrests / 4096.0, arrests / 4096.0);
        (o.obstruction, o.release_demand, o.full_sympathy) = (0.0, 0.0, 1.0);
        for f in &mut m.factories {
            (f.members, f.sympathizers) = ([0, 0], 0);
        }
        m
    }

    /// The first `n` people of factory `f` who work and are not members.
    fn workers(m: &Ussr, f: usize, n: usize) -> Vec<u32> {
        workforce(m, f)
            .filter(|&i| m.people[i].status == Status::Working && m.people[i].opp == Opp::None)
            .take(n)
            .map(|i| i as u32)
            .collect()
    }

    /// Makes the first worker of factory `f` a member (before choosing other workers).
    fn member(m: &mut Ussr, f: usize) -> u32 {
        let i = workers(m, f, 1)[0];
        m.people[i as usize].opp = Opp::Member;
        i
    }

    /// Every worker in factory `f` sympathizes: sympathy 1.
    fn sympathetic(m: &mut Ussr, f: usize) {
        m.factories[f].sympathizers = m.factories[f].size;
    }

    #[test]
    fn an_arrest_is_seen_by_its_factory_and_a_release_demand_is_refused() {
        let mut m = ogpu(10.0);
        m.p.ogpu.release_demand = 1.0;
        sympathetic(&mut m, 0);
        let leader = workers(&m, 0, 1)[0];
        let f0 = m.factories[0].clone();
        let w = m.ogpu_week(STEP, vec![leader], vec![]);
        assert_eq!((w.arrests, w.arrests_strikers, w.arrests_members, w.release_demands, w.obstructed), (1, 1, 0, 1, 0));
        assert_eq!(w.from[Status::Working as usize], 1);
        let q = &m.people[leader as usize];
        assert_eq!((q.status, q.weeks_left), (Status::Arrested, m.p.ogpu.prison_weeks));
        let c = &m.p.perception;
        let f = &m.factories[0];
        assert_eq!(f.repression_seen, f0.repression_seen + 100.0 / f0.size as f32);
        assert_eq!(f.fear_shock, (f0.fear_shock + c.fear_arrest_seen * 0.5).min(c.fear_arrest_seen * 2.0));
        assert_eq!(f.efficacy_shock, f0.efficacy_shock - c.efficacy_defeat * 0.25);
        assert_eq!(f.legitimacy_shock, f0.legitimacy_shock - c.repression_loss - c.release_demand_shock);
        assert!(m.events.iter().any(|e| e.kind == "release demand" && e.outcome == "refused"));
        // Where nobody sympathizes, nobody demands a release.
        let mut m = ogpu(10.0);
        m.p.ogpu.release_demand = 1.0;
        let leader = workers(&m, 0, 1)[0];
        let f0 = m.factories[0].clone();
        let w = m.ogpu_week(STEP, vec![leader], vec![]);
        assert_eq!((w.arrests, w.release_demands), (1, 0));
        assert_eq!(m.factories[0].legitimacy_shock, f0.legitimacy_shock - m.p.perception.repression_loss);
    }

    #[test]
    fn workers_obstruct_arrests_where_they_sympathize_and_it_costs_no_capacity() {
        // Capacity for one arrest; the leader's factory obstructs, the member's does not.
        let mut m = ogpu(1.0);
        m.p.ogpu.obstruction = 1.0;
        sympathetic(&mut m, 0);
        let leader = workers(&m, 0, 1)[0];
        let elsewhere = member(&mut m, 1);
        let w = m.ogpu_week(STEP, vec![leader], vec![elsewhere]);
        assert_eq!((w.obstructed, w.arrests, w.arrests_members), (1, 1, 1));
        assert_eq!(m.people[leader as usize].status, Status::Working);
        assert_eq!(m.people[elsewhere as usize].status, Status::Arrested);
        assert!(m.events.iter().any(|e| e.factory == 0 && e.outcome == "obstructed by workers"));
    }

    #[test]
    fn strike_leaders_come_first_and_only_members_are_arrested_on_detection() {
        let mut m = ogpu(1.0);
        let detected = member(&mut m, 0);
        let leader = workers(&m, 0, 1)[0];
        let w = m.ogpu_week(STEP, vec![leader], vec![detected]);
        assert_eq!((w.arrests, w.arrests_strikers, w.arrests_members), (1, 1, 0));
        assert_eq!(m.people[leader as usize].status, Status::Arrested);
        assert_eq!(m.people[detected as usize].status, Status::Working, "no capacity left");
        // A detected worker who is not a member (any more) is passed over, and so are
        // the arrested and the exiled.
        let mut m = ogpu(10.0);
        let [not_member, exiled, arrested] = <[u32; 3]>::try_from(workers(&m, 0, 3)).unwrap();
        for (i, s) in [(exiled, Status::Exiled), (arrested, Status::Arrested)] {
            m.people[i as usize].opp = Opp::Member;
            m.people[i as usize].status = s;
        }
        let w = m.ogpu_week(STEP, vec![exiled], vec![not_member, exiled, arrested]);
        assert_eq!(w.arrests, 0);
        assert_eq!(m.people[not_member as usize].status, Status::Working);
    }

    #[test]
    fn leaders_the_ogpu_has_no_room_for_are_sacked_and_blacklisted() {
        let mut m = ogpu(0.0);
        let detected = member(&mut m, 0);
        let [a, b] = <[u32; 2]>::try_from(workers(&m, 0, 2)).unwrap();
        m.people[b as usize].status = Status::Sick;
        let before = m.factories[0].repression_seen;
        let w = m.ogpu_week(STEP, vec![a, b], vec![detected]);
        assert_eq!((w.arrests, w.sacked), (0, 2));
        assert_eq!((w.sacked_from[Status::Working as usize], w.sacked_from[Status::Sick as usize]), (1, 1));
        assert_eq!((m.people[a as usize].status, m.people[b as usize].status), (Status::Blacklisted, Status::Blacklisted));
        assert_eq!(m.people[detected as usize].status, Status::Working, "a detected member is not sacked");
        let size = m.factories[0].size as f32;
        assert_eq!(m.factories[0].repression_seen, before + 100.0 / size + 100.0 / size);
    }

    /// Two factories of the same region with 2 and 6 Bolshevik Leninists at work, and no
    /// other member anywhere; the escalation at full strength.
    fn two_cells(m: &mut Ussr) -> (usize, usize, Vec<u32>) {
        let (a, b) = (0..m.factories.len())
            .flat_map(|a| (a + 1..m.factories.len()).map(move |b| (a, b)))
            .find(|&(a, b)| m.factories[a].region == m.factories[b].region && m.factories[a].size >= 6 && m.factories[b].size >= 6)
            .expect("two factories in one region");
        for q in &mut m.people {
            q.opp = Opp::None;
        }
        let mut members = Vec::new();
        for (f, n) in [(a, 2), (b, 6)] {
            for i in workers(m, f, n) {
                m.people[i as usize].opp = Opp::Member;
                m.people[i as usize].org = 0;
                members.push(i);
            }
        }
        m.count_cells();
        assert_eq!((m.factories[a].members, m.factories[b].members), ([2, 0], [6, 0]));
        m.week.escalation = 1.0;
        m.p.ogpu.provocateur = 1.0;
        m.p.opposition.chain_detection = 0.0;
        (a, b, members)
    }

    #[test]
    fn provocateurs_expose_whole_cells_and_break_city_groups_by_the_cells_share() {
        let mut m = model(&[]);
        let (a, _, mut members) = two_cells(&mut m);
        (m.p.opposition.chain_exposure, m.p.opposition.centre_hit) = (1.0, 1.0);
        let mut rng = m.streams.stream("ussr.test", 0, 0);
        let (mut detected, mut w) = (Vec::new(), OgpuWeek::default());
        m.provocateurs(STEP, &mut rng, &mut detected, &mut w);
        assert_eq!(w.cells_exposed, 2);
        detected.sort_unstable();
        members.sort_unstable();
        assert_eq!(detected, members, "every member at large of both cells");
        // Shares 2/8 and 6/8 of the region's members: the city group keeps
        // (1 − 0.5 × 0.25)(1 − 0.5 × 0.75) = 0.546875, the centre (1 − 0.3 × 0.25)(1 − 0.3 × 0.75).
        let region = usize::from(m.factories[a].region);
        let u = &m.underground;
        assert_eq!(u.city[0][region], 0.546875);
        assert!((u.centre[0] - 0.925 * 0.775).abs() < 1e-6, "{}", u.centre[0]);
        for r in (0..6).filter(|&r| r != region) {
            assert_eq!(u.city[0][r], 1.0);
        }
        assert_eq!((u.city[1], u.centre[1]), ([1.0; 6], 1.0));
        assert_eq!(m.events.iter().filter(|e| e.outcome == "city group exposed").count(), 2);
    }

    #[test]
    fn provocateurs_need_the_escalation_and_a_chain_to_reach_the_city_group() {
        // No link followed up the chain: cells exposed, city groups untouched.
        let mut m = model(&[]);
        let (_, _, members) = two_cells(&mut m);
        m.p.opposition.chain_exposure = 0.0;
        let mut rng = m.streams.stream("ussr.test", 0, 0);
        let (mut detected, mut w) = (Vec::new(), OgpuWeek::default());
        m.provocateurs(STEP, &mut rng, &mut detected, &mut w);
        assert_eq!((w.cells_exposed, detected.len()), (2, members.len()));
        assert_eq!((m.underground.city, m.underground.centre), ([[1.0; 6]; 2], [1.0; 2]));
        // Before the escalation the OGPU has no provocateurs.
        let mut m = model(&[]);
        let (_, _, members) = two_cells(&mut m);
        m.week.escalation = 0.0;
        let w = m.ogpu_week(STEP, vec![], vec![]);
        assert_eq!((w.cells_exposed, w.arrests), (0, 0));
        assert!(members.iter().all(|&i| m.people[i as usize].status == Status::Working));
    }
}
