//! Building blocks shared by the models: string enums with a fallback, tolerant dates, nulls.

use serde::{Deserialize, Deserializer};

/// A point in time from the upstream.
pub type Timestamp = time::OffsetDateTime;

/// Deserializes `null` as the type's default (for strings, lists and numbers).
pub fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One parsed list item, or `None` for a malformed one (logged on the server by its kind
/// only: the error's text may quote a value).
fn item_or_left_out<T>(parsed: serde_json::Result<T>) -> Option<T> {
    #[cfg(feature = "ssr")]
    if let Err(e) = &parsed {
        tracing::warn!(kind = ?e.classify(), "left out one malformed upstream list item");
    }
    parsed.ok()
}

/// Parses each item on its own; a malformed one is left out ([`item_or_left_out`]).
pub fn lenient_items<T: serde::de::DeserializeOwned>(raw: Vec<serde_json::Value>) -> Vec<T> {
    raw.into_iter()
        .filter_map(|v| item_or_left_out(serde_json::from_value(v)))
        .collect()
}

/// Parses each item of a list read as raw JSON texts on its own, like [`lenient_items`], without
/// building a `serde_json::Value` of each item first (server only).
#[cfg(feature = "ssr")]
pub fn lenient_raw_items<T: serde::de::DeserializeOwned>(
    raw: Vec<&serde_json::value::RawValue>,
) -> Vec<T> {
    raw.into_iter()
        .filter_map(|v| item_or_left_out(serde_json::from_str(v.get())))
        .collect()
}

/// Deserializes a list item by item ([`lenient_items`]); `null` or a non-list is an empty list.
pub fn lenient_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Array(items)) => lenient_items(items),
        _ => Vec::new(),
    })
}

/// Dates as found upstream: RFC 3339 strings, plain `YYYY-MM-DD`, or epoch milliseconds.
/// Anything else (or null) becomes `None` instead of failing the whole payload.
pub mod date {
    use super::Timestamp;
    use serde::{Deserializer, Serializer};
    use time::format_description::well_known::Rfc3339;

    /// Parses one upstream date text.
    #[cfg(not(all(target_arch = "wasm32", feature = "hydrate")))]
    pub fn parse(raw: &str) -> Option<Timestamp> {
        let raw = raw.trim();
        if let Ok(t) = Timestamp::parse(raw, &Rfc3339) {
            return Some(t);
        }
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(raw, &fmt)
            .ok()
            .map(|d| d.midnight().assume_utc())
    }

    /// Parses one upstream date text, in the browser: the same texts as on the server (RFC
    /// 3339 with its offset, or a plain `YYYY-MM-DD` at midnight UTC), read by the browser's
    /// own `Date.parse` to the millisecond (the most a line shows), so the islands do not carry
    /// `time`'s parsers (about 25 KB of WASM). The shape is checked first: `Date.parse` also
    /// takes other forms, and a date-time without an offset in local time.
    #[cfg(all(target_arch = "wasm32", feature = "hydrate"))]
    pub fn parse(raw: &str) -> Option<Timestamp> {
        let raw = raw.trim();
        if !rfc3339_shaped(raw) {
            return None;
        }
        // RFC 3339 allows a space between the date and the time; ECMAScript's form does not.
        let ms = match raw.as_bytes().get(10) {
            Some(b' ') => js_sys::Date::parse(&format!("{}T{}", &raw[..10], &raw[11..])),
            _ => js_sys::Date::parse(raw),
        };
        if !ms.is_finite() {
            return None;
        }
        from_millis(ms as i128)
    }

    /// The time `ms` milliseconds after the epoch, if `time` can hold it.
    fn from_millis(ms: i128) -> Option<Timestamp> {
        Timestamp::from_unix_timestamp_nanos(ms.checked_mul(1_000_000)?).ok()
    }

    /// Whether `raw` looks like `YYYY-MM-DD`, or like `YYYY-MM-DDTHH:MM:SS[.fraction]` (`T`, `t`
    /// or a space between) ending with `Z` or `±HH:MM`; the digits' ranges are `Date.parse`'s
    /// to check.
    #[cfg_attr(
        not(all(target_arch = "wasm32", feature = "hydrate")),
        allow(dead_code)
    )]
    pub(crate) fn rfc3339_shaped(raw: &str) -> bool {
        let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
        let b = raw.as_bytes();
        if b.len() < 10 {
            return false;
        }
        let (date, rest) = b.split_at(10);
        let date_ok = digits(&date[0..4])
            && date[4] == b'-'
            && digits(&date[5..7])
            && date[7] == b'-'
            && digits(&date[8..10]);
        if !date_ok || rest.is_empty() {
            return date_ok;
        }
        if rest.len() < 10 {
            return false;
        }
        let (time, rest) = rest.split_at(9);
        let time_ok = matches!(time[0], b'T' | b't' | b' ')
            && digits(&time[1..3])
            && time[3] == b':'
            && digits(&time[4..6])
            && time[6] == b':'
            && digits(&time[7..9]);
        let (fraction, offset_ok) = match rest {
            [fraction @ .., b'Z' | b'z'] => (fraction, true),
            _ if rest.len() >= 6 => {
                let (fraction, o) = rest.split_at(rest.len() - 6);
                let ok = matches!(o[0], b'+' | b'-')
                    && digits(&o[1..3])
                    && o[3] == b':'
                    && digits(&o[4..6]);
                (fraction, ok)
            }
            _ => (rest, false),
        };
        let fraction_ok = match fraction {
            [] => true,
            [b'.', more @ ..] => digits(more),
            _ => false,
        };
        time_ok && offset_ok && fraction_ok
    }

    /// Formats as RFC 3339, the form we send back out.
    pub fn format(t: &Timestamp) -> String {
        t.format(&Rfc3339).unwrap_or_default()
    }

    /// Reads a date without buffering the value first (an untagged enum would): a text, epoch
    /// milliseconds, or anything else (`None`).
    struct DateVisitor;

    impl<'de> serde::de::Visitor<'de> for DateVisitor {
        type Value = Option<Timestamp>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a date")
        }

        fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
            Ok(parse(s))
        }

        fn visit_i64<E>(self, ms: i64) -> Result<Self::Value, E> {
            Ok(from_millis(i128::from(ms)))
        }

        fn visit_u64<E>(self, ms: u64) -> Result<Self::Value, E> {
            Ok(from_millis(i128::from(ms)))
        }

        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            Ok(None)
        }
    }

    /// `#[serde(with = "date")]` on an `Option<Timestamp>`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        d.deserialize_any(DateVisitor)
    }

    /// Serializes as RFC 3339 or null.
    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format(t)),
            None => s.serialize_none(),
        }
    }
}

/// Declares a string enum of the wire with an `Unknown(String)` fallback that keeps the raw
/// value, so a new upstream value never breaks a page and is shown as-is.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $(#[doc = $wire] $variant,)+
            /// A value this dashboard does not know yet, kept as received.
            Unknown(String),
        }

        impl $name {
            /// Every known value, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value as on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Unknown(raw) => raw,
                }
            }

            /// What people read: words for a known value (the raw one stays in a
            /// tooltip), an unknown value as it came.
            pub fn label(&self) -> String {
                match self {
                    $name::Unknown(raw) => raw.clone(),
                    known => $crate::model::labels::human(known.as_str()),
                }
            }

            /// Parses a wire value, keeping unknown ones.
            pub fn from_wire(raw: &str) -> Self {
                match raw {
                    $($wire => $name::$variant,)+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::Unknown(String::new())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = Option::<String>::deserialize(d)?;
                Ok(raw.map(|r| $name::from_wire(&r)).unwrap_or_default())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    wire_enum!(Colour { Red => "RED", Blue => "BLUE" });

    #[test]
    fn unknown_enum_values_are_kept() {
        let c: Colour = serde_json::from_str("\"GREEN\"").unwrap();
        assert_eq!(c, Colour::Unknown("GREEN".into()));
        assert_eq!(c.to_string(), "GREEN");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"GREEN\"");
        let n: Colour = serde_json::from_str("null").unwrap();
        assert_eq!(n, Colour::Unknown(String::new()));
        assert_eq!(Colour::from_wire("RED"), Colour::Red);
        assert_eq!(Colour::KNOWN, &[Colour::Red, Colour::Blue]);
        assert_eq!(Colour::Red.label(), "Red");
        assert_eq!(Colour::Unknown("GREEN".into()).label(), "GREEN");
    }

    /// The browser reads dates with `Date.parse` after this shape check: on texts whose
    /// numbers are in range, it takes exactly what the server's parser takes.
    #[test]
    fn the_browsers_date_shape_matches_the_servers_parser() {
        for raw in [
            "2024-03-01T10:00:00Z",
            "2024-03-01t10:00:00z",
            "2024-03-01T11:00:00+01:00",
            "2024-03-01T11:00:00-09:30",
            "2024-03-01T10:00:00.5Z",
            "2024-03-01T10:00:00.123456789+00:00",
            "2024-03-01",
            "",
            "2024",
            "yesterday",
            "2024-03-01T10:00:00",
            "2024-03-01 10:00:00Z",
            "2024-03-01T10:00Z",
            "2024-03-01T10:00:00.Z",
            "2024-03-01T10:00:00+0100",
            "2024-03-01T10:00:00+01:00:00",
            "2024-03-01Z",
            "2024/03/01",
            "\u{ff12}024-03-01",
            "2024-03-01T10:00:00\u{e9}Z",
        ] {
            assert_eq!(
                date::rfc3339_shaped(raw),
                date::parse(raw).is_some(),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn dates_parse_in_every_upstream_form() {
        #[derive(serde::Deserialize)]
        struct D {
            #[serde(default, with = "date")]
            at: Option<Timestamp>,
        }
        let p = |j: &str| serde_json::from_str::<D>(j).unwrap().at;
        assert_eq!(
            p(r#"{"at":"2024-03-01T10:00:00Z"}"#).map(|t| t.unix_timestamp()),
            Some(1_709_287_200)
        );
        assert_eq!(
            p(r#"{"at":"2024-03-01T11:00:00+01:00"}"#).map(|t| t.unix_timestamp()),
            Some(1_709_287_200)
        );
        assert_eq!(
            p(r#"{"at":"2024-03-01"}"#).map(|t| t.unix_timestamp()),
            Some(1_709_251_200)
        );
        assert_eq!(
            p(r#"{"at":1709287200000}"#).map(|t| t.unix_timestamp()),
            Some(1_709_287_200)
        );
        assert_eq!(p(r#"{"at":"yesterday"}"#), None);
        assert_eq!(p(r#"{"at":null}"#), None);
        assert_eq!(p(r#"{"at":{"x":1}}"#), None);
        assert_eq!(p(r#"{}"#), None);
        // Before the epoch, and values that are no date: none of them fails the payload.
        assert_eq!(p(r#"{"at":-1000}"#).map(|t| t.unix_timestamp()), Some(-1));
        for odd in ["1.5e12", "true", "[1, [2]]", "18446744073709551615"] {
            assert_eq!(p(&format!(r#"{{"at":{odd}}}"#)), None, "{odd}");
        }
        // From a `serde_json::Value` too (lists read item by item once were).
        let v = serde_json::json!({"at": "2024-03-01"});
        let d: D = serde_json::from_value(v).unwrap();
        assert_eq!(d.at.map(|t| t.unix_timestamp()), Some(1_709_251_200));
    }
}
