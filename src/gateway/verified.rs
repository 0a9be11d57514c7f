//! Which bytes of the model-router last passed the integrity check, so an edit that
//! does not build on the router need not parse it again to know it is whole.
//!
//! With 1,000 auto-routing rules the router is a 72 KB file, and parsing it was most of
//! `config add`'s time (issue 13), though `config add` never reads a rule. The check's
//! verdict depends on the file's bytes alone, so it can be kept: the holder of the
//! folder's lock leaves a note in the lock file (which is no gateway resource and holds
//! nothing else) naming the length and a 128-bit SipHash of the router text it checked
//! in full, or rendered and wrote, under this release's checks. A note vouches for
//! exactly those bytes: a hand edit, a console edit or a write cut short gives other
//! bytes, which are checked in full again, and a note that is stale, cut or from another
//! release matches no file and costs only that full check. The hash guards against
//! accidents, not an attacker: whoever can write the folder can write a sound-looking
//! router too. `doctor` does not read notes.

use std::hash::Hasher as _;

use siphasher::sip128::{Hasher128 as _, SipHasher13};

use super::paths;

/// The note that vouches for `text` as the model-router's bytes.
pub fn note_for(text: &str) -> String {
    let mut hasher = SipHasher13::new();
    hasher.write(text.as_bytes());
    format!(
        "verified {} {} bytes sip13-128 {:032x} by higress-claw {}\n",
        paths::MODEL_ROUTER,
        text.len(),
        hasher.finish128().as_u128(),
        // Another release may check more: its notes vouch for nothing here.
        env!("CARGO_PKG_VERSION"),
    )
}

/// Whether `note` vouches for `text`, the model-router's bytes as read now.
pub fn vouches(note: &str, text: &str) -> bool {
    note == note_for(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_vouches_for_its_bytes_only() {
        let text = "apiVersion: v1\nkind: WasmPlugin\nspec: {}\n";
        let note = note_for(text);
        assert!(vouches(&note, text));
        assert!(!vouches(&note, &text[..text.len() - 1]), "cut short");
        assert!(!vouches(&note, &text.replace("v1", "v2")), "same length");
        assert!(!vouches(&note[..note.len() / 2], text), "a cut note");
        assert!(!vouches("", text));
    }
}
