//! The calendar of dated events: every dated key of the scenario converted to a step
//! once, before the run (ODD 7.1).
//!
//! An event takes effect from the week containing its date. Dates before the run have
//! already happened (step 0); dates after the run, and switched-off events, never
//! happen (`None`).

use super::params::Dates;
use perelom_engine::Clock;

/// Steps of the dated events of a run.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    pub rent_rise: Option<u32>,
    pub loans_from: Option<u32>,
    pub plan_start: Option<u32>,
    pub continuous_from: Option<u32>,
    pub seven_hour_from: Option<u32>,
    pub privilege: Option<u32>,
    /// First and last week of each collective-agreement campaign (F21).
    pub campaigns: [Option<(u32, u32)>; 2],
    pub factory_turn: Option<u32>,
    pub platform: Option<u32>,
    pub line_change: [Option<u32>; 2],
    pub new_party_from: [Option<u32>; 2],
    pub left_turn_from: Option<u32>,
    pub escalation: Option<u32>,
}

impl Calendar {
    /// Converts the scenario's dates on the run's clock.
    pub fn new(d: &Dates, clock: &Clock) -> Self {
        let at = |date: Option<chrono::NaiveDate>| date.and_then(|x| clock.step_of_clamped(x));
        let campaign = |(a, b): (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)| {
            let a = at(a)?;
            // A campaign that runs past the end of the run is held up to its last week.
            let b = b.map(|x| clock.step_of_clamped(x).unwrap_or(clock.steps.saturating_sub(1)))?;
            (b >= a).then_some((a, b))
        };
        Calendar {
            rent_rise: at(d.rent_rise),
            loans_from: at(d.loans_from),
            plan_start: at(d.plan_start),
            continuous_from: at(d.continuous_from),
            seven_hour_from: at(d.seven_hour_from),
            privilege: d.privilege.and_then(|x| clock.step_of(x)),
            campaigns: [campaign(d.campaigns[0]), campaign(d.campaigns[1])],
            factory_turn: at(d.factory_turn),
            platform: at(d.platform),
            line_change: [at(d.line_change[0]), at(d.line_change[1])],
            new_party_from: [at(d.new_party_from[0]), at(d.new_party_from[1])],
            left_turn_from: at(d.left_turn_from),
            escalation: at(d.escalation),
        }
    }

    /// Whether an event at `event` has happened by week `step`.
    pub fn since(event: Option<u32>, step: u32) -> bool {
        event.is_some_and(|e| step >= e)
    }

    /// The campaign whose window holds `step`, if any.
    pub fn campaign_at(&self, step: u32) -> Option<usize> {
        self.campaigns.iter().position(|c| c.is_some_and(|(a, b)| (a..=b).contains(&step)))
    }
}
