//! One line of the gateway log, read as the image's access-log format writes it
//! (Envoy's text format shaped as JSON, see the README's "usage" section): what an AI
//! request it is, or why it is not one.
//!
//! `ai_log` is a JSON document that ai-statistics stored JSON-escaped, so it is parsed
//! twice. Envoy writes `-` for every value it does not have. Lines that do not start
//! like an access-log line (Envoy's and pilot-agent's own messages, which supervisord
//! mixes into `gateway.log`) are skipped before any parsing, and so are access-log
//! lines with no `ai_log` (the console, readiness probes) unless an AI route failed
//! them: those are requests that never reached ai-statistics' response handling.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// How every line of the format begins: `ai_log` is its first key.
const PREFIX: &str = "{\"ai_log\":";
const NO_AI_LOG: &str = "{\"ai_log\":\"-\"";
const AI_ROUTE: &str = "\"route_name\":\"ai-route-";

/// What a line is.
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// Not an AI request: another program's message, or a request with no `ai_log`.
    Skipped,
    Request(Request<'a>),
    /// It starts like an access-log line but is not one we can read (cut short by a
    /// crash or a rotation, a value with a quote in it, an `ai_log` that is not JSON).
    Malformed(&'static str),
}

/// An AI request as the report counts it.
#[derive(Debug, PartialEq, Eq)]
pub struct Request<'a> {
    /// `start_time`, milliseconds since the Unix epoch.
    pub start_ms: i64,
    pub model: Cow<'a, str>,
    pub provider: Cow<'a, str>,
    /// `response_code`; 0 when Envoy sent none (the client went away).
    pub status: u16,
    /// `duration`: first byte received to last byte sent, in ms (`None` for `-`).
    pub duration_ms: Option<u64>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub total_tokens: u64,
}

#[derive(Deserialize)]
struct AccessLine<'a> {
    #[serde(borrow)]
    ai_log: Cow<'a, str>,
    #[serde(borrow)]
    start_time: Cow<'a, str>,
    #[serde(borrow, default)]
    duration: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    response_code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    route_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    upstream_cluster: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct AiLog<'a> {
    #[serde(borrow, default)]
    model: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "count")]
    input_token: u64,
    #[serde(default, deserialize_with = "count")]
    output_token: u64,
    #[serde(default, deserialize_with = "count")]
    total_token: Option<u64>,
}

/// Reads `line`. `scratch` holds the unescaped `ai_log` the result may borrow from.
pub fn parse<'a>(line: &'a [u8], scratch: &'a mut String) -> Line<'a> {
    if !line.starts_with(PREFIX.as_bytes()) {
        return Line::Skipped;
    }
    let Ok(line) = std::str::from_utf8(line) else {
        return Line::Malformed("not UTF-8");
    };
    let line = line.trim_end_matches(['\n', '\r']);
    if line.starts_with(NO_AI_LOG) && !line.contains(AI_ROUTE) {
        return Line::Skipped;
    }
    let Ok(access) = serde_json::from_str::<AccessLine>(line) else {
        return Line::Malformed("not a complete JSON object with ai_log and start_time");
    };
    let Some(start_ms) = epoch_ms(&access.start_time) else {
        return Line::Malformed("start_time is not an RFC 3339 time");
    };
    let status = match access.response_code.as_deref() {
        None | Some("-") => 0,
        Some(code) => match code.parse::<u16>() {
            Ok(code) => code,
            Err(_) => return Line::Malformed("response_code is not a number"),
        },
    };
    let duration_ms = access.duration.as_deref().and_then(|d| d.parse().ok());
    let provider = provider(
        access.upstream_cluster.as_deref().unwrap_or("-"),
        access.route_name.as_deref().unwrap_or("-"),
    )
    .to_string();
    let base = Request {
        start_ms,
        model: Cow::Borrowed("unknown"),
        provider: Cow::Owned(provider),
        status,
        duration_ms,
        input_tokens: 0,
        output_tokens: 0,
        total_tokens: 0,
    };
    if access.ai_log == "-" {
        // An AI route that answered without ai-statistics logging: a failure before
        // the provider's response (no key, upstream unreachable). A success there is
        // no chat request (`GET /v1/models` on a default route).
        return if status >= 400 {
            Line::Request(base)
        } else {
            Line::Skipped
        };
    }
    *scratch = access.ai_log.into_owned();
    let Ok(ai) = serde_json::from_str::<AiLog>(scratch) else {
        return Line::Malformed("ai_log is not a JSON object of ai-statistics");
    };
    Line::Request(Request {
        model: match ai.model {
            Some(m) if !m.is_empty() && m != "-" => m,
            _ => base.model,
        },
        input_tokens: ai.input_token,
        output_tokens: ai.output_token,
        total_tokens: ai.total_token.unwrap_or(ai.input_token + ai.output_token),
        ..base
    })
}

/// The provider id: from the cluster that served (`outbound|443||llm-<id>.internal.dns`,
/// so a fallback counts for the provider that answered), else from the route
/// (`ai-route-<id>.internal`, `ai-route-<id>.fallback.internal`).
pub fn provider<'a>(cluster: &'a str, route: &'a str) -> &'a str {
    let from_cluster = cluster
        .rsplit('|')
        .next()
        .and_then(|host| host.strip_prefix("llm-"))
        .and_then(|host| host.split_once(".internal"))
        .map(|(id, _)| id);
    let from_route = || {
        let rest = route.strip_prefix("ai-route-")?;
        rest.strip_suffix(".fallback.internal")
            .or_else(|| rest.strip_suffix(".internal"))
    };
    from_cluster
        .or_else(from_route)
        .filter(|id| !id.is_empty())
        .unwrap_or("unknown")
}

/// Envoy's `%START_TIME%` (`2026-11-02T10:00:00.850Z`), or any RFC 3339 time.
pub fn epoch_ms(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// A token count: a JSON number as ai-statistics writes it, or a numeric string as
/// its older README shows.
fn count<'de, D: Deserializer<'de>, T: From<u64>>(d: D) -> Result<T, D::Error> {
    struct Count;
    impl Visitor<'_> for Count {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a token count")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            Ok(v.max(0) as u64)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            Ok(v.max(0.0) as u64)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            v.trim().parse().map_err(E::custom)
        }
    }
    d.deserialize_any(Count).map(T::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_from_cluster_then_route() {
        assert_eq!(
            provider("outbound|443||llm-deepseek.internal.dns", "x"),
            "deepseek"
        );
        assert_eq!(
            provider("outbound|11434||llm-ollama.internal.static", "-"),
            "ollama"
        );
        assert_eq!(provider("-", "ai-route-kimi.fallback.internal"), "kimi");
        assert_eq!(provider("-", "ai-route-kimi.internal"), "kimi");
        assert_eq!(provider("-", "higress-console"), "unknown");
    }

    #[test]
    fn start_times() {
        assert_eq!(epoch_ms("1970-01-01T00:00:01.250Z"), Some(1250));
        assert_eq!(epoch_ms("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(epoch_ms("yesterday"), None);
    }
}
