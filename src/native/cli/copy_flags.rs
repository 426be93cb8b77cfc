//! The flags `copy` and `sync` share (`--all`, `--authfile`, `--preserve-digests`,
//! `--digestfile`, `--format`, `--image-parallel-copies`, `--quiet`, `--remove-signatures`,
//! `--sign-by`, `--sign-by-key-file`, `--sign-passphrase-file`): one clap group both flatten,
//! with its one conversion to the engine's [`CopyOptions`].
//!
//! The help texts are `copy`'s; `sync` rewords some with `mut_arg`, as skopeo words them. A
//! flattened group's flags would be listed together in `--help`; [`help_order`] keeps each
//! command listing its flags in its own order.

use std::path::PathBuf;

use clap::{Arg, Args};

use super::options::GlobalOptions;
use crate::copy::{CopyOptions, MultiArch, TargetFormat};
use crate::error::Result;

/// The flags of `copy` and `sync` that say how images are copied.
#[derive(Debug, Clone, Args)]
pub struct CopyFlags {
    /// Copy all images if SOURCE-IMAGE is a list (same as --multi-arch all)
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Path of the authentication file, for both source and destination
    #[arg(long, env = "REGISTRY_AUTH_FILE", value_name = "PATH")]
    pub authfile: Option<PathBuf>,
    /// Do not change the manifest digest (refuse conversions)
    #[arg(long)]
    pub preserve_digests: bool,
    /// Write the digest of the copied manifest to PATH
    #[arg(long, value_name = "PATH")]
    pub digestfile: Option<PathBuf>,
    /// MANIFEST TYPE (oci, v2s2) to use in the destination
    #[arg(short = 'f', long = "format", value_name = "MANIFEST-TYPE")]
    pub format: Option<String>,
    /// Maximum number of blobs copied at once
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub image_parallel_copies: usize,
    /// Suppress output information when copying images
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Do not copy signatures from SOURCE-IMAGE
    #[arg(long)]
    pub remove_signatures: bool,
    /// Sign the image using a GPG key with the specified FINGERPRINT
    #[arg(long, value_name = "FINGERPRINT")]
    pub sign_by: Option<String>,
    /// Sign the image with the OpenPGP secret key in PATH, without GnuPG
    #[arg(long, value_name = "PATH")]
    pub sign_by_key_file: Option<PathBuf>,
    /// Read a passphrase for signing an image from PATH
    #[arg(long, value_name = "PATH")]
    pub sign_passphrase_file: Option<PathBuf>,
}

impl CopyFlags {
    /// The engine's options for these flags: every image of an index with `--all` (else the
    /// one for the platform the global flags choose), at least one blob at a time, digests
    /// kept, `--format` checked; no layer edits and no skipping, which the commands add.
    pub fn copy_options(&self, global: &GlobalOptions) -> Result<CopyOptions> {
        Ok(CopyOptions {
            multi_arch: if self.all { MultiArch::All } else { MultiArch::System },
            platform: global.platform(),
            parallel: self.image_parallel_copies.max(1),
            preserve_digests: self.preserve_digests,
            format: self.format.as_deref().map(TargetFormat::parse).transpose()?,
            layer_edit: None,
            codec: None,
            skip_if_present: false,
            policy: None,
            remove_signatures: self.remove_signatures,
            signing: None,
        })
    }

    /// The signing these flags ask for, naming `identity` (`--sign-identity`) if given.
    pub fn signing(&self, identity: Option<&str>) -> Result<Option<crate::copy::Signing>> {
        super::trust::signing(
            self.sign_by.as_deref(),
            self.sign_by_key_file.as_deref(),
            self.sign_passphrase_file.as_deref(),
            identity,
        )
    }
}

/// For a command's `mut_args`: gives each flag whose id `order` lists its place in that list
/// as its `--help` position. Every flag of the command must be listed (the tests check).
pub fn help_order(order: &'static [&'static str]) -> impl FnMut(Arg) -> Arg {
    move |arg| match order.iter().position(|id| arg.get_id() == *id) {
        Some(place) => arg.display_order(place),
        None => arg,
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;
    use crate::native::cli::{Cli, Command};

    /// The flags alone, as a command line.
    #[derive(Debug, Parser)]
    struct Flags {
        #[command(flatten)]
        flags: CopyFlags,
        #[command(flatten)]
        global: GlobalOptions,
    }

    fn options(args: &[&str]) -> Result<CopyOptions> {
        let parsed = Flags::try_parse_from(std::iter::once("test").chain(args.iter().copied())).unwrap();
        parsed.flags.copy_options(&parsed.global)
    }

    #[test]
    fn defaults_copy_one_platform_six_blobs_at_a_time() {
        let o = options(&[]).unwrap();
        assert_eq!(o.multi_arch, MultiArch::System);
        assert_eq!(o.parallel, 6);
        assert!(!o.preserve_digests && !o.skip_if_present);
        assert!(o.format.is_none() && o.layer_edit.is_none() && o.codec.is_none());
        assert_eq!(o.platform, GlobalOptions::default().platform());
    }

    #[test]
    fn flags_become_options() {
        let o = options(&["-a", "--preserve-digests", "--image-parallel-copies", "3"]).unwrap();
        assert_eq!(o.multi_arch, MultiArch::All);
        assert!(o.preserve_digests);
        assert_eq!(o.parallel, 3);
        assert_eq!(options(&["-f", "oci"]).unwrap().format, Some(TargetFormat::Oci));
        assert_eq!(options(&["--format", "v2s2"]).unwrap().format, Some(TargetFormat::parse("v2s2").unwrap()));
        assert_eq!(options(&["--image-parallel-copies", "0"]).unwrap().parallel, 1, "at least one at a time");
        let o = options(&["--override-arch", "arm64", "--override-os", "freebsd"]).unwrap();
        assert_eq!((o.platform.architecture.as_str(), o.platform.os.as_str()), ("arm64", "freebsd"));
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(options(&["--format", "v1"]).is_err(), "an unknown format fails the conversion");
        assert!(Flags::try_parse_from(["test", "--image-parallel-copies", "many"]).is_err());
        assert!(Flags::try_parse_from(["test", "--quiet=yes"]).is_err());
    }

    #[test]
    fn copy_and_sync_parse_the_same_flags_the_same_way() {
        let shared = ["-a", "--authfile", "/a.json", "--preserve-digests", "--digestfile", "/d", "-f", "oci", "-q"];
        let copy = Cli::try_parse_from(["skopos", "copy"].iter().chain(&shared).chain(&["src:x", "dst:y"])).unwrap();
        let sync = Cli::try_parse_from(
            ["skopos", "sync", "--src", "docker", "--dest", "dir"].iter().chain(&shared).chain(&["h/r", "/tmp/d"]),
        )
        .unwrap();
        let (Command::Copy(copy), Command::Sync(sync)) = (copy.command, sync.command) else { panic!("wrong commands") };
        assert_eq!(format!("{:?}", copy.flags), format!("{:?}", sync.flags));
        assert_eq!(copy.flags.authfile, Some(PathBuf::from("/a.json")));
        assert!(copy.flags.quiet && copy.flags.all);
    }

    /// `--help` of `skopos COMMAND` as clap renders it.
    fn help(command: &str) -> String {
        let e = Cli::try_parse_from(["skopos", command, "--help"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp);
        e.render().to_string()
    }

    #[test]
    fn help_is_as_before() {
        if std::env::var_os("REGISTRY_AUTH_FILE").is_some() {
            return; // clap would show its value in `[env: …]`
        }
        assert_eq!(help("copy"), include_str!("testdata/copy-help.txt"));
        assert_eq!(help("sync"), include_str!("testdata/sync-help.txt"));
    }

    #[test]
    fn every_flag_has_a_place_in_help() {
        for (name, order) in [("copy", super::super::copy::HELP_ORDER), ("sync", super::super::sync::HELP_ORDER)] {
            let cli = Cli::command();
            let command = cli.find_subcommand(name).unwrap();
            let flags: Vec<&str> =
                command.get_arguments().filter(|a| !a.is_positional()).map(|a| a.get_id().as_str()).collect();
            let mut listed = order.to_vec();
            let mut found = flags.clone();
            listed.sort_unstable();
            found.sort_unstable();
            assert_eq!(listed, found, "{name}: HELP_ORDER must list exactly its flags");
        }
    }
}
