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

/// One person's part in a meeting: attended, voted for the opposition (ODD 7.8; F12,
/// F21, F24, F29). A worker comes with a chance equal to their confidence that anything
/// can be won (F24), a fraction of it for passive protesters (F12). Where a cell tables
/// its resolution, an attendee backs it with a logistic chance whose log-odds add the
/// bias, grievance, the cell's voice, sympathy and a left lean, and take off fear and,
/// for party members, the party's discipline (F21, F29). Without a cell nobody votes for
/// the opposition.
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

/// The cell's weight in the vote (ODD 7.8; F21): `meetings.cell_weight` log-odds per
/// log(1 + members), so that each further member adds less. `None` without a cell.
pub fn cell_voice(p: &Params, cell_members: u32) -> Option<f32> {
    (cell_members > 0).then(|| p.meetings.cell_weight * (1.0 + cell_members as f32).ln())
}

/// How a meeting ended (ODD 7.8; F21, F24).
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

/// The result of a factory's meeting from its tally (ODD 7.8; F21, F24): below the
/// quorum (attendance as a share of those eligible) it fails for lack of attendance
/// (F24); otherwise the opposition's resolution is adopted when more than half of those
/// attending voted for it (F21), and a tie goes to the cell's resolution.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ussr::testkit::{params, person, rng};

    #[test]
    fn below_the_quorum_a_meeting_fails_whatever_the_vote() {
        let mut p = params();
        p.meetings.quorum = 0.5;
        assert_eq!(outcome(&p, 10, 4, 4, true), MeetingOutcome::NoQuorum);
        assert_eq!(outcome(&p, 10, 0, 0, false), MeetingOutcome::NoQuorum);
        // Nobody eligible: no quorum either.
        assert_eq!(outcome(&p, 0, 0, 0, true), MeetingOutcome::NoQuorum);
        // Exactly half attending is quorate.
        assert_eq!(outcome(&p, 10, 5, 3, true), MeetingOutcome::OppositionWon);
    }

    #[test]
    fn the_opposition_wins_on_a_majority_of_those_attending() {
        let mut p = params();
        p.meetings.quorum = 0.5;
        // 4 of 7 attending: a majority.
        assert_eq!(outcome(&p, 10, 7, 4, true), MeetingOutcome::OppositionWon);
        // 3 of 6: a tie is the cell's.
        assert_eq!(outcome(&p, 10, 6, 3, true), MeetingOutcome::CellWon);
        // 3 of 7 (the abstaining count against): the cell's.
        assert_eq!(outcome(&p, 10, 7, 3, true), MeetingOutcome::CellWon);
        // No opposition resolution tabled: unopposed, however the votes were counted.
        assert_eq!(outcome(&p, 10, 7, 7, false), MeetingOutcome::Unopposed);
    }

    #[test]
    fn a_cells_voice_grows_with_the_log_of_its_members() {
        let mut p = params();
        p.meetings.cell_weight = 0.5;
        assert_eq!(cell_voice(&p, 0), None);
        let v = cell_voice(&p, 3).expect("a cell of 3");
        assert!((v - 0.5 * 4.0f32.ln()).abs() < 1e-6, "{v}");
    }

    /// Shares of `n` meetings attended and of votes for the opposition among those
    /// attending.
    fn shares(p: &Params, q: &Person, passive: bool, voice: Option<f32>, n: u32) -> (f64, f64) {
        let mut r = rng(1);
        let (mut came, mut voted) = (0u32, 0u32);
        for _ in 0..n {
            let (a, v) = attend_and_vote(p, q, passive, voice, &mut r);
            assert!(a || !v, "a vote without attending");
            came += u32::from(a);
            voted += u32::from(v);
        }
        (f64::from(came) / f64::from(n), f64::from(voted) / f64::from(came.max(1)))
    }

    #[test]
    fn attendance_follows_confidence_and_passive_protesters_mostly_stay_away() {
        let mut p = params();
        p.meetings.passive_attendance = 0.25;
        let mut q = person();
        q.efficacy = 0.0;
        assert_eq!(shares(&p, &q, false, Some(0.0), 2_000).0, 0.0);
        q.efficacy = 1.0;
        assert_eq!(shares(&p, &q, false, None, 2_000), (1.0, 0.0), "all come; without a cell nobody votes for the opposition");
        // Confidence 0.8, passive: 0.2 attend (4 standard errors: 0.016).
        q.efficacy = 0.8;
        let (a, _) = shares(&p, &q, true, None, 10_000);
        assert!((a - 0.2).abs() < 0.016, "{a}");
    }

    #[test]
    fn votes_are_logistic_in_the_sum_of_their_log_odds() {
        let mut p = params();
        let m = &mut p.meetings;
        (m.vote_bias, m.vote_grievance, m.sympathizer_vote, m.vote_left, m.vote_fear, m.vote_party) =
            (-1.0, 2.0, 0.4, 0.3, 0.7, 3.0f32.ln());
        let mut q = person();
        q.efficacy = 1.0;
        q.grievance = 0.5;
        q.opp = Opp::Sympathizer;
        q.lean = 0.8;
        q.fear = 1.0;
        // z = −1 + 2 × 0.5 + ln 3 + 0.4 + 0.3 − 0.7 = ln 3: a vote for it with chance 3/4
        // (4 standard errors over 20,000: 0.012).
        let (_, v) = shares(&p, &q, false, Some(3.0f32.ln()), 20_000);
        assert!((v - 0.75).abs() < 0.012, "{v}");
        // A party member: z = 0, even odds.
        q.party = true;
        let (_, v) = shares(&p, &q, false, Some(3.0f32.ln()), 20_000);
        assert!((v - 0.5).abs() < 0.014, "{v}");
        // Overwhelming log-odds either way.
        p.meetings.vote_bias = 60.0;
        assert_eq!(shares(&p, &q, false, Some(0.0), 1_000).1, 1.0);
        p.meetings.vote_bias = -60.0;
        assert_eq!(shares(&p, &q, false, Some(0.0), 1_000).1, 0.0);
    }
}
