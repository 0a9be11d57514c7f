//! Model patterns (`gpt-*,o1-*`) and the header match they become.
//!
//! The translation is the upstream template's, quirks included, so that a folder we
//! write routes exactly like one get-ai-gateway.sh writes: spaces are dropped; a lone
//! pattern ending in `-*` is a prefix match; a lone pattern with no trailing `*` is also
//! a prefix match (so `gpt-4` matches `gpt-4o`); every other form is a regular
//! expression in which a part that ends in `*` has each `*` turned into `.*`. Higress
//! evaluates the regex with RE2 against the whole header value.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderMatch {
    Prefix(String),
    Regex(String),
}

/// The route's regex, anchored as RE2 full-matches a header, compiled once per process:
/// `route list` and `models` resolve every rule's model against every provider, and
/// compiling a regex costs far more than matching it.
fn full_match(pattern: &str) -> Option<regex::Regex> {
    thread_local! {
        static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Option<regex::Regex>>> =
            Default::default();
    }
    COMPILED.with(|cache| {
        cache
            .borrow_mut()
            .entry(pattern.to_string())
            .or_insert_with(|| regex::Regex::new(&format!("^(?:{pattern})$")).ok())
            .clone()
    })
}

/// Pairs of items whose routes are the same match: both would claim the same requests
/// (upstream writes azure and openai both with `gpt-*`). For each item, the first later
/// one it collides with; items without a route collide with nothing.
pub fn same_routes<T>(items: &[T], route: impl Fn(&T) -> Option<HeaderMatch>) -> Vec<(&T, &T)> {
    let routes: Vec<Option<HeaderMatch>> = items.iter().map(&route).collect();
    let mut pairs = Vec::new();
    for (i, mine) in routes.iter().enumerate() {
        let Some(mine) = mine else { continue };
        if let Some(j) = (i + 1..items.len()).find(|&j| routes[j].as_ref() == Some(mine)) {
            pairs.push((&items[i], &items[j]));
        }
    }
    pairs
}

/// The header the model-router plugin fills with the request's model.
pub const MODEL_HEADER: &str = "x-higress-llm-model";

impl HeaderMatch {
    /// The ingress annotation key for this match.
    pub fn annotation_key(&self) -> String {
        match self {
            HeaderMatch::Prefix(_) => format!("higress.io/prefix-match-header-{MODEL_HEADER}"),
            HeaderMatch::Regex(_) => format!("higress.io/regex-match-header-{MODEL_HEADER}"),
        }
    }

    pub fn value(&self) -> &str {
        match self {
            HeaderMatch::Prefix(v) | HeaderMatch::Regex(v) => v,
        }
    }

    /// Reads the match back from an ingress's annotations.
    pub fn from_annotation(key: &str, value: &str) -> Option<Self> {
        let header = key.strip_prefix("higress.io/")?;
        if header == format!("prefix-match-header-{MODEL_HEADER}") {
            Some(HeaderMatch::Prefix(value.to_string()))
        } else if header == format!("regex-match-header-{MODEL_HEADER}") {
            Some(HeaderMatch::Regex(value.to_string()))
        } else if header == format!("exact-match-header-{MODEL_HEADER}") {
            Some(HeaderMatch::Regex(regex::escape(value)))
        } else {
            None
        }
    }

    /// Whether a request for `model` is routed by this match (prefix test, or RE2 full
    /// match as Envoy's safe_regex does).
    pub fn matches(&self, model: &str) -> bool {
        match self {
            HeaderMatch::Prefix(prefix) => model.starts_with(prefix.as_str()),
            HeaderMatch::Regex(pattern) => full_match(pattern).is_some_and(|re| re.is_match(model)),
        }
    }

    /// The console's `modelPredicates`: always prefix predicates, one per alternative,
    /// with a trailing `.*` cut off.
    pub fn console_prefixes(&self) -> Vec<String> {
        match self {
            HeaderMatch::Prefix(prefix) => vec![prefix.clone()],
            HeaderMatch::Regex(pattern) => pattern
                .split('|')
                .map(|piece| match piece.rfind('.') {
                    Some(dot) if piece.ends_with(".*") => piece[..dot].to_string(),
                    _ => piece.to_string(),
                })
                .collect(),
        }
    }
}

/// Translates a comma-separated model pattern into the ingress header match.
pub fn header_match(pattern: &str) -> HeaderMatch {
    let pattern: String = pattern.chars().filter(|c| *c != ' ').collect();
    if pattern.is_empty() {
        return HeaderMatch::Regex(".*".into());
    }
    let star_to_regex = |part: &str| {
        if part.ends_with('*') {
            part.replace('*', ".*")
        } else {
            part.to_string()
        }
    };
    if pattern.contains(',') {
        let parts: Vec<String> = pattern.split(',').map(star_to_regex).collect();
        return HeaderMatch::Regex(parts.join("|"));
    }
    if pattern.ends_with('*') {
        if pattern.ends_with("-*") && !pattern.ends_with(".*") {
            HeaderMatch::Prefix(pattern.replace('*', ""))
        } else {
            HeaderMatch::Regex(pattern.replace('*', ".*"))
        }
    } else {
        HeaderMatch::Prefix(pattern)
    }
}

/// Checks a user-given pattern before it is written: the regex Higress will evaluate
/// must compile.
pub fn validate(pattern: &str) -> Result<HeaderMatch, String> {
    if pattern.trim().split(',').any(|p| p.trim().is_empty()) && pattern.contains(',') {
        return Err(format!(
            "model pattern {pattern:?} has an empty part between commas"
        ));
    }
    let matched = header_match(pattern);
    if let HeaderMatch::Regex(re) = &matched {
        regex::Regex::new(re).map_err(|e| {
            format!("model pattern {pattern:?} becomes the invalid regular expression {re:?}: {e}")
        })?;
    }
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use HeaderMatch::*;

    #[test]
    fn follows_the_template() {
        let cases = [
            ("qwen*", Regex("qwen.*".into())),
            ("deepseek-*", Prefix("deepseek-".into())),
            ("moonshot-*,kimi-*", Regex("moonshot-.*|kimi-.*".into())),
            ("*", Regex(".*".into())),
            ("", Regex(".*".into())),
            ("gpt-4-turbo", Prefix("gpt-4-turbo".into())),
            ("gpt-4-turbo,gpt-4o", Regex("gpt-4-turbo|gpt-4o".into())),
            (
                "claude-3-5-sonnet-*,claude-opus-4-20250514",
                Regex("claude-3-5-sonnet-.*|claude-opus-4-20250514".into()),
            ),
            ("@cf/*", Regex("@cf/.*".into())),
            ("a*b", Prefix("a*b".into())),
            (" qwen - * ", Prefix("qwen-".into())),
            ("gpt-*-mini,o1", Regex("gpt-*-mini|o1".into())),
        ];
        for (input, expected) in cases {
            assert_eq!(header_match(input), expected, "{input:?}");
        }
    }

    #[test]
    fn console_predicates_follow_the_template() {
        assert_eq!(header_match("qwen*").console_prefixes(), vec!["qwen"]);
        assert_eq!(header_match("*").console_prefixes(), vec![""]);
        assert_eq!(
            header_match("claude-3-5-sonnet-*,claude-opus-4-20250514").console_prefixes(),
            vec!["claude-3-5-sonnet-", "claude-opus-4-20250514"]
        );
    }

    #[test]
    fn regex_matches_whole_model_name() {
        let m = header_match("gpt-4-turbo,gpt-4o");
        assert!(m.matches("gpt-4o"));
        assert!(!m.matches("gpt-4o-mini"));
        assert!(header_match("gpt-4").matches("gpt-4o"));
        assert!(header_match("GLM-*,glm-*").matches("glm-5"));
        assert!(!header_match("GLM-*,glm-*").matches("xglm-5"));
    }
}
