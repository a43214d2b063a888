//! Writing events in the SSE format.

use app::model::logs::{RELAY_EVENT, RelayState};

/// Writes one event in the SSE format. `name` and `id` are clean already; `data` is split
/// into `data:` lines (a CR, which the upstream's parser would have taken as a line end
/// anyway, is dropped).
pub(super) fn write_event(out: &mut String, name: &str, id: &str, data: &str, retry: Option<u64>) {
    if let Some(ms) = retry {
        out.push_str("retry: ");
        out.push_str(&ms.to_string());
        out.push('\n');
    }
    out.push_str("event: ");
    out.push_str(name);
    out.push('\n');
    if !id.is_empty() {
        out.push_str("id: ");
        out.push_str(id);
        out.push('\n');
    }
    // Most data is one line without a CR: one scan tells, one copy writes it.
    if memchr::memchr2(b'\n', b'\r', data.as_bytes()).is_none() {
        out.push_str("data: ");
        out.push_str(data);
        out.push_str("\n\n");
        return;
    }
    for line in data.split('\n') {
        out.push_str("data: ");
        if line.contains('\r') {
            out.push_str(&line.replace('\r', ""));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out.push('\n');
}

/// A `relay` event telling the browser the relay's state.
pub(super) fn write_status(out: &mut String, state: &RelayState) {
    let data = serde_json::to_string(state).unwrap_or_default();
    write_event(out, RELAY_EVENT, "", &data, None);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_written_in_the_sse_format() {
        let mut out = String::new();
        write_event(
            &mut out,
            "APPLICATION_LOG",
            "41",
            "{\"a\":1}\nsecond\r",
            Some(2000),
        );
        assert_eq!(
            out,
            "retry: 2000\nevent: APPLICATION_LOG\nid: 41\ndata: {\"a\":1}\ndata: second\n\n"
        );
        let mut out = String::new();
        write_status(
            &mut out,
            &RelayState::Reconnecting {
                attempt: 2,
                reason: "r".into(),
            },
        );
        assert_eq!(
            out,
            "event: relay\ndata: {\"state\":\"reconnecting\",\"attempt\":2,\"reason\":\"r\"}\n\n"
        );
    }
}
