//! The one template of the pages the server writes itself, outside the Leptos routes (the
//! OAuth landing, "session store unavailable", a failed download): the same head as the app's
//! pages (the hashed stylesheet, the viewport) and one escaper for what goes inside.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Text made safe for HTML content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A page the server writes itself.
pub struct Page<'a> {
    /// The tab title (escaped here).
    pub title: &'a str,
    /// The `<main>` element's class: `login` (the narrow sign-in frame) or `narrow`.
    pub frame: &'a str,
    /// Extra `<head>` markup, already safe (a refresh to a checked local path).
    pub head: String,
    /// The `<main>` content, already safe: built from fixed markup and [`escape`]d text.
    pub main: String,
}

impl Page<'_> {
    /// The page as an answer with `status`; never cached (it is about this user).
    pub fn answer(self, status: StatusCode) -> Response {
        let html = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{head}\
             <title>{title}</title><link rel=\"stylesheet\" href=\"{css}\"></head>\
             <body><main class=\"{frame}\">{main}</main></body></html>",
            head = self.head,
            title = escape(self.title),
            css = app::assets::stylesheet(),
            frame = self.frame,
            main = self.main,
        );
        let mut resp = (status, Html(html)).into_response();
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            escape("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
