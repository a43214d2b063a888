//! The browser entry point: hydrates the page's islands (the interactive parts) and nothing
//! else; the rest of the page stays the server's HTML.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // The islands are exported by the app crate; naming it keeps them linked in.
    #[allow(unused_imports)]
    use app::*;
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
