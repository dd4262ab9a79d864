//! # tollgate-codegen
//!
//! Turns an OpenAPI 3 document into a Rust module: types, validators, request and response
//! types, an `Api` trait, a `Mock`, and a `router()` wired to the `tollgate` runtime.
//!
//! Three stages, each a module with one job: [`load`] (parse, resolve `$ref`s, keep a source
//! map), [`ir`] (lower to a Rust-shaped IR where every decision is made), and `emit` (IR →
//! tokens → prettyplease). The three entry points — [`Builder`] for `build.rs`, the
//! `tollgate` CLI and the `#[tollgate::gateway]` macro — all call [`Generator::generate_file`],
//! so they produce byte-identical code for the same spec and [`Settings`].
//!
//! # Example
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     tollgate_codegen::Builder::new("openapi.yaml").generate()?;
//!     Ok(())
//! }
//! ```

pub mod diagnostic;
mod emit;
pub mod ir;
pub mod lint;
pub mod load;
mod settings;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use diagnostic::{Diagnostic, Diagnostics, Severity, SourceLocation};
pub use settings::{BuildError, Builder, Settings};

/// The generator: one call from a loaded spec to formatted code.
#[derive(Debug, Clone)]
pub struct Generator {
    settings: Settings,
}

/// The result of a generation.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The formatted module.
    pub code: String,
    /// Warnings (each a fallback that was applied), located in the spec.
    pub warnings: Vec<Diagnostic>,
    /// Every file read, the spec first (for `rerun-if-changed`).
    pub files: Vec<PathBuf>,
    /// Number of operations generated.
    pub operations: usize,
    /// Number of named types generated.
    pub types: usize,
    /// Schemas lowered, and how many fell back to `serde_json::Value` (see
    /// [`ir::SchemaStats`]).
    pub schema_stats: ir::SchemaStats,
    /// Wall time of load + lower + emit + format.
    pub elapsed: Duration,
    /// Wall time of each stage, in order (`tollgate gen --timings` prints them).
    pub stages: Vec<(&'static str, Duration)>,
}

impl Generator {
    /// A generator with `settings`.
    pub fn new(settings: &Settings) -> Self {
        Self {
            settings: settings.clone(),
        }
    }

    /// Loads the spec at `path` and generates its module.
    pub fn generate_file(&self, path: &Path) -> Result<Generated, Diagnostics> {
        let start = Instant::now();
        let loaded = load::load(path)?;
        self.generate_loaded(loaded, start, start.elapsed())
    }

    /// Generates the module of a spec given as text; `name` is used in diagnostics and to
    /// resolve relative external `$ref`s.
    pub fn generate_str(&self, name: &Path, text: &str) -> Result<Generated, Diagnostics> {
        let start = Instant::now();
        let loaded = load::load_str(name, text)?;
        self.generate_loaded(loaded, start, start.elapsed())
    }

    /// The lowered IR of a spec, with its warnings (for tools such as `tollgate routes`).
    pub fn lower_file(&self, path: &Path) -> Result<(ir::Api, Vec<Diagnostic>), Diagnostics> {
        let loaded = load::load(path)?;
        let (api, mut warnings) = ir::lower(&loaded.root);
        warnings.extend(loaded.warnings.iter().cloned());
        loaded.locate_all(&mut warnings);
        Ok((api, warnings))
    }

    fn generate_loaded(
        &self,
        mut loaded: load::Loaded,
        start: Instant,
        load: Duration,
    ) -> Result<Generated, Diagnostics> {
        let mut stage = Instant::now();
        let mut lap = || {
            let now = Instant::now();
            let elapsed = now - stage;
            stage = now;
            elapsed
        };
        let (api, lower_warnings) = ir::lower(&loaded.root);
        let mut warnings = loaded.warnings.clone();
        warnings.extend(lower_warnings);
        loaded.locate_all(&mut warnings);
        let lower = lap();
        let tokens = emit::Emitter::new(&api, &self.settings).file();
        let emit = lap();
        // Formatting is the memory peak (the whole file's syn AST): free the document and
        // the IR first.
        let (operations, types, schema_stats) =
            (api.operations.len(), api.types.len(), api.schema_stats);
        drop(api);
        let files = std::mem::take(&mut loaded.files);
        drop(loaded);
        let code = emit::format(tokens).map_err(|err| {
            Diagnostics::new(vec![Diagnostic::error(
                "#",
                format!("internal error: generated code does not parse ({err}); please report this spec"),
            )])
        })?;
        Ok(Generated {
            code,
            warnings,
            files,
            operations,
            types,
            schema_stats,
            elapsed: start.elapsed(),
            stages: vec![
                ("load (parse, $refs, source map)", load),
                ("lower (IR)", lower),
                ("emit (tokens)", emit),
                ("format (syn + prettyplease)", lap()),
            ],
        })
    }
}
