//! The test that `deploy/circulars.example.toml` documents every configuration key: it loads
//! as it is with the defaults the types give, and with its optional settings (`#key = …`,
//! `#[section]`) made active it holds exactly the keys the configuration types know.
//! Test-only: the types serialise only under `cfg(test)`, and secrets never.

use super::sources::parse_file;
use super::{read_sections, Config};
use serde::Serializer;
use std::collections::{BTreeMap, BTreeSet};

/// Serialises a secret as a placeholder, keeping its key.
pub(super) fn redacted<T, S: Serializer>(_: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str("(secret)")
}

/// Serialises a map of secrets with each name kept and each value replaced.
pub(super) fn redacted_map<T, S: Serializer>(
    map: &BTreeMap<String, T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(map.keys().map(|k| (k, "(secret)")))
}

/// Tables whose keys are names the operator chooses (relays, staff members): their entries
/// count as one key, `*`.
const NAMED: [&str; 2] = ["smtp.relays", "gateway.staff_keys"];

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../deploy/circulars.example.toml"
);

/// Every key path in `value`: tables walked, named tables' entries as `*`, an array of tables
/// as `[]` with its elements' keys.
fn keys(value: &serde_json::Value, path: &str, out: &mut BTreeSet<String>) {
    let join = |k: &str| match path {
        "" => k.to_owned(),
        p => format!("{p}.{k}"),
    };
    match value {
        serde_json::Value::Object(map) if NAMED.contains(&path) => {
            for v in map.values() {
                keys(v, &join("*"), out);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                keys(v, &join(k), out);
            }
        }
        serde_json::Value::Array(items) if items.iter().any(|i| i.is_object()) => {
            for item in items {
                keys(item, &join("[]"), out);
            }
        }
        _ => {
            out.insert(path.to_owned());
        }
    }
}

/// The example with each optional setting made active: a line `#` followed at once by a key or
/// a `[` is a setting; `# ` starts prose.
fn with_optional_settings(text: &str) -> String {
    text.lines()
        .map(|line| match line.strip_prefix('#') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '[') => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn read_example() -> String {
    std::fs::read_to_string(EXAMPLE).unwrap_or_else(|e| panic!("{EXAMPLE}: {e}"))
}

fn as_json(config: &Config) -> serde_json::Value {
    serde_json::to_value(config).expect("a configuration serialises")
}

#[test]
fn the_example_loads_and_its_active_values_are_the_defaults() {
    let text = read_example();
    let loaded = Config::from_sources(Some(("circulars.example.toml", &text)), Vec::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let defaults = Config::from_sources(None, Vec::new()).expect("the defaults load");
    assert_eq!(
        as_json(&loaded),
        as_json(&defaults),
        "a value in the example is not the default"
    );
}

#[test]
fn the_example_names_every_key_the_configuration_knows() {
    let full = with_optional_settings(&read_example());
    let mut table = parse_file("circulars.example.toml (all settings)", &full)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut written = BTreeSet::new();
    let as_value = serde_json::to_value(&table).expect("TOML is JSON");
    keys(&as_value, "", &mut written);

    let mut problems = Vec::new();
    let origin = |_: &str| "circulars.example.toml (all settings)".to_owned();
    let config = read_sections(&mut table, &origin, &mut problems);
    problems.extend(table.keys().map(|k| format!("{k}: unknown key")));
    assert!(problems.is_empty(), "{problems:#?}");
    let mut known = BTreeSet::new();
    keys(&as_json(&config), "", &mut known);

    let missing: Vec<_> = known.difference(&written).collect();
    let unknown: Vec<_> = written.difference(&known).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "keys the configuration has but the example lacks: {missing:?}; \
         keys the example has but the configuration lacks: {unknown:?}"
    );
    for must in [
        "smtp.relays.*.host",
        "bounces.mailbox.poll_secs",
        "tokens.keys.[]",
    ] {
        assert!(
            known.iter().any(|k| k.starts_with(must)),
            "{must} not walked: {known:?}"
        );
    }
}

#[test]
fn a_key_missing_from_the_text_is_found() {
    let mut written = BTreeSet::new();
    keys(
        &serde_json::json!({"smtp": {"relays": {"main": {"host": "a"}, "b": {"port": 1}}}}),
        "",
        &mut written,
    );
    let expected: BTreeSet<String> = ["smtp.relays.*.host", "smtp.relays.*.port"]
        .map(String::from)
        .into();
    assert_eq!(written, expected);
    let text = "# prose = not a key\n#[bounces.mailbox]\n#host = \"imap\"\nport = 1\n";
    assert_eq!(
        with_optional_settings(text),
        "# prose = not a key\n[bounces.mailbox]\nhost = \"imap\"\nport = 1"
    );
}
