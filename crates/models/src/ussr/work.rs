//! ODD 7.3 — work, earnings, fatigue and illness (F05, F07, F08, F10, F19).

use super::exogenous::Week;
use super::params::Params;
use super::state::{Behaviour, Factory, Person, Status};
use perelom_engine::FastRng;

/// Real weekly earnings of an employed person relative to the 1927 band-1 wage: band
/// coefficient (F05) × the factory's pay at the norm, less loan deductions (F08) and the
/// regressive rent rise (F19, bands 1–6 bear most of it), over the price index (F08).
pub fn real_wage(p: &Params, w: &Week, f: &Factory, band: u8) -> f32 {
    let rent = if band <= 6 { w.rent_low } else { w.rent_high };
    p.economy.tariff[usize::from(band) - 1] * f.pay * (1.0 - w.loan - rent) / w.price
}

/// [`real_wage`] of each band (index: band − 1) in the factory this week: the weekly
/// pass looks a person's wage up instead of computing it again for each of them.
pub fn wage_table(p: &Params, w: &Week, f: &Factory) -> [f32; 17] {
    std::array::from_fn(|b| real_wage(p, w, f, b as u8 + 1))
}

/// Weekly strain of work in the factory: the norm above its 1927 level (F10) and the
/// seven-hour day's extra machines and night shifts (F07).
pub fn strain(p: &Params, f: &Factory) -> f32 {
    p.health.effort_strain * (f.norm - 1.0).max(0.0) + if f.seven_hour { p.management.seven_hour_strain } else { 0.0 }
}

/// Earnings, fatigue and illness of one person for the week (F07, F08, F10). Fatigue
/// recovers by a share each week and grows with the strain of work (less in a
/// slow-down); the chance of falling ill rises with fatigue; sickness lasts a geometric
/// number of weeks. Returns whether the person fell ill. `wages` is the factory's
/// [`wage_table`] of the week.
#[inline(always)]
pub fn work_week(p: &Params, wages: &[f32; 17], strain: f32, q: &mut Person, rng: &mut FastRng) -> bool {
    let h = &p.health;
    q.real_wage = if q.status.employed() { wages[usize::from(q.band) - 1] } else { 0.0 };
    let load = match (q.status, q.behaviour) {
        (Status::Working, Behaviour::Italianka) => strain * p.protest.italianka_effort,
        (Status::Working, _) => strain,
        _ => 0.0,
    };
    q.fatigue = q.fatigue * (1.0 - h.recovery) + load;
    if q.status == Status::Working && rng.unit_f32() < h.ill_base + h.ill_per_fatigue * q.fatigue {
        q.status = Status::Sick;
        q.weeks_left = geometric(rng, h.ill_end, 52);
        return true;
    }
    false
}

/// Weeks of a geometric duration with weekly end chance `p` (at least one, at most `max`).
pub fn geometric(rng: &mut FastRng, p: f32, max: u16) -> u16 {
    let mut n = 1u16;
    while n < max && rng.unit_f32() >= p {
        n += 1;
    }
    n
}
