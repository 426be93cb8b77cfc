//! Go's `path` package: lexical operations on slash-separated paths, with no file system.

/// Go's `path.Clean`: the shortest equivalent path (no `//`, `.` or inner `..`; `.` for
/// nothing; `..` cannot climb above a rooted `/`).
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `path.Join`: the non-empty elements joined with `/` and cleaned; `""` when every
/// element is empty.
pub fn join(elements: &[&str]) -> String {
    let present: Vec<&str> = elements.iter().copied().filter(|e| !e.is_empty()).collect();
    if present.is_empty() {
        return String::new();
    }
    clean(&present.join("/"))
}

/// Go's `path.Base`: the last element, trailing slashes removed first; `.` for an empty path
/// and `/` for one made only of slashes.
pub fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of Go's `path_test.go` (`cleantests`).
    #[test]
    fn clean_matches_go() {
        let table = [
            // Already clean
            ("", "."),
            ("abc", "abc"),
            ("abc/def", "abc/def"),
            ("a/b/c", "a/b/c"),
            (".", "."),
            ("..", ".."),
            ("../..", "../.."),
            ("../../abc", "../../abc"),
            ("/abc", "/abc"),
            ("/", "/"),
            // Remove trailing slash
            ("abc/", "abc"),
            ("abc/def/", "abc/def"),
            ("a/b/c/", "a/b/c"),
            ("./", "."),
            ("../", ".."),
            ("../../", "../.."),
            ("/abc/", "/abc"),
            // Remove doubled slash
            ("abc//def//ghi", "abc/def/ghi"),
            ("//abc", "/abc"),
            ("///abc", "/abc"),
            ("//abc//", "/abc"),
            ("abc//", "abc"),
            // Remove . elements
            ("abc/./def", "abc/def"),
            ("/./abc/def", "/abc/def"),
            ("abc/.", "abc"),
            // Remove .. elements
            ("abc/def/ghi/../jkl", "abc/def/jkl"),
            ("abc/def/../ghi/../jkl", "abc/jkl"),
            ("abc/def/..", "abc"),
            ("abc/def/../..", "."),
            ("/abc/def/../..", "/"),
            ("abc/def/../../..", ".."),
            ("/abc/def/../../..", "/"),
            ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
            // Combinations
            ("abc/./../def", "def"),
            ("abc//./../def", "def"),
            ("abc/../../././../def", "../../def"),
        ];
        for (input, want) in table {
            assert_eq!(clean(input), want, "path.Clean({input:?})");
        }
    }

    /// Go's `jointests`, plus the names `sync` builds.
    #[test]
    fn join_matches_go() {
        let table: [(&[&str], &str); 12] = [
            (&[], ""),
            (&[""], ""),
            (&["a"], "a"),
            (&["a", "b"], "a/b"),
            (&["a", ""], "a"),
            (&["", "b"], "b"),
            (&["/", "a"], "/a"),
            (&["/", ""], "/"),
            (&["a/", "b"], "a/b"),
            (&["a/", ""], "a"),
            (&["", ""], ""),
            (&["a", "b", "../c"], "a/c"),
        ];
        for (elements, want) in table {
            assert_eq!(join(elements), want, "path.Join({elements:?})");
        }
        assert_eq!(join(&["127.0.0.1:5000/mirror", "app:1"]), "127.0.0.1:5000/mirror/app:1");
        assert_eq!(join(&["dest/", "/app:1"]), "dest/app:1");
        assert_eq!(join(&["/tmp/x", "127.0.0.1:5000/ns/app:1"]), "/tmp/x/127.0.0.1:5000/ns/app:1");
    }

    /// Go's `basetests`.
    #[test]
    fn base_matches_go() {
        let table = [
            ("", "."),
            (".", "."),
            ("/.", "."),
            ("/", "/"),
            ("////", "/"),
            ("x/", "x"),
            ("abc", "abc"),
            ("abc/def", "def"),
            ("a/b/.x", ".x"),
            ("a/b/c.", "c."),
            ("a/b/c.x", "c.x"),
            ("127.0.0.1:5000/ns/app:1", "app:1"),
            ("/ns/app:1/", "app:1"),
        ];
        for (input, want) in table {
            assert_eq!(base(input), want, "path.Base({input:?})");
        }
    }
}
