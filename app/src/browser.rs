//! What only a browser can do, each a function with a no-op twin on the server: copy to the
//! clipboard, save a file, keep a setting in the address, the local time's offset.

/// Copies `text` (a refusal only means nothing was copied).
pub fn copy(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// Saves `text` as a file named `name`.
pub fn download(name: &str, mime: &str, text: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type(mime);
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
            return;
        };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
            return;
        };
        let link = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.create_element("a").ok())
            .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok());
        if let Some(a) = link {
            a.set_href(&url);
            a.set_download(name);
            a.click();
        }
        let _ = web_sys::Url::revoke_object_url(&url);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, mime, text);
}

/// Sets (or, given `None`, removes) `key` in the address's query without a page load, so
/// a reload or a shared link keeps the display settings.
pub fn set_query(key: &str, value: Option<&str>) {
    #[cfg(feature = "hydrate")]
    {
        let Some(w) = web_sys::window() else {
            return;
        };
        let Some(url) = w
            .location()
            .href()
            .ok()
            .and_then(|h| web_sys::Url::new(&h).ok())
        else {
            return;
        };
        let q = url.search_params();
        match value {
            Some(v) => q.set(key, v),
            None => q.delete(key),
        }
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, value);
}

/// Minutes to add to UTC for the browser's local time (0 on the server).
pub fn utc_offset_minutes() -> i32 {
    #[cfg(feature = "hydrate")]
    {
        -(js_sys::Date::new_0().get_timezone_offset() as i32)
    }
    #[cfg(not(feature = "hydrate"))]
    0
}
