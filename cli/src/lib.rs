//! The `tollgate` command line: `gen` and `check` over `tollgate-codegen`.
//!
//! Exit codes: 0 success, 1 spec or check failure (or stale output with `gen --check`),
//! 2 usage error.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tollgate_codegen::{Diagnostics, Generator, Settings};

/// Generate, check and scaffold API gateways from OpenAPI 3 documents.
#[derive(Debug, Parser)]
#[command(name = "tollgate", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate the gateway module for a spec.
    Gen(GenArgs),
    /// Parse, resolve and lower a spec without writing; print every diagnostic.
    Check(CheckArgs),
}

/// Settings shared with `build.rs` (`tollgate_codegen::Builder`) and the macro.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Path of the runtime crate in generated code (when `tollgate` is renamed in Cargo.toml).
    #[arg(long, default_value = "::tollgate", value_name = "PATH")]
    pub runtime_path: String,
    /// Extra derive for every generated type (repeatable), e.g. `--derive Hash`.
    #[arg(long = "derive", value_name = "TRAIT")]
    pub derives: Vec<String>,
    /// Do not emit the `Mock` implementation.
    #[arg(long)]
    pub no_mock: bool,
}

impl SettingsArgs {
    fn settings(&self) -> Settings {
        Settings {
            runtime_path: self.runtime_path.clone(),
            extra_derives: self.derives.clone(),
            emit_mock: !self.no_mock,
        }
    }
}

/// `tollgate gen`.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// The OpenAPI 3 document (YAML or JSON).
    pub spec: PathBuf,
    /// Write the module here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not write; exit 1 if FILE is missing or differs from what would be generated.
    #[arg(long, requires = "output")]
    pub check: bool,
    /// Generation settings.
    #[command(flatten)]
    pub settings: SettingsArgs,
}

/// `tollgate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The OpenAPI 3 document (YAML or JSON).
    pub spec: PathBuf,
    /// Treat warnings as errors (exit 1 when there are any).
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Runs the command line; returns the process exit code.
pub fn run(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Gen(args) => gen(&args),
        Command::Check(args) => check(&args),
    }
}

fn print_diagnostics(diagnostics: &[tollgate_codegen::Diagnostic]) {
    let mut stderr = std::io::stderr().lock();
    for d in diagnostics {
        let _ = writeln!(stderr, "{d}");
        if let Some(hint) = &d.hint {
            let _ = writeln!(stderr, "  hint: {hint}");
        }
    }
}

fn fail(diagnostics: &Diagnostics) -> ExitCode {
    print_diagnostics(&diagnostics.0);
    ExitCode::from(1)
}

fn gen(args: &GenArgs) -> ExitCode {
    let generated = match Generator::new(&args.settings.settings()).generate_file(&args.spec) {
        Ok(g) => g,
        Err(d) => return fail(&d),
    };
    print_diagnostics(&generated.warnings);
    let summary = |target: &str| {
        eprintln!(
            "generated {} operations, {} types in {:.2} s → {target}",
            generated.operations,
            generated.types,
            generated.elapsed.as_secs_f64()
        );
    };
    match &args.output {
        None => {
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(generated.code.as_bytes()).is_err() {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Some(out) if args.check => {
            let current = std::fs::read_to_string(out).unwrap_or_default();
            if current == generated.code {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "{} is stale: run `tollgate gen {} -o {}`",
                    out.display(),
                    args.spec.display(),
                    out.display()
                );
                ExitCode::from(1)
            }
        }
        Some(out) => match write(out, &generated.code) {
            Ok(()) => {
                summary(&out.display().to_string());
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: cannot write {}: {err}", out.display());
                ExitCode::from(1)
            }
        },
    }
}

fn write(path: &Path, code: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, code)
}

fn check(args: &CheckArgs) -> ExitCode {
    match Generator::new(&Settings::default()).lower_file(&args.spec) {
        Ok((_, warnings)) => {
            print_diagnostics(&warnings);
            if args.deny_warnings && !warnings.is_empty() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(d) => fail(&d),
    }
}
