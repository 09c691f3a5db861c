//! ODD 7.2 — management: the factory "triangle" (F25) revises norms and rates (F06, F09,
//! F10), converts to the seven-hour day (F07), and the week's local occasions of dispute
//! arise (F06, F08, F09, F12, F16).

use super::exogenous::Week;
use super::params::Params;
use super::state::{Factory, Occasion};
use perelom_engine::FastRng;

/// Weekly chance that the triangle revises norms and rates: yearly before the Politburo
/// decision of 19 Jan 1928, in day-to-day work after it (F09).
pub fn revision_chance(p: &Params, w: &Week) -> f64 {
    if w.continuous {
        p.management.weekly_revision
    } else {
        p.management.annual_revision
    }
}

/// Rise of the norm at one revision: in the plan year, as fast as planned productivity
/// (+17.5 % a year, F10) spread over the expected revisions; before it, `norms.step` (F06).
pub fn norm_step(p: &Params, w: &Week) -> f32 {
    let chance = revision_chance(p, w);
    if w.in_plan {
        (p.economy.productivity_target / (52.0 * chance.max(1e-9))).min(0.5) as f32
    } else {
        p.management.norm_step as f32
    }
}

/// One factory's management for the week. Returns whether the norms were revised.
///
/// - Nominal pay drifts up by the plan's cap in the plan year (F10).
/// - A revision raises the norm; the piece rate is cut so the same effort earns less
///   (F06), a broken agreement that costs legitimacy and confidence (F09, F24) and is the
///   occasion of a dispute. With `wages.keep_pace` (X4) pay rises with the norm instead.
/// - Otherwise the week may bring late pay (F12), a supply failure in a shop, likelier as
///   shortages grow (F08), or a conflict with a foreman in a shop (F16).
pub fn factory_week(p: &Params, w: &Week, f: &mut Factory, rng: &mut FastRng) -> bool {
    let m = &p.management;
    let e = &p.economy;
    if w.in_plan {
        f.pay *= 1.0 + (e.nominal_wage_cap / 52.0) as f32;
    }
    if f.seven_hour_week == w.step {
        f.seven_hour = true;
    }
    f.occasion = Occasion::None;
    f.occasion_shop = None;
    let revised = rng.chance(revision_chance(p, w));
    if revised {
        let step = norm_step(p, w);
        f.norm *= 1.0 + step;
        if e.keep_pace {
            f.pay *= 1.0 + step;
        } else {
            f.pay *= 1.0 - step * m.rate_cut;
            f.legitimacy_shock -= p.perception.revision_shock;
            f.efficacy_shock -= p.perception.efficacy_defeat * 0.5;
            f.occasion = Occasion::NormRevision;
        }
    }
    let d = &p.disputes;
    if f.occasion == Occasion::None {
        let shops = f.shops.max(1);
        let any_shop = |rng: &mut FastRng, per_shop: f64| -> Option<u32> {
            let p_any = 1.0 - (1.0 - per_shop.clamp(0.0, 1.0)).powi(shops as i32);
            rng.chance(p_any).then(|| f.first_shop + rng.below(shops))
        };
        if rng.chance(d.late_pay) {
            f.occasion = Occasion::LatePay;
        } else if let Some(s) = any_shop(rng, d.supply_failure * f64::from(w.shortage)) {
            f.occasion = Occasion::SupplyFailure;
            f.occasion_shop = Some(s);
        } else if let Some(s) = any_shop(rng, d.foreman) {
            f.occasion = Occasion::Foreman;
            f.occasion_shop = Some(s);
        }
    }
    if !p.switches.local_disputes {
        f.occasion = Occasion::None;
        f.occasion_shop = None;
    }
    // Disputes are remembered: a factory with recent ones stays ready to slow down.
    f.dispute_memory = f.dispute_memory * (1.0 - d.memory) + salience(p, f, f.occasion_shop.unwrap_or(f.first_shop));
    revised
}

/// Strike readiness an occasion adds in a shop (ODD 7.2, 7.5; F06, F08, F09, F12, F15,
/// F16): the salience of the week's occasion (a revision with a rate cut, late pay, a
/// supply failure, a conflict with a foreman) times the factory's lasting militancy
/// (F15: some places were more militant). A revision or late pay reaches every shop of
/// the factory; a supply failure or a foreman only its own shop (0 elsewhere).
pub fn salience(p: &Params, f: &Factory, shop: u32) -> f32 {
    if f.occasion_shop.is_some_and(|s| s != shop) {
        return 0.0;
    }
    let d = &p.disputes;
    f.militancy
        * match f.occasion {
            Occasion::None => 0.0,
            Occasion::NormRevision => d.revision_salience,
            Occasion::LatePay => d.late_pay_salience,
            Occasion::SupplyFailure => d.supply_salience,
            Occasion::Foreman => d.foreman_salience,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ussr::testkit::{factory, params};

    #[test]
    fn an_occasion_pushes_its_shop_or_the_whole_factory_by_militancy() {
        let mut p = params();
        (p.disputes.revision_salience, p.disputes.late_pay_salience, p.disputes.supply_salience, p.disputes.foreman_salience) =
            (0.5, 0.3, 0.25, 0.2);
        let mut f = factory();
        f.first_shop = 3;
        f.shops = 4;
        f.militancy = 2.0;
        assert_eq!((3..7).map(|s| salience(&p, &f, s)).collect::<Vec<_>>(), [0.0; 4], "no occasion, no push");
        // A revision or late pay reaches every shop.
        f.occasion = Occasion::NormRevision;
        assert_eq!((3..7).map(|s| salience(&p, &f, s)).collect::<Vec<_>>(), [1.0; 4]);
        f.occasion = Occasion::LatePay;
        assert_eq!(salience(&p, &f, 6), 0.6);
        // A supply failure or a foreman reaches only its shop.
        f.occasion = Occasion::Foreman;
        f.occasion_shop = Some(5);
        assert_eq!((3..7).map(|s| salience(&p, &f, s)).collect::<Vec<_>>(), [0.0, 0.0, 0.4, 0.0]);
        f.occasion = Occasion::SupplyFailure;
        assert_eq!(salience(&p, &f, 5), 0.5);
        assert_eq!(salience(&p, &f, 4), 0.0);
    }
}
