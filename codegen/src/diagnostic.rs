//! Diagnostics: what the code generator tells the user about a spec.
//!
//! Every stage reports problems as [`Diagnostic`]s that name the JSON pointer of the offending
//! node and, once located, the file, line and column where that node is written. A failed
//! generation returns all of them together as [`Diagnostics`].

use std::fmt;
use std::path::PathBuf;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Generation goes on with a documented fallback.
    Warning,
    /// Generation fails.
    Error,
}

impl Severity {
    /// The lower-case word used in rendered diagnostics: `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A position in a source file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceLocation {
    /// The file, as it was named when read (the root path given to the loader, or that path's
    /// directory joined with the relative path of an external `$ref`).
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// One problem found in a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in one sentence without a trailing period.
    pub message: String,
    /// JSON pointer of the node concerned, as a URI fragment (`#/paths/~1pets/get`).
    pub pointer: String,
    /// Where the node is written, once located (see `Loaded::locate_all`).
    pub location: Option<SourceLocation>,
    /// How to fix it, when there is something useful to say. Not part of `Display`.
    pub hint: Option<String>,
}

impl Diagnostic {
    fn new(severity: Severity, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            message: message.into(),
            pointer: pointer.into(),
            location: None,
            hint: None,
        }
    }

    /// An error at `pointer` (a JSON pointer URI fragment such as `#/components`).
    pub fn error(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, pointer, message)
    }

    /// A warning at `pointer` (a JSON pointer URI fragment such as `#/components`).
    pub fn warning(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, pointer, message)
    }

    /// Adds a hint telling the user how to fix the problem.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the source location.
    #[must_use]
    pub fn at(mut self, location: SourceLocation) -> Self {
        self.location = Some(location);
        self
    }

    /// Whether this is an error (as opposed to a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(
            f,
            "{}: {} (at {})",
            self.severity, self.message, self.pointer
        )
    }
}

/// A failed generation: every diagnostic collected (errors and warnings), sorted by file, line.
#[derive(Debug, Clone, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Wraps `diagnostics`, sorted by file, line and column (stable; unlocated ones last).
    pub fn new(diagnostics: Vec<Diagnostic>) -> Self {
        let mut diagnostics = Diagnostics(diagnostics);
        diagnostics.sort();
        diagnostics
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Sorts by file, line and column, keeping the order of diagnostics at the same place;
    /// diagnostics without a location come last.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.location
                    .as_ref()
                    .map(|l| (l.file.clone(), l.line, l.column))
            };
            match (key(a), key(b)) {
                (Some(a), Some(b)) => a.cmp(&b),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
        });
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(file: &str, line: usize) -> SourceLocation {
        SourceLocation {
            file: PathBuf::from(file),
            line,
            column: 3,
        }
    }

    #[test]
    fn display_with_and_without_location() {
        let d = Diagnostic::error("#/paths", "missing required field `paths`").with_hint("add it");
        assert_eq!(
            d.to_string(),
            "error: missing required field `paths` (at #/paths)"
        );
        let d = d.at(loc("api.yaml", 7));
        assert_eq!(
            d.to_string(),
            "api.yaml:7:3: error: missing required field `paths` (at #/paths)"
        );
        let w = Diagnostic::warning("#", "odd");
        assert_eq!(w.to_string(), "warning: odd (at #)");
    }

    #[test]
    fn diagnostics_sort_and_display() {
        let all = Diagnostics::new(vec![
            Diagnostic::warning("#/c", "third"),
            Diagnostic::error("#/b", "second").at(loc("b.yaml", 1)),
            Diagnostic::warning("#/a", "first").at(loc("a.yaml", 9)),
        ]);
        assert!(all.has_errors());
        assert_eq!(
            all.to_string(),
            "a.yaml:9:3: warning: first (at #/a)\n\
             b.yaml:1:3: error: second (at #/b)\n\
             warning: third (at #/c)"
        );
        assert!(!Diagnostics(vec![Diagnostic::warning("#", "w")]).has_errors());
    }
}
