//! Reading a whole local file into memory under a size limit, enforced before the memory grows
//! (signatures, key files).

use std::io::Read;

/// All of `reader`, or `None` if it holds more than `limit` bytes (at most `limit + 1` are read).
pub fn read_at_most(reader: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_inclusive_and_nothing_past_it_is_read() {
        assert_eq!(read_at_most(&b"abcd"[..], 4).unwrap(), Some(b"abcd".to_vec()));
        assert_eq!(read_at_most(&b"abcde"[..], 4).unwrap(), None);
        let endless = std::io::repeat(7);
        assert_eq!(read_at_most(endless, 1 << 20).unwrap(), None, "an endless reader stops at the limit");
    }
}
