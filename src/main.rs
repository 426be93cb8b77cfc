//! The `skopos` command-line tool (native targets only).

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    skopos::native::cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
