//! Command-line options shared by several commands, named and spelled as skopeo's.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::error::{Error, Result};
use crate::manifest::WantedPlatform;
use crate::registry::Credentials;

/// Flags accepted before or after any subcommand.
#[derive(Debug, Clone, Args, Default)]
pub struct GlobalOptions {
    /// Enable debug output (HTTP requests and their statuses, never credentials)
    #[arg(long, global = true)]
    pub debug: bool,
    /// Timeout for the command execution (e.g. 30s, 2m, 1h30m)
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_go_duration)]
    pub command_timeout: Option<Duration>,
    /// Use ARCH instead of the running architecture for choosing images
    #[arg(long, global = true, value_name = "ARCH")]
    pub override_arch: Option<String>,
    /// Use OS instead of the running OS for choosing images
    #[arg(long, global = true, value_name = "OS")]
    pub override_os: Option<String>,
    /// Use VARIANT instead of the running architecture variant for choosing images
    #[arg(long, global = true, value_name = "VARIANT")]
    pub override_variant: Option<String>,
    /// Path to a trust policy file
    #[arg(long, global = true, value_name = "PATH")]
    pub policy: Option<PathBuf>,
    /// Run the tool without any policy check
    #[arg(long, global = true)]
    pub insecure_policy: bool,
    /// Use registry configuration files in DIR (e.g. for container signature storage)
    #[arg(long = "registries.d", global = true, value_name = "DIR")]
    pub registries_d: Option<PathBuf>,
    /// Directory used to store temporary files
    #[arg(long, global = true, value_name = "DIR")]
    pub tmpdir: Option<PathBuf>,
    /// Prefix for the User-Agent header sent to registries
    #[arg(long, global = true, value_name = "PREFIX")]
    pub user_agent_prefix: Option<String>,
}

impl GlobalOptions {
    /// The platform to choose from an index.
    pub fn platform(&self) -> WantedPlatform {
        WantedPlatform::with_overrides(
            self.override_os.as_deref(),
            self.override_arch.as_deref(),
            self.override_variant.as_deref(),
        )
    }
}

/// How to reach and authenticate to a registry (skopeo's image flags).
#[derive(Debug, Clone, Args, Default)]
pub struct ImageOptions {
    /// Path of the authentication file (default: containers auth.json, then docker config.json)
    #[arg(long, env = "REGISTRY_AUTH_FILE", value_name = "PATH")]
    pub authfile: Option<PathBuf>,
    /// Use USERNAME[:PASSWORD] for accessing the registry
    #[arg(long, value_name = "USERNAME[:PASSWORD]", conflicts_with_all = ["username", "no_creds"])]
    pub creds: Option<String>,
    /// Username for accessing the registry
    #[arg(long, requires = "password", conflicts_with = "no_creds")]
    pub username: Option<String>,
    /// Password for accessing the registry
    #[arg(long, requires = "username")]
    pub password: Option<String>,
    /// Access the registry anonymously
    #[arg(long)]
    pub no_creds: bool,
    /// Provide a bearer token for accessing the registry
    #[arg(long, value_name = "TOKEN", conflicts_with_all = ["creds", "username", "no_creds"])]
    pub registry_token: Option<String>,
    /// Use certificates at PATH (*.crt, *.cert, *.key) to connect to the registry
    #[arg(long, value_name = "PATH")]
    pub cert_dir: Option<PathBuf>,
    /// Require HTTPS and verify certificates when talking to the registry (false also allows plain http)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tls_verify: Option<bool>,
}

impl ImageOptions {
    /// Credentials given on the command line, if any (`Some(None)` means explicitly none).
    pub fn explicit_credentials(&self) -> Result<Option<Option<Credentials>>> {
        if self.no_creds {
            return Ok(Some(None));
        }
        let (username, password) = match &self.creds {
            Some(creds) => {
                let (username, password) = creds.split_once(':').unwrap_or((creds.as_str(), ""));
                if username.is_empty() {
                    return Err(Error::Config("--creds: the user name is empty".into()));
                }
                (Some(username.to_string()), Some(password.to_string()))
            }
            None => (self.username.clone(), self.password.clone()),
        };
        // clap refuses the flags that conflict, so only a complete set of parts reaches here.
        Credentials::from_parts(username, password, self.registry_token.clone(), "credentials").map(|c| c.map(Some))
    }
}

/// Parses a `DURATION` flag as Go's `time.ParseDuration` does ([`crate::go::duration::parse`]),
/// surrounding blanks ignored, for clap.
pub fn parse_go_duration(input: &str) -> std::result::Result<Duration, String> {
    crate::go::duration::parse(input.trim())
        .map_err(|_| format!("invalid duration {input:?} (use e.g. 30s, 2m, 1h30m)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_credentials_from_flags() {
        let basic = |u: &str, p: &str| Some(Some(Credentials::Basic { username: u.into(), password: p.into() }));
        let with = |f: fn(&mut ImageOptions)| {
            let mut o = ImageOptions::default();
            f(&mut o);
            o.explicit_credentials()
        };
        assert_eq!(with(|_| {}).unwrap(), None);
        assert_eq!(with(|o| o.no_creds = true).unwrap(), Some(None));
        assert_eq!(with(|o| o.creds = Some("u:p:w".into())).unwrap(), basic("u", "p:w"));
        assert_eq!(with(|o| o.creds = Some("u".into())).unwrap(), basic("u", ""));
        assert_eq!(
            with(|o| {
                o.username = Some("u".into());
                o.password = Some("p".into());
            })
            .unwrap(),
            basic("u", "p")
        );
        assert_eq!(
            with(|o| o.registry_token = Some("t".into())).unwrap(),
            Some(Some(Credentials::RegistryToken("t".into())))
        );
        assert_eq!(with(|o| o.creds = Some(":p".into())).unwrap_err().to_string(), "--creds: the user name is empty");
        // What clap lets through is complete; the shared rule still refuses a half set.
        let err = with(|o| o.username = Some("u".into())).unwrap_err();
        assert_eq!(err.to_string(), "credentials: username and password must be given together");
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_go_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_go_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_go_duration(" 2m ").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_go_duration("10").unwrap_err(), "invalid duration \"10\" (use e.g. 30s, 2m, 1h30m)");
        assert!(parse_go_duration("abc").is_err());
        assert!(parse_go_duration("").is_err());
        assert!(parse_go_duration("-1s").is_err());
    }
}
