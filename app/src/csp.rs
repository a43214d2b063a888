//! The content security policies, defined once: the pages' (with their nonce), the one for
//! answers that are not pages, the fallback of a page whose own header was lost, and the
//! sandbox of an invoice's HTML shown in our frame. The server sets the last three.

/// What a page allows besides its scripts.
const PAGE_REST: &str = "style-src 'self'; img-src 'self' data:; connect-src 'self'; \
    frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

/// A page's policy for its `<meta>`: inline scripts only with this response's nonce.
pub fn page(nonce: &str) -> String {
    format!("default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; {PAGE_REST}")
}

/// A page's header policy: the `<meta>` one plus what a `<meta>` cannot say.
pub fn page_header(nonce: &str) -> String {
    format!("{}; frame-ancestors 'none'", page(nonce))
}

/// The policy of answers that did not set their own (pages set one with a nonce).
pub const NOT_A_PAGE: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// The header policy of a page whose own header did not come through: the page carries its
/// script policy (with its nonce) in a `<meta>`; this adds what a `<meta>` cannot say.
pub const PAGE_FALLBACK: &str =
    "frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'";

/// An invoice's HTML document shown in our own frame: every script and form disabled.
pub const SANDBOXED_DOCUMENT: &str =
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";
