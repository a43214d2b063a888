//! Where to go after signing in: the page a signed-out visitor asked for, carried in a `next`
//! parameter. Only a path of this site is followed, never another site (an open redirect).

/// Longest `next` followed.
const MAX_LEN: usize = 2000;

/// `raw` when it is a path of this site worth returning to, else `None` (the caller goes to
/// `/`): it starts with one `/` (not `//` nor `/\`, which browsers take for another host), has
/// no backslash, control character or white space, and is not a sign-in, sign-out or machine
/// route.
pub fn local_path(raw: &str) -> Option<&str> {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && raw.len() <= MAX_LEN
        && !raw
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
        && ![
            "/login", "/logout", "/oauth/", "/api/", "/stream/", "/pkg/", "/healthz", "/livez",
            "/readyz",
        ]
        .iter()
        .any(|p| raw.starts_with(p));
    (ok && raw != "/").then_some(raw)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        for good in [
            "/orgs/orga_1/invoices",
            "/orgs/orga_1/apps/app_2/logs?range=1h&service=all",
            "/zones/par",
        ] {
            assert_eq!(local_path(good), Some(good), "{good}");
        }
        for bad in [
            "",
            "/",
            "https://evil.example",
            "//evil.example/x",
            "/\\evil.example",
            "/orgs\\..\\x",
            "javascript:alert(1)",
            "/orgs/a b",
            "/orgs/\u{7}",
            "/login?next=/x",
            "/logout",
            "/api/invoices",
            "/stream/orgs/o/apps/a/logs",
            "orgs/relative",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(local_path(&format!("/{}", "x".repeat(3000))), None);
    }
}
