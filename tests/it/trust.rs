//! The trust layer against skopeo 1.9.3 as the independent peer: simple signatures made and
//! verified both ways (`standalone-sign`/`standalone-verify`, `copy --sign-by` through a lookaside
//! served over HTTP), policy.json requirements enforced on `copy` and `sync`, signatures carried
//! between transports, and bad policies, keys and signatures refused in one line with nothing
//! written.
//!
//! Every command gets `--registries.d` pointing at a temp directory (never the built-in
//! `/var/lib/containers/sigstore`) and `GNUPGHOME` pointing at the test's own keyring.

use crate::common;

use std::path::{Path, PathBuf};

use common::gpg::{Gpg, Key};
use common::image::{ImageSpec, OciLayout};
use common::lookaside::{Fault, Lookaside, PolicyFile};
use common::{assert_clean_failure, run, skopeo_cmd, skopos_cmd, Registry, Run};
use serde_json::{json, Value};
use tempfile::TempDir;

/// Which program a command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Skopos,
    Skopeo,
}

use Tool::{Skopeo, Skopos};

/// One test's world: a registry, its lookaside (staged to a directory, read over HTTP), a GnuPG
/// keyring with a signing key, and a scratch directory for destinations and files.
struct Trust {
    reg: Registry,
    store: Lookaside,
    gpg: Gpg,
    key: Key,
    work: TempDir,
}

impl Trust {
    fn new() -> Trust {
        let reg = Registry::anonymous();
        let store = Lookaside::for_host(&reg.host());
        let gpg = Gpg::new();
        let key = gpg.generate("Skopos Signer", None);
        Trust { reg, store, gpg, key, work: TempDir::new().unwrap() }
    }

    /// Runs `tool` with `--registries.d` and `GNUPGHOME` set, then `args`.
    fn run(&self, tool: Tool, args: &[&str]) -> Run {
        let d = self.store.registries_d_arg();
        let mut full = vec!["--registries.d", d.as_str()];
        full.extend(args);
        let mut cmd = match tool {
            Skopos => skopos_cmd(&full),
            Skopeo => skopeo_cmd(&full),
        };
        run(self.gpg.env(&mut cmd))
    }

    /// `TOOL [global…] copy --src-tls-verify=false --dest-tls-verify=false [extra…] SRC DST`.
    fn copy(&self, tool: Tool, global: &[&str], extra: &[&str], src: &str, dst: &str) -> Run {
        let mut args: Vec<&str> = global.to_vec();
        args.extend(["copy", "--src-tls-verify=false", "--dest-tls-verify=false"]);
        args.extend(extra);
        args.extend([src, dst]);
        self.run(tool, &args)
    }

    /// The same copy under `--policy policy`.
    fn copy_under(&self, tool: Tool, policy: &PolicyFile, extra: &[&str], src: &str, dst: &str) -> Run {
        self.copy(tool, &["--policy", &policy.arg()], extra, src, dst)
    }

    /// `docker://HOST/repo_tag`
    fn image(&self, repo_tag: &str) -> String {
        self.reg.docker_ref(repo_tag)
    }

    /// `HOST/repo_tag`, as messages and signatures name the image.
    fn name(&self, repo_tag: &str) -> String {
        format!("{}/{repo_tag}", self.reg.host())
    }

    /// A path under the scratch directory (not created).
    fn path(&self, name: &str) -> PathBuf {
        self.work.path().join(name)
    }

    /// `dir:` of a path under the scratch directory.
    fn dir_ref(&self, name: &str) -> String {
        format!("dir:{}", self.path(name).display())
    }

    /// Pushes a small image unique to `seed` to `repo:tag`, unsigned, with skopeo; returns its
    /// manifest digest.
    fn seed(&self, repo: &str, tag: &str, seed: &str) -> String {
        self.push(Skopeo, repo, tag, seed, &[])
    }

    /// Pushes the image of `seed` to `repo:tag` with `tool` and `extra` copy flags (e.g.
    /// `--sign-by`), under `--insecure-policy`; returns its manifest digest.
    fn push(&self, tool: Tool, repo: &str, tag: &str, seed: &str, extra: &[&str]) -> String {
        let (layout, digest) = layout_of(seed);
        let r = self.copy(
            tool,
            &["--insecure-policy"],
            extra,
            &layout.reference("t"),
            &self.image(&format!("{repo}:{tag}")),
        );
        assert_eq!(r.code, 0, "{tool:?} push of {repo}:{tag} {extra:?} failed: {}", r.stderr);
        digest
    }

    /// The manifest bytes of the image of `seed` written to a file; returns the path.
    fn manifest_file(&self, seed: &str) -> PathBuf {
        let (layout, digest) = layout_of(seed);
        let hex = digest.strip_prefix("sha256:").unwrap();
        let path = self.path(&format!("manifest-{seed}.json"));
        std::fs::copy(layout.path().join("blobs/sha256").join(hex), &path).unwrap();
        path
    }

    /// A policy that rejects everything but `requirement` for this registry's images.
    fn host_policy(&self, requirement: Value) -> PolicyFile {
        PolicyFile::new(&json!({
            "default": [{"type": "reject"}],
            "transports": {"docker": {self.reg.host(): [requirement]}},
        }))
    }

    /// A `signedBy` policy for `key` (its binary public key as `keyPath`) on this registry.
    fn signed_by_policy(&self, key: &Key) -> PolicyFile {
        self.host_policy(signed_by(key))
    }
}

/// A `signedBy` requirement for `key`'s public key file.
fn signed_by(key: &Key) -> Value {
    json!({"type": "signedBy", "keyType": "GPGKeys", "keyPath": key.public_key})
}

/// An OCI layout holding the image of `seed` as tag `t` (two small layers, a label naming the
/// seed, so each seed has its own manifest digest); returns it and the manifest digest.
fn layout_of(seed: &str) -> (OciLayout, String) {
    let mut layout = OciLayout::new();
    let mut spec = ImageSpec::linux("amd64", None);
    spec.labels.push(("org.skopos.test.seed".into(), seed.into()));
    let desc = layout.add_image(&spec);
    layout.tag("t", &desc);
    let digest = desc["digest"].as_str().unwrap().to_string();
    (layout, digest)
}

/// Asserts a policy refusal by skopos: exit 1, one line `skopos: Source image rejected: …`
/// naming `image` and containing every one of `words`. Returns the line.
fn assert_rejected(r: &Run, image: &str, words: &[&str]) -> String {
    let line = assert_clean_failure(r, 1);
    assert!(line.starts_with("skopos: Source image rejected: "), "not a policy refusal: {line}");
    assert!(line.contains(image), "{line} does not name {image}");
    for word in words {
        assert!(line.contains(word), "{line} does not say {word:?}");
    }
    line
}

/// Asserts a one-line skopos failure (exit 1) containing every one of `words`.
fn assert_fails_saying(r: &Run, words: &[&str]) -> String {
    let line = assert_clean_failure(r, 1);
    assert!(line.starts_with("skopos: "), "unexpected prefix: {line}");
    for word in words {
        assert!(line.contains(word), "{line} does not say {word:?}");
    }
    line
}

/// Asserts skopeo failed (any non-zero exit).
fn assert_skopeo_failed(r: &Run, what: &str) {
    assert_ne!(r.code, 0, "skopeo unexpectedly accepted {what}: {}", r.stdout);
}

/// Asserts `path` does not exist.
fn assert_absent(path: &Path) {
    assert!(!path.exists(), "{} was written", path.display());
}

/// The `signature-N` files of a `dir:` directory, in order.
fn dir_signatures(dir: &Path) -> Vec<Vec<u8>> {
    (1..).map_while(|n| std::fs::read(dir.join(format!("signature-{n}"))).ok()).collect()
}

// 1. standalone-sign / standalone-verify, both ways.

#[test]
fn standalone_signatures_verify_both_ways_with_skopeos_exact_line() {
    let t = Trust::new();
    let other = t.gpg.generate("Other Signer", None);
    let manifest = t.manifest_file("standalone");
    let (m, fpr) = (manifest.to_str().unwrap(), t.key.fingerprint.as_str());
    let reference = t.name("ns/app:1");

    let ours = t.path("by-skopos.sig");
    t.run(Skopos, &["standalone-sign", m, &reference, fpr, "-o", ours.to_str().unwrap()]).ok();
    let theirs = t.path("by-skopeo.sig");
    t.run(Skopeo, &["standalone-sign", m, &reference, fpr, "-o", theirs.to_str().unwrap()]).ok();

    for sig in [&ours, &theirs] {
        let s = sig.to_str().unwrap();
        // skopeo 1.9.3 names only the digest; later skopeo releases, and skopos, also the key.
        let (_, digest) = layout_of("standalone");
        let peer = t.run(Skopeo, &["standalone-verify", m, &reference, fpr, s]).ok().stdout;
        assert_eq!(peer, format!("Signature verified, digest {digest}\n"));
        let expected = format!("Signature verified using fingerprint {fpr}, digest {digest}\n");

        let keyring = t.run(Skopos, &["standalone-verify", m, &reference, fpr, s]).ok();
        assert_eq!(keyring.stdout, expected, "keyring verification of {s}");
        for key_file in [&t.key.public_key, &t.key.public_key_armored] {
            let kf = key_file.to_str().unwrap();
            let listed = format!("{},{fpr}", other.fingerprint);
            for fingerprints in [fpr, listed.as_str(), "any"] {
                let r = t.run(Skopos, &["standalone-verify", "--public-key-file", kf, m, &reference, fingerprints, s]);
                assert_eq!(r.ok().stdout, expected, "--public-key-file {kf} with {fingerprints}");
            }
        }
        // A fingerprint list without the signer's key is refused, as is another reference.
        let r = t.run(Skopos, &["standalone-verify", m, &reference, &other.fingerprint, s]);
        assert_fails_saying(&r, &["Error verifying signature"]);
        let elsewhere = t.name("ns/other:1");
        let r = t.run(Skopos, &["standalone-verify", m, &elsewhere, fpr, s]);
        assert_fails_saying(&r, &["Error verifying signature"]);
        assert_skopeo_failed(&t.run(Skopeo, &["standalone-verify", m, &elsewhere, fpr, s]), "another reference");
    }
}

#[test]
fn standalone_sign_with_a_passphrase_and_with_a_key_file_is_verified_by_skopeo() {
    let t = Trust::new();
    let locked = t.gpg.generate("Locked Signer", Some("correct horse battery"));
    let manifest = t.manifest_file("passphrase");
    let m = manifest.to_str().unwrap();
    let reference = t.name("ns/app:2");
    let (_, digest) = layout_of("passphrase");

    // The keyring's protected key, unlocked with --passphrase-file.
    let sig = t.path("locked.sig");
    let pass = locked.passphrase_file.as_ref().unwrap().to_str().unwrap();
    t.run(
        Skopos,
        &[
            "standalone-sign",
            "--passphrase-file",
            pass,
            m,
            &reference,
            &locked.fingerprint,
            "-o",
            sig.to_str().unwrap(),
        ],
    )
    .ok();
    let out = t.run(Skopeo, &["standalone-verify", m, &reference, &locked.fingerprint, sig.to_str().unwrap()]).ok();
    assert_eq!(out.stdout, format!("Signature verified, digest {digest}\n"));

    // --key-file: exported secret keys, with GNUPGHOME an empty keyring (no GnuPG involved).
    let empty = Gpg::new();
    for (key, passphrase) in [(&t.key, None), (&locked, Some(pass))] {
        let sig = t.path(&format!("keyfile-{}.sig", key.fingerprint));
        let mut args = vec!["standalone-sign", "--key-file", key.secret_key.to_str().unwrap()];
        if let Some(p) = passphrase {
            args.extend(["--passphrase-file", p]);
        }
        args.extend([m, &reference, &key.fingerprint, "-o", sig.to_str().unwrap()]);
        let mut cmd = skopos_cmd(&args);
        run(empty.env(&mut cmd)).ok();
        let out = t.run(Skopeo, &["standalone-verify", m, &reference, &key.fingerprint, sig.to_str().unwrap()]).ok();
        assert_eq!(out.stdout, format!("Signature verified, digest {digest}\n"));
    }

    // --key-file naming another key's fingerprint writes nothing.
    let sig = t.path("mismatch.sig");
    let r = t.run(
        Skopos,
        &[
            "standalone-sign",
            "--key-file",
            t.key.secret_key.to_str().unwrap(),
            m,
            &reference,
            &locked.fingerprint,
            "-o",
            sig.to_str().unwrap(),
        ],
    );
    assert_fails_saying(&r, &["Error creating signature", &locked.fingerprint]);
    assert_absent(&sig);
}

#[test]
fn wrong_passphrase_is_refused_and_writes_nothing() {
    let t = Trust::new();
    let locked = t.gpg.generate("Locked Signer", Some("the right one"));
    let wrong = t.gpg.write_file("wrong-passphrase", "not the right one\n");
    let w = wrong.to_str().unwrap();
    let manifest = t.manifest_file("wrong-pass");
    let reference = t.name("ns/app:1");

    // GnuPG keyring.
    let sig = t.path("gpg.sig");
    let r = t.run(
        Skopos,
        &[
            "standalone-sign",
            "--passphrase-file",
            w,
            manifest.to_str().unwrap(),
            &reference,
            &locked.fingerprint,
            "-o",
            sig.to_str().unwrap(),
        ],
    );
    assert_fails_saying(&r, &["Error creating signature", &locked.fingerprint]);
    assert_absent(&sig);
    // Exported secret key.
    let r = t.run(
        Skopos,
        &[
            "standalone-sign",
            "--key-file",
            locked.secret_key.to_str().unwrap(),
            "--passphrase-file",
            w,
            manifest.to_str().unwrap(),
            &reference,
            &locked.fingerprint,
            "-o",
            sig.to_str().unwrap(),
        ],
    );
    assert_fails_saying(&r, &["passphrase"]);
    assert_absent(&sig);

    // copy --sign-by with the wrong passphrase: no image, no signature.
    let (layout, _) = layout_of("wrong-pass");
    let dest = t.path("signed-dir");
    let identity = t.name("ns/app:1");
    for mut extra in [
        vec!["--sign-by", locked.fingerprint.as_str(), "--sign-passphrase-file", w],
        vec!["--sign-by-key-file", locked.secret_key.to_str().unwrap(), "--sign-passphrase-file", w],
    ] {
        extra.extend(["--quiet", "--sign-identity", &identity]);
        let r = t.copy(Skopos, &["--insecure-policy"], &extra, &layout.reference("t"), &t.dir_ref("signed-dir"));
        assert_clean_failure(&r, 1);
        assert!(!dest.join("manifest.json").exists(), "{extra:?} wrote a manifest");
        assert!(dir_signatures(&dest).is_empty(), "{extra:?} wrote a signature");
    }
}

// 2. The lookaside form: signatures staged to a directory and read over HTTP.

#[test]
fn skopos_signed_push_is_accepted_by_skopeo_through_the_http_lookaside() {
    let t = Trust::new();
    let stranger = t.gpg.generate("Stranger", None);
    let digest = t.push(Skopos, "ns/app", "1", "skopos-signed", &["--sign-by", &t.key.fingerprint]);
    let staged = t.store.signatures("ns/app", &digest);
    assert_eq!(staged.len(), 1, "one signature staged under {}", t.store.staging().display());

    // The staged signature names the pushed image and digest.
    let sig_path = t.store.signature_path("ns/app", &digest, 1);
    let dump = t.run(Skopos, &["untrusted-signature-dump-without-verification", sig_path.to_str().unwrap()]).ok();
    let dumped: Value = serde_json::from_str(&dump.stdout).unwrap();
    assert_eq!(dumped["UntrustedDockerManifestDigest"], json!(digest), "{}", dump.stdout);
    assert_eq!(dumped["UntrustedDockerReference"], json!(t.name("ns/app:1")), "{}", dump.stdout);

    let accepted = t.signed_by_policy(&t.key);
    let r = t.copy_under(Skopeo, &accepted, &[], &t.image("ns/app:1"), &t.dir_ref("by-skopeo"));
    assert_eq!(r.code, 0, "skopeo refused what skopos signed: {}", r.stderr);
    assert_eq!(dir_signatures(&t.path("by-skopeo")), staged, "skopeo carried the signature into dir:");
    assert!(t.store.requests().iter().any(|p| p.contains("signature-1")), "skopeo read the lookaside over HTTP");

    let refused = t.signed_by_policy(&stranger);
    let r = t.copy_under(Skopeo, &refused, &[], &t.image("ns/app:1"), &t.dir_ref("refused-by-skopeo"));
    assert_skopeo_failed(&r, "a signature by another key");
    assert!(!t.path("refused-by-skopeo").join("manifest.json").exists());
}

#[test]
fn skopeo_signed_push_is_accepted_by_skopos_and_an_unsigned_image_is_refused() {
    let t = Trust::new();
    let digest = t.push(Skopeo, "ns/app", "1", "skopeo-signed", &["--sign-by", &t.key.fingerprint]);
    let staged = t.store.signatures("ns/app", &digest);
    assert_eq!(staged.len(), 1, "skopeo staged one signature");
    let policy = t.signed_by_policy(&t.key);

    t.store.clear_requests();
    let r = t.copy_under(Skopos, &policy, &[], &t.image("ns/app:1"), &t.dir_ref("signed"));
    assert_eq!(r.code, 0, "skopos refused what skopeo signed: {}", r.stderr);
    // 4. Carried along: dir: holds the lookaside's signature byte for byte.
    assert_eq!(dir_signatures(&t.path("signed")), staged);
    let hex = digest.strip_prefix("sha256:").unwrap();
    let seen = t.store.requests();
    assert_eq!(
        seen,
        vec![format!("/ns/app@sha256={hex}/signature-1"), format!("/ns/app@sha256={hex}/signature-2")],
        "one request per signature plus the 404 that ends the list"
    );

    t.seed("ns/app", "unsigned", "unsigned");
    let dest = t.path("unsigned");
    let r = t.copy_under(Skopos, &policy, &[], &t.image("ns/app:unsigned"), &t.dir_ref("unsigned"));
    assert_rejected(&r, &t.name("ns/app:unsigned"), &["signedBy", "signature"]);
    assert_absent(&dest);
    let r = t.copy_under(Skopeo, &policy, &[], &t.image("ns/app:unsigned"), &t.dir_ref("unsigned-skopeo"));
    assert_skopeo_failed(&r, "an unsigned image under signedBy");
}

#[test]
fn sync_under_signed_by_copies_signed_images_and_refuses_unsigned_ones() {
    let t = Trust::new();
    t.push(Skopos, "ns/signed", "1", "sync-signed", &["--sign-by", &t.key.fingerprint]);
    t.seed("ns/unsigned", "1", "sync-unsigned");
    let policy = t.signed_by_policy(&t.key);
    let p = policy.arg();
    // Each tool syncs into its own directory: DEST-skopos, DEST-skopeo.
    let sync = |repo: &str, dest: &str| {
        let source = t.name(repo);
        let [ours, theirs] = [Skopos, Skopeo].map(|tool| {
            let dest = t.path(&format!("{dest}-{tool:?}").to_lowercase());
            let args = [
                "--policy",
                &p,
                "sync",
                "--src-tls-verify=false",
                "--src",
                "docker",
                "--dest",
                "dir",
                &source,
                dest.to_str().unwrap(),
            ];
            t.run(tool, &args)
        });
        (ours, theirs)
    };

    let (ours, theirs) = sync("ns/signed:1", "signed");
    assert_eq!(theirs.code, 0, "skopeo sync: {}", theirs.stderr);
    assert_eq!(ours.code, 0, "skopos sync: {}", ours.stderr);
    for tool in ["skopos", "skopeo"] {
        let image = t.path(&format!("signed-{tool}/signed:1"));
        assert!(
            image.join("manifest.json").exists(),
            "{tool}: {:?}",
            common::copy::listing(&t.path(&format!("signed-{tool}")))
        );
        assert_eq!(dir_signatures(&image).len(), 1, "{tool} carried the signature");
    }

    let (ours, theirs) = sync("ns/unsigned:1", "unsigned");
    assert_skopeo_failed(&theirs, "an unsigned image in sync");
    // sync logs skopeo's "Copying image ref" line first; the error is the last line.
    assert_eq!(ours.code, 1, "skopos sync of an unsigned image: {}", ours.stderr);
    assert!(!ours.stderr.contains("panicked"), "{}", ours.stderr);
    let line = ours.stderr.lines().last().unwrap_or("");
    assert!(line.starts_with("skopos: ") && line.contains("Source image rejected"), "{}", ours.stderr);
    assert!(line.contains(&t.name("ns/unsigned:1")) && line.contains("no signature exists"), "{line}");
    assert!(!t.path("unsigned-skopos/unsigned:1/manifest.json").exists());
}

// 3. Requirement types.

#[test]
fn reject_and_insecure_accept_anything_are_enforced_like_skopeo() {
    let t = Trust::new();
    t.seed("ns/app", "1", "reject");
    let src = t.image("ns/app:1");

    let reject = PolicyFile::new(&json!({"default": [{"type": "reject"}]}));
    let theirs = t.copy_under(Skopeo, &reject, &[], &src, &t.dir_ref("skopeo-rejected"));
    assert_skopeo_failed(&theirs, "reject");
    assert!(theirs.stderr.contains("is rejected by policy"), "skopeo's wording changed: {}", theirs.stderr);
    let r = t.copy_under(Skopos, &reject, &[], &src, &t.dir_ref("rejected"));
    assert_rejected(&r, &t.name("ns/app:1"), &["is rejected by policy"]);
    assert_absent(&t.path("rejected"));

    let accept = PolicyFile::new(&json!({"default": [{"type": "insecureAcceptAnything"}]}));
    t.copy_under(Skopeo, &accept, &[], &src, &t.dir_ref("skopeo-accepted")).ok();
    t.copy_under(Skopos, &accept, &[], &src, &t.dir_ref("accepted")).ok();
    assert!(t.path("accepted/manifest.json").exists());
}

#[test]
fn a_registry_scope_wins_over_the_default() {
    let t = Trust::new();
    t.seed("ns/app", "1", "scopes");
    let src = t.image("ns/app:1");
    let host = t.reg.host();
    let cases = [
        (
            json!({"default": [{"type": "reject"}], "transports": {"docker": {&host: [{"type": "insecureAcceptAnything"}]}}}),
            true,
        ),
        (
            json!({"default": [{"type": "insecureAcceptAnything"}], "transports": {"docker": {&host: [{"type": "reject"}]}}}),
            false,
        ),
        (
            json!({"default": [{"type": "insecureAcceptAnything"}], "transports": {"docker": {format!("{host}/ns/app"): [{"type": "reject"}], &host: [{"type": "insecureAcceptAnything"}]}}}),
            false,
        ),
        (
            json!({"default": [{"type": "insecureAcceptAnything"}], "transports": {"docker": {format!("{host}/ns/other"): [{"type": "reject"}]}}}),
            true,
        ),
    ];
    for (n, (policy, accepted)) in cases.iter().enumerate() {
        let policy = PolicyFile::new(policy);
        let theirs = t.copy_under(Skopeo, &policy, &[], &src, &t.dir_ref(&format!("skopeo-{n}")));
        assert_eq!(theirs.code == 0, *accepted, "skopeo, case {n}: {}", theirs.stderr);
        let ours = t.copy_under(Skopos, &policy, &[], &src, &t.dir_ref(&format!("skopos-{n}")));
        if *accepted {
            assert_eq!(ours.code, 0, "skopos, case {n}: {}", ours.stderr);
        } else {
            assert_rejected(&ours, &t.name("ns/app:1"), &["rejected by policy"]);
            assert_absent(&t.path(&format!("skopos-{n}")));
        }
    }
}

#[test]
fn signed_identity_match_repository_and_exact_reference_accept_and_refuse_like_skopeo() {
    let t = Trust::new();
    // Signed as ns/app:1; the same manifest is also tagged ns/app:2 (its signature is found by
    // digest, and names :1).
    t.push(Skopos, "ns/app", "1", "identity", &["--sign-by", &t.key.fingerprint]);
    t.seed("ns/app", "2", "identity");
    // Signed for another repository's name with --sign-identity.
    let foreign = t.name("other/app:1");
    t.push(Skopos, "ns/moved", "1", "moved", &["--sign-by", &t.key.fingerprint, "--sign-identity", &foreign]);

    let with_identity = |identity: Value| {
        let mut req = signed_by(&t.key);
        req["signedIdentity"] = identity;
        t.host_policy(req)
    };
    let cases: Vec<(Value, &str, bool)> = vec![
        (json!(null), "ns/app:1", true),
        (json!(null), "ns/app:2", false),
        (json!({"type": "matchRepository"}), "ns/app:2", true),
        (json!({"type": "matchRepository"}), "ns/moved:1", false),
        (json!({"type": "exactReference", "dockerReference": t.name("ns/app:1")}), "ns/app:2", true),
        (json!({"type": "exactReference", "dockerReference": t.name("ns/app:2")}), "ns/app:2", false),
        (json!({"type": "exactReference", "dockerReference": foreign}), "ns/moved:1", true),
        (json!({"type": "matchExact"}), "ns/app:1", true),
        (json!({"type": "matchExact"}), "ns/app:2", false),
    ];
    for (n, (identity, image, accepted)) in cases.into_iter().enumerate() {
        let policy = if identity.is_null() { t.signed_by_policy(&t.key) } else { with_identity(identity.clone()) };
        let theirs = t.copy_under(Skopeo, &policy, &[], &t.image(image), &t.dir_ref(&format!("skopeo-{n}")));
        assert_eq!(theirs.code == 0, accepted, "skopeo, {identity} on {image}: {}", theirs.stderr);
        let ours = t.copy_under(Skopos, &policy, &[], &t.image(image), &t.dir_ref(&format!("skopos-{n}")));
        if accepted {
            assert_eq!(ours.code, 0, "skopos, {identity} on {image}: {}", ours.stderr);
            assert_eq!(dir_signatures(&t.path(&format!("skopos-{n}"))).len(), 1);
        } else {
            assert_rejected(&ours, &t.name(image), &["signedBy"]);
            assert_absent(&t.path(&format!("skopos-{n}")));
        }
    }
}

// 4. Signatures carried between transports.

#[test]
fn signatures_go_to_dir_but_not_to_oci_unless_removed() {
    let t = Trust::new();
    let digest = t.push(Skopos, "ns/app", "1", "carried", &["--sign-by", &t.key.fingerprint]);
    let staged = t.store.signatures("ns/app", &digest);
    assert_eq!(staged.len(), 1);

    // registry -> dir: keeps the signature as signature-1.
    t.copy(Skopos, &[], &[], &t.image("ns/app:1"), &t.dir_ref("signed")).ok();
    assert_eq!(dir_signatures(&t.path("signed")), staged);

    // dir: -> oci: refuses the signed image, as skopeo does.
    let oci = |name: &str| format!("oci:{}:t", t.path(name).display());
    let theirs = t.copy(Skopeo, &[], &[], &t.dir_ref("signed"), &oci("skopeo-oci"));
    assert_skopeo_failed(&theirs, "signatures into oci:");
    assert!(theirs.stderr.contains("Pushing signatures for OCI images is not supported"), "{}", theirs.stderr);
    let r = t.copy(Skopos, &[], &[], &t.dir_ref("signed"), &oci("oci"));
    assert_fails_saying(&r, &["Pushing signatures for OCI images is not supported"]);
    let left = common::copy::listing(&t.path("oci"));
    assert!(left.iter().all(|f| !f.starts_with("blobs/")), "blobs written before the refusal: {left:?}");
    // With --remove-signatures it goes through.
    t.copy(Skopeo, &[], &["--remove-signatures"], &t.dir_ref("signed"), &oci("skopeo-oci")).ok();
    t.copy(Skopos, &[], &["--remove-signatures"], &t.dir_ref("signed"), &oci("oci")).ok();
    assert_eq!(common::copy::skopeo_digest(&oci("oci")), digest);

    // --remove-signatures to dir: writes none.
    t.copy(Skopos, &[], &["--remove-signatures"], &t.image("ns/app:1"), &t.dir_ref("unsigned")).ok();
    assert!(t.path("unsigned/manifest.json").exists());
    assert!(dir_signatures(&t.path("unsigned")).is_empty());

    // dir: -> registry carries the signature to the lookaside of the new repository.
    t.copy(Skopos, &[], &[], &t.dir_ref("signed"), &t.image("ns/copy:1")).ok();
    assert_eq!(t.store.signatures("ns/copy", &digest), staged);
}

// 5. Bad input.

#[test]
fn bad_policies_are_refused_in_one_line_naming_the_file() {
    let t = Trust::new();
    t.seed("ns/app", "1", "bad-policy");
    let src = t.image("ns/app:1");
    let missing_key = t.path("no-such-key.gpg");
    let cases: Vec<(PolicyFile, Vec<String>)> = vec![
        (
            PolicyFile::from_text(r#"{"default": [{"type": "insecureAcceptAnything"}], "defualt": []}"#),
            vec!["defualt".into()],
        ),
        (
            PolicyFile::from_text(r#"{"default": [{"type": "insecureAcceptAnything", "extra": 1}]}"#),
            vec!["extra".into()],
        ),
        (PolicyFile::from_text(r#"{"default": [{"type": "acceptEverything"}]}"#), vec!["acceptEverything".into()]),
        (PolicyFile::from_text(r#"{"default": [{"type": "reject"}"#), vec![]),
    ];
    for (policy, words) in &cases {
        let r = t.copy_under(Skopos, policy, &[], &src, &t.dir_ref("out"));
        let line = assert_clean_failure(&r, 1);
        assert!(line.contains(&policy.arg()), "{line} does not name {}", policy.arg());
        for w in words {
            assert!(line.contains(w.as_str()), "{line} does not name {w}");
        }
        assert_absent(&t.path("out"));
        assert_skopeo_failed(&t.copy_under(Skopeo, policy, &[], &src, &t.dir_ref("skopeo-out")), "a bad policy");
    }

    // Requirements whose keys cannot be had: refused when the image is checked.
    let key_data = base64_of(&std::fs::read(&t.key.public_key).unwrap());
    let two_sources =
        json!({"type": "signedBy", "keyType": "GPGKeys", "keyPath": t.key.public_key, "keyData": key_data});
    let missing = json!({"type": "signedBy", "keyType": "GPGKeys", "keyPath": missing_key});
    for (requirement, words) in
        [(two_sources, vec!["keyPath", "keyData"]), (missing, vec![missing_key.to_str().unwrap()])]
    {
        let policy = t.host_policy(requirement);
        let r = t.copy_under(Skopos, &policy, &[], &src, &t.dir_ref("out"));
        assert_fails_saying(&r, &words);
        assert_absent(&t.path("out"));
        assert_skopeo_failed(&t.copy_under(Skopeo, &policy, &[], &src, &t.dir_ref("skopeo-out")), "a bad key source");
    }

    // Two signing key sources on the command line.
    let (layout, _) = layout_of("bad-policy");
    let r = t.copy(
        Skopos,
        &["--insecure-policy"],
        &["--sign-by", &t.key.fingerprint, "--sign-by-key-file", t.key.secret_key.to_str().unwrap()],
        &layout.reference("t"),
        &t.dir_ref("out"),
    );
    assert_fails_saying(&r, &["--sign-by", "--sign-by-key-file"]);
    assert_absent(&t.path("out"));
}

/// Standard base64 (for `keyData`).
fn base64_of(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn bad_signatures_are_refused_in_one_line_with_nothing_written() {
    let t = Trust::new();
    let stranger = t.gpg.generate("Stranger", None);
    // The victim image, and a signed image whose signature is the raw material.
    let digest = t.seed("ns/app", "1", "victim");
    let donor_digest = t.push(Skopos, "ns/donor", "1", "donor", &["--sign-by", &t.key.fingerprint]);
    let donor_sig = t.store.signatures("ns/donor", &donor_digest).remove(0);
    let manifest = t.manifest_file("victim");
    let sign = |key: &Key, reference: &str| -> Vec<u8> {
        let out = t.path("made.sig");
        let (m, o) = (manifest.to_str().unwrap(), out.to_str().unwrap());
        t.run(Skopeo, &["standalone-sign", m, reference, &key.fingerprint, "-o", o]).ok();
        std::fs::read(&out).unwrap()
    };
    let good = sign(&t.key, &t.name("ns/app:1"));
    let policy = t.signed_by_policy(&t.key);
    let image = t.name("ns/app:1");

    let mut junk = common::copy::noise(5 << 20, 7);
    junk[0] = 0x89;
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        ("another digest", donor_sig, vec!["does not match"]),
        ("another identity", sign(&t.key, &t.name("ns/elsewhere:1")), vec!["ns/elsewhere:1", "is not accepted"]),
        ("an unknown key", sign(&stranger, &t.name("ns/app:1")), vec!["Key not found"]),
        ("truncated", good[..good.len() / 2].to_vec(), vec!["Invalid OpenPGP message"]),
        ("5 MiB of junk", junk, vec!["exceeds the limit"]),
    ];
    for (what, signature, words) in cases {
        t.store.put_signatures("ns/app", &digest, &[signature]);
        let r = t.copy_under(Skopos, &policy, &[], &t.image("ns/app:1"), &t.dir_ref("out"));
        let line = assert_clean_failure(&r, 1);
        let sig_url =
            format!("{}/ns/app@sha256={}/signature-1", t.store.base_url(), digest.strip_prefix("sha256:").unwrap());
        assert!(
            line.contains(&image) || line.contains(&sig_url),
            "{what}: {line} names neither {image} nor the signature"
        );
        for word in words {
            assert!(line.contains(word), "{what}: {line} does not say {word:?}");
        }
        assert_absent(&t.path("out"));
        let theirs = t.copy_under(Skopeo, &policy, &[], &t.image("ns/app:1"), &t.dir_ref("skopeo-out"));
        assert_skopeo_failed(&theirs, what);
    }

    // The good signature passes, so the refusals above were about the signatures.
    t.store.put_signatures("ns/app", &digest, &[good]);
    t.copy_under(Skopos, &policy, &[], &t.image("ns/app:1"), &t.dir_ref("good")).ok();

    // A lookaside that answers an HTML page, a 500, or redirects forever.
    for (fault, words) in
        [(Fault::Html, vec!["HTML"]), (Fault::ServerError, vec!["500"]), (Fault::RedirectLoop, vec!["redirect"])]
    {
        t.store.set_fault(fault);
        let r = t.copy_under(Skopos, &policy, &[], &t.image("ns/app:1"), &t.dir_ref("out"));
        let line = assert_fails_saying(&r, &words);
        assert!(line.contains("signature"), "{fault:?}: {line}");
        assert_absent(&t.path("out"));
        let theirs = t.copy_under(Skopeo, &policy, &[], &t.image("ns/app:1"), &t.dir_ref("skopeo-out"));
        assert_skopeo_failed(&theirs, &format!("{fault:?}"));
    }
}

// 6. --insecure-policy before and after the command.

#[test]
fn insecure_policy_is_accepted_before_and_after_the_command() {
    let t = Trust::new();
    t.seed("ns/app", "1", "insecure");
    let reject = PolicyFile::new(&json!({"default": [{"type": "reject"}]}));
    let p = reject.arg();
    let src = t.image("ns/app:1");
    for tool in [Skopeo, Skopos] {
        let before = t.path(&format!("{tool:?}-before"));
        let args = ["--policy", &p, "--insecure-policy", "copy", "--src-tls-verify=false", &src];
        let dest = format!("dir:{}", before.display());
        let r = t.run(tool, &[&args[..], &[dest.as_str()]].concat());
        assert_eq!(r.code, 0, "{tool:?} with --insecure-policy first: {}", r.stderr);
        assert!(before.join("manifest.json").exists());

        let after = t.path(&format!("{tool:?}-after"));
        let dest = format!("dir:{}", after.display());
        let r = t.run(tool, &["--policy", &p, "copy", "--insecure-policy", "--src-tls-verify=false", &src, &dest]);
        assert_eq!(r.code, 0, "{tool:?} with --insecure-policy after copy: {}", r.stderr);
        assert!(after.join("manifest.json").exists());

        let refused = t.path(&format!("{tool:?}-refused"));
        let dest = format!("dir:{}", refused.display());
        let r = t.run(tool, &["--policy", &p, "copy", "--src-tls-verify=false", &src, &dest]);
        assert_ne!(r.code, 0, "{tool:?} ignored the reject policy");
        assert!(!refused.join("manifest.json").exists());
    }
}
