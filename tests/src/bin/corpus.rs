//! `cargo corpus <DIR>`: generates every OpenAPI document in DIR, compile-checks the
//! results against `tollgate` alone, and prints failures by cause, the share of schemas that
//! fell back to `serde_json::Value`, and `N passed, M failed`. Exits 1 when any spec failed.
//!
//! See `tollgate_tests::corpus` for how the crates are laid out and checked.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use tollgate_tests::corpus::{run, Options};

/// Generate and compile-check every spec in a directory.
#[derive(Debug, Parser)]
#[command(name = "corpus")]
struct Args {
    /// Directory of OpenAPI documents (`*.json`, `*.yaml`, `*.yml`).
    dir: PathBuf,
    /// Only generate (report generation failures and fallbacks), do not compile.
    #[arg(long)]
    generate_only: bool,
    /// Print one line per spec (operations, types, fallbacks, generation time).
    #[arg(long, short)]
    verbose: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut options = Options::new(&args.dir, root);
    options.generate_only = args.generate_only;
    let report = match run(&options) {
        Ok(report) => report,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    if args.verbose {
        println!(
            "{:<48} {:>9} {:>5} {:>6} {:>5} {:>8}",
            "spec", "bytes", "ops", "types", "fallb", "gen ms"
        );
        for spec in &report.specs {
            match &spec.generation {
                Ok(g) => println!(
                    "{:<48} {:>9} {:>5} {:>6} {:>5} {:>8.1}",
                    spec.file,
                    spec.bytes,
                    g.operations,
                    g.types,
                    g.fallbacks,
                    g.elapsed.as_secs_f64() * 1000.0
                ),
                Err(f) => println!("{:<48} {:>9} {}", spec.file, spec.bytes, f.cause),
            }
        }
        println!();
    }
    print!("{}", report.render());
    if report.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
