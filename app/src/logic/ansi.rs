//! ANSI colour codes of log lines turned into styled runs of plain text. The text is only
//! ever inserted as text (never as HTML), so a log line cannot inject markup.

/// A run of text with one style.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    /// Foreground colour 0–15 (8–15 bright), if any.
    pub fg: Option<u8>,
    pub bold: bool,
}

impl Run {
    /// CSS classes of this run (`ansi-fg-1 ansi-bold`), empty for plain text.
    pub fn class(&self) -> String {
        let mut c = String::new();
        if let Some(fg) = self.fg {
            c.push_str(&format!("ansi-fg-{fg}"));
        }
        if self.bold {
            if !c.is_empty() {
                c.push(' ');
            }
            c.push_str("ansi-bold");
        }
        c
    }
}

/// Splits `line` into styled runs. SGR codes 0, 1, 22, 30–37, 39 and 90–97 are understood;
/// every other escape sequence (cursor moves, 256 colours, OSC titles) is dropped; other
/// control characters but tab are dropped too.
pub fn parse(line: &str) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut cur = Run::default();
    let mut chars = line.chars().peekable();
    let flush = |cur: &mut Run, runs: &mut Vec<Run>| {
        if !cur.text.is_empty() {
            runs.push(Run {
                text: std::mem::take(&mut cur.text),
                ..cur.clone()
            });
        }
    };
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            if !c.is_control() || c == '\t' {
                cur.text.push(c);
            }
            continue;
        }
        match chars.peek() {
            Some('[') => {
                chars.next();
                let mut params = String::new();
                let mut end = None;
                for p in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&p) {
                        end = Some(p);
                        break;
                    }
                    params.push(p);
                }
                if end == Some('m') {
                    flush(&mut cur, &mut runs);
                    apply_sgr(&mut cur, &params);
                }
            }
            Some(']') => {
                // OSC: up to BEL or ESC \.
                chars.next();
                while let Some(p) = chars.next() {
                    if p == '\u{7}' || (p == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            Some(_) => {
                chars.next();
            }
            None => {}
        }
    }
    flush(&mut cur, &mut runs);
    runs
}

fn apply_sgr(cur: &mut Run, params: &str) {
    let codes: Vec<u16> = if params.is_empty() {
        vec![0]
    } else {
        params
            .split(';')
            .map(|p| p.parse().unwrap_or(u16::MAX))
            .collect()
    };
    let mut i = 0;
    while i < codes.len() {
        match codes[i] {
            0 => {
                cur.fg = None;
                cur.bold = false;
            }
            1 => cur.bold = true,
            22 => cur.bold = false,
            n @ 30..=37 => cur.fg = Some((n - 30) as u8),
            39 => cur.fg = None,
            n @ 90..=97 => cur.fg = Some((n - 90 + 8) as u8),
            // 256-colour and true-colour forms: skip their arguments.
            38 | 48 => {
                i += match codes.get(i + 1) {
                    Some(5) => 2,
                    Some(2) => 4,
                    _ => 0,
                };
            }
            _ => {}
        }
        i += 1;
    }
}

/// The line without any escape sequence (for copying and the text download).
pub fn strip(line: &str) -> String {
    parse(line).into_iter().map(|r| r.text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_bold_become_runs() {
        let runs = parse("\u{1b}[31mERROR\u{1b}[0m upstream \u{1b}[1mPOST /x\u{1b}[0m");
        assert_eq!(
            runs,
            [
                Run {
                    text: "ERROR".into(),
                    fg: Some(1),
                    bold: false
                },
                Run {
                    text: " upstream ".into(),
                    fg: None,
                    bold: false
                },
                Run {
                    text: "POST /x".into(),
                    fg: None,
                    bold: true
                },
            ]
        );
        assert_eq!(runs[0].class(), "ansi-fg-1");
        assert_eq!(runs[2].class(), "ansi-bold");
        assert_eq!(parse("\u{1b}[1;92mok")[0].class(), "ansi-fg-10 ansi-bold");
    }

    #[test]
    fn other_sequences_and_controls_are_dropped_and_markup_stays_text() {
        assert_eq!(strip("\u{1b}[2K\u{1b}[1Gdone\u{7}"), "done");
        assert_eq!(strip("\u{1b}]0;title\u{7}x"), "x");
        assert_eq!(strip("\u{1b}[38;5;196mred\u{1b}[m"), "red");
        assert_eq!(parse("\u{1b}[38;5;196mred")[0].fg, None);
        assert_eq!(
            strip("<img src=x onerror=alert(1)>"),
            "<img src=x onerror=alert(1)>"
        );
        assert_eq!(strip("a\tb\r"), "a\tb");
        assert_eq!(strip("trailing \u{1b}["), "trailing ");
        assert!(parse("").is_empty());
    }
}
