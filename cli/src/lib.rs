//! The `tollgate` command line, as a library: every subcommand is a clap `Args` struct with a
//! `run` function, so `main.rs` is one line and the tests can call [`run`] directly.
//!
//! - `gen` writes the generated module ([`gen`]);
//! - `check` prints every diagnostic with a snippet of the spec ([`check`]);
//! - `new` scaffolds a crate from askama templates ([`new`]);
//! - `routes` prints the route table ([`routes`]);
//! - `diff` classifies the changes between two versions of a spec ([`diff`]);
//! - `completions` and `man` print shell completions and the man page.
//!
//! Exit codes: 0 success, 1 spec or check failure (or stale output with `gen --check`, or
//! breaking changes with `diff`), 2 usage error.
//!
//! # Example
//!
//! ```no_run
//! let code = tollgate_cli::run(["tollgate", "check", "openapi.yaml"]);
//! # let _ = code;
//! ```

pub mod check;
pub mod diff;
pub mod gen;
pub mod new;
pub mod routes;
mod verifiers;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};
use tollgate_codegen::Diagnostic;

/// Generate, check and scaffold API gateways from OpenAPI 3 documents.
///
/// Exit codes: 0 success, 1 spec or check failure, 2 usage error.
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
    Gen(gen::GenArgs),
    /// Parse, resolve and lower a spec without writing; print every diagnostic.
    Check(check::CheckArgs),
    /// Scaffold a crate that serves a spec (build.rs, handlers, config, test).
    New(new::NewArgs),
    /// Print the route table: method, path, operation, security, throttle, integration.
    Routes(routes::RoutesArgs),
    /// Classify the changes between two versions of a spec; exit 1 on breaking changes.
    Diff(diff::DiffArgs),
    /// Print shell completions.
    Completions(CompletionsArgs),
    /// Print the man page (or write one page per command into a directory).
    Man(ManArgs),
}

/// `tollgate completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `tollgate man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `tollgate.1` and one `tollgate-<command>.1` per subcommand here instead of
    /// printing `tollgate.1` on standard output.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
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
        Command::Gen(args) => gen::run(&args),
        Command::Check(args) => check::run(&args),
        Command::New(args) => new::run(&args),
        Command::Routes(args) => routes::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Completions(args) => {
            clap_complete::generate(
                args.shell,
                &mut Cli::command(),
                "tollgate",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Man(args) => man(&args),
    }
}

fn man(args: &ManArgs) -> ExitCode {
    let command = Cli::command();
    let result = match &args.out_dir {
        None => clap_mangen::Man::new(command).render(&mut std::io::stdout()),
        Some(dir) => {
            std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(command, dir))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: cannot write the man page: {err}");
            ExitCode::from(1)
        }
    }
}

/// Loads and lowers the spec at `path`, for the commands that read the IR (`routes`,
/// `new`). A refused spec is printed in the one-line form and becomes exit code 1.
pub(crate) fn load_and_lower(
    path: &std::path::Path,
) -> Result<(tollgate_codegen::load::Loaded, tollgate_codegen::ir::Api), ExitCode> {
    let loaded = tollgate_codegen::load::load(path).map_err(|d| {
        print_diagnostics(&d.0);
        ExitCode::from(1)
    })?;
    let (api, _) = tollgate_codegen::ir::lower(&loaded.root);
    Ok((loaded, api))
}

/// Prints diagnostics in the one-line form of design.md, each followed by its hint.
pub(crate) fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let mut stderr = std::io::stderr().lock();
    for d in diagnostics {
        let _ = writeln!(stderr, "{d}");
        if let Some(hint) = &d.hint {
            let _ = writeln!(stderr, "  hint: {hint}");
        }
    }
}

/// `1093` → `1,093`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(412), "412");
        assert_eq!(super::thousands(1093), "1,093");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
