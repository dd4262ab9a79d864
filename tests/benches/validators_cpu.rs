//! The validator benchmark measured in CPU time, interleaved: for each payload, tollgate and
//! `jsonschema` run in alternation (A B A B …, `ROUNDS` rounds), each for about
//! `SLICE` of CPU time, and the table gives the CPU time per validation (from
//! `/proc/self/stat`: the time this process was given, which on a machine shared with
//! other builds says far more about cost than criterion's wall-clock times) and the
//! median of the per-round ratios. Same payloads and sides as `validators.rs`. Run with
//! `cargo bench -p tollgate-tests --bench validators_cpu`.

mod common;

use std::hint::black_box;
use std::time::Duration;

use common::{external, generated, jsonschema_for};
use tollgate::__codegen::Bytes;

const ROUNDS: usize = 5;
const SLICE: Duration = Duration::from_millis(800);

/// CPU time of this process (user + system), from `/proc/self/stat` (clock ticks of 10 ms).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the command name (which may hold spaces) start after the last `)`.
    let fields: Vec<&str> = stat[stat.rfind(')').expect("stat format") + 2..]
        .split(' ')
        .collect();
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    Duration::from_millis(ticks * 10)
}

/// CPU time per call of `f`, measured over about `SLICE` of CPU time.
fn per_call(mut f: impl FnMut()) -> Duration {
    // Calls per batch: enough for ~20 ms wall time.
    let started = std::time::Instant::now();
    let mut calls = 0u64;
    while started.elapsed() < Duration::from_millis(20) {
        f();
        calls += 1;
    }
    let before = cpu_time();
    let mut total = 0u64;
    while cpu_time() - before < SLICE {
        for _ in 0..calls {
            f();
        }
        total += calls;
    }
    (cpu_time() - before) / u32::try_from(total).unwrap_or(u32::MAX)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!("| payload | tollgate | tollgate+typed | jsonschema | jsonschema ÷ tollgate (median of {ROUNDS} rounds) | ÷ tollgate+typed |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for case in common::cases() {
        let bytes = Bytes::from(serde_json::to_vec(&case.payload).expect("payload serialises"));
        let other = jsonschema_for(case.component);
        assert_eq!(generated(&bytes, case.validator), case.violations);
        assert_eq!(external(&bytes, &other), case.violations == 0);
        let (mut ours, mut typed, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            ours.push(per_call(|| {
                black_box(generated(black_box(&bytes), case.validator));
            }));
            theirs.push(per_call(|| {
                black_box(external(black_box(&bytes), &other));
            }));
            typed.push(per_call(|| {
                black_box((case.typed)(black_box(&bytes), case.validator));
            }));
        }
        let ratio = |a: &[Duration], b: &[Duration]| {
            median(
                a.iter()
                    .zip(b)
                    .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64())
                    .collect(),
            )
        };
        let mid = |v: &[Duration]| median(v.iter().map(Duration::as_secs_f64).collect());
        println!(
            "| {} | {} | {} | {} | {:.2}× | {:.2}× |",
            case.name,
            show(mid(&ours)),
            show(mid(&typed)),
            show(mid(&theirs)),
            ratio(&theirs, &ours),
            ratio(&theirs, &typed),
        );
    }
}

fn show(seconds: f64) -> String {
    if seconds >= 1e-3 {
        format!("{:.3} ms", seconds * 1e3)
    } else {
        format!("{:.3} µs", seconds * 1e6)
    }
}
