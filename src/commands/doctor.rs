//! `higress-claw doctor`: every check that explains a gateway that does not work, each
//! with a verdict and the fix. Exits 1 when any check fails (warnings do not).

use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::Path;

use serde::Serialize;

use super::resolve_data_dir;
use super::start::{image_name, probe_host};
use crate::cli::GlobalArgs;
use crate::docker::{Container, DockerError, Engine, Ports, readiness};
use crate::gateway::folder::Problem;
use crate::gateway::settings::DeploymentSettings;
use crate::gateway::{DataFolder, paths};
use crate::printer::Printer;

/// The all-in-one image and a few upgrades need about this much room.
const IMAGE_SPACE_BYTES: u64 = 3 << 30;
/// The all-in-one apiserver holds ~20 inotify instances; at the kernel's default of 128
/// a host with many containers runs out ("too many open files").
const INOTIFY_ADVISED: u64 = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    Ok,
    Warn,
    Fail,
    Skip,
}

#[derive(Debug, Serialize)]
struct Check {
    name: &'static str,
    verdict: Verdict,
    detail: String,
    fix: Option<String>,
}

#[derive(Serialize)]
struct DoctorReport {
    ok: bool,
    checks: Vec<Check>,
}

fn check(
    name: &'static str,
    verdict: Verdict,
    detail: impl Into<String>,
    fix: Option<String>,
) -> Check {
    Check {
        name,
        verdict,
        detail: detail.into(),
        fix,
    }
}

pub async fn run(global: &GlobalArgs, printer: Printer) -> anyhow::Result<()> {
    let mut checks = Vec::new();
    let engine = engine_checks(&mut checks).await;
    // A failing lookup is a finding like any other; the other checks still run.
    let container = match &engine {
        Some(engine) => match engine.find(&global.container_name).await {
            Ok(found) => found,
            Err(err) => {
                checks.push(check("container", Verdict::Fail, format!("{err:#}"), None));
                None
            }
        },
        None => None,
    };
    let dir = resolve_data_dir(global, engine.as_ref()).await;
    let folder = DataFolder::new(&dir);
    let settings = folder.settings().ok().flatten();
    checks.push(ports_check(container.as_ref(), settings.as_ref()));
    checks.push(inotify_check());
    checks.push(disk_check(engine.as_ref(), &dir).await);
    checks.extend(folder_checks(&folder));
    if let Some(engine) = &engine {
        checks.push(image_check(engine, container.as_ref(), settings.as_ref()).await);
    }
    if let Some(c) = &container {
        checks.extend(container_env_check(c, global));
    }
    checks.push(readiness_check(container.as_ref()).await);

    let ok = !checks.iter().any(|c| c.verdict == Verdict::Fail);
    let report = DoctorReport { ok, checks };
    printer.json(&report);
    let mut text = String::new();
    for c in &report.checks {
        let mark = match c.verdict {
            Verdict::Ok => "ok  ",
            Verdict::Warn => "warn",
            Verdict::Fail => "FAIL",
            Verdict::Skip => "skip",
        };
        text.push_str(&format!("[{mark}] {:<14} {}\n", c.name, c.detail));
        if let Some(fix) = &c.fix
            && c.verdict != Verdict::Ok
        {
            text.push_str(&format!("       {:<14} fix: {fix}\n", ""));
        }
    }
    printer.data(text.trim_end());
    if ok {
        Ok(())
    } else {
        let failed: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| c.verdict == Verdict::Fail)
            .map(|c| c.name)
            .collect();
        anyhow::bail!("{} check(s) failed: {}", failed.len(), failed.join(", "))
    }
}

fn ports_check(container: Option<&Container>, settings: Option<&DeploymentSettings>) -> Check {
    let ports = container
        .and_then(|c| c.ports)
        .or(settings.map(|s| s.ports))
        .unwrap_or(Ports::DEFAULT);
    let ours = container.is_some_and(|c| c.state.is_running() && c.ports == Some(ports));
    if ours {
        return check(
            "ports",
            Verdict::Ok,
            format!(
                "{}, {}, {} are used by our gateway",
                ports.http, ports.https, ports.console
            ),
            None,
        );
    }
    let bind = settings
        .and_then(|s| s.bind)
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let busy: Vec<String> = [
        ("--http-port", ports.http),
        ("--https-port", ports.https),
        ("--console-port", ports.console),
    ]
    .iter()
    .filter(|(_, port)| TcpListener::bind((bind, *port)).is_err())
    .map(|(flag, port)| format!("{port} ({flag})"))
    .collect();
    if busy.is_empty() {
        check(
            "ports",
            Verdict::Ok,
            format!(
                "{}, {}, {} are free on {bind}",
                ports.http, ports.https, ports.console
            ),
            None,
        )
    } else {
        check(
            "ports",
            Verdict::Fail,
            format!("in use by another program on {bind}: {}", busy.join(", ")),
            Some("stop that program, or start with other ports (the flags named above)".into()),
        )
    }
}

fn inotify_check() -> Check {
    let path = "/proc/sys/fs/inotify/max_user_instances";
    match std::fs::read_to_string(path)
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok())
    {
        Some(n) if n >= INOTIFY_ADVISED => check(
            "inotify",
            Verdict::Ok,
            format!("max_user_instances = {n}"),
            None,
        ),
        Some(n) => check(
            "inotify",
            Verdict::Warn,
            format!(
                "max_user_instances = {n}: the gateway's file watchers need ~20, and hosts with many containers hit \"too many open files\" at 128"
            ),
            Some(
                "sudo sysctl fs.inotify.max_user_instances=8192 (and add it to /etc/sysctl.conf)"
                    .into(),
            ),
        ),
        None => check(
            "inotify",
            Verdict::Skip,
            format!("{path} is not readable here (not Linux?)"),
            None,
        ),
    }
}

fn free_bytes(path: &Path) -> Option<u64> {
    let mut probe = path;
    while !probe.exists() {
        probe = probe.parent()?;
    }
    let c_path = std::ffi::CString::new(probe.as_os_str().as_encoded_bytes()).ok()?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: c_path is a valid NUL-terminated string and stat a properly sized buffer.
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) };
    (rc == 0).then(|| stat.f_bavail as u64 * stat.f_frsize as u64)
}

async fn disk_check(engine: Option<&Engine>, data_dir: &Path) -> Check {
    let root = match engine {
        Some(engine) => engine.root_dir().await,
        None => None,
    };
    let path = root
        .as_deref()
        .map(Path::new)
        .filter(|p| p.exists())
        .unwrap_or(data_dir);
    match free_bytes(path) {
        Some(free) if free >= IMAGE_SPACE_BYTES => check(
            "disk",
            Verdict::Ok,
            format!(
                "{:.1} GiB free at {}",
                free as f64 / (1u64 << 30) as f64,
                path.display()
            ),
            None,
        ),
        Some(free) => check(
            "disk",
            Verdict::Fail,
            format!(
                "only {:.1} GiB free at {}; the image needs about 3 GiB",
                free as f64 / (1u64 << 30) as f64,
                path.display()
            ),
            Some("free disk space (e.g. `docker system prune`)".into()),
        ),
        None => check(
            "disk",
            Verdict::Skip,
            format!("cannot measure free space at {}", path.display()),
            None,
        ),
    }
}

/// The engine answers (and its version), or why not and what to do; Docker Desktop.
async fn engine_checks(checks: &mut Vec<Check>) -> Option<Engine> {
    match Engine::connect().await {
        Ok(engine) => {
            let version = engine.server_version().await.unwrap_or_default();
            checks.push(check(
                "docker",
                Verdict::Ok,
                format!(
                    "engine {} (API {}) at {}",
                    version.0,
                    version.1,
                    engine.endpoint().describe()
                ),
                None,
            ));
            if engine.endpoint().is_docker_desktop() {
                checks.push(check(
                    "docker-desktop",
                    Verdict::Warn,
                    "Docker Desktop: host writes to the data folder may not reach the gateway's file watcher",
                    Some("nothing to do: config and route write through the container here".into()),
                ));
            }
            Some(engine)
        }
        Err(err) => {
            let fix = match err {
                DockerError::PermissionDenied { .. } => {
                    "add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again), or run as root"
                }
                _ => {
                    "install Docker and start it (or point DOCKER_HOST at it); then run doctor again"
                }
            };
            checks.push(check(
                "docker",
                Verdict::Fail,
                err.to_string(),
                Some(fix.into()),
            ));
            None
        }
    }
}

/// The image the gateway runs (or would be created from) is here.
async fn image_check(
    engine: &Engine,
    container: Option<&Container>,
    settings: Option<&DeploymentSettings>,
) -> Check {
    let image = match (container, settings) {
        (Some(c), _) => c.image.clone(),
        (None, Some(s)) => image_name(s),
        (None, None) => image_name(&DeploymentSettings::from_text("")),
    };
    match engine.image_exists(&image).await {
        Ok(true) => check("image", Verdict::Ok, format!("{image} is present"), None),
        Ok(false) => check(
            "image",
            Verdict::Warn,
            format!("{image} is not pulled yet; `start` pulls it (about 1.5 GB)"),
            Some("if pulls fail, choose a nearer registry with --image-repo".into()),
        ),
        Err(err) => check("image", Verdict::Fail, format!("{err:#}"), None),
    }
}

/// API keys in the container's environment (get-ai-gateway.sh passes them there), which
/// `docker inspect` shows to anyone who can use Docker.
fn container_env_check(c: &Container, global: &GlobalArgs) -> Option<Check> {
    let keyed: Vec<&str> = c
        .env
        .iter()
        .filter_map(|e| e.split_once('='))
        .filter(|(k, v)| k.ends_with("_API_KEY") && !v.is_empty())
        .map(|(k, _)| k)
        .collect();
    (!keyed.is_empty()).then(|| {
        check(
            "container-env",
            Verdict::Warn,
            format!(
                "{} carries API keys in its environment ({}), visible to `docker inspect`",
                c.name,
                keyed.join(", ")
            ),
            Some(format!(
                "recreate it without them (the keys stay in the data folder): higress-claw delete --force{target} && higress-claw start{target}",
                target = super::target_flags(global)
            )),
        )
    })
}

fn folder_checks(folder: &DataFolder) -> Vec<Check> {
    let dir = folder.root().display().to_string();
    if folder.root().is_file() {
        return vec![check(
            "data-folder",
            Verdict::Fail,
            format!("{dir} is a file"),
            Some("pass a folder with --data-dir".into()),
        )];
    }
    if !folder.root().exists() {
        return vec![check(
            "data-folder",
            Verdict::Warn,
            format!("{dir} does not exist yet"),
            Some("higress-claw start --zhipuai-key KEY (or init) creates it".into()),
        )];
    }
    let mut out = Vec::new();
    let writable = tempfile::tempfile_in(folder.root()).is_ok();
    out.push(
        if !folder.is_configured() && !folder.store().exists(paths::AI_PROXY) {
            check(
                "data-folder",
                Verdict::Warn,
                format!("{dir} is not configured"),
                Some("higress-claw init --zhipuai-key KEY".into()),
            )
        } else if writable {
            check(
                "data-folder",
                Verdict::Ok,
                format!("{dir} is configured and writable"),
                None,
            )
        } else {
            check(
                "data-folder",
                Verdict::Warn,
                format!("{dir} is not writable by this user"),
                Some("changes will go through the container; or fix the folder's owner".into()),
            )
        },
    );
    match folder.problems() {
        Ok(problems) if problems.is_empty() => out.push(check(
            "configuration",
            Verdict::Ok,
            "every file parses; each provider has one route of its own",
            None,
        )),
        Ok(problems) => {
            for p in problems {
                out.push(match p {
                    Problem::Unparseable { path, message } => check(
                        "configuration",
                        Verdict::Fail,
                        format!("{path} does not parse ({message}); Higress keeps the old version of it"),
                        Some("fix the file, or restore it from a backup".into()),
                    ),
                    Problem::Placeholder { provider } => check(
                        "configuration",
                        Verdict::Warn,
                        format!("{provider} has a placeholder YOUR_…_API_KEY token (left by get-ai-gateway.sh)"),
                        Some(format!("higress-claw config remove --provider {provider}, or config add --provider {provider} --key KEY")),
                    ),
                    Problem::SameModels { first, second, route } => check(
                        "configuration",
                        Verdict::Fail,
                        format!("{first} and {second} both claim the models {route}"),
                        Some(format!("higress-claw config add --provider {second} --models OTHER-PATTERN")),
                    ),
                    Problem::Unrouted { provider } => check(
                        "configuration",
                        Verdict::Fail,
                        format!("{provider} has no ingress, so no request reaches it"),
                        Some(format!("higress-claw config add --provider {provider} (rewrites its route)")),
                    ),
                    Problem::UnservedTarget { what, model } => check(
                        "auto-routing",
                        Verdict::Fail,
                        format!("auto-routing sends {what} to {model:?}, which no configured provider serves: they fail"),
                        Some(format!("add a provider that serves {model} (`higress-claw config add`), or change the route (`higress-claw route enable --default-model MODEL`, `route remove`)")),
                    ),
                });
            }
        }
        Err(err) => out.push(check("configuration", Verdict::Fail, err.to_string(), None)),
    }
    out
}

async fn readiness_check(container: Option<&Container>) -> Check {
    let Some(c) = container else {
        return check(
            "gateway",
            Verdict::Skip,
            "no gateway container",
            Some("higress-claw start".into()),
        );
    };
    if !c.state.is_running() {
        return check(
            "gateway",
            Verdict::Warn,
            format!("{} is not running", c.name),
            Some("higress-claw start".into()),
        );
    }
    let Some(ports) = c.ports else {
        return check(
            "gateway",
            Verdict::Fail,
            format!("cannot read the published ports of {}", c.name),
            None,
        );
    };
    let seen = readiness::probe(&probe_host(c.bind.as_deref()), ports.http, ports.console).await;
    match (seen.gateway, seen.console) {
        (true, true) => check(
            "gateway",
            Verdict::Ok,
            format!(
                "gateway :{} and console :{} answer",
                ports.http, ports.console
            ),
            None,
        ),
        _ => check(
            "gateway",
            Verdict::Fail,
            format!(
                "gateway :{} {}, console :{} {}",
                ports.http,
                if seen.gateway {
                    "answers"
                } else {
                    "does not answer"
                },
                ports.console,
                if seen.console {
                    "answers"
                } else {
                    "does not answer"
                }
            ),
            Some("higress-claw logs --tail 100".into()),
        ),
    }
}
