//! Layer-level copy features: compression changes (`--dest-compress-format`, `--dest-decompress`)
//! checked against the image's own DiffIDs and read back by skopeo, and both registry upload
//! modes (monolithic and chunked) against the real registry.

use crate::common;

use common::copy::*;
use common::image::sha256;
use common::*;
use serde_json::Value;
use tempfile::TempDir;

fn json_file(path: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The manifest and config of a `dir:` image.
fn dir_image(dir: &std::path::Path) -> (Value, Value) {
    let manifest = json_file(&dir.join("manifest.json"));
    let config_hex = manifest["config"]["digest"].as_str().unwrap().trim_start_matches("sha256:").to_string();
    (manifest.clone(), json_file(&dir.join(config_hex)))
}

#[test]
fn zstd_then_decompress_keeps_the_layer_contents() {
    let reg = Registry::anonymous();
    let seeded = seed_oci_image(&reg, "layers/src", "v1");
    let tmp = TempDir::new().unwrap();
    let source = reg.docker_ref(&seeded.name);

    let zstd_layout = format!("oci:{}:z", tmp.path().join("zstd").display());
    assert_copied(&skopos_copy(&[], &["-q", "--dest-compress-format", "zstd"], &source, &zstd_layout), "to zstd");
    let raw: Value = serde_json::from_slice(&skopeo_raw(&[], &zstd_layout)).unwrap();
    let layers = raw["layers"].as_array().unwrap();
    assert!(!layers.is_empty());
    for layer in layers {
        assert_eq!(layer["mediaType"], "application/vnd.oci.image.layer.v1.tar+zstd", "{raw}");
    }
    assert_ne!(skopeo_digest(&zstd_layout), skopeo_digest(&source), "recompressing changes the manifest");

    // skopeo reads the zstd image and copies it onward unchanged.
    let onward = reg.docker_ref("layers/zstd:v1");
    skopeo_copy_ok(&["--quiet", "--preserve-digests"], &zstd_layout, &onward);
    assert_eq!(skopeo_digest(&onward), skopeo_digest(&zstd_layout));

    // Decompressed again, every layer hashes to its DiffID in the (unchanged) config.
    let plain = tmp.path().join("plain");
    assert_copied(
        &skopos_copy(&[], &["-q", "--dest-decompress"], &zstd_layout, &format!("dir:{}", plain.display())),
        "decompress",
    );
    let (manifest, config) = dir_image(&plain);
    let diff_ids: Vec<&str> =
        config["rootfs"]["diff_ids"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), diff_ids.len());
    for (layer, diff_id) in layers.iter().zip(&diff_ids) {
        assert_eq!(layer["mediaType"], "application/vnd.oci.image.layer.v1.tar");
        let digest = layer["digest"].as_str().unwrap();
        assert_eq!(digest, *diff_id, "an uncompressed layer is its DiffID");
        let bytes = std::fs::read(plain.join(digest.trim_start_matches("sha256:"))).unwrap();
        assert_eq!(sha256(&bytes), *diff_id);
        assert_eq!(layer["size"].as_u64().unwrap(), bytes.len() as u64);
    }
    assert!(skopeo_can_read(&format!("dir:{}", plain.display())));

    // And gzip again, pushed to the registry: skopeo reads it and it has the same DiffIDs.
    let gz = reg.docker_ref("layers/gzip:v1");
    assert_copied(
        &skopos_copy(&[], &["-q", "--dest-compress-format", "gzip"], &format!("dir:{}", plain.display()), &gz),
        "gzip",
    );
    let raw: Value = serde_json::from_slice(&skopeo_raw(&[], &gz)).unwrap();
    for layer in raw["layers"].as_array().unwrap() {
        assert_eq!(layer["mediaType"], "application/vnd.oci.image.layer.v1.tar+gzip");
    }
    let skopeo_config = skopeo(&["inspect", "--tls-verify=false", "--config", &gz]);
    assert_eq!(skopeo_config.code, 0, "{}", skopeo_config.stderr);
    let config: Value = serde_json::from_str(&skopeo_config.stdout).unwrap();
    let again: Vec<&str> =
        config["rootfs"]["diff_ids"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    assert_eq!(again, diff_ids);
}

#[test]
fn compression_changes_are_refused_where_they_cannot_apply() {
    let reg = Registry::anonymous();
    let tmp = TempDir::new().unwrap();
    let oci = reg.docker_ref(&seed_oci_image(&reg, "layers/oci", "v1").name);
    let docker = reg.docker_ref(&seed_docker_image(&reg, "layers/docker", "v1").name);

    let target = format!("dir:{}", tmp.path().join("keep").display());
    let run = skopos_copy(&[], &["-q", "--preserve-digests", "--dest-compress-format", "zstd"], &oci, &target);
    assert_clean_failure(&run, 1);
    assert!(run.stderr.contains("--preserve-digests"), "{}", run.stderr);
    assert!(!tmp.path().join("keep").join("manifest.json").exists());

    let run = skopos_copy(&[], &["-q", "--dest-compress-format", "zstd"], &docker, &target);
    assert_clean_failure(&run, 1);
    assert!(run.stderr.contains("zstd"), "{}", run.stderr);

    // Converting to OCI at the same time makes zstd possible.
    let converted = format!("oci:{}:z", tmp.path().join("converted").display());
    assert_copied(
        &skopos_copy(&[], &["-q", "--format", "oci", "--dest-compress-format", "zstd"], &docker, &converted),
        "convert+zstd",
    );
    let raw: Value = serde_json::from_slice(&skopeo_raw(&[], &converted)).unwrap();
    assert_eq!(raw["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    for layer in raw["layers"].as_array().unwrap() {
        assert_eq!(layer["mediaType"], "application/vnd.oci.image.layer.v1.tar+zstd");
    }
}

mod uploads {
    use super::*;
    use skopos::registry::upload::UploadMode;
    use skopos::registry::{ClientOptions, RegistryClient};
    use skopos::Digest;

    fn body(bytes: Vec<u8>) -> skopos::http::ByteStream {
        let chunks: Vec<skopos::Result<bytes::Bytes>> =
            bytes.chunks(7000).map(|c| Ok(bytes::Bytes::copy_from_slice(c))).collect();
        Box::pin(futures_util::stream::iter(chunks))
    }

    fn client(reg: &Registry) -> RegistryClient<skopos::native::transport::ReqwestTransport> {
        let tls = skopos::native::transport::TlsOptions { verify: false, cert_dir: None };
        let transport = skopos::native::transport::ReqwestTransport::new(&reg.host(), &tls).unwrap();
        RegistryClient::new(transport, &reg.host(), ClientOptions { allow_http: true, ..Default::default() })
    }

    #[test]
    fn monolithic_chunked_and_unknown_digest_uploads_round_trip() {
        let reg = Registry::anonymous();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let client = client(&reg);
            for (n, mode) in [UploadMode::Monolithic, UploadMode::Chunked(16 * 1024), UploadMode::Chunked(40_000)]
                .into_iter()
                .enumerate()
            {
                let bytes = noise(100_000 + n, n as u64 + 1);
                let digest = Digest::sha256(&bytes);
                assert!(!client.blob_exists("up/load", &digest).await.unwrap());
                client.upload_blob("up/load", &digest, bytes.len() as u64, body(bytes.clone()), mode).await.unwrap();
                assert!(client.blob_exists("up/load", &digest).await.unwrap(), "{mode:?}");
                let back = client.get_blob_bytes("up/load", &digest, 1 << 20).await.unwrap();
                assert_eq!(back, bytes, "{mode:?}");
            }
            let bytes = noise(54_321, 99);
            let (digest, size) = client.upload_new_blob("up/load", body(bytes.clone())).await.unwrap();
            assert_eq!(digest, Digest::sha256(&bytes));
            assert_eq!(size, bytes.len() as u64);
            assert_eq!(client.get_blob_bytes("up/load", &digest, 1 << 20).await.unwrap(), bytes);

            // A wrong digest is refused by the registry and nothing is stored under it.
            let bytes = noise(1000, 7);
            let wrong = Digest::sha256(b"something else");
            let err =
                client.upload_blob("up/load", &wrong, bytes.len() as u64, body(bytes), UploadMode::Monolithic).await;
            assert!(err.is_err());
            assert!(!client.blob_exists("up/load", &wrong).await.unwrap());
        });
    }
}
