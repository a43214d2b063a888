//! Text made safe for the demo's HTML (the authorize page, invoices as HTML).

/// Escapes `&`, `<`, `>` and `"`.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
