//! The gateway's whole life on a real Docker engine, with the stand-in image.
// Unix only (signals, sockets, ptys, the shell installer): tests/platform.rs says
// so where it is skipped.
#![cfg(unix)]

mod support;

use std::net::TcpListener;

use predicates::prelude::*;
use serde_json::Value;
use support::docker::*;

use support::bin;

const KEY: &str = "sk-zhipu-secret-value-0001";

fn json(output: &[u8]) -> Value {
    serde_json::from_slice(output).unwrap_or_else(|e| {
        panic!(
            "not one JSON document ({e}): {}",
            String::from_utf8_lossy(output)
        )
    })
}

/// What supervisord writes to /var/log/higress/gateway.log inside the container (the
/// default image's access log) is what `usage` reads from `<data>/logs` on the host.
fn access_log_lands_in_the_data_folder(home: &std::path::Path, name: &str, data: &std::path::Path) {
    let line = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/access-log/deepseek-chat.log"),
    )
    .unwrap();
    let mut append = std::process::Command::new("docker")
        .args([
            "exec",
            "-i",
            name,
            "sh",
            "-c",
            "cat >> /var/log/higress/gateway.log",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    append
        .stdin
        .take()
        .unwrap()
        .write_all(line.as_bytes())
        .unwrap();
    assert!(append.wait().unwrap().success());
    assert!(data.join("logs/gateway.log").is_file());
    let out = bin(home)
        .args([
            "usage",
            "--since",
            "all",
            "--json",
            "--container-name",
            name,
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let usage = json(&out.stdout);
    support::assert_documented("usage", &usage);
    assert_eq!(usage["total"]["requests"], 1, "{usage}");
    assert_eq!(usage["by_model"][0]["model"], "deepseek-chat");
    assert_eq!(usage["notes"], serde_json::json!([]), "{usage}");
}

#[test]
fn start_stop_start_delete() {
    let Some(gw) = Gateway::new("life") else {
        return;
    };
    let (home, name, data, ports) = (
        gw.home.path(),
        gw.name.as_str(),
        gw.data.as_path(),
        gw.ports,
    );

    // First start: writes the folder, creates the container, waits for both ports.
    let out = gw
        .start(&[
            "--zhipuai-key",
            KEY,
            "--auto-routing",
            "--auto-routing-default-model",
            "glm-5",
            "--json",
        ])
        .success()
        .get_output()
        .clone();
    let report = json(&out.stdout);
    support::assert_documented("start", &report);
    assert_eq!(report["action"], "created");
    assert_eq!(report["ready"], true);
    assert_eq!(report["ports"]["http"], ports[0]);
    assert_eq!(report["example_model"], "higress/auto");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stdout.contains(KEY) && !stderr.contains(KEY),
        "key leaked in output"
    );
    assert!(stdout.contains("sk-z…0001"), "masked key shown: {stdout}");
    assert!(data.join("wasmplugins/ai-proxy.internal.yaml").is_file());

    // What the container looks like: loopback ports, the folder mounted, no key in env.
    let id = inspect(name, "{{.Id}}");
    let bindings = inspect(name, "{{json .HostConfig.PortBindings}}");
    let bindings: Value = serde_json::from_str(&bindings).unwrap();
    for port in ports {
        let b = &bindings[format!("{port}/tcp")][0];
        assert_eq!(b["HostIp"], "127.0.0.1", "{bindings}");
        assert_eq!(b["HostPort"], port.to_string());
    }
    let mounts: Value = serde_json::from_str(&inspect(name, "{{json .Mounts}}")).unwrap();
    let dest: Vec<&str> = mounts
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Destination"].as_str().unwrap())
        .collect();
    assert!(
        dest.contains(&"/data")
            && dest.contains(&"/var/log/proxy")
            && dest.contains(&"/var/log/higress"),
        "{mounts}"
    );
    let data_mount = mounts
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["Destination"] == "/data")
        .unwrap();
    assert_eq!(
        data_mount["Source"].as_str().unwrap(),
        data.canonicalize().unwrap().to_str().unwrap()
    );
    let env = inspect(name, "{{json .Config.Env}}");
    assert!(
        !env.contains(KEY) && !env.to_lowercase().contains("api_key"),
        "key in env: {env}"
    );
    assert!(
        env.contains(&format!("GATEWAY_HTTP_PORT={}", ports[0])),
        "{env}"
    );
    assert_eq!(
        inspect(name, "{{.HostConfig.RestartPolicy.Name}}"),
        "unless-stopped"
    );
    assert_eq!(
        inspect(name, "{{index .Config.Labels \"io.higress-claw.managed\"}}"),
        "true"
    );
    // The gateway answers from the host.
    let body = std::process::Command::new("busybox")
        .args(["wget", "-qO-", &format!("http://127.0.0.1:{}/", ports[0])])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&body.stdout).contains("stand-in"));

    access_log_lands_in_the_data_folder(home, name, data);

    // Second start reuses the same container.
    let out = bin(home)
        .args(gw.start_args())
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(json(&out.stdout)["action"], "already-running");
    assert_eq!(
        inspect(name, "{{.Id}}"),
        id,
        "a second container was created"
    );

    // Status sees it running and ready, keys masked.
    let out = bin(home)
        .args(["status", "--json", "--container-name", name])
        .assert()
        .success()
        .get_output()
        .clone();
    let status = json(&out.stdout);
    support::assert_documented("status", &status);
    assert_eq!(status["state"], "running");
    assert_eq!(status["ready"]["gateway"], true);
    assert_eq!(status["ready"]["console"], true);
    assert_eq!(
        status["data_dir"].as_str().unwrap(),
        data.canonicalize().unwrap().to_str().unwrap(),
        "found from the /data mount"
    );
    assert_eq!(status["providers"][0]["id"], "zhipuai");
    assert_eq!(status["providers"][0]["keys"][0], "sk-z…0001");
    assert_eq!(status["auto_routing"]["default_model"], "glm-5");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(KEY));

    // Logs come from the container.
    bin(home)
        .args(["logs", "--tail", "20", "--container-name", name])
        .assert()
        .success()
        .stdout(predicate::str::contains("gateway listening on"));
    let out = bin(home)
        .args(["logs", "--json", "--container-name", name])
        .assert()
        .success()
        .get_output()
        .clone();
    let logs = json(&out.stdout);
    support::assert_documented("logs", &logs);
    assert!(
        logs["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("console listening on")),
        "{logs}"
    );

    // Delete refuses a running gateway.
    bin(home)
        .args(["delete", "--container-name", name])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));

    // Stop, stop again (not an error), start again.
    bin(home)
        .args(["stop", "--container-name", name])
        .assert()
        .success();
    assert_eq!(inspect(name, "{{.State.Running}}"), "false");
    let out = bin(home)
        .args(["stop", "--json", "--container-name", name])
        .assert()
        .success()
        .get_output()
        .clone();
    let stopped = json(&out.stdout);
    support::assert_documented("stop", &stopped);
    assert_eq!(stopped["action"], "already-stopped");
    let out = bin(home)
        .args([
            "start",
            "--json",
            "--container-name",
            name,
            "--wait-timeout",
            "60",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let report = json(&out.stdout);
    assert_eq!(report["action"], "started");
    assert_eq!(report["ready"], true);
    assert_eq!(inspect(name, "{{.Id}}"), id);

    // Delete with --force removes the container and keeps the folder.
    let out = bin(home)
        .args(["delete", "--json", "--force", "--container-name", name])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let deleted = json(&out);
    support::assert_documented("delete", &deleted);
    assert_eq!(
        (
            deleted["container_removed"].clone(),
            deleted["data_removed"].clone()
        ),
        (Value::Bool(true), Value::Bool(false))
    );
    assert!(!container_exists(name));
    assert!(
        data.join("wasmplugins/ai-proxy.internal.yaml").is_file(),
        "data folder kept"
    );
    bin(home)
        .args(["stop", "--container-name", name])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no container named"));
}

#[test]
fn provider_flags_on_a_running_gateway_are_applied_without_restart() {
    let Some(gw) = Gateway::new("apply") else {
        return;
    };
    let name = gw.name.as_str();
    gw.start(&["--zhipuai-key", KEY]).success();
    let started_at = inspect(name, "{{.State.StartedAt}}");
    gw.start(&["--deepseek-key", "sk-deepseek-0002"])
        .success()
        .stderr(predicate::str::contains("Applied the provider flags"));
    assert_eq!(
        inspect(name, "{{.State.StartedAt}}"),
        started_at,
        "container was restarted"
    );
    let seen = docker_try(&[
        "exec",
        name,
        "cat",
        "/data/wasmplugins/ai-proxy.internal.yaml",
    ])
    .unwrap();
    assert!(
        seen.contains("id: deepseek") && seen.contains("id: zhipuai"),
        "{seen}"
    );
    assert!(
        docker_try(&[
            "exec",
            name,
            "cat",
            "/data/ingresses/ai-route-deepseek.internal.yaml"
        ])
        .is_some()
    );
}

#[test]
fn busy_port_is_refused_before_anything_is_created() {
    let Some(gw) = Gateway::new("busy") else {
        return;
    };
    let (name, data, ports) = (gw.name.as_str(), gw.data.as_path(), gw.ports);
    let _holder = TcpListener::bind(("127.0.0.1", ports[2])).unwrap();
    gw.start(&["--zhipuai-key", KEY])
        .code(2)
        .stderr(predicate::str::contains(format!("port {}", ports[2])))
        .stderr(predicate::str::contains("--console-port"));
    assert!(!container_exists(name), "a container was left behind");
    assert!(
        !data.join(".ai-gateway-configured").exists(),
        "the folder was written"
    );
    // An address this host does not have is named as such, not as a busy port.
    gw.start(&["--zhipuai-key", KEY, "--bind", "192.0.2.1"])
        .code(2)
        .stderr(predicate::str::contains(
            "192.0.2.1 is not an address of this host",
        ));
    assert!(!container_exists(name));
}

#[test]
fn failed_pull_names_the_image_and_leaves_nothing() {
    let Some(gw) = Gateway::new("pull") else {
        return;
    };
    let (home, name) = (gw.home.path(), gw.name.as_str());
    let mut args = gw.start_args();
    let repo = args.iter().position(|a| a == "--image-repo").unwrap() + 1;
    args[repo] = "registry.invalid/nobody/higress-missing".into();
    bin(home)
        .args(args)
        .args(["--zhipuai-key", KEY])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot pull image registry.invalid/nobody/higress-missing:test",
        ))
        .stderr(predicate::str::contains("--image-repo"));
    assert!(!container_exists(name));
    assert!(
        !gw.data.exists(),
        "a failed pull wrote the folder, so a later init refuses it"
    );
}

#[test]
fn readiness_timeout_shows_logs_and_removes_the_container() {
    let Some(gw) = Gateway::new("timeout") else {
        return;
    };
    let (home, name, ports) = (gw.home.path(), gw.name.as_str(), gw.ports);
    let mut args = gw.start_args();
    let tag = args.iter().position(|a| a == "--image-tag").unwrap() + 1;
    args[tag] = STANDIN_BROKEN_TAG.into();
    let wait = args.iter().position(|a| a == "--wait-timeout").unwrap() + 1;
    args[wait] = "4".into();
    bin(home)
        .args(args)
        .args(["--zhipuai-key", KEY])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "the console (port {})",
            ports[2]
        )))
        .stderr(predicate::str::contains(
            "console disabled in this stand-in",
        ));
    assert!(!container_exists(name), "a failed start left its container");
}

#[test]
fn config_changes_reach_a_running_container_without_restart() {
    let Some(gw) = Gateway::new("config") else {
        return;
    };
    let (home, name) = (gw.home.path(), gw.name.as_str());
    gw.start(&["--zhipuai-key", KEY]).success();
    let started_at = inspect(name, "{{.State.StartedAt}}");
    // No --data-dir: the folder is found from the container's /data mount.
    bin(home)
        .args([
            "config",
            "add",
            "--provider",
            "deepseek",
            "--key",
            "sk-hot-0006",
            "--container-name",
            name,
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "Added DeepSeek (sk…06); Higress reloads it without a restart",
        ));
    let seen = docker_try(&[
        "exec",
        name,
        "cat",
        "/data/wasmplugins/ai-proxy.internal.yaml",
    ])
    .unwrap();
    assert!(seen.contains("sk-hot-0006"), "{seen}");
    bin(home)
        .args([
            "config",
            "remove",
            "--provider",
            "zhipu",
            "--container-name",
            name,
        ])
        .assert()
        .success();
    assert!(
        docker_try(&[
            "exec",
            name,
            "cat",
            "/data/ingresses/ai-route-zhipuai.internal.yaml"
        ])
        .is_none()
    );
    assert_eq!(
        inspect(name, "{{.State.StartedAt}}"),
        started_at,
        "the container was restarted"
    );
}

/// Docker Desktop and remote engines: the same edits go through the Docker API
/// (upload + rename inside the container), forced here with HIGRESS_CLAW_WRITE_THROUGH.
#[test]
fn edits_through_the_container_api() {
    let Some(gw) = Gateway::new("through") else {
        return;
    };
    let (home, name) = (gw.home.path(), gw.name.as_str());
    gw.start(&["--zhipuai-key", KEY]).success();
    let started_at = inspect(name, "{{.State.StartedAt}}");
    let through = |args: &[&str]| {
        let mut cmd = bin(home);
        cmd.env("HIGRESS_CLAW_WRITE_THROUGH", "container")
            .args(args)
            .args(["--container-name", name]);
        cmd
    };
    through(&[
        "config",
        "add",
        "--provider",
        "deepseek",
        "--key",
        "sk-remote-0007",
        "-v",
    ])
    .assert()
    .success()
    .stderr(predicate::str::contains(format!(
        "Editing {name}:/data through the Docker API"
    )));
    // A fallback lands in the container's /data (its new envoyfilters/ included), and
    // goes again, through the same API.
    through(&[
        "config",
        "add",
        "--provider",
        "deepseek",
        "--fallback",
        "zhipuai:glm-4-flash",
    ])
    .assert()
    .success();
    let filter = "/data/envoyfilters/ai-route-deepseek.internal.yaml";
    let fallback_route = "/data/ingresses/ai-route-deepseek.fallback.internal.yaml";
    let redirect = docker_try(&["exec", name, "cat", filter]).expect("the redirect was published");
    assert!(redirect.contains("x-higress-fallback-from"), "{redirect}");
    assert!(docker_try(&["exec", name, "cat", fallback_route]).is_some());
    through(&["config", "add", "--provider", "deepseek", "--no-fallback"])
        .assert()
        .success();
    assert!(docker_try(&["exec", name, "cat", filter]).is_none());
    assert!(docker_try(&["exec", name, "cat", fallback_route]).is_none());
    through(&["route", "enable", "--default-model", "glm-5"])
        .assert()
        .success();
    through(&[
        "route",
        "add",
        "--model",
        "deepseek-chat",
        "--trigger",
        "code",
    ])
    .assert()
    .success();
    through(&["config", "remove", "--provider", "zhipuai"])
        .assert()
        .success();
    let proxy = docker_try(&[
        "exec",
        name,
        "cat",
        "/data/wasmplugins/ai-proxy.internal.yaml",
    ])
    .unwrap();
    assert!(
        proxy.contains("sk-remote-0007") && !proxy.contains("id: zhipuai"),
        "{proxy}"
    );
    let router = docker_try(&[
        "exec",
        name,
        "cat",
        "/data/wasmplugins/model-router.internal.yaml",
    ])
    .unwrap();
    assert!(
        router.contains("model: deepseek-chat") && router.contains("enable: true"),
        "{router}"
    );
    assert!(
        docker_try(&[
            "exec",
            name,
            "cat",
            "/data/ingresses/ai-route-zhipuai.internal.yaml"
        ])
        .is_none()
    );
    let listing = docker_try(&[
        "exec",
        name,
        "ls",
        "-a",
        "/data/wasmplugins",
        "/data/ingresses",
        "/data/configmaps",
    ])
    .unwrap();
    assert!(!listing.contains(".tmp-"), "temp files left: {listing}");
    let out = through(&["config", "list", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let list = json(&out);
    assert_eq!(list["data_dir"], format!("{name}:/data"));
    assert_eq!(list["providers"][0]["id"], "deepseek");
    assert_eq!(
        inspect(name, "{{.State.StartedAt}}"),
        started_at,
        "the container was restarted"
    );
}

#[test]
fn bind_address_is_published_and_warned_about() {
    let Some(gw) = Gateway::new("bind") else {
        return;
    };
    let name = gw.name.as_str();
    // Without a client key, publishing is refused before anything is written or created.
    gw.start(&["--zhipuai-key", KEY, "--bind", "0.0.0.0"])
        .code(2)
        .stderr(predicate::str::contains("higress-claw keys add NAME"))
        .stderr(predicate::str::contains("--allow-unauthenticated"));
    assert!(!container_exists(name), "a container was created");
    assert!(!gw.data.join(".ai-gateway-configured").exists());
    gw.start(&[
        "--zhipuai-key",
        KEY,
        "--bind",
        "0.0.0.0",
        "--allow-unauthenticated",
    ])
    .success()
    .stderr(predicate::str::contains("without client keys"));
    let bindings: Value =
        serde_json::from_str(&inspect(name, "{{json .HostConfig.PortBindings}}")).unwrap();
    let host_ip = |port: u16| bindings[format!("{port}/tcp")][0]["HostIp"].clone();
    assert_eq!(host_ip(gw.ports[0]), "0.0.0.0", "{bindings}");
    assert_eq!(host_ip(gw.ports[1]), "0.0.0.0", "{bindings}");
    // The console stays on loopback unless --publish-console.
    assert_eq!(host_ip(gw.ports[2]), "127.0.0.1", "{bindings}");
    let cfg = std::fs::read_to_string(gw.data.join("default.cfg")).unwrap();
    assert!(cfg.contains("BIND_ADDRESS=0.0.0.0"), "{cfg}");
    // The address is fixed at creation: asking for another one is refused, not ignored.
    gw.start(&["--bind", "127.0.0.1"])
        .code(2)
        .stderr(predicate::str::contains("bound to 0.0.0.0"));
    let out = bin(gw.home.path())
        .args(["status", "--json", "--container-name", name])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let status = json(&out);
    assert_eq!(status["bind"], "0.0.0.0");
    assert_eq!(status["console_bind"], "127.0.0.1");
    assert_eq!(status["ready"]["gateway"], true);
    assert_eq!(status["ready"]["console"], true);
    let http = gw.ports[0];
    assert_eq!(
        status["messages_url"],
        format!("http://127.0.0.1:{http}/v1/messages")
    );
    assert_eq!(
        status["anthropic_base_url"],
        format!("http://127.0.0.1:{http}")
    );
    assert_eq!(status["client_keys"], serde_json::json!([]));
    // A published container without keys: upgrade is refused before it touches it.
    let upgrade = |extra: &[&str]| {
        let mut cmd = bin(gw.home.path());
        cmd.args(["upgrade", "--container-name", name, "--wait-timeout", "60"])
            .args(extra);
        cmd.assert()
    };
    upgrade(&[])
        .code(2)
        .stderr(predicate::str::contains("higress-claw keys add NAME"));
    // With a key, starting it again needs no flag, and status lists the key, masked.
    let added = bin(gw.home.path())
        .args(["keys", "add", "ci", "--json", "--container-name", name])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let key = json(&added)["key"].as_str().unwrap().to_string();
    gw.start(&[]).success();
    let out = bin(gw.home.path())
        .args(["status", "--json", "--container-name", name])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        json(&out)["client_keys"],
        serde_json::json!([{"name": "ci", "key": higress_claw::secret::mask(&key)}])
    );
    assert!(!String::from_utf8_lossy(&out).contains(&key));
}

/// A container created the way get-ai-gateway.sh does it (`docker run --env-file
/// default.cfg`, keys in the environment) is found by name and managed.
#[test]
fn adopts_a_container_started_by_get_ai_gateway() {
    let Some(gw) = Gateway::new("adopt") else {
        return;
    };
    let (home, name, data) = (gw.home.path(), gw.name.as_str(), gw.data.as_path());
    let [http, https, console] = gw.ports;
    bin(home)
        .args(["init", "-q", "--zhipuai-key", KEY, "--data-dir"])
        .arg(data)
        .args([
            "--http-port",
            &http.to_string(),
            "--https-port",
            &https.to_string(),
            "--console-port",
            &console.to_string(),
        ])
        .assert()
        .success();
    let cfg = data.join("default.cfg");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("ZHIPUAI_API_KEY=sk-in-env-0008\n");
    std::fs::write(&cfg, text).unwrap();
    let data_s = data.canonicalize().unwrap().display().to_string();
    let publish = |p: u16| format!("127.0.0.1:{p}:{p}");
    docker_try(&[
        "run",
        "-d",
        "--name",
        name,
        "--env-file",
        cfg.to_str().unwrap(),
        "-p",
        &publish(http),
        "-p",
        &publish(https),
        "-p",
        &publish(console),
        "--restart=always",
        "--mount",
        &format!("type=bind,source={data_s},target=/data"),
        "--mount",
        &format!("type=bind,source={data_s}/logs,target=/var/log/proxy"),
        &format!("{STANDIN_REPO}:{STANDIN_TAG}"),
    ])
    .expect("docker run like get-ai-gateway.sh");

    let out = bin(home)
        .args([
            "start",
            "--json",
            "--container-name",
            name,
            "--wait-timeout",
            "60",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    assert_eq!(report["action"], "already-running");
    assert_eq!(report["ready"], true);
    assert_eq!(report["data_dir"].as_str().unwrap(), data_s);
    // Its access log stays inside (no /var/log/higress mount): usage says how to fix it.
    let out = bin(home)
        .args(["usage", "--json", "--container-name", name])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let usage = json(&out);
    let note = usage["notes"][0].as_str().unwrap_or_default();
    assert!(
        note.contains("/var/log/higress")
            && note.contains(&format!(
                "delete --force --container-name {name} && higress-claw start"
            )),
        "{usage}"
    );
    bin(home)
        .args(["doctor", "--container-name", name])
        .assert()
        .stdout(
            predicate::str::contains("ZHIPUAI_API_KEY").and(predicate::str::contains(format!(
                "delete --force --container-name {name} && higress-claw start --container-name {name}"
            ))),
        );
    bin(home)
        .args([
            "config",
            "add",
            "--provider",
            "kimi",
            "--key",
            "sk-moon-0009",
            "--container-name",
            name,
        ])
        .assert()
        .success();
    let seen = docker_try(&[
        "exec",
        name,
        "cat",
        "/data/wasmplugins/ai-proxy.internal.yaml",
    ])
    .unwrap();
    assert!(seen.contains("sk-moon-0009"), "{seen}");
    bin(home)
        .args(["stop", "--container-name", name])
        .assert()
        .success();
    let out = bin(home)
        .args([
            "start",
            "--json",
            "--container-name",
            name,
            "--wait-timeout",
            "60",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json(&out)["action"], "started");
}

#[test]
fn upgrade_recreates_on_the_same_folder_or_rolls_back() {
    let Some(gw) = Gateway::new("upgrade") else {
        return;
    };
    let (home, name) = (gw.home.path(), gw.name.as_str());
    // A folder written by init with the default ports, then started on other ports and
    // another image: default.cfg records how the container was made.
    bin(home)
        .args(["init", "-q", "--zhipuai-key", KEY, "--data-dir"])
        .arg(&gw.data)
        .assert()
        .success();
    gw.start(&[]).success();
    let cfg = || std::fs::read_to_string(gw.data.join("default.cfg")).unwrap();
    for line in [
        format!("GATEWAY_HTTP_PORT={}\n", gw.ports[0]),
        format!("CONSOLE_PORT={}\n", gw.ports[2]),
        format!("IMAGE_REPO={STANDIN_REPO}\n"),
        format!("IMAGE_TAG={STANDIN_TAG}\n"),
    ] {
        assert!(cfg().contains(&line), "{line:?} missing: {}", cfg());
    }
    let next = format!("{STANDIN_REPO}:next");
    docker_try(&["tag", &format!("{STANDIN_REPO}:{STANDIN_TAG}"), &next]).unwrap();
    let mounts = || {
        let mut m = inspect(
            name,
            "{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}",
        )
        .split_whitespace()
        .map(String::from)
        .collect::<Vec<_>>();
        m.sort();
        m
    };
    let mounts_before = mounts();
    let out = bin(home)
        .args([
            "upgrade",
            "--json",
            "--image-tag",
            "next",
            "--wait-timeout",
            "60",
            "--container-name",
            name,
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let upgraded = json(&out.stdout);
    support::assert_documented("upgrade", &upgraded);
    assert_eq!(upgraded["result"], "upgraded");
    assert_eq!(inspect(name, "{{.Config.Image}}"), next);
    assert_eq!(mounts(), mounts_before, "same data folder");
    assert!(
        !container_exists(&format!("{name}-previous")),
        "old container removed"
    );
    let env = inspect(name, "{{json .Config.Env}}");
    assert!(
        env.contains(&format!("GATEWAY_HTTP_PORT={}", gw.ports[0])),
        "{env}"
    );
    assert!(cfg().contains("IMAGE_TAG=next\n"), "{}", cfg());

    // The same image again: nothing to do, the container stays as it is.
    let id = inspect(name, "{{.Id}}");
    let out = bin(home)
        .args(["upgrade", "--json", "--container-name", name])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json(&out)["result"], "unchanged");
    assert_eq!(inspect(name, "{{.Id}}"), id);

    // Someone else's container under the name upgrade parks the old one at is kept.
    let stranger = format!("{name}-previous");
    let _stranger_guard = ContainerGuard(stranger.clone());
    docker_try(&["create", "--name", &stranger, &next, "/bin/sh"]).unwrap();
    bin(home)
        .args(["upgrade", "--force", "--container-name", name])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a leftover of this gateway"));
    assert!(container_exists(&stranger));
    assert_eq!(inspect(name, "{{.Id}}"), id);
    remove_container(&stranger);

    // A new image that never becomes ready: the old container comes back.
    bin(home)
        .args([
            "upgrade",
            "--image-tag",
            STANDIN_BROKEN_TAG,
            "--wait-timeout",
            "3",
            "--container-name",
            name,
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("rolled back"));
    assert_eq!(inspect(name, "{{.Config.Image}}"), next);
    assert_eq!(inspect(name, "{{.State.Running}}"), "true");
    assert!(!container_exists(&format!("{name}-previous")));
    let out = bin(home)
        .args(["status", "--json", "--container-name", name])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json(&out)["ready"]["console"], true);
    let _ = docker_try(&["rmi", &next]);
}

/// Ctrl-C, or SIGTERM from `timeout` or an agent cancelling the call, while waiting:
/// the container start created is removed.
#[test]
fn interrupt_while_waiting_removes_the_new_container() {
    for (signal, label) in [(libc::SIGINT, "Ctrl-C"), (libc::SIGTERM, "SIGTERM")] {
        let Some(gw) = Gateway::new(&format!("sig{signal}")) else {
            return;
        };
        let name = gw.name.as_str();
        let mut args = gw.start_args();
        let tag = args.iter().position(|a| a == "--image-tag").unwrap() + 1;
        args[tag] = STANDIN_BROKEN_TAG.into();
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("higress-claw"))
            .env("HOME", gw.home.path())
            .env("NO_COLOR", "1")
            .args(&args)
            .args(["--zhipuai-key", KEY])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The signal handlers are in place before the container is created.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !container_exists(name) {
            assert!(
                std::time::Instant::now() < deadline,
                "the container never appeared"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        // SAFETY: sending a signal to our own child process.
        unsafe { libc::kill(child.id() as i32, signal) };
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!("interrupted ({label})")),
            "{stderr}"
        );
        assert!(!container_exists(name), "{label} left the container behind");
    }
}

/// A data folder belongs to one gateway: a second container is not created on it, and a
/// mistyped `--container-name` with `--purge` does not delete another gateway's folder
/// or a folder with the user's own files.
#[test]
fn a_folder_belongs_to_one_gateway() {
    let Some(gw) = Gateway::new("owner") else {
        return;
    };
    let (home, name, data) = (gw.home.path(), gw.name.as_str(), gw.data.as_path());
    gw.start(&["--deepseek-key", "sk-deepseek-0003"]).success();

    let second = unique_name("owner-second");
    let _second_guard = ContainerGuard(second.clone());
    let mut args = gw.start_args();
    let at = args.iter().position(|a| a == "--container-name").unwrap() + 1;
    args[at] = second.clone();
    let [a, b, c] = free_ports();
    for (flag, port) in [
        ("--http-port", a),
        ("--https-port", b),
        ("--console-port", c),
    ] {
        let at = args.iter().position(|x| x == flag).unwrap() + 1;
        args[at] = port.to_string();
    }
    bin(home)
        .args(&args)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "already the data folder of the container {name}"
        )));
    assert!(!container_exists(&second), "a second gateway was created");

    let typo = unique_name("owner-typo");
    for with_flag in [true, false] {
        let mut cmd = bin(home);
        cmd.args(["delete", "--purge", "--yes", "--container-name", &typo]);
        if with_flag {
            cmd.arg("--data-dir").arg(data);
        } else {
            cmd.env("HIGRESS_CLAW_DATA_DIR", data);
        }
        cmd.assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "is the data folder of the container {name}"
            )));
        assert!(
            data.join("wasmplugins/ai-proxy.internal.yaml").is_file(),
            "another gateway's folder was deleted"
        );
        assert_eq!(inspect(name, "{{.State.Running}}"), "true");
    }

    // A folder with someone's own files is never purged.
    let project = home.join("project");
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(project.join("notes.txt"), "mine").unwrap();
    std::fs::write(project.join(".ai-gateway-configured"), "").unwrap();
    bin(home)
        .args(["delete", "--purge", "--yes", "--container-name", &typo])
        .arg("--data-dir")
        .arg(&project)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "holds files that are not the gateway's: notes.txt, src",
        ));
    assert!(project.join("notes.txt").is_file());

    // The owner itself may purge its folder.
    bin(home)
        .args([
            "delete",
            "--force",
            "--purge",
            "--yes",
            "--container-name",
            name,
        ])
        .assert()
        .success();
    assert!(!data.exists() && !container_exists(name));
}
