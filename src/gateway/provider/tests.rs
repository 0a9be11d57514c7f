//! The provider model's rules, one behaviour per test.

use super::*;
use crate::gateway::catalog::find;

fn with_key(id: &str) -> ProviderConfig {
    let mut p = ProviderConfig::new(find(id).unwrap());
    p.keys = parse_keys("sk-1");
    p
}

/// Nothing that holds keys prints them, even when debug-formatted.
#[test]
fn debug_forms_mask_keys_and_secret_settings() {
    let mut p = ProviderConfig::new(find("bedrock").unwrap());
    p.keys = parse_keys("sk-visible-nowhere-0001");
    p.set("awsRegion", "us-east-1").unwrap();
    p.set("awsSecretKey", "aws-secret-visible-nowhere").unwrap();
    let shown = format!("{p:?}");
    assert!(shown.contains("us-east-1"), "{shown}");
    assert!(!shown.contains("visible-nowhere"), "{shown}");
    let entry: crate::gateway::resources::ProviderEntry =
        crate::yaml::from_str("id: x\ntype: openai\napiTokens: [sk-visible-nowhere-0002]\n")
            .unwrap();
    assert!(!format!("{entry:?}").contains("visible-nowhere"));
    assert_eq!(entry.api_tokens[0].expose(), "sk-visible-nowhere-0002");
}

#[test]
fn azure_domain_comes_from_its_url() {
    let mut p = with_key("azure");
    assert!(matches!(
        p.validate(),
        Err(ProviderError::MissingSetting { setting, .. }) if setting.field == "azureServiceUrl"
    ));
    p.set(
        "azureServiceUrl",
        "https://me.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01",
    )
    .unwrap();
    p.validate().unwrap();
    assert_eq!(p.endpoint().domain, "me.openai.azure.com");
    assert_eq!(p.endpoint().port, 443);
}

#[test]
fn ipv4_hosts_make_static_registries() {
    let mut p = ProviderConfig::new(find("ollama").unwrap());
    p.set("ollamaServerHost", "192.168.1.10").unwrap();
    p.validate().unwrap();
    assert_eq!(p.service_name(), "llm-ollama.internal.static");
    assert_eq!(p.service_port(), 80);
    assert_eq!(p.endpoint().port, 11434);
}

#[test]
fn keys_split_on_commas_only() {
    let keys = parse_keys("a b: c, d#e ,");
    let plain: Vec<_> = keys.iter().map(|k| k.expose()).collect();
    assert_eq!(plain, vec!["a b: c", "d#e"]);
}

#[test]
fn bad_settings_are_named() {
    let mut p = with_key("zhipuai");
    let err = p.set("zhipuDomian", "x").unwrap_err();
    assert!(err.to_string().contains("zhipuDomain"), "{err}");
    p.set("zhipuCodePlanMode", "maybe").unwrap();
    assert!(
        p.validate()
            .unwrap_err()
            .to_string()
            .contains("true or false")
    );
}

#[test]
fn generic_url_becomes_host_registry_and_base_path() {
    let mut p = ProviderConfig::new(find("generic").unwrap());
    p.set("genericUrl", "https://llm.example.com/openai/v1")
        .unwrap();
    p.validate().unwrap();
    let fields: Vec<(&str, String)> = p
        .rendered_settings()
        .into_iter()
        .map(|(f, v)| (f, v.as_str().unwrap_or_default().to_string()))
        .collect();
    assert_eq!(
        fields,
        [
            ("genericHost", "llm.example.com".to_string()),
            ("basePath", "/openai".to_string()),
            ("basePathHandling", "prepend".to_string()),
        ]
    );
    assert_eq!(p.service_name(), "llm-generic.internal.dns");
    assert_eq!(
        (p.endpoint().port, p.endpoint().protocol.as_str()),
        (443, "https")
    );

    p.set("genericUrl", "http://10.0.0.6:8080/v1").unwrap();
    let host = p.rendered_settings();
    assert_eq!(host.len(), 1, "no basePath under /v1 itself");
    assert_eq!(host[0].1.as_str(), Some("10.0.0.6:8080"));
    assert_eq!(p.service_name(), "llm-generic.internal.static");

    p.set("genericUrl", "https://open.bigmodel.cn/api/paas/v4")
        .unwrap();
    let err = p.validate().unwrap_err().to_string();
    assert!(err.contains("must end in /v1"), "{err}");
    p.set("genericUrl", "https://user:pw@llm.example.com/v1")
        .unwrap();
    assert!(p.validate().is_err(), "credentials in the URL are refused");
}

#[test]
fn a_vllm_url_without_a_path_gets_v1() {
    let mut p = ProviderConfig::new(find("vllm").unwrap());
    p.set("vllmCustomUrl", "http://10.0.0.5:8000").unwrap();
    assert_eq!(p.get("vllmCustomUrl"), Some("http://10.0.0.5:8000/v1"));
    p.set(
        "vllmCustomUrl",
        "http://10.0.0.5:8000/custom/chat/completions",
    )
    .unwrap();
    assert_eq!(
        p.get("vllmCustomUrl"),
        Some("http://10.0.0.5:8000/custom/chat/completions")
    );
    p.validate().unwrap();
    assert_eq!(p.endpoint().domain, "10.0.0.5");
    assert_eq!(p.endpoint().port, 8000);
}

#[test]
fn providers_that_take_no_key_refuse_one() {
    let mut ollama = with_key("ollama");
    ollama.set("ollamaServerHost", "192.168.1.10").unwrap();
    assert!(matches!(
        ollama.validate(),
        Err(ProviderError::KeyNotTaken { .. })
    ));
    ollama.keys.clear();
    ollama.validate().unwrap();
    assert!(ollama.entry_tokens().is_empty());

    let mut triton = ProviderConfig::new(find("triton").unwrap());
    triton.set("tritonUrl", "http://10.0.0.7:8000").unwrap();
    triton.validate().unwrap();
    // The plugin refuses a Triton entry without a token, and sends none.
    assert_eq!(triton.entry_tokens().len(), 1);
    triton.set("tritonUrl", "http://10.0.0.7:8000/v2").unwrap();
    assert!(triton.validate().is_err(), "the plugin builds the path");
}

#[test]
fn deepl_follows_the_plan_of_its_keys() {
    let mut p = ProviderConfig::new(find("deepl").unwrap());
    p.set("targetLang", "ZH").unwrap();
    p.keys = parse_keys("k1:fx,k2:fx");
    p.validate().unwrap();
    assert_eq!(p.endpoint().domain, "api-free.deepl.com");
    p.keys = parse_keys("k1:fx,pro");
    assert!(p.validate().unwrap_err().to_string().contains("one plan"));
    p.keys = parse_keys("pro");
    assert_eq!(p.endpoint().domain, "api.deepl.com");
    p.models = Some("Free".into());
    assert!(p.validate().unwrap_err().to_string().contains("\"Pro\""));
}

#[test]
fn bedrock_has_a_second_route_for_messages() {
    let mut p = with_key("bedrock");
    p.set("awsRegion", "eu-west-1").unwrap();
    let sides = p.side_routes();
    assert_eq!(sides.len(), 1);
    assert_eq!(sides[0].key, "bedrock.messages");
    assert_eq!(sides[0].path, "/v1/messages");
    assert_eq!(sides[0].service_name(), "llm-bedrock-mantle.internal.dns");
    assert_eq!(sides[0].endpoint.domain, "bedrock-mantle.eu-west-1.api.aws");
    assert!(with_key("openai").side_routes().is_empty());
}

#[test]
fn fixed_fields_are_written_for_the_real_api() {
    let fields: Vec<&str> = with_key("fireworks")
        .rendered_settings()
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(fields, ["basePath", "basePathHandling"]);
    let github = with_key("github");
    assert_eq!(github.spec.ai_proxy_type, "openai");
    assert_eq!(github.endpoint().domain, "models.github.ai");
}

#[test]
fn upstream_placeholders_are_told_from_configured_entries() {
    let entry = |yaml: &str| -> crate::gateway::resources::ProviderEntry {
        crate::yaml::from_str(yaml).unwrap()
    };
    assert!(is_placeholder_entry(&entry(
        "id: deepseek\ntype: deepseek\napiTokens: [YOUR_DEEPSEEK_API_KEY]\n"
    )));
    assert!(!is_placeholder_entry(&entry(
        "id: deepseek\ntype: deepseek\napiTokens: [sk-1]\n"
    )));
    // Upstream gives every Ollama the placeholder token; its host tells.
    assert!(is_placeholder_entry(&entry(
        "id: ollama\ntype: ollama\napiTokens: [YOUR_OLLAMA_API_KEY]\nollamaServerHost: YOUR_OLLAMA_SERVER_HOST\n"
    )));
    assert!(!is_placeholder_entry(&entry(
        "id: ollama\ntype: ollama\napiTokens: [YOUR_OLLAMA_API_KEY]\nollamaServerHost: 10.0.0.1\n"
    )));
}
