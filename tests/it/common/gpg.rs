//! Throwaway GnuPG keyrings for the trust tests: a `GNUPGHOME` in a temp directory, RSA keys made
//! with `gpg --batch --gen-key` (with or without a passphrase), and each key's public and secret
//! halves exported to files (for policy `keyPath`, `--public-key-file` and `--key-file`).
//!
//! Every command that signs or verifies with the keyring needs [`Gpg::env`]. The agent caches no
//! passphrase (`default-cache-ttl 0`), so a wrong passphrase is always asked about again; it is
//! stopped and the directory removed on Drop.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tempfile::TempDir;

/// One GnuPG home directory with the keys made in it.
pub struct Gpg {
    home: TempDir,
    count: std::cell::Cell<usize>,
}

/// A key of a [`Gpg`] keyring and its exported halves.
#[derive(Debug, Clone)]
pub struct Key {
    /// The full fingerprint, upper-case hex, as gpg prints it.
    pub fingerprint: String,
    /// The public key, binary (`gpg --export`).
    pub public_key: PathBuf,
    /// The public key, ASCII-armored (`gpg --export --armor`).
    pub public_key_armored: PathBuf,
    /// The secret key, ASCII-armored (`gpg --export-secret-keys --armor`), protected as in the
    /// keyring.
    pub secret_key: PathBuf,
    /// The passphrase of a protected key.
    pub passphrase: Option<String>,
    /// A file holding [`Key::passphrase`] (one line), for `--passphrase-file`.
    pub passphrase_file: Option<PathBuf>,
}

impl Gpg {
    /// An empty keyring in a fresh temp directory.
    pub fn new() -> Gpg {
        let home = tempfile::Builder::new().prefix("gpg").tempdir_in("/tmp").unwrap();
        let mut perms = std::fs::metadata(home.path()).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o700);
        std::fs::set_permissions(home.path(), perms).unwrap();
        std::fs::write(
            home.path().join("gpg-agent.conf"),
            "default-cache-ttl 0\nmax-cache-ttl 0\nallow-loopback-pinentry\n",
        )
        .unwrap();
        Gpg { home, count: std::cell::Cell::new(0) }
    }

    /// The `GNUPGHOME` directory.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Sets `GNUPGHOME` on `cmd` (skopos, skopeo or gpg) and returns it.
    pub fn env<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.env("GNUPGHOME", self.home())
    }

    /// A `gpg --batch` command on this keyring.
    fn gpg(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("gpg");
        cmd.env("GNUPGHOME", self.home()).arg("--batch").arg("--no-tty").args(args);
        cmd
    }

    /// Runs gpg with `args`; panics with its stderr unless it succeeded. Returns stdout.
    fn gpg_ok(&self, args: &[&str]) -> Vec<u8> {
        let out = self.gpg(args).stdin(Stdio::null()).output().expect("run gpg (apt-get install gnupg)");
        assert!(out.status.success(), "gpg {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }

    /// Makes an RSA 2048 key named `name`, protected by `passphrase` when given, and exports it.
    pub fn generate(&self, name: &str, passphrase: Option<&str>) -> Key {
        let n = self.count.get() + 1;
        self.count.set(n);
        let params = self.home().join(format!("key-{n}.params"));
        let protection = match passphrase {
            Some(p) => format!("Passphrase: {p}\n"),
            None => "%no-protection\n".to_string(),
        };
        let email = format!("{}@skopos.test", name.to_ascii_lowercase().replace(' ', "."));
        std::fs::write(
            &params,
            format!(
                "Key-Type: RSA\nKey-Length: 2048\n{protection}Name-Real: {name}\nName-Email: {email}\nExpire-Date: 0\n%commit\n"
            ),
        )
        .unwrap();
        let unlock = passphrase.unwrap_or("");
        self.gpg_ok(&["--pinentry-mode", "loopback", "--passphrase", unlock, "--gen-key", params.to_str().unwrap()]);
        let fingerprint = self.fingerprint_of(&email);
        let public_key = self.home().join(format!("key-{n}.pub.gpg"));
        std::fs::write(&public_key, self.gpg_ok(&["--export", &fingerprint])).unwrap();
        let public_key_armored = self.home().join(format!("key-{n}.pub.asc"));
        std::fs::write(&public_key_armored, self.gpg_ok(&["--export", "--armor", &fingerprint])).unwrap();
        let secret_key = self.home().join(format!("key-{n}.sec.asc"));
        let mut export = vec!["--pinentry-mode", "loopback", "--passphrase", unlock];
        export.extend(["--export-secret-keys", "--armor", &fingerprint]);
        std::fs::write(&secret_key, self.gpg_ok(&export)).unwrap();
        let passphrase_file = passphrase.map(|p| {
            let path = self.home().join(format!("key-{n}.passphrase"));
            std::fs::write(&path, format!("{p}\n")).unwrap();
            path
        });
        Key {
            fingerprint,
            public_key,
            public_key_armored,
            secret_key,
            passphrase: passphrase.map(str::to_string),
            passphrase_file,
        }
    }

    /// The fingerprint of the (only) key with user ID `email`, from `--with-colons` output.
    fn fingerprint_of(&self, email: &str) -> String {
        let listing = String::from_utf8(self.gpg_ok(&["--with-colons", "--fingerprint", email])).unwrap();
        let fpr = listing
            .lines()
            .find(|l| l.starts_with("fpr:"))
            .and_then(|l| l.split(':').nth(9))
            .unwrap_or_else(|| panic!("no fingerprint for {email} in {listing}"));
        fpr.to_string()
    }

    /// A file in the keyring's directory holding `text`, e.g. a wrong passphrase.
    pub fn write_file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.home().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        // The agent this keyring started; it would also notice its socket is gone, later.
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home())
            .args(["--kill", "gpg-agent"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
