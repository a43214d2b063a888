//! Knobs of the demo upstream (latency, errors, cut streams, sizes), read from the server's
//! command line and environment: tests and benchmarks turn them.

use clap::Args;
use std::net::SocketAddr;

/// Knobs of the demo upstream, used by tests and benchmarks.
#[derive(Args, Debug, Clone, Default)]
pub struct DemoKnobs {
    /// Latency added to every demo answer, in milliseconds.
    #[arg(long = "demo-latency-ms", env = "DEMO_LATENCY_MS", default_value_t = 0)]
    pub latency_ms: u64,

    /// Share of demo requests answered with a 503, from 0.0 to 1.0.
    #[arg(
        long = "demo-error-rate",
        env = "DEMO_ERROR_RATE",
        default_value_t = 0.0
    )]
    pub error_rate: f64,

    /// Cut every demo log stream after this many events, without END_OF_STREAM.
    #[arg(long = "demo-drop-stream-after", env = "DEMO_DROP_STREAM_AFTER")]
    pub drop_stream_after: Option<u64>,

    /// Answer every demo log stream with a 503 (an upstream whose streams are down).
    #[arg(long = "demo-streams-down", env = "DEMO_STREAMS_DOWN", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub streams_down: bool,

    /// Answer every operator's details in a shape the dashboard cannot read (a list around
    /// the object), secrets included: for the test that such a payload leaves no secret in
    /// the log.
    #[arg(long = "demo-garble-operators", env = "DEMO_GARBLE_OPERATORS", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub garble_operators: bool,

    /// Pad the demo's organisation summary with this many bytes, sent as a stream with no
    /// length (an upstream answer too large to read).
    #[arg(
        long = "demo-summary-padding-bytes",
        env = "DEMO_SUMMARY_PADDING_BYTES",
        default_value_t = 0
    )]
    pub summary_padding_bytes: usize,

    /// Pad every demo invoice PDF to at least this many bytes (large-download benchmarks).
    #[arg(
        long = "demo-pdf-padding-bytes",
        env = "DEMO_PDF_PADDING_BYTES",
        default_value_t = 0
    )]
    pub pdf_padding_bytes: usize,

    /// Invoices a month for each owner (a year's archive benchmark asks 3: 36 a year).
    #[arg(
        long = "demo-invoices-per-month",
        env = "DEMO_INVOICES_PER_MONTH",
        default_value_t = 1
    )]
    pub invoices_per_month: usize,

    /// Break the PDF of this invoice number midway: half of it, then the connection fails
    /// (for the year archive's error listing).
    #[arg(long = "demo-broken-pdf", env = "DEMO_BROKEN_PDF")]
    pub broken_pdf: Option<String>,

    /// Answer the JSON details of this invoice number with a 503 (a gap in the costs table).
    #[arg(long = "demo-broken-invoice", env = "DEMO_BROKEN_INVOICE")]
    pub broken_invoice: Option<String>,

    /// More organisations, for the fleet board's benchmark: this many, each with
    /// `DEMO_APPS_PER_EXTRA_ORG` applications and two add-ons.
    #[arg(long = "demo-extra-orgs", env = "DEMO_EXTRA_ORGS", default_value_t = 0)]
    pub extra_orgs: usize,

    /// Applications of each extra organisation.
    #[arg(
        long = "demo-apps-per-extra-org",
        env = "DEMO_APPS_PER_EXTRA_ORG",
        default_value_t = 30
    )]
    pub apps_per_extra_org: usize,

    /// Answer every call whose path names this owner id with a 503 (an organisation the
    /// fleet board cannot read, while the others can be).
    #[arg(long = "demo-broken-owner", env = "DEMO_BROKEN_OWNER")]
    pub broken_owner: Option<String>,

    /// Seconds a restart or redeploy works before it ends (after a second in the queue).
    #[arg(
        long = "demo-deploy-secs",
        env = "DEMO_DEPLOY_SECS",
        default_value_t = 6
    )]
    pub deploy_secs: u32,

    /// The demo world's start, in unix seconds (default: when the demo starts). A demo
    /// restarted with the same epoch serves the same data and the same log line numbers, so a
    /// stream resumed from its `Last-Event-ID` goes on with no gap (fault benchmarks and tests).
    #[arg(long = "demo-epoch", env = "DEMO_EPOCH")]
    pub epoch: Option<i64>,

    /// Rights granted to the demo's OAuth consumer, comma-separated (default: all). Calls
    /// needing another right get a 403, as Clever Cloud answers them.
    #[arg(
        long = "demo-oauth-rights",
        env = "DEMO_OAUTH_RIGHTS",
        value_delimiter = ','
    )]
    pub oauth_rights: Vec<String>,

    /// Address of the demo upstream (loopback only; port 0 picks a free one).
    #[arg(
        long = "demo-listen",
        env = "DEMO_LISTEN",
        default_value = "127.0.0.1:0"
    )]
    pub bind: Option<SocketAddr>,

    /// Run only the demo upstream (for benchmarks and manual API calls).
    #[arg(long = "demo-only", env = "DEMO_ONLY", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub only: bool,
}
