//! `tollgate check`: every diagnostic at once, each headed by the one-line form of design.md
//! and rendered with a snippet of the spec (miette), or as JSON for editors and CI.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;
use tollgate_codegen::ir;
use tollgate_codegen::{lint, load, Diagnostic, Severity};

use crate::verifiers::Verifiers;

/// How `check` prints diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// The one-line form, then a snippet with a caret, the JSON pointer and a hint
    /// (on standard error).
    Human,
    /// A JSON array of `{severity, message, file, line, column, pointer, hint}`
    /// (on standard output).
    Json,
}

/// `tollgate check`.
#[derive(Debug, Args)]
#[command(after_help = "\
Besides the generator's own diagnostics, check reports spec smells as warnings: duplicate \
operationIds, operations without operationId, path template parameters that are not \
declared (and declared ones the template lacks), defaults that do not match their schema, \
response content without a schema, unused components, unknown x- extensions, and (with \
--config) security schemes that have no verifier in the configuration.

Exit status: 1 when there is an error (or any warning with --deny-warnings), else 0.")]
pub struct CheckArgs {
    /// The OpenAPI 3 document (YAML or JSON).
    pub spec: PathBuf,
    /// Treat warnings as errors (exit 1 when there are any).
    #[arg(long)]
    pub deny_warnings: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// The gateway configuration (`tollgate.toml`): warn about security schemes that
    /// operations need but that have no verifier there (`[[api_keys]]`,
    /// `[auth.jwt|basic|sigv4.SCHEME]`; an `[auth.custom.SCHEME]` section counts as a custom
    /// authorizer registered in code).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Every diagnostic of a spec: the loader's and lowering's, then the smells of
/// [`tollgate_codegen::lint`], then (given a configuration) unverifiable security schemes.
///
/// `Err` carries the diagnostics of a spec that could not be loaded, or the message of an
/// unreadable configuration.
pub fn diagnose(spec: &Path, config: Option<&Path>) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let config = match config.map(Verifiers::from_file).transpose() {
        Ok(config) => config,
        Err(message) => return Err(vec![Diagnostic::error("#", message)]),
    };
    let loaded = load::load(spec).map_err(|d| d.0)?;
    let (api, mut diagnostics) = ir::lower(&loaded.root);
    diagnostics.extend(loaded.warnings.iter().cloned());
    diagnostics.extend(lint::lint(&loaded.root, &api));
    if let Some(config) = &config {
        diagnostics.extend(config.unverifiable_schemes(&api));
    }
    loaded.locate_all(&mut diagnostics);
    let mut all = tollgate_codegen::Diagnostics::new(diagnostics);
    all.sort();
    Ok(all.0)
}

/// Runs `tollgate check`.
pub fn run(args: &CheckArgs) -> ExitCode {
    let (diagnostics, failed) = match diagnose(&args.spec, args.config.as_deref()) {
        Ok(d) => (d, false),
        Err(d) => (d, true),
    };
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match args.format {
        CheckFormat::Json => {
            let json: Vec<JsonDiagnostic<'_>> =
                diagnostics.iter().map(JsonDiagnostic::from).collect();
            let mut stdout = std::io::stdout().lock();
            let _ = serde_json::to_writer_pretty(&mut stdout, &json);
            let _ = writeln!(stdout);
        }
        CheckFormat::Human => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let mut renderer = Renderer::new(color);
            let mut stderr = std::io::stderr().lock();
            for d in &diagnostics {
                let _ = stderr.write_all(renderer.render(d).as_bytes());
            }
        }
    }
    if failed || errors > 0 || (args.deny_warnings && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One diagnostic in `--format json`.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// What is wrong.
    pub message: &'a str,
    /// The file, as named on the command line or reached through `$ref`.
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column, in characters.
    pub column: Option<usize>,
    /// JSON pointer (`#/paths/~1pets/get`).
    pub pointer: &'a str,
    /// How to fix it.
    pub hint: Option<&'a str>,
}

impl<'a> From<&'a Diagnostic> for JsonDiagnostic<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        Self {
            severity: d.severity.as_str(),
            message: &d.message,
            file: d.location.as_ref().map(|l| l.file.display().to_string()),
            line: d.location.as_ref().map(|l| l.line),
            column: d.location.as_ref().map(|l| l.column),
            pointer: &d.pointer,
            hint: d.hint.as_deref(),
        }
    }
}

/// Renders diagnostics with snippets, reading each source file once.
pub struct Renderer {
    handler: GraphicalReportHandler,
    sources: BTreeMap<PathBuf, Option<String>>,
}

impl fmt::Debug for Renderer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Renderer").finish_non_exhaustive()
    }
}

/// Longest source line shown in full; longer lines (minified JSON) are cropped around the
/// column.
const MAX_LINE: usize = 160;

impl Renderer {
    /// A renderer, with ANSI colours or without.
    pub fn new(color: bool) -> Self {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Self {
            handler: GraphicalReportHandler::new_themed(theme)
                .with_context_lines(1)
                .with_links(false)
                .with_wrap_lines(false),
            sources: BTreeMap::new(),
        }
    }

    /// The one-line form, then the snippet (when the diagnostic is located in a readable
    /// file) and the hint.
    pub fn render(&mut self, d: &Diagnostic) -> String {
        let mut out = format!("{d}\n");
        let snippet = d.location.as_ref().and_then(|location| {
            let text = self
                .sources
                .entry(location.file.clone())
                .or_insert_with(|| std::fs::read_to_string(&location.file).ok())
                .as_deref()?;
            Window::new(&location.file, text, location.line, location.column)
        });
        match snippet {
            Some(window) => {
                let report = Report {
                    message: d.message.clone(),
                    severity: d.severity,
                    span: window.span,
                    label: format!("at {}", d.pointer),
                    hint: d.hint.clone(),
                    source: window,
                };
                let mut rendered = String::new();
                if self.handler.render_report(&mut rendered, &report).is_ok() {
                    // miette heads its rendering with the message; ours is the line above.
                    let body: Vec<&str> = rendered
                        .lines()
                        .skip_while(|line| !line.trim_start().starts_with('╭'))
                        .collect();
                    for line in body {
                        out.push_str(line.trim_end());
                        out.push('\n');
                    }
                }
            }
            None => {
                if let Some(hint) = &d.hint {
                    out.push_str(&format!("  help: {hint}\n"));
                }
            }
        }
        out
    }
}

/// The lines around a position, with overlong lines cropped, as miette source code that
/// reports the original line numbers.
#[derive(Debug)]
struct Window {
    name: String,
    text: String,
    /// 0-based line of the window's first line in the file.
    first_line: usize,
    /// The position, as a span in `text`.
    span: SourceSpan,
}

impl Window {
    fn new(file: &Path, text: &str, line: usize, column: usize) -> Option<Self> {
        let lines: Vec<&str> = text.lines().collect();
        let index = line.checked_sub(1)?;
        let target = *lines.get(index)?;
        if target.is_empty() && lines.len() <= 1 {
            return None;
        }
        let first = index.saturating_sub(1);
        let last = (index + 1).min(lines.len() - 1);
        let mut window = String::new();
        let mut offset = 0;
        let mut caret_column = column.saturating_sub(1);
        for (i, l) in lines.iter().enumerate().take(last + 1).skip(first) {
            let chars = l.chars().count();
            let shown: String = if chars <= MAX_LINE {
                (*l).to_owned()
            } else {
                let anchor = if i == index { caret_column } else { 0 };
                let start = anchor.saturating_sub(MAX_LINE / 3);
                if i == index {
                    caret_column -= start;
                }
                let mut cropped: String = l.chars().skip(start).take(MAX_LINE).collect();
                cropped.push('…');
                cropped
            };
            if i == index {
                offset = window.len()
                    + shown
                        .char_indices()
                        .nth(caret_column)
                        .map_or(shown.len(), |(at, _)| at);
            }
            window.push_str(&shown);
            window.push('\n');
        }
        let rest = &window[offset..];
        let len = token_len(rest).max(1).min(rest.len().max(1));
        Some(Self {
            name: file.display().to_string(),
            text: window,
            first_line: first,
            span: SourceSpan::new(offset.into(), len),
        })
    }
}

/// Bytes of the token at the start of `rest`: a quoted string, or up to the next separator.
fn token_len(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    match chars.next() {
        None => 0,
        Some((_, quote @ ('"' | '\''))) => chars
            .find(|&(_, c)| c == quote)
            .map_or(rest.len(), |(at, c)| at + c.len_utf8()),
        Some(_) => rest
            .find(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '}' | ']'))
            .unwrap_or(rest.len()),
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A diagnostic as miette sees it.
#[derive(Debug)]
struct Report {
    message: String,
    severity: Severity,
    source: Window,
    span: SourceSpan,
    label: String,
    hint: Option<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.hint
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            self.span,
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert_eq!(token_len("\"a b\": 1"), 5);
        assert_eq!(token_len("name: x"), 4);
        assert_eq!(token_len("'x'"), 3);
        assert_eq!(token_len(""), 0);
    }
}
