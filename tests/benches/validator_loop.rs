//! One validator benchmark case in a tight loop, for profilers (`perf record`,
//! `valgrind --tool=callgrind`): no harness, no interleaving, nothing else in the profile.
//! Prints the wall time per call. `CASE` picks the case of `common::cases()` (0: small
//! object, 1: 1,000-item array, 2: nested, 3: invalid), `N` the number of calls, and
//! `TYPED=1` the whole body path (parse, validate, deserialize). Build with
//! `cargo bench -p tollgate-tests --bench validator_loop --no-run` and run the binary it
//! names.

mod common;

use std::hint::black_box;

use tollgate::__codegen::Bytes;

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--bench") {
        return;
    }
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
    };
    let case = &common::cases()[var("CASE").unwrap_or(0)];
    let typed = std::env::var_os("TYPED").is_some();
    let calls = var("N").unwrap_or(2_000_000);
    let bytes = Bytes::from(serde_json::to_vec(&case.payload).expect("payload serialises"));
    let started = std::time::Instant::now();
    for _ in 0..calls {
        if typed {
            black_box((case.typed)(black_box(&bytes), case.validator));
        } else {
            black_box(common::generated(black_box(&bytes), case.validator));
        }
    }
    let per_call = started.elapsed() / u32::try_from(calls).unwrap_or(u32::MAX);
    println!("{}: {per_call:?} per call", case.name);
}
