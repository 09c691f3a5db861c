//! Outbursts: episodes during which more than a threshold of citizens are active
//! (Epstein 2002 uses 50 to measure waiting times between outbursts).

use perelom_engine::{ColumnData, ColumnDoc, Quantity, Table};

/// One outburst: the steps it spans (both inclusive) and its peak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outburst {
    /// First step with more actives than the threshold.
    pub start: u32,
    /// Last such step (so far, while ongoing).
    pub end: u32,
    /// Most citizens active at the end of one step.
    pub peak: u32,
    /// First step with `peak` actives.
    pub peak_step: u32,
    /// Still going on at the last step recorded.
    pub ongoing: bool,
}

/// Finds outbursts in the series of active counts, step by step.
#[derive(Clone, Debug)]
pub(crate) struct Outbursts {
    threshold: u32,
    done: Vec<Outburst>,
    current: Option<Outburst>,
}

impl Outbursts {
    pub fn new(threshold: u32) -> Self {
        Outbursts { threshold, done: Vec::new(), current: None }
    }

    /// Takes the number of actives at the end of `step`.
    pub fn observe(&mut self, step: u32, active: u32) {
        if active > self.threshold {
            let o = self.current.get_or_insert(Outburst { start: step, end: step, peak: active, peak_step: step, ongoing: true });
            o.end = step;
            if active > o.peak {
                o.peak = active;
                o.peak_step = step;
            }
        } else if let Some(mut o) = self.current.take() {
            o.ongoing = false;
            self.done.push(o);
        }
    }

    /// All outbursts so far, the one going on (if any) last.
    pub fn all(&self) -> Vec<Outburst> {
        self.done.iter().chain(self.current.as_ref()).copied().collect()
    }

    /// Steps from the end of each outburst to the start of the next.
    pub fn waits(&self) -> Vec<u32> {
        self.all().windows(2).map(|w| w[1].start - w[0].end).collect()
    }

    /// One row per outburst: `start`, `end`, `duration`, `peak`, `peak_step`, `waiting`
    /// (steps since the previous outburst's end; for the first, since the start of the
    /// run, step 0) and `ongoing` (1 if it had not ended when the run stopped).
    pub fn table(&self) -> Table {
        let all = self.all();
        let col = |f: &dyn Fn(&Outburst) -> i64| ColumnData::I64(all.iter().map(f).collect());
        let mut waiting = Vec::with_capacity(all.len());
        let mut prev_end = 0;
        for o in &all {
            waiting.push(i64::from(o.start - prev_end));
            prev_end = o.end;
        }
        let d = ColumnDoc::new;
        let over = format!("more than {} citizens active", self.threshold);
        let mut t = Table::new();
        t.push_doc(
            "start",
            col(&|o| i64::from(o.start)),
            d(Quantity::Identifier, "step", &format!("first step of the outburst (the first with {over})")),
        )
        .push_doc("end", col(&|o| i64::from(o.end)), d(Quantity::Identifier, "step", &format!("last step of the outburst with {over}")))
        .push_doc("duration", col(&|o| i64::from(o.end - o.start + 1)), d(Quantity::Duration, "steps", "end - start + 1"))
        .push_doc(
            "peak",
            col(&|o| i64::from(o.peak)),
            d(Quantity::Stock, "citizens", "most citizens active at the end of any step of the outburst"),
        )
        .push_doc(
            "peak_step",
            col(&|o| i64::from(o.peak_step)),
            d(Quantity::Identifier, "step", "first step at which the peak was reached"),
        )
        .push_doc(
            "waiting",
            ColumnData::I64(waiting),
            d(Quantity::Duration, "steps", "steps from the previous outburst's end to this one's start (for the first, from step 0)"),
        )
        .push_doc(
            "ongoing",
            col(&|o| i64::from(o.ongoing)),
            d(Quantity::Category, "flag", "1 if the outburst was still going on when the run stopped, else 0"),
        );
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episodes_are_found_with_peaks_and_waits() {
        let mut o = Outbursts::new(50);
        let series = [0, 60, 80, 70, 10, 0, 51, 50, 40, 90, 95];
        for (s, &a) in series.iter().enumerate() {
            o.observe(s as u32, a);
        }
        let all = o.all();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0], Outburst { start: 1, end: 3, peak: 80, peak_step: 2, ongoing: false });
        assert_eq!(all[1], Outburst { start: 6, end: 6, peak: 51, peak_step: 6, ongoing: false });
        assert_eq!(all[2], Outburst { start: 9, end: 10, peak: 95, peak_step: 10, ongoing: true });
        assert_eq!(o.waits(), vec![3, 3]);
        let t = o.table();
        assert_eq!(t.rows(), 3);
        assert_eq!(t.column("waiting"), Some(&ColumnData::I64(vec![1, 3, 3])));
        assert_eq!(t.column("ongoing"), Some(&ColumnData::I64(vec![0, 0, 1])));
    }
}
