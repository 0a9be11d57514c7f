//! The wizard under a real pseudo-terminal: prompts answered for real, keys typed hidden.
// Unix only (signals, sockets, ptys, the shell installer): tests/platform.rs says
// so where it is skipped.
#![cfg(unix)]

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Session};

const ZHIPU_KEY: &str = "zk-typed-hidden-0001";
const DEEPSEEK_KEY: &str = "dk-typed-hidden-0002";

/// The binary on a pseudo-terminal that echoes, as a person's terminal does. expectrl
/// spawns with echo off, which would hide both an echoed key and the moment a hidden
/// prompt turns echo off: `stty echo` turns it back on before the binary starts.
fn terminal_command(args: &[&str]) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "stty echo && exec \"$0\" \"$@\""])
        .arg(assert_cmd::cargo::cargo_bin("higress-claw"))
        .args(args);
    cmd
}

fn spawn(home: &std::path::Path, lang: &str, args: &[&str]) -> OsSession {
    let mut cmd = terminal_command(args);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("TZ", "Asia/Shanghai")
        .env("LANG", lang);
    let mut session = Session::spawn(cmd).expect("a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

/// Types `text` into a hidden prompt once the program has switched echo off.
///
/// The hidden prompt turns echo off with `TCSAFLUSH`, which throws away whatever was
/// typed before that moment: sending as soon as the prompt's text shows races that
/// flush, and on a busy machine the key is lost and the wizard waits forever. Seeing
/// echo off is a real signal only because the terminal echoes otherwise
/// ([`terminal_command`]).
fn type_hidden(p: &mut OsSession, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while p.get_process().get_echo().expect("the pty's termios") {
        assert!(
            Instant::now() < deadline,
            "the hidden prompt never switched echo off"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    p.send_line(text).unwrap();
}

#[test]
fn init_asks_what_the_flags_would_say() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let mut p = spawn(
        home.path(),
        "zh_CN.UTF-8",
        &["init", "--data-dir", data.to_str().unwrap()],
    );
    p.expect("Which providers?").unwrap();
    p.expect("智谱 (GLM)").unwrap(); // the brand a Chinese-speaking user knows
    p.send(" ").unwrap(); // z.ai / 智谱 is first
    for _ in 0..6 {
        p.send("\x1b[B").unwrap(); // down to DeepSeek, 7th of the common list
    }
    p.send(" ").unwrap();
    p.send("\r").unwrap();
    p.expect("智谱 (GLM) API key").unwrap();
    type_hidden(&mut p, ZHIPU_KEY);
    let seen = p.expect("DeepSeek API key").unwrap();
    assert!(
        !String::from_utf8_lossy(seen.before()).contains(ZHIPU_KEY),
        "the key was echoed"
    );
    type_hidden(&mut p, DEEPSEEK_KEY);
    let seen = p.expect("Enable auto-routing").unwrap();
    assert!(
        !String::from_utf8_lossy(seen.before()).contains(DEEPSEEK_KEY),
        "the key was echoed"
    );
    p.send("y").unwrap();
    p.expect("Default model when no rule matches").unwrap();
    p.send_line("").unwrap(); // accept the suggested glm-5
    p.expect("custom ports").unwrap();
    p.send("y").unwrap();
    p.expect("HTTP port").unwrap();
    p.send_line("18080").unwrap();
    p.expect("HTTPS port").unwrap();
    p.send_line("").unwrap();
    p.expect("console port").unwrap();
    p.send_line("18001").unwrap();
    let rest = p.expect(Eof).unwrap();
    assert!(!String::from_utf8_lossy(rest.as_bytes()).contains(ZHIPU_KEY));

    let proxy = std::fs::read_to_string(data.join("wasmplugins/ai-proxy.internal.yaml")).unwrap();
    assert!(
        proxy.contains(ZHIPU_KEY) && proxy.contains(DEEPSEEK_KEY),
        "{proxy}"
    );
    let router =
        std::fs::read_to_string(data.join("wasmplugins/model-router.internal.yaml")).unwrap();
    assert!(
        router.contains("defaultModel: glm-5") && router.contains("enable: true"),
        "{router}"
    );
    let cfg = std::fs::read_to_string(data.join("default.cfg")).unwrap();
    assert!(
        cfg.contains("GATEWAY_HTTP_PORT=18080")
            && cfg.contains("GATEWAY_HTTPS_PORT=8443")
            && cfg.contains("CONSOLE_PORT=18001"),
        "{cfg}"
    );
}

#[test]
fn english_locale_shows_z_ai_and_companions_are_asked() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let mut p = spawn(
        home.path(),
        "en_US.UTF-8",
        &["init", "--data-dir", data.to_str().unwrap()],
    );
    p.expect("z.ai (GLM)").unwrap();
    // Enter with nothing selected asks again.
    p.send("\r").unwrap();
    p.expect("Pick at least one provider").unwrap();
    p.expect("Which providers?").unwrap();
    // Azure OpenAI comes right after the 8 common providers.
    for _ in 0..8 {
        p.send("\x1b[B").unwrap();
    }
    p.send(" ").unwrap();
    p.send("\r").unwrap();
    p.expect("Azure OpenAI API key").unwrap();
    type_hidden(&mut p, "az-key-0003");
    p.expect("Azure OpenAI URL").unwrap();
    p.send_line(
        "https://me.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01",
    )
    .unwrap();
    p.expect("Enable auto-routing").unwrap();
    p.send("n").unwrap();
    p.expect("custom ports").unwrap();
    p.send("n").unwrap();
    p.expect(Eof).unwrap();
    let bridge = std::fs::read_to_string(data.join("mcpbridges/default.yaml")).unwrap();
    assert!(bridge.contains("domain: me.openai.azure.com"), "{bridge}");
}

/// Colours on a terminal, none with NO_COLOR (or off a terminal: every other test).
#[test]
fn colours_only_on_a_terminal_and_never_with_no_color() {
    let home = tempfile::tempdir().unwrap();
    let run = |no_color: bool| {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("higress-claw"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap())
            .env("HOME", home.path())
            .env("TERM", "xterm")
            .args(["config", "remove", "--provider", "nope"]);
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let mut p = Session::spawn(cmd).unwrap();
        p.set_expect_timeout(Some(Duration::from_secs(20)));
        String::from_utf8_lossy(p.expect(Eof).unwrap().as_bytes()).into_owned()
    };
    let coloured = run(false);
    assert!(coloured.contains("\x1b[31;1merror"), "{coloured:?}");
    let plain = run(true);
    assert!(
        plain.contains("error: unknown provider") && !plain.contains("\x1b["),
        "{plain:?}"
    );
}

/// `start` with no provider flag on a terminal asks, then runs the gateway.
#[test]
fn start_asks_then_runs_the_gateway() {
    let Some(gw) = support::docker::Gateway::new("wizard") else {
        return;
    };
    let args: Vec<String> = gw
        .start_args()
        .into_iter()
        .filter(|a| a != "--non-interactive")
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut cmd = terminal_command(&args);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", gw.home.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("LANG", "en_US.UTF-8");
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(60)));
    p.expect("Which providers?").unwrap();
    for _ in 0..6 {
        p.send("\x1b[B").unwrap(); // DeepSeek
    }
    p.send(" ").unwrap();
    p.send("\r").unwrap();
    p.expect("DeepSeek API key").unwrap();
    type_hidden(&mut p, "sk-wizard-0004");
    p.expect("Enable auto-routing").unwrap();
    p.send("n").unwrap();
    p.expect("custom ports").unwrap();
    p.send("n").unwrap();
    p.expect("Higress AI Gateway is ready").unwrap();
    p.expect(Eof).unwrap();
    assert_eq!(
        support::docker::inspect(&gw.name, "{{.State.Running}}"),
        "true"
    );
    let proxy =
        std::fs::read_to_string(gw.data.join("wasmplugins/ai-proxy.internal.yaml")).unwrap();
    assert!(proxy.contains("sk-wizard-0004"), "{proxy}");
}

/// `delete --purge` without `--yes` asks on a terminal; no is the default.
#[test]
fn purge_asks_before_deleting_the_folder() {
    if !support::docker::engine_available("purge_asks") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let data = support::init_folder(home.path(), &["--deepseek-key", "sk-purge-0005"]);
    let name = support::docker::unique_name("purge-ask");
    for (answer, kept) in [("n", true), ("y", false)] {
        let mut p = spawn(
            home.path(),
            "en_US.UTF-8",
            &[
                "delete",
                "--purge",
                "--container-name",
                &name,
                "--data-dir",
                data.to_str().unwrap(),
            ],
        );
        p.expect("and all keys in it?").unwrap();
        p.send(answer).unwrap();
        let rest = String::from_utf8_lossy(p.expect(Eof).unwrap().as_bytes()).into_owned();
        assert_eq!(data.exists(), kept, "answer {answer}: {rest}");
        if kept {
            assert!(rest.contains("not deleted"), "{rest}");
        }
    }
}
