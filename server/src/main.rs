//! Reads the configuration, starts the demo upstream if needed, and serves the dashboard.

use clap::Parser;
use server::config::{Config, LogFormat};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let config = Config::parse();
    let filter = tracing_subscriber::EnvFilter::new(&config.log);
    match config.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            // Every span of the line: the request's (its id) and those of the crates below.
            .with_current_span(false)
            .with_span_list(true)
            .with_env_filter(filter)
            .init(),
    }
    if config.demo.only {
        let addr = demo_upstream::spawn(config.demo.clone()).await?;
        tracing::info!(%addr, "demo upstream only");
        return std::future::pending().await;
    }
    let leptos = leptos_options()?;
    server::serve(config, leptos, |addr| {
        tracing::info!("dashboard listening on http://{addr}");
    })
    .await
}

/// Leptos settings: from cargo-leptos's environment when it built us, else our defaults
/// (a plain `cargo build` binary run from the workspace root).
fn leptos_options() -> std::io::Result<leptos::config::LeptosOptions> {
    if option_env!("LEPTOS_OUTPUT_NAME").is_some() {
        let mut options = leptos::config::get_configuration(None)
            .map(|c| c.leptos_options)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        // Run by hand rather than by cargo-leptos: hashed names when its build left them.
        if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
            options.hash_files = app::assets::Hashes::beside_binary(&options).is_some();
        }
        return Ok(options);
    }
    Ok(leptos::config::LeptosOptions::builder()
        .output_name("dashboard")
        .site_root("target/site")
        .build())
}
