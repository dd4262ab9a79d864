//! Schema coverage: one small fixture per construct (`fixtures/coverage/*.yaml`), each
//! generated once by `build.rs` (see `tests/coverage_spec.rs`). For each: a snapshot of the
//! generated `types` module and the generator's warnings (reviewed with `cargo insta
//! review`), a JSON round trip through the generated types, and the generated validator
//! accepting a valid sample and rejecting invalid ones at the right JSON pointer.

use serde_json::{json, Value};
use tollgate::__codegen::serde::{de::DeserializeOwned, Serialize};
use tollgate::__codegen::validate::check_value;
use tollgate::__codegen::{Errors, Ptr, Validator};
use tollgate::Location;

macro_rules! fixture {
    ($($module:ident = $name:literal),* $(,)?) => {
        $(
            #[doc = concat!("`fixtures/coverage/", $name, ".yaml`, generated.")]
            #[allow(dead_code)]
            pub mod $module {
                include!(concat!(env!("OUT_DIR"), "/coverage/", $name, ".rs"));
                /// The generated file, for the snapshot.
                pub const CODE: &str = include_str!(concat!(env!("OUT_DIR"), "/coverage/", $name, ".rs"));
                /// The generator's warnings, one `<pointer>: <message>` a line.
                pub const WARNINGS: &str = include_str!(concat!(env!("OUT_DIR"), "/coverage/", $name, ".warnings"));
            }
        )*
    };
}

fixture! {
    discriminator = "discriminator",
    discriminator_mapping = "discriminator-mapping",
    discriminator_allof_base = "discriminator-allof-base",
    integer_enum = "integer-enum",
    enum_varnames = "enum-varnames",
    mixed_enum = "mixed-enum",
    read_write_only = "read-write-only",
    not = "not",
    unique_items = "unique-items",
    untyped = "untyped",
    nested_arrays = "nested-arrays",
    free_form = "free-form",
}

/// The `types` module of a generated file, after its warnings.
fn types_of(code: &str, warnings: &str) -> String {
    let start = code.find("    pub mod types {").expect("a types module");
    let end = code[start..]
        .find("\n    /// Validators")
        .map_or(code.len(), |e| start + e);
    format!("// warnings:\n{warnings}\n{}", &code[start..end])
}

macro_rules! snapshot {
    ($module:ident) => {
        insta::assert_snapshot!(
            stringify!($module),
            types_of($module::CODE, $module::WARNINGS)
        );
    };
}

/// Deserializes `json` into `T`, serializes it back, and checks nothing changed.
fn round_trip<T: Serialize + DeserializeOwned>(json: Value) -> T {
    let typed: T = serde_json::from_value(json.clone())
        .unwrap_or_else(|err| panic!("{json} does not deserialize: {err}"));
    assert_eq!(serde_json::to_value(&typed).unwrap(), json, "round trip");
    typed
}

/// `(pointer, keyword)` of every violation of `v` against `f`, validated as a request body.
fn violations(f: Validator, v: Value) -> Vec<(String, &'static str)> {
    violations_in(f, v, Location::Body)
}

fn violations_in(f: Validator, v: Value, location: Location) -> Vec<(String, &'static str)> {
    let mut errors = Errors::new(location);
    check_value(&v, f, &Ptr::new(), &mut errors).unwrap();
    errors
        .into_vec()
        .into_iter()
        .map(|v| (v.pointer, v.keyword))
        .collect()
}

fn at(pointer: &str, keyword: &'static str) -> Vec<(String, &'static str)> {
    vec![(pointer.to_owned(), keyword)]
}

#[test]
fn discriminator_without_mapping_is_an_internally_tagged_enum() {
    use discriminator::{types, validate};
    snapshot!(discriminator);

    // Tag values are the component names; the branch structs lose the tag property.
    let cat = json!({"petType": "Cat", "name": "Tom", "lives": 7});
    let pet: types::Pet = round_trip(cat.clone());
    assert_eq!(
        pet,
        types::Pet::Cat(types::Cat {
            name: "Tom".into(),
            lives: Some(7)
        })
    );
    pet.validate().unwrap();
    assert!(matches!(
        round_trip::<types::Pet>(json!({"petType": "Dog", "bark": true})),
        types::Pet::Dog(types::Dog { bark: true })
    ));
    assert!(serde_json::from_value::<types::Pet>(json!({"petType": "Bird"})).is_err());

    // The validator picks the branch by the tag, and reports its violations as they are.
    assert_eq!(violations(validate::pet, cat), vec![]);
    assert_eq!(
        violations(validate::pet, json!({"petType": "Bird"})),
        at("/petType", "discriminator")
    );
    assert_eq!(
        violations(validate::pet, json!({"name": "Tom"})),
        at("", "discriminator")
    );
    assert_eq!(
        violations(validate::pet, json!({"petType": "Cat", "lives": 10})),
        vec![("".into(), "required"), ("/lives".into(), "maximum")]
    );
    assert_eq!(
        violations(validate::pet, json!({"petType": "Dog", "bark": "loud"})),
        at("/bark", "type")
    );
    assert_eq!(violations(validate::pet, json!([])), at("", "type"));

    // `Circle` is used on its own too: `Shape` stays untagged (announced), the structs keep
    // `kind`, and validation still goes by the discriminator.
    assert!(discriminator::WARNINGS
        .contains("#/components/schemas/Shape/discriminator: `discriminator` `kind` not used"));
    let drawing = json!({
        "main": {"kind": "Circle", "radius": 1.5},
        "shapes": [{"kind": "Square", "side": 2.0}, {"kind": "Circle", "radius": 0.5}]
    });
    let typed: types::Drawing = round_trip(drawing.clone());
    assert!(matches!(
        typed.shapes.as_deref(),
        Some([types::Shape::Square(s), types::Shape::Circle(_)]) if s.kind == "Square"
    ));
    assert_eq!(violations(validate::drawing, drawing), vec![]);
    assert_eq!(
        violations(
            validate::drawing,
            json!({"shapes": [{"kind": "Circle", "radius": 1}, {"kind": "Hexagon"}]})
        ),
        at("/shapes/1/kind", "discriminator")
    );

    // An inline branch: the discriminator is ignored (announced), `oneOf` applies.
    assert!(discriminator::WARNINGS
        .contains("#/components/schemas/Token/oneOf/1: `discriminator` ignored"));
    let token: types::Token = round_trip(json!({"kind": "x", "code": "c"}));
    assert!(matches!(token, types::Token::TokenVariant2(_)));
}

#[tokio::test]
async fn the_mock_answers_a_discriminated_union_with_a_valid_variant() {
    use discriminator::{types, Api, GetPetRequest, GetPetResponse, Mock};
    let GetPetResponse::Ok(pet) = Mock
        .get_pet(GetPetRequest {}, tollgate::Context::default())
        .await;
    pet.validate().unwrap();
    assert!(matches!(pet, types::Pet::Cat(_)), "{pet:?}");
}

#[test]
fn discriminator_with_mapping_uses_the_mapping_keys() {
    use discriminator_mapping::{types, validate};
    snapshot!(discriminator_mapping);

    let id = "0b4e6c1a-8d1f-4c8e-9a53-1f0e7d2b6a90";
    let restored = json!({"event_type": "item.restored", "id": id, "tags": ["a"]});
    let event: types::Event = round_trip(restored.clone());
    assert!(matches!(&event, types::Event::ItemRestored(c) if c.id == id));
    let deleted: types::Event =
        round_trip(json!({"event_type": "item.deleted", "id": id, "reason": "spam"}));
    assert!(matches!(deleted, types::Event::ItemDeleted(_)));
    assert_eq!(violations(validate::event, restored), vec![]);
    // A mapped schema is not also tagged by its component name.
    assert_eq!(
        violations(validate::event, json!({"event_type": "Created", "id": id})),
        at("/event_type", "discriminator")
    );
    assert_eq!(
        violations(
            validate::event,
            json!({"event_type": "item.created", "id": "x"})
        ),
        at("/id", "format")
    );

    // `anyOf`, with one branch mapped and one tagged by its component name.
    let transfer: types::Payment = round_trip(json!({"method": "Transfer", "iban": "DE89"}));
    assert!(matches!(transfer, types::Payment::Transfer(_)));
    let card: types::Payment = round_trip(json!({"method": "card", "last4": "4242"}));
    assert!(matches!(card, types::Payment::Card(_)));
    assert_eq!(
        violations(
            validate::payment,
            json!({"method": "card", "last4": "42x2"})
        ),
        at("/last4", "pattern")
    );
}

#[test]
fn a_discriminator_on_an_allof_base_is_announced_and_subtypes_merge_the_base() {
    use discriminator_allof_base::types;
    snapshot!(discriminator_allof_base);

    assert!(discriminator_allof_base::WARNINGS.starts_with(
        "#/components/schemas/Pet/discriminator: `discriminator` without `oneOf`/`anyOf`"
    ));
    let cat: types::Cat = round_trip(json!({"petType": "Cat", "name": "Tom", "hunts": true}));
    assert_eq!((cat.pet_type.as_str(), cat.hunts), ("Cat", Some(true)));
    let pet: types::Pet = round_trip(json!({"petType": "Pet", "name": "Rex"}));
    assert_eq!(pet.name.as_deref(), Some("Rex"));
}

#[test]
fn enum_variant_names_come_from_x_enum_varnames() {
    use enum_varnames::{types, validate};
    snapshot!(enum_varnames);

    let job: types::Job = round_trip(json!({
        "priority": 2, "colour": "#0f0", "plain": "#0f0", "wrong": 1
    }));
    assert_eq!(job.priority, types::Priority::HighUrgency);
    assert_eq!(job.colour, Some(types::Colour::Green));
    assert_eq!(job.colour.map(|c| c.as_str()), Some("#0f0"));
    // Without names, variants are named from the values.
    assert_eq!(job.plain, Some(types::Plain::T0f0));
    assert_eq!(job.wrong, Some(types::Wrong::V1));
    assert_eq!(types::Priority::Low.as_i64(), 0);
    assert!(enum_varnames::WARNINGS.contains(
        "#/components/schemas/Wrong/x-enum-varnames: `x-enum-varnames` is not a list of 2 names"
    ));
    assert_eq!(
        violations(validate::job, json!({"priority": 3, "colour": "red"})),
        vec![("/priority".into(), "enum"), ("/colour".into(), "enum")]
    );
}

#[test]
fn integer_enums_are_rust_enums_serialized_as_integers() {
    use integer_enum::{types, validate};
    snapshot!(integer_enum);

    let task: types::Task = round_trip(json!({"priority": -1, "retries": 5, "level": 20}));
    assert_eq!(task.priority, types::Priority::Minus1);
    assert_eq!(task.priority.as_i64(), -1);
    assert_eq!(task.priority.to_string(), "-1");
    assert_eq!(task.retries, Some(types::TaskRetries::V5));
    assert_eq!(types::Priority::ALL.len(), 4);
    // `null` is allowed where the enum is nullable; JSON equality (`2.0` is `2`).
    let task: types::Task =
        serde_json::from_value(json!({"priority": 2.0, "level": null})).unwrap();
    assert_eq!((task.priority, task.level), (types::Priority::V2, None));

    let err = serde_json::from_value::<types::Task>(json!({"priority": 4})).unwrap_err();
    assert!(err.to_string().contains("unknown value `4`"), "{err}");
    assert!(serde_json::from_value::<types::Task>(json!({"priority": "1"})).is_err());
    assert_eq!(
        violations(validate::task, json!({"priority": 3, "level": null})),
        vec![]
    );
    assert_eq!(
        violations(validate::task, json!({"priority": 4, "retries": 1})),
        vec![("/priority".into(), "enum"), ("/retries".into(), "enum")]
    );
}

#[test]
fn mixed_enums_are_rust_enums_serialized_as_their_values() {
    use mixed_enum::{types, validate};
    snapshot!(mixed_enum);

    for (value, size) in [
        (json!("auto"), types::Size::Auto),
        (json!(0), types::Size::V0),
        (json!(1.5), types::Size::V1_5),
        (json!(true), types::Size::True),
    ] {
        let settings: types::Settings = round_trip(json!({"size": value}));
        assert_eq!(settings.size, size);
    }
    let settings: types::Settings =
        round_trip(json!({"size": "auto", "limit": 100, "mode": "fast"}));
    assert_eq!(settings.limit, Some(types::SettingsLimit::V100));
    assert_eq!(settings.mode, Some(types::SettingsMode::Fast));
    let settings: types::Settings =
        serde_json::from_value(json!({"size": 0, "limit": null})).unwrap();
    assert_eq!(settings.limit, None);
    assert!(serde_json::from_value::<types::Settings>(json!({"size": "0"})).is_err());

    assert_eq!(
        violations(validate::settings, json!({"size": 1.5, "limit": null})),
        vec![]
    );
    assert_eq!(
        violations(
            validate::settings,
            json!({"size": "big", "limit": "none", "mode": 1})
        ),
        vec![
            ("/size".into(), "enum"),
            ("/limit".into(), "enum"),
            ("/mode".into(), "enum")
        ]
    );
}

#[test]
#[allow(deprecated)]
fn read_only_and_write_only_are_required_one_way_only() {
    use read_write_only::{types, validate};
    snapshot!(read_write_only);

    let request = json!({"name": "Ann", "password": "secret-1", "nickname": "A"});
    let response = json!({"id": 7, "name": "Ann", "created": "2024-01-02T03:04:05Z"});
    let user: types::User = round_trip(request.clone());
    assert_eq!((user.id, user.nickname.as_deref()), (None, Some("A")));
    let user: types::User = round_trip(response.clone());
    assert_eq!((user.id, user.password), (Some(7), None));

    assert_eq!(violations(validate::user, request.clone()), vec![]);
    // `id` and `created` are missing from a response.
    assert_eq!(
        violations_in(validate::user, request, Location::Response),
        vec![("".into(), "required"), ("".into(), "required")]
    );
    assert_eq!(
        violations_in(validate::user, response.clone(), Location::Response),
        vec![]
    );
    assert_eq!(violations(validate::user, response), at("", "required"));
    // A type's `validate()` does not know the direction: neither is required.
    types::User {
        id: None,
        name: "Ann".into(),
        password: None,
        created: None,
        nickname: None,
    }
    .validate()
    .unwrap();
}

#[tokio::test]
async fn read_only_properties_are_not_required_in_requests_served() {
    let config =
        tollgate::Config::from_toml_str("[development]\nvalidate_responses = true\n").unwrap();
    let gateway = tollgate::Gateway::from_config(config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/users", listener.local_addr().unwrap());
    tokio::spawn(tollgate::serve_listener(
        read_write_only::router(read_write_only::Mock, gateway),
        listener,
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    // No `id`/`created` (read-only): accepted; the mock's answer has them and passes
    // response validation without the write-only `password`.
    let created = client
        .post(&url)
        .json(&json!({"name": "Ann", "password": "secret-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.unwrap();
    assert!(
        body.get("id").is_some() && body.get("created").is_some(),
        "{body}"
    );
    assert!(body.get("password").is_none(), "{body}");
    // The write-only `password` is required in requests.
    let rejected = client
        .post(&url)
        .json(&json!({"name": "Ann"}))
        .send()
        .await
        .unwrap();
    assert_eq!(rejected.status(), 400);
    let problem: Value = rejected.json().await.unwrap();
    assert_eq!(problem["errors"][0]["keyword"], "required", "{problem}");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("password")));
}

#[test]
fn not_is_checked_by_the_validator() {
    use not::{types, validate};
    snapshot!(not);

    let account: types::Account = round_trip(json!({"user": "alice", "note": "hi"}));
    assert_eq!(account.user, "alice");
    round_trip::<types::Account>(json!({"user": "bob", "note": [1]}));
    assert_eq!(
        violations(validate::account, json!({"user": "alice"})),
        vec![]
    );
    assert_eq!(
        violations(validate::account, json!({"user": "admin", "note": 3})),
        vec![("/user".into(), "not"), ("/note".into(), "not")]
    );
}

#[test]
fn unique_items_are_checked_by_the_validator() {
    use unique_items::{types, validate};
    snapshot!(unique_items);

    let sample = json!({"tags": ["a", "b"], "points": [{"x": 1, "y": 2}, {"x": 2, "y": 1}]});
    let labels: types::Labels = round_trip(sample.clone());
    assert_eq!(labels.tags, ["a", "b"]);
    assert_eq!(violations(validate::labels, sample), vec![]);
    assert_eq!(
        violations(
            validate::labels,
            json!({"tags": ["a", "a"], "points": [{"x": 1}, {"x": 1.0}]})
        ),
        vec![
            ("/tags".into(), "uniqueItems"),
            ("/points".into(), "uniqueItems")
        ]
    );
}

#[test]
fn untyped_schemas_are_values_with_per_type_keywords() {
    use untyped::{types, validate};
    snapshot!(untyped);

    let anything: types::Anything = round_trip(json!([1, "two", null]));
    assert!(anything.is_array());
    let record: types::Record =
        round_trip(json!({"id": "r1", "payload": {"any": [1, true]}, "label": "ab"}));
    assert_eq!(record.payload, Some(json!({"any": [1, true]})));
    // `minLength` applies to strings only, `maximum` to numbers only.
    for label in [json!("ab"), json!(10), json!(true), json!(null)] {
        assert_eq!(
            violations(validate::record, json!({"id": "r", "label": label})),
            vec![],
            "{label}"
        );
    }
    assert_eq!(
        violations(validate::record, json!({"label": "a"})),
        vec![("".into(), "required"), ("/label".into(), "minLength")]
    );
    assert_eq!(
        violations(validate::record, json!({"id": "r", "label": 11})),
        at("/label", "maximum")
    );
}

#[test]
fn nested_arrays_are_nested_vecs() {
    use nested_arrays::{types, validate};
    snapshot!(nested_arrays);

    let sample = json!({"rows": [[1, 2], [3]], "cells": [[{"v": 1.5}], null]});
    let matrix: types::Matrix = round_trip(sample.clone());
    assert_eq!(matrix.rows, vec![vec![1, 2], vec![3]]);
    assert_eq!(matrix.cells.as_ref().map(|c| c[1].is_none()), Some(true));
    assert_eq!(violations(validate::matrix, sample), vec![]);
    assert_eq!(
        violations(
            validate::matrix,
            json!({"rows": [[1], []], "cells": [[{"v": 1}, {}]]})
        ),
        vec![
            ("/rows/1".into(), "minItems"),
            ("/cells/0/1".into(), "required")
        ]
    );
    assert_eq!(
        violations(validate::matrix, json!({"rows": [[1, "2"]]})),
        at("/rows/0/1", "type")
    );
}

#[test]
fn free_form_objects_are_maps() {
    use free_form::{types, validate};
    snapshot!(free_form);

    let metadata: types::Metadata = round_trip(json!({"a": 1, "b": [null]}));
    assert_eq!(metadata.len(), 2);
    let counts: types::Counts = round_trip(json!({"x": 1, "y": 0}));
    assert_eq!(counts["x"], 1);
    let item: types::Item = round_trip(json!({
        "name": "n",
        "attributes": {"a": [1]},
        "extra": {"b": null},
        "color": "red"
    }));
    assert_eq!(item.additional_properties["color"], "red");
    assert_eq!(
        item.attributes.as_ref().map(|a| a["a"].clone()),
        Some(json!([1]))
    );
    round_trip::<types::Closed>(json!({"a": "x"}));

    assert_eq!(violations(validate::counts, json!({"x": 1})), vec![]);
    assert_eq!(
        violations(validate::counts, json!({"x": -1})),
        at("/x", "minimum")
    );
    assert_eq!(
        violations(validate::item, json!({"name": "n", "size": 3})),
        at("/size", "type")
    );
    assert_eq!(
        violations(validate::closed, json!({"a": "x", "b": 1})),
        at("/b", "additionalProperties")
    );
}
