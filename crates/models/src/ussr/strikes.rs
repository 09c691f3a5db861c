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
    /// Starts, continues and ends the factories' strikes, given which factories had a
    /// shop stop this week (`stopped`, with the new strikers).
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
