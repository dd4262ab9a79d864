//! The contract of `fixtures/bench.yaml`, checked by hand: what the gateway's generated
//! validators check, written out for this one spec.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::problem::Violation;

/// `Item`, parsed straight into a struct (`additionalProperties: false` is
/// `deny_unknown_fields`); the enum is kept as a string so every violation is reported,
/// as the gateway does, instead of the first one serde meets.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Item {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) price: f64,
    pub(crate) status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) created: Option<String>,
}

/// `^[A-Za-z0-9 _-]+$`, compiled once.
static NAME: LazyLock<regress::Regex> =
    LazyLock::new(|| regress::Regex::new("^[A-Za-z0-9 _-]+$").expect("a valid pattern"));
/// `^[a-z0-9-]+$`, compiled once.
static QUERY: LazyLock<regress::Regex> =
    LazyLock::new(|| regress::Regex::new("^[a-z0-9-]+$").expect("a valid pattern"));

fn body(pointer: &str, keyword: &'static str, message: String) -> Violation {
    Violation {
        location: "body",
        name: None,
        pointer: pointer.to_owned(),
        keyword,
        message,
    }
}

fn param(
    location: &'static str,
    name: &'static str,
    keyword: &'static str,
    message: String,
) -> Violation {
    Violation {
        location,
        name: Some(name),
        pointer: String::new(),
        keyword,
        message,
    }
}

/// Every violation of `Item`'s schema by `item`.
pub(crate) fn item(item: &Item) -> Vec<Violation> {
    let mut errors = Vec::new();
    if item.id < 1 {
        errors.push(body("/id", "minimum", "must be at least 1".to_owned()));
    }
    let chars = item.name.chars().count();
    if chars < 1 {
        errors.push(body(
            "/name",
            "minLength",
            "must be at least 1 characters long".to_owned(),
        ));
    }
    if chars > 64 {
        errors.push(body(
            "/name",
            "maxLength",
            "must be at most 64 characters long".to_owned(),
        ));
    }
    if NAME.find(&item.name).is_none() {
        errors.push(body(
            "/name",
            "pattern",
            "must match the pattern `^[A-Za-z0-9 _-]+$`".to_owned(),
        ));
    }
    if item.price < 0.0 {
        errors.push(body("/price", "minimum", "must be at least 0".to_owned()));
    }
    let q = item.price / 0.01;
    if !q.is_finite() || (q - q.round()).abs() > 1e-9 * q.abs().max(1.0) {
        errors.push(body(
            "/price",
            "multipleOf",
            "must be a multiple of 0.01".to_owned(),
        ));
    }
    if !matches!(item.status.as_str(), "available" | "reserved" | "sold") {
        errors.push(body(
            "/status",
            "enum",
            "must be one of `available`, `reserved`, `sold`".to_owned(),
        ));
    }
    if let Some(tags) = &item.tags {
        if tags.len() > 10 {
            errors.push(body(
                "/tags",
                "maxItems",
                format!("must have at most 10 items, has {}", tags.len()),
            ));
        }
        if tags
            .iter()
            .enumerate()
            .any(|(i, a)| tags[i + 1..].contains(a))
        {
            errors.push(body(
                "/tags",
                "uniqueItems",
                "items must be unique".to_owned(),
            ));
        }
        for (i, tag) in tags.iter().enumerate() {
            let chars = tag.chars().count();
            if chars < 1 {
                errors.push(body(
                    &format!("/tags/{i}"),
                    "minLength",
                    "must be at least 1 characters long".to_owned(),
                ));
            }
            if chars > 20 {
                errors.push(body(
                    &format!("/tags/{i}"),
                    "maxLength",
                    "must be at most 20 characters long".to_owned(),
                ));
            }
        }
    }
    if let Some(created) = &item.created {
        if !date_time(created) {
            errors.push(body(
                "/created",
                "format",
                "must be a date-time (RFC 3339)".to_owned(),
            ));
        }
    }
    errors
}

/// `limit` and `q` of `GET /items`, parsed and checked.
pub(crate) fn list_query(query: Option<&str>) -> Result<(i64, Option<String>), Vec<Violation>> {
    let mut errors = Vec::new();
    let mut limit = 10;
    let mut q = None;
    for (name, value) in form_pairs(query.unwrap_or_default()) {
        match name.as_str() {
            "limit" => match value.parse::<i64>() {
                Ok(n) if (1..=100).contains(&n) => limit = n,
                Ok(_) => errors.push(param(
                    "query",
                    "limit",
                    "maximum",
                    "must be between 1 and 100".to_owned(),
                )),
                Err(_) => errors.push(param(
                    "query",
                    "limit",
                    "type",
                    format!("`{value}` is not an integer"),
                )),
            },
            "q" => {
                let chars = value.chars().count();
                if !(1..=32).contains(&chars) {
                    errors.push(param(
                        "query",
                        "q",
                        "maxLength",
                        "must be 1 to 32 characters long".to_owned(),
                    ));
                }
                if QUERY.find(&value).is_none() {
                    errors.push(param(
                        "query",
                        "q",
                        "pattern",
                        "must match the pattern `^[a-z0-9-]+$`".to_owned(),
                    ));
                }
                q = Some(value);
            }
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok((limit, q))
    } else {
        Err(errors)
    }
}

/// `id` of `GET /items/{id}`, parsed and checked.
pub(crate) fn item_id(raw: &str) -> Result<i64, Vec<Violation>> {
    match raw.parse::<i64>() {
        Ok(id) if id >= 1 => Ok(id),
        Ok(_) => Err(vec![param(
            "path",
            "id",
            "minimum",
            "must be at least 1".to_owned(),
        )]),
        Err(_) => Err(vec![param(
            "path",
            "id",
            "type",
            format!("`{raw}` is not an integer"),
        )]),
    }
}

/// The decoded `name=value` pairs of a query string (`+` is a space, `%XX` a byte).
fn form_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(name), decode(value))
    })
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                Some(b) => {
                    out.push(b);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 3339 `date-time`: `YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)`, with real calendar days.
fn date_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't') {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (Some(year), Some(month), Some(day)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    if b[4] != b'-' || b[7] != b'-' || !(1..=12).contains(&month) {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if day < 1 || day > days[month as usize - 1] {
        return false;
    }
    let (Some(h), Some(m), Some(sec)) = (num(11..13), num(14..16), num(17..19)) else {
        return false;
    };
    if b[13] != b':' || b[16] != b':' || h > 23 || m > 59 || sec > 60 {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &frac[digits..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && (h1 - b'0') * 10 + (h2 - b'0') <= 23
                && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Item {
        serde_json::from_str(json).unwrap()
    }

    fn keywords(errors: &[Violation]) -> Vec<(&str, &'static str)> {
        errors
            .iter()
            .map(|v| (v.pointer.as_str(), v.keyword))
            .collect()
    }

    #[test]
    fn the_benchmark_bodies() {
        // The runner's valid and invalid bodies: none, then six violations, as the gateway.
        let valid = parse(
            r#"{"id":42,"name":"Blue widget","price":9.99,"status":"available","tags":["blue","small"],"created":"2026-11-30T12:00:00Z"}"#,
        );
        assert!(item(&valid).is_empty());
        let invalid =
            parse(r#"{"id":0,"name":"bad name!","price":-1.005,"status":"lost","tags":["a","a"]}"#);
        assert_eq!(
            keywords(&item(&invalid)),
            vec![
                ("/id", "minimum"),
                ("/name", "pattern"),
                ("/price", "minimum"),
                ("/price", "multipleOf"),
                ("/status", "enum"),
                ("/tags", "uniqueItems"),
            ]
        );
        assert!(serde_json::from_str::<Item>(
            r#"{"id":1,"name":"a","price":1,"status":"sold","extra":1}"#
        )
        .is_err());
    }

    #[test]
    fn query_and_path() {
        assert_eq!(list_query(None).ok(), Some((10, None)));
        assert_eq!(
            list_query(Some("limit=2&q=widget-1")).ok(),
            Some((2, Some("widget-1".to_owned())))
        );
        assert_eq!(list_query(Some("limit=0")).unwrap_err().len(), 1);
        assert_eq!(list_query(Some("q=Bad%20Q")).unwrap_err().len(), 1);
        assert_eq!(item_id("7").ok(), Some(7));
        assert!(item_id("0").is_err());
        assert!(item_id("x").is_err());
    }

    #[test]
    fn date_times() {
        assert!(date_time("2024-02-29T12:30:00Z"));
        assert!(date_time("2024-02-29T12:30:00.123+02:00"));
        assert!(!date_time("2023-02-29T12:30:00Z"));
        assert!(!date_time("2024-02-29 12:30:00Z"));
        assert!(!date_time("2024-02-29T24:30:00Z"));
        assert!(!date_time("2024-02-29T12:30:00"));
    }
}
