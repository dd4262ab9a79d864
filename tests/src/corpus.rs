//! The corpus runner: generate every OpenAPI document in a directory, compile-check all the
//! results, and report what failed and why.
//!
//! Each spec becomes a crate of its own (`corpus-<stem>`) whose only dependency is
//! `tollgate`, in one throw-away workspace under `target/generated-crates/corpus/`. One
//! `cargo check --keep-going` builds them all, sharing the target directory of the
//! standalone-compile tests, so the runtime and its dependencies are built once. Compiler
//! messages are attributed to specs by package, so one broken spec does not hide the others.
//!
//! Used by the `corpus` binary (`cargo corpus <DIR>`, see the README) and by the
//! `corpus_slice` test, which runs it on `fixtures/corpus/`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::BufRead;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tollgate_codegen::{Generator, Settings};

/// What happened to one spec.
#[derive(Debug, Clone)]
pub struct SpecOutcome {
    /// The spec's file name.
    pub file: String,
    /// The crate it was compiled in (`None` when generation failed).
    pub crate_name: Option<String>,
    /// Size of the spec in bytes.
    pub bytes: u64,
    /// Generation figures, or why generation failed.
    pub generation: Result<GenerationFigures, Failure>,
    /// The compile result (`None` until checked, or when generation failed).
    pub compile: Option<Result<(), Failure>>,
}

impl SpecOutcome {
    /// Generated, and (unless the run was generate-only) compiled without errors or
    /// warnings.
    pub fn passed(&self) -> bool {
        self.generation.is_ok() && !matches!(self.compile, Some(Err(_)))
    }

    /// The first failure, if any.
    pub fn failure(&self) -> Option<&Failure> {
        match (&self.generation, &self.compile) {
            (Err(failure), _) | (Ok(_), Some(Err(failure))) => Some(failure),
            _ => None,
        }
    }
}

/// Figures of one successful generation.
#[derive(Debug, Clone, Copy)]
pub struct GenerationFigures {
    /// Operations generated.
    pub operations: usize,
    /// Named types generated.
    pub types: usize,
    /// Schemas lowered.
    pub schemas: usize,
    /// Schemas that fell back to `serde_json::Value`.
    pub fallbacks: usize,
    /// Warnings the generator gave.
    pub warnings: usize,
    /// Lines of generated code.
    pub lines: usize,
    /// Wall time of the generation.
    pub elapsed: Duration,
}

/// Why a spec did not pass: a cause (what the table groups by) and the details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// A short grouping key: `spec error`, `generator panic`, `error[E0412]`,
    /// `warning: unused_imports`, …
    pub cause: String,
    /// The first message, for the reader.
    pub detail: String,
}

/// The runner's settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// The directory of specs (`*.json`, `*.yaml`, `*.yml`; not recursive).
    pub specs: PathBuf,
    /// The workspace root of tollgate (for the runtime path and the lock file).
    pub workspace_root: PathBuf,
    /// Where the generated workspace goes.
    pub out: PathBuf,
    /// The target directory to compile in.
    pub target_dir: PathBuf,
    /// Only generate, do not compile.
    pub generate_only: bool,
}

impl Options {
    /// Defaults for a tollgate checkout at `workspace_root`: the generated crates under
    /// `target/generated-crates/corpus/<dir name>`, compiled in
    /// `target/generated-crates/target`.
    pub fn new(specs: impl Into<PathBuf>, workspace_root: impl Into<PathBuf>) -> Self {
        let specs = specs.into();
        let workspace_root = workspace_root.into();
        let generated = workspace_root.join("target/generated-crates");
        let label = specs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "specs".into());
        Self {
            out: generated.join("corpus").join(label),
            target_dir: generated.join("target"),
            specs,
            workspace_root,
            generate_only: false,
        }
    }
}

/// The whole run.
#[derive(Debug, Clone)]
pub struct Report {
    /// One entry per spec, in file-name order.
    pub specs: Vec<SpecOutcome>,
    /// Wall time of `cargo check`.
    pub check_elapsed: Duration,
}

impl Report {
    /// Specs that passed.
    pub fn passed(&self) -> usize {
        self.specs.iter().filter(|s| s.passed()).count()
    }

    /// Specs that did not.
    pub fn failed(&self) -> usize {
        self.specs.len() - self.passed()
    }

    /// `(schemas lowered, fallbacks)` over all generated specs.
    pub fn fallback_counts(&self) -> (usize, usize) {
        self.specs
            .iter()
            .filter_map(|s| s.generation.as_ref().ok())
            .fold((0, 0), |(s, f), g| (s + g.schemas, f + g.fallbacks))
    }

    /// The human-readable report: failures by cause, the failing specs, the fallback share,
    /// timings, and the closing `N passed, M failed` line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut by_cause: BTreeMap<&str, Vec<&SpecOutcome>> = BTreeMap::new();
        for spec in &self.specs {
            if let Some(failure) = spec.failure() {
                by_cause.entry(&failure.cause).or_default().push(spec);
            }
        }
        if !by_cause.is_empty() {
            let _ = writeln!(out, "failures by cause:");
            let _ = writeln!(out, "  {:>5}  cause", "specs");
            for (cause, specs) in &by_cause {
                let _ = writeln!(out, "  {:>5}  {cause}", specs.len());
            }
            let _ = writeln!(out, "\nfailing specs:");
            for spec in self.specs.iter().filter(|s| !s.passed()) {
                if let Some(failure) = spec.failure() {
                    let detail = failure.detail.lines().next().unwrap_or_default();
                    let _ = writeln!(out, "  {}: {}: {detail}", spec.file, failure.cause);
                }
            }
            out.push('\n');
        }
        let generated: Vec<&GenerationFigures> = self
            .specs
            .iter()
            .filter_map(|s| s.generation.as_ref().ok())
            .collect();
        let (schemas, fallbacks) = self.fallback_counts();
        let share = if schemas == 0 {
            0.0
        } else {
            100.0 * fallbacks as f64 / schemas as f64
        };
        let operations: usize = generated.iter().map(|g| g.operations).sum();
        let types: usize = generated.iter().map(|g| g.types).sum();
        let lines: usize = generated.iter().map(|g| g.lines).sum();
        let warnings: usize = generated.iter().map(|g| g.warnings).sum();
        let generation: Duration = generated.iter().map(|g| g.elapsed).sum();
        let _ = writeln!(
            out,
            "generated {} of {} specs: {operations} operations, {types} types, {lines} lines, \
             {warnings} generator warnings, in {:.2} s",
            generated.len(),
            self.specs.len(),
            generation.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "fallbacks to serde_json::Value: {fallbacks} of {schemas} schemas ({share:.2}%)"
        );
        let _ = writeln!(
            out,
            "cargo check of the generated crates: {:.1} s",
            self.check_elapsed.as_secs_f64()
        );
        let _ = writeln!(out, "{} passed, {} failed", self.passed(), self.failed());
        out
    }
}

/// Runs the corpus: generate every spec, then compile-check the results.
pub fn run(options: &Options) -> Result<Report, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&options.specs)
        .map_err(|e| format!("{}: {e}", options.specs.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "json" || e == "yaml" || e == "yml")
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!(
            "{}: no *.json, *.yaml or *.yml files",
            options.specs.display()
        ));
    }

    let runtime = options.workspace_root.join("runtime");
    let mut specs = Vec::with_capacity(files.len());
    let mut crate_names = std::collections::BTreeSet::new();
    for file in &files {
        let outcome = generate_one(file, &options.out, &runtime, &mut crate_names)?;
        specs.push(outcome);
    }

    let mut report = Report {
        specs,
        check_elapsed: Duration::ZERO,
    };
    if options.generate_only {
        return Ok(report);
    }
    write_workspace(options, &report)?;
    let start = Instant::now();
    let results = check_workspace(options)?;
    report.check_elapsed = start.elapsed();
    for spec in &mut report.specs {
        if let Some(name) = &spec.crate_name {
            spec.compile = Some(match results.get(name) {
                Some(CrateResult {
                    first_error: Some(f),
                    ..
                }) => Err(f.clone()),
                Some(CrateResult {
                    first_warning: Some(f),
                    ..
                }) => Err(f.clone()),
                Some(CrateResult { built: true, .. }) => Ok(()),
                _ => Err(Failure {
                    cause: "not checked".into(),
                    detail: "cargo reported nothing for this crate (a dependency failed?)".into(),
                }),
            });
        }
    }
    Ok(report)
}

/// Generates one spec into its crate directory.
fn generate_one(
    file: &Path,
    out: &Path,
    runtime: &Path,
    crate_names: &mut std::collections::BTreeSet<String>,
) -> Result<SpecOutcome, String> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let generator = Generator::new(&Settings::default());
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| generator.generate_file(file)));
    let elapsed = start.elapsed();
    let generated = match result {
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            return Ok(failed_generation(name, bytes, "generator panic", message));
        }
        Ok(Err(diagnostics)) => {
            let detail = diagnostics.to_string();
            return Ok(failed_generation(name, bytes, "spec error", detail));
        }
        Ok(Ok(generated)) => generated,
    };

    let crate_name = unique_crate_name(file, crate_names);
    let dir = out.join(&crate_name);
    write_if_changed(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"{crate_name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[dependencies]\ntollgate = {{ path = {:?} }}\n",
            runtime.display().to_string()
        ),
    )?;
    write_if_changed(
        &dir.join("src/lib.rs"),
        &format!(
            "//! Generated from `{name}` by the tollgate corpus runner.\n\n\
             /// The generated gateway.\npub mod api {{\n    include!(\"api.rs\");\n}}\n"
        ),
    )?;
    write_if_changed(&dir.join("src/api.rs"), &generated.code)?;
    Ok(SpecOutcome {
        file: name,
        crate_name: Some(crate_name),
        bytes,
        generation: Ok(GenerationFigures {
            operations: generated.operations,
            types: generated.types,
            schemas: generated.schema_stats.schemas,
            fallbacks: generated.schema_stats.fallbacks,
            warnings: generated.warnings.len(),
            lines: generated.code.lines().count(),
            elapsed,
        }),
        compile: None,
    })
}

fn failed_generation(file: String, bytes: u64, cause: &str, detail: String) -> SpecOutcome {
    SpecOutcome {
        file,
        crate_name: None,
        bytes,
        generation: Err(Failure {
            cause: cause.into(),
            detail,
        }),
        compile: None,
    }
}

/// `corpus-<stem>` in lowercase with `-` for anything but ASCII letters and digits, made
/// unique with a numeric suffix.
fn unique_crate_name(file: &Path, taken: &mut std::collections::BTreeSet<String>) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut slug = String::from("corpus-");
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    let mut name = slug.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{slug}-{n}");
        n += 1;
    }
    name
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    // Unchanged files keep their mtime, so a second run only re-checks what changed.
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The workspace manifest listing every generated crate, and the lock file of tollgate's
/// own workspace (same dependency versions, no resolution, works offline).
fn write_workspace(options: &Options, report: &Report) -> Result<(), String> {
    let members: Vec<String> = report
        .specs
        .iter()
        .filter_map(|s| s.crate_name.as_ref().map(|n| format!("    {n:?},")))
        .collect();
    write_if_changed(
        &options.out.join("Cargo.toml"),
        &format!(
            "# Written by the tollgate corpus runner.\n[workspace]\nresolver = \"2\"\n\
             members = [\n{}\n]\n",
            members.join("\n")
        ),
    )?;
    let lock = std::fs::read_to_string(options.workspace_root.join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    write_if_changed(&options.out.join("Cargo.lock"), &lock)
}

/// What cargo said about one crate.
#[derive(Debug, Default)]
struct CrateResult {
    built: bool,
    first_error: Option<Failure>,
    first_warning: Option<Failure>,
}

/// Runs `cargo check --keep-going` over the generated workspace and sorts its messages by
/// crate.
fn check_workspace(options: &Options) -> Result<BTreeMap<String, CrateResult>, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut child = Command::new(cargo)
        .args([
            "check",
            "--offline",
            "--workspace",
            "--keep-going",
            "--message-format=json",
        ])
        .current_dir(&options.out)
        .env("CARGO_TARGET_DIR", &options.target_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = child.stdout.take().ok_or("cargo has no stdout")?;
    let mut results: BTreeMap<String, CrateResult> = BTreeMap::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading cargo output: {e}"))?;
        let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let Some(package) = message["package_id"].as_str().and_then(corpus_crate) else {
            continue;
        };
        let entry = results.entry(package).or_default();
        match message["reason"].as_str() {
            Some("compiler-artifact") => entry.built = true,
            Some("compiler-message") => {
                let diagnostic = &message["message"];
                let text = diagnostic["message"].as_str().unwrap_or_default();
                let code = diagnostic["code"]["code"].as_str();
                let rendered = diagnostic["rendered"].as_str().unwrap_or(text);
                match diagnostic["level"].as_str() {
                    Some("error") if entry.first_error.is_none() => {
                        entry.first_error = Some(Failure {
                            cause: match code {
                                Some(code) => format!("error[{code}]"),
                                None => "error".into(),
                            },
                            detail: first_lines(rendered, 6),
                        });
                    }
                    Some("warning") if entry.first_warning.is_none() => {
                        entry.first_warning = Some(Failure {
                            cause: format!("warning: {}", code.unwrap_or(text)),
                            detail: first_lines(rendered, 6),
                        });
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    child
        .wait()
        .map_err(|e| format!("waiting for cargo: {e}"))?;
    Ok(results)
}

/// The crate name of a `package_id` if it is one of the generated crates
/// (`path+file:///…/corpus-foo#0.0.0`, or the older `corpus-foo 0.0.0 (path+file://…)`).
fn corpus_crate(package_id: &str) -> Option<String> {
    let name = if let Some((path, _)) = package_id.split_once('#') {
        path.rsplit('/').next()?.to_owned()
    } else {
        package_id.split_whitespace().next()?.to_owned()
    };
    name.starts_with("corpus-").then_some(name)
}

fn first_lines(text: &str, n: usize) -> String {
    text.lines().take(n).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_are_slugs_and_unique() {
        let mut taken = std::collections::BTreeSet::new();
        let a = unique_crate_name(Path::new("x/amazonaws.com__S3.json"), &mut taken);
        let b = unique_crate_name(Path::new("y/amazonaws.com__s3.yaml"), &mut taken);
        assert_eq!(a, "corpus-amazonaws-com-s3");
        assert_eq!(b, "corpus-amazonaws-com-s3-2");
    }

    #[test]
    fn package_ids_in_both_formats() {
        assert_eq!(
            corpus_crate("path+file:///t/corpus/corpus-foo#0.0.0").as_deref(),
            Some("corpus-foo")
        );
        assert_eq!(
            corpus_crate("corpus-foo 0.0.0 (path+file:///t/corpus/corpus-foo)").as_deref(),
            Some("corpus-foo")
        );
        assert_eq!(corpus_crate("path+file:///w/runtime#tollgate@0.1.0"), None);
    }
}
