//! The decision rules of Model I: estimated arrest probability, the citizen's
//! activation rule, and the exogenous schedules of legitimacy and cop numbers.

/// How the cop-to-active ratio `C/A` enters the estimated arrest probability
/// `P = 1 − exp(−k · ratio(C/A))`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArrestRatio {
    /// `C/A` as it is (the formula as printed in Epstein 2002).
    Literal,
    /// `floor(C/A)` (NetLogo's Rebellion model).
    Floor,
    /// `round(C/A)`, ties to even like Python's `round` (Mesa 3.3.1, whose comment says
    /// the paper's dynamics cannot be replicated without it).
    Round,
}

impl ArrestRatio {
    /// The words scenario files use, in [`ArrestRatio::from_word`] order.
    pub const WORDS: &'static [&'static str] = &["literal", "floor", "round"];

    /// The rule a scenario word names (`literal`, `floor`, `round`); `None` for any other.
    pub fn from_word(word: &str) -> Option<Self> {
        match word {
            "literal" => Some(ArrestRatio::Literal),
            "floor" => Some(ArrestRatio::Floor),
            "round" => Some(ArrestRatio::Round),
            _ => None,
        }
    }

    /// `ratio(C/A)` computed in floating point, as Python and NetLogo do.
    ///
    /// ```
    /// use perelom_models::epstein::ArrestRatio;
    /// assert_eq!(ArrestRatio::Round.apply(1, 2), 0.0); // round(0.5) = 0
    /// assert_eq!(ArrestRatio::Round.apply(3, 2), 2.0); // round(1.5) = 2
    /// assert_eq!(ArrestRatio::Round.apply(5, 2), 2.0); // round(2.5) = 2
    /// assert_eq!(ArrestRatio::Floor.apply(5, 2), 2.0);
    /// assert_eq!(ArrestRatio::Literal.apply(5, 2), 2.5);
    /// ```
    pub fn apply(self, cops: u32, actives: u32) -> f64 {
        let x = f64::from(cops) / f64::from(actives.max(1));
        match self {
            ArrestRatio::Literal => x,
            ArrestRatio::Floor => x.floor(),
            ArrestRatio::Round => round_half_even(x),
        }
    }

    /// The whole-number ratio for [`ArrestRatio::Floor`] and [`ArrestRatio::Round`] in
    /// integer arithmetic. It equals [`ArrestRatio::apply`] exactly: for counts of a few
    /// thousand, `C/A` is at least `1/(2A)` away from any tie or integer it does not
    /// hit exactly, far more than the rounding error of the division.
    #[inline]
    fn whole(self, cops: u32, actives: u32) -> u32 {
        if actives <= 1 {
            // The common case of a citizen seeing no active but itself: no division.
            return cops;
        }
        let a = actives;
        let (q, r) = (cops / a, cops % a);
        match self {
            ArrestRatio::Round => match (2 * r).cmp(&a) {
                std::cmp::Ordering::Less => q,
                std::cmp::Ordering::Greater => q + 1,
                std::cmp::Ordering::Equal => q + (q & 1),
            },
            _ => q,
        }
    }
}

/// Rounds to the nearest integer, halves to even: Python 3's `round(x)`.
///
/// ```
/// use perelom_models::epstein::round_half_even;
/// assert_eq!(round_half_even(0.5), 0.0);
/// assert_eq!(round_half_even(1.5), 2.0);
/// assert_eq!(round_half_even(2.5), 2.0);
/// assert_eq!(round_half_even(2.5000001), 3.0);
/// ```
pub fn round_half_even(x: f64) -> f64 {
    x.round_ties_even()
}

/// `P = 1 − exp(−k · ratio(C/A))`, the citizen's estimate of the probability of arrest
/// if it turns active, with `C` cops and `A` actives (itself included) in vision.
pub fn arrest_probability(k: f64, ratio: ArrestRatio, cops: u32, actives: u32) -> f64 {
    1.0 - (-k * ratio.apply(cops, actives)).exp()
}

/// The arrest probability with the exponentials of whole ratios precomputed.
#[derive(Clone, Debug)]
pub(crate) struct ArrestModel {
    k: f64,
    ratio: ArrestRatio,
    /// `1 − exp(−k·n)` for every whole ratio `n` a neighbourhood can produce.
    table: Vec<f64>,
}

impl ArrestModel {
    /// `max_cops` bounds the number of cops any citizen can see.
    pub fn new(k: f64, ratio: ArrestRatio, max_cops: u32) -> Self {
        let table = match ratio {
            ArrestRatio::Literal => Vec::new(),
            _ => (0..=max_cops).map(|n| 1.0 - (-k * f64::from(n)).exp()).collect(),
        };
        ArrestModel { k, ratio, table }
    }

    #[inline]
    pub fn probability(&self, cops: u32, actives: u32) -> f64 {
        match self.ratio {
            ArrestRatio::Literal => 1.0 - (-self.k * (f64::from(cops) / f64::from(actives.max(1)))).exp(),
            whole => {
                let n = whole.whole(cops, actives) as usize;
                match self.table.get(n) {
                    Some(&p) => p,
                    None => arrest_probability(self.k, whole, cops, actives),
                }
            }
        }
    }
}

/// Legitimacy `L` over the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Legitimacy {
    /// The same legitimacy (0–1) at every step.
    Constant(f64),
    /// `initial` before step `at`, `last` from step `at` on.
    Jump {
        /// Legitimacy before the jump (0–1).
        initial: f64,
        /// Legitimacy after the jump (0–1).
        last: f64,
        /// First step of the new legitimacy.
        at: u32,
    },
    /// `initial` before step `at`; from step `at` on it moves by `(last − initial)/over`
    /// each step, reaching `last` at step `at + over − 1` (so `over = 1` is a jump).
    Linear {
        /// Legitimacy before the change (0–1).
        initial: f64,
        /// Legitimacy at the end of the change (0–1).
        last: f64,
        /// First step of the change.
        at: u32,
        /// Steps the change takes (at least 1).
        over: u32,
    },
}

impl Legitimacy {
    /// The words of `legitimacy.schedule`, in variant order.
    pub const WORDS: &'static [&'static str] = &["constant", "jump", "linear"];

    /// Legitimacy during step `step` (0-based).
    pub fn at(&self, step: u32) -> f64 {
        match *self {
            Legitimacy::Constant(l) => l,
            Legitimacy::Jump { initial, last, at } => {
                if step < at {
                    initial
                } else {
                    last
                }
            }
            Legitimacy::Linear { initial, last, at, over } => {
                if step < at {
                    initial
                } else {
                    let done = (step - at + 1).min(over.max(1));
                    if done >= over {
                        last
                    } else {
                        initial + (last - initial) * (f64::from(done) / f64::from(over))
                    }
                }
            }
        }
    }
}

/// Cop numbers over the run, as a cop density `d(s)` during step `s` that scales the
/// cops placed at the start: with `C0` cops placed for the initial density `d0`, there
/// are `round(C0 · d(s) / d0)` cops (`round(d(s) · cells)` when `d0` is 0). So a final
/// density equal to the initial one leaves the cops as they are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CopSchedule {
    /// The cops placed at the start stay as they are.
    Constant,
    /// `initial` before step `at`, `last` from its start on.
    Jump {
        /// Cop density before the jump (`cops.density`, 0–1).
        initial: f64,
        /// Cop density after the jump (`cops.final_density`, 0–1).
        last: f64,
        /// Step at whose start the density jumps (`cops.at_step`).
        at: u32,
    },
    /// `initial` before step `at`; from the start of step `at` the density moves by
    /// `(last − initial)/over` each step, reaching `last` at step `at + over − 1`
    /// (`over = 1` is a jump), as [`Legitimacy::Linear`].
    Linear {
        /// Cop density before the change (`cops.density`, 0–1).
        initial: f64,
        /// Cop density at the end of the change (`cops.final_density`, 0–1).
        last: f64,
        /// Step at whose start the change begins (`cops.at_step`).
        at: u32,
        /// Steps the change takes (`cops.over_steps`, at least 1).
        over: u32,
    },
}

impl CopSchedule {
    /// The words of `cops.schedule`, in variant order.
    pub const WORDS: &'static [&'static str] = &["constant", "jump", "linear"];

    /// The cop density during step `step`, or `None` when it does not change at the
    /// start of that step.
    pub fn change_at(&self, step: u32) -> Option<f64> {
        match *self {
            CopSchedule::Constant => None,
            CopSchedule::Jump { last, at, .. } => (step == at).then_some(last),
            CopSchedule::Linear { initial, last, at, over } => {
                let over = over.max(1);
                (step >= at && step - at < over).then(|| {
                    let done = step - at + 1;
                    if done >= over {
                        last
                    } else {
                        initial + (last - initial) * (f64::from(done) / f64::from(over))
                    }
                })
            }
        }
    }

    /// The number of cops for density `density`, given `placed` cops at the start for
    /// `initial` density on a grid of `cells`.
    pub fn cops_for(density: f64, initial: f64, placed: usize, cells: usize) -> usize {
        let target = if initial > 0.0 { placed as f64 * density / initial } else { density * cells as f64 };
        target.round().max(0.0) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_is_half_to_even_like_python() {
        for (x, want) in [(0.5, 0.0), (1.5, 2.0), (2.5, 2.0), (3.5, 4.0), (-0.5, -0.0), (0.49999, 0.0), (2.51, 3.0)] {
            assert_eq!(round_half_even(x), want, "round({x})");
        }
    }

    #[test]
    fn whole_ratios_match_floating_point() {
        for ratio in [ArrestRatio::Floor, ArrestRatio::Round] {
            for c in 0..300 {
                for a in 1..300 {
                    assert_eq!(f64::from(ratio.whole(c, a)), ratio.apply(c, a), "{ratio:?} {c}/{a}");
                }
            }
        }
    }

    #[test]
    fn model_matches_formula() {
        for ratio in [ArrestRatio::Literal, ArrestRatio::Floor, ArrestRatio::Round] {
            let m = ArrestModel::new(2.3, ratio, 20);
            for c in 0..40 {
                for a in 1..30 {
                    let want = arrest_probability(2.3, ratio, c, a);
                    assert_eq!(m.probability(c, a).to_bits(), want.to_bits(), "{ratio:?} {c}/{a}");
                }
            }
        }
        // Epstein's calibration: one cop, one active (the agent itself): P ≈ 0.9.
        assert!((arrest_probability(2.3, ArrestRatio::Literal, 1, 1) - 0.9).abs() < 0.001);
    }

    #[test]
    fn legitimacy_schedules() {
        let j = Legitimacy::Jump { initial: 0.8, last: 0.6, at: 10 };
        assert_eq!((j.at(9), j.at(10), j.at(500)), (0.8, 0.6, 0.6));
        let l = Legitimacy::Linear { initial: 0.8, last: 0.6, at: 10, over: 4 };
        assert_eq!(l.at(9), 0.8);
        assert!((l.at(10) - 0.75).abs() < 1e-12);
        assert!((l.at(12) - 0.65).abs() < 1e-12);
        assert_eq!((l.at(13), l.at(100)), (0.6, 0.6));
        let one = Legitimacy::Linear { initial: 0.8, last: 0.6, at: 10, over: 1 };
        assert!((0..20).all(|s| one.at(s) == j.at(s)));
    }

    #[test]
    fn cop_schedules_change_at_their_steps_and_scale_the_cops_placed() {
        assert_eq!(CopSchedule::Constant.change_at(0), None);
        let j = CopSchedule::Jump { initial: 0.074, last: 0.037, at: 10 };
        assert_eq!((j.change_at(9), j.change_at(10), j.change_at(11)), (None, Some(0.037), None));
        let l = CopSchedule::Linear { initial: 0.08, last: 0.04, at: 10, over: 4 };
        let d: Vec<Option<f64>> = (9..16).map(|s| l.change_at(s)).collect();
        assert_eq!(d[0], None);
        assert!((d[1].unwrap() - 0.07).abs() < 1e-12 && (d[3].unwrap() - 0.05).abs() < 1e-12);
        assert_eq!((d[4], d[5]), (Some(0.04), None));
        // Unchanged density, unchanged cops; half the density, half the cops placed.
        assert_eq!(CopSchedule::cops_for(0.074, 0.074, 101, 1600), 101);
        assert_eq!(CopSchedule::cops_for(0.037, 0.074, 101, 1600), 51);
        assert_eq!(CopSchedule::cops_for(0.02, 0.0, 0, 1600), 32);
    }
}
