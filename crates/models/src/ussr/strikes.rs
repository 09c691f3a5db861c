//! ODD 7.11 — strikes as episodes (F13, F14, F27, F39).
//!
//! A strike begins when a shop stops work (the shop's cascade, ODD 7.5) in a factory not
//! already on strike. **Counting rule:** a stoppage that begins within
//! `strikes.episode_gap` weeks of the end of the factory's last strike continues that
//! strike (it is logged as "resumed" and not counted again): the OGPU counted conflicts
//! at an enterprise, and a rolling stoppage over one dispute is one conflict (F13). A
//! strike lasts a geometric number of weeks (longer when the opposition leads it, F14)
//! and ends in a concession (pay partly restored, legitimacy and confidence up locally)
//! or in repression (leaders handed to the OGPU or sacked for good, F39; confidence down).
//! News of a strike reaches the factory's partner factories the next week (F14).

use super::metrics::Event;
use super::state::{Occasion, Opp, Status};
use super::work::geometric;
use super::Ussr;
use perelom_engine::rng::purpose_hash;

/// What the strikes did in a week, for the metrics.
#[derive(Clone, Debug, Default)]
pub struct StrikeWeek {
    pub started: u32,
    pub resumed: u32,
    pub participants: u32,
    pub coordinated: u32,
    pub organized: u32,
    pub conceded: u32,
    pub repressed: u32,
    pub sacked: u32,
    /// Strike leaders handed to the OGPU (global person indices).
    pub leaders: Vec<u32>,
    /// Members exposed among the strikers of a repressed strike.
    pub exposed: Vec<u32>,
    /// Strikes begun by occasion (index: `Occasion as usize - 1`).
    pub by_occasion: [u32; 4],
}

fn start_label(o: Occasion) -> &'static str {
    match o {
        Occasion::None => "started (solidarity or organized)",
        Occasion::NormRevision => "started (norm revision and rate cut)",
        Occasion::LatePay => "started (wages paid late)",
        Occasion::SupplyFailure => "started (supply failure)",
        Occasion::Foreman => "started (conflict with a foreman)",
    }
}

impl Ussr {
    /// Starts, continues and ends the factories' strikes (ODD 7.11; F13, F14, F27, F39),
    /// given which factories had a shop stop this week (`stopped`, with the new strikers).
    ///
    /// A stoppage in a factory not on strike begins a strike, or resumes the last one if
    /// it ended at most `strikes.episode_gap` weeks ago (counted once, F13); its length
    /// is geometric, longer when a leading cell organizes it (F27). A strike on runs down
    /// a week at a time and, in the week it reaches zero, ends in a concession or in
    /// repression: the `strikes.leaders` most aggrieved strikers, members first, go to
    /// the OGPU (or are sacked for good without `mechanism.repression_of_protest`, F39)
    /// and every member among the strikers is exposed. A strike begun while a partner is
    /// on strike is coordinated, and each factory's news of its partners' strikes is
    /// written for next week (F14).
    pub(super) fn strikes_week(&mut self, step: u32, stopped: &[super::Stoppage]) -> StrikeWeek {
        let p = &self.p;
        let s = &p.strikes;
        let mut out = StrikeWeek::default();
        let purpose = purpose_hash("ussr.strikes");
        let mut begun = vec![false; self.factories.len()];
        for fi in 0..self.factories.len() {
            let mut rng = self.streams.fast(purpose, u64::from(step), fi as u64);
            let super::Stoppage { any: shop_stopped, strikers: new_strikers, shops } = stopped[fi];
            let f = &mut self.factories[fi];
            if shop_stopped && f.strike.weeks_left == 0 {
                let organized = p.switches.organizing && f.lead > 0.0 && f.members.iter().sum::<u32>() > 0;
                let mean = s.mean_weeks * if organized { 1.0 + s.organized_duration * f64::from(f.lead) } else { 1.0 };
                f.strike.weeks_left = geometric(&mut rng, (1.0 / mean) as f32, s.max_weeks);
                f.strike.organized = organized;
                f.strike.occasion = f.occasion;
                let resumed = f.last_strike_end.is_some_and(|e| step.saturating_sub(e) <= s.episode_gap);
                out.participants += new_strikers;
                if resumed {
                    out.resumed += 1;
                    self.events.push(Event {
                        step,
                        factory: fi as u32,
                        kind: "strike",
                        count: new_strikers,
                        detail: shops,
                        outcome: "resumed (same strike)",
                    });
                } else {
                    out.started += 1;
                    out.organized += u32::from(organized);
                    if f.occasion != Occasion::None {
                        out.by_occasion[f.occasion as usize - 1] += 1;
                    }
                    begun[fi] = true;
                    self.events.push(Event {
                        step,
                        factory: fi as u32,
                        kind: "strike",
                        count: new_strikers,
                        detail: shops,
                        outcome: start_label(f.occasion),
                    });
                }
            } else if f.strike.weeks_left > 0 {
                f.strike.weeks_left -= 1;
                if f.strike.weeks_left == 0 {
                    f.last_strike_end = Some(step);
                    let conceded = rng.chance(s.concession);
                    let c = &p.perception;
                    if conceded {
                        f.pay *= 1.0 + s.concession_raise;
                        f.legitimacy_shock += c.concession_gain;
                        f.efficacy_shock += c.efficacy_win;
                        out.conceded += 1;
                    } else {
                        f.efficacy_shock -= c.efficacy_defeat;
                        out.repressed += 1;
                    }
                    let (first, size) = (f.first_person as usize, f.size as usize);
                    let mut sacked = 0;
                    if !conceded {
                        // The leaders: the most aggrieved strikers, members first (F14, F39).
                        let mut strikers: Vec<(bool, f32, usize)> = self.people[first..first + size]
                            .iter()
                            .enumerate()
                            .filter(|(_, q)| q.status == Status::Striking)
                            .map(|(k, q)| (q.opp != Opp::Member, -q.grievance, first + k))
                            .collect();
                        strikers.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
                        for &(_, _, i) in strikers.iter().take(s.leaders as usize) {
                            if p.switches.repression_of_protest {
                                out.leaders.push(i as u32);
                            } else {
                                self.people[i].status = Status::Blacklisted;
                                sacked += 1;
                            }
                        }
                        for &(not_member, _, i) in &strikers {
                            if !not_member {
                                out.exposed.push(i as u32);
                            }
                        }
                    }
                    out.sacked += sacked;
                    self.events.push(Event {
                        step,
                        factory: fi as u32,
                        kind: "strike",
                        count: sacked,
                        detail: 0,
                        outcome: if conceded { "ended: concession" } else { "ended: repressed" },
                    });
                }
            }
        }
        // Coordination (F14): a strike begun while a partner factory is on strike.
        for (fi, &b) in begun.iter().enumerate() {
            if b && self.partners(fi).iter().any(|&g| self.factories[g as usize].strike.weeks_left > 0 || begun[g as usize]) {
                out.coordinated += 1;
            }
        }
        // News for next week: the weighted share of each factory's partners on strike.
        let spread = p.strikes.organized_spread;
        let news: Vec<f32> = (0..self.factories.len())
            .map(|fi| {
                let partners = self.partners(fi);
                if partners.is_empty() {
                    return 0.0;
                }
                let weight: f32 = partners
                    .iter()
                    .map(|&g| {
                        let st = &self.factories[g as usize].strike;
                        if st.weeks_left > 0 {
                            1.0 + if st.organized { spread } else { 0.0 }
                        } else {
                            0.0
                        }
                    })
                    .sum();
                weight / partners.len() as f32
            })
            .collect();
        for (f, n) in self.factories.iter_mut().zip(news) {
            f.partner_news = n;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::Stoppage;
    use super::*;
    use crate::ussr::testkit::{model, workforce};

    const STEP: u32 = 30;

    /// A model whose factory 0 has been on strike with five strikers: the first a member
    /// (grievance 0.1), the others with grievances 0.5, 0.9, 0.3 and 0.7. Nobody else in
    /// the factory is a member or on strike.
    fn on_strike(weeks_left: u16) -> (Ussr, Vec<usize>) {
        let mut m = model(&[]);
        let people: Vec<usize> = workforce(&m, 0).collect();
        for &i in &people {
            let q = &mut m.people[i];
            q.status = Status::Working;
            q.opp = Opp::None;
        }
        let strikers = people[..5].to_vec();
        for (&i, g) in strikers.iter().zip([0.1, 0.5, 0.9, 0.3, 0.7]) {
            m.people[i].status = Status::Striking;
            m.people[i].grievance = g;
        }
        m.people[strikers[0]].opp = Opp::Member;
        m.factories[0].strike.weeks_left = weeks_left;
        (m, strikers)
    }

    fn quiet(m: &Ussr) -> Vec<Stoppage> {
        vec![Stoppage::default(); m.factories.len()]
    }

    #[test]
    fn a_strike_runs_down_its_weeks_before_it_ends() {
        let (mut m, _) = on_strike(3);
        let stopped = quiet(&m);
        let out = m.strikes_week(STEP, &stopped);
        assert_eq!(m.factories[0].strike.weeks_left, 2);
        assert_eq!((out.conceded, out.repressed, out.leaders.len()), (0, 0, 0));
        assert_eq!(m.factories[0].last_strike_end, None);
        // A new stoppage in a factory already on strike starts nothing: the weeks run on.
        let mut stopped = quiet(&m);
        stopped[0] = Stoppage { any: true, strikers: 7, shops: 1 };
        let out = m.strikes_week(STEP + 1, &stopped);
        assert_eq!((out.started, out.resumed, m.factories[0].strike.weeks_left), (0, 0, 1));
    }

    #[test]
    fn a_repressed_strike_hands_its_leaders_to_the_ogpu_and_exposes_its_members() {
        let (mut m, s) = on_strike(1);
        m.p.strikes.concession = 0.0;
        m.p.strikes.leaders = 2;
        let before = (m.factories[0].pay, m.factories[0].efficacy_shock);
        let stopped = quiet(&m);
        let out = m.strikes_week(STEP, &stopped);
        assert_eq!((out.repressed, out.conceded, out.sacked), (1, 0, 0));
        // Members first, then the most aggrieved: the member and the striker at 0.9.
        assert_eq!(out.leaders, [s[0] as u32, s[2] as u32]);
        assert_eq!(out.exposed, [s[0] as u32]);
        let f = &m.factories[0];
        assert_eq!((f.strike.weeks_left, f.last_strike_end), (0, Some(STEP)));
        assert_eq!(f.pay, before.0, "no concession");
        assert_eq!(f.efficacy_shock, before.1 - m.p.perception.efficacy_defeat);
        // The leaders are still on strike: the OGPU takes them next (ODD 7.12).
        assert!(s.iter().all(|&i| m.people[i].status == Status::Striking));
        assert!(m.events.iter().any(|e| e.factory == 0 && e.outcome == "ended: repressed"));
    }

    #[test]
    fn without_repression_of_protest_management_sacks_the_leaders_for_good() {
        let (mut m, s) = on_strike(1);
        m.p.strikes.concession = 0.0;
        m.p.strikes.leaders = 3;
        m.p.switches.repression_of_protest = false;
        let stopped = quiet(&m);
        let out = m.strikes_week(STEP, &stopped);
        assert!(out.leaders.is_empty());
        assert_eq!(out.sacked, 3);
        // The member, then 0.9 and 0.7.
        for (k, &i) in s.iter().enumerate() {
            let want = if [0, 2, 4].contains(&k) { Status::Blacklisted } else { Status::Striking };
            assert_eq!(m.people[i].status, want, "striker {k}");
        }
        assert_eq!(out.exposed, [s[0] as u32], "members are exposed all the same");
    }

    #[test]
    fn a_conceded_strike_restores_pay_and_confidence_and_hands_nobody_over() {
        let (mut m, _) = on_strike(1);
        m.p.strikes.concession = 1.0;
        m.p.strikes.concession_raise = 0.25;
        let f0 = m.factories[0].clone();
        let stopped = quiet(&m);
        let out = m.strikes_week(STEP, &stopped);
        assert_eq!((out.conceded, out.repressed, out.sacked), (1, 0, 0));
        assert!(out.leaders.is_empty() && out.exposed.is_empty());
        let c = &m.p.perception;
        let f = &m.factories[0];
        assert_eq!(f.pay, f0.pay * 1.25);
        assert_eq!(f.legitimacy_shock, f0.legitimacy_shock + c.concession_gain);
        assert_eq!(f.efficacy_shock, f0.efficacy_shock + c.efficacy_win);
        assert_eq!(f.last_strike_end, Some(STEP));
    }

    #[test]
    fn a_stoppage_within_the_gap_after_a_strike_resumes_it() {
        let (mut m, _) = on_strike(0);
        m.p.strikes.episode_gap = 4;
        let mut stopped = quiet(&m);
        stopped[0] = Stoppage { any: true, strikers: 9, shops: 2 };
        // Ended 4 weeks ago: the same strike.
        m.factories[0].last_strike_end = Some(STEP - 4);
        let out = m.strikes_week(STEP, &stopped);
        assert_eq!((out.started, out.resumed, out.participants), (0, 1, 9));
        assert!(m.factories[0].strike.weeks_left >= 1, "the strike is on again");
        // Ended 5 weeks ago: a new strike, counted once, by its occasion.
        let (mut m, _) = on_strike(0);
        m.p.strikes.episode_gap = 4;
        m.factories[0].last_strike_end = Some(STEP - 5);
        m.factories[0].occasion = Occasion::Foreman;
        let out = m.strikes_week(STEP, &stopped);
        assert_eq!((out.started, out.resumed), (1, 0));
        assert_eq!(out.by_occasion, [0, 0, 0, 1]);
        assert_eq!(m.factories[0].strike.occasion, Occasion::Foreman);
    }

    #[test]
    fn a_strike_begun_while_a_partner_is_on_strike_is_coordinated_and_news_reaches_partners() {
        let mut m = model(&[]);
        let f = (0..m.factories.len()).find(|&f| !m.partners(f).is_empty()).expect("a factory with partners");
        let g = m.partners(f)[0] as usize;
        m.p.strikes.organized_spread = 1.5;
        m.factories[g].strike = super::super::state::StrikeEpisode { weeks_left: 5, organized: true, occasion: Occasion::None };
        let mut stopped = vec![Stoppage::default(); m.factories.len()];
        stopped[f] = Stoppage { any: true, strikers: 3, shops: 1 };
        m.factories[f].lead = 0.0;
        let out = m.strikes_week(STEP, &stopped);
        assert_eq!((out.started, out.coordinated, out.organized), (1, 1, 0));
        // Next week's news: g is still on strike, led by a cell (weight 1 + 1.5), and no
        // other partner of f is on strike.
        let links = |of: usize, x: usize| m.partners(of).iter().filter(|&&y| y as usize == x).count() as f32;
        let len = |of: usize| m.partners(of).len() as f32;
        assert_eq!(m.factories[f].partner_news, 2.5 * links(f, g) / len(f));
        // Links are undirected: f, now on strike and not led, is g's news with weight 1.
        assert!(links(g, f) > 0.0);
        assert_eq!(m.factories[g].partner_news, links(g, f) / len(g));
        // Without a partner on strike, a new strike is not coordinated.
        let mut m = model(&[]);
        let out = m.strikes_week(STEP, &stopped);
        assert_eq!((out.started, out.coordinated), (1, 0));
    }
}
