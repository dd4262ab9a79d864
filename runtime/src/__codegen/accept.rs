//! Picking a response's media type by the request's `Accept` header, among the types the
//! spec documents for that response (all of one encoding, so the body is the same bytes).
//!
//! Hand-written (about 40 lines) rather than a dependency: only media ranges and `q`
//! weights are needed, and the crates that parse `Accept` bring a typed-header framework
//! with them. When nothing documented is acceptable the first documented type is sent
//! (RFC 9110 §12.5.1 allows disregarding `Accept`); tollgate does not answer 406.

use axum::response::Response;
use http::{header, HeaderValue};

/// The documented media types of a response, first the default; attached by generated
/// code to responses that have alternatives, read by [`negotiate`].
#[derive(Debug, Clone, Copy)]
pub struct MediaChoices(pub &'static [&'static str]);

/// Marks `response` as having the documented alternatives `types` (the first is the
/// `Content-Type` it already carries).
pub fn media_choices(mut response: Response, types: &'static [&'static str]) -> Response {
    response.extensions_mut().insert(MediaChoices(types));
    response
}

/// Sets the `Content-Type` of a response with alternatives to the one `accept` prefers.
pub(crate) fn negotiate(response: &mut Response, accept: Option<&HeaderValue>) {
    let Some(MediaChoices(types)) = response.extensions_mut().remove::<MediaChoices>() else {
        return;
    };
    let Some(accept) = accept.and_then(|a| a.to_str().ok()) else {
        return;
    };
    let mut best: Option<(&str, f32)> = None;
    for ty in types {
        let q = quality(accept, ty);
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((ty, q));
        }
    }
    if let Some(value) = best.and_then(|(ty, _)| HeaderValue::from_str(ty).ok()) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
}

/// The weight `accept` gives `media`: that of the most specific matching range, 0 if none.
fn quality(accept: &str, media: &str) -> f32 {
    let media = media.split(';').next().unwrap_or_default().trim();
    let (kind, _) = media.split_once('/').unwrap_or((media, ""));
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut fields = range.split(';');
        let pattern = fields.next().unwrap_or_default().trim();
        let q = fields
            .filter_map(|f| f.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let specificity = if pattern.eq_ignore_ascii_case(media) {
            3
        } else if pattern
            .strip_suffix("/*")
            .is_some_and(|p| p.eq_ignore_ascii_case(kind))
        {
            2
        } else if pattern == "*/*" {
            1
        } else {
            continue;
        };
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    fn picked(accept: Option<&'static str>) -> String {
        let mut response = media_choices(
            ([(header::CONTENT_TYPE, "application/json")], "{}").into_response(),
            &[
                "application/json",
                "application/hal+json",
                "application/problem+json",
            ],
        );
        negotiate(&mut response, accept.map(HeaderValue::from_static).as_ref());
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn accept_picks_among_the_documented_types() {
        assert_eq!(picked(None), "application/json");
        assert_eq!(picked(Some("*/*")), "application/json");
        assert_eq!(picked(Some("application/hal+json")), "application/hal+json");
        assert_eq!(
            picked(Some("application/json;q=0.5, application/problem+json")),
            "application/problem+json"
        );
        assert_eq!(
            picked(Some("application/*;q=0.2, application/json;q=0")),
            "application/hal+json"
        );
        // Nothing acceptable: the first documented type, not a 406.
        assert_eq!(picked(Some("text/html")), "application/json");
    }
}
