//! What goes out compressed: static files (precompressed ones as they are), pages and
//! server-function answers; never the log stream or downloads.

use super::harness::Harness;
use demo_upstream as demo;
use server::config::Config;

/// A site root with a stylesheet and a script that has precompressed variants.
fn site() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ccd-site-{}-{}",
        std::process::id(),
        app::ssr::oauth1::nonce()
    ));
    std::fs::create_dir_all(dir.join("pkg")).expect("site");
    std::fs::write(
        dir.join("pkg/dashboard.css"),
        "body { color: red; }\n".repeat(200),
    )
    .expect("css");
    std::fs::write(dir.join("pkg/dashboard.js"), "let x = 1;\n".repeat(200)).expect("js");
    std::fs::write(dir.join("pkg/dashboard.js.br"), "BROTLI AT BUILD TIME").expect("br");
    std::fs::write(dir.join("pkg/dashboard.js.gz"), "GZIP AT BUILD TIME").expect("gz");
    dir
}

async fn get(h: &Harness, path: &str, accept: &str) -> reqwest::Response {
    let mut req = h.http.get(h.url(path));
    if !accept.is_empty() {
        req = req.header("accept-encoding", accept);
    }
    req.send().await.expect("get")
}

fn header<'a>(resp: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

fn encoding(resp: &reqwest::Response) -> &str {
    header(resp, "content-encoding").unwrap_or("identity")
}

#[tokio::test]
async fn static_files_and_pages_go_out_compressed_streams_and_downloads_do_not() {
    let dir = site();
    let h = Harness::start_full(Config::for_tests(), dir.to_str().expect("path")).await;

    // Compressed on the way out when no precompressed file exists.
    let css = get(&h, "/pkg/dashboard.css", "br").await;
    assert_eq!(encoding(&css), "br");
    let body = css.bytes().await.expect("body");
    assert!(
        body.len() < 4200 / 4,
        "brotli made {} bytes of 4200",
        body.len()
    );
    // Precompressed files are sent as they are.
    let br = get(&h, "/pkg/dashboard.js", "gzip, deflate, br").await;
    assert_eq!(encoding(&br), "br");
    assert_eq!(
        &br.bytes().await.expect("body")[..],
        b"BROTLI AT BUILD TIME"
    );
    let gz = get(&h, "/pkg/dashboard.js", "gzip").await;
    assert_eq!(encoding(&gz), "gzip");
    assert_eq!(&gz.bytes().await.expect("body")[..], b"GZIP AT BUILD TIME");
    let plain = get(&h, "/pkg/dashboard.js", "").await;
    assert_eq!(encoding(&plain), "identity");
    assert!(plain.text().await.expect("body").starts_with("let x = 1;"));

    // Pages: compressed, never cached.
    h.login("demo").await;
    let page = get(&h, "/", "gzip").await;
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(encoding(&page), "gzip");
    assert_eq!(
        page.headers().get("cache-control").map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );

    // The log stream and downloads: never.
    let stream = get(
        &h,
        &format!(
            "/stream/orgs/{}/apps/{}/logs?limit=2&service=all",
            demo::acme_id(),
            demo::app_id("api-gateway")
        ),
        "br, gzip",
    )
    .await;
    assert_eq!(stream.status().as_u16(), 200);
    assert_eq!(encoding(&stream), "identity");
    assert!(
        stream
            .text()
            .await
            .expect("body")
            .contains("APPLICATION_LOG")
    );
    let csv = get(
        &h,
        &format!("/download/orgs/{}/invoices.csv", demo::acme_id()),
        "br, gzip",
    )
    .await;
    assert_eq!(csv.status().as_u16(), 200);
    assert_eq!(encoding(&csv), "identity");
    let _ = std::fs::remove_dir_all(dir);
}

fn cache_control(resp: &reqwest::Response) -> &str {
    header(resp, "cache-control").unwrap_or("")
}

#[tokio::test]
async fn hashed_static_files_are_cached_for_a_year() {
    let dir = site();
    std::fs::write(
        dir.join("pkg/dashboard.Ab12-_x.wasm"),
        b"\0asm wasm bytes ".repeat(300),
    )
    .expect("wasm");
    std::fs::write(dir.join("pkg/dashboard.Ab12-_x.wasm.br"), "BROTLI WASM").expect("br");
    let h = Harness::start_site(Config::for_tests(), dir.to_str().expect("path"), true).await;

    let wasm = get(&h, "/pkg/dashboard.Ab12-_x.wasm", "gzip, deflate, br").await;
    assert_eq!(wasm.status().as_u16(), 200);
    assert_eq!(encoding(&wasm), "br");
    assert_eq!(cache_control(&wasm), "public, max-age=31536000, immutable");
    let css = get(&h, "/pkg/dashboard.css", "gzip").await;
    assert_eq!(encoding(&css), "gzip", "compressed on the way out");
    assert_eq!(cache_control(&css), "public, max-age=31536000, immutable");
    // (Pages are `no-store`: static_files_and_pages_go_out_compressed_…; rendering one here
    // would need cargo-leptos's hash.txt beside the test binary.)
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn unhashed_static_files_are_checked_again_each_time() {
    let dir = site();
    let h = Harness::start_site(Config::for_tests(), dir.to_str().expect("path"), false).await;
    let js = get(&h, "/pkg/dashboard.js", "br").await;
    assert_eq!(js.status().as_u16(), 200);
    assert_eq!(cache_control(&js), "no-cache");
    let _ = std::fs::remove_dir_all(dir);
}
