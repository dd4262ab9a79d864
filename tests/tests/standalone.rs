//! The generated module compiles in crates whose only dependency is `tollgate`, inside a
//! module of another name, in edition 2021 and 2024, with the runtime renamed, under
//! `#![deny(warnings)]` and clippy `-D warnings`.
//!
//! The crates are written under `target/generated-crates/` and share one target directory
//! there, so dependencies are built once however many such tests run.

use std::path::{Path, PathBuf};
use std::process::Command;

use tollgate_codegen::{Generator, Settings};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    // Only rewrite changed files, so cargo's freshness checks keep repeated runs fast.
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap();
    }
}

fn generate(settings: &Settings) -> String {
    let spec = workspace_root().join("fixtures/petstore.yaml");
    Generator::new(settings).generate_file(&spec).unwrap().code
}

const MAIN: &str = r#"#![deny(warnings)]
//! A crate that mounts a generated gateway under a module of its own naming.

/// The generated pet store.
pub mod somewhere_else {
    /// Nested once more, to show the code only uses relative paths.
    pub mod gateway {
        include!("generated.rs");
    }
}

use somewhere_else::gateway::{self as api, Api};

fn main() {
    let router = api::router(api::Mock, RUNTIME::Gateway::default());
    let pet = api::types::Pet {
        id: 1,
        name: "Rex".into(),
        tag: None,
        status: api::types::PetStatus::Available,
        age: None,
        tags: None,
        created_at: None,
    };
    assert!(pet.validate().is_ok());
    let _ = (router, api::SPEC.len(), api::API.operations.len());
    let _future = api::Mock.health(api::HealthRequest {}, RUNTIME::Context::default());
}
"#;

#[test]
fn generated_module_compiles_with_only_tollgate_in_any_module_and_edition() {
    let root = workspace_root();
    let ws = root.join("target/generated-crates");
    let runtime = root.join("runtime");
    let crates = [
        ("standalone-2021", "2021", "tollgate", "::tollgate"),
        ("standalone-2024", "2024", "tollgate", "::tollgate"),
        ("standalone-renamed", "2021", "tg", "::tg"),
    ];
    let members: Vec<String> = crates.iter().map(|(n, ..)| format!("\"{n}\"")).collect();
    write(
        &ws.join("Cargo.toml"),
        &format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    );
    // Same dependency versions as this workspace: no network, no second resolution.
    write(
        &ws.join("Cargo.lock"),
        &std::fs::read_to_string(root.join("Cargo.lock")).unwrap(),
    );
    for (name, edition, dep, path) in crates {
        let dep_line = if dep == "tollgate" {
            format!(
                "tollgate = {{ path = {:?} }}",
                runtime.display().to_string()
            )
        } else {
            format!(
                "{dep} = {{ package = \"tollgate\", path = {:?} }}",
                runtime.display().to_string()
            )
        };
        write(
            &ws.join(name).join("Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"{edition}\"\npublish = false\n\n[dependencies]\n{dep_line}\n"
            ),
        );
        let settings = Settings {
            runtime_path: path.to_owned(),
            ..Settings::default()
        };
        write(
            &ws.join(name).join("src/generated.rs"),
            &generate(&settings),
        );
        write(
            &ws.join(name).join("src/main.rs"),
            &MAIN.replace("RUNTIME", dep),
        );
    }
    let output = Command::new(env!("CARGO"))
        .args([
            "clippy",
            "--offline",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(&ws)
        .env("CARGO_TARGET_DIR", ws.join("target"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "generated code failed to compile cleanly:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
