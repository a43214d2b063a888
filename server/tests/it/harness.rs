//! Starts the dashboard with its demo upstream on ephemeral loopback ports.

use leptos::config::LeptosOptions;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, Url};
use server::config::Config;
use std::net::SocketAddr;

/// A running dashboard and its demo upstream.
pub struct Harness {
    pub base: Url,
    pub upstream: Url,
    /// A browser-like client: cookies kept, redirects not followed.
    pub http: Client,
}

impl Harness {
    /// The default configuration.
    pub async fn start() -> Self {
        Self::start_with(Config::for_tests()).await
    }

    /// A given configuration.
    pub async fn start_with(config: Config) -> Self {
        Self::start_full(config, "target/site").await
    }

    /// A given configuration and site root (static files).
    pub async fn start_full(config: Config, site_root: &str) -> Self {
        Self::start_site(config, site_root, false).await
    }

    /// A given configuration and site root whose `/pkg` names are content-hashed (`hashed`)
    /// or not.
    pub async fn start_site(config: Config, site_root: &str, hashed: bool) -> Self {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let (upstream, demo) = server::upstream_base(&config).await.expect("demo upstream");
        let base = serve(&config, site_root, hashed, upstream.clone(), demo).await;
        Self {
            base,
            upstream,
            http: browser(),
        }
    }

    /// Another replica of this dashboard (a new router and session store client, as a new
    /// process would have) on the same upstream, used through the same browser: its cookies
    /// go to every replica, as behind a load balancer. Also what a restart looks like.
    pub async fn replica(&self, config: Config) -> Self {
        let base = serve(
            &config,
            "target/site",
            false,
            self.upstream.clone(),
            app::ssr::DemoMode(true),
        )
        .await;
        Self {
            base,
            upstream: self.upstream.clone(),
            http: self.http.clone(),
        }
    }

    /// The same dashboard in another browser (its own cookies).
    pub fn browser(&self) -> Self {
        Self {
            base: self.base.clone(),
            upstream: self.upstream.clone(),
            http: browser(),
        }
    }

    /// The URL of `path` on the dashboard.
    pub fn url(&self, path: &str) -> Url {
        self.base.join(path).expect("path")
    }

    /// Signs in with `token`; returns the answer to the form post.
    pub async fn login(&self, token: &str) -> Response {
        self.http
            .post(self.url("/login"))
            .form(&[("token", token)])
            .send()
            .await
            .expect("login")
    }

    /// Gets `path` with the signed-in client (redirects not followed).
    pub async fn get(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.expect("get")
    }

    /// Gets a page as text, asserting its status.
    pub async fn page(&self, path: &str, status: u16) -> String {
        let resp = self.get(path).await;
        assert_eq!(resp.status().as_u16(), status, "GET {path}");
        resp.text().await.expect("body")
    }

    /// A JSON answer of the demo upstream itself, asked with the demo token.
    pub async fn demo_json(&self, path: &str) -> serde_json::Value {
        Client::new()
            .get(self.upstream.join(path).expect("url"))
            .bearer_auth("demo")
            .send()
            .await
            .expect("demo answer")
            .json()
            .await
            .expect("demo JSON")
    }

    /// The requests the demo upstream received since the last call, then forgets them.
    pub async fn upstream_requests(&self) -> Vec<String> {
        let url = self.upstream.join("/demo/requests").expect("url");
        let seen: Vec<String> = Client::new()
            .get(url.clone())
            .send()
            .await
            .expect("seen")
            .json()
            .await
            .expect("json");
        Client::new().delete(url).send().await.expect("forget");
        seen
    }

    /// The bell's count (`/alerts/open.json`).
    pub async fn open_alerts(&self) -> u64 {
        let v: serde_json::Value = self
            .get("/alerts/open.json")
            .await
            .json()
            .await
            .expect("json");
        v["open"].as_u64().expect("a count")
    }

    /// Posts `form` to the server function at `/api/{endpoint}` as a script would (JSON
    /// answer); its status and body.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> (u16, String) {
        let resp = self
            .http
            .post(self.url(&format!("/api/{endpoint}")))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("server fn");
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap_or_default())
    }

    /// Posts `form` to `/api/{endpoint}` as a browser posts a form from the page `from`
    /// (HTML accepted, Referer set); the answer (a redirect back, not followed).
    pub async fn post_form(&self, endpoint: &str, from: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url(&format!("/api/{endpoint}")))
            .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .header("referer", self.url(from).as_str())
            .form(form)
            .send()
            .await
            .expect("form post")
    }

    /// Gets a page as a browser navigating to it does (HTML accepted), as text, asserting its
    /// status.
    pub async fn navigate(&self, path: &str, status: u16) -> String {
        let resp = self
            .http
            .get(self.url(path))
            .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), status, "GET {path}");
        resp.text().await.expect("body")
    }

    /// How many log streams the demo upstream is generating now.
    pub async fn demo_streams(&self) -> usize {
        let url = self.upstream.join("/demo/streams").expect("url");
        Client::new()
            .get(url)
            .send()
            .await
            .expect("streams")
            .json()
            .await
            .expect("json")
    }

    /// A fresh token the demo accepts.
    pub async fn issue_token(&self) -> String {
        let url = self.upstream.join("/demo/tokens").expect("url");
        let v: serde_json::Value = Client::new()
            .post(url)
            .send()
            .await
            .expect("issue")
            .json()
            .await
            .expect("json");
        v["apiToken"].as_str().expect("token").to_owned()
    }
}

/// Serves a new router on an ephemeral port; its base URL.
async fn serve(
    config: &Config,
    site_root: &str,
    hashed: bool,
    upstream: Url,
    demo: app::ssr::DemoMode,
) -> Url {
    let leptos = LeptosOptions::builder()
        .output_name("dashboard")
        .site_root(site_root)
        .hash_files(hashed)
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    // A configured OAuth consumer needs the public URL: here, where this server listens.
    let mut config = config.clone();
    if config.oauth_consumer_key.is_some() && config.public_url.is_none() {
        config.public_url = Some(Url::parse(&format!("http://{addr}")).expect("url"));
    }
    // A configuration read from arguments keeps the default `./data`: each test server gets
    // its own directory instead (one process opens a database file; never the source tree).
    if config.data_dir == std::path::Path::new("./data") {
        config.data_dir = std::env::temp_dir().join("ccd-tests").join(format!(
            "{}-{}",
            std::process::id(),
            addr.port()
        ));
    }
    let config = &config;
    let app = server::router(config, leptos, upstream, demo, addr).expect("router");
    tokio::spawn(server::serve::connections(
        listener,
        app,
        server::serve::Limits::from_config(config),
        std::future::pending(),
    ));
    Url::parse(&format!("http://{addr}")).expect("url")
}

/// A client with its own cookie jar that does not follow redirects.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        // An answer silent for a minute fails its test instead of holding the whole run.
        .read_timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("client")
}

/// Where a redirect points.
pub fn location(resp: &Response) -> &str {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// A loopback port free right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
}

/// The value of the session cookie an answer set.
pub fn session_cookie(resp: &reqwest::Response) -> String {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("cc_dashboard_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}
