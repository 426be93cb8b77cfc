//! Lexer: splits a template text into text chunks and action tokens, applying trim markers
//! and dropping comments; decodes string, character and number literals as Go does.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
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
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) pos: usize,
    /// The source text of the token (for error messages and node strings).
    pub(super) src: String,
    pub(super) space_before: bool,
}

pub(super) struct Lexer<'a> {
    text: &'a str,
    toks: Vec<Token>,
}

impl<'a> Lexer<'a> {
    fn push(&mut self, tok: Tok, start: usize, end: usize, space_before: bool) {
        self.toks.push(Token { tok, pos: start, src: self.text[start..end].to_string(), space_before });
    }

    pub(super) fn lex(text: &'a str) -> std::result::Result<Vec<Token>, (usize, String)> {
        let mut lx = Lexer { text, toks: Vec::new() };
        let mut i = 0;
        loop {
            let Some(found) = text[i..].find("{{") else {
                if i < text.len() {
                    lx.toks.push(Token {
                        tok: Tok::Text(text[i..].to_string()),
                        pos: i,
                        src: String::new(),
                        space_before: false,
                    });
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
                lx.toks.push(Token {
                    tok: Tok::Text(chunk.to_string()),
                    pos: i,
                    src: String::new(),
                    space_before: false,
                });
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
                    let value =
                        unquote(&text[p + 1..q - 1]).ok_or((start, "invalid syntax in quoted string".to_string()))?;
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
            let exp_sign = matches!(b, b'+' | b'-')
                && q > start
                && matches!(bytes[q - 1], b'e' | b'E' | b'p' | b'P')
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

/// White space as text/template knows it (trim markers, spaces between operands).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}
