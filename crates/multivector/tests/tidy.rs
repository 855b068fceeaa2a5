//! The rules of ARCHITECTURE.md that a reading of the source can check, checked: a change
//! that breaks one fails here with the file and the rule, not in review.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`, recursively, in a stable order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The crate names under `[dependencies]` of a manifest.
fn dependencies(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
            continue;
        }
        if inside && !line.is_empty() && !line.starts_with('#') {
            if let Some(name) = line.split(['=', ' ']).next() {
                out.push(name.trim().to_string());
            }
        }
    }
    out
}

/// Lines of source outside comments (a line comment's text is not code).
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .map(|(k, l)| (k + 1, l.split("//").next().unwrap_or("").to_string()))
        .collect()
}

fn library_crates() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "multivector-cli"))
        .collect();
    out.sort();
    out
}

#[test]
fn core_depends_only_on_its_allow_list() {
    // No parser, database, HTTP, CLI or random-number crate in the core.
    const ALLOWED: [&str; 2] = ["serde", "thiserror"];
    let deps = dependencies(&root().join("crates/multivector-core/Cargo.toml"));
    for d in &deps {
        assert!(
            ALLOWED.contains(&d.as_str()),
            "multivector-core depends on `{d}`; ARCHITECTURE.md allows only {ALLOWED:?}"
        );
    }
}

#[test]
fn models_and_core_do_no_io_and_print_nothing() {
    const FORBIDDEN: [&str; 7] = [
        "std::fs",
        "File::open",
        "println!",
        "eprintln!",
        "print!(",
        "eprint!(",
        "std::io::stdout",
    ];
    for krate in ["multivector-core", "multivector-models"] {
        for f in rust_files(&root().join("crates").join(krate).join("src")) {
            for (n, line) in code_lines(&f) {
                for bad in FORBIDDEN {
                    assert!(
                        !line.contains(bad),
                        "{}:{n}: `{bad}` in {krate}: models and the core neither read files nor print",
                        f.display()
                    );
                }
            }
        }
    }
}

#[test]
fn no_global_or_thread_local_random_number_generator() {
    // Every random number comes from a generator derived from (seed, stream).
    const FORBIDDEN: [&str; 6] = [
        "thread_rng",
        "rand::rng()",
        "thread_local!",
        "from_entropy",
        "from_os_rng",
        "OsRng",
    ];
    for krate in std::fs::read_dir(root().join("crates")).unwrap() {
        let src = krate.unwrap().path().join("src");
        for f in rust_files(&src) {
            for (n, line) in code_lines(&f) {
                for bad in FORBIDDEN {
                    assert!(
                        !line.contains(bad),
                        "{}:{n}: `{bad}`: random numbers must come from a seeded stream",
                        f.display()
                    );
                }
            }
        }
    }
}

#[test]
fn anyhow_only_in_the_binary() {
    for krate in library_crates() {
        let deps = dependencies(&krate.join("Cargo.toml"));
        assert!(
            !deps.iter().any(|d| d == "anyhow"),
            "{} depends on anyhow: libraries return typed errors (thiserror)",
            krate.display()
        );
        for f in rust_files(&krate.join("src")) {
            for (n, line) in code_lines(&f) {
                assert!(
                    !line.contains("anyhow::"),
                    "{}:{n}: anyhow in a library",
                    f.display()
                );
            }
        }
    }
}

#[test]
fn nothing_from_the_shared_folder_is_committed() {
    // The reference data stay in ../shared; no copy of its files lives in the tree.
    for name in [
        "deu3-train.tsv",
        "unga_votes_1992_2026.csv.gz",
        "SOE-Pol-Comp.csv",
    ] {
        for krate in std::fs::read_dir(root().join("crates")).unwrap() {
            let dir = krate.unwrap().path();
            let mut stack = vec![dir];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).unwrap() {
                    let p = e.unwrap().path();
                    if p.is_dir() {
                        stack.push(p);
                    } else {
                        assert!(
                            p.file_name().is_none_or(|n| n != name),
                            "{} is a copy of shared reference data",
                            p.display()
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn the_checks_can_fail() {
    // The readers the rules rely on see what they must: a dependency list and a forbidden
    // word in a line of code (not in a comment).
    let dir = std::env::temp_dir().join(format!("mv-tidy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let manifest = dir.join("Cargo.toml");
    std::fs::write(
        &manifest,
        "[package]\nname = \"x\"\n[dependencies]\nanyhow = \"1\"\nserde = { workspace = true }\n[dev-dependencies]\ntempfile = \"3\"\n",
    )
    .unwrap();
    assert_eq!(dependencies(&manifest), ["anyhow", "serde"]);
    let src = dir.join("a.rs");
    std::fs::write(
        &src,
        "// println! in a comment\nlet x = 1; println!(\"{x}\");\n",
    )
    .unwrap();
    let lines = code_lines(&src);
    assert!(!lines[0].1.contains("println!") && lines[1].1.contains("println!"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_workspace_crate_depends_on_pyo3() {
    // The Python bindings (python/) sit on the facade; nothing under crates/ knows of Python.
    let mut crates = library_crates();
    crates.push(root().join("crates/multivector-cli"));
    for c in crates {
        let manifest = c.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        assert!(
            !text.contains("pyo3"),
            "{} names pyo3; ARCHITECTURE.md keeps Python in python/ only",
            manifest.display()
        );
    }
    let py = std::fs::read_to_string(root().join("python/Cargo.toml")).unwrap();
    assert!(
        py.contains("path = \"../crates/multivector\""),
        "the bindings call the facade crate"
    );
    assert!(
        !py.contains("multivector-cli"),
        "the bindings never call the CLI"
    );
}

#[test]
fn pages_are_templates_that_escape() {
    // The run report's page and the web app's pages are maud templates: no HTML is built by
    // hand in them (a string opening a tag), so nothing interpolated escapes escaping. Charts
    // (SVG in `charts.rs` and the backtest's chart functions) escape their own texts.
    let mut files = vec![root().join("crates/multivector-report/src/lib.rs")];
    files.extend(rust_files(&root().join("crates/multivector-server/src")));
    for f in files {
        for (n, line) in code_lines(&f) {
            let opens_tag = line.match_indices("\"<").any(|(i, m)| {
                line[i + m.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!')
            });
            assert!(
                !opens_tag,
                "{}:{n}: HTML built by hand; write it in the maud template",
                f.display()
            );
        }
    }
}

#[test]
fn the_cli_stays_thin() {
    // The binary parses arguments, chooses a rendering and maps errors to exit codes; the
    // pipeline lives in the facade and the renderings in multivector-report's `text`, so the
    // Python package and the web app print what the shell prints. Past 2,500 lines, the CLI
    // is doing a library's work again.
    let dir = root().join("crates/multivector-cli/src");
    let lines: usize = rust_files(&dir)
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap().lines().count())
        .sum();
    assert!(
        lines < 2_500,
        "crates/multivector-cli/src has {lines} lines (limit 2,500): move rendering to multivector-report::text and pipeline steps to the facade"
    );
    // No JSON trees are assembled in the binary: `--format json` prints a typed document.
    for f in rust_files(&dir) {
        for (n, line) in code_lines(&f) {
            assert!(
                !line.contains("json!(") && !line.contains("serde_json::Value"),
                "{}:{n}: a JSON tree built in the CLI; print a typed document instead",
                f.display()
            );
        }
    }
}
