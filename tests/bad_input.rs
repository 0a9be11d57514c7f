//! The bad-input matrix: every class of input an adversarial pass got through (issue
//! 13), each case run through the real binary on a configured folder. Every case
//! asserts the exit code, a message that names the problem and one that names the
//! fix, that no secret is echoed, and that the folder is byte-for-byte what it was.
//!
//! Covered elsewhere, because they need more than a folder: the engine that never
//! answers (`tests/engine_fault.rs`), kill -9 mid-edit (`tests/crash.rs`), repairing
//! partial providers (`tests/repair.rs`), two `start`s with one name
//! (`tests/docker_lifecycle.rs`), overlaps by what patterns match (unit tests of
//! `gateway::pattern`) and `route test`'s time on the largest accepted rules (unit tests
//! of `gateway::go_regex`).

mod support;

use std::path::{Path, PathBuf};

use support::{on_folder, snapshot};

/// One bad input and what a user must be told.
struct Case {
    /// The class of the list it belongs to.
    class: &'static str,
    args: Vec<String>,
    /// Changes the folder into the state under test before the command runs.
    setup: Option<fn(&Path)>,
    env: Vec<(&'static str, &'static str)>,
    code: i32,
    problem: &'static str,
    fix: &'static str,
    /// Text that must never appear (a secret).
    never: Option<&'static str>,
}

fn case(
    class: &'static str,
    args: &[&str],
    code: i32,
    problem: &'static str,
    fix: &'static str,
) -> Case {
    Case {
        class,
        args: args.iter().map(|a| a.to_string()).collect(),
        setup: None,
        env: Vec::new(),
        code,
        problem,
        fix,
        never: None,
    }
}

impl Case {
    fn after(mut self, setup: fn(&Path)) -> Self {
        self.setup = Some(setup);
        self
    }

    fn hiding(mut self, secret: &'static str) -> Self {
        self.never = Some(secret);
        self
    }

    fn with_env(mut self, key: &'static str, value: &'static str) -> Self {
        self.env.push((key, value));
        self
    }
}

const AI_PROXY: &str = "wasmplugins/ai-proxy.internal.yaml";

fn cut_ai_proxy_at_500_bytes(data: &Path) {
    let path = data.join(AI_PROXY);
    let text = std::fs::read(&path).unwrap();
    std::fs::write(&path, &text[..500]).unwrap();
}

fn unparseable_ai_proxy(data: &Path) {
    std::fs::write(data.join(AI_PROXY), "apiVersion: v1\nspec: [unclosed\n").unwrap();
}

fn http_port_abc(data: &Path) {
    set_http_port(data, "abc");
}

fn http_port_99999(data: &Path) {
    set_http_port(data, "99999");
}

fn set_http_port(data: &Path, value: &str) {
    let path = data.join("default.cfg");
    let text = std::fs::read_to_string(&path).unwrap();
    let text: Vec<String> = text
        .lines()
        .map(|l| match l.starts_with("GATEWAY_HTTP_PORT=") {
            true => format!("GATEWAY_HTTP_PORT={value}"),
            false => l.to_string(),
        })
        .collect();
    std::fs::write(&path, text.join("\n") + "\n").unwrap();
}

fn user_folders_named_like_ours(data: &Path) {
    for dir in ["secrets", "backups"] {
        std::fs::create_dir_all(data.join(dir)).unwrap();
        std::fs::write(data.join(dir).join("keep.txt"), "mine").unwrap();
    }
}

fn user_file_in_a_gateway_folder(data: &Path) {
    std::fs::write(data.join("wasmplugins/notes.txt"), "mine").unwrap();
}

fn ingress_lost(data: &Path) {
    std::fs::remove_file(data.join("ingresses/ai-route-deepseek.internal.yaml")).unwrap();
}

fn registry_and_configmap_only(data: &Path) {
    // What kill -9 can leave of a provider being added: its registry and ConfigMap.
    let bridge = data.join("mcpbridges/default.yaml");
    let text = std::fs::read_to_string(&bridge).unwrap();
    let added = text.replace("llm-deepseek.internal", "llm-grok.internal");
    let mut doc: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    let extra: serde_norway::Value = serde_norway::from_str(&added).unwrap();
    let grok = extra["spec"]["registries"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "llm-grok.internal")
        .unwrap()
        .clone();
    doc["spec"]["registries"]
        .as_sequence_mut()
        .unwrap()
        .push(grok);
    std::fs::write(&bridge, serde_norway::to_string(&doc).unwrap()).unwrap();
    let cm = std::fs::read_to_string(data.join("configmaps/ai-route-deepseek.yaml")).unwrap();
    std::fs::write(
        data.join("configmaps/ai-route-grok.yaml"),
        cm.replace("deepseek", "grok"),
    )
    .unwrap();
}

fn matrix() -> Vec<Case> {
    let secret = "sk-SECRET-abcdef123456";
    vec![
        // 1. A damaged file is not edited further, nor exported.
        case(
            "damaged",
            &["config", "add", "--provider", "openai", "--key", "k"],
            1,
            "ai-proxy.internal.yaml:",
            "init --force",
        )
        .after(cut_ai_proxy_at_500_bytes),
        case(
            "damaged",
            &["route", "enable", "--default-model", "glm-5"],
            1,
            "looks cut short",
            "init --force",
        )
        .after(cut_ai_proxy_at_500_bytes),
        case(
            "damaged",
            &["export", "-o", "/dev/null"],
            1,
            "ai-proxy.internal.yaml:",
            "restore the file from a backup",
        )
        .after(cut_ai_proxy_at_500_bytes),
        case(
            "damaged",
            &["repair"],
            1,
            "ai-proxy.internal.yaml:",
            "repair does not guess",
        )
        .after(cut_ai_proxy_at_500_bytes),
        case(
            "damaged",
            &["config", "remove", "--provider", "deepseek"],
            1,
            "cannot parse",
            "init --force",
        )
        .after(unparseable_ai_proxy),
        // 2. Injection: control characters, and values that are not what they claim.
        case(
            "injection",
            &[
                "init",
                "--force",
                "--zhipuai-key",
                "k",
                "--auto-routing-default-model",
                "glm-5\nGATEWAY_HTTP_PORT=40999",
            ],
            2,
            "control character",
            "remove line breaks",
        ),
        case(
            "injection",
            &["route", "enable", "--default-model", "glm-5\nx"],
            2,
            "--default-model",
            "remove line breaks",
        ),
        case(
            "injection",
            &[
                "init",
                "--force",
                "--zhipuai-key",
                "k",
                "--deepseek-key",
                "k",
                "--deepseek-models",
                "deep*\nx",
            ],
            2,
            "--deepseek-models",
            "remove line breaks",
        ),
        case(
            "injection",
            &[
                "config",
                "add",
                "--provider",
                "openai",
                "--key",
                "k",
                "--models",
                "gpt-*\nx",
            ],
            2,
            "--models",
            "remove line breaks",
        ),
        case(
            "injection",
            &["route", "add", "--model", "glm-5\nx", "--pattern", "hi"],
            2,
            "--model",
            "remove line breaks",
        ),
        case(
            "injection",
            &[
                "config",
                "add",
                "--provider",
                "openai",
                "--key",
                "k\u{1b}[2J",
            ],
            2,
            "control character",
            "paste the key alone",
        ),
        case(
            "injection",
            &["export", "--namespace", "ns\nx"],
            2,
            "is not a Kubernetes namespace",
            "e.g. higress-system",
        ),
        case(
            "injection",
            &["export", "--namespace", "Bad NS"],
            2,
            "is not a Kubernetes namespace",
            "a-z, 0-9 and '-'",
        ),
        case(
            "injection",
            &["export", "--plugin-registry", "bad host/x y"],
            2,
            "is not a registry",
            "e.g. higress-registry",
        ),
        case(
            "injection",
            &["openclaw", "setup", "--base-url", "notaurl"],
            2,
            "is not an http(s) URL",
            "e.g. http://127.0.0.1:8080/v1",
        ),
        case(
            "injection",
            &["openclaw", "setup", "--base-url", "ftp://x/v1"],
            2,
            "the scheme \"ftp\"",
            "use http:// or https://",
        ),
        case(
            "injection",
            &["openclaw", "setup", "--base-url", "http://x:99999/v1"],
            2,
            "the port \"99999\"",
            "from 1 to 65535",
        ),
        case(
            "injection",
            &["openclaw", "setup", "--base-url", "http://x/v1\nx"],
            2,
            "control character",
            "remove line breaks",
        ),
        case(
            "injection",
            &["doctor"],
            1,
            "GATEWAY_HTTP_PORT=\"abc\" is not a port",
            "correct that line of default.cfg",
        )
        .after(http_port_abc),
        case(
            "injection",
            &["init", "--force", "--zhipuai-key", "k"],
            1,
            "GATEWAY_HTTP_PORT=\"99999\" is not a port",
            "delete that line to use the default",
        )
        .after(http_port_99999),
        // 3. Overlapping and degenerate model patterns.
        case(
            "overlap",
            &[
                "config",
                "add",
                "--provider",
                "deepseek",
                "--models",
                "glm-*",
            ],
            2,
            "both claim \"glm-\"",
            "other patterns with --models",
        ),
        case(
            "overlap",
            &[
                "config",
                "add",
                "--provider",
                "openai",
                "--key",
                "k",
                "--models",
                "x-*,GLM-4*",
            ],
            2,
            "both claim",
            "--models",
        ),
        case(
            "overlap",
            &[
                "init",
                "--force",
                "--zhipuai-key",
                "k",
                "--deepseek-key",
                "k",
                "--deepseek-models",
                "",
            ],
            2,
            "is empty",
            "or '*' for every model",
        ),
        case(
            "overlap",
            &[
                "init",
                "--force",
                "--zhipuai-key",
                "k",
                "--deepseek-key",
                "k",
                "--deepseek-models",
                "a b",
            ],
            2,
            "contains a space",
            "separate patterns with commas",
        ),
        // 4. Purge keeps what is not the gateway's.
        case(
            "purge",
            &["delete", "--purge"],
            1,
            "backups, secrets/keep.txt",
            "Move those out",
        )
        .after(user_folders_named_like_ours),
        case(
            "purge",
            &["delete", "--purge"],
            1,
            "wasmplugins/notes.txt",
            "Move those out",
        )
        .after(user_file_in_a_gateway_folder),
        // 6. Route rules the model-router's Go RE2 cannot run, or runs too slowly.
        case(
            "regex",
            &[
                "route",
                "add",
                "--model",
                "glm-5",
                "--pattern",
                "(x{1000}){100}",
            ],
            2,
            "nested repeats",
            "write it without",
        ),
        case(
            "regex",
            &[
                "route",
                "add",
                "--model",
                "glm-5",
                "--pattern",
                "(?<name>x)",
            ],
            2,
            "--pattern",
            "RE2",
        ),
        case(
            "regex",
            &["route", "add", "--model", "glm-5", "--pattern", "(a"],
            2,
            "--pattern",
            "(",
        ),
        // 7. Providers an edit cut off.
        case(
            "partial",
            &["config", "add", "--provider", "openai", "--key", "k"],
            1,
            "deepseek is incomplete",
            "higress-claw repair",
        )
        .after(ingress_lost),
        case(
            "partial",
            &["export", "-o", "/dev/null"],
            1,
            "grok is incomplete",
            "higress-claw repair",
        )
        .after(registry_and_configmap_only),
        // 8. A key given without --key is never echoed.
        case(
            "secret",
            &["config", "add", "--provider", "deepseek", secret],
            2,
            "unexpected argument",
            "--help",
        )
        .hiding(secret),
        case(
            "secret",
            &["config", "add", "--json", "--provider", "deepseek", secret],
            2,
            "unexpected argument",
            "Usage",
        )
        .hiding(secret),
        case(
            "secret",
            &[
                "init",
                "--force",
                "--deepseek-key",
                secret,
                "--deepseek-models",
                "bad pattern\n",
            ],
            2,
            "control character",
            "remove line breaks",
        )
        .hiding(secret),
        // 10. The smaller ones.
        case(
            "smaller",
            &["init", "--force", "--zhipuai-key", "k", "--http-port", "-1"],
            2,
            "-1 is not in 0..=65535",
            "--http-port",
        ),
        case(
            "smaller",
            &[
                "init",
                "--force",
                "--zhipuai-key",
                "k",
                "--http-port",
                "99999",
            ],
            2,
            "99999 is not in 0..=65535",
            "--http-port",
        ),
        case(
            "smaller",
            &["export", "-o", "DATA/out.yaml"],
            2,
            "is inside the gateway's data folder",
            "write it somewhere else",
        ),
        case(
            "smaller",
            &["config", "add", "--provider", "openai"],
            2,
            "key",
            "--key",
        )
        .with_env("HIGRESS_CLAW_OPENAI_KEY", ""),
    ]
}

fn run(home: &Path, data: &Path, case: &Case) -> Result<(), String> {
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| a.replace("DATA", &data.display().to_string()))
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut cmd = on_folder(home, data, &args);
    for (k, v) in &case.env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let all = stderr.clone() + &String::from_utf8_lossy(&out.stdout);
    let what = format!("[{}] {:?}", case.class, case.args);
    if out.status.code() != Some(case.code) {
        return Err(format!(
            "{what} exited {:?}, not {}: {all}",
            out.status.code(),
            case.code
        ));
    }
    // doctor's report is its data, on stdout; everything else explains on stderr.
    let told = if case.args[0] == "doctor" {
        &all
    } else {
        &stderr
    };
    for (part, text) in [("problem", case.problem), ("fix", case.fix)] {
        if !told.contains(text) {
            return Err(format!("{what} does not name the {part} {text:?}: {told}"));
        }
    }
    if let Some(secret) = case.never
        && (all.contains(secret) || all.contains(&secret[3..12]))
    {
        return Err(format!("{what} printed the secret: {all}"));
    }
    Ok(())
}

#[test]
fn every_bad_input_is_refused_with_the_problem_and_the_fix_and_nothing_written() {
    let cases = matrix();
    let mut failures = Vec::new();
    for case in &cases {
        let home = tempfile::tempdir().unwrap();
        let data: PathBuf = support::init_folder(
            home.path(),
            &[
                "--zhipuai-key",
                "sk-zhipu-1111",
                "--deepseek-key",
                "sk-deep-2222",
            ],
        );
        if let Some(setup) = case.setup {
            setup(&data);
        }
        let before = snapshot(&data);
        if let Err(failure) = run(home.path(), &data, case) {
            failures.push(failure);
        } else if snapshot(&data) != before {
            failures.push(format!(
                "[{}] {:?} changed the folder",
                case.class, case.args
            ));
        }
    }
    let classes: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.class).collect();
    eprintln!(
        "bad-input matrix: {} cases in {} classes",
        cases.len(),
        classes.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
