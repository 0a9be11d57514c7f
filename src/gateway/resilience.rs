//! Key failover and retries of one provider: ai-proxy's `failover` and
//! `retryOnFailure` objects in the provider's entry, edited in place (fields the
//! console or a person added, such as `failoverOnStatus`, are kept).
//!
//! The invariant: an entry never gets `failover.enabled: true` without a
//! `healthCheckModel`. The plugin refuses such an entry, and since ai-proxy fails its
//! whole configuration on one bad provider, every route would lose the plugin.

use thiserror::Error;

use super::resources::string;
use crate::yaml::{Mapping, Value};

/// The entry fields, as ai-proxy reads them.
pub const FAILOVER_FIELD: &str = "failover";
pub const RETRY_FIELD: &str = "retryOnFailure";

/// The plugin's defaults (ai-proxy `provider/failover.go`, `provider/retry.go`).
pub const DEFAULT_FAILURE_THRESHOLD: u32 = 3;
pub const DEFAULT_SUCCESS_THRESHOLD: u32 = 1;
pub const DEFAULT_HEALTH_CHECK_INTERVAL_MS: u32 = 5000;
pub const DEFAULT_HEALTH_CHECK_TIMEOUT_MS: u32 = 5000;
pub const DEFAULT_RETRY_TIMEOUT_MS: u32 = 60000;

/// What the flags ask of the failover object: `enable` is `--failover` (true) or
/// `--no-failover` (false); the rest tune it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailoverFlags {
    pub enable: Option<bool>,
    pub health_check_model: Option<String>,
    pub failure_threshold: Option<u32>,
    pub success_threshold: Option<u32>,
    pub health_check_interval: Option<u32>,
    pub health_check_timeout: Option<u32>,
}

impl FailoverFlags {
    fn tunes(&self) -> bool {
        self.health_check_model.is_some()
            || self.failure_threshold.is_some()
            || self.success_threshold.is_some()
            || self.health_check_interval.is_some()
            || self.health_check_timeout.is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.enable.is_none() && !self.tunes()
    }
}

/// A change to one entry field.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Edit {
    #[default]
    Keep,
    Set(Value),
    Remove,
}

impl Edit {
    /// Applies the change to `field` of an entry's settings.
    pub fn apply(&self, field: &str, settings: &mut Mapping) {
        match self {
            Edit::Keep => {}
            Edit::Set(value) => {
                settings.insert(string(field), value.clone());
            }
            Edit::Remove => {
                settings.remove(field);
            }
        }
    }
}

/// The failover and retry changes a provider edit carries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResilienceEdit {
    pub failover: Edit,
    pub retry: Edit,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ResilienceError {
    #[error(
        "--failover needs --health-check-model MODEL: the plugin checks a key it took out of rotation by asking this model, and refuses failover without one (e.g. --failover --health-check-model {example})"
    )]
    MissingHealthCheckModel { example: String },
    #[error(
        "{flag} tunes failover, which is off for {provider}; turn it on with --failover --health-check-model MODEL"
    )]
    FailoverOff {
        flag: &'static str,
        provider: String,
    },
    #[error("--no-failover cannot be combined with {flag}; drop one of them")]
    Contradiction { flag: &'static str },
}

/// The failover object after `flags`, from the entry's `current` one; `example` is a
/// model of the provider, named in the error when the health-check model is missing.
pub fn failover_edit(
    provider: &str,
    current: Option<&Value>,
    flags: &FailoverFlags,
    example: &str,
) -> Result<Edit, ResilienceError> {
    if flags.enable == Some(false) {
        if let Some(flag) = first_tuning_flag(flags) {
            return Err(ResilienceError::Contradiction { flag });
        }
        return Ok(if current.is_some() {
            Edit::Remove
        } else {
            Edit::Keep
        });
    }
    let on_now = current.and_then(Failover::read).is_some_and(|f| f.enabled);
    if flags.enable.is_none() {
        if !flags.tunes() {
            return Ok(Edit::Keep);
        }
        if !on_now {
            return Err(ResilienceError::FailoverOff {
                flag: first_tuning_flag(flags).unwrap_or("--health-check-model"),
                provider: provider.to_string(),
            });
        }
    }
    let mut object = current
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default();
    let model = flags
        .health_check_model
        .clone()
        .or_else(|| text(&object, "healthCheckModel"))
        .filter(|m| !m.trim().is_empty())
        .ok_or_else(|| ResilienceError::MissingHealthCheckModel {
            example: example.to_string(),
        })?;
    // Every field written out, as the console writes them: what the gateway does is
    // readable in the file without knowing the plugin's defaults.
    let numbers = [
        (
            "failureThreshold",
            flags.failure_threshold,
            DEFAULT_FAILURE_THRESHOLD,
        ),
        (
            "successThreshold",
            flags.success_threshold,
            DEFAULT_SUCCESS_THRESHOLD,
        ),
        (
            "healthCheckInterval",
            flags.health_check_interval,
            DEFAULT_HEALTH_CHECK_INTERVAL_MS,
        ),
        (
            "healthCheckTimeout",
            flags.health_check_timeout,
            DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
        ),
    ];
    object.insert(string("enabled"), Value::Bool(true));
    for (key, given, default) in numbers {
        let value = given.or_else(|| positive(&object, key)).unwrap_or(default);
        object.insert(string(key), num(value));
    }
    object.insert(string("healthCheckModel"), string(model));
    Ok(Edit::Set(Value::Mapping(object)))
}

fn first_tuning_flag(flags: &FailoverFlags) -> Option<&'static str> {
    [
        (flags.health_check_model.is_some(), "--health-check-model"),
        (flags.failure_threshold.is_some(), "--failure-threshold"),
        (flags.success_threshold.is_some(), "--success-threshold"),
        (
            flags.health_check_interval.is_some(),
            "--health-check-interval",
        ),
        (
            flags.health_check_timeout.is_some(),
            "--health-check-timeout",
        ),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

/// The retry object after `--retries N` (0 removes it).
pub fn retry_edit(current: Option<&Value>, retries: Option<u32>) -> Edit {
    match retries {
        None => Edit::Keep,
        Some(0) if current.is_none() => Edit::Keep,
        Some(0) => Edit::Remove,
        Some(n) => {
            let mut object = current
                .and_then(Value::as_mapping)
                .cloned()
                .unwrap_or_default();
            object.insert(string("enabled"), Value::Bool(true));
            object.insert(string("maxRetries"), num(n));
            if positive(&object, "retryTimeout").is_none() {
                object.insert(string("retryTimeout"), num(DEFAULT_RETRY_TIMEOUT_MS));
            }
            Edit::Set(Value::Mapping(object))
        }
    }
}

/// A provider's failover as the plugin reads it (its defaults filled in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failover {
    pub enabled: bool,
    pub health_check_model: Option<String>,
    pub failure_threshold: u32,
    pub success_threshold: u32,
    pub health_check_interval_ms: u32,
    pub health_check_timeout_ms: u32,
}

impl Failover {
    pub fn read(value: &Value) -> Option<Self> {
        let object = value.as_mapping()?;
        Some(Self {
            enabled: object.get("enabled").and_then(Value::as_bool) == Some(true),
            health_check_model: text(object, "healthCheckModel"),
            failure_threshold: positive(object, "failureThreshold")
                .unwrap_or(DEFAULT_FAILURE_THRESHOLD),
            success_threshold: positive(object, "successThreshold")
                .unwrap_or(DEFAULT_SUCCESS_THRESHOLD),
            health_check_interval_ms: positive(object, "healthCheckInterval")
                .unwrap_or(DEFAULT_HEALTH_CHECK_INTERVAL_MS),
            health_check_timeout_ms: positive(object, "healthCheckTimeout")
                .unwrap_or(DEFAULT_HEALTH_CHECK_TIMEOUT_MS),
        })
    }

    /// The entry's failover when it is on.
    pub fn of(settings: &Mapping) -> Option<Self> {
        settings
            .get(FAILOVER_FIELD)
            .and_then(Self::read)
            .filter(|f| f.enabled)
    }
}

/// A provider's retries as the plugin reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    pub max_retries: u32,
    pub timeout_ms: u32,
}

impl Retry {
    /// The entry's retries when they are on.
    pub fn of(settings: &Mapping) -> Option<Self> {
        let object = settings.get(RETRY_FIELD)?.as_mapping()?;
        if object.get("enabled").and_then(Value::as_bool) != Some(true) {
            return None;
        }
        Some(Self {
            max_retries: positive(object, "maxRetries").unwrap_or(1),
            timeout_ms: positive(object, "retryTimeout").unwrap_or(DEFAULT_RETRY_TIMEOUT_MS),
        })
    }
}

fn text(object: &Mapping, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A number the plugin takes as given (0 or absent means its default).
fn positive(object: &Mapping, key: &str) -> Option<u32> {
    object
        .get(key)
        .and_then(Value::as_u64)
        .filter(|n| *n > 0)
        .and_then(|n| u32::try_from(n).ok())
}

fn num(n: u32) -> Value {
    Value::Number(n.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(model: &str) -> FailoverFlags {
        FailoverFlags {
            enable: Some(true),
            health_check_model: Some(model.into()),
            ..Default::default()
        }
    }

    #[test]
    fn failover_is_never_enabled_without_a_health_check_model() {
        let flags = FailoverFlags {
            enable: Some(true),
            ..Default::default()
        };
        assert!(matches!(
            failover_edit("deepseek", None, &flags, "deepseek-chat"),
            Err(ResilienceError::MissingHealthCheckModel { .. })
        ));
        let Ok(Edit::Set(value)) = failover_edit("deepseek", None, &on("m"), "x") else {
            panic!("failover set");
        };
        let f = Failover::read(&value).unwrap();
        assert_eq!(f.health_check_model.as_deref(), Some("m"));
        assert_eq!(f.failure_threshold, DEFAULT_FAILURE_THRESHOLD);
        // Tuning later keeps the model and fields we do not manage.
        let mut object = value.as_mapping().unwrap().clone();
        object.insert(
            string("failoverOnStatus"),
            Value::Sequence(vec![string("5.*")]),
        );
        let tune = FailoverFlags {
            failure_threshold: Some(7),
            ..Default::default()
        };
        let Ok(Edit::Set(tuned)) =
            failover_edit("deepseek", Some(&Value::Mapping(object)), &tune, "x")
        else {
            panic!("tuned");
        };
        assert_eq!(Failover::read(&tuned).unwrap().failure_threshold, 7);
        assert_eq!(
            Failover::read(&tuned)
                .unwrap()
                .health_check_model
                .as_deref(),
            Some("m")
        );
        assert!(
            tuned
                .as_mapping()
                .unwrap()
                .get("failoverOnStatus")
                .is_some()
        );
    }

    #[test]
    fn tuning_needs_failover_on_and_retries_zero_removes() {
        let tune = FailoverFlags {
            health_check_interval: Some(1000),
            ..Default::default()
        };
        assert!(matches!(
            failover_edit("deepseek", None, &tune, "x"),
            Err(ResilienceError::FailoverOff { .. })
        ));
        let current = Value::Mapping(Mapping::new());
        assert_eq!(retry_edit(Some(&current), Some(0)), Edit::Remove);
        assert_eq!(retry_edit(None, Some(0)), Edit::Keep);
        assert_eq!(retry_edit(None, None), Edit::Keep);
    }
}
