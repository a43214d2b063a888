//! "Your sessions": the browser and system a session signed in from, and the list's order.

use crate::model::sessions::SessionSummary;

/// Longest `User-Agent` read (a header is the client's to make up).
const MAX_AGENT: usize = 512;

/// The browser and system a `User-Agent` names, as people say them ("Firefox on Linux",
/// "Safari on iOS", "curl"); "Unknown browser" when it names neither.
pub fn device_label(agent: &str) -> String {
    let a = agent.get(..MAX_AGENT.min(agent.len())).unwrap_or_default();
    let has = |s: &str| a.contains(s);
    // Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
    let browser = if has("Edg/") {
        Some("Edge")
    } else if has("OPR/") {
        Some("Opera")
    } else if has("Firefox/") {
        Some("Firefox")
    } else if has("Chromium/") {
        Some("Chromium")
    } else if has("Chrome/") {
        Some("Chrome")
    } else if has("Safari/") {
        Some("Safari")
    } else if a.starts_with("curl/") {
        Some("curl")
    } else {
        None
    };
    let system = if has("iPhone") || has("iPad") {
        Some("iOS")
    } else if has("Android") {
        Some("Android")
    } else if has("Windows") {
        Some("Windows")
    } else if has("Mac OS X") || has("Macintosh") {
        Some("macOS")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Linux") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) => "Unknown browser".to_owned(),
    }
}

/// The list as shown: this browser's session first, then the most recently active.
pub fn in_order(mut sessions: Vec<SessionSummary>) -> Vec<SessionSummary> {
    sessions.sort_by(|a, b| b.current.cmp(&a.current).then(b.seen.cmp(&a.seen)));
    sessions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_are_named_as_people_say_them() {
        for (agent, label) in [
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                "Firefox on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari on iOS",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like \
                 Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome on macOS",
            ),
            ("curl/8.5.0", "curl"),
            ("", "Unknown browser"),
            ("Mozilla/5.0 (Linux; Android 14)", "A browser on Android"),
        ] {
            assert_eq!(device_label(agent), label, "{agent}");
        }
        // A long header is read up to its bound, on a character boundary or not at all.
        assert_eq!(device_label(&"é".repeat(400)), "Unknown browser");
    }

    #[test]
    fn this_session_comes_first_then_the_latest_active() {
        let s = |current, seen| SessionSummary {
            current,
            via: "API token".into(),
            since: 0,
            seen,
            device: None,
            address: None,
        };
        let order: Vec<(bool, i64)> = in_order(vec![s(false, 5), s(true, 1), s(false, 9)])
            .into_iter()
            .map(|s| (s.current, s.seen))
            .collect();
        assert_eq!(order, [(true, 1), (false, 9), (false, 5)]);
    }
}
