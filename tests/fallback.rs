//! Cross-provider fallback (issue 15): `config add --fallback` writes what the Higress
//! console writes for an AI route's `fallbackConfig` (compared field by field with the
//! console's shapes), reads back, stays clean for doctor, is exported, is removed with
//! its route, refuses bad input with the folder untouched, and a request the main
//! provider fails reaches the fallback provider through the real ai-proxy plugin.

mod proxy_wasm;
mod support;

use std::path::{Path, PathBuf};

use proxy_wasm::Gateway;
use proxy_wasm::chain::Response;
use proxy_wasm::gateway::chat_body;
use serde_json::{Value, json};
use support::{init_folder, on_folder, read_yaml, run_json, snapshot};

const FLAGS: &[&str] = &[
    "--deepseek-key",
    "sk-deepseek-aaaa-0001",
    "--dashscope-key",
    "sk-qwen-bbbb-0002",
    "--openai-key",
    "sk-openai-cccc-0003",
];

fn folder(home: &Path) -> PathBuf {
    init_folder(home, FLAGS)
}

fn add(home: &Path, data: &Path, args: &[&str]) {
    on_folder(
        home,
        data,
        &[&["config", "add", "--provider", "deepseek"], args].concat(),
    )
    .assert()
    .success();
}

fn doc(data: &Path, rel: &str) -> Value {
    serde_json::to_value(read_yaml(&data.join(rel))).unwrap()
}

fn route_json(data: &Path, id: &str) -> Value {
    let cm = doc(data, &format!("configmaps/ai-route-{id}.yaml"));
    serde_json::from_str(cm["data"]["data"].as_str().unwrap()).unwrap()
}

/// One status-class predicate of the console's template.
fn class(code: &str) -> Value {
    json!({"single_predicate": {
        "input": {"name": format!("{code}_response"), "typed_config": {
            "@type": "type.googleapis.com/envoy.type.matcher.v3.HttpResponseStatusCodeClassMatchInput"}},
        "value_match": {"exact": code}}})
}

/// The console's `envoyfilter-route-fallback.yaml`, rendered for `route` by hand.
fn console_filter(route: &str, predicate: Value) -> Value {
    let header =
        json!([{"header": {"key": "x-higress-fallback-from", "value": route}, "append": false}]);
    json!({
        "apiVersion": "networking.istio.io/v1alpha3",
        "kind": "EnvoyFilter",
        "metadata": {"name": route, "namespace": "higress-system", "resourceVersion": "1"},
        "spec": {"configPatches": [{
            "applyTo": "HTTP_ROUTE",
            "match": {"context": "GATEWAY", "routeConfiguration": {"vhost": {"route": {"name": route}}}},
            "patch": {"operation": "MERGE", "value": {"typed_per_filter_config": {
                "envoy.filters.http.custom_response": {
                    "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
                    "type_url": "type.googleapis.com/envoy.extensions.filters.http.custom_response.v3.CustomResponse",
                    "value": {
                        "custom_response_matcher": {"matcher_list": {"matchers": [{
                            "predicate": predicate,
                            "on_match": {"action": {"name": "action", "typed_config": {
                                "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
                                "type_url": "type.googleapis.com/envoy.extensions.http.custom_response.redirect_policy.v3.RedirectPolicy",
                                "value": {
                                    "max_internal_redirects": 10,
                                    "use_original_request_uri": true,
                                    "keep_original_response_code": false,
                                    "use_original_request_body": true,
                                    "only_redirect_upstream_code": false,
                                    "request_headers_to_add": header,
                                    "response_headers_to_add": header}}}}}]}},
                        "with_request_body": {"max_request_bytes": 1024000}}}}}}}]}
    })
}

#[test]
fn fallback_writes_what_the_console_writes() {
    let home = tempfile::tempdir().unwrap();
    let data = folder(home.path());
    add(home.path(), &data, &["--fallback", "qwen:qwen-max"]);
    // The ConfigMap: the route as before plus fallbackConfig (RAND sets weight 1).
    let route = route_json(&data, "deepseek");
    assert_eq!(route["name"], "deepseek");
    assert_eq!(route["upstreams"], json!([{"provider": "deepseek"}]));
    assert_eq!(
        route["fallbackConfig"],
        json!({"enabled": true,
               "upstreams": [{"provider": "aliyun", "weight": 1, "modelMapping": {"*": "qwen-max"}}],
               "fallbackStrategy": "RAND", "responseCodes": ["4xx", "5xx"]})
    );
    // The fallback Ingress: the main route's match and spec, the exact header, the
    // fallback service, the console's defaults.
    let main = doc(&data, "ingresses/ai-route-deepseek.internal.yaml");
    let fb = doc(&data, "ingresses/ai-route-deepseek.fallback.internal.yaml");
    assert_eq!(
        fb["metadata"]["name"],
        "ai-route-deepseek.fallback.internal"
    );
    assert_eq!(fb["metadata"]["namespace"], "higress-system");
    assert_eq!(fb["spec"], main["spec"]);
    assert_eq!(
        fb["metadata"]["annotations"],
        json!({
            "higress.io/destination": "llm-aliyun.internal.dns:443",
            "higress.io/ignore-path-case": "false",
            "higress.io/prefix-match-header-x-higress-llm-model": "deepseek-",
            "higress.io/exact-match-header-x-higress-fallback-from": "ai-route-deepseek.internal",
            "higress.io/enable-proxy-next-upstream": "true",
            "higress.io/proxy-next-upstream-tries": "3",
            "higress.io/proxy-next-upstream-timeout": "120",
            "higress.io/proxy-next-upstream": "error,timeout,non_idempotent",
        })
    );
    assert_eq!(
        fb["metadata"]["labels"],
        json!({"higress.io/resource-definer": "higress", "higress.io/domain_higress-default-domain": "true"})
    );
    // The EnvoyFilter, named after the original route, both classes in an or_matcher.
    assert_eq!(
        doc(&data, "envoyfilters/ai-route-deepseek.internal.yaml"),
        console_filter(
            "ai-route-deepseek.internal",
            json!({"or_matcher": {"predicate": [class("4xx"), class("5xx")]}})
        )
    );
    let global = doc(
        &data,
        "envoyfilters/higress-gateway-global-custom-response.yaml",
    );
    assert_eq!(
        global["spec"]["configPatches"][0]["patch"]["value"]["name"],
        "envoy.filters.http.custom_response"
    );
    // The model-mapper rule per fallback upstream, the ai-statistics rule of the route.
    let mapper = doc(&data, "wasmplugins/model-mapper.internal.yaml");
    assert_eq!(mapper["spec"]["phase"], "AUTHN");
    assert_eq!(mapper["spec"]["priority"], 800);
    assert_eq!(mapper["spec"]["defaultConfigDisable"], true);
    assert_eq!(
        mapper["spec"]["matchRules"],
        json!([{"ingress": ["ai-route-deepseek.fallback.internal"], "service": ["llm-aliyun.internal.dns"],
                "configDisable": false, "config": {"modelMapping": {"*": "qwen-max"}}}])
    );
    let stats = doc(&data, "wasmplugins/ai-statistics-1.0.0.yaml");
    assert_eq!(
        stats["spec"]["matchRules"],
        json!([{"ingress": ["ai-route-deepseek.fallback.internal"], "configDisable": false,
                "config": {"use_default_response_attributes": true}}])
    );
    assert_eq!(
        stats["spec"]["defaultConfig"]["use_default_attributes"],
        true
    );
}

#[test]
fn strategies_codes_and_the_catalog_model() {
    let home = tempfile::tempdir().unwrap();
    let data = folder(home.path());
    add(
        home.path(),
        &data,
        &["--fallback", "qwen,openai:gpt-4o", "--fallback-on", "5xx"],
    );
    let fb = doc(&data, "ingresses/ai-route-deepseek.fallback.internal.yaml");
    assert_eq!(
        fb["metadata"]["annotations"]["higress.io/destination"],
        "1% llm-aliyun.internal.dns:443\n1% llm-openai.internal.dns:443"
    );
    let filter = doc(&data, "envoyfilters/ai-route-deepseek.internal.yaml");
    assert_eq!(
        filter,
        console_filter("ai-route-deepseek.internal", class("5xx")),
        "one class: a single_predicate"
    );
    // Without a model, one of the catalog's that the provider's route serves.
    let models = run_json(home.path(), &data, &["models"]);
    let qwen: Vec<&str> = models["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "aliyun")
        .unwrap()["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    let list = run_json(home.path(), &data, &["config", "list"]);
    let deepseek = list["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "deepseek")
        .unwrap();
    let f = &deepseek["fallback"];
    assert_eq!(f["on"], json!(["5xx"]));
    assert_eq!(f["strategy"], "rand");
    assert_eq!(
        f["providers"][1],
        json!({"provider": "openai", "model": "gpt-4o"})
    );
    assert!(
        qwen.contains(&f["providers"][0]["model"].as_str().unwrap()),
        "{f} / {qwen:?}"
    );
    // seq: only the first is routed; the codes are kept from before.
    add(home.path(), &data, &["--fallback-strategy", "seq"]);
    let fb = doc(&data, "ingresses/ai-route-deepseek.fallback.internal.yaml");
    assert_eq!(
        fb["metadata"]["annotations"]["higress.io/destination"],
        "llm-aliyun.internal.dns:443"
    );
    let route = route_json(&data, "deepseek");
    assert_eq!(route["fallbackConfig"]["fallbackStrategy"], "SEQ");
    assert_eq!(route["fallbackConfig"]["responseCodes"], json!(["5xx"]));
    let mapper = doc(&data, "wasmplugins/model-mapper.internal.yaml");
    assert_eq!(mapper["spec"]["matchRules"].as_array().unwrap().len(), 1);
    let status = run_json(home.path(), &data, &["status"]);
    let s = status["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "deepseek")
        .unwrap();
    assert_eq!(s["fallback"]["strategy"], "seq");
    let text = on_folder(home.path(), &data, &["config", "list"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("fallback: on 5xx to aliyun ("), "{text}");
}

#[test]
fn bad_fallback_input_is_refused_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let data = init_folder(home.path(), &FLAGS[..4]);
    let cases: &[(&[&str], &[&str])] = &[
        (&["--fallback", "nosuch"], &["unknown provider \"nosuch\""]),
        (
            &["--fallback", "deepseek"],
            &["--fallback names DeepSeek itself"],
        ),
        (
            &["--fallback", "openai"],
            &[
                "OpenAI, which is not configured",
                "config add --provider openai --key KEY",
            ],
        ),
        (
            &["--fallback", "qwen", "--fallback-on", "3xx"],
            &["\"3xx\" is not a status class", "4xx,5xx"],
        ),
        (
            &["--fallback-on", "5xx"],
            &[
                "--fallback-on tunes a fallback",
                "--fallback PROVIDER[:MODEL]",
            ],
        ),
        (&["--fallback", "qwen:bad model"], &["contains a space"]),
        (
            &["--fallback", "qwen", "--no-fallback"],
            &["cannot be used with"],
        ),
    ];
    let before = snapshot(&data);
    for (args, needles) in cases {
        let out = on_folder(
            home.path(),
            &data,
            &[&["config", "add", "--provider", "deepseek"], *args].concat(),
        )
        .output()
        .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        for needle in *needles {
            assert!(
                stderr.contains(needle),
                "{args:?} lacks {needle:?}: {stderr}"
            );
        }
        assert_eq!(snapshot(&data), before, "{args:?} wrote to the folder");
    }
}

fn fallback_files(data: &Path) -> Vec<&'static str> {
    [
        "ingresses/ai-route-deepseek.fallback.internal.yaml",
        "envoyfilters/ai-route-deepseek.internal.yaml",
    ]
    .into_iter()
    .filter(|f| data.join(f).exists())
    .collect()
}

fn configuration_failures(home: &Path, data: &Path) -> Vec<Value> {
    let out = on_folder(home, data, &["doctor", "--json"])
        .output()
        .unwrap();
    let doctor: Value = serde_json::from_slice(&out.stdout).unwrap();
    doctor["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "configuration" && c["verdict"] != "ok")
        .cloned()
        .collect()
}

#[test]
fn removal_no_fallback_repair_and_export() {
    let home = tempfile::tempdir().unwrap();
    let data = folder(home.path());
    add(home.path(), &data, &["--fallback", "qwen:qwen-max"]);
    assert!(configuration_failures(home.path(), &data).is_empty());
    // Export carries the fallback route, its redirect, the filter and the mapper.
    let export = on_folder(home.path(), &data, &["export"]).output().unwrap();
    let yaml = String::from_utf8(export.stdout).unwrap();
    for name in [
        "name: ai-route-deepseek.fallback.internal",
        "kind: EnvoyFilter",
        "name: higress-gateway-global-custom-response",
        "name: model-mapper.internal",
        "url: oci://",
    ] {
        assert!(yaml.contains(name), "export lacks {name}");
    }
    // The fallback provider cannot go while the route uses it.
    let before = snapshot(&data);
    let out = on_folder(
        home.path(),
        &data,
        &["config", "remove", "--provider", "qwen"],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("fallback of the deepseek route")
            && stderr.contains("--provider deepseek --no-fallback"),
        "{stderr}"
    );
    assert_eq!(snapshot(&data), before);
    // Cut in half: doctor names it, config list warns, repair removes it.
    std::fs::remove_file(data.join("envoyfilters/ai-route-deepseek.internal.yaml")).unwrap();
    let failures = configuration_failures(home.path(), &data);
    assert!(
        failures
            .iter()
            .any(|c| c["detail"].as_str().unwrap().contains("no redirect")),
        "{failures:?}"
    );
    let list = on_folder(home.path(), &data, &["config", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stderr).contains("`higress-claw repair` removes it"));
    on_folder(home.path(), &data, &["repair"])
        .assert()
        .success();
    assert!(fallback_files(&data).is_empty());
    assert!(
        route_json(&data, "deepseek")
            .get("fallbackConfig")
            .is_none()
    );
    assert!(configuration_failures(home.path(), &data).is_empty());
    // --no-fallback and removing the route take every piece along.
    add(home.path(), &data, &["--fallback", "qwen:qwen-max"]);
    add(home.path(), &data, &["--no-fallback"]);
    assert!(fallback_files(&data).is_empty());
    let mapper = doc(&data, "wasmplugins/model-mapper.internal.yaml");
    assert!(mapper["spec"].get("matchRules").is_none(), "{mapper}");
    add(home.path(), &data, &["--fallback", "qwen:qwen-max"]);
    on_folder(
        home.path(),
        &data,
        &["config", "remove", "--provider", "deepseek"],
    )
    .assert()
    .success();
    assert!(fallback_files(&data).is_empty());
    let stats = doc(&data, "wasmplugins/ai-statistics-1.0.0.yaml");
    assert!(stats["spec"].get("matchRules").is_none(), "{stats}");
    assert!(configuration_failures(home.path(), &data).is_empty());
    // Now qwen may go.
    on_folder(
        home.path(),
        &data,
        &["config", "remove", "--provider", "qwen"],
    )
    .assert()
    .success();
}

/// The folder in the plugins' host: ai-proxy and ai-statistics accept it; a request
/// deepseek fails is replayed as the EnvoyFilter says (its header, on a 5xx class),
/// takes the fallback route and reaches Qwen with Qwen's key.
#[test]
fn the_fallback_route_reaches_the_fallback_provider_through_ai_proxy() {
    let home = tempfile::tempdir().unwrap();
    let data = folder(home.path());
    add(home.path(), &data, &["--fallback", "qwen:qwen-max"]);
    let Some(mut gw) = Gateway::new(&data, true) else {
        return;
    };
    assert!(gw.proxy_configured.accepted);
    assert!(gw.statistics_configured.as_ref().unwrap().accepted);
    let failed = Response {
        headers: vec![(":status".into(), "503".into())],
        chunks: vec![(1, b"{}".to_vec())],
    };
    let body = chat_body("deepseek-chat", false);
    let (route, out) = gw
        .send(
            "/v1/chat/completions",
            "deepseek-chat",
            body.clone(),
            &[],
            Some(failed),
            &proxy_wasm::no_calls,
        )
        .unwrap();
    assert_eq!(route.name, "ai-route-deepseek.internal");
    assert_eq!(out.upstream_header(":authority"), Some("api.deepseek.com"));
    // What the redirect policy does on that answer, read from the EnvoyFilter.
    let filter = doc(&data, "envoyfilters/ai-route-deepseek.internal.yaml");
    let patch = &filter["spec"]["configPatches"][0];
    assert_eq!(
        patch["match"]["routeConfiguration"]["vhost"]["route"]["name"],
        route.name.as_str()
    );
    let value = &patch["patch"]["value"]["typed_per_filter_config"]["envoy.filters.http.custom_response"]
        ["value"];
    let matcher = &value["custom_response_matcher"]["matcher_list"]["matchers"][0];
    let classes: Vec<&str> = matcher["predicate"]["or_matcher"]["predicate"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["single_predicate"]["value_match"]["exact"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(classes.contains(&"5xx"));
    let added = &matcher["on_match"]["action"]["typed_config"]["value"]["request_headers_to_add"]
        [0]["header"];
    let header = (
        added["key"].as_str().unwrap(),
        added["value"].as_str().unwrap(),
    );
    let ok = Response {
        headers: vec![(":status".into(), "200".into()), ("content-type".into(), "application/json".into())],
        chunks: vec![(1, br#"{"id":"c1","model":"qwen-max","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"#.to_vec())],
    };
    let (route, out) = gw
        .send(
            "/v1/chat/completions",
            "deepseek-chat",
            body,
            &[header],
            Some(ok),
            &proxy_wasm::no_calls,
        )
        .unwrap();
    assert_eq!(route.name, "ai-route-deepseek.fallback.internal");
    assert_eq!(route.service, "llm-aliyun.internal.dns");
    assert_eq!(
        out.upstream_header(":authority"),
        Some("dashscope.aliyuncs.com")
    );
    assert_eq!(
        out.upstream_header("authorization"),
        Some("Bearer sk-qwen-bbbb-0002")
    );
    assert!(out.errors().is_empty(), "{:?}", out.errors());
}

/// The fallback route follows its main route (a new model pattern), a repeated edit
/// writes nothing, and `init --force` without the fallback provider drops the fallback.
#[test]
fn the_fallback_follows_its_route_and_goes_with_its_provider() {
    let home = tempfile::tempdir().unwrap();
    let data = folder(home.path());
    add(home.path(), &data, &["--fallback", "qwen:qwen-max"]);
    let before = snapshot(&data);
    let again = run_json(
        home.path(),
        &data,
        &[
            "config",
            "add",
            "--provider",
            "deepseek",
            "--key",
            "sk-deepseek-aaaa-0001",
        ],
    );
    assert_eq!(again["action"], "unchanged", "{again}");
    assert_eq!(snapshot(&data), before);
    add(home.path(), &data, &["--models", "deepseek-*,ds-*"]);
    let main = doc(&data, "ingresses/ai-route-deepseek.internal.yaml");
    let fb = doc(&data, "ingresses/ai-route-deepseek.fallback.internal.yaml");
    let model_match = |ing: &Value| {
        ing["metadata"]["annotations"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.ends_with("-match-header-x-higress-llm-model"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(model_match(&fb), model_match(&main));
    assert_eq!(model_match(&fb).len(), 1, "{fb}");
    on_folder(
        home.path(),
        &data,
        &[
            "init",
            "-q",
            "--force",
            "--deepseek-key",
            "sk-deepseek-aaaa-0001",
        ],
    )
    .assert()
    .success();
    assert!(fallback_files(&data).is_empty());
    assert!(
        route_json(&data, "deepseek")
            .get("fallbackConfig")
            .is_none()
    );
    assert!(configuration_failures(home.path(), &data).is_empty());
}
