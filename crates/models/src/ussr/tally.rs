//! Counts gathered from the weekly pass, per shop, summed per factory and in total.

use super::state::{Behaviour, Class, Mood, Opp, Person, Status};

/// What one shop (or a factory, or the whole country) amounted to in one week.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default)]
pub struct Tally {
    pub people: u32,
    pub status: [u32; 6],
    pub passive: u32,
    pub italianka: u32,
    pub moods: [u32; 4],
    /// Active members (not arrested, not exiled) by organization, class and cohort.
    pub members_org: [u32; 2],
    pub members_class: [u32; 3],
    pub members_old: u32,
    pub members_new: u32,
    pub sympathizers: u32,
    pub exiles: u32,
    pub exiles_young: u32,
    pub exile_radicalism: f64,
    /// Exiles of worker origin (blue-collar or peasant), and
    /// how many of them favour the radical strategy (T9).
    pub exile_workers: u32,
    pub exile_workers_radical: u32,
    pub employed: u32,
    pub real_wage: f64,
    pub wage_ref: f64,
    pub fatigue: f64,
    pub hardship: f64,
    pub grievance: f64,
    pub legitimacy: f64,
    pub efficacy: f64,
    pub new_members: u32,
    pub new_sympathizers: u32,
    pub capitulations: u32,
    pub cooptations: u32,
    pub leaflets: u32,
    pub fell_ill: u32,
    pub new_strikers: u32,
    pub shops_stopped: u32,
    pub shops_slowed: u32,
    pub meeting_eligible: u32,
    pub meeting_attended: u32,
    pub meeting_votes_for: u32,
    /// Party members, and those of them loyal to the line (T15).
    pub party: u32,
    pub loyal_party: u32,
}

/// Counts of people by status and by mood while [`Tally::person`] adds them up, as
/// 10-bit lanes of a word each: counting a person is a shift and an add in a register,
/// where `status[i] += 1`, with `i` varying from one person to the next, is a chain of
/// stores and loads through memory. [`Tally::flush`] moves them into the tally, as
/// `person` does itself before a lane could overflow.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lanes {
    status: u64,
    moods: u64,
    pending: u32,
}

impl Lanes {
    const BITS: u32 = 10;
    const FULL: u32 = (1 << Self::BITS) - 1;
}

impl Tally {
    /// Adds a person's end-of-week state (counts by status and mood go to `lanes`: see
    /// [`Lanes`]; [`Tally::flush`] when done).
    #[inline(always)]
    pub fn person(&mut self, q: &Person, lanes: &mut Lanes) {
        self.people += 1;
        lanes.status += 1 << (Lanes::BITS * q.status as u32);
        lanes.moods += 1 << (Lanes::BITS * q.mood as u32);
        lanes.pending += 1;
        if lanes.pending == Lanes::FULL {
            self.flush(lanes);
        }
        let working = q.status == Status::Working;
        self.passive += u32::from(working & (q.behaviour == Behaviour::Passive));
        self.italianka += u32::from(working & (q.behaviour == Behaviour::Italianka));
        let employed = matches!(q.status, Status::Working | Status::Sick | Status::Striking);
        if employed {
            self.employed += 1;
            self.real_wage += f64::from(q.real_wage);
            self.wage_ref += f64::from(q.wage_ref);
            self.fatigue += f64::from(q.fatigue);
        }
        self.hardship += f64::from(q.hardship);
        self.grievance += f64::from(q.grievance);
        self.legitimacy += f64::from(q.legitimacy);
        self.efficacy += f64::from(q.efficacy);
        self.party += u32::from(q.party);
        self.loyal_party += u32::from(q.party & (q.mood == Mood::Loyal));
        if q.status == Status::Exiled {
            self.add_exile(q);
        }
        match q.opp {
            Opp::Member if q.status.at_large() => {
                self.members_org[usize::from(q.org)] += 1;
                self.members_class[q.class as usize] += 1;
                if q.old_cadre {
                    self.members_old += 1;
                } else {
                    self.members_new += 1;
                }
            }
            Opp::Sympathizer => self.sympathizers += 1,
            _ => {}
        }
    }

    /// Moves the counts of `lanes` into the tally and empties them.
    pub fn flush(&mut self, lanes: &mut Lanes) {
        let lane = |word: u64, i: usize| ((word >> (Lanes::BITS as usize * i)) & u64::from(Lanes::FULL)) as u32;
        for (i, n) in self.status.iter_mut().enumerate() {
            *n += lane(lanes.status, i);
        }
        for (i, n) in self.moods.iter_mut().enumerate() {
            *n += lane(lanes.moods, i);
        }
        *lanes = Lanes::default();
    }

    fn add_exile(&mut self, q: &Person) {
        self.exiles += 1;
        self.exiles_young += u32::from(q.young);
        self.exile_radicalism += f64::from(q.radicalism);
        if q.class != Class::White {
            self.exile_workers += 1;
            self.exile_workers_radical += u32::from(q.radicalism > 0.5);
        }
    }

    pub fn add(&mut self, o: &Tally) {
        self.people += o.people;
        for i in 0..6 {
            self.status[i] += o.status[i];
        }
        self.passive += o.passive;
        self.italianka += o.italianka;
        for i in 0..4 {
            self.moods[i] += o.moods[i];
        }
        for i in 0..2 {
            self.members_org[i] += o.members_org[i];
        }
        for i in 0..3 {
            self.members_class[i] += o.members_class[i];
        }
        self.members_old += o.members_old;
        self.members_new += o.members_new;
        self.sympathizers += o.sympathizers;
        self.exiles += o.exiles;
        self.exiles_young += o.exiles_young;
        self.exile_radicalism += o.exile_radicalism;
        self.exile_workers += o.exile_workers;
        self.exile_workers_radical += o.exile_workers_radical;
        self.employed += o.employed;
        self.real_wage += o.real_wage;
        self.wage_ref += o.wage_ref;
        self.fatigue += o.fatigue;
        self.hardship += o.hardship;
        self.grievance += o.grievance;
        self.legitimacy += o.legitimacy;
        self.efficacy += o.efficacy;
        self.new_members += o.new_members;
        self.new_sympathizers += o.new_sympathizers;
        self.capitulations += o.capitulations;
        self.cooptations += o.cooptations;
        self.leaflets += o.leaflets;
        self.fell_ill += o.fell_ill;
        self.new_strikers += o.new_strikers;
        self.shops_stopped += o.shops_stopped;
        self.shops_slowed += o.shops_slowed;
        self.meeting_eligible += o.meeting_eligible;
        self.meeting_attended += o.meeting_attended;
        self.meeting_votes_for += o.meeting_votes_for;
        self.party += o.party;
        self.loyal_party += o.loyal_party;
    }

    pub fn members(&self) -> u32 {
        self.members_org[0] + self.members_org[1]
    }

    pub fn share(&self, part: u32, whole: u32) -> f64 {
        if whole == 0 {
            0.0
        } else {
            f64::from(part) / f64::from(whole)
        }
    }

    pub fn mood_share(&self, m: Mood) -> f64 {
        self.share(self.moods[m as usize], self.people)
    }
}
