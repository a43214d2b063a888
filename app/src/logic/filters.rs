//! Filters read from a page's URL query: each field checked on its own, with a message that
//! names the field and quotes what was given, and written back as a URL query for links.

use crate::ids::SegmentId;
use crate::model::{Timestamp, date};
use crate::query::Order;

/// Collects the messages of the bad fields of one form.
#[derive(Default)]
pub struct Checker {
    errors: Vec<String>,
}

/// A value as typed: `None` when missing or blank.
fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// At most 40 characters of what was given, for messages; control characters (a newline, an
/// ANSI escape) become U+FFFD, so a message cannot carry them into a page or a log line.
pub fn clip(v: &str) -> String {
    v.chars()
        .take(40)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

impl Checker {
    /// Adds a message.
    pub fn fail(&mut self, message: String) {
        self.errors.push(message);
    }

    /// A date (`2024-01-31` or RFC 3339).
    pub fn date(&mut self, name: &str, raw: &Option<String>) -> Option<Timestamp> {
        let v = given(raw)?;
        let t = date::parse(v);
        if t.is_none() {
            self.fail(format!(
                "{name} must be a date like 2024-01-31 (got \"{}\")",
                clip(v)
            ));
        }
        t
    }

    /// A whole number in `1..=max`.
    pub fn limit(&mut self, name: &str, raw: &Option<String>, max: u32) -> Option<u32> {
        let v = given(raw)?;
        match v.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Some(n),
            _ => {
                self.fail(format!(
                    "{name} must be a whole number from 1 to {max} (got \"{}\")",
                    clip(v)
                ));
                None
            }
        }
    }

    /// `ASC` or `DESC`, in either case.
    pub fn order(&mut self, raw: &Option<String>) -> Option<Order> {
        let v = given(raw)?;
        match v.to_ascii_uppercase().as_str() {
            "ASC" => Some(Order::Asc),
            "DESC" => Some(Order::Desc),
            _ => {
                self.fail(format!("Order must be ASC or DESC (got \"{}\")", clip(v)));
                None
            }
        }
    }

    /// `true`/`false` (a checkbox sends `true`).
    pub fn flag(&mut self, name: &str, raw: &Option<String>) -> Option<bool> {
        let v = given(raw)?;
        match v {
            "true" | "on" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => {
                self.fail(format!(
                    "{name} must be true or false (got \"{}\")",
                    clip(v)
                ));
                None
            }
        }
    }

    /// An id that becomes an upstream path segment or parameter.
    pub fn id(&mut self, name: &str, raw: &Option<String>) -> Option<SegmentId> {
        let v = given(raw)?;
        match SegmentId::parse(name, v) {
            Ok(id) => Some(id),
            Err(e) => {
                let m = match e {
                    crate::error::AppError::BadRequest(m) => m,
                    other => other.to_string(),
                };
                self.fail(m.trim_end_matches('.').to_owned());
                None
            }
        }
    }

    /// `since` must not come after `until`.
    pub fn range(&mut self, since: Option<Timestamp>, until: Option<Timestamp>) {
        if let (Some(s), Some(u)) = (since, until)
            && s > u
        {
            self.fail("Since must be before until".to_owned());
        }
    }

    /// The value built, or every message joined.
    pub fn finish<T>(self, value: T) -> Result<T, String> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.errors.join(". ") + ".")
        }
    }
}

/// Builds `?a=1&b=2` from pairs, skipping blanks, values percent-encoded.
pub fn url_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if v.trim().is_empty() {
            continue;
        }
        out.push(if out.is_empty() { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(
            &percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bad_field_gets_its_message() {
        let mut c = Checker::default();
        assert_eq!(c.date("Since", &Some("yesterday".into())), None);
        assert_eq!(c.limit("Limit", &Some("0".into()), 100), None);
        assert_eq!(c.order(&Some("sideways".into())), None);
        assert_eq!(c.flag("Hide deleted", &Some("maybe".into())), None);
        assert_eq!(c.id("deployment id", &Some("../x".into())), None);
        let e = c.finish(()).unwrap_err();
        assert!(
            e.contains("Since must be a date like 2024-01-31 (got \"yesterday\")"),
            "{e}"
        );
        assert!(
            e.contains("Limit must be a whole number from 1 to 100 (got \"0\")"),
            "{e}"
        );
        assert!(e.contains("Order must be ASC or DESC"), "{e}");
        assert!(e.contains("Hide deleted must be true or false"), "{e}");
        assert!(e.contains("deployment id"), "{e}");
    }

    #[test]
    fn blanks_are_missing_and_good_values_pass() {
        let mut c = Checker::default();
        assert_eq!(c.date("Since", &Some("  ".into())), None);
        assert_eq!(c.limit("Limit", &None, 100), None);
        assert_eq!(c.limit("Limit", &Some("100".into()), 100), Some(100));
        assert_eq!(c.order(&Some("desc".into())), Some(Order::Desc));
        assert_eq!(c.flag("x", &Some("on".into())), Some(true));
        assert!(c.finish(()).is_ok());
    }

    #[test]
    fn url_queries_skip_blanks_and_encode() {
        assert_eq!(url_query([("a", ""), ("b", "x y&z")]), "?b=x%20y%26z");
        assert_eq!(
            url_query([("s", "UP"), ("s", "BOOTING")]),
            "?s=UP&s=BOOTING"
        );
        assert_eq!(url_query([]), "");
    }
}
