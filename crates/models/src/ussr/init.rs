//! ODD 5 — initial conditions at the end of 1927 (F03, F05, F33): factories and their
//! partner network, the workforce, and the underground's cells.

use super::calendar::Calendar;
use super::params::Params;
use super::state::{Class, Factory, Mood, Opp, Person, Status};
use perelom_engine::space::Network;
use perelom_engine::Streams;
use rand::Rng;
use rand_distr::{Distribution, LogNormal};
use rayon::prelude::*;

/// Index of a draw from discrete `weights` (need not sum to one).
pub fn pick(weights: &[f64], u: f64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    for (i, w) in weights.iter().enumerate() {
        acc += w / total;
        if u < acc {
            return i;
        }
    }
    weights.len() - 1
}

/// Factories with sizes from a lognormal distribution, filled until the workforce is
/// placed; shops of about `shop_size` each.
pub fn factories(p: &Params, streams: &Streams) -> Vec<Factory> {
    let mut rng = streams.stream("ussr.init.factories", 0, 0);
    let pop = &p.population;
    let median = pop.median_size;
    let sigma = pop.size_sigma.max(1e-9);
    let shop_size = pop.shop_size;
    let sizes = LogNormal::new(median.ln(), sigma).expect("valid lognormal");
    let regions = pop.region_shares.clone();
    let sectors = pop.sector_shares.clone();
    let mut out = Vec::new();
    let (mut placed, mut shops) = (0u32, 0u32);
    let n = pop.workers as u32;
    while placed < n {
        let size = (sizes.sample(&mut rng).round() as u32).clamp(10, 40_000).min(n - placed);
        let nshops = size.div_ceil(shop_size).max(1);
        out.push(Factory::new(pick(&regions, rng.random()) as u8, pick(&sectors, rng.random()) as u8, placed, size, shops, nshops));
        let last = out.last_mut().expect("just pushed");
        last.militancy = LogNormal::new(0.0, p.disputes.militancy_spread.max(1e-9)).expect("valid lognormal").sample(&mut rng) as f32;
        placed += size;
        shops += nshops;
    }
    out
}

/// Everyone in the workforce, ordered by factory and shop. Bands, classes and views are
/// drawn per factory from the factory's own stream, so the population does not depend
/// on how many threads build it.
pub fn people(p: &Params, streams: &Streams, factories: &[Factory]) -> Vec<Person> {
    let coef = p.economy.tariff;
    let pop = &p.population;
    let (white, peasant, young, party) = (pop.white_collar, pop.peasant_origin, pop.young, pop.party);
    let downgrade = p.economy.downgrade_share;
    let c = &p.perception;
    let hb = c.hardship_baseline;
    let (l0, ls, premium) = (c.legitimacy_initial, c.legitimacy_spread, c.party_premium);
    let e0 = c.efficacy_initial;
    let (tm, ts) = (p.protest.threshold_mean, p.protest.threshold_spread);
    let young_risk = p.protest.young_risk;
    // Everyone is written in place, each factory's slice by one task: no second copy of
    // the workforce (at full scale it is 230 MB).
    let total = factories.iter().map(|f| f.size as usize).sum();
    let mut all = vec![Person::blank(); total];
    let mut slices: Vec<&mut [Person]> = Vec::with_capacity(factories.len());
    let mut rest = &mut all[..];
    for f in factories {
        let (head, tail) = rest.split_at_mut(f.size as usize);
        slices.push(head);
        rest = tail;
    }
    slices.into_par_iter().zip(factories.par_iter()).enumerate().for_each(|(fi, (out, f))| {
        let mut rng = streams.stream("ussr.init.people", fi as u64, 0);
        for k in 0..f.size {
            let shop = f.first_shop + (k * f.shops / f.size);
            let class = if rng.random::<f64>() < white { Class::White } else { Class::Blue };
            let peasant_origin = class == Class::Blue && rng.random::<f64>() < peasant;
            // Manual workers sit in bands 1-10 (newcomers from the village low), staff in 6-17.
            let band: u8 = match (class, peasant_origin) {
                (Class::White, _) => 6 + (rng.random::<f64>() * 11.0) as u8,
                (_, true) => 1 + (rng.random::<f64>().powf(1.6) * 5.0) as u8,
                _ => 2 + (rng.random::<f64>().powf(1.3) * 8.0) as u8,
            }
            .clamp(1, 17);
            let wage_ref = coef[usize::from(band) - 1];
            let band = if rng.random::<f64>() < downgrade { band.saturating_sub(1).max(1) } else { band };
            let is_young = rng.random::<f64>() < young;
            let is_party = rng.random::<f64>() < party * if class == Class::White { 1.8 } else { 0.9 };
            let lean = match (class, peasant_origin, is_young) {
                (Class::White, _, _) => 0.45,
                (_, true, _) => 0.3,
                (_, false, true) => 0.65,
                (_, false, false) => 0.55,
            } + (rng.random::<f32>() - 0.5) * 0.5;
            // Party members hold the line more legitimate (F29).
            let legit = (l0 + (rng.random::<f32>() * 2.0 - 1.0) * ls + if is_party { premium } else { 0.0 }).clamp(0.0, 1.0);
            let risk_aversion = rng.random::<f32>() * if is_young { young_risk } else { 1.0 };
            out[k as usize] = Person {
                factory: fi as u32,
                shop,
                base_hardship: rng.random::<f32>() * hb,
                risk_aversion,
                legitimacy: legit,
                fear: 0.0,
                efficacy: (e0 + (rng.random::<f32>() - 0.5) * 0.4).clamp(0.0, 1.0),
                fatigue: 0.0,
                lean: lean.clamp(0.0, 1.0),
                threshold: (tm + (rng.random::<f32>() * 2.0 - 1.0) * ts).clamp(0.0, 1.0),
                wage_ref,
                real_wage: wage_ref,
                band,
                class,
                young: is_young,
                peasant_origin,
                party: is_party,
                ..Person::blank()
            };
        }
    });
    all
}

/// The underground at the start: the expelled who stayed active (F03, F04), by class
/// (F33) and organization (F02), in factory cells (F03) with a few sympathizers around
/// each member (F20); some of the leaders already in exile (F03).
///
/// Cells are clustered: each member founds a new cell with chance 1 / mean cell size,
/// else joins an existing cell chosen at random, which gives a few large cells and many
/// small ones. Returns the number of members placed.
pub fn opposition(p: &Params, streams: &Streams, factories: &[Factory], people: &mut [Person]) -> usize {
    let o = &p.opposition;
    let active = (o.expelled * p.population.scale * o.underground).round() as usize;
    let shares = o.class_shares;
    // The remainder of the shares (other occupations) counts as white-collar.
    let other = (1.0 - shares.iter().sum::<f64>()).max(0.0);
    let weights = [shares[0], shares[1] + other, shares[2]];
    let (decists, exiled, cell_size, sympathizers) = (o.decist_share, o.exiled_at_start, o.cell_size, o.sympathizers);
    let mut rng = streams.stream("ussr.init.opposition", 0, 0);
    let n = people.len();
    let mut cells: Vec<(usize, u8)> = Vec::new(); // (factory, organization)
    let mut placed = 0;
    for _ in 0..active {
        let want = match pick(&weights, rng.random()) {
            0 => Class::Blue,
            1 => Class::White,
            _ => Class::Peasant,
        };
        if cells.is_empty() || rng.random::<f64>() < 1.0 / cell_size {
            let f = people[rng.random_range(0..n)].factory as usize;
            cells.push((f, u8::from(rng.random::<f64>() < decists)));
        }
        let (f, org) = cells[rng.random_range(0..cells.len())];
        let fac = &factories[f];
        let range = fac.first_person as usize..(fac.first_person + fac.size) as usize;
        // A person of the wanted class in the cell's factory, else anyone there.
        let mut chosen = None;
        for attempt in 0..400 {
            let i = rng.random_range(range.clone());
            let q = &people[i];
            let fits = match want {
                Class::Peasant => q.class == Class::Blue && q.peasant_origin,
                c => q.class == c && !q.peasant_origin,
            };
            if q.opp == Opp::None && (fits || attempt >= 200) {
                chosen = Some(i);
                break;
            }
        }
        let Some(i) = chosen else { continue };
        let q = &mut people[i];
        if want == Class::Peasant && q.peasant_origin {
            q.class = Class::Peasant;
        }
        q.opp = Opp::Member;
        q.old_cadre = true;
        q.party = false;
        q.org = org;
        q.radicalism = rng.random::<f32>() * 0.4;
        q.legitimacy = (q.legitimacy * 0.3).min(0.3);
        q.lean = q.lean.max(0.8);
        q.mood = Mood::Left;
        if rng.random::<f64>() < exiled {
            q.status = Status::Exiled;
        }
        placed += 1;
        let shop = q.shop;
        if q.status == Status::Working {
            let whole = sympathizers.floor() as usize + usize::from(rng.random::<f64>() < sympathizers.fract());
            // Sympathizers are the member's shop-mates (F20): draw within the shop.
            let shop_range = {
                let lo = range.start + (shop - fac.first_shop) as usize * fac.size as usize / fac.shops as usize;
                let mut a = lo.max(range.start);
                while a > range.start && people[a - 1].shop == shop {
                    a -= 1;
                }
                while a < range.end && people[a].shop != shop {
                    a += 1;
                }
                let mut b = a;
                while b < range.end && people[b].shop == shop {
                    b += 1;
                }
                a..b
            };
            for _ in 0..whole {
                let j = rng.random_range(shop_range.clone());
                if people[j].opp == Opp::None {
                    people[j].opp = Opp::Sympathizer;
                    people[j].org = org;
                }
            }
        }
    }
    placed
}

/// The partner network of factories (F14): each factory links to about
/// `factories.partners` others, chosen in its region (preferably its sector), so a
/// factory's neighbourhood looks the same at every population scale. Undirected.
pub fn partners(p: &Params, streams: &Streams, factories: &[Factory]) -> Network {
    let per = p.population.partners.div_ceil(2);
    let mut rng = streams.stream("ussr.init.partners", 0, 0);
    let mut by_region: Vec<Vec<u32>> = vec![Vec::new(); 6];
    let mut by_place: Vec<Vec<u32>> = vec![Vec::new(); 36];
    for (i, f) in factories.iter().enumerate() {
        by_region[usize::from(f.region)].push(i as u32);
        by_place[usize::from(f.region) * 6 + usize::from(f.sector)].push(i as u32);
    }
    let n = factories.len();
    let mut edges = Vec::with_capacity(n * per);
    if n > 1 {
        for (i, f) in factories.iter().enumerate() {
            for _ in 0..per {
                let same_sector = &by_place[usize::from(f.region) * 6 + usize::from(f.sector)];
                let region = &by_region[usize::from(f.region)];
                let pool: &[u32] = if same_sector.len() > 1 && rng.random::<f64>() < 0.5 {
                    same_sector
                } else if region.len() > 1 {
                    region
                } else {
                    &[]
                };
                let j = if pool.is_empty() { rng.random_range(0..n) as u32 } else { pool[rng.random_range(0..pool.len())] };
                if j as usize != i {
                    edges.push((i as u32, j));
                }
            }
        }
    }
    edges.sort_unstable();
    edges.dedup();
    Network::from_undirected_edges(n, &edges)
}

/// The dated factory events: the week of each campaign meeting (F21) and of the
/// conversion to the seven-hour day (F07), drawn once.
pub fn calendar(p: &Params, cal: &Calendar, streams: &Streams, factories: &mut [Factory]) {
    let mut rng = streams.stream("ussr.init.calendar", 0, 0);
    for f in factories.iter_mut() {
        for (c, window) in cal.campaigns.iter().enumerate() {
            if let Some((a, b)) = window {
                f.meeting_week[c] = rng.random_range(*a..=*b);
            }
        }
        let converts = rng.random::<f64>() < p.management.seven_hour_share;
        f.seven_hour_week = match cal.seven_hour_from {
            Some(s) if converts && s < p.steps => rng.random_range(s..p.steps),
            _ => u32::MAX,
        };
    }
}
