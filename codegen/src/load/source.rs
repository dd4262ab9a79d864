//! One file of a spec: reading it, parsing it as JSON or YAML, and its position map.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use super::pos::{Pos, PosNode};
use super::{json_pos, yaml};
use crate::diagnostic::{Diagnostic, SourceLocation};

/// How a file is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Yaml,
}

impl Format {
    /// By extension (`.json`, `.yaml`, `.yml`); otherwise JSON when the text starts with `{`.
    pub(crate) fn detect(path: &Path, text: &str) -> Format {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("json") => Format::Json,
            Some("yaml" | "yml") => Format::Yaml,
            _ if text.trim_start().starts_with('{') => Format::Json,
            _ => Format::Yaml,
        }
    }
}

/// A file that was read, with its text kept for locating and rendering diagnostics.
#[derive(Debug)]
pub(crate) struct SourceFile {
    pub(crate) path: PathBuf,
    pub(crate) text: String,
    format: Format,
    /// Built while parsing for YAML, on first use for JSON.
    positions: OnceLock<PosNode>,
}

impl SourceFile {
    /// The position tree of the file.
    pub(crate) fn positions(&self) -> &PosNode {
        self.positions.get_or_init(|| match self.format {
            Format::Json => json_pos::positions(&self.text),
            // Parsed successfully before, so this does not fail; stay total anyway.
            Format::Yaml => yaml::parse(&self.text)
                .map(|parsed| parsed.positions)
                .unwrap_or_else(|_| PosNode::leaf(Pos::new(1, 1))),
        })
    }

    /// The location of the node at `segments` (or of its nearest ancestor that was written).
    /// A JSON file whose position tree is not built is searched along the path only (see
    /// [`json_pos::locate`]); [`Self::positions`] builds the tree for many lookups.
    pub(crate) fn locate<S: AsRef<str>>(&self, segments: &[S]) -> SourceLocation {
        let pos = match (self.format, self.positions.get()) {
            (Format::Json, None) => json_pos::locate(&self.text, segments),
            _ => self.positions().locate(segments),
        };
        location(&self.path, pos)
    }
}

/// A parsed file: its source, its value, and any warnings.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) source: SourceFile,
    pub(crate) value: Value,
    pub(crate) warnings: Vec<Diagnostic>,
}

/// Reads `path` as UTF-8 text. The error is the problem in words, without the path.
pub(crate) fn read(path: &Path) -> Result<String, ReadError> {
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = String::from_utf8_lossy(valid);
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ReadError::NotUtf8 { line, column }
    })
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadError {
    Io(String),
    NotUtf8 { line: usize, column: usize },
}

impl ReadError {
    /// The diagnostic for failing to read `path`; `pointer` is where the file was needed.
    pub(crate) fn diagnostic(&self, path: &Path, pointer: &str) -> Diagnostic {
        match self {
            ReadError::Io(reason) => Diagnostic::error(
                pointer,
                format!("cannot read `{}`: {reason}", path.display()),
            ),
            ReadError::NotUtf8 { line, column } => {
                Diagnostic::error("#", "the file is not valid UTF-8").at(SourceLocation {
                    file: path.to_path_buf(),
                    line: *line,
                    column: *column,
                })
            }
        }
    }
}

/// Parses `text` as the contents of `path`. Syntax errors come with their position.
pub(crate) fn parse(path: PathBuf, text: String) -> Result<Parsed, Diagnostic> {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    let format = Format::detect(&path, &text);
    if text.trim().is_empty() {
        return Err(Diagnostic::error("#", "the file is empty").at(location(&path, Pos::new(1, 1))));
    }
    let positions = OnceLock::new();
    let mut warnings = Vec::new();
    let value = match format {
        Format::Json => serde_json::from_str::<Value>(&text).map_err(|e| {
            let pos = Pos::new(e.line().max(1), e.column().max(1));
            Diagnostic::error("#", format!("invalid JSON: {}", json_reason(&e)))
                .at(location(&path, pos))
        })?,
        Format::Yaml => {
            let parsed = yaml::parse(&text).map_err(|e| {
                Diagnostic::error("#", format!("invalid YAML: {}", e.message))
                    .at(location(&path, e.pos))
            })?;
            if parsed.more_documents {
                warnings.push(
                    Diagnostic::warning(
                        "#",
                        "the file holds more than one YAML document; only the first is read",
                    )
                    .at(location(&path, Pos::new(1, 1))),
                );
            }
            let _ = positions.set(parsed.positions);
            parsed.value
        }
    };
    Ok(Parsed {
        source: SourceFile {
            path,
            text,
            format,
            positions,
        },
        value,
        warnings,
    })
}

/// serde_json's message without its " at line L column C" suffix (the location says that).
fn json_reason(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    }
}

fn location(path: &Path, pos: Pos) -> SourceLocation {
    SourceLocation {
        file: path.to_path_buf(),
        line: pos.line as usize,
        column: pos.col as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_detection() {
        assert_eq!(Format::detect(Path::new("a.JSON"), "x: 1"), Format::Json);
        assert_eq!(Format::detect(Path::new("a.yml"), "{}"), Format::Yaml);
        assert_eq!(
            Format::detect(Path::new("spec"), "  {\"a\": 1}"),
            Format::Json
        );
        assert_eq!(Format::detect(Path::new("spec"), "a: 1"), Format::Yaml);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("x.json".into(), "{\n  \"a\": 1,\n}".into()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.json:3:1: error: invalid JSON: trailing comma (at #)"
        );
        let err = parse("x.yaml".into(), "a: 1\nb: [1\n".into()).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("x.yaml:3:1: error: invalid YAML: "));
        let err = parse("x.yaml".into(), " \n".into()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.yaml:1:1: error: the file is empty (at #)"
        );
    }

    #[test]
    fn json_positions_are_lazy() {
        let parsed = parse("x.json".into(), "{\"a\": {\"b\": 1}}".into()).expect("valid");
        assert!(parsed.source.positions.get().is_none());
        let loc = parsed.source.locate(&["a", "b"]);
        assert_eq!((loc.line, loc.column), (1, 8));
    }
}
