//! The one place that names the YAML crate, and the YAML 1.1 guard.
//!
//! `serde_yaml` is archived; `serde_norway` is its maintained drop-in with the same API.
//! Everything else in the crate goes through this module, so swapping the
//! implementation is a one-line change here.
//!
//! Higress reads these files with Go's YAML 1.1 rules, where a bare `on`, `yes`, `n`,
//! `1_000` or `12:30` is a bool or a number. serde_norway quotes only YAML 1.2
//! lookalikes, so [`to_string`] quotes the rest: a scalar the emitter left plain (a
//! block-style `key: value` or `- value` line) that YAML 1.1 would not read as a string
//! gets single quotes.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

pub use serde_norway::{Error, Mapping, Value, from_str, to_value};

/// Parses `text` and, on failure, keeps the line number the parser reported so the
/// caller can name it in the error (`ai-proxy.internal.yaml:12`).
///
/// The message never carries a value from the file: serde quotes the offending value
/// (`invalid type: string "sk-…", expected a sequence`), and in the ai-proxy file that
/// value may be an API key. Field names, types and positions are kept.
pub fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    serde_norway::from_str(text).map_err(|err| ParseError {
        line: err.location().map(|loc| loc.line()),
        message: redact_values(&err.to_string()),
    })
}

/// serde's renderings of an unexpected value: `string "…"`, `char '…'`, `integer `…``,
/// `floating point `…``, `unknown variant `…``.
static QUOTED_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(string|char|integer|floating point|variant) "#,
        r#"(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)"#,
    ))
    .expect("static regex")
});

fn redact_values(message: &str) -> String {
    QUOTED_VALUE
        .replace_all(message, "$1 (value hidden)")
        .into_owned()
}

#[derive(Debug, Clone)]
pub struct ParseError {
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// Serializes `value` as block YAML that Go's YAML 1.1 parser reads back the same.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_norway::Error> {
    Ok(quote_yaml11_lookalikes(&serde_norway::to_string(value)?))
}

/// Plain scalars YAML 1.1 reads as something other than a string.
static YAML11_NON_STRING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        // `<<` is YAML 1.1's merge key and `=` its "value" key: both must stay strings.
        r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|<<|=",
        r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?", // sexagesimal
        r"|[-+]?(?:0b[01_]+|0[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)", // ints with _
        r"|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?",
        r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?)$", // timestamps
    ))
    .expect("static regex")
});

/// `key: value` or `- value` (possibly `- key: value`) with a plain value.
static PLAIN_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\s*(?:- )*(?:[^\s'\x22#][^:#]*: |- ))([^'\x22\s].*)$").expect("static regex")
});

fn quote_yaml11_lookalikes(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    // Inside a literal block (`key: |`), lines are content, not YAML: leave them be.
    let mut block_indent: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let indent = body.len() - body.trim_start().len();
        if let Some(block) = block_indent {
            if body.trim().is_empty() || indent > block {
                out.push_str(line);
                continue;
            }
            block_indent = None;
        }
        if body.ends_with('|') || body.ends_with("|-") || body.ends_with("|+") {
            block_indent = Some(indent);
        }
        match PLAIN_VALUE.captures(body) {
            Some(caps) if YAML11_NON_STRING.is_match(&caps[2]) && !is_yaml12_number(&caps[2]) => {
                out.push_str(&caps[1]);
                out.push('\'');
                out.push_str(&caps[2]);
                out.push('\'');
                out.push_str(&line[body.len()..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// Real numbers the serializer wrote on purpose (ports, priorities) stay numbers.
fn is_yaml12_number(scalar: &str) -> bool {
    scalar.parse::<i64>().is_ok() || (scalar.parse::<f64>().is_ok() && !scalar.contains('_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string must read back as the same string under YAML 1.1 rules.
    #[test]
    fn yaml11_lookalikes_are_quoted() {
        let words = [
            "on",
            "yes",
            "no",
            "off",
            "y",
            "n",
            "On",
            "YES",
            "0755",
            "1e3",
            "true",
            "null",
            "~",
            "0o17",
            "0x1F",
            "1_000",
            "+1",
            ".5",
            "12:30",
            "<<",
            "=",
            "0b101",
            "2000-01-01T00:00:00Z",
        ];
        for word in words {
            let doc = Mapping::from_iter([(Value::from("k"), Value::from(word))]);
            let out = to_string(&doc).unwrap();
            let value = out.trim().strip_prefix("k: ").unwrap();
            assert!(
                value.starts_with('\'') || value.starts_with('"'),
                "{word:?} was written unquoted: {out}"
            );
            let back: Mapping = from_str(&out).unwrap();
            assert_eq!(back.get("k").and_then(Value::as_str), Some(word));
        }
    }

    #[test]
    fn parse_errors_name_the_problem_but_not_the_value() {
        #[derive(Debug, serde::Deserialize)]
        struct Entry {
            #[serde(rename = "apiTokens")]
            _api_tokens: Vec<String>,
        }
        for doc in [
            "apiTokens: sk-LEAKED-1234\n",
            "apiTokens:\n- [sk-LEAKED-1234]\n",
            "apiTokens: 987654321\n",
            "apiTokens: {a: 'sk-LEAKED-\\'q'}\n",
        ] {
            let err = parse::<Entry>(doc).unwrap_err();
            assert!(
                !err.message.contains("LEAKED") && !err.message.contains("987654321"),
                "{doc:?} → {}",
                err.message
            );
            assert!(err.message.contains("expected"), "{}", err.message);
        }
        let err = parse::<Entry>("apiTokens: sk-LEAKED-1234\n").unwrap_err();
        assert!(
            err.message
                .contains("invalid type: string (value hidden), expected a sequence"),
            "{}",
            err.message
        );
    }

    #[test]
    fn numbers_and_plain_strings_are_left_alone() {
        let doc: Value =
            from_str("port: 443\nlist:\n- yes\n- keep\nblock: |\n  on\n  y\nname: api.z.ai\n")
                .unwrap();
        let out = to_string(&doc).unwrap();
        assert!(out.contains("port: 443\n"), "{out}");
        assert!(out.contains("- keep\n"), "{out}");
        assert!(out.contains("name: api.z.ai\n"), "{out}");
        assert!(
            out.contains("  on\n  y\n"),
            "block content untouched: {out}"
        );
    }
}
