//! The model's state: people, factories, organizations, exile colonies.
//!
//! Per-person state is one compact struct (76 bytes, asserted in a test) in a vector ordered by factory
//! and shop, so a shop's workers are one contiguous slice: the weekly pass hands each
//! shop's slice to a thread with its own random stream. At full scale (3 million
//! people) the vector takes about 230 MB.

/// The regions of the model (MODEL.md: at least Moscow, Leningrad, Ivanovo, Urals, Ukraine).
pub const REGIONS: [&str; 6] = ["Moscow", "Leningrad", "Ivanovo", "Urals", "Ukraine", "other"];
/// The sectors of the model (MODEL.md: metal, textile, garment, rubber/chemical, rail).
pub const SECTORS: [&str; 6] = ["metal", "textile", "garment", "rubber-chemical", "rail", "other"];
/// Index into [`REGIONS`].
pub type Region = u8;
/// Index into [`SECTORS`].
pub type Sector = u8;

/// The concrete occasion of a local dispute (F06, F08, F09, F12, F16).
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum Occasion {
    /// No occasion this week.
    #[default]
    None = 0,
    /// Norms raised and rates cut in the factory this week (F06, F09).
    NormRevision = 1,
    /// Wages paid late in the factory (F12).
    LatePay = 2,
    /// A shop's supplies failed: idle time and lost pay (F08).
    SupplyFailure = 3,
    /// A conflict with a foreman in a shop (F16).
    Foreman = 4,
}

impl Occasion {
    /// Words for the event log and the survey.
    pub fn label(self) -> &'static str {
        match self {
            Occasion::None => "none",
            Occasion::NormRevision => "norm revision and rate cut",
            Occasion::LatePay => "wages paid late",
            Occasion::SupplyFailure => "supply failure",
            Occasion::Foreman => "conflict with a foreman",
        }
    }
    /// All occasions that can start a dispute, in a fixed order.
    pub const ALL: [Occasion; 4] = [Occasion::NormRevision, Occasion::LatePay, Occasion::SupplyFailure, Occasion::Foreman];
}

/// A strike in progress in a factory: an episode (F13).
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, Default)]
pub struct StrikeEpisode {
    /// Weeks left before the strike ends (0: no strike this week).
    pub weeks_left: u16,
    /// Whether opposition members lead it (F14, F27).
    pub organized: bool,
    /// The occasion that started it.
    pub occasion: Occasion,
}

/// Employment status: every person is in exactly one each week (F39).
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Status {
    /// At work.
    Working = 0,
    /// Off sick; `weeks_left` counts down to the return to work.
    Sick = 1,
    /// On strike.
    Striking = 2,
    /// Arrested and held (prison or investigation).
    Arrested = 3,
    /// In an exile colony (after prison, or from the start for exiled leaders).
    Exiled = 4,
    /// Sacked or released, and never re-hired (F39).
    Blacklisted = 5,
}

impl Status {
    /// On the payroll this week: working, sick or on strike.
    pub fn employed(self) -> bool {
        matches!(self, Status::Working | Status::Sick | Status::Striking)
    }
    /// Free and active in the underground: not arrested, not exiled.
    pub fn at_large(self) -> bool {
        !matches!(self, Status::Arrested | Status::Exiled)
    }
}

/// What a working person does at work this week (F12).
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Behaviour {
    Comply = 0,
    /// Stays away from meetings, indifferent to unions and committees.
    Passive = 1,
    /// Takes part in a slow-down of the shop.
    Italianka = 2,
}

/// Relation to the underground opposition.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Opp {
    /// No tie to the opposition.
    None = 0,
    /// Sympathizes, without being a member.
    Sympathizer = 1,
    /// A member of one of the two organizations (`Person::org`).
    Member = 2,
}

/// Social class, as the opposition's own statistics count it (F33). The workforce is
/// blue- or white-collar; `Peasant` marks only the expelled oppositionists whom F33 counts
/// as peasants. Workers of peasant origin at the bench are blue-collar with
/// `Person::peasant_origin` set.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Class {
    /// Blue-collar: manual workers.
    Blue = 0,
    /// White-collar staff (sluzhashchie).
    White = 1,
    /// Peasant: only expelled oppositionists whom F33 counts so.
    Peasant = 2,
}

/// Political mood (F22).
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mood {
    /// Loyal to the line: legitimacy at least `mood.loyal`.
    Loyal = 0,
    /// Left: members, left-leaning sympathizers, and the discontented leaning left.
    Left = 1,
    /// Right: the discontented leaning right (lean at most 0.5).
    Right = 2,
    /// Indifferent: grievance or efficacy below `mood.indifferent_*`.
    Indifferent = 3,
}

/// One person.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct Person {
    /// The person's factory, an index from 0.
    pub factory: u32,
    /// The person's shop, an index from 0 over all factories' shops.
    pub shop: u32,
    /// Individual part of hardship (Epstein's heterogeneous H).
    pub base_hardship: f32,
    /// Risk aversion (Epstein's R): U(0, 1), times `protest.young_risk` for the young.
    pub risk_aversion: f32,
    /// Perceived legitimacy of the regime (0–1).
    pub legitimacy: f32,
    /// Fear (0–1): rises with arrests seen in one's factory, fades by `fear.decay` a week.
    pub fear: f32,
    /// Belief that collective action can succeed (F24).
    pub efficacy: f32,
    /// Fatigue (from 0): grows with the strain of work, recovers by `fatigue.recovery` a week.
    pub fatigue: f32,
    /// 0 = right, 1 = left: which way discontent turns (F15, F22).
    pub lean: f32,
    /// Granovetter threshold: share of the shop that must be ready first.
    pub threshold: f32,
    /// Real wage at the end of 1927, before the downgrade (F05).
    pub wage_ref: f32,
    /// Real weekly earnings relative to the 1927 band-1 wage; 0 when not employed.
    pub real_wage: f32,
    /// Hardship (Epstein's H, 0–1), recomputed each week.
    pub hardship: f32,
    /// Grievance: hardship × (1 − legitimacy) (Epstein's G, 0–1).
    pub grievance: f32,
    /// Preference for leading strikes over legality (members and exiles, F34-F37).
    pub radicalism: f32,
    /// Tariff band, 1–17 (F05).
    pub band: u8,
    /// Social class (F33).
    pub class: Class,
    /// Young: under about 25 (`population.young`).
    pub young: bool,
    /// Recently arrived from the village (F01): lower bands, leaning right.
    pub peasant_origin: bool,
    /// A party member (F29).
    pub party: bool,
    /// Employment status this week.
    pub status: Status,
    /// What the person does at work this week.
    pub behaviour: Behaviour,
    /// Relation to the underground opposition.
    pub opp: Opp,
    /// 0 = Bolshevik Leninists, 1 = Decists (members only).
    pub org: u8,
    /// Member since before 1928 (F32).
    pub old_cadre: bool,
    /// Political mood this week (F22).
    pub mood: Mood,
    /// Read a leaflet this week.
    pub leafleted: bool,
    /// Ready to strike this week (the strike cascade's candidates).
    pub strike_ready: bool,
    /// Weeks left of sickness or arrest.
    pub weeks_left: u16,
}

/// A factory, run by its "triangle" as one actor (F25).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct Factory {
    pub region: Region,
    pub sector: Sector,
    pub first_person: u32,
    pub size: u32,
    pub first_shop: u32,
    pub shops: u32,
    /// Output norm relative to 1927 (F06).
    pub norm: f32,
    /// Earnings at the norm relative to 1927.
    pub pay: f32,
    /// Converted to the seven-hour day with more machines per worker (F07).
    pub seven_hour: bool,
    /// Week the factory converts to the seven-hour day (u32::MAX: never).
    pub seven_hour_week: u32,
    /// This week's occasion of dispute, and the shop it concerns (`None`: all shops).
    pub occasion: Occasion,
    pub occasion_shop: Option<u32>,
    /// The strike in progress, if `weeks_left > 0`.
    pub strike: StrikeEpisode,
    /// Week the last strike ended (for the episode rule), if any.
    pub last_strike_end: Option<u32>,
    /// Week the factory's campaign meeting is held, in each campaign.
    pub meeting_week: [u32; 2],
    /// Weekly shocks to be applied to everyone in the factory next pass.
    pub legitimacy_shock: f32,
    pub efficacy_shock: f32,
    pub fear_shock: f32,
    /// Memory of arrests and sackings seen in the factory, per 100 workers (decays).
    pub repression_seen: f32,
    /// The repression workers of the factory perceive: their own memory plus a share of
    /// their partners' (per 100 workers), computed at the start of the week.
    pub repression_perceived: f32,
    /// Lasting militancy of the workforce: a factor on the push of its disputes (F15).
    pub militancy: f32,
    /// The push of recent disputes in the factory (decaying sum of occasions' salience).
    pub dispute_memory: f32,
    /// Share of partner factories' strikes last week, weighted (F14).
    pub partner_news: f32,
    /// Share of the factory active (slow-down or strike) last week.
    pub active_share: f32,
    /// Members of each organization in the factory last week.
    pub members: [u32; 2],
    pub sympathizers: u32,
    /// The cell's mean strike intent last week: +1 leads strikes, -1 holds them back,
    /// weighted by the cell's strength (0 with no cell).
    pub lead: f32,
}

impl Person {
    /// A person with every field at its starting value (zero views, band 1, working,
    /// complying, outside the opposition): what initialization and tests fill in.
    pub fn blank() -> Person {
        Person {
            factory: 0,
            shop: 0,
            base_hardship: 0.0,
            risk_aversion: 0.0,
            legitimacy: 0.0,
            fear: 0.0,
            efficacy: 0.0,
            fatigue: 0.0,
            lean: 0.0,
            threshold: 0.0,
            wage_ref: 0.0,
            real_wage: 0.0,
            hardship: 0.0,
            grievance: 0.0,
            radicalism: 0.0,
            band: 1,
            class: Class::Blue,
            young: false,
            peasant_origin: false,
            party: false,
            status: Status::Working,
            behaviour: Behaviour::Comply,
            opp: Opp::None,
            org: 0,
            old_cadre: false,
            mood: Mood::Loyal,
            leafleted: false,
            strike_ready: false,
            weeks_left: 0,
        }
    }
}

impl Factory {
    /// A factory of `size` people from `first_person` in `shops` shops from `first_shop`,
    /// at the start: norms and pay at their 1928 level, the standard working day, no
    /// occasion, strike, shock, memory or opposition cell, militancy 1.
    pub fn new(region: Region, sector: Sector, first_person: u32, size: u32, first_shop: u32, shops: u32) -> Factory {
        Factory {
            region,
            sector,
            first_person,
            size,
            first_shop,
            shops,
            norm: 1.0,
            pay: 1.0,
            seven_hour: false,
            seven_hour_week: u32::MAX,
            occasion: Occasion::None,
            occasion_shop: None,
            strike: StrikeEpisode::default(),
            last_strike_end: None,
            meeting_week: [u32::MAX; 2],
            legitimacy_shock: 0.0,
            efficacy_shock: 0.0,
            fear_shock: 0.0,
            repression_seen: 0.0,
            repression_perceived: 0.0,
            militancy: 1.0,
            dispute_memory: 0.0,
            partner_news: 0.0,
            active_share: 0.0,
            members: [0; 2],
            sympathizers: 0,
            lead: 0.0,
        }
    }
}
