//! The 1928–1929 model's parameters: the schema (key, range, default, doc, citation) and
//! the typed [`Params`] built from a resolved scenario once, before the first step.
//!
//! Citations name the fact ids of Perelom's evidence table (F01–F40, paraphrasing Gusev
//! 2008) or the design brief. Three kinds: `src` — the value itself comes from the
//! evidence; `mech` — the mechanism comes from the evidence but its size is assumed;
//! `asm` — assumed outright. The last two are what calibration estimates.
//!
//! Groups follow the ODD submodels (docs/ODD.md, section 7): each group of keys has one
//! struct of typed fields named like its keys, and every dated key becomes a step of the
//! model's calendar (`Calendar`) once.

use chrono::NaiveDate;
use perelom_scenario::{Cite, DatedEvent, Kind, ParamSpec, Scenario, ScenarioError, Value};
use std::cell::RefCell;
use std::collections::BTreeSet;

pub use super::state::{Region, Sector, REGIONS, SECTORS};

/// The two organizations of the underground (F02).
pub const ORGS: [&str; 2] = ["Bolshevik Leninists", "Decists"];

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid built-in date")
}

fn src(s: &str) -> Cite {
    Cite::source(s)
}
fn asm(s: &str) -> Cite {
    Cite::assumed(s)
}
/// Mechanism from the evidence, value assumed: counts as assumed (calibration estimates it).
fn mech(s: &str) -> Cite {
    // "F06: why" or "F06; why": the facts behind the mechanism, then why this value.
    let cut = s.find([':', ';']).unwrap_or(s.len());
    let why = s[cut..].trim_start_matches([':', ';']).trim();
    Cite::mechanism(s[..cut].trim(), if why.is_empty() { "value assumed" } else { why })
}

fn float(key: &'static str, min: f64, max: f64, v: f64, doc: &'static str, cite: Cite) -> ParamSpec {
    ParamSpec::new(key, Kind::Float { min, max }, Value::Float(v), doc, cite)
}
fn int(key: &'static str, min: i64, max: i64, v: i64, doc: &'static str, cite: Cite) -> ParamSpec {
    ParamSpec::new(key, Kind::Int { min, max }, Value::Int(v), doc, cite)
}
/// A dated event of the model (`"off"`: it does not happen). Commands warn when its date
/// lies outside the run.
fn date(key: &'static str, v: &str, doc: &'static str, cite: Cite) -> ParamSpec {
    let value = if v == OFF { Value::Off } else { Value::Date(d(v)) };
    ParamSpec::new(key, Kind::Date { min: d("1900-01-01"), max: d("2000-12-31") }, value, doc, cite).event(DatedEvent::Occurs)
}
/// A change in force from its date (which may lie before the run).
fn from_date(key: &'static str, v: &str, doc: &'static str, cite: Cite) -> ParamSpec {
    date(key, v, doc, cite).event(DatedEvent::InForceFrom)
}
fn flag(key: &'static str, v: bool, doc: &'static str, cite: Cite) -> ParamSpec {
    ParamSpec::new(key, Kind::Bool, Value::Bool(v), doc, cite)
}
fn floats(key: &'static str, len: usize, min: f64, max: f64, v: &[f64], doc: &'static str, cite: Cite) -> ParamSpec {
    ParamSpec::new(key, Kind::Floats { min, max, len: (len, len) }, Value::Floats(v.to_vec()), doc, cite)
}
fn prob(key: &'static str, v: f64, doc: &'static str, cite: Cite) -> ParamSpec {
    float(key, 0.0, 1.0, v, doc, cite)
}

/// The value that switches a dated event off.
pub const OFF: &str = "off";

/// The mechanism groups that `perelom ablate` switches off one at a time; each is a
/// boolean key `mechanism.NAME` (default on) read by the rules it names.
pub const MECHANISMS: [(&str, &str); 9] = [
    ("local_disputes", "strikes need a local occasion (norm revision, late pay, supply failure, foreman)"),
    ("contagion", "strike news travels to partner factories (F14)"),
    ("organizing", "opposition members lead or hold back strikes according to their line (F27)"),
    ("repression_of_protest", "the OGPU arrests strike leaders; workers' risk comes from arrests they see (F14, F38)"),
    ("recruitment", "leaflets make sympathizers and sympathizers join (F20, F30, F32)"),
    ("capitulation", "old cadres return to the party (F04)"),
    ("escalation", "the repression escalates from 24 Sep 1928 (F38)"),
    ("exile_feedback", "exile colonies radicalize with who arrives and write back (F35-F37)"),
    ("social_influence", "legitimacy and lean move towards one's workmates' (MODEL.md)"),
];

/// Every parameter of the model, in the order of the baseline scenario file.
pub fn schema() -> Vec<ParamSpec> {
    let mut v = vec![
        // --- run -----------------------------------------------------------------------
        int("run.seed", 0, i64::MAX, 1, "random seed of the run", asm("any seed; results are checked over ensembles")),
        ParamSpec {
            event: None,
            ..date("run.start", "1928-01-02", "date of the first weekly step", src("MODEL.md: weekly steps from 1928-01-02"))
        },
        int("run.steps", 1, 520, 104, "number of weekly steps", src("MODEL.md: 104 weeks to 1929-12-30")),
        // --- population ----------------------------------------------------------------
        int(
            "population.full_scale",
            1000,
            10_000_000,
            3_000_000,
            "workforce at scale 1.0 (census industry), persons",
            asm("MODEL.md: about 3 million; the denominator of T1"),
        ),
        float(
            "population.scale",
            0.0001,
            1.0,
            0.05,
            "share of the full workforce modelled, one agent per person",
            asm("150,000 people: runs in about a second with enough underground members to measure T2/T7"),
        ),
        prob(
            "population.white_collar",
            0.12,
            "share of white-collar staff (sluzhashchie) in the workforce",
            asm("typical staff share of census industry"),
        ),
        prob(
            "population.peasant_origin",
            0.25,
            "share of workers of peasant origin (recent arrivals)",
            mech("F01: influx of villagers; share assumed"),
        ),
        prob("population.young", 0.3, "share of young workers (under about 25)", asm("young cohort of the late 1920s workforce")),
        prob("population.party", 0.1, "share of party members in the workforce", mech("F29: party cells in every factory; share assumed")),
        floats(
            "population.region_shares",
            6,
            0.0,
            1.0,
            &[0.2, 0.15, 0.12, 0.13, 0.2, 0.2],
            "workforce shares of Moscow, Leningrad, Ivanovo, Urals, Ukraine, other",
            asm("rough regional weights of industry"),
        ),
        floats(
            "population.sector_shares",
            6,
            0.0,
            1.0,
            &[0.3, 0.3, 0.08, 0.07, 0.15, 0.1],
            "workforce shares of metal, textile, garment, rubber-chemical, rail, other",
            asm("rough sectoral weights of industry"),
        ),
        float(
            "factories.median_size",
            10.0,
            20_000.0,
            350.0,
            "median factory workforce, persons (lognormal sizes)",
            asm("many plants of a few hundred, a few giants"),
        ),
        float("factories.size_sigma", 0.0, 3.0, 1.1, "log-standard deviation of factory sizes", asm("heavy right tail of plant sizes")),
        int(
            "factories.shop_size",
            10,
            1000,
            60,
            "workers per shop (the unit of a slow-down or a stoppage)",
            asm("a shop of a few dozen workers"),
        ),
        int(
            "factories.partners",
            0,
            20,
            4,
            "partner factories of each factory (same region, preferably same sector) that hear of its strikes",
            mech("F14: strikers sought links with other enterprises; number assumed, the same at every scale"),
        ),
        // --- wages and prices (ODD 7.1, 7.3) --------------------------------------------
        floats(
            "tariff.coefficients",
            17,
            0.1,
            20.0,
            &[1.0, 1.1, 1.2, 1.32, 1.45, 1.6, 1.75, 1.92, 2.1, 2.3, 2.55, 2.8, 3.1, 3.45, 3.85, 4.3, 4.8],
            "wage coefficient of each of the 17 tariff bands",
            mech("F05: 17 bands; the coefficients are assumed, rising with band"),
        ),
        prob(
            "tariff.downgrade_share",
            0.15,
            "share of workers moved one band down in the end-1927 reform",
            mech("F05: many moved down; share assumed"),
        ),
        floats(
            "prices.index",
            24,
            0.1,
            10.0,
            &[
                1.0, 1.005, 1.01, 1.015, 1.02, 1.03, 1.04, 1.05, 1.06, 1.07, 1.085, 1.1, 1.11, 1.12, 1.13, 1.14, 1.15, 1.165, 1.18, 1.195,
                1.21, 1.225, 1.24, 1.255,
            ],
            "consumer price index by month, Jan 1928 = 1 (24 months)",
            src("F17: a 10 % price rise (about 10 % a year); F08"),
        ),
        floats(
            "prices.shortage",
            24,
            0.0,
            1.0,
            &[
                0.1, 0.1, 0.12, 0.14, 0.15, 0.16, 0.18, 0.2, 0.22, 0.25, 0.28, 0.3, 0.33, 0.36, 0.4, 0.42, 0.45, 0.47, 0.5, 0.52, 0.55,
                0.57, 0.6, 0.62,
            ],
            "food-shortage index by month (0 none, 1 famine)",
            mech("F08: worsening food shortages; the path is assumed"),
        ),
        date("rent.rise_date", "1928-10-01", "date of the regressive rent rise", src("F08, F19: rents rise in autumn 1928")),
        float(
            "rent.rise_low",
            0.0,
            0.5,
            0.04,
            "rent rise as a share of earnings for bands 1-6",
            mech("F19: falls on low incomes; size assumed"),
        ),
        float(
            "rent.rise_high",
            0.0,
            0.5,
            0.005,
            "rent rise as a share of earnings for bands 7-17",
            mech("F19: nearly spares high earners; size assumed"),
        ),
        float(
            "loans.deduction",
            0.0,
            0.5,
            0.03,
            "share of earnings withheld for industrial loans",
            mech("F08: deductions for loans; size assumed"),
        ),
        from_date("loans.from", "1928-06-01", "date deductions for industrial loans begin", mech("F08; date assumed (mid-1928)")),
        date("plan.start", "1928-10-01", "start of the 1928-29 plan year", src("F10: the financial year 1928-29 begins 1 October")),
        float("plan.productivity_target", 0.0, 1.0, 0.175, "planned rise of labour productivity in the plan year", src("F10: +17.5 %")),
        float("plan.nominal_wage_cap", 0.0, 1.0, 0.05, "cap on the rise of nominal wages in the plan year", src("F10: +5 %")),
        flag(
            "wages.keep_pace",
            false,
            "nominal wages rise with productivity (the X4 counterfactual)",
            src("F17: the opposition's demand; not granted"),
        ),
        // --- management (ODD 7.2) ------------------------------------------------------
        flag("norms.continuous", true, "norms and rates revised in day-to-day work after the Politburo decision", src("F09")),
        from_date("norms.continuous_from", "1928-01-19", "date of the Politburo decision on continuous revision", src("F09: 19 Jan 1928")),
        prob(
            "norms.annual_revision",
            0.0192,
            "weekly chance of a revision while norms are fixed for the year (1/52)",
            src("F09: norms fixed for the year before"),
        ),
        prob(
            "norms.weekly_revision",
            0.05,
            "weekly chance of a revision in a factory once revision is continuous",
            mech("F09: revision in day-to-day work; rate assumed"),
        ),
        float(
            "norms.step",
            0.0,
            0.5,
            0.04,
            "rise of the output norm at a revision outside the plan year",
            mech("F06: norms up, rates down; size assumed"),
        ),
        prob(
            "norms.rate_cut",
            0.3,
            "share of a norm rise lost from pay at the norm (the rest made up by more effort, which tires)",
            mech("F06: rates cut so the same effort earns less; share assumed"),
        ),
        from_date(
            "seven_hour.from",
            "1928-01-02",
            "start of the staged conversion to the seven-hour day",
            mech("F07: staged introduction; date assumed"),
        ),
        prob(
            "seven_hour.final_share",
            0.4,
            "share of factories converted by the end of 1929",
            mech("F07: several branches, not all; share assumed"),
        ),
        float(
            "seven_hour.fatigue",
            0.0,
            1.0,
            0.08,
            "extra weekly strain in a converted factory (more machines, night shifts)",
            mech("F07; size assumed"),
        ),
        // --- local disputes: the occasions of strikes (ODD 7.2) -------------------------
        float(
            "disputes.revision_salience",
            0.0,
            2.0,
            0.49,
            "strike readiness added in a factory in the week its norms are revised and rates cut",
            mech("F06, F09, F16; calibrated: posterior mean of ABC-SMC, 90 % interval [0.397, 0.595], calibration/ussr-1928-1929"),
        ),
        prob(
            "disputes.late_pay",
            0.004,
            "weekly chance that a factory pays wages late",
            mech("F12: pay disputes; rate assumed, present in any year"),
        ),
        float("disputes.late_pay_salience", 0.0, 2.0, 0.3, "strike readiness added by late pay in the factory", mech("F12; size assumed")),
        prob(
            "disputes.supply_failure",
            0.01,
            "weekly chance per unit of the shortage index that a shop's supplies fail (idle time, lost pay)",
            mech("F08: shortages; rate assumed"),
        ),
        float(
            "disputes.supply_salience",
            0.0,
            2.0,
            0.25,
            "strike readiness added in the shop whose supplies failed",
            mech("F08; size assumed"),
        ),
        float(
            "disputes.militancy_spread",
            0.0,
            2.0,
            0.5,
            "log-standard deviation of factories' militancy, a lasting factor on the push of their disputes",
            mech("F15: some places (Ivanovo) more militant than others; spread assumed"),
        ),
        prob(
            "disputes.memory",
            0.2,
            "share of a dispute's push lost each week: recent disputes keep a shop ready to slow down",
            mech("F12: slow-downs answer norm raises and rate cuts; rate assumed"),
        ),
        prob(
            "disputes.foreman",
            0.003,
            "weekly chance of a conflict with the foreman in a shop",
            mech("F16: the foremen's arbitrary power; rate assumed"),
        ),
        float(
            "disputes.foreman_salience",
            0.0,
            2.0,
            0.25,
            "strike readiness added in the shop of a foreman's abuse",
            mech("F16; size assumed"),
        ),
        // --- work and health (ODD 7.3) --------------------------------------------------
        float(
            "fatigue.effort_strain",
            0.0,
            5.0,
            0.6,
            "weekly strain per unit of norm above the 1927 norm",
            mech("F10: overexertion; size assumed"),
        ),
        prob("fatigue.recovery", 0.35, "share of fatigue recovered each week", asm("fatigue halves in about two weeks of normal work")),
        prob("illness.base", 0.01, "weekly chance of falling ill at zero fatigue", asm("background sickness rate")),
        prob(
            "illness.per_fatigue",
            0.06,
            "extra weekly chance of illness per unit of fatigue",
            mech("F10: exhaustion and illness; size assumed"),
        ),
        float("illness.weeks", 1.0, 20.0, 1.6, "mean weeks off sick", asm("short absences")),
        // --- perception (ODD 7.4) -------------------------------------------------------
        float(
            "hardship.baseline",
            0.0,
            1.0,
            0.25,
            "spread of individual baseline hardship (uniform 0..value)",
            asm("Epstein 2002: heterogeneous hardship"),
        ),
        float(
            "hardship.wage_weight",
            0.0,
            10.0,
            1.2,
            "hardship per unit fall of the real wage below one's end-1927 level",
            mech("F08; weight assumed"),
        ),
        float("hardship.shortage_weight", 0.0, 2.0, 0.25, "hardship per unit of the shortage index", mech("F08; weight assumed")),
        float("hardship.fatigue_weight", 0.0, 2.0, 0.2, "hardship per unit of fatigue", mech("F10; weight assumed")),
        float(
            "legitimacy.initial",
            0.0,
            1.0,
            0.55,
            "mean perceived legitimacy of the regime among non-party workers at the end of 1927",
            asm("most workers still accept the line at the start"),
        ),
        float("legitimacy.spread", 0.0, 0.5, 0.2, "spread (uniform half-width) of initial legitimacy", asm("heterogeneous views")),
        float(
            "legitimacy.party_premium",
            0.0,
            1.0,
            0.25,
            "extra initial legitimacy of party members",
            mech("F29: a communist is seen as the boss's man; size assumed"),
        ),
        float(
            "legitimacy.influence",
            0.0,
            1.0,
            0.05,
            "weekly pull of one's legitimacy towards one's own circle in the shop (party members or non-party workers)",
            asm("MODEL.md appendix: social influence; circles split by party status (F29)"),
        ),
        float(
            "legitimacy.hardship_erosion",
            0.0,
            0.2,
            0.002,
            "weekly legitimacy loss per unit of hardship",
            asm("disappointment as living standards fall"),
        ),
        prob(
            "legitimacy.party_erosion",
            0.4,
            "party members' legitimacy erodes at this fraction of others' rate",
            mech("F29: members invested in the line; size assumed"),
        ),
        float(
            "legitimacy.revision_shock",
            0.0,
            0.5,
            0.02,
            "legitimacy loss in a factory at a norm revision (broken agreement)",
            mech("F09: agreements become formalities; size assumed"),
        ),
        float(
            "legitimacy.privilege_shock",
            0.0,
            0.5,
            0.05,
            "legitimacy loss when the partmaksimum rise becomes known",
            mech("F19: +20 % for senior party members; size assumed"),
        ),
        date("legitimacy.privilege_date", "1928-10-15", "date the privilege news spreads", mech("F19: autumn 1928; date assumed")),
        float("legitimacy.leaflet_effect", 0.0, 0.5, 0.015, "legitimacy loss per leaflet read", asm("MODEL.md appendix")),
        float(
            "legitimacy.concession_gain",
            0.0,
            0.5,
            0.05,
            "legitimacy gain in a factory that wins a concession",
            asm("MODEL.md appendix"),
        ),
        float(
            "legitimacy.repression_loss",
            0.0,
            0.5,
            0.02,
            "legitimacy loss in a factory per arrest of a workmate",
            mech("F38: workers demand releases; size assumed"),
        ),
        float("risk.k", 0.0, 20.0, 2.3, "constant of the estimated arrest probability", src("Epstein 2002: k = 2.3")),
        float(
            "risk.presence",
            0.0,
            5.0,
            0.15,
            "repression a worker expects with no arrest seen (the OGPU's known presence), in arrests per 100 workers",
            asm("background of routine policing"),
        ),
        float(
            "risk.crowd",
            0.0,
            100.0,
            10.0,
            "safety in numbers: the estimate is divided by 1 + this times the share already active",
            asm("Epstein 2002: active ratio in vision"),
        ),
        prob(
            "risk.italianka_factor",
            0.3,
            "estimated risk of a slow-down relative to a strike",
            mech("F12: protest at the workplace is less exposed; size assumed"),
        ),
        float(
            "risk.memory",
            0.0,
            1.0,
            0.08,
            "share of the memory of arrests seen lost each week",
            asm("arrests are remembered for a season"),
        ),
        float(
            "risk.partner_weight",
            0.0,
            1.0,
            0.3,
            "weight of arrests in partner factories against one's own",
            mech("F14: news travels along links; size assumed"),
        ),
        float(
            "fear.arrest_seen",
            0.0,
            1.0,
            0.25,
            "fear added to everyone in a factory by an arrest there",
            mech("F38: arrests rise sharply; size assumed"),
        ),
        prob("fear.decay", 0.1, "share of fear lost each week", asm("fear fades over months")),
        float("efficacy.initial", 0.0, 1.0, 0.6, "mean initial belief that collective action can succeed", asm("F24 shows its fall")),
        float("efficacy.win", 0.0, 1.0, 0.1, "efficacy gained in a factory after a won strike or meeting", asm("MODEL.md appendix")),
        float(
            "efficacy.defeat",
            0.0,
            1.0,
            0.08,
            "efficacy lost in a factory after a revision, a lost strike or an arrest",
            mech("F24: 'things won't be done our way'; size assumed"),
        ),
        float("efficacy.drift", 0.0, 0.2, 0.003, "weekly efficacy loss per unit of hardship left unanswered", mech("F24; size assumed")),
        // --- protest (ODD 7.5) ----------------------------------------------------------
        float(
            "protest.passive",
            0.0,
            1.0,
            0.06,
            "net grievance above which a worker protests passively (skips meetings)",
            mech("F12: passive protest; threshold assumed"),
        ),
        float(
            "protest.italianka",
            0.0,
            2.0,
            0.7,
            "push of recent disputes plus weighted net grievance above which a worker is ready to slow down (italianka)",
            mech("F12: italianki; threshold assumed"),
        ),
        float(
            "protest.strike",
            0.0,
            2.0,
            0.832,
            "strike readiness (push x confidence + weighted net grievance) above which a worker is ready to strike",
            mech("F12, F13; calibrated: posterior mean of ABC-SMC, 90 % interval [0.706, 0.966], calibration/ussr-1928-1929"),
        ),
        float(
            "protest.threshold_mean",
            0.0,
            1.0,
            0.25,
            "mean Granovetter threshold: share of the shop that must be ready first",
            asm("Granovetter 1978"),
        ),
        float("protest.threshold_spread", 0.0, 1.0, 0.3, "spread (uniform half-width) of Granovetter thresholds", asm("Granovetter 1978")),
        float(
            "protest.grievance_weight",
            0.0,
            2.0,
            0.239,
            "weight of accumulated grievance beside the push of local disputes in readiness to slow down or strike",
            mech("F12, F13; calibrated: posterior mean of ABC-SMC, 90 % interval [0.124, 0.361], calibration/ussr-1928-1929"),
        ),
        prob(
            "protest.shop_stop",
            0.3,
            "share of a shop that must join for the shop to stop work or go slow",
            asm("a stoppage or slow-down of the shop, not of a few"),
        ),
        prob(
            "protest.italianka_effort",
            0.5,
            "effort and output of a worker in a slow-down, relative to the norm",
            mech("F12: work slowed to nearly nil; share assumed"),
        ),
        prob(
            "protest.young_risk",
            0.7,
            "risk aversion of young workers relative to older ones",
            asm("the young take more risks (F34, F36)"),
        ),
        // --- strikes (ODD 7.11) ---------------------------------------------------------
        float(
            "strikes.join_salience",
            0.0,
            2.0,
            0.3,
            "strike readiness added in the other shops of a factory on strike",
            mech("F13, F14; size assumed"),
        ),
        float(
            "strikes.contagion",
            0.0,
            2.0,
            0.3,
            "strike readiness added per unit share of partner factories on strike last week",
            mech("F14: strikers sought links with other enterprises; size assumed"),
        ),
        float("strikes.weeks", 1.0, 10.0, 1.15, "mean strike duration in weeks", asm("most strikes lasted hours or days")),
        int("strikes.max_weeks", 1, 52, 12, "longest strike in weeks", asm("no strike of the period lasted a quarter")),
        int(
            "strikes.episode_gap",
            0,
            26,
            4,
            "weeks after a strike ends within which a new stoppage in the factory continues the same strike",
            asm("a rolling stoppage over a dispute is one conflict in the OGPU's count (F13)"),
        ),
        prob(
            "strikes.concession",
            0.35,
            "chance a strike ends in a concession (else repression)",
            asm("management often yielded on rates locally"),
        ),
        float(
            "strikes.concession_raise",
            0.0,
            0.5,
            0.03,
            "rise of pay at the norm when a strike wins a concession",
            asm("about one rate cut restored"),
        ),
        int(
            "strikes.leaders",
            0,
            50,
            2,
            "strike leaders handed to the OGPU (or sacked and blacklisted) after a repressed strike",
            mech("F14, F38, F39; number assumed"),
        ),
        float(
            "strikes.organize",
            0.0,
            2.0,
            0.292,
            "strike readiness added (leading) or removed (holding back) in a factory by a cell at full strength of its line",
            mech("F27; calibrated: posterior mean of ABC-SMC, 90 % interval [0.0166, 0.556], calibration/ussr-1928-1929"),
        ),
        float(
            "strikes.organized_duration",
            0.0,
            5.0,
            1.0,
            "relative lengthening of a strike led by the opposition",
            mech("F14: prepared strikes; size assumed"),
        ),
        float(
            "strikes.organized_spread",
            0.0,
            5.0,
            1.0,
            "extra weight of an opposition-led strike in partner factories' news",
            mech("F14: links sought; size assumed"),
        ),
        // --- mass meetings (ODD 7.8) ----------------------------------------------------
        from_date(
            "campaign1.start",
            "1928-01-02",
            "start of the 1927-28 collective-agreement campaign (in the run window)",
            src("F21: 1927-28 campaign"),
        ),
        ParamSpec { event: None, ..date("campaign1.end", "1928-03-31", "end of the 1927-28 campaign", mech("F21; end date assumed")) },
        date(
            "campaign2.start",
            "1928-11-19",
            "start of the 1928-29 collective-agreement campaign",
            mech("F21: Moskvoshvei vote 17 Dec 1928; start assumed"),
        ),
        ParamSpec { event: None, ..date("campaign2.end", "1929-02-28", "end of the 1928-29 campaign", mech("F21; end date assumed")) },
        prob(
            "meetings.passive_attendance",
            0.25,
            "attendance chance of a passive protester relative to others",
            mech("F12, F24: staying away; size assumed"),
        ),
        prob(
            "meetings.quorum",
            0.2,
            "attendance share below which a meeting fails",
            mech("F24: meetings fail for lack of attendance; share assumed"),
        ),
        float(
            "meetings.vote_grievance",
            0.0,
            20.0,
            7.0,
            "weight of grievance in the vote for the opposition's resolution",
            mech("F21; weight assumed"),
        ),
        float(
            "meetings.vote_bias",
            -20.0,
            20.0,
            -3.6,
            "log-odds of voting for the opposition with no grievance (the triangle runs the meeting)",
            mech("F25, F21; size assumed"),
        ),
        float(
            "meetings.sympathizer_vote",
            0.0,
            10.0,
            2.0,
            "extra log-odds for sympathizers and members",
            asm("organized supporters vote together"),
        ),
        float(
            "meetings.cell_weight",
            0.0,
            10.0,
            1.4,
            "log-odds per log(1 + members) of the factory's opposition cell",
            mech("F21: where organized, the opposition took the chair; size assumed"),
        ),
        float("meetings.vote_left", 0.0, 10.0, 0.5, "extra log-odds from left-leaning workers", mech("F15, F22; weight assumed")),
        float(
            "meetings.vote_fear",
            0.0,
            20.0,
            2.0,
            "log-odds lost per unit of fear (an open vote is watched)",
            mech("F22: fear; weight assumed"),
        ),
        float("meetings.vote_party", 0.0, 20.0, 1.5, "log-odds lost by party members (party discipline)", mech("F29; weight assumed")),
        // --- the opposition (ODD 7.6) ---------------------------------------------------
        int(
            "opposition.expelled",
            0,
            100_000,
            8000,
            "oppositionists expelled after the 15th congress, at full scale",
            src("F03: about 8,000"),
        ),
        prob(
            "opposition.underground",
            0.45,
            "share of the expelled who stay active in the underground",
            mech("F04: many reconcile; share assumed"),
        ),
        float(
            "opposition.cell_size",
            1.0,
            100.0,
            4.0,
            "mean members per factory cell at the start (cells are clustered)",
            mech("F03: networks of local cells; size assumed"),
        ),
        float(
            "opposition.sympathizers",
            0.0,
            50.0,
            3.0,
            "sympathizers per member at the start, in the member's shop",
            mech("F20; number assumed"),
        ),
        prob(
            "opposition.exiled_at_start",
            0.1,
            "share of the active who start in exile (the leaders)",
            mech("F03: leaders exiled Dec 1927-Jan 1928; share assumed"),
        ),
        prob("opposition.decist_share", 0.2, "share of the active who are Decists", mech("F02: the smaller wing; share assumed")),
        floats(
            "opposition.class_shares",
            3,
            0.0,
            1.0,
            &[0.469, 0.397, 0.088],
            "blue-collar, white-collar and peasant shares of the expelled",
            src("F33: 46.9 %, 39.7 %, 8.8 %"),
        ),
        from_date(
            "opposition.factory_turn",
            "1927-12-15",
            "date the opposition turns to agitation in the factories",
            src("F16: from December 1927"),
        ),
        float(
            "opposition.leaflets",
            0.0,
            100.0,
            6.0,
            "workers of the factory reached by one member's leaflets each week",
            mech("F22: short of literature; number assumed"),
        ),
        prob(
            "opposition.partner_reach",
            0.15,
            "share of a factory's leaflets that reach its partner factories",
            mech("F14, F20: links between enterprises; share assumed"),
        ),
        date("opposition.platform_date", "1928-10-01", "the 18-point platform on the worker question", src("F17: autumn 1928")),
        float("opposition.platform_clarity", 0.0, 1.0, 0.1, "clarity added by the platform", mech("F17; size assumed")),
        float("opposition.leaflet_lean", 0.0, 0.5, 0.02, "shift towards the left per leaflet read", mech("F15, F20; size assumed")),
        prob(
            "opposition.indiscipline",
            0.3,
            "how far a member's own radicalism bends the organization's legality",
            mech("F34: members who cannot accept the line; size assumed"),
        ),
        flag(
            "opposition.line_follows_members",
            false,
            "whether an organization's line follows its members' radicalization",
            src("MODEL.md: historically it did not"),
        ),
        prob(
            "bl.legality",
            0.9,
            "Bolshevik Leninists: how far demands are kept inside union and party legality (before any line change)",
            src("F27: the leaders' line"),
        ),
        date(
            "bl.line_change",
            OFF,
            "Bolshevik Leninists: date their line changes to `bl.legality_after`",
            src("F27: no change historically"),
        ),
        prob("bl.legality_after", 0.9, "Bolshevik Leninists: legality after the line change", src("F27")),
        prob("bl.clarity", 0.3, "Bolshevik Leninists: clarity of the programme of action", mech("F23: no clear programme; level assumed")),
        date(
            "bl.new_party_from",
            OFF,
            "Bolshevik Leninists: date they call for a new party (never, historically)",
            src("F28: the leaders reject a new party"),
        ),
        prob(
            "decists.legality",
            0.6,
            "Decists: how far demands are kept inside legality (before any line change)",
            mech("F02: the more radical wing; value assumed"),
        ),
        date("decists.line_change", OFF, "Decists: date their line changes to `decists.legality_after`", asm("no change in the record")),
        prob("decists.legality_after", 0.6, "Decists: legality after the line change", asm("as before")),
        prob("decists.clarity", 0.35, "Decists: clarity of the programme of action", asm("a little clearer than the BL")),
        date("decists.new_party_from", OFF, "Decists: date they call for a new party", asm("no such call in the run window")),
        float("new_party.clarity", 0.0, 1.0, 0.2, "clarity added by a call for a new party", mech("F28, F34; size assumed")),
        float(
            "new_party.reach",
            1.0,
            5.0,
            1.5,
            "factor on leaflet reach under a new-party call",
            mech("F28: workers would welcome one; size assumed"),
        ),
        float("new_party.visibility", 0.0, 5.0, 0.5, "extra detection chance of members under a new-party call", mech("F38; size assumed")),
        float(
            "recruit.sympathize",
            0.0,
            1.0,
            0.12,
            "chance a leafleted worker of full grievance becomes a sympathizer",
            mech("F20; size assumed"),
        ),
        float(
            "recruit.join",
            0.0,
            1.0,
            0.0877,
            "weekly chance a sympathizer of full grievance joins, at full clarity",
            mech("F32; calibrated: posterior mean of ABC-SMC, 90 % interval [0.0552, 0.119], calibration/ussr-1928-1929"),
        ),
        prob(
            "recruit.white_collar_factor",
            0.3,
            "receptiveness of white-collar staff relative to manual workers",
            mech("F33: the shop floor joined; size assumed"),
        ),
        prob(
            "recruit.party_factor",
            0.3,
            "receptiveness of party members relative to non-party workers",
            mech("F30: work among the non-party paid; size assumed"),
        ),
        prob(
            "recruit.young_misfit",
            0.5,
            "how much the legal line puts young workers off joining (times legality)",
            mech("F34; size assumed"),
        ),
        prob("recruit.lapse", 0.01, "weekly chance a sympathizer loses interest", asm("sympathy fades without contact")),
        prob(
            "recruit.young_radicalism",
            0.5,
            "lowest radicalism of a young recruit or arrested young worker (uniform over the next 0.4)",
            mech("F34, F36; level assumed"),
        ),
        prob("capitulation.base", 0.002, "weekly chance an old cadre capitulates", mech("F04; rate assumed")),
        prob(
            "capitulation.left_turn",
            0.012,
            "extra weekly chance once the left turn is under way",
            mech("F04: reconciliation rises with the turn; size assumed"),
        ),
        from_date(
            "capitulation.left_turn_from",
            "1929-01-01",
            "date the left turn makes capitulation attractive",
            mech("F04; date assumed (turn of 1928-29)"),
        ),
        prob(
            "capitulation.legitimacy",
            0.8,
            "legitimacy of an oppositionist who capitulates",
            mech("F04: they accept the general line; level assumed"),
        ),
        prob(
            "underground.chain_exposure",
            0.3,
            "chance an exposed cell leads the OGPU to its city group",
            mech("F03, F38; chance assumed"),
        ),
        prob(
            "underground.chain_detection",
            0.15,
            "chance each member of a broken city group's region is detected",
            mech("F38; chance assumed"),
        ),
        prob("underground.centre_hit", 0.3, "chance a broken city group leads the OGPU to the centre", mech("F03, F38; chance assumed")),
        prob(
            "underground.repair",
            0.02,
            "weekly recovery of a damaged city group or centre while members remain",
            asm("links are rebuilt slowly"),
        ),
        // --- party (ODD 7.7) ------------------------------------------------------------
        prob(
            "party.cooptation",
            0.0003,
            "weekly chance a respected non-party worker is enrolled in the party",
            mech("F29: the October 1927 enrolment; rate assumed"),
        ),
        int(
            "party.cooptation_band",
            1,
            17,
            8,
            "lowest tariff band of the respected workers the party enrols",
            mech("F29: respected (skilled) workers; band assumed"),
        ),
        float("party.cooptation_legitimacy", 0.0, 1.0, 0.2, "legitimacy gained on enrolment in the party", asm("a member adopts the line")),
        // --- the OGPU (ODD 7.9, 7.12) ---------------------------------------------------
        float("ogpu.informers", 0.0, 20.0, 0.8, "informers per 100 workers before the escalation", asm("dense enough to cover most shops")),
        float(
            "ogpu.informer_growth",
            1.0,
            10.0,
            4.0,
            "factor on informer density once the escalation is complete",
            mech("F38: surveillance and provocateurs; size assumed"),
        ),
        int(
            "ogpu.ramp_weeks",
            0,
            104,
            26,
            "weeks over which the escalation builds up to its full strength",
            mech("F38: operations through 1929; length assumed"),
        ),
        prob(
            "ogpu.detection",
            0.04,
            "weekly chance an active member is detected, per informer per 100 workers",
            mech("F38; calibrated: posterior mean of ABC-SMC, 90 % interval [0.027, 0.0551], calibration/ussr-1928-1929"),
        ),
        float(
            "ogpu.strike_visibility",
            0.0,
            10.0,
            1.0,
            "extra detection chance of a member leading a strike",
            mech("F14, F38; size assumed"),
        ),
        float(
            "ogpu.capacity",
            0.0,
            100_000.0,
            30.0,
            "arrests per week at full scale (population.full_scale workers) before the escalation",
            asm("routine political policing"),
        ),
        float(
            "ogpu.capacity_after",
            0.0,
            100_000.0,
            1500.0,
            "arrests per week at full scale (population.full_scale workers) after the escalation",
            mech("F38: arrests rise sharply; size assumed"),
        ),
        date("ogpu.escalation", "1928-09-24", "date of the repression escalation (Molotov's circular)", src("F38: 24 Sep 1928")),
        prob(
            "ogpu.provocateur",
            0.0223,
            "weekly chance, after the escalation, that a provocateur exposes a whole factory cell",
            mech("F38; calibrated: posterior mean of ABC-SMC, 90 % interval [0.00669, 0.0375], calibration/ussr-1928-1929"),
        ),
        prob(
            "ogpu.obstruction",
            0.25,
            "chance an arrest is obstructed in a factory where everyone sympathizes",
            mech("F38: workers obstruct arrests; chance assumed"),
        ),
        prob(
            "ogpu.release_demand",
            0.3,
            "chance workers demand a release in a fully sympathetic factory",
            mech("F38: release demands; chance assumed"),
        ),
        prob(
            "ogpu.full_sympathy",
            0.1,
            "share of sympathizers and members at which a factory counts as fully sympathetic",
            asm("a tenth of a factory is a strong presence"),
        ),
        float(
            "legitimacy.release_demand_shock",
            0.0,
            0.5,
            0.02,
            "legitimacy loss in a factory whose release demand is refused",
            mech("F38, F39; size assumed"),
        ),
        int("ogpu.prison_weeks", 1, 52, 4, "weeks in prison before exile", asm("short investigations")),
        // --- exile colonies (ODD 7.13) --------------------------------------------------
        float(
            "exile.influence",
            0.0,
            1.0,
            0.1,
            "weekly radicalization of an exile per unit share of young workers in the colonies",
            mech("F35, F36: the young arrivals radicalize the colonies; size assumed"),
        ),
        float(
            "exile.letters",
            0.0,
            1.0,
            0.05,
            "weekly pull of members' radicalism towards the colonies', times the colonies' weight",
            mech("F37; size assumed"),
        ),
        // --- moods (ODD 7.10) -----------------------------------------------------------
        prob(
            "mood.loyal",
            0.5,
            "legitimacy from which a worker counts as loyal to the line (the midpoint)",
            asm("more legitimate than not"),
        ),
        prob("mood.indifferent_grievance", 0.12, "grievance below which a non-loyal worker counts as indifferent", asm("reading of F22")),
        prob(
            "mood.indifferent_efficacy",
            0.15,
            "efficacy below which a non-loyal worker counts as indifferent",
            mech("F24; level assumed"),
        ),
        float(
            "mood.strike_left",
            0.0,
            0.5,
            0.03,
            "shift towards the left in a week one's factory is on strike",
            mech("F15: political conclusions; size assumed"),
        ),
        float(
            "mood.shortage_right",
            0.0,
            0.5,
            0.01,
            "weekly shift towards the right per unit of shortage, for workers of peasant origin",
            mech("F01, F22: right moods; size assumed"),
        ),
        // --- reports (readings for T10) --------------------------------------------------
        prob("report.sick_share", 0.06, "share off sick from which a factory reports absences (T10)", asm("reading of F11 for T10")),
        prob(
            "report.passive_share",
            0.3,
            "share in passive protest from which a factory reports indiscipline (T10)",
            asm("reading of F11, F12 for T10"),
        ),
    ];
    for (name, doc) in MECHANISMS {
        let key: &'static str = Box::leak(format!("mechanism.{name}").into_boxed_str());
        v.push(flag(key, true, doc, asm("ablation switch: on in the baseline")));
    }
    v
}

/// Reads a resolved scenario, remembering which keys were read (a test checks that every
/// key of the schema is used by some rule).
struct Reader<'a> {
    s: &'a Scenario,
    read: RefCell<BTreeSet<String>>,
}

impl Reader<'_> {
    fn value(&self, key: &str) -> Result<&Value, ScenarioError> {
        self.read.borrow_mut().insert(key.to_string());
        self.s.get(key).map(|p| &p.value).ok_or_else(|| {
            ScenarioError::new(&self.s.file, None, format!("internal: parameter `{key}` is missing from the ussr-1928 schema"))
        })
    }
    fn f(&self, key: &str) -> Result<f64, ScenarioError> {
        match self.value(key)? {
            Value::Float(x) => Ok(*x),
            Value::Int(x) => Ok(*x as f64),
            v => Err(self.wrong(key, v)),
        }
    }
    fn f32(&self, key: &str) -> Result<f32, ScenarioError> {
        self.f(key).map(|x| x as f32)
    }
    fn i(&self, key: &str) -> Result<i64, ScenarioError> {
        match self.value(key)? {
            Value::Int(x) => Ok(*x),
            v => Err(self.wrong(key, v)),
        }
    }
    fn b(&self, key: &str) -> Result<bool, ScenarioError> {
        match self.value(key)? {
            Value::Bool(x) => Ok(*x),
            v => Err(self.wrong(key, v)),
        }
    }
    fn date(&self, key: &str) -> Result<Option<NaiveDate>, ScenarioError> {
        match self.value(key)? {
            Value::Date(x) => Ok(Some(*x)),
            Value::Off => Ok(None),
            v => Err(self.wrong(key, v)),
        }
    }
    fn list(&self, key: &str) -> Result<Vec<f64>, ScenarioError> {
        match self.value(key)? {
            Value::Floats(x) => Ok(x.clone()),
            v => Err(self.wrong(key, v)),
        }
    }
    fn wrong(&self, key: &str, v: &Value) -> ScenarioError {
        ScenarioError::new(&self.s.file, None, format!("internal: parameter `{key}` has an unexpected value {v}"))
    }
}

/// Size of the model: the population and its factories.
#[derive(Clone, Debug)]
pub struct Population {
    /// `population.full_scale`: workforce at scale 1.0 (census industry), persons
    /// (1000–10000000).
    pub full_scale: f64,
    /// `population.scale`: share of the full workforce modelled, one agent per person
    /// (0.0001–1).
    pub scale: f64,
    /// People modelled: full scale × scale.
    pub workers: usize,
    /// `population.white_collar`: share of white-collar staff (sluzhashchie) in the
    /// workforce.
    pub white_collar: f64,
    /// `population.peasant_origin`: share of workers of peasant origin (recent arrivals).
    pub peasant_origin: f64,
    /// `population.young`: share of young workers (under about 25).
    pub young: f64,
    /// `population.party`: share of party members in the workforce.
    pub party: f64,
    /// `population.region_shares`: workforce shares of Moscow, Leningrad, Ivanovo, Urals,
    /// Ukraine, other (six weights 0–1, in [`REGIONS`] order, normalized by their sum).
    pub region_shares: Vec<f64>,
    /// `population.sector_shares`: workforce shares of metal, textile, garment,
    /// rubber-chemical, rail, other (six weights 0–1, in [`SECTORS`] order, normalized by
    /// their sum).
    pub sector_shares: Vec<f64>,
    /// `factories.median_size`: median factory workforce, persons (lognormal sizes)
    /// (10–20000).
    pub median_size: f64,
    /// `factories.size_sigma`: log-standard deviation of factory sizes (0–3).
    pub size_sigma: f64,
    /// `factories.shop_size`: workers per shop (the unit of a slow-down or a stoppage)
    /// (10–1000).
    pub shop_size: u32,
    /// `factories.partners`: partner factories of each factory (same region, preferably
    /// same sector) that hear of its strikes (factories, 0–20).
    pub partners: usize,
}

/// Wages, prices and the plan (F05, F08, F10, F17, F19).
#[derive(Clone, Debug)]
pub struct Economy {
    /// `tariff.coefficients`: wage coefficient of each of the 17 tariff bands, band 1 first
    /// (0.1–20).
    pub tariff: [f32; 17],
    /// `tariff.downgrade_share`: share of workers moved one band down in the end-1927
    /// reform.
    pub downgrade_share: f64,
    /// `prices.index`: consumer price index by month, Jan 1928 = 1 (24 months) (0.1–10).
    pub prices: Vec<f32>,
    /// `prices.shortage`: food-shortage index by month (0 none, 1 famine) (0–1).
    pub shortage: Vec<f32>,
    /// `rent.rise_low`: rent rise as a share of earnings for bands 1-6 (0–0.5).
    pub rent_rise_low: f32,
    /// `rent.rise_high`: rent rise as a share of earnings for bands 7-17 (0–0.5).
    pub rent_rise_high: f32,
    /// `loans.deduction`: share of earnings withheld for industrial loans (0–0.5).
    pub loan_deduction: f32,
    /// `plan.productivity_target`: planned rise of labour productivity in the plan year
    /// (fraction per year, 0–1).
    pub productivity_target: f64,
    /// `plan.nominal_wage_cap`: cap on the rise of nominal wages in the plan year (fraction
    /// per year, 0–1).
    pub nominal_wage_cap: f64,
    /// `wages.keep_pace`: nominal wages rise with productivity (the X4 counterfactual).
    pub keep_pace: bool,
}

/// Management: norms and rates, the seven-hour day (F06, F07, F09).
#[derive(Clone, Debug)]
pub struct Management {
    /// `norms.continuous`: norms and rates revised in day-to-day work after the Politburo
    /// decision.
    pub continuous: bool,
    /// `norms.annual_revision`: weekly chance of a revision while norms are fixed for the
    /// year (1/52).
    pub annual_revision: f64,
    /// `norms.weekly_revision`: weekly chance of a revision in a factory once revision is
    /// continuous.
    pub weekly_revision: f64,
    /// `norms.step`: rise of the output norm at a revision outside the plan year (fraction
    /// of the norm, 0–0.5).
    pub norm_step: f64,
    /// `norms.rate_cut`: share of a norm rise lost from pay at the norm (the rest made up
    /// by more effort, which tires).
    pub rate_cut: f32,
    /// `seven_hour.final_share`: share of factories converted by the end of 1929.
    pub seven_hour_share: f64,
    /// `seven_hour.fatigue`: extra weekly strain in a converted factory (more machines,
    /// night shifts) (fatigue per week, 0–1).
    pub seven_hour_strain: f32,
}

/// The occasions of local disputes (F06, F08, F09, F12, F16).
#[derive(Clone, Debug)]
pub struct Disputes {
    /// `disputes.revision_salience`: strike readiness added in a factory in the week its
    /// norms are revised and rates cut (readiness, 0–2).
    pub revision_salience: f32,
    /// `disputes.late_pay`: weekly chance that a factory pays wages late.
    pub late_pay: f64,
    /// `disputes.late_pay_salience`: strike readiness added by late pay in the factory
    /// (readiness, 0–2).
    pub late_pay_salience: f32,
    /// `disputes.supply_failure`: weekly chance per unit of the shortage index that a
    /// shop's supplies fail (idle time, lost pay).
    pub supply_failure: f64,
    /// `disputes.supply_salience`: strike readiness added in the shop whose supplies failed
    /// (readiness, 0–2).
    pub supply_salience: f32,
    /// `disputes.foreman`: weekly chance of a conflict with the foreman in a shop.
    pub foreman: f64,
    /// `disputes.foreman_salience`: strike readiness added in the shop of a foreman's abuse
    /// (readiness, 0–2).
    pub foreman_salience: f32,
    /// `disputes.memory`: share of a dispute's push lost each week: recent disputes keep a
    /// shop ready to slow down.
    pub memory: f32,
    /// `disputes.militancy_spread`: log-standard deviation of factories' militancy, a
    /// lasting factor on the push of their disputes (0–2).
    pub militancy_spread: f64,
}

/// Work and health (F07, F10).
#[derive(Clone, Debug)]
pub struct Health {
    /// `fatigue.effort_strain`: weekly strain per unit of norm above the 1927 norm (fatigue
    /// per week, 0–5).
    pub effort_strain: f32,
    /// `fatigue.recovery`: share of fatigue recovered each week.
    pub recovery: f32,
    /// `illness.base`: weekly chance of falling ill at zero fatigue.
    pub ill_base: f32,
    /// `illness.per_fatigue`: extra weekly chance of illness per unit of fatigue.
    pub ill_per_fatigue: f32,
    /// Weekly chance a sickness ends: 1 / mean weeks.
    pub ill_end: f32,
}

/// Perception: hardship, legitimacy, risk, fear, efficacy (Epstein 2002; F08, F24, F29, F38).
#[derive(Clone, Debug)]
pub struct Perception {
    /// `hardship.baseline`: spread of individual baseline hardship (uniform 0..value)
    /// (0–1).
    pub hardship_baseline: f32,
    /// `hardship.wage_weight`: hardship per unit fall of the real wage below one's end-1927
    /// level (0–10).
    pub wage_weight: f32,
    /// `hardship.shortage_weight`: hardship per unit of the shortage index (0–2).
    pub shortage_weight: f32,
    /// `hardship.fatigue_weight`: hardship per unit of fatigue (0–2).
    pub fatigue_weight: f32,
    /// `legitimacy.initial`: mean perceived legitimacy of the regime among non-party
    /// workers at the end of 1927 (0–1).
    pub legitimacy_initial: f32,
    /// `legitimacy.spread`: spread (uniform half-width) of initial legitimacy (0–0.5).
    pub legitimacy_spread: f32,
    /// `legitimacy.party_premium`: extra initial legitimacy of party members (0–1).
    pub party_premium: f32,
    /// `legitimacy.influence`: weekly pull of one's legitimacy towards one's own circle in
    /// the shop (party members or non-party workers) (share per week, 0–1).
    pub influence: f32,
    /// `legitimacy.hardship_erosion`: weekly legitimacy loss per unit of hardship (per
    /// week, 0–0.2).
    pub hardship_erosion: f32,
    /// `legitimacy.party_erosion`: party members' legitimacy erodes at this fraction of
    /// others' rate (0–1).
    pub party_erosion: f32,
    /// `legitimacy.revision_shock`: legitimacy loss in a factory at a norm revision (broken
    /// agreement) (0–0.5).
    pub revision_shock: f32,
    /// `legitimacy.privilege_shock`: legitimacy loss when the partmaksimum rise becomes
    /// known (0–0.5).
    pub privilege_shock: f32,
    /// `legitimacy.leaflet_effect`: legitimacy loss per leaflet read (0–0.5).
    pub leaflet_effect: f32,
    /// `legitimacy.concession_gain`: legitimacy gain in a factory that wins a concession
    /// (0–0.5).
    pub concession_gain: f32,
    /// `legitimacy.repression_loss`: legitimacy loss in a factory per arrest of a workmate
    /// (0–0.5).
    pub repression_loss: f32,
    /// `legitimacy.release_demand_shock`: legitimacy loss in a factory whose release demand
    /// is refused (0–0.5).
    pub release_demand_shock: f32,
    /// `risk.k`: constant of the estimated arrest probability (0–20).
    pub k: f32,
    /// `risk.presence`: repression a worker expects with no arrest seen (the OGPU's known
    /// presence), in arrests per 100 workers (0–5).
    pub presence: f32,
    /// `risk.crowd`: safety in numbers: the estimate is divided by 1 + this times the share
    /// already active (0–100).
    pub crowd: f32,
    /// `risk.italianka_factor`: estimated risk of a slow-down relative to a strike (0–1).
    pub italianka_risk: f32,
    /// `risk.memory`: share of the memory of arrests seen lost each week.
    pub risk_memory: f32,
    /// `risk.partner_weight`: weight of arrests in partner factories against one's own
    /// (0–1).
    pub partner_weight: f32,
    /// `fear.arrest_seen`: fear added to everyone in a factory by an arrest there (0–1).
    pub fear_arrest_seen: f32,
    /// `fear.decay`: share of fear lost each week.
    pub fear_decay: f32,
    /// `efficacy.initial`: mean initial belief that collective action can succeed (0–1).
    pub efficacy_initial: f32,
    /// `efficacy.win`: efficacy gained in a factory after a won strike or meeting (0–1).
    pub efficacy_win: f32,
    /// `efficacy.defeat`: efficacy lost in a factory after a revision, a lost strike or an
    /// arrest (0–1).
    pub efficacy_defeat: f32,
    /// `efficacy.drift`: weekly efficacy loss per unit of hardship left unanswered (per
    /// week, 0–0.2).
    pub efficacy_drift: f32,
}

/// The protest ladder (F12; Granovetter 1978).
#[derive(Clone, Debug)]
pub struct Protest {
    /// `protest.passive`: net grievance above which a worker protests passively (skips
    /// meetings) (0–1).
    pub passive: f32,
    /// `protest.italianka`: push of recent disputes plus weighted net grievance above which
    /// a worker is ready to slow down (italianka) (0–2).
    pub italianka: f32,
    /// `protest.strike`: strike readiness (push x confidence + weighted net grievance)
    /// above which a worker is ready to strike (0–2).
    pub strike: f32,
    /// `protest.grievance_weight`: weight of accumulated grievance beside the push of local
    /// disputes in readiness to slow down or strike (0–2).
    pub grievance_weight: f32,
    /// `protest.threshold_mean`: mean Granovetter threshold: share of the shop that must be
    /// ready first.
    pub threshold_mean: f32,
    /// `protest.threshold_spread`: spread (uniform half-width) of Granovetter thresholds
    /// (0–1).
    pub threshold_spread: f32,
    /// `protest.shop_stop`: share of a shop that must join for the shop to stop work or go
    /// slow.
    pub shop_stop: f32,
    /// `protest.italianka_effort`: effort and output of a worker in a slow-down, relative
    /// to the norm (0–1).
    pub italianka_effort: f32,
    /// `protest.young_risk`: risk aversion of young workers relative to older ones (0–1).
    pub young_risk: f32,
}

/// Strikes as episodes (F13, F14, F27, F39).
#[derive(Clone, Debug)]
pub struct Strikes {
    /// `strikes.join_salience`: strike readiness added in the other shops of a factory on
    /// strike (readiness, 0–2).
    pub join_salience: f32,
    /// `strikes.contagion`: strike readiness added per unit share of partner factories on
    /// strike last week (readiness, 0–2).
    pub contagion: f32,
    /// `strikes.weeks`: mean strike duration in weeks (1–10).
    pub mean_weeks: f64,
    /// `strikes.max_weeks`: longest strike in weeks (1–52).
    pub max_weeks: u16,
    /// `strikes.episode_gap`: weeks after a strike ends within which a new stoppage in the
    /// factory continues the same strike (0–26).
    pub episode_gap: u32,
    /// `strikes.concession`: chance a strike ends in a concession (else repression) (0–1).
    pub concession: f64,
    /// `strikes.concession_raise`: rise of pay at the norm when a strike wins a concession
    /// (fraction of pay, 0–0.5).
    pub concession_raise: f32,
    /// `strikes.leaders`: strike leaders handed to the OGPU (or sacked and blacklisted)
    /// after a repressed strike (workers, 0–50).
    pub leaders: u32,
    /// `strikes.organize`: strike readiness added (leading) or removed (holding back) in a
    /// factory by a cell at full strength of its line (readiness, 0–2).
    pub organize: f32,
    /// `strikes.organized_duration`: relative lengthening of a strike led by the opposition
    /// (factor, 0–5).
    pub organized_duration: f64,
    /// `strikes.organized_spread`: extra weight of an opposition-led strike in partner
    /// factories' news (0–5).
    pub organized_spread: f32,
}

/// Mass meetings of the collective-agreement campaigns (F21, F24, F25).
#[derive(Clone, Debug)]
pub struct Meetings {
    /// `meetings.passive_attendance`: attendance chance of a passive protester relative to
    /// others (factor, 0–1).
    pub passive_attendance: f32,
    /// `meetings.quorum`: attendance share below which a meeting fails (0–1).
    pub quorum: f64,
    /// `meetings.vote_grievance`: weight of grievance in the vote for the opposition's
    /// resolution (log-odds per unit of grievance, 0–20).
    pub vote_grievance: f32,
    /// `meetings.vote_bias`: log-odds of voting for the opposition with no grievance (the
    /// triangle runs the meeting) (−20 to 20).
    pub vote_bias: f32,
    /// `meetings.sympathizer_vote`: extra log-odds for sympathizers and members (0–10).
    pub sympathizer_vote: f32,
    /// `meetings.cell_weight`: log-odds per log(1 + members) of the factory's opposition
    /// cell (0–10).
    pub cell_weight: f32,
    /// `meetings.vote_left`: extra log-odds from left-leaning workers (0–10).
    pub vote_left: f32,
    /// `meetings.vote_fear`: log-odds lost per unit of fear (an open vote is watched)
    /// (0–20).
    pub vote_fear: f32,
    /// `meetings.vote_party`: log-odds lost by party members (party discipline) (0–20).
    pub vote_party: f32,
}

/// One organization's line (F23, F27, F28).
#[derive(Clone, Debug)]
pub struct Line {
    /// `bl.legality` / `decists.legality`: how far demands are kept inside legality before
    /// any line change (0–1).
    pub legality: f32,
    /// `bl.legality_after` / `decists.legality_after`: legality after the line change
    /// (0–1).
    pub legality_after: f32,
    /// `bl.clarity` / `decists.clarity`: clarity of the programme of action (0–1).
    pub clarity: f32,
}

/// The underground opposition (F02-F04, F16, F17, F20, F22, F30, F32-F34).
#[derive(Clone, Debug)]
pub struct Opposition {
    /// `opposition.expelled`: oppositionists expelled after the 15th congress, at full
    /// scale (persons, 0–100000).
    pub expelled: f64,
    /// `opposition.underground`: share of the expelled who stay active in the underground.
    pub underground: f64,
    /// `opposition.cell_size`: mean members per factory cell at the start (cells are
    /// clustered) (members, 1–100).
    pub cell_size: f64,
    /// `opposition.sympathizers`: sympathizers per member at the start, in the member's
    /// shop (0–50).
    pub sympathizers: f64,
    /// `opposition.exiled_at_start`: share of the active who start in exile (the leaders).
    pub exiled_at_start: f64,
    /// `opposition.decist_share`: share of the active who are Decists.
    pub decist_share: f64,
    /// `opposition.class_shares`: blue-collar, white-collar and peasant shares of the
    /// expelled (each 0–1, summing to at most 1).
    pub class_shares: [f64; 3],
    /// `opposition.leaflets`: workers of the factory reached by one member's leaflets each
    /// week (workers per member per week, 0–100).
    pub leaflets: f32,
    /// `opposition.partner_reach`: share of a factory's leaflets that reach its partner
    /// factories.
    pub partner_reach: f32,
    /// `opposition.platform_clarity`: clarity added by the platform (0–1).
    pub platform_clarity: f32,
    /// `opposition.leaflet_lean`: shift towards the left per leaflet read (0–0.5).
    pub leaflet_lean: f32,
    /// `opposition.indiscipline`: how far a member's own radicalism bends the
    /// organization's legality (0–1).
    pub indiscipline: f32,
    /// `opposition.line_follows_members`: whether an organization's line follows its
    /// members' radicalization.
    pub line_follows_members: bool,
    /// The organizations' lines, in [`ORGS`] order: `bl.*`, then `decists.*`.
    pub lines: [Line; 2],
    /// `new_party.clarity`: clarity added by a call for a new party (0–1).
    pub new_party_clarity: f32,
    /// `new_party.reach`: factor on leaflet reach under a new-party call (factor, 1–5).
    pub new_party_reach: f32,
    /// `new_party.visibility`: extra detection chance of members under a new-party call
    /// (added to a detection factor of 1, 0–5).
    pub new_party_visibility: f32,
    /// `recruit.sympathize`: chance a leafleted worker of full grievance becomes a
    /// sympathizer (0–1).
    pub sympathize: f32,
    /// `recruit.join`: weekly chance a sympathizer of full grievance joins, at full
    /// clarity.
    pub join: f32,
    /// `recruit.white_collar_factor`: receptiveness of white-collar staff relative to
    /// manual workers (factor, 0–1).
    pub white_collar_factor: f32,
    /// `recruit.party_factor`: receptiveness of party members relative to non-party workers
    /// (factor, 0–1).
    pub party_factor: f32,
    /// `recruit.young_misfit`: how much the legal line puts young workers off joining
    /// (times legality) (0–1).
    pub young_misfit: f32,
    /// `recruit.lapse`: weekly chance a sympathizer loses interest.
    pub lapse: f32,
    /// `recruit.young_radicalism`: lowest radicalism of a young recruit or arrested young
    /// worker (uniform over the next 0.4) (0–1).
    pub young_radicalism: f32,
    /// `capitulation.base`: weekly chance an old cadre capitulates.
    pub capitulation_base: f32,
    /// `capitulation.left_turn`: extra weekly chance once the left turn is under way.
    pub capitulation_left_turn: f32,
    /// `capitulation.legitimacy`: legitimacy of an oppositionist who capitulates (0–1).
    pub capitulation_legitimacy: f32,
    /// `underground.chain_exposure`: chance an exposed cell leads the OGPU to its city
    /// group (0–1).
    pub chain_exposure: f64,
    /// `underground.chain_detection`: chance each member of a broken city group's region is
    /// detected (0–1).
    pub chain_detection: f64,
    /// `underground.centre_hit`: chance a broken city group leads the OGPU to the centre
    /// (0–1).
    pub centre_hit: f64,
    /// `underground.repair`: weekly recovery of a damaged city group or centre while
    /// members remain (share per week, 0–1).
    pub repair: f32,
}

/// The party's co-optation of respected workers (F29).
#[derive(Clone, Debug)]
pub struct Party {
    /// `party.cooptation`: weekly chance a respected non-party worker is enrolled in the
    /// party.
    pub cooptation: f32,
    /// `party.cooptation_band`: lowest tariff band of the respected workers the party
    /// enrols (band 1–17).
    pub cooptation_band: u8,
    /// `party.cooptation_legitimacy`: legitimacy gained on enrolment in the party (0–1).
    pub cooptation_legitimacy: f32,
}

/// The OGPU (F14, F38, F39).
#[derive(Clone, Debug)]
pub struct Ogpu {
    /// `ogpu.informers`: informers per 100 workers before the escalation (0–20).
    pub informers: f32,
    /// `ogpu.informer_growth`: factor on informer density once the escalation is complete
    /// (factor, 1–10).
    pub informer_growth: f32,
    /// `ogpu.ramp_weeks`: weeks over which the escalation builds up to its full strength
    /// (0–104).
    pub ramp_weeks: u32,
    /// `ogpu.detection`: weekly chance an active member is detected, per informer per 100
    /// workers.
    pub detection: f32,
    /// `ogpu.strike_visibility`: extra detection chance of a member leading a strike (added
    /// to a detection factor of 1, 0–10).
    pub strike_visibility: f32,
    /// Arrests per week per person modelled (the full-scale figure over `population.full_scale`).
    pub capacity_per_person: f64,
    /// `ogpu.capacity_after` over `population.full_scale`: arrests per week per person
    /// modelled after the escalation.
    pub capacity_after_per_person: f64,
    /// `ogpu.provocateur`: weekly chance, after the escalation, that a provocateur exposes
    /// a whole factory cell.
    pub provocateur: f64,
    /// `ogpu.obstruction`: chance an arrest is obstructed in a factory where everyone
    /// sympathizes (0–1).
    pub obstruction: f64,
    /// `ogpu.release_demand`: chance workers demand a release in a fully sympathetic
    /// factory (0–1).
    pub release_demand: f64,
    /// `ogpu.full_sympathy`: share of sympathizers and members at which a factory counts as
    /// fully sympathetic.
    pub full_sympathy: f64,
    /// `ogpu.prison_weeks`: weeks in prison before exile (1–52).
    pub prison_weeks: u16,
}

/// Exile colonies (F35-F37).
#[derive(Clone, Debug)]
pub struct Exile {
    /// `exile.influence`: weekly radicalization of an exile per unit share of young workers
    /// in the colonies (per week, 0–1).
    pub influence: f32,
    /// `exile.letters`: weekly pull of members' radicalism towards the colonies', times the
    /// colonies' weight (per week, 0–1).
    pub letters: f32,
}

/// Moods (F15, F22, F24).
#[derive(Clone, Debug)]
pub struct Moods {
    /// `mood.loyal`: legitimacy from which a worker counts as loyal to the line (the
    /// midpoint) (0–1).
    pub loyal: f32,
    /// `mood.indifferent_grievance`: grievance below which a non-loyal worker counts as
    /// indifferent (0–1).
    pub indifferent_grievance: f32,
    /// `mood.indifferent_efficacy`: efficacy below which a non-loyal worker counts as
    /// indifferent (0–1).
    pub indifferent_efficacy: f32,
    /// `mood.strike_left`: shift towards the left in a week one's factory is on strike
    /// (0–0.5).
    pub strike_left: f32,
    /// `mood.shortage_right`: weekly shift towards the right per unit of shortage, for
    /// workers of peasant origin (per week, 0–0.5).
    pub shortage_right: f32,
}

/// Readings of factory reports for T10 (F11).
#[derive(Clone, Debug)]
pub struct Reports {
    /// `report.sick_share`: share off sick from which a factory reports absences (T10).
    pub sick_share: f64,
    /// `report.passive_share`: share in passive protest from which a factory reports
    /// indiscipline (T10).
    pub passive_share: f64,
}

/// Switches of the mechanism groups (`mechanism.*`), all on in the baseline.
#[derive(Clone, Copy, Debug)]
pub struct Switches {
    /// `mechanism.local_disputes`: strikes need a local occasion (norm revision, late pay,
    /// supply failure, foreman).
    pub local_disputes: bool,
    /// `mechanism.contagion`: strike news travels to partner factories (F14).
    pub contagion: bool,
    /// `mechanism.organizing`: opposition members lead or hold back strikes according to
    /// their line (F27).
    pub organizing: bool,
    /// `mechanism.repression_of_protest`: the OGPU arrests strike leaders; workers' risk
    /// comes from arrests they see (F14, F38).
    pub repression_of_protest: bool,
    /// `mechanism.recruitment`: leaflets make sympathizers and sympathizers join (F20, F30,
    /// F32).
    pub recruitment: bool,
    /// `mechanism.capitulation`: old cadres return to the party (F04).
    pub capitulation: bool,
    /// `mechanism.escalation`: the repression escalates from 24 Sep 1928 (F38).
    pub escalation: bool,
    /// `mechanism.exile_feedback`: exile colonies radicalize with who arrives and write
    /// back (F35-F37).
    pub exile_feedback: bool,
    /// `mechanism.social_influence`: legitimacy and lean move towards one's workmates'
    /// (MODEL.md).
    pub social_influence: bool,
}

/// The dated keys, as read from the scenario (`None`: switched off).
#[derive(Clone, Debug)]
pub struct Dates {
    /// `run.start`: date of the first weekly step (1928-01-02 if `"off"`).
    pub start: NaiveDate,
    /// `rent.rise_date`: date of the regressive rent rise (`None`: off).
    pub rent_rise: Option<NaiveDate>,
    /// `loans.from`: date deductions for industrial loans begin (`None`: off).
    pub loans_from: Option<NaiveDate>,
    /// `plan.start`: start of the 1928-29 plan year (`None`: off).
    pub plan_start: Option<NaiveDate>,
    /// `norms.continuous_from`: date of the Politburo decision on continuous revision
    /// (`None`: off).
    pub continuous_from: Option<NaiveDate>,
    /// `seven_hour.from`: start of the staged conversion to the seven-hour day (`None`:
    /// off).
    pub seven_hour_from: Option<NaiveDate>,
    /// `legitimacy.privilege_date`: date the privilege news spreads (`None`: off).
    pub privilege: Option<NaiveDate>,
    /// `campaign1.start`/`campaign1.end` and `campaign2.start`/`campaign2.end`: the
    /// collective-agreement campaigns of 1927-28 and 1928-29 as (start, end) (`None`: off).
    pub campaigns: [(Option<NaiveDate>, Option<NaiveDate>); 2],
    /// `opposition.factory_turn`: date the opposition turns to agitation in the factories
    /// (`None`: off).
    pub factory_turn: Option<NaiveDate>,
    /// `opposition.platform_date`: the 18-point platform on the worker question (`None`:
    /// off).
    pub platform: Option<NaiveDate>,
    /// `bl.line_change`, `decists.line_change`: dates the organizations' lines change to
    /// their `legality_after` (`None`: off).
    pub line_change: [Option<NaiveDate>; 2],
    /// `bl.new_party_from`, `decists.new_party_from`: dates the organizations call for a
    /// new party (`None`: off).
    pub new_party_from: [Option<NaiveDate>; 2],
    /// `capitulation.left_turn_from`: date the left turn makes capitulation attractive
    /// (`None`: off).
    pub left_turn_from: Option<NaiveDate>,
    /// `ogpu.escalation`: date of the repression escalation (Molotov's circular) (`None`:
    /// off).
    pub escalation: Option<NaiveDate>,
}

/// Every parameter of the 1928–1929 model, typed and checked, built once per run.
#[derive(Clone, Debug)]
pub struct Params {
    /// `run.seed`: random seed of the run.
    pub seed: u64,
    /// `run.steps`: number of weekly steps (1–520).
    pub steps: u32,
    /// The scenario's name (`[scenario] name`).
    pub name: String,
    /// Size of the model: the population and its factories.
    pub population: Population,
    /// Wages, prices and the plan.
    pub economy: Economy,
    /// Norms and rates, the seven-hour day.
    pub management: Management,
    /// The occasions of local disputes.
    pub disputes: Disputes,
    /// Work and health.
    pub health: Health,
    /// Hardship, legitimacy, risk, fear and efficacy.
    pub perception: Perception,
    /// The protest ladder.
    pub protest: Protest,
    /// Strikes as episodes.
    pub strikes: Strikes,
    /// Mass meetings of the collective-agreement campaigns.
    pub meetings: Meetings,
    /// The underground opposition.
    pub opposition: Opposition,
    /// The party's co-optation of respected workers.
    pub party: Party,
    /// The OGPU.
    pub ogpu: Ogpu,
    /// Exile colonies.
    pub exile: Exile,
    /// Moods.
    pub moods: Moods,
    /// Readings of factory reports for T10.
    pub reports: Reports,
    /// Switches of the mechanism groups (`mechanism.*`).
    pub switches: Switches,
    /// The dated keys.
    pub dates: Dates,
}

impl Params {
    /// Reads and checks every parameter. Errors name the key and its position.
    pub fn from_scenario(s: &Scenario) -> Result<Self, ScenarioError> {
        Self::read(s).map(|(p, _)| p)
    }

    /// Like [`Params::from_scenario`], also returning the keys read (for the test that
    /// every schema key is used).
    pub fn from_scenario_with_keys(s: &Scenario) -> Result<(Self, BTreeSet<String>), ScenarioError> {
        Self::read(s)
    }

    fn read(s: &Scenario) -> Result<(Self, BTreeSet<String>), ScenarioError> {
        let r = Reader { s, read: RefCell::new(BTreeSet::new()) };
        let full_scale = r.i("population.full_scale")? as f64;
        let scale = r.f("population.scale")?;
        let workers = (full_scale * scale).round().max(1.0) as usize;
        let tariff: Vec<f32> = r.list("tariff.coefficients")?.iter().map(|&x| x as f32).collect();
        let cs = r.list("opposition.class_shares")?;
        let line = |o: &str| -> Result<Line, ScenarioError> {
            Ok(Line {
                legality: r.f32(&format!("{o}.legality"))?,
                legality_after: r.f32(&format!("{o}.legality_after"))?,
                clarity: r.f32(&format!("{o}.clarity"))?,
            })
        };
        let per_person = |key: &str| -> Result<f64, ScenarioError> { Ok(r.f(key)? / full_scale) };
        let p = Params {
            seed: r.i("run.seed")? as u64,
            steps: r.i("run.steps")? as u32,
            name: s.meta.name.clone(),
            population: Population {
                full_scale,
                scale,
                workers,
                white_collar: r.f("population.white_collar")?,
                peasant_origin: r.f("population.peasant_origin")?,
                young: r.f("population.young")?,
                party: r.f("population.party")?,
                region_shares: r.list("population.region_shares")?,
                sector_shares: r.list("population.sector_shares")?,
                median_size: r.f("factories.median_size")?,
                size_sigma: r.f("factories.size_sigma")?,
                shop_size: r.i("factories.shop_size")? as u32,
                partners: r.i("factories.partners")? as usize,
            },
            economy: Economy {
                tariff: tariff.try_into().unwrap_or([1.0; 17]),
                downgrade_share: r.f("tariff.downgrade_share")?,
                prices: r.list("prices.index")?.iter().map(|&x| x as f32).collect(),
                shortage: r.list("prices.shortage")?.iter().map(|&x| x as f32).collect(),
                rent_rise_low: r.f32("rent.rise_low")?,
                rent_rise_high: r.f32("rent.rise_high")?,
                loan_deduction: r.f32("loans.deduction")?,
                productivity_target: r.f("plan.productivity_target")?,
                nominal_wage_cap: r.f("plan.nominal_wage_cap")?,
                keep_pace: r.b("wages.keep_pace")?,
            },
            management: Management {
                continuous: r.b("norms.continuous")?,
                annual_revision: r.f("norms.annual_revision")?,
                weekly_revision: r.f("norms.weekly_revision")?,
                norm_step: r.f("norms.step")?,
                rate_cut: r.f32("norms.rate_cut")?,
                seven_hour_share: r.f("seven_hour.final_share")?,
                seven_hour_strain: r.f32("seven_hour.fatigue")?,
            },
            disputes: Disputes {
                revision_salience: r.f32("disputes.revision_salience")?,
                late_pay: r.f("disputes.late_pay")?,
                late_pay_salience: r.f32("disputes.late_pay_salience")?,
                supply_failure: r.f("disputes.supply_failure")?,
                supply_salience: r.f32("disputes.supply_salience")?,
                foreman: r.f("disputes.foreman")?,
                foreman_salience: r.f32("disputes.foreman_salience")?,
                memory: r.f32("disputes.memory")?,
                militancy_spread: r.f("disputes.militancy_spread")?,
            },
            health: Health {
                effort_strain: r.f32("fatigue.effort_strain")?,
                recovery: r.f32("fatigue.recovery")?,
                ill_base: r.f32("illness.base")?,
                ill_per_fatigue: r.f32("illness.per_fatigue")?,
                ill_end: 1.0 / r.f32("illness.weeks")?,
            },
            perception: Perception {
                hardship_baseline: r.f32("hardship.baseline")?,
                wage_weight: r.f32("hardship.wage_weight")?,
                shortage_weight: r.f32("hardship.shortage_weight")?,
                fatigue_weight: r.f32("hardship.fatigue_weight")?,
                legitimacy_initial: r.f32("legitimacy.initial")?,
                legitimacy_spread: r.f32("legitimacy.spread")?,
                party_premium: r.f32("legitimacy.party_premium")?,
                influence: r.f32("legitimacy.influence")?,
                hardship_erosion: r.f32("legitimacy.hardship_erosion")?,
                party_erosion: r.f32("legitimacy.party_erosion")?,
                revision_shock: r.f32("legitimacy.revision_shock")?,
                privilege_shock: r.f32("legitimacy.privilege_shock")?,
                leaflet_effect: r.f32("legitimacy.leaflet_effect")?,
                concession_gain: r.f32("legitimacy.concession_gain")?,
                repression_loss: r.f32("legitimacy.repression_loss")?,
                release_demand_shock: r.f32("legitimacy.release_demand_shock")?,
                k: r.f32("risk.k")?,
                presence: r.f32("risk.presence")?,
                crowd: r.f32("risk.crowd")?,
                italianka_risk: r.f32("risk.italianka_factor")?,
                risk_memory: r.f32("risk.memory")?,
                partner_weight: r.f32("risk.partner_weight")?,
                fear_arrest_seen: r.f32("fear.arrest_seen")?,
                fear_decay: r.f32("fear.decay")?,
                efficacy_initial: r.f32("efficacy.initial")?,
                efficacy_win: r.f32("efficacy.win")?,
                efficacy_defeat: r.f32("efficacy.defeat")?,
                efficacy_drift: r.f32("efficacy.drift")?,
            },
            protest: Protest {
                passive: r.f32("protest.passive")?,
                italianka: r.f32("protest.italianka")?,
                strike: r.f32("protest.strike")?,
                grievance_weight: r.f32("protest.grievance_weight")?,
                threshold_mean: r.f32("protest.threshold_mean")?,
                threshold_spread: r.f32("protest.threshold_spread")?,
                shop_stop: r.f32("protest.shop_stop")?,
                italianka_effort: r.f32("protest.italianka_effort")?,
                young_risk: r.f32("protest.young_risk")?,
            },
            strikes: Strikes {
                join_salience: r.f32("strikes.join_salience")?,
                contagion: r.f32("strikes.contagion")?,
                mean_weeks: r.f("strikes.weeks")?,
                max_weeks: r.i("strikes.max_weeks")? as u16,
                episode_gap: r.i("strikes.episode_gap")? as u32,
                concession: r.f("strikes.concession")?,
                concession_raise: r.f32("strikes.concession_raise")?,
                leaders: r.i("strikes.leaders")? as u32,
                organize: r.f32("strikes.organize")?,
                organized_duration: r.f("strikes.organized_duration")?,
                organized_spread: r.f32("strikes.organized_spread")?,
            },
            meetings: Meetings {
                passive_attendance: r.f32("meetings.passive_attendance")?,
                quorum: r.f("meetings.quorum")?,
                vote_grievance: r.f32("meetings.vote_grievance")?,
                vote_bias: r.f32("meetings.vote_bias")?,
                sympathizer_vote: r.f32("meetings.sympathizer_vote")?,
                cell_weight: r.f32("meetings.cell_weight")?,
                vote_left: r.f32("meetings.vote_left")?,
                vote_fear: r.f32("meetings.vote_fear")?,
                vote_party: r.f32("meetings.vote_party")?,
            },
            opposition: Opposition {
                expelled: r.i("opposition.expelled")? as f64,
                underground: r.f("opposition.underground")?,
                cell_size: r.f("opposition.cell_size")?,
                sympathizers: r.f("opposition.sympathizers")?,
                exiled_at_start: r.f("opposition.exiled_at_start")?,
                decist_share: r.f("opposition.decist_share")?,
                class_shares: [cs[0], cs[1], cs[2]],
                leaflets: r.f32("opposition.leaflets")?,
                partner_reach: r.f32("opposition.partner_reach")?,
                platform_clarity: r.f32("opposition.platform_clarity")?,
                leaflet_lean: r.f32("opposition.leaflet_lean")?,
                indiscipline: r.f32("opposition.indiscipline")?,
                line_follows_members: r.b("opposition.line_follows_members")?,
                lines: [line("bl")?, line("decists")?],
                new_party_clarity: r.f32("new_party.clarity")?,
                new_party_reach: r.f32("new_party.reach")?,
                new_party_visibility: r.f32("new_party.visibility")?,
                sympathize: r.f32("recruit.sympathize")?,
                join: r.f32("recruit.join")?,
                white_collar_factor: r.f32("recruit.white_collar_factor")?,
                party_factor: r.f32("recruit.party_factor")?,
                young_misfit: r.f32("recruit.young_misfit")?,
                lapse: r.f32("recruit.lapse")?,
                young_radicalism: r.f32("recruit.young_radicalism")?,
                capitulation_base: r.f32("capitulation.base")?,
                capitulation_left_turn: r.f32("capitulation.left_turn")?,
                capitulation_legitimacy: r.f32("capitulation.legitimacy")?,
                chain_exposure: r.f("underground.chain_exposure")?,
                chain_detection: r.f("underground.chain_detection")?,
                centre_hit: r.f("underground.centre_hit")?,
                repair: r.f32("underground.repair")?,
            },
            party: Party {
                cooptation: r.f32("party.cooptation")?,
                cooptation_band: r.i("party.cooptation_band")? as u8,
                cooptation_legitimacy: r.f32("party.cooptation_legitimacy")?,
            },
            ogpu: Ogpu {
                informers: r.f32("ogpu.informers")?,
                informer_growth: r.f32("ogpu.informer_growth")?,
                ramp_weeks: r.i("ogpu.ramp_weeks")? as u32,
                detection: r.f32("ogpu.detection")?,
                strike_visibility: r.f32("ogpu.strike_visibility")?,
                capacity_per_person: per_person("ogpu.capacity")?,
                capacity_after_per_person: per_person("ogpu.capacity_after")?,
                provocateur: r.f("ogpu.provocateur")?,
                obstruction: r.f("ogpu.obstruction")?,
                release_demand: r.f("ogpu.release_demand")?,
                full_sympathy: r.f("ogpu.full_sympathy")?,
                prison_weeks: r.i("ogpu.prison_weeks")? as u16,
            },
            exile: Exile { influence: r.f32("exile.influence")?, letters: r.f32("exile.letters")? },
            moods: Moods {
                loyal: r.f32("mood.loyal")?,
                indifferent_grievance: r.f32("mood.indifferent_grievance")?,
                indifferent_efficacy: r.f32("mood.indifferent_efficacy")?,
                strike_left: r.f32("mood.strike_left")?,
                shortage_right: r.f32("mood.shortage_right")?,
            },
            reports: Reports { sick_share: r.f("report.sick_share")?, passive_share: r.f("report.passive_share")? },
            switches: Switches {
                local_disputes: r.b("mechanism.local_disputes")?,
                contagion: r.b("mechanism.contagion")?,
                organizing: r.b("mechanism.organizing")?,
                repression_of_protest: r.b("mechanism.repression_of_protest")?,
                recruitment: r.b("mechanism.recruitment")?,
                capitulation: r.b("mechanism.capitulation")?,
                escalation: r.b("mechanism.escalation")?,
                exile_feedback: r.b("mechanism.exile_feedback")?,
                social_influence: r.b("mechanism.social_influence")?,
            },
            dates: Dates {
                start: r.date("run.start")?.unwrap_or_else(|| d("1928-01-02")),
                rent_rise: r.date("rent.rise_date")?,
                loans_from: r.date("loans.from")?,
                plan_start: r.date("plan.start")?,
                continuous_from: r.date("norms.continuous_from")?,
                seven_hour_from: r.date("seven_hour.from")?,
                privilege: r.date("legitimacy.privilege_date")?,
                campaigns: [(r.date("campaign1.start")?, r.date("campaign1.end")?), (r.date("campaign2.start")?, r.date("campaign2.end")?)],
                factory_turn: r.date("opposition.factory_turn")?,
                platform: r.date("opposition.platform_date")?,
                line_change: [r.date("bl.line_change")?, r.date("decists.line_change")?],
                new_party_from: [r.date("bl.new_party_from")?, r.date("decists.new_party_from")?],
                left_turn_from: r.date("capitulation.left_turn_from")?,
                escalation: r.date("ogpu.escalation")?,
            },
        };
        check(&p, s)?;
        let keys = r.read.into_inner();
        Ok((p, keys))
    }
}

/// Checks that involve several parameters at once, with the position of the key to blame.
pub(crate) fn check(p: &Params, s: &Scenario) -> Result<(), ScenarioError> {
    let err = |key: &str, msg: String, help: &str| {
        let pos = s.get(key).and_then(|p| match p.origin {
            perelom_scenario::Origin::File { line, column } => Some((line, column)),
            _ => None,
        });
        Err(ScenarioError::new(&s.file, pos, msg).with_help(help))
    };
    if p.opposition.class_shares.iter().sum::<f64>() > 1.0 + 1e-9 {
        return err(
            "opposition.class_shares",
            "opposition.class_shares add up to more than 1".into(),
            "give blue-collar, white-collar and peasant shares summing to at most 1",
        );
    }
    if p.population.region_shares.iter().sum::<f64>() <= 0.0 {
        return err("population.region_shares", "population.region_shares are all zero".into(), "give at least one positive share");
    }
    if p.population.sector_shares.iter().sum::<f64>() <= 0.0 {
        return err("population.sector_shares", "population.sector_shares are all zero".into(), "give at least one positive share");
    }
    if p.protest.passive > p.protest.italianka {
        return err(
            "protest.passive",
            "protest.passive is above protest.italianka".into(),
            "the protest ladder needs passive <= italianka thresholds",
        );
    }
    if p.population.workers > 10_000_000 {
        return err(
            "population.scale",
            format!("{} people is more than this build supports", p.population.workers),
            "lower population.scale or population.full_scale",
        );
    }
    for (c, (a, b)) in p.dates.campaigns.iter().enumerate() {
        if let (Some(a), Some(b)) = (a, b) {
            if b < a {
                let key = format!("campaign{}.end", c + 1);
                return err(&key, format!("campaign{} ends before it starts", c + 1), "give an end date after the start date");
            }
        }
    }
    Ok(())
}
