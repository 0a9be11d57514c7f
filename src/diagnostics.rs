//! From an error to what the user sees: its exit status and the hint that fixes it.
//!
//! Domain errors stay typed up to here and say what is wrong in the gateway's terms;
//! this is the one place that knows which flag or command fixes each of them, because
//! that depends on the command line (`init` takes `--deepseek-key`, `config add` takes
//! `--key`). Bad input of any kind exits 2, everything else 1.

use crate::cli::Command;
use crate::docker::PortError;
use crate::env_vars;
use crate::gateway::catalog::{ProviderSpec, Setting};
use crate::gateway::client_keys::{KeyError, Unprotected};
use crate::gateway::models::UserModelsError;
use crate::gateway::plan::{Overlap, PlanError, WriteError};
use crate::gateway::provider::Credential;
use crate::gateway::rules::RuleError;
use crate::gateway::serving::ServingError;
use crate::gateway::store::StoreError;
use crate::gateway::{FolderError, ProviderError, catalog};
use crate::openclaw::OpenClawError;
use crate::target::Target;
use crate::workspace::WorkspaceError;

use crate::cli::port_flag;

/// The exit-code contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// The command did what was asked.
    Success = 0,
    /// It could not: the engine, the network, a file, the gateway.
    Failure = 1,
    /// The input was wrong: a flag, a value, a folder that is not a gateway's.
    Usage = 2,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status as u8)
    }
}

/// Bad input that only the command line can name: a flag combination, a value for a
/// flag. Exits with 2, like a clap usage error.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UsageError {
    message: String,
}

impl UsageError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// Which kind of command line produced the error, for hints that name flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// `init` and `start`: providers come from `--<provider>-key` and friends.
    ProviderFlags,
    /// `config add`: `--provider P --key K --models M --extra-config F=V`.
    ConfigAdd,
    Other,
}

impl Context {
    pub fn of(command: &Command) -> Self {
        match command {
            Command::Init(_) | Command::Start(_) => Context::ProviderFlags,
            Command::Config(crate::cli::ConfigCommand::Add(_)) => Context::ConfigAdd,
            _ => Context::Other,
        }
    }
}

/// The chain of `err`, with the errors that wrappers marked `transparent` hide (they
/// delegate `source()` past the error they wrap) put back in.
fn causes(err: &anyhow::Error) -> Vec<&(dyn std::error::Error + 'static)> {
    let mut out = Vec::new();
    for cause in err.chain() {
        out.push(cause);
        let mut inner: &(dyn std::error::Error + 'static) = cause;
        loop {
            let next: Option<&(dyn std::error::Error + 'static)> =
                match inner.downcast_ref::<WriteError>() {
                    Some(WriteError::Folder(e)) => Some(e),
                    Some(WriteError::Plan(e)) => Some(e),
                    None => match inner.downcast_ref::<FolderError>() {
                        Some(FolderError::Store(e)) => Some(e),
                        _ => match inner.downcast_ref::<KeyError>() {
                            Some(KeyError::Folder(e)) => Some(e),
                            _ => match inner.downcast_ref::<ServingError>() {
                                Some(ServingError::Folder(e)) => Some(e),
                                _ => None,
                            },
                        },
                    },
                };
            match next {
                Some(e) => {
                    out.push(e);
                    inner = e;
                }
                None => break,
            }
        }
    }
    out
}

/// 2 when anything in the chain is bad input, else 1.
pub fn exit_status(err: &anyhow::Error) -> ExitStatus {
    let bad_input = causes(err).into_iter().any(|cause| {
        cause.is::<UsageError>()
            || cause.is::<ProviderError>()
            || cause.is::<PlanError>()
            || cause.is::<Overlap>()
            || cause.is::<PortError>()
            || matches!(cause.downcast_ref::<KeyError>(), Some(e) if !matches!(e, KeyError::Folder(_)))
            || cause.is::<RuleError>()
            || cause.is::<crate::gateway::fallback::FallbackError>()
            || cause.is::<crate::gateway::resilience::ResilienceError>()
            || cause.is::<Unprotected>()
            || matches!(
                cause.downcast_ref::<ServingError>(),
                Some(ServingError::NoProvider { .. } | ServingError::NoModel)
            )
            || matches!(
                cause.downcast_ref::<FolderError>(),
                Some(FolderError::Foreign { .. } | FolderError::NotConfigured { .. })
            )
            || matches!(
                cause.downcast_ref::<StoreError>(),
                Some(StoreError::DanglingLink { .. })
            )
            || matches!(
                cause.downcast_ref::<WorkspaceError>(),
                Some(
                    WorkspaceError::BadMode { .. }
                        | WorkspaceError::NoContainer { .. }
                        | WorkspaceError::Stopped { .. }
                )
            )
    });
    if bad_input {
        ExitStatus::Usage
    } else {
        ExitStatus::Failure
    }
}

/// What to do about `err`, when this layer knows better than the error itself.
pub fn hint(err: &anyhow::Error, context: Context, target: &Target) -> Option<String> {
    causes(err).into_iter().find_map(|cause| {
        if let Some(e) = cause.downcast_ref::<ProviderError>() {
            return provider_hint(e, context);
        }
        if let Some(e) = cause.downcast_ref::<PlanError>() {
            return Some(plan_hint(e));
        }
        if let Some(e) = cause.downcast_ref::<Overlap>() {
            return Some(overlap_hint(e, context));
        }
        if let Some(e) = cause.downcast_ref::<PortError>() {
            return Some(port_hint(e));
        }
        if let Some(e) = cause.downcast_ref::<FolderError>() {
            return folder_hint(e, target);
        }
        if let Some(e) = cause.downcast_ref::<WorkspaceError>() {
            return Some(workspace_hint(e, target));
        }
        if let Some(e) = cause.downcast_ref::<OpenClawError>() {
            return openclaw_hint(e);
        }
        if let Some(e) = cause.downcast_ref::<RuleError>() {
            return rule_hint(e);
        }
        if let Some(e) = cause.downcast_ref::<Unprotected>() {
            let flags = target.flags();
            let first = match e.new_folder {
                true => format!(" (this folder is new: write it first with `higress-claw init{flags} <provider flags>`)"),
                false => String::new(),
            };
            return Some(format!(
                "add a key first: higress-claw keys add NAME{flags}{first}; clients then send it as `Authorization: Bearer <key>`. To publish it open anyway, pass --allow-unauthenticated"
            ));
        }
        match cause.downcast_ref::<ServingError>() {
            Some(ServingError::NoProvider { .. }) => {
                return Some("add one: higress-claw config add --provider P --key K".into());
            }
            Some(ServingError::NoModel) => {
                return Some("give a provider a model list (`config add --provider P --models 'model-a,model-b'`), add one with `higress-claw models set MODEL`, or enable auto-routing".into());
            }
            _ => {}
        }
        if let Some(UserModelsError::Parse { .. }) = cause.downcast_ref::<UserModelsError>() {
            return Some(format!(
                "correct it, or remove it to start over ({} names another file)",
                env_vars::MODELS_FILE
            ));
        }
        None
    })
}

/// What fixes a failed `openclaw` command, when its output says.
fn openclaw_hint(err: &OpenClawError) -> Option<String> {
    let again = "then run `higress-claw openclaw setup` again";
    match err {
        OpenClawError::Failed { stderr, .. } if stderr.contains("legacy credential migration") => {
            Some(format!(
                "run `openclaw doctor --fix` (it imports the old credentials), {again}"
            ))
        }
        OpenClawError::Failed { stderr, .. } if stderr.contains("upgrade is unfinished") => Some(
            format!("run `openclaw update repair` and `openclaw doctor --fix`, {again}"),
        ),
        OpenClawError::Invalid { .. } => Some(format!(
            "`openclaw config validate` shows the problem and `openclaw doctor --fix` repairs most; {again}"
        )),
        _ => None,
    }
}

fn rule_hint(err: &RuleError) -> Option<String> {
    match err {
        RuleError::TooManyStates { .. } => Some(
            "remove some (`higress-claw route list`, `route remove`) or simplify the pattern"
                .into(),
        ),
        RuleError::NoSuchRule { .. } => Some("see `higress-claw route list`".into()),
        RuleError::NoDefaultModel => {
            Some("name one: higress-claw route enable --default-model MODEL".into())
        }
        RuleError::EmptyModel | RuleError::RoutesToItself | RuleError::NoRules { .. } => None,
    }
}

fn plan_hint(err: &PlanError) -> String {
    match err {
        PlanError::EmptyDefaultModel | PlanError::NoDefaultModel => {
            "name one with --auto-routing-default-model MODEL, e.g. glm-5".into()
        }
        PlanError::DefaultIsAuto => {
            "name a concrete model with --auto-routing-default-model, e.g. glm-5".into()
        }
        PlanError::Overlap(overlap) => overlap_hint(overlap, Context::ProviderFlags),
    }
}

fn overlap_hint(err: &Overlap, context: Context) -> String {
    let stem = catalog::find(err.second_id).map_or(err.second_id, |s| s.flag_stem);
    match context {
        Context::ProviderFlags => {
            format!("give one of them other patterns with --{stem}-models")
        }
        _ => format!(
            "give one of them other patterns with --models (e.g. higress-claw config add --provider {} --models 'PATTERN')",
            err.second_id
        ),
    }
}

fn port_hint(err: &PortError) -> String {
    match err {
        PortError::Zero { role } => {
            format!("pass a port from 1 to 65535 with {}", port_flag(*role))
        }
        PortError::Clash { .. } => {
            "change one with --http-port, --https-port or --console-port".into()
        }
        PortError::NotAnAddress { .. } => {
            "pass one of this host's addresses with --bind (0.0.0.0 for all of them)".into()
        }
        PortError::InUse { role, .. } => format!(
            "stop what listens there, or pick another port with {} PORT",
            port_flag(*role)
        ),
    }
}

fn folder_hint(err: &FolderError, target: &Target) -> Option<String> {
    if let FolderError::Partial { .. } = err {
        return Some(format!(
            "higress-claw repair{} finishes or removes it",
            target.flags()
        ));
    }
    match err {
        FolderError::Foreign { .. } => {
            Some("choose a new or empty folder with --data-dir".into())
        }
        FolderError::Settings { reason, .. } => Some(format!(
            "correct {} in default.cfg, or delete that line to use the default",
            reason.key
        )),
        FolderError::Damaged { .. } => Some(
            "restore the file from a backup, or rewrite the folder with `higress-claw init --force` and every provider's flags (`higress-claw doctor` lists all damage)"
                .into(),
        ),
        FolderError::NotConfigured { .. } => Some(
            "create one with `higress-claw init` or `higress-claw start`, or point at yours with --data-dir"
                .into(),
        ),
        _ => None,
    }
}

fn workspace_hint(err: &WorkspaceError, target: &Target) -> String {
    match err {
        WorkspaceError::BadMode { .. } => format!(
            "set {} to auto, host or container, or unset it",
            env_vars::WRITE_THROUGH
        ),
        WorkspaceError::NoContainer { .. } => {
            "start the gateway first, or unset the variable to edit the folder on this host".into()
        }
        WorkspaceError::Stopped { .. } => {
            format!("start it first: higress-claw start{}", target.flags())
        }
        WorkspaceError::NoEngine { .. } => "name the folder with --data-dir".into(),
        WorkspaceError::ChangedMeanwhile { .. } | WorkspaceError::Rename { .. } => {
            "run the command again".into()
        }
    }
}

/// The flags that fix a provider's configuration, in the command's own terms.
fn provider_hint(err: &ProviderError, context: Context) -> Option<String> {
    let flags = match context {
        Context::ConfigAdd => Flags::ConfigAdd,
        _ => Flags::Provider,
    };
    match err {
        ProviderError::MissingKey { spec } => Some(flags.key_hint(spec)),
        ProviderError::KeyNotTaken { spec } => Some(match flags {
            Flags::Provider => format!("leave out --{}-key", spec.flag_stem),
            Flags::ConfigAdd => "leave out --key".into(),
        }),
        ProviderError::MissingSetting { setting, .. } => {
            Some(format!("pass {}", flags.setting(setting)))
        }
        ProviderError::NoCredentials { spec, ways } => {
            let ways: Vec<String> = ways
                .iter()
                .map(|way| {
                    way.iter()
                        .map(|part| flags.credential(spec, *part))
                        .collect::<Vec<_>>()
                        .join(" and ")
                })
                .collect();
            Some(format!("pass {}", ways.join(", or ")))
        }
        ProviderError::Invalid {
            provider,
            field: Some(field),
            ..
        } => {
            let spec = catalog::PROVIDERS
                .iter()
                .find(|s| s.display_name == *provider)?;
            let setting = spec.setting(field)?;
            Some(format!("correct it with {}", flags.setting(setting)))
        }
        ProviderError::UnknownSetting { .. } => Some("see `higress-claw config add --help`".into()),
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum Flags {
    /// `--deepseek-key`, `--azure-service-url`.
    Provider,
    /// `--key`, `--extra-config azureServiceUrl=…`.
    ConfigAdd,
}

impl Flags {
    fn key_hint(self, spec: &ProviderSpec) -> String {
        let var = env_vars::provider_key_var(spec.flag_stem);
        match self {
            Flags::Provider => format!("pass --{}-key KEY (or set {var})", spec.flag_stem),
            Flags::ConfigAdd => {
                format!("pass --key KEY (or `--key -` to read it from stdin, or set {var})")
            }
        }
    }

    fn setting(self, setting: &Setting) -> String {
        match self {
            Flags::Provider => format!("--{} VALUE", setting.flag),
            Flags::ConfigAdd => format!("--extra-config {}=VALUE", setting.field),
        }
    }

    fn credential(self, spec: &ProviderSpec, part: Credential) -> String {
        match (self, part) {
            (Flags::Provider, Credential::Key) => format!("--{}-key KEY", spec.flag_stem),
            (Flags::ConfigAdd, Credential::Key) => "--key KEY".into(),
            (_, Credential::Setting(field)) => match spec.setting(field) {
                Some(setting) => self.setting(setting),
                None => field.to_string(),
            },
        }
    }
}

/// The catalog provider `name` (an id or alias), or a usage error with the nearest
/// name and every known one.
pub fn find_provider(name: &str) -> anyhow::Result<&'static ProviderSpec> {
    catalog::find(name).ok_or_else(|| {
        let hint = catalog::suggest(name)
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        let known: Vec<String> = catalog::PROVIDERS
            .iter()
            .map(|p| {
                let others: Vec<&str> = p.names().skip(1).filter(|n| *n != p.id).collect();
                if others.is_empty() {
                    p.id.to_string()
                } else {
                    format!("{} ({})", p.id, others.join(", "))
                }
            })
            .collect();
        UsageError::new(format!(
            "unknown provider {name:?}; {hint}known providers: {}",
            known.join(", ")
        ))
        .into()
    })
}
