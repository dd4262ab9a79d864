//! Runs the real `tollgate` binary: exit codes, stdout and the exact diagnostics on stderr.
//!
//! Every command runs in the workspace root and names specs relative to it
//! (`fixtures/broken/x.yaml`), so the diagnostics are the same on every machine.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root, where every command runs.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// What a run of the binary produced.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn tollgate(args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(args)
        .current_dir(ROOT)
        .output()
        .expect("the tollgate binary runs");
    let run = Run {
        code: status.code(),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "tollgate {args:?} panicked:\n{}",
        run.stderr
    );
    run
}

/// A fresh path for an output file of the test `name` (removed if a previous run left it).
fn output_file(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-tests")
        .join(name)
        .join("petstore.rs");
    let _ = std::fs::remove_file(&path);
    path
}

/// Asserts that `gen` and `check` both refuse `spec` with exit code 1, nothing on stdout and
/// exactly `expected` on stderr.
fn assert_refused(spec: &str, expected: &str) {
    for subcommand in ["gen", "check"] {
        let run = tollgate(&[subcommand, spec]);
        assert_eq!(
            run.code,
            Some(1),
            "tollgate {subcommand} {spec}: {}",
            run.stderr
        );
        assert_eq!(
            run.stdout, "",
            "tollgate {subcommand} {spec} printed on stdout"
        );
        assert_eq!(run.stderr, expected, "tollgate {subcommand} {spec}");
    }
}

#[test]
fn invalid_yaml_is_refused_at_the_offending_character() {
    assert_refused(
        "fixtures/broken/invalid-yaml.yaml",
        "fixtures/broken/invalid-yaml.yaml:8:20: error: invalid YAML: mapping values are not \
         allowed in this context (at #)\n",
    );
}

#[test]
fn invalid_json_is_refused_at_the_offending_character() {
    assert_refused(
        "fixtures/broken/invalid-json.json",
        "fixtures/broken/invalid-json.json:5:66: error: invalid JSON: trailing comma (at #)\n",
    );
}

#[test]
fn empty_file_is_refused() {
    assert_refused(
        "fixtures/broken/empty.yaml",
        "fixtures/broken/empty.yaml:1:1: error: the file is empty (at #)\n",
    );
}

#[test]
fn unresolved_ref_is_refused_at_the_ref() {
    assert_refused(
        "fixtures/broken/unresolved-ref.yaml",
        "fixtures/broken/unresolved-ref.yaml:14:17: error: unresolved $ref \
         `#/components/schemas/Nope` \
         (at #/paths/~1pets/get/responses/200/content/application~1json/schema/$ref)\n",
    );
}

#[test]
fn ref_to_a_missing_file_is_refused_at_the_ref() {
    assert_refused(
        "fixtures/broken/missing-external-ref.yaml",
        "fixtures/broken/missing-external-ref.yaml:15:17: error: cannot read $ref target \
         `fixtures/broken/schemas/does-not-exist.yaml`: No such file or directory (os error 2) \
         (at #/paths/~1pets/get/responses/200/content/application~1json/schema/$ref)\n",
    );
}

#[test]
fn missing_paths_is_refused() {
    assert_refused(
        "fixtures/broken/missing-paths.yaml",
        "fixtures/broken/missing-paths.yaml:1:1: error: missing required field `paths` (at #)\n  \
         hint: an OpenAPI 3.0 document needs `paths`; write `paths: {}` if it has none\n",
    );
}

#[test]
fn swagger2_is_refused_with_a_conversion_hint() {
    assert_refused(
        "fixtures/broken/swagger2.yaml",
        "fixtures/broken/swagger2.yaml:1:1: error: Swagger 2.0 documents are not supported; \
         convert to OpenAPI 3 first (at #/swagger)\n  \
         hint: convert it with swagger2openapi \
         (`npx swagger2openapi swagger.yaml -o openapi.yaml`) or the converter at \
         converter.swagger.io\n",
    );
}

#[test]
fn nonexistent_spec_is_refused_naming_the_file() {
    assert_refused(
        "fixtures/no-such-spec.yaml",
        "error: cannot read `fixtures/no-such-spec.yaml`: No such file or directory \
         (os error 2) (at #)\n",
    );
}

#[test]
fn gen_prints_the_module_on_stdout() {
    let run = tollgate(&["gen", "fixtures/petstore.yaml"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert!(run.stdout.contains("pub trait Api"), "{}", run.stdout);
    assert!(run.stdout.contains("pub struct Mock;"));
}

#[test]
fn check_accepts_the_petstore_silently() {
    let run = tollgate(&["check", "fixtures/petstore.yaml"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "");
    let run = tollgate(&["check", "--deny-warnings", "fixtures/petstore.yaml"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn gen_to_file_writes_it_and_prints_one_summary_line() {
    let out = output_file("gen-to-file");
    let out_arg = out.to_str().expect("UTF-8 path");
    let run = tollgate(&["gen", "fixtures/petstore.yaml", "-o", out_arg]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("generated 6 operations"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with(&format!(" → {out_arg}\n")),
        "{}",
        run.stderr
    );
    let written = std::fs::read_to_string(&out).expect("the output file was written");
    let stdout = tollgate(&["gen", "fixtures/petstore.yaml"]).stdout;
    assert_eq!(written, stdout, "-o writes what stdout gets");
}

#[test]
fn gen_check_detects_a_stale_file() {
    let out = output_file("gen-check");
    let out_arg = out.to_str().expect("UTF-8 path");
    let stale =
        format!("{out_arg} is stale: run `tollgate gen fixtures/petstore.yaml -o {out_arg}`\n");

    // Missing: stale, and --check does not create it.
    let run = tollgate(&["gen", "fixtures/petstore.yaml", "--check", "-o", out_arg]);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stderr, stale);
    assert!(!out.exists());

    let run = tollgate(&["gen", "fixtures/petstore.yaml", "-o", out_arg]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);

    // Up to date: silent success, file untouched.
    let run = tollgate(&["gen", "fixtures/petstore.yaml", "--check", "-o", out_arg]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "");

    // Modified: stale, and --check does not rewrite it.
    let mut edited = std::fs::read_to_string(&out).expect("written");
    edited.push_str("// edited by hand\n");
    std::fs::write(&out, &edited).expect("writable");
    let run = tollgate(&["gen", "fixtures/petstore.yaml", "--check", "-o", out_arg]);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, stale);
    assert_eq!(std::fs::read_to_string(&out).expect("still there"), edited);
}

#[test]
fn usage_errors_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "Usage: tollgate <COMMAND>"),
        (
            &["frobnicate"],
            "error: unrecognized subcommand 'frobnicate'",
        ),
        (
            &["gen"],
            "error: the following required arguments were not provided:\n  <SPEC>",
        ),
        (
            &["check"],
            "error: the following required arguments were not provided:\n  <SPEC>",
        ),
        (
            &["gen", "fixtures/petstore.yaml", "--colour"],
            "error: unexpected argument '--colour' found",
        ),
        (
            &["check", "fixtures/petstore.yaml", "--colour"],
            "error: unexpected argument '--colour' found",
        ),
        (
            &["gen", "fixtures/petstore.yaml", "-o"],
            "error: a value is required for '--output <FILE>' but none was supplied",
        ),
        (
            &["gen", "fixtures/petstore.yaml", "--check"],
            "error: the following required arguments were not provided:\n  --output <FILE>",
        ),
    ];
    for (args, message) in cases {
        let run = tollgate(args);
        assert_eq!(run.code, Some(2), "tollgate {args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "tollgate {args:?}");
        assert!(
            run.stderr.contains(message),
            "tollgate {args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn help_and_version_exit_0() {
    let run = tollgate(&["--version"]);
    assert_eq!(run.code, Some(0));
    assert_eq!(
        run.stdout,
        concat!("tollgate ", env!("CARGO_PKG_VERSION"), "\n")
    );
    let run = tollgate(&["gen", "--help"]);
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.contains("Usage: tollgate gen"), "{}", run.stdout);
}
