//! Which directories Perelom may replace, and the leftovers of killed processes it may
//! remove.
//!
//! Every result directory carries a marker file, [`MARKER`], that records its kind
//! (`run`, `validation`, `sweep`, ...) and the files Perelom wrote into it. A directory is
//! replaced (`--force`) only when it is a Perelom result of the same kind holding nothing
//! but those files (and Perelom results nested in it, such as a `report/`), so nothing a
//! user put there is ever deleted.
//!
//! A process writes a result directory under a hidden name, `.NAME.partial-PID` (with its
//! marker from the start), and renames it when complete; a temporary file inside a result
//! directory is `.NAME.tmp-PID`. A killed process leaves those behind; [`remove_stale`] and
//! [`remove_stale_temp_files`] remove the ones whose process is no longer running.

use crate::OutputError;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The marker file of a result directory: JSON with its kind and the files Perelom
/// wrote in it.
pub const MARKER: &str = ".perelom-result";

/// What a result directory's marker says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// What the directory holds: `run`, `validation`, `comparison`, `sweep`, ...
    pub kind: String,
    /// Paths relative to the directory of the files Perelom writes there, with `/`
    /// between parts; a `*` stands for any run of characters other than `/`.
    pub files: Vec<String>,
}

impl Marker {
    /// A marker of a directory of `kind` holding `files` (patterns, as in [`Marker::files`]).
    pub fn new(kind: &str, files: Vec<String>) -> Self {
        Marker { kind: kind.to_string(), files }
    }

    /// Writes the marker into `dir` (atomically).
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        let json = serde_json::json!({ "perelom_result": self.kind, "files": self.files });
        crate::write_atomic(&dir.join(MARKER), |w| {
            serde_json::to_writer_pretty(&mut *w, &json)?;
            io::Write::write_all(w, b"\n")
        })
    }

    /// The marker of `dir`, or `None` when it has none (or one that cannot be read).
    pub fn read(dir: &Path) -> Option<Marker> {
        let text = fs::read_to_string(dir.join(MARKER)).ok()?;
        let j: serde_json::Value = serde_json::from_str(&text).ok()?;
        let kind = j["perelom_result"].as_str()?.to_string();
        let files = j["files"].as_array()?.iter().filter_map(|f| f.as_str().map(String::from)).collect();
        Some(Marker { kind, files })
    }

    fn lists(&self, rel: &str) -> bool {
        self.files.iter().any(|p| glob(p, rel))
    }

    /// Whether some listed file lies below the directory `rel`.
    fn lists_below(&self, rel: &str) -> bool {
        self.files.iter().any(|p| p.strip_prefix(rel).is_some_and(|rest| rest.starts_with('/')))
    }
}

/// `*` matches any run of characters other than `/`; everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else { return false };
            (0..=rest.len()).filter(|&i| rest.is_char_boundary(i)).any(|i| !rest[..i].contains('/') && glob(tail, &rest[i..]))
        }
    }
}

/// Checks that `dir` may be replaced by a new result of `kind`: it is a directory (not a
/// file, not a symbolic link) with a marker of that kind, and everything in it is a file
/// the marker lists or a Perelom result nested in it. Otherwise says why not.
pub fn check_replaceable(dir: &Path, kind: &str) -> Result<(), OutputError> {
    let refuse = |why: String| OutputError::NotReplaceable { path: dir.to_path_buf(), why };
    let meta = fs::symlink_metadata(dir).map_err(|source| OutputError::Io { path: dir.to_path_buf(), action: "inspect", source })?;
    if meta.file_type().is_symlink() {
        return Err(refuse("it is a symbolic link, not a result directory Perelom wrote".into()));
    }
    if !meta.is_dir() {
        return Err(refuse("it is a file, not a result directory".into()));
    }
    let Some(marker) = Marker::read(dir) else {
        return Err(refuse(format!("it is not a Perelom result (it has no {MARKER} marker), so Perelom did not write it")));
    };
    if marker.kind != kind {
        return Err(refuse(format!("it holds a Perelom {} result, not a {kind} result", marker.kind)));
    }
    let mut foreign = Vec::new();
    foreign_entries(dir, "", &marker, &mut foreign);
    if !foreign.is_empty() {
        let more = if foreign.len() > 5 { format!(" and {} more", foreign.len() - 5) } else { String::new() };
        foreign.truncate(5);
        return Err(refuse(format!("it holds files Perelom did not write: {}{more}", foreign.join(", "))));
    }
    Ok(())
}

/// Collects (as paths relative to the result directory) the entries below `dir/rel`
/// that neither the marker lists nor belong to a nested Perelom result.
fn foreign_entries(root: &Path, rel: &str, marker: &Marker, foreign: &mut Vec<String>) {
    let here = if rel.is_empty() { root.to_path_buf() } else { root.join(rel) };
    let Ok(entries) = fs::read_dir(&here) else {
        foreign.push(if rel.is_empty() { ".".into() } else { format!("{rel}/") });
        return;
    };
    for e in entries {
        let Ok(e) = e else {
            foreign.push(format!("{rel}/?"));
            continue;
        };
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        let Ok(t) = e.file_type() else {
            foreign.push(path);
            continue;
        };
        if t.is_file() && (path == MARKER || marker.lists(&path)) {
            continue;
        }
        if t.is_dir() {
            let sub = root.join(&path);
            if let Some(nested) = Marker::read(&sub) {
                if check_replaceable(&sub, &nested.kind).is_ok() {
                    continue;
                }
            } else if marker.lists_below(&path) {
                foreign_entries(root, &path, marker, foreign);
                continue;
            }
            foreign.push(format!("{path}/"));
            continue;
        }
        foreign.push(path);
    }
}

/// The process id in a hidden name `.NAME.partial-PID`, `.NAME.partial-PID.replaced` or
/// `.NAME.tmp-PID`, with the kind of leftover and NAME.
fn leftover(name: &str) -> Option<(Leftover, String, u32)> {
    let body = name.strip_prefix('.')?;
    let (body, kind) = match body.strip_suffix(".replaced") {
        Some(b) => (b, Leftover::Replaced),
        None => (body, Leftover::Partial),
    };
    for (tag, k) in [(".partial-", kind), (".tmp-", Leftover::Temp)] {
        if k == Leftover::Temp && kind == Leftover::Replaced {
            continue;
        }
        if let Some((stem, pid)) = body.rsplit_once(tag) {
            if !stem.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) {
                return pid.parse().ok().map(|p| (k, stem.to_string(), p));
            }
        }
    }
    None
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Leftover {
    /// A result directory being written.
    Partial,
    /// Old results moved aside while being replaced.
    Replaced,
    /// A file being written.
    Temp,
}

/// Whether process `pid` is running. On Unix, `kill(pid, 0)` sends nothing and fails
/// with `ESRCH` only when there is no such process. Anywhere else every process counts
/// as running, so nothing is ever removed.
pub fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else { return true };
        if pid <= 0 {
            return true;
        }
        // SAFETY: kill with signal 0 only checks whether the process exists; it takes
        // plain integers and touches no memory.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Removes from `dir` the result directories killed Perelom processes left behind: hidden
/// partial directories (`.NAME.partial-PID`) whose process is no longer running. Old
/// results a killed process had moved aside to replace them (`.NAME.partial-PID.replaced`)
/// are put back as NAME if nothing took their place, and removed otherwise. Only
/// directories carrying Perelom's [`MARKER`] are touched: never an entry that does not
/// match these names exactly, a symbolic link, a directory without the marker, or the
/// leftover of a running process. Returns what was removed.
pub fn remove_stale(dir: &Path) -> Vec<PathBuf> {
    remove_leftovers(dir, false)
}

/// Removes from `dir`, a directory Perelom writes into (a sweep), the temporary files
/// `.NAME.tmp-PID` of processes that are no longer running (a file written when its
/// process was killed, never renamed into place). Returns what was removed.
pub fn remove_stale_temp_files(dir: &Path) -> Vec<PathBuf> {
    remove_leftovers(dir, true)
}

fn remove_leftovers(dir: &Path, temp_files: bool) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else { return removed };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some((kind, stem, pid)) = leftover(&name) else { continue };
        let Ok(t) = e.file_type() else { continue };
        if process_alive(pid) || (kind == Leftover::Temp) != temp_files {
            continue;
        }
        let path = e.path();
        let ours = t.is_dir() && Marker::read(&path).is_some();
        let done = match kind {
            Leftover::Temp if t.is_file() => fs::remove_file(&path).is_ok(),
            Leftover::Partial if ours => fs::remove_dir_all(&path).is_ok(),
            Leftover::Replaced if ours => {
                let home = dir.join(&stem);
                if fs::symlink_metadata(&home).is_err() && fs::rename(&path, &home).is_ok() {
                    false
                } else {
                    fs::remove_dir_all(&path).is_ok()
                }
            }
            _ => false,
        };
        if done {
            removed.push(path);
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_within_one_path_part() {
        assert!(glob("runs/run-*.parquet", "runs/run-000001.parquet"));
        assert!(!glob("runs/run-*.parquet", "runs/x/run-1.parquet"));
        assert!(glob("*.svg", "chart-01.svg"));
        assert!(!glob("a.csv", "b.csv"));
        assert!(glob(".*.tmp-*", ".sweep.json.tmp-42"));
    }

    #[test]
    fn leftover_names_are_recognized_exactly() {
        assert_eq!(leftover(".run1.partial-123"), Some((Leftover::Partial, "run1".into(), 123)));
        assert_eq!(leftover(".run1.partial-123.replaced"), Some((Leftover::Replaced, "run1".into(), 123)));
        assert_eq!(leftover(".a.csv.tmp-7"), Some((Leftover::Temp, "a.csv".into(), 7)));
        for other in ["run1.partial-123", ".run1.partial-", ".run1.partial-12a", ".partial-3", ".thesis", ".x.tmp-1.bak"] {
            assert_eq!(leftover(other), None, "{other}");
        }
    }

    #[test]
    fn this_process_is_alive_and_a_finished_child_is_not() {
        assert!(process_alive(std::process::id()));
        let mut child = std::process::Command::new("true").spawn().expect("run `true`");
        let pid = child.id();
        child.wait().expect("wait for `true`");
        assert!(!process_alive(pid));
    }

    #[test]
    fn stale_leftovers_of_dead_processes_go_and_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let live = std::process::id();
        let p = |n: &str| d.path().join(n);
        let ours = |n: &str| {
            fs::create_dir(p(n)).unwrap();
            Marker::new("run", vec![]).write(&p(n)).unwrap();
        };
        ours(&format!(".a.partial-{dead}"));
        fs::write(p(&format!(".a.partial-{dead}/metrics.csv")), "x").unwrap();
        ours(&format!(".b.partial-{live}"));
        fs::write(p(&format!(".c.csv.tmp-{dead}")), "x").unwrap();
        fs::create_dir(p(".thesis")).unwrap();
        fs::write(p(&format!(".notes.partial-{dead}")), "a user's file, not a directory").unwrap();
        fs::create_dir(p(&format!(".mine.partial-{dead}"))).unwrap();
        ours(&format!(".old.partial-{dead}.replaced"));
        let removed = remove_stale(d.path());
        assert_eq!(removed, vec![p(&format!(".a.partial-{dead}"))]);
        assert!(p(&format!(".b.partial-{live}")).exists(), "a running process's directory is kept");
        assert!(p(".thesis").exists());
        assert!(p(&format!(".notes.partial-{dead}")).exists(), "only directories are partial results");
        assert!(p(&format!(".mine.partial-{dead}")).exists(), "a directory without Perelom's marker is not Perelom's");
        assert!(p("old").is_dir(), "results moved aside by a killed process are put back");
        assert!(p(&format!(".c.csv.tmp-{dead}")).exists(), "temporary files only where Perelom writes them");
        assert_eq!(remove_stale_temp_files(d.path()), vec![p(&format!(".c.csv.tmp-{dead}"))]);
    }

    #[test]
    fn only_a_result_of_the_same_kind_holding_only_its_files_is_replaceable() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path().join("r");
        fs::create_dir(&r).unwrap();
        fs::write(r.join("thesis.tex"), "years of work").unwrap();
        let why = |e: OutputError| e.to_string();
        assert!(why(check_replaceable(&r, "run").unwrap_err()).contains("not a Perelom result"));
        fs::remove_file(r.join("thesis.tex")).unwrap();
        Marker::new("run", vec!["metrics.csv".into(), "runs/run-*.parquet".into()]).write(&r).unwrap();
        fs::write(r.join("metrics.csv"), "x").unwrap();
        fs::create_dir(r.join("runs")).unwrap();
        fs::write(r.join("runs/run-000001.parquet"), "x").unwrap();
        check_replaceable(&r, "run").unwrap();
        assert!(why(check_replaceable(&r, "sweep").unwrap_err()).contains("holds a Perelom run result, not a sweep result"));
        // A nested Perelom result (a report) is part of it; anything else is not.
        let rep = r.join("report");
        fs::create_dir(&rep).unwrap();
        Marker::new("report", vec!["index.html".into()]).write(&rep).unwrap();
        fs::write(rep.join("index.html"), "x").unwrap();
        check_replaceable(&r, "run").unwrap();
        fs::write(rep.join("my-notes.txt"), "mine").unwrap();
        assert!(why(check_replaceable(&r, "run").unwrap_err()).contains("report/"));
        fs::remove_file(rep.join("my-notes.txt")).unwrap();
        fs::write(r.join("runs/notes.txt"), "mine").unwrap();
        assert!(why(check_replaceable(&r, "run").unwrap_err()).contains("runs/notes.txt"));
        fs::remove_file(r.join("runs/notes.txt")).unwrap();
        fs::create_dir(r.join("chapter")).unwrap();
        assert!(why(check_replaceable(&r, "run").unwrap_err()).contains("chapter/"));
        fs::remove_dir(r.join("chapter")).unwrap();
        check_replaceable(&r, "run").unwrap();
        let f = d.path().join("file");
        fs::write(&f, "x").unwrap();
        assert!(why(check_replaceable(&f, "run").unwrap_err()).contains("is a file"));
        #[cfg(unix)]
        {
            let l = d.path().join("link");
            std::os::unix::fs::symlink(&r, &l).unwrap();
            assert!(why(check_replaceable(&l, "run").unwrap_err()).contains("symbolic link"));
        }
    }
}
