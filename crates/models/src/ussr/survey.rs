//! A monthly political survey in words, generated from a run's weekly metrics, in the
//! manner of the OGPU's monthly surveys of the mood of workers that the study cites
//! (Gusev 2008, fn. 7-12).

use super::metrics::monthly;
use perelom_engine::{Clock, Table};

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

fn pct(x: f64) -> String {
    format!("{:.0} %", 100.0 * x)
}

fn count(n: f64, one: &str, many: &str) -> String {
    let n = n.round() as i64;
    match n {
        0 => format!("no {many}"),
        1 => format!("one {one}"),
        _ => format!("{n} {many}"),
    }
}

fn cap(s: String) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().collect::<String>() + c.as_str())
}

fn trend(now: f64, before: f64, up: &str, down: &str, flat: &str) -> String {
    if before <= 0.0 && now <= 0.0 {
        return flat.to_string();
    }
    let change = if before > 0.0 { now / before - 1.0 } else { 1.0 };
    if change > 0.1 {
        up.to_string()
    } else if change < -0.1 {
        down.to_string()
    } else {
        flat.to_string()
    }
}

/// The survey as Markdown: one section per month.
pub fn survey(weekly: &Table, _events: &Table, clock: &Clock, title: &str, _scale: f64) -> String {
    let m = monthly(weekly, clock);
    let months = m.column("month").map(|c| (0..c.len()).map(|i| c.cell(i)).collect::<Vec<_>>()).unwrap_or_default();
    let get = |k: &str| m.numbers(k).unwrap_or_else(|| vec![0.0; months.len()]);
    let (strikes, strikers, coord) = (get("strikes_started"), get("strike_participants"), get("strikes_coordinated"));
    let (slow, passive, pop) = (get("italianki"), get("passive_protest"), get("population"));
    let (meetings, failed, attendance, won) =
        (get("meetings_held"), get("meetings_failed"), get("meeting_attendance"), get("opposition_resolutions"));
    let (bl, dec, newr, old, symp) =
        (get("members_bl"), get("members_decists"), get("members_new_recruit"), get("members_old_cadre"), get("sympathizers"));
    let (arrests, obstructed, exiles, caps) = (get("arrests"), get("arrests_obstructed"), get("exiles"), get("capitulations"));
    let (wage, loyal, left, right, indiff) =
        (get("real_wage_index"), get("mood_loyal"), get("mood_left"), get("mood_right"), get("mood_indifferent"));
    let (sick, discipline, exile_rad) = (get("sick"), get("factories_discipline"), get("exile_workers_radical"));

    let mut out = format!(
        "# Political survey: {title}\n\nGenerated from the run's own figures, month by month. Numbers are for the modelled workforce.\n"
    );
    for i in 0..months.len() {
        let (y, mo) = months[i].split_once('-').unwrap_or(("", "1"));
        let name = MONTHS[mo.parse::<usize>().unwrap_or(1).clamp(1, 12) - 1];
        let prev = i.saturating_sub(1);
        out.push_str(&format!("\n## {name} {y}\n\n"));
        // Economy and the mood of the workers.
        out.push_str(&format!(
            "**Economic situation.** The real wage stands at {} of its end-1927 level{}. {} of workers were off sick at the month's end; {} of factories reported absences or slow-downs.\n\n",
            pct(wage[i]),
            if i > 0 { format!(", {}", trend(wage[i], wage[prev], "an improvement on last month", "worse than last month", "about as last month")) } else { String::new() },
            pct(sick[i] / pop[i].max(1.0)),
            pct(discipline[i]),
        ));
        let recorded = match strikes[i].round() as i64 {
            0 => "No strikes were recorded".to_string(),
            1 => "One strike was recorded".to_string(),
            n => format!("{n} strikes were recorded"),
        };
        let protest = format!(
            "**Protest.** {recorded} ({} taking part{}); {}; about {} of workers in passive protest, keeping away from meetings and the unions.",
            strikers[i].round() as i64,
            if coord[i] > 0.0 { format!(", {} of them coinciding with strikes at kindred factories of the region", coord[i].round() as i64) } else { String::new() },
            count(slow[i], "shop went slow (italianka)", "shops went slow (italianki)"),
            pct(passive[i] / pop[i].max(1.0)),
        );
        out.push_str(&protest);
        out.push_str("\n\n");
        if meetings[i] > 0.0 {
            out.push_str(&format!(
                "**Collective-agreement campaign.** {} held, {} failing for lack of attendance; attendance averaged {}. The opposition's resolution was adopted at {}.\n\n",
                count(meetings[i], "mass meeting", "mass meetings"),
                failed[i].round() as i64,
                pct(attendance[i]),
                count(won[i], "meeting", "meetings"),
            ));
        }
        let members = bl[i] + dec[i];
        out.push_str(&format!(
            "**Moods.** Loyal to the line: {}; left: {}; right: {}; indifferent: {}.\n\n",
            pct(loyal[i]),
            pct(left[i]),
            pct(right[i]),
            pct(indiff[i])
        ));
        out.push_str(&format!(
            "**The opposition.** {} active members ({} Bolshevik Leninists, {} Decists; {} recruited since January 1928, {} old cadres) and {} sympathizers. {}{}\n\n",
            members.round() as i64,
            bl[i].round() as i64,
            dec[i].round() as i64,
            newr[i].round() as i64,
            old[i].round() as i64,
            symp[i].round() as i64,
            if caps[i] > 0.0 { format!("{} capitulated to the general line. ", count(caps[i], "old oppositionist", "old oppositionists")) } else { String::new() },
            if i > 0 { format!("The underground is {}.", trend(members, bl[prev] + dec[prev], "growing", "shrinking", "holding steady")) } else { String::new() },
        ));
        out.push_str(&format!(
            "**Repression.** {} made{}; {} in exile, where {} of worker exiles favour turning to the strike movement.\n",
            cap(count(arrests[i], "arrest was", "arrests were")),
            if obstructed[i] > 0.0 { format!(", {} obstructed by workers", obstructed[i].round() as i64) } else { String::new() },
            exiles[i].round() as i64,
            pct(exile_rad[i]),
        ));
    }
    out
}
