//! ODD 7.10 — political moods (F15, F22, F24): loyal to the line, left, right, or
//! indifferent, and the left/right lean that moves with experience.

use super::exogenous::Week;
use super::params::Params;
use super::state::{Mood, Opp, Person};

/// The lean (0 right, 1 left) moves with the week's experience: towards one's shop-mates'
/// lean (social influence), to the left with leaflets read (F20) and a strike in one's
/// factory (F15: political conclusions from conflict), to the right with food shortages
/// for workers of peasant origin (F01, F22).
pub fn lean(p: &Params, w: &Week, q: &Person, shop_lean: f32, leafleted: bool, factory_on_strike: bool) -> f32 {
    let m = &p.moods;
    let mut l = q.lean;
    if p.switches.social_influence {
        l += p.perception.influence * (shop_lean - l);
    }
    if leafleted {
        l += p.opposition.leaflet_lean;
    }
    if factory_on_strike {
        l += m.strike_left;
    }
    // Without a branch on the person's origin: less +0.0 (bits masked away) leaves any
    // value unchanged.
    let right = m.shortage_right * w.shortage;
    l -= f32::from_bits(right.to_bits() & u32::from(q.peasant_origin).wrapping_neg());
    l.clamp(0.0, 1.0)
}

/// The mood a person would report: members and left sympathizers are left; workers who
/// hold the regime more legitimate than not are loyal (F22); those with little grievance
/// or no belief that anything can change are indifferent (F24); the rest lean left or right.
pub fn mood(p: &Params, q: &Person) -> Mood {
    let m = &p.moods;
    // The first that holds, in this order: left (members, left sympathizers), loyal,
    // indifferent, leaning left; else right. Every test is evaluated and the answer
    // looked up, without branches on a person's views.
    let leans_left = q.lean > 0.5;
    let left = (q.opp == Opp::Member) | ((q.opp == Opp::Sympathizer) & leans_left);
    let loyal = q.legitimacy >= m.loyal;
    let indifferent = (q.grievance < m.indifferent_grievance) | (q.efficacy < m.indifferent_efficacy);
    MOODS[usize::from(left) | usize::from(loyal) << 1 | usize::from(indifferent) << 2 | usize::from(leans_left) << 3]
}

/// [`mood`] by its tests: bit 0 left, 1 loyal, 2 indifferent, 3 leaning left.
const MOODS: [Mood; 16] = {
    let mut t = [Mood::Right; 16];
    let mut i = 0;
    while i < 16 {
        t[i] = if i & 1 != 0 {
            Mood::Left
        } else if i & 2 != 0 {
            Mood::Loyal
        } else if i & 4 != 0 {
            Mood::Indifferent
        } else if i & 8 != 0 {
            Mood::Left
        } else {
            Mood::Right
        };
        i += 1;
    }
    t
};
