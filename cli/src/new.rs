//! `tollgate new`: scaffold a crate that serves a spec, from askama templates in
//! `cli/templates/`.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use askama::Template;
use clap::Args;
use heck_free::snake;
use tollgate_codegen::ir::{self, Operation, SchemeKind, Status};

use crate::load_and_lower;

/// `tollgate new`.
#[derive(Debug, Args)]
#[command(after_help = "\
The crate and its binary are named after DIR's basename. It contains Cargo.toml (release \
profile: fat LTO, one codegen unit), build.rs, src/lib.rs, src/main.rs, src/handlers.rs \
(one stub per operation, answering like the generated Mock), a commented tollgate.toml, a \
README and tests/gateway.rs (boots the gateway and calls one operation). The spec, and \
every file it reaches through $ref, is copied into DIR.

Then: cd DIR && cargo run")]
pub struct NewArgs {
    /// The directory to create (its basename names the crate and the binary).
    pub dir: PathBuf,
    /// The OpenAPI 3 document to serve.
    #[arg(long, value_name = "SPEC")]
    pub spec: PathBuf,
    /// Depend on a local checkout of tollgate (ROOT/runtime and ROOT/codegen) instead of
    /// the published crates.
    #[arg(long, value_name = "ROOT")]
    pub tollgate_path: Option<PathBuf>,
    /// Write into DIR even if it exists and is not empty (existing files are overwritten).
    #[arg(long)]
    pub force: bool,
}

/// Minimal snake case for the library name (the crate name is already validated).
mod heck_free {
    /// `my-gateway` → `my_gateway`.
    pub(super) fn snake(name: &str) -> String {
        name.replace('-', "_")
    }
}

/// One operation, as the templates see it.
#[derive(Debug)]
pub struct OperationView {
    /// Upper-case method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// `operationId` (or derived).
    pub id: String,
    /// Trait method name.
    pub fn_name: String,
    /// Request/response type stem.
    pub type_stem: String,
}

impl From<&Operation> for OperationView {
    fn from(op: &Operation) -> Self {
        Self {
            method: op.method.clone(),
            path: op.path.clone(),
            id: op.id.clone(),
            fn_name: op.fn_name.clone(),
            type_stem: op.type_stem.clone(),
        }
    }
}

/// Everything the templates need.
#[derive(Debug)]
pub struct Scaffold {
    /// Crate and binary name.
    pub name: String,
    /// Library name (`name` with `_`).
    pub lib: String,
    /// `info.title`.
    pub title: String,
    /// The spec's file name in the crate.
    pub spec_file: String,
    /// The spec's file stem (the generated module's file name).
    pub stem: String,
    /// The `tollgate` dependency, as a TOML value.
    pub tollgate_dep: String,
    /// The `tollgate-codegen` dependency, as a TOML value.
    pub codegen_dep: String,
    /// The operations.
    pub operations: Vec<OperationView>,
    /// Names of apiKey security schemes, comma-separated.
    pub api_key_schemes: String,
    /// Commented `[auth.*]` sections, one per security scheme that needs one.
    pub auth_sections: Vec<String>,
    /// An operationId for the config example.
    pub example_operation: String,
    /// What the test calls: method, path, expected status, and a name for the test.
    pub probe_method: String,
    /// Path the test requests.
    pub probe_path: String,
    /// Status the test expects.
    pub probe_status: u16,
    /// Snake-case name of what the test calls.
    pub probe_name: String,
}

macro_rules! templates {
    ($($ty:ident => $path:literal),* $(,)?) => {
        $(
            #[derive(Template)]
            #[template(path = $path, escape = "none")]
            struct $ty<'a> {
                s: &'a Scaffold,
            }
            impl<'a> std::ops::Deref for $ty<'a> {
                type Target = Scaffold;
                fn deref(&self) -> &Scaffold {
                    self.s
                }
            }
        )*
    };
}

templates! {
    CargoToml => "Cargo.toml.txt",
    BuildRs => "build.rs.txt",
    LibRs => "lib.rs.txt",
    MainRs => "main.rs.txt",
    HandlersRs => "handlers.rs.txt",
    GatewayTest => "gateway.rs.txt",
    TollgateToml => "tollgate.toml.txt",
    Readme => "README.md.txt",
}

impl Scaffold {
    /// The scaffold's view of a lowered spec.
    pub fn new(name: &str, spec_file: &str, api: &ir::Api, tollgate_path: Option<&Path>) -> Self {
        let dep = |sub: &str| match tollgate_path {
            Some(root) => format!("{{ path = {:?} }}", root.join(sub).display().to_string()),
            None => "\"0.1\"".to_owned(),
        };
        let stem = Path::new(spec_file).file_stem().map_or_else(
            || "openapi".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
        // The test calls a public GET without parameters, else the spec itself.
        let probe = api.operations.iter().find_map(|op| {
            let public = op.security.is_empty() || op.security.iter().any(Vec::is_empty);
            let status = op.responses.iter().find_map(|r| match r.status {
                Status::Code(code) if (200..300).contains(&code) => Some(code),
                _ => None,
            })?;
            (op.method == "GET"
                && public
                && !op.path.contains('{')
                && op.params.iter().all(|p| !p.required))
            .then(|| (op.path.clone(), status, op.fn_name.clone()))
        });
        let (probe_path, probe_status, probe_name) =
            probe.unwrap_or_else(|| ("/openapi.json".to_owned(), 200, "openapi_json".to_owned()));
        let api_key_schemes: Vec<&str> = api
            .security_schemes
            .iter()
            .filter(|s| matches!(s.kind, SchemeKind::ApiKey { .. }))
            .map(|s| s.name.as_str())
            .collect();
        Self {
            name: name.to_owned(),
            lib: snake(name),
            title: if api.title.is_empty() {
                name.to_owned()
            } else {
                api.title.clone()
            },
            spec_file: spec_file.to_owned(),
            stem,
            tollgate_dep: dep("runtime"),
            codegen_dep: dep("codegen"),
            operations: api.operations.iter().map(OperationView::from).collect(),
            api_key_schemes: api_key_schemes.join(", "),
            auth_sections: api
                .security_schemes
                .iter()
                .filter_map(auth_section)
                .collect(),
            example_operation: api
                .operations
                .first()
                .map_or_else(|| "operationId".to_owned(), |op| op.id.clone()),
            probe_method: "GET".to_owned(),
            probe_path,
            probe_status,
            probe_name,
        }
    }

    /// `info.title` escaped for a TOML basic string.
    pub fn title_toml(&self) -> String {
        self.title.replace('\\', "\\\\").replace('"', "\\\"")
    }

    /// The number of operations.
    pub fn operation_count(&self) -> usize {
        self.operations.len()
    }

    /// Every file of the crate, as (relative path, contents).
    pub fn render(&self) -> Result<Vec<(&'static str, String)>, askama::Error> {
        Ok(vec![
            ("Cargo.toml", CargoToml { s: self }.render()?),
            ("build.rs", BuildRs { s: self }.render()?),
            ("src/lib.rs", LibRs { s: self }.render()?),
            ("src/main.rs", MainRs { s: self }.render()?),
            ("src/handlers.rs", HandlersRs { s: self }.render()?),
            ("tests/gateway.rs", GatewayTest { s: self }.render()?),
            ("tollgate.toml", TollgateToml { s: self }.render()?),
            ("README.md", Readme { s: self }.render()?),
            (".gitignore", "/target\n".to_owned()),
        ])
    }
}

/// The commented `tollgate.toml` section that configures a verifier for `scheme`, or `None`
/// for `apiKey` schemes (verified by `[[api_keys]]`).
fn auth_section(scheme: &ir::SecurityScheme) -> Option<String> {
    let name = &scheme.name;
    let section = match &scheme.kind {
        SchemeKind::ApiKey { .. } => return None,
        SchemeKind::Http(http) if http == "basic" => format!(
            "# Users of the HTTP basic scheme `{name}` (Argon2 hashes in PHC format).\n\
             # [auth.basic.{name}]\n\
             # users = [{{ name = \"alice\", password_hash = \"$argon2id$v=19$m=19456,t=2,p=1$...\" }}]"
        ),
        SchemeKind::Http(http) if http == "bearer" => jwt(name, "the HTTP bearer scheme"),
        SchemeKind::OAuth2 => jwt(name, "the OAuth 2 scheme"),
        SchemeKind::OpenIdConnect(_) => jwt(name, "the OpenID Connect scheme"),
        SchemeKind::AwsSigV4 => format!(
            "# AWS SigV4 signatures of the scheme `{name}`.\n\
             # [auth.sigv4.{name}]\n\
             # region = \"us-east-1\"\n\
             # credentials = [{{ access_key_id = \"AKIA...\", secret_access_key_env = \"SIGV4_SECRET\" }}]"
        ),
        SchemeKind::Http(_) | SchemeKind::Unsupported => format!(
            "# The scheme `{name}` has no built-in verifier: register a custom authorizer for it\n\
             # (`GatewayBuilder::authorizer`); these are its settings.\n\
             # [auth.custom.{name}]\n\
             # ttl_secs = 300"
        ),
    };
    Some(section)
}

fn jwt(name: &str, what: &str) -> String {
    format!(
        "# JWTs of {what} `{name}`: one key source (jwks_url, jwks_file or hs256_secret_env).\n\
         # [auth.jwt.{name}]\n\
         # issuer = \"https://issuer.example\"\n\
         # audience = \"my-api\"\n\
         # jwks_url = \"https://issuer.example/.well-known/jwks.json\""
    )
}

/// A valid crate name: ASCII letters, digits, `-` and `_`, not starting with a digit.
fn crate_name(dir: &Path) -> Option<String> {
    let name = dir.file_name()?.to_str()?;
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then(|| name.to_owned())
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// Runs `tollgate new`.
pub fn run(args: &NewArgs) -> ExitCode {
    let Some(name) = crate_name(&args.dir) else {
        return usage_error(&format!(
            "`{}` cannot name a crate: use ASCII letters, digits, `-` and `_`, not starting with a digit",
            args.dir.display()
        ));
    };
    if !args.force && std::fs::read_dir(&args.dir).is_ok_and(|mut entries| entries.next().is_some())
    {
        return usage_error(&format!(
            "`{}` exists and is not empty (pass --force to write into it)",
            args.dir.display()
        ));
    }
    let tollgate_path = match &args.tollgate_path {
        None => None,
        Some(root) => match root.canonicalize() {
            Ok(root) if root.join("runtime/Cargo.toml").is_file() => Some(root),
            _ => {
                return usage_error(&format!(
                    "`{}` is not a tollgate checkout (no runtime/Cargo.toml)",
                    root.display()
                ))
            }
        },
    };
    let (loaded, api) = match load_and_lower(&args.spec) {
        Ok(both) => both,
        Err(code) => return code,
    };
    let spec_dir = args.spec.parent().unwrap_or(Path::new(""));
    // The spec and every file reached through `$ref`, at the same relative places.
    let mut copies = Vec::new();
    for file in &loaded.files {
        let relative = match file.strip_prefix(spec_dir) {
            Ok(rel) if rel.components().all(|c| matches!(c, Component::Normal(_))) => rel,
            _ => {
                eprintln!(
                    "error: cannot copy `{}` into the crate: it is outside the spec's directory",
                    file.display()
                );
                return ExitCode::from(1);
            }
        };
        copies.push((file.clone(), args.dir.join(relative)));
    }
    let spec_file = args.spec.file_name().map_or_else(
        || "openapi.yaml".to_owned(),
        |f| f.to_string_lossy().into_owned(),
    );
    let scaffold = Scaffold::new(&name, &spec_file, &api, tollgate_path.as_deref());
    let files = match scaffold.render() {
        Ok(files) => files,
        Err(err) => {
            eprintln!("error: internal error rendering the templates: {err}");
            return ExitCode::from(1);
        }
    };
    let write = || -> std::io::Result<()> {
        for (relative, text) in &files {
            let path = args.dir.join(relative);
            std::fs::create_dir_all(path.parent().unwrap_or(&args.dir))?;
            std::fs::write(path, text)?;
        }
        for (from, to) in &copies {
            std::fs::create_dir_all(to.parent().unwrap_or(&args.dir))?;
            std::fs::copy(from, to)?;
        }
        Ok(())
    };
    if let Err(err) = write() {
        eprintln!("error: cannot write into {}: {err}", args.dir.display());
        return ExitCode::from(1);
    }
    eprintln!(
        "created {name}: {} operations from {spec_file}\n  cd {} && cargo run",
        crate::thousands(api.operations.len()),
        args.dir.display()
    );
    ExitCode::SUCCESS
}
