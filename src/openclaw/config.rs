//! OpenClaw's config file as the setup reads it, and JSON edits by path.
//!
//! It is only read here: every write goes through the `openclaw` CLI. OpenClaw writes
//! plain JSON; a hand-written JSON5 file that serde cannot read is reported as unreadable,
//! and the setup then only adds to it instead of replacing what it cannot see.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::env_vars;

/// `openclaw.json` as found before the setup.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    /// Its size in bytes (OpenClaw refuses a write that halves it).
    pub size: usize,
    /// Its content; an empty object when there is no file.
    pub value: Value,
    /// False when the file exists but is not plain JSON.
    pub readable: bool,
}

impl ConfigFile {
    /// A config with this content (tests, and the file as a plan expects it).
    pub fn from_value(value: Value) -> Self {
        let size = pretty_len(&value);
        Self {
            path: PathBuf::from("openclaw.json"),
            size,
            value,
            readable: true,
        }
    }
}

/// `$OPENCLAW_CONFIG_PATH`, else `<state>/openclaw.json`.
pub fn config_path() -> PathBuf {
    std::env::var_os(env_vars::OPENCLAW_CONFIG_PATH)
        .filter(|p| !p.is_empty())
        .map_or_else(|| super::state_dir().join("openclaw.json"), PathBuf::from)
}

pub fn read_config() -> ConfigFile {
    let path = config_path();
    let Ok(text) = std::fs::read_to_string(&path) else {
        return ConfigFile {
            path,
            size: 0,
            value: Value::Object(Map::new()),
            readable: true,
        };
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(value @ Value::Object(_)) => ConfigFile {
            path,
            size: text.len(),
            value,
            readable: true,
        },
        _ => ConfigFile {
            path,
            size: text.len(),
            value: Value::Object(Map::new()),
            readable: false,
        },
    }
}

/// The value at `path`, if every step is an object that has it.
pub fn get<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(*key))
}

/// Sets (or with `None` removes) the value at `path`, creating objects on the way to a
/// value that is set.
pub fn set(value: &mut Value, path: &[String], new: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let Some(new) = new else {
        let parent = parents.iter().try_fold(value, |v, key| v.get_mut(key));
        if let Some(map) = parent.and_then(Value::as_object_mut) {
            map.shift_remove(last);
        }
        return;
    };
    let mut current = value;
    for key in parents {
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        let map = current.as_object_mut().expect("made an object");
        current = map
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if !current.is_object() {
        *current = Value::Object(Map::new());
    }
    current
        .as_object_mut()
        .expect("made an object")
        .insert(last.clone(), new);
}

/// The size OpenClaw's writer gives `value` (two-space indented JSON and a newline).
pub fn pretty_len(value: &Value) -> usize {
    serde_json::to_string_pretty(value).map_or(0, |s| s.len() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn get_set_and_remove_by_path() {
        let mut v = json!({"a": {"b": 1}});
        let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        set(&mut v, &path(&["a", "c", "d"]), Some(json!(2)));
        assert_eq!(get(&v, &["a", "c", "d"]), Some(&json!(2)));
        set(&mut v, &path(&["a", "b"]), None);
        assert_eq!(v, json!({"a": {"c": {"d": 2}}}));
        set(&mut v, &path(&["x", "y"]), None);
        assert_eq!(
            v,
            json!({"a": {"c": {"d": 2}}}),
            "removing nothing adds nothing"
        );
        assert_eq!(pretty_len(&json!({"a": 1})), "{\n  \"a\": 1\n}\n".len());
    }
}
