//! `skopos logout`: remove stored credentials for one registry (or namespace), or for all.

use std::path::PathBuf;

use clap::Args;

use super::login::parse_key;
use crate::error::{Error, Result};
use crate::native::auth_file::{self, Removed};

/// Logout of a container registry on a specified server
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Remove the cached credentials for all registries in the auth file
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override
    #[arg(long, env = "REGISTRY_AUTH_FILE", value_name = "PATH")]
    pub authfile: Option<PathBuf>,
    /// Require HTTPS and verify certificates when accessing the registry (accepted, unused)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tls_verify: Option<bool>,
    /// The registry: host[:port], optionally followed by /repository/path
    #[arg(value_name = "REGISTRY")]
    pub registry: Option<String>,
}

/// Runs `logout` and returns what goes to stdout.
pub async fn run(args: &LogoutArgs) -> Result<Vec<u8>> {
    // As containers/common's CheckAuthFile: an auth file named explicitly must exist.
    if let Some(path) = &args.authfile {
        std::fs::metadata(path).map_err(|e| Error::io(format!("checking authfile {}", path.display()), e))?;
    }
    let path = auth_file::path_for_writing(args.authfile.as_deref())?;
    if args.all {
        if args.registry.is_some() {
            return Err(Error::Config("--all takes no arguments".into()));
        }
        auth_file::remove_all_credentials(&path)?;
        return Ok(b"Removed login credentials for all registries\n".to_vec());
    }
    let Some(arg) = args.registry.as_deref() else {
        return Err(Error::Config("please provide a registry to logout from".into()));
    };
    let key = parse_key(arg)?.key;
    match auth_file::remove_credentials(&path, &key)? {
        Removed::Removed => Ok(format!("Removed login credentials for {key}\n").into_bytes()),
        Removed::NotLoggedIn => Err(Error::Config(format!("not logged into {key}"))),
    }
}
