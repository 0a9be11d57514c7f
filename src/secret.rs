//! Secrets (API keys, tokens) in a type that never prints itself.
//!
//! A key is wrapped the moment it is parsed; `Debug` and `Display` show the masked form,
//! and the plain text is only reachable through [`Secret::expose`], which the renderer of
//! the data folder calls and nothing that prints does.

use std::fmt;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The plain text. Only for writing the data folder.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// A clap value parser: the flag's value is wrapped before anything can print it.
pub fn parse(value: &str) -> Result<Secret, String> {
    Ok(Secret::new(value))
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.masked())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Shows at most the first four and last four characters, and fewer for short keys so
/// that at least half of any key stays hidden: `sk-abcdefgh12345678` → `sk-a…5678`.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let shown = (chars.len() / 4).min(4);
    if shown == 0 {
        return "…".repeat(usize::from(!chars.is_empty()));
    }
    let head: String = chars[..shown].iter().collect();
    let tail: String = chars[chars.len() - shown..].iter().collect();
    format!("{head}…{tail}")
}

/// `#[serde(with = "crate::secret::plain_list")]` for the one place keys are written
/// and read in plain text: the ai-proxy file's `apiTokens`. `Secret` itself implements
/// no `Serialize`, so a key can never reach a JSON report by accident.
pub mod plain_list {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Secret;

    pub fn serialize<S: Serializer>(keys: &[Secret], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(keys.iter().map(Secret::expose))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Secret>, D::Error> {
        Ok(Vec::<String>::deserialize(deserializer)?
            .into_iter()
            .map(Secret::new)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_long_keys_to_four_and_four() {
        assert_eq!(mask("sk-abcdefgh12345678"), "sk-a…5678");
    }

    #[test]
    fn short_keys_keep_most_hidden() {
        assert_eq!(mask("abcdefgh"), "ab…gh");
        assert_eq!(mask("abc"), "…");
        assert_eq!(mask(""), "");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let s = Secret::new("sk-verysecretvalue-0001");
        assert!(!format!("{s:?}").contains("verysecret"));
        assert!(!format!("{s}").contains("verysecret"));
    }
}
