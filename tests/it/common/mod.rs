//! Shared integration-test harness: a throw-away registry (anonymous, Basic or token auth),
//! image seeding with skopeo, a tiny HTTP server for protocol corners, and command runners
//! that let each test compare `skopos` with `skopeo` on the same command line.
#![allow(dead_code, unused_imports)]

pub mod auth_cases;
pub mod copy;
pub mod fault_proxy;
pub mod gpg;
pub mod http;
pub mod image;
pub mod lookaside;
pub mod registry;
pub mod tls;
pub mod token;

pub use image::{seed_docker_image, seed_many_tags, seed_oci_image, seed_oci_index, Seeded};
pub use registry::{AuthKind, Registry, PASSWORD, PUBLIC_REPO, USER};

use std::process::Command;

/// What a finished command did.
#[derive(Debug, Clone)]
pub struct Run {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with the output unless the command exited 0.
    pub fn ok(self) -> Run {
        assert_eq!(self.code, 0, "command failed:\nstdout: {}\nstderr: {}", self.stdout, self.stderr);
        self
    }
}

/// Runs `cmd` to completion and captures exit code, stdout and stderr (lossy UTF-8).
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Raw stdout bytes of `cmd` (for byte-exact comparisons), with the exit code.
pub fn run_bytes(cmd: &mut Command) -> (i32, Vec<u8>) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    (out.status.code().unwrap_or(-1), out.stdout)
}

/// A `Command` for the skopos binary under test with `args`.
pub fn skopos_cmd(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skopos"));
    cmd.args(args).env_remove("REGISTRY_AUTH_FILE").env("HOME", isolated_home());
    cmd
}

/// A `Command` for the reference skopeo with `args`.
pub fn skopeo_cmd(args: &[&str]) -> Command {
    let mut cmd = Command::new("skopeo");
    cmd.args(args).env_remove("REGISTRY_AUTH_FILE").env("HOME", isolated_home());
    cmd
}

/// Runs skopos with `args`.
pub fn skopos(args: &[&str]) -> Run {
    run(&mut skopos_cmd(args))
}

/// Runs skopeo with `args`.
pub fn skopeo(args: &[&str]) -> Run {
    run(&mut skopeo_cmd(args))
}

/// An empty HOME shared by all commands, so no user auth.json or registries.conf leaks in.
fn isolated_home() -> &'static std::path::Path {
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    HOME.get_or_init(|| tempfile::TempDir::new().unwrap()).path()
}

/// Runs skopeo and skopos with the same `args`; asserts skopeo succeeded and that skopos exited 0
/// with byte-identical stdout. Returns skopeo's stdout.
pub fn assert_same_output(args: &[&str]) -> String {
    let reference = skopeo(args);
    assert_eq!(reference.code, 0, "skopeo {args:?} failed: {}", reference.stderr);
    let ours = skopos(args);
    assert_eq!(ours.code, 0, "skopos {args:?} exited {}: {}", ours.code, ours.stderr);
    assert_eq!(ours.stdout, reference.stdout, "stdout differs for {args:?}");
    reference.stdout
}

/// Like [`assert_same_output`] for `inspect` without `--raw`/`--config`: when skopeo's JSON has
/// no `LayersData` key (skopeo 1.9.3 omits it), it is removed from ours before comparing.
pub fn assert_same_inspect(args: &[&str]) {
    let reference = skopeo(args);
    assert_eq!(reference.code, 0, "skopeo {args:?} failed: {}", reference.stderr);
    let ours = skopos(args);
    assert_eq!(ours.code, 0, "skopos {args:?} exited {}: {}", ours.code, ours.stderr);
    if reference.stdout.contains("\"LayersData\"") || !ours.stdout.contains("\"LayersData\"") {
        assert_eq!(ours.stdout, reference.stdout, "stdout differs for {args:?}");
        return;
    }
    let without = strip_layers_data(&ours.stdout);
    assert_eq!(without, reference.stdout, "stdout (without LayersData) differs for {args:?}");
}

/// Re-renders inspect JSON without the `LayersData` key, in skopeo's layout (4-space indent,
/// `<`, `>`, `&` escaped as Go's encoder does, trailing newline).
pub fn strip_layers_data(json_text: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(json_text).expect("inspect output is JSON");
    v.as_object_mut().expect("inspect output is an object").remove("LayersData");
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(&v, &mut ser).unwrap();
    let text = String::from_utf8(buf).unwrap();
    go_html_escape(&text) + "\n"
}

/// Escapes `<`, `>`, `&`, U+2028 and U+2029 the way Go's encoding/json does by default.
pub fn go_html_escape(s: &str) -> String {
    s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Asserts a failed run: exit `code`, exactly one non-empty line on stderr, no panic or
/// backtrace text. Returns the stderr line.
pub fn assert_clean_failure(r: &Run, code: i32) -> String {
    assert_eq!(r.code, code, "expected exit {code}; stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    assert!(!r.stderr.contains("RUST_BACKTRACE") && !r.stderr.contains("stack backtrace"), "backtrace: {}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one stderr line, got: {:?}", r.stderr);
    assert!(!lines[0].trim().is_empty(), "empty error line");
    lines[0].to_string()
}
