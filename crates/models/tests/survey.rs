//! The 1928-1929 model's political survey in words (survey.md), checked through the
//! public API: it says where and why, reports the escalation when the run has it, claims
//! no strikes in a month without any, counts correctly, and reads differently month by
//! month.

use perelom_engine::Table;
use perelom_models::ussr::Ussr;
use perelom_models::{builtin, load_scenario_text, Simulation};
use std::collections::HashSet;

const BASELINE: &str = "ussr-1928-1929";

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const REGIONS: [&str; 6] = ["Moscow", "Leningrad", "Ivanovo", "Urals", "Ukraine", "other regions"];

/// Words that name the occasion of a strike.
const OCCASIONS: [&str; 5] = ["norm revision", "wages paid late", "supply failure", "foreman", "solidarity"];

/// A finished run: its survey, weekly metrics, monthly table and model.
struct Run {
    model: Ussr,
    survey: String,
    weekly: Table,
    monthly: Table,
}

/// The baseline at a small scale and a fixed seed, then `sets` applied in order, run to
/// the end.
fn run(sets: &[&str]) -> Run {
    let b = builtin(BASELINE).expect("built-in baseline");
    let mut s = load_scenario_text(b.name, b.text).unwrap_or_else(|e| panic!("{e}"));
    for a in ["population.scale=0.005", "run.seed=3"].iter().chain(sets) {
        s.set(a).unwrap_or_else(|e| panic!("{a}: {e}"));
    }
    let mut model = Ussr::new(&s).unwrap_or_else(|e| panic!("{e}"));
    model.run_to_end();
    let survey = model.documents().into_iter().find(|(n, _)| n == "survey.md").expect("a survey").1;
    let weekly = model.metrics();
    let monthly = model.tables().into_iter().find(|(n, _)| n == "monthly").expect("a monthly table").1;
    Run { model, survey, weekly, monthly }
}

impl Run {
    /// "January 1928" for each row of the monthly table.
    fn labels(&self) -> Vec<String> {
        let c = self.monthly.column("month").expect("month column");
        (0..c.len())
            .map(|i| {
                let key = c.cell(i);
                let (y, m) = key.split_once('-').expect("YYYY-MM");
                format!("{} {y}", MONTHS[m.parse::<usize>().unwrap() - 1])
            })
            .collect()
    }

    fn monthly(&self, name: &str) -> Vec<f64> {
        self.monthly.numbers(name).unwrap_or_else(|| panic!("no monthly {name}"))
    }

    /// The text of the month headed `label` (without its heading).
    fn section(&self, label: &str) -> &str {
        let head = format!("\n## {label}\n");
        let start = self.survey.find(&head).unwrap_or_else(|| panic!("no section {label}:\n{}", self.survey)) + head.len();
        let rest = &self.survey[start..];
        &rest[..rest.find("\n## ").unwrap_or(rest.len())]
    }

    /// The label of the month holding the first week with a positive escalation.
    fn escalation_month(&self) -> Option<String> {
        let esc = self.weekly.numbers("escalation").expect("escalation metric");
        let w = esc.iter().position(|&x| x > 0.0)?;
        let (y, m) = self.model.clock().month_key(w as u32)?;
        Some(format!("{} {y}", MONTHS[m as usize - 1]))
    }
}

/// The words of a text, keeping digits, commas inside numbers and hyphens.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == ','))
        .map(|w| w.trim_matches(|c| c == ',' || c == '-').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Count words: "one".."nine" and figures ("12", "1,040").
fn count_of(w: &str) -> Option<i64> {
    const W: [&str; 10] = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    if let Some(k) = W.iter().position(|x| x.eq_ignore_ascii_case(w)) {
        return (k > 0).then_some(k as i64);
    }
    let digits: String = w.chars().filter(|c| *c != ',').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Nouns the survey counts, singular and plural.
const NOUNS: [(&str, &str); 17] = [
    ("strike", "strikes"),
    ("worker", "workers"),
    ("Decist", "Decists"),
    ("Bolshevik-Leninist", "Bolshevik-Leninists"),
    ("member", "members"),
    ("sympathizer", "sympathizers"),
    ("arrest", "arrests"),
    ("shop", "shops"),
    ("factory", "factories"),
    ("meeting", "meetings"),
    ("striker", "strikers"),
    ("person", "people"),
    ("vote", "votes"),
    ("point", "points"),
    ("cell", "cells"),
    ("oppositionist", "oppositionists"),
    ("leader", "leaders"),
];

/// Every count followed by a noun in the wrong number ("1 Decists", "one strikes",
/// "3 strike"), looking past the modifiers the survey puts between them.
fn number_errors(text: &str) -> Vec<String> {
    const MODIFIERS: [&str; 5] = ["opposition", "old", "mass", "strike", "party"];
    let w = words(text);
    let mut errors = Vec::new();
    for i in 0..w.len() {
        let Some(n) = count_of(&w[i]) else { continue };
        // "factory No. 1 (metal" and dates such as "1 October" are not counts of nouns.
        if i > 0 && w[i - 1] == "No" {
            continue;
        }
        let mut j = i + 1;
        while j < w.len() && j <= i + 3 {
            let x = w[j].as_str();
            let noun = NOUNS.iter().find(|(one, many)| x == *one || x == *many);
            // "two strike leaders": "strike" modifies the noun that follows.
            let modifier = MODIFIERS.contains(&x) && w.get(j + 1).is_some_and(|y| NOUNS.iter().any(|(a, b)| y == a || y == b));
            if let (Some((one, many)), false) = (noun, modifier) {
                if (n == 1 && x == *many && one != many) || (n > 1 && x == *one && one != many) {
                    errors.push(format!("{} {}", w[i], w[i + 1..=j].join(" ")));
                }
                break;
            }
            if !modifier && !MODIFIERS.contains(&x) {
                break;
            }
            j += 1;
        }
    }
    errors
}

#[test]
fn the_noun_check_catches_number_errors() {
    assert_eq!(number_errors("There were 1 Decists and one strikes; 3 strike began."), vec!["1 Decists", "one strikes", "3 strike"]);
    assert!(
        number_errors("One strike leader and two strike leaders; three opposition members; factory No. 1 (metal); 2 January.").is_empty()
    );
    assert_eq!(number_errors("two opposition member"), vec!["two opposition member"]);
}

#[test]
fn a_month_with_strikes_names_where_and_why() {
    let r = run(&[]);
    let started = r.monthly("strikes_started");
    let labels = r.labels();
    let with_strikes: Vec<usize> = (0..labels.len()).filter(|&i| started[i] > 0.0).collect();
    assert!(!with_strikes.is_empty(), "the baseline has strikes");
    for i in with_strikes {
        let text = r.section(&labels[i]);
        assert!(REGIONS.iter().any(|g| text.contains(g)), "{}: no region named:\n{text}", labels[i]);
        assert!(OCCASIONS.iter().any(|o| text.contains(o)), "{}: no occasion named:\n{text}", labels[i]);
        assert!(text.contains("factory No. "), "{}: no factory named:\n{text}", labels[i]);
    }
}

#[test]
fn counts_agree_with_their_nouns() {
    for sets in [&[][..], &["run.seed=7"][..], &["protest.strike=2.0"][..]] {
        let r = run(sets);
        let errors = number_errors(&r.survey);
        assert!(errors.is_empty(), "{sets:?}: {errors:?}");
        for bad in [" 1 Decists", " 1 strikes", " 1 workers", " 1 members", " 1 shops", " 1 arrests", "one strikes", "one Decists"] {
            assert!(!r.survey.contains(bad), "{sets:?}: {bad:?} in the survey");
        }
        // Shares are rounded to whole percentages.
        assert!(!r.survey.contains(" %"), "percentages are written 12%, not 12 %");
    }
}

#[test]
fn the_escalation_is_reported_in_the_month_it_begins() {
    let base = run(&[]);
    let month = base.escalation_month().expect("the baseline escalates");
    assert_eq!(month, "September 1928");
    let text = base.section(&month);
    assert!(text.contains("escalation") && text.contains("Molotov"), "{month}:\n{text}");
    // Not claimed as beginning before it does.
    assert!(!base.section("August 1928").contains("escalation"));

    // A counterfactual date: the survey follows the run, not the historical calendar.
    let later = run(&["ogpu.escalation=1929-03-04"]);
    let month = later.escalation_month().expect("the counterfactual escalates");
    assert_eq!(month, "March 1929");
    let text = later.section(&month);
    assert!(text.contains("escalation of repression begins"), "{month}:\n{text}");
    let september = later.section("September 1928");
    assert!(!september.contains("escalation") && !september.contains("Molotov"), "September 1928:\n{september}");

    // Switched off: never reported.
    let never = run(&["mechanism.escalation=false"]);
    if never.escalation_month().is_none() {
        assert!(!never.survey.contains("escalation of repression begins"));
    }
}

/// Phrases that claim a strike began.
const STRIKE_CLAIMS: [&str; 4] = ["strike began", "strikes began", "strike at factory", "largest strike"];

#[test]
fn a_month_without_strikes_claims_none() {
    // Months of the baseline without a new strike.
    let r = run(&[]);
    let started = r.monthly("strikes_started");
    for (i, label) in r.labels().iter().enumerate() {
        if started[i] == 0.0 {
            let text = r.section(label);
            for claim in STRIKE_CLAIMS {
                assert!(!text.contains(claim), "{label} has no strike but says {claim:?}:\n{text}");
            }
        }
    }
    // A run in which nobody strikes at all.
    let calm = run(&["protest.strike=2.0"]);
    assert_eq!(calm.monthly("strikes_started").iter().sum::<f64>(), 0.0, "the calm run has no strikes");
    assert_eq!(calm.monthly("strikes_resumed").iter().sum::<f64>(), 0.0);
    for claim in STRIKE_CLAIMS.iter().chain(&["**Strikes.**", "stopped work"]) {
        assert!(!calm.survey.contains(claim), "a run without strikes says {claim:?}:\n{}", calm.survey);
    }
}

#[test]
fn months_read_differently() {
    let r = run(&[]);
    let labels = r.labels();
    let bodies: Vec<&str> = labels.iter().map(|l| r.section(l)).collect();
    let distinct: HashSet<&str> = bodies.iter().copied().collect();
    assert_eq!(distinct.len(), bodies.len(), "two months read the same");
    // Not one template with numbers: with every figure and count word removed, most
    // months still differ, and the months do not all have the same sections.
    let skeleton = |t: &str| -> String {
        words(t).into_iter().filter(|w| count_of(w).is_none() && !MONTHS.contains(&w.as_str())).collect::<Vec<_>>().join(" ")
    };
    let skeletons: HashSet<String> = bodies.iter().map(|t| skeleton(t)).collect();
    assert!(skeletons.len() * 4 >= bodies.len() * 3, "{} distinct skeletons in {} months", skeletons.len(), bodies.len());
    let heads = |t: &str| -> Vec<String> { t.split("**").skip(1).step_by(2).map(str::to_string).collect() };
    let layouts: HashSet<Vec<String>> = bodies.iter().map(|t| heads(t)).collect();
    assert!(layouts.len() >= 3, "the months have {} layouts of sections", layouts.len());
    // The leads (what changed) vary too.
    let leads: HashSet<&str> = bodies.iter().map(|t| t.trim_start().lines().next().unwrap_or("")).collect();
    assert!(leads.len() * 2 > bodies.len(), "{} distinct leads in {} months", leads.len(), bodies.len());
}

#[test]
fn slow_downs_are_counted_in_shops_not_shop_weeks() {
    let r = run(&[]);
    let shops: HashSet<u32> = r.model.people().iter().map(|q| q.shop).collect();
    let factories = r.model.factory_count() as i64;
    let w = words(&r.survey);
    let mut seen = 0;
    for i in 0..w.len().saturating_sub(4) {
        // "in at least 123 shops of 13 factories" / "in two shops of one factory"
        if w[i] == "slowed" && w[i + 1] == "in" {
            let k = if w[i + 2] == "at" { i + 4 } else { i + 2 };
            let n = count_of(&w[k]).expect("a count of shops");
            let f = count_of(&w[k + 3]).expect("a count of factories");
            assert!(n <= shops.len() as i64, "{n} shops slowed of {} in the model", shops.len());
            assert!(f <= factories && f <= n, "{f} factories, {n} shops");
            seen += 1;
        }
    }
    assert!(seen > 0, "the baseline reports slow-downs");
    assert!(!r.survey.contains("shops went slow"));
}

#[test]
fn the_introduction_gives_the_scale_once_and_full_scale_figures_are_marked() {
    let r = run(&[]);
    let intro = &r.survey[..r.survey.find("\n## ").expect("months")];
    assert!(intro.contains("0.5% sample") && intro.contains("3,000,000"), "{intro}");
    // Full-scale equivalents only for counts of at least five: "four strikes began" is
    // never scaled up.
    let w = words(&r.survey);
    for i in 0..w.len().saturating_sub(4) {
        if let Some(n) = count_of(&w[i]) {
            if w.get(i + 2).is_some_and(|x| x == "about")
                && w.get(i + 4).is_some_and(|x| x == "at")
                && w.get(i + 5).is_some_and(|x| x == "full")
            {
                assert!(n >= 5, "a count of {n} scaled up: {}", w[i..i + 7].join(" "));
            }
        }
    }
    // The last month always gives the standing of the opposition.
    let labels = r.labels();
    assert!(r.section(labels.last().unwrap()).contains("**The opposition.**"));
}

#[test]
fn the_calendar_is_the_runs_own_with_the_historical_dates_beside_moved_events() {
    let baseline = run(&[]);
    let month = |r: &Run, title: &str| -> String {
        let start = r.survey.find(&format!("\n## {title}\n")).unwrap_or_else(|| panic!("no {title}"));
        let rest = &r.survey[start + 4..];
        rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
    };
    assert!(month(&baseline, "October 1928").contains("1 October: rents rise"), "{}", month(&baseline, "October 1928"));
    assert!(!baseline.survey.contains("Switched off"));
    let moved = run(&["rent.rise_date=1928-11-05", "plan.start=off"]);
    assert!(!month(&moved, "October 1928").contains("rents rise"));
    let nov = month(&moved, "November 1928");
    assert!(nov.contains("5 November: rents rise") && nov.contains("rather than the historical 1 October 1928"), "{nov}");
    assert!(!moved.survey.contains("1 October: the 1928-29 plan year begins"));
    assert!(moved.survey.contains("Switched off in this run") && moved.survey.contains("plan.start"));
    // No escalation, and a rent rise after the run's end: both named, neither in a month.
    let gone = run(&["ogpu.escalation=off", "rent.rise_date=1930-02-03"]);
    let intro = &gone.survey[..gone.survey.find("\n## ").unwrap_or(0)];
    assert!(intro.contains("Switched off in this run") && intro.contains("(ogpu.escalation, F38)"), "{intro}");
    assert!(intro.contains("Dated outside this run's weeks") && intro.contains("rent.rise_date = 1930-02-03"), "{intro}");
    assert!(!gone.survey[intro.len()..].contains("rents rise,"), "the rise is in no month");
}
