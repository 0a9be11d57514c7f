//! SHA-256 in hex, the form both the docker CLI (context folder names) and `sha256sum`
//! (the in-container compare-and-swap of edits) use.

use sha2::Digest;

pub fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
