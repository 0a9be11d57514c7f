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

/// Pairs of items whose routes claim a common model: both would compete for the same
/// requests, and the gateway would pick one by ingress order, silently (upstream
/// writes azure and openai both with `gpt-*`). For each item, the first later one it
/// overlaps, with a model both accept; items without a route overlap nothing.
pub fn same_routes<T>(
    items: &[T],
    route: impl Fn(&T) -> Option<HeaderMatch>,
) -> Vec<(&T, &T, String)> {
    let routes: Vec<Option<HeaderMatch>> = items.iter().map(&route).collect();
    let mut pairs = Vec::new();
    for (i, mine) in routes.iter().enumerate() {
        let Some(mine) = mine else { continue };
        if let Some((j, example)) = (i + 1..items.len()).find_map(|j| {
            routes[j]
                .as_ref()
                .and_then(|other| overlap(mine, other))
                .map(|example| (j, example))
        }) {
            pairs.push((&items[i], &items[j], example));
        }
    }
    pairs
}

/// The shortest model id both matches accept, if any: decided on what they match
/// (prefix against prefix, prefix against regex, regex against regex), by walking the
/// product of their DFAs. A pair too large to decide counts as overlapping, with no
/// example: refusing is the safe side.
pub fn overlap(a: &HeaderMatch, b: &HeaderMatch) -> Option<String> {
    if let (HeaderMatch::Prefix(p), HeaderMatch::Prefix(q)) = (a, b) {
        // One prefix of the other: the longer one is the example.
        return (p.starts_with(q.as_str()) || q.starts_with(p.as_str())).then(|| {
            if p.len() >= q.len() {
                p.clone()
            } else {
                q.clone()
            }
        });
    }
    let (Some(da), Some(db)) = (dfa(a), dfa(b)) else {
        return Some(String::new());
    };
    product_witness(&da, &db)
}

type Dfa = regex_automata::dfa::dense::DFA<Vec<u32>>;

/// The match as an anchored DFA of the whole header value (RE2's full match).
fn dfa(m: &HeaderMatch) -> Option<Dfa> {
    use regex_automata::dfa::dense;
    let pattern = match m {
        HeaderMatch::Prefix(p) => format!("{}(?s:.*)", regex_syntax::escape(p)),
        HeaderMatch::Regex(r) => format!("(?:{r})"),
    };
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(regex_automata::dfa::StartKind::Anchored)
                .dfa_size_limit(Some(DFA_LIMIT))
                .determinize_size_limit(Some(DFA_LIMIT)),
        )
        .build(&pattern)
        .ok()
}

/// Bytes a route's DFA may take; model patterns are tiny next to this.
const DFA_LIMIT: usize = 8 << 20;
/// State pairs the product walk visits before it gives up.
const PRODUCT_LIMIT: usize = 1 << 20;

/// Breadth-first over pairs of states; the first pair that both DFAs accept at the
/// end of input gives the shortest common string.
fn product_witness(a: &Dfa, b: &Dfa) -> Option<String> {
    use regex_automata::dfa::Automaton;
    use regex_automata::util::primitives::StateID;
    use regex_automata::{Anchored, util::start};
    use std::collections::{HashMap, VecDeque};
    let config = start::Config::new().anchored(Anchored::Yes);
    let start = (a.start_state(&config).ok()?, b.start_state(&config).ok()?);
    type Pair = (StateID, StateID);
    // How each pair was first reached: from which pair, by which byte.
    let mut parent: HashMap<Pair, Option<(Pair, u8)>> = HashMap::from([(start, None)]);
    let mut queue = VecDeque::from([start]);
    while let Some(pair @ (sa, sb)) = queue.pop_front() {
        if a.is_match_state(a.next_eoi_state(sa)) && b.is_match_state(b.next_eoi_state(sb)) {
            let mut bytes = Vec::new();
            let mut at = pair;
            while let Some(Some((from, byte))) = parent.get(&at) {
                bytes.push(*byte);
                at = *from;
            }
            bytes.reverse();
            return Some(String::from_utf8_lossy(&bytes).into_owned());
        }
        for byte in 0..=255u8 {
            let next = (a.next_state(sa, byte), b.next_state(sb, byte));
            if a.is_dead_state(next.0) || b.is_dead_state(next.1) || parent.contains_key(&next) {
                continue;
            }
            if parent.len() >= PRODUCT_LIMIT {
                return Some(String::new());
            }
            parent.insert(next, Some((pair, byte)));
            queue.push_back(next);
        }
    }
    None
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
    fn overlap_is_decided_on_what_patterns_match() {
        let m = |p: &str| header_match(p);
        let overlaps = |a: &str, b: &str| overlap(&m(a), &m(b));
        // Spelled differently, claiming the same models.
        assert_eq!(overlaps("glm-*", "GLM-*,glm-*").as_deref(), Some("glm-"));
        assert!(overlaps("gpt-4", "gpt-4-turbo,gpt-4o").is_some());
        assert!(overlaps("*", "deepseek-*").is_some());
        assert_eq!(
            overlaps("deepseek-*", "deepseek-chat").as_deref(),
            Some("deepseek-chat")
        );
        // Disjoint.
        assert_eq!(overlaps("deepseek-*", "glm-*"), None);
        assert_eq!(overlaps("gpt-4o,o1-*", "claude-*,gemini-*"), None);
        assert_eq!(overlaps("qwen*", "Qwen*"), None, "case matters to RE2");
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
