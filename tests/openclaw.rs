//! The plugin and `higress-claw openclaw …` against the real OpenClaw, offline, in fresh
//! homes: the oldest and the newest release the README claims (both pinned in
//! tests/openclaw/package.json, run on Node 24). Each scenario runs on both.
// Unix only (signals, sockets, ptys, the shell installer): tests/platform.rs says
// so where it is skipped.
#![cfg(unix)]

#[path = "openclaw/harness.rs"]
mod harness;
#[path = "openclaw/npm.rs"]
mod npm;
mod support;

use std::path::PathBuf;

use harness::{
    GATEWAY_KEY, NEWEST, OLDEST, Release, find_file, free_port, login_with_prefill, openclaw,
};
use serde_json::{Value, json};

/// `#[test]`s that run a scenario on each release: `newest::name`, `oldest::name`.
macro_rules! on_both_releases {
    ($($name:ident),* $(,)?) => {
        mod newest {
            $( #[test] fn $name() { super::$name(super::NEWEST) } )*
        }
        mod oldest {
            $( #[test] fn $name() { super::$name(super::OLDEST) } )*
        }
    };
}

on_both_releases!(
    plugin_loads_setup_applies_and_the_agent_reaches_the_gateway,
    an_upstream_setup_is_taken_over,
    the_plugin_installs_from_npm_by_name,
    interactive_login_prefills_from_higress_claw,
);

fn plugin_loads_setup_applies_and_the_agent_reaches_the_gateway(release: Release) {
    let Some(oc) = openclaw("plugin_loads_setup_applies", release, true) else {
        return;
    };
    let port = free_port();
    oc.gateway_folder(port);

    let installed = oc.json("higress-claw", &["openclaw", "install", "--json"]);
    assert_eq!(
        (installed["method"].clone(), installed["action"].clone()),
        (json!("openclaw-cli"), json!("installed"))
    );
    assert_eq!(installed["openclaw_version"], release.version);
    let inspect = oc.inspect();
    assert_eq!(inspect["plugin"]["status"], "loaded", "{inspect}");
    assert_eq!(inspect["plugin"]["providerIds"], json!(["higress"]));
    assert!(
        !inspect["install"].is_null(),
        "OpenClaw recorded where the plugin came from"
    );
    let again = oc.json("higress-claw", &["openclaw", "install", "--json"]);
    assert_eq!(again["action"], "unchanged", "idempotent");
    // An older copy is upgraded.
    let manifest = oc
        .home
        .join(".openclaw/extensions/higress/openclaw.plugin.json");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("\"version\": \"", "\"version\": \"0.0.");
    std::fs::write(&manifest, text).unwrap();
    let upgraded = oc.json("higress-claw", &["openclaw", "install", "--json"]);
    assert_eq!(upgraded["action"], "upgraded", "{upgraded}");
    assert_eq!(oc.inspect()["plugin"]["status"], "loaded");

    // Both skills ship with the plugin and OpenClaw lists them.
    let skills = oc.json("openclaw", &["skills", "list", "--json"]);
    for name in ["higress-gateway", "higress-openclaw-integration"] {
        let skill = skills["skills"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name);
        let skill = skill.unwrap_or_else(|| panic!("{name} not listed"));
        assert_eq!(skill["eligible"], true, "{skill}");
    }

    // A gateway key reaches OpenClaw's config and, later, the gateway; every printed
    // form of it is masked.
    let out = oc
        .command("higress-claw")
        .env("HIGRESS_CLAW_GATEWAY_KEY", GATEWAY_KEY)
        .args(["openclaw", "setup", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&[out.stdout.clone(), out.stderr].concat()).into_owned();
    assert!(
        !printed.contains(GATEWAY_KEY),
        "the gateway key was printed: {printed}"
    );
    let setup: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(setup["result"], "applied");
    assert_eq!(
        setup["migrated"],
        json!([]),
        "nothing to carry over in a fresh home"
    );
    assert_eq!(
        setup["patch"]["models"]["providers"]["higress"]["apiKey"],
        "gw-s…7890"
    );
    assert_eq!(
        oc.config()["models"]["providers"]["higress"]["apiKey"],
        GATEWAY_KEY
    );
    assert_eq!(setup["base_url"], format!("http://127.0.0.1:{port}/v1"));
    oc.assert_valid();
    let models = oc.json(
        "openclaw",
        &["models", "list", "--json", "--provider", "higress"],
    );
    let keys: Vec<&str> = models["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    for expected in [
        "higress/auto",
        "higress/glm-5",
        "higress/deepseek-chat",
        "higress/deepseek-reasoner",
    ] {
        assert!(keys.contains(&expected), "{expected} missing from {keys:?}");
    }
    let config = oc.config();
    assert_eq!(
        config["agents"]["defaults"]["model"]["primary"],
        "higress/auto"
    );
    let provider = &config["models"]["providers"]["higress"];
    let model = |id: &str| {
        provider["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            model("glm-5")["reasoning"].clone(),
            model("glm-5")["input"].clone()
        ),
        (json!(true), json!(["text"]))
    );
    assert_eq!(
        model("deepseek-chat")["reasoning"],
        false,
        "not every model is a reasoning model"
    );
    assert_eq!(model("deepseek-chat")["contextWindow"], 131_072);
    // A second setup changes nothing.
    let second = oc.json("higress-claw", &["openclaw", "setup", "--json"]);
    assert_eq!(second["migrated"], json!([]), "{second}");

    let (chat, reply) = oc.agent_turn(port);
    assert_eq!(
        reply["payloads"][0]["text"], "pong from the stand-in gateway",
        "{reply}"
    );
    assert_eq!(chat["path"], "/v1/chat/completions");
    assert_eq!(chat["authorization"], format!("Bearer {GATEWAY_KEY}"));
    assert_eq!(
        chat["body"]["model"], "higress/auto",
        "the model-router needs exactly higress/auto"
    );
}

fn an_upstream_setup_is_taken_over(release: Release) {
    let Some(oc) = openclaw("an_upstream_setup_is_taken_over", release, true) else {
        return;
    };
    let port = free_port();
    oc.gateway_folder(port);
    oc.upstream_setup(port);

    let installed = oc.json("higress-claw", &["openclaw", "install", "--json"]);
    let removed = installed["removed"].as_array().unwrap();
    assert_eq!(removed.len(), 1, "{installed}");
    let backup = PathBuf::from(removed[0]["backup"].as_str().unwrap());
    assert!(
        backup.join("index.ts").is_file(),
        "the upstream copy is kept in the backup"
    );
    let ext = oc.home.join(".openclaw/extensions");
    let dirs: Vec<String> = std::fs::read_dir(&ext)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(dirs, ["higress"]);
    assert!(
        !ext.join("higress/index.ts").exists(),
        "ours replaced the upstream copy"
    );
    assert_eq!(oc.inspect()["plugin"]["status"], "loaded");

    let setup = oc.json("higress-claw", &["openclaw", "setup", "--json"]);
    assert_eq!(setup["result"], "applied", "{setup}");
    let migrated: Vec<&str> = setup["migrated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    for path in [
        "models.providers.higress.apiKey",
        "models.providers.higress.models[glm-5]",
        "agents.defaults.models",
        "plugins.entries.higress.config.consoleUrl",
        "auth.profiles.higress:local",
        "agents.defaults.model.primary",
    ] {
        assert!(
            migrated.contains(&path),
            "{path} not migrated: {migrated:?}"
        );
    }
    assert_eq!(
        setup["removed"].as_array().unwrap().len(),
        1,
        "the placeholder credential file"
    );
    assert_eq!(
        setup["base_url"],
        format!("http://localhost:{port}/v1"),
        "the upstream URL pointed at this gateway"
    );
    oc.assert_valid();

    let config = oc.config();
    assert_eq!(
        config["agents"]["defaults"]["model"]["primary"],
        "higress/auto"
    );
    let allow: Vec<&String> = config["agents"]["defaults"]["models"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert!(
        allow.iter().all(|k| !k.starts_with("higress/higress/")),
        "{allow:?}"
    );
    assert!(
        allow.contains(&&"higress/deepseek-chat".to_string()),
        "the allowlist names what the gateway serves: {allow:?}"
    );
    if release.is_newest() {
        let policy = config["agents"]["defaults"]["modelPolicy"]["allow"]
            .as_array()
            .unwrap();
        assert!(
            policy.contains(&json!("higress/deepseek-chat"))
                && !policy.contains(&json!("higress/higress/auto")),
            "{policy:?}"
        );
    }
    let provider = &config["models"]["providers"]["higress"];
    assert!(
        provider.get("apiKey").is_none() && provider.get("authHeader").is_none(),
        "{provider}"
    );
    assert!(
        config.get("auth").is_none(),
        "auth held only the placeholder profile: {}",
        config["auth"]
    );
    let settings = &config["plugins"]["entries"]["higress"]["config"];
    assert_eq!(settings["consoleUrl"], "http://localhost:8001");
    assert_eq!(settings["autoRoutingDefaultModel"], "glm-5");
    // The models commands work again (2026.9.6 refused while the old credential file was there).
    let models = oc.json(
        "openclaw",
        &["models", "list", "--json", "--provider", "higress"],
    );
    assert!(
        models["models"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["key"] == "higress/glm-5"),
        "{models}"
    );

    let (chat, reply) = oc.agent_turn(port);
    assert_eq!(
        reply["payloads"][0]["text"], "pong from the stand-in gateway",
        "{reply}"
    );
    assert_eq!(chat["body"]["model"], "higress/auto");
    assert!(
        chat["authorization"].is_null(),
        "no placeholder key is sent: {chat}"
    );
}

fn the_plugin_installs_from_npm_by_name(release: Release) {
    let Some(packages) = npm::package_dir("the_plugin_installs_from_npm_by_name") else {
        return;
    };
    // higress-claw is not on PATH: the npm install must bring it.
    let Some(oc) = openclaw("the_plugin_installs_from_npm_by_name", release, false) else {
        return;
    };
    let port = free_port();
    oc.gateway_folder(port);
    let tarballs = npm::tarballs(&oc, &packages);
    npm::fill_npm_cache(&oc, &tarballs);
    if release.is_newest() {
        // Over a setup made the upstream way: its hand copy stays until we move it.
        oc.upstream_setup(port);
    }
    let said = npm::install_by_name(&oc, "@higress-claw/higress-plugin");
    assert!(!said.contains("id mismatch"), "{said}");

    let inspect = oc.inspect();
    assert_eq!(inspect["plugin"]["status"], "loaded", "{inspect}");
    let install_path = PathBuf::from(inspect["install"]["installPath"].as_str().unwrap());
    let binary = find_file(&oc.home.join(".openclaw"), "bin/higress-claw")
        .expect("the platform package with the binary");
    assert!(
        binary.to_string_lossy().contains("@higress-claw/"),
        "{}",
        binary.display()
    );
    let skills = oc.json("openclaw", &["skills", "list", "--json"]);
    assert!(
        skills["skills"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "higress-gateway" && s["eligible"] == true)
    );

    // `higress-claw openclaw install` leaves the npm install alone and moves a hand
    // copy beside it (2026.9.6 installs npm packages elsewhere) away.
    let ours = oc.json("higress-claw", &["openclaw", "install", "--json"]);
    assert_eq!(ours["method"], "npm", "{ours}");
    assert_eq!(ours["path"], install_path.display().to_string());
    let duplicates = usize::from(release.is_newest());
    assert_eq!(
        ours["removed"].as_array().unwrap().len(),
        duplicates,
        "{ours}"
    );
    if release.is_newest() {
        oc.run("higress-claw", &["openclaw", "setup"]);
    }
    oc.assert_valid();

    // The plugin finds the binary its package brought: the login pre-fills the models
    // from `higress-claw models` with no higress-claw on PATH.
    login_with_prefill(&oc, port);
}

fn interactive_login_prefills_from_higress_claw(release: Release) {
    let Some(oc) = openclaw("interactive_login", release, true) else {
        return;
    };
    let port = free_port();
    oc.gateway_folder(port);
    oc.run("higress-claw", &["openclaw", "install", "-q"]);
    login_with_prefill(&oc, port);
}

#[test]
fn setup_without_openclaw_prints_the_patch_and_says_how() {
    let home = tempfile::tempdir().unwrap();
    support::bin(home.path())
        .args(["init", "-q", "--deepseek-key", "k"])
        .assert()
        .success();
    let out = support::bin(home.path())
        .env("PATH", "/usr/bin:/bin")
        .args(["openclaw", "setup"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("npm install -g openclaw"), "{stderr}");
    let patch: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        patch["models"]["providers"]["higress"]["baseUrl"],
        "http://127.0.0.1:8080/v1"
    );
    // With a gateway key, the printed patch and its --dry-run JSON mask it.
    for args in [
        &["openclaw", "setup", "--api-key", GATEWAY_KEY][..],
        &[
            "openclaw",
            "setup",
            "--dry-run",
            "--json",
            "--api-key",
            GATEWAY_KEY,
        ],
    ] {
        let out = support::bin(home.path())
            .env("PATH", "/usr/bin:/bin")
            .args(args)
            .output()
            .unwrap();
        let all = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
        assert!(
            !all.contains(GATEWAY_KEY),
            "{args:?} printed the key: {all}"
        );
        assert!(all.contains("gw-s…7890"), "{all}");
    }
    assert_eq!(
        patch["models"]["providers"]["higress"]["api"],
        "openai-completions"
    );
    // A key with a line break is refused, and the message does not show it.
    let out = support::bin(home.path())
        .env("PATH", "/usr/bin:/bin")
        .args([
            "openclaw",
            "setup",
            "--dry-run",
            "--api-key",
            "gw-secret\nX-Injected: 1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let all = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
    assert!(
        all.contains("control character")
            && !all.contains("gw-secret")
            && !all.contains("Injected"),
        "{all}"
    );
    // Install without openclaw copies the plugin, not world-writable.
    let out = support::bin(home.path())
        .env("PATH", "/usr/bin:/bin")
        .args(["openclaw", "install", "--json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["method"], "copy");
    let index = home.path().join(".openclaw/extensions/higress/index.js");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&index).unwrap().permissions().mode() & 0o777,
        0o644
    );
    assert_eq!(
        std::fs::read_to_string(index).unwrap(),
        include_str!("../plugin/index.js")
    );
    let package: Value = serde_json::from_str(
        &std::fs::read_to_string(
            home.path()
                .join(".openclaw/extensions/higress/package.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(
        package.get("dependencies").is_none(),
        "the embedded copy fetches nothing"
    );
}

#[test]
fn models_set_corrects_what_setup_tells_openclaw() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = support::bin(home.path())
            .env("PATH", "/usr/bin:/bin")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    support::bin(home.path())
        .args(["init", "-q", "--deepseek-key", "k"])
        .assert()
        .success();
    let set = run(&[
        "models",
        "set",
        "deepseek-chat",
        "--max-tokens",
        "4096",
        "--input",
        "text",
        "--json",
    ]);
    assert_eq!(
        (
            set["action"].clone(),
            set["effective"]["max_tokens"].clone()
        ),
        (json!("added"), json!(4096))
    );
    assert_eq!(set["effective"]["facts"], "user");
    assert_eq!(
        run(&[
            "models",
            "set",
            "deepseek-chat",
            "--max-tokens",
            "4096",
            "--json"
        ])["action"],
        "unchanged"
    );
    // A model the catalog does not know, served by the provider whose route accepts it.
    run(&[
        "models",
        "set",
        "deepseek-v4",
        "--context-window",
        "1000000",
        "--reasoning",
        "true",
        "--json",
    ]);
    let list = run(&["models", "--json"]);
    let deepseek = &list["providers"][0]["models"];
    let ids: Vec<&str> = deepseek
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["deepseek-chat", "deepseek-reasoner", "deepseek-v4"]);
    assert_eq!(list["user_models"].as_array().unwrap().len(), 2);
    let setup = run(&["openclaw", "setup", "--dry-run", "--json"]);
    let models = &setup["patch"]["models"]["providers"]["higress"]["models"];
    let entry = |id: &str| {
        models
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(entry("deepseek-chat")["maxTokens"], 4096);
    assert_eq!(
        (
            entry("deepseek-v4")["contextWindow"].clone(),
            entry("deepseek-v4")["reasoning"].clone()
        ),
        (json!(1_000_000), json!(true))
    );
    assert_eq!(
        run(&["models", "unset", "deepseek-v4", "--json"])["action"],
        "removed"
    );
    assert_eq!(
        run(&["models", "unset", "deepseek-v4", "--json"])["action"],
        "absent"
    );
    let bad = support::bin(home.path())
        .args(["models", "set", "glm-5", "--context-window", "0"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let none = support::bin(home.path())
        .args(["models", "set", "glm-5"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2), "a fact is required");
}
