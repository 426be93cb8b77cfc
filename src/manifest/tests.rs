//! Manifest decoding tests over the shared real-world fixtures.

use super::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/manifests");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn table() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(format!("{FIXTURES}/digests.tsv")).unwrap();
    text.lines().skip(1).map(|l| l.split('\t').map(str::to_string).collect()).collect()
}

#[test]
fn manifest_digests_match_fixtures() {
    let mut checked = 0;
    for row in table() {
        let (file, expected) = (&row[0], &row[3]);
        let raw = fixture(file);
        if file.contains("invalid-signatures") {
            assert!(manifest_digest(&raw).is_err(), "{file} must be refused");
            continue;
        }
        assert_eq!(manifest_digest(&raw).unwrap().to_string(), *expected, "{file}");
        checked += 1;
    }
    assert!(checked > 25);
}

#[test]
fn sniffed_media_types_match_fixtures() {
    for row in table() {
        let (file, declared) = (&row[0], &row[4]);
        let raw = fixture(file);
        let sniffed = media_type::sniff(&raw).map(|k| k.media_type()).unwrap_or("");
        if declared.starts_with("application/vnd.oci.artifact") {
            assert_eq!(sniffed, "", "{file}: withdrawn artifact manifest is not an image type");
        } else if declared.starts_with("application/") {
            assert_eq!(sniffed, declared, "{file}");
        } else if declared.starts_with("\"\"") {
            assert_eq!(sniffed, "", "{file}");
        }
    }
}

#[test]
fn decodes_every_kind_and_keeps_bytes() {
    let cases = [
        ("containers-image__ociv1.manifest.json", ManifestKind::OciManifest),
        ("containers-image__ociv1nomime.manifest.json", ManifestKind::OciManifest),
        ("containers-image__ociv1.image.index.json", ManifestKind::OciIndex),
        ("containers-image__v2s2.manifest.json", ManifestKind::DockerV2S2),
        ("containers-image__v2list.manifest.json", ManifestKind::DockerList),
        ("containers-image__v2s1.manifest.json", ManifestKind::DockerV2S1Signed),
        ("containers-image__v2s1-unsigned.manifest.json", ManifestKind::DockerV2S1),
        ("containers-image__ociv1.everything.json", ManifestKind::OciManifest),
        ("containers-image__oci1.index.everything.json", ManifestKind::OciIndex),
        ("containers-image__v2list.everything.json", ManifestKind::DockerList),
        ("containers-image__v2s2.everything.json", ManifestKind::DockerV2S2),
        ("containers-image__v2s1.everything.json", ManifestKind::DockerV2S1),
        ("image-spec__manifest.md_minimal-artifact.json", ManifestKind::OciManifest),
        ("image-spec__image-index.md_example-2.json", ManifestKind::OciIndex),
    ];
    for (file, kind) in cases {
        let raw = fixture(file);
        for ct in [None, Some("application/json"), Some("text/plain; charset=utf-8")] {
            let m = Manifest::decode(raw.clone(), ct).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(m.kind(), kind, "{file}");
            assert_eq!(m.raw(), &raw[..]);
        }
        let m = Manifest::decode(raw.clone(), Some(kind.media_type())).unwrap();
        assert_eq!(m.kind(), kind);
    }
}

#[test]
fn bad_manifests_get_clear_errors() {
    let err = Manifest::decode(fixture("containers-image__non-json.manifest.json"), None).unwrap_err();
    assert!(err.to_string().contains("not JSON"), "{err}");
    let err = Manifest::decode(fixture("containers-image__unknown-version.manifest.json"), None).unwrap_err();
    assert!(err.to_string().contains("unrecognised"), "{err}");
    let mut truncated = fixture("containers-image__v2s2.manifest.json");
    truncated.truncate(truncated.len() / 2);
    let err = Manifest::decode(truncated, Some(media_type::DOCKER_V2S2)).unwrap_err();
    assert!(matches!(err, Error::InvalidManifest(_)), "{err}");
    let huge = vec![b' '; MAX_MANIFEST_SIZE as usize + 1];
    assert!(matches!(Manifest::decode(huge, None), Err(Error::ManifestTooLarge { .. })));
    let err = Manifest::decode(b"{\"schemaVersion\":2}".to_vec(), Some("application/vnd.example+json")).unwrap_err();
    assert!(err.to_string().contains("application/vnd.example+json"), "{err}");
}

fn index_with(entries: &[(&str, &str, Option<&str>)], attestation_first: bool) -> Manifest {
    let mut manifests = Vec::new();
    if attestation_first {
        manifests.push(serde_json::json!({
            "mediaType": media_type::OCI_MANIFEST, "size": 1,
            "digest": Digest::sha256(b"att").to_string(),
            "platform": {"os": "unknown", "architecture": "unknown"},
            "annotations": {"vnd.docker.reference.type": "attestation-manifest"}
        }));
    }
    for (i, (os, arch, variant)) in entries.iter().enumerate() {
        let mut platform = serde_json::json!({"os": os, "architecture": arch});
        if let Some(v) = variant {
            platform["variant"] = serde_json::json!(v);
        }
        manifests.push(serde_json::json!({
            "mediaType": media_type::OCI_MANIFEST, "size": 1,
            "digest": Digest::sha256(format!("m{i}").as_bytes()).to_string(), "platform": platform
        }));
    }
    let doc = serde_json::json!({"schemaVersion": 2, "mediaType": media_type::OCI_INDEX, "manifests": manifests});
    Manifest::decode(serde_json::to_vec(&doc).unwrap(), None).unwrap()
}

fn wanted(os: &str, arch: &str, variant: Option<&str>) -> WantedPlatform {
    WantedPlatform { os: os.into(), architecture: arch.into(), variant: variant.map(Into::into) }
}

#[test]
fn platform_choice() {
    let index = index_with(
        &[
            ("linux", "amd64", None),
            ("linux", "arm64", Some("v8")),
            ("linux", "arm", Some("v6")),
            ("windows", "amd64", None),
        ],
        true,
    );
    let pick = |w: WantedPlatform| index.choose_instance(&w).map(|d| d.digest.clone());
    let digest_of = |i: usize| Digest::sha256(format!("m{i}").as_bytes());
    assert_eq!(pick(wanted("linux", "amd64", None)).unwrap(), digest_of(0));
    assert_eq!(pick(wanted("linux", "arm64", None)).unwrap(), digest_of(1));
    assert_eq!(pick(wanted("linux", "arm64", Some("v8"))).unwrap(), digest_of(1));
    assert_eq!(pick(wanted("linux", "arm", Some("v7"))).unwrap(), digest_of(2), "v7 runs v6");
    assert_eq!(pick(wanted("windows", "amd64", None)).unwrap(), digest_of(3));
    let err = pick(wanted("linux", "s390x", None)).unwrap_err();
    assert_eq!(err.to_string(), "no image found in image index for architecture s390x, variant \"\", OS linux");
    let err = pick(wanted("unknown", "unknown", None)).unwrap_err();
    assert!(matches!(err, Error::NoMatchingPlatform { .. }), "attestations never match");
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn json_like() -> impl Strategy<Value = Vec<u8>> {
        let fixtures: Vec<Vec<u8>> = table().iter().map(|row| fixture(&row[0])).collect();
        (proptest::sample::select(fixtures), any::<usize>(), any::<usize>(), any::<u8>()).prop_map(
            |(mut bytes, at, cut, byte)| {
                if !bytes.is_empty() {
                    let i = at % bytes.len();
                    bytes[i] = byte;
                    bytes.truncate(bytes.len() - cut % (bytes.len() / 4 + 1));
                }
                bytes
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn decoding_never_panics(bytes in prop_oneof![json_like(), proptest::collection::vec(any::<u8>(), 0..512)]) {
            let _ = manifest_digest(&bytes);
            for ct in [None, Some(media_type::OCI_MANIFEST), Some(media_type::DOCKER_V2S1_SIGNED), Some(media_type::DOCKER_LIST)] {
                if let Ok(m) = Manifest::decode(bytes.clone(), ct) {
                    prop_assert_eq!(m.raw(), &bytes[..]);
                    let _ = m.digest();
                    if m.kind().is_index() {
                        let _ = m.choose_instance(&WantedPlatform::host());
                    }
                }
            }
        }
    }
}
