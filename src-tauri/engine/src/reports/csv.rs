//! CSV text as RFC 4180 has it, for the reports' exports: fields separated by commas, each
//! record ended by CRLF, a field quoted when it holds a comma, a double quote, CR or LF, with
//! its quotes doubled. A spreadsheet would run a field starting `=`, `+`, `@` (or `-` not
//! starting a number) as a formula, so such a field is written with a leading `'`: names and
//! reasons typed at a desk never run on a supervisor's computer.

/// The whole file: the header, then each row.
pub fn to_csv<S: AsRef<str>>(header: &[S], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    push_record(&mut out, header.iter().map(AsRef::as_ref));
    for row in rows {
        push_record(&mut out, row.iter().map(String::as_str));
    }
    out
}

fn push_record<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, field);
    }
    out.push_str("\r\n");
}

fn push_field(out: &mut String, field: &str) {
    let field = defused(field);
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&field);
    }
}

/// The field as a spreadsheet will show it rather than run it.
fn defused(field: &str) -> std::borrow::Cow<'_, str> {
    let formula = match field.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => field.len() > 1 && field.parse::<f64>().is_err(),
        _ => false,
    };
    if formula {
        format!("'{field}").into()
    } else {
        field.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        let rows = vec![
            vec!["plain".to_string(), "a, b".into(), "say \"hi\"".into()],
            vec!["two\nlines".into(), String::new(), "-12".into()],
        ];
        assert_eq!(
            to_csv(&["one", "two", "three"], &rows),
            "one,two,three\r\nplain,\"a, b\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",,-12\r\n"
        );
    }

    #[test]
    fn a_formula_is_shown_not_run() {
        let rows = vec![vec![
            "=HYPERLINK(\"x\")".to_string(),
            "@SUM(A1)".into(),
            "-".into(),
        ]];
        assert_eq!(
            to_csv(&["a", "b", "c"], &rows),
            "a,b,c\r\n\"'=HYPERLINK(\"\"x\"\")\",'@SUM(A1),-\r\n"
        );
        assert_eq!(
            to_csv(&["x"], &[vec!["-cmd|' /C calc'!A0".to_string()]]),
            "x\r\n'-cmd|' /C calc'!A0\r\n"
        );
    }
}
