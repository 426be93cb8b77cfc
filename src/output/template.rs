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

use serde_json::{Map, Value};

use super::json::{format_e, format_f, shortest_digits, try_to_go_json_compact_unescaped_html};
use crate::error::{Error, Result};

/// The template name skopeo uses; it appears in error messages.
const NAME: &str = "skopeo inspect";

/// How deeply actions and parentheses may nest before parsing gives up.
const MAX_DEPTH: usize = 100;

/// Renders `data` with a user's `--format` the way `skopeo inspect --format FORMAT` prints it.
///
/// The format is normalized, wrapped in a range over a one-element list holding `data`, parsed,
/// executed and, for `table` formats, column-aligned (see the module documentation). The
/// result includes the trailing newline. Parse and execution errors are [`Error::Template`]
/// with Go's one-line message.
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

/// White space as text/template knows it (trim markers, spaces between operands).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Text(String),
    LeftDelim,
    RightDelim,
    Field(String),
    Dot,
    Var(String),
    Ident(String),
    Str(String),
    Num(Value),
    Bool(bool),
    Nil,
    Pipe,
    LParen,
    RParen,
    Declare,
    Assign,
    Comma,
    /// Any other printable ASCII character inside an action; the parser rejects it.
    Char(char),
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: usize,
    /// The source text of the token (for error messages and node strings).
    src: String,
    space_before: bool,
}

struct Lexer<'a> {
    text: &'a str,
    toks: Vec<Token>,
}

impl<'a> Lexer<'a> {
    fn push(&mut self, tok: Tok, start: usize, end: usize, space_before: bool) {
        self.toks.push(Token { tok, pos: start, src: self.text[start..end].to_string(), space_before });
    }

    fn lex(text: &'a str) -> std::result::Result<Vec<Token>, (usize, String)> {
        let mut lx = Lexer { text, toks: Vec::new() };
        let mut i = 0;
        loop {
            let Some(found) = text[i..].find("{{") else {
                if i < text.len() {
                    lx.toks.push(Token { tok: Tok::Text(text[i..].to_string()), pos: i, src: String::new(), space_before: false });
                }
                break;
            };
            let open = i + found;
            let mut p = open + 2;
            let trim_left = has_trim_marker_after(text, p);
            let mut chunk = &text[i..open];
            if trim_left {
                chunk = chunk.trim_end_matches(is_space);
                p += 2;
            }
            if !chunk.is_empty() {
                lx.toks.push(Token { tok: Tok::Text(chunk.to_string()), pos: i, src: String::new(), space_before: false });
            }
            let (end, trim_right) = if text[p..].starts_with("/*") {
                lx.lex_comment(open, p)?
            } else {
                lx.push(Tok::LeftDelim, open, open + 2, false);
                lx.lex_action(p)?
            };
            i = end;
            if trim_right {
                i = text.len() - text[i..].trim_start_matches(is_space).len();
            }
        }
        lx.toks.push(Token { tok: Tok::Eof, pos: text.len(), src: String::new(), space_before: false });
        Ok(lx.toks)
    }

    /// Checks for `}}` or ` -}}` at `p`; returns (length, trim).
    fn at_right_delim(&self, p: usize) -> Option<(usize, bool)> {
        let rest = &self.text[p..];
        let mut chars = rest.chars();
        if let (Some(a), Some('-')) = (chars.next(), chars.next()) {
            if is_space(a) && rest[a.len_utf8() + 1..].starts_with("}}") {
                return Some((a.len_utf8() + 3, true));
            }
        }
        rest.starts_with("}}").then_some((2, false))
    }

    fn lex_comment(&mut self, open: usize, p: usize) -> std::result::Result<(usize, bool), (usize, String)> {
        let Some(close) = self.text[p + 2..].find("*/") else {
            return Err((open, "unclosed comment".into()));
        };
        let q = p + 2 + close + 2;
        match self.at_right_delim(q) {
            Some((len, trim)) => Ok((q + len, trim)),
            None => Err((open, "comment ends before closing delimiter".into())),
        }
    }

    fn lex_action(&mut self, mut p: usize) -> std::result::Result<(usize, bool), (usize, String)> {
        let text = self.text;
        let mut space = false;
        let mut parens = 0usize;
        loop {
            if let Some((len, trim)) = self.at_right_delim(p) {
                if parens > 0 {
                    return Err((p, "unclosed left paren".into()));
                }
                self.push(Tok::RightDelim, p, p + len, space);
                return Ok((p + len, trim));
            }
            let Some(c) = text[p..].chars().next() else {
                return Err((p, "unclosed action".into()));
            };
            let start = p;
            if is_space(c) {
                space = true;
                p += 1;
                continue;
            }
            let next = text[p + c.len_utf8()..].chars().next();
            match c {
                '=' => {
                    p += 1;
                    self.push(Tok::Assign, start, p, space);
                }
                ':' => {
                    if next != Some('=') {
                        return Err((p, "expected :=".into()));
                    }
                    p += 2;
                    self.push(Tok::Declare, start, p, space);
                }
                '|' => {
                    p += 1;
                    self.push(Tok::Pipe, start, p, space);
                }
                ',' => {
                    p += 1;
                    self.push(Tok::Comma, start, p, space);
                }
                '(' => {
                    p += 1;
                    parens += 1;
                    self.push(Tok::LParen, start, p, space);
                }
                ')' => {
                    if parens == 0 {
                        return Err((p, "unexpected right paren".into()));
                    }
                    parens -= 1;
                    p += 1;
                    self.push(Tok::RParen, start, p, space);
                }
                '"' => {
                    let mut q = p + 1;
                    loop {
                        match text[q..].chars().next() {
                            None | Some('\n') => return Err((start, "unterminated quoted string".into())),
                            Some('\\') => {
                                q += 1;
                                match text[q..].chars().next() {
                                    None | Some('\n') => return Err((start, "unterminated quoted string".into())),
                                    Some(e) => q += e.len_utf8(),
                                }
                            }
                            Some('"') => {
                                q += 1;
                                break;
                            }
                            Some(o) => q += o.len_utf8(),
                        }
                    }
                    let value = unquote(&text[p + 1..q - 1]).ok_or((start, "invalid syntax in quoted string".to_string()))?;
                    p = q;
                    self.push(Tok::Str(value), start, p, space);
                }
                '`' => {
                    let Some(close) = text[p + 1..].find('`') else {
                        return Err((start, "unterminated raw quoted string".into()));
                    };
                    let q = p + 1 + close + 1;
                    let value = text[p + 1..q - 1].replace('\r', "");
                    p = q;
                    self.push(Tok::Str(value), start, p, space);
                }
                '\'' => {
                    let mut q = p + 1;
                    loop {
                        match text[q..].chars().next() {
                            None | Some('\n') => return Err((start, "unterminated character constant".into())),
                            Some('\\') => {
                                q += 1;
                                if let Some(e) = text[q..].chars().next() {
                                    q += e.len_utf8();
                                }
                            }
                            Some('\'') => {
                                q += 1;
                                break;
                            }
                            Some(o) => q += o.len_utf8(),
                        }
                    }
                    let inner = text[p + 1..q - 1].replace("\\'", "'");
                    let value = unquote(&inner).filter(|s| s.chars().count() == 1);
                    let Some(ch) = value.and_then(|s| s.chars().next()) else {
                        return Err((start, format!("malformed character constant: {}", &text[p..q])));
                    };
                    p = q;
                    self.push(Tok::Num(Value::from(ch as u32)), start, p, space);
                }
                '$' => {
                    let q = p + 1 + alnum_len(&text[p + 1..]);
                    p = q;
                    self.push(Tok::Var(text[start..q].to_string()), start, p, space);
                }
                '.' if next.is_some_and(|n| n.is_ascii_digit()) => {
                    p = self.lex_number(p, space)?;
                }
                '.' => {
                    let n = alnum_len(&text[p + 1..]);
                    p += 1 + n;
                    if n == 0 {
                        self.push(Tok::Dot, start, p, space);
                    } else {
                        self.push(Tok::Field(text[start + 1..p].to_string()), start, p, space);
                    }
                }
                '+' | '-' | '0'..='9' => {
                    p = self.lex_number(p, space)?;
                }
                c if c == '_' || c.is_alphabetic() => {
                    p += alnum_len(&text[p..]);
                    let word = &text[start..p];
                    let tok = match word {
                        "true" => Tok::Bool(true),
                        "false" => Tok::Bool(false),
                        "nil" => Tok::Nil,
                        _ => Tok::Ident(word.to_string()),
                    };
                    self.push(tok, start, p, space);
                }
                c if c.is_ascii() && !c.is_ascii_control() => {
                    p += 1;
                    self.push(Tok::Char(c), start, p, space);
                }
                c => return Err((p, format!("unrecognized character in action: U+{:04X}", c as u32))),
            }
            space = false;
        }
    }

    fn lex_number(&mut self, start: usize, space: bool) -> std::result::Result<usize, (usize, String)> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut q = start;
        if matches!(bytes[q], b'+' | b'-') {
            q += 1;
        }
        while q < bytes.len() {
            let b = bytes[q];
            let exp_sign = matches!(b, b'+' | b'-') && q > start && matches!(bytes[q - 1], b'e' | b'E' | b'p' | b'P')
                && !text[start..q].to_ascii_lowercase().starts_with("0x");
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || exp_sign {
                q += 1;
            } else {
                break;
            }
        }
        let src = &text[start..q];
        let value = parse_number(src).ok_or((start, format!("bad number syntax: {src:?}")))?;
        self.push(Tok::Num(value), start, q, space);
        Ok(q)
    }
}

fn has_trim_marker_after(text: &str, p: usize) -> bool {
    let mut chars = text[p..].chars();
    chars.next() == Some('-') && chars.next().is_some_and(is_space)
}

fn alnum_len(s: &str) -> usize {
    s.char_indices().find(|&(_, c)| !(c == '_' || c.is_alphanumeric())).map_or(s.len(), |(i, _)| i)
}

fn parse_number(src: &str) -> Option<Value> {
    let clean = src.replace('_', "");
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let radix = [("0x", 16), ("0o", 8), ("0b", 2)].iter().find(|(p, _)| lower.starts_with(p));
    let int = match radix {
        Some((prefix, radix)) => Some(i128::from_str_radix(&lower[prefix.len()..], *radix).ok()?),
        None if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|b| b.is_ascii_digit()) => {
            Some(i128::from_str_radix(&lower[1..], 8).ok()?)
        }
        None if lower.bytes().all(|b| b.is_ascii_digit()) => Some(lower.parse::<i128>().ok()?),
        None => None,
    };
    if let Some(i) = int {
        let i = if neg { -i } else { i };
        return if let Ok(v) = i64::try_from(i) {
            Some(Value::from(v))
        } else if let Ok(v) = u64::try_from(i) {
            Some(Value::from(v))
        } else {
            None
        };
    }
    if !lower.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'+' | b'-')) {
        return None;
    }
    let f: f64 = lower.parse().ok()?;
    let f = if neg { -f } else { f };
    serde_json::Number::from_f64(f).map(Value::Number)
}

/// Go's interpretation of the escapes inside a double-quoted string literal.
fn unquote(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let hex = |chars: &mut std::str::Chars, n: usize| -> Option<u32> {
            let digits: String = chars.by_ref().take(n).collect();
            if digits.len() != n {
                return None;
            }
            u32::from_str_radix(&digits, 16).ok()
        };
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            'x' => {
                let v = hex(&mut chars, 2)?;
                // A byte above 0x7f would not be valid UTF-8 on its own.
                out.push(if v < 0x80 { char::from_u32(v)? } else { '\u{fffd}' });
            }
            'u' => out.push(char::from_u32(hex(&mut chars, 4)?)?),
            'U' => out.push(char::from_u32(hex(&mut chars, 8)?)?),
            '0'..='7' => {
                let rest: String = chars.by_ref().take(2).collect();
                if rest.len() != 2 {
                    return None;
                }
                let v = u32::from_str_radix(&format!("{e}{rest}"), 8).ok()?;
                if v > 255 {
                    return None;
                }
                out.push(if v < 0x80 { char::from_u32(v)? } else { '\u{fffd}' });
            }
            _ => return None,
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Syntax tree and parser
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Action(Pipe),
    If { pipe: Pipe, list: Vec<Node>, else_list: Option<Vec<Node>> },
    With { pipe: Pipe, list: Vec<Node>, else_list: Option<Vec<Node>> },
    Range { pipe: Pipe, list: Vec<Node>, else_list: Option<Vec<Node>> },
    Break,
    Continue,
}

#[derive(Debug, Clone)]
struct Pipe {
    pos: usize,
    decl: Vec<String>,
    is_assign: bool,
    cmds: Vec<Cmd>,
}

#[derive(Debug, Clone)]
struct Cmd {
    pos: usize,
    args: Vec<Arg>,
}

#[derive(Debug, Clone)]
enum Arg {
    Dot,
    Nil,
    Literal { value: Value, src: String },
    Field { pos: usize, chain: Vec<String> },
    Var { pos: usize, name: String, chain: Vec<String> },
    Func { name: String },
    Pipe { pos: usize, pipe: Box<Pipe>, chain: Vec<String> },
}

impl std::fmt::Display for Arg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arg::Dot => f.write_str("."),
            Arg::Nil => f.write_str("nil"),
            Arg::Literal { src, .. } => f.write_str(src),
            Arg::Field { chain, .. } => chain.iter().try_for_each(|c| write!(f, ".{c}")),
            Arg::Var { name, chain, .. } => {
                f.write_str(name)?;
                chain.iter().try_for_each(|c| write!(f, ".{c}"))
            }
            Arg::Func { name } => f.write_str(name),
            Arg::Pipe { pipe, chain, .. } => {
                write!(f, "({pipe})")?;
                chain.iter().try_for_each(|c| write!(f, ".{c}"))
            }
        }
    }
}

impl std::fmt::Display for Cmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Pipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.decl.is_empty() {
            write!(f, "{} {} ", self.decl.join(", "), if self.is_assign { "=" } else { ":=" })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// Names the template language knows as functions.
const FUNCTIONS: &[&str] = &[
    "and", "or", "not", "len", "index", "print", "printf", "println", "eq", "ne", "lt", "le", "gt", "ge",
    "json", "join", "lower", "upper", "title", "split", "truncate", "pad",
    // Defined by Go but not implemented here: they fail when called.
    "call", "slice", "html", "js", "urlquery",
];

enum ListEnd {
    Eof,
    End,
    Else,
}

struct Parser<'a> {
    toks: Vec<Token>,
    i: usize,
    text: &'a str,
    name: &'a str,
    vars: Vec<String>,
    depth: usize,
    range_depth: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token {
        &self.toks[self.i.min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn error(&self, pos: usize, msg: impl std::fmt::Display) -> Error {
        let line = 1 + self.text[..pos.min(self.text.len())].matches('\n').count();
        Error::Template(format!("template: {}:{}: {}", self.name, line, msg))
    }

    fn describe(t: &Token) -> String {
        match &t.tok {
            Tok::Eof => "EOF".into(),
            Tok::Ident(k) if matches!(k.as_str(), "if" | "else" | "end" | "range" | "with" | "break" | "continue") => {
                format!("<{k}>")
            }
            _ => format!("{:?}", t.src),
        }
    }

    fn enter(&mut self, pos: usize) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(pos, "template is nested too deeply"));
        }
        Ok(())
    }

    fn expect_right_delim(&mut self, context: &str) -> Result<()> {
        let t = self.next();
        if t.tok == Tok::RightDelim {
            Ok(())
        } else {
            Err(self.error(t.pos, format!("unexpected {} in {context}", Self::describe(&t))))
        }
    }

    fn parse_list(&mut self) -> Result<(Vec<Node>, ListEnd)> {
        let mut nodes = Vec::new();
        loop {
            let t = self.next();
            match t.tok {
                Tok::Eof => return Ok((nodes, ListEnd::Eof)),
                Tok::Text(s) => nodes.push(Node::Text(s)),
                Tok::LeftDelim => {
                    let kw = self.peek().clone();
                    match &kw.tok {
                        Tok::Ident(k) if k == "end" => {
                            self.next();
                            self.expect_right_delim("end")?;
                            return Ok((nodes, ListEnd::End));
                        }
                        Tok::Ident(k) if k == "else" => {
                            self.next();
                            return Ok((nodes, ListEnd::Else));
                        }
                        Tok::Ident(k) if matches!(k.as_str(), "if" | "range" | "with") => {
                            let k = k.clone();
                            self.next();
                            nodes.push(self.parse_control(&k, kw.pos)?);
                        }
                        Tok::Ident(k) if matches!(k.as_str(), "break" | "continue") => {
                            let k = k.clone();
                            self.next();
                            if self.range_depth == 0 {
                                return Err(self.error(kw.pos, format!("{{{{{k}}}}} outside {{{{range}}}}")));
                            }
                            self.expect_right_delim(&k)?;
                            nodes.push(if k == "break" { Node::Break } else { Node::Continue });
                        }
                        Tok::Ident(k) if matches!(k.as_str(), "define" | "template" | "block") => {
                            return Err(self.error(kw.pos, format!("{{{{{k}}}}} is not supported")));
                        }
                        _ => {
                            let pipe = self.parse_pipeline("command", true, Tok::RightDelim)?;
                            nodes.push(Node::Action(pipe));
                        }
                    }
                }
                _ => return Err(self.error(t.pos, format!("unexpected {}", Self::describe(&t)))),
            }
        }
    }

    fn parse_control(&mut self, kw: &str, pos: usize) -> Result<Node> {
        self.enter(pos)?;
        let scope = self.vars.len();
        let pipe = self.parse_pipeline(kw, true, Tok::RightDelim)?;
        if kw == "range" {
            self.range_depth += 1;
        }
        let (list, end) = self.parse_list()?;
        if kw == "range" {
            self.range_depth -= 1;
        }
        let else_list = match end {
            ListEnd::Eof => return Err(self.error(self.text.len(), "unexpected EOF")),
            ListEnd::End => None,
            ListEnd::Else => {
                let t = self.peek().clone();
                match &t.tok {
                    // `{{else if …}}` (and `{{else with …}}`) chain: the nested control consumes the {{end}}.
                    Tok::Ident(k) if (k == "if" && kw == "if") || (k == "with" && kw == "with") => {
                        self.next();
                        Some(vec![self.parse_control(kw, t.pos)?])
                    }
                    _ => {
                        self.expect_right_delim("else")?;
                        let (else_list, end) = self.parse_list()?;
                        match end {
                            ListEnd::End => Some(else_list),
                            ListEnd::Else => return Err(self.error(t.pos, "expected end; found {{else}}")),
                            ListEnd::Eof => return Err(self.error(self.text.len(), "unexpected EOF")),
                        }
                    }
                }
            }
        };
        self.vars.truncate(scope);
        self.depth -= 1;
        Ok(match kw {
            "if" => Node::If { pipe, list, else_list },
            "with" => Node::With { pipe, list, else_list },
            _ => Node::Range { pipe, list, else_list },
        })
    }

    fn parse_pipeline(&mut self, context: &str, allow_decl: bool, end: Tok) -> Result<Pipe> {
        let start = self.peek().pos;
        let mut pipe = Pipe { pos: start, decl: Vec::new(), is_assign: false, cmds: Vec::new() };
        if allow_decl {
            self.parse_decl(context, &mut pipe)?;
        }
        loop {
            let t = self.peek().clone();
            if t.tok == end {
                self.next();
                break;
            }
            match t.tok {
                Tok::Eof | Tok::RightDelim | Tok::RParen | Tok::Text(_) | Tok::LeftDelim => {
                    return Err(self.error(t.pos, format!("unexpected {} in {context}", Self::describe(&t))));
                }
                _ => {
                    let cmd = self.parse_command()?;
                    pipe.cmds.push(cmd);
                }
            }
        }
        if pipe.cmds.is_empty() {
            return Err(self.error(start, format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(c.args[0], Arg::Dot | Arg::Nil | Arg::Literal { .. }) {
                return Err(self.error(c.pos, format!("non executable command in pipeline stage {}", i + 1)));
            }
        }
        Ok(pipe)
    }

    fn parse_decl(&mut self, context: &str, pipe: &mut Pipe) -> Result<()> {
        let Tok::Var(first) = &self.peek().tok else { return Ok(()) };
        let first = first.clone();
        let first_pos = self.peek().pos;
        let after = self.toks.get(self.i + 1).map(|t| t.tok.clone());
        match after {
            Some(Tok::Declare) | Some(Tok::Assign) => {
                self.i += 2;
                if after == Some(Tok::Assign) {
                    if !self.vars.contains(&first) {
                        return Err(self.error(first_pos, format!("undefined variable {first:?}")));
                    }
                    pipe.is_assign = true;
                } else {
                    self.vars.push(first.clone());
                }
                pipe.decl.push(first);
            }
            Some(Tok::Comma) if context == "range" => {
                self.i += 2;
                let second = self.next();
                let Tok::Var(second_name) = second.tok else {
                    return Err(self.error(second.pos, "range can only initialize variables"));
                };
                let op = self.next();
                if op.tok != Tok::Declare && op.tok != Tok::Assign {
                    return Err(self.error(op.pos, "too many declarations in range"));
                }
                for v in [&first, &second_name] {
                    if op.tok == Tok::Assign && !self.vars.contains(v) {
                        return Err(self.error(first_pos, format!("undefined variable {v:?}")));
                    }
                }
                if op.tok == Tok::Declare {
                    self.vars.push(first.clone());
                    self.vars.push(second_name.clone());
                } else {
                    pipe.is_assign = true;
                }
                pipe.decl = vec![first, second_name];
            }
            _ => {}
        }
        Ok(())
    }

    fn parse_command(&mut self) -> Result<Cmd> {
        let pos = self.peek().pos;
        let mut cmd = Cmd { pos, args: Vec::new() };
        loop {
            let t = self.peek().clone();
            if !cmd.args.is_empty() && !t.space_before && !matches!(t.tok, Tok::RightDelim | Tok::RParen | Tok::Pipe) {
                return Err(self.error(t.pos, format!("unexpected {} in operand", Self::describe(&t))));
            }
            match t.tok {
                Tok::RightDelim | Tok::RParen => break,
                Tok::Pipe => {
                    self.next();
                    break;
                }
                _ => {
                    let arg = self.parse_operand()?;
                    cmd.args.push(arg);
                }
            }
        }
        if cmd.args.is_empty() {
            return Err(self.error(pos, "empty command"));
        }
        Ok(cmd)
    }

    fn parse_operand(&mut self) -> Result<Arg> {
        let t = self.next();
        let mut arg = match t.tok {
            Tok::Ident(name) => {
                if !FUNCTIONS.contains(&name.as_str()) {
                    return Err(self.error(t.pos, format!("function {name:?} not defined")));
                }
                Arg::Func { name }
            }
            Tok::Dot => Arg::Dot,
            Tok::Nil => Arg::Nil,
            Tok::Var(name) => {
                if name != "$" && !self.vars.contains(&name) {
                    return Err(self.error(t.pos, format!("undefined variable {name:?}")));
                }
                Arg::Var { pos: t.pos, name, chain: Vec::new() }
            }
            Tok::Field(name) => Arg::Field { pos: t.pos, chain: vec![name] },
            Tok::Bool(b) => Arg::Literal { value: Value::Bool(b), src: t.src },
            Tok::Num(n) => Arg::Literal { value: n, src: t.src },
            Tok::Str(s) => Arg::Literal { value: Value::String(s), src: t.src },
            Tok::LParen => {
                self.enter(t.pos)?;
                let pipe = self.parse_pipeline("parenthesized pipeline", true, Tok::RParen)?;
                self.depth -= 1;
                Arg::Pipe { pos: t.pos, pipe: Box::new(pipe), chain: Vec::new() }
            }
            _ => return Err(self.error(t.pos, format!("unexpected {} in operand", Self::describe(&t)))),
        };
        while let Tok::Field(name) = &self.peek().tok {
            if self.peek().space_before {
                break;
            }
            let name = name.clone();
            let pos = self.peek().pos;
            match &mut arg {
                Arg::Field { chain, .. } | Arg::Var { chain, .. } | Arg::Pipe { chain, .. } => chain.push(name),
                other => return Err(self.error(pos, format!("unexpected . after term {:?}", other.to_string()))),
            }
            self.next();
        }
        Ok(arg)
    }
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
        let toks = Lexer::lex(text).map_err(|(pos, msg)| {
            let line = 1 + text[..pos.min(text.len())].matches('\n').count();
            Error::Template(format!("template: {name}:{line}: {msg}"))
        })?;
        let mut parser = Parser { toks, i: 0, text, name, vars: vec!["$".to_string()], depth: 0, range_depth: 0 };
        let (root, end) = parser.parse_list()?;
        match end {
            ListEnd::Eof => Ok(Template { name: name.to_string(), text: text.to_string(), root }),
            ListEnd::End => Err(parser.error(parser.toks[parser.i.saturating_sub(2)].pos, "unexpected {{end}}")),
            ListEnd::Else => Err(parser.error(parser.toks[parser.i.saturating_sub(1)].pos, "unexpected {{else}}")),
        }
    }

    /// Executes the template with `data` as `.` and `$`, returning the output.
    pub fn execute(&self, data: &Value) -> Result<String> {
        let mut st = State { tmpl: self, out: String::new(), vars: vec![("$".to_string(), data.clone())] };
        st.walk(data, &self.root)?;
        Ok(st.out)
    }
}

// ---------------------------------------------------------------------------------------------
// Execution
// ---------------------------------------------------------------------------------------------

enum Flow {
    Normal,
    Break,
    Continue,
}

struct State<'t> {
    tmpl: &'t Template,
    out: String,
    vars: Vec<(String, Value)>,
}

/// Where an execution error happened: byte position and the node text Go shows in `<…>`.
struct At {
    pos: usize,
    context: String,
}

impl<'t> State<'t> {
    fn error(&self, at: &At, msg: impl std::fmt::Display) -> Error {
        let text = &self.tmpl.text[..at.pos.min(self.tmpl.text.len())];
        let line = 1 + text.matches('\n').count();
        let col = text.rfind('\n').map_or(at.pos, |nl| at.pos - nl - 1);
        let mut context = at.context.clone();
        if context.len() > 20 {
            let cut = (0..=20).rev().find(|&i| context.is_char_boundary(i)).unwrap_or(0);
            context = format!("{}...", &context[..cut]);
        }
        let name = &self.tmpl.name;
        Error::Template(format!("template: {name}:{line}:{col}: executing {name:?} at <{context}>: {msg}"))
    }

    fn walk(&mut self, dot: &Value, nodes: &[Node]) -> Result<Flow> {
        for node in nodes {
            match node {
                Node::Text(s) => self.out.push_str(s),
                Node::Action(pipe) => {
                    let v = self.eval_pipeline(dot, pipe)?;
                    if pipe.decl.is_empty() {
                        self.out.push_str(&go_sprint(&v));
                    }
                }
                Node::If { pipe, list, else_list } | Node::With { pipe, list, else_list } => {
                    let mark = self.vars.len();
                    let v = self.eval_pipeline(dot, pipe)?;
                    let flow = if truth(&v) {
                        let new_dot = if matches!(node, Node::With { .. }) { &v } else { dot };
                        self.walk(new_dot, list)?
                    } else if let Some(e) = else_list {
                        self.walk(dot, e)?
                    } else {
                        Flow::Normal
                    };
                    self.vars.truncate(mark);
                    if !matches!(flow, Flow::Normal) {
                        return Ok(flow);
                    }
                }
                Node::Range { pipe, list, else_list } => {
                    let mark = self.vars.len();
                    self.walk_range(dot, pipe, list, else_list.as_deref())?;
                    self.vars.truncate(mark);
                }
                Node::Break => return Ok(Flow::Break),
                Node::Continue => return Ok(Flow::Continue),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk_range(&mut self, dot: &Value, pipe: &Pipe, list: &[Node], else_list: Option<&[Node]>) -> Result<()> {
        let v = self.eval_cmds(dot, pipe)?;
        let items: Vec<(Value, Value)> = match &v {
            Value::Array(a) => a.iter().enumerate().map(|(i, e)| (Value::from(i), e.clone())).collect(),
            Value::Object(m) => sorted(m).into_iter().map(|(k, e)| (Value::String(k.clone()), e.clone())).collect(),
            Value::Null => Vec::new(),
            Value::Number(n) if n.as_i64().is_some() => {
                let n = n.as_i64().unwrap_or(0);
                if pipe.decl.len() > 1 {
                    let at = At { pos: pipe.pos, context: pipe.to_string() };
                    return Err(self.error(&at, "can't use two iteration variables when ranging over an integer"));
                }
                (0..n.max(0)).map(|i| (Value::from(i), Value::from(i))).collect()
            }
            other => {
                let at = At { pos: pipe.pos, context: pipe.to_string() };
                return Err(self.error(&at, format!("range can't iterate over {}", go_sprint(other))));
            }
        };
        if items.is_empty() {
            if let Some(e) = else_list {
                self.walk(dot, e)?;
            }
            return Ok(());
        }
        for (key, elem) in items {
            let mark = self.vars.len();
            match pipe.decl.as_slice() {
                [] => {}
                [one] => self.bind(one, elem.clone(), pipe.is_assign),
                [k, e, ..] => {
                    self.bind(k, key, pipe.is_assign);
                    self.bind(e, elem.clone(), pipe.is_assign);
                }
            }
            let flow = self.walk(&elem, list)?;
            self.vars.truncate(mark);
            if matches!(flow, Flow::Break) {
                break;
            }
        }
        Ok(())
    }

    fn bind(&mut self, name: &str, value: Value, assign: bool) {
        if assign {
            if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                slot.1 = value;
                return;
            }
        }
        self.vars.push((name.to_string(), value));
    }

    fn eval_cmds(&mut self, dot: &Value, pipe: &Pipe) -> Result<Value> {
        let mut last: Option<Value> = None;
        for cmd in &pipe.cmds {
            last = Some(self.eval_command(dot, cmd, last)?);
        }
        Ok(last.unwrap_or(Value::Null))
    }

    fn eval_pipeline(&mut self, dot: &Value, pipe: &Pipe) -> Result<Value> {
        let v = self.eval_cmds(dot, pipe)?;
        for name in &pipe.decl {
            self.bind(name, v.clone(), pipe.is_assign);
        }
        Ok(v)
    }

    fn eval_command(&mut self, dot: &Value, cmd: &Cmd, last: Option<Value>) -> Result<Value> {
        let first = &cmd.args[0];
        if let Arg::Func { name } = first {
            return self.call(dot, name, cmd, last);
        }
        if cmd.args.len() > 1 || last.is_some() {
            let at = At { pos: cmd.pos, context: cmd.to_string() };
            return Err(self.error(&at, format!("can't give argument to non-function {first}")));
        }
        if matches!(first, Arg::Nil) {
            let at = At { pos: cmd.pos, context: cmd.to_string() };
            return Err(self.error(&at, "nil is not a command"));
        }
        self.eval_arg(dot, first, cmd)
    }

    fn eval_arg(&mut self, dot: &Value, arg: &Arg, cmd: &Cmd) -> Result<Value> {
        match arg {
            Arg::Dot => Ok(dot.clone()),
            Arg::Nil => Ok(Value::Null),
            Arg::Literal { value, .. } => Ok(value.clone()),
            Arg::Field { pos, chain } => self.eval_chain(dot.clone(), chain, *pos, String::new()),
            Arg::Var { pos, name, chain } => {
                let Some((_, v)) = self.vars.iter().rev().find(|(n, _)| n == name) else {
                    let at = At { pos: *pos, context: name.clone() };
                    return Err(self.error(&at, format!("undefined variable: {name}")));
                };
                self.eval_chain(v.clone(), chain, *pos, name.clone())
            }
            Arg::Pipe { pos, pipe, chain } => {
                let v = self.eval_pipeline(dot, pipe)?;
                self.eval_chain(v, chain, *pos, format!("({pipe})"))
            }
            Arg::Func { name } => {
                let sub = Cmd { pos: cmd.pos, args: vec![arg.clone()] };
                self.call(dot, name, &sub, None)
            }
        }
    }

    fn eval_chain(&self, mut v: Value, chain: &[String], pos: usize, prefix: String) -> Result<Value> {
        let mut context = prefix;
        for field in chain {
            context.push('.');
            context.push_str(field);
            v = match v {
                Value::Object(mut m) => match m.remove(field) {
                    Some(x) => x,
                    None => {
                        let at = At { pos, context };
                        return Err(self.error(&at, format!("can't evaluate field {field}")));
                    }
                },
                Value::Null => {
                    let at = At { pos, context };
                    return Err(self.error(&at, format!("nil pointer evaluating interface {{}}.{field}")));
                }
                other => {
                    let at = At { pos, context };
                    return Err(self.error(&at, format!("can't evaluate field {field} in type {}", go_type(&other))));
                }
            };
        }
        Ok(v)
    }

    fn call(&mut self, dot: &Value, name: &str, cmd: &Cmd, last: Option<Value>) -> Result<Value> {
        let at = At { pos: cmd.pos, context: cmd.to_string() };
        let arg_nodes = &cmd.args[1..];
        if name == "and" || name == "or" {
            let total = arg_nodes.len() + usize::from(last.is_some());
            if total == 0 {
                return Err(self.error(&at, format!("wrong number of args for {name}: want at least 1 got 0")));
            }
            let mut result = Value::Null;
            for node in arg_nodes {
                result = self.eval_arg(dot, node, cmd)?;
                if truth(&result) == (name == "or") {
                    return Ok(result);
                }
            }
            if let Some(l) = last {
                result = l;
            }
            return Ok(result);
        }
        let mut args = Vec::with_capacity(arg_nodes.len() + 1);
        for node in arg_nodes {
            args.push(self.eval_arg(dot, node, cmd)?);
        }
        args.extend(last);
        call_builtin(name, args).map_err(|e| match e {
            CallError::Plain(msg) => self.error(&at, msg),
            CallError::Calling(msg) => self.error(&at, format!("error calling {name}: {msg}")),
        })
    }
}

fn sorted(m: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut v: Vec<_> = m.iter().collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}

// ---------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------

enum CallError {
    /// Argument count/type errors, reported as-is.
    Plain(String),
    /// Failures inside the function, reported as "error calling NAME: …".
    Calling(String),
}

fn want_args(name: &str, args: &[Value], n: usize) -> std::result::Result<(), CallError> {
    if args.len() == n {
        Ok(())
    } else {
        Err(CallError::Plain(format!("wrong number of args for {name}: want {n} got {}", args.len())))
    }
}

fn want_str(v: &Value) -> std::result::Result<&str, CallError> {
    match v {
        Value::String(s) => Ok(s),
        Value::Null => Err(CallError::Plain("invalid value; expected string".into())),
        other => Err(CallError::Plain(format!("wrong type for value; expected string; got {}", go_type(other)))),
    }
}

fn want_int(v: &Value) -> std::result::Result<i64, CallError> {
    match v.as_i64() {
        Some(i) => Ok(i),
        None => Err(CallError::Plain(format!("wrong type for value; expected int; got {}", go_type(v)))),
    }
}

fn call_builtin(name: &str, args: Vec<Value>) -> std::result::Result<Value, CallError> {
    let s = |x: String| Ok(Value::String(x));
    match name {
        "not" => {
            want_args(name, &args, 1)?;
            Ok(Value::Bool(!truth(&args[0])))
        }
        "len" => {
            want_args(name, &args, 1)?;
            let n = match &args[0] {
                Value::String(x) => x.len(),
                Value::Array(a) => a.len(),
                Value::Object(m) => m.len(),
                other => return Err(CallError::Calling(format!("len of type {}", go_type(other)))),
            };
            Ok(Value::from(n))
        }
        "index" => {
            let Some((first, keys)) = args.split_first() else {
                return Err(CallError::Plain("wrong number of args for index: want at least 1 got 0".into()));
            };
            let mut item = first.clone();
            for key in keys {
                item = match (item, key) {
                    (Value::Array(a), k) => {
                        let Some(i) = k.as_i64() else {
                            return Err(CallError::Calling(format!("cannot index slice/array with type {}", go_type(k))));
                        };
                        match usize::try_from(i).ok().and_then(|i| a.get(i)) {
                            Some(x) => x.clone(),
                            None => return Err(CallError::Calling(format!("error calling index: index out of range: {i}"))),
                        }
                    }
                    (Value::String(st), k) => {
                        let Some(i) = k.as_i64() else {
                            return Err(CallError::Calling(format!("cannot index slice/array with type {}", go_type(k))));
                        };
                        match usize::try_from(i).ok().and_then(|i| st.as_bytes().get(i)) {
                            Some(b) => Value::from(*b),
                            None => return Err(CallError::Calling(format!("error calling index: index out of range: {i}"))),
                        }
                    }
                    (Value::Object(mut m), Value::String(k)) => m.remove(k).unwrap_or_else(|| Value::String(String::new())),
                    (Value::Object(_), k) => {
                        return Err(CallError::Calling(format!("value has type {}; should be string", go_type(k))));
                    }
                    (Value::Null, _) => return Err(CallError::Calling("index of untyped nil".into())),
                    (other, _) => return Err(CallError::Calling(format!("can't index item of type {}", go_type(&other)))),
                };
            }
            Ok(item)
        }
        "print" => {
            let mut out = String::new();
            for (i, a) in args.iter().enumerate() {
                if i > 0 && !a.is_string() && !args[i - 1].is_string() {
                    out.push(' ');
                }
                out.push_str(&go_sprint(a));
            }
            s(out)
        }
        "println" => {
            let parts: Vec<String> = args.iter().map(go_sprint).collect();
            s(parts.join(" ") + "\n")
        }
        "printf" => {
            let Some((fmt, rest)) = args.split_first() else {
                return Err(CallError::Plain("wrong number of args for printf: want at least 1 got 0".into()));
            };
            s(go_sprintf(want_str(fmt)?, rest))
        }
        "eq" => {
            if args.len() < 2 {
                return Err(CallError::Calling("missing argument for comparison".into()));
            }
            for other in &args[1..] {
                if compare(&args[0], other)? == Some(std::cmp::Ordering::Equal) {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        }
        "ne" | "lt" | "le" | "gt" | "ge" => {
            want_args(name, &args, 2)?;
            let ord = compare(&args[0], &args[1])?;
            if name == "ne" {
                return Ok(Value::Bool(ord != Some(std::cmp::Ordering::Equal)));
            }
            if !matches!((&args[0], &args[1]), (Value::Number(_), Value::Number(_)) | (Value::String(_), Value::String(_))) {
                return Err(CallError::Calling("invalid type for comparison".into()));
            }
            let ord = ord.unwrap_or(std::cmp::Ordering::Equal);
            Ok(Value::Bool(match name {
                "lt" => ord.is_lt(),
                "le" => ord.is_le(),
                "gt" => ord.is_gt(),
                _ => ord.is_ge(),
            }))
        }
        "json" => {
            want_args(name, &args, 1)?;
            let text = try_to_go_json_compact_unescaped_html(&args[0]).map_err(|e| CallError::Calling(e.to_string()))?;
            s(text.trim().to_string())
        }
        "join" => {
            want_args(name, &args, 2)?;
            let Value::Array(items) = &args[0] else {
                return Err(CallError::Plain(format!("wrong type for value; expected []string; got {}", go_type(&args[0]))));
            };
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(x) => parts.push(x.as_str()),
                    _ => return Err(CallError::Plain("wrong type for value; expected []string; got []interface {}".into())),
                }
            }
            s(parts.join(want_str(&args[1])?))
        }
        "lower" => {
            want_args(name, &args, 1)?;
            s(want_str(&args[0])?.to_lowercase())
        }
        "upper" => {
            want_args(name, &args, 1)?;
            s(want_str(&args[0])?.to_uppercase())
        }
        "title" => {
            want_args(name, &args, 1)?;
            s(go_title(want_str(&args[0])?))
        }
        "split" => {
            want_args(name, &args, 2)?;
            let (text, sep) = (want_str(&args[0])?, want_str(&args[1])?);
            let parts: Vec<Value> = if sep.is_empty() {
                text.chars().map(|c| Value::String(c.to_string())).collect()
            } else {
                text.split(sep).map(|p| Value::String(p.to_string())).collect()
            };
            Ok(Value::Array(parts))
        }
        "truncate" => {
            want_args(name, &args, 2)?;
            let (text, n) = (want_str(&args[0])?, want_int(&args[1])?);
            let Ok(n) = usize::try_from(n) else {
                return Err(CallError::Calling(format!("runtime error: slice bounds out of range [:{n}]")));
            };
            if text.len() < n {
                return s(text.to_string());
            }
            // Go cuts at the byte; stop at the last character boundary so the result stays text.
            let cut = (0..=n).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            s(text[..cut].to_string())
        }
        "pad" => {
            want_args(name, &args, 3)?;
            let (text, pre, post) = (want_str(&args[0])?, want_int(&args[1])?, want_int(&args[2])?);
            if text.is_empty() {
                return s(String::new());
            }
            if pre < 0 || post < 0 {
                return Err(CallError::Calling("strings: negative Repeat count".into()));
            }
            let (pre, post) = (pre.min(1 << 16) as usize, post.min(1 << 16) as usize);
            s(format!("{}{text}{}", " ".repeat(pre), " ".repeat(post)))
        }
        other => Err(CallError::Calling(format!("function {other:?} is not supported"))),
    }
}

/// Go's comparison for `eq`/`lt`…: `None` means "not equal, unordered" (different kinds).
fn compare(a: &Value, b: &Value) -> std::result::Result<Option<std::cmp::Ordering>, CallError> {
    use std::cmp::Ordering;
    Ok(match (a, b) {
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => {
            return Err(CallError::Calling("non-comparable type".into()));
        }
        (Value::Number(x), Value::Number(y)) => {
            let int = |n: &serde_json::Number| n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
            match (int(x), int(y)) {
                (Some(i), Some(j)) => Some(i.cmp(&j)),
                (None, None) => x.as_f64().zip(y.as_f64()).and_then(|(p, q)| p.partial_cmp(&q)),
                _ => return Err(CallError::Calling("incompatible types for comparison".into())),
            }
        }
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        (Value::Null, _) | (_, Value::Null) => None,
        _ => return Err(CallError::Calling("incompatible types for comparison".into())),
    })
}

/// Go's `strings.Title`: upper-cases the first letter of each word.
fn go_title(s: &str) -> String {
    let is_separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphanumeric() {
            false
        } else {
            c.is_whitespace()
        }
    };
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) {
                let mut up = c.to_uppercase();
                match (up.next(), up.next()) {
                    (Some(u), None) => u,
                    _ => c,
                }
            } else {
                c
            };
            prev = c;
            out
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Go fmt
// ---------------------------------------------------------------------------------------------

/// Go's truthiness: false, 0, "", empty array or map, and nil are false.
fn truth(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

/// The Go type name a value would have after `json.Unmarshal` into `interface{}`, with
/// integers shown as `int`.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// A float as Go's `%v` prints it (`strconv.FormatFloat(f, 'g', -1, 64)`): `123456`, `1.5`,
/// `1.234567e+06`, `1e-05`.
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    let (neg, digits, point) = shortest_digits(f);
    // strconv's 'g' with the shortest precision switches to %e at exponent -5 and 6.
    let exp = point - 1;
    if digits != "0" && !(-4..6).contains(&exp) {
        format_e(neg, &digits, point)
    } else {
        format_f(neg, &digits, point)
    }
}

/// `fmt.Sprint(v)` for one value (`%v`).
pub(crate) fn go_sprint(v: &Value) -> String {
    let mut out = String::new();
    write_v(&mut out, v);
    out
}

fn write_v(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (None, Some(u), _) => out.push_str(&u.to_string()),
            (_, _, Some(f)) => out.push_str(&go_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => out.push_str(s),
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(out, e);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push_str("map[");
            for (i, (k, e)) in sorted(m).into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(out, e);
            }
            out.push(']');
        }
    }
}

/// Go's `strconv.Quote`.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A subset of Go's `fmt.Sprintf`: verbs `v s d q x X t f e g` and `%%`, with the `-` and `0`
/// flags, width and precision; Go's `%!verb(type=value)` notes for mismatches.
fn go_sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut next_arg = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let (mut minus, mut zero, mut plus) = (false, false, false);
        while let Some(&f) = chars.peek() {
            match f {
                '-' => minus = true,
                '0' => zero = true,
                '+' => plus = true,
                ' ' | '#' => {}
                _ => break,
            }
            chars.next();
        }
        let mut width: Option<usize> = None;
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            width = Some(width.unwrap_or(0).saturating_mul(10).saturating_add(d as usize).min(1 << 16));
            chars.next();
        }
        let mut prec: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = 0usize;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                p = p.saturating_mul(10).saturating_add(d as usize).min(1 << 10);
                chars.next();
            }
            prec = Some(p);
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next_arg) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next_arg += 1;
        let bad = || format!("%!{verb}({}={})", go_type(arg), go_sprint(arg));
        let int = arg.as_i64().map(i128::from).or_else(|| arg.as_u64().map(i128::from));
        let mut text = match verb {
            'v' => go_sprint(arg),
            's' => match arg {
                Value::Number(_) | Value::Bool(_) => bad(),
                _ => {
                    let t = go_sprint(arg);
                    match (prec, arg) {
                        (Some(p), Value::String(_)) => t.chars().take(p).collect(),
                        _ => t,
                    }
                }
            },
            'd' => match int {
                Some(i) if plus && i >= 0 => format!("+{i}"),
                Some(i) => i.to_string(),
                None => bad(),
            },
            'q' => match (arg, int) {
                (Value::String(s), _) => go_quote(s),
                (_, Some(i)) => match u32::try_from(i).ok().and_then(char::from_u32) {
                    Some(ch) => format!("'{}'", if ch == '\'' { "\\'".to_string() } else { go_quote(&ch.to_string()).trim_matches('"').to_string() }),
                    None => bad(),
                },
                _ => bad(),
            },
            'x' | 'X' => {
                let t = match (arg, int) {
                    (Value::String(s), _) => s.bytes().map(|b| format!("{b:02x}")).collect(),
                    (_, Some(i)) if i < 0 => format!("-{:x}", -i),
                    (_, Some(i)) => format!("{i:x}"),
                    _ => bad(),
                };
                if verb == 'X' { t.to_uppercase() } else { t }
            }
            't' => match arg {
                Value::Bool(b) => b.to_string(),
                _ => bad(),
            },
            'f' | 'e' | 'g' => match arg {
                Value::Number(n) if n.is_f64() => {
                    let f = n.as_f64().unwrap_or(0.0);
                    match verb {
                        'f' => format!("{:.*}", prec.unwrap_or(6), f),
                        'e' => {
                            let t = format!("{:.*e}", prec.unwrap_or(6), f);
                            match t.split_once('e') {
                                Some((m, e)) => {
                                    let e: i32 = e.parse().unwrap_or(0);
                                    format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.unsigned_abs())
                                }
                                None => t,
                            }
                        }
                        _ => go_float(f),
                    }
                }
                _ => bad(),
            },
            _ => bad(),
        };
        if let Some(w) = width {
            let len = text.chars().count();
            if len < w {
                let pad = w - len;
                if minus {
                    text.push_str(&" ".repeat(pad));
                } else if zero && matches!(verb, 'd' | 'f' | 'e' | 'g' | 'x' | 'X') {
                    let (sign, digits) = match text.strip_prefix('-') {
                        Some(d) => ("-", d.to_string()),
                        None => ("", text.clone()),
                    };
                    text = format!("{sign}{}{digits}", "0".repeat(pad));
                } else {
                    text = format!("{}{text}", " ".repeat(pad));
                }
            }
        }
        out.push_str(&text);
    }
    if next_arg < args.len() {
        let extra: Vec<String> = args[next_arg..].iter().map(|a| format!("{}={}", go_type(a), go_sprint(a))).collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// tabwriter
// ---------------------------------------------------------------------------------------------

/// Go's `text/tabwriter` with space padding and no flags: tab-terminated cells are aligned in
/// columns, a column block being a run of consecutive lines that have a cell in that column;
/// each column is as wide as its widest cell plus `padding`, and at least `min_width`.
fn tabwrite(text: &str, min_width: usize, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut widths: Vec<usize> = Vec::new();
    let mut out = String::with_capacity(text.len() * 2);
    format_block(&lines, 0, lines.len(), &mut widths, min_width, padding, &mut out);
    out
}

fn format_block(
    lines: &[Vec<&str>],
    mut line0: usize,
    line1: usize,
    widths: &mut Vec<usize>,
    min_width: usize,
    padding: usize,
    out: &mut String,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        // Cells in `column` exist only if the line has a later cell (a tab after it).
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, line0, this, widths, out);
        line0 = this;
        let mut width = min_width;
        while this < line1 && column + 1 < lines[this].len() {
            width = width.max(lines[this][column].chars().count() + padding);
            this += 1;
        }
        widths.push(width);
        format_block(lines, line0, this, widths, min_width, padding, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, line0, line1, widths, out);
}

fn write_lines(lines: &[Vec<&str>], line0: usize, line1: usize, widths: &[usize], out: &mut String) {
    for (i, line) in lines.iter().enumerate().take(line1).skip(line0) {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j < widths.len() {
                let w = cell.chars().count();
                out.extend(std::iter::repeat(' ').take(widths[j].saturating_sub(w)));
            }
        }
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data() -> Value {
        json!({
            "Name": "docker.io/library/busybox",
            "Digest": "sha256:abc",
            "RepoTags": ["v1", "v2"],
            "Labels": {"b": "2", "a": "1"},
            "Layers": ["sha256:l1", "sha256:l2"],
            "Size": 1234,
            "Ratio": 0.5,
            "Empty": "",
            "Nothing": null,
            "NoTags": [],
            "Html": "<a&b>",
            "LayersData": [{"Digest": "sha256:l1", "Size": 10}, {"Digest": "sha256:l2", "Size": 20}]
        })
    }

    fn r(t: &str) -> String {
        render(t, &data()).unwrap_or_else(|e| panic!("{t}: {e}"))
    }

    fn err(t: &str) -> String {
        match render(t, &data()) {
            Ok(out) => panic!("{t}: expected an error, got {out:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn fields_and_values() {
        assert_eq!(r("{{.Digest}}"), "sha256:abc\n");
        assert_eq!(r("{{ .Name }}"), "docker.io/library/busybox\n");
        assert_eq!(r("{{.Labels}}"), "map[a:1 b:2]\n");
        assert_eq!(r("{{.RepoTags}}"), "[v1 v2]\n");
        assert_eq!(r("{{.NoTags}}"), "[]\n");
        assert_eq!(r("{{.Size}} {{.Ratio}} {{.Nothing}}"), "1234 0.5 <nil>\n");
        assert_eq!(r("{{.LayersData}}"), "[map[Digest:sha256:l1 Size:10] map[Digest:sha256:l2 Size:20]]\n");
        assert_eq!(r("{{.Labels.a}}"), "1\n");
        assert_eq!(r("name: {{.Name}}\\tdigest"), "name: docker.io/library/busybox\tdigest\n");
    }

    #[test]
    fn dot_is_the_data() {
        let out = render("{{.}}", &json!({"b": 1, "a": [true, null]})).unwrap();
        assert_eq!(out, "map[a:[true <nil>] b:1]\n");
    }

    #[test]
    fn json_function() {
        assert_eq!(r("{{json .Labels}}"), "{\"b\":\"2\",\"a\":\"1\"}\n");
        assert_eq!(r("{{.Labels | json}}"), "{\"b\":\"2\",\"a\":\"1\"}\n");
        assert_eq!(r("{{json .Html}}"), "\"<a&b>\"\n");
        assert_eq!(r("{{json .NoTags}}"), "[]\n");
    }

    #[test]
    fn range() {
        assert_eq!(r("{{range .Layers}}{{.}}\\n{{end}}"), "sha256:l1\nsha256:l2\n\n");
        assert_eq!(r("{{range $i, $l := .Layers}}{{$i}}={{$l}} {{end}}"), "0=sha256:l1 1=sha256:l2 \n");
        assert_eq!(r("{{range $k, $v := .Labels}}{{$k}}:{{$v}};{{end}}"), "a:1;b:2;\n");
        assert_eq!(r("{{range .NoTags}}x{{else}}none{{end}}"), "none\n");
        assert_eq!(r("{{range .LayersData}}{{.Size}},{{end}}"), "10,20,\n");
        assert_eq!(r("{{range .Layers}}{{if eq . \"sha256:l2\"}}{{break}}{{end}}{{.}}{{end}}"), "sha256:l1\n");
        assert_eq!(r("{{range .Layers}}{{if eq . \"sha256:l1\"}}{{continue}}{{end}}{{.}}{{end}}"), "sha256:l2\n");
        // `$` is the one-element list skopeo executes over, as in Go.
        assert!(err("{{$.Digest}}").contains("can't evaluate field Digest in type []interface {}"));
        let t = Template::parse("t", "{{range $x := .RepoTags}}{{$x}}{{$.Digest}} {{end}}").unwrap();
        assert_eq!(t.execute(&data()).unwrap(), "v1sha256:abc v2sha256:abc ");
    }

    #[test]
    fn explicit_range_over_dot_is_kept() {
        assert_eq!(r("{{range .}}{{.Digest}}{{end}}"), "sha256:abc\n");
    }

    #[test]
    fn conditionals() {
        assert_eq!(r("{{if .RepoTags}}tags{{else}}no tags{{end}}"), "tags\n");
        assert_eq!(r("{{if .NoTags}}tags{{else}}no tags{{end}}"), "no tags\n");
        assert_eq!(r("{{if .Empty}}a{{else if .Nothing}}b{{else if .Size}}c{{end}}"), "c\n");
        assert_eq!(r("{{if not .Empty}}empty{{end}}"), "empty\n");
        assert_eq!(r("{{if and .Size .Empty}}y{{else}}n{{end}}"), "n\n");
        assert_eq!(r("{{or .Empty .Name}}"), "docker.io/library/busybox\n");
        assert_eq!(r("{{with .Labels}}{{.a}}{{end}}"), "1\n");
        assert_eq!(r("{{if gt .Size 1000}}big{{end}}"), "big\n");
        assert_eq!(r("{{if eq .Digest \"x\" \"sha256:abc\"}}yes{{end}}"), "yes\n");
    }

    #[test]
    fn trim_markers() {
        assert_eq!(r("a  {{- .Digest -}}  b"), "asha256:abcb\n");
        assert_eq!(r("{{range .Layers -}}\n  {{.}}\n{{- end}}"), "sha256:l1sha256:l2\n");
        assert_eq!(r("x{{/* comment */}}y"), "xy\n");
    }

    #[test]
    fn functions() {
        assert_eq!(r("{{join .RepoTags \",\"}}"), "v1,v2\n");
        assert_eq!(r("{{len .Layers}} {{len .Labels}} {{len .Name}}"), "2 2 25\n");
        assert_eq!(r("{{index .Labels \"a\"}}|{{index .Labels \"zz\"}}|{{index .Layers 1}}"), "1||sha256:l2\n");
        assert_eq!(r("{{upper .Digest}} {{lower \"ABC\"}} {{title \"hello wide world\"}}"), "SHA256:ABC abc Hello Wide World\n");
        assert_eq!(r("{{split .Digest \":\"}}"), "[sha256 abc]\n");
        assert_eq!(r("{{truncate .Digest 6}}|{{pad .Digest 1 2}}|"), "sha256| sha256:abc  |\n");
        assert_eq!(r("{{printf \"%s-%d-%v-%q\" .Digest .Size .RepoTags .Name}}"), "sha256:abc-1234-[v1 v2]-\"docker.io/library/busybox\"\n");
        assert_eq!(r("{{printf \"%5d|%-4s|%05d\" 42 \"ab\" 7}}"), "   42|ab  |00007\n");
        assert_eq!(r("{{printf \"%d\" .Digest}}"), "%!d(string=sha256:abc)\n");
        assert_eq!(r("{{print 1 2 \"a\" \"b\"}}"), "1 2ab\n");
        assert_eq!(r("{{.Name | upper | lower}}"), "docker.io/library/busybox\n");
        assert_eq!(r("{{$n := len .Layers}}{{$n}}"), "2\n");
        assert_eq!(r("{{(index .LayersData 1).Digest}}"), "sha256:l2\n");
    }

    #[test]
    fn floats_print_like_go() {
        let v = json!({"a": 1e21, "b": 123456.0, "c": 0.00001, "d": 2.0, "e": 1234567.0, "f": 0.0001, "g": -2.5});
        let out = render("{{.a}} {{.b}} {{.c}} {{.d}} {{.e}} {{.f}} {{.g}}", &v).unwrap();
        assert_eq!(out, "1e+21 123456 1e-05 2 1.234567e+06 0.0001 -2.5\n");
    }

    #[test]
    fn table_format_aligns_columns() {
        assert_eq!(r("table {{.Digest}}\\t{{.Size}}"), "sha256:abc  1234\n");
        let out = render("table {{range .Layers}}{{.}}\\tx\\n{{end}}", &json!({"Layers": ["a", "abcdefghijklmn"]})).unwrap();
        assert_eq!(out, "a               x\nabcdefghijklmn  x\n\n");
    }

    #[test]
    fn normalization() {
        assert_eq!(normalize_format("{{.A}}\\t{{.B}}\\n"), "{{.A}}\t{{.B}}\n");
        assert_eq!(normalize_format("{{.A}}"), "{{.A}}\n");
        assert_eq!(normalize_format("table {{.A}} {{.B}}"), "{{.A}}\t{{.B}}\n");
        assert_eq!(enforce_range("{{.A}}\n"), "{{range .}}{{.A}}\n{{end -}}");
        assert_eq!(enforce_range("{{ range . }}x{{ end -}}"), "{{ range . }}x{{ end -}}");
        assert_eq!(enforce_range("{{range .Layers}}x{{end}}"), "{{range .}}{{range .Layers}}x{{end}}{{end -}}");
    }

    #[test]
    fn json_format_detection() {
        for yes in ["json", " json ", "{{json .}}", "{{ json . }}", "{{json}}", "{{json .}}\n", "{{  json  .   }}"] {
            assert!(is_json_format(yes), "{yes:?}");
        }
        for no in ["", "{{json .Labels}}", "{{.}}", "jsonx", "{{ .json }}", "{{json . }} x"] {
            assert!(!is_json_format(no), "{no:?}");
        }
    }

    #[test]
    fn missing_field_is_an_error() {
        assert_eq!(
            err("{{.Nope}}"),
            "template: skopeo inspect:1:13: executing \"skopeo inspect\" at <.Nope>: can't evaluate field Nope"
        );
        let e = Template::parse("", "{{.Nope}}").unwrap().execute(&json!({})).unwrap_err().to_string();
        assert_eq!(e, "template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope");
        assert!(err("{{.Labels.a.b}}").contains("can't evaluate field b in type string"));
    }

    #[test]
    fn malformed_templates_are_errors() {
        let unclosed = Template::parse("t", "{{.Digest").unwrap_err().to_string();
        assert_eq!(unclosed, "template: t:1: unclosed action");
        // Through render the appended newline and {{end}} follow, so Go stops at the "{".
        assert_eq!(err("{{.Digest"), "template: skopeo inspect:2: unexpected \"{\" in operand");
        assert_eq!(err("{{nope .Digest}}"), "template: skopeo inspect:1: function \"nope\" not defined");
        assert_eq!(err("{{.Digest}"), "template: skopeo inspect:1: unexpected \"}\" in operand");
        assert!(err("{{if .Digest}}x").contains("unexpected EOF"));
        assert!(err("{{end}}").contains("unexpected {{end}}"));
        assert!(err("{{}}").contains("missing value for command"));
        assert!(err("{{$x}}").contains("undefined variable \"$x\""));
        let outside = Template::parse("t", "{{break}}").unwrap_err().to_string();
        assert_eq!(outside, "template: t:1: {{break}} outside {{range}}");
        // render wraps the format in a range, so there it stops the loop, as in skopeo.
        assert_eq!(r("a{{break}}b"), "a");
        assert!(err("{{\"a\" | \"b\"}}").contains("non executable command"));
        assert!(err("{{(.Digest}}").contains("unclosed left paren"));
        assert!(err("{{upper .Size}}").contains("wrong type for value; expected string; got int"));
        assert!(err("{{index .Layers 5}}").contains("index out of range: 5"));
        assert!(err("{{join .Digest}}").contains("wrong number of args for join: want 2 got 1"));
        assert!(err("{{template \"x\"}}").contains("not supported"));
        assert!(err("{{.Digest .Name}}").contains("can't give argument to non-function"));
    }

    #[test]
    fn tabwriter_blocks() {
        assert_eq!(tabwrite("a\tb\nccc\td\n", 0, 1), "a   b\nccc d\n");
        assert_eq!(tabwrite("a\tb\nno tabs\nxx\ty", 0, 1), "a b\nno tabs\nxx y");
    }

    proptest::proptest! {
        #[test]
        fn render_never_panics(t in "\\PC{0,60}") {
            let _ = render(&t, &data());
        }

        #[test]
        fn render_never_panics_on_template_like_input(
            parts in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just("{{".to_string()),
                proptest::strategy::Just("}}".to_string()),
                proptest::strategy::Just("{{- ".to_string()),
                proptest::strategy::Just(" -}}".to_string()),
                proptest::strategy::Just("range ".to_string()),
                proptest::strategy::Just("if ".to_string()),
                proptest::strategy::Just("else".to_string()),
                proptest::strategy::Just("end".to_string()),
                proptest::strategy::Just(".Labels".to_string()),
                proptest::strategy::Just(".Layers".to_string()),
                proptest::strategy::Just("$x := ".to_string()),
                proptest::strategy::Just("$x".to_string()),
                proptest::strategy::Just(" | ".to_string()),
                proptest::strategy::Just("(".to_string()),
                proptest::strategy::Just(")".to_string()),
                proptest::strategy::Just("\"s\"".to_string()),
                proptest::strategy::Just("printf \"%d%s%q\" ".to_string()),
                proptest::strategy::Just("index ".to_string()),
                proptest::strategy::Just("json ".to_string()),
                proptest::strategy::Just(" 1 ".to_string()),
                proptest::strategy::Just(".".to_string()),
                "\\PC{0,3}",
            ], 0..24)
        ) {
            let _ = render(&parts.concat(), &data());
        }
    }
}
