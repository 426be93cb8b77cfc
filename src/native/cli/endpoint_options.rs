//! The `--src-*` and `--dest-*` flag families of two-image commands (`copy`, `sync`), each
//! turned into the [`ImageOptions`] that single-image commands use.

use std::path::PathBuf;

use clap::Args;

use super::options::ImageOptions;

/// Flags for the source image (`--src-*`).
#[derive(Debug, Clone, Args, Default)]
pub struct SourceOptions {
    /// Path of the authentication file for the source registry
    #[arg(long, value_name = "PATH")]
    pub src_authfile: Option<PathBuf>,
    /// Use USERNAME[:PASSWORD] for accessing the source registry
    #[arg(long, value_name = "USERNAME[:PASSWORD]", conflicts_with_all = ["src_username", "src_no_creds"])]
    pub src_creds: Option<String>,
    /// Username for accessing the source registry
    #[arg(long, requires = "src_password")]
    pub src_username: Option<String>,
    /// Password for accessing the source registry
    #[arg(long, requires = "src_username")]
    pub src_password: Option<String>,
    /// Access the source registry anonymously
    #[arg(long)]
    pub src_no_creds: bool,
    /// Provide a bearer token for accessing the source registry
    #[arg(long, value_name = "TOKEN")]
    pub src_registry_token: Option<String>,
    /// Use certificates at PATH (*.crt, *.cert, *.key) to connect to the source registry
    #[arg(long, value_name = "PATH")]
    pub src_cert_dir: Option<PathBuf>,
    /// Require HTTPS and verify certificates when talking to the source registry
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub src_tls_verify: Option<bool>,
}

/// Flags for the destination image (`--dest-*`).
#[derive(Debug, Clone, Args, Default)]
pub struct DestinationOptions {
    /// Path of the authentication file for the destination registry
    #[arg(long, value_name = "PATH")]
    pub dest_authfile: Option<PathBuf>,
    /// Use USERNAME[:PASSWORD] for accessing the destination registry
    #[arg(long, value_name = "USERNAME[:PASSWORD]", conflicts_with_all = ["dest_username", "dest_no_creds"])]
    pub dest_creds: Option<String>,
    /// Username for accessing the destination registry
    #[arg(long, requires = "dest_password")]
    pub dest_username: Option<String>,
    /// Password for accessing the destination registry
    #[arg(long, requires = "dest_username")]
    pub dest_password: Option<String>,
    /// Access the destination registry anonymously
    #[arg(long)]
    pub dest_no_creds: bool,
    /// Provide a bearer token for accessing the destination registry
    #[arg(long, value_name = "TOKEN")]
    pub dest_registry_token: Option<String>,
    /// Use certificates at PATH (*.crt, *.cert, *.key) to connect to the destination registry
    #[arg(long, value_name = "PATH")]
    pub dest_cert_dir: Option<PathBuf>,
    /// Require HTTPS and verify certificates when talking to the destination registry
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub dest_tls_verify: Option<bool>,
}

impl SourceOptions {
    /// The source's options; `authfile` (the shared `--authfile`) applies when `--src-authfile` is not given.
    pub fn image_options(&self, authfile: Option<&PathBuf>) -> ImageOptions {
        ImageOptions {
            authfile: self.src_authfile.clone().or_else(|| authfile.cloned()),
            creds: self.src_creds.clone(),
            username: self.src_username.clone(),
            password: self.src_password.clone(),
            no_creds: self.src_no_creds,
            registry_token: self.src_registry_token.clone(),
            cert_dir: self.src_cert_dir.clone(),
            tls_verify: self.src_tls_verify,
        }
    }
}

impl DestinationOptions {
    /// The destination's options; `authfile` (the shared `--authfile`) applies when `--dest-authfile` is not given.
    pub fn image_options(&self, authfile: Option<&PathBuf>) -> ImageOptions {
        ImageOptions {
            authfile: self.dest_authfile.clone().or_else(|| authfile.cloned()),
            creds: self.dest_creds.clone(),
            username: self.dest_username.clone(),
            password: self.dest_password.clone(),
            no_creds: self.dest_no_creds,
            registry_token: self.dest_registry_token.clone(),
            cert_dir: self.dest_cert_dir.clone(),
            tls_verify: self.dest_tls_verify,
        }
    }
}
