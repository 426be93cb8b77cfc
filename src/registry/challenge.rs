//! `WWW-Authenticate` challenges, parsed with RFC 7235 token and quoted-string rules.
//!
//! The parser follows the distribution project's client (which containers/image shares), so that
//! skopos reads challenges exactly as the registry ecosystem's reference client does: one challenge
//! per header value, lower-cased scheme and parameter names, backslash escapes in quoted strings,
//! and parsing stops at the first thing that is not `token=token` or `token="quoted"`.

use std::collections::BTreeMap;

/// One authentication challenge: a scheme (`basic`, `bearer`) and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Challenge {
    /// Lower-cased scheme; empty when the header had none.
    pub scheme: String,
    /// Parameters with lower-cased names.
    pub params: BTreeMap<String, String>,
}

impl Challenge {
    /// Parses one header value.
    pub fn parse(header: &str) -> Challenge {
        let mut challenge = Challenge::default();
        let (scheme, mut rest) = take_token(header);
        if scheme.is_empty() {
            return challenge;
        }
        challenge.scheme = scheme.to_ascii_lowercase();
        let mut pending = String::from(",");
        pending.push_str(skip_space(rest));
        rest = &pending;
        while let Some(after_comma) = rest.strip_prefix(',') {
            let (key, after_key) = take_token(skip_space(after_comma));
            if key.is_empty() {
                break;
            }
            let Some(after_eq) = after_key.strip_prefix('=') else { break };
            let (value, after_value) = take_token_or_quoted(after_eq);
            let Some(value) = value else { break };
            if value.is_empty() {
                break;
            }
            challenge.params.insert(key.to_ascii_lowercase(), value);
            rest = skip_space(after_value);
        }
        challenge
    }

    /// Parses every `WWW-Authenticate` header value of a response.
    pub fn parse_all<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Challenge> {
        values.into_iter().map(Challenge::parse).filter(|c| !c.scheme.is_empty()).collect()
    }

    /// A parameter by (lower-case) name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

fn is_token_byte(b: u8) -> bool {
    b > 31 && b < 127 && !b" \t\"(),/:;<=>?@[]\\{}".contains(&b)
}

fn skip_space(s: &str) -> &str {
    s.trim_start_matches([' ', '\t'])
}

fn take_token(s: &str) -> (&str, &str) {
    let end = s.bytes().position(|b| !is_token_byte(b)).unwrap_or(s.len());
    s.split_at(end)
}

/// Reads a token or a quoted string. `None` means an unterminated quoted string.
fn take_token_or_quoted(s: &str) -> (Option<String>, &str) {
    let Some(body) = s.strip_prefix('"') else {
        let (token, rest) = take_token(s);
        return (Some(token.to_string()), rest);
    };
    let mut value = Vec::new();
    let mut escaped = false;
    for (i, b) in body.bytes().enumerate() {
        match (escaped, b) {
            (true, _) => {
                value.push(b);
                escaped = false;
            }
            (false, b'\\') => escaped = true,
            (false, b'"') => return (Some(String::from_utf8_lossy(&value).into_owned()), &body[i + 1..]),
            (false, _) => value.push(b),
        }
    }
    (None, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_vectors() {
        let table = include_str!("../../tests/vectors/wwwauth.tsv");
        let mut rows = 0;
        for line in table.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let c = Challenge::parse(cols[0]);
            assert_eq!(c.scheme, cols[1], "scheme of {:?}", cols[0]);
            for (name, col) in [("realm", cols[2]), ("service", cols[3]), ("scope", cols[4])] {
                let expected = if col == "<absent>" { None } else { Some(col) };
                assert_eq!(c.param(name), expected, "{name} of {:?}", cols[0]);
            }
            let others: Vec<String> = c
                .params
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "realm" | "service" | "scope"))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            assert_eq!(others.join(";"), cols[5], "other params of {:?}", cols[0]);
            rows += 1;
        }
        assert!(rows >= 60);
    }

    #[test]
    fn several_headers() {
        let all = Challenge::parse_all(["Basic realm=\"r\"", "", "Bearer realm=\"https://t/\",service=\"s\""]);
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].param("service"), Some("s"));
    }
}
