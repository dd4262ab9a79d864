//! The string formats OpenAPI names, checked against their RFC grammars.
//!
//! Hand-written on purpose: each check is a few lines of grammar, needs no parsing beyond
//! shape, and allocates nothing; date/time, URI and e-mail crates would add compile time to
//! every gateway for less precise answers (the `url` crate, for one, accepts what RFC 3986
//! refuses). The JSON Schema Test Suite's `format` cases are the yardstick
//! (`tests/tests/conformance.rs`).

use super::validate::StrFormat;

/// A readable name of `format`, for violation messages.
pub(super) fn name(f: StrFormat) -> &'static str {
    match f {
        StrFormat::None => "value",
        StrFormat::DateTime => "date-time (RFC 3339)",
        StrFormat::Date => "date (RFC 3339 full-date)",
        StrFormat::Uuid => "UUID",
        StrFormat::Email => "e-mail address",
        StrFormat::Uri => "URI (RFC 3986)",
        StrFormat::Ipv4 => "IPv4 address",
        StrFormat::Ipv6 => "IPv6 address",
        StrFormat::Byte => "base64 string",
    }
}

/// Whether `s` is a valid `f`.
pub(super) fn matches(f: StrFormat, s: &str) -> bool {
    match f {
        StrFormat::None => true,
        StrFormat::DateTime => date_time(s),
        StrFormat::Date => date(s),
        StrFormat::Uuid => uuid(s),
        StrFormat::Email => email(s),
        StrFormat::Uri => uri(s),
        StrFormat::Ipv4 => ipv4(s),
        StrFormat::Ipv6 => s.parse::<std::net::Ipv6Addr>().is_ok(),
        StrFormat::Byte => base64(s),
    }
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// RFC 3339 `full-date`.
fn date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(&s[0..4]), digits(&s[5..7]), digits(&s[8..10]))
    else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// RFC 3339 `full-time`: `HH:MM:SS[.frac](Z|±HH:MM)`. A leap second (`:60`) is valid only
/// at 23:59 UTC.
fn time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(h), Some(m), Some(sec)) = (digits(&s[0..2]), digits(&s[3..5]), digits(&s[6..8]))
    else {
        return false;
    };
    if h > 23 || m > 59 || sec > 60 {
        return false;
    }
    let mut rest = &s[8..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    let offset_minutes: i64 = if rest.eq_ignore_ascii_case("z") {
        0
    } else {
        let rb = rest.as_bytes();
        if rb.len() != 6 || !(rb[0] == b'+' || rb[0] == b'-') || rb[3] != b':' {
            return false;
        }
        match (digits(&rest[1..3]), digits(&rest[4..6])) {
            (Some(oh), Some(om)) if oh <= 23 && om <= 59 => {
                let minutes = i64::from(oh * 60 + om);
                if rb[0] == b'-' {
                    -minutes
                } else {
                    minutes
                }
            }
            _ => return false,
        }
    };
    if sec == 60 {
        let utc = (i64::from(h * 60 + m) - offset_minutes).rem_euclid(24 * 60);
        return utc == 23 * 60 + 59;
    }
    true
}

/// RFC 3339 `date-time` (`T` or `t` between date and time).
fn date_time(s: &str) -> bool {
    s.len() > 11
        && s.is_char_boundary(10)
        && s.is_char_boundary(11)
        && matches!(s.as_bytes()[10], b'T' | b't')
        && date(&s[..10])
        && time(&s[11..])
}

/// RFC 4122 textual form.
fn uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// RFC 5321 `Mailbox`: a dot-atom or quoted-string local part, `@`, a domain or an address
/// literal.
fn email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let local_ok = if let Some(quoted) = local.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
        !quoted.is_empty()
            && quoted
                .chars()
                .all(|c| c != '"' && c != '\\' && !c.is_control())
    } else {
        dot_atom(local, |c| {
            c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii()
        })
    };
    let domain_ok =
        if let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
            ipv4(literal)
                || literal
                    .strip_prefix("IPv6:")
                    .is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok())
        } else {
            dot_atom(domain, |c| {
                c.is_ascii_alphanumeric() || c == '-' || !c.is_ascii()
            }) && domain
                .split('.')
                .all(|label| !label.starts_with('-') && !label.ends_with('-'))
        };
    local_ok && domain_ok
}

/// Non-empty atoms of `allowed` characters separated by single dots.
fn dot_atom(s: &str, allowed: impl Fn(char) -> bool) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(&allowed))
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// Every byte is `allowed` or part of a `%XX` escape.
fn pct_chars(s: &str, allowed: impl Fn(u8) -> bool) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 >= b.len() || !(b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
        } else if allowed(b[i]) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

fn pchar(b: u8) -> bool {
    unreserved(b) || sub_delim(b) || b == b':' || b == b'@'
}

/// RFC 3986 `URI` (absolute, with a scheme; fragment allowed).
fn uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut scheme_bytes = scheme.bytes();
    if !scheme_bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        || !scheme_bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return false;
    }
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (hier, query) = match rest.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (rest, None),
    };
    let query_ok = |q: &str| pct_chars(q, |b| pchar(b) || b == b'/' || b == b'?');
    if !query.is_none_or(query_ok) || !fragment.is_none_or(query_ok) {
        return false;
    }
    let path = match hier.strip_prefix("//") {
        Some(after) => {
            let end = after.find('/').unwrap_or(after.len());
            if !authority(&after[..end]) {
                return false;
            }
            &after[end..]
        }
        None => hier,
    };
    pct_chars(path, |b| pchar(b) || b == b'/')
}

/// RFC 3986 `authority`: `[userinfo@]host[:port]`.
fn authority(a: &str) -> bool {
    let (userinfo, host_port) = match a.split_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, a),
    };
    if !userinfo.is_none_or(|u| pct_chars(u, |b| unreserved(b) || sub_delim(b) || b == b':')) {
        return false;
    }
    let (host_ok, port) = if let Some(literal) = host_port.strip_prefix('[') {
        let Some((inside, after)) = literal.split_once(']') else {
            return false;
        };
        let ok = inside.parse::<std::net::Ipv6Addr>().is_ok()
            && !inside.split(':').any(|g| g.contains('.') && !ipv4(g));
        let port = match after {
            "" => None,
            p => match p.strip_prefix(':') {
                Some(port) => Some(port),
                None => return false,
            },
        };
        (ok, port)
    } else {
        let (host, port) = match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        };
        (pct_chars(host, |b| unreserved(b) || sub_delim(b)), port)
    };
    host_ok && port.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// Dotted-quad IPv4 without leading zeros.
fn ipv4(s: &str) -> bool {
    let mut parts = 0;
    for p in s.split('.') {
        parts += 1;
        if p.is_empty()
            || p.len() > 3
            || !p.bytes().all(|b| b.is_ascii_digit())
            || (p.len() > 1 && p.starts_with('0'))
            || p.parse::<u16>().map_or(true, |n| n > 255)
        {
            return false;
        }
    }
    parts == 4
}

/// RFC 4648 base64 with padding.
fn base64(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() % 4 != 0 {
        return false;
    }
    let body = s.trim_end_matches('=');
    b.len() - body.len() <= 2
        && body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times() {
        assert!(date_time("2024-02-29T12:30:00Z"));
        assert!(date_time("2024-02-29T12:30:00.123+02:00"));
        assert!(date_time("1998-12-31T15:59:60.123-08:00"));
        assert!(!date_time("1998-12-31T23:58:60Z"));
        assert!(!date_time("2023-02-29T12:30:00Z"));
        assert!(!date_time("2024-02-29"));
        assert!(!date_time("2024-02-29T25:00:00Z"));
    }

    #[test]
    fn uris() {
        assert!(uri("https://example.com/x?q=1#f"));
        assert!(uri("ldap://[2001:db8::7]/c=GB?objectClass?one"));
        assert!(uri("urn:oasis:names:specification:docbook:dtd:xml:4.1.2"));
        assert!(!uri("/relative"));
        assert!(!uri("http://example.com/%6G"));
        assert!(!uri("http://example.com/%"));
        assert!(!uri("https://example.org/foo bar.txt"));
        assert!(!uri("http://example.com:abc/path"));
        assert!(!uri("http://[::ffff:01.2.3.4]"));
    }

    #[test]
    fn others() {
        assert!(uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!uuid("123e4567e89b12d3a456426614174000"));
        assert!(email("a@b.c"));
        assert!(email("te~st@example.com"));
        assert!(!email("te..st@example.com"));
        assert!(!email(".test@example.com"));
        assert!(!email("ab.c"));
        assert!(ipv4("192.168.0.1"));
        assert!(!ipv4("256.1.1.1"));
        assert!(!ipv4("01.1.1.1"));
        assert!(base64("aGVsbG8="));
        assert!(!base64("aGVsbG8"));
    }
}
