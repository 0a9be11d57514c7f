//! The access-log line the all-in-one image writes for a request: Envoy's text
//! format with the `log_format` of higress-group/higress-standalone
//! `all-in-one/config/configmaps/higress-config.yaml`, rendered from what the
//! plugins left on the stream. What only a live Envoy knows (addresses, the
//! upstream host's IP) comes from `Env`, fixed values a reader can tell apart.

use super::chain::Outcome;
use super::host::header;

/// The image's access-log format, as that file has it.
pub const FORMAT: &str = r#"{"ai_log":"%FILTER_STATE(wasm.ai_log:PLAIN)%","authority":"%REQ(X-ENVOY-ORIGINAL-HOST?:AUTHORITY)%","bytes_received":"%BYTES_RECEIVED%","bytes_sent":"%BYTES_SENT%","downstream_local_address":"%DOWNSTREAM_LOCAL_ADDRESS%","downstream_remote_address":"%DOWNSTREAM_REMOTE_ADDRESS%","duration":"%DURATION%","istio_policy_status":"%DYNAMIC_METADATA(istio.mixer:status)%","method":"%REQ(:METHOD)%","path":"%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%","protocol":"%PROTOCOL%","request_id":"%REQ(X-REQUEST-ID)%","requested_server_name":"%REQUESTED_SERVER_NAME%","response_code":"%RESPONSE_CODE%","response_flags":"%RESPONSE_FLAGS%","route_name":"%ROUTE_NAME%","start_time":"%START_TIME%","trace_id":"%REQ(X-B3-TRACEID)%","upstream_cluster":"%UPSTREAM_CLUSTER%","upstream_host":"%UPSTREAM_HOST%","upstream_local_address":"%UPSTREAM_LOCAL_ADDRESS%","upstream_service_time":"%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%","upstream_transport_failure_reason":"%UPSTREAM_TRANSPORT_FAILURE_REASON%","user_agent":"%REQ(USER-AGENT)%","x_forwarded_for":"%REQ(X-FORWARDED-FOR)%","response_code_details":"%RESPONSE_CODE_DETAILS%"}"#;

/// What the host cannot know about a request.
pub struct Env {
    pub start_time: String,
    pub duration_ms: u64,
    pub bytes_received: usize,
    pub downstream_local: String,
    pub downstream_remote: String,
    pub upstream_host: String,
    pub upstream_local: String,
    pub route_name: String,
    pub cluster: String,
}

/// Renders `FORMAT` for one request. Envoy's text formatter writes `-` for a
/// value it does not have and escapes nothing.
pub fn render(out: &Outcome, env: &Env) -> String {
    let mut line = String::new();
    let mut rest = FORMAT;
    while let Some(start) = rest.find('%') {
        line.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('%').expect("unterminated %COMMAND%");
        line.push_str(&value(&after[..end], out, env));
        rest = &after[end + 1..];
    }
    line.push_str(rest);
    line
}

fn value(command: &str, out: &Outcome, env: &Env) -> String {
    let dash = |v: Option<&str>| v.filter(|v| !v.is_empty()).unwrap_or("-").to_string();
    // REQ reads the request headers as they are when the log is written: after the
    // plugins changed them.
    let req = |spec: &str| {
        let mut names = spec.split('?');
        let first = names.next().unwrap();
        let found = header(&out.upstream_headers, first).or_else(|| {
            names
                .next()
                .and_then(|alt| header(&out.upstream_headers, alt))
        });
        dash(found)
    };
    let status = header(&out.downstream_headers, ":status")
        .map(str::to_string)
        .or_else(|| out.local_reply.as_ref().map(|r| r.status.to_string()));
    if let Some(arg) = command
        .strip_prefix("REQ(")
        .and_then(|c| c.strip_suffix(')'))
    {
        return req(arg);
    }
    if let Some(arg) = command
        .strip_prefix("RESP(")
        .and_then(|c| c.strip_suffix(')'))
    {
        return dash(header(&out.downstream_headers, arg));
    }
    if let Some(arg) = command
        .strip_prefix("FILTER_STATE(")
        .and_then(|c| c.strip_suffix(')'))
    {
        let key = arg.split(':').next().unwrap();
        let key = key.strip_prefix("wasm.").unwrap_or(key);
        return dash(out.stream.property(key).as_deref());
    }
    match command {
        "BYTES_RECEIVED" => env.bytes_received.to_string(),
        "BYTES_SENT" => out.downstream_body.len().to_string(),
        "DOWNSTREAM_LOCAL_ADDRESS" => env.downstream_local.clone(),
        "DOWNSTREAM_REMOTE_ADDRESS" => env.downstream_remote.clone(),
        "DURATION" => env.duration_ms.to_string(),
        "PROTOCOL" => "HTTP/1.1".into(),
        "REQUESTED_SERVER_NAME" | "RESPONSE_FLAGS" | "UPSTREAM_TRANSPORT_FAILURE_REASON" => {
            "-".into()
        }
        "RESPONSE_CODE" => status.unwrap_or_else(|| "0".into()),
        "ROUTE_NAME" => env.route_name.clone(),
        "START_TIME" => env.start_time.clone(),
        "UPSTREAM_CLUSTER" => env.cluster.clone(),
        "UPSTREAM_HOST" => env.upstream_host.clone(),
        "UPSTREAM_LOCAL_ADDRESS" => env.upstream_local.clone(),
        "RESPONSE_CODE_DETAILS" => dash(out.stream.property("response.code_details").as_deref()),
        c if c.starts_with("DYNAMIC_METADATA(") => "-".into(),
        c => panic!("access-log command %{c}% is not rendered by this host"),
    }
}
