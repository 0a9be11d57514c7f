//! The provider flags of `init` and `start` (`--<p>-key`, `--<p>-models`, companion
//! settings), generated from the catalog rather than declared one by one.

/// Every provider's flags (`--<p>-key`, `--<p>-models`, companion settings), generated
/// from the catalog. Values are kept by flag name; `commands::flags` interprets them.
#[derive(Clone, Default)]
pub struct ProviderFlags {
    pub values: std::collections::BTreeMap<String, String>,
}

/// Names only: most of these values are keys.
impl std::fmt::Debug for ProviderFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.values.keys()).finish()
    }
}

impl ProviderFlags {
    pub fn get(&self, flag: &str) -> Option<&str> {
        self.values.get(flag).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Every flag name this struct adds, in catalog order.
    pub fn flag_names() -> Vec<String> {
        provider_args()
            .into_iter()
            .map(|a| a.get_id().to_string())
            .collect()
    }
}

const PROVIDER_HEADING: &str = "Providers (each key flag also reads HIGRESS_CLAW_<PROVIDER>_KEY)";

fn provider_args() -> Vec<clap::Arg> {
    use crate::gateway::catalog::PROVIDERS;
    use clap::{Arg, ArgAction};
    let mut args = Vec::new();
    for p in PROVIDERS {
        let key = format!("{}-key", p.flag_stem);
        let mut key_arg = Arg::new(key.clone())
            .long(key)
            .value_name("KEY")
            .help_heading(PROVIDER_HEADING)
            .action(ArgAction::Set);
        key_arg = if p.takes_keys() {
            key_arg
                .env(crate::env_vars::provider_key_var(p.flag_stem))
                .hide_env_values(true)
                .help(p.key_help.map_or_else(
                    || format!("{} API key(s), comma-separated", p.display_name),
                    str::to_string,
                ))
        } else {
            // Hidden: the plugin sends no key to it; given anyway, it is refused with
            // the reason instead of an unknown-flag error.
            key_arg.hide(true)
        };
        if let Some(alt) = p.alt_key {
            key_arg = key_arg.conflicts_with(format!("{}-key", alt.flag_stem));
        }
        args.push(key_arg);
        if let Some(alt) = p.alt_key {
            let alt_flag = format!("{}-key", alt.flag_stem);
            args.push(
                Arg::new(alt_flag.clone())
                    .long(alt_flag)
                    .value_name("TOKEN")
                    .env(crate::env_vars::provider_key_var(alt.flag_stem))
                    .hide_env_values(true)
                    .help(alt.help)
                    .help_heading(PROVIDER_HEADING),
            );
        }
        let models = format!("{}-models", p.flag_stem);
        args.push(
            Arg::new(models.clone())
                .long(models)
                .value_name("PATTERN")
                .value_parser(crate::values::model_pattern)
                .help(format!(
                    "{} model patterns [default: {}]",
                    p.display_name, p.models
                ))
                .help_heading(PROVIDER_HEADING),
        );
        for setting in p.settings {
            if p.alt_key
                .is_some_and(|alt| alt.sets.iter().any(|(f, _)| *f == setting.field))
            {
                continue; // switched on by the alternative key flag instead
            }
            let arg = Arg::new(setting.flag)
                .long(setting.flag)
                .help(setting.help)
                .help_heading(PROVIDER_HEADING);
            args.push(with_value_name(arg, setting.kind));
        }
    }
    args
}

/// How a provider setting's value is shown and taken, by its kind.
fn with_value_name(arg: clap::Arg, kind: crate::gateway::catalog::SettingKind) -> clap::Arg {
    use crate::gateway::catalog::SettingKind;
    match kind {
        SettingKind::Bool => arg
            .value_name("BOOL")
            .num_args(0..=1)
            .require_equals(true)
            .default_missing_value("true"),
        SettingKind::Port => arg.value_name("PORT"),
        SettingKind::Number => arg.value_name("MS"),
        SettingKind::Url(_) => arg.value_name("URL"),
        SettingKind::FileContents => arg.value_name("FILE"),
        SettingKind::Secret => arg.value_name("SECRET"),
        SettingKind::Text => arg.value_name("VALUE"),
        SettingKind::Host => arg.value_name("HOST"),
        SettingKind::Choice(choices) => arg.value_name(choices.join("|")),
    }
}

impl clap::FromArgMatches for ProviderFlags {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = Self::default();
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        for name in Self::flag_names() {
            if let Ok(Some(value)) = matches.try_get_one::<String>(&name) {
                // An exported but empty HIGRESS_CLAW_<P>_KEY names no provider: it is
                // unset, not an empty key for a provider the user never mentioned.
                let from_env =
                    matches.value_source(&name) == Some(clap::parser::ValueSource::EnvVariable);
                if from_env && value.is_empty() {
                    continue;
                }
                self.values.insert(name, value.clone());
            }
        }
        Ok(())
    }
}

impl clap::Args for ProviderFlags {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.args(provider_args())
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}
