//! What can be checked of this host, the engine, the data folder and the gateway, for
//! `doctor`: each check a [`Finding`] with a verdict, what was seen, and the fix.
//! Checks never change anything, and a check that cannot run says so (`skip`) instead
//! of stopping the others.

use std::path::Path;

use crate::cli::port_flag;
use crate::docker::{Container, DockerError, Engine, LOOPBACK, Ports, readiness};
use crate::gateway::DataFolder;
use crate::gateway::problems::Problem;
use crate::gateway::settings::DeploymentSettings;
use crate::target::Target;

/// The all-in-one image and a few upgrades need about this much room.
const IMAGE_SPACE_BYTES: u64 = 3 << 30;
/// The all-in-one apiserver holds ~20 inotify instances; at the kernel's default of 128
/// a host with many containers runs out ("too many open files").
const INOTIFY_ADVISED: u64 = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Warn,
    Fail,
    Skip,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Skip => "skip",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub name: &'static str,
    pub verdict: Verdict,
    pub detail: String,
    pub fix: Option<String>,
}

fn check(
    name: &'static str,
    verdict: Verdict,
    detail: impl Into<String>,
    fix: Option<String>,
) -> Finding {
    Finding {
        name,
        verdict,
        detail: detail.into(),
        fix,
    }
}

/// Every check, in the order a person reads them: the engine, the container, ports,
/// inotify, disk, the folder and its configuration, the image, the container's
/// environment, and whether the gateway answers.
pub async fn run_all(target: &Target) -> Vec<Finding> {
    let mut checks = Vec::new();
    let engine = engine_checks(&mut checks).await;
    // A failing lookup is a finding like any other; the other checks still run.
    let container = match &engine {
        Some(engine) => match engine.find(&target.container).await {
            Ok(found) => found,
            Err(err) => {
                checks.push(check("container", Verdict::Fail, format!("{err:#}"), None));
                None
            }
        },
        None => None,
    };
    let dir = target.folder(engine.as_ref()).await;
    let folder = DataFolder::new(&dir);
    let settings = match folder.settings() {
        Ok(settings) => settings,
        Err(err) => {
            checks.push(check(
                "settings",
                Verdict::Fail,
                err.to_string(),
                Some("correct that line of default.cfg, or delete it to use the default".into()),
            ));
            None
        }
    };
    checks.push(ports_check(container.as_ref(), settings.as_ref()));
    checks.push(inotify_check());
    checks.push(disk_check(engine.as_ref(), &dir).await);
    checks.extend(folder_checks(&folder));
    if let Some(engine) = &engine {
        checks.push(image_check(engine, container.as_ref(), settings.as_ref()).await);
    }
    if let Some(c) = &container {
        checks.extend(container_env_check(c, target));
    }
    checks.push(readiness_check(container.as_ref()).await);
    checks
}

/// `8080 (--http-port), 8001 (--console-port)`.
fn ports_with_flags(ports: &[(crate::docker::PortRole, u16)]) -> String {
    ports
        .iter()
        .map(|(role, port)| format!("{port} ({})", port_flag(*role)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn ports_check(container: Option<&Container>, settings: Option<&DeploymentSettings>) -> Finding {
    let ports = container
        .and_then(|c| c.ports)
        .or(settings.map(|s| s.ports))
        .unwrap_or(Ports::DEFAULT);
    let ours = container.is_some_and(|c| c.state.is_running() && c.ports == Some(ports));
    if ours {
        return check(
            "ports",
            Verdict::Ok,
            format!("{} are used by our gateway", ports.list()),
            None,
        );
    }
    let bind = settings.map_or(LOOPBACK, DeploymentSettings::bind_address);
    let busy = ports.busy(bind);
    if busy.is_empty() {
        check(
            "ports",
            Verdict::Ok,
            format!("{} are free on {bind}", ports.list()),
            None,
        )
    } else {
        check(
            "ports",
            Verdict::Fail,
            format!(
                "in use by another program on {bind}: {}",
                ports_with_flags(&busy)
            ),
            Some("stop that program, or start with other ports (the flags named above)".into()),
        )
    }
}

fn inotify_check() -> Finding {
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

#[cfg(unix)]
fn free_bytes(path: &Path) -> Option<u64> {
    let mut probe = path;
    while !probe.exists() {
        probe = probe.parent()?;
    }
    let c_path = std::ffi::CString::new(probe.as_os_str().as_encoded_bytes()).ok()?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: c_path is a valid NUL-terminated string and stat a properly sized buffer.
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) };
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    (rc == 0).then(|| stat.f_bavail as u64 * stat.f_frsize as u64)
}

/// Not measured off Unix: the check says so instead of guessing.
#[cfg(not(unix))]
fn free_bytes(_path: &Path) -> Option<u64> {
    None
}

async fn disk_check(engine: Option<&Engine>, data_dir: &Path) -> Finding {
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
async fn engine_checks(checks: &mut Vec<Finding>) -> Option<Engine> {
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
                DockerError::NoAnswer { .. } => {
                    "restart the engine (Docker Desktop: restart it from its menu; Linux: `sudo systemctl restart docker`), or point DOCKER_HOST at the right one; then run doctor again"
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
) -> Finding {
    let image = match (container, settings) {
        (Some(c), _) => c.image.clone(),
        (None, Some(s)) => s.image(),
        (None, None) => DeploymentSettings::defaults().image(),
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
fn container_env_check(c: &Container, target: &Target) -> Option<Finding> {
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
                target = target.flags()
            )),
        )
    })
}

fn folder_checks(folder: &DataFolder) -> Vec<Finding> {
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
    out.push(if !folder.holds_gateway() {
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
    });
    match folder.problems() {
        Ok(problems) if problems.is_empty() => out.push(check(
            "configuration",
            Verdict::Ok,
            "every file parses; each provider has one route of its own",
            None,
        )),
        Ok(problems) => {
            out.extend(problems.into_iter().map(problem_finding));
        }
        Err(err) => out.push(check("configuration", Verdict::Fail, err.to_string(), None)),
    }
    out
}

async fn readiness_check(container: Option<&Container>) -> Finding {
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
    let seen = readiness::probe(
        &readiness::Hosts::of(c.bind, c.console_bind),
        ports.http,
        ports.console,
    )
    .await;
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

/// What a problem of the folder means for the gateway, and the command that fixes it.
fn problem_finding(problem: Problem) -> Finding {
    match problem {
        Problem::Unparseable { path, message } => check(
            "configuration",
            Verdict::Fail,
            format!("{path} does not parse ({message}); Higress keeps the old version of it"),
            Some("fix the file, or restore it from a backup".into()),
        ),
        Problem::Placeholder { provider } => check(
            "configuration",
            Verdict::Warn,
            format!(
                "{provider} has a placeholder YOUR_…_API_KEY token (left by get-ai-gateway.sh)"
            ),
            Some(format!(
                "higress-claw config remove --provider {provider}, or config add --provider {provider} --key KEY"
            )),
        ),
        Problem::SameModels {
            first,
            second,
            example,
        } => check(
            "configuration",
            Verdict::Fail,
            format!(
                "{first} and {second} both claim {}: the gateway picks one of them by ingress order",
                if example.is_empty() {
                    "the same models".to_string()
                } else {
                    format!("models such as {example:?}")
                }
            ),
            Some(format!(
                "higress-claw config add --provider {second} --models OTHER-PATTERN"
            )),
        ),
        problem @ (Problem::Interrupted { .. }
        | Problem::Damaged { .. }
        | Problem::Partial { .. }
        | Problem::BrokenFallback { .. }) => integrity_finding(problem),
        Problem::UnservedTarget { what, model } => check(
            "auto-routing",
            Verdict::Fail,
            format!(
                "auto-routing sends {what} to {model:?}, which no configured provider serves: they fail"
            ),
            Some(format!(
                "add a provider that serves {model} (`higress-claw config add`), or change the route (`higress-claw route enable --default-model MODEL`, `route remove`)"
            )),
        ),
    }
}

/// What an edit cut off or a damaged file leaves: always a failed configuration check.
fn integrity_finding(problem: Problem) -> Finding {
    match problem {
        Problem::Interrupted { files } => check(
            "configuration",
            Verdict::Fail,
            format!(
                "an edit was cut off before it wrote all of {}",
                files.join(", ")
            ),
            Some("higress-claw repair (or the next edit) finishes it from its journal".into()),
        ),
        Problem::Damaged {
            path,
            line,
            problem,
        } => check(
            "configuration",
            Verdict::Fail,
            format!(
                "{path}{} {problem}; edits and export refuse the folder until it is fixed",
                line.map(|l| format!(":{l}")).unwrap_or_default()
            ),
            Some(
                "restore the file from a backup, or rewrite the folder with `higress-claw init --force` and every provider's flags"
                    .into(),
            ),
        ),
        Problem::Partial {
            provider,
            present,
            missing,
        } => check(
            "configuration",
            Verdict::Fail,
            format!(
                "{provider} is incomplete: it has its {} but no {} (an edit was cut off)",
                present.join(", "),
                missing.join(", ")
            ),
            Some("higress-claw repair (finishes or removes it)".into()),
        ),
        Problem::BrokenFallback { provider, problem } => check(
            "configuration",
            Verdict::Fail,
            format!("the fallback of the {provider} route {problem} (an edit was cut off)"),
            Some("higress-claw repair (removes it; add it again with `config add --fallback`)".into()),
        ),
        other => unreachable!("not an integrity problem: {other:?}"),
    }
}
