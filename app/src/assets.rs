//! The file names under `/pkg`. With cargo-leptos's `hash-files`, each name carries a hash of
//! the file's content (listed in `hash.txt` beside the server binary), so a browser may keep
//! them for a year: a new build has new names. Leptos names the script and the WASM itself;
//! the stylesheet's name is ours to give, here.

use leptos::config::LeptosOptions;
use std::sync::OnceLock;

/// The content hashes of one build.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hashes {
    pub js: String,
    pub wasm: String,
    pub css: String,
}

impl Hashes {
    /// Reads cargo-leptos's `hash.txt` (`js: …`, `wasm: …`, `css: …` lines); `None` unless
    /// all three are there.
    pub fn parse(text: &str) -> Option<Self> {
        let mut h = Self::default();
        for line in text.lines() {
            let Some((file, hash)) = line.split_once(':') else {
                continue;
            };
            let hash = hash.trim().to_owned();
            let ok = !hash.is_empty()
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            match (file.trim(), ok) {
                ("js", true) => h.js = hash,
                ("wasm", true) => h.wasm = hash,
                ("css", true) => h.css = hash,
                _ => {}
            }
        }
        (!h.js.is_empty() && !h.wasm.is_empty() && !h.css.is_empty()).then_some(h)
    }

    /// The hashes beside the running binary, when the files they name are all in the site's
    /// `pkg` folder (a stale `hash.txt` from another build does not count).
    pub fn beside_binary(options: &LeptosOptions) -> Option<Self> {
        let exe = std::env::current_exe().ok()?;
        let text = std::fs::read_to_string(exe.parent()?.join(options.hash_file.as_ref())).ok()?;
        let h = Self::parse(&text)?;
        let pkg =
            std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
        let name = &options.output_name;
        [
            format!("{name}.{}.js", h.js),
            format!("{name}.{}.wasm", h.wasm),
            format!("{name}.{}.css", h.css),
        ]
        .iter()
        .all(|f| pkg.join(f).is_file())
        .then_some(h)
    }
}

static STYLESHEET: OnceLock<String> = OnceLock::new();

/// Fixes the stylesheet's address for this process (the server calls it once at start).
pub fn init(options: &LeptosOptions) {
    let pkg = &options.site_pkg_dir;
    let name = &options.output_name;
    let href = match options
        .hash_files
        .then(|| Hashes::beside_binary(options))
        .flatten()
    {
        Some(h) => format!("/{pkg}/{name}.{}.css", h.css),
        None => format!("/{pkg}/{name}.css"),
    };
    let _ = STYLESHEET.set(href);
}

/// The stylesheet's address, e.g. `/pkg/dashboard.BxRg4xjrOBf4HM4KO_W3kw.css`.
pub fn stylesheet() -> &'static str {
    STYLESHEET
        .get()
        .map_or("/pkg/dashboard.css", String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_hashes_cargo_leptos_writes() {
        let h = Hashes::parse("js: 2igJQk3dyM\nwasm: 5UXxH-oy_W\ncss: BxRg4xjr\n").expect("hashes");
        assert_eq!(h.js, "2igJQk3dyM");
        assert_eq!(h.wasm, "5UXxH-oy_W");
        assert_eq!(h.css, "BxRg4xjr");
        assert_eq!(
            Hashes::parse("js: a\nwasm: b\n"),
            None,
            "the stylesheet's is missing"
        );
        assert_eq!(
            Hashes::parse("js: a\nwasm: b\ncss: ../x\n"),
            None,
            "not a hash"
        );
    }
}
