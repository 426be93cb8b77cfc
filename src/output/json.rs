//! JSON text exactly as Go's `encoding/json` writes it.
//!
//! skopeo prints its JSON with `json.MarshalIndent(v, "", "    ")`; the `json` function of
//! containers/common's template helpers uses an `Encoder` with HTML escaping turned off. These
//! functions reproduce those bytes from any [`serde::Serialize`] value by plugging a
//! [`serde_json::ser::Formatter`] into serde_json:
//!
//! * strings: `"` and `\` are backslash-escaped; `\n`, `\r`, `\t`, `\b` and `\f` use their short
//!   escapes (Go 1.22 and later); every other control character becomes `\u00XX` (lowercase hex);
//!   U+2028 and U+2029 always become `\u2028` / `\u2029`; with HTML escaping (the `Marshal`
//!   default) `<`, `>` and `&` become `\u003c`, `\u003e` and `\u0026`. Everything else, including
//!   non-ASCII text such as `é`, is written as-is. (Rust strings are always valid UTF-8, so Go's
//!   replacement of invalid bytes by `\ufffd` never comes into play.)
//! * floating-point numbers: shortest round-trip digits, plain decimal notation unless the
//!   magnitude is below 1e-6 or at least 1e21, where Go switches to `1e-7` / `1e+21` notation;
//!   a float with an integral value has no `.0` (`100`, not `100.0`).
//! * pretty mode: four-space indentation, `": "` between key and value, `[]` and `{}` for empty
//!   containers.
//!
//! Field order is the order serde produces (struct declaration order, or insertion order for a
//! `serde_json::Value`, since the crate enables `preserve_order`).

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter, PrettyFormatter};
use std::io::{self, Write};

use crate::error::{Error, Result};

/// `json.MarshalIndent(v, "", "    ")`: indented JSON with Go's escaping.
///
/// # Panics
///
/// Only if `v`'s `Serialize` implementation fails (for example a map with non-string keys);
/// use [`try_to_go_json_pretty`] to get an error instead.
pub fn to_go_json_pretty<T: Serialize + ?Sized>(v: &T) -> String {
    try_to_go_json_pretty(v).expect("value cannot be serialized as JSON")
}

/// `json.Marshal(v)`: compact JSON with Go's escaping (HTML characters escaped).
///
/// # Panics
///
/// Only if `v`'s `Serialize` implementation fails; use [`try_to_go_json_compact`] to get an error.
pub fn to_go_json_compact<T: Serialize + ?Sized>(v: &T) -> String {
    try_to_go_json_compact(v).expect("value cannot be serialized as JSON")
}

/// Fallible form of [`to_go_json_pretty`].
pub fn try_to_go_json_pretty<T: Serialize + ?Sized>(v: &T) -> Result<String> {
    write_with(v, GoFormatter { inner: PrettyFormatter::with_indent(b"    "), escape_html: true })
}

/// Fallible form of [`to_go_json_compact`].
pub fn try_to_go_json_compact<T: Serialize + ?Sized>(v: &T) -> Result<String> {
    write_with(v, GoFormatter { inner: CompactFormatter, escape_html: true })
}

/// Compact JSON as written by a Go `json.Encoder` with `SetEscapeHTML(false)`, without the
/// trailing newline: `<`, `>` and `&` stay as they are (U+2028/U+2029 are still escaped).
///
/// This is what the `json` template function of containers/common `pkg/report` prints.
pub fn try_to_go_json_compact_unescaped_html<T: Serialize + ?Sized>(v: &T) -> Result<String> {
    write_with(v, GoFormatter { inner: CompactFormatter, escape_html: false })
}

fn write_with<T: Serialize + ?Sized, F: Formatter>(v: &T, formatter: F) -> Result<String> {
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    v.serialize(&mut ser).map_err(|e| Error::Unsupported(format!("cannot encode JSON: {e}")))?;
    // The formatter only ever writes valid UTF-8 (serde_json hands it `&str` fragments).
    String::from_utf8(out).map_err(|e| Error::Unsupported(format!("cannot encode JSON: {e}")))
}

/// A serde_json formatter that delegates layout to `inner` and does string escaping and
/// float formatting the Go way.
struct GoFormatter<F> {
    inner: F,
    escape_html: bool,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl<F: Formatter> GoFormatter<F> {
    fn write_escaped_fragment<W: ?Sized + Write>(&self, w: &mut W, fragment: &str) -> io::Result<()> {
        let bytes = fragment.as_bytes();
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let escape: Option<&[u8]> = match c {
                '<' if self.escape_html => Some(b"\\u003c"),
                '>' if self.escape_html => Some(b"\\u003e"),
                '&' if self.escape_html => Some(b"\\u0026"),
                '\u{2028}' => Some(b"\\u2028"),
                '\u{2029}' => Some(b"\\u2029"),
                _ => None,
            };
            if let Some(esc) = escape {
                w.write_all(&bytes[start..i])?;
                w.write_all(esc)?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&bytes[start..])
    }
}

impl<F: Formatter> Formatter for GoFormatter<F> {
    fn write_f64<W: ?Sized + Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(go_json_float(value).as_bytes())
    }

    fn write_f32<W: ?Sized + Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        // Go formats float32 with 32-bit shortest digits; going through the f32's own
        // shortest decimal text keeps those digits.
        let v: f64 = format!("{value:e}").parse().unwrap_or(value as f64);
        writer.write_all(go_json_float(v).as_bytes())
    }

    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        self.write_escaped_fragment(writer, fragment)
    }

    fn write_char_escape<W: ?Sized + Write>(&mut self, writer: &mut W, char_escape: CharEscape) -> io::Result<()> {
        let s: &[u8] = match char_escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::Solidus => b"/",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::AsciiControl(byte) => {
                let buf = [b'\\', b'u', b'0', b'0', HEX[(byte >> 4) as usize], HEX[(byte & 0xf) as usize]];
                return writer.write_all(&buf);
            }
        };
        writer.write_all(s)
    }

    // Layout: delegate everything to the inner formatter.
    fn write_null<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.write_null(w)
    }
    fn write_bool<W: ?Sized + Write>(&mut self, w: &mut W, v: bool) -> io::Result<()> {
        self.inner.write_bool(w, v)
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.inner.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.inner.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_object_value(w)
    }
}

/// Shortest round-trip decimal digits of a finite `v`: (negative, digits, decimal point
/// position), meaning `0.DIGITS × 10^point`. Zero gives `("0", 1)`.
pub(crate) fn shortest_digits(v: f64) -> (bool, String, i32) {
    let neg = v.is_sign_negative() && v != 0.0;
    // Rust's `{:e}` prints the shortest round-trip digits: "1.2345e-7", "1e21", "0e0".
    let text = format!("{:e}", v.abs());
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    (neg, digits, exp + 1)
}

/// Go's `strconv.FormatFloat(v, 'f', -1, 64)` from shortest digits.
pub(crate) fn format_f(neg: bool, digits: &str, point: i32) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    let n = digits.len() as i32;
    if point <= 0 {
        s.push_str("0.");
        s.extend(std::iter::repeat_n('0', (-point) as usize));
        s.push_str(digits);
    } else if point >= n {
        s.push_str(digits);
        s.extend(std::iter::repeat_n('0', (point - n) as usize));
    } else {
        s.push_str(&digits[..point as usize]);
        s.push('.');
        s.push_str(&digits[point as usize..]);
    }
    s
}

/// Go's `strconv.FormatFloat(v, 'e', -1, 64)` from shortest digits (exponent has at least two
/// digits: `1e+06`, `1.5e-07`).
pub(crate) fn format_e(neg: bool, digits: &str, point: i32) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push_str(&digits[..1]);
    if digits.len() > 1 {
        s.push('.');
        s.push_str(&digits[1..]);
    }
    let exp = if digits == "0" { 0 } else { point - 1 };
    s.push('e');
    s.push(if exp < 0 { '-' } else { '+' });
    let abs = exp.unsigned_abs();
    if abs < 10 {
        s.push('0');
    }
    s.push_str(&abs.to_string());
    s
}

/// A float as Go's encoding/json writes it.
fn go_json_float(v: f64) -> String {
    if !v.is_finite() {
        // Go refuses to encode these; serde_json writes null for them, keep that.
        return "null".to_string();
    }
    let (neg, digits, point) = shortest_digits(v);
    let abs = v.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = format_e(neg, &digits, point);
        // Go trims "e-07" to "e-7" (only for negative exponents).
        let n = s.len();
        if n >= 4 && &s[n - 4..n - 2] == "e-" && &s[n - 2..n - 1] == "0" {
            s.remove(n - 2);
        }
        s
    } else {
        format_f(neg, &digits, point)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn html_characters_are_escaped() {
        assert_eq!(to_go_json_compact(&json!("a<b>&c")), r#""a\u003cb\u003e\u0026c""#);
        assert_eq!(to_go_json_pretty(&json!("<&>")), r#""\u003c\u0026\u003e""#);
    }

    #[test]
    fn unescaped_html_variant_keeps_them() {
        assert_eq!(try_to_go_json_compact_unescaped_html(&json!("a<b>&c\u{2028}")).unwrap(), "\"a<b>&c\\u2028\"");
    }

    #[test]
    fn line_and_paragraph_separators_are_escaped() {
        assert_eq!(to_go_json_compact(&json!("x\u{2028}y\u{2029}z")), r#""x\u2028y\u2029z""#);
    }

    #[test]
    fn control_characters() {
        let s = "\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{1b}\"\\/\u{7f}";
        assert_eq!(to_go_json_compact(&json!(s)), "\"\\n\\r\\t\\b\\f\\u0000\\u001f\\u001b\\\"\\\\/\u{7f}\"");
    }

    #[test]
    fn unicode_is_kept() {
        assert_eq!(to_go_json_compact(&json!("é 日本 🎉")), "\"é 日本 🎉\"");
    }

    #[test]
    fn keys_are_escaped_too() {
        assert_eq!(to_go_json_compact(&json!({"<k>": 1})), r#"{"\u003ck\u003e":1}"#);
    }

    #[test]
    fn pretty_nested_layout() {
        let v = json!({
            "Name": "docker.io/library/busybox",
            "RepoTags": ["1.36", "latest"],
            "Labels": {},
            "Layers": [],
            "LayersData": [{"Digest": "sha256:ab", "Size": 2, "Annotations": null}],
            "Nested": {"a": {"b": [1, [2, {}]]}}
        });
        let expected = r#"{
    "Name": "docker.io/library/busybox",
    "RepoTags": [
        "1.36",
        "latest"
    ],
    "Labels": {},
    "Layers": [],
    "LayersData": [
        {
            "Digest": "sha256:ab",
            "Size": 2,
            "Annotations": null
        }
    ],
    "Nested": {
        "a": {
            "b": [
                1,
                [
                    2,
                    {}
                ]
            ]
        }
    }
}"#;
        assert_eq!(to_go_json_pretty(&v), expected);
    }

    #[test]
    fn compact_layout() {
        let v = json!({"a": [1, 2, {}], "b": [], "c": {"d": true, "e": null}});
        assert_eq!(to_go_json_compact(&v), r#"{"a":[1,2,{}],"b":[],"c":{"d":true,"e":null}}"#);
    }

    #[test]
    fn empty_containers() {
        assert_eq!(to_go_json_pretty(&json!([])), "[]");
        assert_eq!(to_go_json_pretty(&json!({})), "{}");
        assert_eq!(to_go_json_compact(&json!([])), "[]");
        assert_eq!(to_go_json_compact(&json!({})), "{}");
    }

    #[test]
    fn struct_field_order_is_declaration_order() {
        #[derive(Serialize)]
        struct S {
            z: u32,
            a: &'static str,
            list: Vec<u8>,
        }
        let s = S { z: 1, a: "x", list: vec![] };
        assert_eq!(to_go_json_pretty(&s), "{\n    \"z\": 1,\n    \"a\": \"x\",\n    \"list\": []\n}");
    }

    #[test]
    fn floats_like_go() {
        assert_eq!(to_go_json_compact(&json!(100.0)), "100");
        assert_eq!(to_go_json_compact(&json!(1.5)), "1.5");
        assert_eq!(to_go_json_compact(&json!(-0.25)), "-0.25");
        assert_eq!(to_go_json_compact(&json!(0.0)), "0");
        assert_eq!(to_go_json_compact(&json!(1e21)), "1e+21");
        assert_eq!(to_go_json_compact(&json!(1e20)), "100000000000000000000");
        assert_eq!(to_go_json_compact(&json!(1e-7)), "1e-7");
        assert_eq!(to_go_json_compact(&json!(1.5e-10)), "1.5e-10");
        assert_eq!(to_go_json_compact(&json!(0.000001)), "0.000001");
        assert_eq!(to_go_json_compact(&json!(u64::MAX)), "18446744073709551615");
        assert_eq!(to_go_json_compact(&json!(-3)), "-3");
    }
}
