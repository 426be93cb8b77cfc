//! Output formatting shared by every face of skopos, byte-compatible with skopeo.
//!
//! * [`json`]: JSON text exactly as Go's `encoding/json` writes it (`json.Marshal`,
//!   `json.MarshalIndent(v, "", "    ")`).
//! * [`template`]: the Go `text/template` subset used with `skopeo inspect --format`, with the
//!   conventions of containers/common `pkg/report` (format normalization, `table`, helper
//!   functions such as `json`, `join`, `upper`).
//!
//! Nothing here depends on the target: it builds the same natively and for WebAssembly.

pub mod json;
pub mod template;

pub use json::{to_go_json_compact, to_go_json_pretty};
pub use template::{is_json_format, render};
