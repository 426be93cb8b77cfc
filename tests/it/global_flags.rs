//! The global flags skopeo scripts pass before the command: `--tmpdir` (where an archive is
//! unpacked) and `--user-agent-prefix` (sent to registries).

use std::sync::{Arc, Mutex};

use crate::common;

use common::http::{Reply, Server};
use common::image::{ImageSpec, OciLayout};
use common::*;

/// An `oci-archive:` of one small image, written by skopos.
fn small_archive(dir: &std::path::Path) -> String {
    let mut layout = OciLayout::new();
    let desc = layout.add_image(&ImageSpec::linux("amd64", None));
    layout.tag("v1", &desc);
    let archive = format!("oci-archive:{}:v1", dir.join("image.tar").display());
    skopos(&["copy", "--quiet", &layout.reference("v1"), &archive]).ok();
    archive
}

#[test]
fn tmpdir_is_where_archives_are_unpacked() {
    let work = tempfile::tempdir().unwrap();
    let archive = small_archive(work.path());
    // A --tmpdir that does not exist makes unpacking the archive fail, and the message names it.
    let missing = work.path().join("no-such-tmpdir");
    let dest = work.path().join("out");
    let r = skopos(&[
        "--tmpdir",
        missing.to_str().unwrap(),
        "copy",
        "--quiet",
        &archive,
        &format!("dir:{}", dest.display()),
    ]);
    let line = assert_clean_failure(&r, 1);
    assert!(line.contains(missing.to_str().unwrap()), "{line}");
    assert!(!dest.exists(), "nothing written when the archive cannot be unpacked");
    // A usable one works, and is left empty afterwards.
    let tmp = work.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    skopos(&["--tmpdir", tmp.to_str().unwrap(), "copy", "--quiet", &archive, &format!("dir:{}", dest.display())]).ok();
    assert!(dest.join("manifest.json").exists());
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0, "the unpacked archive is removed");
}

#[test]
fn user_agent_prefix_goes_before_skopos_own() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let server = Server::start(move |request| {
        record.lock().unwrap().push(request.header("user-agent").unwrap_or("").to_string());
        Reply::new(404, "application/json", r#"{"errors":[{"code":"NAME_UNKNOWN","message":"no"}]}"#)
    });
    let image = format!("docker://{}/team/app:1", server.host());
    let r = skopos(&["--user-agent-prefix", "mirror-bot/2", "inspect", "--tls-verify=false", &image]);
    assert_ne!(r.code, 0);
    let agents = seen.lock().unwrap().clone();
    assert!(!agents.is_empty());
    let expected = format!("mirror-bot/2 skopos/{}", env!("CARGO_PKG_VERSION"));
    assert!(agents.iter().all(|a| *a == expected), "{agents:?}");
}
