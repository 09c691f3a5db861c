use std::fmt;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why results could not be written.
#[derive(Debug)]
pub enum OutputError {
    /// The destination exists and the caller did not allow replacing it.
    Exists(PathBuf),
    /// A file-system operation failed.
    Io { path: PathBuf, action: &'static str, source: io::Error },
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Exists(p) => write!(
                f,
                "output directory {} already exists; refusing to overwrite it\n  help: choose another --out, or pass --force to replace it",
                p.display()
            ),
            OutputError::Io { path, action, source } => write!(f, "cannot {action} {}: {source}", path.display()),
        }
    }
}

impl std::error::Error for OutputError {}

fn io_err<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(io::Error) -> OutputError + 'a {
    move |source| OutputError::Io { path: path.to_path_buf(), action, source }
}

/// A result directory being written. Files go to a hidden sibling `.NAME.partial-PID`;
/// [`ResultDir::commit`] renames it to its final name. Dropped without a commit, the
/// partial directory is removed.
pub struct ResultDir {
    final_path: PathBuf,
    partial: PathBuf,
    force: bool,
    committed: bool,
}

impl ResultDir {
    /// Prepares to write `path`. Fails at once if it exists and `force` is false, or if
    /// its parent cannot be written, so no work is wasted on a run that cannot be saved.
    pub fn create(path: &Path, force: bool) -> Result<Self, OutputError> {
        if path.exists() && !force {
            return Err(OutputError::Exists(path.to_path_buf()));
        }
        if path.exists() && !path.is_dir() {
            return Err(OutputError::Io {
                path: path.to_path_buf(),
                action: "replace (it is a file, not a result directory)",
                source: io::Error::from(io::ErrorKind::AlreadyExists),
            });
        }
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io_err(&parent, "create directory"))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "results".into());
        let partial = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if partial.exists() {
            fs::remove_dir_all(&partial).map_err(io_err(&partial, "remove stale directory"))?;
        }
        fs::create_dir(&partial).map_err(io_err(&partial, "create directory"))?;
        Ok(ResultDir { final_path: path.to_path_buf(), partial, force, committed: false })
    }

    /// Where the directory will be once committed.
    pub fn path(&self) -> &Path {
        &self.final_path
    }

    /// Writes one file inside the directory with `write`.
    pub fn write_file(&self, name: &str, write: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>) -> Result<(), OutputError> {
        let path = self.partial.join(name);
        let file = fs::File::create(&path).map_err(io_err(&path, "create file"))?;
        let mut w = BufWriter::new(file);
        write(&mut w).map_err(io_err(&path, "write"))?;
        w.flush().map_err(io_err(&path, "write"))?;
        w.get_ref().sync_all().map_err(io_err(&path, "sync"))?;
        Ok(())
    }

    /// Makes the directory visible under its final name. With `force`, an existing
    /// directory is moved aside first and removed only after the rename succeeded.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let mut old = None;
        if self.final_path.exists() {
            if !self.force {
                return Err(OutputError::Exists(self.final_path.clone()));
            }
            let aside = self.partial.with_extension("replaced");
            fs::rename(&self.final_path, &aside).map_err(io_err(&self.final_path, "move aside"))?;
            old = Some(aside);
        }
        fs::rename(&self.partial, &self.final_path).map_err(io_err(&self.final_path, "rename results into"))?;
        self.committed = true;
        if let Some(old) = old {
            let _ = fs::remove_dir_all(old);
        }
        Ok(self.final_path.clone())
    }
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
        let d = ResultDir::create(&out, false).unwrap();
        d.write_file("a.txt", |w| w.write_all(b"hi")).unwrap();
        assert!(!out.exists());
        d.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "hi");
    }

    #[test]
    fn existing_directory_is_refused_without_force_and_replaced_with_it() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run1");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("keep.txt"), "old").unwrap();
        assert!(matches!(ResultDir::create(&out, false), Err(OutputError::Exists(_))));
        assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "old");
        let d = ResultDir::create(&out, true).unwrap();
        d.write_file("new.txt", |w| w.write_all(b"new")).unwrap();
        d.commit().unwrap();
        assert!(!out.join("keep.txt").exists());
        assert!(out.join("new.txt").exists());
    }

    #[test]
    fn dropped_without_commit_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run1");
        {
            let d = ResultDir::create(&out, false).unwrap();
            d.write_file("a.txt", |w| w.write_all(b"x")).unwrap();
        }
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }
}
