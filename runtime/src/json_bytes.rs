//! JSON strings at the byte level, shared by the request body scanner
//! (`__codegen::scan`) and the problem+json writer (`problem`).

/// The index of the first byte at or after `at` that ends a run of plain string content:
/// `"`, `\` or a control character (`bytes.len()` when there is none). Eight bytes at a
/// time (SWAR): most strings in a request body have nothing to unescape, and a byte at a
/// time was the scanner's largest cost.
#[inline]
pub(crate) fn skip_plain(bytes: &[u8], mut at: usize) -> usize {
    while let Some(chunk) = bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        let flagged = stops(u64::from_le_bytes(*chunk));
        if flagged != 0 {
            return at + (flagged.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    if at >= bytes.len() {
        return bytes.len();
    }
    // Fewer than eight bytes left: the last eight bytes as one more word, overlapping what
    // was checked already (blanked below), not a byte at a time.
    let Some(last) = bytes.last_chunk::<8>() else {
        // A string shorter than eight bytes: checked a byte at a time, which costs less
        // than padding it into a word (a copy, and a `memcpy` call).
        return bytes
            .iter()
            .skip(at)
            .position(|&byte| byte < 0x20 || byte == b'"' || byte == b'\\')
            .map_or(bytes.len(), |offset| at + offset);
    };
    let (start, word) = (bytes.len() - 8, u64::from_le_bytes(*last));
    // Bytes before `at` become spaces: a stop among them could flag the byte above it
    // through the borrow.
    let keep = u64::MAX << (8 * (at - start));
    let flagged = stops((word & keep) | (0x2020_2020_2020_2020 & !keep));
    match flagged {
        0 => bytes.len(),
        _ => start + (flagged.trailing_zeros() / 8) as usize,
    }
}

/// The high bit of each byte of `word` that is `"`, `\` or a control character.
#[inline]
fn stops(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    // The lowest flagged byte of each term is exact (a borrow only flags bytes above a
    // true hit), so the lowest flagged byte overall is the first stop.
    ((quote.wrapping_sub(ONES) & !quote)
        | (backslash.wrapping_sub(ONES) & !backslash)
        | (word.wrapping_sub(ONES * 0x20) & !word))
        & HIGHS
}

/// Appends `text` to `out` as a JSON string literal, quotes included, escaped exactly as
/// `serde_json` escapes it (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other control
/// characters as `\u00xx`; nothing else), so the bytes are the same as its output.
pub(crate) fn push_string(out: &mut Vec<u8>, text: &str) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    push_string_contents(out, text);
    out.push(b'"');
}

/// Appends `text` escaped as inside a JSON string literal, without the quotes (see
/// [`push_string`]).
pub(crate) fn push_string_contents(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    let mut at = 0;
    // Usually the whole text, in one copy: nothing to escape.
    let mut stop = skip_plain(bytes, 0);
    loop {
        out.extend_from_slice(&bytes[at..stop]);
        let Some(&byte) = bytes.get(stop) else {
            return;
        };
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]),
        }
        at = stop + 1;
        stop = skip_plain(bytes, at);
    }
}

#[cfg(test)]
mod tests {
    use super::push_string;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut samples: Vec<String> = vec![
            String::new(),
            "plain text, longer than eight bytes".into(),
            "quote \" backslash \\ slash / tab \t newline \n cr \r".into(),
            "é ü 日本 🦀 \u{7f} \u{2028}".into(),
        ];
        // Short strings (checked a byte at a time) with a stop at every position.
        for len in 1..16 {
            for stop in ['"', '\\', '\n', '\u{1f}'] {
                for at in 0..len {
                    let text: String = (0..len).map(|i| if i == at { stop } else { 'a' }).collect();
                    samples.push(text);
                }
            }
        }
        samples.push((0u8..0x20).map(char::from).collect());
        samples.push((0u8..0x80).map(char::from).rev().collect());
        for text in samples {
            let mut out = Vec::new();
            push_string(&mut out, &text);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&text).unwrap(),
                "{text:?}"
            );
        }
    }
}
