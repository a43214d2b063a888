//! Log output: lines for people (`text`) or one JSON object per line (`json`). In text, a
//! control character that came with user input (a form field with a newline, an ANSI escape)
//! is written escaped, so nobody can start a line of their own or move a terminal's cursor;
//! JSON escapes them by itself.

use crate::config::LogFormat;
use std::io::Write;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the process's log output.
pub fn init(format: LogFormat, filter: &str) {
    let filter = tracing_subscriber::EnvFilter::new(filter);
    match format {
        LogFormat::Text => tracing_subscriber::fmt()
            // Colours are control characters too: none, so every one left is escaped.
            .with_ansi(false)
            .with_writer(Escaped(std::io::stdout))
            .with_env_filter(filter)
            .init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            // Every span of the line: the request's (its id) and those of the crates below.
            .with_current_span(false)
            .with_span_list(true)
            .with_env_filter(filter)
            .init(),
    }
}

/// A writer whose lines have their control characters escaped.
struct Escaped<M>(M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Escaped<M> {
    type Writer = EscapedWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        EscapedWriter(self.0.make_writer())
    }
}

struct EscapedWriter<W>(W);

impl<W: Write> Write for EscapedWriter<W> {
    /// The formatter writes each event as one line in one call: its last newline is the
    /// line's end, any other is escaped.
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write_all(escape_line(buf).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// One formatted line with every control character but its final newline (and tabs) written
/// as `\n`, `\r` or `\u{…}`; bytes that are not UTF-8 become U+FFFD.
fn escape_line(buf: &[u8]) -> String {
    let (body, end) = match buf.split_last() {
        Some((b'\n', body)) => (body, "\n"),
        _ => (buf, ""),
    };
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(text.len() + end.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push(c),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out.push_str(end);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_cannot_start_another_or_steer_the_terminal() {
        let line = b"WARN action error=Unknown \"x\nINFO forged\r\x1b[2J\x07\" tab\there\n";
        assert_eq!(
            escape_line(line),
            "WARN action error=Unknown \"x\\nINFO forged\\r\\u{1b}[2J\\u{7}\" tab\there\n"
        );
        assert_eq!(escape_line(b"no end"), "no end");
        assert_eq!(
            escape_line("caf\u{e9} \u{9b}".as_bytes()),
            "caf\u{e9} \\u{9b}"
        );
    }
}
