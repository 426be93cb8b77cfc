//! The Go `text/template` subset behind `skopeo inspect --format`.
//!
//! skopeo hands a user's `--format` to containers/common `pkg/report`, which
//!
//! 1. normalizes it ([`normalize_format`]): the two-character sequences `\t` and `\n` become a
//!    tab and a newline, and a newline is appended unless the format already ends with one; a
//!    format starting with `table ` additionally loses every `table ` and has every space turned
//!    into a tab;
//! 2. wraps it in `{{range .}}…{{end -}}` (unless it already ranges over `.`, see
//!    [`enforce_range`]) and executes it over a one-element list holding the inspect data;
//! 3. for `table` formats, aligns the output in columns with a Go `tabwriter` (minimum cell
//!    width 12, padding 2, space padding).
//!
//! [`render`] does all of that; [`Template`] parses and executes a template text as-is.
//! When [`is_json_format`] is true skopeo does not execute a template at all and prints the
//! indented JSON instead.
//!
//! # Supported template language
//!
//! Text and actions (`{{…}}`) with trim markers (`{{- ` and ` -}}`) and comments (`{{/* */}}`);
//! `.`, fields (`.A.B`), variables (`$`, `$x`, `$x.A`), literals (strings, raw strings,
//! numbers, characters, `true`, `false`, `nil`), parenthesized pipelines and `|` pipelines;
//! `{{if}}`/`{{else if}}`/`{{else}}`, `{{with}}`, `{{range}}` (arrays, maps in sorted key order,
//! integers) with `$i, $e :=`, `{{break}}`, `{{continue}}`, and `{{$x := …}}` / `{{$x = …}}`.
//!
//! Functions: Go's `and`, `or`, `not`, `len`, `index`, `print`, `printf`, `println`, `eq`, `ne`,
//! `lt`, `le`, `gt`, `ge`, and report's `json`, `join`, `lower`, `upper`, `title`, `split`,
//! `truncate`, `pad`. `define`, `template`, `block`, `call`, `slice`, `html`, `js` and
//! `urlquery` are not supported.
//!
//! Values print as Go's `fmt` `%v` prints them: strings raw, integers without `.0`, `true`,
//! `false`, `<nil>` for null, `[a b]` for arrays and `map[k1:v1 k2:v2]` (sorted keys) for
//! objects.
//!
//! The data is JSON, so Go structs and maps look alike: every object is treated as a map for
//! printing and truthiness, and as a struct for field access (a missing field is an error, as
//! it is for the Go struct skopeo uses). `index` on a missing key gives `""` (the zero value of
//! skopeo's `map[string]string` labels).

mod exec;
mod format;
mod funcs;
mod lexer;
mod parser;
mod tabwriter;
#[cfg(test)]
mod tests;

use serde_json::Value;

use crate::error::Result;
use parser::Node;
use tabwriter::tabwrite;

/// The template name skopeo uses; it appears in error messages.
const NAME: &str = "skopeo inspect";

/// Renders `data` with a user's `--format` the way `skopeo inspect --format FORMAT` prints it.
///
/// The format is normalized, wrapped in a range over a one-element list holding `data`, parsed,
/// executed and, for `table` formats, column-aligned (see the module documentation). The
/// result includes the trailing newline. Parse and execution errors are
/// [`Error::Template`](crate::error::Error::Template) with Go's one-line message.
///
/// This does not look at [`is_json_format`]; callers check that first.
pub fn render(template: &str, data: &Value) -> Result<String> {
    let table = template.starts_with("table ");
    let text = if table {
        format!("{{{{range .}}}}{}{{{{end -}}}}", normalize_format(template))
    } else {
        enforce_range(&normalize_format(template))
    };
    let parsed = Template::parse(NAME, &text)?;
    let out = parsed.execute(&Value::Array(vec![data.clone()]))?;
    Ok(if table { tabwrite(&out, 12, 2) } else { out })
}

/// Whether `--format` asks for JSON (containers/common `report.IsJSON`): `json`, `{{json}}`,
/// `{{json .}}`, `{{ json . }}`, with surrounding white space allowed.
pub fn is_json_format(format: &str) -> bool {
    let s = format.trim_matches(is_re_space);
    if s == "json" {
        return true;
    }
    let Some(inner) = s.strip_prefix("{{").and_then(|r| r.strip_suffix("}}")) else { return false };
    let Some(rest) = inner.trim_start_matches(is_re_space).strip_prefix("json") else { return false };
    let rest = rest.trim_start_matches(' ');
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    rest.chars().all(is_re_space)
}

/// containers/common `report.NormalizeFormat`: `\t` and `\n` written as two characters become
/// a tab and a newline, a `table ` format also loses every `table ` and turns spaces into tabs,
/// and a newline is appended unless the result ends with one.
pub fn normalize_format(format: &str) -> String {
    let table = format.starts_with("table ");
    let mut out = String::with_capacity(format.len() + 1);
    let mut rest = format;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("\\t") {
            out.push('\t');
            rest = &rest[2..];
        } else if rest.starts_with("\\n") {
            out.push('\n');
            rest = &rest[2..];
        } else if table && rest.starts_with("table ") {
            rest = &rest[6..];
        } else if table && c == ' ' {
            out.push('\t');
            rest = &rest[1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// containers/common `report.EnforceRange`: wraps `format` in `{{range .}}…{{end -}}` unless it
/// contains `{{range .}}` followed somewhere by `{{end}}` (white space and a trim marker allowed).
pub fn enforce_range(format: &str) -> String {
    let mut search = 0;
    let mut has_range = false;
    while let Some(found) = format[search..].find("{{") {
        let start = search + found;
        if let Some(after) = match_range_dot(&format[start + 2..]) {
            let tail = &format[start + 2 + after..];
            if (0..tail.len()).any(|i| tail.is_char_boundary(i) && match_end(&tail[i..])) {
                has_range = true;
                break;
            }
        }
        search = start + 2;
    }
    if has_range {
        format.to_string()
    } else {
        format!("{{{{range .}}}}{format}{{{{end -}}}}")
    }
}

/// `\s*range\s*\.\s*}}` at the start of `s`; returns the matched length.
fn match_range_dot(s: &str) -> Option<usize> {
    let r = s.trim_start_matches(is_re_space).strip_prefix("range")?;
    let r = r.trim_start_matches(is_re_space).strip_prefix('.')?;
    let r = r.trim_start_matches(is_re_space).strip_prefix("}}")?;
    Some(s.len() - r.len())
}

/// `{{\s*end\s*-?\s*}}` at the start of `s`.
fn match_end(s: &str) -> bool {
    let Some(r) = s.strip_prefix("{{") else { return false };
    let Some(r) = r.trim_start_matches(is_re_space).strip_prefix("end") else { return false };
    let r = r.trim_start_matches(is_re_space);
    let r = r.strip_prefix('-').unwrap_or(r);
    r.trim_start_matches(is_re_space).starts_with("}}")
}

/// White space as RE2's `\s` knows it.
fn is_re_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}

/// A parsed template, ready to execute.
#[derive(Debug, Clone)]
pub struct Template {
    name: String,
    text: String,
    root: Vec<Node>,
}

impl Template {
    /// Parses `text` exactly as given (no normalization). `name` appears in error messages,
    /// as Go's template name does.
    pub fn parse(name: &str, text: &str) -> Result<Template> {
        let root = parser::parse(name, text)?;
        Ok(Template { name: name.to_string(), text: text.to_string(), root })
    }

    /// Executes the template with `data` as `.` and `$`, returning the output.
    pub fn execute(&self, data: &Value) -> Result<String> {
        exec::execute(self, data)
    }
}
