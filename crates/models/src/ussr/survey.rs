//! A monthly political survey in words, generated from a run's weekly metrics and its
//! factory event log, in the manner of the OGPU's monthly surveys of the mood of workers
//! that the study cites (Gusev 2008, fn. 7-12).
//!
//! Each month is a short report: it leads with what changed, gives the month's dated
//! events, then where and why workers struck or slowed down, what the state did, the
//! opposition and the moods. Sections with nothing to report are left out, and figures
//! that did not change are not repeated. Counts are of the modelled sample; full-scale
//! equivalents are given only for counts large enough to scale, and figures resting on
//! a handful of people are qualified.
//!
//! The dated events of the historical calendar are written from the baseline's dates
//! (the survey is not handed the scenario); the escalation of repression and the
//! collective-agreement campaigns are dated from the run's own tables, so that a
//! counterfactual run shows them when they happen.

use super::metrics::monthly;
use super::params::Dates;
use chrono::{Datelike, NaiveDate};
use perelom_engine::{Clock, Table};
use std::collections::BTreeMap;

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// Counts below this rest on too few agents to scale up or to state flatly.
const FEW: f64 = 5.0;

/// A dated event of the scenario's calendar, as the survey reports it.
struct CalendarEvent {
    /// Its date in this run (`None`: switched off).
    at: Option<NaiveDate>,
    /// Its date in the historical baseline (`docs/ODD.md`, the baseline scenario).
    historical: NaiveDate,
    /// What happens, in a few words.
    text: &'static str,
    /// The facts it rests on.
    facts: &'static str,
    /// The scenario key that dates it.
    key: &'static str,
}

/// The dated events of the run's scenario (besides the escalation and the campaigns, which
/// the survey reads from the run's tables), with the baseline's dates beside them.
fn calendar(d: &Dates) -> Vec<CalendarEvent> {
    let day = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap_or_default();
    let e = |at, historical, key, text, facts| CalendarEvent { at, historical, text, facts, key };
    vec![
        e(
            d.seven_hour_from,
            day(1928, 1, 2),
            "seven_hour.from",
            "the staged conversion of industry to the seven-hour day begins",
            "F07; date assumed",
        ),
        e(
            d.continuous_from,
            day(1928, 1, 19),
            "norms.continuous_from",
            "the Politburo decides that output norms are to be revised continuously: norms raised and piece rates cut factory by factory",
            "F09",
        ),
        e(d.loans_from, day(1928, 6, 1), "loans.from", "deductions from wages for the industrialization loans begin", "F08; date assumed"),
        e(d.plan_start, day(1928, 10, 1), "plan.start", "the 1928-29 plan year begins with higher output targets", "F10"),
        e(d.rent_rise, day(1928, 10, 1), "rent.rise_date", "rents rise, most steeply for the lower-paid", "F08, F19"),
        e(
            d.platform,
            day(1928, 10, 1),
            "opposition.platform_date",
            "the opposition circulates its platform of 18 points on the worker question",
            "F17",
        ),
        e(
            d.privilege,
            day(1928, 10, 15),
            "legitimacy.privilege_date",
            "news of the privileges of officials spreads among the workers",
            "F19; date assumed",
        ),
        e(
            d.left_turn_from,
            day(1929, 1, 1),
            "capitulation.left_turn_from",
            "the party's left turn: returning to the party begins to tempt the old oppositionists",
            "F04; date assumed",
        ),
    ]
}

/// The baseline date of Molotov's circular (F38).
const CIRCULAR: (i32, u32, u32) = (1928, 9, 24);

/// One row of the event log.
#[derive(Clone, Debug)]
struct Ev {
    step: u32,
    factory: i64,
    region: String,
    sector: String,
    kind: String,
    count: i64,
    detail: i64,
    outcome: String,
}

impl Ev {
    /// "factory No. 17 (textile, Ivanovo)"
    fn place(&self) -> String {
        let sector = if self.sector == "other" { "other industry" } else { self.sector.as_str() };
        let region = if self.region == "other" { "other regions" } else { self.region.as_str() };
        format!("factory No. {} ({sector}, {region})", self.factory)
    }
}

fn read_events(t: &Table) -> Vec<Ev> {
    let n = t.rows();
    let text =
        |name: &str| -> Vec<String> { t.column(name).map_or_else(|| vec![String::new(); n], |c| (0..n).map(|i| c.cell(i)).collect()) };
    let nums = |name: &str| -> Vec<f64> { t.numbers(name).unwrap_or_else(|| vec![0.0; n]) };
    let (step, factory, count, detail) = (nums("step"), nums("factory"), nums("count"), nums("detail"));
    let (region, sector, kind, outcome) = (text("region"), text("sector"), text("event"), text("outcome"));
    (0..n)
        .map(|i| Ev {
            step: step[i].max(0.0) as u32,
            factory: factory[i] as i64,
            region: region[i].clone(),
            sector: sector[i].clone(),
            kind: kind[i].clone(),
            count: count[i].round() as i64,
            detail: detail[i].round() as i64,
            outcome: outcome[i].clone(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// Words and numbers.

/// 1234 -> "1,234".
fn num(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Small numbers in words, the rest in figures.
fn word(n: i64) -> String {
    const W: [&str; 10] = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    match usize::try_from(n) {
        Ok(k) if k < W.len() => W[k].to_string(),
        _ => num(n),
    }
}

/// A count standing alone, without its noun: "none", "one", "12" ("no" needs a noun).
fn alone(n: i64) -> String {
    if n == 0 {
        "none".to_string()
    } else {
        word(n)
    }
}

/// A count with its noun in the right number: "no strikes", "one strike", "12 strikes".
fn nouns(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", word(n), if n == 1 { one } else { many })
}

/// A count opening a sentence: in words when small, else after "In all,".
fn opening(n: i64, one: &str, many: &str) -> String {
    if n < 10 {
        cap(&nouns(n, one, many))
    } else {
        format!("In all, {}", nouns(n, one, many))
    }
}

fn round(x: f64) -> i64 {
    x.round() as i64
}

/// A share as a percentage with sensible rounding.
fn pct(x: f64) -> String {
    let p = 100.0 * x;
    if p <= 0.0 {
        "none".to_string()
    } else if p < 0.5 {
        "under 1%".to_string()
    } else if p > 99.5 && p < 100.0 {
        "over 99%".to_string()
    } else {
        format!("{}%", p.round())
    }
}

/// Rounds to two significant figures.
fn sig2(x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let m = 10f64.powf(x.log10().floor() - 1.0).max(1.0);
    (x / m).round() * m
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str())
}

/// "a", "a and b", "a, b and c".
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn region_name(r: &str) -> String {
    match r {
        "other" => "other regions".to_string(),
        "Urals" => "the Urals".to_string(),
        _ => r.to_string(),
    }
}

fn sector_name(s: &str) -> String {
    match s {
        "metal" => "metal works",
        "textile" => "textile mills",
        "garment" => "garment factories",
        "rubber-chemical" => "rubber and chemical works",
        "rail" => "railway workshops",
        _ => "other industry",
    }
    .to_string()
}

/// Items counted, most frequent first (ties in order of first appearance).
fn tally<I: IntoIterator<Item = String>>(items: I) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = Vec::new();
    for it in items {
        match v.iter_mut().find(|(k, _)| *k == it) {
            Some((_, n)) => *n += 1,
            None => v.push((it, 1)),
        }
    }
    v.sort_by_key(|x| std::cmp::Reverse(x.1));
    v
}

/// "Moscow (2), Ivanovo and the Urals" from a tally; the counts only where they differ from one.
fn listing(t: &[(String, i64)]) -> String {
    let items: Vec<String> = t.iter().map(|(k, n)| if t.iter().all(|x| x.1 == 1) { k.clone() } else { format!("{k} ({n})") }).collect();
    join(&items)
}

/// "in Moscow (2) and Ivanovo", "both in Moscow", "all in Moscow".
fn where_in(t: &[(String, i64)]) -> String {
    let total: i64 = t.iter().map(|x| x.1).sum();
    match t {
        [(k, _)] if total == 2 => format!("both in {k}"),
        [(k, _)] if total > 2 => format!("all in {k}"),
        [(k, _)] => format!("in {k}"),
        _ => format!("in {}", listing(t)),
    }
}

/// The label of month `j` as seen from month `i`: without the year when it is the same.
fn month_name(r: &Run, j: usize, i: usize) -> String {
    if r.keys[j].0 == r.keys[i].0 {
        MONTHS[r.keys[j].1 as usize - 1].to_string()
    } else {
        r.labels[j].clone()
    }
}

fn day_month(d: NaiveDate) -> String {
    format!("{} {}", d.day(), MONTHS[d.month0() as usize])
}

/// "1 October 1928".
fn day_month_year(d: NaiveDate) -> String {
    format!("{} {}", day_month(d), d.year())
}

// ---------------------------------------------------------------------------------
// The run's figures, by month.

struct Run {
    /// (year, month) of each month of the run, and its label.
    keys: Vec<(i32, u32)>,
    labels: Vec<String>,
    /// Monthly figures by metric name.
    m: BTreeMap<String, Vec<f64>>,
    /// The log's events, by month.
    ev: Vec<Vec<Ev>>,
    clock: Clock,
    scale: f64,
    /// Mean attendance over the weeks with meetings, per month.
    attendance: Vec<Option<f64>>,
    /// First week of the repression escalation, and first week at full strength.
    escalation: Option<u32>,
    escalation_full: Option<u32>,
    /// First and last week of each campaign, from the meetings held.
    campaigns: Vec<(u32, u32)>,
}

impl Run {
    fn new(weekly: &Table, events: &Table, clock: &Clock, scale: f64) -> Run {
        let mt = monthly(weekly, clock);
        let n = mt.rows();
        let keys: Vec<(i32, u32)> = mt
            .column("month")
            .map(|c| {
                (0..n)
                    .map(|i| {
                        let s = c.cell(i);
                        let (y, m) = s.split_once('-').unwrap_or(("0", "1"));
                        (y.parse().unwrap_or(0), m.parse::<u32>().unwrap_or(1).clamp(1, 12))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let labels = keys.iter().map(|&(y, m)| format!("{} {y}", MONTHS[m as usize - 1])).collect();
        let mut m = BTreeMap::new();
        for c in &mt.columns {
            if let Some(v) = mt.numbers(&c.name) {
                m.insert(c.name.clone(), v);
            }
        }
        let month_of = |step: u32| clock.month_key(step).and_then(|k| keys.iter().position(|&x| x == k));
        let mut ev = vec![Vec::new(); n];
        for e in read_events(events) {
            if let Some(i) = month_of(e.step) {
                ev[i].push(e);
            }
        }
        // Weekly series: the escalation and the meetings' attendance.
        let weeks = weekly.rows();
        let steps: Vec<u32> =
            weekly.numbers("step").map_or_else(|| (0..weeks as u32).collect(), |v| v.iter().map(|&x| x.max(0.0) as u32).collect());
        let esc = weekly.numbers("escalation").unwrap_or_else(|| vec![0.0; weeks]);
        let escalation = (0..weeks).find(|&w| esc[w] > 0.0).map(|w| steps[w]);
        let escalation_full = (0..weeks).find(|&w| esc[w] >= 0.999).map(|w| steps[w]);
        let held = weekly.numbers("meetings_held").unwrap_or_else(|| vec![0.0; weeks]);
        let att = weekly.numbers("meeting_attendance").unwrap_or_else(|| vec![0.0; weeks]);
        let mut sums = vec![(0.0, 0u32); n];
        for w in 0..weeks {
            if held[w] > 0.0 {
                if let Some(i) = month_of(steps[w]) {
                    sums[i].0 += att[w];
                    sums[i].1 += 1;
                }
            }
        }
        let attendance = sums.iter().map(|&(s, k)| (k > 0).then(|| s / f64::from(k))).collect();
        // Campaigns: runs of weeks with meetings, split by a gap of more than eight weeks.
        let mut campaigns: Vec<(u32, u32)> = Vec::new();
        for w in (0..weeks).filter(|&w| held[w] > 0.0) {
            match campaigns.last_mut() {
                Some((_, b)) if steps[w] <= *b + 8 => *b = steps[w],
                _ => campaigns.push((steps[w], steps[w])),
            }
        }
        Run { keys, labels, m, ev, clock: clock.clone(), scale, attendance, escalation, escalation_full, campaigns }
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    fn v(&self, name: &str, i: usize) -> f64 {
        self.m.get(name).and_then(|v| v.get(i)).copied().unwrap_or(0.0)
    }

    fn n(&self, name: &str, i: usize) -> i64 {
        round(self.v(name, i))
    }

    fn members(&self, i: usize) -> i64 {
        self.n("members_bl", i) + self.n("members_decists", i)
    }

    fn share(&self, name: &str, i: usize) -> f64 {
        self.v(name, i) / self.v("population", i).max(1.0)
    }

    /// " (about 1,600 at full scale)", for counts large enough to scale.
    fn full(&self, n: f64) -> String {
        if self.scale >= 0.999 || self.scale <= 0.0 || n < FEW {
            String::new()
        } else {
            format!(" (about {} at full scale)", num(round(sig2(n / self.scale))))
        }
    }

    /// A full-scale equivalent of a count of people that rests on only `cases` events
    /// (strikes, factories): qualified as rough when they are few.
    fn full_of(&self, n: f64, cases: i64, one: &str, many: &str) -> String {
        let f = self.full(n);
        if f.is_empty() || cases as f64 >= FEW {
            f
        } else {
            format!("{}, a rough figure resting on {})", f.trim_end_matches(')'), nouns(cases, one, many))
        }
    }

    fn month_of(&self, step: u32) -> Option<usize> {
        self.clock.month_key(step).and_then(|k| self.keys.iter().position(|&x| x == k))
    }

    fn week_of(&self, step: u32) -> String {
        self.clock.date(step).map_or_else(|| format!("week {}", step + 1), |d| format!("week of {}", day_month(d)))
    }

    fn events<'a>(&'a self, i: usize, kind: &'a str) -> impl Iterator<Item = &'a Ev> + 'a {
        self.ev[i].iter().filter(move |e| e.kind == kind)
    }

    /// Weeks recorded.
    fn weeks(&self) -> u32 {
        self.m.get("weeks").map_or(0, |w| w.iter().sum::<f64>() as u32)
    }

    /// First and last day the run covers.
    fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let a = self.clock.date(0)?;
        let b = self.clock.date(self.weeks())?.pred_opt()?;
        Some((a, b))
    }
}

/// The occasion of a strike from its log outcome, as "over ..." words.
fn occasion_words(outcome: &str) -> &'static str {
    if outcome.contains("norm revision") {
        "over a norm revision and rate cut"
    } else if outcome.contains("wages paid late") {
        "over wages paid late"
    } else if outcome.contains("supply") {
        "over a supply failure"
    } else if outcome.contains("foreman") {
        "over a conflict with a foreman"
    } else {
        "in solidarity or at the opposition's call"
    }
}

// ---------------------------------------------------------------------------------
// The sections of a month.

/// A dated line of the month: sort key, text.
type Dated = (NaiveDate, String);

fn dated_events(r: &Run, calendar: &[CalendarEvent], i: usize) -> Vec<Dated> {
    let mut out: Vec<Dated> = Vec::new();
    let (y, mo) = r.keys[i];
    let span = r.span();
    for e in calendar {
        let Some(d) = e.at else { continue };
        if (d.year(), d.month()) == (y, mo) && span.is_some_and(|(a, b)| d >= a && d <= b) {
            let moved = if d == e.historical {
                String::new()
            } else {
                format!(", at this run's date ({} = {d}) rather than the historical {}", e.key, day_month_year(e.historical))
            };
            out.push((d, format!("{}: {} ({}{moved}).", day_month(d), e.text, e.facts)));
        }
    }
    if let Some(s) = r.escalation.filter(|&s| r.month_of(s) == Some(i)) {
        let d = r.clock.date(s).unwrap_or_default();
        let circular = NaiveDate::from_ymd_opt(CIRCULAR.0, CIRCULAR.1, CIRCULAR.2).unwrap_or_default();
        let text = if circular >= d && circular < d + chrono::Duration::days(7) {
            format!(
                "{}: Molotov's circular; the OGPU's escalation of repression begins: more informers, provocateurs, mass arrests (F38).",
                day_month(circular)
            )
        } else if s == 0 {
            format!("{}: the OGPU's escalation of repression is already in force when the run begins (F38).", day_month(d))
        } else {
            format!(
                "{}: the OGPU's escalation of repression begins, at the run's date rather than the historical 24 September 1928 (F38).",
                r.week_of(s)
            )
        };
        out.push((d, text));
    }
    let weeks = r.weeks();
    for (k, &(a, b)) in r.campaigns.iter().enumerate() {
        let which = if r.campaigns.len() > 1 { format!("the {} ", ["first", "second", "third", "next"][k.min(3)]) } else { "the ".into() };
        if r.month_of(a) == Some(i) {
            let d = r.clock.date(a).unwrap_or_default();
            let text = if a == 0 {
                format!("{}: {which}collective-agreement campaign is under way: mass meetings in the factories (F21).", day_month(d))
            } else {
                format!("{}: {which}collective-agreement campaign opens: mass meetings in the factories (F21).", r.week_of(a))
            };
            out.push((d, text));
        }
        if r.month_of(b) == Some(i) && b + 1 < weeks {
            out.push((r.clock.date(b).unwrap_or_default(), format!("{}: the last meetings of {which}campaign.", r.week_of(b))));
        }
    }
    // The run's own dated events: the strikes begun (the largest when many), cells exposed.
    let mut started: Vec<&Ev> = r.events(i, "strike").filter(|e| e.outcome.starts_with("started")).collect();
    started.sort_by(|a, b| b.count.cmp(&a.count).then(a.step.cmp(&b.step)));
    let many = started.len() > 4;
    for (k, e) in started.iter().take(if many { 3 } else { 4 }).enumerate() {
        let what = if many && k == 0 { "the month's largest strike" } else { "strike" };
        out.push((
            r.clock.date(e.step).unwrap_or_default(),
            format!(
                "{}: {what} at {}, {} in {}, {}.",
                r.week_of(e.step),
                e.place(),
                nouns(e.count, "worker", "workers"),
                nouns(e.detail.max(1), "shop", "shops"),
                occasion_words(&e.outcome)
            ),
        ));
    }
    for e in r.events(i, "provocateur") {
        let what = if e.outcome.contains("city") {
            format!("through the exposed cell the opposition's city group in {} is uncovered", region_name(&e.region))
        } else {
            format!("a provocateur exposes the opposition cell at {}: {}", e.place(), nouns(e.count, "member", "members"))
        };
        out.push((r.clock.date(e.step).unwrap_or_default(), format!("{}: {what}.", r.week_of(e.step))));
    }
    out.sort_by_key(|x| x.0);
    out
}

/// What changed since the month before, most striking first.
fn lead(r: &Run, i: usize) -> String {
    if i == 0 {
        let (s, slow) = (r.n("strikes_started", 0), r.v("italianka_workers", 0));
        let protest = match (s > 0, slow >= 0.5) {
            (true, true) => format!(
                "Local disputes already turn into open protest: {} and slow-downs of on average {} workers a week.",
                nouns(s, "strike", "strikes"),
                num(round(slow))
            ),
            (true, false) => format!("Local disputes already turn into open protest: {}.", nouns(s, "strike", "strikes")),
            (false, true) => format!("No strikes yet, but slow-downs of on average {} workers a week.", num(round(slow))),
            (false, false) => "No strikes or slow-downs yet.".to_string(),
        };
        return format!(
            "The survey opens in {}. {protest} The underground opposition counts {} at large.",
            r.labels[0],
            nouns(r.members(0), "member", "members")
        );
    }
    let p = i - 1;
    let pm = month_name(r, p, i);
    let mut cands: Vec<(f64, String)> = Vec::new();
    if r.escalation.is_some_and(|s| r.month_of(s) == Some(i)) {
        cands.push((100.0, "The OGPU has begun the escalation of repression.".to_string()));
    } else if r.escalation_full.is_some_and(|s| r.month_of(s) == Some(i)) {
        cands.push((30.0, "The escalation of repression has reached its full strength.".to_string()));
    }
    let (s, sp) = (r.n("strikes_started", i), r.n("strikes_started", p));
    if (s - sp).abs() >= 2 {
        let w = (s - sp).abs() as f64 * (1.0 + 10.0 / sp.max(1) as f64);
        let text = if s == 0 {
            format!("No new strike this month, after {} in {pm}.", word(sp))
        } else if s > sp {
            format!("Strikes are up: {} began, against {} in {pm}.", alone(s), alone(sp))
        } else {
            format!("Fewer strikes: {} began, against {} in {pm}.", alone(s), alone(sp))
        };
        cands.push((w, text));
    }
    let (a, ap) = (r.n("arrests", i), r.n("arrests", p));
    if (a - ap).abs() >= 5 && (a - ap).abs() as f64 >= 0.3 * ap.max(1) as f64 {
        let w = (a - ap).abs() as f64 / ap.max(1) as f64 * 8.0;
        let text = format!("Arrests {} to {} from {} in {pm}.", if a > ap { "rose" } else { "fell" }, alone(a), alone(ap));
        cands.push((w, text));
    }
    let (mb, mbp) = (r.members(i), r.members(p));
    if mbp > 0 && (mb - mbp).abs() as f64 >= (0.08 * mbp as f64).max(3.0) {
        let w = (mb - mbp).abs() as f64 / mbp as f64 * 60.0;
        let text = if mb < mbp {
            format!("The underground lost {} over the month, down to {}.", nouns(mbp - mb, "member", "members"), word(mb))
        } else {
            format!("The underground grew by {}, to {}.", nouns(mb - mbp, "member", "members"), word(mb))
        };
        cands.push((w, text));
    }
    let (l, lp) = (r.v("mood_loyal", i), r.v("mood_loyal", p));
    if (l - lp).abs() >= 0.03 {
        let pts = round(100.0 * (l - lp).abs());
        let text = format!(
            "Loyalty to the line {} by {} to {}.",
            if l < lp { "fell" } else { "recovered" },
            nouns(pts, "point", "points"),
            pct(l)
        );
        cands.push(((l - lp).abs() * 400.0, text));
    }
    let (wg, wgp) = (r.v("real_wage_index", i), r.v("real_wage_index", p));
    if (wg - wgp).abs() >= 0.02 {
        let text = format!("The real wage {} to {} of its end-1927 level.", if wg < wgp { "fell" } else { "rose" }, pct(wg));
        cands.push(((wg - wgp).abs() * 400.0, text));
    }
    let (it, itp) = (r.v("italianka_workers", i), r.v("italianka_workers", p));
    if (it - itp).abs() >= 0.3 * itp.max(1.0) && (it - itp).abs() >= FEW {
        let text = if it > itp {
            format!("Slow-downs spread: on average {} workers a week worked slowly, against {} in {pm}.", num(round(it)), num(round(itp)))
        } else {
            format!("Slow-downs receded: on average {} workers a week, against {} in {pm}.", num(round(it)), num(round(itp)))
        };
        cands.push(((it - itp).abs() / itp.max(1.0) * 8.0, text));
    }
    let won = r.n("opposition_resolutions", i);
    if won > 0 {
        cands.push((4.0 + won as f64, format!("The opposition carried its resolution at {}.", nouns(won, "meeting", "meetings"))));
    }
    cands.sort_by(|a, b| b.0.total_cmp(&a.0));
    let picked: Vec<String> = cands.into_iter().filter(|c| c.0 >= 2.0).take(2).map(|c| c.1).collect();
    if picked.is_empty() {
        format!("A quiet month: the figures changed little from {pm}.")
    } else {
        picked.join(" ")
    }
}

fn strikes(r: &Run, i: usize) -> Option<String> {
    let started = r.n("strikes_started", i);
    let resumed = r.n("strikes_resumed", i);
    let (conceded, repressed) = (r.n("strikes_conceded", i), r.n("strikes_repressed", i));
    if started == 0 && resumed == 0 && conceded + repressed == 0 {
        let prev = if i > 0 { r.n("strikes_started", i - 1) } else { 0 };
        return (prev > 0).then(|| format!("**Strikes.** No new strike this month, after {} in {}.", word(prev), month_name(r, i - 1, i)));
    }
    let strike_ev = |prefix: &'static str| -> Vec<&Ev> { r.events(i, "strike").filter(|e| e.outcome.starts_with(prefix)).collect() };
    let (ev_started, ev_resumed, ev_ended) = (strike_ev("started"), strike_ev("resumed"), strike_ev("ended"));
    let participants = r.v("strike_participants", i);
    let mut out = String::from("**Strikes.** ");
    if started > 0 {
        out.push_str(&format!("{}{}", opening(started, "strike began", "strikes began"), r.full(started as f64)));
        if let ([e], 1) = (ev_started.as_slice(), started) {
            out.push_str(&format!(", at {}", e.place()));
        } else if !ev_started.is_empty() {
            let regions = tally(ev_started.iter().map(|e| region_name(&e.region)));
            let sectors = tally(ev_started.iter().map(|e| sector_name(&e.sector)));
            out.push_str(&format!(", {}, {}", where_in(&regions), where_in(&sectors)));
        }
        out.push_str(". ");
        // Why: the occasions.
        let occ = [
            (r.n("strikes_revision", i), "a norm revision and rate cut", "norm revisions and rate cuts"),
            (r.n("strikes_late_pay", i), "wages paid late", "wages paid late"),
            (r.n("strikes_supply", i), "a supply failure", "supply failures"),
            (r.n("strikes_foreman", i), "a conflict with a foreman", "conflicts with foremen"),
        ];
        let named: i64 = occ.iter().map(|o| o.0).sum();
        let mut parts: Vec<(i64, &str, &str)> = occ.iter().filter(|o| o.0 > 0).copied().collect();
        if started > named {
            parts.push((started - named, "solidarity or the opposition's call", "solidarity or the opposition's call"));
        }
        match parts.as_slice() {
            [] => {}
            [(_, one, many)] => out.push_str(&match started {
                1 => format!("The occasion was {one}. "),
                2 => format!("Both were over {many}. "),
                _ => format!("All were over {many}. "),
            }),
            _ => {
                let items: Vec<String> =
                    parts.iter().map(|(n, one, many)| format!("{} over {}", word(*n), if *n == 1 { one } else { many })).collect();
                out.push_str(&format!("Occasions: {}. ", join(&items)));
            }
        }
        out.push_str(&format!(
            "{} brought out {}{}{}. ",
            if started == 1 { "It" } else { "They" },
            nouns(round(participants), "worker", "workers"),
            r.full_of(participants, started + resumed, "strike", "strikes"),
            if resumed > 0 { ", counting those who came out again" } else { "" }
        ));
        let (org, coord) = (r.n("strikes_organized", i), r.n("strikes_coordinated", i));
        if org > 0 {
            out.push_str(&if started == 1 {
                "It was led by opposition members. ".to_string()
            } else {
                format!("{} of them {} led by opposition members. ", cap(&word(org)), if org == 1 { "was" } else { "were" })
            });
        }
        if coord > 0 {
            out.push_str(&if started == 1 {
                "It broke out while a partner factory was on strike. ".to_string()
            } else {
                format!("{} broke out while a partner factory was on strike. ", cap(&word(coord)))
            });
        }
    }
    if resumed > 0 {
        let places: Vec<String> = tally(ev_resumed.iter().map(|e| e.place())).into_iter().map(|p| p.0).take(3).collect();
        out.push_str(&format!(
            "Work stopped again {}{}, in a strike already under way: counted as the same strike, not a new one",
            if resumed == 1 { "once".to_string() } else { format!("{} times", word(resumed)) },
            if places.is_empty() { String::new() } else { format!(" at {}", join(&places)) },
        ));
        if started == 0 && participants >= 0.5 {
            out.push_str(&format!(" ({} out)", nouns(round(participants), "worker", "workers")));
        }
        out.push_str(". ");
    }
    if conceded + repressed > 0 {
        let sacked: i64 = ev_ended.iter().filter(|e| e.outcome.contains("repressed")).map(|e| e.count).sum();
        let sacked =
            if sacked > 0 { format!(", with {} sacked and blacklisted", nouns(sacked, "striker", "strikers")) } else { String::new() };
        let put_down: Vec<String> = ev_ended.iter().filter(|e| e.outcome.contains("repressed")).map(|e| e.place()).collect();
        let at = if (1..=2).contains(&put_down.len()) { format!(" at {}", join(&put_down)) } else { String::new() };
        if conceded + repressed == 1 {
            out.push_str(&if conceded == 1 {
                "One strike ended in a concession. ".to_string()
            } else {
                format!("One strike was put down{at}{sacked}. ")
            });
        } else if repressed == 0 {
            out.push_str(&format!(
                "{} ended in concessions. ",
                if conceded == 2 { "Both strikes".to_string() } else { format!("All {} strikes", word(conceded)) }
            ));
        } else if conceded == 0 {
            let all = if repressed == 2 { "Both strikes".to_string() } else { format!("All {} strikes", word(repressed)) };
            out.push_str(&format!("{all} that ended were put down{at}{sacked}. "));
        } else {
            let mut ends = Vec::new();
            if conceded > 0 {
                ends.push(if conceded == 1 { "one in a concession".to_string() } else { format!("{} in concessions", word(conceded)) });
            }
            if repressed > 0 {
                ends.push(format!("{} put down{at}", word(repressed)));
            }
            let total = conceded + repressed;
            let head = if total < 10 {
                opening(total, "strike ended", "strikes ended")
            } else {
                format!("Of the strikes under way, {} ended", word(total))
            };
            out.push_str(&format!("{head}: {}{sacked}. ", join(&ends)));
        }
    }
    Some(out.trim_end().to_string())
}

fn slowdowns(r: &Run, i: usize) -> Option<String> {
    let avg = r.v("italianka_workers", i);
    let ev: Vec<&Ev> = r.events(i, "italianka").collect();
    let prev = if i > 0 { r.v("italianka_workers", i - 1) } else { 0.0 };
    if ev.is_empty() && avg < 0.5 {
        return (prev >= 0.5)
            .then(|| format!("**Slow-downs (italianki).** None reported this month, after some in {}.", month_name(r, i - 1, i)));
    }
    // Per factory: the most shops slowed in one week (a floor on the distinct shops), the
    // weeks slowed, the most workers, and the event with them.
    let mut by_factory: BTreeMap<i64, (i64, i64, i64, &Ev)> = BTreeMap::new();
    for e in &ev {
        let x = by_factory.entry(e.factory).or_insert((0, 0, 0, e));
        x.0 = x.0.max(e.detail);
        x.1 += 1;
        if e.count > x.2 {
            x.2 = e.count;
            x.3 = e;
        }
    }
    let factories = by_factory.len() as i64;
    let shops: i64 = by_factory.values().map(|x| x.0.max(1)).sum();
    let mut out = String::from("**Slow-downs (italianki).** ");
    if factories > 0 {
        out.push_str(&format!(
            "Work was slowed in {}{} of {}",
            if shops > factories { "at least " } else { "" },
            nouns(shops, "shop", "shops"),
            nouns(factories, "factory", "factories")
        ));
        if factories >= 3 {
            let regions = tally(by_factory.values().map(|x| region_name(&x.3.region)));
            let sectors = tally(by_factory.values().map(|x| sector_name(&x.3.sector)));
            let top: Vec<String> = regions
                .iter()
                .take(2)
                .enumerate()
                .map(|(k, (g, n))| if k == 0 { format!("{g} ({})", nouns(*n, "factory", "factories")) } else { format!("{g} ({n})") })
                .collect();
            let cover: i64 = regions.iter().take(2).map(|x| x.1).sum();
            if regions.len() == 1 {
                out.push_str(&format!(", all in {}", regions[0].0));
            } else if 2 * cover > factories {
                out.push_str(&format!(", chiefly in {}", join(&top)));
            } else {
                out.push_str(&format!(", spread over the regions, the most in {}", join(&top)));
            }
            if let Some((s, n)) = sectors.first() {
                if 2 * n > factories {
                    out.push_str(&format!("; most of them {s}"));
                }
            }
        } else {
            let places: Vec<String> = by_factory.values().map(|x| x.3.place()).collect();
            out.push_str(&format!(": {}", join(&places)));
        }
        out.push_str(". ");
    }
    let rough = if factories > 0 { r.full_of(avg, factories, "factory", "factories") } else { r.full(avg) };
    out.push_str(&format!("On average {} a week worked slowly{rough}", nouns(round(avg), "worker", "workers")));
    if i > 0 && prev >= 0.5 {
        let change = avg / prev - 1.0;
        let pm = month_name(r, i - 1, i);
        if change > 0.15 {
            out.push_str(&format!(", up from {} in {pm}", num(round(prev))));
        } else if change < -0.15 {
            out.push_str(&format!(", down from {} in {pm}", num(round(prev))));
        }
    }
    out.push('.');
    let weeks = r.n("weeks", i);
    let mut long: Vec<&(i64, i64, i64, &Ev)> = by_factory.values().filter(|x| x.1 >= weeks.max(2)).collect();
    if !long.is_empty() {
        long.sort_by_key(|x| std::cmp::Reverse(x.2));
        out.push_str(&format!(
            " At {} the slow-down lasted the whole month{}.",
            nouns(long.len() as i64, "factory", "factories"),
            if long.len() > 1 { format!(", the largest at {}", long[0].3.place()) } else { format!(": {}", long[0].3.place()) }
        ));
    }
    Some(out)
}

fn meetings(r: &Run, i: usize) -> Option<String> {
    let ev: Vec<&Ev> = r.events(i, "meeting").collect();
    let held = if ev.is_empty() { r.n("meetings_held", i) } else { ev.len() as i64 };
    if held == 0 {
        return None;
    }
    let failed = ev.iter().filter(|e| e.outcome.contains("quorum")).count() as i64;
    let won: Vec<&&Ev> = ev.iter().filter(|e| e.outcome.starts_with("opposition")).collect();
    let lost = ev.iter().filter(|e| e.outcome.starts_with("cell")).count() as i64;
    let tabled = won.len() as i64 + lost;
    let contested = || ev.iter().filter(|e| e.outcome.starts_with("opposition") || e.outcome.starts_with("cell"));
    let votes: i64 = contested().map(|e| e.detail).sum();
    let present: i64 = contested().map(|e| e.count).sum();
    let mut out = String::from("**Collective-agreement campaign.** ");
    out.push_str(&format!("{} held", opening(held, "mass meeting was", "mass meetings were")));
    if let Some(a) = r.attendance[i] {
        out.push_str(&format!(", attended on average by {} of those eligible", pct(a)));
    }
    if failed > 0 {
        out.push_str(&format!(
            "; {} for want of a quorum",
            if failed == held { "all failed".to_string() } else { format!("{} failed", word(failed)) }
        ));
    }
    out.push_str(". ");
    if tabled > 0 {
        out.push_str(&format!("Opposition cells tabled their own resolution at {}", nouns(tabled, "meeting", "meetings")));
        if present > 0 {
            out.push_str(&format!(", winning {} of {} present", nouns(votes, "vote", "votes"), num(present)));
        }
        if won.is_empty() {
            out.push_str("; the party cell's resolution carried everywhere. ");
        } else {
            let places: Vec<String> = won.iter().take(3).map(|e| e.place()).collect();
            let more = won.len() as i64 - 3;
            out.push_str(&format!(
                "; theirs was adopted at {}{}{}. ",
                join(&places),
                if more > 0 { format!(" and {} more", word(more)) } else { String::new() },
                if lost > 0 { ", the party cell's elsewhere" } else { "" }
            ));
        }
    } else {
        out.push_str("The opposition tabled no resolution of its own. ");
    }
    // The close of a campaign: its totals.
    for &(a, b) in &r.campaigns {
        if r.month_of(b) == Some(i) && b + 1 < r.weeks() {
            let first = r.month_of(a).unwrap_or(i);
            let sum = |k: &str| (first..=i).map(|j| r.n(k, j)).sum::<i64>();
            out.push_str(&format!(
                "Over the whole campaign: {}, {} without a quorum, the opposition's resolution adopted at {}.",
                nouns(sum("meetings_held"), "meeting", "meetings"),
                none_or(sum("meetings_failed")),
                nouns(sum("opposition_resolutions"), "meeting", "meetings")
            ));
        }
    }
    Some(out.trim_end().to_string())
}

fn repression(r: &Run, i: usize) -> Option<String> {
    let arrests = r.n("arrests", i);
    let leaders = r.n("arrests_strikers", i);
    let members = r.n("arrests_members", i);
    let obstructed = r.n("arrests_obstructed", i);
    let demands = r.n("release_demands", i);
    let exposed = r.n("cells_exposed", i);
    let onset = r.escalation.is_some_and(|s| r.month_of(s) == Some(i));
    let full = r.escalation_full.is_some_and(|s| r.month_of(s) == Some(i));
    let exiles = r.n("exiles", i);
    let exiles_prev = if i > 0 { r.n("exiles", i - 1) } else { exiles };
    let arrests_prev = if i > 0 { r.n("arrests", i - 1) } else { 0 };
    let mut out = Vec::new();
    if onset {
        out.push(format!(
            "From the {} the OGPU works under the escalation: informers multiply, provocateurs are sent into the cells, and the number of arrests it can make rises week by week.",
            r.week_of(r.escalation.unwrap_or(0))
        ));
    } else if full {
        out.push("The escalation of repression reached its full strength this month.".to_string());
    }
    if arrests > 0 {
        let regions = tally(r.events(i, "arrest").filter(|e| !e.outcome.contains("obstructed")).map(|e| region_name(&e.region)));
        let mut kinds = Vec::new();
        match (leaders, arrests - leaders) {
            (0, 1) => kinds.push("an opposition member found by informers".to_string()),
            (1, 0) => kinds.push("a strike leader".to_string()),
            (0, _) => kinds.push("all of them opposition members found by informers".to_string()),
            (_, 0) => kinds.push("all of them strike leaders".to_string()),
            (l, m) => {
                kinds.push(nouns(l, "strike leader", "strike leaders"));
                kinds.push(nouns(m, "opposition member found by informers", "opposition members found by informers"));
            }
        }
        let mut s = format!("The OGPU made {}{}", nouns(arrests, "arrest", "arrests"), r.full(arrests as f64));
        if i > 0 && arrests_prev != arrests {
            s.push_str(&format!(", against {} in {}", alone(arrests_prev), month_name(r, i - 1, i)));
        }
        s.push_str(&format!(": {}", join(&kinds)));
        if leaders > 0 && members > arrests - leaders {
            s.push_str(&format!(" ({} of those arrested belonged to the opposition)", word(members)));
        }
        if arrests >= 3 && !regions.is_empty() {
            s.push_str(&format!("; by region, {}", listing(&regions)));
        }
        out.push(s + ".");
    } else if arrests_prev > 0 {
        out.push("No arrests this month.".to_string());
    }
    if obstructed > 0 {
        let places: Vec<String> = tally(r.events(i, "arrest").filter(|e| e.outcome.contains("obstructed")).map(|e| e.place()))
            .into_iter()
            .map(|p| p.0)
            .take(3)
            .collect();
        out.push(format!(
            "Workers prevented {}{}.",
            nouns(obstructed, "arrest", "arrests"),
            if places.is_empty() { String::new() } else { format!(" at {}", join(&places)) }
        ));
    }
    if demands > 0 {
        out.push(format!(
            "After {} the workers demanded the release of their comrades; {} refused.",
            nouns(demands, "arrest", "arrests"),
            if demands == 1 { "it was" } else { "all were" }
        ));
    }
    if exposed > 0 {
        let n: i64 = r.events(i, "provocateur").filter(|e| !e.outcome.contains("city")).map(|e| e.count).sum();
        out.push(format!(
            "Provocateurs exposed {}{}.",
            nouns(exposed, "opposition cell", "opposition cells"),
            if n > 0 { format!(", {} in all", nouns(n, "member", "members")) } else { String::new() }
        ));
    }
    if exiles != exiles_prev || (i == 0 && exiles > 0) {
        let mut s = format!("The exile colonies hold {}", nouns(exiles, "person", "people"));
        if i > 0 {
            let d = exiles - exiles_prev;
            s.push_str(&format!(" ({} {} than in {})", word(d.abs()), if d > 0 { "more" } else { "fewer" }, month_name(r, i - 1, i)));
        }
        let rad = r.v("exile_workers_radical", i);
        let rad_prev = if i > 0 { r.v("exile_workers_radical", i - 1) } else { 0.0 };
        if exiles as f64 >= FEW && rad > 0.0 && (rad_prev == 0.0 || (rad - rad_prev).abs() >= 0.05) {
            s.push_str(&format!(
                "; {} of the worker exiles favour turning to the strike movement{}",
                pct(rad),
                if exiles < 20 { " (a rough figure: there are few exiles)" } else { "" }
            ));
        }
        out.push(s + ".");
    }
    let b = r.n("blacklisted", i);
    if b > 0 && (i == 0 || b != r.n("blacklisted", i - 1)) {
        out.push(format!(
            "{} now {} sacked and not to be re-hired.",
            opening(b, "worker", "workers"),
            if b == 1 { "stands" } else { "stand" }
        ));
    }
    (!out.is_empty()).then(|| format!("**Measures of the organs.** {}", out.join(" ")))
}

/// "none" or the count in words.
fn none_or(n: i64) -> String {
    if n == 0 {
        "none".to_string()
    } else {
        word(n)
    }
}

/// The members of the two organizations, a handful qualified as such.
fn orgs(bl: i64, dec: i64) -> String {
    let small = |n: i64| n > 0 && (n as f64) < FEW;
    let (b, d) = (nouns(bl, "Bolshevik-Leninist", "Bolshevik-Leninists"), nouns(dec, "Decist", "Decists"));
    match (small(bl), small(dec)) {
        (true, true) => format!("a mere handful of each, {b} and {d}"),
        (true, false) => format!("only a handful of Bolshevik-Leninists ({}) and {d}", word(bl)),
        (false, true) => format!("{b} and only a handful of Decists ({})", word(dec)),
        (false, false) => format!("{b} and {d}"),
    }
}

fn opposition(r: &Run, i: usize) -> Option<String> {
    let (bl, dec) = (r.n("members_bl", i), r.n("members_decists", i));
    let members = bl + dec;
    let symp = r.n("sympathizers", i);
    let joined = r.n("new_members", i);
    let arrested = r.n("arrests_members", i);
    let caps = r.n("capitulations", i);
    let last = i + 1 == r.len();
    let prev = if i > 0 { r.members(i - 1) } else { members };
    let centre_news: Vec<String> = [("centre_bl", "Bolshevik-Leninist"), ("centre_decists", "Decist")]
        .iter()
        .filter_map(|(k, name)| {
            let (now, before) = (r.v(k, i), if i > 0 { r.v(k, i - 1) } else { 1.0 });
            (now < before - 0.05).then(|| format!("the {name} centre was hit ({} of its strength left)", pct(now)))
        })
        .collect();
    if i > 0 && !last && members == prev && joined == 0 && caps == 0 && centre_news.is_empty() {
        return None;
    }
    let mut out = format!(
        "**The opposition.** The underground counts {} at large{}: {}; {}.",
        nouns(members, "member", "members"),
        r.full(members as f64),
        orgs(bl, dec),
        nouns(symp, "sympathizer", "sympathizers")
    );
    if i == 0 {
        let (old, new) = (r.n("members_old_cadre", i), r.n("members_new_recruit", i));
        out.push_str(&format!(
            " Of the members, {} old cadres and {} recruited since the run began. Since December 1927 the opposition has turned to agitation in the factories (F16).",
            none_or(old),
            none_or(new)
        ));
    } else {
        let mut why = Vec::new();
        if joined > 0 {
            why.push(format!("{} joined from among the sympathizers", word(joined)));
        }
        if arrested > 0 {
            why.push(format!("{} {} arrested", word(arrested), if arrested == 1 { "was" } else { "were" }));
        }
        if caps > 0 {
            why.push(format!("{} capitulated and returned to the party", nouns(caps, "old oppositionist", "old oppositionists")));
        }
        let change = members - prev;
        let net = match change {
            0 => format!("no net change on {}", month_name(r, i - 1, i)),
            c if c > 0 => format!("a net gain of {}", word(c)),
            c => format!("a net loss of {}", word(-c)),
        };
        if why.is_empty() {
            out.push_str(&format!(" {}.", cap(&net)));
        } else {
            out.push_str(&format!(" Over the month {}: {net}.", join(&why)));
        }
    }
    if members > 0 && (members as f64) < FEW {
        out.push_str(" So few remain at large that these figures say little.");
    }
    if !centre_news.is_empty() {
        out.push_str(&format!(" {}.", cap(&join(&centre_news))));
    }
    Some(out)
}

fn moods(r: &Run, i: usize) -> Option<String> {
    let keys = [("mood_loyal", "loyal to the line"), ("mood_left", "left"), ("mood_right", "right"), ("mood_indifferent", "indifferent")];
    let wage = r.v("real_wage_index", i);
    let passive = r.share("passive_protest", i);
    let sick = r.share("sick", i);
    let mut parts = Vec::new();
    if i == 0 || i + 1 == r.len() {
        parts.push(format!(
            "The real wage averaged {} of its end-1927 level. Of all workers, {} were off sick at the month's end and about {} kept away from meetings and the unions in passive protest.",
            pct(wage),
            pct(sick),
            pct(passive)
        ));
        let shares: Vec<String> = keys.iter().map(|(k, name)| format!("{name} {}", pct(r.v(k, i)))).collect();
        parts.push(format!("Moods: {}.", join(&shares)));
    } else {
        let p = i - 1;
        let (wp, pp, sp) = (r.v("real_wage_index", p), r.share("passive_protest", p), r.share("sick", p));
        if (wage - wp).abs() >= 0.01 {
            parts.push(format!("The real wage {} to {} of its end-1927 level.", if wage < wp { "fell" } else { "rose" }, pct(wage)));
        }
        if (passive - pp).abs() >= 0.02 {
            parts.push(format!(
                "Passive protest (keeping away from meetings and the unions) {} to about {} of workers.",
                if passive > pp { "spread" } else { "receded" },
                pct(passive)
            ));
        }
        if (sick - sp).abs() >= 0.01 {
            parts.push(format!("Off sick at the month's end: {} of workers, against {} a month before.", pct(sick), pct(sp)));
        }
        let shifts: Vec<String> = keys
            .iter()
            .filter_map(|(k, name)| {
                let (now, before) = (r.v(k, i), r.v(k, p));
                let pts = round(100.0 * (now - before));
                (pts.abs() >= 2).then(|| {
                    format!("{name} {} ({} {})", pct(now), if pts > 0 { "up" } else { "down" }, nouns(pts.abs(), "point", "points"))
                })
            })
            .collect();
        if !shifts.is_empty() {
            parts.push(format!("Moods shifted: {}.", join(&shifts)));
        } else if !parts.is_empty() {
            parts.push(format!("Moods were much as in {}.", month_name(r, p, i)));
        }
    }
    (!parts.is_empty()).then(|| format!("**Moods and conditions.** {}", parts.join(" ")))
}

/// "5%", "0.5%", "0.25%": the sample's share of the whole.
fn scale_words(scale: f64) -> String {
    let p = 100.0 * scale;
    let s = format!("{:.2}", p);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

/// The survey as Markdown: an introduction, then one section per month.
///
/// `dates` are the run's own dated keys: an event the scenario moves is reported at its
/// date with the historical one beside it, and one it switches off is named as such.
pub fn survey(weekly: &Table, events: &Table, clock: &Clock, title: &str, scale: f64, dates: &Dates) -> String {
    let r = Run::new(weekly, events, clock, scale);
    let calendar = calendar(dates);
    let mut out = format!("# Political survey: {title}\n\n");
    let pop = r.v("population", 0);
    out.push_str("A monthly survey of the mood of workers, in the manner of the OGPU's surveys, written from the run's own tables. ");
    if pop > 0.0 && scale > 0.0 && scale < 0.999 {
        out.push_str(&format!(
            "Figures are counts in the modelled workforce of {} people, a {} sample of the roughly {} of the industry; full-scale equivalents (count divided by {scale}) are marked \"at full scale\" and left out for counts under five, too small to scale up. ",
            num(round(pop)),
            scale_words(scale),
            num(round(sig2(pop / scale)))
        ));
    } else {
        out.push_str("Figures are counts in the modelled workforce. ");
    }
    out.push_str(
        "Factories are numbered as in the event log (events.csv); a week counts in the month of its Thursday. Slow-downs are given as the shops and factories affected and the workers slowing down in an average week, not as shop-weeks. \
         The dated events are the run's own: an event its scenario moves is given at the run's date with the historical date beside it; the escalation of repression and the collective-agreement campaigns are read from the run's tables.",
    );
    // The escalation is read from the run's tables, but whether the scenario has it at all
    // is the scenario's: named here with the calendar's events.
    let escalation = CalendarEvent {
        at: dates.escalation,
        historical: NaiveDate::from_ymd_opt(CIRCULAR.0, CIRCULAR.1, CIRCULAR.2).unwrap_or_default(),
        text: "Molotov's circular and the OGPU's escalation of repression",
        facts: "F38",
        key: "ogpu.escalation",
    };
    let all: Vec<&CalendarEvent> = calendar.iter().chain(std::iter::once(&escalation)).collect();
    let off: Vec<String> = all.iter().filter(|e| e.at.is_none()).map(|e| format!("{} ({}, {})", e.text, e.key, e.facts)).collect();
    if !off.is_empty() {
        out.push_str(&format!(" Switched off in this run, so absent from the months below: {}.", off.join("; ")));
    }
    // Events the scenario dates outside the run's weeks happen in no month of it.
    if let Some((first, last)) = r.span().filter(|_| r.len() > 0) {
        let outside: Vec<String> = all
            .iter()
            .filter_map(|e| {
                let d = e.at?;
                (d < first || d > last).then(|| format!("{} ({} = {d})", e.text, e.key))
            })
            .collect();
        if !outside.is_empty() {
            out.push_str(&format!(
                " Dated outside this run's weeks ({first} to {last}), so absent from the months below: {}.",
                outside.join("; ")
            ));
        }
    }
    out.push('\n');
    if r.len() == 0 {
        out.push_str("\nThe run has no complete week yet: nothing to report.\n");
        return out;
    }
    for i in 0..r.len() {
        out.push_str(&format!("\n## {}\n\n{}\n", r.labels[i], lead(&r, i)));
        let dated = dated_events(&r, &calendar, i);
        if !dated.is_empty() {
            // A loose list (a blank line between items), so that the report's small
            // Markdown renderer, which knows paragraphs but not lists, keeps them apart.
            out.push_str("\n**Dated events.**\n");
            for (_, text) in &dated {
                out.push_str(&format!("\n- {}\n", cap(text)));
            }
        }
        for section in
            [strikes(&r, i), slowdowns(&r, i), meetings(&r, i), repression(&r, i), opposition(&r, i), moods(&r, i)].into_iter().flatten()
        {
            out.push_str(&format!("\n{section}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_numbers() {
        assert_eq!(num(1234567), "1,234,567");
        assert_eq!(num(999), "999");
        assert_eq!(nouns(1, "Decist", "Decists"), "one Decist");
        assert_eq!(nouns(2, "Decist", "Decists"), "two Decists");
        assert_eq!(nouns(0, "strike", "strikes"), "no strikes");
        assert_eq!(nouns(12, "strike", "strikes"), "12 strikes");
        assert_eq!(pct(0.004), "under 1%");
        assert_eq!(pct(0.456), "46%");
        assert_eq!(sig2(32_400.0), 32_000.0);
        assert_eq!(sig2(80.0), 80.0);
        assert_eq!(join(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(scale_words(0.05), "5%");
        assert_eq!(scale_words(0.005), "0.5%");
        assert_eq!(orgs(40, 3), "40 Bolshevik-Leninists and only a handful of Decists (three)");
        assert_eq!(orgs(1, 2), "a mere handful of each, one Bolshevik-Leninist and two Decists");
    }
}
