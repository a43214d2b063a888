//! Filters that live in a page's URL query (GET forms, so they work without JavaScript): each
//! says its fields once, and is read from the query and written back to it the same way.

use super::filters::url_query;
use leptos_router::params::ParamsMap;

/// One field of a filter as it appears in the URL query.
pub enum Field<'a> {
    /// `name=value`, absent when `None` or blank.
    One(&'static str, &'a Option<String>),
    /// `name=a&name=b`, repeated.
    Many(&'static str, &'a [String]),
    /// `name=on`, present when set.
    Flag(&'static str, &'static str, bool),
}

/// A filter kept in the URL query.
/// Most values a repeated field may have (the server refuses more in a URL too).
pub const MAX_VALUES: usize = 32;

pub trait UrlFilter: Sized {
    /// Reads the filter from the query's parameters (absent ones: the default).
    fn from_query(q: &ParamsMap) -> Self;

    /// Its fields, in the order they are written.
    fn fields(&self) -> Vec<Field<'_>>;

    /// A message naming the first repeated field with more than [`MAX_VALUES`] values: what
    /// comes in a server function's JSON body has no URL to be refused with (a query key is
    /// capped at the same number before any session is read).
    fn too_many(&self) -> Option<String> {
        self.fields().into_iter().find_map(|f| match f {
            Field::Many(name, values) if values.len() > MAX_VALUES => Some(format!(
                "Too many values for \"{name}\" ({} given; at most {MAX_VALUES}).",
                values.len()
            )),
            _ => None,
        })
    }

    /// The URL query (`?a=1&b=2`, empty when nothing is set) that reads back as `self`.
    fn to_query(&self) -> String {
        let fields = self.fields();
        url_query(fields.iter().flat_map(|f| -> Vec<(&str, &str)> {
            match f {
                Field::One(k, v) => v.as_deref().map(|v| (*k, v)).into_iter().collect(),
                Field::Many(k, vs) => vs.iter().map(|v| (*k, v.as_str())).collect(),
                Field::Flag(k, on, true) => vec![(*k, *on)],
                Field::Flag(_, _, false) => vec![],
            }
        }))
    }
}

/// The parameters of a URL query string (`?a=1&b=%2F`), decoded.
pub fn parse_query(query: &str) -> ParamsMap {
    let mut map = ParamsMap::new();
    for pair in query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        map.insert(decode(k), decode(v));
    }
    map
}

/// `q`'s value of `name`, `None` when absent.
pub fn one(q: &ParamsMap, name: &str) -> Option<String> {
    q.get(name)
}

/// Every value of `name` in `q`.
pub fn many(q: &ParamsMap, name: &str) -> Vec<String> {
    q.get_all(name).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::drains::DrainFilter;
    use crate::api::zones::ZoneFilter;
    use crate::logic::apps::{DeploymentFilter, InstanceFilter};
    use crate::logic::billing::InvoiceFilter;
    use crate::logic::logs::ViewerSettings;

    /// Written to the URL and read back, a filter is the same.
    fn round_trip<F: UrlFilter + PartialEq + std::fmt::Debug>(f: F) -> String {
        let q = f.to_query();
        assert_eq!(F::from_query(&parse_query(&q)), f, "{q}");
        q
    }

    #[test]
    fn every_filter_reads_back_what_it_writes() {
        let q = round_trip(InstanceFilter {
            deployment_id: Some("deployment_1".into()),
            limit: Some("20".into()),
            exclude_deleted: Some("true".into()),
            since: Some("2026-01-01".into()),
            until: Some("2026-02-01T00:00:00Z".into()),
            order: Some("asc".into()),
            include_states: vec!["UP".into(), "BOOTING".into()],
            exclude_states: vec!["DELETED".into()],
        });
        assert!(
            q.starts_with("?deploymentId=deployment%5F1&limit=20"),
            "{q}"
        );
        round_trip(DeploymentFilter {
            limit: Some("5".into()),
            order: Some("DESC".into()),
        });
        round_trip(DrainFilter {
            status: vec!["ENABLED".into(), "DISABLED".into()],
            execution_status: vec!["RETRYING".into()],
        });
        round_trip(ZoneFilter {
            tags: vec!["region:eu".into(), "for:applications".into()],
            owner_id: Some("orga_1".into()),
        });
        let q = round_trip(InvoiceFilter {
            year: Some("2024".into()),
            q: Some("a b&c=d".into()),
            ..InvoiceFilter::default()
        });
        assert_eq!(q, "?year=2024&q=a%20b%26c%3Dd");
        round_trip(ViewerSettings {
            range: Some("1h".into()),
            filter: Some("tomcat — error".into()),
            services: vec!["bas".into(), "cron".into()],
            instance_id: Some("i-1".into()),
            wrap: true,
            local_time: true,
            ..ViewerSettings::default()
        });
    }

    #[test]
    fn an_empty_filter_is_an_empty_query() {
        assert_eq!(InstanceFilter::default().to_query(), "");
        assert_eq!(InvoiceFilter::default().to_query(), "");
        assert_eq!(ViewerSettings::default().to_query(), "");
        assert_eq!(
            DrainFilter::from_query(&parse_query("")),
            DrainFilter::default()
        );
    }
}
