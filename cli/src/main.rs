//! The `tollgate` command: a thin shell over `tollgate_cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    tollgate_cli::run(std::env::args_os())
}
