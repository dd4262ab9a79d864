//! The `tollgate` command: a thin shell over `tollgate_cli`.

use std::process::ExitCode;

/// Generation allocates and frees millions of small nodes (tokens, syntax trees, strings);
/// mimalloc does that in a fraction of glibc's time (see `benches/gen-scaling.py`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tollgate_cli::run(std::env::args_os())
}
