//! Where in a TOML text a parse error is, for messages that send the person to the line.

/// " at line L, column C" of `text` where a TOML error's span starts; empty without one.
pub(crate) fn at_line(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    let Some(start) = span.map(|s| s.start.min(text.len())) else {
        return String::new();
    };
    let before = text.get(..start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!(" at line {line}, column {column}")
}
