//! Go's behaviour where skopos must match it byte for byte: skopeo is a Go program, and its
//! flags, paths and timestamps follow Go's standard library. Target-agnostic and free of native
//! crates, so the wasm32 face can use it too.
//!
//! - [`path`]: `path.Clean`, `path.Join`, `path.Base` (slash-separated, as skopeo builds names).
//! - [`duration`]: `time.ParseDuration` and `time.Duration.String`.
//! - [`time`]: RFC 3339 timestamps as `encoding/json` and `time.Time.String()` print them.

pub mod duration;
pub mod path;
pub mod time;
