//! skopeo's log lines, as logrus' text formatter writes them on stderr:
//! `time="2024-03-01T10:00:03Z" level=info msg="Copying image ref 1/3" from=… to=…`.

use crate::go::time::rfc3339_utc;

/// skopeo's log lines (logrus' text format) on stderr; `-q` keeps warnings and errors only.
pub(super) struct Log {
    /// `-q`: info lines are dropped.
    pub(super) quiet: bool,
}

impl Log {
    /// An `info` line, unless quiet.
    pub(super) fn info(&self, msg: &str, fields: &[(&str, &str)]) {
        if !self.quiet {
            log_line("info", msg, fields);
        }
    }

    /// A `warning` line.
    pub(super) fn warn(&self, msg: &str, fields: &[(&str, &str)]) {
        log_line("warning", msg, fields);
    }

    /// An `error` line.
    pub(super) fn error(&self, msg: &str, fields: &[(&str, &str)]) {
        log_line("error", msg, fields);
    }
}

/// Writes one line, stamped now, to stderr.
fn log_line(level: &str, msg: &str, fields: &[(&str, &str)]) {
    use std::io::Write;
    let line = format_line(crate::clock::now_secs() as i64, level, msg, fields);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// `time="…" level=… msg=… key=value…` for Unix seconds `secs`, as logrus' text formatter.
fn format_line(secs: i64, level: &str, msg: &str, fields: &[(&str, &str)]) -> String {
    let mut line = format!("time=\"{}\" level={level} msg={}", rfc3339_utc(secs), logfmt(msg));
    for (key, value) in fields {
        line.push_str(&format!(" {key}={}", logfmt(value)));
    }
    line
}

/// A logrus text value: bare when it is made of `[A-Za-z0-9-._/@^+]`, else Go-quoted.
fn logfmt(value: &str) -> String {
    let bare = !value.is_empty()
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/' | '@' | '^' | '+'));
    if bare {
        return value.to_string();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_values_and_times() {
        assert_eq!(logfmt("ns/app"), "ns/app");
        assert_eq!(logfmt("docker://h:1/a"), "\"docker://h:1/a\"");
        assert_eq!(logfmt("say \"hi\""), "\"say \\\"hi\\\"\"");
    }

    #[test]
    fn values_outside_logrus_bare_set_are_quoted() {
        for bare in ["1.0.0", "a-b_c/d@sha256^x+y", "UPPER123"] {
            assert_eq!(logfmt(bare), bare);
        }
        assert_eq!(logfmt("two words"), "\"two words\"");
        assert_eq!(logfmt("h:5000"), "\"h:5000\"");
        assert_eq!(logfmt("line\nbreak\ttab\\"), "\"line\\nbreak\\ttab\\\\\"");
        assert_eq!(logfmt("café"), "\"café\"", "non-ASCII letters are quoted, not escaped");
    }

    #[test]
    fn lines_are_logrus_text() {
        assert_eq!(
            format_line(1_709_287_203, "info", "Copying image ref 1/3", &[("from", "docker://h:1/a:1"), ("to", "dir:/x")]),
            "time=\"2024-03-01T10:00:03Z\" level=info msg=\"Copying image ref 1/3\" from=\"docker://h:1/a:1\" to=\"dir:/x\""
        );
        assert_eq!(
            format_line(0, "warning", "No refs to sync found", &[("registry", "h"), ("repo", "ns/app")]),
            "time=\"1970-01-01T00:00:00Z\" level=warning msg=\"No refs to sync found\" registry=h repo=ns/app"
        );
        assert_eq!(format_line(0, "error", "x", &[]), "time=\"1970-01-01T00:00:00Z\" level=error msg=x");
    }
}
