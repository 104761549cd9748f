//! Text from outside the desk (a provider's answers, the registry, files) is printed to a
//! person's terminal; control characters in it could clear the screen, retitle the window or
//! hide what is shown. Everything the CLI prints passes through here.

use std::borrow::Cow;
use std::io::Write;

/// C0 controls other than newline and tab, DEL, and C1 controls (8-bit CSI, OSC, …).
fn is_control(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// `s` without terminal escape sequences or control characters; newlines and tabs, which lay
/// out what is printed, are kept. ESC takes its sequence with it: CSI (`ESC [ … final`), OSC and
/// other strings (`ESC ] … BEL` or `ESC \`), or the one character after it; likewise the 8-bit
/// CSI and string introducers.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let string = match c {
            '\u{1b}' => match chars.next() {
                Some('[') => false,
                Some(']' | 'P' | 'X' | '^' | '_') => true,
                _ => continue,
            },
            // The 8-bit forms of CSI, and of DCS, SOS, OSC, PM and APC.
            '\u{9b}' => false,
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => true,
            c => {
                if !is_control(c) {
                    out.push(c);
                }
                continue;
            }
        };
        if string {
            // A string is ended by BEL or ST (ESC \ or its 8-bit form).
            while let Some(p) = chars.next() {
                if p == '\u{7}' || p == '\u{9c}' {
                    break;
                }
                if p == '\u{1b}' {
                    chars.next_if_eq(&'\\');
                    break;
                }
            }
        } else {
            // CSI: parameters and intermediates up to a final byte in @..~.
            for p in chars.by_ref() {
                if ('@'..='~').contains(&p) {
                    break;
                }
            }
        }
    }
    Cow::Owned(out)
}

/// Passes JSON through, writing DEL and C1 characters as `\u00XX` escapes. serde_json escapes
/// C0 itself but leaves these raw; outside strings JSON is ASCII, so every one is in a string
/// and the escaped form decodes to the same text.
pub struct JsonEscapes<W: Write> {
    inner: W,
    /// The lead byte 0xC2 of a two-byte character cut off at the end of the last write.
    pending_lead: bool,
}

impl<W: Write> JsonEscapes<W> {
    pub fn new(inner: W) -> Self {
        JsonEscapes {
            inner,
            pending_lead: false,
        }
    }
}

impl<W: Write> Write for JsonEscapes<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut out = Vec::with_capacity(buf.len() + 8);
        for &b in buf {
            let lead = std::mem::take(&mut self.pending_lead);
            match b {
                // U+0080..U+009F are 0xC2 0x80..0x9F in UTF-8.
                0x80..=0x9f if lead => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
                _ => {
                    if lead {
                        out.push(0xc2);
                    }
                    match b {
                        0x7f => out.extend_from_slice(b"\\u007f"),
                        0xc2 => self.pending_lead = true,
                        _ => out.push(b),
                    }
                }
            }
        }
        self.inner.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if std::mem::take(&mut self.pending_lead) {
            self.inner.write_all(&[0xc2])?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_removed_and_layout_kept() {
        let hostile = "\u{1b}]0;pwned\u{7}\u{1b}[2JSore\tthroat\n\u{9b}31mnow\r\u{7f}\u{0}";
        assert_eq!(clean(hostile), "Sore\tthroat\nnow");
        assert_eq!(clean("\u{1b}]2;title\u{1b}\\kept"), "kept");
        assert_eq!(clean("a\u{1b}Mb\u{1b}"), "ab");
        assert_eq!(clean("unterminated \u{1b}[31"), "unterminated ");
        assert!(matches!(clean("Café — 10:30"), Cow::Borrowed(_)));
    }

    fn through(parts: &[&[u8]]) -> String {
        let mut out = JsonEscapes::new(Vec::new());
        for p in parts {
            out.write_all(p).expect("written");
        }
        out.flush().expect("flushed");
        String::from_utf8(out.inner).expect("utf-8")
    }

    #[test]
    fn json_keeps_text_but_escapes_del_and_c1() {
        let text = serde_json::to_string("a\u{9b}b\u{7f}é\u{a0}").expect("json");
        let escaped = through(&[text.as_bytes()]);
        assert_eq!(escaped, "\"a\\u009bb\\u007fé\u{a0}\"");
        let back: String = serde_json::from_str(&escaped).expect("still JSON");
        assert_eq!(back, "a\u{9b}b\u{7f}é\u{a0}");
        // A character split between two writes is still seen whole.
        let bytes = "x\u{9b}y\u{a0}".as_bytes();
        assert_eq!(
            through(&[&bytes[..2], &bytes[2..5], &bytes[5..]]),
            "x\\u009by\u{a0}"
        );
    }
}
