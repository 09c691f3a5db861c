//! The architecture's boundary: no crate but `models` names a particular model. The CLI,
//! the server (its Rust and its JavaScript), the report, the analysis, output, scenario
//! and engine crates learn everything about a model from its descriptor
//! (`perelom_models::ModelInfo`) through the registry, so a third model is added
//! without touching them. Tests of other crates may run the built-in scenarios by name.

use std::path::{Path, PathBuf};

/// What naming a model looks like in code: its module path, its type, its name as a
/// string literal a program could branch on.
const FORBIDDEN: &[&str] =
    &["ussr::", "epstein::", "Ussr", "Epstein::", "Epstein>", "Epstein(", "\"ussr-1928\"", "\"epstein\"", "'epstein'", "'ussr'"];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "vendor" && n != "node_modules") {
                files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs" || x == "js") {
            out.push(p);
        }
    }
}

#[test]
fn no_crate_outside_models_names_a_model() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut scanned = Vec::new();
    for c in std::fs::read_dir(&crates).expect("the crates folder").flatten() {
        if c.file_name() == "models" {
            continue;
        }
        for sub in ["src", "assets"] {
            files(&c.path().join(sub), &mut scanned);
        }
    }
    assert!(scanned.len() > 20, "the scan found only {} files: is it looking in the right place?", scanned.len());
    let mut found = Vec::new();
    for f in &scanned {
        let text = std::fs::read_to_string(f).expect("readable source");
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for pat in FORBIDDEN {
                if code.contains(pat) {
                    found.push(format!("{}:{}: `{pat}` in {}", f.display(), i + 1, code));
                }
            }
        }
    }
    assert!(found.is_empty(), "model names outside the models crate (use the descriptor instead):\n{}", found.join("\n"));
}

#[test]
fn the_scan_would_catch_a_model_named_in_code() {
    let line = "use perelom_models::ussr::targets;";
    assert!(FORBIDDEN.iter().any(|p| line.contains(p)));
}
