//! `$ref` resolution and bundling.
//!
//! Every `$ref` must resolve. Local references (`#/...`) are checked against the root
//! document. External ones (`common.yaml#/components/schemas/Err`, `./schemas/pet.json`) are
//! read relative to the file that holds them, and what they point at is copied into the root
//! document's `components` (or, for objects that have no components section such as path
//! items, into the referring position), with the `$ref` rewritten to point there. After
//! bundling, every `$ref` in the root document is a local JSON pointer that resolves.
//!
//! Copied content keeps a trace ([`Origin`]) of where it came from, so diagnostics about it
//! point into the file that was written.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use super::pointer;
use super::source::{self, SourceFile};
use super::walk::{owned, walk, Kind, Seg};
use crate::diagnostic::Diagnostic;

/// Copies of a path item (or other section-less object) nested inside each other: a cycle.
const MAX_INLINES: usize = 10_000;

/// Content of the root document that was copied from `segments` in file `file`.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub(crate) root: Vec<String>,
    pub(crate) file: usize,
    pub(crate) segments: Vec<String>,
}

/// The result of bundling.
#[derive(Debug)]
pub(crate) struct Bundle {
    /// Every file read, the root first.
    pub(crate) files: Vec<SourceFile>,
    pub(crate) origins: Vec<Origin>,
    /// Errors (unresolvable references) and warnings (from parsing external files).
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// A `$ref` member to process: the object holding it and which file's rules apply to it.
#[derive(Debug, Clone)]
struct Site {
    path: Vec<String>,
    file: usize,
    kind: Kind,
}

/// A local reference of the root document, checked once everything is bundled.
struct Deferred {
    site: Vec<String>,
    written: String,
    target: Vec<String>,
}

/// Resolves and bundles every `$ref` of `root`, the value of the file `root_file`.
pub(crate) fn bundle(root: &mut Value, root_file: SourceFile) -> Bundle {
    let mut bundler = Bundler::new(root_file);
    let mut sites = gather(root, Kind::Document, &[], 0, Some(root));
    // Components that are nothing but an external reference are replaced in place, keeping
    // their name; do them first so that other references to the same target find them.
    sites.sort_by_key(|site| !is_component_slot(&site.path));
    bundler.queue.extend(sites);
    while let Some(site) = bundler.queue.pop_front() {
        bundler.process(root, site);
    }
    for deferred in std::mem::take(&mut bundler.deferred) {
        bundler.check_local(root, deferred);
    }
    Bundle {
        files: bundler.files,
        origins: bundler.origins,
        diagnostics: bundler.diagnostics,
    }
}

fn is_component_slot(path: &[String]) -> bool {
    path.len() == 3 && path[0] == "components"
}

/// Every object holding a string `$ref` at an OpenAPI position below `value` that needs
/// work. With `root` (when `value` is the root document itself), local references that
/// already resolve in it are left out: there is nothing to do for them (bundling only adds).
fn gather(
    value: &Value,
    kind: Kind,
    prefix: &[String],
    file: usize,
    root: Option<&Value>,
) -> Vec<Site> {
    let mut sites = Vec::new();
    let mut path: Vec<Seg<'_>> = prefix.iter().map(|s| Seg::Key(s)).collect();
    walk(value, kind, &mut path, &mut |node, kind, path| {
        let Some(Value::String(reference)) = node.get("$ref") else {
            return;
        };
        if let (Some(root), Some(local)) = (root, reference.strip_prefix('#')) {
            if !local.contains('%') && root.pointer(local).is_some() {
                return;
            }
        }
        sites.push(Site {
            path: owned(path),
            file,
            kind,
        });
    });
    sites
}

struct Bundler {
    files: Vec<SourceFile>,
    /// The parsed value of each external file (index 0, the root, is kept empty).
    values: Vec<Value>,
    /// Canonical path → file index.
    by_key: HashMap<PathBuf, usize>,
    /// Files that could not be read or parsed (reported once).
    broken: HashSet<PathBuf>,
    /// (file, pointer segments) → where the content lives in the root document.
    bundled: HashMap<(usize, Vec<String>), Vec<String>>,
    origins: Vec<Origin>,
    queue: VecDeque<Site>,
    deferred: Vec<Deferred>,
    inlines: usize,
    diagnostics: Vec<Diagnostic>,
}

impl Bundler {
    fn new(root_file: SourceFile) -> Self {
        let mut by_key = HashMap::new();
        by_key.insert(file_key(&root_file.path), 0);
        Bundler {
            files: vec![root_file],
            values: vec![Value::Null],
            by_key,
            broken: HashSet::new(),
            bundled: HashMap::new(),
            origins: Vec::new(),
            queue: VecDeque::new(),
            deferred: Vec::new(),
            inlines: 0,
            diagnostics: Vec::new(),
        }
    }

    fn error(&mut self, site: &[String], message: String) {
        let at = pointer::child(&pointer::to_pointer(site), "$ref");
        self.diagnostics.push(Diagnostic::error(at, message));
    }

    fn process(&mut self, root: &mut Value, site: Site) {
        let Some(written) = pointer::get(root, &site.path)
            .and_then(|node| node.get("$ref"))
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return;
        };
        let (file_part, fragment) = match written.split_once('#') {
            Some((file, fragment)) => (file, Some(fragment)),
            None => (written.as_str(), None),
        };
        if written.is_empty() {
            return self.error(&site.path, "empty $ref".to_owned());
        }
        if let Some(scheme) = uri_scheme(file_part) {
            let message = if matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
                "remote $ref not supported (no network access at build time)".to_owned()
            } else {
                format!("unsupported $ref `{written}`: only local files can be referenced")
            };
            return self.error(&site.path, message);
        }
        let target = match fragment.map(|f| pointer::parse(&pointer::percent_decode(f))) {
            None => Vec::new(),
            Some(Some(target)) => target,
            Some(None) => {
                return self.error(
                    &site.path,
                    format!(
                    "unsupported $ref `{written}`: the fragment must be a JSON pointer (`#/...`)"
                ),
                )
            }
        };
        let file = if file_part.is_empty() {
            site.file
        } else {
            match self.open(site.file, file_part, &site.path) {
                Some(file) => file,
                None => return,
            }
        };
        if file == 0 {
            let canonical = pointer::to_pointer(&target);
            if canonical != written {
                set_ref(root, &site.path, canonical);
            }
            self.deferred.push(Deferred {
                site: site.path,
                written,
                target,
            });
            return;
        }
        self.external(root, site, written, file, target);
    }

    /// Bundles what `written` (in the object at `site`) points at: `target` in file `file`.
    fn external(
        &mut self,
        root: &mut Value,
        site: Site,
        written: String,
        file: usize,
        target: Vec<String>,
    ) {
        let Some(content) = pointer::get(&self.values[file], &target) else {
            return self.error(&site.path, format!("unresolved $ref `{written}`"));
        };
        if let Some(there) = self.find_bundled(file, &target) {
            return set_ref(root, &site.path, pointer::to_pointer(&there));
        }
        let content = content.clone();
        let (kind, name) = placement(site.kind, &target, &self.files[file].path);
        let Some(section) = kind.section() else {
            return self.inline(root, site, file, target, content);
        };
        let in_place = site.path.len() == 3
            && site.path[0] == "components"
            && site.path[1] == section
            && pointer::get(root, &site.path)
                .and_then(Value::as_object)
                .is_some_and(|object| object.len() == 1);
        let destination = if in_place {
            site.path.clone()
        } else {
            match free_name(root, section, &name, &content) {
                Slot::Free(name) => vec!["components".to_owned(), section.to_owned(), name],
                Slot::Same(name) => {
                    let there = vec!["components".to_owned(), section.to_owned(), name];
                    set_ref(root, &site.path, pointer::to_pointer(&there));
                    self.bundled.insert((file, target), there);
                    return;
                }
            }
        };
        if !insert(root, &destination, content) {
            return self.error(
                &site.path,
                format!("cannot bundle $ref `{written}`: `components/{section}` is not a mapping"),
            );
        }
        if !in_place {
            set_ref(root, &site.path, pointer::to_pointer(&destination));
        }
        self.adopt(root, &destination, file, target.clone(), kind);
        self.bundled.insert((file, target), destination);
    }

    /// Replaces the referring object by a copy of the content (its other members kept).
    fn inline(
        &mut self,
        root: &mut Value,
        site: Site,
        file: usize,
        target: Vec<String>,
        content: Value,
    ) {
        self.inlines += 1;
        if self.inlines > MAX_INLINES {
            if self.inlines == MAX_INLINES + 1 {
                self.error(
                    &site.path,
                    "too many nested $ref copies (a reference cycle?)".to_owned(),
                );
            }
            return;
        }
        let Some(slot) = pointer::get_mut(root, &site.path) else {
            return;
        };
        let mut content = content;
        if let (Value::Object(siblings), Value::Object(copy)) = (&*slot, &mut content) {
            for (key, value) in siblings {
                if key != "$ref" {
                    copy.insert(key.clone(), value.clone());
                }
            }
        }
        *slot = content;
        self.adopt(root, &site.path, file, target, site.kind);
    }

    /// Records that `at` came from `target` in `file`, and queues the references inside it.
    fn adopt(&mut self, root: &Value, at: &[String], file: usize, target: Vec<String>, kind: Kind) {
        self.origins.push(Origin {
            root: at.to_vec(),
            file,
            segments: target,
        });
        if let Some(content) = pointer::get(root, at) {
            self.queue.extend(gather(content, kind, at, file, None));
        }
    }

    /// Where `target` of `file`, or an ancestor of it, was bundled.
    fn find_bundled(&self, file: usize, target: &[String]) -> Option<Vec<String>> {
        (0..=target.len()).rev().find_map(|len| {
            let there = self.bundled.get(&(file, target[..len].to_vec()))?;
            let mut there = there.clone();
            there.extend_from_slice(&target[len..]);
            Some(there)
        })
    }

    /// The index of the file `relative` names, read relative to file `from`.
    fn open(&mut self, from: usize, relative: &str, site: &[String]) -> Option<usize> {
        let relative = pointer::percent_decode(relative);
        let base = self.files[from].path.parent().unwrap_or(Path::new(""));
        let path = normalize(&base.join(relative.as_ref()));
        let key = file_key(&path);
        if let Some(&index) = self.by_key.get(&key) {
            return Some(index);
        }
        if self.broken.contains(&key) {
            return None;
        }
        let at = pointer::child(&pointer::to_pointer(site), "$ref");
        let parsed = source::read(&path)
            .map_err(|e| {
                let mut diagnostic = e.diagnostic(&path, &at);
                if let source::ReadError::Io(reason) = &e {
                    diagnostic.message =
                        format!("cannot read $ref target `{}`: {reason}", path.display());
                }
                diagnostic
            })
            .and_then(|text| source::parse(path.clone(), text));
        match parsed {
            Ok(parsed) => {
                let index = self.files.len();
                self.files.push(parsed.source);
                self.values.push(parsed.value);
                self.diagnostics.extend(parsed.warnings);
                self.by_key.insert(key, index);
                Some(index)
            }
            Err(diagnostic) => {
                self.diagnostics.push(diagnostic);
                self.broken.insert(key);
                None
            }
        }
    }

    fn check_local(&mut self, root: &Value, deferred: Deferred) {
        if pointer::get(root, &deferred.target).is_none() {
            self.error(
                &deferred.site,
                format!("unresolved $ref `{}`", deferred.written),
            );
        }
    }
}

/// The `scheme` of `text` when it is an absolute URI (one-letter schemes are drive letters).
fn uri_scheme(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once(':')?;
    let mut chars = scheme.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (well_formed && scheme.len() > 1).then_some(scheme)
}

/// The kind and component name for content at `target` of `file`.
fn placement(site_kind: Kind, target: &[String], file: &Path) -> (Kind, String) {
    if let [components, section, name] = target {
        if components == "components" {
            if let Some(kind) = Kind::from_section(section) {
                return (kind, sanitize(name, file));
            }
        }
    }
    let name = target.last().map(String::as_str).unwrap_or_default();
    (site_kind, sanitize(name, file))
}

/// A component name (`[A-Za-z0-9._-]+`) from `name`, or from the file's stem when empty.
fn sanitize(name: &str, file: &Path) -> String {
    let name = if name.is_empty() {
        file.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        name.to_owned()
    };
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        "Bundled".to_owned()
    } else {
        clean
    }
}

enum Slot {
    /// Nothing is called that yet.
    Free(String),
    /// The same content is already there under that name.
    Same(String),
}

/// `name`, or `name2`, `name3`, … : the first that is free in `components/<section>`.
fn free_name(root: &Value, section: &str, name: &str, content: &Value) -> Slot {
    let existing = root
        .get("components")
        .and_then(|c| c.get(section))
        .and_then(Value::as_object);
    let Some(existing) = existing else {
        return Slot::Free(name.to_owned());
    };
    let mut candidate = name.to_owned();
    for n in 2.. {
        match existing.get(&candidate) {
            None => break,
            // References inside would mean something else here: only reuse plain content.
            Some(there) if there == content && !has_ref(content) => return Slot::Same(candidate),
            Some(_) => candidate = format!("{name}{n}"),
        }
    }
    Slot::Free(candidate)
}

fn has_ref(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("$ref") || map.values().any(has_ref),
        Value::Array(items) => items.iter().any(has_ref),
        _ => false,
    }
}

/// Puts `content` at `path`, creating missing mappings on the way. False when a non-mapping
/// is in the way.
fn insert(root: &mut Value, path: &[String], content: Value) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut node = root;
    for segment in parents {
        let Value::Object(map) = node else {
            return false;
        };
        node = map
            .entry(segment.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    match node {
        Value::Object(map) => {
            map.insert(last.clone(), content);
            true
        }
        _ => false,
    }
}

fn set_ref(root: &mut Value, site: &[String], reference: String) {
    if let Some(Value::Object(object)) = pointer::get_mut(root, site) {
        object.insert("$ref".to_owned(), Value::String(reference));
    }
}

/// `path` without `.` components and with `..` applied where possible.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The identity of a file: its canonical path when it exists.
pub(crate) fn file_key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_names() {
        assert_eq!(uri_scheme("https://x/y.yaml"), Some("https"));
        assert_eq!(uri_scheme("C:/specs/a.yaml"), None);
        assert_eq!(uri_scheme("common.yaml"), None);
        assert_eq!(sanitize("Pet Store", Path::new("x.yaml")), "Pet_Store");
        assert_eq!(sanitize("", Path::new("dir/pet.json")), "pet");
        assert_eq!(
            placement(
                Kind::Schema,
                &["components".into(), "responses".into(), "E".into()],
                Path::new("a")
            ),
            (Kind::Response, "E".to_owned())
        );
        assert_eq!(
            normalize(Path::new("./a/b/../c/./d.yaml")),
            PathBuf::from("a/c/d.yaml")
        );
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
    }
}
