//! Where settings come from: the TOML file, `CIRCULARS__…` variables laid over it, and each
//! section read with every unknown or mistyped key named.

use super::{ConfigError, ENV_PREFIX};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// The file's TOML table; a syntax error names the file and line.
pub(super) fn parse_file(name: &str, text: &str) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>().map_err(|e| {
        let line = e
            .span()
            .map(|s| crate::input::line_of(text, s.start))
            .unwrap_or(1);
        ConfigError {
            problems: vec![format!("{name}:{line}: {}", e.message())],
        }
    })
}

/// Lays every `CIRCULARS__SECTION__KEY` variable over `table` (its value read as TOML, else
/// as a string); returns which key each variable set, to name the variable in errors.
pub(super) fn lay_environment(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
    problems: &mut Vec<String>,
) -> BTreeMap<String, String> {
    let mut from_env = BTreeMap::new();
    for (var, value) in env {
        let Some(rest) = var.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let path: Vec<String> = rest.split("__").map(|s| s.to_ascii_lowercase()).collect();
        if path.iter().any(String::is_empty) {
            problems.push(format!("environment {var}: empty key segment"));
            continue;
        }
        let parsed = format!("v = {value}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or(toml::Value::String(value));
        match insert_path(table, &path, parsed) {
            Ok(()) => {
                from_env.insert(path.join("."), var);
            }
            Err(why) => problems.push(format!("environment {var}: {why}")),
        }
    }
    from_env
}

/// Sets `path` (section, …, key) in `table`, creating sections on the way.
fn insert_path(table: &mut toml::Table, path: &[String], value: toml::Value) -> Result<(), String> {
    match path {
        [] => Err("empty key".into()),
        [key] => {
            table.insert(key.clone(), value);
            Ok(())
        }
        [section, rest @ ..] => match table
            .entry(section.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        {
            toml::Value::Table(inner) => insert_path(inner, rest, value),
            _ => Err(format!("'{section}' is not a section")),
        },
    }
}

/// Deserialises one section, recording every unknown or mistyped key in it.
pub(super) fn section<T: DeserializeOwned + Default>(
    table: &mut toml::Table,
    name: &str,
    origin: &dyn Fn(&str) -> String,
    problems: &mut Vec<String>,
) -> T {
    let Some(value) = table.remove(name) else {
        return T::default();
    };
    let toml::Value::Table(inner) = value else {
        problems.push(format!("{}: {name}: expected a section", origin(name)));
        return T::default();
    };
    // Every unknown or mistyped key, one at a time, so each is named.
    let mut any_bad = false;
    for (key, value) in &inner {
        let probe: toml::Table = std::iter::once((key.clone(), value.clone())).collect();
        if let Err(e) = serde_path_to_error::deserialize::<_, T>(toml::Value::Table(probe)) {
            // The deepest key serde reached (`smtp.relays.main.tls`), else the section's key.
            let path = e.path().to_string();
            let full = if path.starts_with(key.as_str()) && path != "." {
                format!("{name}.{path}")
            } else {
                format!("{name}.{key}")
            };
            problems.push(format!(
                "{}: {full}: {}",
                origin(&full),
                e.inner().message()
            ));
            any_bad = true;
        }
    }
    if any_bad {
        return T::default();
    }
    T::deserialize(toml::Value::Table(inner)).unwrap_or_default()
}
