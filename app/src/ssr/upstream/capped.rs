//! One upstream event capped in size: the parser buffers an event until its blank line, so an
//! upstream that never sends one would grow that buffer without bound. Complete events pass
//! on as they arrive; an event past `max` bytes is dropped whole (with a log line) and the
//! stream goes on from the next one.

use bytes::Bytes;
use futures::{Stream, StreamExt};

/// The most one event may take, fields and line ends included.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;

/// Where the scan of an event stream stands.
#[derive(Default)]
struct Scan {
    /// Bytes of the event under way, from earlier chunks.
    partial: Vec<u8>,
    /// The event under way is too large: its bytes are dropped until it ends.
    skipping: bool,
    /// Bytes of the line under way (0: at a line's start).
    line: usize,
    /// The last byte was a CR (a CRLF is one line end).
    after_cr: bool,
}

impl Scan {
    /// The complete events of `chunk` (with what earlier chunks began), as one run of bytes.
    /// It jumps from line end to line end (memchr), and copies each byte once: the events
    /// leave in a buffer of their own, so they never keep the HTTP client's read buffer alive.
    fn feed(&mut self, chunk: &[u8], max: usize) -> Vec<u8> {
        let mut out = Vec::new();
        // The first byte of the event under way that is not in `partial` yet.
        let mut start = 0;
        let mut pos = 0;
        while pos < chunk.len() {
            if std::mem::take(&mut self.after_cr) && chunk[pos] == b'\n' {
                // The LF of a CRLF: the line ended at the CR.
                pos += 1;
            } else {
                match memchr::memchr2(b'\n', b'\r', &chunk[pos..]) {
                    None => {
                        self.line += chunk.len() - pos;
                        pos = chunk.len();
                    }
                    Some(k) => {
                        let end = pos + k;
                        self.line += k;
                        self.after_cr = chunk[end] == b'\r';
                        if self.line == 0 {
                            // A blank line: the event ends here.
                            if self.skipping {
                                self.skipping = false;
                            } else {
                                if out.capacity() == 0 {
                                    out.reserve(self.partial.len() + chunk.len() - start);
                                }
                                out.append(&mut self.partial);
                                out.extend_from_slice(&chunk[start..=end]);
                            }
                            start = end + 1;
                        }
                        self.line = 0;
                        pos = end + 1;
                    }
                }
            }
            if !self.skipping && self.partial.len() + (pos - start) > max {
                tracing::warn!(
                    max_bytes = max,
                    "an upstream log event larger than the cap: dropped, the stream goes on"
                );
                self.partial = Vec::new();
                self.skipping = true;
            }
            if self.skipping {
                start = pos;
            }
        }
        if !self.skipping {
            self.partial.extend_from_slice(&chunk[start..]);
        }
        out
    }
}

/// `chunks` with each event at most `max` bytes.
pub fn capped<E>(
    chunks: impl Stream<Item = Result<Bytes, E>> + Send + 'static,
    max: usize,
) -> impl Stream<Item = Result<Bytes, E>> + Send + 'static {
    let chunks = Box::pin(chunks);
    futures::stream::unfold(
        (chunks, Scan::default()),
        move |(mut chunks, mut scan)| async move {
            loop {
                match chunks.next().await? {
                    Ok(chunk) => {
                        let out = scan.feed(&chunk, max);
                        if !out.is_empty() {
                            return Some((Ok(Bytes::from(out)), (chunks, scan)));
                        }
                    }
                    Err(e) => return Some((Err(e), (chunks, scan))),
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chunks: &[&str], max: usize) -> String {
        let mut scan = Scan::default();
        let out: Vec<u8> = chunks
            .iter()
            .flat_map(|c| scan.feed(c.as_bytes(), max))
            .collect();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn events_pass_whole_and_an_oversized_one_is_dropped() {
        assert_eq!(run(&["id: 1\ndata: a\n\n"], 100), "id: 1\ndata: a\n\n");
        // Split anywhere, CRLF or LF, events come out whole.
        assert_eq!(
            run(
                &["id: 1\r\nda", "ta: a\r\n\r", "\nid: 2\ndata: b\n", "\n"],
                100
            ),
            "id: 1\r\ndata: a\r\n\r\nid: 2\ndata: b\n\n"
        );
        let big = format!("data: {}\n\n", "x".repeat(200));
        assert_eq!(
            run(
                &["data: a\n\n", &big[..100], &big[100..], "data: b\n\n"],
                64
            ),
            "data: a\n\ndata: b\n\n",
            "the big one is gone, the next one comes"
        );
        // An event that never ends holds at most the cap.
        let mut scan = Scan::default();
        for _ in 0..100 {
            assert!(scan.feed(&[b'x'; 1000], 4096).is_empty());
            assert!(scan.partial.len() <= 4096);
        }
    }
}
