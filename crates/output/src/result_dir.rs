use crate::ownership::{check_replaceable, remove_stale, Marker, MARKER};
use std::fmt;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Why results could not be written.
#[derive(Debug)]
pub enum OutputError {
    /// The destination exists and the caller did not allow replacing it.
    Exists(PathBuf),
    /// The destination exists and is not a Perelom result of the kind being written (or
    /// holds something Perelom did not write), so it is never replaced.
    NotReplaceable {
        /// The destination.
        path: PathBuf,
        /// Why not, in words: no marker, another kind, files Perelom did not write, ...
        why: String,
    },
    /// A file-system operation failed.
    Io {
        /// The file or directory acted on.
        path: PathBuf,
        /// What was being done, as a verb phrase (`create directory`, `write`, `sync`).
        action: &'static str,
        /// The underlying error.
        source: io::Error,
    },
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Exists(p) => write!(f, "output directory {} already exists; refusing to overwrite it", p.display()),
            OutputError::NotReplaceable { path, why } => {
                write!(f, "refusing to replace {}: {why}; Perelom only replaces results it wrote itself", path.display())
            }
            OutputError::Io { path, action, source } => write!(f, "cannot {action} {}: {source}", path.display()),
        }
    }
}

impl std::error::Error for OutputError {}

fn io_err<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(io::Error) -> OutputError + 'a {
    move |source| OutputError::Io { path: path.to_path_buf(), action, source }
}

/// What to do when the destination of a result directory exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Refuse: [`OutputError::Exists`].
    Refuse,
    /// Replace it, but only if it is a Perelom result of the same kind holding nothing
    /// but Perelom's files ([`crate::check_replaceable`]); refuse anything else.
    Replace,
    /// Never replace it: commit under the first free name of `NAME`, `NAME-2`, `NAME-3`,
    /// ... The name is claimed atomically, so concurrent processes never collide.
    NextFreeName,
}

/// Most names [`Existing::NextFreeName`] tries before giving up.
const MAX_SUFFIX: u32 = 10_000;

/// A result directory being written. Files go to a hidden sibling `.NAME.partial-PID`;
/// [`ResultDir::commit`] renames it to its final name. Dropped without a commit, the
/// partial directory is removed; a killed process's partial directory is removed by the
/// next result directory written beside it ([`crate::remove_stale`]).
///
/// Every result directory holds a marker ([`crate::MARKER`]) with its kind and files, by
/// which `--force` tells a Perelom result from a directory a user owns.
pub struct ResultDir {
    final_path: PathBuf,
    partial: PathBuf,
    kind: String,
    existing: Existing,
    files: Mutex<Vec<String>>,
    committed: bool,
}

impl ResultDir {
    /// Prepares to write a result of `kind` (`run`, `validation`, ...) at `path`. Fails at
    /// once if `path` exists and may not be replaced, or if its parent cannot be written,
    /// so no work is wasted on results that cannot be saved. Also removes what killed
    /// processes left in the parent ([`crate::remove_stale`]).
    pub fn create(path: &Path, kind: &str, existing: Existing) -> Result<Self, OutputError> {
        let present = fs::symlink_metadata(path).is_ok();
        match existing {
            Existing::Refuse if present => return Err(OutputError::Exists(path.to_path_buf())),
            Existing::Replace if present => check_replaceable(path, kind)?,
            _ => {}
        }
        let parent = parent_of(path);
        fs::create_dir_all(&parent).map_err(io_err(&parent, "create directory"))?;
        remove_stale(&parent);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "results".into());
        let partial = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if fs::symlink_metadata(&partial).is_ok() {
            // Same name and process id: left by an earlier process that had this id.
            fs::remove_dir_all(&partial).map_err(io_err(&partial, "remove stale directory"))?;
        }
        fs::create_dir(&partial).map_err(io_err(&partial, "create directory"))?;
        // The marker from the start: a killed process's partial directory is recognizably
        // Perelom's, and so safe to remove.
        Marker::new(kind, Vec::new()).write(&partial).map_err(io_err(&partial, "write the marker in"))?;
        Ok(ResultDir {
            final_path: path.to_path_buf(),
            partial,
            kind: kind.to_string(),
            existing,
            files: Mutex::new(Vec::new()),
            committed: false,
        })
    }

    /// Where the directory will be once committed (with [`Existing::NextFreeName`], the
    /// name it will have if that is still free then).
    pub fn path(&self) -> &Path {
        &self.final_path
    }

    /// Writes one file inside the directory with `write`.
    pub fn write_file(&self, name: &str, write: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>) -> Result<(), OutputError> {
        let path = self.partial.join(name);
        if name == MARKER {
            return Err(OutputError::Io { path, action: "write", source: io::Error::other("the marker is Perelom's own file") });
        }
        let file = fs::File::create(&path).map_err(io_err(&path, "create file"))?;
        let mut w = BufWriter::new(file);
        write(&mut w).map_err(io_err(&path, "write"))?;
        w.flush().map_err(io_err(&path, "write"))?;
        w.get_ref().sync_all().map_err(io_err(&path, "sync"))?;
        if let Ok(mut files) = self.files.lock() {
            if !files.iter().any(|f| f == name) {
                files.push(name.to_string());
            }
        }
        Ok(())
    }

    /// Makes the directory visible under its final name and returns that name. The name
    /// is claimed with `create_dir`, which is atomic, and the complete directory renamed
    /// onto the (empty) claim; so two processes never take the same name, and a
    /// directory that appeared meanwhile is never overwritten. With
    /// [`Existing::Replace`], an existing result is checked again, moved aside, and
    /// removed only after the new one is in place.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let files = self.files.lock().map(|f| f.clone()).unwrap_or_default();
        Marker::new(&self.kind, files).write(&self.partial).map_err(io_err(&self.partial, "write the marker in"))?;
        let path = match self.existing {
            Existing::Replace if fs::symlink_metadata(&self.final_path).is_ok() => {
                check_replaceable(&self.final_path, &self.kind)?;
                let aside = PathBuf::from(format!("{}.replaced", self.partial.display()));
                fs::rename(&self.final_path, &aside).map_err(io_err(&self.final_path, "move aside"))?;
                if let Err(e) = fs::rename(&self.partial, &self.final_path) {
                    let _ = fs::rename(&aside, &self.final_path);
                    return Err(io_err(&self.final_path, "rename results into")(e));
                }
                let _ = fs::remove_dir_all(aside);
                self.final_path.clone()
            }
            Existing::NextFreeName => {
                let mut claimed = None;
                for i in 1..=MAX_SUFFIX {
                    let candidate = if i == 1 { self.final_path.clone() } else { suffixed(&self.final_path, i) };
                    if self.claim(&candidate)? {
                        claimed = Some(candidate);
                        break;
                    }
                }
                claimed.ok_or_else(|| OutputError::Exists(self.final_path.clone()))?
            }
            _ => {
                if !self.claim(&self.final_path)? {
                    return Err(OutputError::Exists(self.final_path.clone()));
                }
                self.final_path.clone()
            }
        };
        self.committed = true;
        Ok(path)
    }

    /// Claims `path` (creates it empty, atomically) and renames the finished directory
    /// onto it. `Ok(false)` when `path` is taken.
    fn claim(&self, path: &Path) -> Result<bool, OutputError> {
        match fs::create_dir(path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
            Err(e) => return Err(io_err(path, "create directory")(e)),
        }
        if let Err(e) = fs::rename(&self.partial, path) {
            // Only our own claim, and only while it is still empty.
            let _ = fs::remove_dir(path);
            return Err(io_err(path, "rename results into")(e));
        }
        Ok(true)
    }
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `NAME-i` beside `path`.
fn suffixed(path: &Path, i: u32) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!("{name}-{i}"))
}

impl Drop for ResultDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.partial);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_appears_only_on_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run1");
        let d = ResultDir::create(&out, "run", Existing::Refuse).unwrap();
        d.write_file("a.txt", |w| w.write_all(b"hi")).unwrap();
        assert!(!out.exists());
        d.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "hi");
        assert_eq!(Marker::read(&out), Some(Marker::new("run", vec!["a.txt".into()])));
    }

    #[test]
    fn existing_directory_is_refused_without_force_and_replaced_with_it_only_if_ours() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run1");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("keep.txt"), "old").unwrap();
        assert!(matches!(ResultDir::create(&out, "run", Existing::Refuse), Err(OutputError::Exists(_))));
        assert!(matches!(ResultDir::create(&out, "run", Existing::Replace), Err(OutputError::NotReplaceable { .. })));
        assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "old");
        fs::remove_dir_all(&out).unwrap();

        let d = ResultDir::create(&out, "run", Existing::Refuse).unwrap();
        d.write_file("old.txt", |w| w.write_all(b"old")).unwrap();
        d.commit().unwrap();
        assert!(matches!(ResultDir::create(&out, "sweep", Existing::Replace), Err(OutputError::NotReplaceable { .. })));
        let d = ResultDir::create(&out, "run", Existing::Replace).unwrap();
        d.write_file("new.txt", |w| w.write_all(b"new")).unwrap();
        d.commit().unwrap();
        assert!(!out.join("old.txt").exists());
        assert!(out.join("new.txt").exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "nothing left aside");
    }

    #[test]
    fn a_user_file_added_while_running_stops_the_replacement() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run1");
        ResultDir::create(&out, "run", Existing::Refuse).unwrap().commit().unwrap();
        let d = ResultDir::create(&out, "run", Existing::Replace).unwrap();
        fs::write(out.join("mine.txt"), "mine").unwrap();
        assert!(matches!(d.commit(), Err(OutputError::NotReplaceable { .. })));
        assert_eq!(fs::read_to_string(out.join("mine.txt")).unwrap(), "mine");
    }

    #[test]
    fn next_free_name_never_takes_an_existing_name() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        fs::create_dir(&out).unwrap();
        let first = ResultDir::create(&out, "run", Existing::NextFreeName).unwrap().commit().unwrap();
        assert_eq!(first, tmp.path().join("run-2"));
        let second = ResultDir::create(&out, "run", Existing::NextFreeName).unwrap().commit().unwrap();
        assert_eq!(second, tmp.path().join("run-3"));
        assert_eq!(fs::read_dir(&out).unwrap().count(), 0, "the existing directory is untouched");
    }

    #[test]
    fn dropped_without_commit_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run1");
        {
            let d = ResultDir::create(&out, "run", Existing::Refuse).unwrap();
            d.write_file("a.txt", |w| w.write_all(b"x")).unwrap();
        }
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }
}
