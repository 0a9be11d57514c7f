//! Conformance with the upstream template: for each recorded case in
//! `../shared/golden`, our `init` with the equivalent flags must write a folder that
//! Higress reads the same way as the one the real template wrote (see that folder's
//! README for what "the same" means).

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use higress_claw::yaml::Value;
use support::{bin, read_yaml, shared_dir};

/// Scalars compared as strings (`true` == `"true"`, `443` == `"443"`).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => higress_claw::yaml::to_string(other).unwrap(),
    }
}

fn get<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| &v[*k])
}

fn seq(v: &Value) -> Vec<Value> {
    v.as_sequence().cloned().unwrap_or_default()
}

fn is_placeholder(token: &str) -> bool {
    token.starts_with("YOUR_") && token.ends_with("_API_KEY")
}

/// The template writes `togetherai`, which the ai-proxy plugin rejects; we write the
/// plugin's name on purpose.
fn expected_type(t: &str) -> &str {
    if t == "togetherai" { "together-ai" } else { t }
}

fn provider_entry<'a>(proxy: &'a Value, id: &str) -> Option<&'a Value> {
    get(proxy, &["spec", "defaultConfig", "providers"])
        .as_sequence()?
        .iter()
        .find(|p| p["id"].as_str() == Some(id))
}

fn extras(entry: &Value) -> BTreeMap<String, String> {
    entry
        .as_mapping()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), text(v))))
        .filter(|(k, _)| !["id", "type", "apiTokens"].contains(&k.as_str()))
        .collect()
}

fn tokens(entry: &Value) -> Vec<String> {
    seq(&entry["apiTokens"])
        .iter()
        .map(text)
        .filter(|t| !is_placeholder(t))
        .collect()
}

fn rules_for(proxy: &Value, id: &str) -> Vec<Value> {
    seq(get(proxy, &["spec", "matchRules"]))
        .into_iter()
        .filter(|r| r["config"]["activeProviderId"].as_str() == Some(id))
        .collect()
}

fn registry(bridge: &Value, name: &str) -> Option<Value> {
    seq(get(bridge, &["spec", "registries"]))
        .into_iter()
        .find(|r| r["name"].as_str() == Some(name))
}

fn registry_fields(r: &Value) -> Vec<String> {
    ["type", "protocol", "domain", "port"]
        .iter()
        .map(|k| text(&r[*k]))
        .collect()
}

fn route_json(cm: &Value) -> serde_json::Value {
    let data = cm["data"]["data"]
        .as_str()
        .expect("ai-route ConfigMap has data.data");
    serde_json::from_str(data).expect("data.data is JSON")
}

fn annotations(ing: &Value) -> BTreeMap<String, String> {
    get(ing, &["metadata", "annotations"])
        .as_mapping()
        .into_iter()
        .flatten()
        .map(|(k, v)| (text(k), text(v)))
        .collect()
}

fn compare_case(golden: &Path, flags: &[String], providers: &[String], ours: &Path) {
    let g = golden.join("data");
    let name = golden.file_name().unwrap().to_string_lossy();
    let g_proxy = read_yaml(&g.join("wasmplugins/ai-proxy.internal.yaml"));
    let o_proxy = read_yaml(&ours.join("wasmplugins/ai-proxy.internal.yaml"));
    let g_bridge = read_yaml(&g.join("mcpbridges/default.yaml"));
    let o_bridge = read_yaml(&ours.join("mcpbridges/default.yaml"));

    for id in providers {
        let ctx = format!("case {name}, provider {id}, flags {flags:?}");
        let ge = provider_entry(&g_proxy, id).unwrap_or_else(|| panic!("{ctx}: golden lacks it"));
        let oe =
            provider_entry(&o_proxy, id).unwrap_or_else(|| panic!("{ctx}: we did not write it"));
        assert_eq!(
            text(&oe["type"]),
            expected_type(&text(&ge["type"])),
            "{ctx}: type"
        );
        assert_eq!(extras(oe), extras(ge), "{ctx}: extra fields");
        assert_eq!(tokens(oe), tokens(ge), "{ctx}: apiTokens");
        let o_rules = rules_for(&o_proxy, id);
        assert_eq!(o_rules.len(), 1, "{ctx}: exactly one matchRule");
        let g_rules = rules_for(&g_proxy, id);
        assert_eq!(
            seq(&o_rules[0]["service"])
                .iter()
                .map(text)
                .collect::<Vec<_>>(),
            seq(&g_rules[0]["service"])
                .iter()
                .map(text)
                .collect::<Vec<_>>(),
            "{ctx}: matchRule service"
        );

        let reg = format!("llm-{id}.internal");
        let gr = registry(&g_bridge, &reg).unwrap_or_else(|| panic!("{ctx}: golden lacks {reg}"));
        let or = registry(&o_bridge, &reg).unwrap_or_else(|| panic!("{ctx}: no registry {reg}"));
        assert_eq!(
            registry_fields(&or),
            registry_fields(&gr),
            "{ctx}: registry"
        );

        let ing = format!("ingresses/ai-route-{id}.internal.yaml");
        let (gi, oi) = (read_yaml(&g.join(&ing)), read_yaml(&ours.join(&ing)));
        assert_eq!(
            annotations(&oi),
            annotations(&gi),
            "{ctx}: ingress annotations"
        );
        assert_eq!(oi["spec"], gi["spec"], "{ctx}: ingress spec");

        let cm = format!("configmaps/ai-route-{id}.yaml");
        let (gc, oc) = (read_yaml(&g.join(&cm)), read_yaml(&ours.join(&cm)));
        let (gj, oj) = (route_json(&gc), route_json(&oc));
        for key in ["name", "upstreams", "modelPredicates"] {
            assert_eq!(oj[key], gj[key], "{ctx}: ai-route {key}");
        }
        assert_eq!(
            text(&oc["metadata"]["labels"]["higress.io/config-map-type"]),
            "ai-route",
            "{ctx}: ConfigMap label"
        );
    }

    // Nothing that was not asked for.
    let ours_ids: Vec<String> = seq(get(&o_proxy, &["spec", "defaultConfig", "providers"]))
        .iter()
        .map(|p| text(&p["id"]))
        .collect();
    assert_eq!(&ours_ids, providers, "case {name}: providers written");
    assert_eq!(
        seq(get(&o_proxy, &["spec", "matchRules"])).len(),
        providers.len()
    );
    let regs: Vec<String> = seq(get(&o_bridge, &["spec", "registries"]))
        .iter()
        .map(|r| text(&r["name"]))
        .collect();
    assert!(
        regs.contains(&"higress-console".to_string()),
        "case {name}: console registry kept"
    );
    assert_eq!(
        regs.len(),
        providers.len() + 1,
        "case {name}: registries {regs:?}"
    );
    for dir in ["ingresses", "configmaps"] {
        for entry in std::fs::read_dir(ours.join(dir)).unwrap() {
            let file = entry.unwrap().file_name().to_string_lossy().into_owned();
            if let Some(id) = file
                .strip_prefix("ai-route-")
                .map(|s| s.trim_end_matches(".yaml").trim_end_matches(".internal"))
            {
                assert!(
                    providers.iter().any(|p| p == id),
                    "case {name}: unexpected {dir}/{file}"
                );
            }
        }
    }
    for entry in walk(ours) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        assert!(
            !text.contains("YOUR_") || !text.contains("_API_KEY"),
            "case {name}: placeholder token in {}",
            entry.display()
        );
    }
    let router = read_yaml(&ours.join("wasmplugins/model-router.internal.yaml"));
    assert_eq!(
        text(get(&router, &["spec", "defaultConfig", "modelToHeader"])),
        "x-higress-llm-model"
    );
    let asked_routing = flags.iter().any(|f| f == "--auto-routing");
    assert_eq!(
        !get(&router, &["spec", "defaultConfig", "autoRouting"]).is_null(),
        asked_routing,
        "case {name}: autoRouting only when asked for"
    );
    assert!(ours.join("wasmplugins/ai-statistics-1.0.0.yaml").is_file());
    let console = read_yaml(&ours.join("configmaps/higress-console.yaml"));
    assert_eq!(text(&console["data"]["index.redirect-target"]), "/ai/route");
    assert!(
        ours.join(".ai-gateway-configured").exists(),
        "case {name}: marker"
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn our_folders_match_the_upstream_template() {
    let Some(golden) = shared_dir("golden") else {
        support::skip(
            "golden",
            "our_folders_match_the_upstream_template",
            "../shared/golden (the upstream template's trees) is not beside the checkout",
            "lay the project's shared/ folder beside the checkout",
        );
        return;
    };
    eprintln!("reading golden cases from {}", golden.display());
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(golden.join("cases.json")).unwrap()).unwrap();
    assert!(!cases.is_empty());
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let flags: Vec<String> = case["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect();
        let providers: Vec<String> = case["providers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect();
        let home = tempfile::tempdir().unwrap();
        let ours = home.path().join("data");
        let init = |flags: &[String]| {
            // The template's defaults are China's (no zhipuDomain unless given).
            bin(home.path())
                .env("TZ", "Asia/Shanghai")
                .args(["init", "--non-interactive", "--json", "--data-dir"])
                .arg(&ours)
                .args(flags)
                .output()
                .unwrap()
        };
        let mut flags = flags;
        let mut providers = providers;
        let out = init(&flags);
        if !out.status.success() {
            // Upstream writes patterns that claim each other's models (a catch-all `*`
            // beside others); we refuse those by design. The refused provider is left
            // out and the rest must still conform.
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let message = doc["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains("both claim"), "case {name}: {doc}");
            let hint = doc["error"]["hint"].as_str().unwrap();
            let stem = hint
                .split("--")
                .nth(1)
                .and_then(|f| f.strip_suffix("-models"))
                .unwrap_or_else(|| panic!("case {name}: {hint}"))
                .to_string();
            eprintln!("case {name}: {message}; comparing without {stem}");
            let mut kept = Vec::new();
            let mut skip_value = false;
            for flag in &flags {
                if skip_value {
                    skip_value = false;
                } else if flag.starts_with(&format!("--{stem}-")) {
                    skip_value = !flag.contains('=');
                } else {
                    kept.push(flag.clone());
                }
            }
            flags = kept;
            let id = higress_claw::gateway::catalog::find(&stem).unwrap().id;
            providers.retain(|p| p != id);
            let out = init(&flags);
            assert!(out.status.success(), "case {name}: {out:?}");
        }
        compare_case(&golden.join(name), &flags, &providers, &ours);
        eprintln!("case {name}: conforms ({} providers)", providers.len());
    }
}
