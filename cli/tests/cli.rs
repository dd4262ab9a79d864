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

/// Asserts that `gen` refuses `spec` with exit code 1, nothing on stdout and exactly
/// `expected` (the one-line form of each diagnostic, with its hint) on stderr; and that
/// `check` exits 1 too (its snippets are in the snapshots of `check_snapshots`).
fn assert_refused(spec: &str, expected: &str) {
    let run = tollgate(&["gen", spec]);
    assert_eq!(run.code, Some(1), "tollgate gen {spec}: {}", run.stderr);
    assert_eq!(run.stdout, "", "tollgate gen {spec} printed on stdout");
    assert_eq!(run.stderr, expected, "tollgate gen {spec}");
    let run = tollgate(&["check", spec]);
    assert_eq!(run.code, Some(1), "tollgate check {spec}: {}", run.stderr);
    assert_eq!(run.stdout, "", "tollgate check {spec} printed on stdout");
    assert!(
        run.stderr
            .starts_with(expected.lines().next().unwrap_or_default()),
        "tollgate check {spec} does not start with the one-line form:\n{}",
        run.stderr
    );
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
        (
            &["check", "fixtures/petstore.yaml", "--format", "xml"],
            "error: invalid value 'xml' for '--format <FORMAT>'",
        ),
        (
            &["new", "target/x"],
            "error: the following required arguments were not provided:\n  --spec <SPEC>",
        ),
        (
            &["new", "target/9lives", "--spec", "fixtures/petstore.yaml"],
            "error: `target/9lives` cannot name a crate",
        ),
        (
            &["new", "fixtures", "--spec", "fixtures/petstore.yaml"],
            "error: `fixtures` exists and is not empty (pass --force to write into it)",
        ),
        (
            &["routes"],
            "error: the following required arguments were not provided",
        ),
        (&["diff", "fixtures/v1.yaml"], "<NEW>"),
        (&["completions"], "<SHELL>"),
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

/// The whole observable result of a run, for snapshots.
fn transcript(run: &Run) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        run.code
            .map_or_else(|| "signal".to_owned(), |c| c.to_string()),
        run.stdout,
        run.stderr
    )
}

/// Every broken fixture, checked: each diagnostic headed by its one-line form, then the
/// snippet with a caret, the pointer and the hint. Exact strings, one snapshot per fixture.
#[test]
fn check_snapshots() {
    let fixtures = [
        "empty.yaml",
        "invalid-yaml.yaml",
        "invalid-json.json",
        "unresolved-ref.yaml",
        "missing-external-ref.yaml",
        "cyclic-ref.yaml",
        "cyclic-external-ref.yaml",
        "missing-paths.yaml",
        "swagger2.yaml",
        "duplicate-operation-id.yaml",
        "path-params.yaml",
        "invalid-pattern.yaml",
        "invalid-default.yaml",
        "unsupported.yaml",
    ];
    let mut on_disk: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("fixtures/broken"))
        .expect("fixtures/broken")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = fixtures.iter().map(|f| (*f).to_owned()).collect();
    listed.sort();
    assert_eq!(listed, on_disk, "every broken fixture has a snapshot");
    for fixture in fixtures {
        let spec = format!("fixtures/broken/{fixture}");
        let run = tollgate(&["check", &spec]);
        insta::assert_snapshot!(format!("check__{fixture}"), transcript(&run));
    }
    let run = tollgate(&["check", "fixtures/no-such-spec.yaml"]);
    insta::assert_snapshot!("check__missing_file", transcript(&run));
}

#[test]
fn check_reports_spec_smells_and_unverifiable_schemes() {
    let run = tollgate(&[
        "check",
        "fixtures/cli/smells.yaml",
        "--config",
        "fixtures/cli/tollgate.toml",
    ]);
    assert_eq!(run.code, Some(0), "warnings alone do not fail");
    insta::assert_snapshot!("check__smells", transcript(&run));

    let run = tollgate(&["check", "fixtures/cli/smells.yaml", "--deny-warnings"]);
    assert_eq!(run.code, Some(1), "--deny-warnings fails on warnings");
    assert!(
        !run.stderr.contains("has no verifier"),
        "no --config, no verifier check"
    );
}

/// `--config`: every kind of security scheme against the runtime's rules. The fixture
/// configures Keys, Basic, OAuth (JWT) and Lambda (a custom authorizer), and nothing for
/// Bearer, Oidc, SigV4 or Digest; `/bearer-or-keys` still accepts an API key.
#[test]
fn check_config_names_every_scheme_without_a_verifier() {
    let run = tollgate(&[
        "check",
        "--format",
        "json",
        "fixtures/cli/verifiers.yaml",
        "--config",
        "fixtures/cli/verifiers.toml",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let parsed: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let lines: Vec<String> = parsed
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| format!("{}: {}", d["message"], d["hint"]))
        .collect();
    insta::assert_snapshot!("check__verifiers", lines.join("\n"));

    let run = tollgate(&["check", "fixtures/cli/verifiers.yaml"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stderr, "", "without --config, no verifier check");

    let run = tollgate(&[
        "check",
        "fixtures/cli/verifiers.yaml",
        "--config",
        "fixtures/cli/missing.toml",
    ]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr,
        "error: cannot read `fixtures/cli/missing.toml`: No such file or directory \
         (os error 2) (at #)\n"
    );
}

#[test]
fn check_json_lists_every_diagnostic() {
    let run = tollgate(&[
        "check",
        "--format",
        "json",
        "fixtures/broken/invalid-default.yaml",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stderr, "");
    let parsed: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(parsed.as_array().map(Vec::len), Some(3));
    insta::assert_snapshot!("check__json", run.stdout);

    let run = tollgate(&[
        "check",
        "--format",
        "json",
        "fixtures/broken/unresolved-ref.yaml",
    ]);
    assert_eq!(run.code, Some(1));
    let parsed: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(parsed[0]["severity"], "error");
    assert_eq!(parsed[0]["line"], 14);
    assert_eq!(parsed[0]["column"], 17);
}

#[test]
fn help_snapshots() {
    for command in [
        "",
        "gen",
        "check",
        "new",
        "routes",
        "diff",
        "completions",
        "man",
    ] {
        let args: Vec<&str> = command
            .split_whitespace()
            .chain(std::iter::once("--help"))
            .collect();
        let run = tollgate(&args);
        assert_eq!(run.code, Some(0), "tollgate {args:?}");
        let name = if command.is_empty() {
            "tollgate"
        } else {
            command
        };
        insta::assert_snapshot!(format!("help__{name}"), run.stdout);
    }
}

#[test]
fn routes_table_and_json() {
    let run = tollgate(&["routes", "fixtures/petstore.yaml"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    insta::assert_snapshot!("routes__petstore", run.stdout);
    let run = tollgate(&["routes", "fixtures/cli/smells.yaml"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    insta::assert_snapshot!("routes__smells", run.stdout);
    let run = tollgate(&["routes", "--format", "json", "fixtures/cli/smells.yaml"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    insta::assert_snapshot!("routes__smells_json", run.stdout);
    let run = tollgate(&["routes", "fixtures/broken/unresolved-ref.yaml"]);
    assert_eq!(run.code, Some(1));
}

#[test]
fn diff_classifies_changes_and_exits_1_on_breaking_ones() {
    let run = tollgate(&["diff", "fixtures/v1.yaml", "fixtures/v2.yaml"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    insta::assert_snapshot!("diff__v1_v2", run.stdout);
    let run = tollgate(&[
        "diff",
        "--format",
        "json",
        "fixtures/v1.yaml",
        "fixtures/v2.yaml",
    ]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    insta::assert_snapshot!("diff__v1_v2_json", run.stdout);

    // The other way round: what v2 added is now removed.
    let run = tollgate(&["diff", "fixtures/v2.yaml", "fixtures/v1.yaml"]);
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!("diff__v2_v1", run.stdout);

    let run = tollgate(&["diff", "fixtures/v1.yaml", "fixtures/v1.yaml"]);
    assert_eq!(run.code, Some(0));
    assert_eq!(run.stdout, "no changes\n");

    let run = tollgate(&["diff", "fixtures/v1.yaml", "fixtures/broken/empty.yaml"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr,
        "fixtures/broken/empty.yaml:1:1: error: the file is empty (at #)\n"
    );
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = tollgate(&["completions", shell]);
        assert_eq!(run.code, Some(0), "{shell}: {}", run.stderr);
        assert!(run.stdout.contains("tollgate"), "{shell}");
    }
    let run = tollgate(&["completions", "tcsh"]);
    assert_eq!(run.code, Some(2));

    let run = tollgate(&["man"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.starts_with(".ie \\n(.g .ds Aq \\(aq"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(".TH tollgate 1"), "{}", run.stdout);

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests/man");
    let _ = std::fs::remove_dir_all(&dir);
    let run = tollgate(&["man", "--out-dir", dir.to_str().expect("UTF-8")]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for page in [
        "tollgate.1",
        "tollgate-gen.1",
        "tollgate-check.1",
        "tollgate-diff.1",
    ] {
        assert!(dir.join(page).is_file(), "{page}");
    }
}

#[test]
fn gen_out_dir_names_the_file_like_build_rs() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests/out-dir");
    let _ = std::fs::remove_dir_all(&dir);
    let dir_arg = dir.to_str().expect("UTF-8 path");
    let run = tollgate(&["gen", "fixtures/petstore.yaml", "--out-dir", dir_arg]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(dir.join("petstore.rs").is_file());
    let run = tollgate(&[
        "gen",
        "fixtures/petstore.yaml",
        "--out-dir",
        dir_arg,
        "--module-name",
        "api",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.ends_with("/api.rs\n"), "{}", run.stderr);
    let run = tollgate(&["gen", "fixtures/petstore.yaml", "--module-name", "api"]);
    assert_eq!(run.code, Some(2), "--module-name needs --out-dir");
}

/// The scaffolded `tollgate.toml` has a commented verifier section for each security scheme
/// of the spec, and it is valid TOML with every section uncommented.
#[test]
fn new_comments_a_verifier_section_per_scheme() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests/verifiers-gateway");
    let _ = std::fs::remove_dir_all(&dir);
    let dir_arg = dir.to_str().expect("UTF-8 path");
    let run = tollgate(&["new", dir_arg, "--spec", "fixtures/cli/verifiers.yaml"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let config = std::fs::read_to_string(dir.join("tollgate.toml")).expect("written");
    insta::assert_snapshot!("new__verifiers_toml", config);
    let uncommented: String = config
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest) if rest.starts_with('[') || rest.contains(" = ") => rest,
            _ => line,
        })
        .map(|line| format!("{line}\n"))
        .collect();
    let table: toml::Table = uncommented.parse().expect("valid TOML once uncommented");
    let auth = table["auth"].as_table().expect("[auth]");
    let mut sections: Vec<String> = auth
        .iter()
        .flat_map(|(kind, schemes)| {
            let schemes = schemes.as_table().expect("a table of schemes");
            schemes.keys().map(move |name| format!("{kind}.{name}"))
        })
        .collect();
    sections.sort();
    assert_eq!(
        sections,
        [
            "basic.Basic",
            "custom.Digest",
            "custom.Lambda",
            "jwt.Bearer",
            "jwt.OAuth",
            "jwt.Oidc",
            "sigv4.SigV4"
        ]
    );
}

/// `tollgate new` on the pet store, with path dependencies on this checkout, then `cargo
/// test` in the new crate: it builds (build.rs, handlers delegating to `Mock`) and its own
/// test boots the gateway and calls `GET /health` over HTTP.
///
/// The crate lives in `target/generated-crates/` and builds into the target directory
/// `tests/tests/standalone.rs` uses there, so dependencies are compiled once.
#[test]
fn new_scaffolds_a_crate_that_builds_and_passes_its_own_test() {
    let root = Path::new(ROOT).canonicalize().expect("the workspace root");
    let generated = root.join("target/generated-crates");
    let dir = generated.join("petstore-gateway");
    let dir_arg = dir.to_str().expect("UTF-8 path");
    let root_arg = root.to_str().expect("UTF-8 path");
    let run = tollgate(&[
        "new",
        dir_arg,
        "--spec",
        "fixtures/petstore.yaml",
        "--tollgate-path",
        root_arg,
        "--force",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stderr,
        format!("created petstore-gateway: 6 operations from petstore.yaml\n  cd {dir_arg} && cargo run\n")
    );
    for file in [
        "Cargo.toml",
        "build.rs",
        "petstore.yaml",
        "src/lib.rs",
        "src/main.rs",
        "src/handlers.rs",
        "tests/gateway.rs",
        "tollgate.toml",
        "README.md",
    ] {
        assert!(dir.join(file).is_file(), "{file} was not written");
    }
    let read = |file: &str| std::fs::read_to_string(dir.join(file)).expect("written");
    let manifest = read("Cargo.toml").replace(root_arg, "ROOT");
    insta::assert_snapshot!("new__cargo_toml", manifest);
    insta::assert_snapshot!("new__handlers_rs", read("src/handlers.rs"));
    insta::assert_snapshot!("new__lib_rs", read("src/lib.rs"));
    insta::assert_snapshot!("new__tollgate_toml", read("tollgate.toml"));
    insta::assert_snapshot!("new__gateway_rs", read("tests/gateway.rs"));
    assert_eq!(
        read("petstore.yaml"),
        std::fs::read_to_string(root.join("fixtures/petstore.yaml")).expect("the spec")
    );

    // The same dependency versions as this workspace: no resolution, no network.
    std::fs::write(
        dir.join("Cargo.lock"),
        std::fs::read_to_string(root.join("Cargo.lock")).expect("Cargo.lock"),
    )
    .expect("writable");
    let output = Command::new(env!("CARGO"))
        .args(["test", "--offline", "--quiet"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", generated.join("target"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo test failed in the scaffolded crate:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
