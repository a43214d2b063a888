//! A log line as plain text: the `.txt` download and "Copy selected".

use crate::logic::ansi;
use crate::model::date;
use crate::model::logs::LogLine;

/// `date instance service message`, the message without its colours and on one line (an
/// add-on's line names its host where an application's names its instance).
pub fn plain_text(l: &LogLine) -> String {
    let message = ansi::strip(&l.message);
    let message = if message.contains(['\n', '\r']) {
        message.replace(['\n', '\r'], " ")
    } else {
        message
    };
    format!(
        "{} {} {} {}",
        l.date.map(|d| date::format(&d)).unwrap_or_default(),
        l.instance_id
            .as_deref()
            .filter(|_| l.resource_id.is_none())
            .or(l.hostname.as_deref())
            .unwrap_or("-"),
        l.service.as_deref().unwrap_or("-"),
        message
    )
}
