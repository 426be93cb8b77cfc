//! `inspect` of local `oci:` layouts and `dir:` directories, compared with skopeo.

use crate::common;

use common::image::{ImageSpec, OciLayout};
use common::*;

/// The inspect command lines checked for a local image reference.
fn assert_local_image_matches_skopeo(image: &str) {
    assert_same_inspect(&["inspect", image]);
    assert_same_inspect(&["inspect", "-n", image]);
    assert_same_output(&["inspect", "--raw", image]);
    assert_same_output(&["inspect", "--config", image]);
    assert_same_output(&["inspect", "--config", "--raw", image]);
    assert_same_output(&["inspect", "--format", "{{.Digest}}", image]);
}

#[test]
fn oci_layout_image_matches_skopeo() {
    let mut layout = OciLayout::new();
    let desc = layout.add_image(&ImageSpec::linux("amd64", None));
    layout.tag("1.0", &desc);
    skopeo(&["inspect", &layout.reference("1.0")]).ok();
    assert_local_image_matches_skopeo(&layout.reference("1.0"));
}

#[test]
fn oci_layout_index_matches_skopeo() {
    let mut layout = OciLayout::new();
    let amd64 = layout.add_image(&ImageSpec::linux("amd64", None));
    let arm64 = layout.add_image(&ImageSpec::linux("arm64", Some("v8")));
    let index = layout.add_index(vec![amd64, arm64]);
    layout.tag("multi", &index);
    let image = layout.reference("multi");
    assert_local_image_matches_skopeo(&image);
    assert_same_inspect(&["inspect", "--override-arch", "arm64", "--override-variant", "v8", &image]);
}

/// `oci:DIR` without a reference works when the layout holds exactly one image.
#[test]
fn oci_layout_without_reference_matches_skopeo() {
    let mut layout = OciLayout::new();
    let desc = layout.add_image(&ImageSpec::linux("amd64", None));
    layout.tag("only", &desc);
    assert_same_inspect(&["inspect", &format!("oci:{}", layout.path().display())]);
}

#[test]
fn oci_layout_missing_reference_fails_like_skopeo() {
    let mut layout = OciLayout::new();
    let desc = layout.add_image(&ImageSpec::linux("amd64", None));
    layout.tag("1.0", &desc);
    let image = layout.reference("no-such-ref");
    assert_ne!(skopeo(&["inspect", &image]).code, 0);
    assert_clean_failure(&skopos(&["inspect", &image]), 2);
}

#[test]
fn dir_image_matches_skopeo() {
    let mut layout = OciLayout::new();
    let desc = layout.add_image(&ImageSpec::linux("amd64", None));
    layout.tag("1.0", &desc);
    let dir = tempfile::TempDir::new().unwrap();
    let dest = format!("dir:{}", dir.path().join("img").display());
    skopeo(&["copy", "--quiet", &layout.reference("1.0"), &dest]).ok();
    assert_local_image_matches_skopeo(&dest);
}
