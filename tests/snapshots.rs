//! Rendered files for representative inputs, snapshotted. A change in what Higress
//! would read shows up as a reviewed snapshot diff.

mod support;

use std::path::Path;

use higress_claw::docker::{ContainerSpec, Ports};
use support::bin;

fn init(home: &Path, flags: &[&str]) -> std::path::PathBuf {
    let data = home.join("data");
    bin(home)
        .args(["init", "--data-dir"])
        .arg(&data)
        .args(flags)
        .assert()
        .success();
    data
}

fn read(data: &Path, file: &str) -> String {
    std::fs::read_to_string(data.join(file)).unwrap()
}

#[test]
fn multi_provider_with_auto_routing() {
    let home = tempfile::tempdir().unwrap();
    let data = init(
        home.path(),
        &[
            "--zhipuai-key",
            "sk-zhipu-1",
            "--zhipuai-domain",
            "api.z.ai",
            "--moonshot-key",
            "sk-moon-a,sk-moon-b",
            "--claude-code-key",
            "oauth-token",
            "--openrouter-key",
            "sk-or",
            "--openrouter-models",
            "openai/*,anthropic/*",
            "--auto-routing",
            "--auto-routing-default-model",
            "glm-5",
        ],
    );
    insta::assert_snapshot!(
        "multi_ai_proxy",
        read(&data, "wasmplugins/ai-proxy.internal.yaml")
    );
    insta::assert_snapshot!("multi_mcpbridge", read(&data, "mcpbridges/default.yaml"));
    insta::assert_snapshot!(
        "multi_model_router",
        read(&data, "wasmplugins/model-router.internal.yaml")
    );
    insta::assert_snapshot!(
        "multi_ingress_moonshot",
        read(&data, "ingresses/ai-route-moonshot.internal.yaml")
    );
    insta::assert_snapshot!(
        "multi_configmap_moonshot",
        read(&data, "configmaps/ai-route-moonshot.yaml")
    );
    insta::assert_snapshot!("multi_default_cfg", read(&data, "default.cfg"));
}

#[test]
fn local_and_cloud_providers() {
    let home = tempfile::tempdir().unwrap();
    let data = init(
        home.path(),
        &[
            "--ollama-host",
            "192.168.1.10",
            "--ollama-port",
            "11435",
            "--azure-key",
            "az",
            "--azure-service-url",
            "https://me.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-06-01",
            "--azure-models",
            "gpt-4o",
            "--dify-key",
            "app-1",
            "--dify-models",
            "dify",
            "--dify-api-url",
            "http://dify.internal.example:8088/v1",
            "--vertex-key",
            "vx",
            "--vertex-region",
            "us-central1",
        ],
    );
    insta::assert_snapshot!(
        "local_ai_proxy",
        read(&data, "wasmplugins/ai-proxy.internal.yaml")
    );
    insta::assert_snapshot!("local_mcpbridge", read(&data, "mcpbridges/default.yaml"));
    insta::assert_snapshot!(
        "local_ingress_ollama",
        read(&data, "ingresses/ai-route-ollama.internal.yaml")
    );
}

#[test]
fn container_spec() {
    let spec = ContainerSpec {
        name: "higress-ai-gateway".into(),
        image: "higress-registry.cn-hangzhou.cr.aliyuncs.com/higress/all-in-one:latest".into(),
        data_dir: "/home/me/.higress-claw/data".into(),
        ports: Ports {
            http: 8080,
            https: 8443,
            console: 8001,
        },
        bind: "127.0.0.1".parse().unwrap(),
        console_bind: "127.0.0.1".parse().unwrap(),
        plugin_registry: "higress-registry.cn-hangzhou.cr.aliyuncs.com".into(),
    };
    let mut body = serde_json::to_value(spec.to_create_body()).unwrap();
    // HashMap order is random; sort for a stable snapshot.
    body.sort_all_objects();
    insta::assert_json_snapshot!("container_create_body", body);
}

/// Publishing the gateway leaves the console on loopback unless it is asked for.
#[test]
fn console_port_keeps_its_own_address() {
    let spec = ContainerSpec {
        name: "higress-ai-gateway".into(),
        image: "all-in-one:latest".into(),
        data_dir: "/home/me/.higress-claw/data".into(),
        ports: Ports {
            http: 8080,
            https: 8443,
            console: 8001,
        },
        bind: "0.0.0.0".parse().unwrap(),
        console_bind: "127.0.0.1".parse().unwrap(),
        plugin_registry: "registry.example".into(),
    };
    let body = serde_json::to_value(spec.to_create_body()).unwrap();
    let ip = |port: &str| body["HostConfig"]["PortBindings"][port][0]["HostIp"].clone();
    assert_eq!(ip("8080/tcp"), "0.0.0.0");
    assert_eq!(ip("8443/tcp"), "0.0.0.0");
    assert_eq!(ip("8001/tcp"), "127.0.0.1");
}
