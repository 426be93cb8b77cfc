//! Throwaway TLS material for a registry on 127.0.0.1, made with the `openssl` CLI:
//! a CA, and a server certificate (subjectAltName IP:127.0.0.1) signed by it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where [`generate`] put its files.
pub struct TlsFiles {
    /// A directory holding only the CA certificate, as `ca.crt` (a `--cert-dir`).
    pub ca_dir: PathBuf,
    /// The server certificate (PEM), signed by the CA.
    pub server_cert: PathBuf,
    /// The server's private key (PEM).
    pub server_key: PathBuf,
}

impl TlsFiles {
    /// The `tls:` section of distribution's `http:` config, indented to sit under it.
    pub fn http_tls_yaml(&self) -> String {
        format!("  tls:\n    certificate: {}\n    key: {}\n", self.server_cert.display(), self.server_key.display())
    }
}

/// Runs `openssl` with `args` in `dir` and panics with its stderr on failure.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("run openssl");
    assert!(out.status.success(), "openssl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Generates a P-256 CA and a server certificate for `127.0.0.1` in `dir/tls`, and copies the
/// CA certificate alone into `dir/ca/ca.crt`. Valid for one day.
pub fn generate(dir: &Path) -> TlsFiles {
    let tls = dir.join("tls");
    let ca_dir = dir.join("ca");
    std::fs::create_dir_all(&tls).unwrap();
    std::fs::create_dir_all(&ca_dir).unwrap();
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let mut ca_args =
        vec!["req", "-x509", "-days", "1", "-subj", "/CN=skopos test CA", "-keyout", "ca.key", "-out", "ca.crt"];
    ca_args.extend(ec);
    ca_args.extend(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    openssl(&tls, &ca_args);
    let mut csr_args = vec!["req", "-new", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr"];
    csr_args.extend(ec);
    openssl(&tls, &csr_args);
    std::fs::write(
        tls.join("server.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(
        &tls,
        &[
            "x509",
            "-req",
            "-days",
            "1",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    );
    std::fs::copy(tls.join("ca.crt"), ca_dir.join("ca.crt")).unwrap();
    TlsFiles { ca_dir, server_cert: tls.join("server.crt"), server_key: tls.join("server.key") }
}
