//! What the values that reach a file or another program must look like, checked while
//! the command line is parsed: a bad one is a usage error naming the flag and the form
//! it must have, before anything is written. Each parser returns the message clap shows
//! after "invalid value … for '--flag'"; it never repeats a value that may be a secret.

use std::net::IpAddr;
use std::time::Duration;

use crate::usage::Since;

/// The longest model id or pattern accepted: far above any real one, low enough that a
/// pasted document is refused.
const MAX_MODEL_LEN: usize = 256;

/// No control character (line break, tab, escape, NUL): a line break in a value would
/// write a second line into `default.cfg` or the YAML it lands in.
pub fn no_control(value: &str) -> Result<(), String> {
    match value.chars().find(|c| c.is_control()) {
        Some(c) => Err(format!(
            "contains the control character {:?}; remove line breaks, tabs and escapes",
            c
        )),
        None => Ok(()),
    }
}

/// A model id as clients send it: `glm-5`, `gpt-4o-mini`, `@cf/meta/llama-3.1-8b`,
/// `anthropic.claude-3-5-sonnet-20241022-v2:0`. Not empty, no blanks, no controls.
pub fn model_id(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        return Err("is empty; name a model, e.g. glm-5".into());
    }
    no_control(value)?;
    if value.chars().any(char::is_whitespace) {
        return Err(format!(
            "{value:?} contains a space; a model id is one word, e.g. glm-5"
        ));
    }
    if value.len() > MAX_MODEL_LEN {
        return Err(format!(
            "is {} bytes long; a model id has at most {MAX_MODEL_LEN}",
            value.len()
        ));
    }
    Ok(value.to_string())
}

/// The longest client key name: what a DNS label allows, far above a real name.
const MAX_KEY_NAME_LEN: usize = 63;

/// A client key's name (`keys add NAME`), which becomes a Higress key-auth consumer:
/// letters, digits, `-` and `_`, starting with a letter or digit. The name travels as
/// the `X-Mse-Consumer` header and inside ai-statistics' dotted metric names
/// (`….consumer.<name>.metric.…`), so dots, blanks and anything a header cannot carry
/// are refused.
pub fn client_key_name(value: &str) -> Result<String, String> {
    let mut chars = value.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if value.is_empty() {
        return Err("is empty; name the key after who uses it, e.g. laptop".into());
    }
    if !(first_ok && rest_ok) || value.len() > MAX_KEY_NAME_LEN {
        return Err(format!(
            "is not a key name: use 1 to {MAX_KEY_NAME_LEN} letters, digits, '-' or '_', starting with a letter or digit (e.g. laptop, ci-runner)"
        ));
    }
    Ok(value.to_string())
}

/// A model pattern: model ids or prefixes with `*`, separated by commas
/// (`gpt-4o,gpt-4.1*`, `*`). Empty parts and blanks are refused rather than dropped:
/// the upstream template turns `''` into "every model" and `a b` into the prefix `ab`.
pub fn model_pattern(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        return Err(
            "is empty; pass a pattern such as 'gpt-4o,gpt-4.1*', or '*' for every model".into(),
        );
    }
    no_control(value)?;
    if value.chars().any(char::is_whitespace) {
        return Err(format!(
            "{value:?} contains a space; separate patterns with commas only, e.g. 'gpt-4o,gpt-4.1*'"
        ));
    }
    if value.split(',').any(str::is_empty) {
        return Err(format!(
            "{value:?} has an empty part between commas; e.g. 'gpt-4o,gpt-4.1*'"
        ));
    }
    if value.len() > 4 * MAX_MODEL_LEN {
        return Err(format!(
            "is {} bytes long; that is not a model pattern",
            value.len()
        ));
    }
    Ok(value.to_string())
}

/// A Kubernetes namespace: a DNS-1123 label (`higress-system`).
pub fn namespace(value: &str) -> Result<String, String> {
    if is_dns_label(value) {
        Ok(value.to_string())
    } else {
        Err(format!(
            "{} is not a Kubernetes namespace: 1 to 63 of a-z, 0-9 and '-', starting and ending with a letter or digit (e.g. higress-system)",
            shown(value)
        ))
    }
}

fn is_dns_label(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 63
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-')
}

/// A host name (labels of letters, digits and inner hyphens) or an IP address.
pub fn is_host(value: &str) -> bool {
    if value.parse::<IpAddr>().is_ok() {
        return true;
    }
    !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// A container registry, with an optional port and path: `higress-registry.cn-hangzhou.cr.aliyuncs.com`,
/// `registry.local:5000/mirror`.
pub fn registry(value: &str) -> Result<String, String> {
    let value = value.trim_end_matches('/');
    let (authority, path) = value.split_once('/').unwrap_or((value, ""));
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    let path_ok = path.split('/').all(|segment| {
        !segment.is_empty()
            && segment
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    }) || path.is_empty();
    if is_host(host) && port_ok && path_ok {
        Ok(value.to_string())
    } else {
        Err(format!(
            "{} is not a registry: a host name with an optional :port and /path, e.g. higress-registry.cn-hangzhou.cr.aliyuncs.com or registry.local:5000/mirror",
            shown(value)
        ))
    }
}

/// An image repository as Docker names it: `[registry[:port]/]path` with lowercase
/// path components (`higress-registry.cn-hangzhou.cr.aliyuncs.com/higress/all-in-one`).
pub fn image_repo(value: &str) -> Result<String, String> {
    let ok = !value.is_empty()
        && !value.contains("//")
        && registry(value).is_ok()
        && !value.ends_with('/');
    if ok {
        Ok(value.to_string())
    } else {
        Err(format!(
            "{} is not an image repository, e.g. higress-registry.cn-hangzhou.cr.aliyuncs.com/higress/all-in-one",
            shown(value)
        ))
    }
}

/// An image tag: up to 128 of letters, digits, `_`, `.` and `-`, not starting with `.`
/// or `-` (`latest`, `2.1.9`).
pub fn image_tag(value: &str) -> Result<String, String> {
    let ok = !value.is_empty()
        && value.len() <= 128
        && !value.starts_with(['.', '-'])
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    if ok {
        Ok(value.to_string())
    } else {
        Err(format!(
            "{} is not an image tag: letters, digits, '_', '.' and '-' (e.g. latest or 2.1.9)",
            shown(value)
        ))
    }
}

/// An http(s) URL with a host and a valid port, e.g. `http://10.0.0.5:8080/v1`.
pub fn http_url(value: &str) -> Result<String, String> {
    no_control(value)?;
    let bad = || {
        format!(
            "{} is not an http(s) URL with a host, e.g. http://127.0.0.1:8080/v1",
            shown(value)
        )
    };
    let (scheme, rest) = value.split_once("://").ok_or_else(bad)?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(format!(
            "{} has the scheme {scheme:?}; use http:// or https://",
            shown(value)
        ));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = split_host_port(authority).ok_or_else(bad)?;
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => {
                return Err(format!(
                    "{} has the port {port:?}; a port is a number from 1 to 65535",
                    shown(value)
                ));
            }
        }
    }
    if !is_host(host.trim_start_matches('[').trim_end_matches(']')) {
        return Err(bad());
    }
    Ok(value.to_string())
}

/// `host:port`, `[v6]:port`, or just the host.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.is_empty() {
        return None;
    }
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(port) => Some((host, Some(port))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host, Some(port))),
        None => Some((authority, None)),
    }
}

/// A value that may hold anything a user pasted, shown safely: quoted, and cut short.
fn shown(value: &str) -> String {
    let cut: String = value.chars().take(80).collect();
    if cut.len() < value.len() {
        format!("{cut:?}…")
    } else {
        format!("{cut:?}")
    }
}

/// How far back `usage` looks: `90s`, `30m`, `24h`, `7d`, `2w`, or `all`.
pub fn since(value: &str) -> Result<Since, String> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("all") {
        return Ok(Since::All);
    }
    let form = "is not a duration; use a number and s, m, h, d or w (90m, 24h, 7d), or all";
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(format!("{value:?} {form}")),
    };
    let number: u64 = number.parse().map_err(|_| format!("{value:?} {form}"))?;
    // Beyond a century is a typo, and would overflow the time arithmetic.
    match number
        .checked_mul(seconds)
        .filter(|s| *s <= 100 * 365 * 86_400)
    {
        Some(0) => Err(format!("{value:?} is an empty window; use at least 1s")),
        Some(s) => Ok(Since::Ago(Duration::from_secs(s))),
        None => Err(format!("{value:?} is more than 100 years; use all")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_ids_are_one_printable_word() {
        for good in ["glm-5", "@cf/meta/llama-3.1-8b", "a.b-v2:0", "4.0Ultra"] {
            assert!(model_id(good).is_ok(), "{good}");
        }
        for bad in ["", " ", "glm-5\nGATEWAY_HTTP_PORT=1", "a b", "x\u{1b}[31m"] {
            assert!(model_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn patterns_refuse_what_upstream_would_silently_change() {
        assert!(model_pattern("gpt-4o,gpt-4.1*").is_ok());
        assert!(model_pattern("*").is_ok());
        for bad in ["", "a b", "a,,b", "a,", "x\ny"] {
            assert!(model_pattern(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn namespaces_registries_and_urls() {
        assert!(namespace("higress-system").is_ok());
        for bad in ["Bad NS", "", "-a", "a_b", &"a".repeat(64)] {
            assert!(namespace(bad).is_err(), "{bad:?}");
        }
        assert!(registry("registry.local:5000/mirror").is_ok());
        assert!(registry("bad host/x y").is_err());
        assert!(registry("r.example:99999").is_err());
        assert!(http_url("http://10.0.0.5:8080/v1").is_ok());
        assert!(http_url("https://[::1]:8443/v1").is_ok());
        for bad in [
            "notaurl",
            "ftp://x/v1",
            "http://x:99999/v1",
            "http:///v1",
            "http://x\n/v1",
        ] {
            assert!(http_url(bad).is_err(), "{bad:?}");
        }
        assert!(image_tag("2.1.9").is_ok() && image_tag("-x").is_err());
        assert!(image_repo("r.example/higress/all-in-one").is_ok());
        assert!(image_repo("Bad Repo").is_err());
    }
}
