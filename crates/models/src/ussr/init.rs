//! Initial conditions at the end of 1927 (F03, F05, F33).

use super::params::Config;
use super::state::{Behaviour, Class, Factory, Mood, Opp, Person, Status};
use perelom_engine::rng::CHUNK;
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
pub fn factories(cfg: &Config, streams: &Streams) -> Vec<Factory> {
    let mut rng = streams.stream("ussr.init.factories", 0, 0);
    let p = &cfg.p;
    let median = p.float("factories.median_size");
    let sigma = p.float("factories.size_sigma").max(1e-9);
    let shop_size = p.int("factories.shop_size") as u32;
    let sizes = LogNormal::new(median.ln(), sigma).expect("valid lognormal");
    let regions = p.floats("population.region_shares").to_vec();
    let sectors = p.floats("population.sector_shares").to_vec();
    let mut out = Vec::new();
    let (mut placed, mut shops) = (0u32, 0u32);
    let n = cfg.workers as u32;
    while placed < n {
        let size = (sizes.sample(&mut rng).round() as u32).clamp(10, 40_000).min(n - placed);
        let nshops = size.div_ceil(shop_size).max(1);
        out.push(Factory {
            region: pick(&regions, rng.random()) as u8,
            sector: pick(&sectors, rng.random()) as u8,
            first_person: placed,
            size,
            first_shop: shops,
            shops: nshops,
            norm: 1.0,
            pay: 1.0,
            seven_hour: false,
            strike_weeks_left: 0,
            meeting_week: [u32::MAX; 2],
            legitimacy_shock: 0.0,
            efficacy_shock: 0.0,
            fear_shock: 0.0,
            strikers_last_week: 0,
            members: [0; 2],
            sympathizers: 0,
        });
        placed += size;
        shops += nshops;
    }
    out
}

/// Everyone in the workforce, ordered by factory and shop. Bands, classes and views are
/// drawn per factory from the factory's own stream, so the population does not depend
/// on how many threads build it.
pub fn people(cfg: &Config, streams: &Streams, factories: &[Factory]) -> Vec<Person> {
    let p = &cfg.p;
    let coef = p.floats("tariff.coefficients").to_vec();
    let white = p.float("population.white_collar");
    let peasant = p.float("population.peasant_origin");
    let young = p.float("population.young");
    let party = p.float("population.party");
    let downgrade = p.float("tariff.downgrade_share");
    let hb = p.float("hardship.baseline") as f32;
    let (l0, ls) = (p.float("legitimacy.initial") as f32, p.float("legitimacy.spread") as f32);
    let e0 = p.float("efficacy.initial") as f32;
    let (tm, ts) = (p.float("protest.threshold_mean") as f32, p.float("protest.threshold_spread") as f32);
    let per_factory: Vec<Vec<Person>> = factories
        .par_iter()
        .enumerate()
        .map(|(fi, f)| {
            let mut out = Vec::with_capacity(f.size as usize);
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
                let wage_ref = coef[usize::from(band) - 1] as f32;
                let band = if rng.random::<f64>() < downgrade { band.saturating_sub(1).max(1) } else { band };
                let is_young = rng.random::<f64>() < young;
                let is_party = rng.random::<f64>() < party * if class == Class::White { 1.8 } else { 0.9 };
                let lean = match (class, peasant_origin, is_young) {
                    (Class::White, _, _) => 0.45,
                    (_, true, _) => 0.3,
                    (_, false, true) => 0.65,
                    (_, false, false) => 0.55,
                } + (rng.random::<f32>() - 0.5) * 0.5;
                let legit = (l0 + (rng.random::<f32>() * 2.0 - 1.0) * ls + if is_party { 0.15 } else { 0.0 }).clamp(0.0, 1.0);
                out.push(Person {
                    factory: fi as u32,
                    shop,
                    base_hardship: rng.random::<f32>() * hb,
                    risk_aversion: rng.random::<f32>(),
                    legitimacy: legit,
                    fear: 0.0,
                    efficacy: (e0 + (rng.random::<f32>() - 0.5) * 0.4).clamp(0.0, 1.0),
                    fatigue: 0.0,
                    lean: lean.clamp(0.0, 1.0),
                    threshold: (tm + (rng.random::<f32>() * 2.0 - 1.0) * ts).clamp(0.0, 1.0),
                    wage_ref,
                    real_wage: wage_ref,
                    hardship: 0.0,
                    grievance: 0.0,
                    radicalism: 0.0,
                    band,
                    class,
                    young: is_young,
                    peasant_origin,
                    party: is_party,
                    status: Status::Working,
                    behaviour: Behaviour::Comply,
                    opp: Opp::None,
                    org: 0,
                    old_cadre: false,
                    mood: Mood::Loyal,
                    leafleted: false,
                    weeks_left: 0,
                });
            }
            out
        })
        .collect();
    let mut all = Vec::with_capacity(cfg.workers);
    for v in per_factory {
        all.extend(v);
    }
    all
}

/// The underground at the start: the expelled who stayed active (F03, F04), by class
/// (F33) and organization (F02), in factory cells (F03) with a few sympathizers around
/// each member (F20); some of the leaders already in exile (F03).
///
/// Cells are clustered: each member founds a new cell with chance 1 / mean cell size,
/// else joins an existing cell chosen at random, which gives a few large cells and many
/// small ones. Returns the number of members placed.
pub fn opposition(cfg: &Config, streams: &Streams, factories: &[Factory], people: &mut [Person]) -> usize {
    let p = &cfg.p;
    let active = (p.int("opposition.expelled") as f64 * cfg.scale * p.float("opposition.underground")).round() as usize;
    let shares = p.floats("opposition.class_shares").to_vec();
    // The remainder of the shares (other occupations) counts as white-collar.
    let other = (1.0 - shares.iter().sum::<f64>()).max(0.0);
    let weights = [shares[0], shares[1] + other, shares[2]];
    let decists = p.float("opposition.decist_share");
    let exiled = p.float("opposition.exiled_at_start");
    let cell_size = p.float("opposition.cell_size");
    let sympathizers = p.float("opposition.sympathizers");
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

/// A few ties from each person to people of other factories in the same region (F14).
pub fn ties(cfg: &Config, streams: &Streams, factories: &[Factory], people: &[Person]) -> Network {
    let per = cfg.p.int("ties.across_factories") as usize;
    let mut by_region: Vec<Vec<u32>> = vec![Vec::new(); 6];
    for f in factories {
        by_region[usize::from(f.region)].extend(f.first_person..f.first_person + f.size);
    }
    // Drawn in fixed chunks of people, each with its own stream, in parallel.
    let chunks: Vec<Vec<(u32, u32)>> = people
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut rng = streams.stream("ussr.init.ties", c as u64, 0);
            let mut edges = Vec::with_capacity(chunk.len() * per);
            for (k, q) in chunk.iter().enumerate() {
                let i = c * CHUNK + k;
                let pool = &by_region[usize::from(factories[q.factory as usize].region)];
                for _ in 0..per {
                    let j = pool[rng.random_range(0..pool.len())];
                    if people[j as usize].factory != q.factory {
                        edges.push((i as u32, j));
                    }
                }
            }
            edges
        })
        .collect();
    Network::from_undirected_edges(people.len(), &chunks.concat())
}
