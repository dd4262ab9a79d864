//! Extraction of path and query parameters: from the request's raw parts (percent-decoded
//! path parameters, the query string) to typed, validated values, as the generated
//! `Operation::extract` implementations do it — against a hand-written baseline doing the
//! same work (`serde_urlencoded` into a struct, as axum's `Query` does, plus the same range and
//! pattern checks by hand).
//!
//! Cases, on `fixtures/bench.yaml`'s validators where the fixture has the parameter:
//! a path integer (`getItem`'s `id`, `minimum: 1`), two query parameters (`listItems`'
//! `limit` 1..=100 and `q` with a length range and a pattern), a form-style array and a
//! `deepObject` object. Run with `cargo bench -p tollgate-tests --bench extract`; the README's
//! performance section reports the figures.

use criterion::{criterion_group, criterion_main, Criterion};
use serde::Deserialize;
use std::hint::black_box;
use tollgate::__codegen::{Bytes, Errors, Input, Scalar, Shape, Style};
use tollgate::Location;
use tollgate_tests::bench_api;

fn input(path: Vec<(String, String)>, query: Option<&str>) -> Input {
    Input::new(path, query, http::HeaderMap::new(), Bytes::new())
}

/// `getItem`: `/items/{id}`, `id` an integer ≥ 1.
fn path_integer(raw: &str) -> Option<i64> {
    let input = input(vec![("id".into(), raw.into())], None);
    let mut e = Errors::new(Location::Path);
    input.param::<i64>(
        Location::Path,
        "id",
        true,
        Shape::Scalar(Scalar::Integer),
        Some(bench_api::validate::get_item_id),
        &mut e,
    )
}

/// The same from the same router output: the matched path's parameters as strings.
fn path_integer_by_hand(raw: &str) -> Option<i64> {
    let path: Vec<(String, String)> = vec![("id".into(), raw.into())];
    let (_, text) = path.iter().find(|(name, _)| name == "id")?;
    text.parse::<i64>().ok().filter(|id| *id >= 1)
}

/// `listItems`: `?limit=10&q=blue-42`.
fn query_pair(query: &str) -> Option<(Option<i64>, Option<String>)> {
    let input = input(Vec::new(), Some(query));
    let mut e = Errors::new(Location::Query);
    let limit = input.param::<i64>(
        Location::Query,
        "limit",
        false,
        Shape::Scalar(Scalar::Integer),
        Some(bench_api::validate::list_items_limit),
        &mut e,
    );
    let q = input.param::<String>(
        Location::Query,
        "q",
        false,
        Shape::Scalar(Scalar::String),
        Some(bench_api::validate::list_items_q),
        &mut e,
    );
    e.is_empty().then_some((limit, q))
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<i64>,
    q: Option<String>,
}

fn query_pair_by_hand(query: &str) -> Option<(Option<i64>, Option<String>)> {
    let parsed: ListQuery = serde_urlencoded::from_str(query).ok()?;
    if parsed.limit.is_some_and(|l| !(1..=100).contains(&l)) {
        return None;
    }
    if let Some(q) = &parsed.q {
        let n = q.chars().count();
        let ok = (1..=32).contains(&n)
            && q.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return None;
        }
    }
    Some((parsed.limit, parsed.q))
}

/// `?tags=red,large,new` (form, not exploded) into `Vec<String>`.
fn query_array(query: &str) -> Option<Vec<String>> {
    let input = input(Vec::new(), Some(query));
    let mut e = Errors::new(Location::Query);
    input.param::<Vec<String>>(
        Location::Query,
        "tags",
        true,
        Shape::Array {
            item: Scalar::String,
            style: Style::Form,
            explode: false,
        },
        None,
        &mut e,
    )
}

#[derive(Deserialize)]
struct TagsQuery {
    tags: String,
}

fn query_array_by_hand(query: &str) -> Option<Vec<String>> {
    let parsed: TagsQuery = serde_urlencoded::from_str(query).ok()?;
    Some(parsed.tags.split(',').map(str::to_owned).collect())
}

#[derive(Debug, Deserialize)]
struct Filter {
    age: Option<i64>,
    name: Option<String>,
}

const FILTER_FIELDS: &[(&str, Scalar)] = &[("age", Scalar::Integer), ("name", Scalar::String)];

/// `?filter[age]=3&filter[name]=rex` (deepObject) into a struct.
fn deep_object(query: &str) -> Option<Filter> {
    let input = input(Vec::new(), Some(query));
    let mut e = Errors::new(Location::Query);
    input.param::<Filter>(
        Location::Query,
        "filter",
        true,
        Shape::Object {
            style: Style::DeepObject,
            explode: true,
            fields: FILTER_FIELDS,
            other: Scalar::String,
        },
        None,
        &mut e,
    )
}

fn deep_object_by_hand(query: &str) -> Option<Filter> {
    let mut filter = Filter {
        age: None,
        name: None,
    };
    for (key, value) in form_pairs(query) {
        match key.as_str() {
            "filter[age]" => filter.age = Some(value.parse().ok()?),
            "filter[name]" => filter.name = Some(value),
            _ => {}
        }
    }
    Some(filter)
}

fn form_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(query).unwrap_or_default()
}

fn extract(c: &mut Criterion) {
    // Each pair checks that both sides agree before timing them.
    assert_eq!(path_integer("42"), path_integer_by_hand("42"));
    assert_eq!(path_integer("0"), None);
    let list = "limit=10&q=blue-42";
    assert_eq!(query_pair(list), query_pair_by_hand(list));
    assert_eq!(query_pair("limit=500"), None);
    let tags = "tags=red,large,new";
    assert_eq!(query_array(tags), query_array_by_hand(tags));
    let filter = "filter%5Bage%5D=3&filter%5Bname%5D=rex";
    let (generated, by_hand) = (deep_object(filter), deep_object_by_hand(filter));
    assert_eq!(format!("{generated:?}"), format!("{by_hand:?}"));
    assert!(generated.is_some_and(|f| f.age == Some(3)));

    let mut group = c.benchmark_group("extract");
    group.bench_function("path integer/generated", |b| {
        b.iter(|| path_integer(black_box("42")))
    });
    group.bench_function("path integer/by hand", |b| {
        b.iter(|| path_integer_by_hand(black_box("42")))
    });
    group.bench_function("query pair/generated", |b| {
        b.iter(|| query_pair(black_box(list)))
    });
    group.bench_function("query pair/by hand", |b| {
        b.iter(|| query_pair_by_hand(black_box(list)))
    });
    group.bench_function("query array/generated", |b| {
        b.iter(|| query_array(black_box(tags)))
    });
    group.bench_function("query array/by hand", |b| {
        b.iter(|| query_array_by_hand(black_box(tags)))
    });
    group.bench_function("deepObject/generated", |b| {
        b.iter(|| deep_object(black_box(filter)))
    });
    group.bench_function("deepObject/by hand", |b| {
        b.iter(|| deep_object_by_hand(black_box(filter)))
    });
    group.finish();
}

criterion_group!(benches, extract);
criterion_main!(benches);
