//! The load stage: read a spec (YAML or JSON), bundle every external `$ref`, normalise
//! OpenAPI 3.1 into the 3.0 shape, repair common defects, and deserialize with `openapiv3`;
//! keep a source map so any JSON pointer can be turned into file:line:column.
//!
//! Steps, each in its own module:
//! 1. [`source`]: read and parse one file ([`yaml`] builds positions as it parses;
//!    [`json_pos`] builds them lazily for JSON);
//! 2. [`version`]: top-level checks (Swagger 2.0, `openapi`, `paths`);
//! 3. [`bundle`]: resolve every `$ref`, copying external content into `components`;
//! 4. [`normalize`]: 3.1 schemas → 3.0 schemas;
//! 5. [`repair`]: small defects of real specs that openapiv3 would refuse;
//! 6. [`deserialize`]: `serde_json::Value` → `openapiv3::OpenAPI`.

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

/// Normalisation and repairs, in one walk over the document.
fn fix(root: &mut Value, version: version::Version, warnings: &mut Vec<Diagnostic>) {
    let mut path = Vec::new();
    walk::walk_mut(root, walk::Kind::Document, &mut path, &mut |node, kind, path| {
        if kind == walk::Kind::Schema {
            normalize::schema(node, path, version, warnings);
        }
        repair::node(node, kind, path, version, warnings);
    });
    normalize::document(root, version);
    repair::document(root, warnings);
}

#[cfg(test)]
mod corpus {
    use std::collections::BTreeMap;
    use std::path::PathBuf;
    use std::time::Instant;

    /// Loads every document of the shared corpus of real specs and reports failures and
    /// warnings by kind: `cargo test --release -p tollgate-codegen --lib corpus -- --ignored
    /// --nocapture`. `TOLLGATE_CORPUS` overrides the directory.
    #[test]
    #[ignore = "reads the 314-document corpus; run with --ignored (in release mode)"]
    fn every_corpus_document_loads() {
        let dir = std::env::var_os("TOLLGATE_CORPUS").map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/specs"),
            PathBuf::from,
        );
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("no corpus at {}", dir.display());
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        paths.sort();
        let mut failed = Vec::new();
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        let mut warned_docs = 0;
        let start = Instant::now();
        for path in &paths {
            let one = Instant::now();
            match super::load(path) {
                Ok(loaded) => {
                    if !loaded.warnings.is_empty() {
                        warned_docs += 1;
                    }
                    for w in &loaded.warnings {
                        *kinds.entry(kind_of(&w.message)).or_default() += 1;
                    }
                }
                Err(diags) => {
                    let first = diags.0.iter().find(|d| d.is_error()).map(ToString::to_string);
                    failed.push(format!("{}: {}", path.display(), first.unwrap_or_default()));
                }
            }
            let took = one.elapsed();
            if took.as_millis() > 100 {
                eprintln!("slow: {} took {took:?}", path.display());
            }
        }
        eprintln!(
            "{} documents, {} loaded, {} failed, {} with warnings, in {:?}",
            paths.len(),
            paths.len() - failed.len(),
            failed.len(),
            warned_docs,
            start.elapsed()
        );
        for (kind, n) in &kinds {
            eprintln!("  {n:6}  {kind}");
        }
        for f in &failed {
            eprintln!("FAILED {f}");
        }
        assert!(failed.is_empty(), "{} documents failed to load", failed.len());
    }

    /// A warning's message with quoted specifics (`...`, "...") and numbers blanked out.
    fn kind_of(message: &str) -> String {
        let mut out = String::new();
        let mut quote = None;
        for c in message.chars() {
            match quote {
                Some(q) if c == q => {
                    out.push(c);
                    quote = None;
                }
                Some(_) => {}
                None if c == '`' || c == '"' => {
                    out.push_str(&format!("{c}…"));
                    quote = Some(c);
                }
                None if c.is_ascii_digit() => {}
                None => out.push(c),
            }
        }
        out
    }
}
#[cfg(test)]
mod timing_tmp {
    #[test]
    #[ignore]
    fn stripe_phases() {
        use std::time::Instant;
        let path = std::path::Path::new("/work/shared/corpus/specs/stripe.com.json");
        for _ in 0..3 {
        let t = Instant::now();
        let text = super::source::read(path).unwrap();
        let t1 = t.elapsed();
        let parsed = super::source::parse(path.to_path_buf(), text).unwrap();
        let t2 = t.elapsed();
        let mut root = parsed.value;
        let mut w = Vec::new();
        let v = super::version::check(&mut root, &mut w).unwrap();
        let b = super::bundle::bundle(&mut root, parsed.source);
        let t3 = t.elapsed();
        super::fix(&mut root, v, &mut w);
        let t4 = t.elapsed();
        let t5 = t.elapsed();
        let d = super::deserialize::deserialize(&root).unwrap();
        let t6 = t.elapsed();
        let t60 = std::time::Instant::now();
        let _d2: openapiv3::OpenAPI = serde::Deserialize::deserialize(&root).unwrap();
        eprintln!("plain {:?}", t60.elapsed());
        let t60 = std::time::Instant::now();
        let _d2: openapiv3::OpenAPI = serde_json::from_value(root.clone()).unwrap();
        eprintln!("owned {:?}", t60.elapsed());
        let _ = b.files[0].positions();
        let t7 = t.elapsed();
        drop(d);
        eprintln!("read {t1:?} parse {t2:?} bundle {t3:?} norm {t4:?} repair {t5:?} deser {t6:?} pos {t7:?}");
        }
    }
}
