//! The documentation cannot rot: every `higress-claw …` command in the skills (the
//! plugin's, and the standalone one under skills/) and the README parses with the real
//! CLI, each skill's front matter names it, and each starts with the install that needs
//! no Rust.

use std::path::Path;

use clap::Parser;
use higress_claw::cli::Cli;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every skill folder: the plugin's and the standalone ones.
fn skill_dirs() -> Vec<std::path::PathBuf> {
    let mut dirs = Vec::new();
    for parent in ["plugin/skills", "skills"] {
        for entry in std::fs::read_dir(root().join(parent)).unwrap() {
            dirs.push(entry.unwrap().path());
        }
    }
    dirs.sort();
    assert!(
        dirs.iter().any(|d| d.ends_with("skills/higress-claw")),
        "the standalone skill skills/higress-claw is missing"
    );
    dirs
}

/// Command lines in fenced code blocks and inline code spans, continuations joined.
fn commands(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            let line = line.trim();
            if let Some(head) = line.strip_suffix('\\') {
                pending.push_str(head);
                pending.push(' ');
                continue;
            }
            pending.push_str(line);
            out.push(std::mem::take(&mut pending));
        } else {
            out.extend(line.split('`').skip(1).step_by(2).map(String::from));
        }
    }
    out.into_iter()
        .flat_map(|line| {
            // One shell line may chain several commands.
            let line = line.split(" # ").next().unwrap_or("").to_string();
            line.split("&&")
                .flat_map(|part| part.split(" | ").map(String::from).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        })
        .filter_map(|part| {
            let start = part.find("higress-claw ")?;
            // Only real invocations: the word starts the command (after env assignments).
            let before = part[..start].trim();
            if !before.is_empty() && !before.split_whitespace().all(|w| w.contains('=')) {
                return None;
            }
            // Drop an output redirection (`> file`); `<placeholder>`s stay.
            let command = part[start..]
                .split(" > ")
                .next()
                .unwrap()
                .trim()
                .to_string();
            Some(command)
        })
        .collect()
}

/// Placeholders become sample values: `<api-key>` → `sk-sample`, `sk-…` → `sk-sample`.
fn fill(command: &str) -> String {
    let re = regex::Regex::new(r"<([a-z-]+)>").unwrap();
    let filled = re.replace_all(command, |caps: &regex::Captures| match &caps[1] {
        "api-key" | "key" => "sk-sample".to_string(),
        "model" => "glm-5".to_string(),
        "p" | "provider" => "deepseek".to_string(),
        "message" => "hello".to_string(),
        other => format!("sample-{other}"),
    });
    // A lone `…` stands for "more flags".
    filled
        .replace("sk-…", "sk-sample")
        .replace("KEY", "sk-sample")
        .split(' ')
        .filter(|w| *w != "…")
        .collect::<Vec<_>>()
        .join(" ")
}

fn check(file: &Path) -> usize {
    let text = std::fs::read_to_string(file).unwrap();
    let mut checked = 0;
    for command in commands(&text) {
        let filled = fill(&command);
        let words = shlex::split(&filled)
            .unwrap_or_else(|| panic!("{}: cannot split {filled:?}", file.display()));
        match Cli::try_parse_from(&words) {
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    clap::error::ErrorKind::DisplayHelp
                        | clap::error::ErrorKind::DisplayVersion
                        // A command group named in prose (`higress-claw config`).
                        | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                ) => {}
            Err(e) => panic!("{}: `{command}` does not parse:\n{e}", file.display()),
        }
        checked += 1;
    }
    checked
}

#[test]
fn every_documented_command_parses() {
    let mut total = 0;
    for dir in skill_dirs() {
        let file = dir.join("SKILL.md");
        let n = check(&file);
        assert!(n >= 10, "{}: only {n} commands found", file.display());
        total += n;
    }
    let readme = check(&root().join("README.md"));
    assert!(readme >= 30, "README: only {readme} commands found");
    eprintln!(
        "{} commands parsed ({readme} from the README)",
        total + readme
    );
}

#[test]
fn a_renamed_flag_would_fail() {
    // The check itself must be able to fail.
    let words = shlex::split(&fill(
        "higress-claw config add --provider <p> --api-key <api-key>",
    ))
    .unwrap();
    assert!(Cli::try_parse_from(words).is_err());
    let found = commands(
        "```bash\nHIGRESS_CLAW_ZHIPUAI_KEY=<api-key> higress-claw start --non-interactive \\\n  --auto-routing\n```\nthen `higress-claw status --json` && echo",
    );
    assert_eq!(
        found,
        [
            "higress-claw start --non-interactive  --auto-routing",
            "higress-claw status --json"
        ]
    );
}

#[test]
fn skill_front_matter_names_the_skill() {
    for dir in skill_dirs() {
        let text = std::fs::read_to_string(dir.join("SKILL.md")).unwrap();
        let front = text
            .strip_prefix("---\n")
            .and_then(|t| t.split_once("\n---\n"))
            .map(|(f, _)| f);
        let front = front.unwrap_or_else(|| panic!("{}: no front matter", dir.display()));
        let meta: higress_claw::yaml::Value = higress_claw::yaml::from_str(front).unwrap();
        let name = meta["name"].as_str().unwrap();
        assert_eq!(
            name,
            dir.file_name().unwrap().to_str().unwrap(),
            "the name is the folder's"
        );
        let description = meta["description"].as_str().unwrap();
        assert!(description.len() > 80, "{name}: say when to use it");
        assert!(description.to_lowercase().contains("higress"), "{name}");
    }
    let integration =
        std::fs::read_to_string(root().join("plugin/skills/higress-openclaw-integration/SKILL.md"))
            .unwrap();
    for word in [
        "AI网关",
        "ai gateway",
        "model gateway",
        "auto-routing",
        "API keys",
    ] {
        assert!(
            integration.to_lowercase().contains(&word.to_lowercase()),
            "the description lacks {word:?}"
        );
    }
}

#[test]
fn skills_and_readme_start_with_the_install_without_rust() {
    const INSTALLER: &str = "releases/latest/download/higress-claw-installer.sh | sh";
    for dir in skill_dirs() {
        let file = dir.join("SKILL.md");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.contains("npm install -g higress-claw"),
            "{}: no npm install",
            file.display()
        );
        // The install is the first code block that runs anything of higress-claw.
        let first_block = text
            .split("```")
            .skip(1)
            .step_by(2)
            .find(|block| block.contains("higress-claw"))
            .unwrap_or_default();
        assert!(
            first_block.contains(INSTALLER),
            "{}: the first code block is not the install: {first_block}",
            file.display()
        );
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let head: String = readme.lines().take(8).collect::<Vec<_>>().join("\n");
    assert!(
        head.contains(INSTALLER),
        "the README does not open with the installer"
    );
    assert!(head.contains("higress-claw start"), "nor with the start");
    assert!(
        head.contains("scripts/test.sh"),
        "nor with the test command"
    );
}
