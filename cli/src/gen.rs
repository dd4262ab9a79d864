//! `tollgate gen`: write the generated module.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use tollgate_codegen::{Generator, Settings};

use crate::{print_diagnostics, thousands};

/// Settings shared with `build.rs` (`tollgate_codegen::Builder`) and the macro.
#[derive(Debug, Args)]
#[command(next_help_heading = "Generation settings (shared with build.rs and the macro)")]
pub struct SettingsArgs {
    /// Path of the runtime crate in generated code, when `tollgate` is renamed in
    /// Cargo.toml (build.rs: `.runtime_path(..)`, macro: `runtime_path = ".."`).
    #[arg(long, default_value = "::tollgate", value_name = "PATH")]
    pub runtime_path: String,
    /// Extra derive for every generated type, repeatable, e.g. `--derive Hash`
    /// (build.rs: `.extra_derive(..)`).
    #[arg(long = "derive", value_name = "TRAIT")]
    pub derives: Vec<String>,
    /// Do not emit the `Mock` implementation (build.rs: `.emit_mock(false)`).
    #[arg(long)]
    pub no_mock: bool,
    /// Derive `Deserialize` on every type, also those only responses carry, e.g. to read
    /// responses with the generated types in a client or in tests; slower to compile
    /// (build.rs: `.serde_both_ways(true)`).
    #[arg(long)]
    pub serde_both_ways: bool,
}

impl SettingsArgs {
    /// The codegen settings these flags describe.
    pub fn settings(&self) -> Settings {
        Settings {
            runtime_path: self.runtime_path.clone(),
            extra_derives: self.derives.clone(),
            emit_mock: !self.no_mock,
            serde_both_ways: self.serde_both_ways,
        }
    }
}

/// `tollgate gen`.
#[derive(Debug, Args)]
#[command(after_help = "\
Without -o or --out-dir the module goes to standard output. With -o, one summary line goes \
to standard error: `generated N operations, M types in X s → FILE`.

The output is byte-identical to what build.rs (`tollgate_codegen::Builder`) and \
#[tollgate::gateway] generate for the same spec and settings.")]
pub struct GenArgs {
    /// The OpenAPI 3 document (YAML or JSON).
    pub spec: PathBuf,
    /// Write the module to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE", conflicts_with = "out_dir")]
    pub output: Option<PathBuf>,
    /// Write the module to DIR/<module name>.rs, like build.rs writes into OUT_DIR.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// The file name (without `.rs`) under --out-dir; default: the spec's file stem
    /// (build.rs: `.module_name(..)`).
    #[arg(long, value_name = "NAME", requires = "out_dir")]
    pub module_name: Option<String>,
    /// Do not write; exit 1 if the output file is missing or differs from what would be
    /// generated (for CI).
    #[arg(long)]
    pub check: bool,
    /// Print the wall time of each stage (load, lower, emit, format) on standard error.
    #[arg(long)]
    pub timings: bool,
    /// Generation settings.
    #[command(flatten)]
    pub settings: SettingsArgs,
}

impl GenArgs {
    /// The output file, if any.
    fn target(&self) -> Option<PathBuf> {
        if let Some(out) = &self.output {
            return Some(out.clone());
        }
        let dir = self.out_dir.as_ref()?;
        let stem = self.module_name.clone().unwrap_or_else(|| {
            self.spec.file_stem().map_or_else(
                || "openapi".to_owned(),
                |s| s.to_string_lossy().into_owned(),
            )
        });
        Some(dir.join(format!("{stem}.rs")))
    }
}

/// Runs `tollgate gen`.
pub fn run(args: &GenArgs) -> ExitCode {
    let target = args.target();
    if args.check && target.is_none() {
        let mut command = <crate::Cli as clap::CommandFactory>::command();
        let _ = command
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "the following required arguments were not provided:\n  --output <FILE>",
            )
            .print();
        return ExitCode::from(2);
    }
    let generated = match Generator::new(&args.settings.settings()).generate_file(&args.spec) {
        Ok(g) => g,
        Err(d) => {
            print_diagnostics(&d.0);
            return ExitCode::from(1);
        }
    };
    print_diagnostics(&generated.warnings);
    if args.timings {
        for (stage, elapsed) in &generated.stages {
            eprintln!("{:>8.3} s  {stage}", elapsed.as_secs_f64());
        }
    }
    let Some(out) = target else {
        let mut stdout = std::io::stdout().lock();
        if stdout.write_all(generated.code.as_bytes()).is_err() {
            return ExitCode::from(1);
        }
        return ExitCode::SUCCESS;
    };
    if args.check {
        let current = std::fs::read_to_string(&out).unwrap_or_default();
        if current == generated.code {
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "{} is stale: run `tollgate gen {} -o {}`",
            out.display(),
            args.spec.display(),
            out.display()
        );
        return ExitCode::from(1);
    }
    match write(&out, &generated.code) {
        Ok(()) => {
            eprintln!(
                "generated {} operations, {} types in {:.2} s → {}",
                thousands(generated.operations),
                thousands(generated.types),
                generated.elapsed.as_secs_f64(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: cannot write {}: {err}", out.display());
            ExitCode::from(1)
        }
    }
}

fn write(path: &Path, code: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, code)
}
