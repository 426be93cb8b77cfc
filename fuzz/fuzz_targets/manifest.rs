//! Fuzzes the manifest decoder: any bytes, with and without a Content-Type, must decode or give
//! an error, never panic; a decoded manifest keeps its bytes and yields a digest or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skopos::manifest::{manifest_digest, media_type, Manifest};

fuzz_target!(|data: &[u8]| {
    let _ = manifest_digest(data);
    for content_type in [None, Some(media_type::OCI_INDEX), Some(media_type::DOCKER_V2S1_SIGNED), Some("application/json")] {
        if let Ok(manifest) = Manifest::decode(data.to_vec(), content_type) {
            assert_eq!(manifest.raw(), data);
            let _ = manifest.digest();
            if manifest.kind().is_index() {
                let _ = manifest.choose_instance(&skopos::manifest::WantedPlatform::host());
            }
        }
    }
});
