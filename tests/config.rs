//! `config add|list|remove` on a data folder: exact, safe in parallel, untouched on error.

mod support;

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;
use support::snapshot;
use support::{bin, init_folder, on_folder, read_yaml};

fn folder(home: &Path) -> PathBuf {
    init_folder(home, &["--deepseek-key", "sk-deepseek-0001"])
}

/// `higress-claw config ARGS --data-dir DATA` in the test's HOME.
fn config(home: &Path, data: &Path, args: &[&str]) -> assert_cmd::Command {
    on_folder(home, data, &[&["config"], args].concat())
}

fn providers(data: &Path) -> Vec<String> {
    let proxy = read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
    proxy["spec"]["defaultConfig"]["providers"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn add_update_list_remove() {
    let home = tempfile::tempdir().unwrap();
    let data = folder(home.path());
    config(
        home.path(),
        &data,
        &["add", "--provider", "kimi", "--key", "sk-moon-aaaa-0002"],
    )
    .assert()
    .success()
    .stderr(predicate::str::contains("Added Moonshot"));
    assert!(
        data.join("ingresses/ai-route-moonshot.internal.yaml")
            .exists()
    );
    assert!(data.join("configmaps/ai-route-moonshot.yaml").exists());
    let bridge = std::fs::read_to_string(data.join("mcpbridges/default.yaml")).unwrap();
    assert!(bridge.contains("llm-moonshot.internal"));

    config(
        home.path(),
        &data,
        &["add", "--provider", "deepseek", "--key", "sk-deepseek-9999"],
    )
    .assert()
    .success()
    .stderr(predicate::str::contains("sk-d…0001 → sk-d…9999"));

    // The z.ai domain switch of the seed: the registry follows.
    config(
        home.path(),
        &data,
        &[
            "add",
            "--provider",
            "zhipu",
            "--key",
            "zk-0003",
            "--extra-config",
            "zhipuDomain=api.z.ai",
        ],
    )
    .assert()
    .success();
    config(
        home.path(),
        &data,
        &[
            "add",
            "--provider",
            "zhipuai",
            "--extra-config",
            "zhipuDomain=open.bigmodel.cn",
        ],
    )
    .assert()
    .success();
    let bridge = std::fs::read_to_string(data.join("mcpbridges/default.yaml")).unwrap();
    assert!(
        bridge.contains("domain: open.bigmodel.cn") && !bridge.contains("api.z.ai"),
        "{bridge}"
    );

    let out = config(home.path(), &data, &["list", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = list["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["deepseek", "moonshot", "zhipuai"]);
    assert_eq!(list["providers"][0]["keys"][0], "sk-d…9999");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("sk-deepseek-9999"));

    config(home.path(), &data, &["remove", "--provider", "moonshot"])
        .assert()
        .success();
    assert_eq!(providers(&data), ["deepseek", "zhipuai"]);
    assert!(
        !data
            .join("ingresses/ai-route-moonshot.internal.yaml")
            .exists()
    );
    assert!(!data.join("configmaps/ai-route-moonshot.yaml").exists());
    let bridge = std::fs::read_to_string(data.join("mcpbridges/default.yaml")).unwrap();
    assert!(!bridge.contains("llm-moonshot.internal"));
    let proxy = std::fs::read_to_string(data.join("wasmplugins/ai-proxy.internal.yaml")).unwrap();
    assert!(!proxy.contains("activeProviderId: moonshot"));
}

#[test]
fn unknown_fields_survive_an_edit() {
    let home = tempfile::tempdir().unwrap();
    let data = folder(home.path());
    let path = data.join("wasmplugins/ai-proxy.internal.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace(
            "      type: deepseek\n",
            "      type: deepseek\n      timeout: 30000\n      customNote: kept\n",
        )
        .replace(
            "  defaultConfig:\n",
            "  defaultConfig:\n    consoleField: 7\n",
        );
    std::fs::write(&path, text).unwrap();
    let ingress = data.join("ingresses/ai-route-deepseek.internal.yaml");
    let text = std::fs::read_to_string(&ingress).unwrap().replace(
        "    higress.io/ignore-path-case: 'false'\n",
        "    higress.io/ignore-path-case: 'false'\n    example.com/by-hand: yes-please\n",
    );
    std::fs::write(&ingress, text).unwrap();
    config(
        home.path(),
        &data,
        &[
            "add",
            "--provider",
            "deepseek",
            "--key",
            "sk-new-0004",
            "--models",
            "deepseek-chat",
        ],
    )
    .assert()
    .success();
    let proxy = read_yaml(&path);
    let entry = &proxy["spec"]["defaultConfig"]["providers"][0];
    assert_eq!(entry["timeout"].as_u64(), Some(30000));
    assert_eq!(entry["customNote"].as_str(), Some("kept"));
    assert_eq!(entry["apiTokens"][0].as_str(), Some("sk-new-0004"));
    assert_eq!(
        proxy["spec"]["defaultConfig"]["consoleField"].as_u64(),
        Some(7)
    );
    let ing = read_yaml(&ingress);
    assert_eq!(
        ing["metadata"]["annotations"]["example.com/by-hand"].as_str(),
        Some("yes-please")
    );
    assert_eq!(
        ing["metadata"]["annotations"]["higress.io/prefix-match-header-x-higress-llm-model"]
            .as_str(),
        Some("deepseek-chat")
    );
}

#[test]
fn parallel_providers_and_rules_lose_no_update() {
    let home = tempfile::tempdir().unwrap();
    let data = folder(home.path());
    let simple: Vec<&str> = higress_claw::gateway::catalog::PROVIDERS
        .iter()
        .filter(|p| {
            p.key == higress_claw::gateway::catalog::KeyRule::Required
                && !p.settings.iter().any(|s| s.required)
        })
        .filter(|p| p.id != "deepseek" && p.id != "spark")
        .map(|p| p.id)
        .collect();
    assert!(simple.len() >= 20, "{simple:?}");
    // 32 processes at once: every simple provider, and auto-routing rules for the rest.
    let mut commands: Vec<Vec<String>> = simple
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let args = [
                "config",
                "add",
                "-q",
                "--provider",
                id,
                "--key",
                &format!("key-{i:04}-xyz"),
                "--models",
                &format!("model{i}-*"),
            ];
            args.map(String::from).to_vec()
        })
        .collect();
    let rule_models: Vec<String> = (commands.len()..32)
        .map(|i| format!("model{i}-x"))
        .collect();
    for (i, model) in rule_models.iter().enumerate() {
        let args = [
            "route",
            "add",
            "-q",
            "--model",
            model,
            "--trigger",
            &format!("trigger {i}"),
        ];
        commands.push(args.map(String::from).to_vec());
    }
    assert_eq!(commands.len(), 32);
    let threads: Vec<_> = commands
        .into_iter()
        .map(|args| {
            let (home, data) = (home.path().to_path_buf(), data.clone());
            std::thread::spawn(move || {
                bin(&home)
                    .args(&args)
                    .arg("--data-dir")
                    .arg(&data)
                    .assert()
                    .success();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let router = read_yaml(&data.join("wasmplugins/model-router.internal.yaml"));
    let mut got_rules: Vec<String> = router["spec"]["defaultConfig"]["autoRouting"]["rules"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|r| r["model"].as_str().unwrap().to_string())
        .collect();
    got_rules.sort();
    let mut want_rules = rule_models.clone();
    want_rules.sort();
    assert_eq!(got_rules, want_rules, "a rule was lost");
    let mut got = providers(&data);
    got.sort();
    let mut want: Vec<String> = simple
        .iter()
        .map(|s| s.to_string())
        .chain(["deepseek".to_string()])
        .collect();
    want.sort();
    assert_eq!(got, want, "an update was lost");
    for (path, bytes) in snapshot(&data) {
        if path.extension().is_some_and(|e| e == "yaml") {
            higress_claw::yaml::from_str::<higress_claw::yaml::Value>(
                std::str::from_utf8(&bytes).unwrap(),
            )
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
        }
        assert!(
            !path.to_string_lossy().contains(".tmp-"),
            "temp file left: {}",
            path.display()
        );
    }
}

#[test]
fn bad_input_names_the_problem_and_leaves_the_folder_untouched() {
    let home = tempfile::tempdir().unwrap();
    let data = folder(home.path());
    let before = snapshot(&data);
    let cases: &[(&[&str], &str)] = &[
        (
            &["add", "--provider", "deepsek", "--key", "k"],
            "did you mean `deepseek`",
        ),
        (
            &["add", "--provider", "kimmi", "--key", "k"],
            "moonshot (kimi)",
        ),
        (&["add", "--provider", "openai", "--key", ""], "empty"),
        (
            &["add", "--provider", "openai", "--key", "a\nb"],
            "line break",
        ),
        (
            &["add", "--provider", "openai", "--key", "a\rb"],
            "line break",
        ),
        (&["add", "--provider", "openai"], "needs a key"),
        (
            &["add", "--provider", "azure", "--key", "k"],
            "azureServiceUrl",
        ),
        (
            &[
                "add",
                "--provider",
                "zhipuai",
                "--key",
                "k",
                "--extra-config",
                "zhipuDomian=x",
            ],
            "zhipuDomain",
        ),
        (
            &[
                "add",
                "--provider",
                "zhipuai",
                "--key",
                "k",
                "--extra-config",
                "novalue",
            ],
            "KEY=VALUE",
        ),
        (
            &[
                "add",
                "--provider",
                "zhipuai",
                "--key",
                "k",
                "--extra-config",
                "zhipuDomain=https://api.z.ai/v4",
            ],
            "zhipuDomain must be a host name or IPv4 address",
        ),
        (
            &[
                "add",
                "--provider",
                "ollama",
                "--extra-config",
                "ollamaServerHost=my host",
            ],
            "ollamaServerHost must be a host name",
        ),
        (
            &["add", "--provider", "openai", "--key", "k", "--models", ""],
            "for '--models <PATTERN>': is empty",
        ),
        (
            &[
                "add",
                "--provider",
                "openai",
                "--key",
                "k",
                "--models",
                "deepseek-*",
            ],
            "other patterns with --models",
        ),
        (&["remove", "--provider", "openai"], "not configured"),
    ];
    for (args, expected) in cases {
        config(home.path(), &data, args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*expected));
        assert_eq!(snapshot(&data), before, "{args:?} changed the folder");
    }
    // A corrupt file is named with its line, and nothing is written.
    let path = data.join("wasmplugins/ai-proxy.internal.yaml");
    std::fs::write(&path, "apiVersion: v1\nspec: [unclosed\n").unwrap();
    let before = snapshot(&data);
    config(
        home.path(),
        &data,
        &["add", "--provider", "openai", "--key", "k"],
    )
    .assert()
    .code(1)
    .stderr(
        predicate::str::contains("ai-proxy.internal.yaml:")
            .and(predicate::str::contains("cannot parse")),
    );
    assert_eq!(snapshot(&data), before);
    // A key in the wrong shape is named by its field, never quoted, in text or JSON.
    std::fs::write(
        &path,
        "apiVersion: extensions.higress.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: ai-proxy.internal}\nspec:\n  defaultConfig:\n    providers:\n    - id: openai\n      type: openai\n      apiTokens: sk-LEAKED-SECRET-9999\n",
    )
    .unwrap();
    for args in [&["config", "list"][..], &["config", "list", "--json"]] {
        let out = config(home.path(), &data, &args[1..]).output().unwrap();
        let all = [out.stdout, out.stderr].concat();
        let all = String::from_utf8_lossy(&all);
        assert!(!out.status.success(), "{all}");
        assert!(all.contains("expected a sequence"), "{all}");
        assert!(!all.contains("LEAKED"), "the key was printed: {all}");
    }
    let out = on_folder(home.path(), &data, &["doctor", "--json"])
        .output()
        .unwrap();
    let all = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
    assert!(all.contains("expected a sequence"), "{all}");
    assert!(!all.contains("LEAKED"), "doctor printed the key: {all}");
}

#[test]
fn keys_from_stdin_and_environment() {
    let home = tempfile::tempdir().unwrap();
    let data = folder(home.path());
    config(
        home.path(),
        &data,
        &["add", "--provider", "openai", "--key", "-"],
    )
    .write_stdin("sk-'q\"uote #: ünï 🚀\n")
    .assert()
    .success();
    config(home.path(), &data, &["add", "--provider", "xai"])
        // A pasted Windows line end around a key is not part of it (as for init's flags).
        .env("HIGRESS_CLAW_GROK_KEY", "xai-env-0005\r\n")
        .assert()
        .success();
    let proxy = read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
    let list = proxy["spec"]["defaultConfig"]["providers"]
        .as_sequence()
        .unwrap();
    let key = |id: &str| {
        list.iter().find(|p| p["id"] == id).unwrap()["apiTokens"][0]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(key("openai"), "sk-'q\"uote #: ünï 🚀");
    assert_eq!(key("grok"), "xai-env-0005");
}

#[test]
fn a_file_or_an_empty_folder_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("file");
    std::fs::write(&file, "x").unwrap();
    for args in [
        &["config", "list"][..],
        &["route", "add", "--model", "m", "--trigger", "t"],
    ] {
        bin(home.path())
            .args(args)
            .arg("--data-dir")
            .arg(&file)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("is a file, not a folder"));
    }
    let empty = home.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    config(
        home.path(),
        &empty,
        &["add", "--provider", "openai", "--key", "k"],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("not a configured gateway folder"));
    assert_eq!(
        std::fs::read_dir(&empty).unwrap().count(),
        0,
        "nothing written"
    );
}

/// No --data-dir and no Docker engine: the error says the container's folder could not
/// be looked up, not only that the default folder is not configured.
#[test]
fn without_an_engine_the_lookup_failure_is_named() {
    let home = tempfile::tempdir().unwrap();
    bin(home.path())
        .args(["config", "list"])
        .env("DOCKER_HOST", "unix:///nonexistent.sock")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the Docker engine did not answer"))
        .stderr(predicate::str::contains(
            "could not be looked up\n  caused by: ",
        ))
        .stderr(predicate::str::contains(
            "hint: name the folder with --data-dir",
        ));
}

/// Folders written before a provider's rules changed keep working: an Ollama entry
/// with a key (the plugin never sent it) and get-ai-gateway.sh's Ollama, whose every
/// entry carries `YOUR_OLLAMA_API_KEY`, configured or not.
#[test]
fn older_ollama_entries_keep_working() {
    let home = tempfile::tempdir().unwrap();
    let data = init_folder(
        home.path(),
        &["--ollama-host", "10.0.0.1", "--deepseek-key", "sk-ds-0001"],
    );
    let proxy_file = data.join("wasmplugins/ai-proxy.internal.yaml");
    let with_token = |token: &str| {
        let text = std::fs::read_to_string(&proxy_file).unwrap();
        let text = text.replace(
            "    - id: ollama\n      type: ollama\n",
            &format!("    - id: ollama\n      type: ollama\n      apiTokens:\n      - {token}\n"),
        );
        assert!(text.contains(token), "the fixture edit applies: {text}");
        std::fs::write(&proxy_file, text).unwrap();
    };
    for token in ["olk-0001", "YOUR_OLLAMA_API_KEY"] {
        with_token(token);
        let list = config(home.path(), &data, &["list", "--json"])
            .output()
            .unwrap();
        let list: Value = serde_json::from_slice(&list.stdout).unwrap();
        let ids: Vec<&str> = list["providers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"ollama"), "{token}: {list}");
        config(
            home.path(),
            &data,
            &[
                "add",
                "--provider",
                "ollama",
                "--extra-config",
                "ollamaServerPort=11435",
            ],
        )
        .assert()
        .success();
        let text = std::fs::read_to_string(&proxy_file).unwrap();
        assert!(!text.contains(token), "the unsent token goes: {text}");
        // `tidy` keeps a configured Ollama.
        on_folder(home.path(), &data, &["tidy"]).assert().success();
        assert!(providers(&data).contains(&"ollama".to_string()));
    }
}

/// Bedrock's second route (Anthropic Messages to the Mantle endpoint) comes and goes
/// with the provider.
#[test]
fn bedrock_messages_route_comes_and_goes_with_bedrock() {
    let home = tempfile::tempdir().unwrap();
    let data = folder(home.path());
    let side = data.join("ingresses/ai-route-bedrock.messages.internal.yaml");
    config(
        home.path(),
        &data,
        &[
            "add",
            "--provider",
            "bedrock",
            "--key",
            "ABSK-0001",
            "--models",
            "anthropic.*",
            "--extra-config",
            "awsRegion=eu-west-1",
        ],
    )
    .assert()
    .success();
    let ingress = std::fs::read_to_string(&side).unwrap();
    assert!(ingress.contains("path: /v1/messages"), "{ingress}");
    assert!(
        ingress.contains("llm-bedrock-mantle.internal.dns:443"),
        "{ingress}"
    );
    let bridge = std::fs::read_to_string(data.join("mcpbridges/default.yaml")).unwrap();
    assert!(
        bridge.contains("domain: bedrock-mantle.eu-west-1.api.aws"),
        "{bridge}"
    );
    config(home.path(), &data, &["list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("bedrock.messages").not());
    config(home.path(), &data, &["remove", "--provider", "bedrock"])
        .assert()
        .success();
    assert!(!side.exists());
    let bridge = std::fs::read_to_string(data.join("mcpbridges/default.yaml")).unwrap();
    assert!(!bridge.contains("mantle"), "{bridge}");
}
