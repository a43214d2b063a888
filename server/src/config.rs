//! Configuration: environment variables with command-line flags of the same meaning.

use clap::Parser;
pub use demo_upstream::DemoKnobs;
use reqwest::Url;
use std::net::SocketAddr;
use std::path::PathBuf;

/// A configured secret (key, password-bearing URL): never printed, not even by `Debug`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// The dashboard server's settings (`server --help`).
#[derive(Parser, Debug, Clone)]
#[command(
    name = "server",
    about = "Self-hosted dashboard for the Clever Cloud API"
)]
pub struct Config {
    /// Upstream API base URL (API tokens go to https://api-bridge.clever-cloud.com).
    /// Either this or `--demo`.
    #[arg(long, env = "CC_API_URL")]
    pub api_url: Option<Url>,

    /// Serve the built-in demo upstream instead of Clever Cloud's API (the token `demo` signs
    /// in). Only when asked: a production server that forgot CC_API_URL refuses to start.
    #[arg(long = "demo", env = "DASHBOARD_DEMO", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub demo_mode: bool,

    /// Accept a plain `http://` upstream (CC_API_URL, CC_OAUTH_API_URL) on a host other than
    /// loopback: credentials would then travel in clear.
    #[arg(long, env = "DASHBOARD_ALLOW_PLAIN_UPSTREAM", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_plain_upstream: bool,

    /// Base of "Sign in with Clever Cloud" (OAuth 1.0a) and of the calls of sessions signed in
    /// that way. In demo mode: the demo upstream.
    #[arg(
        long,
        env = "CC_OAUTH_API_URL",
        default_value = "https://api.clever-cloud.com"
    )]
    pub oauth_api_url: Url,

    /// Key of the dashboard's OAuth consumer: set it (with the secret and
    /// DASHBOARD_PUBLIC_URL) to offer "Sign in with Clever Cloud". In demo mode: the demo's.
    #[arg(long, env = "CC_OAUTH_CONSUMER_KEY")]
    pub oauth_consumer_key: Option<String>,

    /// Secret of the dashboard's OAuth consumer.
    #[arg(long, env = "CC_OAUTH_CONSUMER_SECRET", hide_env_values = true)]
    pub oauth_consumer_secret: Option<Secret>,

    /// A file holding the OAuth consumer's secret (instead of CC_OAUTH_CONSUMER_SECRET).
    #[arg(long, env = "CC_OAUTH_CONSUMER_SECRET_FILE")]
    pub oauth_consumer_secret_file: Option<PathBuf>,

    /// Seconds a "Sign in with Clever Cloud" may take, from leaving for the authorize page to
    /// coming back (the request token is kept that long, 10 minutes at most).
    #[arg(long, env = "CC_OAUTH_HANDSHAKE_SECS", default_value_t = 600.0)]
    pub oauth_handshake_secs: f64,

    /// Address to listen on (default: LEPTOS_SITE_ADDR, else 127.0.0.1:3000).
    #[arg(long, env = "DASHBOARD_LISTEN")]
    pub listen: Option<SocketAddr>,

    /// The dashboard's public address (scheme, host, port), as users type it: what the
    /// cross-origin check compares against when the browser sends no `Sec-Fetch-Site`. When
    /// it is https, the session cookie takes the `__Host-` prefix and Strict-Transport-Security
    /// is sent.
    #[arg(long, env = "DASHBOARD_PUBLIC_URL")]
    pub public_url: Option<Url>,

    /// Served over plain HTTP: session cookies without the Secure flag.
    #[arg(long, env = "DASHBOARD_PLAIN_HTTP", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub plain_http: bool,

    /// Minutes of inactivity after which a session ends (fractions allowed).
    #[arg(long, env = "DASHBOARD_SESSION_IDLE_MINUTES", default_value_t = 480.0)]
    pub session_idle_minutes: f64,

    /// Hours after sign-in after which a session ends, active or not (fractions allowed).
    #[arg(long, env = "DASHBOARD_SESSION_MAX_HOURS", default_value_t = 168.0)]
    pub session_max_hours: f64,

    /// Shared session store for several replicas: redis://[:password@]host[:port][/db], or
    /// rediss:// for TLS (Redis or Valkey). Unset: sessions in this process's memory.
    #[arg(long, env = "DASHBOARD_SESSION_STORE", hide_env_values = true)]
    pub session_store: Option<Secret>,

    /// Server key sealing the stored sessions: base64 of at least 32 random bytes, the same
    /// on every replica. Required with a session store.
    #[arg(long, env = "DASHBOARD_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<Secret>,

    /// A file holding the server key (instead of DASHBOARD_SECRET_KEY).
    #[arg(long, env = "DASHBOARD_SECRET_KEY_FILE")]
    pub secret_key_file: Option<PathBuf>,

    /// Earlier server keys, comma-separated, still accepted to open sessions while a new key
    /// is rolled in.
    #[arg(long, env = "DASHBOARD_SECRET_KEY_PREVIOUS", hide_env_values = true)]
    pub secret_key_previous: Option<Secret>,

    /// Minutes after a sign-in during which an operator's secrets may be revealed; later, the
    /// user signs in again first (and comes back to the secret).
    #[arg(long, env = "DASHBOARD_REVEAL_WITHIN_MINUTES", default_value_t = 10.0)]
    pub reveal_within_minutes: f64,

    /// Seconds a session's navigation (its organisations, applications and add-ons by name, in
    /// every page's frame) is kept before `/v2/summary` is asked again, at most 3600; 0 (or
    /// less) asks it on every page. The fleet board always asks afresh.
    #[arg(long, env = "DASHBOARD_NAVIGATION_SECS", default_value_t = 15.0)]
    pub navigation_secs: f64,

    /// Mebibytes the embedded store's records may take in all (the least used go first).
    #[arg(long, env = "DASHBOARD_SESSION_STORE_MIB", default_value_t = 256.0)]
    pub session_store_mib: f64,

    /// Most sessions whose recent activity this replica remembers (one store write a minute
    /// per session at most).
    #[arg(long, env = "DASHBOARD_SESSION_CAPACITY", default_value_t = 100_000)]
    pub session_capacity: u64,

    /// Seconds to open a connection to the upstream.
    #[arg(long, env = "CC_CONNECT_TIMEOUT_SECS", default_value_t = 5)]
    pub connect_timeout_secs: u64,

    /// Seconds for one JSON call to the upstream.
    #[arg(long, env = "CC_REQUEST_TIMEOUT_SECS", default_value_t = 20)]
    pub request_timeout_secs: u64,

    /// Seconds of silence after which an upstream stream counts as dead.
    #[arg(long, env = "CC_STREAM_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub stream_read_timeout_secs: u64,

    /// Log streams open at once through the relay, all sessions together.
    #[arg(long, env = "DASHBOARD_MAX_STREAMS", default_value_t = 2000)]
    pub max_streams: usize,

    /// Log streams open at once by one user, all their sessions together (a browser allows
    /// 6 connections per site).
    #[arg(long, env = "DASHBOARD_MAX_STREAMS_PER_USER", default_value_t = 4)]
    pub max_streams_per_user: usize,

    /// Milliseconds without any event (the upstream heartbeats every 2 s) after which the
    /// relay reconnects upstream.
    #[arg(long, env = "CC_STREAM_SILENCE_MS", default_value_t = 5000)]
    pub stream_silence_ms: u64,

    /// Seconds a client has to send a request's headers; also how long a keep-alive
    /// connection may stay idle.
    #[arg(long, env = "DASHBOARD_HEADER_TIMEOUT_SECS", default_value_t = 10.0)]
    pub header_timeout_secs: f64,

    /// Connections served at once; beyond it new ones wait until one closes.
    #[arg(long, env = "DASHBOARD_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,

    /// Connections one client address may hold at once (a trusted proxy is exempt); beyond
    /// it new ones are closed at once.
    #[arg(
        long,
        env = "DASHBOARD_MAX_CONNECTIONS_PER_CLIENT",
        default_value_t = 256
    )]
    pub max_connections_per_client: usize,

    /// Seconds a request body may stall (no byte arriving) before the request is cut.
    #[arg(long, env = "DASHBOARD_BODY_TIMEOUT_SECS", default_value_t = 10.0)]
    pub body_timeout_secs: f64,

    /// Seconds a page, server function or static file may take in all (504 beyond); log
    /// streams and downloads have no such deadline.
    #[arg(long, env = "DASHBOARD_REQUEST_DEADLINE_SECS", default_value_t = 60.0)]
    pub request_deadline_secs: f64,

    /// Seconds between SIGTERM (not ready from then on) and closing the listener, so a load
    /// balancer stops sending new requests first.
    #[arg(long, env = "DASHBOARD_SHUTDOWN_GRACE_SECS", default_value_t = 5.0)]
    pub shutdown_grace_secs: f64,

    /// Seconds after SIGTERM by which the process has exited, whatever clients still do.
    #[arg(long, env = "DASHBOARD_SHUTDOWN_DEADLINE_SECS", default_value_t = 25.0)]
    pub shutdown_deadline_secs: f64,

    /// Sign-in attempts allowed at once from one client address…
    #[arg(long, env = "DASHBOARD_SIGNIN_BURST", default_value_t = 10)]
    pub signin_burst: u32,

    /// …then one more every this many seconds.
    #[arg(long, env = "DASHBOARD_SIGNIN_EVERY_SECS", default_value_t = 6.0)]
    pub signin_every_secs: f64,

    /// Sign-in attempts allowed at once from all addresses together…
    #[arg(long, env = "DASHBOARD_SIGNIN_TOTAL_BURST", default_value_t = 100)]
    pub signin_total_burst: u32,

    /// …then this many more per second.
    #[arg(long, env = "DASHBOARD_SIGNIN_TOTAL_PER_SEC", default_value_t = 10.0)]
    pub signin_total_per_sec: f64,

    /// Proxies whose X-Forwarded-For / Forwarded headers name the client (comma-separated
    /// CIDRs or addresses). Unset: the socket's peer is the client.
    #[arg(long, env = "DASHBOARD_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// Reconnections of a log stream to the upstream tried in a row before giving up.
    #[arg(long, env = "CC_STREAM_MAX_RETRIES", default_value_t = 30)]
    pub stream_max_retries: u32,

    /// Address serving Prometheus metrics on /metrics (keep it private). Unset: no metrics.
    #[arg(long, env = "DASHBOARD_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// Organisation ids whose members may sign in (comma-separated); the navigation shows
    /// these only. Unset, with no user list either: anyone with a valid token.
    #[arg(long, env = "DASHBOARD_ALLOWED_ORGS", default_value = "")]
    pub allowed_orgs: String,

    /// Seconds between two checks of a live session against the allow-lists (its user's
    /// organisations asked upstream again); a session that no longer passes ends.
    #[arg(long, env = "DASHBOARD_ALLOW_RECHECK_SECS", default_value_t = 300.0)]
    pub allow_recheck_secs: f64,

    /// User ids or emails that may sign in (comma-separated).
    #[arg(long, env = "DASHBOARD_ALLOWED_USERS", default_value = "")]
    pub allowed_users: String,

    /// A viewing portal: every action (restart, stop, cancel, drains, operators, Pulsar
    /// policies) is hidden and refused for everyone.
    #[arg(long, env = "DASHBOARD_READ_ONLY", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub read_only: bool,

    /// User ids or e-mails that may run actions (comma-separated); unset: everybody signed in.
    #[arg(long, env = "DASHBOARD_ACTIONS_ALLOWED_USERS", default_value = "")]
    pub actions_allowed_users: String,

    /// Log lines for people (`text`) or one JSON object per line (`json`).
    /// API token the alerts evaluate with (an account that can read the organisations to
    /// watch); never a user's session. In demo mode, the demo's token.
    #[arg(long, env = "DASHBOARD_WATCH_TOKEN", hide_env_values = true)]
    pub watch_token: Option<Secret>,

    /// A file holding the watch token.
    #[arg(long, env = "DASHBOARD_WATCH_TOKEN_FILE")]
    pub watch_token_file: Option<std::path::PathBuf>,

    /// The alerts' rules and channels (TOML; see the README).
    #[arg(long, env = "DASHBOARD_ALERTS_FILE")]
    pub alerts_file: Option<std::path::PathBuf>,

    /// Seconds between two evaluations of the alerts' rules.
    #[arg(long, env = "DASHBOARD_ALERT_INTERVAL_SECS", default_value_t = 60.0)]
    pub alert_interval_secs: f64,

    /// Hosts a webhook may reach over plain http or at a private address (comma-separated;
    /// tests list loopback).
    #[arg(long, env = "DASHBOARD_ALERT_ALLOWED_HOSTS", default_value = "")]
    pub alert_allowed_hosts: String,

    /// Where the alerts keep their state (an embedded database) when no session store is
    /// shared.
    #[arg(long, env = "DASHBOARD_DATA_DIR", default_value = "./data")]
    pub data_dir: std::path::PathBuf,

    /// The SMTP server e-mail channels send through (unset: e-mail channels do not run).
    #[arg(long, env = "DASHBOARD_SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// Its port.
    #[arg(long, env = "DASHBOARD_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,

    /// `starttls` (port 587), `tls` (port 465), or `none` (only to a host listed in
    /// DASHBOARD_ALERT_ALLOWED_HOSTS: a local relay, tests).
    #[arg(long, env = "DASHBOARD_SMTP_TLS", default_value = "starttls")]
    pub smtp_tls: String,

    /// The SMTP user, when the server asks for one.
    #[arg(long, env = "DASHBOARD_SMTP_USER")]
    pub smtp_user: Option<String>,

    /// Its password.
    #[arg(long, env = "DASHBOARD_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<Secret>,

    /// The sender of alert e-mails (`Dashboard <alerts@example.com>`).
    #[arg(long, env = "DASHBOARD_SMTP_FROM")]
    pub smtp_from: Option<String>,

    #[arg(long, env = "DASHBOARD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Log filter (tracing-subscriber syntax).
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    pub log: String,

    #[command(flatten)]
    pub demo: DemoKnobs,
}

/// How log lines are written.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    /// The watch token, from `DASHBOARD_WATCH_TOKEN` or the file `DASHBOARD_WATCH_TOKEN_FILE`
    /// names (a file that cannot be read is said in the log, and alerts stay off).
    pub fn watch_token(&self) -> Option<String> {
        if let Some(t) = &self.watch_token {
            return Some(t.expose().to_owned());
        }
        let path = self.watch_token_file.as_ref()?;
        match std::fs::read_to_string(path) {
            Ok(t) => Some(t.trim().to_owned()),
            Err(e) => {
                tracing::error!(file = %path.display(), error = %e.kind(), "DASHBOARD_WATCH_TOKEN_FILE cannot be read");
                None
            }
        }
    }

    /// Settings for tests: demo upstream, plain HTTP, defaults elsewhere.
    pub fn for_tests() -> Self {
        let mut c = Self::try_parse_from(["server", "--plain-http", "--demo"])
            .unwrap_or_else(|e| panic!("test configuration: {e}"));
        // Each test server its own data directory: one redb file opens in one place only.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        c.data_dir = std::env::temp_dir()
            .join("ccd-tests")
            .join(format!("{}-{n}", std::process::id()));
        c
    }

    /// Refuses an upstream that would carry credentials in clear: `http://` is accepted for a
    /// loopback host (a local proxy, the demo, tests) or when explicitly allowed.
    pub fn check_upstream(&self, name: &str, url: &Url) -> std::io::Result<()> {
        let host = url.host_str().unwrap_or("");
        let loopback = host.eq_ignore_ascii_case("localhost")
            || host
                .trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        match url.scheme() {
            "https" => Ok(()),
            "http" if loopback => Ok(()),
            "http" if self.allow_plain_upstream => {
                tracing::warn!(
                    name,
                    host = url.host_str().unwrap_or(""),
                    "a plain-HTTP upstream: credentials travel in clear (DASHBOARD_ALLOW_PLAIN_UPSTREAM)"
                );
                Ok(())
            }
            "http" => Err(std::io::Error::other(format!(
                "{name} is plain http:// on a host that is not loopback, so API tokens would \
                 travel in clear: use https://, or set DASHBOARD_ALLOW_PLAIN_UPSTREAM=1 \
                 (--allow-plain-upstream) if a network you trust carries it"
            ))),
            other => Err(std::io::Error::other(format!(
                "{name} must be an https:// URL, not {other}://"
            ))),
        }
    }
}
