//! Build-script half of the schema coverage tests (`tests/coverage.rs` is the other half):
//! generates every `fixtures/coverage/*.yaml` once, into `OUT_DIR/coverage/<name>.rs`,
//! with its warnings (`<pointer>: <message>`, one a line) in `<name>.warnings`, so the
//! test can snapshot both and compile the module once. The modules derive `Deserialize` on
//! every type (`serde_both_ways`): the tests read JSON back into each type, also those only
//! responses carry.

use std::path::Path;

use tollgate_codegen::{Generator, Settings};

/// Generates each fixture of `dir` into `out_dir/coverage`.
pub(crate) fn generate(dir: &Path, out_dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let out = out_dir.join("coverage");
    std::fs::create_dir_all(&out)?;
    let generator = Generator::new(&Settings {
        serde_both_ways: true,
        ..Settings::default()
    });
    let mut specs: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    for spec in specs {
        println!("cargo:rerun-if-changed={}", spec.display());
        let generated = generator
            .generate_file(&spec)
            .map_err(|d| format!("{}: {:?}", spec.display(), d.0))?;
        let stem = spec
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("fixture name is not UTF-8")?;
        std::fs::write(out.join(format!("{stem}.rs")), generated.code)?;
        let warnings: String = generated
            .warnings
            .iter()
            .map(|w| format!("{}: {}\n", w.pointer, w.message))
            .collect();
        std::fs::write(out.join(format!("{stem}.warnings")), warnings)?;
    }
    Ok(())
}
