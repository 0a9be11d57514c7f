//! The CLI as a user meets it: help, usage errors, and `init` writing the data folder.

mod support;

use predicates::prelude::*;
use serde_json::Value;
use support::{bin, read_yaml};

fn ai_proxy(data: &std::path::Path) -> String {
    std::fs::read_to_string(data.join("wasmplugins/ai-proxy.internal.yaml")).unwrap()
}

#[test]
fn help_lists_commands_and_examples() {
    let home = tempfile::tempdir().unwrap();
    bin(home.path())
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("start").and(predicate::str::contains("Examples:")));
    // Every command and subcommand shows examples in its help.
    let root = <higress_claw::cli::Cli as clap::CommandFactory>::command();
    let mut paths: Vec<Vec<String>> = Vec::new();
    for cmd in root.get_subcommands() {
        paths.push(vec![cmd.get_name().to_string()]);
        for sub in cmd.get_subcommands() {
            paths.push(vec![cmd.get_name().to_string(), sub.get_name().to_string()]);
        }
    }
    assert!(paths.len() > 22, "{paths:?}");
    for path in paths {
        bin(home.path())
            .args(&path)
            .arg("--help")
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
    bin(home.path())
        .args(["start", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--togetherai-key"))
        .stdout(predicate::str::contains("--bedrock-access-key"))
        .stdout(predicate::str::contains("--vertex-auth-key-file"))
        .stdout(predicate::str::contains("--claude-code-key"));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    bin(home.path())
        .args(["init", "--zhipu-key", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--zhipuai-key"));
}

#[test]
fn init_without_a_provider_says_how() {
    let home = tempfile::tempdir().unwrap();
    for flag in ["--non-interactive", "--batch"] {
        bin(home.path())
            .args(["init", flag])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--zhipuai-key KEY"));
    }
    assert!(
        !home.path().join(".higress-claw").exists(),
        "nothing written"
    );
}

#[test]
fn init_writes_the_default_folder_and_refuses_to_overwrite() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join(".higress-claw/data");
    let out = bin(home.path())
        .args([
            "init",
            "--json",
            "--deepseek-key",
            "sk-deepseek-abcdef-1234",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["providers"][0]["id"], "deepseek");
    assert_eq!(report["providers"][0]["keys"][0], "sk-d…1234");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("sk-deepseek-abcdef-1234"));
    assert!(ai_proxy(&data).contains("sk-deepseek-abcdef-1234"));
    assert!(data.join(".ai-gateway-configured").exists());
    assert!(
        !std::fs::read_to_string(data.join("default.cfg"))
            .unwrap()
            .contains("sk-deepseek")
    );

    bin(home.path())
        .args(["init", "--openai-key", "sk-o"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("config add").and(predicate::str::contains("--force")));
    assert!(
        !ai_proxy(&data).contains("openai"),
        "refused init changed the folder"
    );

    bin(home.path())
        .args(["init", "--force", "--openai-key", "sk-o"])
        .assert()
        .success();
    let proxy = ai_proxy(&data);
    assert!(
        proxy.contains("id: openai") && !proxy.contains("deepseek"),
        "{proxy}"
    );
    assert!(
        !data
            .join("ingresses/ai-route-deepseek.internal.yaml")
            .exists()
    );
    assert!(!data.join("configmaps/ai-route-deepseek.yaml").exists());
}

/// The key file is readable by its owner only; other local users cannot spend the keys.
#[cfg(unix)]
#[test]
fn the_key_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let data = support::init_folder(home.path(), &["--deepseek-key", "k"]);
    let mode = |p: &str| {
        std::fs::metadata(data.join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("wasmplugins/ai-proxy.internal.yaml"), 0o600);
    assert_eq!(mode("mcpbridges/default.yaml"), 0o644);
    // A mode someone chose is kept across edits.
    std::fs::set_permissions(
        data.join("wasmplugins/ai-proxy.internal.yaml"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    support::on_folder(
        home.path(),
        &data,
        &["config", "add", "--provider", "openai", "--key", "k2"],
    )
    .assert()
    .success();
    assert_eq!(mode("wasmplugins/ai-proxy.internal.yaml"), 0o640);
}

/// A folder with someone's own files is not made into a gateway folder.
#[test]
fn init_refuses_a_folder_with_other_files() {
    let home = tempfile::tempdir().unwrap();
    let project = home.path().join("project");
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(project.join("notes.txt"), "mine").unwrap();
    support::on_folder(home.path(), &project, &["init", "--deepseek-key", "k"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "already holds other files (notes.txt, src)",
        ));
    let mut names: Vec<String> = std::fs::read_dir(&project)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["notes.txt", "src"], "something was written");
    // An empty folder, or one get-ai-gateway.sh left (default.cfg), is fine.
    let upstream = home.path().join("higress");
    std::fs::create_dir_all(upstream.join("logs")).unwrap();
    std::fs::write(upstream.join("default.cfg"), "MODE=full\n").unwrap();
    support::on_folder(home.path(), &upstream, &["init", "--deepseek-key", "k"])
        .assert()
        .success();
}

#[test]
fn missing_companion_settings_are_named_and_nothing_is_written() {
    let home = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--azure-key", "k"], "--azure-service-url"),
        (&["--bedrock-key", "k"], "--bedrock-region"),
        (
            &[
                "--bedrock-access-key",
                "ak",
                "--bedrock-region",
                "us-east-1",
            ],
            "--bedrock-secret-key",
        ),
        (&["--vertex-auth-service-name", "svc"], "--vertex-key"),
        (&["--cloudflare-key", "k"], "--cloudflare-account-id"),
        (&["--deepl-key", "k"], "--deepl-target-lang"),
        (&["--ollama-port", "11434"], "--ollama-host"),
        (&["--spark-key", "nocolon"], "APIKey:APISecret"),
        (
            &["--hunyuan-auth-id", "short", "--hunyuan-auth-key", "x"],
            "36-character",
        ),
        (&["--openai-models", "gpt-*"], "--openai-key"),
        (&["--deepseek-key", ""], "empty"),
        (
            &[
                "--azure-key",
                "k",
                "--azure-service-url",
                "https://a.openai.azure.com/x?api-version=2024-06-01",
                "--openai-key",
                "k",
            ],
            "--openai-models",
        ),
        (
            &[
                "--azure-key",
                "k",
                "--azure-service-url",
                "https://a.openai.azure.com/openai/deployments/d/chat/completions",
            ],
            "needs its api-version query",
        ),
        (
            &["--dify-key", "k", "--dify-bot-type", "Workflow"],
            "a Dify Workflow needs inputVariable (Workflow input variable)\n  hint: pass --dify-input-variable VALUE",
        ),
        (
            &["--dify-key", "k", "--dify-bot-type", "chatbot"],
            "botType must be one of Chat, Completion, Agent, Workflow",
        ),
        (
            &["--minimax-key", "k", "--minimax-api-type", "pro"],
            "the Minimax pro API needs minimaxGroupId",
        ),
        (
            &["--bedrock-key", "k", "--bedrock-region", "us east"],
            "awsRegion must be a host name",
        ),
        (
            &["--zhipuai-key", "k", "--zhipuai-code-plan-mode=maybe"],
            "true or false",
        ),
        (
            &["--openai-key", "k", "--openai-models", "gpt-(*"],
            "invalid regular expression",
        ),
        (
            &["--ollama-host", "10.0.0.1", "--ollama-key", "k"],
            "Ollama takes no API key: the plugin sends none to it\n  hint: leave out --ollama-key",
        ),
        (
            &["--triton-url", "http://10.0.0.7:8000", "--triton-key", "k"],
            "hint: leave out --triton-key",
        ),
        (&["--triton-models", "ensemble"], "add --triton-url VALUE"),
        (&["--vllm-key", "k"], "--vllm-url"),
        (
            &["--vllm-url", "ftp://10.0.0.5/v1"],
            "must be an http(s) URL",
        ),
        (
            &["--generic-url", "https://open.bigmodel.cn/api/paas/v4"],
            "must end in /v1",
        ),
        (
            &[
                "--generic-url",
                "http://10.0.0.6/v1",
                "--generic-first-byte-timeout",
                "soon",
            ],
            "whole number of milliseconds",
        ),
        (
            &["--triton-url", "http://10.0.0.7:8000/v2"],
            "must have no path",
        ),
        (&["--coze-models", "coze*"], "--coze-key"),
        (&["--longcat-models", "LongCat-*"], "--longcat-key"),
        (
            &["--deepl-key", "a:fx,b", "--deepl-target-lang", "ZH"],
            "give keys of one plan",
        ),
    ];
    for (flags, expected) in cases {
        let data = home.path().join("data");
        bin(home.path())
            .args(["init", "--data-dir"])
            .arg(&data)
            .args(*flags)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*expected));
        assert!(!data.exists(), "{flags:?} wrote the folder");
    }
}

#[test]
fn keys_come_from_environment_variables() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    bin(home.path())
        .env("HIGRESS_CLAW_DEEPSEEK_KEY", "sk-from-env-0001")
        .env("HIGRESS_CLAW_CLAUDE_CODE_KEY", "oauth-token-0002")
        .args(["init", "--data-dir"])
        .arg(&data)
        .assert()
        .success();
    let proxy = read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
    let providers = proxy["spec"]["defaultConfig"]["providers"]
        .as_sequence()
        .unwrap();
    let claude = providers.iter().find(|p| p["id"] == "claude").unwrap();
    assert_eq!(claude["apiTokens"][0].as_str(), Some("oauth-token-0002"));
    assert_eq!(claude["claudeCodeMode"].as_bool(), Some(true));
    assert_eq!(claude["claudeVersion"].as_str(), Some("2023-06-01"));
    let deepseek = providers.iter().find(|p| p["id"] == "deepseek").unwrap();
    assert_eq!(deepseek["apiTokens"][0].as_str(), Some("sk-from-env-0001"));
}

#[test]
fn region_decides_the_zhipu_domain() {
    let home = tempfile::tempdir().unwrap();
    let intl = home.path().join("intl");
    bin(home.path())
        .env("TZ", "Europe/Berlin")
        .args(["init", "--zhipuai-key", "k", "--data-dir"])
        .arg(&intl)
        .assert()
        .success()
        .stderr(predicate::str::contains("api.z.ai"));
    let proxy = ai_proxy(&intl);
    assert!(
        proxy.contains("zhipuDomain: api.z.ai") && proxy.contains("zhipuCodePlanMode: true"),
        "{proxy}"
    );
    let bridge = std::fs::read_to_string(intl.join("mcpbridges/default.yaml")).unwrap();
    assert!(
        bridge.contains("domain: api.z.ai"),
        "registry follows the domain: {bridge}"
    );

    let china = home.path().join("china");
    bin(home.path())
        .env("TZ", "Asia/Chongqing")
        .args([
            "init",
            "--zhipuai-key",
            "k",
            "--zhipuai-code-plan-mode=false",
            "--data-dir",
        ])
        .arg(&china)
        .assert()
        .success();
    let proxy = ai_proxy(&china);
    assert!(
        !proxy.contains("zhipuDomain") && !proxy.contains("zhipuCodePlanMode"),
        "{proxy}"
    );
    let bridge = std::fs::read_to_string(china.join("mcpbridges/default.yaml")).unwrap();
    assert!(bridge.contains("domain: open.bigmodel.cn"), "{bridge}");
}

#[test]
fn providers_the_template_drops_are_written() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let key_file = home.path().join("sa.json");
    std::fs::write(
        &key_file,
        "{\n  \"type\": \"service_account\",\n  \"client_email\": \"svc@proj.iam.gserviceaccount.com\",\n  \"token_uri\": \"https://oauth2.googleapis.com/token\",\n  \"private_key\": \"-----BEGIN-----\\nabc\\n\"\n}\n",
    )
    .unwrap();
    bin(home.path())
        .args(["init", "--data-dir"])
        .arg(&data)
        .args([
            "--bedrock-access-key",
            "AKIA0001",
            "--bedrock-secret-key",
            "secret0002",
            "--bedrock-region",
            "eu-west-1",
            "--bedrock-models",
            "anthropic.*",
        ])
        .args(["--vertex-auth-key-file"])
        .arg(&key_file)
        .args([
            "--vertex-auth-service-name",
            "svc",
            "--vertex-project-id",
            "proj",
            "--vertex-region",
            "europe-west4",
        ])
        .args(["--cloudflare-key", "cf", "--cloudflare-account-id", "acc"])
        .args([
            "--deepl-key",
            "dl",
            "--deepl-target-lang",
            "ZH",
            "--deepl-models",
            "Pro",
        ])
        .args(["--spark-key", "key:secret", "--spark-models", "generalv3.5"])
        .args([
            "--hunyuan-auth-id",
            &"i".repeat(36),
            "--hunyuan-auth-key",
            &"k".repeat(32),
        ])
        .args([
            "--togetherai-key",
            "tg",
            "--togetherai-models",
            "meta-llama/*",
        ])
        .args(["--ollama-host", "192.168.1.10"])
        .args(["--cloudflare-models", "@cf/*"])
        .assert()
        .success();
    let proxy = read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
    let providers = proxy["spec"]["defaultConfig"]["providers"]
        .as_sequence()
        .unwrap();
    let ids: Vec<&str> = providers
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "bedrock",
            "vertex",
            "cloudflare",
            "deepl",
            "ollama",
            "spark",
            "hunyuan",
            "togetherai"
        ]
    );
    let by_id = |id: &str| providers.iter().find(|p| p["id"] == id).unwrap();
    assert!(
        by_id("bedrock")["apiTokens"].is_null(),
        "AK/SK mode has no bearer token"
    );
    assert_eq!(by_id("bedrock")["awsRegion"].as_str(), Some("eu-west-1"));
    assert_eq!(by_id("togetherai")["type"].as_str(), Some("together-ai"));
    let sa: Value =
        serde_json::from_str(by_id("vertex")["vertexAuthKey"].as_str().unwrap()).unwrap();
    assert_eq!(
        sa["private_key"], "-----BEGIN-----\nabc\n",
        "service-account JSON kept intact"
    );
    assert_eq!(by_id("ollama")["ollamaServerPort"].as_u64(), Some(11434));
    let bridge = std::fs::read_to_string(data.join("mcpbridges/default.yaml")).unwrap();
    assert!(
        bridge.contains("domain: bedrock-runtime.eu-west-1.amazonaws.com"),
        "{bridge}"
    );
    assert!(
        bridge.contains("domain: europe-west4-aiplatform.googleapis.com"),
        "{bridge}"
    );
    assert!(
        bridge.contains("domain: hunyuan.tencentcloudapi.com"),
        "{bridge}"
    );
    assert!(bridge.contains("domain: 192.168.1.10:11434"), "{bridge}");
    let ingress =
        std::fs::read_to_string(data.join("ingresses/ai-route-ollama.internal.yaml")).unwrap();
    assert!(
        ingress.contains("llm-ollama.internal.static:80"),
        "{ingress}"
    );
}

#[test]
fn a_file_as_data_folder_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    bin(home.path())
        .args(["init", "--deepseek-key", "k", "--data-dir"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is a file"));
}

#[test]
fn keys_are_stored_byte_exact() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let key = "sk-'quote\" #hash: colon ünï 🚀 on";
    bin(home.path())
        .args(["init", "--deepseek-key", key, "--data-dir"])
        .arg(&data)
        .assert()
        .success();
    let proxy = read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
    assert_eq!(
        proxy["spec"]["defaultConfig"]["providers"][0]["apiTokens"][0].as_str(),
        Some(key)
    );
    let yes = home.path().join("yes");
    bin(home.path())
        .args(["init", "--deepseek-key", "yes", "--data-dir"])
        .arg(&yes)
        .assert()
        .success();
    assert!(
        ai_proxy(&yes).contains("- 'yes'"),
        "YAML 1.1 bool lookalike is quoted"
    );
}

#[test]
fn completions_cover_commands_and_provider_flags() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        bin(home.path())
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("zhipuai-key").and(predicate::str::contains("route")));
    }
    bin(home.path())
        .args(["completions", "tcsh"])
        .assert()
        .code(2);
    // A reader that is already gone (`completions bash | head -1`, head done) is not an
    // error, and never a panic.
    for args in [
        &["completions", "bash"][..],
        &["--help"],
        &["models", "--help"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("higress-claw"))
            .args(args)
            .env("HOME", home.path())
            .stdout(writer)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn quiet_and_verbose() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let out = bin(home.path())
        .args(["init", "-q", "--deepseek-key", "k", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "-q printed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    bin(home.path())
        .args([
            "config",
            "add",
            "-v",
            "--provider",
            "kimi",
            "--key",
            "k2",
            "--data-dir",
        ])
        .arg(&data)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "wrote ingresses/ai-route-moonshot.internal.yaml",
        ));
    // Errors are printed even with -q.
    bin(home.path())
        .args([
            "config",
            "remove",
            "-q",
            "--provider",
            "openai",
            "--data-dir",
        ])
        .arg(&data)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not configured"));
    bin(home.path())
        .args(["status", "-q", "-v"])
        .assert()
        .code(2);
}

/// Inputs get-ai-gateway.sh accepts are accepted with the same meaning: two Azure keys
/// (Azure gives every resource two; the plugin rotates them), and a default model
/// without --auto-routing (ignored, as upstream does, but said).
#[test]
fn upstream_inputs_keep_their_meaning() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    support::on_folder(
        home.path(),
        &data,
        &[
            "init",
            "--azure-key",
            "az-key-1,az-key-2",
            "--azure-service-url",
            "https://me.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01",
            "--auto-routing-default-model",
            "gpt-4o",
        ],
    )
    .assert()
    .success()
    .stderr(predicate::str::contains(
        "Ignored --auto-routing-default-model gpt-4o",
    ));
    let proxy = support::read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
    let tokens = &proxy["spec"]["defaultConfig"]["providers"][0]["apiTokens"];
    assert_eq!(
        tokens.as_sequence().unwrap().len(),
        2,
        "both Azure keys: {tokens:?}"
    );
    let router =
        std::fs::read_to_string(data.join("wasmplugins/model-router.internal.yaml")).unwrap();
    assert!(!router.contains("enable: true"), "{router}");
}

/// Settings the ai-proxy plugin needs to work: Dify's bot type (Chat unless said, in the
/// plugin's spelling whatever case was typed), and domain overrides that move the
/// registry along (Qwen international, Doubao).
#[test]
fn plugin_settings_are_written_so_the_plugin_works() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    support::on_folder(
        home.path(),
        &data,
        &[
            "init",
            "-q",
            "--dify-key",
            "dk",
            "--dify-models",
            "dify",
            "--doubao-key",
            "db",
            "--doubao-domain",
            "ark.ap-southeast.bytepluses.com",
            "--dashscope-key",
            "qk",
        ],
    )
    .assert()
    .success();
    let entry = |id: &str| {
        let proxy = support::read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
        proxy["spec"]["defaultConfig"]["providers"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|p| p["id"].as_str() == Some(id))
            .cloned()
            .unwrap()
    };
    let registry = |id: &str| {
        let bridge = support::read_yaml(&data.join("mcpbridges/default.yaml"));
        bridge["spec"]["registries"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|r| r["name"].as_str() == Some(&format!("llm-{id}.internal")))
            .map(|r| r["domain"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(entry("dify")["botType"].as_str(), Some("Chat"));
    assert_eq!(registry("doubao"), "ark.ap-southeast.bytepluses.com");
    assert_eq!(
        entry("doubao")["doubaoDomain"].as_str(),
        Some("ark.ap-southeast.bytepluses.com")
    );
    assert_eq!(registry("aliyun"), "dashscope.aliyuncs.com");
    assert!(
        entry("aliyun")["qwenDomain"].is_null(),
        "no default written"
    );
    for args in [
        &[
            "config",
            "add",
            "--provider",
            "qwen",
            "--extra-config",
            "qwenDomain=dashscope-intl.aliyuncs.com",
        ][..],
        &[
            "config",
            "add",
            "--provider",
            "dify",
            "--extra-config",
            "botType=completion",
        ],
    ] {
        support::on_folder(home.path(), &data, args)
            .assert()
            .success();
    }
    assert_eq!(registry("aliyun"), "dashscope-intl.aliyuncs.com");
    assert_eq!(entry("dify")["botType"].as_str(), Some("Completion"));
}

/// The provider types upstream's installer does not know, by flag: each entry is what
/// the ai-proxy plugin reads (tests/plugins.rs runs it), with a registry for the
/// request's authority; `config add` takes them with the same checks.
#[test]
fn new_provider_types_are_written_from_their_flags() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    support::on_folder(
        home.path(),
        &data,
        &[
            "init",
            "-q",
            "--vllm-url",
            "http://10.0.0.5:8000",
            "--vllm-models",
            "Qwen/*",
            "--generic-url",
            "https://llm.example.com/openai/v1",
            "--generic-key",
            "gk",
            "--generic-first-byte-timeout",
            "30000",
            "--generic-models",
            "corp/*",
            "--triton-url",
            "http://triton.internal:8000",
            "--triton-model-version",
            "2",
            "--triton-models",
            "ensemble",
            "--coze-key",
            "pat_x",
            "--longcat-key",
            "lk",
        ],
    )
    .assert()
    .success();
    let proxy = read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
    let by_id = |id: &str| {
        proxy["spec"]["defaultConfig"]["providers"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
            .unwrap()
    };
    let vllm = by_id("vllm");
    assert_eq!(vllm["type"].as_str(), Some("vllm"));
    assert_eq!(
        vllm["vllmCustomUrl"].as_str(),
        Some("http://10.0.0.5:8000/v1"),
        "a URL without a path gets vLLM's /v1"
    );
    assert!(vllm["apiTokens"].is_null(), "no key, none written");
    let generic = by_id("generic");
    assert_eq!(generic["genericHost"].as_str(), Some("llm.example.com"));
    assert_eq!(generic["basePath"].as_str(), Some("/openai"));
    assert_eq!(generic["basePathHandling"].as_str(), Some("prepend"));
    assert_eq!(generic["firstByteTimeout"].as_u64(), Some(30000));
    assert!(generic["genericUrl"].is_null(), "the plugin reads no URL");
    let triton = by_id("triton");
    assert_eq!(
        triton["tritonDomain"].as_str(),
        Some("triton.internal:8000")
    );
    assert_eq!(triton["tritonModelVersion"].as_str(), Some("2"));
    assert_eq!(
        triton["apiTokens"].as_sequence().map(Vec::len),
        Some(1),
        "the plugin refuses Triton without a token, and sends none"
    );
    assert_eq!(by_id("coze")["type"].as_str(), Some("coze"));
    assert_eq!(by_id("longcat")["basePath"].as_str(), Some("/openai"));
    let bridge = std::fs::read_to_string(data.join("mcpbridges/default.yaml")).unwrap();
    for domain in [
        "domain: 10.0.0.5:8000",
        "domain: llm.example.com",
        "domain: triton.internal",
        "domain: api.coze.cn",
        "domain: api.longcat.chat",
    ] {
        assert!(bridge.contains(domain), "{domain}: {bridge}");
    }

    // config add edits them in place: a new URL moves host, path and registry.
    support::on_folder(
        home.path(),
        &data,
        &[
            "config",
            "add",
            "--provider",
            "openai-compatible",
            "--extra-config",
            "genericUrl=http://10.0.0.6:8080/v1",
        ],
    )
    .assert()
    .success();
    let proxy = read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
    let generic = proxy["spec"]["defaultConfig"]["providers"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "generic")
        .cloned()
        .unwrap();
    assert_eq!(generic["genericHost"].as_str(), Some("10.0.0.6:8080"));
    assert!(
        generic["basePath"].is_null(),
        "under /v1 itself: no basePath"
    );
    assert_eq!(generic["firstByteTimeout"].as_u64(), Some(30000), "kept");
    assert_eq!(generic["apiTokens"][0].as_str(), Some("gk"), "kept");
    let bridge = std::fs::read_to_string(data.join("mcpbridges/default.yaml")).unwrap();
    assert!(bridge.contains("domain: 10.0.0.6:8080"), "{bridge}");
    for (args, expected) in [
        (
            &["config", "add", "--provider", "ollama", "--key", "k"][..],
            "hint: leave out --key",
        ),
        (
            &[
                "config",
                "add",
                "--provider",
                "triton",
                "--extra-config",
                "tritonUrl=ftp://x",
            ],
            "must be an http(s) URL",
        ),
        (
            &["config", "add", "--provider", "triton", "--key", "k"],
            "NVIDIA Triton takes no API key",
        ),
    ] {
        support::on_folder(home.path(), &data, args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
    }
}

/// With --json, stdout holds one document whatever happens: a failure is
/// `{"error": {message, causes, hint, exit_code}}`, and the exit code agrees with it.
#[test]
fn json_failures_are_documents_too() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    for (args, code, says) in [
        (&["init", "--json"][..], 2, "no provider given"),
        (
            &["init", "--json", "--bogus"],
            2,
            "unexpected argument '--bogus'",
        ),
        (
            &[
                "config",
                "list",
                "--json",
                "--data-dir",
                file.to_str().unwrap(),
            ],
            1,
            "is a file, not a folder",
        ),
        (
            &["route", "remove", "--rule-id", "x", "--json"],
            2,
            "invalid value 'x'",
        ),
    ] {
        let out = bin(home.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e})"));
        assert_eq!(doc["error"]["exit_code"], code, "{doc}");
        assert!(
            doc["error"]["message"].as_str().unwrap().contains(says),
            "{args:?}: {doc}"
        );
        // The person at the terminal still reads it on stderr.
        assert!(String::from_utf8_lossy(&out.stderr).contains(says));
        assert!(doc["error"].get("hint").is_some(), "{doc}");
    }
    // Without --json, stdout stays empty on failure.
    let out = bin(home.path()).args(["init"]).output().unwrap();
    assert!(out.stdout.is_empty());
}

/// Vertex with a service-account key exchanges it for tokens at Google's OAuth2 host
/// through a gateway service the plugin names with `vertexAuthServiceName`: that service
/// is written with the provider (default name), renamed with it, and removed with it or
/// when the provider switches to an express-mode key.
#[test]
fn vertex_service_account_mode_gets_its_token_service() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let key_file = home.path().join("sa.json");
    std::fs::write(
        &key_file,
        r#"{"type":"service_account","client_email":"a@p.iam.gserviceaccount.com","token_uri":"https://oauth2.googleapis.com/token","private_key":"k"}"#,
    )
    .unwrap();
    let service_account = [
        "--vertex-auth-key-file",
        key_file.to_str().unwrap(),
        "--vertex-project-id",
        "proj",
        "--vertex-region",
        "us-central1",
    ];
    let vertex_entry = || {
        let proxy = read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
        proxy["spec"]["defaultConfig"]["providers"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|p| p["id"] == "vertex")
            .cloned()
    };
    let registry = |name: &str| {
        let bridge = read_yaml(&data.join("mcpbridges/default.yaml"));
        bridge["spec"]["registries"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|r| r["name"].as_str() == Some(name))
            .cloned()
    };
    support::on_folder(
        home.path(),
        &data,
        &[
            &["init", "-q", "--deepseek-key", "dk"],
            &service_account[..],
        ]
        .concat(),
    )
    .assert()
    .success();
    assert_eq!(
        vertex_entry().unwrap()["vertexAuthServiceName"].as_str(),
        Some("vertex-oauth2")
    );
    let service = registry("vertex-oauth2").expect("the token service is written");
    assert_eq!(
        (
            service["type"].as_str(),
            service["domain"].as_str(),
            service["port"].as_u64(),
            service["protocol"].as_str()
        ),
        (
            Some("dns"),
            Some("oauth2.googleapis.com"),
            Some(443),
            Some("https")
        )
    );
    // Renamed: the old service goes, the new one comes.
    support::on_folder(
        home.path(),
        &data,
        &[
            "config",
            "add",
            "--provider",
            "vertex",
            "--extra-config",
            "vertexAuthServiceName=google-token",
        ],
    )
    .assert()
    .success();
    assert!(registry("vertex-oauth2").is_none() && registry("google-token").is_some());
    // Express mode (a key) needs no token service.
    support::on_folder(
        home.path(),
        &data,
        &[
            "config",
            "add",
            "--provider",
            "vertex",
            "--key",
            "vx-express-key",
        ],
    )
    .assert()
    .success();
    assert!(registry("google-token").is_none());
    assert!(vertex_entry().unwrap()["vertexAuthServiceName"].is_null());
    assert!(registry("llm-vertex.internal").is_some());
    // Removed with the provider when it is in service-account mode again.
    support::on_folder(
        home.path(),
        &data,
        &[&["init", "-q", "--force"], &service_account[..]].concat(),
    )
    .assert()
    .success();
    assert!(registry("vertex-oauth2").is_some());
    // It goes to Kubernetes along with the provider.
    let out = support::on_folder(home.path(), &data, &["export"])
        .output()
        .unwrap();
    let yaml = String::from_utf8_lossy(&out.stdout);
    assert!(
        yaml.contains("name: vertex-oauth2") && yaml.contains("domain: oauth2.googleapis.com"),
        "{yaml}"
    );
    support::on_folder(
        home.path(),
        &data,
        &["config", "remove", "--provider", "vertex"],
    )
    .assert()
    .success();
    assert!(
        registry("vertex-oauth2").is_none(),
        "removed with its provider"
    );
}

/// The fix comes as a hint in the command's own terms: `init` names the provider flag,
/// `config add` the `--extra-config` form of the same setting.
#[test]
fn hints_name_the_flag_of_the_command_that_was_run() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let out = bin(home.path())
        .args(["init", "--json", "--data-dir"])
        .arg(&data)
        .args(["--azure-key", "k"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["error"]["hint"], "pass --azure-service-url VALUE",
        "{doc}"
    );
    bin(home.path())
        .args(["init", "--data-dir"])
        .arg(&data)
        .args(["--deepseek-key", "k"])
        .assert()
        .success();
    let out = bin(home.path())
        .args(["config", "add", "--json", "--data-dir"])
        .arg(&data)
        .args(["--provider", "azure", "--key", "k"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["error"]["hint"], "pass --extra-config azureServiceUrl=VALUE",
        "{doc}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("\n  hint: pass --extra-config azureServiceUrl=VALUE"),
        "the hint is on its own line"
    );
}
