//! `GET /map/land.svg`: the coastlines of the zones map, drawn once from Natural Earth's
//! 1:110m land (shipped in `server/data`, see `scripts/convert_land.py`) with the same
//! projection as the zone markers. Nothing is fetched from elsewhere.

use app::logic::geo::{MAP_H, MAP_W, land_path};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

const LAND: &str = include_str!("../data/land-110m.txt");

/// The land as an SVG document.
pub fn land_svg() -> &'static str {
    static SVG: OnceLock<String> = OnceLock::new();
    SVG.get_or_init(|| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {MAP_W} {MAP_H:.1}\">\
             <path fill=\"#c9d3cf\" stroke=\"#9aa9a3\" stroke-width=\"0.5\" d=\"{}\"/></svg>",
            land_path(LAND)
        )
    })
}

/// The route.
pub async fn land() -> Response {
    let mut resp = land_svg().into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    resp
}
