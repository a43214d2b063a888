//! A long-lived stream's own upstream connection (the log streams), driven by the task that
//! reads it.
//!
//! Through the pooled client, each chunk of a stream crosses two tasks: the connection's task
//! reads the socket and hands the chunk over, waking the reader's task, which wakes the
//! connection's task again to ask for more. On a multi-threaded runtime each of those wakes
//! can be a wake-up of another worker thread (an `eventfd` write and a context switch):
//! measured, they were about two fifths of the relay's CPU. Here the connection is polled by
//! the body itself, so reading the socket and reading the stream happen in one task.
//!
//! What stays the same as the pooled client: the connect timeout, rustls with the web PKI
//! roots (ring), the user agent, a read timeout on the body, and nothing sent but the request
//! `send` built. A proxy from the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`) is
//! honoured by the pooled client only, so with one set, streams take the pooled client.

use bytes::Bytes;
use futures::Stream;
use http_body_util::Empty;
use hyper::body::{Body as _, Incoming};
use hyper::client::conn::http1;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tower_service::Service as _;

type Io = hyper_rustls::MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>;

/// Opens one connection per call: plain or TLS, as the URL says.
#[derive(Clone)]
pub(super) struct Direct {
    connector: HttpsConnector<HttpConnector>,
    read_timeout: Duration,
}

/// Why a direct call failed (said in the log; the caller answers "unavailable").
#[derive(Debug, thiserror::Error)]
pub(super) enum DirectError {
    #[error("connecting: {0}")]
    Connect(String),
    #[error("{0}")]
    Http(#[from] hyper::Error),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("the request could not be sent as it was built")]
    Request,
}

impl Direct {
    /// `None` when a proxy is configured in the environment (the pooled client honours it).
    pub(super) fn new(connect_timeout: Duration, read_timeout: Duration) -> Option<Self> {
        let proxied = ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"].iter().any(|k| {
            std::env::var_os(k)
                .or_else(|| std::env::var_os(k.to_lowercase()))
                .is_some()
        });
        if proxied {
            return None;
        }
        Some(Self::with_tls(
            HttpsConnectorBuilder::new().with_webpki_roots(),
            connect_timeout,
            read_timeout,
        ))
    }

    fn with_tls(
        tls: HttpsConnectorBuilder<hyper_rustls::builderstates::WantsSchemes>,
        connect_timeout: Duration,
        read_timeout: Duration,
    ) -> Self {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        Self {
            connector: tls.https_or_http().enable_http1().wrap_connector(http),
            read_timeout,
        }
    }

    /// Sends `req` (a GET without a body) on a connection of its own: the answer's head, and
    /// a body that drives the connection as it is read.
    pub(super) async fn execute(
        &self,
        req: reqwest::Request,
        user_agent: &'static str,
    ) -> Result<reqwest::Response, DirectError> {
        let url = req.url().clone();
        let host = url.host_str().ok_or(DirectError::Request)?;
        let authority = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_owned(),
        };
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let mut builder = http::Request::builder()
            .method(req.method().clone())
            .uri(target)
            .header(http::header::HOST, authority)
            .header(http::header::USER_AGENT, user_agent);
        for (name, value) in req.headers() {
            builder = builder.header(name, value);
        }
        let request = builder
            .body(Empty::<Bytes>::new())
            .map_err(|_| DirectError::Request)?;
        let uri: http::Uri = url.as_str().parse().map_err(|_| DirectError::Request)?;
        let head = async {
            let io = self
                .connector
                .clone()
                .call(uri)
                .await
                .map_err(|e| DirectError::Connect(e.to_string()))?;
            let (mut sender, mut conn) = http1::Builder::new().handshake(io).await?;
            // The connection is polled here until the answer's head is in, then by the body.
            let sent = sender.send_request(request);
            tokio::pin!(sent);
            let resp = tokio::select! {
                biased;
                resp = &mut sent => resp?,
                done = &mut conn => {
                    done?;
                    return Err(DirectError::Connect("closed before answering".into()));
                }
            };
            Ok::<_, DirectError>((sender, conn, resp))
        };
        let (sender, conn, resp) = tokio::time::timeout(self.read_timeout, head)
            .await
            .map_err(|_| DirectError::Timeout(self.read_timeout))??;
        let (parts, body) = resp.into_parts();
        let driven = Driven {
            conn: Some(conn),
            _sender: sender,
            body,
            read_timeout: self.read_timeout,
            last_read: tokio::time::Instant::now(),
            deadline: Box::pin(tokio::time::sleep(self.read_timeout)),
        };
        Ok(reqwest::Response::from(http::Response::from_parts(
            parts,
            reqwest::Body::wrap_stream(driven),
        )))
    }
}

/// The answer's body, which polls its connection before reading: the socket is read in the
/// task that reads the stream. A read waits at most `read_timeout`.
struct Driven {
    /// When data last came: the deadline is moved on when it passes, not at each chunk.
    last_read: tokio::time::Instant,
    conn: Option<http1::Connection<Io, Empty<Bytes>>>,
    /// Kept so the connection is not told the client is gone.
    _sender: http1::SendRequest<Empty<Bytes>>,
    body: Incoming,
    read_timeout: Duration,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl Stream for Driven {
    type Item = Result<Bytes, DirectError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let Some(conn) = this.conn.as_mut()
            && let Poll::Ready(done) = Pin::new(conn).poll(cx)
        {
            this.conn = None;
            if let Err(e) = done {
                return Poll::Ready(Some(Err(e.into())));
            }
        }
        loop {
            match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    // Trailers carry nothing for us.
                    if let Ok(data) = frame.into_data() {
                        this.last_read = tokio::time::Instant::now();
                        return Poll::Ready(Some(Ok(data)));
                    }
                }
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e.into()))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => loop {
                    ready!(this.deadline.as_mut().poll(cx));
                    let due = this.last_read + this.read_timeout;
                    if tokio::time::Instant::now() >= due {
                        return Poll::Ready(Some(Err(DirectError::Timeout(this.read_timeout))));
                    }
                    this.deadline.as_mut().reset(due);
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The TLS path against a public server (crates.io's index, which this machine may
    /// reach), trusting the system's roots as well as the web PKI's (a machine whose traffic
    /// goes through an inspecting proxy has its own root there): ignored by default, as it
    /// needs the network. `cargo test -p app --features ssr --lib direct -- --ignored`
    #[tokio::test]
    #[ignore = "needs the network"]
    async fn a_tls_stream_is_read_through_its_own_connection() {
        use futures::StreamExt;
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let system = std::env::var("SSL_CERT_FILE")
            .unwrap_or_else(|_| "/etc/ssl/certs/ca-certificates.crt".into());
        for cert in CertificateDer::pem_file_iter(&system)
            .expect("system roots")
            .flatten()
        {
            let _ = roots.add(cert);
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocols")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let direct = Direct::with_tls(
            HttpsConnectorBuilder::new().with_tls_config(config),
            Duration::from_secs(10),
            Duration::from_secs(10),
        );
        let url = reqwest::Url::parse("https://index.crates.io/config.json").expect("url");
        let req = reqwest::Request::new(reqwest::Method::GET, url);
        let resp = direct
            .execute(req, USER_AGENT_FOR_TESTS)
            .await
            .expect("answer");
        assert!(resp.status().is_success(), "{}", resp.status());
        let mut body = Vec::new();
        let mut chunks = resp.bytes_stream();
        while let Some(chunk) = chunks.next().await {
            body.extend_from_slice(&chunk.expect("chunk"));
        }
        let text = String::from_utf8(body).expect("utf-8");
        assert!(text.contains("\"dl\""), "{text}");
    }

    const USER_AGENT_FOR_TESTS: &str = "cc-dashboard/test";
}
