//! A small hook over the browser's `EventSource`: it opens when the URL signal holds a URL,
//! reopens when the URL changes, and closes when the URL becomes `None` or the owner is
//! cleaned up. On the server it does nothing.

use leptos::prelude::*;

/// What the hook reports.
#[derive(Clone, Debug, PartialEq)]
pub enum SseMessage {
    /// The connection is open (again).
    Open,
    /// A named event.
    Event {
        name: &'static str,
        id: String,
        data: String,
    },
    /// The connection failed; `closed` when the browser gave up (an HTTP error status),
    /// otherwise it reconnects by itself.
    Error { closed: bool },
}

/// Listens to `names` on the stream at `url`, calling `on_message` for each message.
pub fn use_event_source(
    url: Signal<Option<String>>,
    names: &'static [&'static str],
    on_message: impl Fn(SseMessage) + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        use std::rc::Rc;
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;

        type Handler = Closure<dyn FnMut(web_sys::Event)>;
        struct Conn {
            es: web_sys::EventSource,
            _handlers: Vec<Handler>,
        }
        impl Drop for Conn {
            fn drop(&mut self) {
                self.es.close();
            }
        }

        let on_message = Rc::new(on_message);
        let conn = StoredValue::new_local(None::<Conn>);
        Effect::new(move |_| {
            let target = url.get();
            // Dropping the old connection closes it.
            conn.set_value(None);
            let Some(u) = target else { return };
            let Ok(es) = web_sys::EventSource::new(&u) else {
                on_message(SseMessage::Error { closed: true });
                return;
            };
            let mut handlers: Vec<Handler> = Vec::new();
            for name in names {
                let cb = Rc::clone(&on_message);
                // Per event: only its data and id cross into WASM (the name is known here; the
                // listener only ever gets message events).
                let h: Handler = Closure::new(move |ev: web_sys::Event| {
                    let m: web_sys::MessageEvent = ev.unchecked_into();
                    cb(SseMessage::Event {
                        name,
                        id: m.last_event_id(),
                        data: m.data().as_string().unwrap_or_default(),
                    });
                });
                let _ = es.add_event_listener_with_callback(name, h.as_ref().unchecked_ref());
                handlers.push(h);
            }
            let cb = Rc::clone(&on_message);
            let open: Handler = Closure::new(move |_| cb(SseMessage::Open));
            es.set_onopen(Some(open.as_ref().unchecked_ref()));
            handlers.push(open);
            let cb = Rc::clone(&on_message);
            let source = es.clone();
            let error: Handler = Closure::new(move |_| {
                cb(SseMessage::Error {
                    closed: source.ready_state() == web_sys::EventSource::CLOSED,
                })
            });
            es.set_onerror(Some(error.as_ref().unchecked_ref()));
            handlers.push(error);
            conn.set_value(Some(Conn {
                es,
                _handlers: handlers,
            }));
        });
        on_cleanup(move || {
            conn.try_set_value(None);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, names, on_message);
}
