//! Go value formatting: `fmt`'s `%v` printing, a `Sprintf` subset, `strconv.Quote` and float
//! formatting, plus Go's truthiness and type names for JSON values.

use serde_json::{Map, Value};

use crate::output::json::{format_e, format_f, shortest_digits};

/// Go's truthiness: false, 0, "", empty array or map, and nil are false.
pub(super) fn truth(v: &Value) -> bool {
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
pub(super) fn go_type(v: &Value) -> &'static str {
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
pub(super) fn go_sprint(v: &Value) -> String {
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
pub(super) fn go_sprintf(format: &str, args: &[Value]) -> String {
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
                    Some(ch) => format!(
                        "'{}'",
                        if ch == '\'' {
                            "\\'".to_string()
                        } else {
                            go_quote(&ch.to_string()).trim_matches('"').to_string()
                        }
                    ),
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
                if verb == 'X' {
                    t.to_uppercase()
                } else {
                    t
                }
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

/// A map's entries in key order, the order Go prints and ranges over maps in.
pub(super) fn sorted(m: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut v: Vec<_> = m.iter().collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}
