//! Template functions: Go's builtins (`and`, `or`, `not`, `len`, `index`, `print`, `printf`,
//! `println`, comparisons) and containers/common report's (`json`, `join`, `lower`, `upper`,
//! `title`, `split`, `truncate`, `pad`).

use serde_json::Value;

use super::format::{go_sprint, go_sprintf, go_type, truth};
use crate::output::json::try_to_go_json_compact_unescaped_html;

/// Names the template language knows as functions.
pub(super) const FUNCTIONS: &[&str] = &[
    "and", "or", "not", "len", "index", "print", "printf", "println", "eq", "ne", "lt", "le", "gt", "ge", "json",
    "join", "lower", "upper", "title", "split", "truncate", "pad",
    // Defined by Go but not implemented here: they fail when called.
    "call", "slice", "html", "js", "urlquery",
];

pub(super) enum CallError {
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

pub(super) fn call_builtin(name: &str, args: Vec<Value>) -> std::result::Result<Value, CallError> {
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
                            return Err(CallError::Calling(format!(
                                "cannot index slice/array with type {}",
                                go_type(k)
                            )));
                        };
                        match usize::try_from(i).ok().and_then(|i| a.get(i)) {
                            Some(x) => x.clone(),
                            None => {
                                return Err(CallError::Calling(format!("error calling index: index out of range: {i}")))
                            }
                        }
                    }
                    (Value::String(st), k) => {
                        let Some(i) = k.as_i64() else {
                            return Err(CallError::Calling(format!(
                                "cannot index slice/array with type {}",
                                go_type(k)
                            )));
                        };
                        match usize::try_from(i).ok().and_then(|i| st.as_bytes().get(i)) {
                            Some(b) => Value::from(*b),
                            None => {
                                return Err(CallError::Calling(format!("error calling index: index out of range: {i}")))
                            }
                        }
                    }
                    (Value::Object(mut m), Value::String(k)) => {
                        m.remove(k).unwrap_or_else(|| Value::String(String::new()))
                    }
                    (Value::Object(_), k) => {
                        return Err(CallError::Calling(format!("value has type {}; should be string", go_type(k))));
                    }
                    (Value::Null, _) => return Err(CallError::Calling("index of untyped nil".into())),
                    (other, _) => {
                        return Err(CallError::Calling(format!("can't index item of type {}", go_type(&other))))
                    }
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
            if !matches!(
                (&args[0], &args[1]),
                (Value::Number(_), Value::Number(_)) | (Value::String(_), Value::String(_))
            ) {
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
            let text =
                try_to_go_json_compact_unescaped_html(&args[0]).map_err(|e| CallError::Calling(e.to_string()))?;
            s(text.trim().to_string())
        }
        "join" => {
            want_args(name, &args, 2)?;
            let Value::Array(items) = &args[0] else {
                return Err(CallError::Plain(format!(
                    "wrong type for value; expected []string; got {}",
                    go_type(&args[0])
                )));
            };
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(x) => parts.push(x.as_str()),
                    _ => {
                        return Err(CallError::Plain(
                            "wrong type for value; expected []string; got []interface {}".into(),
                        ))
                    }
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
