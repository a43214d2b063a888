//! The viewer's line buffer: lines kept as they came, decoded only when drawn, appended once
//! per frame, the oldest leaving past the capacity.

/// Lines a cold range loads at most (the viewer's buffer).
pub const BUFFER_LINES: usize = 100_000;

/// One received line as it came (the event's JSON) and our own sequence number (for
/// selection). It is decoded only when drawn or saved: appending stays cheap however many
/// lines arrive, and only the few lines on screen are ever decoded while they stream in.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub seq: u64,
    pub raw: String,
}

impl Line {
    /// The line decoded; text that is not a log line's JSON becomes the message.
    pub fn parsed(&self) -> crate::model::logs::LogLine {
        serde_json::from_str(&self.raw).unwrap_or_else(|_| crate::model::logs::LogLine {
            message: self.raw.clone(),
            ..Default::default()
        })
    }
}

/// The viewer's lines: received ones wait in `pending` until the next drawing (one DOM
/// update per animation frame, however many lines arrived), then join the list, the oldest
/// leaving past `capacity`.
#[derive(Clone, Debug, Default)]
pub struct LineBuffer {
    lines: std::collections::VecDeque<Line>,
    pending: std::collections::VecDeque<Line>,
    capacity: usize,
    next_seq: u64,
    dropped: u64,
}

impl LineBuffer {
    /// An empty buffer keeping at most `capacity` lines.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            ..Self::default()
        }
    }

    /// Takes a received line (shown at the next flush); its sequence number.
    pub fn receive(&mut self, raw: String) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        // Never more waiting than can be shown (a tab in the background draws no frames).
        if self.pending.len() >= self.capacity {
            self.pending.pop_front();
            self.dropped += 1;
        }
        self.pending.push_back(Line { seq, raw });
        seq
    }

    /// Whether lines wait for the next flush.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Moves the waiting lines into the list; how many joined.
    pub fn flush(&mut self) -> usize {
        let n = self.pending.len();
        self.lines.extend(self.pending.drain(..));
        let over = self.lines.len().saturating_sub(self.capacity);
        self.lines.drain(..over);
        self.dropped += over as u64;
        n
    }

    /// Forgets every line (shown and waiting) and the dropped count.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.pending.clear();
        self.dropped = 0;
    }

    /// Lines in the list.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Older lines that left the list.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The lines `start..end` of the list (clamped).
    pub fn range(&self, start: usize, end: usize) -> Vec<Line> {
        let end = end.min(self.lines.len());
        self.lines.range(start.min(end)..end).cloned().collect()
    }

    /// Every line of the list, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter()
    }

    /// The count shown beside the list, e.g. "1200 lines (300 older ones dropped)".
    pub fn count_text(&self) -> String {
        match self.dropped {
            0 => format!("{} lines", self.len()),
            d => format!("{} lines ({d} older ones dropped)", self.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u32) -> String {
        format!(r#"{{"id":"{n}","message":"line {n}"}}"#)
    }

    #[test]
    fn lines_are_decoded_when_drawn() {
        let mut b = LineBuffer::new(10);
        b.receive(line(7));
        b.receive("not json".into());
        b.flush();
        let shown = b.range(0, 2);
        assert_eq!(shown[0].parsed().message, "line 7");
        assert_eq!(shown[0].parsed().id, "7");
        assert_eq!(shown[1].parsed().message, "not json");
    }

    #[test]
    fn received_lines_join_the_list_at_the_flush_oldest_leaving() {
        let mut b = LineBuffer::new(3);
        assert_eq!(b.receive(line(0)), 0);
        assert_eq!(b.receive(line(1)), 1);
        assert!(b.has_pending());
        assert!(b.is_empty(), "not shown before the flush");
        assert_eq!(b.flush(), 2);
        assert_eq!(b.len(), 2);
        for n in 2..6 {
            b.receive(line(n));
        }
        assert_eq!(b.flush(), 3, "no more waits than the buffer holds");
        assert_eq!(b.len(), 3);
        assert_eq!(b.dropped(), 3);
        let seqs: Vec<u64> = b.iter().map(|l| l.seq).collect();
        assert_eq!(seqs, [3, 4, 5]);
        assert_eq!(b.count_text(), "3 lines (3 older ones dropped)");
        assert_eq!(b.flush(), 0, "nothing waits");
    }

    #[test]
    fn more_lines_than_the_buffer_holds_keep_the_newest() {
        let mut b = LineBuffer::new(1000);
        for n in 0..10_000 {
            b.receive(line(n));
        }
        assert_eq!(b.flush(), 1000, "only the newest waited");
        assert_eq!(b.len(), 1000);
        assert_eq!(b.dropped(), 9000);
        assert_eq!(b.range(0, 1)[0].seq, 9000);
        assert_eq!(b.range(990, 5000).len(), 10, "clamped");
        b.clear();
        assert_eq!((b.len(), b.dropped(), b.has_pending()), (0, 0, false));
        assert_eq!(b.receive(line(1)), 10_000, "sequence numbers never repeat");
    }
}
