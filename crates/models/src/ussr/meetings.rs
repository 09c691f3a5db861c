//! ODD 7.8 — the mass meetings of the collective-agreement campaigns (F21, F24, F25, F29).
//!
//! Each factory holds one meeting in each campaign window. Attendance follows the belief
//! that anything can be won (F24); passive protesters mostly stay away (F12). Where an
//! opposition cell exists it tables its resolution against the cell's; each attendee votes
//! for it with log-odds rising with grievance, the cell's strength, sympathy and a left
//! lean, falling with fear and party discipline. The opposition wins on a majority of
//! those attending (F21); a meeting below the quorum fails (F24).

use super::params::Params;
use super::state::{Opp, Person};
use perelom_engine::FastRng;

/// One person's part in a meeting: attended, voted for the opposition.
pub fn attend_and_vote(p: &Params, q: &Person, passive: bool, cell_voice: Option<f32>, rng: &mut FastRng) -> (bool, bool) {
    let m = &p.meetings;
    let attend = q.efficacy * if passive { m.passive_attendance } else { 1.0 };
    if rng.unit_f32() >= attend {
        return (false, false);
    }
    let Some(voice) = cell_voice else { return (true, false) };
    let z = m.vote_bias
        + m.vote_grievance * q.grievance
        + voice
        + if q.opp != Opp::None { m.sympathizer_vote } else { 0.0 }
        + if q.lean > 0.5 { m.vote_left } else { 0.0 }
        - m.vote_fear * q.fear
        - if q.party { m.vote_party } else { 0.0 };
    (true, rng.unit_f32() < 1.0 / (1.0 + (-z).exp()))
}

/// The cell's weight in the vote: log-odds per log(1 + members) (F21). `None` without a cell.
pub fn cell_voice(p: &Params, cell_members: u32) -> Option<f32> {
    (cell_members > 0).then(|| p.meetings.cell_weight * (1.0 + cell_members as f32).ln())
}

/// How a meeting ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeetingOutcome {
    NoQuorum,
    OppositionWon,
    CellWon,
    Unopposed,
}

impl MeetingOutcome {
    pub fn label(self) -> &'static str {
        match self {
            MeetingOutcome::NoQuorum => "failed (no quorum)",
            MeetingOutcome::OppositionWon => "opposition resolution adopted",
            MeetingOutcome::CellWon => "cell resolution adopted",
            MeetingOutcome::Unopposed => "no opposition resolution",
        }
    }
}

/// The result of a factory's meeting from its tally.
pub fn outcome(p: &Params, eligible: u32, attended: u32, votes_for: u32, tabled: bool) -> MeetingOutcome {
    let attendance = if eligible == 0 { 0.0 } else { f64::from(attended) / f64::from(eligible) };
    if attendance < p.meetings.quorum {
        MeetingOutcome::NoQuorum
    } else if tabled && 2 * votes_for > attended {
        MeetingOutcome::OppositionWon
    } else if tabled {
        MeetingOutcome::CellWon
    } else {
        MeetingOutcome::Unopposed
    }
}
