//! End-to-end tests of the load stage on the fixtures, and the corpus run.

use std::path::Path;

use super::*;

fn fixture(path: &str) -> PathBuf {
    Path::new("../fixtures").join(path)
}

#[test]
fn explore() {
    for f in ["invalid-yaml.yaml", "invalid-json.json", "unresolved-ref.yaml", "missing-paths.yaml", "swagger2.yaml"] {
        println!("{}", load(&fixture(&format!("broken/{f}"))).unwrap_err());
    }
    let loaded = load(&fixture("refs/openapi.yaml")).unwrap();
    println!("{}", serde_json::to_string_pretty(&loaded.root).unwrap());
    println!("{:?}", loaded.files);
    for p in ["#/components/schemas/Pet/properties/name", "#/paths/~1pets/get/operationId", "#/components/responses/Error/content", "#/components/schemas/Error2/properties/message"] {
        println!("{p} {:?}", loaded.locate(p));
    }
}

mod corpus {
    use std::collections::BTreeMap;
    use std::path::PathBuf;
    use std::time::Instant;

    /// Loads every document of the shared corpus of real specs and reports failures and
    /// warnings by kind: `cargo test --release -p tollgate-codegen --lib corpus -- --ignored
    /// --nocapture`. `TOLLGATE_CORPUS` overrides the directory.
    #[test]
    #[ignore = "reads the 314-document corpus; run with --ignored (in release mode)"]
    fn every_corpus_document_loads() {
        let dir = std::env::var_os("TOLLGATE_CORPUS").map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/specs"),
            PathBuf::from,
        );
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("no corpus at {}", dir.display());
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        paths.sort();
        let mut failed = Vec::new();
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        let mut warned_docs = 0;
        let start = Instant::now();
        for path in &paths {
            let one = Instant::now();
            match super::load(path) {
                Ok(loaded) => {
                    if !loaded.warnings.is_empty() {
                        warned_docs += 1;
                    }
                    for w in &loaded.warnings {
                        if std::env::var_os("TOLLGATE_CORPUS_VERBOSE").is_some() {
                            eprintln!("{w}");
                        }
                        *kinds.entry(kind_of(&w.message)).or_default() += 1;
                    }
                }
                Err(diags) => {
                    let first = diags
                        .0
                        .iter()
                        .find(|d| d.is_error())
                        .map(ToString::to_string);
                    failed.push(format!("{}: {}", path.display(), first.unwrap_or_default()));
                }
            }
            let took = one.elapsed();
            if took.as_millis() > 100 {
                eprintln!("slow: {} took {took:?}", path.display());
            }
        }
        eprintln!(
            "{} documents, {} loaded, {} failed, {} with warnings, in {:?}",
            paths.len(),
            paths.len() - failed.len(),
            failed.len(),
            warned_docs,
            start.elapsed()
        );
        for (kind, n) in &kinds {
            eprintln!("  {n:6}  {kind}");
        }
        for f in &failed {
            eprintln!("FAILED {f}");
        }
        assert!(
            failed.is_empty(),
            "{} documents failed to load",
            failed.len()
        );
    }

    /// A warning's message with quoted specifics (`...`, "...") and numbers blanked out.
    fn kind_of(message: &str) -> String {
        let mut out = String::new();
        let mut quote = None;
        for c in message.chars() {
            match quote {
                Some(q) if c == q => {
                    out.push(c);
                    quote = None;
                }
                Some(_) => {}
                None if c == '`' || c == '"' => {
                    out.push_str(&format!("{c}…"));
                    quote = Some(c);
                }
                None if c.is_ascii_digit() => {}
                None => out.push(c),
            }
        }
        out
    }
}
