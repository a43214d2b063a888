//! Logs in the browser and on the relay: the stream's filter from a URL query (`filter`), the
//! viewer's settings (`viewer`), its line buffer (`buffer`) and connection status (`status`),
//! and SSE fields made safe (`sse`).

mod buffer;
mod filter;
pub mod position;
mod sse;
mod status;
mod text;
mod viewer;

pub use buffer::{BUFFER_LINES, Line, LineBuffer};
pub use filter::{FIELDS, LogFilter, MAX_FILTER, MAX_LIMIT};
pub use sse::clean_field;
pub use status::{StreamEvent, ViewerStatus};
pub use text::plain_text;
pub use viewer::{Range, ViewerSettings};
