//! The 1928–1929 model's parameters: the schema (key, range, default, doc, citation)
//! and the typed [`Config`] read from a resolved scenario.
//!
//! Citations name the fact ids of Perelom's evidence table (`docs/EVIDENCE.md`, F01–F40)
//! or a reference: `src` when the evidence gives the value itself, `mech` when it gives
//! only the mechanism and the value is assumed (with the reason), `asm` when neither.
//! Mechanism-only and assumed values are what calibration estimates.

use chrono::NaiveDate;
use perelom_scenario::{Cite, Kind, ParamSpec, Scenario, Value};

pub const REGIONS: [&str; 6] = ["Moscow", "Leningrad", "Ivanovo", "Urals", "Ukraine", "other"];
pub const SECTORS: [&str; 6] = ["metal", "textile", "garment", "rubber-chemical", "rail", "other"];
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
/// The evidence gives the mechanism, not the value, which is assumed for the reason given.
fn mech(mechanism: &str, assumed: &str) -> Cite {
    Cite::mechanism(mechanism, assumed)
}

fn float(key: &'static str, min: f64, max: f64, v: f64, doc: &'static str, cite: Cite) -> ParamSpec {
    ParamSpec::new(key, Kind::Float { min, max }, Value::Float(v), doc, cite)
}
fn int(key: &'static str, min: i64, max: i64, v: i64, doc: &'static str, cite: Cite) -> ParamSpec {
    ParamSpec::new(key, Kind::Int { min, max }, Value::Int(v), doc, cite)
}
fn date(key: &'static str, v: &str, doc: &'static str, cite: Cite) -> ParamSpec {
    ParamSpec::new(key, Kind::Date { min: d("1900-01-01"), max: d("2000-12-31") }, Value::Date(d(v)), doc, cite)
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

/// Never: a date after any run, to switch a dated event off.
pub const NEVER: &str = "1999-12-31";

pub fn schema() -> Vec<ParamSpec> {
    vec![
        // --- run -----------------------------------------------------------------------
        int("run.seed", 0, i64::MAX, 1, "random seed of the run", asm("any seed; results are checked over ensembles")),
        date("run.start", "1928-01-02", "date of the first weekly step", src("MODEL.md: weekly steps from 1928-01-02")),
        int("run.steps", 1, 520, 104, "number of weekly steps", src("MODEL.md: 104 weeks to 1929-12-30")),
        // --- population ----------------------------------------------------------------
        int(
            "population.full_scale",
            1000,
            10_000_000,
            3_000_000,
            "workforce at scale 1.0 (census industry)",
            asm("MODEL.md: about 3 million; the denominator of T1"),
        ),
        float(
            "population.scale",
            0.0001,
            1.0,
            0.02,
            "share of the full workforce modelled, one agent per person",
            asm("small enough to run in seconds; 1.0 = full scale"),
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
            asm("influx of villagers into industry, F01 context"),
        ),
        prob("population.young", 0.3, "share of young workers (under about 25)", asm("young cohort of the late 1920s workforce")),
        prob(
            "population.party",
            0.1,
            "share of party members in the workforce",
            asm("order of magnitude of party saturation in industry, F29"),
        ),
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
            "median factory workforce (lognormal size distribution)",
            asm("census industry: many plants of a few hundred, a few giants"),
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
            "ties.across_factories",
            0,
            20,
            2,
            "ties of each worker to workers of other factories in the region (F14)",
            mech("F14: strikers sought links with other enterprises", "a few kin and neighbour ties each"),
        ),
        // --- wages and prices ----------------------------------------------------------
        floats(
            "tariff.coefficients",
            17,
            0.1,
            20.0,
            &[1.0, 1.1, 1.2, 1.32, 1.45, 1.6, 1.75, 1.92, 2.1, 2.3, 2.55, 2.8, 3.1, 3.45, 3.85, 4.3, 4.8],
            "wage coefficient of each of the 17 tariff bands",
            mech("F05: 17 tariff bands", "the coefficients, rising with band; F05 gives the number of bands, not their pay"),
        ),
        prob(
            "tariff.downgrade_share",
            0.15,
            "share of workers moved one band down in the end-1927 reform",
            mech("F05: many workers moved down a band without negotiation", "share"),
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
            mech("F08: prices rise amid shortages; F17: the platform asks compensation for a 10 % price rise", "the monthly path, about 10 % a year; the study gives no index"),
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
            mech("F08: worsening food shortages", "the monthly path"),
        ),
        date("rent.rise_date", "1928-10-01", "date of the regressive rent rise", mech("F08, F19: rents rise in autumn 1928", "the day: 1 October (the study gives the season)")),
        float(
            "rent.rise_low",
            0.0,
            0.5,
            0.04,
            "rent rise as a share of earnings for bands 1-6",
            mech("F19: the rent rise falls on low incomes", "size"),
        ),
        float(
            "rent.rise_high",
            0.0,
            0.5,
            0.005,
            "rent rise as a share of earnings for bands 7-17",
            mech("F19: the rent rise nearly spares high earners", "size"),
        ),
        float(
            "loans.deduction",
            0.0,
            0.5,
            0.03,
            "share of earnings withheld for industrial loans",
            mech("F08: part of the wage withheld for industrial loans", "size"),
        ),
        date("loans.from", "1928-06-01", "date deductions for industrial loans begin", asm("F08 gives no date; mid-1928")),
        date(
            "plan.start",
            "1928-10-01",
            "start of the 1928-29 plan year (productivity +17.5 %, wages +5 %)",
            mech("F10: the plan for the financial year 1928-29", "the date: the Soviet financial year began on 1 October, which the study does not state"),
        ),
        float("plan.productivity_target", 0.0, 1.0, 0.175, "planned rise of labour productivity in the plan year", src("F10: +17.5 % labour productivity in 1928-29")),
        float("plan.nominal_wage_cap", 0.0, 1.0, 0.05, "cap on the rise of nominal wages in the plan year", src("F10: nominal wages capped at +5 % in 1928-29")),
        flag(
            "wages.keep_pace",
            false,
            "nominal wages rise with productivity (the X4 counterfactual)",
            src("F17: the opposition's demand; not granted (F10: wages capped at +5 % against +17.5 % productivity)"),
        ),
        // --- norms ---------------------------------------------------------------------
        flag("norms.continuous", true, "norms and rates revised in day-to-day work after the Politburo decision", src("F09")),
        date("norms.continuous_from", "1928-01-19", "date of the Politburo decision on continuous revision", src("F09: 19 Jan 1928")),
        prob(
            "norms.annual_revision",
            0.0192,
            "weekly chance of a revision while norms are fixed for the year (1/52)",
            src("F09: before 19 Jan 1928 norms were fixed for the year: one revision a year (1/52 a week)"),
        ),
        prob(
            "norms.weekly_revision",
            0.05,
            "weekly chance of a revision in a factory once revision is continuous",
            asm("revisions every few months per factory"),
        ),
        float(
            "norms.step",
            0.0,
            0.5,
            0.04,
            "rise of the output norm at a revision (rates cut so the same effort earns less)",
            mech("F06: norms raised, rates cut", "size"),
        ),
        // --- work, fatigue, illness ------------------------------------------------------
        date(
            "seven_hour.from",
            "1928-01-02",
            "start of the staged conversion to the seven-hour day",
            mech("F07: the seven-hour day introduced in stages in several branches", "the date: from the run's start; the study gives none"),
        ),
        prob("seven_hour.final_share", 0.4, "share of factories converted by the end of 1929", mech("F07: several branches, not all", "share")),
        float(
            "seven_hour.fatigue",
            0.0,
            1.0,
            0.08,
            "extra weekly strain in a converted factory (more machines, night shifts)",
            mech("F07: more machines per worker and night shifts, a heavier physical burden", "size"),
        ),
        float(
            "fatigue.effort_strain",
            0.0,
            5.0,
            0.6,
            "strain per unit of norm above the 1927 norm",
            mech("F10: overexertion brings exhaustion", "size"),
        ),
        prob("fatigue.recovery", 0.35, "share of fatigue recovered each week", asm("fatigue halves in about two weeks of normal work")),
        prob("illness.base", 0.01, "weekly chance of falling ill at zero fatigue", asm("background sickness rate")),
        prob(
            "illness.per_fatigue",
            0.06,
            "extra weekly chance of illness per unit of fatigue",
            mech("F10: exhaustion and illness", "size"),
        ),
        float("illness.weeks", 1.0, 20.0, 1.6, "mean weeks off sick", asm("short absences")),
        // --- perception ----------------------------------------------------------------
        float(
            "hardship.baseline",
            0.0,
            1.0,
            0.25,
            "spread of individual baseline hardship (uniform 0..value)",
            mech("Epstein 2002: heterogeneous hardship", "spread"),
        ),
        float(
            "hardship.wage_weight",
            0.0,
            10.0,
            2.5,
            "hardship per unit fall of the real wage below one's end-1927 level",
            mech("F08: falling real wages", "weight"),
        ),
        float("hardship.shortage_weight", 0.0, 2.0, 0.35, "hardship per unit of the shortage index", mech("F08: food shortages", "weight")),
        float("hardship.fatigue_weight", 0.0, 2.0, 0.3, "hardship per unit of fatigue", mech("F10: overexertion", "weight")),
        float(
            "legitimacy.initial",
            0.0,
            1.0,
            0.62,
            "mean perceived legitimacy of the regime at the end of 1927",
            asm("most workers still accept the party line at the start (F22 shows the fall)"),
        ),
        float("legitimacy.spread", 0.0, 0.5, 0.15, "spread (uniform half-width) of initial legitimacy", asm("heterogeneous views")),
        float(
            "legitimacy.influence",
            0.0,
            1.0,
            0.08,
            "weekly pull of one's legitimacy towards the shop mean (social influence)",
            mech("MODEL.md appendix: legitimacy moves towards the mean of one's ties", "weekly pull"),
        ),
        float(
            "legitimacy.hardship_erosion",
            0.0,
            0.2,
            0.004,
            "weekly legitimacy loss per unit of hardship",
            asm("disappointment with the line as living standards fall"),
        ),
        float(
            "legitimacy.revision_shock",
            0.0,
            0.5,
            0.03,
            "legitimacy loss in a factory at a norm revision (broken agreement)",
            mech("F09: collective agreements become formalities", "size"),
        ),
        float(
            "legitimacy.privilege_shock",
            0.0,
            0.5,
            0.05,
            "legitimacy loss when the partmaksimum rise becomes known",
            mech("F19: +20 % pay for senior party members", "size of the loss of legitimacy"),
        ),
        date("legitimacy.privilege_date", "1928-10-15", "date the privilege news spreads", mech("F19: the partmaksimum rise, autumn 1928", "the day: mid-October (the study gives the season)")),
        float("legitimacy.leaflet_effect", 0.0, 0.5, 0.015, "legitimacy loss per leaflet read", mech("MODEL.md appendix: leaflets read lower legitimacy", "size")),
        float(
            "legitimacy.concession_gain",
            0.0,
            0.5,
            0.05,
            "legitimacy gain in a factory that wins a concession",
            mech("MODEL.md appendix: concessions raise legitimacy", "size"),
        ),
        float("risk.k", 0.0, 20.0, 2.3, "constant of the estimated arrest probability", mech("Epstein 2002: P = 1 - exp(-k C/A) with k = 2.3", "Epstein's constant carried over to Soviet factories; no evidence for this setting")),
        float(
            "fear.arrest_seen",
            0.0,
            1.0,
            0.25,
            "fear added by an arrest in one's factory or among one's ties",
            mech("F38: arrests rise sharply", "size"),
        ),
        prob("fear.decay", 0.1, "share of fear lost each week", asm("fear fades over months")),
        float("efficacy.initial", 0.0, 1.0, 0.6, "mean initial belief that collective action can succeed", asm("F24 shows its fall")),
        float("efficacy.win", 0.0, 1.0, 0.1, "efficacy gained in a factory after a won strike or meeting", mech("MODEL.md appendix: a won strike or meeting raises efficacy", "size")),
        float(
            "efficacy.defeat",
            0.0,
            1.0,
            0.08,
            "efficacy lost in a factory after a revision, a lost strike or an arrest",
            mech("F24: 'things won't be done our way'", "size"),
        ),
        float("efficacy.drift", 0.0, 0.2, 0.003, "weekly efficacy loss per unit of hardship left unanswered", mech("F24: workers stop expecting anything of meetings", "size")),
        // --- protest -------------------------------------------------------------------
        float(
            "protest.passive",
            0.0,
            1.0,
            0.06,
            "net grievance above which a worker protests passively (skips meetings)",
            mech("F12: passive protest", "threshold"),
        ),
        float(
            "protest.italianka",
            0.0,
            1.0,
            0.14,
            "net grievance above which a worker is ready to slow down (italianka)",
            mech("F12: italianki", "threshold"),
        ),
        float(
            "protest.strike",
            0.0,
            1.0,
            0.39,
            "net grievance above which a worker is ready to strike",
            mech("F12, F13: strikes, the active protest", "threshold; set by hand, inside the 90 % ABC-SMC posterior [0.31, 0.44] of `perelom calibrate --budget 1500 --particles 100` (2026-11-25, perelom 0.1.0)"),
        ),
        float(
            "protest.threshold_mean",
            0.0,
            1.0,
            0.25,
            "mean Granovetter threshold: share of the shop that must be ready first",
            mech("Granovetter 1978: threshold models of collective behaviour", "set by hand, inside the 90 % ABC-SMC posterior [0.17, 0.32] of `perelom calibrate --budget 1500 --particles 100` (2026-11-25, perelom 0.1.0)"),
        ),
        float("protest.threshold_spread", 0.0, 1.0, 0.3, "spread (uniform half-width) of Granovetter thresholds", mech("Granovetter 1978: threshold models of collective behaviour", "spread")),
        prob(
            "protest.shop_stop",
            0.3,
            "share of a shop that must join for the shop to stop work",
            asm("T1 counts a strike when a shop stops"),
        ),
        float(
            "strikes.contagion",
            0.0,
            1.0,
            0.06,
            "net grievance added per tie to a factory on strike last week",
            mech("F14: strikers seek links with other enterprises", "size"),
        ),
        float("strikes.weeks", 1.0, 10.0, 1.15, "mean strike duration in weeks", asm("most strikes lasted hours or days")),
        prob(
            "strikes.concession",
            0.35,
            "chance a strike ends in a concession (else repression)",
            asm("management often yielded on rates locally"),
        ),
        int(
            "strikes.leaders_sacked",
            0,
            50,
            2,
            "strike leaders sacked (and blacklisted) after a repressed strike",
            mech("F39: no re-hiring under one employer", "number"),
        ),
        float(
            "strikes.organize",
            0.0,
            1.0,
            0.15,
            "net grievance an opposition member adds to shop-mates when leading strikes (scaled by 1 - legality)",
            mech("F27: the leaders' line steered workers away from strikes", "size"),
        ),
        // --- mass meetings -------------------------------------------------------------
        date(
            "campaign1.start",
            "1928-01-02",
            "start of the 1927-28 collective-agreement campaign (in the run window)",
            mech("F21, F09: the 1927-28 collective-agreement campaign, under way in early 1928", "the date: the run's first week; the study gives none"),
        ),
        date("campaign1.end", "1928-03-31", "end of the 1927-28 campaign", mech("F21: the 1927-28 campaign", "the date: end of March 1928; the study gives none")),
        date(
            "campaign2.start",
            "1928-11-19",
            "start of the 1928-29 collective-agreement campaign",
            mech("F21: the 1928-29 campaign; the Moskvoshvei meeting reported on 17 Dec 1928", "the date: four weeks before that report"),
        ),
        date("campaign2.end", "1929-02-28", "end of the 1928-29 campaign", mech("F21: the 1928-29 campaign", "the date: end of February 1929; the study gives none")),
        prob(
            "meetings.passive_attendance",
            0.25,
            "attendance chance of a passive protester relative to others",
            mech("F12, F24: workers stay away from meetings", "relative attendance"),
        ),
        prob(
            "meetings.quorum",
            0.2,
            "attendance share below which a meeting fails",
            mech("F24: meetings fail for lack of attendance", "share"),
        ),
        float(
            "meetings.vote_grievance",
            0.0,
            20.0,
            7.0,
            "weight of grievance in the vote for the opposition's resolution",
            mech("F21: aggrieved workers vote for the opposition's resolutions", "weight"),
        ),
        float(
            "meetings.vote_bias",
            -20.0,
            20.0,
            -3.2,
            "log-odds of voting for the opposition with no grievance (the cell controls the floor)",
            mech("F25, F21: the triangle runs the meeting", "log-odds"),
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
            mech("F21: where the opposition was organized it took the chair", "set by hand, inside the 90 % ABC-SMC posterior [1.08, 1.93] of `perelom calibrate --budget 1500 --particles 100` (2026-11-25, perelom 0.1.0)"),
        ),
        // --- opposition ----------------------------------------------------------------
        int(
            "opposition.expelled",
            0,
            100_000,
            8000,
            "oppositionists expelled after the 15th congress, at full scale",
            src("F03: about 8,000"),
        ),
        float(
            "opposition.cell_size",
            1.0,
            100.0,
            4.0,
            "mean members per factory cell at the start (cells are clustered)",
            mech("F03: networks of local cells", "size"),
        ),
        float(
            "opposition.sympathizers",
            0.0,
            50.0,
            3.0,
            "sympathizers per member at the start, in the member's shop",
            mech("F20: sympathizers around the oppositionists", "number"),
        ),
        prob(
            "opposition.underground",
            0.45,
            "share of the expelled who stay active in the underground",
            mech("F04: many reconcile, the irreconcilables stay", "share"),
        ),
        prob(
            "opposition.exiled_at_start",
            0.1,
            "share of the active who start in exile (the leaders)",
            mech("F03: the leaders exiled", "share: a tenth of the active"),
        ),
        prob(
            "opposition.decist_share",
            0.2,
            "share of the active who are Decists",
            mech("F02: the Decists are the smaller wing", "share"),
        ),
        floats(
            "opposition.class_shares",
            3,
            0.0,
            1.0,
            &[0.469, 0.397, 0.088],
            "blue-collar, white-collar and peasant shares of the expelled",
            src("F33: 46.9 %, 39.7 %, 8.8 %"),
        ),
        date(
            "opposition.factory_turn",
            "1927-12-15",
            "date the opposition turns to agitation in the factories",
            mech("F16: opposition leaflets in Moscow factories from December 1927", "the day: mid-December; any day before the run's start gives the same run"),
        ),
        prob(
            "bl.legality",
            0.9,
            "Bolshevik Leninists: how far demands are kept inside union and party legality",
            mech("F27: the leaders' line: demands kept inside union and party legality", "0.9 reads that line as high legality"),
        ),
        prob("bl.clarity", 0.3, "Bolshevik Leninists: clarity of the programme of action", mech("F23: no clear programme of action", "0.3 reads that as low clarity")),
        date(
            "bl.new_party_from",
            NEVER,
            "Bolshevik Leninists: date they call for a new party (never, historically)",
            src("F28: the leaders reject a new party"),
        ),
        prob(
            "decists.legality",
            0.6,
            "Decists: how far demands are kept inside legality",
            mech("F02: the more radical wing", "value"),
        ),
        prob("decists.clarity", 0.35, "Decists: clarity of the programme of action", asm("a little clearer than the BL")),
        date("decists.new_party_from", NEVER, "Decists: date they call for a new party", asm("no such call in the run window")),
        float(
            "opposition.leaflets",
            0.0,
            100.0,
            6.0,
            "workers reached by one member's leaflets each week",
            mech("F22: short of propagandists, money and literature", "number"),
        ),
        date("opposition.platform_date", "1928-10-01", "the 18-point platform on the worker question", mech("F17: the eighteen-point platform, autumn 1928", "the day: 1 October (the study gives the season; its leaflet is dated November 1928)")),
        float("opposition.platform_clarity", 0.0, 1.0, 0.1, "clarity added by the platform", mech("F17: the platform's concrete demands", "size")),
        float(
            "recruit.sympathize",
            0.0,
            1.0,
            0.12,
            "chance a leafleted worker of full grievance becomes a sympathizer",
            mech("F20: workers begin to sympathize", "chance"),
        ),
        float(
            "recruit.join",
            0.0,
            1.0,
            0.012,
            "weekly chance a sympathizer of full grievance joins, at full clarity",
            mech("F32: an inflow of new members", "set by hand, inside the 90 % ABC-SMC posterior [0.0069, 0.028] of `perelom calibrate --budget 1500 --particles 100` (2026-11-25, perelom 0.1.0)"),
        ),
        prob(
            "recruit.white_collar_factor",
            0.3,
            "receptiveness of white-collar staff relative to manual workers",
            asm("the factory agitation spoke to the shop floor; calibrated to T2 (F33)"),
        ),
        prob("recruit.party_factor", 0.3, "receptiveness of party members relative to non-party workers", mech("F30: work among non-party workers is more productive than in party cells", "factor")),
        prob("recruit.young_misfit", 0.5, "how much the legal line puts young workers off joining (times legality)", mech("F34: young members cannot understand the refusal of a new party", "factor")),
        prob("recruit.lapse", 0.01, "weekly chance a sympathizer loses interest", asm("sympathy fades without contact")),
        prob("capitulation.base", 0.002, "weekly chance an old cadre capitulates", mech("F04: old cadres reconcile with the general line", "rate")),
        prob(
            "capitulation.left_turn",
            0.012,
            "extra weekly chance once the left turn is under way",
            mech("F04: reconciliation rises as industrialization proceeds", "rate"),
        ),
        date(
            "capitulation.left_turn_from",
            "1929-01-01",
            "date the left turn makes capitulation attractive",
            mech("F04: the left turn", "the date: the turn of 1928-29"),
        ),
        flag(
            "opposition.line_follows_members",
            false,
            "whether an organization's line follows its members' radicalization",
            src("MODEL.md; F28, F34: the leaders kept their line though members could not understand it"),
        ),
        // --- state ---------------------------------------------------------------------
        float("ogpu.informers", 0.0, 20.0, 0.8, "informers per 100 workers", asm("dense enough to cover most shops")),
        float(
            "ogpu.capacity",
            0.0,
            100_000.0,
            30.0,
            "arrests per week at full scale before the escalation",
            asm("routine political policing"),
        ),
        float(
            "ogpu.capacity_after",
            0.0,
            100_000.0,
            450.0,
            "arrests per week at full scale after the escalation",
            mech("F38: arrests rise sharply", "size"),
        ),
        date("ogpu.escalation", "1928-09-24", "date of the repression escalation (Molotov's circular)", src("F38: 24 Sep 1928")),
        float(
            "ogpu.informer_growth",
            1.0,
            10.0,
            2.5,
            "factor on informer density after the escalation",
            mech("F38: surveillance and provocateurs", "size"),
        ),
        prob(
            "ogpu.detection",
            0.075,
            "weekly chance an active member is detected, per informer per 100 workers",
            asm("calibrated so the underground lasts into 1929; set by hand, inside the 90 % ABC-SMC posterior [0.034, 0.112] of `perelom calibrate --budget 1500 --particles 100` (2026-11-25, perelom 0.1.0)"),
        ),
        prob(
            "ogpu.provocateur",
            0.01,
            "weekly chance, after the escalation, that a provocateur exposes a whole factory cell",
            mech("F38: agents provocateurs", "chance"),
        ),
        prob(
            "ogpu.obstruction",
            0.25,
            "chance an arrest is obstructed in a factory where everyone sympathizes",
            mech("F38: workers obstruct arrests", "chance"),
        ),
        int("ogpu.prison_weeks", 1, 52, 4, "weeks in prison before exile or release to the blacklist", asm("short investigations")),
        prob(
            "party.cooptation",
            0.0003,
            "weekly chance a respected non-party worker is enrolled in the party",
            mech("F29: the October 1927 enrolment", "rate"),
        ),
        // --- exile colonies ------------------------------------------------------------
        float(
            "exile.drift",
            0.0,
            1.0,
            0.08,
            "weekly radicalization of an exile, scaled by the colony's share of young workers",
            mech("F35, F36: exile colonies radicalize, refilled by young workers", "rate"),
        ),
        float("exile.letters", 0.0, 1.0, 0.05, "weekly pull of members' strategy preference towards the colonies' radicalism", mech("F37: worker exiles' radical strategy reaches the underground", "rate")),
        // --- constants of the rules, exposed so that each is sourced or assumed ------------
        prob(
            "legitimacy.party_erosion",
            0.5,
            "party members' legitimacy erodes at this fraction of others' rate",
            asm("members are invested in the line (F29)"),
        ),
        float("opposition.leaflet_lean", 0.0, 0.5, 0.02, "shift towards the left per leaflet read", mech("F15, F20: workers draw political conclusions from the agitation", "size")),
        prob(
            "protest.italianka_effort",
            0.5,
            "effort and output of a worker in a slow-down, relative to the norm",
            mech("F12: work slowed to nearly nil", "share"),
        ),
        int(
            "party.cooptation_band",
            1,
            17,
            8,
            "lowest tariff band of the respected workers the party enrols",
            mech("F29: respected (skilled) workers invited to join", "band"),
        ),
        float("party.cooptation_legitimacy", 0.0, 1.0, 0.2, "legitimacy gained on enrolment in the party", asm("a member adopts the line")),
        float(
            "meetings.vote_left",
            0.0,
            10.0,
            0.5,
            "extra log-odds for the opposition's resolution from left-leaning workers",
            mech("F15, F22: left moods", "weight"),
        ),
        float(
            "meetings.vote_fear",
            0.0,
            20.0,
            2.0,
            "log-odds lost per unit of fear (an open vote is watched)",
            mech("F22: fear", "weight"),
        ),
        float("meetings.vote_party", 0.0, 20.0, 1.5, "log-odds lost by party members (party discipline)", mech("F29: party members follow the cell", "weight")),
        prob("mood.loyal", 0.5, "legitimacy from which a worker counts as loyal to the line", asm("reading of F22 for T8")),
        prob("mood.indifferent_grievance", 0.12, "grievance below which a non-loyal worker counts as indifferent", asm("reading of F22")),
        prob(
            "mood.indifferent_efficacy",
            0.15,
            "efficacy below which a non-loyal worker counts as indifferent",
            mech("F24: 'things won't be done our way'", "level"),
        ),
        prob(
            "opposition.indiscipline",
            0.3,
            "how far a member's own radicalism bends the organization's legality",
            mech("F34: members who cannot accept the line", "size"),
        ),
        float("new_party.clarity", 0.0, 1.0, 0.2, "clarity added by a call for a new party", mech("F28, F34: the new party workers asked about", "size")),
        float(
            "new_party.reach",
            1.0,
            5.0,
            1.5,
            "factor on leaflet reach under a new-party call",
            mech("F28: workers would welcome a new party", "size"),
        ),
        float("new_party.visibility", 0.0, 5.0, 0.5, "extra detection chance of members under a new-party call", mech("F38: surveillance", "size")),
        prob("capitulation.legitimacy", 0.8, "legitimacy of an oppositionist who capitulates", mech("F04: those who reconcile accept the general line", "level")),
        prob(
            "recruit.young_radicalism",
            0.4,
            "lowest radicalism of a young recruit (uniform over the next 0.3)",
            mech("F34, F36: young workers do not see the state as theirs", "level"),
        ),
        prob(
            "strikes.leader_grievance",
            0.3,
            "grievance above which a striker counts as a leader to be sacked",
            asm("the most aggrieved lead"),
        ),
        int("strikes.max_weeks", 1, 52, 12, "longest strike in weeks", asm("no strike of the period lasted a quarter")),
        float(
            "strikes.concession_raise",
            0.0,
            0.5,
            0.03,
            "rise of pay at the norm when a strike wins a concession",
            asm("about one rate cut restored"),
        ),
        prob("report.sick_share", 0.06, "share off sick from which a factory reports absences (T10)", asm("reading of F11 for T10")),
        prob(
            "report.passive_share",
            0.3,
            "share in passive protest from which a factory reports indiscipline (T10)",
            asm("reading of F11, F12 for T10"),
        ),
        // --- the underground's structure (F03) and protests against arrests (F38) --------
        prob(
            "underground.chain_exposure",
            0.3,
            "chance an exposed cell leads the OGPU to its city group",
            mech("F03, F38: searches follow the network", "chance"),
        ),
        prob(
            "underground.chain_detection",
            0.15,
            "chance each member in a broken city group's region is detected",
            mech("F38: mass searches", "chance"),
        ),
        prob("underground.centre_hit", 0.3, "chance a broken city group leads the OGPU to the centre", mech("F03, F38: the centres and the operations against them", "chance")),
        prob(
            "underground.repair",
            0.02,
            "weekly recovery of a damaged city group or centre while members remain",
            asm("links are rebuilt slowly"),
        ),
        prob(
            "ogpu.full_sympathy",
            0.1,
            "share of sympathizers and members at which a factory counts as fully sympathetic",
            asm("a tenth of a shop suffices to shield one of its own"),
        ),
        float(
            "legitimacy.release_demand_shock",
            0.0,
            0.5,
            0.02,
            "legitimacy lost in a factory whose demand for a release is refused",
            mech("F38: workers demand releases", "size"),
        ),
        prob(
            "norms.rate_cut",
            0.5,
            "share of a norm rise taken back from earnings at the norm (rates cut)",
            mech("F06: the same effort earns less", "share"),
        ),
        prob(
            "ogpu.release_demand",
            0.3,
            "chance workers demand a release after an arrest in a fully sympathetic factory",
            mech("F38: some workers demand releases", "chance"),
        ),
    ]
}

/// One organization's settings.
#[derive(Clone, Debug)]
pub struct OrgConfig {
    pub legality: f64,
    pub clarity: f64,
    pub new_party_from: NaiveDate,
}

/// Every parameter, typed, in the units the model uses.
#[derive(Clone, Debug)]
pub struct Config {
    pub seed: u64,
    pub start: NaiveDate,
    pub steps: u32,
    pub workers: usize,
    pub scale: f64,
    pub p: Scenario,
    pub orgs: [OrgConfig; 2],
}

impl Config {
    pub fn from_scenario(s: &Scenario) -> Self {
        let org = |k: &str| OrgConfig {
            legality: s.float(&format!("{k}.legality")),
            clarity: s.float(&format!("{k}.clarity")),
            new_party_from: s.date(&format!("{k}.new_party_from")),
        };
        let scale = s.float("population.scale");
        Config {
            seed: s.int("run.seed") as u64,
            start: s.date("run.start"),
            steps: s.int("run.steps") as u32,
            workers: ((s.int("population.full_scale") as f64) * scale).round().max(1.0) as usize,
            scale,
            p: s.clone(),
            orgs: [org("bl"), org("decists")],
        }
    }

    pub fn f(&self, key: &str) -> f64 {
        self.p.float(key)
    }
    pub fn date(&self, key: &str) -> NaiveDate {
        self.p.date(key)
    }
}
