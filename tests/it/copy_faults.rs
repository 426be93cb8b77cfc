//! `skopos copy` from a registry that misbehaves: a fault-injecting proxy (common/fault_proxy.rs)
//! sits between skopos and a real registry and spoils the first blob GETs. Without retries the
//! copy fails cleanly and leaves the destination as it was (plus, at most, complete verified
//! blobs); with `--retry-times` it completes with the source's digest. Killing a copy leaves
//! no unverified blob under a blob's name.

use crate::common;

use common::copy::*;
use common::fault_proxy::{Fault, FaultProxy};
use common::*;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const RETRY: [&str; 4] = ["--retry-times", "3", "--retry-delay", "100ms"];
const ARM: [&str; 4] = ["--override-arch", "arm64", "--override-variant", "v8"];

/// A registry with the OCI image `src/oci:v1` and the index `src/index:v1`, and a proxy to it.
struct Setup {
    reg: Registry,
    proxy: FaultProxy,
    tmp: TempDir,
    /// `docker://PROXY/src/oci:v1`
    source: String,
    /// Its manifest digest.
    digest: String,
}

fn setup() -> Setup {
    let reg = Registry::anonymous();
    let seeded = seed_oci_image(&reg, "src/oci", "v1");
    seed_oci_index(&reg, "src/index", "v1");
    let proxy = FaultProxy::start(&reg.host());
    let digest = skopeo_digest(&reg.docker_ref(&seeded.name));
    let source = proxy.docker_ref(&seeded.name);
    Setup { reg, proxy, tmp: TempDir::new().unwrap(), source, digest }
}

/// Where a faulted copy goes, and what was there before.
enum Dest {
    /// An oci: layout that already holds another image (tag `old`).
    Oci(PathBuf),
    /// A dir: directory that already holds another image.
    Dir(PathBuf),
    /// A new tag in the registry (behind no proxy).
    Registry(String),
}

impl Dest {
    fn name(&self) -> String {
        match self {
            Dest::Oci(p) => format!("oci:{}:t", p.display()),
            Dest::Dir(p) => format!("dir:{}", p.display()),
            Dest::Registry(r) => r.clone(),
        }
    }

    /// The three destinations for test `label`, the layouts pre-filled by skopeo with the arm64
    /// image of the index (which shares one layer with the source image).
    fn all(s: &Setup, label: &str) -> Vec<Dest> {
        let index = s.reg.docker_ref("src/index:v1");
        let oci = s.tmp.path().join(format!("{label}-oci"));
        let dir = s.tmp.path().join(format!("{label}-dir"));
        for dst in [format!("oci:{}:old", oci.display()), format!("dir:{}", dir.display())] {
            let mut args = ARM.to_vec();
            args.extend(["copy", "--quiet", "--src-tls-verify=false", &index, &dst]);
            let r = skopeo(&args);
            assert_eq!(r.code, 0, "pre-fill {dst}: {}", r.stderr);
        }
        vec![Dest::Oci(oci), Dest::Dir(dir), Dest::Registry(s.reg.docker_ref(&format!("dst/{label}:t")))]
    }

    /// What must survive a failed copy: the files there now.
    fn before(&self) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
        match self {
            Dest::Oci(p) | Dest::Dir(p) => snapshot(p),
            Dest::Registry(_) => Default::default(),
        }
    }

    /// Asserts the destination holds no new image and nothing unverified.
    fn assert_untouched(&self, before: &std::collections::BTreeMap<PathBuf, Vec<u8>>, what: &str) {
        match self {
            Dest::Oci(root) | Dest::Dir(root) => {
                let after = snapshot(root);
                for (path, bytes) in before {
                    assert_eq!(after.get(path), Some(bytes), "{what}: {} changed or vanished", path.display());
                }
                let bad =
                    if matches!(self, Dest::Oci(_)) { unverified_oci_blobs(root) } else { unverified_dir_files(root) };
                assert!(bad.is_empty(), "{what}: files that are not verified blobs: {bad:?}");
                let new: Vec<_> = after.keys().filter(|p| !before.contains_key(*p)).collect();
                let allowed = |p: &&&PathBuf| {
                    let s = p.display().to_string();
                    match self {
                        Dest::Oci(_) => s.starts_with("blobs/sha256/"),
                        _ => is_hex64(&s),
                    }
                };
                assert!(new.iter().all(|p| allowed(&p)), "{what}: new files besides blobs: {new:?}");
            }
            Dest::Registry(image) => assert!(!skopeo_can_read(image), "{what}: {image} exists after a failed copy"),
        }
    }
}

/// The digest in a faulted target (`/v2/src/oci/blobs/sha256:…`).
fn digest_of_target(target: &str) -> String {
    target.rsplit('/').next().unwrap().split('?').next().unwrap().to_string()
}

/// Runs the fault against every destination: without retries a clean failure (checked by
/// `check_line` given the faulted blob's digest) and an untouched destination; with retries
/// a complete copy with the source's digest.
fn run_fault(fault: Fault, count: usize, label: &str, check_line: impl Fn(&str, &str)) {
    let s = setup();
    for dest in Dest::all(&s, label) {
        let dst = dest.name();
        let before = dest.before();
        s.proxy.wait_idle();
        s.proxy.reset_log();
        s.proxy.inject(fault, count);
        let r = skopos_copy(&[], &["-q"], &s.source, &dst);
        let line = assert_clean_failure(&r, 1);
        let faulted = s.proxy.faulted();
        assert!((1..=count).contains(&faulted.len()), "{fault:?} -> {dst}: faulted requests {faulted:?}");
        eprintln!("{fault:?} -> {dst}: {line}");
        check_line(&line, &digest_of_target(&faulted[0]));
        dest.assert_untouched(&before, &format!("{fault:?} -> {dst}"));

        // The same copy without -q: the error is still a single line, after the progress lines.
        s.proxy.wait_idle();
        s.proxy.inject(fault, count);
        let r = skopos_copy(&[], &[], &s.source, &dst);
        assert_eq!(r.code, 1, "{}", r.stderr);
        let errors: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("skopos:")).collect();
        assert_eq!(errors.len(), 1, "{}", r.stderr);
        assert!(
            r.stderr.lines().all(|l| l.starts_with("skopos:")
                || l.starts_with("Copying ")
                || l == "Getting image source signatures"),
            "{}",
            r.stderr
        );
        dest.assert_untouched(&before, &format!("{fault:?} -> {dst} (with progress)"));

        s.proxy.wait_idle();
        s.proxy.reset_log();
        s.proxy.inject(fault, count);
        let mut args = vec!["-q"];
        args.extend(RETRY);
        let r = skopos_copy(&[], &args, &s.source, &dst);
        assert_copied(&r, &format!("{fault:?} -> {dst} with retries"));
        assert_eq!(s.proxy.faulted().len(), count, "the fault was served");
        assert_eq!(skopeo_digest(&dst), s.digest, "{fault:?} -> {dst} with retries");
        if let Dest::Oci(root) = &dest {
            assert!(unverified_oci_blobs(root).is_empty());
            assert!(skopeo_can_read(&format!("oci:{}:old", root.display())), "the image already in the layout is kept");
        }
        if let Dest::Dir(root) = &dest {
            assert!(unverified_dir_files(root).is_empty());
        }
    }
}

#[test]
fn body_cut_midway() {
    run_fault(Fault::CutBody, 1, "cut", |line, digest| {
        assert!(line.contains(digest), "the error names the blob: {line}");
    });
}

#[test]
fn flipped_byte_is_a_digest_mismatch() {
    run_fault(Fault::FlipByte, 1, "flip", |line, digest| {
        assert!(line.contains(digest), "the error names the blob digest: {line}");
        assert!(line.to_lowercase().contains("digest"), "the error says it is a digest problem: {line}");
    });
}

#[test]
fn service_unavailable() {
    run_fault(Fault::Unavailable, 1, "503", |line, digest| {
        assert!(
            line.contains("503") || line.to_lowercase().contains("unavailable"),
            "the error names the status: {line}"
        );
        assert!(line.contains(digest), "the error names the blob: {line}");
    });
}

/// The client itself waits out three 429s per request (MAX_429_RETRIES in
/// src/registry/client.rs); a fourth is a failure unless `--retry-times` repeats the copy. The
/// blobs are fetched in parallel, each with its own three waits, so 12 429s are needed to be sure
/// one blob gets four.
#[test]
fn too_many_requests_beyond_the_clients_own_waits() {
    run_fault(Fault::TooManyRequests, 12, "429", |line, _| {
        assert!(
            line.contains("429") || line.to_lowercase().contains("too many requests"),
            "the error names the status: {line}"
        );
    });
}

/// A 429 with `Retry-After: 1` is waited out by the client without any retry flag: the copy
/// succeeds, the same blob is asked for again after the 429, and it took about a second longer.
#[test]
fn too_many_requests_honoured_without_retry_flags() {
    let s = setup();
    for count in [1, 3] {
        let dst = format!("oci:{}:t", s.tmp.path().join(format!("ok-{count}")).display());
        s.proxy.wait_idle();
        s.proxy.reset_log();
        s.proxy.inject(Fault::TooManyRequests, count);
        let started = Instant::now();
        let r = skopos_copy(&[], &["-q"], &s.source, &dst);
        let took = started.elapsed();
        assert_copied(&r, &format!("{count} x 429"));
        assert_eq!(r.stderr, "");
        assert_eq!(skopeo_digest(&dst), s.digest);
        let faulted = s.proxy.faulted();
        assert_eq!(faulted.len(), count);
        let log = s.proxy.log();
        let target = &faulted[0];
        let answers: Vec<&String> = log.iter().filter(|l| l.starts_with(&format!("GET {target} "))).collect();
        assert!(answers.last().unwrap().ends_with("-> 200"), "asked again until answered: {answers:?}");
        assert!(took >= Duration::from_secs(1), "Retry-After: 1 was honoured (took {took:?})");
    }
}

/// Runs `skopos copy` of a large layer through a proxy that sends its body slowly, waits until
/// a partial file is being written in `watch`, and sends `signal`.
fn interrupt_copy(s: &Setup, source: &str, dst: &str, watch: &Path, signal: &str) -> i32 {
    s.proxy.wait_idle();
    s.proxy.inject(Fault::Slow(Duration::from_millis(40)), 100);
    let mut child = skopos_cmd(&["copy", "-q", "--src-tls-verify=false", source, dst])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let partial = std::fs::read_dir(watch).into_iter().flatten().flatten().any(|e| {
            e.file_name().to_string_lossy().starts_with('.')
                && e.metadata().map(|m| m.len() > 512 * 1024).unwrap_or(false)
        });
        if partial {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the copy ended before it could be interrupted");
        assert!(Instant::now() < deadline, "no partial blob appeared in {}", watch.display());
        std::thread::sleep(Duration::from_millis(20));
    }
    let status =
        std::process::Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let status = child.wait().unwrap();
    s.proxy.clear();
    status.code().unwrap_or(-1)
}

/// SIGTERM (and SIGINT) mid-copy leave the destination as before plus complete, verified blobs:
/// no partial file stays behind.
#[test]
fn terminated_copy_leaves_only_verified_blobs() {
    let s = setup();
    let (layout, big) = big_image_layout("big", 8 * 1024 * 1024);
    skopeo_copy_ok(&["--quiet"], &layout.reference("big"), &s.reg.docker_ref("src/big:v1"));
    let source = s.proxy.docker_ref("src/big:v1");
    for (i, signal) in ["TERM", "INT"].into_iter().enumerate() {
        for dest in Dest::all(&s, &format!("{signal}-{i}")).into_iter().take(2) {
            let before = dest.before();
            let (dst, watch) = match &dest {
                Dest::Oci(root) => (dest.name(), root.join("blobs/sha256")),
                Dest::Dir(root) => (dest.name(), root.clone()),
                Dest::Registry(_) => unreachable!(),
            };
            interrupt_copy(&s, &source, &dst, &watch, signal);
            dest.assert_untouched(&before, &format!("SIG{signal} -> {dst}"));
            let big_hex = big.strip_prefix("sha256:").unwrap();
            assert!(!watch.join(big_hex).exists(), "the big blob cannot be complete yet");
        }
    }
}

/// SIGKILL cannot be cleaned up after: a partial temporary file may stay, but never under a
/// blob's name, and index.json / manifest.json are as before. A later copy completes.
#[test]
fn killed_copy_leaves_no_unverified_blob_under_a_blob_name() {
    let s = setup();
    let (layout, _big) = big_image_layout("big", 8 * 1024 * 1024);
    skopeo_copy_ok(&["--quiet"], &layout.reference("big"), &s.reg.docker_ref("src/big:v1"));
    let source = s.proxy.docker_ref("src/big:v1");
    let expected = skopeo_digest(&s.reg.docker_ref("src/big:v1"));
    for dest in Dest::all(&s, "kill").into_iter().take(2) {
        let before = dest.before();
        let (dst, watch, root) = match &dest {
            Dest::Oci(root) => (dest.name(), root.join("blobs/sha256"), root.clone()),
            Dest::Dir(root) => (dest.name(), root.clone(), root.clone()),
            Dest::Registry(_) => unreachable!(),
        };
        let code = interrupt_copy(&s, &source, &dst, &watch, "KILL");
        assert_eq!(code, -1, "killed by the signal");
        let after = snapshot(&root);
        for (path, bytes) in &before {
            assert_eq!(after.get(path), Some(bytes), "{} changed", path.display());
        }
        let bad = if matches!(dest, Dest::Oci(_)) { unverified_oci_blobs(&root) } else { unverified_dir_files(&root) };
        assert!(
            bad.iter().all(|p| Path::new(p).file_name().unwrap().to_string_lossy().starts_with(".skopos-tmp-")),
            "only temporary files may be unverified: {bad:?}"
        );
        let r = skopos_copy(&[], &["-q"], &source, &dst);
        assert_copied(&r, "copy after the kill");
        assert_eq!(skopeo_digest(&dst), expected);
    }
}
