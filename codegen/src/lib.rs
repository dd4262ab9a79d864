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
    /// Whether generation uses threads: the `openapiv3` check beside lowering, and
    /// emitting and formatting on every core.
    parallel: bool,
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
            parallel: true,
        }
    }

    /// Emits and formats on the calling thread only. Procedural macros need this:
    /// `proc_macro2` cannot build tokens on other threads while a macro expands. The
    /// output is the same either way.
    pub fn on_this_thread(mut self) -> Self {
        self.parallel = false;
        self
    }

    /// Loads the spec at `path` and generates its module.
    pub fn generate_file(&self, path: &Path) -> Result<Generated, Diagnostics> {
        let start = Instant::now();
        let lowered = load::load_file_then(path, self.parallel, Self::lower_timed)?;
        self.generate_lowered(lowered, start)
    }

    /// Generates the module of a spec given as text; `name` is used in diagnostics and to
    /// resolve relative external `$ref`s.
    pub fn generate_str(&self, name: &Path, text: &str) -> Result<Generated, Diagnostics> {
        let start = Instant::now();
        let lowered = load::load_then(
            name.to_path_buf(),
            text.to_owned(),
            self.parallel,
            Self::lower_timed,
        )?;
        self.generate_lowered(lowered, start)
    }

    /// The lowered IR of a spec, with its warnings (for tools such as `tollgate routes`).
    pub fn lower_file(&self, path: &Path) -> Result<(ir::Api, Vec<Diagnostic>), Diagnostics> {
        let loaded = load::load(path)?;
        let (api, mut warnings) = ir::lower(&loaded.root);
        warnings.extend(loaded.warnings.iter().cloned());
        loaded.locate_all(&mut warnings);
        Ok((api, warnings))
    }

    /// Lowers the document, timing it.
    fn lower_timed(root: &serde_json::Value) -> ((ir::Api, Duration), Vec<Diagnostic>) {
        let start = Instant::now();
        let (api, warnings) = ir::lower(root);
        ((api, start.elapsed()), warnings)
    }

    fn generate_lowered(
        &self,
        lowered: load::Worked<(ir::Api, Duration)>,
        start: Instant,
    ) -> Result<Generated, Diagnostics> {
        let load::Worked {
            value: (api, lower),
            files,
            warnings,
            load,
        } = lowered;
        let mut stage = Instant::now();
        let mut lap = || {
            let now = Instant::now();
            let elapsed = now - stage;
            stage = now;
            elapsed
        };
        let code = emit::render(&api, &self.settings, self.parallel).map_err(|err| {
            Diagnostics::new(vec![Diagnostic::error(
                "#",
                format!("internal error: generated code does not parse ({err}); please report this spec"),
            )])
        })?;
        let emit_and_format = lap();
        let (operations, types, schema_stats) =
            (api.operations.len(), api.types.len(), api.schema_stats);
        free(api, self.parallel);
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
                ("lower (IR), the openapiv3 check beside it", lower),
                (
                    "emit + format (syn + prettyplease), in units over the cores",
                    emit_and_format,
                ),
            ],
        })
    }
}

/// Drops `value`, on a thread of its own when `aside`, so that freeing a large tree (the
/// parsed document, the IR: a few milliseconds each on Stripe) does not hold up the caller,
/// who has the file to write meanwhile. If no thread can be started it is dropped here.
pub(crate) fn free<T: Send + 'static>(value: T, aside: bool) {
    if !aside {
        return drop(value);
    }
    // A failed spawn drops the closure, and with it the value, before returning.
    let _ = std::thread::Builder::new()
        .name("tollgate-drop".into())
        .spawn(move || drop(value));
}
