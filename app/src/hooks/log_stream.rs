//! `use_log_stream`: the log viewer's connection to our relay (`/stream/…`) through the
//! browser's `EventSource`. Lines go into a [`LineBuffer`] and join the list once per
//! animation frame, however many arrived (10,000 lines in one burst cost one drawing); the
//! status follows [`ViewerStatus::next`]. It connects once hydrated, never on the server.

use crate::components::event_source::{SseMessage, use_event_source};
use crate::logic::logs::{BUFFER_LINES, LineBuffer, StreamEvent, ViewerStatus};
use crate::model::logs::{BATCH_EVENT, BATCH_PARAM, EndOfStream, RELAY_EVENT, RelayState, event};
use crate::urls;
use leptos::prelude::*;

/// The stream and its lines, for the view.
#[derive(Clone, Copy)]
pub struct LogStream {
    /// The lines (thread-safe storage: on the server this renders inside a future that may
    /// move between threads).
    pub buffer: StoredValue<LineBuffer>,
    /// Bumped each time lines join or leave the list.
    pub version: RwSignal<u64>,
    pub status: RwSignal<ViewerStatus>,
    source: RwSignal<Option<String>>,
    base: StoredValue<String>,
    last_id: StoredValue<Option<String>>,
    frame: StoredValue<bool>,
}

impl LogStream {
    fn update(&self, event: StreamEvent) {
        self.status.update(|s| *s = s.next(event));
        if self.status.with_untracked(ViewerStatus::is_closed) {
            self.source.set(None);
        }
    }

    /// Moves the waiting lines into the list now.
    pub fn flush(&self) {
        if self.buffer.try_update_value(LineBuffer::flush).unwrap_or(0) > 0 {
            self.version.update(|v| *v += 1);
        }
    }

    /// Draws the waiting lines at the next animation frame (once, however many arrive).
    fn flush_soon(&self) {
        if self.frame.get_value() {
            return;
        }
        self.frame.set_value(true);
        let this = *self;
        leptos::leptos_dom::helpers::request_animation_frame(move || {
            this.frame.set_value(false);
            this.flush();
        });
    }

    /// Stops reading; the lines received so far join the list now, so it holds still.
    pub fn pause(&self) {
        self.flush();
        self.update(StreamEvent::Pause);
    }

    /// Reads again from the last line received (no gap, no duplicate).
    pub fn resume(&self) {
        let url = match self.last_id.get_value() {
            Some(id) => format!(
                "{}&lastEventId={}",
                self.base.get_value(),
                urls::segment(&id)
            ),
            None => self.base.get_value(),
        };
        self.update(StreamEvent::Start);
        self.source.set(Some(url));
    }

    /// Forgets every line.
    pub fn clear(&self) {
        self.buffer.update_value(LineBuffer::clear);
        self.version.update(|v| *v += 1);
    }

    /// Calls `f` with the lines.
    pub fn with_lines<T>(&self, f: impl FnOnce(&LineBuffer) -> T) -> T {
        self.buffer.with_value(f)
    }

    /// Takes one line (`APPLICATION_LOG`) or a batch of them, one per line of `data`
    /// (`APPLICATION_LOGS`).
    fn receive(&self, id: String, data: String, batch: bool) {
        if !id.is_empty() {
            self.last_id.set_value(Some(id));
        }
        self.buffer.update_value(|b| {
            if batch {
                for line in data.split('\n') {
                    b.receive(line.to_owned());
                }
            } else {
                b.receive(data);
            }
        });
        self.flush_soon();
    }
}

/// Reads the relay's stream at `url` once hydrated (`hydrated` turns true), in batches.
pub fn use_log_stream(url: String, hydrated: ReadSignal<bool>) -> LogStream {
    let sep = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{sep}{BATCH_PARAM}=1");
    let stream = LogStream {
        buffer: StoredValue::new(LineBuffer::new(BUFFER_LINES)),
        version: RwSignal::new(0),
        status: RwSignal::new(ViewerStatus::Idle),
        source: RwSignal::new(None),
        base: StoredValue::new(url),
        last_id: StoredValue::new(None),
        frame: StoredValue::new(false),
    };
    Effect::new(move || {
        if hydrated.get() {
            stream.update(StreamEvent::Start);
            stream.source.set(Some(stream.base.get_value()));
        }
    });
    use_event_source(
        stream.source.into(),
        &["APPLICATION_LOG", BATCH_EVENT, RELAY_EVENT, "END_OF_STREAM"],
        move |m| match m {
            SseMessage::Open => stream.update(StreamEvent::Opened),
            SseMessage::Error { closed } => stream.update(StreamEvent::Failed { closed }),
            SseMessage::Event { name, id, data } => match name {
                event::APPLICATION_LOG => stream.receive(id, data, false),
                BATCH_EVENT => stream.receive(id, data, true),
                RELAY_EVENT => {
                    // A state this viewer does not know (a newer server): keep going.
                    if let Ok(state) = serde_json::from_str::<RelayState>(&data) {
                        stream.flush();
                        stream.update(StreamEvent::Relay(state));
                    }
                }
                event::END_OF_STREAM => {
                    let why = serde_json::from_str::<EndOfStream>(&data)
                        .map(|e| e.ended_by)
                        .unwrap_or_default();
                    stream.flush();
                    stream.update(StreamEvent::End(why));
                }
                _ => {}
            },
        },
    );
    stream
}
