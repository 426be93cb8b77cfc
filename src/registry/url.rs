//! The little URL handling the registry protocol needs, without the `url` crate (wasm size):
//! origins, relative `Location` resolution and query-string encoding.

/// The `scheme://host[:port]` part of an absolute URL, or `None` if the URL is not absolute.
pub fn origin(url: &str) -> Option<&str> {
    let scheme_end = url.find("://")?;
    let scheme = &url[..scheme_end];
    if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) {
        return None;
    }
    let rest = &url[scheme_end + 3..];
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if host_end == 0 {
        return None;
    }
    Some(&url[..scheme_end + 3 + host_end])
}

/// Whether two absolute URLs share scheme, host and port (compared case-insensitively).
pub fn same_origin(a: &str, b: &str) -> bool {
    match (origin(a), origin(b)) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => false,
    }
}

/// Resolves a `Location` header against the URL it was received for.
pub fn resolve(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if location.is_empty() {
        return None;
    }
    if origin(location).is_some() {
        return Some(location.to_string());
    }
    let base_origin = origin(base)?;
    if let Some(rest) = location.strip_prefix("//") {
        let scheme = &base[..base.find("://")?];
        return Some(format!("{scheme}://{rest}"));
    }
    if location.starts_with('/') {
        return Some(format!("{base_origin}{location}"));
    }
    let path_and_more = &base[base_origin.len()..];
    let path = path_and_more.split(['?', '#']).next().unwrap_or("");
    let dir = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "/",
    };
    Some(format!("{base_origin}{dir}{location}"))
}

/// Percent-encodes a query-string component (RFC 3986 unreserved characters pass through).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Appends `key=value` pairs to a URL's query string.
pub fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = url.to_string();
    for (key, value) in pairs {
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(&encode_component(key));
        out.push('=');
        out.push_str(&encode_component(value));
    }
    out
}

/// Whether a URL's query string has the key `key`.
pub fn has_query_key(url: &str, key: &str) -> bool {
    let query = url.split('#').next().unwrap_or("").split_once('?').map_or("", |(_, q)| q);
    query.split('&').any(|pair| pair.split('=').next() == Some(key))
}

/// The URL of a `Link: <url>; rel="next"` header, resolved against `base`.
pub fn next_link(base: &str, link_header: &str) -> Option<String> {
    for part in link_header.split(',') {
        let part = part.trim();
        let (target, params) = part.strip_prefix('<')?.split_once('>')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
        });
        if is_next {
            return resolve(base, target);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_resolution() {
        assert_eq!(origin("https://a.b:5000/v2/x?y"), Some("https://a.b:5000"));
        assert_eq!(origin("/v2/x"), None);
        assert!(same_origin("https://A.b/x", "https://a.b/y"));
        assert!(!same_origin("https://a.b/x", "https://a.b:444/x"));
        assert!(!same_origin("http://a.b/x", "https://a.b/x"));
        assert_eq!(resolve("https://r/v2/x/blobs/d", "/s3/blob").unwrap(), "https://r/s3/blob");
        assert_eq!(resolve("https://r/v2/x/blobs/d", "other").unwrap(), "https://r/v2/x/blobs/other");
        assert_eq!(resolve("https://r/v2/", "https://cdn/z").unwrap(), "https://cdn/z");
        assert_eq!(resolve("https://r/v2/", "//cdn/z").unwrap(), "https://cdn/z");
        assert_eq!(resolve("https://r/v2/", ""), None);
    }

    #[test]
    fn query_and_links() {
        assert_eq!(
            with_query("https://auth/token", &[("service", "reg"), ("scope", "repository:a/b:pull,push")]),
            "https://auth/token?service=reg&scope=repository%3Aa%2Fb%3Apull%2Cpush"
        );
        assert_eq!(with_query("https://a/t?x=1", &[("y", "2 3")]), "https://a/t?x=1&y=2%203");
        let base = "http://127.0.0.1:5000/v2/foo/tags/list";
        assert_eq!(
            next_link(base, "</v2/foo/tags/list?last=b&n=2>; rel=\"next\"").unwrap(),
            "http://127.0.0.1:5000/v2/foo/tags/list?last=b&n=2"
        );
        assert_eq!(next_link(base, "</x>; rel=\"prev\""), None);
        assert!(has_query_key("https://p/v2/x/tags/list?n=2&ns=docker.io", "ns"));
        assert!(!has_query_key("https://p/v2/x/tags/list?dns=a&n=ns", "ns"));
        assert!(!has_query_key("https://p/v2/#?ns=a", "ns"));
    }
}
