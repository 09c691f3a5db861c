//! ODD 7.5 — protest: the ladder of passive protest, slow-down (*italianka*) and strike
//! readiness (F12), and the shop's Granovetter cascade (Granovetter 1978).
//!
//! Strikes start over local occasions (ODD 7.2) on top of accumulated grievance: a
//! worker is ready to strike only where something pushes towards a stoppage this week —
//! an occasion in the shop or factory, a strike already on in the factory, news of
//! strikes in partner factories (F14), or a cell leading strikes (F27) — and when that
//! push, weighted by confidence (F24), plus accumulated grievance outweighs the risk seen.

use super::params::Params;
use super::state::{Behaviour, Opp, Person, Status};

/// A working person's place on the protest ladder this week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Readiness {
    None,
    Passive,
    SlowDown,
}

/// The push towards a stoppage in a shop this week (≥ 0 unless a cell holds back).
#[derive(Clone, Copy, Debug, Default)]
pub struct StrikePush {
    /// Occasion of a dispute reaching the shop (ODD 7.2).
    pub occasion: f32,
    /// The factory is on strike: the other shops are asked to join.
    pub join: f32,
    /// News of strikes in partner factories (F14).
    pub contagion: f32,
    /// The cell's line: + leads, − holds back (F27).
    pub organize: f32,
}

impl StrikePush {
    pub fn total(&self) -> f32 {
        self.occasion + self.join + self.contagion + self.organize
    }
}

/// Readiness for passive protest and slow-down: net grievance (grievance − risk aversion
/// × estimated risk of a slow-down) against the ladder's thresholds (F12; Epstein 2002).
/// A slow-down answers the factory's recent disputes (F12): their decaying push plus
/// weighted net grievance must pass the slow-down threshold.
pub fn ladder(p: &Params, q: &Person, slow_risk: f32, dispute_memory: f32) -> Readiness {
    let net = q.grievance - q.risk_aversion * slow_risk;
    if dispute_memory + p.protest.grievance_weight * net > p.protest.italianka {
        return Readiness::SlowDown;
    }
    if net > p.protest.passive {
        Readiness::Passive
    } else {
        Readiness::None
    }
}

/// A member's own strike intent: +1 leads strikes, −1 holds them back. The
/// organization's legality, bent by the member's own radicalism (F27, F34).
pub fn member_lead(p: &Params, legality: f32, radicalism: f32) -> f32 {
    let l = legality * (1.0 - p.opposition.indiscipline * radicalism);
    1.0 - 2.0 * l
}

/// Whether a working person is ready to strike this week, and at what cascade
/// threshold (ODD 7.5; F12, F14, F24, F27).
///
/// Something must push towards a stoppage this week (an occasion in the shop or factory,
/// the factory already out, news of partners on strike, a cell leading strikes); with no
/// push nobody is ready. The push counts as much as the worker believes action can win
/// (0.5 + efficacy, F24); accumulated grievance, weighted, is added, and risk aversion
/// times the estimated risk of a strike is taken off; the result must pass
/// `protest.strike`. Members who hold back (their line legal, F27) never are; members and
/// sympathizers of a leading cell go first in the cascade (returned threshold 0).
pub fn strike_ready(p: &Params, q: &Person, push: &StrikePush, strike_risk: f32, own_lead: Option<f32>) -> Option<f32> {
    if q.status != Status::Working {
        return None;
    }
    let s = push.total();
    if s <= 0.0 {
        return None;
    }
    if let Some(lead) = own_lead {
        if lead < 0.0 && p.switches.organizing {
            return None;
        }
    }
    // The concrete occasion weighs as much as the worker believes action can win (F24);
    // accumulated grievance adds to it.
    let net = s * (0.5 + q.efficacy) + p.protest.grievance_weight * q.grievance - q.risk_aversion * strike_risk;
    if net <= p.protest.strike {
        return None;
    }
    let leads = p.switches.organizing && push.organize > 0.0 && q.opp != Opp::None;
    Some(if leads { 0.0 } else { q.threshold })
}

/// Result of a shop's cascades.
#[derive(Clone, Copy, Debug, Default)]
pub struct CascadeResult {
    pub strikers: u32,
    pub stopped: bool,
    pub slowed: bool,
    pub slow_workers: u32,
}

/// Granovetter cascades in the shop. `candidates` holds (threshold, index in shop,
/// strike-ready, slow-ready) of those at work. A worker joins once the number already in
/// reaches their threshold × those at work; the shop stops (or goes slow) when at least
/// `protest.shop_stop` of those at work join. Strikers are set `Striking`, slow-downs
/// `Italianka`.
pub fn cascade(p: &Params, people: &mut [Person], candidates: &mut [(f32, u32, bool, bool)]) -> CascadeResult {
    let mut out = CascadeResult::default();
    if candidates.is_empty() {
        return out;
    }
    let at_work = people.iter().filter(|q| q.status == Status::Working).count() as f32;
    if at_work == 0.0 {
        return out;
    }
    let need = p.protest.shop_stop * at_work;
    // Those who join a cascade are among its candidates: with fewer candidates than
    // needed, that cascade cannot stop the shop, and with neither, nothing changes.
    let may_strike = candidates.iter().filter(|c| c.2).count() as f32 >= need;
    let may_slow = candidates.iter().filter(|c| c.3).count() as f32 >= need;
    if !may_strike && !may_slow {
        return out;
    }
    // Thresholds are shares in [0, 1]; anything else takes the literal route.
    let counted = candidates.iter().all(|c| (0.0..=1.0).contains(&c.0));
    if !counted {
        candidates.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    }
    let joined = |strike: bool| -> Vec<u32> {
        let wanted = |c: &Candidate| if strike { c.2 } else { c.3 };
        if counted {
            joined_by_count(candidates, at_work, wanted)
        } else {
            joined_in_order(candidates, at_work, wanted)
        }
    };
    let strikers = if may_strike { joined(true) } else { Vec::new() };
    if !strikers.is_empty() && strikers.len() as f32 >= need {
        for &k in &strikers {
            people[k as usize].status = Status::Striking;
        }
        out.strikers = strikers.len() as u32;
        out.stopped = true;
    }
    if !may_slow {
        return out;
    }
    let slow: Vec<u32> = joined(false).into_iter().filter(|&k| people[k as usize].status == Status::Working).collect();
    if !slow.is_empty() && slow.len() as f32 >= need {
        for &k in &slow {
            people[k as usize].behaviour = Behaviour::Italianka;
        }
        out.slowed = true;
        out.slow_workers = slow.len() as u32;
    }
    out
}

/// A cascade's candidate: (threshold, index in the shop, strike-ready, slow-ready).
type Candidate = (f32, u32, bool, bool);

/// Granovetter's cascade, literally: over the candidates sorted by threshold (then
/// index), those `wanted` join one by one while the number already in reaches their
/// threshold × those at work (rounded down); the first who finds too few stops it.
/// Returns the indices of those who joined.
fn joined_in_order(sorted: &[Candidate], at_work: f32, wanted: impl Fn(&Candidate) -> bool) -> Vec<u32> {
    let mut who = Vec::new();
    for c in sorted.iter().filter(|c| wanted(c)) {
        if (c.0 * at_work).floor() <= who.len() as f32 {
            who.push(c.1);
        } else {
            break;
        }
    }
    who
}

/// The same set as [`joined_in_order`] (in another order) without sorting, for
/// thresholds in [0, 1], by counting. Each candidate needs v = ⌊threshold × at_work⌋
/// before them, an integer from 0 to `at_work` that does not decrease along the sorted
/// order. Candidates of equal v sit together in that order: the first of them, with `n`
/// candidates of smaller v before it, joins if v ≤ n, and then so do the rest of the
/// group (each has at least n before it); if it does not, the cascade stops there. So
/// those who join are exactly the candidates whose v lies below the first v (with any
/// candidate) that exceeds the number of candidates of smaller v.
fn joined_by_count(candidates: &[Candidate], at_work: f32, wanted: impl Fn(&Candidate) -> bool) -> Vec<u32> {
    // ⌊x⌋ of x ≥ 0 is its truncation.
    let need = |c: &Candidate| (c.0 * at_work) as usize;
    let mut count = vec![0u32; at_work as usize + 1];
    for c in candidates.iter().filter(|c| wanted(c)) {
        count[need(c)] += 1;
    }
    let mut before = 0u32;
    let mut stop = count.len();
    for (v, &n) in count.iter().enumerate() {
        if n > 0 && v > before as usize {
            stop = v;
            break;
        }
        before += n;
    }
    candidates.iter().filter(|c| wanted(c) && need(c) < stop).map(|c| c.1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ussr::testkit::{params, person};

    #[test]
    fn counting_finds_the_same_joiners_as_the_sorted_cascade() {
        let mut rng = crate::ussr::testkit::rng(77);
        for case in 0..4000u32 {
            let at_work = 1 + rng.below(90);
            let n = rng.below(2 * at_work + 2);
            // Coarse thresholds (many ties, exact multiples of 1/at_work), fine ones, and the ends.
            let candidates: Vec<Candidate> = (0..n)
                .map(|k| {
                    let theta = match case % 4 {
                        0 => rng.below(at_work + 1) as f32 / at_work as f32,
                        1 => rng.below(9) as f32 / 8.0,
                        2 => rng.unit_f32(),
                        _ => [0.0, 1.0, 0.5, rng.unit_f32() * 0.2][rng.below(4) as usize],
                    };
                    (theta, k, rng.below(2) == 1, rng.below(3) > 0)
                })
                .collect();
            let mut sorted = candidates.clone();
            sorted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for strike in [true, false] {
                let wanted = |c: &Candidate| if strike { c.2 } else { c.3 };
                let mut counted = joined_by_count(&candidates, at_work as f32, wanted);
                counted.sort_unstable();
                let mut literal = joined_in_order(&sorted, at_work as f32, wanted);
                literal.sort_unstable();
                assert_eq!(counted, literal, "case {case}: {candidates:?}");
            }
        }
    }

    /// A shop of `n` people at work. The cascades' candidates are (threshold, index in
    /// the shop, strike-ready, slow-ready), as the pass builds them.
    fn shop(n: usize) -> Vec<Person> {
        vec![person(); n]
    }

    fn p_stop(share: f32) -> Params {
        let mut p = params();
        p.protest.shop_stop = share;
        p
    }

    fn striking(people: &[Person]) -> Vec<u32> {
        (0..people.len() as u32).filter(|&k| people[k as usize].status == Status::Striking).collect()
    }

    #[test]
    fn granovetters_chain_all_join_when_each_threshold_is_met_by_those_before() {
        // 16 at work with thresholds 0/16, 1/16, ..., 15/16 (exact in binary): the k-th
        // joins once k are in, so all 16 join (Granovetter 1978's riot).
        let p = p_stop(0.3);
        let mut people = shop(16);
        let mut c: Vec<(f32, u32, bool, bool)> = (0..16).map(|k| (k as f32 / 16.0, 15 - k, true, false)).collect();
        let out = cascade(&p, &mut people, &mut c);
        assert_eq!((out.strikers, out.stopped), (16, true));
        assert_eq!(striking(&people).len(), 16);
    }

    #[test]
    fn one_threshold_moved_up_stops_the_chain_at_the_first_worker() {
        // The same shop with the 1/16 worker at 2/16: after the first, nobody has enough
        // before them; 1 < 30 % of 16, so the shop does not stop and nobody strikes.
        let p = p_stop(0.3);
        let mut people = shop(16);
        let mut c: Vec<(f32, u32, bool, bool)> = (0..16).map(|k| (if k == 1 { 2.0 } else { k as f32 } / 16.0, k, true, false)).collect();
        let out = cascade(&p, &mut people, &mut c);
        assert_eq!((out.strikers, out.stopped), (0, false));
        assert!(striking(&people).is_empty());
    }

    #[test]
    fn the_cascade_stops_at_its_fixed_point() {
        // Thresholds in 16ths: 0, 0, 0, 3, 3, 4, 6, 9, 9, 12 (and 6 not ready). Three go
        // first; then 3 ≤ 3, 3 ≤ 4, 4 ≤ 5, 6 ≤ 6 join; 9 > 7 stops it: 7 strike. Ties go by
        // index. 7 ≥ 0.3 × 16: the shop stops.
        let p = p_stop(0.3);
        let mut people = shop(16);
        let t = [0, 0, 0, 3, 3, 4, 6, 9, 9, 12];
        let mut c: Vec<(f32, u32, bool, bool)> = t.iter().enumerate().map(|(k, &x)| (x as f32 / 16.0, 9 - k as u32, true, false)).collect();
        // A worker ready only to slow down, with threshold 0, is no striker.
        c.push((0.0, 12, false, true));
        let out = cascade(&p, &mut people, &mut c);
        assert_eq!((out.strikers, out.stopped), (7, true));
        assert_eq!(striking(&people), [3, 4, 5, 6, 7, 8, 9]);
        // Need at least 8 (0.5 × 16) and the same 7 are not enough: nobody strikes.
        let mut people = shop(16);
        let mut c: Vec<(f32, u32, bool, bool)> = t.iter().enumerate().map(|(k, &x)| (x as f32 / 16.0, k as u32, true, false)).collect();
        let out = cascade(&p_stop(0.5), &mut people, &mut c);
        assert_eq!((out.strikers, out.stopped), (0, false));
    }

    #[test]
    fn thresholds_are_shares_of_those_at_work() {
        // 8 ready with thresholds k/16, k = 0..7: in a shop of 16 at work all 8 join.
        let ready = || -> Vec<(f32, u32, bool, bool)> { (0..8).map(|k| (k as f32 / 16.0, k, true, false)).collect() };
        let p = p_stop(0.3);
        let mut people = shop(16);
        assert_eq!(cascade(&p, &mut people, &mut ready()).strikers, 8);
        // With 16 more at work the second needs 2 before them: only 1 joins, too few.
        let mut people = shop(32);
        assert_eq!(cascade(&p, &mut people, &mut ready()).strikers, 0);
        // The 16 more off sick are not at work: all 8 join again.
        let mut people = shop(32);
        for q in &mut people[16..] {
            q.status = Status::Sick;
        }
        assert_eq!(cascade(&p, &mut people, &mut ready()).strikers, 8);
    }

    #[test]
    fn strikers_are_not_counted_in_the_slow_down() {
        // 6 ready for both (thresholds 0-5 in 16ths) and 6 ready to slow down (6-11). The 6
        // strike (6 ≥ 4.8); the slow-down cascade runs through all 12 but its strikers
        // stay on strike: 6 go slow.
        let p = p_stop(0.3);
        let mut people = shop(16);
        let mut c: Vec<(f32, u32, bool, bool)> = (0..12).map(|k| (k as f32 / 16.0, k, k < 6, true)).collect();
        let out = cascade(&p, &mut people, &mut c);
        assert_eq!((out.strikers, out.stopped, out.slowed, out.slow_workers), (6, true, true, 6));
        for (k, q) in people.iter().enumerate() {
            let want = match k {
                0..6 => (Status::Striking, Behaviour::Comply),
                6..12 => (Status::Working, Behaviour::Italianka),
                _ => (Status::Working, Behaviour::Comply),
            };
            assert_eq!((q.status, q.behaviour), want, "worker {k}");
        }
        // Those ready only to strike do not carry a slow-down: 6 slow-ready with thresholds
        // 6-11 in 16ths have nobody before them.
        let mut people = shop(16);
        let mut c: Vec<(f32, u32, bool, bool)> = (0..12).map(|k| (k as f32 / 16.0, k, k < 6, k >= 6)).collect();
        let out = cascade(&p, &mut people, &mut c);
        assert_eq!((out.stopped, out.slowed), (true, false));
    }

    fn p_ready() -> Params {
        let mut p = params();
        p.protest.strike = 0.5;
        p.protest.grievance_weight = 0.25;
        p.switches.organizing = true;
        p
    }

    fn occasion(x: f32) -> StrikePush {
        StrikePush { occasion: x, ..StrikePush::default() }
    }

    #[test]
    fn strike_readiness_weighs_the_push_by_confidence_plus_grievance_against_risk() {
        let p = p_ready();
        let mut q = person();
        q.efficacy = 0.5;
        q.grievance = 0.4;
        q.risk_aversion = 0.5;
        q.threshold = 0.3;
        // 0.5 × (0.5 + 0.5) + 0.25 × 0.4 = 0.6 > 0.5: ready, at the person's threshold.
        assert_eq!(strike_ready(&p, &q, &occasion(0.5), 0.0, None), Some(0.3));
        // Risk 0.3 seen: 0.6 − 0.5 × 0.3 = 0.45: not ready.
        assert_eq!(strike_ready(&p, &q, &occasion(0.5), 0.3, None), None);
        // A smaller push: 0.3 + 0.1 = 0.4: not ready.
        assert_eq!(strike_ready(&p, &q, &occasion(0.3), 0.0, None), None);
        // No confidence: 0.5 × 0.5 + 0.1 = 0.35: not ready.
        q.efficacy = 0.0;
        assert_eq!(strike_ready(&p, &q, &occasion(0.5), 0.0, None), None);
        // The push adds up from its parts: 0.2 + 0.1 + 0.1 + 0.1 = 0.5, as above.
        q.efficacy = 0.5;
        let parts = StrikePush { occasion: 0.2, join: 0.1, contagion: 0.1, organize: 0.1 };
        assert!((parts.total() - 0.5).abs() < 1e-6);
        assert_eq!(strike_ready(&p, &q, &parts, 0.0, None), Some(0.3));
    }

    #[test]
    fn without_a_push_nobody_is_ready_however_aggrieved() {
        let mut p = p_ready();
        p.protest.grievance_weight = 1.0;
        let mut q = person();
        q.grievance = 1.0;
        q.efficacy = 1.0;
        assert_eq!(strike_ready(&p, &q, &occasion(0.0), 0.0, None), None);
        // A cell holding back more than the occasion pushes: a negative push.
        let held = StrikePush { occasion: 0.3, organize: -0.4, ..StrikePush::default() };
        assert_eq!(strike_ready(&p, &q, &held, 0.0, None), None);
        // Anyone not at work is never ready.
        for s in [Status::Sick, Status::Striking, Status::Arrested, Status::Exiled, Status::Blacklisted] {
            q.status = s;
            assert_eq!(strike_ready(&p, &q, &occasion(5.0), 0.0, None), None, "{s:?}");
        }
    }

    #[test]
    fn members_on_a_legal_line_hold_back_and_a_leading_cells_people_go_first() {
        let p = p_ready();
        let mut q = person();
        q.efficacy = 1.0;
        q.threshold = 0.6;
        q.opp = Opp::Member;
        let push = StrikePush { occasion: 1.0, organize: 0.2, ..StrikePush::default() };
        // A member whose own line is legal (lead −1) is never ready, whatever the push.
        assert_eq!(strike_ready(&p, &q, &push, 0.0, Some(-1.0)), None);
        // One whose line leads strikes goes first (threshold 0), so does a sympathizer.
        assert_eq!(strike_ready(&p, &q, &push, 0.0, Some(1.0)), Some(0.0));
        q.opp = Opp::Sympathizer;
        assert_eq!(strike_ready(&p, &q, &push, 0.0, None), Some(0.0));
        // Without a leading cell in the push, their own threshold.
        assert_eq!(strike_ready(&p, &q, &occasion(1.2), 0.0, None), Some(0.6));
        // A worker outside the opposition keeps their threshold in a led strike.
        q.opp = Opp::None;
        assert_eq!(strike_ready(&p, &q, &push, 0.0, None), Some(0.6));
        // With the organizing mechanism off, neither holding back nor going first.
        let mut off = p.clone();
        off.switches.organizing = false;
        q.opp = Opp::Member;
        assert_eq!(strike_ready(&off, &q, &push, 0.0, Some(-1.0)), Some(0.6));
    }

    #[test]
    fn a_members_lead_is_the_line_bent_by_radicalism() {
        let mut p = params();
        p.opposition.indiscipline = 0.5;
        assert_eq!(member_lead(&p, 1.0, 0.0), -1.0);
        assert_eq!(member_lead(&p, 0.0, 0.3), 1.0);
        // Legality 1 × (1 − 0.5 × 1) = 0.5: neither leads nor holds back.
        assert_eq!(member_lead(&p, 1.0, 1.0), 0.0);
        assert_eq!(member_lead(&p, 0.5, 0.0), 0.0);
    }

    #[test]
    fn the_ladder_slows_down_over_disputes_and_protests_passively_over_grievance() {
        let mut p = params();
        p.protest.passive = 0.2;
        p.protest.italianka = 0.7;
        p.protest.grievance_weight = 0.5;
        let mut q = person();
        q.grievance = 0.4;
        q.risk_aversion = 0.5;
        // Net grievance 0.4 − 0.5 × 0.2 = 0.3 > 0.2: passive; 0.5 × 0.3 = 0.15 < 0.7.
        assert_eq!(ladder(&p, &q, 0.2, 0.0), Readiness::Passive);
        // Disputes remembered: 0.6 + 0.15 > 0.7: a slow-down.
        assert_eq!(ladder(&p, &q, 0.2, 0.6), Readiness::SlowDown);
        // More risk: net 0.4 − 0.5 × 0.6 = 0.1: nothing.
        assert_eq!(ladder(&p, &q, 0.6, 0.0), Readiness::None);
    }
}
