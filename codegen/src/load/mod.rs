//! The load stage: read a spec (YAML or JSON), bundle every external `$ref`, normalise
//! OpenAPI 3.1 into the 3.0 shape, repair common defects, and deserialize with `openapiv3`;
//! keep a source map so any JSON pointer can be turned into file:line:column.
//!
//! Steps, each in its own module:
//! 1. `source`: read and parse one file (`yaml` builds positions as it parses;
//!    `json_pos` builds them lazily for JSON);
//! 2. `version`: top-level checks (Swagger 2.0, `openapi`, `paths`);
//! 3. `bundle`: resolve every `$ref`, copying external content into `components`;
//! 4. `normalize`: 3.1 schemas → 3.0 schemas;
//! 5. `repair`: small defects of real specs that openapiv3 would refuse;
//! 6. `deserialize`: `serde_json::Value` → `openapiv3::OpenAPI`.

mod bundle;
mod deserialize;
mod json_pos;
mod normalize;
pub(crate) mod pointer;
mod pos;
mod repair;
mod source;
mod version;
mod walk;
mod yaml;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceLocation};
use bundle::Origin;
use source::SourceFile;

/// A loaded spec: the bundled, normalised document as JSON and as `openapiv3` types, plus
/// the source map behind [`Loaded::locate`].
#[derive(Debug)]
pub struct Loaded {
    /// The root document with every external `$ref` bundled in, OpenAPI 3.1 normalised, as
    /// JSON. Every `$ref` in it is a local pointer (`#/...`) that resolves in it.
    pub root: Value,
    /// The document, deserialized.
    pub document: openapiv3::OpenAPI,
    /// Every file read (root first) — build.rs prints rerun-if-changed for each.
    pub files: Vec<PathBuf>,
    /// Warnings produced while loading (normalisation fallbacks, repairs, …), located and
    /// sorted by file and line.
    pub warnings: Vec<Diagnostic>,
    map: SourceMap,
}

impl Loaded {
    /// file:line:col of the JSON pointer (e.g. `"#/components/schemas/Pet/properties/id"`) in
    /// the original source, falling back to the nearest ancestor that has a position.
    /// Pointers into bundled external content map back to the external file. A mapping
    /// member is located at its key.
    pub fn locate(&self, pointer: &str) -> Option<SourceLocation> {
        self.map.locate(pointer)
    }

    /// Fills `location` of each diagnostic that lacks one.
    pub fn locate_all(&self, diags: &mut [Diagnostic]) {
        self.map.locate_all(diags);
    }

    /// The raw source text of a file that was read (for snippet rendering).
    pub fn source(&self, file: &Path) -> Option<&str> {
        self.map
            .sources
            .iter()
            .find(|source| source.path == file)
            .map(|source| source.text.as_str())
    }
}

/// How many diagnostics are located by walking their paths in the text before building
/// the whole position tree is cheaper.
const SEEKS: usize = 4;

/// Files read and where bundled content came from.
#[derive(Debug)]
struct SourceMap {
    sources: Vec<SourceFile>,
    origins: Vec<Origin>,
}

impl SourceMap {
    fn locate(&self, pointer: &str) -> Option<SourceLocation> {
        let segments = pointer::parse(pointer)?;
        let origin = self
            .origins
            .iter()
            .filter(|origin| segments.starts_with(&origin.root))
            .max_by_key(|origin| origin.root.len());
        match origin {
            Some(origin) => {
                let mut inner = origin.segments.clone();
                inner.extend_from_slice(&segments[origin.root.len()..]);
                Some(self.sources.get(origin.file)?.locate(&inner))
            }
            None => Some(self.sources.first()?.locate(&segments)),
        }
    }

    fn locate_all(&self, diags: &mut [Diagnostic]) {
        // A few are found by walking their paths; for more, each file's position tree is
        // built once.
        if diags.iter().filter(|d| d.location.is_none()).count() > SEEKS {
            for source in &self.sources {
                source.positions();
            }
        }
        for diag in diags.iter_mut().filter(|d| d.location.is_none()) {
            diag.location = self.locate(&diag.pointer);
        }
    }

    /// The failure: every diagnostic, located and sorted.
    fn fail(&self, mut diagnostics: Vec<Diagnostic>) -> Diagnostics {
        self.locate_all(&mut diagnostics);
        Diagnostics::new(diagnostics)
    }
}

/// Loads the spec at `path` and every file its `$ref`s reach.
pub fn load(path: &Path) -> Result<Loaded, Diagnostics> {
    let text = source::read(path).map_err(|e| Diagnostics::from(e.diagnostic(path, "#")))?;
    load_text(path.to_path_buf(), text)
}

/// Loads a spec given as text; `name` names it in diagnostics, and external `$ref`s are
/// resolved relative to `name`'s directory.
pub fn load_str(name: &Path, text: &str) -> Result<Loaded, Diagnostics> {
    load_text(name.to_path_buf(), text.to_owned())
}

fn load_text(path: PathBuf, text: String) -> Result<Loaded, Diagnostics> {
    let Prepared {
        root,
        mut warnings,
        map,
    } = prepare(path, text)?;
    let document = match deserialize::deserialize(&root) {
        Ok(document) => document,
        Err(error) => {
            warnings.push(error);
            return Err(map.fail(warnings));
        }
    };
    map.locate_all(&mut warnings);
    let warnings = Diagnostics::new(warnings).0;
    Ok(Loaded {
        root,
        document,
        files: map.sources.iter().map(|s| s.path.clone()).collect(),
        warnings,
        map,
    })
}

/// A document read, bundled, normalised and repaired, not yet deserialized.
struct Prepared {
    root: Value,
    /// Not yet located nor sorted.
    warnings: Vec<Diagnostic>,
    map: SourceMap,
}

/// Every step of [`load`] but the last (deserializing with `openapiv3`).
fn prepare(path: PathBuf, text: String) -> Result<Prepared, Diagnostics> {
    let parsed = source::parse(path, text).map_err(Diagnostics::from)?;
    let mut warnings = parsed.warnings;
    let mut root = parsed.value;
    let version = match version::check(&mut root, &mut warnings) {
        Ok(version) => version,
        Err(error) => {
            let map = SourceMap {
                sources: vec![parsed.source],
                origins: Vec::new(),
            };
            warnings.push(error);
            return Err(map.fail(warnings));
        }
    };
    let bundled = bundle::bundle(&mut root, parsed.source);
    let map = SourceMap {
        sources: bundled.files,
        origins: bundled.origins,
    };
    warnings.extend(bundled.diagnostics);
    if warnings.iter().any(Diagnostic::is_error) {
        return Err(map.fail(warnings));
    }
    fix(&mut root, version, &mut warnings);
    Ok(Prepared {
        root,
        warnings,
        map,
    })
}

/// What [`load_then`] gives: the result of the work on the document, every file read, and
/// the warnings of loading then of the work, located.
#[derive(Debug)]
pub(crate) struct Worked<T> {
    /// What the work returned.
    pub(crate) value: T,
    /// Every file read (root first).
    pub(crate) files: Vec<PathBuf>,
    /// The loading warnings (sorted by file and line), then the work's, all located.
    pub(crate) warnings: Vec<Diagnostic>,
    /// How long reading, bundling, normalising and repairing took.
    pub(crate) load: Duration,
}

/// Loads a spec like [`load`] and runs `work` (which returns a value and warnings) on the
/// bundled document. The `openapiv3` deserialization, which only checks the document here,
/// runs on a thread of its own meanwhile when `parallel`, and its result is dropped at
/// once: the same errors as [`load`], for less time and memory. The work's result is
/// discarded when the document does not deserialize.
pub(crate) fn load_then<T>(
    path: PathBuf,
    text: String,
    parallel: bool,
    work: impl FnOnce(&Value) -> (T, Vec<Diagnostic>),
) -> Result<Worked<T>, Diagnostics> {
    let start = Instant::now();
    let Prepared {
        root,
        mut warnings,
        map,
    } = prepare(path, text)?;
    let load = start.elapsed();
    let check = || deserialize::deserialize(&root).map(drop);
    let (checked, (value, mut work_warnings)) = if parallel {
        std::thread::scope(|scope| {
            let checking = scope.spawn(check);
            let worked = work(&root);
            let checked = checking
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (checked, worked)
        })
    } else {
        (check(), work(&root))
    };
    crate::free(root, parallel);
    if let Err(error) = checked {
        warnings.push(error);
        return Err(map.fail(warnings));
    }
    map.locate_all(&mut warnings);
    let mut warnings = Diagnostics::new(warnings).0;
    map.locate_all(&mut work_warnings);
    warnings.append(&mut work_warnings);
    Ok(Worked {
        value,
        files: map.sources.iter().map(|s| s.path.clone()).collect(),
        warnings,
        load,
    })
}

/// [`load_then`] on the spec at `path`.
pub(crate) fn load_file_then<T>(
    path: &Path,
    parallel: bool,
    work: impl FnOnce(&Value) -> (T, Vec<Diagnostic>),
) -> Result<Worked<T>, Diagnostics> {
    let text = source::read(path).map_err(|e| Diagnostics::from(e.diagnostic(path, "#")))?;
    load_then(path.to_path_buf(), text, parallel, work)
}

/// Normalisation and repairs, in one walk over the document.
fn fix(root: &mut Value, version: version::Version, warnings: &mut Vec<Diagnostic>) {
    let mut path = Vec::new();
    walk::walk_mut(
        root,
        walk::Kind::Document,
        &mut path,
        &mut |node, kind, path| {
            if kind == walk::Kind::Schema {
                normalize::schema(node, path, version, warnings);
            }
            repair::node(node, kind, path, version, warnings);
        },
    );
    normalize::document(root, version);
    repair::document(root, warnings);
}

#[cfg(test)]
mod tests;
