//! Reads the configuration, starts the demo upstream if needed, and serves the dashboard.

use clap::Parser;
use server::config::Config;

/// mimalloc instead of glibc's malloc: fewer resident bytes per open log stream (glibc's
/// arenas keep freed chunks resident and hand them to long-lived buffers) and less time
/// allocating per page (issue 30; `bench/log_relay.sh`, `bench/page_time.sh`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    server::logging::init(config.log_format, &config.log);
    match run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // Said in words, on the error stream as well as in the log.
            tracing::error!(error = %e, "the dashboard cannot start");
            eprintln!("server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> std::io::Result<()> {
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
