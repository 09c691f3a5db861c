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
    if q.peasant_origin {
        l -= m.shortage_right * w.shortage;
    }
    l.clamp(0.0, 1.0)
}

/// The mood a person would report: members and left sympathizers are left; workers who
/// hold the regime more legitimate than not are loyal (F22); those with little grievance
/// or no belief that anything can change are indifferent (F24); the rest lean left or right.
pub fn mood(p: &Params, q: &Person) -> Mood {
    let m = &p.moods;
    if q.opp == Opp::Member || (q.opp == Opp::Sympathizer && q.lean > 0.5) {
        Mood::Left
    } else if q.legitimacy >= m.loyal {
        Mood::Loyal
    } else if q.grievance < m.indifferent_grievance || q.efficacy < m.indifferent_efficacy {
        Mood::Indifferent
    } else if q.lean > 0.5 {
        Mood::Left
    } else {
        Mood::Right
    }
}
