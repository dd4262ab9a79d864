//! Settings shared by every entry point, and the `build.rs` builder.

use std::path::{Path, PathBuf};

use crate::{Diagnostics, Generator};

/// What to generate and how. The CLI's flags, the macro's arguments and [`Builder`]'s
/// methods all fill this one struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Path of the runtime crate in generated code (default `::tollgate`); set it when the
    /// dependency is renamed in `Cargo.toml`.
    pub runtime_path: String,
    /// Extra derives for every generated type (e.g. `Hash`, `Eq` where they apply).
    pub extra_derives: Vec<String>,
    /// Emit the `Mock` implementation (default true).
    pub emit_mock: bool,
    /// Derive `Deserialize` on every type (default false: only on the types requests
    /// carry, and those the mock builds from JSON; every type derives `Serialize`). Set it
    /// to read responses with the generated types too, e.g. in a client or in tests; it
    /// makes the module slower to compile.
    pub serde_both_ways: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            runtime_path: "::tollgate".to_owned(),
            extra_derives: Vec::new(),
            emit_mock: true,
            serde_both_ways: false,
        }
    }
}

/// Generates a gateway module from `build.rs`.
///
/// Writes `$OUT_DIR/<spec file stem>.rs` (or `<module_name>.rs`), prints
/// `cargo:rerun-if-changed` for every spec file read (external `$ref`s included) and each
/// warning as `cargo:warning`. Include the result with `tollgate::include_gateway!("openapi")`.
#[derive(Debug, Clone)]
pub struct Builder {
    spec: PathBuf,
    settings: Settings,
    module_name: Option<String>,
    out_dir: Option<PathBuf>,
}

/// Why `Builder::generate` failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The spec has errors (each located in the spec).
    #[error("{0}")]
    Spec(#[from] Diagnostics),
    /// `OUT_DIR` is not set (not running inside a build script, and no `out_dir` given).
    #[error("OUT_DIR is not set: call Builder::generate from build.rs, or set out_dir()")]
    NoOutDir,
    /// Writing the output failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl Builder {
    /// A builder for the spec at `spec`, relative to the crate root (build scripts run there).
    pub fn new(spec: impl AsRef<Path>) -> Self {
        Self {
            spec: spec.as_ref().to_owned(),
            settings: Settings::default(),
            module_name: None,
            out_dir: None,
        }
    }

    /// Names the output file `<name>.rs` instead of the spec's file stem.
    pub fn module_name(mut self, name: impl Into<String>) -> Self {
        self.module_name = Some(name.into());
        self
    }

    /// Writes into `dir` instead of `$OUT_DIR`.
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// Sets the runtime crate's path (default `::tollgate`).
    pub fn runtime_path(mut self, path: impl Into<String>) -> Self {
        self.settings.runtime_path = path.into();
        self
    }

    /// Adds a derive to every generated type.
    pub fn extra_derive(mut self, derive: impl Into<String>) -> Self {
        self.settings.extra_derives.push(derive.into());
        self
    }

    /// Whether to emit `Mock` (default true).
    pub fn emit_mock(mut self, emit: bool) -> Self {
        self.settings.emit_mock = emit;
        self
    }

    /// Derive `Deserialize` on every type, not only on those requests carry (default
    /// false; see [`Settings::serde_both_ways`]).
    pub fn serde_both_ways(mut self, both: bool) -> Self {
        self.settings.serde_both_ways = both;
        self
    }

    /// Replaces all settings at once.
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Generates and writes the module; returns the written file's path.
    pub fn generate(self) -> Result<PathBuf, BuildError> {
        println!("cargo:rerun-if-changed={}", self.spec.display());
        let generated = Generator::new(&self.settings).generate_file(&self.spec)?;
        for file in generated.files.iter().skip(1) {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        for warning in &generated.warnings {
            println!("cargo:warning={warning}");
        }
        let dir = match self.out_dir {
            Some(dir) => dir,
            None => PathBuf::from(std::env::var_os("OUT_DIR").ok_or(BuildError::NoOutDir)?),
        };
        let stem = self.module_name.unwrap_or_else(|| {
            self.spec
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "openapi".to_owned())
        });
        let path = dir.join(format!("{stem}.rs"));
        std::fs::write(&path, generated.code).map_err(|source| BuildError::Write {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }
}
