//! `export`: Kubernetes objects that validate against the Higress CRD schemas and the
//! Kubernetes schemas, for every provider in the catalog.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use predicates::prelude::*;
use serde_json::Value;
use support::{bin, shared_dir};

/// A folder with every provider of the catalog (companions filled in), auto-routing
/// and two rules.
fn full_folder(home: &Path) -> PathBuf {
    let data = home.join("data");
    let mut args: Vec<String> = vec![
        "init".into(),
        "-q".into(),
        "--data-dir".into(),
        data.display().to_string(),
    ];
    for (i, p) in higress_claw::gateway::catalog::PROVIDERS.iter().enumerate() {
        // DeepL's requests name the plan (`Pro`) as the model.
        let models = if p.id == "deepl" {
            "Pro".to_string()
        } else {
            format!("m{i}-*")
        };
        args.extend([format!("--{}-models", p.flag_stem), models]);
        if p.takes_keys() {
            args.extend([format!("--{}-key", p.flag_stem), format!("sk-{i}:secret")]);
        }
    }
    for extra in [
        "--azure-service-url",
        "https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01",
        "--bedrock-region",
        "us-east-1",
        "--cloudflare-account-id",
        "acc",
        "--deepl-target-lang",
        "ZH",
        "--ollama-host",
        "10.0.0.2",
        "--vllm-url",
        "http://10.0.0.3:8000/v1",
        "--generic-url",
        "https://llm.example.com/openai/v1",
        "--triton-url",
        "http://10.0.0.4:8000",
        "--auto-routing",
        "--auto-routing-default-model",
        "m1-x",
    ] {
        args.push(extra.into());
    }
    bin(home).args(&args).assert().success();
    for (model, trigger) in [("m2-x", "quick"), ("m3-x", "c++|深入思考")] {
        bin(home)
            .args([
                "route",
                "add",
                "-q",
                "--model",
                model,
                "--trigger",
                trigger,
                "--data-dir",
            ])
            .arg(&data)
            .assert()
            .success();
    }
    data
}

fn export(home: &Path, data: &Path, extra: &[&str]) -> (String, String) {
    let out = bin(home)
        .args(["export", "--data-dir"])
        .arg(data)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn documents(yaml: &str) -> Vec<Value> {
    yaml.split("\n---\n")
        .map(|d| d.trim_start_matches("---\n"))
        .filter(|d| !d.trim().is_empty())
        .map(|d| {
            let v: higress_claw::yaml::Value = higress_claw::yaml::from_str(d).unwrap();
            serde_json::to_value(v).unwrap()
        })
        .collect()
}

/// `Kind` → (apiVersion, openAPIV3Schema) from the Higress CRDs.
fn crd_schemas() -> Option<Vec<(String, String, Value)>> {
    let Some(dir) = shared_dir("k8s") else {
        support::skip(
            "k8s-crds",
            "export against the Higress CRD schemas",
            "../shared/k8s (higress-crds.yaml) is not beside the checkout",
            "lay the project's shared/ folder beside the checkout",
        );
        return None;
    };
    let text = std::fs::read_to_string(dir.join("higress-crds.yaml")).unwrap();
    Some(
        documents(&format!("\n{text}"))
            .into_iter()
            .flat_map(|crd| {
                let group = crd["spec"]["group"].as_str().unwrap().to_string();
                let kind = crd["spec"]["names"]["kind"].as_str().unwrap().to_string();
                crd["spec"]["versions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| {
                        (
                            kind.clone(),
                            format!("{group}/{}", v["name"].as_str().unwrap()),
                            v["schema"]["openAPIV3Schema"].clone(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect(),
    )
}

#[test]
fn every_provider_exports_valid_custom_resources() {
    let home = tempfile::tempdir().unwrap();
    let data = full_folder(home.path());
    let (yaml, _) = export(home.path(), &data, &["--namespace", "ai-gw"]);
    let docs = documents(&yaml);
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "WasmPlugin").count(), 3);
    assert_eq!(kinds.iter().filter(|k| **k == "McpBridge").count(), 1);
    // One route per provider, and Bedrock's second one for Anthropic Messages.
    let providers = higress_claw::gateway::catalog::PROVIDERS.len();
    assert_eq!(
        kinds.iter().filter(|k| **k == "Ingress").count(),
        providers + 1
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "ConfigMap").count(),
        providers
    );
    assert_eq!(kinds.last(), Some(&"Ingress"), "ingresses go last");
    for doc in &docs {
        let meta = &doc["metadata"];
        assert_eq!(meta["namespace"], "ai-gw");
        assert!(
            meta.get("resourceVersion").is_none() && meta.get("creationTimestamp").is_none(),
            "{meta}"
        );
        assert!(doc.get("status").is_none());
        if doc["kind"] == "WasmPlugin" {
            let url = doc["spec"]["url"].as_str().unwrap();
            assert!(
                url.starts_with("oci://higress-registry.cn-hangzhou.cr.aliyuncs.com/plugins/")
                    && url.ends_with(":1.0.0"),
                "{url}"
            );
        }
    }
    let bridge = docs.iter().find(|d| d["kind"] == "McpBridge").unwrap();
    let registries = bridge["spec"]["registries"].as_array().unwrap();
    assert_eq!(
        registries.len(),
        providers + 1,
        "the console's 127.0.0.1 registry is dropped; Bedrock's Mantle endpoint is kept"
    );
    let proxy = docs
        .iter()
        .find(|d| d["metadata"]["name"] == "ai-proxy.internal")
        .unwrap();
    assert_eq!(
        proxy["spec"]["defaultConfig"]["providers"]
            .as_array()
            .unwrap()
            .len(),
        providers
    );

    let Some(schemas) = crd_schemas() else {
        return;
    };
    let mut validated = 0;
    for doc in docs
        .iter()
        .filter(|d| d["kind"] == "WasmPlugin" || d["kind"] == "McpBridge")
    {
        let (_, _, schema) = schemas
            .iter()
            .find(|(kind, api, _)| {
                doc["kind"] == kind.as_str() && doc["apiVersion"] == api.as_str()
            })
            .unwrap_or_else(|| panic!("no CRD for {} {}", doc["kind"], doc["apiVersion"]));
        let validator = jsonschema::validator_for(schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{} {}: {errors:?}",
            doc["kind"],
            doc["metadata"]["name"]
        );
        validated += 1;
    }
    assert_eq!(validated, 4);
    // The schemas are not vacuous: a wrong type is caught.
    let mut broken = proxy.clone();
    broken["spec"]["failStrategy"] = "MAYBE".into();
    broken["spec"]["priority"] = "high".into();
    let (_, _, schema) = schemas.iter().find(|(k, _, _)| k == "WasmPlugin").unwrap();
    assert!(!jsonschema::validator_for(schema).unwrap().is_valid(&broken));
}

#[test]
fn core_objects_validate_against_kubernetes_schemas() {
    let validate = || {
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "kubernetes_validate"]);
        cmd
    };
    let available = validate()
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        support::skip(
            "kubernetes-validate",
            "export against the Kubernetes schemas",
            "kubernetes-validate (PyPI) is not installed",
            "python3 -m pip install kubernetes-validate",
        );
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let data = full_folder(home.path());
    let (yaml, _) = export(home.path(), &data, &[]);
    let core: Vec<String> = yaml
        .split("\n---\n")
        .map(|d| d.trim_start_matches("---\n").to_string())
        .filter(|d| d.contains("kind: Ingress") || d.contains("kind: ConfigMap"))
        .collect();
    assert_eq!(
        core.len(),
        2 * higress_claw::gateway::catalog::PROVIDERS.len() + 1
    );
    let file = home.path().join("core.yaml");
    std::fs::write(&file, format!("---\n{}\n", core.join("\n---\n"))).unwrap();
    let out = validate()
        .args(["--strict", "--quiet"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubernetes-validate: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // And it does reject a broken object.
    std::fs::write(
        &file,
        core[0]
            .replace("kind: ConfigMap", "kind: ConfigMap\nspec: 1")
            .replace("kind: Ingress", "kind: Ingress\nfoo: 1"),
    )
    .unwrap();
    let out = validate()
        .args(["--strict", "--quiet"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a broken object passed");
}

#[test]
fn snapshot_and_redaction() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    bin(home.path())
        .args(["init", "-q", "--data-dir"])
        .arg(&data)
        .args([
            "--zhipuai-key",
            "sk-zhipu-secret-1",
            "--zhipuai-domain",
            "api.z.ai",
            "--deepseek-key",
            "sk-deep-secret-2",
        ])
        .args(["--auto-routing", "--auto-routing-default-model", "glm-5"])
        .assert()
        .success();
    bin(home.path())
        .args([
            "route",
            "add",
            "-q",
            "--model",
            "deepseek-reasoner",
            "--trigger",
            "think|深入思考",
            "--data-dir",
        ])
        .arg(&data)
        .assert()
        .success();
    let (yaml, _) = export(
        home.path(),
        &data,
        &["--plugin-registry", "registry.example.com/mirror"],
    );
    insta::assert_snapshot!("export_multi_provider", yaml);
    let (redacted, stderr) = export(home.path(), &data, &["--redact-keys"]);
    assert!(!redacted.contains("sk-zhipu-secret-1") && !redacted.contains("sk-deep-secret-2"));
    assert!(redacted.contains("REPLACE_WITH_ZHIPUAI_KEY"), "{redacted}");
    assert!(
        stderr.contains("REPLACE_WITH_DEEPSEEK_KEY") && stderr.contains("DeepSeek API key"),
        "{stderr}"
    );

    let file = home.path().join("out/ai.yaml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let out = bin(home.path())
        .args(["export", "--json", "-o"])
        .arg(&file)
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    support::assert_documented("export", &report);
    assert_eq!(report["objects"].as_array().unwrap().len(), 8);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        yaml.replace(
            "registry.example.com/mirror",
            "higress-registry.cn-hangzhou.cr.aliyuncs.com"
        )
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600,
        "the file with every key is the owner's alone"
    );
    // --json without -o carries the YAML in the document, like every JSON output
    // without a key in it.
    let out = bin(home.path())
        .args(["export", "--json", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("sk-zhipu-secret-1") && !text.contains("sk-deep-secret-2"),
        "{text}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["yaml"]
            .as_str()
            .unwrap()
            .contains("REPLACE_WITH_ZHIPUAI_KEY")
    );
    assert_eq!(report["placeholders"].as_array().unwrap().len(), 2);
    // A folder that does not exist is named, not the temp file.
    bin(home.path())
        .args(["export", "-o"])
        .arg(home.path().join("missing/ai.yaml"))
        .arg("--data-dir")
        .arg(&data)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing/ai.yaml"));

    let (values, _) = export(home.path(), &data, &["--format", "helm-values"]);
    let values: higress_claw::yaml::Value = higress_claw::yaml::from_str(&values).unwrap();
    assert_eq!(
        values["global"]["hub"].as_str(),
        Some("higress-registry.cn-hangzhou.cr.aliyuncs.com")
    );
    assert_eq!(values["global"]["ingressClass"].as_str(), Some("higress"));
    bin(home.path())
        .args(["export", "--namespace", "", "--data-dir"])
        .arg(&data)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--namespace"));
}

/// A route's fallback goes up whole: the fallback Ingress, the model-mapper (valid
/// against the WasmPlugin CRD, pulled from the registry), the global custom_response
/// filter, then the route's redirect, after the route it replays requests to.
#[test]
fn a_fallback_exports_its_route_redirect_and_mapper() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    bin(home.path())
        .args([
            "init",
            "-q",
            "--deepseek-key",
            "sk-d",
            "--dashscope-key",
            "sk-q",
            "--data-dir",
        ])
        .arg(&data)
        .assert()
        .success();
    bin(home.path())
        .args([
            "config",
            "add",
            "--provider",
            "deepseek",
            "--fallback",
            "qwen:qwen-max",
            "--data-dir",
        ])
        .arg(&data)
        .assert()
        .success();
    let (yaml, _) = export(home.path(), &data, &[]);
    let docs = documents(&yaml);
    let names: Vec<(String, String)> = docs
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                d["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let at = |kind: &str, name: &str| {
        names
            .iter()
            .position(|(k, n)| k == kind && n == name)
            .unwrap_or_else(|| panic!("export lacks {kind} {name}: {names:?}"))
    };
    let route = at("Ingress", "ai-route-deepseek.fallback.internal");
    let global = at("EnvoyFilter", "higress-gateway-global-custom-response");
    let redirect = at("EnvoyFilter", "ai-route-deepseek.internal");
    assert!(route < global && global < redirect, "{names:?}");
    assert_eq!(redirect, docs.len() - 1, "the redirect goes last");
    let mapper = &docs[at("WasmPlugin", "model-mapper.internal")];
    assert!(
        mapper["spec"]["url"]
            .as_str()
            .unwrap()
            .starts_with("oci://")
    );
    assert!(mapper["metadata"].get("resourceVersion").is_none());
    let Some(schemas) = crd_schemas() else { return };
    let (_, _, schema) = schemas.iter().find(|(k, _, _)| k == "WasmPlugin").unwrap();
    let validator = jsonschema::validator_for(schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(mapper)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}
