//! End-to-end tests of the load stage on the fixtures, and the corpus run.

use std::path::Path;

use super::*;

fn fixture(path: &str) -> PathBuf {
    Path::new("../fixtures").join(path)
}

fn error_text(path: &str) -> String {
    match load(&fixture(path)) {
        Ok(_) => panic!("{path} loaded"),
        Err(diags) => diags.to_string(),
    }
}

fn load_text_err(name: &str, text: &str) -> String {
    match load_str(Path::new(name), text) {
        Ok(_) => panic!("{name} loaded"),
        Err(diags) => diags.to_string(),
    }
}

#[test]
fn broken_fixtures() {
    assert_eq!(
        error_text("broken/invalid-yaml.yaml"),
        "../fixtures/broken/invalid-yaml.yaml:8:20: error: invalid YAML: mapping values are not \
         allowed in this context (at #)"
    );
    assert_eq!(
        error_text("broken/invalid-json.json"),
        "../fixtures/broken/invalid-json.json:5:66: error: invalid JSON: trailing comma (at #)"
    );
    assert_eq!(
        error_text("broken/unresolved-ref.yaml"),
        "../fixtures/broken/unresolved-ref.yaml:14:17: error: unresolved $ref \
         `#/components/schemas/Nope` (at \
         #/paths/~1pets/get/responses/200/content/application~1json/schema/$ref)"
    );
    assert_eq!(
        error_text("broken/missing-paths.yaml"),
        "../fixtures/broken/missing-paths.yaml:1:1: error: missing required field `paths` (at #)"
    );
    assert_eq!(
        error_text("broken/swagger2.yaml"),
        "../fixtures/broken/swagger2.yaml:1:1: error: Swagger 2.0 documents are not supported; \
         convert to OpenAPI 3 first (at #/swagger)"
    );
    let diags = load(&fixture("broken/swagger2.yaml")).expect_err("fails");
    assert!(diags.has_errors());
    assert!(diags.0[0]
        .hint
        .as_deref()
        .is_some_and(|h| h.contains("swagger2openapi")));
}

#[test]
fn missing_root_file() {
    let text = error_text("broken/does-not-exist.yaml");
    assert!(
        text.starts_with("error: cannot read `../fixtures/broken/does-not-exist.yaml`: "),
        "{text}"
    );
}

#[test]
fn degenerate_inputs_are_errors() {
    assert_eq!(
        load_text_err("a.yaml", ""),
        "a.yaml:1:1: error: the file is empty (at #)"
    );
    assert_eq!(
        load_text_err("a.yaml", "# nothing\n"),
        "a.yaml:1:1: error: an OpenAPI document must be a mapping at the top level, found \
         nothing (at #)"
    );
    assert_eq!(
        load_text_err("a.yaml", "just text\n"),
        "a.yaml:1:1: error: an OpenAPI document must be a mapping at the top level, found a \
         string (at #)"
    );
    assert_eq!(
        load_text_err("a.json", "[1, 2]"),
        "a.json:1:1: error: an OpenAPI document must be a mapping at the top level, found a \
         sequence (at #)"
    );
    assert_eq!(
        load_text_err("a.yaml", "info: {}\npaths: {}\n"),
        "a.yaml:1:1: error: missing required field `openapi` (at #)"
    );
    assert_eq!(
        load_text_err("a.yaml", "openapi: 3.0.3\npaths: {}\n"),
        "a.yaml:1:1: error: invalid OpenAPI document: missing field `info` (at #)"
    );
    let dir = std::env::temp_dir().join(format!("tollgate-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let latin1 = dir.join("latin1.yaml");
    std::fs::write(&latin1, b"openapi: 3.0.3\ninfo:\n  title: caf\xe9\n").expect("write");
    let err = load(&latin1).expect_err("fails").to_string();
    assert_eq!(
        err,
        format!(
            "{}:3:13: error: the file is not valid UTF-8 (at #)",
            latin1.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn arbitrary_input_never_panics() {
    let seeds = [
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n",
        "{\"openapi\": \"3.1.0\", \"info\": {\"title\": \"t\", \"version\": \"1\"}}",
        "a: &x [*x]\n",
        "- [\n",
        "? a\n? b\n",
        "!!binary aGk=\n",
        "%YAML 1.2\n---\n{a: b}\n...\n---\nc\n",
        "openapi: 3.0.3\npaths: {/a: {$ref: 7}}\ninfo: {title: t, version: '1'}\n",
        "openapi: 3.0.3\npaths: {/a: {get: {responses: {200: {$ref: '#/x/~2'}}}}}\n",
        "openapi: 3.0.3\npaths:\n  /a: {$ref: 'nope.yaml'}\ncomponents: 7\n",
        "openapi: 3.0.3\npaths: {}\ninfo: {title: t, version: '1'}\ncomponents: {schemas: {A: \
         {$ref: 'x.yaml'}}}\n",
        "\u{feff}{}",
        "\t\n\u{0}",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for seed in seeds {
        let _ = load_str(Path::new("fuzz.yaml"), seed);
        let _ = load_str(Path::new("fuzz.json"), seed);
        let chars: Vec<char> = seed.chars().collect();
        for _ in 0..200 {
            let mut mutated = chars.clone();
            for _ in 0..3 {
                if mutated.is_empty() {
                    break;
                }
                let at = usize::try_from(next() % mutated.len() as u64).unwrap_or(0);
                let pick = b"{}[]:,-?*&!|>'\"#\n #~/$";
                let with = pick[usize::try_from(next() % pick.len() as u64).unwrap_or(0)];
                match next() % 3 {
                    0 => mutated[at] = char::from(with),
                    1 => mutated.insert(at, char::from(with)),
                    _ => {
                        mutated.remove(at);
                    }
                }
            }
            let text: String = mutated.into_iter().collect();
            let _ = load_str(Path::new("fuzz.yaml"), &text);
            let _ = load_str(Path::new("fuzz.json"), &text);
        }
    }
}

#[test]
fn external_refs_are_bundled() {
    let loaded = load(&fixture("refs/openapi.yaml")).expect("loads");
    let root = &loaded.root;
    let schemas = &root["components"]["schemas"];
    // Pure-reference components are replaced in place.
    assert_eq!(
        schemas["Pet"]["properties"]["tag"]["$ref"],
        "#/components/schemas/Tag"
    );
    assert_eq!(schemas["Tag"], serde_json::json!({"type": "string"}));
    // Other references point at the bundled copy.
    let get_pet = &root["paths"]["/pets/{petId}"]["get"];
    assert_eq!(
        get_pet["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Pet"
    );
    assert_eq!(
        get_pet["parameters"][0]["$ref"],
        "#/components/parameters/PetId"
    );
    assert_eq!(root["components"]["parameters"]["PetId"]["name"], "petId");
    // A clash with different content gets a suffix; refs inside copies follow their file.
    assert_eq!(
        get_pet["responses"]["default"]["$ref"],
        "#/components/responses/Error"
    );
    assert_eq!(
        root["components"]["responses"]["Error"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Error2"
    );
    assert_eq!(schemas["Error"]["type"], "string");
    assert_eq!(schemas["Error2"]["type"], "object");
    // Path items have no component section: they are copied in place.
    let list = &root["paths"]["/pets"]["get"];
    assert_eq!(list["operationId"], "listPets");
    assert_eq!(
        list["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"],
        "#/components/schemas/Pet"
    );
    // Cycles, within a file and across files, terminate.
    assert_eq!(
        schemas["Tree"]["properties"]["children"]["items"]["$ref"],
        "#/components/schemas/Tree"
    );
    assert_eq!(
        schemas["Tree"]["properties"]["parent"]["$ref"],
        "#/components/schemas/Tree"
    );
    assert_eq!(
        schemas["A"]["properties"]["b"]["$ref"],
        "#/components/schemas/b"
    );
    assert_eq!(
        schemas["b"]["properties"]["a"]["$ref"],
        "#/components/schemas/A"
    );
    // Every file read, root first.
    let files: Vec<String> = loaded
        .files
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    assert_eq!(
        files,
        [
            "../fixtures/refs/openapi.yaml",
            "../fixtures/refs/schemas/pet.json",
            "../fixtures/refs/schemas/tree.yaml",
            "../fixtures/refs/schemas/a.yaml",
            "../fixtures/refs/paths/pets.yaml",
            "../fixtures/refs/common.yaml",
            "../fixtures/refs/schemas/b.yaml",
        ]
    );
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert!(loaded.document.components.is_some());
    assert!(loaded
        .source(Path::new("../fixtures/refs/common.yaml"))
        .is_some_and(|text| text.contains("PetId")));
}

#[test]
fn locations_map_back_to_the_written_file() {
    let loaded = load(&fixture("refs/openapi.yaml")).expect("loads");
    let at = |pointer: &str| {
        loaded
            .locate(pointer)
            .map(|l| format!("{}:{}:{}", l.file.display(), l.line, l.column))
    };
    // In the YAML root.
    assert_eq!(
        at("#/paths/~1pets~1{petId}/get/responses/200/description").as_deref(),
        Some("../fixtures/refs/openapi.yaml:15:11")
    );
    // A nested key of a JSON file, bundled in place of a component.
    assert_eq!(
        at("#/components/schemas/Pet/properties/name").as_deref(),
        Some("../fixtures/refs/schemas/pet.json:6:5")
    );
    // Nearest ancestor when the node itself does not exist.
    assert_eq!(
        at("#/components/schemas/Pet/properties/name/nope").as_deref(),
        Some("../fixtures/refs/schemas/pet.json:6:5")
    );
    // Copies into components and into paths.
    assert_eq!(
        at("#/components/schemas/Error2/properties/message").as_deref(),
        Some("../fixtures/refs/common.yaml:20:9")
    );
    assert_eq!(
        at("#/paths/~1pets/get/operationId").as_deref(),
        Some("../fixtures/refs/paths/pets.yaml:2:3")
    );
    assert_eq!(
        at("#").as_deref(),
        Some("../fixtures/refs/openapi.yaml:1:1")
    );
    assert_eq!(at("not a pointer"), None);
    let mut diags = vec![Diagnostic::warning("#/info/title", "w")];
    loaded.locate_all(&mut diags);
    assert_eq!(
        diags[0].to_string(),
        "../fixtures/refs/openapi.yaml:3:3: warning: w (at #/info/title)"
    );
}

#[test]
fn json_root_positions() {
    let text = "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"t\", \"version\": \"1\"},\n  \
                \"paths\": {\n    \"/a~b/{id}\": {\n      \"get\": {\"responses\": {}}\n    }\n  }\n}\n";
    let loaded = load_str(Path::new("api.json"), text).expect("loads");
    let location = loaded
        .locate("#/paths/~1a~0b~1{id}/get/responses")
        .expect("located");
    assert_eq!((location.line, location.column), (6, 15));
    assert_eq!(location.file, PathBuf::from("api.json"));
}

#[test]
fn reference_errors() {
    let doc = |schema_ref: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  \
             schemas:\n    A:\n      $ref: '{schema_ref}'\n"
        )
    };
    let name = "../fixtures/refs/inline.yaml";
    assert_eq!(
        load_text_err(name, &doc("https://example.com/pet.yaml")),
        "../fixtures/refs/inline.yaml:7:7: error: remote $ref not supported (no network access \
         at build time) (at #/components/schemas/A/$ref)"
    );
    let missing = load_text_err(name, &doc("schemas/missing.yaml"));
    assert!(
        missing.starts_with(
            "../fixtures/refs/inline.yaml:7:7: error: cannot read $ref target \
             `../fixtures/refs/schemas/missing.yaml`: "
        ),
        "{missing}"
    );
    assert_eq!(
        load_text_err(name, &doc("common.yaml#/components/schemas/Nope")),
        "../fixtures/refs/inline.yaml:7:7: error: unresolved $ref \
         `common.yaml#/components/schemas/Nope` (at #/components/schemas/A/$ref)"
    );
    assert_eq!(
        load_text_err(name, &doc("#Pet")),
        "../fixtures/refs/inline.yaml:7:7: error: unsupported $ref `#Pet`: the fragment must be \
         a JSON pointer (`#/...`) (at #/components/schemas/A/$ref)"
    );
    // A reference to a reference is fine, and percent-encoding is decoded.
    let ok = load_str(
        Path::new(name),
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    \
         A: {$ref: '#/components/schemas/B'}\n    B: {$ref: 'common.yaml#/components/schemas/Tag'}\n    \
         C: {$ref: '#/components/schemas/%42'}\n",
    )
    .expect("loads");
    let schemas = &ok.root["components"]["schemas"];
    assert_eq!(schemas["B"], serde_json::json!({"type": "string"}));
    assert_eq!(schemas["C"]["$ref"], "#/components/schemas/B");
}

#[test]
fn errors_in_external_files_point_into_them() {
    let dir = std::env::temp_dir().join(format!("tollgate-ext-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("bad.yaml"), "type: [string\n").expect("write");
    std::fs::write(
        dir.join("dangling.yaml"),
        "type: object\nproperties:\n  x:\n    $ref: '#/nope'\n",
    )
    .expect("write");
    let root = dir.join("root.yaml");
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  \
                schemas:\n    A: {$ref: bad.yaml}\n    B: {$ref: dangling.yaml}\n";
    let err = load_str(&root, text).expect_err("fails").to_string();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with(&format!(
            "{}:2:1: error: invalid YAML: ",
            dir.join("bad.yaml").display()
        )),
        "{err}"
    );
    assert_eq!(
        lines[1],
        format!(
            "{}:4:5: error: unresolved $ref `#/nope` (at #/components/schemas/B/properties/x/$ref)",
            dir.join("dangling.yaml").display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn openapi_3_1_is_normalised() {
    let text = r#"
openapi: 3.1.0
info:
  title: t
  version: "1"
  license: {name: MIT, identifier: MIT}
webhooks:
  ping: {post: {responses: {"200": {description: ok}}}}
components:
  schemas:
    Pet:
      type: object
      properties:
        name: {type: [string, "null"], examples: [Rex]}
        age: {type: integer, exclusiveMinimum: 0}
        kind: {const: dog}
        any: true
        mixed: {type: [string, integer]}
"#;
    let loaded = load_str(Path::new("api.yaml"), text).expect("loads");
    assert_eq!(loaded.root["openapi"], "3.0.3");
    assert_eq!(loaded.root["paths"], serde_json::json!({}));
    let pet = &loaded.root["components"]["schemas"]["Pet"]["properties"];
    assert_eq!(
        pet["name"],
        serde_json::json!({"type": "string", "nullable": true, "example": "Rex"})
    );
    assert_eq!(
        pet["age"],
        serde_json::json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true})
    );
    assert_eq!(pet["kind"], serde_json::json!({"enum": ["dog"]}));
    assert_eq!(pet["any"], serde_json::json!({}));
    let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    // Several types: any of them.
    assert_eq!(
        pet["mixed"]["anyOf"],
        serde_json::json!([{"type": "string"}, {"type": "integer"}])
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let openapiv3::ReferenceOr::Item(schema) = &loaded
        .document
        .components
        .as_ref()
        .expect("components")
        .schemas["Pet"]
    else {
        panic!("Pet is a reference");
    };
    assert!(matches!(
        schema.schema_kind,
        openapiv3::SchemaKind::Type(openapiv3::Type::Object(_))
    ));
}

#[test]
fn invalid_documents_point_at_the_failing_path() {
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      \
                parameters:\n        - {name: q, in: nowhere, schema: {}}\n      responses: {}\n";
    assert_eq!(
        load_text_err("api.yaml", text),
        "api.yaml:7:11: error: invalid OpenAPI document: unknown variant `nowhere`, expected one \
         of `query`, `header`, `path`, `cookie` (at #/paths/~1a/get/parameters/0)"
    );
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
        let stripe = dir.join("stripe.com.json");
        if stripe.exists() {
            let best = (0..5)
                .map(|_| {
                    let start = Instant::now();
                    let loaded = super::load(&stripe).map(|l| l.files.len());
                    assert!(loaded.is_ok());
                    start.elapsed()
                })
                .min()
                .unwrap_or_default();
            eprintln!("stripe.com.json: best of 5 loads {best:?}");
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
