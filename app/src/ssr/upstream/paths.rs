//! Upstream paths, one template per endpoint:
//! `path!("v4/drains/organisations/{}/resources/{}/drains/{}", owner, resource, id)`, so each
//! endpoint is one line to grep against the API reference. `path!` checks at compile time that
//! there is one argument per `{}`. The template is what logs and metrics name (never an id);
//! the URL is built below the configured base, each `{}` filled with a validated id (or a
//! literal of ours, like an operator's provider name) inside one percent-encoded segment.

use crate::error::AppError;
use crate::ids::SegmentId;
use reqwest::Url;
use std::borrow::Cow;

/// What fills one `{}`: a validated id, or a literal of ours.
#[derive(Clone, Copy, Debug)]
pub enum Seg<'a> {
    Lit(&'static str),
    Id(&'a SegmentId),
}

impl From<&'static str> for Seg<'_> {
    fn from(s: &'static str) -> Self {
        Seg::Lit(s)
    }
}

impl<'a> From<&'a SegmentId> for Seg<'a> {
    fn from(id: &'a SegmentId) -> Self {
        Seg::Id(id)
    }
}

/// An endpoint's path: its template (no leading `/`) and what fills its `{}`s, in order.
#[derive(Clone, Debug)]
pub struct UpPath<'a> {
    template: &'static str,
    args: Vec<Seg<'a>>,
}

/// How many `{}` `template` holds (`path!` compares it with its arguments at compile time).
pub const fn holes(template: &str) -> usize {
    let b = template.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i + 1 < b.len() {
        if b[i] == b'{' && b[i + 1] == b'}' {
            n += 1;
        }
        i += 1;
    }
    n
}

/// `path!("v4/products/zones/{}", name)`: an [`UpPath`], with one argument per `{}`.
macro_rules! path {
    ($template:literal $(, $arg:expr)* $(,)?) => {{
        const _: () = assert!(
            $crate::ssr::upstream::paths::holes($template)
                == <[&str]>::len(&[$(stringify!($arg)),*]),
            "path!: one argument per {{}} of the template"
        );
        $crate::ssr::upstream::paths::UpPath::new(
            $template,
            vec![$($crate::ssr::upstream::paths::Seg::from($arg)),*],
        )
    }};
}

impl<'a> UpPath<'a> {
    /// Use `path!`, which checks the arguments against the template.
    pub fn new(template: &'static str, args: Vec<Seg<'a>>) -> Self {
        Self { template, args }
    }

    /// The path as logs and metrics name it: `/v4/logs/organisations/{}/…`, with our literals
    /// filled in and every id left as `{}`.
    pub fn template(&self) -> String {
        let mut args = self.args.iter();
        let mut parts = self.template.split("{}");
        let mut out = format!("/{}", parts.next().unwrap_or_default());
        for part in parts {
            match args.next() {
                Some(Seg::Lit(s)) => out.push_str(s),
                _ => out.push_str("{}"),
            }
            out.push_str(part);
        }
        out
    }

    /// The segments, with every `{}` filled.
    fn segments(&self) -> impl Iterator<Item = Cow<'_, str>> {
        let mut args = self.args.iter();
        self.template.split('/').map(move |seg| {
            if !seg.contains("{}") {
                return Cow::Borrowed(seg);
            }
            let mut parts = seg.split("{}");
            let mut out = parts.next().unwrap_or_default().to_owned();
            for part in parts {
                match args.next() {
                    Some(Seg::Lit(s)) => out.push_str(s),
                    Some(Seg::Id(id)) => out.push_str(id.as_str()),
                    None => {}
                }
                out.push_str(part);
            }
            Cow::Owned(out)
        })
    }
}

/// The URL of `path` below `base`, with `query`; refuses one that would leave the base.
pub fn url_on(base: &Url, path: &UpPath<'_>, query: &[(&str, String)]) -> Result<Url, AppError> {
    let mut url = base.clone();
    {
        let mut segments = url.path_segments_mut().map_err(|()| internal("base URL"))?;
        segments.pop_if_empty();
        for seg in path.segments() {
            segments.push(&seg);
        }
    }
    url.set_query(None);
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in query {
            pairs.append_pair(k, v);
        }
    }
    let same_origin = url.scheme() == base.scheme()
        && url.host_str() == base.host_str()
        && url.port_or_known_default() == base.port_or_known_default();
    if !same_origin {
        return Err(internal("upstream URL left the configured base"));
    }
    Ok(url)
}

/// A misconfiguration of ours, logged; the user sees the API as unavailable.
pub fn internal(what: &str) -> AppError {
    tracing::error!(what, "upstream client misconfiguration");
    AppError::Unavailable { sozu_id: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> SegmentId {
        SegmentId::parse("id", s).unwrap()
    }

    fn url(base: &str, path: &UpPath<'_>, query: &[(&str, String)]) -> String {
        url_on(&Url::parse(base).unwrap(), path, query)
            .unwrap()
            .to_string()
    }

    #[test]
    fn holes_are_counted() {
        assert_eq!(holes("v2/self"), 0);
        assert_eq!(holes("v4/x/{}/y/{}.pdf"), 2);
    }

    #[test]
    fn path_templates_name_no_ids() {
        let o = id("orga_secret_1");
        let a = id("app_2");
        let p = path!("v4/logs/organisations/{}/applications/{}", &o, &a);
        assert_eq!(p.template(), "/v4/logs/organisations/{}/applications/{}");
        let p = path!("v4/addon-providers/{}/addons/{}", "addon-keycloak", &a);
        assert_eq!(p.template(), "/v4/addon-providers/addon-keycloak/addons/{}");
    }

    #[test]
    fn builds_urls_below_the_base() {
        let o = id("orga_1");
        let query = [
            ("since", "2024-01-01T00:00:00+01:00".into()),
            ("limit", "5".into()),
        ];
        assert_eq!(
            url(
                "http://127.0.0.1:8080",
                &path!("v4/billing/organisations/{}/invoices", &o),
                &query
            ),
            "http://127.0.0.1:8080/v4/billing/organisations/orga_1/invoices?since=2024-01-01T00%3A00%3A00%2B01%3A00&limit=5"
        );
    }

    #[test]
    fn keeps_a_base_path_prefix() {
        assert_eq!(
            url("https://proxy.example/cc/", &path!("v2/self"), &[]),
            "https://proxy.example/cc/v2/self"
        );
    }

    #[test]
    fn repeats_repeated_parameters() {
        let query = [("tag", "a".into()), ("tag", "b c".into())];
        assert_eq!(
            url("http://127.0.0.1:1", &path!("v4/products/zones"), &query),
            "http://127.0.0.1:1/v4/products/zones?tag=a&tag=b+c"
        );
    }

    #[test]
    fn suffixed_ids_stay_one_segment() {
        let n = id("CC-1");
        assert_eq!(
            url("http://127.0.0.1:1", &path!("x/{}.pdf", &n), &[]),
            "http://127.0.0.1:1/x/CC-1.pdf"
        );
    }
}
