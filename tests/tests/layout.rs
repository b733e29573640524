//! The crate layout is the architecture, and `cargo metadata` says whether it still holds:
//! - no service crate (under `services/`) depends on another service crate; only the CLI, the
//!   binary that joins them, depends on services (and the end-to-end tests, which drive them);
//! - no library (under `shared/`) depends on a service;
//! - the contracts crate, `circulars-core`, depends on no parser and no storage.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The CLI: the one crate under `services/` that is a binary joining the services.
const CLI: &str = "circulars-cli";

/// What `circulars-core` must never depend on: the parsers and the storage layer.
const NOT_IN_CORE: [&str; 5] = [
    "circulars-store",
    "circulars-bounce-reports",
    "mail-parser",
    "sqlx",
    "circulars-render",
];

/// Each workspace package: its folder relative to the workspace root, and the names of the
/// packages it depends on (normal, dev and build dependencies alike).
fn workspace() -> BTreeMap<String, (PathBuf, Vec<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(&root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata is JSON");
    let workspace_root = PathBuf::from(metadata["workspace_root"].as_str().expect("a root"));
    let mut packages = BTreeMap::new();
    for package in metadata["packages"].as_array().expect("packages") {
        let name = package["name"].as_str().expect("a name").to_owned();
        let manifest = PathBuf::from(package["manifest_path"].as_str().expect("a manifest"));
        let folder = manifest
            .parent()
            .expect("a folder")
            .strip_prefix(&workspace_root)
            .expect("inside the workspace")
            .to_path_buf();
        let dependencies = package["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .map(|d| d["name"].as_str().expect("a dependency name").to_owned())
            .collect();
        packages.insert(name, (folder, dependencies));
    }
    packages
}

fn under<'a>(
    packages: &'a BTreeMap<String, (PathBuf, Vec<String>)>,
    folder: &str,
) -> Vec<&'a String> {
    packages
        .iter()
        .filter(|(_, (path, _))| path.starts_with(folder))
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn no_service_crate_depends_on_another_and_no_library_on_a_service() {
    let packages = workspace();
    let services = under(&packages, "services");
    let libraries = under(&packages, "shared");
    assert!(
        services.len() >= 6 && libraries.len() >= 6,
        "services {services:?}, libraries {libraries:?}"
    );
    let mut broken = Vec::new();
    // The CLI and the end-to-end tests (`tests/`) join the services; every other crate is held
    // to the rule.
    for (name, (path, dependencies)) in &packages {
        let held = path.starts_with("shared") || path.starts_with("services");
        if !held || name == CLI {
            continue;
        }
        for dependency in dependencies {
            if services.contains(&dependency) {
                broken.push(format!(
                    "{name} ({}) depends on the service {dependency}",
                    path.display()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_contracts_crate_depends_on_no_parser_and_no_storage() {
    let packages = workspace();
    let (path, dependencies) = &packages["circulars-core"];
    assert_eq!(path, Path::new("shared/core"));
    let forbidden: Vec<&String> = dependencies
        .iter()
        .filter(|d| NOT_IN_CORE.contains(&d.as_str()))
        .collect();
    assert!(
        forbidden.is_empty(),
        "circulars-core depends on {forbidden:?}"
    );
}

#[test]
fn the_rule_is_seen_to_fail_on_a_service_that_depends_on_a_service() {
    // The check above reads dependency names as cargo metadata gives them: show it would see
    // one service naming another, so that it cannot pass by reading nothing.
    let packages = workspace();
    let (_, cli_dependencies) = &packages[CLI];
    let services = under(&packages, "services");
    assert!(
        cli_dependencies.iter().any(|d| services.contains(&d)),
        "the CLI joins the services, so it depends on them: {cli_dependencies:?}"
    );
}
