//! Run clock: integer steps, optionally mapped onto calendar dates.

use chrono::{Duration, NaiveDate};

/// Length of one step when the clock is tied to the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepUnit {
    /// One step is one day.
    Day,
    /// One step is seven days.
    Week,
}

impl StepUnit {
    /// Number of days in one step.
    pub fn days(self) -> i64 {
        match self {
            StepUnit::Day => 1,
            StepUnit::Week => 7,
        }
    }
}

/// Maps step numbers `0..steps` to dates. Step 0 starts on `start`.
///
/// ```
/// use perelom_engine::{Clock, StepUnit};
/// use chrono::NaiveDate;
/// let c = Clock::dated(NaiveDate::from_ymd_opt(1928, 1, 2).unwrap(), StepUnit::Week, 104);
/// assert_eq!(c.date(1).unwrap().to_string(), "1928-01-09");
/// assert_eq!(c.step_of(NaiveDate::from_ymd_opt(1928, 1, 19).unwrap()), Some(2));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Clock {
    /// Number of steps in the run.
    pub steps: u32,
    calendar: Option<(NaiveDate, StepUnit)>,
}

impl Clock {
    /// A clock of bare steps, with no calendar.
    pub fn abstract_steps(steps: u32) -> Self {
        Clock { steps, calendar: None }
    }

    /// A clock whose step `i` begins on `start + i * unit`.
    pub fn dated(start: NaiveDate, unit: StepUnit, steps: u32) -> Self {
        Clock { steps, calendar: Some((start, unit)) }
    }

    /// Number of whole steps from `start` up to `end` (exclusive): the run ends as
    /// `end` begins.
    pub fn steps_between(start: NaiveDate, end: NaiveDate, unit: StepUnit) -> u32 {
        let days = (end - start).num_days().max(0);
        (days / unit.days()) as u32
    }

    /// Date on which step 0 begins; `None` for an abstract clock.
    pub fn start(&self) -> Option<NaiveDate> {
        self.calendar.map(|c| c.0)
    }

    /// Length of one step; `None` for an abstract clock.
    pub fn unit(&self) -> Option<StepUnit> {
        self.calendar.map(|c| c.1)
    }

    /// Date on which step `step` begins, when the clock is dated.
    pub fn date(&self, step: u32) -> Option<NaiveDate> {
        let (start, unit) = self.calendar?;
        start.checked_add_signed(Duration::days(i64::from(step) * unit.days()))
    }

    /// The last day of the run (the day before step `steps` would begin), when the clock
    /// is dated and has at least one step.
    ///
    /// ```
    /// use perelom_engine::{Clock, StepUnit};
    /// use chrono::NaiveDate;
    /// let c = Clock::dated(NaiveDate::from_ymd_opt(1928, 1, 2).unwrap(), StepUnit::Week, 104);
    /// assert_eq!(c.last_day().unwrap().to_string(), "1929-12-29");
    /// ```
    pub fn last_day(&self) -> Option<NaiveDate> {
        if self.steps == 0 {
            return None;
        }
        self.date(self.steps)?.pred_opt()
    }

    /// The step during which `date` falls; dates before the start map to step 0's
    /// predecessor, i.e. `None`, and so do dates after the last step.
    pub fn step_of(&self, date: NaiveDate) -> Option<u32> {
        let (start, unit) = self.calendar?;
        let days = (date - start).num_days();
        if days < 0 {
            return None;
        }
        let step = (days / unit.days()) as u32;
        (step < self.steps).then_some(step)
    }

    /// Like [`Clock::step_of`] but clamps dates before the start to step 0.
    /// Events dated before a run begins have already happened when it starts.
    pub fn step_of_clamped(&self, date: NaiveDate) -> Option<u32> {
        let (start, _) = self.calendar?;
        if date < start {
            Some(0)
        } else {
            self.step_of(date)
        }
    }

    /// Whether `step` falls in the calendar month `(year, month)`.
    pub fn month_key(&self, step: u32) -> Option<(i32, u32)> {
        use chrono::Datelike;
        // A weekly step belongs to the month holding most of its days (its Thursday),
        // the ISO-8601 convention, so that months partition the weeks.
        let d = self.date(step)?;
        let mid = match self.unit()? {
            StepUnit::Week => d + Duration::days(3),
            StepUnit::Day => d,
        };
        Some((mid.year(), mid.month()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weekly_clock_covers_1928_1929_in_104_weeks() {
        let n = Clock::steps_between(d(1928, 1, 2), d(1929, 12, 30), StepUnit::Week);
        assert_eq!(n, 104);
        let c = Clock::dated(d(1928, 1, 2), StepUnit::Week, 104);
        assert_eq!(c.date(103), Some(d(1929, 12, 23)));
        assert_eq!(c.step_of(d(1928, 9, 24)), Some(38));
        assert_eq!(c.step_of(d(1927, 12, 31)), None);
        assert_eq!(c.step_of_clamped(d(1927, 12, 15)), Some(0));
        assert_eq!(c.step_of(d(1931, 1, 1)), None);
    }

    #[test]
    fn daily_clock_and_abstract_clock() {
        let c = Clock::dated(d(2000, 2, 28), StepUnit::Day, 10);
        assert_eq!(c.date(2), Some(d(2000, 3, 1)));
        let a = Clock::abstract_steps(5);
        assert_eq!(a.date(1), None);
        assert_eq!(a.step_of(d(2000, 1, 1)), None);
    }

    #[test]
    fn months_partition_weeks() {
        let c = Clock::dated(d(1928, 1, 2), StepUnit::Week, 104);
        let months: std::collections::BTreeSet<_> = (0..104).filter_map(|s| c.month_key(s)).collect();
        assert_eq!(months.len(), 24);
    }
}
