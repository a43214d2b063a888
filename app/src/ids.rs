//! Ids that come from a URL or a form, validated before they become upstream path segments.

use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest id accepted; real ids (`app_<uuid>`) are around 40 characters.
pub const MAX_ID_LEN: usize = 128;

/// A value that is safe to use as one URL path segment of an upstream request.
///
/// Only ASCII letters, digits, `-`, `_` and `.` are accepted, at most [`MAX_ID_LEN`] of them, and
/// never `.` or `..` alone; so no `/`, `\`, `%`, control character or encoded trick gets through.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct SegmentId(String);

impl SegmentId {
    /// Validates `raw`; `what` names the value in the error message ("application id").
    pub fn parse(what: &str, raw: &str) -> Result<Self, AppError> {
        match why_invalid(raw) {
            None => Ok(Self(raw.to_owned())),
            Some(why) => Err(AppError::BadRequest(format!("Invalid {what}: {why}."))),
        }
    }

    /// The validated text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn why_invalid(raw: &str) -> Option<&'static str> {
    if raw.is_empty() {
        return Some("it is empty");
    }
    if raw.len() > MAX_ID_LEN {
        return Some("it is too long");
    }
    if raw == "." || raw == ".." {
        return Some("it is a relative path");
    }
    if raw
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        None
    } else {
        Some("only letters, digits, '-', '_' and '.' are allowed")
    }
}

impl<'de> Deserialize<'de> for SegmentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        match why_invalid(&raw) {
            None => Ok(Self(raw)),
            Some(why) => Err(serde::de::Error::custom(format!("invalid id: {why}"))),
        }
    }
}

impl fmt::Display for SegmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SegmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl AsRef<str> for SegmentId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &[&str] = &[
        "",
        ".",
        "..",
        "/",
        "a/b",
        "../app",
        "..%2f",
        "%2e%2e",
        "%2F",
        "app%00",
        "a\\b",
        "..\\..",
        "app\n",
        "app\r\nX-Injected: 1",
        "\t",
        "app\u{0}",
        "app\u{7f}",
        "app id",
        " app",
        "app?x=1",
        "app#frag",
        "app;rm",
        "app&b=c",
        "http://evil.example",
        "//evil.example",
        "@evil.example",
        "app:8080",
        "ａｐｐ",
        "app\u{202e}",
        "app\u{200b}",
        "<script>",
        "app\"",
        "app'",
        "{app}",
        "app|b",
        "~root",
        "$HOME",
        "app*",
    ];

    #[test]
    fn refuses_hostile_ids() {
        assert!(HOSTILE.len() >= 30);
        for raw in HOSTILE {
            assert!(
                SegmentId::parse("id", raw).is_err(),
                "{raw:?} should be refused"
            );
        }
        let long = "a".repeat(MAX_ID_LEN + 1);
        assert!(SegmentId::parse("id", &long).is_err());
    }

    #[test]
    fn accepts_real_ids() {
        for raw in [
            "app_1b2c3d4e-0000-4000-8000-123456789abc",
            "orga_5f1e",
            "user_42",
            "keycloak_0a1b",
            "par",
            "CC-2024-000123",
            "v1.2.3",
            "...a",
        ] {
            assert!(SegmentId::parse("id", raw).is_ok(), "{raw:?} should pass");
        }
        assert!(SegmentId::parse("id", &"a".repeat(MAX_ID_LEN)).is_ok());
    }

    #[test]
    fn error_names_the_value_and_the_reason() {
        let err = SegmentId::parse("application id", "a/b").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid application id: only letters, digits, '-', '_' and '.' are allowed."
        );
    }

    #[test]
    fn deserializing_validates_too() {
        assert!(serde_json::from_str::<SegmentId>("\"../x\"").is_err());
        assert!(serde_json::from_str::<SegmentId>("\"app_1\"").is_ok());
    }
}
