//! Fuzzes the layer reader (gzip or plain tar, pushed in chunks): any bytes, split anywhere, must
//! list entries or give an error, never panic, and the answer must not depend on the split.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skopos::layer::LayerReader;

fn list(data: &[u8], chunk: usize) -> Result<Vec<skopos::layer::TarEntry>, String> {
    let mut reader = LayerReader::default();
    let mut out = Vec::new();
    for piece in data.chunks(chunk.max(1)) {
        reader.push(piece, &mut out).map_err(|e| e.to_string())?;
    }
    reader.finish(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, layer)) = data.split_first() else { return };
    assert_eq!(list(layer, layer.len()), list(layer, split as usize));
});
