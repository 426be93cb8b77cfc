//! The `skopos` command line: a drop-in for skopeo's commands, flags and output.
//!
//! Each command lives in its own module and returns the bytes for stdout; this module parses
//! arguments, runs the command on a Tokio runtime under `--command-timeout`, and maps errors to
//! one line on stderr and skopeo's exit codes (2: no such image or repository, 1: anything else).

pub mod connect;
pub mod copy;
pub mod copy_flags;
pub mod delete;
pub mod endpoint_options;
pub mod generate_sigstore_key;
pub mod inspect;
pub mod list_tags;
pub mod login;
pub mod logout;
pub mod manifest_digest;
pub mod options;
pub mod progress;
pub mod retry;
pub mod standalone;
pub mod sync;
pub mod trust;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::{Error, Result};
use options::GlobalOptions;

/// Various operations with container images and container image registries
#[derive(Debug, Parser)]
#[command(name = "skopos", version, about, long_about = None, disable_help_subcommand = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Copy an IMAGE-NAME from one location to another
    Copy(copy::CopyArgs),
    /// Delete image IMAGE-NAME
    Delete(delete::DeleteArgs),
    /// Generate a sigstore public/private key pair
    GenerateSigstoreKey(generate_sigstore_key::GenerateSigstoreKeyArgs),
    /// Inspect image IMAGE-NAME
    Inspect(inspect::InspectArgs),
    /// List tags in the transport/repository specified by the SOURCE-IMAGE
    ListTags(list_tags::ListTagsArgs),
    /// Login to a container registry
    Login(login::LoginArgs),
    /// Logout of a container registry
    Logout(logout::LogoutArgs),
    /// Compute a manifest digest of a file
    ManifestDigest(manifest_digest::ManifestDigestArgs),
    /// Create a signature using local files
    StandaloneSign(standalone::StandaloneSignArgs),
    /// Verify a signature using local files
    StandaloneVerify(standalone::StandaloneVerifyArgs),
    /// Synchronize one or more images from one location to another
    Sync(sync::SyncArgs),
    /// Dump contents of a signature WITHOUT VERIFYING IT
    #[command(hide = true)]
    UntrustedSignatureDumpWithoutVerification(standalone::UntrustedDumpArgs),
}

/// Exit status for "no such image, tag or repository", as skopeo.
pub const EXIT_NOT_FOUND: u8 = 2;

/// Runs the CLI with the process's arguments.
pub fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".into());
        eprintln!("skopos: internal error: {message} (please report this)");
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    crate::native::transport::set_debug(cli.global.debug);
    if let Some(prefix) = &cli.global.user_agent_prefix {
        crate::native::transport::set_user_agent_prefix(prefix);
    }
    if let Some(dir) = &cli.global.registries_d {
        crate::native::registries_d::set_dir(dir.clone());
    }
    // Before any thread starts: big temporary files (an unpacked archive) go below `--tmpdir`,
    // else `$TMPDIR`, else /var/tmp, as containers tools put them.
    match (&cli.global.tmpdir, std::env::var_os("TMPDIR")) {
        (Some(dir), _) => std::env::set_var("TMPDIR", dir),
        (None, None) if std::path::Path::new("/var/tmp").is_dir() => std::env::set_var("TMPDIR", "/var/tmp"),
        (None, _) => {}
    }
    let runtime = match runtime_for(&cli.command) {
        Ok(rt) => rt,
        Err(e) => return report(&Error::io("starting the async runtime", e)),
    };
    match runtime.block_on(run(&cli)) {
        Ok(stdout) => {
            let mut out = std::io::stdout().lock();
            match out.write_all(&stdout).and_then(|_| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => report(&Error::io("writing to standard output", e)),
            }
        }
        Err(e) => report(&e),
    }
}

/// Read commands run on one thread (they wait on the network); commands that move blobs run on
/// a small pool so that hashing and writing several blobs use every core.
fn runtime_for(command: &Command) -> std::io::Result<tokio::runtime::Runtime> {
    match command {
        Command::Copy(_) | Command::Sync(_) => {
            let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(2, 8);
            tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().build()
        }
        _ => tokio::runtime::Builder::new_current_thread().enable_all().build(),
    }
}

async fn run(cli: &Cli) -> Result<Vec<u8>> {
    let work = async {
        match &cli.command {
            Command::Copy(args) => copy::run(args, &cli.global).await,
            Command::Delete(args) => delete::run(args).await,
            Command::GenerateSigstoreKey(args) => generate_sigstore_key::run(args).await,
            Command::Inspect(args) => inspect::run(args, &cli.global).await,
            Command::ListTags(args) => list_tags::run(args).await,
            Command::Login(args) => login::run(args, &cli.global).await,
            Command::Logout(args) => logout::run(args).await,
            Command::ManifestDigest(args) => manifest_digest::run(args).await,
            Command::StandaloneSign(args) => standalone::sign(args).await,
            Command::StandaloneVerify(args) => standalone::verify(args).await,
            Command::Sync(args) => sync::run(args, &cli.global).await,
            Command::UntrustedSignatureDumpWithoutVerification(args) => standalone::dump(args).await,
        }
    };
    let work = async {
        match cli.global.command_timeout.filter(|t| !t.is_zero()) {
            Some(limit) => tokio::time::timeout(limit, work)
                .await
                .unwrap_or_else(|_| Err(Error::Cancelled(format!("command timed out after {limit:?}")))),
            None => work.await,
        }
    };
    // SIGINT/SIGTERM end the command by dropping its future, which runs the destructors that
    // remove partly written temporary files (see native::layout::write).
    tokio::select! {
        result = work => result,
        signal = interrupted() => Err(Error::Cancelled(format!("interrupted by {signal}"))),
    }
}

/// Resolves with the signal's name when SIGINT or SIGTERM arrives (never, if they cannot be
/// watched).
#[cfg(not(unix))]
async fn interrupted() -> &'static str {
    match tokio::signal::ctrl_c().await {
        Ok(()) => "Ctrl-C",
        Err(_) => std::future::pending().await,
    }
}

#[cfg(unix)]
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
        (Ok(mut int), Ok(mut term)) => tokio::select! {
            _ = int.recv() => "SIGINT",
            _ = term.recv() => "SIGTERM",
        },
        _ => std::future::pending().await,
    }
}

/// Prints the error on one line and picks the exit status.
fn report(error: &Error) -> ExitCode {
    let line = error.to_string().replace(['\n', '\r'], " ");
    eprintln!("skopos: {line}");
    ExitCode::from(if error.is_not_found() { EXIT_NOT_FOUND } else { 1 })
}
