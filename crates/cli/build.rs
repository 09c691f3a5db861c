//! Records the git commit the binary was built from, for run manifests.
//!
//! Cargo re-runs this script when the checkout's HEAD, index or current branch ref
//! changes. Their places come from git itself (`--git-dir`, `--git-common-dir`), so a
//! linked worktree (where `.git` is a file) is followed as well as the main checkout.
use std::path::{Path, PathBuf};
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
}

fn main() {
    let commit = git(&["rev-parse", "HEAD"]).unwrap_or_default();
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|o| !o.is_empty());
    let value = if commit.is_empty() {
        String::new()
    } else if dirty {
        format!("{commit}-dirty")
    } else {
        commit
    };
    println!("cargo:rustc-env=PERELOM_GIT_COMMIT={value}");
    // Outside a git checkout (a source tarball) there is nothing to watch.
    let (Some(git_dir), Some(common)) = (git(&["rev-parse", "--absolute-git-dir"]), git(&["rev-parse", "--git-common-dir"])) else {
        return;
    };
    let git_dir = PathBuf::from(git_dir);
    let common = if Path::new(&common).is_absolute() {
        PathBuf::from(common)
    } else {
        std::env::current_dir().map(|d| d.join(&common)).unwrap_or_default()
    };
    let mut watched = vec![git_dir.join("HEAD"), git_dir.join("index"), common.join("packed-refs")];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(common.join(branch));
    }
    for p in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", p.display());
    }
}
