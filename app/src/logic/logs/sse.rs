//! SSE fields made safe to write.

use std::borrow::Cow;

/// An SSE `id` or `event` value made safe to write: CR, LF and NUL removed (axum panics on
/// them), at most 256 bytes. A value that is clean already is borrowed, not copied (the relay
/// calls this twice per line).
pub fn clean_field(raw: &str) -> Cow<'_, str> {
    const MAX: usize = 256;
    let dirty = |b: &u8| matches!(b, b'\r' | b'\n' | b'\0');
    if raw.len() <= MAX && !raw.as_bytes().iter().any(dirty) {
        return Cow::Borrowed(raw);
    }
    let mut out: String = raw
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n' | '\0'))
        .collect();
    if out.len() > MAX {
        let mut cut = MAX;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_fields_lose_line_breaks_and_nul() {
        assert_eq!(clean_field("12\r\n3\0"), "123");
        assert_eq!(clean_field("APPLICATION_LOG"), "APPLICATION_LOG");
        assert!(
            matches!(clean_field("APPLICATION_LOG"), Cow::Borrowed(_)),
            "a clean value is not copied"
        );
        assert_eq!(clean_field(&"é".repeat(200)).len(), 256);
        assert_eq!(clean_field(&"a".repeat(257)).len(), 256);
    }
}
